// Runs the deliberately broken cases of boost_test_failing_cases one by one, and asserts the
// exit status of each and the exact lines its log must hold. The path of that executable comes
// after `--` on the command line, or from ALLOC_CHAOS_FAILING_CASES.
#define BOOST_TEST_MODULE boost_test_failing
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace {

namespace utf = boost::unit_test;

std::string failing_cases_path() {
    const auto& suite = utf::framework::master_test_suite();
    if (suite.argc > 1)
        return suite.argv[suite.argc - 1];
    const char* path = std::getenv("ALLOC_CHAOS_FAILING_CASES");
    return path != nullptr ? path : "";
}

struct case_run {
    int exit_code = -1;
    std::vector<std::string> lines;

    // True when a line of the log ends with `tail`: log lines start with the file's path.
    bool has_line_ending(const std::string& tail) const {
        for (const std::string& line : lines)
            if (line.size() >= tail.size() && line.compare(line.size() - tail.size(), tail.size(), tail) == 0)
                return true;
        return false;
    }
    bool has_line(const std::string& whole) const {
        for (const std::string& line : lines)
            if (line == whole)
                return true;
        return false;
    }
    bool has_line_matching(const std::string& pattern) const {
        const std::regex whole(pattern);
        for (const std::string& line : lines)
            if (std::regex_match(line, whole))
                return true;
        return false;
    }
    // The first line that ends with `tail` and the `more` lines after it; empty when none does.
    std::vector<std::string> lines_from(const std::string& tail, std::size_t more) const {
        for (std::size_t i = 0; i < lines.size(); ++i)
            if (lines[i].size() >= tail.size() &&
                lines[i].compare(lines[i].size() - tail.size(), tail.size(), tail) == 0)
                return {lines.begin() + static_cast<std::ptrdiff_t>(i),
                        lines.begin() + static_cast<std::ptrdiff_t>(std::min(lines.size(), i + 1 + more))};
        return {};
    }
    // The lines of Boost.Test's report, from "Test module ..." on.
    std::vector<std::string> results() const {
        for (std::size_t i = 0; i < lines.size(); ++i)
            if (lines[i].rfind("Test module \"", 0) == 0)
                return {lines.begin() + static_cast<std::ptrdiff_t>(i), lines.end()};
        return {};
    }
    std::string log() const {
        std::string all;
        for (const std::string& line : lines)
            all += line + '\n';
        return all;
    }
};

// A case that Boost.Test leaves by longjmp (a signal, a timeout) skips its destructors and leaks
// by nature: under LeakSanitizer, that must not change the exit status this suite asserts.
const std::string leaks_allowed = "ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\" ";

// Runs the cases `name` selects; `environment` ("NAME=value ") is set for them.
case_run run_failing_case(const std::string& name, const std::string& log_level = "error",
                          const std::string& report_level = "no", const std::string& environment = "") {
    const std::string path = failing_cases_path();
    BOOST_TEST_REQUIRE(!path.empty(), "give the path of boost_test_failing_cases after --, or in ALLOC_CHAOS_FAILING_CASES");
    const std::string command = leaks_allowed + environment + "'" + path + "' --run_test=" + name +
                                " --color_output=no --report_level=" + report_level + " --log_level=" + log_level +
                                " 2>&1";
    case_run run;
    FILE* pipe = ::popen(command.c_str(), "r");
    BOOST_TEST_REQUIRE(pipe != nullptr);
    std::string line;
    for (int c; (c = std::fgetc(pipe)) != EOF;) {
        if (c == '\n') {
            run.lines.push_back(line);
            line.clear();
        } else {
            line += static_cast<char>(c);
        }
    }
    if (!line.empty())
        run.lines.push_back(line);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

constexpr int boost_test_failure = 201;  // boost::exit_test_failure

// Runs the case `name` in place, then as in_workers/<name>, and expects the second to fail, to
// log its failed `assertion` (what follows `in "<case>"` on its line) in the context of
// `run_line`, exactly as the first logs it but for the case's name, and to end with the same
// report of counts. Returns the run in worker processes, for the case to assert what else it shows.
case_run run_in_workers_logged_as_in_place(const std::string& name, const std::string& assertion,
                                           const std::string& run_line) {
    const case_run in_place = run_failing_case(name, "error", "short");
    const case_run run = run_failing_case("in_workers/" + name, "error", "short");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    const std::vector<std::string> logged = run.lines_from("in \"in_workers/" + name + "\"" + assertion, 2);
    BOOST_TEST(logged == (std::vector<std::string>{logged.empty() ? "" : logged[0],
                                                   "Failure occurred in a following context:", run_line}),
               boost::test_tools::per_element());
    // The line the same body logs in place, but for the case's name.
    std::vector<std::string> expected = in_place.lines_from("in \"" + name + "\"" + assertion, 2);
    BOOST_TEST_REQUIRE(!expected.empty());
    expected[0].replace(expected[0].find("\"" + name), 1, "\"in_workers/");
    BOOST_TEST(logged == expected, boost::test_tools::per_element());
    // Counted by the calling process, as in place.
    BOOST_TEST(run.results() == in_place.results(), boost::test_tools::per_element());
    return run;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_swallowed_failure_that_leaves_a_wrong_result_fails_the_case_at_its_attempt) {
    const case_run run = run_failing_case("wrong_result_after_a_swallowed_failure");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.has_line_ending(
        "error: in \"wrong_result_after_a_swallowed_failure\": check parts.size() == 2u has failed [0 != 2]"));
    BOOST_TEST(run.has_line("    alloc-chaos run failing attempt #0"));
    BOOST_TEST(run.has_line_ending("error: in \"wrong_result_after_a_swallowed_failure\": alloc-chaos check FAILED: "
                                   "1 of 1 failure run did not end in a controlled error"));
    BOOST_TEST(run.has_line("  #0 operator new size=64 align=16: exception \u2014 1 Boost.Test assertion failed in "
                            "the run failing #0 operator new size=64 align=16 (logged above); the loop stops at it"));
}

BOOST_AUTO_TEST_CASE(the_loop_stops_at_the_first_failed_assertion_and_says_so) {
    const case_run run = run_failing_case("wrong_result_after_a_swallowed_failure");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.has_line("  failures: 1 tested, 1 injected, of 3 observed attempts"));
    BOOST_TEST(run.has_line("  stopped early: the body ended the check with abort_check"));
    BOOST_TEST(!run.has_line("    alloc-chaos run failing attempt #1"));
}

