#ifndef ALLOC_CHAOS_DETAIL_OBSERVATION_HPP
#define ALLOC_CHAOS_DETAIL_OBSERVATION_HPP

// What the inline fast paths of the source hook (source.hpp) read and call: the run this thread
// observes, and the engine's out-of-line side, taken only inside a check.

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/operation.hpp>

#include <atomic>
#include <cstddef>
#include <optional>

namespace alloc_chaos::detail {

struct run_state;
// The run this thread is observing, or nullptr: outside a check, and inside `unobserved`.
extern constinit thread_local run_state* observed_run;
// Runs, on any thread, whose live blocks are tracked; 0 outside every check.
extern std::atomic<int> tracking_tables;

std::optional<allocation> observe_observed_attempt(run_state& run, operation op, std::size_t size,
                                                   std::size_t alignment, bool nothrow) noexcept;
void observe_allocated_block(run_state& run, void* block) noexcept;
void observe_released_block(void* block) noexcept;

}  // namespace alloc_chaos::detail

#endif
