#ifndef ALLOC_CHAOS_LIB_C_ALLOCATION_HPP
#define ALLOC_CHAOS_LIB_C_ALLOCATION_HPP

// Blocks from the C allocator at any alignment: what the global bridge serves every form of
// operator new with, so that it never recurses into itself.

#include <alloc_chaos/allocation.hpp>  // default_new_alignment

#include <cstddef>
#include <cstdlib>

namespace alloc_chaos::detail {

// A block of `size` bytes (a distinct one for 0) aligned to `alignment`; nullptr when out of memory.
inline void* c_allocate(std::size_t size, std::size_t alignment) noexcept {
    if (size == 0)
        size = 1;
    if (alignment <= default_new_alignment)
        return std::malloc(size);
    void* p = nullptr;
    if (alignment < sizeof(void*))
        alignment = sizeof(void*);  // posix_memalign's least
    return posix_memalign(&p, alignment, size) == 0 ? p : nullptr;
}

}  // namespace alloc_chaos::detail

#endif
