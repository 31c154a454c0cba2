#define BOOST_TEST_MODULE replay
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"

#include <cstddef>
#include <cstdlib>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::failure_mode;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using report_text::rendered;
using test_bodies::allocate_and_free;
using test_bodies::allocate_sizes_1_to;
using test_bodies::mishandled;
using test_bodies::plain;
using test_bodies::sink;

namespace {

// Makes 6 attempts of sizes 1..6; a failure of #3 (size 4) escapes as `mishandled`, in either mode.
void six_attempts_mishandling_attempt_3() {
    allocate_sizes_1_to(3);
    try {
        allocate_and_free(4);  // #3
    } catch (const std::bad_alloc&) {
        throw mishandled();
    }
    allocate_and_free(5);
    allocate_and_free(6);
}

const char* const variables[] = {"ALLOC_CHAOS_ONLY", "ALLOC_CHAOS_RANGE", "ALLOC_CHAOS_MODE", "ALLOC_CHAOS_TRAP"};

// The ALLOC_CHAOS_* environment of this process while alive: every variable unset, then those set
// by set(); all unset again at the end, whatever the test did.
class replay_environment {
public:
    replay_environment() { clear(); }
    ~replay_environment() { clear(); }
    replay_environment(const replay_environment&) = delete;
    replay_environment& operator=(const replay_environment&) = delete;

    replay_environment& set(const std::string& name, const std::string& value) {
        ::setenv(name.c_str(), value.c_str(), 1);
        return *this;
    }
    // Sets each NAME=value of a replay line's settings.
    replay_environment& set(const std::vector<std::pair<std::string, std::string>>& settings) {
        for (const auto& [name, value] : settings)
            set(name, value);
        return *this;
    }

private:
    static void clear() {
        for (const char* name : variables)
            ::unsetenv(name);
    }
};

// The settings of every "      replay: NAME=value NAME=value" line of a report's text, in order.
std::vector<std::vector<std::pair<std::string, std::string>>> replay_lines(const std::string& text) {
    const std::string prefix = "\n      replay: ";
    std::vector<std::vector<std::pair<std::string, std::string>>> lines;
    for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
        const std::size_t begin = at + prefix.size();
        const std::string line = text.substr(begin, text.find('\n', begin) - begin);
        std::vector<std::pair<std::string, std::string>> settings;
        for (std::size_t from = 0; from < line.size();) {
            std::size_t end = line.find(' ', from);
            if (end == std::string::npos)
                end = line.size();
            const std::string setting = line.substr(from, end - from);
            const std::size_t equals = setting.find('=');
            settings.emplace_back(setting.substr(0, equals), setting.substr(equals + 1));
            from = end + 1;
        }
        lines.push_back(std::move(settings));
    }
    return lines;
}

using settings_t = std::vector<std::pair<std::string, std::string>>;

// The message of the std::invalid_argument a check throws under the current environment.
std::string refusal(std::size_t& body_runs) {
    try {
        check([&] {
            ++body_runs;
            allocate_sizes_1_to(3);
        });
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no exception";
}

}  // namespace

// ---- replaying the target a report printed ----

BOOST_AUTO_TEST_CASE(the_replay_line_of_a_failed_run_reruns_exactly_that_target) {
    replay_environment environment;
    const report failed = check(six_attempts_mishandling_attempt_3);
    BOOST_TEST_REQUIRE(failed.attempts().size() == 6u);
    const alloc_chaos::attempt& original = failed.attempts()[3];
    BOOST_TEST_REQUIRE(!original.success());
    const auto lines = replay_lines(rendered(failed));
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST((lines[0] == settings_t{{"ALLOC_CHAOS_ONLY", "3"}}));

    environment.set(lines[0]);
    const report replayed = check(six_attempts_mishandling_attempt_3);
    BOOST_TEST(!replayed.success());
    BOOST_TEST_REQUIRE(replayed.attempts().size() == 1u);
    const alloc_chaos::attempt& run = replayed.attempts()[0];
    BOOST_TEST(run.target() == 3u);
    BOOST_TEST((run.injected_allocation() == allocation(3, operation::operator_new, 4, plain, false)));
    BOOST_TEST((run.injected_allocation() == original.injected_allocation()));
    BOOST_TEST(run.outcome() == outcome::exception);
    BOOST_TEST(run.message() == "mishandled");
    BOOST_TEST(run.observed_allocations() == original.observed_allocations());
    BOOST_TEST(run.mode() == failure_mode::once);
    BOOST_TEST(replayed.narrowing() == "ALLOC_CHAOS_ONLY=3");
    BOOST_TEST((replay_lines(rendered(replayed)) == lines));
}

