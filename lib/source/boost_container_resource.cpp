// alloc_chaos::boost_container::chaos_memory_resource: resource_core over a Boost.Container
// upstream. A library of its own (alloc_chaos::boost_container), so that the core needs no Boost.

#include <alloc_chaos/boost_container.hpp>

#include "resource_core.hpp"

#include <boost/container/pmr/global_resource.hpp>

namespace alloc_chaos::boost_container {

namespace {

// The Boost.Container upstream, as resource_core calls it: every call a virtual call. The guarded
// block is asked of the upstream like any other (Boost's new_delete_resource() serves both from
// new char[]).
struct boost_upstream {
    boost::container::pmr::memory_resource* resource;

    void* allocate(std::size_t bytes, std::size_t alignment) const { return resource->allocate(bytes, alignment); }
    void deallocate(void* p, std::size_t bytes, std::size_t alignment) const {
        resource->deallocate(p, bytes, alignment);
    }
    void* guarded_allocate(std::size_t bytes, std::size_t alignment) const { return allocate(bytes, alignment); }
    void guarded_deallocate(void* p, std::size_t bytes, std::size_t alignment) const {
        deallocate(p, bytes, alignment);
    }
};

}  // namespace

chaos_memory_resource::chaos_memory_resource() : chaos_memory_resource(deallocation_checks::from_first_check) {}

chaos_memory_resource::chaos_memory_resource(alloc_chaos::deallocation_checks checks)
    : chaos_memory_resource(boost::container::pmr::new_delete_resource(), checks) {}

chaos_memory_resource::chaos_memory_resource(boost::container::pmr::memory_resource* upstream,
                                             alloc_chaos::deallocation_checks checks)
    : upstream_(upstream),
      core_(upstream != nullptr, checks,
            "alloc_chaos::boost_container::chaos_memory_resource(upstream): upstream is nullptr; pass the "
            "resource to wrap, or use the default constructor to wrap "
            "boost::container::pmr::new_delete_resource()") {}

chaos_memory_resource::~chaos_memory_resource() = default;

std::vector<finding> chaos_memory_resource::misuse() const { return core_.misuse(); }

void* chaos_memory_resource::do_allocate(std::size_t bytes, std::size_t alignment) {
    return core_.allocate(boost_upstream{upstream_}, bytes, alignment);
}

void chaos_memory_resource::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
    core_.deallocate(boost_upstream{upstream_}, p, bytes, alignment);
}

bool chaos_memory_resource::do_is_equal(const boost::container::pmr::memory_resource& other) const noexcept {
    return this == &other;
}

}  // namespace alloc_chaos::boost_container
