#ifndef ALLOC_CHAOS_FORBID_ALLOCATIONS_HPP
#define ALLOC_CHAOS_FORBID_ALLOCATIONS_HPP

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/checker.hpp>

#include <concepts>
#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

namespace alloc_chaos {

// While alive, any allocation attempt of this thread inside a check's run is a finding
// (`forbidden_allocation`) naming what was asked: for code that promises not to allocate
// (noexcept swaps, moves, destructors, real-time paths). The attempt is served, not counted, and
// never failed. Thread-local, nestable, free outside a check; `unobserved` inside it wins.
class forbid_allocations {
public:
    forbid_allocations() noexcept;
    ~forbid_allocations();
    forbid_allocations(const forbid_allocations&) = delete;
    forbid_allocations& operator=(const forbid_allocations&) = delete;
};

namespace detail {
std::vector<allocation> attempts_of(body_ref body);
void assert_no_allocation(body_ref body);
}  // namespace detail

// Runs `f` once on this thread, observed but never failed, with no check loop, and returns the
// allocation attempts it made. Inside a check's body it throws std::logic_error, as a nested check.
template <std::invocable F>
std::vector<allocation> attempts_of(F&& f) {
    auto call = [&f] { std::invoke(f); };
    return detail::attempts_of({std::addressof(call), [](void* c) { (*static_cast<decltype(call)*>(c))(); }});
}

// Runs `f` once, like attempts_of, and throws check_failed naming every attempt it made, unless
// it made none: the standalone check that a callable does not allocate at all.
template <std::invocable F>
void assert_no_allocation(F&& f) {
    auto call = [&f] { std::invoke(f); };
    detail::assert_no_allocation({std::addressof(call), [](void* c) { (*static_cast<decltype(call)*>(c))(); }});
}

}  // namespace alloc_chaos

#endif
