// Memory: the bookkeeping a check holds per observed attempt, and the peak resident memory
// (getrusage's ru_maxrss) of a check of 1,000,000 attempts. ru_maxrss is a high-water mark of the
// whole process, so scripts/bench runs each benchmark of this file in a process of its own
// (--benchmark_filter), and each benchmark runs its body once outside any check before the check:
// the peak the check adds over that is its bookkeeping.
//
//   memory/freed:  1,000,000 operator new/delete pairs of 64 bytes, each block freed at once;
//   memory/live:   1,000,000 blocks of 16 bytes, all live until the body returns (the worst case
//                  for the live blocks' bitmap);
//   memory/leaking: the exhaustive check of 2,000 attempts where the run failing #k leaks k
//                  blocks (1,999,000 leaked in all): the report counts them, keeping 10 a run.
//
// The check is failure_range(N - 2, N): the baseline run and the two injected runs that go the
// furthest, so it reaches the peak of an exhaustive check (the baseline's signatures, and those
// of a run that makes N - 1 attempts, and the live blocks at their largest) in three runs.
// memory/*/10, failure_range(N - 10, N) in a process of its own, shows that more runs do not
// raise that peak.

#include "../lib/engine/signature_log.hpp"  // the size of one recorded attempt, for the computed figure

#include <alloc_chaos/checker.hpp>

#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <new>
#include <vector>

namespace {

constexpr std::size_t attempts = 1'000'000;

long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

// Where the live body keeps its blocks: allocated before anything is measured, and not observed.
std::vector<void*> slots;

void freed_body() {
    for (std::size_t i = 0; i < attempts; ++i) {
        void* p = ::operator new(64);
        benchmark::DoNotOptimize(p);
        ::operator delete(p, 64);
    }
}

void live_body() {
    struct release_all {
        std::size_t live = 0;
        ~release_all() {
            for (std::size_t i = 0; i < live; ++i)
                ::operator delete(slots[i], 16);
        }
    } blocks;
    for (std::size_t i = 0; i < attempts; ++i) {
        slots[i] = ::operator new(16);
        ++blocks.live;
    }
}

// What the data structures hold at the peak, per attempt. A signature log is a power of two
// >= 1024 entries of sizeof(signature) bytes, and the live blocks' log of addresses as many entries
// of 8 bytes; while either grows, its old array and its new one are both allocated. The live
// blocks' bitmap is a 32 KiB leaf per 4 MiB of addresses they span (each block of 16 bytes takes a
// 32-byte malloc chunk), plus one where the span crosses a leaf's edge. The peak is the larger of:
// the first baseline run (its log and the address log growing), and an injected run (the
// baseline's log, its own, the address log).
double computed_bytes_per_attempt(std::size_t live) {
    const std::size_t log_entries = std::max<std::size_t>(1024, std::bit_ceil(attempts));
    const double log = static_cast<double>(log_entries * sizeof(alloc_chaos::detail::signature));
    const double addresses = static_cast<double>(log_entries * sizeof(void*));
    const std::size_t leaves = live * 32 / (std::size_t{4} << 20) + 2;
    const double bitmap = static_cast<double>(leaves * (std::size_t{32} << 10));
    return (std::max(1.5 * (log + addresses), 2 * log + addresses) + bitmap) / static_cast<double>(attempts);
}

// The check of `body` with its last state.range(0) attempts failed, one run each.
void measure(benchmark::State& state, void (*body)(), std::size_t live) {
    const auto injected = static_cast<std::size_t>(state.range(0));
    slots.assign(live, nullptr);
    const long before = peak_rss_kib();
    body();  // the body's own peak, outside any check
    const long body_peak = peak_rss_kib();
    std::size_t observed = 0;
    for (auto _ : state) {
        const alloc_chaos::report r =
            alloc_chaos::checker{}.failure_range(attempts - injected, attempts).run(body);
        observed = r.baseline_allocations();
        if (observed != attempts || r.injected_failures() != injected || !r.baseline().findings().empty())
            state.SkipWithError("the check did not observe 1,000,000 attempts cleanly");
    }
    const long check_peak = peak_rss_kib();
    const double added = 1024.0 * static_cast<double>(check_peak - body_peak);
    state.counters["attempts"] = static_cast<double>(observed);
    state.counters["peak_rss_before_kib"] = static_cast<double>(before);
    state.counters["peak_rss_body_kib"] = static_cast<double>(body_peak);
    state.counters["peak_rss_check_kib"] = static_cast<double>(check_peak);
    state.counters["bytes_per_attempt"] = added / static_cast<double>(attempts);
    state.counters["computed_bytes_per_attempt"] = computed_bytes_per_attempt(live);
    state.counters["report_bytes_per_target"] = static_cast<double>(sizeof(alloc_chaos::attempt));
}

void memory_freed(benchmark::State& state) { measure(state, freed_body, 0); }
void memory_live(benchmark::State& state) { measure(state, live_body, attempts); }

// A body whose every failure leaks: the run failing #k leaks the k blocks it made before, so an
// exhaustive check leaks N (N - 1) / 2 blocks in all, which a report naming every one of them
// would hold. The leaked blocks are kept in `slots` and freed after the check.
constexpr std::size_t leaking_attempts = 2'000;
std::size_t leaked_so_far = 0;

void leaking_body() {
    void* made[leaking_attempts];
    std::size_t n = 0;
    try {
        for (; n < leaking_attempts; ++n)
            made[n] = ::operator new(16);
    } catch (const std::bad_alloc&) {
        for (std::size_t i = 0; i < n; ++i)
            slots[leaked_so_far++] = made[i];
        return;
    }
    for (std::size_t i = 0; i < n; ++i)
        ::operator delete(made[i], 16);
}

// The exhaustive check of leaking_body: the peak it adds over the body's own, and the blocks
// leaked in all, which the report counts but does not keep.
void memory_leaking(benchmark::State& state) {
    slots.assign(leaking_attempts * leaking_attempts / 2, nullptr);
    leaking_body();
    const long body_peak = peak_rss_kib();
    std::size_t leaked = 0;
    for (auto _ : state) {
        leaked_so_far = 0;
        const alloc_chaos::report r = alloc_chaos::checker{}.call_stacks(false).run(leaking_body);
        for (const alloc_chaos::attempt& a : r.attempts())
            leaked += a.leaked().blocks;
        if (r.tested_failures() != leaking_attempts || leaked != leaking_attempts * (leaking_attempts - 1) / 2)
            state.SkipWithError("the check did not count every leaked block");
        for (std::size_t i = 0; i < leaked_so_far; ++i)
            ::operator delete(slots[i], 16);
    }
    state.counters["leaked_blocks"] = static_cast<double>(leaked);
    state.counters["peak_rss_body_kib"] = static_cast<double>(body_peak);
    state.counters["peak_rss_check_kib"] = static_cast<double>(peak_rss_kib());
}

BENCHMARK(memory_freed)->Name("memory/freed")->Arg(2)->Arg(10)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(memory_live)->Name("memory/live")->Arg(2)->Arg(10)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(memory_leaking)->Name("memory/leaking")->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
