// The report of a check is the same wherever its runs execute: each body of the other suites,
// checked in the calling process, then with the same options in 1 and 4 worker processes (and 2
// for some), gives one report, field by field and as text, call stacks included.
#define BOOST_TEST_MODULE processes_equivalence
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>
#include <alloc_chaos/run_attachment.hpp>

#include "report_equality.hpp"
#include "test_bodies.hpp"
#include "test_scopes.hpp"

#include <cstddef>
#include <cstdio>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory_resource>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using alloc_chaos::abort_check;
using alloc_chaos::chaos_memory_resource;
using alloc_chaos::checker;
using alloc_chaos::failure_mode;
using alloc_chaos::finding_kind;
using alloc_chaos::forbid_allocations;
using alloc_chaos::outcome;
using alloc_chaos::report;
using alloc_chaos::strong_guarantee;
using report_equality::expect_same_report;
using test_bodies::allocate_and_free;
using test_bodies::allocate_sizes_1_to;
using test_bodies::boom;
using test_bodies::bridge_blocks;
using test_bodies::current_target;
using test_bodies::kept_blocks;
using test_bodies::leaks_3_and_5_on_later_failures;
using test_bodies::mishandled;
using test_bodies::sink;
using test_bodies::targets;
using test_bodies::targets_t;
using test_bodies::three_attempts_mishandling_attempt_1;
using test_scopes::environment_variable;
using test_scopes::trap_recorder;

namespace {

// Checks a copy of `body` with `options` in the calling process, then a fresh copy of it with the
// same options in each of `processes` worker processes, and expects the same report each time.
// Returns the calling process's report, for the case to say what the body did. A body's own state
// (an init-capture of a mutable lambda) starts anew in every check.
template <class Body>
report same_report_in_workers(const checker& options, const Body& body,
                              std::initializer_list<std::size_t> processes = {1, 4}) {
    Body here_body = body;
    const report here = options.run(here_body);
    for (std::size_t n : processes) {
        checker in_workers = options;
        in_workers.processes(n);
        Body worker_body = body;
        const report there = in_workers.run(worker_body);
        BOOST_TEST_CONTEXT("processes(" << n << ")") {
            expect_same_report(here, there);
        }
    }
    return here;
}

// Eight attempts (#0..#7, sizes 1..8) with something to find at several targets: a failure of
// #2 or #5 escapes as `mishandled`, a failure of #6 leaks the block of #4, and the recovery from
// a failure of #1 allocates, so that in persistent mode it fails again and escapes as `mishandled`.
void eight_attempts_failing_at_several_targets(kept_blocks& kept) {
    allocate_and_free(1);  // #0
    try {
        allocate_and_free(2);  // #1
    } catch (const std::bad_alloc&) {
        try {
            allocate_and_free(100);  // a retry, smaller in spirit
        } catch (const std::bad_alloc&) {
            throw mishandled();
        }
    }
    for (std::size_t size : {3u, 4u}) {
        try {
            allocate_and_free(size);  // #2, #3
        } catch (const std::bad_alloc&) {
            if (size == 3)
                throw mishandled();
            throw;
        }
    }
    void* held = kept.keep(::operator new(5));  // #4
    try {
        allocate_and_free(6);  // #5
    } catch (const std::bad_alloc&) {
        kept.release(held);
        ::operator delete(held);
        throw mishandled();
    }
    allocate_and_free(7);  // #6: its failure leaks #4
    kept.release(held);
    ::operator delete(held);
    allocate_and_free(8);  // #7
}

// The failed runs of a report, by target.
targets_t failed_targets(const report& r) {
    targets_t failed;
    for (const alloc_chaos::attempt& run : r.attempts())
        if (!run.success())
            failed.push_back(run.target());
    return failed;
}

// Words too long for any small-string buffer.
const char* const words[] = {
    "allocation failure is one more path through your code",
    "every attempt is failed in turn, one per run",
    "a leak is a block still live when the body has returned",
    "the strong guarantee leaves the object as it was",
};

}  // namespace

// ---- the shared bodies ----

