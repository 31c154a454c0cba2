// Runs the deliberately broken cases of catch2_failing_cases one by one, and asserts the exit
// status of each and the exact lines its output must hold. The path of that executable comes
// after `--` at the end of the command line, or from ALLOC_CHAOS_FAILING_CASES. Lines of the
// reports are asserted where the adapter writes them (the run in a failed assertion's message,
// the message that stops the loop) and for the report's verdict; the rest of a report's text is
// its renderer's, tested with it. Catch2's implementation is catch2_session.cpp.
#include <catch2/catch.hpp>

#include "catch2_session.hpp"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <vector>

namespace {

std::string failing_cases_path;

struct case_run {
    int exit_code = -1;
    std::vector<std::string> lines;

    bool has_line(std::string_view whole) const { return count(whole) > 0; }
    // The lines equal to `whole`.
    std::size_t count(std::string_view whole) const {
        std::size_t n = 0;
        for (const std::string& line : lines)
            n += line == whole ? 1 : 0;
        return n;
    }
    // The lines that end with `tail`.
    std::size_t count_ending(std::string_view tail) const {
        std::size_t n = 0;
        for (const std::string& line : lines)
            n += std::string_view(line).ends_with(tail) ? 1 : 0;
        return n;
    }
    bool contains(std::string_view part) const {
        for (const std::string& line : lines)
            if (line.find(part) != std::string::npos)
                return true;
        return false;
    }
    // The line after the first line equal to `whole`; empty when there is none.
    std::string line_after(std::string_view whole) const {
        for (std::size_t i = 0; i + 1 < lines.size(); ++i)
            if (lines[i] == whole)
                return lines[i + 1];
        return {};
    }
    std::string output() const {
        std::string all;
        for (const std::string& line : lines)
            all += line + '\n';
        return all;
    }
};

// Runs catch2_failing_cases with `arguments` (already quoted for the shell), its output and errors
// read; `environment`: variables to set for it ("NAME=value ").
case_run run_failing_cases(const std::string& arguments, const std::string& environment = "") {
    REQUIRE_FALSE(failing_cases_path.empty());
    const std::string command =
        environment + "'" + failing_cases_path + "' " + arguments + " --use-colour no 2>&1";
    case_run run;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
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

// Runs the one case named `name`.
case_run run_case(const std::string& name, const std::string& more = "", const std::string& environment = "") {
    return run_failing_cases("'" + name + "'" + (more.empty() ? "" : " " + more), environment);
}

}  // namespace

// Catch2 exits with the number of failed assertions.

TEST_CASE("a swallowed failure that leaves a wrong result fails the case at its attempt", "[check]") {
    const case_run run = run_case("wrong result after a swallowed failure");
    INFO(run.output());
    CHECK(run.exit_code == 2);
    CHECK(run.line_after("  CHECK( parts.size() == 2u )") == "with expansion:");
    CHECK(run.has_line("  0 == 2"));
    CHECK(run.line_after("  0 == 2") == "with message:");
    CHECK(run.line_after("with message:") == "  alloc-chaos run failing attempt #0");
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error");
    CHECK(run.count_ending(": exception \u2014 1 Catch2 assertion failed in the run failing #0 operator new size=64 "
                           "align=16 (logged above); the loop stops at it") == 1);
}

TEST_CASE("a failed assertion is reported once, and the loop stops at it", "[check]") {
    const case_run run = run_case("wrong result after a swallowed failure");
    INFO(run.output());
    CHECK(run.count("  CHECK( parts.size() == 2u )") == 1);
    CHECK(run.count("  alloc-chaos run failing attempt #0") == 1);
    CHECK_FALSE(run.contains("alloc-chaos run failing attempt #1"));
    CHECK(run.count_ending(": FAILED:") == 2);  // the assertion, then the report
    CHECK(run.has_line("    stopped early: the body ended the check with abort_check"));
    CHECK(run.has_line("assertions: 3 | 1 passed | 2 failed"));
}

TEST_CASE("a check failing under one failure inside a run is reported under that attempt", "[check]") {
    const case_run run = run_case("check fails under one failure");
    INFO(run.output());
    CHECK(run.exit_code == 2);
    CHECK(run.count("  CHECK( label.size() == 40u )") == 1);
    CHECK(run.line_after("  1 == 40") == "with message:");
    CHECK(run.count("  alloc-chaos run failing attempt #1") == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check FAILED: 1 of 2 failure runs did not end in a controlled error");
    CHECK(run.count_ending(": exception \u2014 1 Catch2 assertion failed in the run failing #1 operator new size=41 "
                           "align=16 (logged above); the loop stops at it") == 1);
    CHECK(run.has_line("assertions: 5 | 3 passed | 2 failed"));
}

TEST_CASE("a failed assertion shows the messages of its own run alone", "[check]") {
    const case_run run = run_case("a message left open by an earlier run");
    INFO(run.output());
    CHECK(run.exit_code == 2);
    CHECK(run.count("  CHECK( numbers.size() == 4u )") == 1);
    CHECK(run.line_after("  0 == 4") == "with messages:");
    CHECK(run.line_after("with messages:") == "  alloc-chaos run failing attempt #1");
    CHECK(run.line_after("  alloc-chaos run failing attempt #1") == "  building the label");
    CHECK(run.count("  building the label") == 1);
}

TEST_CASE("a failed REQUIRE ends its run as a failed assertion, not as a foreign exception", "[require]") {
    const case_run run = run_case("require fails under failure");
    INFO(run.output());
    CHECK(run.exit_code == 2);
    CHECK(run.count("  REQUIRE( block != nullptr )") == 1);
    CHECK(run.line_after("  nullptr != nullptr") == "with message:");
    CHECK(run.count("  alloc-chaos run failing attempt #0") == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error");
    CHECK(run.count_ending(": exception \u2014 a REQUIRE failed in the run failing #0 operator new size=4 align=16 "
                           "nothrow (logged above); the case ends here") == 1);
    CHECK_FALSE(run.contains("not derived from std::exception"));
    CHECK(run.has_line("assertions: 4 | 2 passed | 2 failed"));
}

TEST_CASE("a failed assertion in a baseline run that leaks is not reported again by the rerun that takes stacks",
          "[check]") {
    const case_run run = run_case("assertion fails in a baseline that leaks");
    INFO(run.output());
    CHECK(run.exit_code == 2);
    CHECK(run.count("  CHECK( numbers.size() == 5u )") == 1);
    CHECK(run.line_after("  4 == 5") == "with message:");
    CHECK(run.count("  alloc-chaos baseline run, nothing failed") == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check INVALID: the baseline run, with nothing failed, ended in exception \u2014 1 Catch2 "
          "assertion failed in the baseline run (logged above); the loop stops at it");
}

TEST_CASE("a leak under failures fails the case with the report", "[check]") {
    const case_run run = run_case("leaks under later failures");
    INFO(run.output());
    CHECK(run.exit_code == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check FAILED: 3 of 7 failure runs did not end in a controlled error with no findings");
    CHECK(run.count_ending(": FAILED:") == 1);
}

TEST_CASE("a wrong exception type fails the case with the report", "[check]") {
    const case_run run = run_case("wrong exception type");
    INFO(run.output());
    CHECK(run.exit_code == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check FAILED: 2 of 2 failure runs did not end in a controlled error");
    CHECK(run.count_ending(": exception \u2014 out of memory, reported as a runtime_error") == 2);
}

TEST_CASE("the matcher prints the whole failing report, then what it wanted", "[matcher]") {
    const case_run run = run_case("matcher on a failing report");
    INFO(run.output());
    CHECK(run.exit_code == 1);
    CHECK(run.line_after("  REQUIRE_THAT( report, alloc_chaos::catch2::succeeded() )") == "with expansion:");
    CHECK(run.line_after("with expansion:") ==
          "  alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error");
    CHECK(run.has_line("   is a successful alloc-chaos check (PASSED)"));
    CHECK(run.count_ending(": exception \u2014 out of memory, reported as a runtime_error") == 1);
}

TEST_CASE("a section inside the body fails the case with the fix", "[sections]") {
    const case_run run = run_case("a section inside the body");
    INFO(run.output());
    CHECK(run.exit_code == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check INVALID: the baseline run, with nothing failed, ended in exception \u2014 SECTION "
          "inside the body of an alloc-chaos check: Catch2 runs a test case once per section, and the check runs its "
          "body many times within one of those; write one ALLOC_CHAOS_TEST_CASE per section, or open the sections "
          "around the check");
    CHECK_FALSE(run.contains("CHECK( numbers.size() == 4u )"));  // the section never opened
}

TEST_CASE("a generator inside the body fails the case with the fix", "[generators]") {
    const case_run run = run_case("a generator inside the body");
    INFO(run.output());
    CHECK(run.exit_code == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check INVALID: the baseline run, with nothing failed, ended in exception \u2014 GENERATE "
          "inside the body of an alloc-chaos check: Catch2 runs a test case once per generated value, and the check "
          "runs its body many times within one of those; generate the values in a plain TEST_CASE around plain "
          "checks, or write one ALLOC_CHAOS_TEST_CASE per value");
    CHECK_FALSE(run.contains("CHECK( numbers.size() == 4u )"));  // the generator yielded no value
}

TEST_CASE("a passing case logs the success line as a passed assertion", "[passing]") {
    const case_run run = run_case("a passing case", "--success");
    INFO(run.output());
    CHECK(run.exit_code == 0);
    CHECK(run.line_after("with message:") == "  alloc-chaos baseline run, nothing failed");
    CHECK(run.count("  alloc-chaos: all 2 allocation failures the body can meet were handled") == 1);
    CHECK(run.has_line("All tests passed (2 assertions in 1 test case)"));
}

TEST_CASE("tags select alloc-chaos cases as any other", "[filter]") {
    const case_run passing = run_failing_cases("'[passing]'");
    INFO(passing.output());
    CHECK(passing.exit_code == 0);
    CHECK(passing.has_line("All tests passed (2 assertions in 1 test case)"));  // its CHECK, and the check
    const case_run broken = run_failing_cases("'[broken]'");
    CHECK(broken.exit_code == 21);
    CHECK(broken.has_line("test cases: 14 |  0 passed | 14 failed"));
}

TEST_CASE("the JUnit reporter holds the failed assertion with its run, and the report", "[reporters]") {
    const case_run run = run_case("require fails under failure", "-r junit");
    INFO(run.output());
    CHECK(run.exit_code == 2);
    CHECK(run.has_line("      <failure message=\"block != nullptr\" type=\"REQUIRE\">"));
    CHECK(run.line_after("  nullptr != nullptr") == "alloc-chaos run failing attempt #0");
    CHECK(run.has_line("      <failure type=\"ALLOC_CHAOS_TEST_CASE\">"));
    CHECK(run.line_after("      <failure type=\"ALLOC_CHAOS_TEST_CASE\">") == "FAILED:");
    CHECK(run.count("alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error") == 1);
}

TEST_CASE("the XML reporter holds the run of the failed assertion, and the report", "[reporters]") {
    const case_run run = run_case("check fails under one failure", "-r xml");
    INFO(run.output());
    CHECK(run.exit_code == 2);
    CHECK(run.line_after("      <Info>") == "        alloc-chaos run failing attempt #1");
    CHECK(run.count("          label.size() == 40u") == 1);
    CHECK(run.count("        alloc-chaos check FAILED: 1 of 2 failure runs did not end in a controlled error") == 1);
    CHECK(run.has_line("    <OverallResults successes=\"3\" failures=\"2\" expectedFailures=\"0\"/>"));
}

// ---- The runs in worker processes ----

TEST_CASE("a failed CHECK in a worker process is reported by the calling process as in place", "[processes]") {
    const case_run run = run_case("in workers: check fails under one failure");
    INFO(run.output());
    CHECK(run.exit_code == 2);
    CHECK(run.count("  CHECK( label.size() == 40u )") == 1);
    CHECK(run.line_after("  CHECK( label.size() == 40u )") == "with expansion:");
    CHECK(run.line_after("  1 == 40") == "with message:");
    CHECK(run.line_after("with message:") == "  alloc-chaos run failing attempt #1");
    CHECK(run.count("  alloc-chaos run failing attempt #1") == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check FAILED: 1 of 2 failure runs did not end in a controlled error");
    CHECK(run.count_ending(": exception \u2014 1 Catch2 assertion failed in the run failing #1 operator new size=41 "
                           "align=16 (logged above); the loop stops at it") == 1);
    CHECK(run.has_line("assertions: 5 | 3 passed | 2 failed"));
}

TEST_CASE("a failed REQUIRE in a worker process ends the case as in place", "[processes]") {
    const case_run run = run_case("in workers: require fails under failure");
    INFO(run.output());
    CHECK(run.exit_code == 2);
    CHECK(run.count("  REQUIRE( block != nullptr )") == 1);
    CHECK(run.line_after("  nullptr != nullptr") == "with message:");
    CHECK(run.count("  alloc-chaos run failing attempt #0") == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error");
    CHECK(run.count_ending(": exception \u2014 a REQUIRE failed in the run failing #0 operator new size=4 align=16 "
                           "nothrow (logged above); the case ends here") == 1);
    CHECK_FALSE(run.contains("not derived from std::exception"));
    CHECK(run.has_line("assertions: 4 | 2 passed | 2 failed"));
}

TEST_CASE("a leak in a worker process fails the case with the report", "[processes]") {
    const case_run run = run_case("in workers: leaks under later failures");
    INFO(run.output());
    CHECK(run.exit_code == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check FAILED: 3 of 7 failure runs did not end in a controlled error with no findings");
    CHECK(run.count_ending(": FAILED:") == 1);
}

TEST_CASE("a run that crashes its worker fails the case with the crash in its report", "[processes]") {
    const case_run run = run_case("in workers: a null write after the injected failure");
    INFO(run.output());
    CHECK(run.exit_code == 1);
    CHECK(run.line_after("explicitly with message:") ==
          "  alloc-chaos check FAILED: 1 of 2 failure runs did not end in a controlled error");
    CHECK(run.has_line("    #1 operator new[] size=16 align=16 nothrow: crashed \u2014 SIGSEGV"));
    CHECK(run.count_ending(": FAILED:") == 1);
    CHECK(run.has_line("assertions: 2 | 1 passed | 1 failed"));  // the baseline's CHECK, and the check
}

TEST_CASE("every run in a worker process reports its assertions once, in the runs' order", "[processes]") {
    const case_run run = run_case("in workers: every run reports its assertions", "-s -r compact");
    INFO(run.output());
    CHECK(run.exit_code == 0);
    std::vector<std::string> runs;
    for (const std::string& line : run.lines)
        if (line.find("passed: alloc_chaos::current_run().has_value() for: true with ") != std::string::npos)
            runs.push_back(line.substr(line.find("with ")));
    CHECK(runs == std::vector<std::string>{
                      "with 2 messages: 'alloc-chaos baseline run, nothing failed' and 'a message of its own'",
                      "with 2 messages: 'alloc-chaos run failing attempt #0' and 'a message of its own'",
                      "with 2 messages: 'alloc-chaos run failing attempt #1' and 'a message of its own'"});
    CHECK(run.count_ending("with 1 message: 'alloc-chaos: all 2 allocation failures the body can meet were handled'") == 1);
    CHECK(run.has_line("Passed 1 test case with 5 assertions."));
}

TEST_CASE("cases report the same with ALLOC_CHAOS_PROCESSES as in place", "[processes]") {
    const std::string cases = "'wrong result after a swallowed failure,check fails under one failure,"
                              "a message left open by an earlier run,leaks under later failures,wrong exception type,"
                              "assertion fails in a baseline that leaks,a passing case' -s";
    const case_run in_place = run_failing_cases(cases);
    const case_run run = run_failing_cases(cases, "ALLOC_CHAOS_PROCESSES=2 ");
    INFO(run.output());
    CHECK(run.exit_code == in_place.exit_code);
    CHECK(run.lines == in_place.lines);
    CHECK(run.has_line("test cases:  7 | 1 passed |  6 failed"));
}

TEST_CASE("the XML reporter reads the same with ALLOC_CHAOS_PROCESSES as in place", "[processes][reporters]") {
    const std::string cases = "'check fails under one failure,a message left open by an earlier run' -r xml -s";
    const case_run in_place = run_failing_cases(cases);
    const case_run run = run_failing_cases(cases, "ALLOC_CHAOS_PROCESSES=2 ");
    INFO(run.output());
    CHECK(run.exit_code == 4);
    CHECK(run.lines == in_place.lines);
    CHECK(run.count("        alloc-chaos run failing attempt #1") == 3);  // 2 failed CHECKs, 1 passed after one
    CHECK(run.has_line("  <OverallResults successes=\"4\" failures=\"4\" expectedFailures=\"0\"/>"));
}

// Takes the path of catch2_failing_cases from after a final `--`, then runs Catch2 with the rest.
int main(int argc, char* argv[]) {
    if (argc >= 3 && std::string_view(argv[argc - 2]) == "--") {
        failing_cases_path = argv[argc - 1];
        argc -= 2;
    } else if (const char* path = std::getenv("ALLOC_CHAOS_FAILING_CASES")) {
        failing_cases_path = path;
    }
    if (failing_cases_path.empty()) {
        std::fputs("give the path of catch2_failing_cases after --, or in ALLOC_CHAOS_FAILING_CASES\n", stderr);
        return 2;
    }
    return run_catch2_session(argc, argv);
}
