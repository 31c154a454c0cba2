// Deliberately broken ALLOC_CHAOS_TEST_CASEs: each must fail, naming the attempts it failed
// under. catch2_failing.cpp runs them one by one and reads their output. Every broken case has
// the tag [broken]; the passing ones [passing]. The cases tagged [processes] run in worker
// processes; those that share a body with a case above them report what it reports.
#include <alloc_chaos/catch2.hpp>

#include "test_bodies.hpp"

#include <cstddef>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

using test_bodies::sink;

namespace {

// The blocks the leaking cases leak, freed at exit.
test_bodies::bridge_blocks kept;

// The process the cases run in: a run made here was not made in a worker process.
const pid_t calling_process = ::getpid();

// The options of the cases that run in worker processes.
alloc_chaos::checker in_workers() { return alloc_chaos::checker{}.processes(2); }

}  // namespace

namespace bodies {

// Only the run failing #1 breaks the result: a failed CHECK inside a failure run.
void check_fails_under_one_failure() {
    std::vector<int> numbers{1, 2, 3};  // #0 operator new size=12
    sink = numbers.data();
    std::string label;
    try {
        label.assign(40, 'n');          // #1 operator new size=41
        sink = label.data();
    } catch (const std::bad_alloc&) {
        label = "?";                    // short: no allocation
    }
    CHECK(label.size() == 40u);
    std::vector<int> copy(numbers);     // #2 operator new size=12
    sink = copy.data();
    CHECK(copy.size() == 3u);
}

// A REQUIRE that fails under the first injected failure ends the case there.
void require_fails_under_failure() {
    void* block = ::operator new(sizeof(int), std::nothrow);  // #0 operator new size=4 nothrow
    REQUIRE(block != nullptr);
    ::operator delete(block);
    std::vector<int> numbers(4);        // #1 operator new size=16
    sink = numbers.data();
    CHECK(numbers.size() == 4u);
}

}  // namespace bodies

// The vector's buffer (#0) fails in the first injected run; the builder swallows the failure
// and returns a short result, which the assertion catches.
ALLOC_CHAOS_TEST_CASE("wrong result after a swallowed failure", "[broken]") {
    std::vector<std::string> parts;
    try {
        parts.reserve(2);             // #0 operator new size=64
        parts.emplace_back(40, 'a');  // #1 operator new size=41
        parts.emplace_back(40, 'b');  // #2 operator new size=41
    } catch (const std::bad_alloc&) {
        // swallowed: the result is silently short
    }
    sink = parts.data();
    CHECK(parts.size() == 2u);
}

// Only the run failing #1 breaks the result: a failed CHECK inside a failure run.
ALLOC_CHAOS_TEST_CASE("check fails under one failure", "[broken]") { bodies::check_fails_under_one_failure(); }

// A REQUIRE that fails under the first injected failure ends the case there.
ALLOC_CHAOS_TEST_CASE("require fails under failure", "[broken]") { bodies::require_fails_under_failure(); }

// Attempts #0..#6; a failure of #4 or #5 leaks the block of #3, a failure of #6 leaks #3 and #5.
ALLOC_CHAOS_TEST_CASE("leaks under later failures", "[broken]") { test_bodies::leaks_3_and_5_on_later_failures(kept); }

// The baseline run leaks and its assertion fails: the checker makes it again to take the leak's
// stack, and the assertion fails again, unreported.
ALLOC_CHAOS_TEST_CASE("assertion fails in a baseline that leaks", "[broken]") {
    sink = kept.keep(::operator new(64));  // #0 operator new size=64: never freed by the body
    std::vector<int> numbers(4);           // #1 operator new size=16
    sink = numbers.data();
    CHECK(numbers.size() == 5u);
}

// Every failure is translated into the wrong exception type.
ALLOC_CHAOS_TEST_CASE("wrong exception type", "[broken]") {
    try {
        std::vector<int> numbers(8);      // #0 operator new size=32
        std::string text(40, 'x');        // #1 operator new size=41
        sink = numbers.data();
        sink = text.data();
    } catch (const std::bad_alloc&) {
        throw std::runtime_error("out of memory, reported as a runtime_error");
    }
}

