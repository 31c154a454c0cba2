#ifndef ALLOC_CHAOS_CURRENT_RUN_HPP
#define ALLOC_CHAOS_CURRENT_RUN_HPP

#include <alloc_chaos/allocation.hpp>

#include <cstddef>
#include <optional>

namespace alloc_chaos {

// What the run of the check on this thread has done so far: for integrations and diagnostics
// that run inside a body (a test framework's context line, a log message).
struct run_status {
    // The attempt this run fails; std::nullopt in the probe and the baseline runs.
    std::optional<std::size_t> target;
    // The attempts observed so far in this run.
    std::size_t attempts = 0;
    // The attempt that was failed, once the run reached its target.
    std::optional<allocation> injected;
};

// The status of the run in progress on this thread, also inside `unobserved`; std::nullopt
// outside a check's runs.
std::optional<run_status> current_run() noexcept;

}  // namespace alloc_chaos

#endif
