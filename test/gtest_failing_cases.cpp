// Deliberately broken ALLOC_CHAOS_TESTs, and passing ones beside them: each broken one must fail,
// naming the run it failed in; each passing one must say how many failures it met.
// gtest_failing.cpp runs them one by one (--gtest_filter) and reads their output. The tests of the
// fixture InWorkers run in worker processes; those that share a body with a test above them
// report what it reports.
#include <alloc_chaos/gtest.hpp>

#include "test_bodies.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

using test_bodies::sink;

namespace bodies {

// The vector's buffer (#0) fails in the first injected run; the builder swallows the failure and
// returns a short result, which the assertion catches.
void wrong_result_after_a_swallowed_failure() {
    std::vector<std::string> parts;
    try {
        parts.reserve(2);                 // #0 operator new size=64
        parts.emplace_back(40, 'a');      // #1 operator new size=41
        parts.emplace_back(40, 'b');      // #2 operator new size=41
    } catch (const std::bad_alloc&) {
        // swallowed: the result is silently short
    }
    sink = parts.data();
    EXPECT_EQ(parts.size(), 2u);
}

// Only the run failing #1 breaks the result.
void assertion_fails_under_one_failure() {
    std::vector<int> numbers{1, 2, 3};    // #0 operator new size=12
    sink = numbers.data();
    std::string label;
    try {
        label.assign(40, 'n');            // #1 operator new size=41
        sink = label.data();
    } catch (const std::bad_alloc&) {
        label = "?";                      // short: no allocation
    }
    EXPECT_EQ(label.size(), 40u);
    std::vector<int> copy(numbers);       // #2 operator new size=12
    sink = copy.data();
    EXPECT_EQ(copy.size(), 3u);
}

// An ASSERT_ that fails under the first injected failure ends the body there.
void assert_fails_under_failure() {
    void* block = ::operator new(sizeof(int), std::nothrow);  // #0 operator new size=4 nothrow
    ASSERT_NE(block, nullptr);
    ::operator delete(block);
    std::vector<int> numbers(4);          // #1 operator new size=16
    sink = numbers.data();
    EXPECT_EQ(numbers.size(), 4u);
}

}  // namespace bodies

ALLOC_CHAOS_TEST(Broken, WrongResultAfterASwallowedFailure) { bodies::wrong_result_after_a_swallowed_failure(); }

ALLOC_CHAOS_TEST(Broken, AssertionFailsUnderOneFailure) { bodies::assertion_fails_under_one_failure(); }

ALLOC_CHAOS_TEST(Broken, AssertFailsUnderFailure) { bodies::assert_fails_under_failure(); }

// Every failure is translated into the wrong exception type.
ALLOC_CHAOS_TEST(Broken, WrongExceptionType) {
    try {
        std::vector<int> numbers(8);      // #0 operator new size=32
        std::string text(40, 'x');        // #1 operator new size=41
        sink = numbers.data();
        sink = text.data();
        EXPECT_EQ(numbers.size() + text.size(), 48u);
    } catch (const std::bad_alloc&) {
        throw std::runtime_error("out of memory, reported as a runtime_error");
    }
}

// The run failing #2 leaks the vector that #0 and #1 made.
ALLOC_CHAOS_TEST(Broken, LeaksUnderOneFailure) {
    auto* numbers = new std::vector<int>(4);  // #0 operator new size=24, #1 operator new size=16
    std::string text(40, 'x');                // #2 operator new size=41
    sink = text.data();
    delete numbers;
}

// The baseline run leaks and its assertion fails: the checker makes it again to take the leak's
// stack, and the assertion fails again, unreported.
ALLOC_CHAOS_TEST(Broken, AssertionFailsInABaselineThatLeaks) {
    auto* numbers = new std::vector<int>(4);  // #0, #1: never deleted
    sink = numbers;
    EXPECT_EQ(numbers->size(), 5u);
}

// The body throws when nothing fails: the check is INVALID and injects nothing.
ALLOC_CHAOS_TEST(Broken, ThrowsWhenNothingFails) {
    std::vector<int> numbers(4);
    sink = numbers.data();
    throw std::logic_error("the body is broken before any failure");
}

// A death test cannot run inside a run: it throws, and the check is INVALID.
ALLOC_CHAOS_TEST(Broken, DeathTestInsideARun) {
    std::vector<int> numbers(4);
    sink = numbers.data();
    EXPECT_DEATH(std::abort(), "");
}

// The test skips itself: GoogleTest reports it skipped, with no report.
ALLOC_CHAOS_TEST(Broken, SkipsItself) {
    std::vector<int> numbers(4);
    sink = numbers.data();
    GTEST_SKIP() << "not on this machine";
}

namespace {

// A fixture whose SetUp fails fatally: as GoogleTest does, the body is not run.
class FailingSetUp : public ::testing::Test {
protected:
    void SetUp() override { FAIL() << "no set-up"; }
};

// A fixture whose SetUp skips the test.
class SkippingSetUp : public ::testing::Test {
protected:
    void SetUp() override { GTEST_SKIP() << "skipped in SetUp"; }
};

}  // namespace

ALLOC_CHAOS_TEST_F(FailingSetUp, BodyIsNotRun) {
    std::vector<int> numbers(4);
    sink = numbers.data();
    std::puts("the body ran");
}

ALLOC_CHAOS_TEST_F(SkippingSetUp, BodyIsNotRun) {
    std::vector<int> numbers(4);
    sink = numbers.data();
    std::puts("the body ran");
}

