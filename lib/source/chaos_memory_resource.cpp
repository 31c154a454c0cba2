#include <alloc_chaos/chaos_memory_resource.hpp>

#include "resource_core.hpp"
#include "../platform/c_allocation.hpp"

#include <new>

#if !defined(__cpp_sized_deallocation)
// The sized forms, which <new> declares only with sized deallocation on (clang leaves it off by
// default); every C++14 standard library defines them.
void operator delete(void* p, std::size_t size) noexcept;
void operator delete(void* p, std::size_t size, std::align_val_t alignment) noexcept;
#endif

namespace alloc_chaos {

namespace detail {
// The operators new_delete_resource() calls, by address (resolved when the program is loaded, to
// the program's replacement if it has one): a call through them skips the PLT stub. Not const,
// so that the compiler does not turn the calls back into direct ones.
using aligned_new_function = void*(std::size_t, std::align_val_t);
using sized_aligned_delete_function = void(void*, std::size_t, std::align_val_t) noexcept;
aligned_new_function* new_delete_allocate = &::operator new;
sized_aligned_delete_function* new_delete_deallocate = &::operator delete;
}  // namespace detail

namespace {

// std::pmr::new_delete_resource(), read once at start-up (before then, nullptr: the wrapper then
// makes the virtual call, which is only slower).
std::pmr::memory_resource* const new_delete = std::pmr::new_delete_resource();

// The std::pmr upstream, as resource_core calls it.
struct std_upstream {
    std::pmr::memory_resource* resource;

    // resource->allocate(bytes, alignment). For new_delete_resource() under libstdc++, the call
    // its do_allocate makes (::operator new(bytes, std::align_val_t(alignment))), made directly:
    // the same operator, pointers and errors, without the second virtual call: a pure forwarder
    // stays within noise of its upstream.
    void* allocate(std::size_t bytes, std::size_t alignment) const {
#if defined(__GLIBCXX__)
        if (resource == new_delete) {
            if (detail::bridge_is_operator_new)  // what the bridge's aligned operator new does
                return detail::c_allocate_or_throw(bytes, alignment);
            return detail::new_delete_allocate(bytes, std::align_val_t(alignment));
        }
#endif
        return resource->allocate(bytes, alignment);
    }

    // resource->deallocate(p, bytes, alignment); for new_delete_resource() under libstdc++, its
    // do_deallocate's call, ::operator delete(p, bytes, std::align_val_t(alignment)), made directly.
    void deallocate(void* p, std::size_t bytes, std::size_t alignment) const {
#if defined(__GLIBCXX__)
        if (resource == new_delete) {
            if (detail::bridge_is_operator_new)
                detail::c_free(p);
            else
                detail::new_delete_deallocate(p, bytes, std::align_val_t(alignment));
            return;
        }
#endif
        resource->deallocate(p, bytes, alignment);
    }

    // With deallocation checks, the block and its guard. For new_delete_resource() and an
    // alignment that plain operator new meets, plain ::operator new: libstdc++'s aligned operator
    // new rounds the size up to a multiple of the alignment (C11's aligned_alloc wants it), which
    // would push a 1024-byte block and its guard (1032 bytes) to 1040, out of glibc's tcache.
    // Memory from ::operator new either way, as new_delete_resource() promises; with checks active
    // the upstream never saw the exact request anyway (the guard is added).
    void* guarded_allocate(std::size_t bytes, std::size_t alignment) const {
        if (plain_new_serves(alignment)) {
            if (detail::bridge_is_operator_new)  // what the bridge's plain operator new does
                return detail::c_allocate_or_throw(bytes, default_new_alignment);
            return ::operator new(bytes);
        }
        return allocate(bytes, alignment);
    }

    // Releases what guarded_allocate() served, with the operator that served it.
    void guarded_deallocate(void* p, std::size_t bytes, std::size_t alignment) const {
        if (plain_new_serves(alignment)) {
            if (detail::bridge_is_operator_new)
                detail::c_free(p);
            else
                ::operator delete(p, bytes);
            return;
        }
        deallocate(p, bytes, alignment);
    }

    // (Compared with a function's static, initialized at its first use, so that a block served
    // before start-up ends is released with the same operator after.)
    bool plain_new_serves(std::size_t alignment) const {
        static std::pmr::memory_resource* const default_resource = std::pmr::new_delete_resource();
        return resource == default_resource && alignment <= __STDCPP_DEFAULT_NEW_ALIGNMENT__;
    }
};

}  // namespace

chaos_memory_resource::chaos_memory_resource() : chaos_memory_resource(deallocation_checks::from_first_check) {}

chaos_memory_resource::chaos_memory_resource(alloc_chaos::deallocation_checks checks)
    : chaos_memory_resource(std::pmr::new_delete_resource(), checks) {}

chaos_memory_resource::chaos_memory_resource(std::pmr::memory_resource* upstream,
                                             alloc_chaos::deallocation_checks checks)
    : upstream_(upstream),
      core_(upstream != nullptr, checks,
            "alloc_chaos::chaos_memory_resource(upstream): upstream is nullptr; pass the resource to "
            "wrap, or use the default constructor to wrap std::pmr::new_delete_resource()") {}

chaos_memory_resource::~chaos_memory_resource() = default;

std::vector<finding> chaos_memory_resource::misuse() const { return core_.misuse(); }

void* chaos_memory_resource::do_allocate(std::size_t bytes, std::size_t alignment) {
    return core_.allocate(std_upstream{upstream_}, bytes, alignment);
}

void chaos_memory_resource::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
    core_.deallocate(std_upstream{upstream_}, p, bytes, alignment);
}

bool chaos_memory_resource::do_is_equal(const std::pmr::memory_resource& other) const noexcept {
    return this == &other;
}

}  // namespace alloc_chaos