BOOST_AUTO_TEST_CASE(a_body_of_one_attempt_gives_the_same_report_in_one_and_in_four_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] { allocate_and_free(8); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.tested_failures() == 1u);
}

BOOST_AUTO_TEST_CASE(a_passing_body_gives_the_same_report_in_one_two_and_four_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] { allocate_sizes_1_to(12); }, {1, 2, 4});
    BOOST_TEST(r.success());
    BOOST_TEST(r.tested_failures() == 12u);
}

BOOST_AUTO_TEST_CASE(a_body_that_allocates_nothing_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {});
    BOOST_TEST(r.verdict() == alloc_chaos::verdict::invalid);  // it tested nothing
    BOOST_TEST(r.baseline_allocations() == 0u);
}

BOOST_AUTO_TEST_CASE(a_failure_escaping_as_the_wrong_exception_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, &three_attempts_mishandling_attempt_1, {1, 2, 4});
    BOOST_TEST(failed_targets(r) == targets_t({1}));
    BOOST_TEST(r.attempts()[1].message() == "mishandled");
}

BOOST_AUTO_TEST_CASE(a_failure_escaping_as_a_non_standard_exception_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        try {
            allocate_and_free(8);
        } catch (const std::bad_alloc&) {
            throw 42;
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].message() == "an exception of type int, not derived from std::exception");
}

BOOST_AUTO_TEST_CASE(a_swallowed_failure_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        try {
            allocate_and_free(8);
        } catch (const std::bad_alloc&) {
        }
        allocate_and_free(16);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.attempts()[0].outcome() == outcome::completed);
}

BOOST_AUTO_TEST_CASE(a_baseline_that_throws_gives_the_same_invalid_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}.stability_runs(3), [] {
        allocate_sizes_1_to(2);
        throw boom();
    });
    BOOST_TEST(!r.baseline_stable());
    BOOST_TEST(r.baseline().outcome() == outcome::exception);
    BOOST_TEST(r.baseline().message() == "boom");
}

BOOST_AUTO_TEST_CASE(a_stability_run_that_throws_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}.stability_runs(4), [calls = std::size_t{0}]() mutable {
        allocate_and_free(1);
        if (++calls == 2)
            throw boom();
    });
    BOOST_TEST_REQUIRE(r.stability_baselines().size() == 1u);
    BOOST_TEST(r.stability_baselines()[0].outcome() == outcome::exception);
}

BOOST_AUTO_TEST_CASE(a_run_that_never_reaches_its_target_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        allocate_sizes_1_to(current_target() == std::optional<std::size_t>(2) ? 2 : 3);
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(!r.attempts()[2].injected());
    BOOST_TEST(r.injected_failures() == 2u);
}

BOOST_AUTO_TEST_CASE(what_a_body_attaches_to_its_runs_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}.stability_runs(2), [] {
        char text[32];
        const auto target = current_target();
        std::snprintf(text, sizeof text, "%s %zu", target ? "target" : "baseline", target.value_or(0));
        alloc_chaos::attach_to_run(text);
        three_attempts_mishandling_attempt_1();
    }, {1, 2, 4});
    BOOST_TEST(r.baseline().attachment() == "baseline 0");
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[1].attachment() == "target 1");
}

// ---- leaks (leak_test) ----

BOOST_AUTO_TEST_CASE(a_leaking_body_gives_the_same_report_with_its_stacks_in_one_and_in_four_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}, [&] { leaks_3_and_5_on_later_failures(kept); });
    BOOST_TEST(failed_targets(r) == targets_t({4, 5, 6}));
    BOOST_TEST_REQUIRE(r.attempts()[6].findings().size() == 2u);
    BOOST_TEST(r.attempts()[6].findings()[0].kind() == finding_kind::leak);
    if (alloc_chaos::stacks_available()) {
        BOOST_TEST(!r.attempts()[6].stack().empty());
        BOOST_TEST(!r.attempts()[6].findings()[0].stack().empty());
    }
}

BOOST_AUTO_TEST_CASE(a_baseline_leaking_on_every_run_gives_the_same_report_in_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}, [&] {
        allocate_and_free(8);
        sink = kept.keep(::operator new(24));
    });
    BOOST_TEST_REQUIRE(r.baseline().findings().size() == 1u);
    BOOST_TEST(r.hint().empty());
}

