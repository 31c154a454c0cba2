#ifndef ALLOC_CHAOS_ATTEMPTS_OF_HPP
#define ALLOC_CHAOS_ATTEMPTS_OF_HPP

// One observed run of a callable, outside any check loop: what it allocates, or the proof that it
// allocates nothing.

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/detail/body_ref.hpp>
#include <alloc_chaos/report.hpp>  // check_failed

#include <concepts>
#include <vector>

namespace alloc_chaos {

namespace detail {
std::vector<allocation> attempts_of(body_ref body);
void assert_no_allocation(body_ref body);
}  // namespace detail

// Runs `f` once on this thread, observed but never failed, with no check loop, and returns the
// allocation attempts it made. Inside a check's body it throws std::logic_error, as a nested check.
template <std::invocable F>
std::vector<allocation> attempts_of(F&& f) {
    auto call = [&f] { std::invoke(f); };
    return detail::attempts_of(detail::ref_to(call));
}

// Runs `f` once, like attempts_of, and throws check_failed (from report.hpp) naming every attempt
// it made, unless it made none: the standalone check that a callable does not allocate at all.
template <std::invocable F>
void assert_no_allocation(F&& f) {
    auto call = [&f] { std::invoke(f); };
    detail::assert_no_allocation(detail::ref_to(call));
}

}  // namespace alloc_chaos

#endif
