#define BOOST_TEST_MODULE checker
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <cstddef>
#include <exception>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

using alloc_chaos::allocation;
using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using test_bodies::allocate_and_free;
using test_bodies::allocate_sizes_1_to;
using test_bodies::boom;
using test_bodies::mishandled;
using test_bodies::plain;
using test_bodies::targets;
using test_bodies::targets_t;

namespace {

// Makes 5 attempts; a failure of attempt #1 escapes as `mishandled`, every other one as bad_alloc.
void five_attempts_mishandling_attempt_1() {
    allocate_and_free(1);
    try {
        allocate_and_free(2);
    } catch (const std::bad_alloc&) {
        throw mishandled();
    }
    allocate_sizes_1_to(3);
}

}  // namespace

// ---- the probe ----

BOOST_AUTO_TEST_CASE(the_probe_observes_the_linked_global_bridge) {
    const report r = check([] { allocate_and_free(1); });
    BOOST_TEST(r.bridge_required());
    BOOST_TEST(r.bridge_observed());
}

BOOST_AUTO_TEST_CASE(the_probe_never_runs_the_body_and_is_not_an_attempt) {
    std::size_t calls = 0;
    const report r = checker{}.max_failures(0).run([&] {
        ++calls;
        allocate_and_free(1);
    });
    BOOST_TEST(calls == 1u);
    BOOST_TEST(r.baseline_allocations() == 1u);
}

