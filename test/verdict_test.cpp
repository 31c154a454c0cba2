#define BOOST_TEST_MODULE verdict
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <string_view>
#include <utility>

using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::verdict;
using test_bodies::allocate_sizes_1_to;
using test_bodies::boom;
using test_bodies::printed;
using test_bodies::three_attempts_mishandling_attempt_1;

// ---- to_string and operator<< ----

BOOST_AUTO_TEST_CASE(passed_is_named_PASSED) {
    BOOST_TEST(to_string(verdict::passed) == std::string_view("PASSED"));
}

BOOST_AUTO_TEST_CASE(partial_is_named_PARTIAL) {
    BOOST_TEST(to_string(verdict::partial) == std::string_view("PARTIAL"));
}

BOOST_AUTO_TEST_CASE(failed_is_named_FAILED) {
    BOOST_TEST(to_string(verdict::failed) == std::string_view("FAILED"));
}

BOOST_AUTO_TEST_CASE(invalid_is_named_INVALID) {
    BOOST_TEST(to_string(verdict::invalid) == std::string_view("INVALID"));
}

BOOST_AUTO_TEST_CASE(a_value_outside_the_enumeration_is_named_unknown_verdict) {
    BOOST_TEST(to_string(static_cast<verdict>(99)) == std::string_view("unknown verdict"));
}

BOOST_AUTO_TEST_CASE(streaming_prints_the_name) {
    BOOST_TEST(printed(verdict::passed) == "PASSED");
    BOOST_TEST(printed(verdict::partial) == "PARTIAL");
    BOOST_TEST(printed(verdict::failed) == "FAILED");
    BOOST_TEST(printed(verdict::invalid) == "INVALID");
}

BOOST_AUTO_TEST_CASE(to_string_is_noexcept) {
    static_assert(noexcept(to_string(verdict::passed)));
}

// ---- report::verdict() ----

BOOST_AUTO_TEST_CASE(an_exhaustive_all_passing_check_is_passed_and_a_success) {
    const alloc_chaos::report r = check([] { allocate_sizes_1_to(3); });
    BOOST_TEST(r.verdict() == verdict::passed);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(a_capped_check_is_partial_and_no_success) {
    const alloc_chaos::report r = checker{}.max_failures(1).run([] { allocate_sizes_1_to(3); });
    BOOST_TEST(r.verdict() == verdict::partial);
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_check_with_a_mishandled_failure_is_failed_and_no_success) {
    const alloc_chaos::report r = check(three_attempts_mishandling_attempt_1);
    BOOST_TEST(r.verdict() == verdict::failed);
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_check_whose_baseline_throws_is_invalid_and_no_success) {
    const alloc_chaos::report r = check([] { throw boom(); });
    BOOST_TEST(r.verdict() == verdict::invalid);
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_check_whose_baseline_observes_no_attempt_is_invalid_and_no_success) {
    const alloc_chaos::report r = check([] {});
    BOOST_TEST(r.verdict() == verdict::invalid);
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(verdict_is_noexcept) {
    static_assert(noexcept(std::declval<const alloc_chaos::report&>().verdict()));
}
