#include "engine.hpp"

#include <stdexcept>

namespace alloc_chaos::detail {

constinit thread_local run_state* observed_run = nullptr;

namespace {
constinit thread_local bool check_running = false;
}

std::optional<allocation> observe_observed_attempt(run_state& run, operation op, std::size_t size,
                                                   std::size_t alignment, bool nothrow) noexcept {
    const std::size_t index = run.attempts++;
    if (index != run.target)
        return std::nullopt;
    run.injected.emplace(index, op, size, alignment, nothrow);
    return run.injected;
}

active_check::active_check() {
    if (check_running)
        throw std::logic_error(
            "alloc_chaos::checker::run: a check is already running on this thread, and checks do not "
            "nest; run the second check after the first one returns, or on another thread");
    check_running = true;
}

active_check::~active_check() { check_running = false; }

}  // namespace alloc_chaos::detail
