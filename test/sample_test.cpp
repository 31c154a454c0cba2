#define BOOST_TEST_MODULE sample
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using alloc_chaos::checker;
using alloc_chaos::failure_mode;
using alloc_chaos::report;
using report_text::rendered;
using test_bodies::allocate_and_free;
using test_bodies::allocate_sizes_1_to;
using test_bodies::mishandled;
using test_bodies::targets;
using test_bodies::targets_t;

namespace {

// The targets sample(n, seed) draws from a body of `observed` attempts.
targets_t drawn(std::size_t n, std::uint64_t seed, std::size_t observed) {
    const report r = checker{}.sample(n, seed).run([=] { allocate_sizes_1_to(observed); });
    return targets_t(r.sampled_targets().begin(), r.sampled_targets().end());
}

}  // namespace

// ---- the draw ----

BOOST_AUTO_TEST_CASE(the_same_seed_draws_the_same_targets) {
    BOOST_TEST(drawn(5, 7, 100) == drawn(5, 7, 100));
    BOOST_TEST(drawn(3, 42, 20) == drawn(3, 42, 20));
}

// The draw is specified (std::mt19937_64 and an exact reduction, no standard distribution), so a
// seed printed by one build draws the same targets in any other.
BOOST_AUTO_TEST_CASE(a_seed_draws_the_same_targets_on_every_build) {
    BOOST_TEST(drawn(3, 42, 20) == targets_t({5, 10, 12}));
    BOOST_TEST(drawn(5, 7, 20) == targets_t({1, 6, 7, 11, 16}));
}

BOOST_AUTO_TEST_CASE(different_seeds_draw_different_targets) {
    BOOST_TEST(drawn(3, 42, 20) != drawn(3, 43, 20));
    BOOST_TEST(drawn(3, 43, 20) == targets_t({4, 8, 18}));
}

BOOST_AUTO_TEST_CASE(the_targets_are_distinct_increasing_and_among_the_observed_attempts) {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const targets_t t = drawn(10, seed, 20);
        BOOST_TEST(t.size() == 10u, "seed " << seed);
        BOOST_TEST((std::adjacent_find(t.begin(), t.end(), std::greater_equal<>()) == t.end()), "seed " << seed);
        BOOST_TEST(t.back() < 20u, "seed " << seed);
    }
}

BOOST_AUTO_TEST_CASE(over_many_seeds_every_attempt_is_drawn_about_as_often) {
    std::array<std::size_t, 4> times{};
    for (std::uint64_t seed = 0; seed < 1000; ++seed)
        ++times[drawn(1, seed, 4).at(0)];
    for (std::size_t target = 0; target < 4; ++target)
        BOOST_TEST((times[target] >= 200u && times[target] <= 300u), "#" << target << " drawn " << times[target]);
}

// ---- the runs ----

BOOST_AUTO_TEST_CASE(the_check_runs_exactly_the_sampled_targets_and_is_partial) {
    const report r = checker{}.sample(3, 42).run([] { allocate_sizes_1_to(20); });
    BOOST_TEST(targets(r) == targets_t({5, 10, 12}));
    BOOST_TEST(r.tested_failures() == 3u);
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
    BOOST_TEST(r.narrowing() == "sample(3, 42)");
}

BOOST_AUTO_TEST_CASE(a_sample_of_at_least_the_observed_attempts_tests_every_one_and_is_still_partial) {
    const report r = checker{}.sample(30, 42).run([] { allocate_sizes_1_to(4); });
    BOOST_TEST(targets(r) == targets_t({0, 1, 2, 3}));
    BOOST_TEST(!r.success());
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check PARTIAL: every observed attempt was tested, but sample(30, 42) narrowed the "
               "selection by hand; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 4 attempts\n"
               "  failures: 4 tested, 4 injected, of 4 observed attempts\n"
               "  sampled: sample(30, 42) selected #0, #1, #2, #3\n");
}

BOOST_AUTO_TEST_CASE(a_sample_runs_each_target_in_both_modes_when_asked) {
    const report r = checker{}.sample(2, 42).mode(failure_mode::both).run([] { allocate_sizes_1_to(20); });
    BOOST_TEST(targets(r) == targets_t({4, 4, 17, 17}));
    BOOST_TEST(r.attempts()[0].mode() == failure_mode::once);
    BOOST_TEST(r.attempts()[1].mode() == failure_mode::persistent);
}

// ---- misuse and options ----

BOOST_AUTO_TEST_CASE(sample_0_throws_invalid_argument_naming_the_call) {
    try {
        checker{}.sample(0, 7);
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc_chaos::checker::sample(0, 7): a sample of no target tests nothing; draw at least 1");
    }
}

BOOST_AUTO_TEST_CASE(a_refused_sample_leaves_the_selection_unchanged) {
    checker c;
    c.only_failure(1);
    BOOST_CHECK_THROW(c.sample(0, 7), std::invalid_argument);
    const report r = c.run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(targets(r) == targets_t({1}));
    BOOST_TEST(r.sampled_targets().empty());
}

