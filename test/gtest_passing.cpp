// ALLOC_CHAOS_TEST and ALLOC_CHAOS_TEST_F in a GoogleTest suite, all passing: std containers under
// every failure, a fresh fixture per run with its SetUp and TearDown, checker options from the
// fixture, assertions that make no attempt, and EXPECT_ALLOC_CHAOS_SUCCESS on a passing report.
// Each fixture counts what happened in its tests and its TearDownTestSuite asserts the exact
// counts: a run per observed attempt, plus the baseline runs. Before any test, a global
// environment checks that alloc_chaos::gtest::check refuses to run outside a test.
#include <alloc_chaos/gtest.hpp>

#include "test_bodies.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

using test_bodies::sink;

ALLOC_CHAOS_TEST(StdContainers, VectorOfStringsGrows) {
    std::vector<std::string> words;
    for (int i = 0; i < 4; ++i)
        words.emplace_back(40, static_cast<char>('a' + i));
    EXPECT_EQ(words.size(), 4u);
    EXPECT_EQ(words.back(), std::string(40, 'd'));
}

ALLOC_CHAOS_TEST(StdContainers, UnorderedMapCounts) {
    std::unordered_map<std::string, int> counts;
    for (const char* word : {"a word long enough to need the heap", "another one that needs the heap"})
        ++counts[word];
    EXPECT_EQ(counts.size(), 2u);
}

namespace {

// Counts the runs of its tests' bodies, and the fixtures built, set up, torn down and destroyed.
class CountedRuns : public ::testing::Test {
public:
    static void SetUpTestSuite() { ++suites_set_up; }
    static void TearDownTestSuite() {
        // The body makes 2 attempts: a baseline run and 2 failure runs (when not filtered out).
        EXPECT_TRUE(body_runs == 0 || body_runs == 3) << body_runs;
        // Each run with a fresh fixture, set up and torn down (even when the body threw), and one
        // for the plain TEST_F.
        EXPECT_EQ(built, body_runs + plain_runs);
        EXPECT_EQ(set_up, body_runs + plain_runs);
        EXPECT_EQ(torn_down, body_runs + plain_runs);
        EXPECT_EQ(destroyed, body_runs + plain_runs);
    }

    static inline int suites_set_up = 0;
    static inline int body_runs = 0;
    static inline int plain_runs = 0;
    static inline int built = 0;
    static inline int set_up = 0;
    static inline int torn_down = 0;
    static inline int destroyed = 0;

protected:
    CountedRuns() { ++built; }
    ~CountedRuns() override { ++destroyed; }
    void SetUp() override {
        ++set_up;
        lines.assign(10, std::string(40, 's'));  // unobserved: no attempt of the body
    }
    void TearDown() override { ++torn_down; }

    std::vector<std::string> lines;
};

}  // namespace

ALLOC_CHAOS_TEST_F(CountedRuns, EachRunGetsAFreshFixture) {
    ++body_runs;
    EXPECT_EQ(suites_set_up, 1);
    EXPECT_EQ(lines.size(), 10u);               // as SetUp left it, whatever the run before did
    lines.emplace_back(40, 'b');                // #0 the string, #1 the vector grows: freed unobserved
}

// A plain TEST_F of the same fixture in the same suite, as GoogleTest allows for one fixture.
TEST_F(CountedRuns, APlainTestOfTheSameFixture) {
    ++plain_runs;
    EXPECT_EQ(lines.size(), 10u);
}

namespace {

// Assertions in the body make no attempt: the check sees the body's one vector alone.
class UnobservedAssertions : public ::testing::Test {
public:
    static void TearDownTestSuite() { EXPECT_EQ(body_runs, 2); }  // a baseline run and one failure run
    static inline int body_runs = 0;
};

}  // namespace

ALLOC_CHAOS_TEST_F(UnobservedAssertions, MakeNoAttempt) {
    ++body_runs;
    std::vector<int> numbers(4);                // #0, the one attempt
    sink = numbers.data();
    SCOPED_TRACE(std::string(40, 't'));
    EXPECT_EQ(std::string(40, 'x'), std::string(40, 'x'));
    EXPECT_TRUE(std::string(40, 'y').size() == 40u);
    EXPECT_NO_THROW(sink = std::string(40, 'z').data());
    EXPECT_THROW(throw std::runtime_error(std::string(40, 'e')), std::runtime_error);
    EXPECT_NO_FATAL_FAILURE(ASSERT_EQ(numbers.size(), 4u));
    SUCCEED() << std::string(40, 's');
}

namespace {

// Checker options from the fixture: three baseline runs and a warm-up run.
class WithOptions : public ::testing::Test {
public:
    static alloc_chaos::checker alloc_chaos_checker() {
        return alloc_chaos::checker{}.stability_runs(3).warmup_runs(1);
    }
    static void TearDownTestSuite() { EXPECT_EQ(body_runs, 1 + 3 + 1); }  // warm-up, baselines, one failure run
    static inline int body_runs = 0;
};

}  // namespace

ALLOC_CHAOS_TEST_F(WithOptions, RunsAsItsCheckerSays) {
    ++body_runs;
    std::vector<int> numbers(4);
    sink = numbers.data();
}

TEST(PlainCheck, ExpectAllocChaosSuccessPassesOnAPassingReport) {
    const alloc_chaos::report report = alloc_chaos::check([] {
        std::map<int, std::string> names{{1, std::string(40, 'a')}};
        EXPECT_EQ(names.size(), 1u);
    });
    EXPECT_ALLOC_CHAOS_SUCCESS(report);
    ASSERT_ALLOC_CHAOS_SUCCESS(report) << "with a message streamed in";
}

TEST(PlainCheck, OfTheIntegrationPassesWithItsAssertionsUnobserved) {
    const alloc_chaos::report report = alloc_chaos::gtest::check(alloc_chaos::checker{}.stability_runs(2), [] {
        // #0 the string of the initializer list, #1 the vector's buffer, #2 the string copied into it
        std::vector<std::string> words{std::string(40, 'a')};
        EXPECT_EQ(words.front(), std::string(40, 'a'));
    });
    EXPECT_ALLOC_CHAOS_SUCCESS(report);
    EXPECT_EQ(report.injected_failures(), 3u);
}

namespace {

// Before any test runs, alloc_chaos::gtest::check has no test to report into: it says so.
class CheckOutsideATest : public ::testing::Environment {
public:
    void SetUp() override {
        try {
            (void)alloc_chaos::gtest::check([] {});
            ADD_FAILURE() << "alloc_chaos::gtest::check ran outside a test";
        } catch (const std::logic_error& e) {
            EXPECT_STREQ(e.what(), "alloc_chaos::gtest::check: no GoogleTest test is running on this thread; call it "
                                   "from a test's body, or use alloc_chaos::check outside GoogleTest");
        }
    }
};

[[maybe_unused]] ::testing::Environment* const check_outside_a_test =
    ::testing::AddGlobalTestEnvironment(new CheckOutsideATest);

}  // namespace
