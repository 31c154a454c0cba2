#ifndef ALLOC_CHAOS_BOOST_TEST_BOOST_CONTAINER_RESOURCE_FIXTURE_HPP
#define ALLOC_CHAOS_BOOST_TEST_BOOST_CONTAINER_RESOURCE_FIXTURE_HPP

// Not included by <alloc_chaos/boost_test.hpp>: it takes Boost.Container, linked through
// alloc_chaos::boost_container.

#include <alloc_chaos/boost_container.hpp>

#include <boost/container/pmr/polymorphic_allocator.hpp>

#include <cstddef>

namespace alloc_chaos::boost_test {

// chaos_resource_fixture for boost::container::pmr code: a Boost.Container chaos resource and an
// allocator on it.
//     BOOST_ALLOC_CHAOS_FIXTURE_CASE(fills, alloc_chaos::boost_test::boost_container_resource_fixture) {
//         boost::container::pmr::vector<int> v(&resource);
//     }
struct boost_container_resource_fixture {
    // The resource whose allocations the check counts and fails.
    alloc_chaos::boost_container::chaos_memory_resource resource;
    // An allocator on `resource`, for containers and boost::container's allocator-aware types.
    boost::container::pmr::polymorphic_allocator<std::byte> allocator{&resource};
};

}  // namespace alloc_chaos::boost_test

#endif
