#define BOOST_TEST_MODULE operation
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/operation.hpp>

#include "test_bodies.hpp"

#include <string>
#include <string_view>

using alloc_chaos::operation;
using test_bodies::printed;

BOOST_AUTO_TEST_CASE(operator_new_is_named_operator_new) {
    BOOST_TEST(to_string(operation::operator_new) == std::string_view("operator new"));
}

BOOST_AUTO_TEST_CASE(operator_new_array_is_named_operator_new_brackets) {
    BOOST_TEST(to_string(operation::operator_new_array) == std::string_view("operator new[]"));
}

BOOST_AUTO_TEST_CASE(resource_allocate_is_named_resource_allocate) {
    BOOST_TEST(to_string(operation::resource_allocate) == std::string_view("resource allocate"));
}

BOOST_AUTO_TEST_CASE(custom_allocate_is_named_custom_allocate) {
    BOOST_TEST(to_string(operation::custom_allocate) == std::string_view("custom allocate"));
}

BOOST_AUTO_TEST_CASE(the_c_allocator_operations_are_named_after_their_functions) {
    BOOST_TEST(to_string(operation::malloc) == std::string_view("malloc"));
    BOOST_TEST(to_string(operation::calloc) == std::string_view("calloc"));
    BOOST_TEST(to_string(operation::realloc) == std::string_view("realloc"));
    BOOST_TEST(to_string(operation::aligned_alloc) == std::string_view("aligned_alloc"));
}

BOOST_AUTO_TEST_CASE(allocator_allocate_is_named_allocator_allocate) {
    BOOST_TEST(to_string(operation::allocator_allocate) == std::string_view("allocator allocate"));
}

BOOST_AUTO_TEST_CASE(a_value_outside_the_enumeration_is_named_unknown_operation) {
    BOOST_TEST(to_string(static_cast<operation>(99)) == std::string_view("unknown operation"));
}

BOOST_AUTO_TEST_CASE(streaming_prints_the_name) {
    BOOST_TEST(printed(operation::operator_new) == "operator new");
    BOOST_TEST(printed(operation::operator_new_array) == "operator new[]");
    BOOST_TEST(printed(operation::resource_allocate) == "resource allocate");
    BOOST_TEST(printed(operation::custom_allocate) == "custom allocate");
}

BOOST_AUTO_TEST_CASE(to_string_is_noexcept) {
    static_assert(noexcept(to_string(operation::operator_new)));
}
