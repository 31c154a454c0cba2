#include <alloc_chaos/chaos_memory_resource.hpp>

#include <alloc_chaos/injected_bad_alloc.hpp>
#include <alloc_chaos/source.hpp>

#include <stdexcept>

namespace alloc_chaos {

chaos_memory_resource::chaos_memory_resource() noexcept : upstream_(std::pmr::new_delete_resource()) {}

chaos_memory_resource::chaos_memory_resource(std::pmr::memory_resource* upstream) : upstream_(upstream) {
    if (upstream == nullptr) {
        unobserved own_error;  // misuse inside a body is no attempt of that body
        throw std::invalid_argument(
            "alloc_chaos::chaos_memory_resource(upstream): upstream is nullptr; pass the resource to "
            "wrap, or use the default constructor to wrap std::pmr::new_delete_resource()");
    }
}

void* chaos_memory_resource::do_allocate(std::size_t bytes, std::size_t alignment) {
    if (!observing()) [[likely]]
        return upstream_->allocate(bytes, alignment);
    return observed_allocate(bytes, alignment);
}

void* chaos_memory_resource::observed_allocate(std::size_t bytes, std::size_t alignment) {
    if (auto failure = observe_attempt(operation::resource_allocate, bytes, alignment))
        throw injected_bad_alloc(*failure);
    void* block = nullptr;
    {
        unobserved upstream_call;  // the upstream may reach operator new: one attempt, not two
        block = upstream_->allocate(bytes, alignment);
    }
    observe_allocated(block);
    return block;
}

void chaos_memory_resource::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
    observe_deallocated(p);
    upstream_->deallocate(p, bytes, alignment);
}

bool chaos_memory_resource::do_is_equal(const std::pmr::memory_resource& other) const noexcept {
    return this == &other;
}

}  // namespace alloc_chaos
