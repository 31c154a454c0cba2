// Runs the tests of gtest_failing_cases one by one (--gtest_filter), and asserts the exit status
// of each and the exact failure messages and lines its output must hold. The path of that
// executable is the last argument, or ALLOC_CHAOS_GTEST_FAILING_CASES.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

std::string failing_cases_path;

using lines = std::vector<std::string>;

struct cases_run {
    int exit_code = -1;
    lines output;

    bool has_line(const std::string& whole) const {
        return std::find(output.begin(), output.end(), whole) != output.end();
    }
    std::size_t count(const std::string& whole) const {
        return static_cast<std::size_t>(std::count(output.begin(), output.end(), whole));
    }
    bool has_line_containing(const std::string& part) const {
        return std::any_of(output.begin(), output.end(),
                           [&](const std::string& line) { return line.find(part) != std::string::npos; });
    }
    // The failure messages, in order: each from the line after "<file>:<line>: Failure" to the
    // line before the next such line or the next line of GoogleTest's own ("[ ... ]"). A
    // location "<path>gtest_failing_cases.cpp:<line>" in them reads "gtest_failing_cases.cpp".
    std::vector<lines> failures() const {
        static const std::regex failure_start(".*:[0-9]+: Failure");
        static const std::regex location("[^ ]*gtest_failing_cases\\.cpp:[0-9]+");
        std::vector<lines> found;
        bool inside = false;
        for (const std::string& line : output) {
            if (std::regex_match(line, failure_start)) {
                found.emplace_back();
                inside = true;
            } else if (line.rfind("[", 0) == 0) {
                inside = false;
            } else if (inside) {
                found.back().push_back(std::regex_replace(line, location, "gtest_failing_cases.cpp"));
            }
        }
        return found;
    }
    std::string all() const {
        std::string text;
        for (const std::string& line : output)
            text += line + '\n';
        return text;
    }
};

// A test that leaks on purpose must not change the exit status under LeakSanitizer.
const std::string leaks_allowed = "ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\" ";

// Runs the tests `filter` selects, with `arguments` after and `environment` ("NAME=value ") set.
cases_run run_cases(const std::string& filter, const std::string& arguments = "", const std::string& environment = "") {
    const std::string command = leaks_allowed + environment + "'" + failing_cases_path + "' --gtest_filter='" +
                                filter + "' --gtest_color=no " + arguments + " 2>&1";
    cases_run run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr)
        return run;
    std::string line;
    for (int c; (c = std::fgetc(pipe)) != EOF;) {
        if (c == '\n') {
            run.output.push_back(line);
            line.clear();
        } else {
            line += static_cast<char>(c);
        }
    }
    if (!line.empty())
        run.output.push_back(line);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

// The first line of a failure message, for the report's failure: its verdict line.
std::string first_line(const lines& failure) { return failure.empty() ? "" : failure.front(); }

bool contains(const lines& failure, const std::string& whole) {
    return std::find(failure.begin(), failure.end(), whole) != failure.end();
}

const lines swallowed_failure_assertion = {
    "Expected equality of these values:",
    "  parts.size()",
    "    Which is: 0",
    "  2u",
    "    Which is: 2",
    "Google Test trace:",
    "gtest_failing_cases.cpp: alloc-chaos run failing attempt #0",
};

const lines one_failure_assertion = {
    "Expected equality of these values:",
    "  label.size()",
    "    Which is: 1",
    "  40u",
    "    Which is: 40",
    "Google Test trace:",
    "gtest_failing_cases.cpp: alloc-chaos run failing attempt #1",
};

}  // namespace

TEST(FailedAssertion, IsReportedOnceWithItsRunThenTheReportStopsAtIt) {
    const cases_run run = run_cases("Broken.WrongResultAfterASwallowedFailure");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_EQ(failures[0], swallowed_failure_assertion);
    EXPECT_EQ(first_line(failures[1]), "alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error");
    EXPECT_TRUE(contains(failures[1], "  #0 operator new size=64 align=16: exception \u2014 1 GoogleTest assertion failed "
                                      "in the run failing #0 operator new size=64 align=16 (logged above); the loop "
                                      "stops at it"));
    EXPECT_TRUE(contains(failures[1], "  stopped early: the body ended the check with abort_check"));
    EXPECT_TRUE(run.has_line_containing("[  FAILED  ] Broken.WrongResultAfterASwallowedFailure ("));
}

