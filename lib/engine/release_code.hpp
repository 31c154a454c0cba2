#ifndef ALLOC_CHAOS_LIB_RELEASE_CODE_HPP
#define ALLOC_CHAOS_LIB_RELEASE_CODE_HPP

// What the run table keeps of a block of the C allocator's sources (the global bridge, the C
// allocator source) for the release checks, in the 32 bits of its granule's slot: its family, the
// log2 of its alignment and its size. A correct release compares with it alone, and reads no more
// of the attempt; a release that does not match goes to the full check, which reads the attempt.

#include <alloc_chaos/allocation.hpp>  // default_new_alignment
#include <alloc_chaos/finding.hpp>     // release_function, block_shape
#include <alloc_chaos/operation.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>

namespace alloc_chaos::detail {

// Bits 29-30: the family (0: another source's block, not checked); 24-28: log2 of the alignment;
// 0-23: the size, 0 when 2^24 or more (or 0). Bit 31 is the table's own.
using release_code = std::uint32_t;
inline constexpr release_code unchecked_block = 0;
// For a block whose every release goes through its source, which hands it on (forgotten_handover)
// after forgetting it, as chaos_memory_resource's do: no release of it reaches the checks, so its
// slot is left as it is (one store less per block).
inline constexpr release_code slot_kept = ~release_code{0};

namespace release_codes {
inline constexpr unsigned family_shift = 29;
inline constexpr unsigned alignment_shift = 24;
inline constexpr release_code size_mask = (release_code{1} << alignment_shift) - 1;

inline constexpr release_code family_of(operation op) noexcept {
    switch (op) {
    case operation::operator_new: return 1;
    case operation::operator_new_array: return 2;
    case operation::malloc:
    case operation::calloc:
    case operation::realloc:
    case operation::aligned_alloc: return 3;
    default: return 0;
    }
}
inline constexpr release_code family_of(release_function by) noexcept {
    switch (by) {
    case release_function::operator_delete: return 1;
    case release_function::operator_delete_array: return 2;
    case release_function::free: return 3;
    default: return 0;
    }
}
// The alignment an operator new or delete stands for: the default one when not given or below it.
inline constexpr std::size_t effective_alignment(std::size_t alignment) noexcept {
    return alignment < default_new_alignment ? default_new_alignment : alignment;
}
}  // namespace release_codes

// The code of a block an attempt of `op`, `size` and `alignment` gave out; unchecked_block for
// another source's, or an alignment that is no power of two below 2^32.
inline release_code release_code_of(operation op, std::size_t size, std::size_t alignment) noexcept {
    using namespace release_codes;
    const release_code family = family_of(op);
    if (family == 0 || !std::has_single_bit(alignment) || alignment > (std::size_t{1} << 31))
        return unchecked_block;
    const auto size_field = static_cast<release_code>(size <= size_mask ? size : 0);
    return family << family_shift | static_cast<release_code>(std::countr_zero(alignment)) << alignment_shift |
           size_field;
}

// Whether a release by `by` passing `passed` surely matches the block of `code`: false sends it to
// the full check (which may still find it correct: a size the code could not hold).
inline bool release_code_matches(release_code code, release_function by, block_shape passed) noexcept {
    using namespace release_codes;
    const release_code family = (code >> family_shift) & 3;
    if (family == 0)
        return true;
    if (family != family_of(by))
        return false;
    if (by == release_function::free)
        return true;
    if (passed.size != 0 && passed.size != (code & size_mask))
        return false;
    const std::size_t allocated_alignment = std::size_t{1} << ((code >> alignment_shift) & 31);
    return effective_alignment(passed.alignment) == effective_alignment(allocated_alignment);
}

}  // namespace alloc_chaos::detail

#endif
