#define BOOST_TEST_MODULE divergence
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"

#include <cstddef>
#include <new>
#include <sstream>
#include <string>

using alloc_chaos::allocation;
using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using report_text::rendered;
using test_bodies::allocate_and_free;
using test_bodies::on_a_fresh_thread;
using test_bodies::plain;
using test_bodies::sink;

namespace {

// Three attempts of sizes 8, then 24 on the first call and 32 on every later one, then 8.
class second_attempt_grows {
public:
    void operator()() {
        allocate_and_free(8);
        allocate_and_free(++calls_ == 1 ? 24 : 32);
        allocate_and_free(8);
    }

private:
    std::size_t calls_ = 0;
};

}  // namespace

// ---- injected runs ----

BOOST_AUTO_TEST_CASE(an_injected_run_whose_attempts_before_the_target_differ_from_the_baselines_has_a_divergence) {
    const report r = check(second_attempt_grows{});
    BOOST_TEST(!r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    const auto found = r.attempts()[2].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::divergence);
    BOOST_TEST((found[0].allocation() == allocation(1, operation::operator_new, 32, plain, false)));
    BOOST_TEST(found[0].message() ==
               "attempt #1: baseline operator new size=24 align=16, this run operator new size=32 align=16");
    BOOST_TEST(r.attempts()[2].outcome() == outcome::bad_alloc);
}

BOOST_AUTO_TEST_CASE(a_divergence_has_the_baselines_attempt_as_a_fact) {
    const report r = check(second_attempt_grows{});
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    const auto found = r.attempts()[2].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST((found[0].facts().expected == allocation(1, operation::operator_new, 24, plain, false)));
    BOOST_TEST(!found[0].facts().baseline_attempts);
}

// Run #1 fails the very attempt that differs: only the attempts before a target are compared.
BOOST_AUTO_TEST_CASE(the_target_itself_and_the_attempts_after_it_are_not_compared) {
    const report r = check(second_attempt_grows{});
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[0].findings().empty());
    BOOST_TEST(r.attempts()[0].success());
    BOOST_TEST(r.attempts()[1].findings().empty());
    BOOST_TEST(r.attempts()[1].success());
    BOOST_TEST((r.attempts()[1].injected_allocation() == allocation(1, operation::operator_new, 32, plain, false)));
}

BOOST_AUTO_TEST_CASE(a_report_shows_a_divergence_under_the_run_it_was_found_in) {
    BOOST_TEST(rendered(check(second_attempt_grows{})) ==
               "alloc-chaos check FAILED: 1 of 3 failure runs did not end in a controlled error with no findings\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 3 tested, 3 injected, of 3 observed attempts\n"
               "  #2 operator new size=8 align=16: bad_alloc — alloc-chaos injected failure of attempt #2 operator "
               "new size=8 align=16\n"
               "      divergence: attempt #1: baseline operator new size=24 align=16, this run operator new size=32 "
               "align=16\n"
               "      replay: ALLOC_CHAOS_ONLY=2\n"
               "SUMMARY: 1 of 3 failure runs failed: 1 divergence\n");
}

BOOST_AUTO_TEST_CASE(a_divergence_is_found_at_the_first_differing_attempt_only) {
    std::size_t calls = 0;
    const report r = checker{}.only_failure(3).run([&] {
        const bool first = ++calls == 1;
        allocate_and_free(8);
        allocate_and_free(first ? 10 : 11);  // #1 differs
        allocate_and_free(first ? 20 : 21);  // #2 differs too
        allocate_and_free(8);
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const auto found = r.attempts()[0].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].message() ==
               "attempt #1: baseline operator new size=10 align=16, this run operator new size=11 align=16");
}

