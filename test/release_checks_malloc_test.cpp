#define BOOST_TEST_MODULE release_checks_malloc
#include <boost/test/unit_test.hpp>

// The release checks of the global bridge and the C allocator source together: a block released
// by another family than allocated it, and the C allocator's own double free and foreign pointer.

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::release_function;
using test_bodies::baseline_findings;
using test_bodies::hidden;
using test_bodies::sink;

BOOST_AUTO_TEST_CASE(correct_releases_of_every_c_allocation_find_nothing) {
    const alloc_chaos::report r = alloc_chaos::check([] {
        std::free(hidden(std::malloc(24)));
        std::free(hidden(std::calloc(4, 8)));
        void* small = hidden(std::malloc(8));
        void* grown = std::realloc(small, 64);
        std::free(hidden(grown != nullptr ? grown : small));
        std::free(hidden(std::aligned_alloc(64, 128)));
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
}

BOOST_AUTO_TEST_CASE(free_of_a_new_block_is_a_mismatched_deallocation) {
    const auto found = baseline_findings([] { std::free(hidden(::operator new(24))); });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::mismatched_deallocation);
    BOOST_TEST((found[0].allocation() == allocation(0, operation::operator_new, 24, 16, false)));
    BOOST_TEST((found[0].facts().released_by == release_function::free));
    BOOST_TEST(found[0].message() ==
               "free(p) of the block of #0 operator new size=24 align=16: release it with operator delete");
}

BOOST_AUTO_TEST_CASE(delete_of_a_malloc_block_is_a_mismatched_deallocation) {
    const auto found = baseline_findings([] { ::operator delete(hidden(std::malloc(24))); });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::mismatched_deallocation);
    BOOST_TEST((found[0].allocation() == allocation(0, operation::malloc, 24, 16, true)));
    BOOST_TEST(found[0].message() ==
               "operator delete(p) of the block of #0 malloc size=24 align=16 nothrow: release it with free");
}

BOOST_AUTO_TEST_CASE(delete_array_of_a_strdup_block_is_a_mismatched_deallocation) {
    const auto found = baseline_findings([] { ::operator delete[](hidden(::strdup("chaos"))); });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::mismatched_deallocation);
    BOOST_TEST((found[0].allocation() == allocation(0, operation::malloc, 6, 16, true)));
}

BOOST_AUTO_TEST_CASE(realloc_of_a_new_block_is_a_mismatched_deallocation) {
    const auto found = baseline_findings([] { std::free(hidden(std::realloc(hidden(::operator new(16)), 64))); });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::mismatched_deallocation);
    BOOST_TEST((found[0].allocation() == allocation(0, operation::operator_new, 16, 16, false)));
}

BOOST_AUTO_TEST_CASE(a_second_free_is_a_double_free_and_is_not_passed_to_glibc) {
    const auto found = baseline_findings([] {
        sink = std::malloc(24);
        std::free(sink);
        std::free(sink);  // read again through the volatile: no compiler sees the same pointer
    });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::double_free);
    BOOST_TEST(found[0].message() == "free(p): the block of #0 malloc size=24 align=16 nothrow was already released; "
                                     "it was not released again");
}

BOOST_AUTO_TEST_CASE(free_of_a_pointer_into_a_block_is_a_foreign_pointer_and_is_not_passed_to_glibc) {
    const auto found = baseline_findings([] {
        char* p = static_cast<char*>(hidden(std::malloc(32)));
        std::free(hidden(p + 4));
        std::free(p);
    });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::foreign_pointer);
    BOOST_TEST(found[0].message() ==
               "free(p): p is no block that was given out, so it was not released; release only what an allocation "
               "returned");
}

BOOST_AUTO_TEST_CASE(a_block_malloced_unobserved_at_a_freed_address_is_freed_without_finding) {
    const auto found = baseline_findings([] {
        std::free(hidden(std::malloc(24)));
        void* again = nullptr;
        {
            alloc_chaos::unobserved bookkeeping;
            again = hidden(std::malloc(24));  // glibc gives the address just freed
        }
        std::free(again);
    });
    BOOST_TEST(found.empty());
}
