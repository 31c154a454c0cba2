#ifndef ALLOC_CHAOS_OPERATION_HPP
#define ALLOC_CHAOS_OPERATION_HPP

#include <iosfwd>
#include <string_view>

namespace alloc_chaos {

// The kind of request an allocation attempt came from.
enum class operation {
    operator_new,        // a global operator new (plain, aligned or nothrow)
    operator_new_array,  // a global operator new[] (plain, aligned or nothrow)
    resource_allocate,   // std::pmr::memory_resource::allocate on a chaos_memory_resource
    custom_allocate,     // a user's own allocator, reported through observe_attempt()
    malloc,              // C malloc or realloc(nullptr, n) (also what strdup, getline, ... call), through alloc_chaos::malloc
    calloc,              // C calloc, through alloc_chaos::malloc
    realloc,             // C realloc or reallocarray of a block, growing, shrinking or moving it, through alloc_chaos::malloc
    aligned_alloc,       // C aligned_alloc, posix_memalign, memalign, valloc or pvalloc, through alloc_chaos::malloc
    allocator_allocate,  // alloc_chaos::allocator<T>::allocate
};

// "operator new", "operator new[]", "resource allocate", "custom allocate", "malloc", "calloc",
// "realloc", "aligned_alloc", "allocator allocate".
std::string_view to_string(operation op) noexcept;

std::ostream& operator<<(std::ostream& out, operation op);

}  // namespace alloc_chaos

#endif
