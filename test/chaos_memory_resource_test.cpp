#define BOOST_TEST_MODULE chaos_memory_resource
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include <cstddef>
#include <memory_resource>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::chaos_memory_resource;
using alloc_chaos::checker;
using alloc_chaos::operation;
using alloc_chaos::outcome;

namespace {

// An upstream that records every call it receives and serves them from ::operator new.
class recording_resource : public std::pmr::memory_resource {
public:
    std::size_t allocations = 0;
    std::size_t deallocations = 0;
    void* last_returned = nullptr;
    std::size_t last_bytes = 0;
    std::size_t last_alignment = 0;
    void* last_freed = nullptr;
    std::size_t last_freed_bytes = 0;
    std::size_t last_freed_alignment = 0;

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        ++allocations;
        last_bytes = bytes;
        last_alignment = alignment;
        last_returned = ::operator new(bytes, std::align_val_t(alignment));
        return last_returned;
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        ++deallocations;
        last_freed = p;
        last_freed_bytes = bytes;
        last_freed_alignment = alignment;
        ::operator delete(p, std::align_val_t(alignment));
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }
};

void* volatile sink = nullptr;

}  // namespace

BOOST_AUTO_TEST_CASE(it_is_a_memory_resource_that_cannot_be_copied) {
    static_assert(std::is_base_of_v<std::pmr::memory_resource, chaos_memory_resource>);
    static_assert(!std::is_copy_constructible_v<chaos_memory_resource>);
    static_assert(!std::is_copy_assignable_v<chaos_memory_resource>);
}

BOOST_AUTO_TEST_CASE(the_default_upstream_is_new_delete_resource) {
    chaos_memory_resource resource;
    BOOST_TEST(resource.upstream() == std::pmr::new_delete_resource());
}

BOOST_AUTO_TEST_CASE(the_given_upstream_is_kept) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    BOOST_TEST(resource.upstream() == &upstream);
}

BOOST_AUTO_TEST_CASE(a_nullptr_upstream_throws_invalid_argument_naming_the_call) {
    try {
        chaos_memory_resource resource(nullptr);
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc_chaos::chaos_memory_resource(upstream): upstream is nullptr; pass the resource to wrap, "
                   "or use the default constructor to wrap std::pmr::new_delete_resource()");
    }
}

BOOST_AUTO_TEST_CASE(a_nullptr_upstream_refused_inside_a_body_adds_no_attempt) {
    std::size_t refused = 0;
    const auto r = alloc_chaos::check([&] {
        try {
            chaos_memory_resource resource(nullptr);
        } catch (const std::invalid_argument&) {
            ++refused;
        }
    });
    BOOST_TEST(r.baseline_allocations() == 0u);
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(refused == 1u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(outside_a_check_allocate_forwards_and_returns_the_upstreams_pointer) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    void* p = resource.allocate(40, 32);
    BOOST_TEST(upstream.allocations == 1u);
    BOOST_TEST(upstream.last_bytes == 40u);
    BOOST_TEST(upstream.last_alignment == 32u);
    BOOST_TEST(p == upstream.last_returned);
    resource.deallocate(p, 40, 32);
}

BOOST_AUTO_TEST_CASE(deallocate_forwards_the_same_pointer_size_and_alignment) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    void* p = resource.allocate(40, 32);
    resource.deallocate(p, 40, 32);
    BOOST_TEST(upstream.deallocations == 1u);
    BOOST_TEST(upstream.last_freed == p);
    BOOST_TEST(upstream.last_freed_bytes == 40u);
    BOOST_TEST(upstream.last_freed_alignment == 32u);
}

BOOST_AUTO_TEST_CASE(outside_a_check_an_upstream_failure_propagates_unchanged) {
    std::pmr::monotonic_buffer_resource exhausted(std::pmr::null_memory_resource());
    chaos_memory_resource resource(&exhausted);
    bool plain_bad_alloc = false;
    try {
        sink = resource.allocate(8, 8);
    } catch (const alloc_chaos::injected_bad_alloc&) {
    } catch (const std::bad_alloc&) {
        plain_bad_alloc = true;
    }
    BOOST_TEST(plain_bad_alloc);
}

BOOST_AUTO_TEST_CASE(each_allocate_is_one_attempt_with_resource_allocate_and_its_size_and_alignment) {
    chaos_memory_resource resource;
    const auto r = alloc_chaos::check([&] {
        void* a = resource.allocate(24, 8);
        try {
            resource.deallocate(resource.allocate(100, 64), 100, 64);
        } catch (...) {
            resource.deallocate(a, 24, 8);
            throw;
        }
        resource.deallocate(a, 24, 8);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 2u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::resource_allocate, 24, 8, false)));
    BOOST_TEST((r.attempts()[1].injected_allocation() == allocation(1, operation::resource_allocate, 100, 64, false)));
}