BOOST_AUTO_TEST_CASE(a_baseline_leaking_a_cache_on_its_first_run_gives_the_same_report_and_hint_in_worker_processes) {
    // The cache is the body's own, so each check starts with it empty, in whichever process.
    const report r = same_report_in_workers(checker{}, [cache = std::vector<int>()]() mutable {
        if (cache.empty())
            cache.assign(100, 7);  // #0 on the first run only, kept by the body
        sink = cache.data();
        allocate_and_free(8);
    });
    BOOST_TEST_REQUIRE(r.baseline().findings().size() == 1u);
    BOOST_TEST(r.hint() == "a second run with nothing failed leaked nothing: the body looks like it fills a cache or "
                           "a static on first use; run it once before the check with warmup_runs(1)");
}

BOOST_AUTO_TEST_CASE(a_block_freed_on_a_thread_the_body_starts_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        void* block = ::operator new(48);  // #0
        {
            alloc_chaos::unobserved thread_start;
            std::thread([block] { ::operator delete(block); }).join();
        }
        allocate_and_free(8);  // #1
    });
    BOOST_TEST(r.success());
}

// ---- divergence (divergence_test) ----

BOOST_AUTO_TEST_CASE(a_body_diverging_from_its_baseline_gives_the_same_report_in_worker_processes) {
    // 8, then 24 on the body's first run and 32 on every later one, then 8.
    const report r = same_report_in_workers(checker{}, [calls = std::size_t{0}]() mutable {
        allocate_and_free(8);
        allocate_and_free(++calls == 1 ? 24 : 32);
        allocate_and_free(8);
    }, {1, 2, 4});
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST_REQUIRE(r.attempts()[2].findings().size() == 1u);
    BOOST_TEST(r.attempts()[2].findings()[0].kind() == finding_kind::divergence);
}

BOOST_AUTO_TEST_CASE(an_unstable_baseline_gives_the_same_invalid_report_in_worker_processes) {
    // The second of the three baseline runs makes one attempt more: the baseline runs are made in
    // one process, in order, wherever they execute.
    const report r = same_report_in_workers(checker{}.stability_runs(3), [calls = std::size_t{0}]() mutable {
        allocate_sizes_1_to(++calls == 2 ? 3 : 2);
    });
    BOOST_TEST(!r.baseline_stable());
    BOOST_TEST_REQUIRE(r.stability_baselines().size() == 2u);
    BOOST_TEST(r.stability_baselines()[0].allocations() == 3u);
    BOOST_TEST(r.attempts().empty());
}

// ---- chaos_memory_resource misuse (chaos_memory_resource_test) ----

BOOST_AUTO_TEST_CASE(a_double_free_on_the_failure_path_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        chaos_memory_resource resource;
        void* p = resource.allocate(64, 8);
        try {
            resource.deallocate(resource.allocate(16, 8), 16, 8);
        } catch (const std::bad_alloc&) {
            resource.deallocate(p, 64, 8);  // cleanup that the normal path repeats
        }
        resource.deallocate(p, 64, 8);
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST_REQUIRE(r.attempts()[1].findings().size() == 1u);
    BOOST_TEST(r.attempts()[1].findings()[0].kind() == finding_kind::double_free);
}

BOOST_AUTO_TEST_CASE(a_size_mismatch_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        chaos_memory_resource resource;
        void* p = resource.allocate(64, 8);
        resource.deallocate(p, 32, 8);
    });
    BOOST_TEST_REQUIRE(r.baseline().findings().size() == 1u);
    BOOST_TEST(r.baseline().findings()[0].kind() == finding_kind::size_mismatch);
}

BOOST_AUTO_TEST_CASE(a_foreign_pointer_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        chaos_memory_resource resource, other;
        void* p = other.allocate(32, 8);
        resource.deallocate(p, 32, 8);  // the wrong resource
        other.deallocate(p, 32, 8);
    });
    BOOST_TEST_REQUIRE(r.baseline().findings().size() == 1u);
    BOOST_TEST(r.baseline().findings()[0].kind() == finding_kind::foreign_pointer);
}

