#define BOOST_TEST_MODULE outcome
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/outcome.hpp>

#include "test_bodies.hpp"

#include <string>
#include <string_view>

using alloc_chaos::outcome;
using test_bodies::printed;

BOOST_AUTO_TEST_CASE(completed_is_named_completed) {
    BOOST_TEST(to_string(outcome::completed) == std::string_view("completed"));
}

BOOST_AUTO_TEST_CASE(bad_alloc_is_named_bad_alloc) {
    BOOST_TEST(to_string(outcome::bad_alloc) == std::string_view("bad_alloc"));
}

BOOST_AUTO_TEST_CASE(exception_is_named_exception) {
    BOOST_TEST(to_string(outcome::exception) == std::string_view("exception"));
}

BOOST_AUTO_TEST_CASE(a_value_outside_the_enumeration_is_named_unknown_outcome) {
    BOOST_TEST(to_string(static_cast<outcome>(99)) == std::string_view("unknown outcome"));
}

BOOST_AUTO_TEST_CASE(streaming_prints_the_name) {
    BOOST_TEST(printed(outcome::completed) == "completed");
    BOOST_TEST(printed(outcome::bad_alloc) == "bad_alloc");
    BOOST_TEST(printed(outcome::exception) == "exception");
}

BOOST_AUTO_TEST_CASE(to_string_is_noexcept) {
    static_assert(noexcept(to_string(outcome::completed)));
}