BOOST_AUTO_TEST_CASE(an_attempt_is_counted_once_although_the_default_upstream_reaches_operator_new) {
    chaos_memory_resource resource;
    const auto r = alloc_chaos::check([&] { resource.deallocate(resource.allocate(24, 8), 24, 8); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].injected_allocation()->operation() == operation::resource_allocate);
}

BOOST_AUTO_TEST_CASE(an_attempt_is_counted_once_although_a_given_upstream_calls_operator_new) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    const auto r = checker{}.max_failures(0).run([&] { resource.deallocate(resource.allocate(24, 8), 24, 8); });
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST(upstream.allocations == 1u);
}

BOOST_AUTO_TEST_CASE(a_zero_size_request_is_an_attempt) {
    chaos_memory_resource resource;
    const auto r = alloc_chaos::check([&] { resource.deallocate(resource.allocate(0, 1), 0, 1); });
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::resource_allocate, 0, 1, false)));
}

BOOST_AUTO_TEST_CASE(a_failed_attempt_throws_injected_bad_alloc_and_never_reaches_the_upstream) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    std::size_t upstream_calls_at_failure = 99;
    bool injected = false;
    checker{}.only_failure(0).run([&] {
        try {
            sink = resource.allocate(24, 8);
        } catch (const alloc_chaos::injected_bad_alloc& e) {
            injected = e.allocation() == allocation(0, operation::resource_allocate, 24, 8, false);
            upstream_calls_at_failure = upstream.allocations;
            return;
        }
        resource.deallocate(sink, 24, 8);
    });
    BOOST_TEST(injected);
    BOOST_TEST(upstream_calls_at_failure == 1u);  // the baseline's call only
}

BOOST_AUTO_TEST_CASE(inside_a_check_a_served_request_returns_the_upstreams_pointer) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    bool same = false;
    checker{}.max_failures(0).run([&] {
        void* p = resource.allocate(16, 16);
        same = p == upstream.last_returned;
        resource.deallocate(p, 16, 16);
    });
    BOOST_TEST(same);
}

BOOST_AUTO_TEST_CASE(deallocation_is_never_counted) {
    chaos_memory_resource resource;
    std::vector<void*> blocks;
    blocks.reserve(3);
    for (int i = 0; i < 3; ++i)
        blocks.push_back(resource.allocate(32, 8));
    const auto r = alloc_chaos::check([&] {
        for (void* p : blocks)
            resource.deallocate(p, 32, 8);
        blocks.clear();
        {
            alloc_chaos::unobserved refill;
            for (int i = 0; i < 3; ++i)
                blocks.push_back(resource.allocate(32, 8));
        }
    });
    BOOST_TEST(r.baseline_allocations() == 0u);
    for (void* p : blocks)
        resource.deallocate(p, 32, 8);
}

BOOST_AUTO_TEST_CASE(it_is_equal_to_itself_only) {
    chaos_memory_resource resource;
    chaos_memory_resource other;
    BOOST_TEST(resource.is_equal(resource));
    BOOST_TEST(!resource.is_equal(other));
    BOOST_TEST(!resource.is_equal(*std::pmr::new_delete_resource()));
    BOOST_TEST(!std::pmr::new_delete_resource()->is_equal(resource));
    BOOST_TEST((resource == resource));
    BOOST_TEST((resource != other));
}

BOOST_AUTO_TEST_CASE(a_pmr_vector_check_passes_with_one_attempt_per_allocation) {
    chaos_memory_resource resource;
    const auto r = alloc_chaos::check([&] {
        std::pmr::vector<int> v(&resource);
        v.reserve(4);
        for (int i = 0; i < 4; ++i)
            v.push_back(i);
        v.reserve(100);
        v.push_back(4);
    });
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST((r.attempts()[0].injected_allocation() ==
                allocation(0, operation::resource_allocate, 4 * sizeof(int), alignof(int), false)));
    BOOST_TEST((r.attempts()[1].injected_allocation() ==
                allocation(1, operation::resource_allocate, 100 * sizeof(int), alignof(int), false)));
    for (const auto& run : r.attempts())
        BOOST_TEST(run.outcome() == outcome::bad_alloc);
}