BOOST_AUTO_TEST_CASE(sample_replaces_only_failure_and_failure_range) {
    const auto body = [] { allocate_sizes_1_to(20); };
    BOOST_TEST(targets(checker{}.only_failure(1).sample(3, 42).run(body)) == targets_t({5, 10, 12}));
    BOOST_TEST(targets(checker{}.failure_range(0, 2).sample(3, 42).run(body)) == targets_t({5, 10, 12}));
}

BOOST_AUTO_TEST_CASE(only_failure_and_failure_range_replace_sample) {
    const auto body = [] { allocate_sizes_1_to(20); };
    const report only = checker{}.sample(3, 42).only_failure(1).run(body);
    BOOST_TEST(targets(only) == targets_t({1}));
    BOOST_TEST(only.sampled_targets().empty());
    BOOST_TEST(targets(checker{}.sample(3, 42).failure_range(7, 9).run(body)) == targets_t({7, 8}));
}

BOOST_AUTO_TEST_CASE(sampled_targets_is_empty_without_sample) {
    const report r = alloc_chaos::check([] { allocate_sizes_1_to(3); });
    BOOST_TEST(r.sampled_targets().empty());
}

BOOST_AUTO_TEST_CASE(max_failures_keeps_the_first_sampled_targets) {
    const report r = checker{}.sample(3, 42).max_failures(2).run([] { allocate_sizes_1_to(20); });
    BOOST_TEST(targets(r) == targets_t({5, 10}));
    BOOST_TEST((targets_t(r.sampled_targets().begin(), r.sampled_targets().end()) == targets_t({5, 10})));
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check PARTIAL: tested 2 of 20 observed attempts; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 20 attempts\n"
               "  failures: 2 tested, 2 injected, of 20 observed attempts\n"
               "  sampled: sample(3, 42) selected #5, #10\n"
               "  not tested: 18 attempts (#0..#4, #6..#9, #11..#19), selected by sample(3, 42), max_failures(2)\n");
}

// ---- the report ----

BOOST_AUTO_TEST_CASE(the_report_prints_the_call_and_the_targets_it_drew) {
    BOOST_TEST(rendered(checker{}.sample(3, 42).run([] { allocate_sizes_1_to(20); })) ==
               "alloc-chaos check PARTIAL: tested 3 of 20 observed attempts; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 20 attempts\n"
               "  failures: 3 tested, 3 injected, of 20 observed attempts\n"
               "  sampled: sample(3, 42) selected #5, #10, #12\n"
               "  not tested: 17 attempts (#0..#4, #6..#9, #11, #13..#19), selected by sample(3, 42)\n");
}

BOOST_AUTO_TEST_CASE(a_failed_sampled_run_prints_its_replay_line) {
    const report r = checker{}.sample(3, 42).run([] {
        allocate_sizes_1_to(10);
        try {
            allocate_and_free(11);  // #10
        } catch (const std::bad_alloc&) {
            throw mishandled();
        }
        allocate_sizes_1_to(9);
    });
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check FAILED: 1 of 3 failure runs did not end in a controlled error\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 20 attempts\n"
               "  failures: 3 tested, 3 injected, of 20 observed attempts\n"
               "  #10 operator new size=11 align=16: exception — mishandled\n"
               "      replay: ALLOC_CHAOS_ONLY=10\n"
               "  sampled: sample(3, 42) selected #5, #10, #12\n"
               "  not tested: 17 attempts (#0..#4, #6..#9, #11, #13..#19), selected by sample(3, 42)\n"
               "SUMMARY: 1 of 3 failure runs failed: 1 exception\n");
}

BOOST_AUTO_TEST_CASE(the_untested_line_names_the_first_20_gaps_of_a_sample) {
    const report r = checker{}.sample(50, 1).run([] { allocate_sizes_1_to(200); });
    const std::set<std::size_t> sampled(r.sampled_targets().begin(), r.sampled_targets().end());
    BOOST_TEST_REQUIRE(sampled.size() == 50u);
    // The gaps between the sampled targets, named as the report names them.
    std::vector<std::string> gaps;
    for (std::size_t from = 0; from < 200;) {
        if (sampled.count(from) != 0) {
            ++from;
            continue;
        }
        std::size_t to = from;
        while (to < 200 && sampled.count(to) == 0)
            ++to;
        std::string gap = "#";
        gap += std::to_string(from);
        if (to - from > 1)
            gap += "..#" + std::to_string(to - 1);
        gaps.push_back(gap);
        from = to;
    }
    BOOST_TEST_REQUIRE(gaps.size() > 20u);
    std::string first_20;
    for (std::size_t i = 0; i < 20; ++i)
        first_20 += gaps[i] + ", ";
    const std::string expected = "\n  not tested: 150 attempts (" + first_20 + "...), selected by sample(50, 1)\n";
    BOOST_TEST(rendered(r).find(expected) != std::string::npos, rendered(r));
}
