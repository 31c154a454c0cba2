#define BOOST_TEST_MODULE allocator_without_bridge
#include <boost/test/unit_test.hpp>

// This suite links the core without lib/source/new_delete.cpp: operator new is the standard
// library's, and alloc_chaos::allocator<T> is the only source of attempts.

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::checker;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using test_bodies::kept_blocks;
using test_bodies::sink;

namespace {

template <class T>
using chaos_allocator = alloc_chaos::allocator<T>;

constexpr allocation allocator_attempt(std::size_t index, std::size_t bytes, std::size_t alignment) {
    return allocation(index, operation::allocator_allocate, bytes, alignment, false);
}

// A check that needs no bridge: the allocator's attempts are all it observes.
checker without_bridge() { return checker{}.require_global_bridge(false); }

std::string text_of(const report& r) {
    std::ostringstream out;
    out << r;
    return out.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(without_the_bridge_a_vector_check_passes_with_one_attempt_per_growth) {
    const report r = without_bridge().stability_runs(2).run([] {
        std::vector<int, chaos_allocator<int>> v;
        for (int i = 0; i < 3; ++i)
            v.push_back(i);  // capacities 1, 2, 4
        sink = v.data();
    });
    BOOST_TEST(r.success(), text_of(r));
    BOOST_TEST(!r.bridge_observed());
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocator_attempt(0, 4, 4)));
    BOOST_TEST((r.attempts()[1].injected_allocation() == allocator_attempt(1, 8, 4)));
    BOOST_TEST((r.attempts()[2].injected_allocation() == allocator_attempt(2, 16, 4)));
    for (const alloc_chaos::attempt& run : r.attempts())
        BOOST_TEST(run.outcome() == outcome::bad_alloc);
}

BOOST_AUTO_TEST_CASE(without_the_bridge_a_map_check_passes_with_one_attempt_per_node) {
    const report r = without_bridge().stability_runs(2).run([] {
        std::map<int, int, std::less<int>, chaos_allocator<std::pair<const int, int>>> m;
        for (int i = 0; i < 4; ++i)
            m.emplace(i, i);
        sink = &m.begin()->second;
    });
    BOOST_TEST(r.success(), text_of(r));
    BOOST_TEST_REQUIRE(r.attempts().size() == 4u);
    const std::optional<allocation>& first = r.attempts()[0].injected_allocation();
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST(first->operation() == operation::allocator_allocate);
    BOOST_TEST(first->size() > sizeof(std::pair<const int, int>));  // a node: the pair and its links
    for (std::size_t i = 0; i < 4; ++i)
        BOOST_TEST((r.attempts()[i].injected_allocation() == allocator_attempt(i, first->size(), alignof(void*))));
}

BOOST_AUTO_TEST_CASE(without_the_bridge_the_check_still_requires_it_by_default) {
    const report r = checker{}.run([] {
        chaos_allocator<int> a;
        a.deallocate(a.allocate(1), 1);
    });
    BOOST_TEST(r.verdict() == alloc_chaos::verdict::invalid);
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST(r.attempts().empty());
}

BOOST_AUTO_TEST_CASE(without_the_bridge_a_leaked_block_is_a_finding) {
    kept_blocks leaked;
    const report r = without_bridge().max_failures(0).call_stacks(false).run([&] {
        leaked.keep(chaos_allocator<long>().allocate(2));
    });
    BOOST_TEST_REQUIRE(r.baseline().findings().size() == 1u);
    BOOST_TEST(r.baseline().findings()[0].kind() == finding_kind::leak);
    BOOST_TEST(r.baseline().findings()[0].message() ==
               "the block of #0 allocator allocate size=16 align=8 is still live after the run");
    leaked.free_all([](void* p) { chaos_allocator<long>().deallocate(static_cast<long*>(p), 2); });
}

BOOST_AUTO_TEST_CASE(without_the_bridge_a_double_free_is_a_finding_of_the_run) {
    const report r = without_bridge().max_failures(0).run([] {
        chaos_allocator<long> a;
        long* p = a.allocate(2);
        a.deallocate(p, 2);
        a.deallocate(p, 2);
    });
    BOOST_TEST_REQUIRE(r.baseline().findings().size() == 1u);
    BOOST_TEST(r.baseline().findings()[0].kind() == finding_kind::double_free);
    BOOST_TEST(r.baseline().findings()[0].message() ==
               "allocator<T>::deallocate(p, n) for n * sizeof(T) = 16 bytes: the block of #0 allocator allocate "
               "size=16 align=8 was already released; it was not released again");
}

BOOST_AUTO_TEST_CASE(without_the_bridge_operator_new_in_the_body_is_no_attempt_beside_the_allocators) {
    const std::vector<allocation> made = alloc_chaos::attempts_of([] {
        std::vector<int> plain(100);  // std::allocator: operator new, not observed without the bridge
        std::vector<int, chaos_allocator<int>> chaos(3);
        sink = plain.data();
        sink = chaos.data();
    });
    BOOST_TEST_REQUIRE(made.size() == 1u);
    BOOST_TEST((made[0] == allocator_attempt(0, 12, 4)));
}