// A plain check whose report fails, asserted with the matcher.
TEST_CASE("matcher on a failing report", "[broken]") {
    const alloc_chaos::report report = alloc_chaos::check([] {
        try {
            std::vector<int> numbers(8);  // #0 operator new size=32
            sink = numbers.data();
        } catch (const std::bad_alloc&) {
            throw std::runtime_error("out of memory, reported as a runtime_error");
        }
    });
    REQUIRE_THAT(report, alloc_chaos::catch2::succeeded());
}

// The run failing #0 leaves its INFO open as it unwinds (Catch2's scoped messages do not close
// during unwinding); the assertion that fails in the run failing #1 shows that run's messages alone.
ALLOC_CHAOS_TEST_CASE("a message left open by an earlier run", "[broken]") {
    INFO("building the label");
    std::string label(40, 'l');  // #0 operator new size=41
    sink = label.data();
    std::vector<int> numbers;
    try {
        numbers.assign(4, 7);    // #1 operator new size=16
    } catch (const std::bad_alloc&) {
        // swallowed: the result is silently empty
    }
    sink = numbers.data();
    CHECK(numbers.size() == 4u);
}

// A section inside the body fails the case and says how to fix it.
ALLOC_CHAOS_TEST_CASE("a section inside the body", "[broken]") {
    std::vector<int> numbers(4);
    sink = numbers.data();
    SECTION("a section") {
        CHECK(numbers.size() == 4u);
    }
}

// A generator inside the body fails the case and says how to fix it.
ALLOC_CHAOS_TEST_CASE("a generator inside the body", "[broken]") {
    const int size = GENERATE(4, 8);
    std::vector<int> numbers(static_cast<std::size_t>(size));
    sink = numbers.data();
    CHECK(numbers.size() == 4u);
}

// ---- The runs in worker processes ----

// The CHECK fails in a worker; the calling process reports it.
ALLOC_CHAOS_TEST_CASE_WITH(in_workers(), "in workers: check fails under one failure", "[broken][processes]") {
    bodies::check_fails_under_one_failure();
}

// The REQUIRE fails in a worker; the calling process reports it, and the case ends.
ALLOC_CHAOS_TEST_CASE_WITH(in_workers(), "in workers: require fails under failure", "[broken][processes]") {
    bodies::require_fails_under_failure();
}

// The leaks are found in the workers.
ALLOC_CHAOS_TEST_CASE_WITH(in_workers(), "in workers: leaks under later failures", "[broken][processes]") {
    test_bodies::leaks_3_and_5_on_later_failures(kept);
}

namespace bodies {

// Writes through the result of a nothrow new without checking it: a null pointer when it failed.
// Not instrumented by UBSan, so that the write is the SIGSEGV it is without it.
ALLOC_CHAOS_NO_SANITIZE("undefined") void write_unchecked() {
    volatile int* numbers = new (std::nothrow) int[4];  // #1 operator new[] size=16 nothrow
    numbers[0] = 1;
    delete[] numbers;
}

}  // namespace bodies

// The run failing #1 crashes its worker; the case fails with the crash in its report.
ALLOC_CHAOS_TEST_CASE_WITH(in_workers(), "in workers: a null write after the injected failure", "[broken][processes]") {
    if (::getpid() == calling_process)  // never crash the calling process, whatever the environment says
        throw std::logic_error("this case crashes: run it in worker processes (leave ALLOC_CHAOS_PROCESSES unset)");
    std::vector<int> before(2);         // #0 operator new size=8
    sink = before.data();
    bodies::write_unchecked();
    CHECK(before.size() == 2u);
}

// Every run's assertions, passing ones too, reported by the calling process in the runs' order.
ALLOC_CHAOS_TEST_CASE_WITH(in_workers(), "in workers: every run reports its assertions", "[processes]") {
    {
        INFO("a message of its own");
        CHECK(alloc_chaos::current_run().has_value());  // before any attempt: made by every run
    }
    std::vector<int> numbers(4);        // #0 operator new size=16
    sink = numbers.data();
    std::string text(40, 't');          // #1 operator new size=41
    sink = text.data();
    CHECK(numbers.size() + text.size() == 44u);
}

// The run goes on after the failures above.
ALLOC_CHAOS_TEST_CASE("a passing case", "[passing]") {
    std::vector<int> numbers(4);          // #0 operator new size=16
    sink = numbers.data();
    std::string text(40, 't');            // #1 operator new size=41
    sink = text.data();
    CHECK(numbers.size() + text.size() == 44u);
}
