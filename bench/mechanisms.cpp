// The engine's mechanisms, each timed against the engine without it in this one process, so that a
// mechanism stays only if it earns its keep (issue 15: removing it misses a budget or costs more
// than 5% of a figure):
//
//   fence:   the owner-biased lock of the live-block table (lib/engine/block_table.hpp) with its
//            asymmetric protocol (membarrier) and with its symmetric fallback, on the bodies of
//            bench/check.cpp and on a body whose blocks another thread frees now and then;
//   keepers: the deallocation checks of a chaos_memory_resource whose ledger keeps whether the
//            run's blocks are live (lib/source/chaos_memory_resource_ledger.hpp), and of one whose
//            blocks the run's table records too, as before the ledger kept them;
//   pmr:     the checks of std::pmr containers on a chaos_memory_resource over a
//            std::pmr::monotonic_buffer_resource, whose blocks at 8 bytes past a multiple of 16 are
//            the only ones that reach block_map (malloc's are all at multiples of 16).
//
// Each figure is the ratio of one variant to the other, repetitions interleaved. A check whose
// report is not what the figure assumes ends the benchmark with an error instead of a number.

#include <alloc_chaos/checker.hpp>
#include <alloc_chaos/chaos_memory_resource.hpp>

#include <benchmark/benchmark.h>

#include "../lib/engine/block_table.hpp"
#include "bodies.hpp"

#include <atomic>
#include <cstddef>
#include <list>
#include <map>
#include <memory_resource>
#include <new>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using alloc_chaos::detail::fence_protocol;
using hashing = alloc_chaos::detail::block_map::hashing;

bool fails(benchmark::State& state, bool failed, const char* why) {
    if (failed)
        state.SkipWithError(why);
    return failed;
}

// --- a body whose blocks another thread frees ----------------------------------------------------

// A thread that frees (::operator delete, through the bridge) each block handed to it through a
// ring that takes no memory.
class freeing_thread {
public:
    freeing_thread()
        : thread_([this](std::stop_token stop) {
              while (!stop.stop_requested()) {
                  const std::size_t head = head_.load(std::memory_order_relaxed);
                  if (head == tail_.load(std::memory_order_acquire)) {
                      std::this_thread::yield();
                      continue;
                  }
                  ::operator delete(slots_[head % capacity].load(std::memory_order_relaxed));
                  head_.store(head + 1, std::memory_order_release);
              }
          }) {}

    void hand(void* block) noexcept {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        while (tail - head_.load(std::memory_order_acquire) == capacity)
            std::this_thread::yield();
        slots_[tail % capacity].store(block, std::memory_order_relaxed);
        tail_.store(tail + 1, std::memory_order_release);
    }
    // Waits until every block handed is freed.
    void drain() const noexcept {
        while (head_.load(std::memory_order_acquire) != tail_.load(std::memory_order_relaxed))
            std::this_thread::yield();
    }

private:
    static constexpr std::size_t capacity = 256;
    std::atomic<void*> slots_[capacity] = {};
    std::atomic<std::size_t> head_{0};
    std::atomic<std::size_t> tail_{0};
    std::jthread thread_;
};

freeing_thread& freer() {
    static freeing_thread thread;
    return thread;
}

// n new/delete pairs of 64 bytes, one block in `every` freed by the other thread instead.
template <std::size_t Every>
void handed_pairs(std::size_t n) {
    freeing_thread& other = freer();
    bench_bodies::pairs_released_by(n, [&](std::size_t i, void* p) {
        if (i % Every == Every - 1)
            other.hand(p);
        else
            ::operator delete(p, 64);
    });
    other.drain();
}

// --- fence: the same checks with each protocol ---------------------------------------------------

