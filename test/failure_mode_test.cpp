#define BOOST_TEST_MODULE failure_mode
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"

#include <array>
#include <cstddef>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
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
using test_bodies::mishandled;
using test_bodies::plain;
using test_bodies::sink;
using test_bodies::three_attempts_mishandling_attempt_1;

namespace {

// Which of the 4 nothrow attempts of `four_nothrow_attempts` failed, in the run of each target.
using failures_by_target = std::array<std::array<bool, 4>, 4>;

// Makes 4 nothrow attempts, handling each failure, and records which ones failed in this run.
void four_nothrow_attempts(failures_by_target& seen) {
    const std::optional<alloc_chaos::run_status> run = alloc_chaos::current_run();
    for (std::size_t i = 0; i < 4; ++i) {
        void* p = ::operator new(8, std::nothrow);
        sink = p;
        if (run && run->target)
            seen[*run->target][i] = p == nullptr;
        ::operator delete(p);
    }
}

// ---- a recovery path that allocates ----

const char* const long_text = "a description long enough to live on the heap, not in the small buffer";

// Retries a failed allocation once; returns an empty string when the retry fails too.
std::string describe() {
    try {
        return std::string(long_text);
    } catch (const std::bad_alloc&) {
    }
    try {
        return std::string(long_text);  // the recovery path: it allocates again
    } catch (const std::bad_alloc&) {
    }
    return {};
}

// Makes 2 attempts: the header, then describe(); an empty description is a bug of its own.
void header_then_description() {
    const std::string header(long_text);  // #0
    sink = const_cast<char*>(header.data());
    const std::string description = describe();  // #1, and #2 when #1 fails
    sink = const_cast<char*>(description.data());
    if (description.empty()) {
        alloc_chaos::unobserved own_error;  // the message is no attempt of the body
        throw std::logic_error("describe() returned nothing");
    }
}

}  // namespace

// ---- names ----

BOOST_AUTO_TEST_CASE(to_string_names_each_mode) {
    BOOST_TEST(alloc_chaos::to_string(failure_mode::once) == "once");
    BOOST_TEST(alloc_chaos::to_string(failure_mode::persistent) == "persistent");
    BOOST_TEST(alloc_chaos::to_string(failure_mode::both) == "both");
}

BOOST_AUTO_TEST_CASE(streaming_a_mode_prints_its_name) {
    std::ostringstream out;
    out << failure_mode::once << ' ' << failure_mode::persistent << ' ' << failure_mode::both;
    BOOST_TEST(out.str() == "once persistent both");
}

// ---- once ----

