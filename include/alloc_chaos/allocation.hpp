#ifndef ALLOC_CHAOS_ALLOCATION_HPP
#define ALLOC_CHAOS_ALLOCATION_HPP

#include <alloc_chaos/operation.hpp>

#include <cstddef>
#include <iosfwd>

namespace alloc_chaos {

// The alignment recorded for the forms of operator new that take none.
inline constexpr std::size_t default_new_alignment = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

// The metadata of one allocation attempt, as its source reported it.
class allocation {
public:
    constexpr allocation(std::size_t index, alloc_chaos::operation op, std::size_t size,
                         std::size_t alignment, bool nothrow) noexcept
        : index_(index), size_(size), alignment_(alignment), operation_(op), nothrow_(nothrow) {}

    // The 0-based number of this attempt in its run.
    constexpr std::size_t index() const noexcept { return index_; }
    // The request it came from.
    constexpr alloc_chaos::operation operation() const noexcept { return operation_; }
    // The bytes requested (0 is a valid request).
    constexpr std::size_t size() const noexcept { return size_; }
    // The alignment requested, or default_new_alignment for the unaligned new forms.
    constexpr std::size_t alignment() const noexcept { return alignment_; }
    // True for the nothrow forms, which fail by returning nullptr.
    constexpr bool nothrow() const noexcept { return nothrow_; }

    friend constexpr bool operator==(const allocation&, const allocation&) noexcept = default;

private:
    std::size_t index_;
    std::size_t size_;
    std::size_t alignment_;
    alloc_chaos::operation operation_;
    bool nothrow_;
};

// "#3 operator new size=64 align=16", with " nothrow" for the nothrow forms.
std::ostream& operator<<(std::ostream& out, const allocation& a);

}  // namespace alloc_chaos

#endif