// A counting check with leak tracking of 10,000 new/delete pairs (bench_check's
// check_leak_tracking), per attempt.
void fence_tracking(benchmark::State& state, fence_protocol protocol) {
    const std::size_t n = 10'000;
    const alloc_chaos::checker counting = alloc_chaos::checker{}.max_failures(0);
    for (auto _ : state) {
        alloc_chaos::detail::request_fence_protocol(protocol);
        const alloc_chaos::report r = counting.run([n] { bench_bodies::pairs(n); });
        if (fails(state, r.baseline_allocations() != n || !r.bridge_observed(), "the counting check was not as expected"))
            break;
    }
    alloc_chaos::detail::request_fence_protocol(fence_protocol::asymmetric);
    state.counters["attempts"] = static_cast<double>(n);
}

// The whole exhaustive check of a body of N attempts (bench_check's loop_check).
template <void (*Body)(std::size_t)>
void fence_loop(benchmark::State& state, fence_protocol protocol) {
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        alloc_chaos::detail::request_fence_protocol(protocol);
        const alloc_chaos::report r = alloc_chaos::check([n] { Body(n); });
        if (fails(state, !r.success() || r.tested_failures() != n, "the exhaustive check did not test N attempts"))
            break;
    }
    alloc_chaos::detail::request_fence_protocol(fence_protocol::asymmetric);
    state.counters["runs"] = static_cast<double>(n + 1);
}

// --- keepers: the run's blocks kept by the resource's ledger, or recorded by the run's table too ---

// The exhaustive check of a body on a chaos_memory_resource over new_delete_resource(), with its
// default checks, made for the check: with `keepers`, its ledger keeps whether the run's blocks are
// live; without, the run's table refuses it as a keeper and records the blocks too.
template <void (*Body)(std::pmr::memory_resource&)>
void keepers_loop(benchmark::State& state, bool keepers, std::size_t attempts) {
    for (auto _ : state) {
        alloc_chaos::detail::request_keepers(keepers);
        alloc_chaos::chaos_memory_resource resource;
        const alloc_chaos::report r = alloc_chaos::check([&] { Body(resource); });
        if (fails(state, !r.success() || r.tested_failures() != attempts, "the exhaustive check was not as expected"))
            break;
    }
    alloc_chaos::detail::request_keepers(true);
    state.counters["runs"] = static_cast<double>(attempts + 1);
}

// A std::pmr::map<int, int> of 1,000 entries: 1,000 node allocations.
void pmr_map_1000(std::pmr::memory_resource& r) {
    std::pmr::map<int, int> m(&r);
    for (int i = 0; i < 1000; ++i)
        m.emplace(i, i);
    benchmark::DoNotOptimize(m);
}

// --- pmr: std::pmr containers over a sub-allocating upstream --------------------------------------

// A monotonic_buffer_resource on one buffer, released at the start of each run: every run is given
// the same addresses, one after another, as many at 8 bytes past a multiple of 16 as at one.
struct monotonic_upstream {
    std::vector<std::byte> buffer = std::vector<std::byte>(40 << 20);
    std::pmr::monotonic_buffer_resource resource{buffer.data(), buffer.size(), std::pmr::null_memory_resource()};
};

// A std::pmr::list<int> of n elements (24-byte nodes), built and destroyed.
void pmr_list(std::pmr::memory_resource& r, std::size_t n) {
    std::pmr::list<int> l(&r);
    for (int i = 0; i < static_cast<int>(n); ++i) {
        try {
            l.push_back(i);
        } catch (const std::bad_alloc&) {
        }
    }
    benchmark::DoNotOptimize(l);
}

// A std::pmr::map<int, int> of n entries (40-byte nodes), built and destroyed.
void pmr_map(std::pmr::memory_resource& r, std::size_t n) {
    std::pmr::map<int, int> m(&r);
    for (int i = 0; i < static_cast<int>(n); ++i) {
        try {
            m.emplace(i, i);
        } catch (const std::bad_alloc&) {
        }
    }
    benchmark::DoNotOptimize(m);
}

