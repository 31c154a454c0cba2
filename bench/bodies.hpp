#ifndef ALLOC_CHAOS_BENCH_BODIES_HPP
#define ALLOC_CHAOS_BENCH_BODIES_HPP

// The bodies more than one benchmark checks: n allocation attempts that skip an attempt that
// fails, so that every run of a check makes them all; and bench_peer's strings job.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <map>
#include <memory_resource>
#include <new>
#include <string>

namespace bench_bodies {

// n blocks of 64 bytes from operator new, the i-th given to release(i, p); a failed attempt is
// skipped.
template <class Release>
void pairs_released_by(std::size_t n, Release&& release) {
    for (std::size_t i = 0; i < n; ++i) {
        void* p = nullptr;
        try {
            p = ::operator new(64);
        } catch (const std::bad_alloc&) {
            continue;
        }
        benchmark::DoNotOptimize(p);
        release(i, p);
    }
}

// n operator new/delete pairs of 64 bytes; a failed attempt is skipped.
inline void pairs(std::size_t n) {
    pairs_released_by(n, [](std::size_t, void* p) { ::operator delete(p, 64); });
}

// A std::map<int, int> of n entries, built and destroyed: n node allocations among the tree's own
// work; an insertion that fails is skipped.
inline void map_inserts(std::size_t n) {
    std::map<int, int> m;
    for (int i = 0; i < static_cast<int>(n); ++i) {
        try {
            m.emplace(i, i);
        } catch (const std::bad_alloc&) {
        }
    }
    benchmark::DoNotOptimize(m);
}

// bench_peer's strings job: a std::pmr::map<int, std::pmr::string> of strings_size entries, each
// string longer than the small-string buffer, so that every entry makes two allocations (its node,
// then its string); 2 x strings_size attempts. A failed allocation propagates.
inline constexpr int strings_size = 2000;
inline void pmr_strings(std::pmr::memory_resource& resource) {
    std::pmr::map<int, std::pmr::string> m(&resource);
    for (int i = 0; i < strings_size; ++i)
        m.try_emplace(i, "a string longer than the small-string buffer");
    benchmark::DoNotOptimize(m);
}

}  // namespace bench_bodies

#endif