TEST(FailedAssertion, UnderOneFailureIsReportedUnderThatAttemptAlone) {
    const cases_run run = run_cases("Broken.AssertionFailsUnderOneFailure");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_EQ(failures[0], one_failure_assertion);
    EXPECT_EQ(first_line(failures[1]), "alloc-chaos check FAILED: 1 of 2 failure runs did not end in a controlled error");
    EXPECT_TRUE(contains(failures[1], "  failures: 2 tested, 2 injected, of 3 observed attempts"));
    EXPECT_TRUE(contains(failures[1], "  #1 operator new size=41 align=16: exception \u2014 1 GoogleTest assertion failed "
                                      "in the run failing #1 operator new size=41 align=16 (logged above); the loop "
                                      "stops at it"));
}

TEST(FailedAssertion, FatalEndsTheBodyAndTheLoop) {
    const cases_run run = run_cases("Broken.AssertFailsUnderFailure");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_EQ(failures[0], (lines{"Expected: (block) != (nullptr), actual: NULL vs (nullptr)", "Google Test trace:",
                                  "gtest_failing_cases.cpp: alloc-chaos run failing attempt #0"}));
    EXPECT_EQ(first_line(failures[1]), "alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error");
    EXPECT_TRUE(contains(failures[1], "  #0 operator new size=4 align=16 nothrow: exception \u2014 a fatal assertion "
                                      "(ASSERT_*, FAIL) failed in the run failing #0 operator new size=4 align=16 "
                                      "nothrow (logged above); the case ends here"));
    EXPECT_TRUE(contains(failures[1], "  not tested: 1 attempt (#1)"));
}

TEST(FailedAssertion, InABaselineThatLeaksIsNotReportedAgainByTheRerunThatTakesStacks) {
    const cases_run run = run_cases("Broken.AssertionFailsInABaselineThatLeaks");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_EQ(failures[0], (lines{"Expected equality of these values:", "  numbers->size()", "    Which is: 4", "  5u",
                                  "    Which is: 5", "Google Test trace:",
                                  "gtest_failing_cases.cpp: alloc-chaos baseline run, nothing failed"}));
    EXPECT_EQ(first_line(failures[1]), "alloc-chaos check INVALID: the baseline run, with nothing failed, ended in "
                                       "exception \u2014 1 GoogleTest assertion failed in the baseline run (logged "
                                       "above); the loop stops at it");
}

TEST(FailedCheck, AWrongExceptionTypeIsTheTestsOneFailureWithTheWholeReport) {
    const cases_run run = run_cases("Broken.WrongExceptionType");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(first_line(failures[0]), "alloc-chaos check FAILED: 2 of 2 failure runs did not end in a controlled error");
    EXPECT_TRUE(contains(failures[0], "  #0 operator new size=32 align=16: exception \u2014 out of memory, reported as a "
                                      "runtime_error"));
    EXPECT_TRUE(contains(failures[0], "  #1 operator new size=41 align=16: exception \u2014 out of memory, reported as a "
                                      "runtime_error"));
    EXPECT_TRUE(contains(failures[0], "      replay: ALLOC_CHAOS_ONLY=1"));
}

TEST(FailedCheck, ALeakIsTheTestsOneFailure) {
    const cases_run run = run_cases("Broken.LeaksUnderOneFailure");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(first_line(failures[0]),
              "alloc-chaos check FAILED: 1 of 3 failure runs did not end in a controlled error with no findings");
    EXPECT_TRUE(run.has_line_containing("leaked 2 blocks, 40 bytes"));
}

TEST(FailedCheck, ABodyThatThrowsWithNothingFailedIsInvalid) {
    const cases_run run = run_cases("Broken.ThrowsWhenNothingFails");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(first_line(failures[0]), "alloc-chaos check INVALID: the baseline run, with nothing failed, ended in "
                                       "exception \u2014 the body is broken before any failure");
}

