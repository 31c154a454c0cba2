// Worker processes: where a check's runs execute. Every figure is a ratio of two benchmarks of
// this one process, in wall-clock time (the calling process mostly waits while its workers run):
//
//   speed-up:  the exhaustive check of the std::map<int, int> body at N = 10,000 with processes(1)
//              and processes(2), against the same check in the calling process;
//   mechanism: what worker processes add to a check whose runs cost next to nothing (N = 1,000
//              new/delete pairs, 1,001 runs): per run (the difference over the runs), and per
//              check (max_failures(0): the probe and the baseline alone, so the fork, the prefix
//              and the exit), with the calling process holding 0, 1 MiB and 100 MiB of memory;
//   a fork per run, the design not taken: a bare fork, _exit and waitpid, per run at least.
//
// A check whose report is not what the figure assumes ends the benchmark with an error.

#include <alloc_chaos/checker.hpp>

#include <benchmark/benchmark.h>

#include "bodies.hpp"

#include <cstddef>
#include <cstring>
#include <optional>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

using bench_bodies::map_inserts;
using bench_bodies::pairs;

// The checker of a variant: 0 runs in the calling process, k > 0 in k worker processes.
alloc_chaos::checker in(std::int64_t processes) {
    alloc_chaos::checker c;
    if (processes > 0)
        c.processes(static_cast<std::size_t>(processes));
    return c;
}

// Memory the calling process holds, every page touched, while a check forks its workers.
std::vector<char> ballast(std::int64_t mib) {
    std::vector<char> held(static_cast<std::size_t>(mib) << 20);
    std::memset(held.data(), 1, held.size());
    return held;
}

// The exhaustive check of the map body; range(0): processes, range(1): N.
void map_check(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(1));
    const alloc_chaos::checker c = in(state.range(0));
    for (auto _ : state) {
        const alloc_chaos::report r = c.run([n] { map_inserts(n); });
        if (!r.success() || r.tested_failures() != n) {
            state.SkipWithError("the exhaustive check did not test N attempts");
            break;
        }
    }
    state.counters["runs"] = static_cast<double>(n + 1);
}

// The exhaustive check of 1,000 pairs; range(0): processes, range(1): MiB held by the caller.
void pairs_check(benchmark::State& state) {
    const alloc_chaos::checker c = in(state.range(0));
    const std::vector<char> held = ballast(state.range(1));
    for (auto _ : state) {
        const alloc_chaos::report r = c.run([] { pairs(1000); });
        if (!r.success() || r.tested_failures() != 1000) {
            state.SkipWithError("the exhaustive check did not test 1,000 attempts");
            break;
        }
    }
    state.counters["runs"] = 1001;
}

// The probe and the baseline of 1,000 pairs alone; range(0): processes, range(1): MiB held.
void baseline_only(benchmark::State& state) {
    const alloc_chaos::checker c = in(state.range(0)).max_failures(0);
    const std::vector<char> held = ballast(state.range(1));
    for (auto _ : state) {
        const alloc_chaos::report r = c.run([] { pairs(1000); });
        if (r.baseline_allocations() != 1000) {
            state.SkipWithError("the baseline did not observe 1,000 attempts");
            break;
        }
    }
}

// The design not taken: a fork per run. What it would pay per run at least, before any run: a
// fork of the calling process, the child's _exit and its reaping; range(0): MiB held.
void fork_per_run(benchmark::State& state) {
    const std::vector<char> held = ballast(state.range(0));
    for (auto _ : state) {
        const pid_t child = ::fork();
        if (child == 0)
            ::_exit(0);
        int status = 0;
        if (child < 0 || ::waitpid(child, &status, 0) != child) {
            state.SkipWithError("fork or waitpid failed");
            break;
        }
    }
}

BENCHMARK(map_check)->Name("processes_map")->ArgsProduct({{0, 1, 2}, {10000}})->Iterations(1)
    ->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(pairs_check)->Name("processes_pairs")->ArgsProduct({{0, 1}, {0, 1, 100}})
    ->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(baseline_only)->Name("processes_baseline")->ArgsProduct({{0, 1}, {0, 1, 100}})
    ->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(fork_per_run)->Name("processes_fork")->Arg(0)->Arg(1)->Arg(100)->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