BOOST_AUTO_TEST_CASE(the_replay_line_of_a_persistent_run_reruns_it_in_persistent_mode) {
    replay_environment environment;
    const auto body = [] {
        allocate_and_free(1);
        try {
            allocate_and_free(2);  // #1
            allocate_and_free(3);  // #2
        } catch (const std::bad_alloc&) {
            void* p = ::operator new(8, std::nothrow);  // a recovery path that allocates
            sink = p;
            if (p == nullptr)
                throw mishandled();
            ::operator delete(p);
        }
    };
    const report failed = checker{}.mode(failure_mode::persistent).run(body);
    const auto lines = replay_lines(rendered(failed));
    BOOST_TEST_REQUIRE(lines.size() == 2u);  // the runs failing #1 and #2
    BOOST_TEST((lines[1] == settings_t{{"ALLOC_CHAOS_ONLY", "2"}, {"ALLOC_CHAOS_MODE", "persistent"}}));

    environment.set(lines[1]);
    const report replayed = check(body);  // the environment, not the code, asks for persistent
    BOOST_TEST(replayed.mode() == failure_mode::persistent);
    BOOST_TEST_REQUIRE(replayed.attempts().size() == 1u);
    const alloc_chaos::attempt& run = replayed.attempts()[0];
    BOOST_TEST(run.target() == 2u);
    BOOST_TEST(run.mode() == failure_mode::persistent);
    BOOST_TEST((run.injected_allocation() == allocation(2, operation::operator_new, 3, plain, false)));
    BOOST_TEST(run.failed_attempts() == 2u);
    BOOST_TEST(run.failed_attempts() == failed.attempts()[2].failed_attempts());
    BOOST_TEST(run.message() == "mishandled");
    BOOST_TEST(replayed.narrowing() == "ALLOC_CHAOS_ONLY=2 ALLOC_CHAOS_MODE=persistent");
}

BOOST_AUTO_TEST_CASE(each_replay_line_of_a_both_report_reruns_its_own_run) {
    replay_environment environment;
    const report failed = checker{}.mode(failure_mode::both).run(six_attempts_mishandling_attempt_3);
    const auto lines = replay_lines(rendered(failed));
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    BOOST_TEST((lines[0] == settings_t{{"ALLOC_CHAOS_ONLY", "3"}, {"ALLOC_CHAOS_MODE", "once"}}));
    BOOST_TEST((lines[1] == settings_t{{"ALLOC_CHAOS_ONLY", "3"}, {"ALLOC_CHAOS_MODE", "persistent"}}));
    for (std::size_t i = 0; i < 2; ++i) {
        environment.set(lines[i]);
        const report replayed = checker{}.mode(failure_mode::both).run(six_attempts_mishandling_attempt_3);
        BOOST_TEST_REQUIRE(replayed.attempts().size() == 1u, "line " << i);
        BOOST_TEST(replayed.attempts()[0].target() == 3u, "line " << i);
        BOOST_TEST(replayed.attempts()[0].mode() == (i == 0 ? failure_mode::once : failure_mode::persistent));
        BOOST_TEST(replayed.attempts()[0].message() == "mishandled", "line " << i);
    }
}

// ---- each variable ----

BOOST_AUTO_TEST_CASE(alloc_chaos_only_replaces_the_checks_own_selection) {
    replay_environment environment;
    environment.set("ALLOC_CHAOS_ONLY", "2");
    const auto body = [] { allocate_sizes_1_to(5); };
    for (const checker& c : {checker{}, checker{}.only_failure(0), checker{}.failure_range(3, 5),
                             checker{}.sample(2, 42)}) {
        const report r = c.run(body);
        BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
        BOOST_TEST(r.attempts()[0].target() == 2u);
        BOOST_TEST(r.sampled_targets().empty());
    }
}

BOOST_AUTO_TEST_CASE(alloc_chaos_range_selects_a_half_open_range) {
    replay_environment environment;
    environment.set("ALLOC_CHAOS_RANGE", "1:3");
    const report r = check([] { allocate_sizes_1_to(5); });
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].target() == 1u);
    BOOST_TEST(r.attempts()[1].target() == 2u);
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check PARTIAL: tested 2 of 5 observed attempts; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 5 attempts\n"
               "  failures: 2 tested, 2 injected, of 5 observed attempts\n"
               "  not tested: 3 attempts (#0, #3..#4), selected by ALLOC_CHAOS_RANGE=1:3\n");
}

