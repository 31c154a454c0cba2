#ifndef ALLOC_CHAOS_ALLOCATOR_HPP
#define ALLOC_CHAOS_ALLOCATOR_HPP

#include <alloc_chaos/finding.hpp>

#include <cstddef>
#include <limits>
#include <new>
#include <type_traits>
#include <vector>

namespace alloc_chaos {

namespace detail {
// The allocator's one source, shared by every allocator<T>: a block of `bytes` aligned to
// `alignment`, an attempt of the running check (operation::allocator_allocate); its release.
void* allocator_allocate(std::size_t bytes, std::size_t alignment);
void allocator_deallocate(void* p, std::size_t bytes, std::size_t alignment) noexcept;
}  // namespace detail

// A standard Allocator for allocator-aware containers whose every allocate(n) is an attempt of the
// running check: during a check it is counted (operation::allocator_allocate, size n * sizeof(T),
// alignment alignof(T)) and, when it is the target, fails with injected_bad_alloc. Its blocks come
// from the C allocator, unobserved, so an attempt is counted once with or without the global bridge;
// a block still live when a run ends is a leak of that run. Every deallocate(p, n) is checked
// against the allocate it undoes, from the first allocation on, inside checks and outside them:
// a size mismatch, a double free, a pointer it never gave out and a write past the block's end
// are findings of the run in progress, or, outside a check's runs, lines on stderr kept in
// allocator_misuse(); a misused block is never released in a way that corrupts the heap. (So it
// keeps its checks, guard bytes and all, outside checks too: it is an allocator for tests.)
//
// Stateless, like std::allocator, and chosen so that a container behaves with it as with
// std::allocator (the same allocations, in the same order): every allocator<T> shares the one
// source, so any of them, of any T, may release what another allocated. Hence all compare equal
// and is_always_equal holds: a container moves and swaps its memory instead of its elements.
// Propagation is std::allocator's, which between allocators all equal changes nothing: on move
// assignment it propagates, on copy assignment and swap it does not.
// allocator_traits rebinds it to allocator<U> (its template argument), which the converting
// constructor makes from any allocator<T>.
// Any thread may use it; only the checking thread's allocations are attempts.
template <class T>
class allocator {
public:
    using value_type = T;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using propagate_on_container_copy_assignment = std::false_type;
    using propagate_on_container_move_assignment = std::true_type;
    using propagate_on_container_swap = std::false_type;
    using is_always_equal = std::true_type;

    constexpr allocator() noexcept = default;
    // From an allocator of another value type, as allocator_traits' rebind makes one.
    template <class U>
    constexpr allocator(const allocator<U>&) noexcept {}

    // Storage for n objects of T, uninitialized. Throws std::bad_array_new_length when n * sizeof(T)
    // exceeds the largest size_t (no attempt: nothing is requested), injected_bad_alloc when the
    // check fails this attempt, std::bad_alloc when the C allocator has no memory.
    [[nodiscard]] T* allocate(std::size_t n) {
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(T))
            throw std::bad_array_new_length();
        return static_cast<T*>(detail::allocator_allocate(n * sizeof(T), alignof(T)));
    }
    // Releases the storage of allocate(n) at p. Never throws: a misuse is reported, and the block
    // released only when that is safe (with the size it was allocated with).
    void deallocate(T* p, std::size_t n) noexcept {
        detail::allocator_deallocate(p, n * sizeof(T), alignof(T));
    }
};

// Every allocator<T> serves from and releases to the same source: all are equal.
template <class T, class U>
constexpr bool operator==(const allocator<T>&, const allocator<U>&) noexcept {
    return true;
}

// The misuse of allocator<T>::deallocate found outside a check's runs (which also went to stderr),
// oldest first, for the whole process. Misuse inside a run is a finding of that run.
std::vector<finding> allocator_misuse();

}  // namespace alloc_chaos

#endif