// A std::pmr::list of n elements of 1,576 bytes, built and destroyed: 1,592-byte nodes, so the
// nodes at 8 past a multiple of 16 are 3,184 bytes apart, a stride that piles up under
// progression_slot.
void pmr_list_1592(std::pmr::memory_resource& r, std::size_t n) {
    struct element {
        element() {}  // its bytes left as they are: the body is the list, not a memset
        char bytes[1576];
    };
    std::pmr::list<element> l(&r);
    for (std::size_t i = 0; i < n; ++i) {
        try {
            l.emplace_back();
        } catch (const std::bad_alloc&) {
        }
    }
    benchmark::DoNotOptimize(l);
}

using pmr_body = void(std::pmr::memory_resource&, std::size_t);

// The body alone, on the chaos_memory_resource outside any check.
template <pmr_body Body>
void pmr_alone(benchmark::State& state, alloc_chaos::deallocation_checks checks) {
    const auto n = static_cast<std::size_t>(state.range(0));
    monotonic_upstream upstream;
    alloc_chaos::chaos_memory_resource chaos(&upstream.resource, checks);
    for (auto _ : state) {
        upstream.resource.release();
        Body(chaos, n);
    }
}

// A counting check (max_failures(0): the probe and the baseline) of the body with leak tracking,
// on a resource made for the check; per attempt.
template <pmr_body Body>
void pmr_counting(benchmark::State& state, alloc_chaos::deallocation_checks checks, hashing h) {
    const auto n = static_cast<std::size_t>(state.range(0));
    monotonic_upstream upstream;
    const alloc_chaos::checker counting = alloc_chaos::checker{}.max_failures(0);
    for (auto _ : state) {
        alloc_chaos::detail::block_map::hash_for_benchmarks(h);
        alloc_chaos::chaos_memory_resource chaos(&upstream.resource, checks);
        const alloc_chaos::report r = counting.run([&] {
            upstream.resource.release();
            Body(chaos, n);
        });
        if (fails(state, r.baseline_allocations() != n || !r.baseline().findings().empty(),
                  "the counting check was not as expected"))
            break;
    }
    alloc_chaos::detail::block_map::hash_for_benchmarks(hashing::adaptive);
    state.counters["attempts"] = static_cast<double>(2 * n);
}

// The whole exhaustive check of the body, on a resource made for the check.
template <pmr_body Body>
void pmr_loop(benchmark::State& state, alloc_chaos::deallocation_checks checks, hashing h) {
    const auto n = static_cast<std::size_t>(state.range(0));
    monotonic_upstream upstream;
    for (auto _ : state) {
        alloc_chaos::detail::block_map::hash_for_benchmarks(h);
        alloc_chaos::chaos_memory_resource chaos(&upstream.resource, checks);
        const alloc_chaos::report r = alloc_chaos::check([&] {
            upstream.resource.release();
            Body(chaos, n);
        });
        if (fails(state, !r.success() || r.tested_failures() != n, "the exhaustive check did not test N attempts"))
            break;
    }
    alloc_chaos::detail::block_map::hash_for_benchmarks(hashing::adaptive);
    state.counters["runs"] = static_cast<double>(n + 1);
}