BOOST_AUTO_TEST_CASE(a_wrong_exception_type_names_every_attempt_it_escaped_from) {
    const case_run run = run_failing_case("wrong_exception_type");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.has_line_ending("error: in \"wrong_exception_type\": alloc-chaos check FAILED: "
                                   "2 of 2 failure runs did not end in a controlled error"));
    BOOST_TEST(run.has_line("  #0 operator new size=32 align=16: exception \u2014 out of memory, reported as a runtime_error"));
    BOOST_TEST(run.has_line("  #1 operator new size=41 align=16: exception \u2014 out of memory, reported as a runtime_error"));
}

BOOST_AUTO_TEST_CASE(each_failed_run_in_the_log_names_the_environment_that_replays_it) {
    const case_run run = run_failing_case("wrong_exception_type");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.has_line("      replay: ALLOC_CHAOS_ONLY=0"));
    BOOST_TEST(run.has_line("      replay: ALLOC_CHAOS_ONLY=1"));
}

BOOST_AUTO_TEST_CASE(an_assertion_failing_under_one_failure_is_reported_under_that_attempt) {
    const case_run run = run_failing_case("assertion_fails_under_one_failure");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.has_line_ending(
        "error: in \"assertion_fails_under_one_failure\": check label.size() == 40u has failed [1 != 40]"));
    BOOST_TEST(run.has_line("    alloc-chaos run failing attempt #1"));
    BOOST_TEST(run.has_line("  failures: 2 tested, 2 injected, of 3 observed attempts"));
    BOOST_TEST(run.has_line("  #1 operator new size=41 align=16: exception \u2014 1 Boost.Test assertion failed in "
                            "the run failing #1 operator new size=41 align=16 (logged above); the loop stops at it"));
    BOOST_TEST(!run.has_line("  #0 operator new size=12 align=16: exception"));
}

BOOST_AUTO_TEST_CASE(a_failed_require_under_failure_ends_the_case) {
    const case_run run = run_failing_case("require_fails_under_failure");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.has_line_ending(
        "fatal error: in \"require_fails_under_failure\": critical check block != nullptr has failed"));
    BOOST_TEST(run.has_line("    alloc-chaos run failing attempt #0"));
    BOOST_TEST(run.has_line("  #0 operator new size=4 align=16 nothrow: exception \u2014 a BOOST_REQUIRE failed in "
                            "the run failing #0 operator new size=4 align=16 nothrow (logged above); the case ends here"));
}

BOOST_AUTO_TEST_CASE(a_body_that_throws_with_nothing_failed_is_invalid) {
    const case_run run = run_failing_case("throws_when_nothing_fails");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.has_line_ending("error: in \"throws_when_nothing_fails\": alloc-chaos check INVALID: the baseline "
                                   "run, with nothing failed, ended in exception \u2014 the body is broken before any failure"));
}

