#define BOOST_TEST_MODULE bridge_without_bridge
#include <boost/test/unit_test.hpp>

// This suite links the core without lib/source/new_delete.cpp: operator new is the standard library's.

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"

#include <cstddef>
#include <memory_resource>
#include <new>
#include <sstream>
#include <string>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::checker;
using alloc_chaos::operation;
using alloc_chaos::report;
using report_text::rendered;
using test_bodies::allocate_and_free;

namespace {

void operator_new_twice() {
    for (std::size_t size : {8u, 16u})
        allocate_and_free(size);
}

}  // namespace

BOOST_AUTO_TEST_CASE(without_the_bridge_the_probe_is_not_observed) {
    const report r = alloc_chaos::check(operator_new_twice);
    BOOST_TEST(!r.bridge_observed());
    BOOST_TEST(r.bridge_required());
}

BOOST_AUTO_TEST_CASE(without_the_bridge_operator_new_is_not_an_attempt) {
    const report r = alloc_chaos::check(operator_new_twice);
    BOOST_TEST(r.baseline_allocations() == 0u);
}

BOOST_AUTO_TEST_CASE(without_the_bridge_a_required_probe_makes_the_report_invalid_and_injects_nothing) {
    std::size_t calls = 0;
    alloc_chaos::chaos_memory_resource resource;
    const report r = alloc_chaos::check([&] {
        ++calls;
        resource.deallocate(resource.allocate(8, 8), 8, 8);
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(calls == 1u);  // the baseline alone
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(r.injected_failures() == 0u);
}

BOOST_AUTO_TEST_CASE(without_the_bridge_the_report_renders_invalid_with_the_fix) {
    BOOST_TEST(rendered(alloc_chaos::check(operator_new_twice)) ==
               "alloc-chaos check INVALID: the global operator new/delete bridge was not observed\n"
               "  fix: link alloc_chaos::new_delete (lib/source/new_delete.cpp) into this executable, or waive the probe "
               "with require_global_bridge(false) when only chaos resources or the source hook are checked\n"
               "  probe: global operator new/delete bridge not observed\n"
               "  baseline: completed, 0 attempts\n");
}

BOOST_AUTO_TEST_CASE(without_the_bridge_assert_success_throws) {
    BOOST_CHECK_THROW(alloc_chaos::check(operator_new_twice).assert_success(), alloc_chaos::check_failed);
}

BOOST_AUTO_TEST_CASE(with_the_probe_waived_a_chaos_memory_resource_check_succeeds) {
    alloc_chaos::chaos_memory_resource resource;
    const report r = checker{}.require_global_bridge(false).run([&] {
        std::pmr::vector<int> v(&resource);
        v.reserve(3);
        v.push_back(1);
        v.reserve(10);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(!r.bridge_observed());
    BOOST_TEST(!r.bridge_required());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST((r.attempts()[0].injected_allocation() ==
                allocation(0, operation::resource_allocate, 3 * sizeof(int), alignof(int), false)));
    BOOST_TEST((r.attempts()[1].injected_allocation() ==
                allocation(1, operation::resource_allocate, 10 * sizeof(int), alignof(int), false)));
}

BOOST_AUTO_TEST_CASE(with_the_probe_waived_the_report_says_the_bridge_was_not_required) {
    alloc_chaos::chaos_memory_resource resource;
    BOOST_TEST(rendered(checker{}.require_global_bridge(false).run([&] {
                   resource.deallocate(resource.allocate(8, 8), 8, 8);
               })) ==
               "alloc-chaos check PASSED: the one observed allocation attempt was failed, and the run handled the "
               "failure or ended in std::bad_alloc\n"
               "  probe: global operator new/delete bridge not observed (not required)\n"
               "  baseline: completed, 1 attempt\n"
               "  failures: 1 tested, 1 injected, of 1 observed attempt\n");
}

BOOST_AUTO_TEST_CASE(with_the_probe_waived_a_custom_source_check_succeeds) {
    const report r = checker{}.require_global_bridge(false).run([] {
        if (auto failure = alloc_chaos::observe_attempt(operation::custom_allocate, 12, 4))
            throw alloc_chaos::injected_bad_alloc(*failure);
    });
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::custom_allocate, 12, 4, false)));
}
