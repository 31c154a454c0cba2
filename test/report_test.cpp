#define BOOST_TEST_MODULE report
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"

#include <cstddef>
#include <cstdlib>
#include <exception>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::report;
using report_text::rendered;
using test_bodies::allocate_and_free;
using test_bodies::allocate_sizes_1_to;
using test_bodies::boom;
using test_bodies::mishandled;
using test_bodies::sink;
using test_bodies::three_attempts_mishandling_attempt_1;

namespace {

// The alignment the unaligned operator new forms record, as the report prints it.
const std::string plain = std::to_string(alloc_chaos::default_new_alignment);

// Thrown out of a body: no std::exception.
struct parse_error {};

std::size_t lines(const std::string& text) {
    std::size_t n = 0;
    for (char c : text)
        n += c == '\n';
    return n;
}

}  // namespace

// ---- success and assert_success ----

BOOST_AUTO_TEST_CASE(check_failed_is_a_runtime_error) {
    static_assert(std::is_base_of_v<std::runtime_error, alloc_chaos::check_failed>);
}

BOOST_AUTO_TEST_CASE(a_passing_check_is_a_success_and_assert_success_returns) {
    const report r = check([] { allocate_sizes_1_to(3); });
    BOOST_TEST(r.success());
    BOOST_CHECK_NO_THROW(r.assert_success());
}

BOOST_AUTO_TEST_CASE(assert_success_throws_check_failed_carrying_the_rendered_report) {
    const report failed = check(three_attempts_mishandling_attempt_1);
    const report partial = checker{}.max_failures(1).run([] { allocate_sizes_1_to(3); });
    const report invalid = check([] { throw boom(); });
    for (const report* r : {&failed, &partial, &invalid}) {
        BOOST_TEST(!r->success());
        try {
            r->assert_success();
            BOOST_FAIL("no exception");
        } catch (const alloc_chaos::check_failed& e) {
            BOOST_TEST(std::string(e.what()) == report_text::streamed(*r));
        }
    }
}

// ---- PASSED ----

BOOST_AUTO_TEST_CASE(a_passed_report_renders_verdict_probe_baseline_and_counts) {
    BOOST_TEST(rendered(check([] { allocate_sizes_1_to(3); })) ==
               "alloc-chaos check PASSED: each of the 3 observed allocation attempts was failed in turn, and every "
               "run handled the failure or ended in std::bad_alloc\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 3 tested, 3 injected, of 3 observed attempts\n");
}

BOOST_AUTO_TEST_CASE(a_passed_report_of_a_single_attempt_counts_it_in_the_singular) {
    BOOST_TEST(rendered(check([] { allocate_and_free(1); })) ==
               "alloc-chaos check PASSED: the one observed allocation attempt was failed, and the run handled the "
               "failure or ended in std::bad_alloc\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 1 attempt\n"
               "  failures: 1 tested, 1 injected, of 1 observed attempt\n");
}