BOOST_AUTO_TEST_CASE(a_body_that_allocates_nothing_is_invalid) {
    const case_run run = run_failing_case("allocates_nothing");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.has_line_ending("error: in \"allocates_nothing\": alloc-chaos check INVALID: the baseline run "
                                   "observed no allocation attempt, so the check tested nothing"));
    BOOST_TEST(run.has_line("  fix: link a source for what the body allocates with (the global bridge "
                            "alloc_chaos::new_delete, a chaos_memory_resource, or observe_attempt for an allocator of "
                            "its own), or use assert_no_allocation if allocating nothing is the point; no failure "
                            "was injected"));
}

BOOST_AUTO_TEST_CASE(an_injected_failure_escaping_a_noexcept_function_is_named_with_its_run) {
    const case_run run = run_failing_case("failure_escapes_a_noexcept_function,a_passing_case_after_the_abort", "message");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.has_line_ending(
        "fatal error: in \"failure_escapes_a_noexcept_function\": signal: SIGABRT (application abort requested)"));
    BOOST_TEST(run.has_line("    alloc-chaos run failing attempt #1"));
    BOOST_TEST(run.has_line("  what():  alloc-chaos injected failure of attempt #1 operator new size=16 align=16"));
    BOOST_TEST(run.has_line_ending("alloc-chaos: the one allocation failure the body can meet was handled"));
}

BOOST_AUTO_TEST_CASE(a_run_that_times_out_is_named_and_the_next_case_runs_normally) {
    const case_run run = run_failing_case("hangs_under_one_failure,a_passing_case_after_the_abort", "message");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.has_line_ending(
        "fatal error: in \"hangs_under_one_failure\": signal: SIGALRM (timeout while executing function)"));
    BOOST_TEST(run.has_line("    alloc-chaos run failing attempt #1"));
    BOOST_TEST(run.has_line_ending("alloc-chaos: the one allocation failure the body can meet was handled"));
}

// ---- Runs in worker processes (the suite in_workers, and ALLOC_CHAOS_PROCESSES) ----

BOOST_AUTO_TEST_CASE(an_assertion_failing_in_a_worker_is_logged_by_the_calling_process_as_in_place) {
    const case_run run = run_in_workers_logged_as_in_place(
        "assertion_fails_under_one_failure", ": check label.size() == 40u has failed [1 != 40]",
        "    alloc-chaos run failing attempt #1");
    BOOST_TEST(run.has_line("  #1 operator new size=41 align=16: exception \u2014 1 Boost.Test assertion failed in "
                            "the run failing #1 operator new size=41 align=16 (logged above); the loop stops at it"));
    BOOST_TEST(run.has_line("  stopped early: the body ended the check with abort_check"));
    BOOST_TEST(run.has_line("  2 assertions out of 5 failed"));
}

BOOST_AUTO_TEST_CASE(a_require_failing_in_a_worker_ends_the_case_as_in_place) {
    const case_run run = run_in_workers_logged_as_in_place(
        "require_fails_under_failure", ": critical check block != nullptr has failed",
        "    alloc-chaos run failing attempt #0");
    BOOST_TEST(run.has_line("  #0 operator new size=4 align=16 nothrow: exception \u2014 a BOOST_REQUIRE failed in "
                            "the run failing #0 operator new size=4 align=16 nothrow (logged above); the case ends here"));
    BOOST_TEST(run.has_line("  not tested: 1 attempt (#1)"));
    BOOST_TEST(run.has_line_matching("  1 test case out of [0-9]+ aborted"));
}

BOOST_AUTO_TEST_CASE(a_run_that_crashes_its_worker_fails_its_case_alone_with_the_crash_in_the_report) {
    const case_run run = run_failing_case("in_workers/failure_escapes_a_noexcept_function,a_passing_case", "message", "short");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.has_line_ending("error: in \"in_workers/failure_escapes_a_noexcept_function\": alloc-chaos check "
                                   "FAILED: 1 of 2 failure runs did not end in a controlled error"));
    BOOST_TEST(run.has_line("  #1 operator new size=16 align=16: crashed \u2014 SIGABRT; its last lines on stderr:"));
    BOOST_TEST(run.has_line("        terminate called after throwing an instance of 'alloc_chaos::injected_bad_alloc'"));
    BOOST_TEST(run.has_line("          what():  alloc-chaos injected failure of attempt #1 operator new size=16 align=16"));
    BOOST_TEST(!run.has_line_ending("signal: SIGABRT (application abort requested)"));  // the case was not aborted
    BOOST_TEST(run.has_line_ending("alloc-chaos: the one allocation failure the body can meet was handled"));
    BOOST_TEST(run.has_line_matching("  1 test case out of [0-9]+ passed"));
    BOOST_TEST(run.has_line_matching("  1 test case out of [0-9]+ failed"));
    BOOST_TEST(!run.has_line_matching(".* aborted"));
}

