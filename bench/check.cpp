// Inside a check, and the loop. Every figure is a ratio of two benchmarks of this one process:
//
//   inside:  a check that only counts (max_failures(0): the probe and one baseline run), with
//            leak tracking off and on, and with all tracking (leak tracking, and a second baseline
//            run compared attempt by attempt with the first), per attempt, against the same
//            allocations made outside any check (raw_attempts);
//   loop:    the whole exhaustive check of a body of N attempts, against (N + 1) times the body's
//            own time (loop_body). Each body catches the failure of each attempt and goes on, so
//            that every one of the N + 1 runs makes all N attempts: the ratio is then the checker's
//            overhead alone. At N = 10,000 also with leak_tracking(false), to show its share.
//
// A check whose report is not what the figure assumes (attempts, success) ends the benchmark with
// an error instead of a number.

#include <alloc_chaos/checker.hpp>

#include <benchmark/benchmark.h>

#include "bodies.hpp"

#include <cstddef>
#include <string>

namespace {

using bench_bodies::map_inserts;
using bench_bodies::pairs;

bool fails(benchmark::State& state, bool failed, const char* why) {
    if (failed)
        state.SkipWithError(why);
    return failed;
}

// --- inside a check, per attempt ---------------------------------------------------------------

void raw_attempts(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state)
        pairs(n);
    state.counters["attempts"] = static_cast<double>(n);
}

// A counting check (the probe and one baseline run, nothing failed); `runs` baseline runs in all.
void counting_check(benchmark::State& state, bool leak_tracking, std::size_t runs) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const alloc_chaos::checker counting =
        alloc_chaos::checker{}.max_failures(0).leak_tracking(leak_tracking).stability_runs(runs);
    for (auto _ : state) {
        const alloc_chaos::report r = counting.run([n] { pairs(n); });
        if (fails(state, r.baseline_allocations() != n || !r.baseline_stable() || !r.bridge_observed() ||
                             !r.baseline().findings().empty(),
                  "the counting check did not observe the body's attempts cleanly"))
            break;
    }
    state.counters["attempts"] = static_cast<double>(n * runs);
}

void check_counting(benchmark::State& state) { counting_check(state, false, 1); }
void check_leak_tracking(benchmark::State& state) { counting_check(state, true, 1); }
void check_all_tracking(benchmark::State& state) { counting_check(state, true, 2); }

BENCHMARK(raw_attempts)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(check_counting)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(check_leak_tracking)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(check_all_tracking)->Arg(10000)->Unit(benchmark::kMicrosecond);

// --- the loop ----------------------------------------------------------------------------------

template <void (*Body)(std::size_t)>
void loop_body(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state)
        Body(n);
}

template <void (*Body)(std::size_t)>
void loop_check(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        const alloc_chaos::report r = alloc_chaos::check([n] { Body(n); });
        if (fails(state, !r.success() || r.tested_failures() != n, "the exhaustive check did not test N attempts"))
            break;
    }
    state.counters["runs"] = static_cast<double>(n + 1);
}

// The same loop with leak_tracking(false): what leak tracking adds to it.
template <void (*Body)(std::size_t)>
void loop_check_untracked(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const alloc_chaos::checker untracked = alloc_chaos::checker{}.leak_tracking(false);
    for (auto _ : state) {
        const alloc_chaos::report r = untracked.run([n] { Body(n); });
        if (fails(state, !r.success() || r.tested_failures() != n, "the exhaustive check did not test N attempts"))
            break;
    }
    state.counters["runs"] = static_cast<double>(n + 1);
}

BENCHMARK(loop_body<pairs>)->Name("loop_body/pairs")->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(loop_check<pairs>)->Name("loop_check/pairs")->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(loop_check<pairs>)->Name("loop_check/pairs")->Arg(10000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(loop_check_untracked<pairs>)->Name("loop_check_untracked/pairs")->Arg(10000)->Iterations(1)->Unit(benchmark::kMillisecond);

BENCHMARK(loop_body<map_inserts>)->Name("loop_body/map")->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(loop_check<map_inserts>)->Name("loop_check/map")->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(loop_check<map_inserts>)->Name("loop_check/map")->Arg(10000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(loop_check_untracked<map_inserts>)->Name("loop_check_untracked/map")->Arg(10000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
