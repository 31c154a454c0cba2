#include <alloc_chaos/operation.hpp>

#include <ostream>

namespace alloc_chaos {

std::string_view to_string(operation op) noexcept {
    switch (op) {
    case operation::operator_new: return "operator new";
    case operation::operator_new_array: return "operator new[]";
    case operation::resource_allocate: return "resource allocate";
    case operation::custom_allocate: return "custom allocate";
    case operation::malloc: return "malloc";
    case operation::calloc: return "calloc";
    case operation::realloc: return "realloc";
    case operation::aligned_alloc: return "aligned_alloc";
    case operation::allocator_allocate: return "allocator allocate";
    }
    return "unknown operation";
}

std::ostream& operator<<(std::ostream& out, operation op) { return out << to_string(op); }

}  // namespace alloc_chaos
