#include <alloc_chaos/forbid_allocations.hpp>

#include "engine.hpp"

namespace alloc_chaos {

// A scope's first opening and last closing move the bound of the run's inline path (run_state::rebound).
forbid_allocations::forbid_allocations() noexcept {
    if (++detail::forbidden_depth == 1)
        if (detail::run_state* run = detail::current_run_state)
            run->rebound(run->attempts);
}

forbid_allocations::~forbid_allocations() {
    if (--detail::forbidden_depth == 0)
        if (detail::run_state* run = detail::current_run_state)
            run->rebound(run->attempts);
}

}  // namespace alloc_chaos
