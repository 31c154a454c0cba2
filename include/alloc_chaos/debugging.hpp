#ifndef ALLOC_CHAOS_DEBUGGING_HPP
#define ALLOC_CHAOS_DEBUGGING_HPP

// Stopping in a debugger where a failure is injected:
//   - a breakpoint on alloc_chaos::break_on_injected_failure stops at every injected failure
//     (gdb: `break alloc_chaos::break_on_injected_failure`, then `up` to the allocation);
//   - checker::trap_at(k), or ALLOC_CHAOS_TRAP=k in the environment, raises SIGTRAP when the run
//     failing attempt #k fails it, so a debugger stops there with no breakpoint set.

#include <alloc_chaos/allocation.hpp>

namespace alloc_chaos {

// Called, never inlined, at every injected failure, just before the source fails the request.
void break_on_injected_failure(const allocation& failed) noexcept;

}  // namespace alloc_chaos

#endif
