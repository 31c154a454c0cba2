// Deliberately broken BOOST_ALLOC_CHAOS_CASEs: each must fail, naming the attempts it failed
// under. boost_test_failing_test.cpp runs them one by one and reads their logs. The cases of the
// suite in_workers run in worker processes; those that share a body with a case above them log
// what it logs.
#define BOOST_TEST_MODULE boost_test_failing_cases
#include <alloc_chaos/boost_test.hpp>

#include "test_bodies.hpp"

#include <chrono>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

using test_bodies::sink;

// The vector's buffer (#0) fails in the first injected run; the builder swallows the failure
// and returns a short result, which the assertion catches.
BOOST_ALLOC_CHAOS_CASE(wrong_result_after_a_swallowed_failure) {
    std::vector<std::string> parts;
    try {
        parts.reserve(2);                 // #0 operator new size=64
        parts.emplace_back(40, 'a');      // #1 operator new size=41
        parts.emplace_back(40, 'b');      // #2 operator new size=41
    } catch (const std::bad_alloc&) {
        // swallowed: the result is silently short
    }
    sink = parts.data();
    BOOST_TEST(parts.size() == 2u);
}

// Every failure is translated into the wrong exception type.
BOOST_ALLOC_CHAOS_CASE(wrong_exception_type) {
    try {
        std::vector<int> numbers(8);      // #0 operator new size=32
        std::string text(40, 'x');        // #1 operator new size=41
        sink = numbers.data();
        sink = text.data();
        BOOST_TEST(numbers.size() + text.size() == 48u);
    } catch (const std::bad_alloc&) {
        throw std::runtime_error("out of memory, reported as a runtime_error");
    }
}

namespace bodies {

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
    BOOST_TEST(label.size() == 40u);
    std::vector<int> copy(numbers);       // #2 operator new size=12
    sink = copy.data();
    BOOST_TEST(copy.size() == 3u);
}

// A BOOST_REQUIRE that fails under the first injected failure ends the case there.
void require_fails_under_failure() {
    void* block = ::operator new(sizeof(int), std::nothrow);  // #0 operator new size=4 nothrow
    BOOST_REQUIRE(block != nullptr);
    ::operator delete(block);
    std::vector<int> numbers(4);          // #1 operator new size=16
    sink = numbers.data();
    BOOST_TEST(numbers.size() == 4u);
}

}  // namespace bodies

BOOST_ALLOC_CHAOS_CASE(assertion_fails_under_one_failure) { bodies::assertion_fails_under_one_failure(); }

BOOST_ALLOC_CHAOS_CASE(require_fails_under_failure) { bodies::require_fails_under_failure(); }

// The body throws when nothing fails: the check is INVALID and injects nothing.
BOOST_ALLOC_CHAOS_CASE(throws_when_nothing_fails) {
    std::vector<int> numbers(4);
    throw std::logic_error("the body is broken before any failure");
}

// The body allocates nothing a check observes: the check is INVALID, it tested nothing.
BOOST_ALLOC_CHAOS_CASE(allocates_nothing) {
    BOOST_TEST(sizeof(int) > 0u);
}

// The run goes on after the failures above.
BOOST_ALLOC_CHAOS_CASE(a_passing_case_after_the_failures) {
    std::vector<int> numbers(4);
    sink = numbers.data();
    BOOST_TEST(numbers.size() == 4u);
}

namespace bodies {

// An injected failure that escapes a noexcept function ends the process's normal flow.
void allocate_noexcept() noexcept {
    std::vector<int> numbers(4);
    sink = numbers.data();
    BOOST_TEST(numbers.size() == 4u);
}

void failure_escapes_a_noexcept_function() {
    std::vector<int> before(2);
    sink = before.data();
    allocate_noexcept();
}

}  // namespace bodies

BOOST_ALLOC_CHAOS_CASE(failure_escapes_a_noexcept_function) { bodies::failure_escapes_a_noexcept_function(); }

namespace bodies {

// The run failing #1 never ends.
void hangs_under_one_failure() {
    std::vector<int> numbers(2);          // #0 operator new size=8
    sink = numbers.data();
    try {
        std::string text(40, 'x');        // #1 operator new size=41
        sink = text.data();
    } catch (const std::bad_alloc&) {
        volatile bool hang = true;
        while (hang) {
        }
    }
}

}  // namespace bodies

// Boost.Test's timeout stops the run that hangs.
BOOST_ALLOC_CHAOS_CASE(hangs_under_one_failure, *boost::unit_test::timeout(1)) { bodies::hangs_under_one_failure(); }

BOOST_ALLOC_CHAOS_CASE(a_passing_case_after_the_abort) {
    std::vector<int> numbers(4);
    sink = numbers.data();
    BOOST_TEST(numbers.size() == 4u);
}

// ---- The runs in worker processes ----

namespace {

// Every counted_fixture built in this process; a worker process counts its own.
int fixtures_built_here = 0;

struct counted_fixture {
    counted_fixture() { ++fixtures_built_here; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(in_workers, *alloc_chaos::boost_test::check_with(alloc_chaos::checker{}.processes(2)))

// The assertion fails in a worker; the calling process logs it.
BOOST_ALLOC_CHAOS_CASE(assertion_fails_under_one_failure) { bodies::assertion_fails_under_one_failure(); }

// The BOOST_REQUIRE fails in a worker; the case ends in the calling process.
BOOST_ALLOC_CHAOS_CASE(require_fails_under_failure) { bodies::require_fails_under_failure(); }

// std::terminate ends the worker: the run crashed, the case fails with the report.
BOOST_ALLOC_CHAOS_CASE(failure_escapes_a_noexcept_function) { bodies::failure_escapes_a_noexcept_function(); }

// The run failing #1 passes its time limit: its worker is killed, the case fails with the report.
BOOST_ALLOC_CHAOS_CASE(hangs_under_one_failure,
                       *alloc_chaos::boost_test::check_with(
                           alloc_chaos::checker{}.processes(2).run_timeout(std::chrono::milliseconds(500)))) {
    bodies::hangs_under_one_failure();
}

// The fixture is built in the workers, fresh for every run.
BOOST_ALLOC_CHAOS_FIXTURE_CASE(builds_its_fixture_in_the_workers, counted_fixture) {
    std::vector<int> numbers(4);
    sink = numbers.data();
    BOOST_TEST(fixtures_built_here >= 1);
}

BOOST_AUTO_TEST_CASE(built_no_fixture_here,
                     *boost::unit_test::depends_on("in_workers/builds_its_fixture_in_the_workers")) {
    BOOST_TEST(fixtures_built_here == 0);
}

BOOST_ALLOC_CHAOS_CASE(a_passing_case) {
    std::vector<int> numbers(4);
    sink = numbers.data();
    BOOST_TEST(numbers.size() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()