BOOST_AUTO_TEST_CASE(alloc_chaos_range_beyond_the_observed_attempts_says_what_was_not_run) {
    replay_environment environment;
    environment.set("ALLOC_CHAOS_RANGE", "2:6");
    const report r = check([] { allocate_sizes_1_to(3); });
    BOOST_TEST(r.attempts().size() == 1u);
    BOOST_TEST(r.targets_beyond_observed() == 3u);
}

BOOST_AUTO_TEST_CASE(only_failure_of_the_largest_index_says_what_was_not_run_as_alloc_chaos_only_does) {
    constexpr std::size_t largest = std::numeric_limits<std::size_t>::max();
    const auto body = [] { allocate_sizes_1_to(3); };
    report replayed;
    {
        replay_environment environment;
        environment.set("ALLOC_CHAOS_ONLY", std::to_string(largest));
        replayed = check(body);
    }
    const report chosen = checker{}.only_failure(largest).run(body);
    const std::string not_run = "  not run: 1 selected target at or beyond the 3 observed attempts\n";
    BOOST_TEST(replayed.targets_beyond_observed() == 1u);
    BOOST_TEST(chosen.targets_beyond_observed() == 1u);
    BOOST_TEST(chosen.attempts().empty());
    BOOST_TEST(rendered(replayed).ends_with(not_run));
    BOOST_TEST(rendered(chosen).ends_with(not_run));
    BOOST_TEST(rendered(chosen) ==
               "alloc-chaos check PARTIAL: tested 0 of 3 observed attempts; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 0 tested, 0 injected, of 3 observed attempts\n"
               "  not tested: 3 attempts (#0..#2), selected by only_failure(18446744073709551615)\n"
               "  not run: 1 selected target at or beyond the 3 observed attempts\n");
}

BOOST_AUTO_TEST_CASE(alloc_chaos_mode_replaces_the_checks_own_mode) {
    replay_environment environment;
    environment.set("ALLOC_CHAOS_MODE", "persistent");
    const report persistent = check([] { allocate_sizes_1_to(2); });
    BOOST_TEST(persistent.mode() == failure_mode::persistent);
    BOOST_TEST(persistent.attempts().size() == 2u);
    environment.set("ALLOC_CHAOS_MODE", "once");
    BOOST_TEST(checker{}.mode(failure_mode::both).run([] { allocate_sizes_1_to(2); }).attempts().size() == 2u);
    environment.set("ALLOC_CHAOS_MODE", "both");
    const report both = check([] { allocate_sizes_1_to(2); });
    BOOST_TEST(both.mode() == failure_mode::both);
    BOOST_TEST(both.attempts().size() == 4u);
}

BOOST_AUTO_TEST_CASE(alloc_chaos_mode_alone_keeps_the_checks_own_targets) {
    replay_environment environment;
    environment.set("ALLOC_CHAOS_MODE", "persistent");
    const report r = checker{}.failure_range(1, 3).run([] { allocate_sizes_1_to(4); });
    BOOST_TEST(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].target() == 1u);
    BOOST_TEST(r.narrowing() == "failure_range(1, 3) ALLOC_CHAOS_MODE=persistent");
}

BOOST_AUTO_TEST_CASE(with_the_variables_unset_a_check_runs_its_own_selection_again) {
    {
        replay_environment environment;
        environment.set("ALLOC_CHAOS_ONLY", "1");
        BOOST_TEST(!check([] { allocate_sizes_1_to(3); }).success());
    }
    const report r = check([] { allocate_sizes_1_to(3); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.narrowing().empty());
}

// ---- never a success ----

BOOST_AUTO_TEST_CASE(alloc_chaos_only_of_the_single_observed_attempt_is_partial) {
    replay_environment environment;
    environment.set("ALLOC_CHAOS_ONLY", "0");
    const report r = check([] { allocate_and_free(1); });
    BOOST_TEST(!r.success());
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check PARTIAL: every observed attempt was tested, but ALLOC_CHAOS_ONLY=0 narrowed the "
               "selection by hand; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 1 attempt\n"
               "  failures: 1 tested, 1 injected, of 1 observed attempt\n");
}

BOOST_AUTO_TEST_CASE(alloc_chaos_range_covering_every_attempt_is_partial) {
    replay_environment environment;
    environment.set("ALLOC_CHAOS_RANGE", "0:3");
    const report r = check([] { allocate_sizes_1_to(3); });
    BOOST_TEST(r.attempts().size() == 3u);
    BOOST_TEST(!r.success());
    BOOST_TEST(r.truncated());
}