BOOST_AUTO_TEST_CASE(the_baseline_line_shows_every_stability_run) {
    const std::string text = rendered(checker{}.stability_runs(3).run([] { allocate_sizes_1_to(3); }));
    BOOST_TEST(text.find("\n  baseline: completed, 3 attempts, stable over 3 runs (3, 3, 3 attempts)\n") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_probe_line_says_when_the_bridge_is_not_required) {
    const std::string text = rendered(checker{}.require_global_bridge(false).run([] { allocate_sizes_1_to(1); }));
    BOOST_TEST(text.find("\n  probe: global operator new/delete bridge observed (not required)\n") !=
               std::string::npos);
}


BOOST_AUTO_TEST_CASE(a_large_passing_check_renders_in_four_lines) {
    const report r = check([] { allocate_sizes_1_to(1000); });
    BOOST_TEST(r.success());
    BOOST_TEST(lines(rendered(r)) == 4u);
}

// ---- FAILED ----

BOOST_AUTO_TEST_CASE(a_failed_report_renders_each_failed_run_and_the_environment_that_replays_it) {
    BOOST_TEST(rendered(check(three_attempts_mishandling_attempt_1)) ==
               "alloc-chaos check FAILED: 1 of 3 failure runs did not end in a controlled error\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 3 tested, 3 injected, of 3 observed attempts\n"
               "  #1 operator new size=2 align=" +
                   plain +
                   ": exception — mishandled\n"
                   "      replay: ALLOC_CHAOS_ONLY=1\n"
                   "SUMMARY: 1 of 3 failure runs failed: 1 exception\n");
}

BOOST_AUTO_TEST_CASE(a_failed_run_of_a_nothrow_form_says_nothrow) {
    const std::string text = rendered(check([] {
        sink = ::operator new[](0, std::nothrow);
        if (sink == nullptr)
            throw mishandled();
        ::operator delete[](sink);
    }));
    BOOST_TEST(text.find("\n  #0 operator new[] size=0 align=" + plain + " nothrow: exception — mishandled\n") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failed_run_with_a_non_standard_exception_names_its_type) {
    const std::string text = rendered(check([] {
        try {
            allocate_and_free(8);
        } catch (const std::bad_alloc&) {
            throw parse_error();
        }
    }));
    BOOST_TEST(text.find("\n  #0 operator new size=8 align=" + plain +
                         ": exception — an exception of type (anonymous namespace)::parse_error, not derived from "
                         "std::exception\n") != std::string::npos,
               text);
}

BOOST_AUTO_TEST_CASE(a_failed_run_with_a_nested_exception_shows_each_cause) {
    const std::string text = rendered(check([] {
        try {
            try {
                allocate_and_free(8);
            } catch (const std::bad_alloc&) {
                std::throw_with_nested(std::runtime_error("cannot read the record"));
            }
        } catch (const std::exception&) {
            std::throw_with_nested(std::runtime_error("cannot load the index"));
        }
    }));
    BOOST_TEST(text.find("\n  #0 operator new size=8 align=" + plain +
                         ": exception — cannot load the index; caused by: cannot read the record; caused by: "
                         "alloc-chaos injected failure of attempt #0 operator new size=8 align=" +
                         plain + "\n") != std::string::npos,
               text);
}

BOOST_AUTO_TEST_CASE(a_nested_cause_not_derived_from_std_exception_is_named_by_its_type) {
    const std::string text = rendered(check([] {
        try {
            try {
                allocate_and_free(8);
            } catch (const std::bad_alloc&) {
                throw 42;
            }
        } catch (...) {
            std::throw_with_nested(std::runtime_error("cannot load the index"));
        }
    }));
    BOOST_TEST(text.find(": exception — cannot load the index; caused by: an exception of type int, not derived "
                         "from std::exception\n") != std::string::npos,
               text);
}

BOOST_AUTO_TEST_CASE(a_run_that_never_reached_its_target_renders_as_not_reached) {
    std::size_t calls = 0;
    BOOST_TEST(rendered(check([&] { allocate_sizes_1_to(++calls == 4 ? 2 : 3); })) ==
               "alloc-chaos check FAILED: 1 of 3 failure runs did not end in a controlled error\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 3 tested, 2 injected, of 3 observed attempts\n"
               "  #2 not reached (the run observed 2 attempts): completed\n"
               "      replay: ALLOC_CHAOS_ONLY=2\n"
               "SUMMARY: 1 of 3 failure runs failed: 1 not reached\n");
}

BOOST_AUTO_TEST_CASE(a_failed_report_stopped_early_says_so_and_lists_what_was_not_tested) {
    BOOST_TEST(rendered(checker{}.stop_on_failure().run(three_attempts_mishandling_attempt_1)) ==
               "alloc-chaos check FAILED: 1 of 2 failure runs did not end in a controlled error\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 2 tested, 2 injected, of 3 observed attempts\n"
               "  #1 operator new size=2 align=" +
                   plain +
                   ": exception — mishandled\n"
                   "      replay: ALLOC_CHAOS_ONLY=1\n"
                   "  stopped early: stop_on_failure ended the check at its first failed run\n"
                   "  not tested: 1 attempt (#2)\n"
                   "SUMMARY: 1 of 2 failure runs failed: 1 exception\n");
}

BOOST_AUTO_TEST_CASE(a_large_failing_check_prints_20_failed_runs_and_counts_the_rest) {
    const report r = check([] {
        for (std::size_t i = 0; i < 1000; ++i) {
            try {
                allocate_and_free(8);
            } catch (const std::bad_alloc&) {
                throw mishandled();
            }
        }
    });
    BOOST_TEST(r.attempts().size() == 1000u);
    const std::string text = rendered(r);
    std::string expected =
        "alloc-chaos check FAILED: 1000 of 1000 failure runs did not end in a controlled error\n"
        "  probe: global operator new/delete bridge observed\n"
        "  baseline: completed, 1000 attempts\n"
        "  failures: 1000 tested, 1000 injected, of 1000 observed attempts\n";
    for (int i = 0; i < 20; ++i)
        expected += "  #" + std::to_string(i) + " operator new size=8 align=" + plain +
                    ": exception — mishandled\n"
                    "      replay: ALLOC_CHAOS_ONLY=" +
                    std::to_string(i) + "\n";
    expected += "  ... and 980 more failed runs (report::attempts() holds them all)\n"
                "SUMMARY: 1000 of 1000 failure runs failed: 1000 exception\n";
    BOOST_TEST(text == expected);
}

BOOST_AUTO_TEST_CASE(a_single_failed_run_beyond_the_20_printed_is_counted_in_the_singular) {
    const std::string text = rendered(check([] {
        for (std::size_t i = 0; i < 21; ++i) {
            try {
                allocate_and_free(8);
            } catch (const std::bad_alloc&) {
                throw mishandled();
            }
        }
    }));
    BOOST_TEST(text.rfind("alloc-chaos check FAILED: 21 of 21 failure runs did not end in a controlled error\n", 0) ==
               0u);
    BOOST_TEST(text.find("\n  #19 operator new size=8 align=" + plain +
                         ": exception — mishandled\n"
                         "      replay: ALLOC_CHAOS_ONLY=19\n"
                         "  ... and 1 more failed run (report::attempts() holds them all)\n") != std::string::npos);
    BOOST_TEST(text.find("#20") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failed_report_of_a_single_run_counts_it_in_the_singular) {
    BOOST_TEST(rendered(check([] {
                   try {
                       allocate_and_free(8);
                   } catch (const std::bad_alloc&) {
                       throw mishandled();
                   }
               })) ==
               "alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 1 attempt\n"
               "  failures: 1 tested, 1 injected, of 1 observed attempt\n"
               "  #0 operator new size=8 align=" +
                   plain +
                   ": exception — mishandled\n"
                   "      replay: ALLOC_CHAOS_ONLY=0\n"
                   "SUMMARY: 1 of 1 failure run failed: 1 exception\n");
}

BOOST_AUTO_TEST_CASE(a_run_that_observed_a_single_attempt_before_missing_its_target_says_1_attempt) {
    std::size_t calls = 0;
    BOOST_TEST(rendered(check([&] { allocate_sizes_1_to(++calls == 3 ? 1 : 2); })) ==
               "alloc-chaos check FAILED: 1 of 2 failure runs did not end in a controlled error\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 2 attempts\n"
               "  failures: 2 tested, 1 injected, of 2 observed attempts\n"
               "  #1 not reached (the run observed 1 attempt): completed\n"
               "      replay: ALLOC_CHAOS_ONLY=1\n"
               "SUMMARY: 1 of 2 failure runs failed: 1 not reached\n");
}

BOOST_AUTO_TEST_CASE(passing_runs_of_a_failed_report_are_not_printed) {
    const report r = check([] {
        allocate_sizes_1_to(50);
        try {
            allocate_and_free(51);
        } catch (const std::bad_alloc&) {
            throw mishandled();
        }
        allocate_sizes_1_to(50);
    });
    BOOST_TEST(r.tested_failures() == 101u);
    // headline, probe, baseline, failures, the run failing #50, its replay, the summary
    BOOST_TEST(lines(rendered(r)) == 7u);
}

// ---- PARTIAL ----

BOOST_AUTO_TEST_CASE(a_partial_report_capped_by_max_failures_lists_the_untested_attempts) {
    BOOST_TEST(rendered(checker{}.max_failures(1).run([] { allocate_sizes_1_to(3); })) ==
               "alloc-chaos check PARTIAL: tested 1 of 3 observed attempts; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 1 tested, 1 injected, of 3 observed attempts\n"
               "  not tested: 2 attempts (#1..#2), selected by max_failures(1)\n");
}

BOOST_AUTO_TEST_CASE(a_partial_report_of_only_failure_lists_the_untested_attempts_on_both_sides) {
    BOOST_TEST(rendered(checker{}.only_failure(1).run([] { allocate_sizes_1_to(3); })) ==
               "alloc-chaos check PARTIAL: tested 1 of 3 observed attempts; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 1 tested, 1 injected, of 3 observed attempts\n"
               "  not tested: 2 attempts (#0, #2), selected by only_failure(1)\n");
}

BOOST_AUTO_TEST_CASE(a_partial_report_of_a_failure_range_lists_untested_and_not_run_targets) {
    BOOST_TEST(rendered(checker{}.failure_range(2, 7).run([] { allocate_sizes_1_to(5); })) ==
               "alloc-chaos check PARTIAL: tested 3 of 5 observed attempts; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 5 attempts\n"
               "  failures: 3 tested, 3 injected, of 5 observed attempts\n"
               "  not tested: 2 attempts (#0..#1), selected by failure_range(2, 7)\n"
               "  not run: 2 selected targets at or beyond the 5 observed attempts\n");
}

BOOST_AUTO_TEST_CASE(a_partial_report_that_ran_nothing_lists_every_attempt_as_untested) {
    BOOST_TEST(rendered(checker{}.only_failure(9).run([] { allocate_sizes_1_to(3); })) ==
               "alloc-chaos check PARTIAL: tested 0 of 3 observed attempts; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 0 tested, 0 injected, of 3 observed attempts\n"
               "  not tested: 3 attempts (#0..#2), selected by only_failure(9)\n"
               "  not run: 1 selected target at or beyond the 3 observed attempts\n");
}

BOOST_AUTO_TEST_CASE(a_partial_report_of_a_range_leaving_one_attempt_out_counts_it_in_the_singular) {
    BOOST_TEST(rendered(checker{}.failure_range(1, 3).run([] { allocate_sizes_1_to(3); })) ==
               "alloc-chaos check PARTIAL: tested 2 of 3 observed attempts; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 2 tested, 2 injected, of 3 observed attempts\n"
               "  not tested: 1 attempt (#0), selected by failure_range(1, 3)\n");
}

BOOST_AUTO_TEST_CASE(a_partial_report_of_a_single_observed_attempt_counts_it_in_the_singular) {
    BOOST_TEST(rendered(checker{}.only_failure(1).run([] { allocate_and_free(1); })) ==
               "alloc-chaos check PARTIAL: tested 0 of 1 observed attempt; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 1 attempt\n"
               "  failures: 0 tested, 0 injected, of 1 observed attempt\n"
               "  not tested: 1 attempt (#0), selected by only_failure(1)\n"
               "  not run: 1 selected target at or beyond the 1 observed attempt\n");
}

BOOST_AUTO_TEST_CASE(a_range_covering_every_observed_attempt_is_partial_and_names_the_narrowing_option) {
    const report r = checker{}.failure_range(0, 5).run([] { allocate_sizes_1_to(3); });
    BOOST_TEST(!r.success());
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check PARTIAL: every observed attempt was tested, but failure_range(0, 5) narrowed the selection by "
               "hand; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 3 tested, 3 injected, of 3 observed attempts\n"
               "  not run: 2 selected targets at or beyond the 3 observed attempts\n");
}

BOOST_AUTO_TEST_CASE(a_range_matching_the_observed_attempts_exactly_is_partial_and_lists_nothing_untested) {
    BOOST_TEST(rendered(checker{}.failure_range(0, 3).run([] { allocate_sizes_1_to(3); })) ==
               "alloc-chaos check PARTIAL: every observed attempt was tested, but failure_range(0, 3) narrowed the selection by "
               "hand; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 3 tested, 3 injected, of 3 observed attempts\n");
}

BOOST_AUTO_TEST_CASE(only_failure_of_the_single_observed_attempt_is_partial_and_names_the_narrowing_option) {
    BOOST_TEST(rendered(checker{}.only_failure(0).run([] { allocate_and_free(1); })) ==
               "alloc-chaos check PARTIAL: every observed attempt was tested, but only_failure(0) narrowed the selection by "
               "hand; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 1 attempt\n"
               "  failures: 1 tested, 1 injected, of 1 observed attempt\n");
}

// ---- INVALID ----

namespace {

// The headline and fix of a check whose baseline observed no attempt.
const std::string tested_nothing =
    "alloc-chaos check INVALID: the baseline run observed no allocation attempt, so the check tested nothing\n"
    "  fix: link a source for what the body allocates with (the global bridge alloc_chaos::new_delete, a "
    "chaos_memory_resource, or observe_attempt for an allocator of its own), or use assert_no_allocation if "
    "allocating nothing is the point; no failure was injected\n";

}  // namespace

BOOST_AUTO_TEST_CASE(an_invalid_report_of_an_empty_body_says_the_check_tested_nothing_and_what_to_link) {
    const report r = check([] {});
    BOOST_TEST(!r.success());
    BOOST_TEST(rendered(r) == tested_nothing +
                                  "  probe: global operator new/delete bridge observed\n"
                                  "  baseline: completed, 0 attempts\n");
}

BOOST_AUTO_TEST_CASE(an_invalid_report_of_a_body_allocating_only_with_malloc_says_the_check_tested_nothing) {
    const report r = check([] {
        sink = std::malloc(64);
        std::free(sink);
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(rendered(r) == tested_nothing +
                                  "  probe: global operator new/delete bridge observed\n"
                                  "  baseline: completed, 0 attempts\n");
}

BOOST_AUTO_TEST_CASE(a_narrowed_check_of_a_body_without_attempts_is_invalid) {
    const report r = checker{}.only_failure(0).run([] {});
    BOOST_TEST(!r.success());
    BOOST_TEST(rendered(r) == tested_nothing +
                                  "  probe: global operator new/delete bridge observed\n"
                                  "  baseline: completed, 0 attempts\n");
}

BOOST_AUTO_TEST_CASE(an_invalid_report_of_a_throwing_baseline_says_what_escaped) {
    BOOST_TEST(rendered(check([] {
                   allocate_and_free(1);
                   throw boom();
               })) ==
               "alloc-chaos check INVALID: the baseline run, with nothing failed, ended in exception — boom\n"
               "  fix: the body must complete when no allocation fails; no failure was injected\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: exception — boom, 1 attempt\n");
}

BOOST_AUTO_TEST_CASE(an_invalid_report_of_a_baseline_ending_in_bad_alloc_says_so) {
    const std::string text = rendered(check([] { throw std::bad_alloc(); }));
    BOOST_TEST(text.rfind("alloc-chaos check INVALID: the baseline run, with nothing failed, ended in bad_alloc — " +
                              std::string(std::bad_alloc().what()) + "\n",
                          0) == 0u);
}

BOOST_AUTO_TEST_CASE(an_invalid_report_of_a_baseline_throwing_a_non_standard_exception_says_so) {
    BOOST_TEST(rendered(check([] { throw 42; })) ==
               "alloc-chaos check INVALID: the baseline run, with nothing failed, ended in exception — an exception "
               "of type int, not derived from std::exception\n"
               "  fix: the body must complete when no allocation fails; no failure was injected\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: exception — an exception of type int, not derived from std::exception, 0 attempts\n");
}

BOOST_AUTO_TEST_CASE(an_invalid_report_of_an_unstable_baseline_lists_every_runs_count_and_divergence) {
    std::size_t calls = 0;
    BOOST_TEST(rendered(checker{}.stability_runs(3).run([&] { allocate_sizes_1_to(++calls); })) ==
               "alloc-chaos check INVALID: the baseline is unstable: its runs observed different numbers of "
               "attempts\n"
               "  fix: make the body allocate the same way on every run (warm caches and statics before the check); "
               "no failure was injected\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 1 attempt, unstable over 3 runs (1, 2, 3 attempts)\n"
               "    baseline run 2:\n"
               "      divergence: attempt #1: baseline made only 1 attempt, this run operator new size=2 align=16\n"
               "    baseline run 3:\n"
               "      divergence: attempt #1: baseline made only 1 attempt, this run operator new size=2 align=16\n");
}

BOOST_AUTO_TEST_CASE(an_invalid_report_of_a_throwing_stability_run_says_which_run_threw) {
    std::size_t calls = 0;
    BOOST_TEST(rendered(checker{}.stability_runs(3).run([&] {
                   allocate_and_free(1);
                   if (++calls == 3)
                       throw boom();
               })) ==
               "alloc-chaos check INVALID: the baseline run 3 of 3, with nothing failed, ended in exception — boom\n"
               "  fix: the body must complete when no allocation fails; no failure was injected\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 1 attempt, unstable over 3 runs (1, 1, 1 attempts, then exception — boom)\n");
}

// The run that threw is numbered among the runs stability_runs(n) asked for, not those made.
BOOST_AUTO_TEST_CASE(an_invalid_report_of_a_throwing_stability_run_counts_the_runs_asked_for) {
    std::size_t calls = 0;
    const std::string text = rendered(checker{}.stability_runs(3).run([&] {
        allocate_and_free(1);
        if (++calls == 2)
            throw boom();
    }));
    BOOST_TEST(text.rfind("alloc-chaos check INVALID: the baseline run 2 of 3, with nothing failed, ended in exception "
                          "— boom\n",
                          0) == 0u);
    BOOST_TEST(text.find("\n  baseline: completed, 1 attempt, unstable over 2 runs (1, 1 attempts, then exception — "
                         "boom)\n") != std::string::npos);
}