BOOST_AUTO_TEST_CASE(a_run_that_hangs_in_a_worker_is_killed_at_its_limit_and_fails_its_case_alone) {
    const case_run run = run_failing_case("in_workers/hangs_under_one_failure,a_passing_case", "message", "short");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.has_line_ending("error: in \"in_workers/hangs_under_one_failure\": alloc-chaos check FAILED: "
                                   "1 of 2 failure runs did not end in a controlled error"));
    BOOST_TEST(run.has_line("  #1 operator new size=41 align=16: timed out \u2014 killed at its time limit of 500 ms"));
    BOOST_TEST(!run.has_line_ending("signal: SIGALRM (timeout while executing function)"));
    BOOST_TEST(run.has_line_ending("alloc-chaos: the one allocation failure the body can meet was handled"));
    BOOST_TEST(run.has_line_matching("  1 test case out of [0-9]+ passed"));
    BOOST_TEST(run.has_line_matching("  1 test case out of [0-9]+ failed"));
}

BOOST_AUTO_TEST_CASE(a_fixture_is_built_in_the_workers_not_in_the_calling_process) {
    const case_run run =
        run_failing_case("in_workers/builds_its_fixture_in_the_workers,built_no_fixture_here", "message", "short");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == 0);
    BOOST_TEST(run.has_line_ending("alloc-chaos: the one allocation failure the body can meet was handled"));
    BOOST_TEST(run.has_line_matching("  2 test cases out of [0-9]+ passed"));
    BOOST_TEST(run.has_line("  2 assertions out of 2 passed"));  // one in the worker's baseline run, one here
}

BOOST_AUTO_TEST_CASE(a_passing_case_in_workers_passes_with_its_assertions_counted) {
    const case_run run = run_failing_case("in_workers/a_passing_case", "message", "short");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == 0);
    BOOST_TEST(run.has_line_ending("alloc-chaos: the one allocation failure the body can meet was handled"));
    BOOST_TEST(run.has_line("  1 assertion out of 1 passed"));
    BOOST_TEST(!run.has_line_ending("did not check any assertions"));
}

BOOST_AUTO_TEST_CASE(failing_cases_log_the_same_in_worker_processes_as_in_place) {
    // The cases that neither crash nor hang, with every log entry and the report's counts.
    const std::string cases = "wrong_result_after_a_swallowed_failure,wrong_exception_type,"
                              "assertion_fails_under_one_failure,require_fails_under_failure,"
                              "throws_when_nothing_fails,allocates_nothing,a_passing_case_after_the_failures";
    const case_run in_place = run_failing_case(cases, "message", "short");
    const case_run run = run_failing_case(cases, "message", "short", "ALLOC_CHAOS_PROCESSES=2 ");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    BOOST_TEST(run.exit_code == in_place.exit_code);
    BOOST_TEST(run.lines == in_place.lines, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_xml_log_of_runs_in_workers_is_the_one_of_runs_in_place) {
    // Every entry, passed assertions too, each in its run's context.
    const std::string xml = "BOOST_TEST_LOG_FORMAT=XML ";
    const case_run in_place = run_failing_case("assertion_fails_under_one_failure", "all", "no", xml);
    const case_run run = run_failing_case("assertion_fails_under_one_failure", "all", "no", xml + "ALLOC_CHAOS_PROCESSES=2 ");
    BOOST_TEST_INFO(run.log());
    BOOST_TEST(run.exit_code == boost_test_failure);
    const std::regex testing_time("<TestingTime>[0-9]+</TestingTime>");
    BOOST_TEST(std::regex_replace(run.log(), testing_time, "<TestingTime/>") ==
               std::regex_replace(in_place.log(), testing_time, "<TestingTime/>"));
    BOOST_TEST(run.log().find("[CDATA[check label.size() == 40u has failed [1 != 40]]]><Context><Frame><![CDATA[alloc-chaos "
                              "run failing attempt #1]]></Frame></Context></Error>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_whole_run_goes_on_after_failing_cases) {
    // Twelve cases fail (eleven failed, counting the three aborted ones, and one timed out); the five
    // others still pass.
    const std::string path = failing_cases_path();
    const std::string command =
        leaks_allowed + "'" + path + "' --color_output=no --report_level=short --log_level=nothing 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    BOOST_TEST_REQUIRE(pipe != nullptr);
    std::ostringstream out;
    for (int c; (c = std::fgetc(pipe)) != EOF;)
        out << static_cast<char>(c);
    const int status = ::pclose(pipe);
    BOOST_TEST_INFO(out.str());
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == boost_test_failure);
    BOOST_TEST(out.str().find("Test module \"boost_test_failing_cases\" has failed with:\n"
                              "  5 test cases out of 17 passed\n"
                              "  11 test cases out of 17 failed\n"
                              "  1 test case out of 17 timed-out\n"
                              "  3 test cases out of 17 aborted\n") != std::string::npos);
}