BOOST_AUTO_TEST_CASE(require_global_bridge_false_waives_only_the_probe) {
    const report r = checker{}.require_global_bridge(false).run([] { allocate_sizes_1_to(2); });
    BOOST_TEST(!r.bridge_required());
    BOOST_TEST(r.bridge_observed());
    BOOST_TEST(r.baseline_allocations() == 2u);  // operator new is still observed
    BOOST_TEST(r.tested_failures() == 2u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(require_global_bridge_true_restores_the_default) {
    const report r = checker{}.require_global_bridge(false).require_global_bridge().run([] {});
    BOOST_TEST(r.bridge_required());
}

// ---- the baseline ----

BOOST_AUTO_TEST_CASE(the_baseline_counts_the_attempts_with_nothing_failed) {
    const report r = check([] { allocate_sizes_1_to(5); });
    BOOST_TEST(r.baseline().allocations() == 5u);
    BOOST_TEST(r.baseline_allocations() == 5u);
    BOOST_TEST(r.baseline().outcome() == outcome::completed);
    BOOST_TEST(r.baseline().message() == "");
    BOOST_TEST(r.baseline_stable());
}

BOOST_AUTO_TEST_CASE(by_default_the_baseline_runs_once) {
    std::size_t calls = 0;
    const report r = check([&] {
        ++calls;
        allocate_sizes_1_to(3);
    });
    BOOST_TEST(r.stability_baselines().empty());
    BOOST_TEST(calls == 1u + 3u);
}

BOOST_AUTO_TEST_CASE(stability_runs_n_runs_the_baseline_n_times_in_all) {
    std::size_t calls = 0;
    const report r = checker{}.stability_runs(3).run([&] {
        ++calls;
        allocate_sizes_1_to(4);
    });
    BOOST_TEST(calls == 3u + 4u);
    BOOST_TEST_REQUIRE(r.stability_baselines().size() == 2u);
    for (const auto& b : r.stability_baselines()) {
        BOOST_TEST(b.allocations() == 4u);
        BOOST_TEST(b.outcome() == outcome::completed);
    }
    BOOST_TEST(r.baseline_stable());
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(an_unstable_baseline_is_not_a_success_and_injects_nothing) {
    std::size_t calls = 0;
    const report r = checker{}.stability_runs(2).run([&] {
        ++calls;
        allocate_sizes_1_to(calls);  // 1 attempt, then 2
    });
    BOOST_TEST(calls == 2u);
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST_REQUIRE(r.stability_baselines().size() == 1u);
    BOOST_TEST(r.stability_baselines()[0].allocations() == 2u);
    BOOST_TEST(r.stability_baselines()[0].outcome() == outcome::completed);
    BOOST_TEST(!r.baseline_stable());
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(r.tested_failures() == 0u);
    BOOST_TEST(r.injected_failures() == 0u);
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_baseline_that_throws_is_not_a_success_injects_nothing_and_says_what_escaped) {
    std::size_t calls = 0;
    const report r = checker{}.stability_runs(3).run([&] {
        ++calls;
        allocate_sizes_1_to(2);
        throw boom();
    });
    BOOST_TEST(calls == 1u);  // no stability run after a throwing baseline
    BOOST_TEST(r.baseline().outcome() == outcome::exception);
    BOOST_TEST(r.baseline().message() == "boom");
    BOOST_TEST(r.baseline_allocations() == 2u);
    BOOST_TEST(r.stability_baselines().empty());
    BOOST_TEST(!r.baseline_stable());
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_baseline_that_ends_in_bad_alloc_is_not_a_success) {
    const report r = check([] {
        allocate_and_free(1);
        throw std::bad_alloc();
    });
    BOOST_TEST(r.baseline().outcome() == outcome::bad_alloc);
    BOOST_TEST(r.baseline().message() == std::bad_alloc().what());
    BOOST_TEST(!r.baseline_stable());
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_baseline_throwing_a_non_standard_exception_says_so) {
    const report r = check([] { throw 42; });
    BOOST_TEST(r.baseline().outcome() == outcome::exception);
    BOOST_TEST(r.baseline().message() == "an exception of type int, not derived from std::exception");
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_stability_run_that_throws_ends_the_baseline_runs) {
    std::size_t calls = 0;
    const report r = checker{}.stability_runs(4).run([&] {
        allocate_and_free(1);
        if (++calls == 2)
            throw boom();
    });
    BOOST_TEST(calls == 2u);
    BOOST_TEST(r.baseline().outcome() == outcome::completed);
    BOOST_TEST_REQUIRE(r.stability_baselines().size() == 1u);
    BOOST_TEST(r.stability_baselines()[0].outcome() == outcome::exception);
    BOOST_TEST(r.stability_baselines()[0].message() == "boom");
    BOOST_TEST(r.stability_baselines()[0].allocations() == 1u);
    BOOST_TEST(!r.baseline_stable());
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(!r.success());
}

// ---- the target runs ----

BOOST_AUTO_TEST_CASE(one_run_per_observed_attempt_in_increasing_order_failing_exactly_its_target) {
    const report r = check([] { allocate_sizes_1_to(4); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.tested_failures() == 4u);
    BOOST_TEST(r.injected_failures() == 4u);
    BOOST_TEST(!r.truncated());
    BOOST_TEST_REQUIRE(r.attempts().size() == 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        const auto& run = r.attempts()[i];
        BOOST_TEST(run.target() == i);
        BOOST_TEST(run.injected());
        BOOST_TEST((run.injected_allocation() == allocation(i, operation::operator_new, i + 1, plain, false)));
        BOOST_TEST(run.observed_allocations() == i + 1);  // the failure escaped at the target
        BOOST_TEST(run.outcome() == outcome::bad_alloc);
        BOOST_TEST(run.message() == alloc_chaos::injected_bad_alloc(*run.injected_allocation()).what());
        BOOST_TEST(run.success());
    }
}

BOOST_AUTO_TEST_CASE(every_attempt_but_the_target_succeeds) {
    // failed[run][i]: whether attempt i failed in that run (run 0 is the baseline).
    bool failed[5][4] = {};
    std::size_t run = 0;
    const report r = check([&] {
        for (std::size_t i = 0; i < 4; ++i) {
            try {
                allocate_and_free(8);
            } catch (const std::bad_alloc&) {
                failed[run][i] = true;
            }
        }
        ++run;
    });
    BOOST_TEST(run == 5u);
    for (std::size_t i = 0; i < 4; ++i)
        BOOST_TEST(!failed[0][i]);
    for (std::size_t target = 0; target < 4; ++target)
        for (std::size_t i = 0; i < 4; ++i)
            BOOST_TEST(failed[target + 1][i] == (i == target));
    for (const auto& a : r.attempts())
        BOOST_TEST(a.observed_allocations() == 4u);
}

BOOST_AUTO_TEST_CASE(a_swallowed_failure_that_completes_is_a_success) {
    const report r = check([] {
        try {
            allocate_and_free(8);
        } catch (const std::bad_alloc&) {
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].outcome() == outcome::completed);
    BOOST_TEST(r.attempts()[0].message() == "");
    BOOST_TEST(r.attempts()[0].success());
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(a_derived_bad_alloc_escaping_is_the_controlled_error) {
    const report r = check([] {
        try {
            allocate_and_free(8);
        } catch (const std::bad_alloc&) {
            throw std::bad_array_new_length();
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].outcome() == outcome::bad_alloc);
    BOOST_TEST(r.attempts()[0].message() == std::bad_array_new_length().what());
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(a_failure_that_escapes_as_another_exception_fails_its_run) {
    const report r = check(five_attempts_mishandling_attempt_1);
    BOOST_TEST_REQUIRE(r.attempts().size() == 5u);
    const auto& run = r.attempts()[1];
    BOOST_TEST(run.injected());
    BOOST_TEST((run.injected_allocation() == allocation(1, operation::operator_new, 2, plain, false)));
    BOOST_TEST(run.observed_allocations() == 2u);
    BOOST_TEST(run.outcome() == outcome::exception);
    BOOST_TEST(run.message() == "mishandled");
    BOOST_TEST(!run.success());
    for (std::size_t i : {0u, 2u, 3u, 4u})
        BOOST_TEST(r.attempts()[i].success());
    BOOST_TEST(r.injected_failures() == 5u);
    BOOST_TEST(!r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_failure_that_escapes_as_a_non_standard_exception_fails_its_run) {
    const report r = check([] {
        try {
            allocate_and_free(8);
        } catch (const std::bad_alloc&) {
            throw 42;
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].outcome() == outcome::exception);
    BOOST_TEST(r.attempts()[0].message() == "an exception of type int, not derived from std::exception");
    BOOST_TEST(!r.attempts()[0].success());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_run_that_never_reaches_its_target_is_a_failed_attempt) {
    // 3 attempts on every invocation but the 4th overall, which is the run targeting #2.
    std::size_t calls = 0;
    const report r = checker{}.stability_runs(1).run([&] {
        allocate_sizes_1_to(++calls == 4 ? 2 : 3);
    });
    BOOST_TEST(calls == 4u);
    BOOST_TEST(r.baseline_stable());
    BOOST_TEST(r.baseline_allocations() == 3u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    const auto& run = r.attempts()[2];
    BOOST_TEST(run.target() == 2u);
    BOOST_TEST(run.observed_allocations() == 2u);
    BOOST_TEST(!run.injected());
    BOOST_TEST(!run.injected_allocation().has_value());
    BOOST_TEST(run.outcome() == outcome::completed);
    BOOST_TEST(!run.success());
    BOOST_TEST(r.tested_failures() == 3u);
    BOOST_TEST(r.injected_failures() == 2u);
    BOOST_TEST(!r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_body_that_allocates_nothing_is_invalid_with_zero_attempts) {
    std::size_t calls = 0;
    const report r = check([&] { ++calls; });
    BOOST_TEST(calls == 1u);
    BOOST_TEST(r.baseline_allocations() == 0u);
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(!r.truncated());
    BOOST_TEST(r.verdict() == alloc_chaos::verdict::invalid);  // it tested nothing
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(the_checkers_own_bookkeeping_is_never_observed) {
    // 300 runs and a growing list of attempts to record: none of it may be counted.
    const report r = checker{}.stability_runs(3).run([] {
        for (std::size_t i = 0; i < 300; ++i) {
            try {
                allocate_and_free(i + 1);
            } catch (const std::bad_alloc&) {
            }
        }
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 300u);
    for (const auto& b : r.stability_baselines())
        BOOST_TEST(b.allocations() == 300u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 300u);
    for (const auto& a : r.attempts())
        BOOST_TEST_REQUIRE(a.observed_allocations() == 300u);
}

BOOST_AUTO_TEST_CASE(recording_what_escaped_is_never_observed) {
    // A message too long for any small-string buffer: copying it into the report allocates.
    struct long_message : std::exception {
        const char* what() const noexcept override {
            return "a failure path that reports itself with a message far too long for a small string buffer";
        }
    };
    const report r = check([] {
        allocate_and_free(1);
        try {
            allocate_and_free(2);
        } catch (const std::bad_alloc&) {
            throw long_message();
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].observed_allocations() == 1u);
    BOOST_TEST(r.attempts()[1].observed_allocations() == 2u);
    BOOST_TEST(r.attempts()[1].message() == long_message().what());
}

// ---- selection ----

BOOST_AUTO_TEST_CASE(max_failures_keeps_the_first_n_targets) {
    const report r = checker{}.max_failures(2).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({0, 1}));
    BOOST_TEST(r.baseline_allocations() == 5u);
    BOOST_TEST(r.truncated());
    BOOST_TEST(r.selection() == "max_failures(2)");
    BOOST_TEST(r.targets_beyond_observed() == 0u);
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(max_failures_zero_runs_the_probe_and_baseline_only) {
    std::size_t calls = 0;
    const report r = checker{}.max_failures(0).run([&] {
        ++calls;
        allocate_sizes_1_to(5);
    });
    BOOST_TEST(calls == 1u);
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(max_failures_at_or_above_the_observed_count_tests_everything) {
    const report exact = checker{}.max_failures(5).run([] { allocate_sizes_1_to(5); });
    const report above = checker{}.max_failures(6).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(exact.tested_failures() == 5u);
    BOOST_TEST(exact.success());
    BOOST_TEST(above.tested_failures() == 5u);
    BOOST_TEST(above.success());
}

BOOST_AUTO_TEST_CASE(stop_on_failure_stops_after_the_first_failed_run) {
    const report r = checker{}.stop_on_failure().run(five_attempts_mishandling_attempt_1);
    BOOST_TEST(targets(r) == targets_t({0, 1}));
    BOOST_TEST(r.stopped_early());
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(stop_on_failure_with_every_run_passing_tests_everything) {
    const report r = checker{}.stop_on_failure().run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(r.tested_failures() == 5u);
    BOOST_TEST(!r.stopped_early());
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(stop_on_failure_at_the_last_target_is_not_stopping_early) {
    const report r = checker{}.stop_on_failure().run([] {
        allocate_and_free(1);
        try {
            allocate_and_free(2);
        } catch (const std::bad_alloc&) {
            throw mishandled();
        }
    });
    BOOST_TEST(targets(r) == targets_t({0, 1}));
    BOOST_TEST(!r.stopped_early());
    BOOST_TEST(!r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(stop_on_failure_false_runs_every_target) {
    const report r = checker{}.stop_on_failure().stop_on_failure(false).run(five_attempts_mishandling_attempt_1);
    BOOST_TEST(r.tested_failures() == 5u);
    BOOST_TEST(!r.stopped_early());
}

BOOST_AUTO_TEST_CASE(only_failure_runs_the_single_target) {
    std::size_t calls = 0;
    const report r = checker{}.only_failure(2).run([&] {
        ++calls;
        allocate_sizes_1_to(5);
    });
    BOOST_TEST(calls == 2u);
    BOOST_TEST(targets(r) == targets_t({2}));
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(2, operation::operator_new, 3, plain, false)));
    BOOST_TEST(r.selection() == "only_failure(2)");
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(only_failure_beyond_the_observed_attempts_runs_nothing_and_says_so) {
    std::size_t calls = 0;
    const report r = checker{}.only_failure(7).run([&] {
        ++calls;
        allocate_sizes_1_to(5);
    });
    BOOST_TEST(calls == 1u);
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(r.targets_beyond_observed() == 1u);
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(failure_range_is_half_open) {
    const report r = checker{}.failure_range(1, 3).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({1, 2}));
    BOOST_TEST(r.selection() == "failure_range(1, 3)");
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(failure_range_targets_beyond_the_observed_attempts_are_not_run_and_are_counted) {
    const report r = checker{}.failure_range(3, 10).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({3, 4}));
    BOOST_TEST(r.targets_beyond_observed() == 5u);
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(failure_range_entirely_beyond_the_observed_attempts_runs_nothing) {
    const report r = checker{}.failure_range(7, 9).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(r.targets_beyond_observed() == 2u);
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(failure_range_covering_every_observed_attempt_tests_everything_but_is_partial) {
    const report r = checker{}.failure_range(0, 8).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({0, 1, 2, 3, 4}));
    BOOST_TEST(r.tested_failures() == 5u);
    BOOST_TEST(r.injected_failures() == 5u);
    for (const auto& a : r.attempts())
        BOOST_TEST(a.success());
    BOOST_TEST(r.targets_beyond_observed() == 3u);
    BOOST_TEST(r.selection() == "failure_range(0, 8)");
    BOOST_TEST(r.truncated());  // narrowed by hand: a debugging aid, never a success
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(failure_range_matching_the_observed_attempts_exactly_is_partial) {
    const report r = checker{}.failure_range(0, 5).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({0, 1, 2, 3, 4}));
    BOOST_TEST(r.targets_beyond_observed() == 0u);
    BOOST_TEST(r.selection() == "failure_range(0, 5)");
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(only_failure_of_the_single_observed_attempt_is_partial) {
    const report r = checker{}.only_failure(0).run([] { allocate_and_free(1); });
    BOOST_TEST_REQUIRE(targets(r) == targets_t({0}));
    BOOST_TEST(r.attempts()[0].success());
    BOOST_TEST(r.selection() == "only_failure(0)");
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(failure_range_to_the_largest_index_runs_from_first_to_the_end) {
    const report r =
        checker{}.failure_range(2, std::numeric_limits<std::size_t>::max()).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({2, 3, 4}));
    BOOST_TEST(r.selection() == "failure_range(2, 18446744073709551615)");
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(failure_range_replaces_only_failure) {
    const report r = checker{}.only_failure(4).failure_range(0, 2).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({0, 1}));
    BOOST_TEST(r.selection() == "failure_range(0, 2)");
}

BOOST_AUTO_TEST_CASE(only_failure_replaces_failure_range) {
    const report r = checker{}.failure_range(0, 2).only_failure(4).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({4}));
    BOOST_TEST(r.selection() == "only_failure(4)");
}

BOOST_AUTO_TEST_CASE(the_last_only_failure_wins) {
    const report r = checker{}.only_failure(1).only_failure(3).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({3}));
}

BOOST_AUTO_TEST_CASE(max_failures_caps_a_failure_range) {
    const report r = checker{}.failure_range(1, 5).max_failures(2).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({1, 2}));
    BOOST_TEST(r.selection() == "failure_range(1, 5), max_failures(2)");
}

BOOST_AUTO_TEST_CASE(max_failures_survives_a_new_selection) {
    const report r = checker{}.max_failures(1).failure_range(2, 5).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({2}));
}

BOOST_AUTO_TEST_CASE(max_failures_counts_selected_targets_beyond_the_observed_attempts) {
    const report r = checker{}.failure_range(3, 10).max_failures(4).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({3, 4}));
    BOOST_TEST(r.targets_beyond_observed() == 2u);
}

BOOST_AUTO_TEST_CASE(max_failures_zero_with_only_failure_runs_nothing) {
    const report r = checker{}.only_failure(2).max_failures(0).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(r.targets_beyond_observed() == 0u);
}

BOOST_AUTO_TEST_CASE(every_selection_that_leaves_an_attempt_untested_is_truncated_and_never_a_success) {
    const auto body = [] { allocate_sizes_1_to(5); };
    const checker partial[] = {
        checker{}.max_failures(4),      checker{}.max_failures(0),       checker{}.only_failure(0),
        checker{}.only_failure(4),      checker{}.only_failure(5),       checker{}.failure_range(0, 4),
        checker{}.failure_range(1, 5),  checker{}.failure_range(1, 100), checker{}.failure_range(9, 10),
        checker{}.failure_range(0, 5).max_failures(4),
    };
    for (const checker& c : partial) {
        const report r = c.run(body);
        BOOST_TEST(r.truncated());
        BOOST_TEST(!r.success());
    }
    BOOST_TEST(!checker{}.stop_on_failure().run(five_attempts_mishandling_attempt_1).success());
}

BOOST_AUTO_TEST_CASE(every_selection_narrowed_by_hand_is_truncated_and_never_a_success_even_covering_everything) {
    const auto body = [] { allocate_sizes_1_to(5); };
    const checker narrowed[] = {
        checker{}.failure_range(0, 5),
        checker{}.failure_range(0, 6),
        checker{}.failure_range(0, std::numeric_limits<std::size_t>::max() - 1),
        checker{}.failure_range(0, 5).max_failures(5),
        checker{}.only_failure(3).failure_range(0, 5),
    };
    for (const checker& c : narrowed) {
        const report r = c.run(body);
        BOOST_TEST(r.tested_failures() == 5u);
        BOOST_TEST(r.injected_failures() == 5u);
        BOOST_TEST(r.truncated());
        BOOST_TEST(!r.success());
    }
}

BOOST_AUTO_TEST_CASE(options_chain_on_the_same_checker) {
    checker c;
    BOOST_TEST(&c.max_failures(1) == &c);
    BOOST_TEST(&c.stop_on_failure() == &c);
    BOOST_TEST(&c.only_failure(1) == &c);
    BOOST_TEST(&c.failure_range(0, 1) == &c);
    BOOST_TEST(&c.stability_runs(2) == &c);
    BOOST_TEST(&c.require_global_bridge() == &c);
}

BOOST_AUTO_TEST_CASE(a_checker_runs_again_with_the_same_result) {
    const checker c = checker{}.failure_range(1, 4);
    const report first = c.run([] { allocate_sizes_1_to(5); });
    const report second = c.run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(first) == targets(second));
    BOOST_TEST(first.baseline_allocations() == second.baseline_allocations());
}

BOOST_AUTO_TEST_CASE(check_is_the_default_checker) {
    const report a = check(five_attempts_mishandling_attempt_1);
    const report b = checker{}.run(five_attempts_mishandling_attempt_1);
    BOOST_TEST(targets(a) == targets(b));
    BOOST_TEST(a.success() == b.success());
    BOOST_TEST(a.stability_baselines().size() == b.stability_baselines().size());
}

BOOST_AUTO_TEST_CASE(a_function_and_a_function_pointer_are_bodies_like_any_callable) {
    const report by_name = check(five_attempts_mishandling_attempt_1);
    void (*pointer)() = five_attempts_mishandling_attempt_1;
    const report by_pointer = checker{}.run(pointer);
    BOOST_TEST(by_name.tested_failures() == 5u);
    BOOST_TEST(by_pointer.tested_failures() == 5u);
}

// ---- misuse ----

BOOST_AUTO_TEST_CASE(a_nested_check_throws_logic_error_naming_the_call) {
    std::string message;
    std::size_t refused = 0;
    const report outer = check([&] {
        try {
            (void)check([] {});
        } catch (const std::logic_error& e) {
            alloc_chaos::unobserved record;
            ++refused;
            message = e.what();
        }
    });
    BOOST_TEST(refused == 1u);  // the baseline run only: the refusal is no attempt, so no target run follows
    BOOST_TEST(message ==
               "alloc_chaos::checker::run: a check is already running on this thread, and checks do not nest; "
               "run the second check after the first one returns, or on another thread");
    BOOST_TEST(outer.baseline_allocations() == 0u);
    BOOST_TEST(outer.verdict() == alloc_chaos::verdict::invalid);  // no attempt: the check tested nothing
}

BOOST_AUTO_TEST_CASE(a_nested_check_adds_no_attempt_to_the_outer_body) {
    std::size_t refused = 0;
    const report outer = check([&] {
        allocate_sizes_1_to(2);
        try {
            (void)check([] { allocate_and_free(1); });
        } catch (const std::logic_error&) {
            ++refused;
        }
    });
    BOOST_TEST(outer.baseline_allocations() == 2u);  // the body's own two allocations, nothing of the refusal
    BOOST_TEST(targets(outer) == targets_t({0, 1}));
    for (const auto& a : outer.attempts())
        BOOST_TEST(a.observed_allocations() == a.target() + 1);  // each failure escaped at its target
    BOOST_TEST(refused == 1u);  // reached in the baseline run only; every target run ended earlier in bad_alloc
    BOOST_TEST(outer.success());
}

BOOST_AUTO_TEST_CASE(a_refused_checker_option_inside_a_body_adds_no_attempt) {
    std::size_t refused = 0;
    const report outer = check([&] {
        allocate_and_free(1);
        try {
            checker{}.failure_range(5, 2);
        } catch (const std::invalid_argument&) {
            ++refused;
        }
        try {
            checker{}.failure_range(3, 3);
        } catch (const std::invalid_argument&) {
            ++refused;
        }
        try {
            checker{}.stability_runs(0);
        } catch (const std::invalid_argument&) {
            ++refused;
        }
    });
    BOOST_TEST(outer.baseline_allocations() == 1u);
    BOOST_TEST(targets(outer) == targets_t({0}));
    BOOST_TEST(refused == 3u);  // the baseline run only: the target run ended at #0 in bad_alloc
    BOOST_TEST(outer.success());
}

BOOST_AUTO_TEST_CASE(a_nested_check_is_refused_inside_unobserved_too) {
    bool refused = false;
    checker{}.max_failures(0).run([&] {
        alloc_chaos::unobserved inner;
        try {
            (void)checker{}.require_global_bridge(false).run([] {});
        } catch (const std::logic_error&) {
            refused = true;
        }
    });
    BOOST_TEST(refused);
}

BOOST_AUTO_TEST_CASE(a_new_check_runs_after_a_refused_nested_one) {
    checker{}.max_failures(0).run([] {
        try {
            (void)check([] {});
        } catch (const std::logic_error&) {
        }
    });
    BOOST_TEST(check([] { allocate_and_free(1); }).success());
}

BOOST_AUTO_TEST_CASE(a_new_check_runs_after_one_whose_runs_threw) {
    BOOST_TEST(!check([] { throw boom(); }).success());
    BOOST_TEST(!check(five_attempts_mishandling_attempt_1).success());
    BOOST_TEST(check([] { allocate_and_free(1); }).success());
}

BOOST_AUTO_TEST_CASE(a_reversed_failure_range_throws_invalid_argument_naming_the_call) {
    try {
        checker{}.failure_range(5, 2);
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc_chaos::checker::failure_range(5, 2): the range is reversed; pass a half-open range "
                   "[first, last) with first < last, such as failure_range(5, 6) for the single target 5");
    }
}

BOOST_AUTO_TEST_CASE(an_empty_failure_range_throws_invalid_argument_naming_the_call) {
    try {
        checker{}.failure_range(3, 3);
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc_chaos::checker::failure_range(3, 3): the range is empty; pass a half-open range "
                   "[first, last) with first < last, such as failure_range(3, 4) for the single target 3");
    }
}

BOOST_AUTO_TEST_CASE(a_refused_failure_range_leaves_the_selection_unchanged) {
    checker c;
    c.only_failure(1);
    BOOST_CHECK_THROW(c.failure_range(4, 2), std::invalid_argument);
    const report r = c.run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({1}));
}

BOOST_AUTO_TEST_CASE(a_mode_that_is_no_failure_mode_throws_invalid_argument_naming_the_call) {
    try {
        checker{}.mode(static_cast<alloc_chaos::failure_mode>(42));
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc_chaos::checker::mode(42): not a failure_mode; pass failure_mode::once, "
                   "failure_mode::persistent or failure_mode::both");
    }
}

BOOST_AUTO_TEST_CASE(stability_runs_zero_throws_invalid_argument_naming_the_call) {
    try {
        checker{}.stability_runs(0);
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc_chaos::checker::stability_runs(0): the check needs at least one baseline run; pass 1 "
                   "(the default) or more to confirm that the body observes the same attempts every time");
    }
}
