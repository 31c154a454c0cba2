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
//
// P1160, when the build is given its folder (ALLOC_CHAOS_P1160_DIR): Bloomberg's test_resource and
// exception_test_loop, with the resource's default checks (every deallocation, leaks at the end),
// against chaos_memory_resource under alloc_chaos::check, with deallocation checks by default and
// off, on two jobs: the containers job above ("containers") and a std::pmr::map<int,
// std::pmr::string> of bench_bodies::strings_size entries whose strings allocate ("strings"). Beside them,
// the floor under any such tool on the two jobs: a resource that only counts and fails, in the
// same loop.

#include <alloc_chaos/chaos_memory_resource.hpp>
#include <alloc_chaos/checker.hpp>

#include <benchmark/benchmark.h>

#include "bodies.hpp"

#if defined(ALLOC_CHAOS_BENCH_P1160)
#include <memory_resource_p1160>
#endif

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
#include <string>
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

// The second job (bench_bodies::pmr_strings).
void strings_job(std::pmr::memory_resource& resource) { bench_bodies::pmr_strings(resource); }

using pmr_job_function = void(std::pmr::memory_resource&);

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

// A job as a test of it would be written: a resource made for the check, checked exhaustively.
void chaos_job(benchmark::State& state, pmr_job_function* job, alloc_chaos::deallocation_checks checks) {
    alloc_chaos::report r;
    for (auto _ : state) {
        alloc_chaos::chaos_memory_resource resource(checks);
        r = alloc_chaos::check([&] { job(resource); });
    }
    report_counters(state, r);
}

// The floor under both tools: a resource that only counts its allocations and fails allocation k
// of run k with std::bad_alloc, over operator new, in P1160's loop (until a run completes). No leak
// tracking, no checks: what the job, the C allocator, the throw and the unwinding cost.
class counting_resource final : public std::pmr::memory_resource {
public:
    std::size_t fail_at = 0;
    std::size_t count = 0;

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        if (count++ == fail_at)
            throw std::bad_alloc();
        return alignment <= __STDCPP_DEFAULT_NEW_ALIGNMENT__ ? ::operator new(bytes)
                                                             : ::operator new(bytes, std::align_val_t(alignment));
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        if (alignment <= __STDCPP_DEFAULT_NEW_ALIGNMENT__)
            ::operator delete(p, bytes);
        else
            ::operator delete(p, bytes, std::align_val_t(alignment));
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }
};

void counting_floor(benchmark::State& state, pmr_job_function* job) {
    std::size_t found = 0;
    for (auto _ : state) {
        counting_resource resource;
        for (found = 0;; ++found) {
            resource.fail_at = found;
            resource.count = 0;
            try {
                job(resource);
                break;
            } catch (const std::bad_alloc&) {
            }
        }
    }
    state.counters["found"] = static_cast<double>(found);
    state.counters["bugs"] = 0;
}

BENCHMARK_CAPTURE(counting_floor, containers, &pmr_job)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(counting_floor, strings, &strings_job)->Unit(benchmark::kMillisecond);

#if defined(ALLOC_CHAOS_BENCH_P1160)
// The same job as P1160 would have it tested: a test_resource (default checks: each deallocation's
// block header, size, alignment and padding; leaks when it is destroyed) and exception_test_loop,
// which fails allocation k of run k until a run completes.
void p1160(benchmark::State& state, pmr_job_function* job) {
    std::size_t runs = 0;
    long long bugs = 0;
    for (auto _ : state) {
        runs = 0;
        std::pmr::test_resource resource;
        std::pmr::exception_test_loop(resource, [&](std::pmr::memory_resource& r) {
            ++runs;
            job(r);
        });
        bugs = resource.status();  // misuse found, or -1 for blocks still in use
    }
    state.counters["found"] = static_cast<double>(runs - 1);
    state.counters["bugs"] = static_cast<double>(bugs != 0 ? 1 : 0);
    if (bugs != 0)
        state.SkipWithError("test_resource found errors or leaks");
}

BENCHMARK_CAPTURE(p1160, containers, &pmr_job)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(p1160, strings, &strings_job)->Unit(benchmark::kMillisecond);
#endif
BENCHMARK_CAPTURE(chaos_job, containers/checks_default, &pmr_job, alloc_chaos::deallocation_checks::from_first_check)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(chaos_job, containers/checks_off, &pmr_job, alloc_chaos::deallocation_checks::off)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(chaos_job, strings/checks_default, &strings_job, alloc_chaos::deallocation_checks::from_first_check)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(chaos_job, strings/checks_off, &strings_job, alloc_chaos::deallocation_checks::off)
    ->Unit(benchmark::kMillisecond);

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
