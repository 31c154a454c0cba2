// The framework-neutral core of the test-framework integrations (alloc_chaos/integration.hpp),
// tested directly: Boost.Test is only the runner here, and no BOOST_ALLOC_CHAOS_CASE is involved.
#define BOOST_TEST_MODULE integration
#include <alloc_chaos/alloc_chaos.hpp>
#include <alloc_chaos/integration.hpp>

#include "test_bodies.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <new>
#include <string>
#include <vector>

namespace integration = alloc_chaos::integration;
using test_bodies::allocate_and_free;

namespace {

// What a body saw of its run: the context and description before and after its one allocation.
struct seen {
    std::string context_before, description_before, context_after, description_after;
};

// Runs a body that makes two allocations (attempts #0 and #1, each failure handled) under the
// checker and returns what each run saw.
std::vector<seen> runs_of_two_allocations() {
    std::vector<seen> runs;
    alloc_chaos::checker{}.run([&] {
        seen s;
        s.context_before = integration::run_context();
        s.description_before = integration::run_description();
        for (std::size_t size : {16, 32}) {
            try {
                allocate_and_free(size);
            } catch (const std::bad_alloc&) {
            }
        }
        s.context_after = integration::run_context();
        s.description_after = integration::run_description();
        alloc_chaos::unobserved record;  // the record is the test's, not the body's
        runs.push_back(std::move(s));
    });
    return runs;
}

std::string abort_message(const integration::assertion_stop& stop, std::uintmax_t before, std::uintmax_t after) {
    try {
        stop.after_run(before, after);
    } catch (const alloc_chaos::abort_check& e) {
        return e.what();
    }
    return "(nothing thrown)";
}

constexpr integration::assertion_stop boost_test_stop{"Boost.Test", "BOOST_REQUIRE"};

}  // namespace

BOOST_AUTO_TEST_CASE(outside_a_check_the_run_is_the_baseline) {
    BOOST_TEST(integration::run_context() == "baseline run, nothing failed");
    BOOST_TEST(integration::run_description() == "the baseline run");
}

BOOST_AUTO_TEST_CASE(inside_a_check_each_run_is_named) {
    const std::vector<seen> runs = runs_of_two_allocations();
    // The probe and baseline runs, then the runs failing attempts #0 and #1.
    BOOST_TEST_REQUIRE(runs.size() >= 3u);
    for (std::size_t i = 0; i + 2 < runs.size(); ++i) {
        BOOST_TEST_CONTEXT("run " << i) {
            BOOST_TEST(runs[i].context_before == "baseline run, nothing failed");
            BOOST_TEST(runs[i].description_before == "the baseline run");
            BOOST_TEST(runs[i].context_after == "baseline run, nothing failed");
            BOOST_TEST(runs[i].description_after == "the baseline run");
        }
    }
    const seen& failing_0 = runs[runs.size() - 2];
    BOOST_TEST(failing_0.context_before == "run failing attempt #0");
    BOOST_TEST(failing_0.description_before == "the run failing attempt #0, before it was reached");
    BOOST_TEST(failing_0.context_after == "run failing attempt #0");
    BOOST_TEST(failing_0.description_after.starts_with("the run failing #0 operator new size=16 align="));
    const seen& failing_1 = runs.back();
    BOOST_TEST(failing_1.context_before == "run failing attempt #1");
    BOOST_TEST(failing_1.description_before == "the run failing attempt #1, before it was reached");
    BOOST_TEST(failing_1.context_after == "run failing attempt #1");
    BOOST_TEST(failing_1.description_after.starts_with("the run failing #1 operator new size=32 align="));
    // Out of the check again.
    BOOST_TEST(integration::run_context() == "baseline run, nothing failed");
    BOOST_TEST(integration::run_description() == "the baseline run");
}

BOOST_AUTO_TEST_CASE(success_line_counts_the_failures_handled) {
    BOOST_TEST(integration::success_line(1) ==
               "alloc-chaos: the one allocation failure the body can meet was handled");
    BOOST_TEST(integration::success_line(12) ==
               "alloc-chaos: all 12 allocation failures the body can meet were handled");
}

BOOST_AUTO_TEST_CASE(the_stop_keeps_the_names_it_was_given) {
    static_assert(boost_test_stop.framework() == "Boost.Test");
    static_assert(boost_test_stop.fatal_assertion() == "BOOST_REQUIRE");
}

BOOST_AUTO_TEST_CASE(no_new_failed_assertion_does_not_stop) {
    BOOST_CHECK_NO_THROW(boost_test_stop.after_run(0, 0));
    BOOST_CHECK_NO_THROW(boost_test_stop.after_run(4, 4));
    BOOST_CHECK_NO_THROW(boost_test_stop.after_run(5, 4));  // a count that went down is no failure
}

BOOST_AUTO_TEST_CASE(a_new_failed_assertion_stops_with_the_count) {
    BOOST_TEST(abort_message(boost_test_stop, 0, 1) ==
               "1 Boost.Test assertion failed in the baseline run (logged above); the loop stops at it");
    BOOST_TEST(abort_message(boost_test_stop, 3, 5) ==
               "2 Boost.Test assertions failed in the baseline run (logged above); the loop stops at it");
    const integration::assertion_stop other{"Catch2", "REQUIRE"};
    BOOST_TEST(abort_message(other, 0, 12) ==
               "12 Catch2 assertions failed in the baseline run (logged above); the loop stops at it");
}

BOOST_AUTO_TEST_CASE(a_fatal_assertion_ends_the_case) {
    BOOST_CHECK_EXCEPTION(boost_test_stop.fatal_assertion_failed(), alloc_chaos::abort_check,
                          [](const alloc_chaos::abort_check& e) {
                              return std::string(e.what()) ==
                                     "a BOOST_REQUIRE failed in the baseline run (logged above); the case ends here";
                          });
}

BOOST_AUTO_TEST_CASE(inside_a_run_the_messages_name_the_run) {
    std::vector<std::string> messages;
    (void)alloc_chaos::checker{}.run([&] {
        try {
            allocate_and_free(16);
        } catch (const std::bad_alloc&) {
            // The run failing #0: as an adapter would, after a failed assertion and a fatal one.
            for (int fatal = 0; fatal < 2; ++fatal) {
                try {
                    if (fatal)
                        boost_test_stop.fatal_assertion_failed();
                    boost_test_stop.after_run(2, 3);
                } catch (const alloc_chaos::abort_check& e) {
                    alloc_chaos::unobserved record;
                    messages.emplace_back(e.what());
                }
            }
        }
    });
    BOOST_TEST_REQUIRE(messages.size() == 2u);
    const std::string run = "the run failing #0 operator new size=16 align=";
    BOOST_TEST(messages[0].starts_with("1 Boost.Test assertion failed in " + run));
    BOOST_TEST(messages[0].ends_with(" (logged above); the loop stops at it"));
    BOOST_TEST(messages[1].starts_with("a BOOST_REQUIRE failed in " + run));
    BOOST_TEST(messages[1].ends_with(" (logged above); the case ends here"));
}