TEST(FailedCheck, ADeathTestInsideARunIsRefusedByName) {
    const cases_run run = run_cases("Broken.DeathTestInsideARun");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(first_line(failures[0]),
              "alloc-chaos check INVALID: the baseline run, with nothing failed, ended in exception \u2014 alloc-chaos: "
              "a death test (EXPECT_DEATH, ASSERT_DEATH, EXPECT_EXIT, ...) ran inside a run of a check (an "
              "ALLOC_CHAOS_TEST body); its fork and its messages cannot run under the check: move it to a plain TEST");
}

TEST(Skip, ATestThatSkipsItselfIsSkippedWithNoReport) {
    const cases_run run = run_cases("Broken.SkipsItself");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_TRUE(run.has_line("not on this machine"));
    EXPECT_EQ(run.count("[  SKIPPED ] Broken.SkipsItself"), 1u);
    EXPECT_FALSE(run.has_line_containing("alloc-chaos check"));
    EXPECT_TRUE(run.failures().empty());
}

TEST(Fixture, AFatalFailureInSetUpSkipsTheBodyAndStopsTheLoop) {
    const cases_run run = run_cases("FailingSetUp.BodyIsNotRun");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_FALSE(run.has_line("the body ran"));
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_EQ(failures[0], (lines{"Failed", "no set-up", "Google Test trace:",
                                  "gtest_failing_cases.cpp: alloc-chaos baseline run, nothing failed"}));
    EXPECT_EQ(first_line(failures[1]), "alloc-chaos check INVALID: the baseline run, with nothing failed, ended in "
                                       "exception \u2014 a fatal assertion (ASSERT_*, FAIL) failed in the baseline run "
                                       "(logged above); the case ends here");
}

TEST(Fixture, ASkipInSetUpSkipsTheTest) {
    const cases_run run = run_cases("SkippingSetUp.BodyIsNotRun");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_FALSE(run.has_line("the body ran"));
    EXPECT_TRUE(run.has_line("skipped in SetUp"));
    EXPECT_EQ(run.count("[  SKIPPED ] SkippingSetUp.BodyIsNotRun"), 1u);
    EXPECT_FALSE(run.has_line_containing("alloc-chaos check"));
}

TEST(SuccessAssertion, ExpectPrintsTheWholeReportAndTheTestGoesOn) {
    const cases_run run = run_cases("Plain.ExpectSuccessOfAFailingCheck");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 1u);
    ASSERT_GE(failures[0].size(), 3u);
    EXPECT_EQ(failures[0][0], "report is not a success; its report:");
    EXPECT_EQ(failures[0][1], "alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error");
    EXPECT_TRUE(contains(failures[0], "  #0 operator new size=41 align=16: exception \u2014 out of memory, reported as "
                                      "a runtime_error"));
    EXPECT_EQ(failures[0].back(), "after EXPECT_ALLOC_CHAOS_SUCCESS");  // printed once the failure was
    EXPECT_EQ(failures[0][failures[0].size() - 2], "the parser's check");
}

TEST(SuccessAssertion, AssertPrintsTheWholeReportAndEndsTheTest) {
    const cases_run run = run_cases("Plain.AssertSuccessOfAFailingCheck");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(first_line(failures[0]), "report is not a success; its report:");
    EXPECT_TRUE(contains(failures[0], "alloc-chaos check INVALID: the baseline run, with nothing failed, ended in "
                                      "exception \u2014 the body is broken before any failure"));
    EXPECT_FALSE(run.has_line("after ASSERT_ALLOC_CHAOS_SUCCESS"));
}

TEST(SuccessAssertion, OnACheckOfTheIntegrationFollowsTheAssertionItStoppedAt) {
    const cases_run run = run_cases("Plain.CheckOfTheIntegration");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_EQ(failures[0], swallowed_failure_assertion);
    ASSERT_GE(failures[1].size(), 2u);
    EXPECT_EQ(failures[1][0], "alloc_chaos::gtest::check([] { bodies::wrong_result_after_a_swallowed_failure(); }) is "
                              "not a success; its report:");
    EXPECT_EQ(failures[1][1], "alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error");
    EXPECT_TRUE(contains(failures[1], "  #0 operator new size=64 align=16: exception \u2014 1 GoogleTest assertion failed "
                                      "in the run failing #0 operator new size=64 align=16 (logged above); the loop "
                                      "stops at it"));
}