BOOST_AUTO_TEST_CASE(alloc_chaos_mode_on_an_exhaustive_check_is_partial) {
    replay_environment environment;
    environment.set("ALLOC_CHAOS_MODE", "once");
    const report r = check([] { allocate_sizes_1_to(3); });
    BOOST_TEST(r.attempts().size() == 3u);
    BOOST_TEST(!r.success());
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check PARTIAL: every observed attempt was tested, but ALLOC_CHAOS_MODE=once narrowed the "
               "selection by hand; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 3 tested, 3 injected, of 3 observed attempts\n");
}

// ---- bad values ----

BOOST_AUTO_TEST_CASE(a_bad_alloc_chaos_only_throws_invalid_argument_before_running_the_body) {
    for (const char* value : {"x", "", "-1", "3 ", "0x3"}) {
        replay_environment environment;
        environment.set("ALLOC_CHAOS_ONLY", value);
        std::size_t body_runs = 0;
        BOOST_TEST(refusal(body_runs) == "alloc-chaos: ALLOC_CHAOS_ONLY=\"" + std::string(value) +
                                             "\" is not an attempt index, such as 7; set it as shown, or unset "
                                             "ALLOC_CHAOS_ONLY to run the check's own selection");
        BOOST_TEST(body_runs == 0u);
    }
}

BOOST_AUTO_TEST_CASE(an_alloc_chaos_range_without_a_colon_throws_invalid_argument) {
    for (const char* value : {"3", "3-9", ":", ":9", "3:", "a:b"}) {
        replay_environment environment;
        environment.set("ALLOC_CHAOS_RANGE", value);
        std::size_t body_runs = 0;
        BOOST_TEST(refusal(body_runs) == "alloc-chaos: ALLOC_CHAOS_RANGE=\"" + std::string(value) +
                                             "\" is not a half-open range first:last, such as 3:9; set it as shown, "
                                             "or unset ALLOC_CHAOS_RANGE to run the check's own selection");
        BOOST_TEST(body_runs == 0u);
    }
}

BOOST_AUTO_TEST_CASE(an_empty_or_reversed_alloc_chaos_range_throws_invalid_argument) {
    for (const char* value : {"2:2", "5:2"}) {
        replay_environment environment;
        environment.set("ALLOC_CHAOS_RANGE", value);
        std::size_t body_runs = 0;
        BOOST_TEST(refusal(body_runs) == "alloc-chaos: ALLOC_CHAOS_RANGE=\"" + std::string(value) +
                                             "\" is not a non-empty range first:last with first < last, such as "
                                             "3:9; set it as shown, or unset ALLOC_CHAOS_RANGE to run the check's "
                                             "own selection");
        BOOST_TEST(body_runs == 0u);
    }
}

BOOST_AUTO_TEST_CASE(a_bad_alloc_chaos_mode_throws_invalid_argument) {
    for (const char* value : {"Once", "persistant", "", "all"}) {
        replay_environment environment;
        environment.set("ALLOC_CHAOS_MODE", value);
        std::size_t body_runs = 0;
        BOOST_TEST(refusal(body_runs) == "alloc-chaos: ALLOC_CHAOS_MODE=\"" + std::string(value) +
                                             "\" is not once, persistent or both; set it as shown, or unset "
                                             "ALLOC_CHAOS_MODE to run the check's own selection");
        BOOST_TEST(body_runs == 0u);
    }
}

BOOST_AUTO_TEST_CASE(a_bad_alloc_chaos_trap_throws_invalid_argument) {
    replay_environment environment;
    environment.set("ALLOC_CHAOS_TRAP", "first");
    std::size_t body_runs = 0;
    BOOST_TEST(refusal(body_runs) == "alloc-chaos: ALLOC_CHAOS_TRAP=\"first\" is not an attempt index, such as 7; "
                                     "set it as shown, or unset ALLOC_CHAOS_TRAP to run without a trap");
    BOOST_TEST(body_runs == 0u);
}

BOOST_AUTO_TEST_CASE(alloc_chaos_only_and_alloc_chaos_range_together_throw_invalid_argument) {
    replay_environment environment;
    environment.set("ALLOC_CHAOS_ONLY", "1").set("ALLOC_CHAOS_RANGE", "0:2");
    std::size_t body_runs = 0;
    BOOST_TEST(refusal(body_runs) ==
               "alloc-chaos: ALLOC_CHAOS_ONLY and ALLOC_CHAOS_RANGE are both set; set one of them");
    BOOST_TEST(body_runs == 0u);
}

BOOST_AUTO_TEST_CASE(a_bad_value_is_a_logic_error_and_a_check_runs_after_it) {
    {
        replay_environment environment;
        environment.set("ALLOC_CHAOS_ONLY", "seven");
        BOOST_CHECK_THROW(check([] { allocate_and_free(1); }), std::logic_error);
    }
    BOOST_TEST(check([] { allocate_and_free(1); }).success());
}
