#ifndef ALLOC_CHAOS_BOOST_TEST_CHAOS_RESOURCE_FIXTURE_HPP
#define ALLOC_CHAOS_BOOST_TEST_CHAOS_RESOURCE_FIXTURE_HPP

#include <alloc_chaos/chaos_memory_resource.hpp>

#include <memory_resource>

namespace alloc_chaos::boost_test {

// The ready fixture for pmr code: a chaos_memory_resource and an allocator on it.
//     BOOST_ALLOC_CHAOS_FIXTURE_CASE(fills, alloc_chaos::boost_test::chaos_resource_fixture) {
//         std::pmr::vector<int> v(&resource);
//     }
struct chaos_resource_fixture {
    // The resource whose allocations the check counts and fails.
    alloc_chaos::chaos_memory_resource resource;
    // An allocator on `resource`, for containers and std::allocate_shared.
    std::pmr::polymorphic_allocator<> allocator{&resource};
};

}  // namespace alloc_chaos::boost_test

#endif