TEST(SuccessAssertion, PassesOnAPassingCheck) {
    const cases_run run = run_cases("Plain.ExpectSuccessOfAPassingCheck");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_TRUE(run.failures().empty());
}

TEST(PassingTest, PrintsHowManyFailuresItsBodyMetBetweenRunAndOk) {
    const cases_run run = run_cases("Passing.*:SetUpAllocates.*:ThreeBaselines.*");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_TRUE(run.failures().empty());
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"Passing.VectorOfStrings", "alloc-chaos: all 3 allocation failures the body can meet were handled"},
        {"Passing.MapOfStrings", "alloc-chaos: all 4 allocation failures the body can meet were handled"},
        // The fixture's constructor and SetUp allocate, unobserved: two attempts are the body's.
        {"SetUpAllocates.CountsOnlyTheBody", "alloc-chaos: all 2 allocation failures the body can meet were handled"},
        {"ThreeBaselines.AStableBody", "alloc-chaos: the one allocation failure the body can meet was handled"},
    };
    for (const auto& [test, line] : expected) {
        const auto at = std::find(run.output.begin(), run.output.end(), "[ RUN      ] " + test);
        ASSERT_NE(at, run.output.end()) << test;
        ASSERT_LT(at + 2, run.output.end()) << test;
        EXPECT_EQ(*(at + 1), line) << test;
        EXPECT_EQ((at + 2)->rfind("[       OK ] " + test + " (", 0), 0u) << test;
    }
}

TEST(WorkerProcesses, AFailedAssertionInAWorkerIsReportedByTheCallingProcessAsInPlace) {
    const cases_run in_place = run_cases("Broken.AssertionFailsUnderOneFailure");
    const cases_run run = run_cases("InWorkers.AssertionFailsUnderOneFailure");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(run.failures(), in_place.failures());
    ASSERT_FALSE(run.failures().empty());
    EXPECT_EQ(run.failures().front(), one_failure_assertion);
}

TEST(WorkerProcesses, AFailedFatalAssertionInAWorkerIsReportedByTheCallingProcessAsInPlace) {
    const cases_run in_place = run_cases("Broken.AssertFailsUnderFailure");
    const cases_run run = run_cases("InWorkers.AssertFailsUnderFailure");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(run.failures(), in_place.failures());
    EXPECT_EQ(run.failures().size(), 2u);
}

TEST(WorkerProcesses, ARunThatCrashesItsWorkerFailsTheTestWithTheCrashInTheReport) {
    const cases_run run = run_cases("InWorkers.FailureEscapesANoexceptFunction");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> failures = run.failures();
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(first_line(failures[0]), "alloc-chaos check FAILED: 1 of 2 failure runs did not end in a controlled error");
    EXPECT_TRUE(contains(failures[0], "  #1 operator new size=16 align=16: crashed \u2014 SIGABRT; its last lines on stderr:"));
}

TEST(WorkerProcesses, TheFixtureIsBuiltInTheWorkersNotInTheCallingProcess) {
    const cases_run run = run_cases("InWorkers.BuildsItsFixtureInTheWorkers:InWorkersAfter.BuiltNoFixtureHere");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_TRUE(run.has_line("alloc-chaos: the one allocation failure the body can meet was handled"));
    EXPECT_TRUE(run.has_line("[  PASSED  ] 2 tests."));
}

TEST(WorkerProcesses, TestsReportTheSameWithAllocChaosProcessesAsInPlace) {
    const std::string tests = "Broken.WrongResultAfterASwallowedFailure:Broken.AssertionFailsUnderOneFailure:"
                              "Broken.AssertFailsUnderFailure:Broken.ThrowsWhenNothingFails:Broken.SkipsItself:"
                              "Passing.*:SetUpAllocates.*";
    const cases_run in_place = run_cases(tests);
    const cases_run run = run_cases(tests, "", "ALLOC_CHAOS_PROCESSES=2 ");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(run.failures(), in_place.failures());
    EXPECT_EQ(run.failures().size(), 7u);
    EXPECT_EQ(run.count("[  SKIPPED ] Broken.SkipsItself"), 1u);
}

