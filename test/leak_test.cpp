#define BOOST_TEST_MODULE leak
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using report_text::rendered;
using test_bodies::allocate_and_free;
using test_bodies::bridge_blocks;
using test_bodies::kept_blocks;
using test_bodies::leaks_3_and_5_on_later_failures;
using test_bodies::on_a_fresh_thread;
using test_bodies::plain;
using test_bodies::runs_by_target;
using test_bodies::sink;

namespace {

// `f` is the leak of the block of `block`, which `message` names.
void is_leak_of(const finding& f, const allocation& block, const std::string& message) {
    BOOST_TEST(f.kind() == finding_kind::leak);
    BOOST_TEST((f.allocation() == block));
    BOOST_TEST(f.message() == message);
}

// A user's allocator made a source through the public hook, blocks included.
class arena {
public:
    void* allocate(std::size_t size, std::size_t alignment) {
        if (auto failure = alloc_chaos::observe_attempt(operation::custom_allocate, size, alignment))
            throw alloc_chaos::injected_bad_alloc(*failure);
        void* block = nullptr;
        {
            alloc_chaos::unobserved upstream;
            block = ::operator new(size, std::align_val_t(alignment));
        }
        alloc_chaos::observe_allocated(block);
        return block;
    }
    void deallocate(void* block, std::size_t alignment) noexcept {
        alloc_chaos::observe_deallocated(block);
        ::operator delete(block, std::align_val_t(alignment));
    }
};

// A cache filled on first use and kept for the program's life: the first run allocates 400 bytes
// that no later run allocates, and that no run frees. One per test, by its tag.
template <int tag>
const std::vector<int>& cached_table() {
    static std::vector<int> table;
    if (table.empty())
        table.assign(100, tag);
    return table;
}

// A thread that frees, through the bridge, each block handed to it.
class freeing_thread {
public:
    freeing_thread()
        : thread_([this](std::stop_token stop) {
              while (!stop.stop_requested()) {
                  if (void* block = handed_.exchange(nullptr)) {
                      ::operator delete(block);
                      freed_.fetch_add(1);
                  } else {
                      std::this_thread::yield();
                  }
              }
          }) {}

    // Hands `block` to the thread and waits, without allocating, until it has freed it.
    void free(void* block) noexcept {
        const std::size_t before = freed_.load();
        handed_.store(block);
        while (freed_.load() == before)
            std::this_thread::yield();
    }

private:
    std::atomic<void*> handed_{nullptr};
    std::atomic<std::size_t> freed_{0};
    std::jthread thread_;
};

}  // namespace

// ---- the bridge ----

BOOST_AUTO_TEST_CASE(a_block_leaked_through_the_bridge_is_attributed_to_the_attempt_that_allocated_it) {
    bridge_blocks kept;
    const report r = check([&] { leaks_3_and_5_on_later_failures(kept); });
    BOOST_TEST_REQUIRE(r.attempts().size() == 7u);
    const auto found = r.attempts()[6].findings();
    BOOST_TEST_REQUIRE(found.size() == 2u);
    is_leak_of(found[0], allocation(3, operation::operator_new, 64, plain, false),
               "the block of #3 operator new size=64 align=16 is still live after the run");
    is_leak_of(found[1], allocation(5, operation::operator_new, 32, plain, false),
               "the block of #5 operator new size=32 align=16 is still live after the run");
}

