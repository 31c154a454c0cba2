#define BOOST_TEST_MODULE allocation
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/allocation.hpp>

#include "test_bodies.hpp"

#include <cstddef>
#include <limits>
#include <string>

using alloc_chaos::allocation;
using alloc_chaos::operation;
using test_bodies::printed;

BOOST_AUTO_TEST_CASE(default_new_alignment_is_the_compilers_default_new_alignment) {
    static_assert(alloc_chaos::default_new_alignment == __STDCPP_DEFAULT_NEW_ALIGNMENT__);
}

BOOST_AUTO_TEST_CASE(accessors_return_what_was_constructed) {
    const allocation a(3, operation::operator_new_array, 64, 32, true);
    BOOST_TEST(a.index() == 3u);
    BOOST_TEST(a.operation() == operation::operator_new_array);
    BOOST_TEST(a.size() == 64u);
    BOOST_TEST(a.alignment() == 32u);
    BOOST_TEST(a.nothrow());
}

BOOST_AUTO_TEST_CASE(a_zero_size_is_kept) {
    const allocation a(0, operation::operator_new, 0, alloc_chaos::default_new_alignment, false);
    BOOST_TEST(a.size() == 0u);
    BOOST_TEST(!a.nothrow());
}

BOOST_AUTO_TEST_CASE(it_is_a_constexpr_literal_type) {
    constexpr allocation a(7, operation::resource_allocate, 24, 8, false);
    static_assert(a.index() == 7 && a.operation() == operation::resource_allocate && a.size() == 24 &&
                  a.alignment() == 8 && !a.nothrow());
    static_assert(std::is_trivially_copyable_v<allocation>);
}

BOOST_AUTO_TEST_CASE(equal_when_every_field_is_equal) {
    BOOST_TEST((allocation(1, operation::operator_new, 8, 16, false) ==
                allocation(1, operation::operator_new, 8, 16, false)));
}

BOOST_AUTO_TEST_CASE(unequal_when_any_single_field_differs) {
    const allocation a(1, operation::operator_new, 8, 16, false);
    BOOST_TEST((a != allocation(2, operation::operator_new, 8, 16, false)));
    BOOST_TEST((a != allocation(1, operation::operator_new_array, 8, 16, false)));
    BOOST_TEST((a != allocation(1, operation::operator_new, 9, 16, false)));
    BOOST_TEST((a != allocation(1, operation::operator_new, 8, 32, false)));
    BOOST_TEST((a != allocation(1, operation::operator_new, 8, 16, true)));
}

BOOST_AUTO_TEST_CASE(streaming_prints_index_operation_size_and_alignment) {
    BOOST_TEST(printed(allocation(3, operation::operator_new, 64, 16, false)) == "#3 operator new size=64 align=16");
}

BOOST_AUTO_TEST_CASE(streaming_appends_nothrow_for_the_nothrow_forms) {
    BOOST_TEST(printed(allocation(0, operation::operator_new_array, 0, 4096, true)) ==
               "#0 operator new[] size=0 align=4096 nothrow");
}

BOOST_AUTO_TEST_CASE(streaming_names_every_operation) {
    BOOST_TEST(printed(allocation(5, operation::resource_allocate, 24, 8, false)) ==
               "#5 resource allocate size=24 align=8");
    BOOST_TEST(printed(allocation(6, operation::custom_allocate, 40, 32, false)) ==
               "#6 custom allocate size=40 align=32");
}

BOOST_AUTO_TEST_CASE(streaming_prints_the_largest_values_in_full) {
    constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
    BOOST_TEST(printed(allocation(max, operation::operator_new, max, 8, false)) ==
               "#18446744073709551615 operator new size=18446744073709551615 align=8");
}
