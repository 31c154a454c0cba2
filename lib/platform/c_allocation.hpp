#ifndef ALLOC_CHAOS_LIB_C_ALLOCATION_HPP
#define ALLOC_CHAOS_LIB_C_ALLOCATION_HPP

// Blocks from the C allocator at any alignment: what the global bridge serves every form of
// operator new with, through the raw path (raw_memory.hpp), so that it never recurses into itself
// nor into a replaced malloc (alloc_chaos::malloc), which would count the attempt a second time.

#include "raw_memory.hpp"

#include <alloc_chaos/allocation.hpp>  // default_new_alignment

#include <cstddef>
#include <new>

namespace alloc_chaos::detail {

// Whether the global bridge (alloc_chaos::new_delete) is this program's ::operator new, set while
// the bridge starts. Every operator new of the bridge serves from c_allocate_or_throw() outside a
// run, and every operator delete releases with c_free(): a source whose upstream is the global
// operator new (new_delete_resource()) and records its blocks itself may then call these two
// directly, skipping the bridge's own bookkeeping for a block it would only hand on. Before the
// bridge starts (or without it) the source calls the operators, which is correct either way.
extern bool bridge_is_operator_new;

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

// c_allocate() as operator new serves a request, the standard's loop: when out of memory, calls
// the new_handler while one is installed (its exception escapes), else throws std::bad_alloc.
inline void* c_allocate_or_throw(std::size_t size, std::size_t alignment) {
    for (;;) {
        if (void* p = c_allocate(size, alignment))
            return p;
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr)
            throw std::bad_alloc();
        handler();
    }
}

// c_allocate_or_throw() for a nothrow operator new: nullptr where that throws.
inline void* c_allocate_or_null(std::size_t size, std::size_t alignment) noexcept {
    try {
        return c_allocate_or_throw(size, alignment);
    } catch (...) {
        return nullptr;
    }
}

}  // namespace alloc_chaos::detail

#endif