void register_all() {
    using benchmark::RegisterBenchmark;
    constexpr auto ms = benchmark::kMillisecond;
    constexpr auto us = benchmark::kMicrosecond;
    for (const auto& [protocol, name] : {std::pair{fence_protocol::asymmetric, "asymmetric"},
                                         std::pair{fence_protocol::symmetric, "symmetric"}}) {
        const std::string p = name;
        RegisterBenchmark(("fence/tracking/" + p).c_str(), fence_tracking, protocol)->Unit(us);
        RegisterBenchmark(("fence/pairs/" + p).c_str(), fence_loop<bench_bodies::pairs>, protocol)->Arg(1000)->Unit(ms);
        RegisterBenchmark(("fence/map/" + p).c_str(), fence_loop<bench_bodies::map_inserts>, protocol)->Arg(1000)->Unit(ms);
        // At the N of the loop's budget (bench_check's loop_check at N = 10,000).
        RegisterBenchmark(("fence/pairs/" + p).c_str(), fence_loop<bench_bodies::pairs>, protocol)
            ->Arg(10'000)->Iterations(1)->Unit(ms);
        RegisterBenchmark(("fence/map/" + p).c_str(), fence_loop<bench_bodies::map_inserts>, protocol)
            ->Arg(10'000)->Iterations(1)->Unit(ms);
        // One block in 200 freed by another thread: the owner has made more than rebias_after
        // accesses since the last, so each such free revokes its bias anew (asymmetric: a membarrier).
        RegisterBenchmark(("fence/handed_200/" + p).c_str(), fence_loop<handed_pairs<200>>, protocol)->Arg(1000)->Unit(ms);
        // One block in 8: the owner stays revoked and takes the mutex, whatever the protocol.
        RegisterBenchmark(("fence/handed_8/" + p).c_str(), fence_loop<handed_pairs<8>>, protocol)->Arg(1000)->Unit(ms);
    }

    for (const auto& [keepers, name] : {std::pair{true, "kept"}, std::pair{false, "recorded"}}) {
        const std::string k = name;
        RegisterBenchmark(("keepers/strings/" + k).c_str(), keepers_loop<bench_bodies::pmr_strings>, keepers,
                          std::size_t{2 * bench_bodies::strings_size})
            ->Unit(ms);
        RegisterBenchmark(("keepers/map/" + k).c_str(), keepers_loop<pmr_map_1000>, keepers, std::size_t{1000})
            ->Unit(ms);
    }

    constexpr auto off = alloc_chaos::deallocation_checks::off;
    constexpr auto by_default = alloc_chaos::deallocation_checks::from_first_check;
    RegisterBenchmark("pmr_alone/list/checks_off", pmr_alone<pmr_list>, off)->Arg(100'000)->Unit(us);
    RegisterBenchmark("pmr_alone/map/checks_off", pmr_alone<pmr_map>, off)->Arg(100'000)->Unit(us);
    RegisterBenchmark("pmr_alone/list/checks_off", pmr_alone<pmr_list>, off)->Arg(1000)->Unit(us);
    RegisterBenchmark("pmr_alone/map/checks_off", pmr_alone<pmr_map>, off)->Arg(1000)->Unit(us);
    RegisterBenchmark("pmr_alone/list_1592/checks_off", pmr_alone<pmr_list_1592>, off)->Arg(20'000)->Unit(us);
    // "adaptive": block_map as it is (progression_slot, address_slot after a pile-up); "address":
    // address_slot alone; "progression": progression_slot alone, never switching.
    for (const auto& [h, hash] : {std::pair{hashing::adaptive, "adaptive"}, std::pair{hashing::address_only, "address"},
                                  std::pair{hashing::progression_only, "progression"}}) {
        const std::string variant = hash;
        for (const auto& [checks, c] : {std::pair{off, "checks_off"}, std::pair{by_default, "checks_default"}}) {
            const std::string suffix = std::string(c) + "/" + variant;
            RegisterBenchmark(("pmr_counting/list/" + suffix).c_str(), pmr_counting<pmr_list>, checks, h)
                ->Arg(100'000)->Unit(us);
            RegisterBenchmark(("pmr_counting/map/" + suffix).c_str(), pmr_counting<pmr_map>, checks, h)
                ->Arg(100'000)->Unit(us);
            RegisterBenchmark(("pmr_counting/list_1592/" + suffix).c_str(), pmr_counting<pmr_list_1592>, checks, h)
                ->Arg(20'000)->Unit(us);
            RegisterBenchmark(("pmr_loop/list/" + suffix).c_str(), pmr_loop<pmr_list>, checks, h)->Arg(1000)->Unit(ms);
            RegisterBenchmark(("pmr_loop/map/" + suffix).c_str(), pmr_loop<pmr_map>, checks, h)->Arg(1000)->Unit(ms);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    freer();  // its thread made here, not in the first run of a check that hands it blocks
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