BOOST_AUTO_TEST_CASE(an_overrun_on_the_failure_path_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        chaos_memory_resource resource;
        auto* p = static_cast<unsigned char*>(resource.allocate(64, 8));  // #0
        try {
            allocate_and_free(8);  // #1
        } catch (const std::bad_alloc&) {
            p[64 + 3] = 0;  // the failure path writes past the end
            resource.deallocate(p, 64, 8);
            throw;
        }
        resource.deallocate(p, 64, 8);
    });
    BOOST_TEST(failed_targets(r) == targets_t({1}));
    BOOST_TEST_REQUIRE(r.attempts()[1].findings().size() == 1u);
    BOOST_TEST(r.attempts()[1].findings()[0].kind() == finding_kind::overrun);
}

// ---- strong_guarantee and forbid_allocations ----

BOOST_AUTO_TEST_CASE(a_broken_strong_guarantee_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        std::vector<int> v;
        v.reserve(4);  // #0
        strong_guarantee guard(v);
        v.push_back(2);  // within the capacity: modifies before it can fail
        allocate_and_free(32);  // #1
        allocate_and_free(48);  // #2
    });
    BOOST_TEST(failed_targets(r) == targets_t({1, 2}));
    BOOST_TEST(r.attempts()[1].findings()[0].kind() == finding_kind::broken_guarantee);
}

BOOST_AUTO_TEST_CASE(an_allocation_inside_forbid_allocations_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        for (std::size_t size : {8u, 16u}) {
            try {
                allocate_and_free(size);
            } catch (const std::bad_alloc&) {
                forbid_allocations no_allocation;  // a handler that promised not to allocate
                allocate_and_free(32);
            }
        }
    });
    BOOST_TEST(failed_targets(r) == targets_t({0, 1}));
    BOOST_TEST(r.attempts()[0].findings()[0].kind() == finding_kind::forbidden_allocation);
}

// ---- std containers (std_containers_test) ----

BOOST_AUTO_TEST_CASE(a_std_vector_of_strings_and_a_std_map_give_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}.stability_runs(2), [] {
        std::vector<std::string> v;
        for (std::size_t i = 0; i < 12; ++i)
            v.emplace_back(words[i % std::size(words)]);
        v.erase(v.begin());
        std::map<int, std::string> m;
        for (int i = 0; i < 8; ++i)
            m.emplace(i, v[static_cast<std::size_t>(i)]);
        sink = &m;
    }, {1, 2, 4});
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() >= 20u);
}

BOOST_AUTO_TEST_CASE(a_pmr_vector_of_strings_on_a_chaos_memory_resource_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        chaos_memory_resource resource;
        std::pmr::vector<std::pmr::string> v(&resource);
        for (std::size_t i = 0; i < 10; ++i)
            v.emplace_back(words[i % std::size(words)]);
        v.insert(v.begin() + 3, v[1]);
        sink = v.data();
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() >= 10u);
}

// ---- every source (new_delete_test, source_test) ----

BOOST_AUTO_TEST_CASE(every_form_of_operator_new_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}.mode(failure_mode::both), [] {
        void* p = ::operator new(8);
        ::operator delete(p);
        p = ::operator new[](24);
        ::operator delete[](p);
        p = ::operator new(40, std::align_val_t(64));
        ::operator delete(p, std::align_val_t(64));
        p = ::operator new[](16, std::align_val_t(32), std::nothrow);  // a failure returns nullptr
        ::operator delete[](p, std::align_val_t(32));
        p = ::operator new(12, std::nothrow);
        sink = p;
        ::operator delete(p);
    });
    BOOST_TEST(r.baseline_allocations() == 5u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(a_custom_source_leaking_on_its_failure_path_gives_the_same_report_in_worker_processes) {
    // An allocator of the user's, made a source through the public hook, blocks included.
    struct arena {
        static void* allocate(std::size_t size) {
            if (auto failure = alloc_chaos::observe_attempt(alloc_chaos::operation::custom_allocate, size, 8))
                throw alloc_chaos::injected_bad_alloc(*failure);
            void* block = nullptr;
            {
                alloc_chaos::unobserved upstream;
                block = ::operator new(size);
            }
            alloc_chaos::observe_allocated(block);
            return block;
        }
        static void deallocate(void* block) noexcept {
            alloc_chaos::observe_deallocated(block);
            ::operator delete(block);
        }
    };
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}, [&] {
        void* held = kept.keep(arena::allocate(40));  // #0
        arena::deallocate(arena::allocate(8));        // #1: its failure leaks #0
        kept.release(held);
        arena::deallocate(held);
    });
    BOOST_TEST(failed_targets(r) == targets_t({1}));
    BOOST_TEST_REQUIRE(r.attempts()[1].findings().size() == 1u);
    BOOST_TEST(r.attempts()[1].findings()[0].kind() == finding_kind::leak);
}

