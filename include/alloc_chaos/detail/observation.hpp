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
// Checks running, on any thread of this process; 0 outside every check. Nonzero on a thread that
// observes a run or owns a tracking table (its own write), and, for another thread, whenever one of
// its blocks could concern a check: a source whose path outside a check must be one read (the C
// allocator's) reads only this there.
extern std::atomic<int> running_checks;

std::optional<allocation> observe_observed_attempt(run_state& run, operation op, std::size_t size,
                                                   std::size_t alignment, bool nothrow) noexcept;
void observe_allocated_block(run_state& run, void* block) noexcept;
void observe_released_block(void* block) noexcept;

}  // namespace alloc_chaos::detail

#endif