// A fresh thread's signature logs start with room for 1,024 attempts: the attempts past it are
// compared as the first ones are.
BOOST_AUTO_TEST_CASE(a_divergence_thousands_of_attempts_into_a_run_is_found_at_its_exact_attempt) {
    const report r = on_a_fresh_thread([] {
        std::size_t calls = 0;
        return checker{}.only_failure(2999).run([&] {
            const bool first = ++calls == 1;
            for (std::size_t i = 0; i < 3000; ++i)
                allocate_and_free(i == 2500 && !first ? 16 : 8);
        });
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const auto found = r.attempts()[0].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::divergence);
    BOOST_TEST((found[0].allocation() == allocation(2500, operation::operator_new, 16, plain, false)));
    BOOST_TEST(found[0].message() ==
               "attempt #2500: baseline operator new size=8 align=16, this run operator new size=16 align=16");
}

BOOST_AUTO_TEST_CASE(a_different_operation_or_alignment_before_the_target_is_a_divergence) {
    std::size_t calls = 0;
    const report r = checker{}.only_failure(2).run([&] {
        if (++calls == 1) {
            allocate_and_free(8);
            sink = ::operator new(16, std::align_val_t(64));
            ::operator delete(sink, std::align_val_t(64));
        } else {
            allocate_and_free(8);
            sink = ::operator new[](16);
            ::operator delete[](sink);
        }
        allocate_and_free(8);
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const auto found = r.attempts()[0].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::divergence);
    BOOST_TEST((found[0].allocation() == allocation(1, operation::operator_new_array, 16, plain, false)));
    BOOST_TEST(found[0].message() ==
               "attempt #1: baseline operator new size=16 align=64, this run operator new[] size=16 align=16");
}

BOOST_AUTO_TEST_CASE(a_fallback_path_after_the_failed_attempt_is_no_divergence) {
    const report r = check([] {
        try {
            allocate_and_free(64);
        } catch (const std::bad_alloc&) {  // a smaller fallback, attempts the baseline never made
            allocate_and_free(8);
            allocate_and_free(16);
        }
        allocate_and_free(4);
    });
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].observed_allocations() == 4u);
    BOOST_TEST(r.attempts()[0].findings().empty());
    BOOST_TEST(r.attempts()[1].findings().empty());
}

BOOST_AUTO_TEST_CASE(a_run_that_makes_fewer_attempts_before_its_target_than_the_baseline_is_not_reached_not_diverged) {
    std::size_t calls = 0;
    const report r = check([&] {
        allocate_and_free(8);
        if (++calls == 1)
            allocate_and_free(8);
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(!r.attempts()[1].injected());
    BOOST_TEST(r.attempts()[1].findings().empty());
}

// ---- stability runs ----

BOOST_AUTO_TEST_CASE(stability_runs_with_equal_counts_but_different_sizes_make_the_report_invalid) {
    const report r = checker{}.stability_runs(2).run(second_attempt_grows{});
    BOOST_TEST(!r.success());
    BOOST_TEST(!r.baseline_stable());
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST_REQUIRE(r.stability_baselines().size() == 1u);
    BOOST_TEST(r.stability_baselines()[0].allocations() == r.baseline_allocations());
    const auto found = r.stability_baselines()[0].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::divergence);
    BOOST_TEST((found[0].allocation() == allocation(1, operation::operator_new, 32, plain, false)));
}

BOOST_AUTO_TEST_CASE(an_invalid_report_of_stability_runs_with_different_attempts_says_they_are_not_the_same_ones) {
    BOOST_TEST(rendered(checker{}.stability_runs(2).run(second_attempt_grows{})) ==
               "alloc-chaos check INVALID: the baseline is unstable: its runs made as many attempts, but not the same "
               "ones\n"
               "  fix: make the body allocate the same way on every run (warm caches and statics before the check); "
               "no failure was injected\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts, unstable over 2 runs (3, 3 attempts)\n"
               "    baseline run 2:\n"
               "      divergence: attempt #1: baseline operator new size=24 align=16, this run operator new size=32 "
               "align=16\n");
}

BOOST_AUTO_TEST_CASE(a_stability_run_that_makes_fewer_attempts_has_a_divergence_counting_them) {
    std::size_t calls = 0;
    const report r = checker{}.stability_runs(2).run([&] {
        allocate_and_free(8);
        if (++calls == 1)
            allocate_and_free(8);
    });
    BOOST_TEST(!r.baseline_stable());
    BOOST_TEST_REQUIRE(r.stability_baselines().size() == 1u);
    const auto found = r.stability_baselines()[0].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::divergence);
    BOOST_TEST(!found[0].allocation().has_value());
    BOOST_TEST(found[0].message() == "the baseline made 2 attempts, this run only 1");
}

BOOST_AUTO_TEST_CASE(stability_runs_making_the_same_attempts_are_stable_and_find_nothing) {
    const report r = checker{}.stability_runs(3).run([] {
        allocate_and_free(8);
        allocate_and_free(24);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_stable());
    for (const alloc_chaos::baseline_run& b : r.stability_baselines())
        BOOST_TEST(b.findings().empty());
}