// ---- the environment (replay_test) ----

BOOST_AUTO_TEST_CASE(alloc_chaos_range_and_mode_in_the_environment_give_the_same_report_in_worker_processes) {
    environment_variable range("ALLOC_CHAOS_RANGE", "1:6");
    environment_variable mode("ALLOC_CHAOS_MODE", "persistent");
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}, [&] { eight_attempts_failing_at_several_targets(kept); });
    BOOST_TEST(targets(r) == targets_t({1, 2, 3, 4, 5}));
    BOOST_TEST(r.narrowing() == "ALLOC_CHAOS_RANGE=1:6 ALLOC_CHAOS_MODE=persistent");
}

// ---- every option ----

BOOST_AUTO_TEST_CASE(a_check_in_once_mode_finding_several_failures_gives_the_same_report_in_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}.mode(failure_mode::once),
                                            [&] { eight_attempts_failing_at_several_targets(kept); }, {1, 2, 4});
    BOOST_TEST(failed_targets(r) == targets_t({2, 5, 6}));
}

BOOST_AUTO_TEST_CASE(a_check_in_persistent_mode_gives_the_same_report_in_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}.mode(failure_mode::persistent),
                                            [&] { eight_attempts_failing_at_several_targets(kept); });
    BOOST_TEST(failed_targets(r) == targets_t({1, 2, 5, 6}));
    BOOST_TEST(r.attempts()[1].failed_attempts() == 2u);
}

BOOST_AUTO_TEST_CASE(a_check_in_both_modes_gives_the_same_report_in_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}.mode(failure_mode::both),
                                            [&] { eight_attempts_failing_at_several_targets(kept); }, {1, 2, 4});
    BOOST_TEST(r.tested_failures() == 16u);
    BOOST_TEST(failed_targets(r) == targets_t({1, 2, 2, 5, 5, 6, 6}));
}

BOOST_AUTO_TEST_CASE(stability_runs_3_give_the_same_report_in_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}.stability_runs(3),
                                            [&] { eight_attempts_failing_at_several_targets(kept); });
    BOOST_TEST(r.stability_baselines().size() == 2u);
    BOOST_TEST(r.baseline_stable());
    BOOST_TEST(failed_targets(r) == targets_t({2, 5, 6}));
}

BOOST_AUTO_TEST_CASE(warmup_runs_1_give_the_same_report_in_worker_processes) {
    // The body fills a cache of its own on its first run: warmed up, the check passes.
    const report r = same_report_in_workers(checker{}.warmup_runs(1), [cache = std::vector<int>()]() mutable {
        if (cache.empty())
            cache.assign(100, 7);
        sink = cache.data();
        allocate_sizes_1_to(3);
    }, {1, 2, 4});
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 3u);
}

BOOST_AUTO_TEST_CASE(sample_5_42_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}.sample(5, 42), [] { allocate_sizes_1_to(20); });
    BOOST_TEST(r.sampled_targets().size() == 5u);
    BOOST_TEST(targets(r) == targets_t(r.sampled_targets().begin(), r.sampled_targets().end()));
}

BOOST_AUTO_TEST_CASE(only_failure_3_gives_the_same_report_in_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}.only_failure(3),
                                            [&] { eight_attempts_failing_at_several_targets(kept); });
    BOOST_TEST(targets(r) == targets_t({3}));
    BOOST_TEST(r.narrowing() == "only_failure(3)");
}

