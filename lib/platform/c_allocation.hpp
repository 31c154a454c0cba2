#ifndef ALLOC_CHAOS_LIB_C_ALLOCATION_HPP
#define ALLOC_CHAOS_LIB_C_ALLOCATION_HPP

// Blocks from the C allocator at any alignment: what the global bridge serves every form of
// operator new with, through the raw path (raw_memory.hpp), so that it never recurses into itself
// nor into a replaced malloc (alloc_chaos::malloc), which would count the attempt a second time.

#include "raw_memory.hpp"

#include <alloc_chaos/allocation.hpp>  // default_new_alignment

#include <cstddef>

namespace alloc_chaos::detail {

// A block of `size` bytes (a distinct one for 0) aligned to `alignment`; nullptr when out of memory.
inline void* c_allocate(std::size_t size, std::size_t alignment) noexcept {
    if (size == 0)
        size = 1;
    if (alignment <= default_new_alignment)
        return raw_malloc(size);
    if (alignment < sizeof(void*))
        alignment = sizeof(void*);  // the least raw_memalign takes
    return raw_memalign(alignment, size);
}

// Frees a block of c_allocate().
inline void c_free(void* block) noexcept { raw_free(block); }

}  // namespace alloc_chaos::detail

#endif