BOOST_AUTO_TEST_CASE(a_block_leaked_after_the_failure_is_named_by_the_attempt_this_run_made) {
    bridge_blocks kept;
    const report r = check([&] {
        allocate_and_free(8);  // #0
        try {
            allocate_and_free(8);  // #1
        } catch (const std::bad_alloc&) {
            kept.keep(::operator new(96));  // #2, only when #1 failed: the baseline's #2 is 24 bytes
            return;
        }
        allocate_and_free(24);  // #2
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    const auto found = r.attempts()[1].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST((found[0].allocation() == allocation(2, operation::operator_new, 96, plain, false)));
    BOOST_TEST(found[0].message() == "the block of #2 operator new size=96 align=16 is still live after the run");
}

// A fresh thread's logs start with room for 1,024 attempts: the attempts past it are logged and
// named as the first ones are.
BOOST_AUTO_TEST_CASE(a_block_leaked_thousands_of_attempts_after_the_failure_is_named_by_its_attempt) {
    bridge_blocks kept;
    const report r = on_a_fresh_thread([&] {
        return checker{}.only_failure(0).run([&] {
            bool failed = false;
            try {
                allocate_and_free(8);  // #0
            } catch (const std::bad_alloc&) {
                failed = true;
            }
            for (std::size_t i = 1; i < 3000; ++i)
                allocate_and_free(8);  // #1..#2999
            if (failed)
                kept.keep(::operator new(40));  // #3000, only in the run that failed #0
        });
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const auto found = r.attempts()[0].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    is_leak_of(found[0], allocation(3000, operation::operator_new, 40, plain, false),
               "the block of #3000 operator new size=40 align=16 is still live after the run");
}

BOOST_AUTO_TEST_CASE(a_block_leaked_after_a_divergence_is_named_by_the_attempt_this_run_made) {
    bridge_blocks kept;
    runs_by_target runs;
    const report r = checker{}.only_failure(2).run([&] {
        runs.count();
        // The run failing #2 keeps a 48-byte block as its #0, where the baseline freed 8 bytes: it
        // diverges at #0, and its attempts from there on are its own.
        if (runs[2] != 0)
            kept.keep(::operator new(48));
        else
            allocate_and_free(8);
        allocate_and_free(8);
        allocate_and_free(8);
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const auto found = r.attempts()[0].findings();
    BOOST_TEST_REQUIRE(found.size() == 2u);
    BOOST_TEST(found[0].kind() == finding_kind::divergence);
    is_leak_of(found[1], allocation(0, operation::operator_new, 48, plain, false),
               "the block of #0 operator new size=48 align=16 is still live after the run");
}

BOOST_AUTO_TEST_CASE(a_leak_through_the_bridge_is_a_finding_of_exactly_the_runs_whose_failure_caused_it) {
    bridge_blocks kept;
    runs_by_target runs;
    const report r = check([&] {
        runs.count();
        leaks_3_and_5_on_later_failures(kept);
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.attempts().size() == 7u);
    for (std::size_t target : {0u, 1u, 2u, 3u}) {
        BOOST_TEST(r.attempts()[target].findings().empty(), "run failing #" << target);
        BOOST_TEST(r.attempts()[target].success(), "run failing #" << target);
    }
    for (std::size_t target : {4u, 5u, 6u}) {
        const alloc_chaos::attempt& run = r.attempts()[target];
        BOOST_TEST(!run.success(), "run failing #" << target);
        BOOST_TEST(run.outcome() == outcome::bad_alloc, "run failing #" << target);
        BOOST_TEST_REQUIRE(run.findings().size() == (target == 6 ? 2u : 1u), "run failing #" << target);
        BOOST_TEST((run.findings()[0].allocation() == allocation(3, operation::operator_new, 64, plain, false)));
    }
    BOOST_TEST((r.attempts()[4].injected_allocation() == allocation(4, operation::operator_new, 8, plain, false)));
    BOOST_TEST((r.attempts()[5].injected_allocation() == allocation(5, operation::operator_new, 32, plain, false)));
    BOOST_TEST((r.attempts()[6].injected_allocation() == allocation(6, operation::operator_new, 16, plain, false)));
    for (std::size_t target : {0u, 1u, 2u, 3u, 4u, 5u, 6u})
        BOOST_TEST(runs[target] >= 1u, "run failing #" << target);
    // #3 leaked by the runs failing #4, #5 and #6; #5 by the runs failing #6; nothing else.
    BOOST_TEST(kept.free_all([](void* block) { ::operator delete(block); }) == runs[4] + runs[5] + 2 * runs[6]);
}

BOOST_AUTO_TEST_CASE(a_report_lists_the_leaks_of_each_run_on_one_line_under_the_failure_that_caused_them) {
    bridge_blocks kept;
    BOOST_TEST(rendered(check([&] { leaks_3_and_5_on_later_failures(kept); })) ==
               "alloc-chaos check FAILED: 3 of 7 failure runs did not end in a controlled error with no findings\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 7 attempts\n"
               "  failures: 7 tested, 7 injected, of 7 observed attempts\n"
               "  #4 operator new size=8 align=16: bad_alloc — alloc-chaos injected failure of attempt #4 operator "
               "new size=8 align=16\n"
               "      leaked 1 block, 64 bytes: #3 operator new size=64\n"
               "      replay: ALLOC_CHAOS_ONLY=4\n"
               "  #5 operator new size=32 align=16: bad_alloc — alloc-chaos injected failure of attempt #5 operator "
               "new size=32 align=16\n"
               "      leaked 1 block, 64 bytes: same 1 leaked block as #4\n"
               "      replay: ALLOC_CHAOS_ONLY=5\n"
               "  #6 operator new size=16 align=16: bad_alloc — alloc-chaos injected failure of attempt #6 operator "
               "new size=16 align=16\n"
               "      leaked 2 blocks, 96 bytes: #3 operator new size=64, #5 operator new size=32\n"
               "      replay: ALLOC_CHAOS_ONLY=6\n"
               "SUMMARY: 3 of 7 failure runs failed: 3 leaked\n");
}

BOOST_AUTO_TEST_CASE(a_block_leaked_by_an_array_new_is_named_by_operator_new_array) {
    bridge_blocks kept;
    const report r = checker{}.only_failure(1).run([&] {
        char* block = static_cast<char*>(kept.keep(::operator new[](40)));  // #0
        allocate_and_free(8);                                                // #1
        kept.release(block);
        ::operator delete[](block);
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST_REQUIRE(r.attempts()[0].findings().size() == 1u);
    BOOST_TEST((r.attempts()[0].findings()[0].allocation() ==
                allocation(0, operation::operator_new_array, 40, plain, false)));
    BOOST_TEST(rendered(r).find("\n      leaked 1 block, 40 bytes: #0 operator new[] size=40\n") != std::string::npos);
}

// ---- chaos_memory_resource ----

BOOST_AUTO_TEST_CASE(a_block_leaked_through_a_chaos_memory_resource_is_attributed_to_its_attempt_and_failure) {
    alloc_chaos::chaos_memory_resource resource;
    kept_blocks kept;
    runs_by_target runs;
    const report r = check([&] {
        runs.count();
        void* held = kept.keep(resource.allocate(48, 8));  // #0
        sink = resource.allocate(16, 8);                  // #1: its failure leaks #0
        resource.deallocate(sink, 16, 8);
        kept.release(held);
        resource.deallocate(held, 48, 8);
    });
    BOOST_TEST(runs[1] >= 1u);
    BOOST_TEST(kept.free_all([&](void* block) { resource.deallocate(block, 48, 8); }) == runs[1]);
    BOOST_TEST(!r.success());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].findings().empty());
    BOOST_TEST((r.attempts()[1].injected_allocation() == allocation(1, operation::resource_allocate, 16, 8, false)));
    const auto found = r.attempts()[1].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    is_leak_of(found[0], allocation(0, operation::resource_allocate, 48, 8, false),
               "the block of #0 resource allocate size=48 align=8 is still live after the run");
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check FAILED: 1 of 2 failure runs did not end in a controlled error with no findings\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 2 attempts\n"
               "  failures: 2 tested, 2 injected, of 2 observed attempts\n"
               "  #1 resource allocate size=16 align=8: bad_alloc — alloc-chaos injected failure of attempt #1 "
               "resource allocate size=16 align=8\n"
               "      leaked 1 block, 48 bytes: #0 resource allocate size=48\n"
               "      replay: ALLOC_CHAOS_ONLY=1\n"
               "SUMMARY: 1 of 2 failure runs failed: 1 leaked\n");
}

// The resource keeps whether its blocks of the run are live itself; its blocks still live when
// the run ends are the run's leaks, whatever became of the resource, as many resources as it uses.
BOOST_AUTO_TEST_CASE(a_block_leaked_by_a_resource_destroyed_before_its_run_ends_is_named_by_its_attempt) {
    kept_blocks kept;
    const report r = check([&] {
        alloc_chaos::chaos_memory_resource resource;        // made in the run: checks from construction
        resource.deallocate(resource.allocate(48, 8), 48, 8);  // #0
        void* held = kept.keep(resource.allocate(48, 8));  // #1
        sink = resource.allocate(16, 8);                  // #2: its failure leaks #1
        resource.deallocate(sink, 16, 8);
        kept.release(held);
        resource.deallocate(held, 48, 8);
    });  // on the failure of #2, the resource is gone before the run ends, #1 still live
    kept.free_all([](void* block) { ::operator delete(block); });  // what new_delete_resource() served
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[1].findings().empty());
    const auto found = r.attempts()[2].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    is_leak_of(found[0], allocation(1, operation::resource_allocate, 48, 8, false),
               "the block of #1 resource allocate size=48 align=8 is still live after the run");
}

BOOST_AUTO_TEST_CASE(blocks_of_two_resources_leaked_in_one_run_are_each_named_by_their_attempt) {
    alloc_chaos::chaos_memory_resource first;
    alloc_chaos::chaos_memory_resource second;
    kept_blocks kept_first;
    kept_blocks kept_second;
    const report r = check([&] {
        void* a = kept_first.keep(first.allocate(48, 8));    // #0
        void* b = kept_second.keep(second.allocate(32, 8));  // #1
        sink = first.allocate(16, 8);                        // #2: its failure leaks #0 and #1
        first.deallocate(sink, 16, 8);
        kept_second.release(b);
        second.deallocate(b, 32, 8);
        kept_first.release(a);
        first.deallocate(a, 48, 8);
    });
    kept_first.free_all([&](void* block) { first.deallocate(block, 48, 8); });
    kept_second.free_all([&](void* block) { second.deallocate(block, 32, 8); });
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    const auto found = r.attempts()[2].findings();
    BOOST_TEST_REQUIRE(found.size() == 2u);
    is_leak_of(found[0], allocation(0, operation::resource_allocate, 48, 8, false),
               "the block of #0 resource allocate size=48 align=8 is still live after the run");
    is_leak_of(found[1], allocation(1, operation::resource_allocate, 32, 8, false),
               "the block of #1 resource allocate size=32 align=8 is still live after the run");
}

BOOST_AUTO_TEST_CASE(every_leak_is_named_when_a_run_uses_more_resources_than_its_table_takes_keepers) {
    std::array<alloc_chaos::chaos_memory_resource, 9> resources;  // a run's table takes 8
    std::array<kept_blocks, 9> kept;
    const report r = checker{}.only_failure(9).run([&] {
        std::array<void*, 9> held{};
        for (std::size_t i = 0; i < held.size(); ++i)
            held[i] = kept[i].keep(resources[i].allocate(48, 8));  // #0 - #8
        sink = resources[0].allocate(16, 8);                        // #9: its failure leaks all nine
        resources[0].deallocate(sink, 16, 8);
        for (std::size_t i = 0; i < held.size(); ++i) {
            kept[i].release(held[i]);
            resources[i].deallocate(held[i], 48, 8);
        }
    });
    for (std::size_t i = 0; i < kept.size(); ++i)
        kept[i].free_all([&](void* block) { resources[i].deallocate(block, 48, 8); });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const auto found = r.attempts()[0].findings();
    BOOST_TEST_REQUIRE(found.size() == 9u);
    for (std::size_t i = 0; i < found.size(); ++i) {
        std::string message = "the block of #";
        message += std::to_string(i);
        message += " resource allocate size=48 align=8 is still live after the run";
        is_leak_of(found[i], allocation(i, operation::resource_allocate, 48, 8, false), message);
    }
}

BOOST_AUTO_TEST_CASE(a_resource_block_one_run_leaves_live_is_its_leak_and_no_finding_when_the_next_run_frees_it) {
    alloc_chaos::chaos_memory_resource resource;
    void* left = nullptr;
    const report r = check([&] {
        if (left != nullptr)
            resource.deallocate(std::exchange(left, nullptr), 24, 8);  // the block the last run left live
        resource.deallocate(resource.allocate(16, 8), 16, 8);         // #0
        left = resource.allocate(24, 8);                               // #1
    });
    if (left != nullptr)
        resource.deallocate(left, 24, 8);
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    is_leak_of(found[0], allocation(1, operation::resource_allocate, 24, 8, false),
               "the block of #1 resource allocate size=24 align=8 is still live after the run");
    for (const alloc_chaos::attempt& a : r.attempts())
        for (const finding& f : a.findings())
            BOOST_TEST((f.kind() == finding_kind::leak));
    BOOST_TEST(resource.misuse().empty());
}

// ---- the public hook ----

BOOST_AUTO_TEST_CASE(a_block_leaked_through_a_custom_allocator_is_attributed_to_its_attempt_and_failure) {
    arena a;
    kept_blocks kept;
    runs_by_target runs;
    const report r = check([&] {
        runs.count();
        allocate_and_free(8);                         // #0
        void* held = kept.keep(a.allocate(40, 32));   // #1
        a.deallocate(a.allocate(8, 8), 8);            // #2: its failure leaks #1
        kept.release(held);
        a.deallocate(held, 32);
    });
    BOOST_TEST(runs[2] >= 1u);
    BOOST_TEST(kept.free_all([&](void* block) { a.deallocate(block, 32); }) == runs[2]);
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[0].findings().empty());
    BOOST_TEST(r.attempts()[1].findings().empty());
    BOOST_TEST((r.attempts()[2].injected_allocation() == allocation(2, operation::custom_allocate, 8, 8, false)));
    const auto found = r.attempts()[2].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::leak);
    BOOST_TEST((found[0].allocation() == allocation(1, operation::custom_allocate, 40, 32, false)));
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check FAILED: 1 of 3 failure runs did not end in a controlled error with no findings\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 3 tested, 3 injected, of 3 observed attempts\n"
               "  #2 custom allocate size=8 align=8: bad_alloc — alloc-chaos injected failure of attempt #2 custom "
               "allocate size=8 align=8\n"
               "      leaked 1 block, 40 bytes: #1 custom allocate size=40\n"
               "      replay: ALLOC_CHAOS_ONLY=2\n"
               "SUMMARY: 1 of 3 failure runs failed: 1 leaked\n");
}

// Only the blocks a source reports with observe_allocated are tracked; the attempt without one
// lends its index to no later block.
BOOST_AUTO_TEST_CASE(a_block_its_source_never_reports_is_not_tracked) {
    bridge_blocks kept;
    const report r = check([&] {
        if (auto failure = alloc_chaos::observe_attempt(operation::custom_allocate, 24, 8))  // #0
            throw alloc_chaos::injected_bad_alloc(*failure);
        {
            alloc_chaos::unobserved upstream;
            kept.keep(::operator new(24));  // served, never reported, never freed
        }
        allocate_and_free(8);  // #1
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
}

// ---- what is not a leak ----

BOOST_AUTO_TEST_CASE(a_block_freed_on_another_thread_counts_as_freed) {
    freeing_thread other;
    const report r = check([&] {
        void* block = ::operator new(48);  // #0
        other.free(block);
        allocate_and_free(8);  // #1
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].findings().empty());
    BOOST_TEST(r.attempts()[1].findings().empty());
}

BOOST_AUTO_TEST_CASE(a_block_freed_on_another_thread_through_a_chaos_memory_resource_counts_as_freed) {
    alloc_chaos::chaos_memory_resource resource;
    const report r = check([&] {
        void* block = resource.allocate(48, 8);  // #0
        {
            alloc_chaos::unobserved thread_start;  // the thread's own allocations are no attempts
            std::jthread other([&] { resource.deallocate(block, 48, 8); });
        }  // joined
        allocate_and_free(8);  // #1
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
}

BOOST_AUTO_TEST_CASE(a_block_allocated_before_the_check_and_freed_in_it_is_no_finding) {
    void* before = ::operator new(24);
    const report r = checker{}.max_failures(0).run([&] {
        ::operator delete(before);
        allocate_and_free(8);
    });
    BOOST_TEST(r.baseline().findings().empty());
}

BOOST_AUTO_TEST_CASE(a_block_allocated_unobserved_and_left_live_is_no_leak) {
    bridge_blocks kept;
    const report r = check([&] {
        {
            alloc_chaos::unobserved untracked;
            kept.keep(::operator new(24));
        }
        allocate_and_free(8);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
}

BOOST_AUTO_TEST_CASE(leak_tracking_false_finds_no_leak) {
    bridge_blocks kept;
    const report r = checker{}.leak_tracking(false).run([&] { leaks_3_and_5_on_later_failures(kept); });
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 7u);
    for (const alloc_chaos::attempt& run : r.attempts())
        BOOST_TEST(run.findings().empty(), "run failing #" << run.target());
    BOOST_TEST(kept.free_all([](void* block) { ::operator delete(block); }) == 4u);
}

BOOST_AUTO_TEST_CASE(leak_tracking_false_lets_a_leaking_baseline_pass) {
    bridge_blocks kept;
    const report r = checker{}.leak_tracking(false).run([&] { sink = kept.keep(::operator new(24)); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST(r.hint().empty());
}

// ---- a leaking baseline ----

BOOST_AUTO_TEST_CASE(a_leaking_baseline_fails_the_report_and_injects_nothing) {
    bridge_blocks kept;
    const report r = check([&] {
        allocate_and_free(8);                    // #0
        sink = kept.keep(::operator new(24));    // #1, never freed
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(r.baseline_stable());
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(r.injected_failures() == 0u);
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::leak);
    BOOST_TEST((found[0].allocation() == allocation(1, operation::operator_new, 24, plain, false)));
}

BOOST_AUTO_TEST_CASE(a_stability_run_that_leaks_fails_the_report_and_injects_nothing) {
    bridge_blocks kept;
    std::size_t calls = 0;
    const report r = checker{}.stability_runs(3).run([&] {
        void* block = ::operator new(24);
        sink = block;
        if (++calls == 2)
            kept.keep(block);  // the second run leaks
        else
            ::operator delete(block);
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(r.baseline_stable());
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.stability_baselines().size() == 2u);
    BOOST_TEST_REQUIRE(r.stability_baselines()[0].findings().size() == 1u);
    BOOST_TEST((r.stability_baselines()[0].findings()[0].allocation() ==
                allocation(0, operation::operator_new, 24, plain, false)));
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check FAILED: the baseline run 2 of 3, with nothing failed, already has findings\n"
               "  fix: the body's success path must be clean (no leak, no misuse, no forbidden allocation); no "
               "failure was injected\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 1 attempt, stable over 3 runs (1, 1, 1 attempts)\n"
               "    baseline run 2:\n"
               "      leaked 1 block, 24 bytes: #0 operator new size=24\n");
}

BOOST_AUTO_TEST_CASE(a_success_path_that_leaks_every_run_gets_no_hint) {
    bridge_blocks kept;
    const report r = check([&] {
        allocate_and_free(8);
        sink = kept.keep(::operator new(24));
    });
    BOOST_TEST(r.hint().empty());
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check FAILED: the baseline run, with nothing failed, already has findings\n"
               "  fix: the body's success path must be clean (no leak, no misuse, no forbidden allocation); no "
               "failure was injected\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 2 attempts\n"
               "      leaked 1 block, 24 bytes: #1 operator new size=24\n");
}

BOOST_AUTO_TEST_CASE(a_baseline_that_leaks_only_on_the_first_run_gets_the_cache_hint) {
    const report r = check([] {
        sink = const_cast<int*>(cached_table<1>().data());  // #0 on the first run only
        allocate_and_free(8);
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(r.hint() == "a second run with nothing failed leaked nothing: the body looks like it fills a cache or "
                           "a static on first use; run it once before the check with warmup_runs(1)");
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check FAILED: the baseline run, with nothing failed, already has findings\n"
               "  fix: the body's success path must be clean (no leak, no misuse, no forbidden allocation); no "
               "failure was injected\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 2 attempts\n"
               "      leaked 1 block, 400 bytes: #0 operator new size=400\n"
               "  hint: a second run with nothing failed leaked nothing: the body looks like it fills a cache or a "
               "static on first use; run it once before the check with warmup_runs(1)\n");
}

BOOST_AUTO_TEST_CASE(warmup_runs_1_fills_the_cache_before_the_check_and_the_check_passes) {
    const report r = checker{}.warmup_runs(1).run([] {
        sink = const_cast<int*>(cached_table<2>().data());
        allocate_and_free(8);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.hint().empty());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST(r.baseline_allocations() == 1u);
}

BOOST_AUTO_TEST_CASE(warmup_runs_are_not_observed) {
    std::size_t runs = 0;
    bool observed_in_warmup = true;
    const report r = checker{}.warmup_runs(2).run([&] {
        if (++runs <= 2)
            observed_in_warmup = alloc_chaos::observing() || alloc_chaos::current_run().has_value();
        allocate_and_free(8);
    });
    BOOST_TEST(!observed_in_warmup);
    BOOST_TEST(runs == 4u);  // 2 warm-up runs, the baseline, the run failing #0
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(a_warmup_run_that_throws_does_not_end_the_check) {
    std::size_t runs = 0;
    const report r = checker{}.warmup_runs(1).run([&] {
        if (++runs == 1)
            throw std::bad_alloc();
        allocate_and_free(8);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 1u);
}

BOOST_AUTO_TEST_CASE(a_run_leaking_many_blocks_names_ten_and_counts_every_one) {
    // Run k (failing attempt #k) leaks the k blocks it made before: each run keeps the first ten as
    // findings and counts them all, so that a report's size does not grow with N squared.
    std::array<void*, 256> left{};  // the leaked blocks, freed after the check
    std::size_t kept = 0;
    const report r = checker{}.call_stacks(false).run([&] {
        void* made[20];
        std::size_t n = 0;
        try {
            for (; n < 20; ++n)
                made[n] = ::operator new(16);
        } catch (const std::bad_alloc&) {
            for (std::size_t i = 0; i < n; ++i)
                left[kept++] = made[i];
            throw;
        }
        for (std::size_t i = 0; i < n; ++i)
            ::operator delete(made[i]);
    });
    for (std::size_t i = 0; i < kept; ++i)
        ::operator delete(left[i]);
    BOOST_TEST_REQUIRE(r.attempts().size() == 20u);
    for (const alloc_chaos::attempt& run : r.attempts()) {
        const std::size_t k = run.target();
        BOOST_TEST((run.leaked() == alloc_chaos::leak_total{k, 16 * k}), "run failing #" << k);
        BOOST_TEST(run.findings().size() == std::min<std::size_t>(k, 10), "run failing #" << k);
    }
}

BOOST_AUTO_TEST_CASE(a_leak_line_names_ten_blocks_and_counts_the_rest) {
    bridge_blocks kept;
    const report r = checker{}.leak_tracking(true).run([&] {
        for (std::size_t size = 1; size <= 12; ++size)
            sink = kept.keep(::operator new(size));  // #0..#11, never freed
    });
    BOOST_TEST(r.baseline().findings().size() == 10u);  // the first ten named, the rest counted
    BOOST_TEST((r.baseline().leaked() == alloc_chaos::leak_total{12, 78}));
    const std::string text = rendered(r);
    BOOST_TEST(text.find("      leaked 12 blocks, 78 bytes: #0 operator new size=1, #1 operator new size=2, "
                         "#2 operator new size=3, #3 operator new size=4, #4 operator new size=5, "
                         "#5 operator new size=6, #6 operator new size=7, #7 operator new size=8, "
                         "#8 operator new size=9, #9 operator new size=10, and 2 more\n") != std::string::npos,
               text);
}