BOOST_AUTO_TEST_CASE(failure_range_2_5_gives_the_same_report_in_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}.failure_range(2, 5),
                                            [&] { eight_attempts_failing_at_several_targets(kept); });
    BOOST_TEST(targets(r) == targets_t({2, 3, 4}));
}

BOOST_AUTO_TEST_CASE(max_failures_3_gives_the_same_report_in_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}.max_failures(3),
                                            [&] { eight_attempts_failing_at_several_targets(kept); });
    BOOST_TEST(targets(r) == targets_t({0, 1, 2}));
    BOOST_TEST(r.selection() == "max_failures(3)");
}

BOOST_AUTO_TEST_CASE(stop_on_failure_keeps_the_runs_up_to_the_first_failed_one_in_one_two_and_four_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}.stop_on_failure(),
                                            [&] { eight_attempts_failing_at_several_targets(kept); }, {1, 2, 4});
    BOOST_TEST(targets(r) == targets_t({0, 1, 2}));
    BOOST_TEST(r.stopped_early());
}

BOOST_AUTO_TEST_CASE(stop_on_failure_over_many_targets_keeps_the_same_runs_in_four_worker_processes) {
    // 200 targets, each worker given chunks of several: the runs after the first failed one that
    // other workers made are left out.
    const report r = same_report_in_workers(checker{}.stop_on_failure(), [] {
        for (std::size_t i = 0; i < 200; ++i) {
            try {
                allocate_and_free(i + 1);
            } catch (const std::bad_alloc&) {
                if (i == 77 || i == 120 || i == 150)
                    throw mishandled();
                throw;
            }
        }
    }, {4});
    BOOST_TEST(r.tested_failures() == 78u);
    BOOST_TEST(failed_targets(r) == targets_t({77}));
}

BOOST_AUTO_TEST_CASE(call_stacks_false_gives_the_same_report_in_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}.call_stacks(false),
                                            [&] { leaks_3_and_5_on_later_failures(kept); });
    BOOST_TEST(failed_targets(r) == targets_t({4, 5, 6}));
    BOOST_TEST(r.attempts()[6].stack().empty());
}

BOOST_AUTO_TEST_CASE(leak_tracking_false_gives_the_same_report_in_worker_processes) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}.leak_tracking(false),
                                            [&] { leaks_3_and_5_on_later_failures(kept); });
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(require_global_bridge_false_gives_the_same_report_in_worker_processes) {
    const report r = same_report_in_workers(checker{}.require_global_bridge(false),
                                            &three_attempts_mishandling_attempt_1);
    BOOST_TEST(!r.bridge_required());
    BOOST_TEST(failed_targets(r) == targets_t({1}));
}

BOOST_AUTO_TEST_CASE(trap_at_gives_the_same_report_in_worker_processes_whose_sigtrap_handler_is_inherited) {
    trap_recorder traps;
    const report r = same_report_in_workers(checker{}.trap_at(2), [] { allocate_sizes_1_to(4); });
    BOOST_TEST(traps.count() == 1u);  // raised in the calling process's check only: the others in workers
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(abort_check_thrown_by_a_body_ends_the_check_at_the_same_run_in_worker_processes) {
    const report r = same_report_in_workers(checker{}, [] {
        for (std::size_t i = 0; i < 8; ++i) {
            try {
                allocate_and_free(i + 1);
            } catch (const std::bad_alloc&) {
                if (current_target() == std::optional<std::size_t>(3))
                    throw abort_check("the body had seen enough");
                throw;
            }
        }
    }, {1, 2, 4});
    BOOST_TEST(targets(r) == targets_t({0, 1, 2, 3}));
    BOOST_TEST(r.attempts()[3].message() == "the body had seen enough");
    BOOST_TEST(r.stop_reason() == "the body ended the check with abort_check");
}

BOOST_AUTO_TEST_CASE(processes_0_gives_the_same_report_as_the_calling_process) {
    bridge_blocks kept;
    const report r = same_report_in_workers(checker{}, [&] { eight_attempts_failing_at_several_targets(kept); }, {0});
    BOOST_TEST(failed_targets(r) == targets_t({2, 5, 6}));
}
