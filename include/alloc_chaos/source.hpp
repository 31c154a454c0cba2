#ifndef ALLOC_CHAOS_SOURCE_HPP
#define ALLOC_CHAOS_SOURCE_HPP

// The source hook: how an allocator reports its attempts to the engine and learns whether to
// fail them. The global operator new/delete bridge and chaos_memory_resource use it; so can any
// allocator of yours (an arena, a C library's malloc hook):
//
//     void* arena::allocate(std::size_t n, std::size_t align) {
//         if (auto failure = alloc_chaos::observe_attempt(alloc_chaos::operation::custom_allocate, n, align))
//             throw alloc_chaos::injected_bad_alloc(*failure);
//         alloc_chaos::unobserved upstream;  // the arena's own growth is not a second attempt
//         return grow_and_carve(n, align);
//     }

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/detail/observation.hpp>
#include <alloc_chaos/finding.hpp>
#include <alloc_chaos/operation.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace alloc_chaos {

// True while this thread runs a check's test body, outside any `unobserved` scope.
[[nodiscard]] inline bool observing() noexcept { return detail::observed_run != nullptr; }

// Reports one allocation request before the source serves it, and counts it as an attempt of the
// observed run. Returns the allocation to fail (throw injected_bad_alloc, or return nullptr for a
// nothrow form), or std::nullopt to serve the request. Outside an observed run it costs one
// thread-local read and a branch, and always returns std::nullopt.
[[nodiscard]] inline std::optional<allocation> observe_attempt(operation op, std::size_t size,
                                                               std::size_t alignment,
                                                               bool nothrow = false) noexcept {
    detail::run_state* run = detail::observed_run;
    if (run == nullptr) [[likely]]
        return std::nullopt;
    return detail::observe_observed_attempt(*run, op, size, alignment, nothrow);
}

// Reports the block a source served for the attempt observe_attempt() just let through, so that
// the check can find it leaked. Call it outside any `unobserved` scope (after the upstream call).
// Outside an observed run it costs one thread-local read and a branch.
inline void observe_allocated(void* block) noexcept {
    if (detail::run_state* run = detail::observed_run) [[unlikely]]
        detail::observe_allocated_block(*run, block);
}

// Reports a block being released, before the source gives it back to its upstream; from any
// thread. Outside every check it costs one relaxed atomic read and a branch.
inline void observe_deallocated(void* block) noexcept {
    if (detail::tracking_tables.load(std::memory_order_relaxed) != 0) [[unlikely]]
        detail::observe_released_block(block);
}

// Records a finding of a source (a misuse it detected: a double free, an overrun, ...) in the run
// in progress on this thread. Returns false, recording nothing, outside a check's runs.
bool report_finding(finding_kind kind, std::optional<allocation> concerned, std::string_view message) noexcept;

// While alive, this thread's allocation attempts are neither counted nor failed. Nestable; free
// outside a check. A source serves a request from its upstream inside one, so that an attempt is
// counted once, at the outermost source.
class unobserved {
public:
    unobserved() noexcept : saved_(detail::observed_run) { detail::observed_run = nullptr; }
    ~unobserved() { detail::observed_run = saved_; }
    unobserved(const unobserved&) = delete;
    unobserved& operator=(const unobserved&) = delete;

private:
    detail::run_state* saved_;
};

}  // namespace alloc_chaos

#endif
