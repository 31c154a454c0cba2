#include <alloc_chaos/current_run.hpp>

#include "engine.hpp"

namespace alloc_chaos {

std::optional<run_status> current_run() noexcept {
    const detail::run_state* run = detail::current_run_state;
    if (run == nullptr)
        return std::nullopt;
    run_status status;
    if (run->target != detail::no_target)
        status.target = run->target;
    status.attempts = run->attempts;
    status.injected = run->injected;
    return status;
}

}  // namespace alloc_chaos
