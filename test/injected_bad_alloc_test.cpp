#define BOOST_TEST_MODULE injected_bad_alloc
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <cstddef>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <type_traits>

using alloc_chaos::allocation;
using alloc_chaos::injected_bad_alloc;
using alloc_chaos::operation;
using test_bodies::sink;

BOOST_AUTO_TEST_CASE(it_derives_from_std_bad_alloc) {
    static_assert(std::is_base_of_v<std::bad_alloc, injected_bad_alloc>);
    bool caught = false;
    try {
        throw injected_bad_alloc(allocation(0, operation::operator_new, 1, 16, false));
    } catch (const std::bad_alloc&) {
        caught = true;
    }
    BOOST_TEST(caught);
}

BOOST_AUTO_TEST_CASE(construction_and_copy_never_throw) {
    static_assert(std::is_nothrow_constructible_v<injected_bad_alloc, const allocation&>);
    static_assert(std::is_nothrow_copy_constructible_v<injected_bad_alloc>);
}

BOOST_AUTO_TEST_CASE(allocation_returns_the_failed_allocation) {
    const allocation failed(3, operation::operator_new_array, 64, 32, true);
    BOOST_TEST((injected_bad_alloc(failed).allocation() == failed));
}

BOOST_AUTO_TEST_CASE(what_names_index_operation_size_and_alignment) {
    const injected_bad_alloc e(allocation(3, operation::operator_new, 64, 16, false));
    BOOST_TEST(std::string(e.what()) == "alloc-chaos injected failure of attempt #3 operator new size=64 align=16");
}

BOOST_AUTO_TEST_CASE(what_appends_nothrow_for_the_nothrow_forms) {
    const injected_bad_alloc e(allocation(0, operation::operator_new_array, 0, 4096, true));
    BOOST_TEST(std::string(e.what()) ==
               "alloc-chaos injected failure of attempt #0 operator new[] size=0 align=4096 nothrow");
}

BOOST_AUTO_TEST_CASE(what_names_resource_and_custom_operations) {
    BOOST_TEST(std::string(injected_bad_alloc(allocation(12, operation::resource_allocate, 24, 8, false)).what()) ==
               "alloc-chaos injected failure of attempt #12 resource allocate size=24 align=8");
    BOOST_TEST(std::string(injected_bad_alloc(allocation(1, operation::custom_allocate, 40, 32, false)).what()) ==
               "alloc-chaos injected failure of attempt #1 custom allocate size=40 align=32");
}

BOOST_AUTO_TEST_CASE(what_is_never_truncated_even_with_every_number_at_its_largest) {
    constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
    const injected_bad_alloc e(allocation(max, operation::resource_allocate, max, std::size_t(1) << 63, true));
    BOOST_TEST(std::string(e.what()) ==
               "alloc-chaos injected failure of attempt #18446744073709551615 resource allocate "
               "size=18446744073709551615 align=9223372036854775808 nothrow");
}

BOOST_AUTO_TEST_CASE(a_copy_keeps_allocation_and_what) {
    const injected_bad_alloc original(allocation(9, operation::operator_new, 128, 64, false));
    const injected_bad_alloc copy = original;
    BOOST_TEST((copy.allocation() == original.allocation()));
    BOOST_TEST(std::string(copy.what()) == std::string(original.what()));
    // Its own buffer, not a pointer into the original.
    BOOST_TEST(static_cast<const void*>(copy.what()) != static_cast<const void*>(original.what()));
}

BOOST_AUTO_TEST_CASE(constructing_one_allocates_nothing) {
    const auto r = alloc_chaos::check([] {
        const injected_bad_alloc e(allocation(3, operation::operator_new, 64, 16, false));
        const injected_bad_alloc copy = e;
        sink = const_cast<char*>(copy.what());
    });
    BOOST_TEST(r.baseline_allocations() == 0u);
}

BOOST_AUTO_TEST_CASE(the_bridge_throws_it_with_the_failed_attempts_metadata) {
    std::optional<allocation> caught;
    const auto r = alloc_chaos::checker{}.only_failure(1).run([&] {
        sink = ::operator new(8);
        ::operator delete(sink);
        try {
            sink = ::operator new(48);
            ::operator delete(sink);
        } catch (const injected_bad_alloc& e) {
            caught = e.allocation();
        }
    });
    BOOST_TEST_REQUIRE(caught.has_value());
    BOOST_TEST((*caught == allocation(1, operation::operator_new, 48, alloc_chaos::default_new_alignment, false)));
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == caught));
}

BOOST_AUTO_TEST_CASE(a_run_it_escapes_records_its_what_as_the_message) {
    const auto r = alloc_chaos::checker{}.only_failure(0).run([] {
        sink = ::operator new(64);
        ::operator delete(sink);
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].outcome() == alloc_chaos::outcome::bad_alloc);
    BOOST_TEST(r.attempts()[0].message() == "alloc-chaos injected failure of attempt #0 operator new size=64 align=" +
                                                std::to_string(alloc_chaos::default_new_alignment));
}

// The run failing #1 in persistent mode: #1 fails, and so does #2, made while handling it.
void three_attempts_retrying_after_attempt_1() {
    test_bodies::allocate_and_free(8);  // #0
    try {
        test_bodies::allocate_and_free(16);  // #1
    } catch (const std::bad_alloc&) {
        test_bodies::allocate_and_free(24);  // #2
    }
}

BOOST_AUTO_TEST_CASE(what_in_a_persistent_run_names_the_target_the_failures_persist_from) {
    const auto r = alloc_chaos::checker{}
                       .mode(alloc_chaos::failure_mode::persistent)
                       .only_failure(1)
                       .run(three_attempts_retrying_after_attempt_1);
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].message() == "alloc-chaos injected failure of attempt #2 operator new size=24 align=" +
                                                std::to_string(alloc_chaos::default_new_alignment) +
                                                " (persistent from target #1)");
}

BOOST_AUTO_TEST_CASE(what_of_a_persistent_runs_target_names_it_as_the_target) {
    const auto r = alloc_chaos::checker{}
                       .mode(alloc_chaos::failure_mode::persistent)
                       .only_failure(0)
                       .run(three_attempts_retrying_after_attempt_1);
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].message() == "alloc-chaos injected failure of attempt #0 operator new size=8 align=" +
                                                std::to_string(alloc_chaos::default_new_alignment) +
                                                " (persistent from target #0)");
}

BOOST_AUTO_TEST_CASE(what_thrown_by_a_users_source_in_a_persistent_run_names_the_target_too) {
    std::string message;
    const auto r = alloc_chaos::checker{}.mode(alloc_chaos::failure_mode::persistent).only_failure(0).run([&] {
        for (std::size_t size : {40u, 80u}) {
            try {
                if (auto failure = alloc_chaos::observe_attempt(operation::custom_allocate, size, 32))
                    throw injected_bad_alloc(*failure);
            } catch (const injected_bad_alloc& e) {
                alloc_chaos::unobserved keeping;
                message = e.what();  // the last one: #1
            }
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(message ==
               "alloc-chaos injected failure of attempt #1 custom allocate size=80 align=32 (persistent from target #0)");
}