TEST(GoogleTestFlags, RepeatReportsEachIterationOnce) {
    const cases_run once = run_cases("Broken.WrongResultAfterASwallowedFailure");
    const cases_run run = run_cases("Broken.WrongResultAfterASwallowedFailure", "--gtest_repeat=2");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<lines> each = once.failures();
    std::vector<lines> twice = each;
    twice.insert(twice.end(), each.begin(), each.end());
    EXPECT_EQ(run.failures(), twice);
    EXPECT_TRUE(run.has_line("Repeating all tests (iteration 2) . . ."));
}

TEST(GoogleTestFlags, ShardsSplitTheTestsBetweenThem) {
    const std::string tests = "Passing.*:SetUpAllocates.*:ThreeBaselines.*";
    std::multiset<std::string> ran;
    for (const char* index : {"0", "1"}) {
        const cases_run shard =
            run_cases(tests, "", std::string("GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=") + index + " ");
        SCOPED_TRACE(shard.all());
        EXPECT_EQ(shard.exit_code, 0);
        for (std::size_t i = 0; i + 1 < shard.output.size(); ++i)
            if (shard.output[i].rfind("[ RUN      ] ", 0) == 0) {
                ran.insert(shard.output[i].substr(13));
                EXPECT_EQ(shard.output[i + 1].rfind("alloc-chaos: ", 0), 0u) << shard.output[i];
            }
    }
    EXPECT_EQ(ran, (std::multiset<std::string>{"Passing.VectorOfStrings", "Passing.MapOfStrings",
                                                "SetUpAllocates.CountsOnlyTheBody", "ThreeBaselines.AStableBody"}));
}

TEST(GoogleTestFlags, XmlOutputHoldsTheFailureWithItsRunAndTheSuccessLine) {
    const std::string xml_path = ::testing::TempDir() + "alloc_chaos_gtest_failing_" + std::to_string(::getpid()) + ".xml";
    const cases_run run =
        run_cases("Broken.WrongResultAfterASwallowedFailure:Passing.VectorOfStrings", "--gtest_output=xml:" + xml_path);
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    std::ifstream file(xml_path);
    std::stringstream xml;
    xml << file.rdbuf();
    std::remove(xml_path.c_str());
    SCOPED_TRACE(xml.str());
    EXPECT_NE(xml.str().find("    Which is: 2&#x0A;Google Test trace:&#x0A;"), std::string::npos);
    EXPECT_NE(xml.str().find(": alloc-chaos run failing attempt #0\" type=\"\">"), std::string::npos);
    EXPECT_NE(xml.str().find("&#x0A;alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error&#x0A;"),
              std::string::npos);
    EXPECT_NE(xml.str().find("<property name=\"alloc_chaos\" value=\"alloc-chaos: all 3 allocation failures the body "
                             "can meet were handled\"/>"),
              std::string::npos);
}

TEST(WholeRun, GoesOnAfterTheFailingTests) {
    const cases_run run = run_cases("*");
    SCOPED_TRACE(run.all());
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_TRUE(run.has_line_containing("[==========] 24 tests from 9 test suites ran. ("));
    EXPECT_TRUE(run.has_line("[  PASSED  ] 7 tests."));
    EXPECT_TRUE(run.has_line("[  SKIPPED ] 2 tests, listed below:"));
    EXPECT_TRUE(run.has_line("15 FAILED TESTS"));
}

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    if (argc > 1)
        failing_cases_path = argv[argc - 1];
    else if (const char* path = std::getenv("ALLOC_CHAOS_GTEST_FAILING_CASES"))
        failing_cases_path = path;
    if (failing_cases_path.empty()) {
        std::fprintf(stderr, "give the path of gtest_failing_cases as the last argument, or in "
                             "ALLOC_CHAOS_GTEST_FAILING_CASES\n");
        return 2;
    }
    return RUN_ALL_TESTS();
}
