// The peer: the same exhaustive job done the best way libstdc++ offers and with alloc-chaos.
//
// The job builds and destroys a vector, a list, a map and an unordered_map of `job_size` ints.
//   throw_allocator:  the containers on __gnu_cxx::throw_allocator_limit; set_limit(k) for
//                     k = 0, 1, 2, ... until a run completes clean, with the allocator's own leak
//                     check (annotate_base::check) after each run.
//   chaos_pmr:        std::pmr containers on a chaos_memory_resource (deallocation checks by
//                     default, which the check starts, and off), under alloc_chaos::check.
//   chaos_bridge:     the std containers on std::allocator, through the global bridge, under
//                     alloc_chaos::check.
// Each benchmark reports the failure points it found (counter "found"): the allocations it failed
// one by one, and "bugs", the runs that ended otherwise than in the controlled error or leaked.

#include <alloc_chaos/chaos_memory_resource.hpp>
#include <alloc_chaos/checker.hpp>

#include <benchmark/benchmark.h>

#include <ext/throw_allocator.h>

#include <cstddef>
#include <functional>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <memory_resource>
#include <new>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

constexpr int job_size = 200;

// The job itself, the same for every allocator: fill a vector, a list, a map and an unordered_map.
template <class Vector, class List, class Map, class UnorderedMap>
void fill(Vector& v, List& l, Map& m, UnorderedMap& u) {
    for (int i = 0; i < job_size; ++i) {
        v.push_back(i);
        l.push_back(i);
        m.emplace(i, i);
        u.emplace(i, i);
    }
    benchmark::DoNotOptimize(v);
    benchmark::DoNotOptimize(l);
    benchmark::DoNotOptimize(m);
    benchmark::DoNotOptimize(u);
}

template <template <class> class Alloc>
void job() {
    std::vector<int, Alloc<int>> v;
    std::list<int, Alloc<int>> l;
    std::map<int, int, std::less<int>, Alloc<std::pair<const int, int>>> m;
    std::unordered_map<int, int, std::hash<int>, std::equal_to<int>, Alloc<std::pair<const int, int>>> u;
    fill(v, l, m, u);
}

void pmr_job(std::pmr::memory_resource& resource) {
    std::pmr::vector<int> v(&resource);
    std::pmr::list<int> l(&resource);
    std::pmr::map<int, int> m(&resource);
    std::pmr::unordered_map<int, int> u(&resource);
    fill(v, l, m, u);
}

void throw_allocator(benchmark::State& state) {
    using __gnu_cxx::annotate_base;
    using __gnu_cxx::limit_condition;
    std::size_t found = 0;
    std::size_t bugs = 0;
    for (auto _ : state) {
        found = bugs = 0;
        for (std::size_t k = 0;; ++k) {
            annotate_base::set_label(k);
            limit_condition::set_limit(k);
            bool clean = false;
            try {
                job<__gnu_cxx::throw_allocator_limit>();
                clean = true;
            } catch (const __gnu_cxx::forced_error&) {
                ++found;
            } catch (...) {
                ++bugs;
            }
            try {
                annotate_base::check();  // anything still allocated or constructed: a leak
            } catch (const std::logic_error&) {
                ++bugs;
            }
            if (clean)
                break;
        }
        limit_condition::set_limit(std::numeric_limits<std::size_t>::max());
    }
    state.counters["found"] = static_cast<double>(found);
    state.counters["bugs"] = static_cast<double>(bugs);
}

void report_counters(benchmark::State& state, const alloc_chaos::report& r) {
    std::size_t bugs = 0;
    for (const alloc_chaos::attempt& a : r.attempts())
        bugs += a.success() ? 0 : 1;
    state.counters["found"] = static_cast<double>(r.injected_failures());
    state.counters["bugs"] = static_cast<double>(bugs);
    if (!r.success())
        state.SkipWithError("the alloc-chaos check did not succeed");
}

void chaos_pmr(benchmark::State& state, alloc_chaos::deallocation_checks checks) {
    alloc_chaos::chaos_memory_resource resource(checks);
    alloc_chaos::report r;
    for (auto _ : state)
        r = alloc_chaos::check([&] { pmr_job(resource); });
    report_counters(state, r);
}

void chaos_bridge(benchmark::State& state) {
    alloc_chaos::report r;
    for (auto _ : state)
        r = alloc_chaos::check([] { job<std::allocator>(); });
    report_counters(state, r);
}

BENCHMARK(throw_allocator)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(chaos_pmr, checks_default, alloc_chaos::deallocation_checks::from_first_check)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(chaos_pmr, checks_off, alloc_chaos::deallocation_checks::off)->Unit(benchmark::kMillisecond);
BENCHMARK(chaos_bridge)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