// EXPECT_ALLOC_CHAOS_SUCCESS on a plain check that fails: the report in the message, and the
// test goes on.
TEST(Plain, ExpectSuccessOfAFailingCheck) {
    const alloc_chaos::report report = alloc_chaos::check([] {
        try {
            std::string text(40, 'x');
            sink = text.data();
        } catch (const std::bad_alloc&) {
            throw std::runtime_error("out of memory, reported as a runtime_error");
        }
    });
    EXPECT_ALLOC_CHAOS_SUCCESS(report) << "the parser's check";
    std::puts("after EXPECT_ALLOC_CHAOS_SUCCESS");
}

// ASSERT_ALLOC_CHAOS_SUCCESS on a failing check returns from the test.
TEST(Plain, AssertSuccessOfAFailingCheck) {
    const alloc_chaos::report report = alloc_chaos::check([] {
        std::vector<int> numbers(4);
        sink = numbers.data();
        throw std::logic_error("the body is broken before any failure");
    });
    ASSERT_ALLOC_CHAOS_SUCCESS(report);
    std::puts("after ASSERT_ALLOC_CHAOS_SUCCESS");
}

// alloc_chaos::gtest::check: the assertion is reported once, naming its run, and stops the loop.
TEST(Plain, CheckOfTheIntegration) {
    EXPECT_ALLOC_CHAOS_SUCCESS(alloc_chaos::gtest::check([] { bodies::wrong_result_after_a_swallowed_failure(); }));
}

TEST(Plain, ExpectSuccessOfAPassingCheck) {
    EXPECT_ALLOC_CHAOS_SUCCESS(alloc_chaos::check([] {
        std::vector<int> numbers(4);
        sink = numbers.data();
    }));
}

// ---- Passing tests ----

ALLOC_CHAOS_TEST(Passing, VectorOfStrings) {
    std::vector<std::string> words;
    words.reserve(2);                          // #0
    words.emplace_back(40, 'a');               // #1
    words.emplace_back(40, 'b');               // #2
    EXPECT_EQ(words.size(), 2u);
}

ALLOC_CHAOS_TEST(Passing, MapOfStrings) {
    std::map<int, std::string> names;
    names.emplace(1, std::string(40, 'a'));    // #0 the string, #1 the node
    names.emplace(2, std::string(40, 'b'));    // #2, #3
    EXPECT_EQ(names.size(), 2u);
    SCOPED_TRACE("a trace that allocates, unobserved");
    EXPECT_EQ(names.at(2).size(), 40u);
}

namespace {

// A fixture whose constructor and SetUp allocate: unobserved, they are no attempts of the body.
class SetUpAllocates : public ::testing::Test {
protected:
    SetUpAllocates() : names(3, std::string(40, 'n')) {}
    void SetUp() override { numbers.assign(100, 7); }
    void TearDown() override { numbers.clear(); numbers.shrink_to_fit(); }

    std::vector<std::string> names;
    std::vector<int> numbers;
};

}  // namespace

ALLOC_CHAOS_TEST_F(SetUpAllocates, CountsOnlyTheBody) {
    EXPECT_EQ(numbers.size(), 100u);
    names.emplace_back(40, 'x');               // #0 the string, #1 the vector grows
}

// The fixture's checker options: three baseline runs that must agree.
class ThreeBaselines : public ::testing::Test {
public:
    static alloc_chaos::checker alloc_chaos_checker() { return alloc_chaos::checker{}.stability_runs(3); }
};

ALLOC_CHAOS_TEST_F(ThreeBaselines, AStableBody) {
    std::vector<int> numbers(4);               // #0
    sink = numbers.data();
}

// ---- The runs in worker processes ----

namespace {

// Every CountedFixture built in this process; a worker process counts its own.
int fixtures_built_here = 0;

class InWorkers : public ::testing::Test {
public:
    static alloc_chaos::checker alloc_chaos_checker() { return alloc_chaos::checker{}.processes(2); }

protected:
    InWorkers() { ++fixtures_built_here; }
};

}  // namespace

// The assertion fails in a worker; the calling process reports it.
ALLOC_CHAOS_TEST_F(InWorkers, AssertionFailsUnderOneFailure) { bodies::assertion_fails_under_one_failure(); }

// The ASSERT_ fails in a worker; the calling process reports it.
ALLOC_CHAOS_TEST_F(InWorkers, AssertFailsUnderFailure) { bodies::assert_fails_under_failure(); }

namespace bodies {

// An injected failure that escapes a noexcept function calls std::terminate.
void allocate_noexcept() noexcept {
    std::vector<int> numbers(4);          // #1 operator new size=16
    sink = numbers.data();
}

}  // namespace bodies

// std::terminate ends the worker: the run crashed, the test fails with the report.
ALLOC_CHAOS_TEST_F(InWorkers, FailureEscapesANoexceptFunction) {
    std::vector<int> before(2);           // #0 operator new size=8
    sink = before.data();
    bodies::allocate_noexcept();
}

// The fixture is built in the workers, fresh for every run.
ALLOC_CHAOS_TEST_F(InWorkers, BuildsItsFixtureInTheWorkers) {
    std::vector<int> numbers(4);
    sink = numbers.data();
    EXPECT_GE(fixtures_built_here, 1);
}

TEST(InWorkersAfter, BuiltNoFixtureHere) { EXPECT_EQ(fixtures_built_here, 0); }
