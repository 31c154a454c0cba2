// Runs the deliberately broken cases of boost_test_failing_cases one by one, and asserts the
// exit status of each and the exact lines its log must hold. The path of that executable comes
// after `--` on the command line, or from ALLOC_CHAOS_FAILING_CASES.
#define BOOST_TEST_MODULE boost_test_failing
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
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

case_run run_failing_case(const std::string& name, const std::string& log_level = "error") {
    const std::string path = failing_cases_path();
    BOOST_TEST_REQUIRE(!path.empty(), "give the path of boost_test_failing_cases after --, or in ALLOC_CHAOS_FAILING_CASES");
    const std::string command = leaks_allowed + "'" + path + "' --run_test=" + name +
                                " --color_output=no --report_level=no --log_level=" + log_level + " 2>&1";
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

BOOST_AUTO_TEST_CASE(the_whole_run_goes_on_after_failing_cases) {
    // Seven cases fail (six failed, counting the two aborted ones, and one timed out); the two
    // after them still pass.
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
                              "  2 test cases out of 9 passed\n"
                              "  6 test cases out of 9 failed\n"
                              "  1 test case out of 9 timed-out\n"
                              "  2 test cases out of 9 aborted\n") != std::string::npos);
}
