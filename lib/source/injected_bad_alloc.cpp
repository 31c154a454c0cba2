#include <alloc_chaos/injected_bad_alloc.hpp>

#include "../engine/attempt_path.hpp"  // current_run_state
#include "fixed_writer.hpp"

namespace alloc_chaos {

// In a persistent run every attempt from the target on fails: the message names the target too,
// since the run to replay is the target's, not the failed attempt's. Read from this thread's run,
// so that a source's `throw injected_bad_alloc(*failure)` says so without being told.
injected_bad_alloc::injected_bad_alloc(const alloc_chaos::allocation& failed) noexcept : allocation_(failed) {
    detail::fixed_writer out(what_, what_ + sizeof what_);
    out << "alloc-chaos injected failure of attempt " << failed;
    const detail::run_state* run = detail::current_run_state;
    if (run != nullptr && run->persistent && run->target != detail::no_target && failed.index() >= run->target)
        out << " (persistent from target #" << run->target << ')';
}

}  // namespace alloc_chaos