BOOST_AUTO_TEST_CASE(the_default_mode_is_once_and_fails_the_target_alone) {
    failures_by_target seen{};
    const report r = check([&] { four_nothrow_attempts(seen); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.mode() == failure_mode::once);
    BOOST_TEST_REQUIRE(r.attempts().size() == 4u);
    for (std::size_t target = 0; target < 4; ++target) {
        BOOST_TEST(r.attempts()[target].mode() == failure_mode::once);
        for (std::size_t i = 0; i < 4; ++i)
            BOOST_TEST(seen[target][i] == (i == target), "run failing #" << target << ", attempt #" << i);
    }
}

// ---- persistent ----

BOOST_AUTO_TEST_CASE(persistent_fails_the_target_and_every_later_attempt) {
    failures_by_target seen{};
    const report r = checker{}.mode(failure_mode::persistent).run([&] { four_nothrow_attempts(seen); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.mode() == failure_mode::persistent);
    BOOST_TEST_REQUIRE(r.attempts().size() == 4u);
    for (std::size_t target = 0; target < 4; ++target) {
        const alloc_chaos::attempt& run = r.attempts()[target];
        BOOST_TEST(run.mode() == failure_mode::persistent);
        BOOST_TEST((run.injected_allocation() == allocation(target, operation::operator_new, 8, plain, true)));
        for (std::size_t i = 0; i < 4; ++i)
            BOOST_TEST(seen[target][i] == (i >= target), "run failing #" << target << ", attempt #" << i);
    }
}

BOOST_AUTO_TEST_CASE(persistent_fails_the_later_attempts_of_every_source) {
    alloc_chaos::chaos_memory_resource resource;
    std::array<bool, 3> failed{};
    const report r = checker{}.mode(failure_mode::persistent).only_failure(0).run([&] {
        void* p = ::operator new(16, std::nothrow);  // #0, the target
        sink = p;
        failed[0] = p == nullptr;
        ::operator delete(p);
        try {
            void* block = resource.allocate(32, 8);  // #1
            sink = block;
            resource.deallocate(block, 32, 8);
        } catch (const std::bad_alloc&) {
            failed[1] = true;
        }
        failed[2] = alloc_chaos::observe_attempt(operation::custom_allocate, 48, 8).has_value();  // #2
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].failed_attempts() == 3u);
    BOOST_TEST(failed[0]);
    BOOST_TEST(failed[1]);
    BOOST_TEST(failed[2]);
}

// ---- failed_attempts ----

BOOST_AUTO_TEST_CASE(failed_attempts_is_1_in_once_mode) {
    failures_by_target seen{};
    const report r = check([&] { four_nothrow_attempts(seen); });
    for (const alloc_chaos::attempt& run : r.attempts())
        BOOST_TEST(run.failed_attempts() == 1u, "run failing #" << run.target());
}

BOOST_AUTO_TEST_CASE(failed_attempts_counts_the_target_and_every_later_attempt_in_persistent_mode) {
    failures_by_target seen{};
    const report r = checker{}.mode(failure_mode::persistent).run([&] { four_nothrow_attempts(seen); });
    BOOST_TEST_REQUIRE(r.attempts().size() == 4u);
    for (std::size_t target = 0; target < 4; ++target)
        BOOST_TEST(r.attempts()[target].failed_attempts() == 4u - target, "run failing #" << target);
}

BOOST_AUTO_TEST_CASE(failed_attempts_is_0_for_a_run_that_never_reached_its_target) {
    std::size_t runs = 0;
    const report r = checker{}.mode(failure_mode::persistent).run([&] {
        const bool stops_short = ++runs == 3;  // the baseline, the run failing #0, the run failing #1
        allocate_and_free(1);
        if (!stops_short)
            allocate_and_free(2);
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(!r.attempts()[1].injected());
    BOOST_TEST(r.attempts()[1].failed_attempts() == 0u);
    BOOST_TEST(!r.success());
}

// ---- both ----

BOOST_AUTO_TEST_CASE(both_runs_each_target_twice_once_then_persistent) {
    failures_by_target seen{};
    const report r = checker{}.mode(failure_mode::both).run([&] { four_nothrow_attempts(seen); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.mode() == failure_mode::both);
    BOOST_TEST(r.tested_failures() == 8u);
    BOOST_TEST(r.injected_failures() == 8u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 8u);
    for (std::size_t i = 0; i < 8; ++i) {
        const alloc_chaos::attempt& run = r.attempts()[i];
        BOOST_TEST(run.target() == i / 2, "run " << i);
        BOOST_TEST(run.mode() == (i % 2 == 0 ? failure_mode::once : failure_mode::persistent), "run " << i);
        BOOST_TEST(run.failed_attempts() == (i % 2 == 0 ? 1u : 4u - i / 2), "run " << i);
    }
    // The persistent run of each target ran last, so it is the one `seen` kept.
    for (std::size_t target = 0; target < 4; ++target)
        for (std::size_t i = 0; i < 4; ++i)
            BOOST_TEST(seen[target][i] == (i >= target), "run failing #" << target << ", attempt #" << i);
}

BOOST_AUTO_TEST_CASE(both_is_partial_when_targets_miss_their_runs) {
    const report r = checker{}.mode(failure_mode::both).max_failures(1).run([] {
        allocate_and_free(1);
        allocate_and_free(2);
    });
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check PARTIAL: tested 1 of 2 observed attempts; a partial check never passes\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 2 attempts\n"
               "  failures: 2 tested (each target once and persistent), 2 injected, of 2 observed attempts\n"
               "  not tested: 1 attempt (#1), selected by max_failures(1)\n");
}

BOOST_AUTO_TEST_CASE(both_is_partial_when_the_persistent_run_of_a_target_is_missing) {
    // stop_on_failure ends the check after the once run of the last target: its persistent run is missing.
    const report r = checker{}.mode(failure_mode::both).stop_on_failure().run([] {
        allocate_and_free(1);
        try {
            allocate_and_free(2);
        } catch (const std::bad_alloc&) {
            throw mishandled();
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[2].target() == 1u);
    BOOST_TEST(r.attempts()[2].mode() == failure_mode::once);
    BOOST_TEST(r.stopped_early());
    BOOST_TEST(r.truncated());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_run_never_has_mode_both) {
    const report r = checker{}.mode(failure_mode::both).run([] { allocate_and_free(1); });
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    for (const alloc_chaos::attempt& run : r.attempts())
        BOOST_TEST(run.mode() != failure_mode::both);
}

// ---- a recovery path that allocates ----

BOOST_AUTO_TEST_CASE(a_recovery_path_that_allocates_passes_in_once_mode) {
    const report r = check(header_then_description);
    BOOST_TEST(r.success(), rendered(r));
    BOOST_TEST(r.baseline_allocations() == 2u);
}

BOOST_AUTO_TEST_CASE(a_recovery_path_that_allocates_fails_in_persistent_mode) {
    const report r = checker{}.mode(failure_mode::persistent).run(header_then_description);
    BOOST_TEST(!r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].success());  // the header's failure escapes as std::bad_alloc
    const alloc_chaos::attempt& run = r.attempts()[1];
    BOOST_TEST(run.outcome() == outcome::exception);
    BOOST_TEST(run.message() == "describe() returned nothing");
    BOOST_TEST(run.failed_attempts() == 2u);  // describe()'s attempt and its retry
    BOOST_TEST(run.observed_allocations() == 3u);
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check FAILED: 1 of 2 failure runs did not end in a controlled error\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 2 attempts\n"
               "  failures: 2 tested in persistent mode, 2 injected, of 2 observed attempts\n"
               "  #1 operator new size=" +
                   std::to_string(std::string(long_text).size() + 1) + " align=" + std::to_string(plain) +
                   ", persistent (2 attempts failed): exception — describe() returned nothing\n"
                   "      replay: ALLOC_CHAOS_ONLY=1 ALLOC_CHAOS_MODE=persistent\n"
                   "SUMMARY: 1 of 2 failure runs failed: 1 exception\n");
}

BOOST_AUTO_TEST_CASE(both_catches_a_recovery_path_that_allocates_in_its_persistent_run_only) {
    const report r = checker{}.mode(failure_mode::both).run(header_then_description);
    BOOST_TEST(!r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 4u);
    for (std::size_t i : {0u, 1u, 2u})
        BOOST_TEST(r.attempts()[i].success(), "run " << i);
    BOOST_TEST(r.attempts()[3].target() == 1u);
    BOOST_TEST(r.attempts()[3].mode() == failure_mode::persistent);
    BOOST_TEST(r.attempts()[3].message() == "describe() returned nothing");
}

// ---- the report ----

BOOST_AUTO_TEST_CASE(a_passed_persistent_report_says_its_runs_were_persistent) {
    BOOST_TEST(rendered(checker{}.mode(failure_mode::persistent).run([] {
                   allocate_and_free(1);
                   allocate_and_free(2);
               })) ==
               "alloc-chaos check PASSED: each of the 2 observed allocation attempts was failed in turn, and every "
               "run handled the failure or ended in std::bad_alloc\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 2 attempts\n"
               "  failures: 2 tested in persistent mode, 2 injected, of 2 observed attempts\n");
}

BOOST_AUTO_TEST_CASE(a_passed_both_report_counts_each_target_twice) {
    BOOST_TEST(rendered(checker{}.mode(failure_mode::both).run([] {
                   allocate_and_free(1);
                   allocate_and_free(2);
               })) ==
               "alloc-chaos check PASSED: each of the 2 observed allocation attempts was failed in turn, and every "
               "run handled the failure or ended in std::bad_alloc\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 2 attempts\n"
               "  failures: 4 tested (each target once and persistent), 4 injected, of 2 observed attempts\n");
}

BOOST_AUTO_TEST_CASE(a_failed_both_report_shows_the_mode_of_each_failed_run_and_how_to_replay_it) {
    BOOST_TEST(rendered(checker{}.mode(failure_mode::both).run(three_attempts_mishandling_attempt_1)) ==
               "alloc-chaos check FAILED: 2 of 6 failure runs did not end in a controlled error\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 6 tested (each target once and persistent), 6 injected, of 3 observed attempts\n"
               "  #1 operator new size=2 align=16, once: exception — mishandled\n"
               "      replay: ALLOC_CHAOS_ONLY=1 ALLOC_CHAOS_MODE=once\n"
               "  #1 operator new size=2 align=16, persistent (1 attempt failed): exception — mishandled\n"
               "      replay: ALLOC_CHAOS_ONLY=1 ALLOC_CHAOS_MODE=persistent\n"
               "SUMMARY: 2 of 6 failure runs failed: 2 exception\n");
}

BOOST_AUTO_TEST_CASE(a_failed_once_report_shows_no_mode) {
    BOOST_TEST(rendered(check(three_attempts_mishandling_attempt_1)) ==
               "alloc-chaos check FAILED: 1 of 3 failure runs did not end in a controlled error\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 3 tested, 3 injected, of 3 observed attempts\n"
               "  #1 operator new size=2 align=16: exception — mishandled\n"
               "      replay: ALLOC_CHAOS_ONLY=1\n"
               "SUMMARY: 1 of 3 failure runs failed: 1 exception\n");
}
