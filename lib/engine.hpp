#ifndef ALLOC_CHAOS_LIB_ENGINE_HPP
#define ALLOC_CHAOS_LIB_ENGINE_HPP

// The engine's private side: what the checker arms, and what a run records.

#include "signature_log.hpp"
#include "stack_trace.hpp"

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/finding.hpp>
#include <alloc_chaos/source.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>
#include <vector>

namespace alloc_chaos::detail {

inline constexpr std::size_t no_target = std::numeric_limits<std::size_t>::max();

// What the engine records during one observed run.
struct run_state {
    std::size_t target = no_target;      // the attempt index to fail
    std::size_t attempts = 0;            // attempts observed so far
    std::optional<allocation> injected;  // the attempt that was failed
    signature_log* signatures = nullptr; // the run's attempts from logged_from() on (none in the probe)
    const signature_log* expected = nullptr;  // the baseline's attempts, to compare with
    std::size_t compare_until = 0;       // attempts [0, compare_until) must match `expected` (0 without)
    std::optional<std::size_t> divergence;    // the first attempt that did not
    std::size_t pending = no_target;     // the attempt served last, until its block is reported
    std::vector<finding>* findings = nullptr; // what sources reported during the run
    bool persistent = false;             // every attempt after the target fails too
    bool trap = false;                   // raise SIGTRAP when the target is failed
    std::size_t failures = 0;            // attempts failed
    stack_request* stacks = nullptr;     // the call stacks to take, unobserved; nullptr: none

    // The first attempt logged in `signatures`: the attempts before it matched `expected`.
    std::size_t logged_from() const noexcept {
        return divergence ? std::min(*divergence, compare_until) : compare_until;
    }
};

// Depth of the forbid_allocations scopes open on this thread.
extern constinit thread_local int forbidden_depth;

// The run in progress on this thread, observed or inside `unobserved`; nullptr between runs.
extern constinit thread_local run_state* current_run_state;

// While alive, this thread's sources report their attempts to `run`.
class observation {
public:
    explicit observation(run_state& run) noexcept { observed_run = current_run_state = &run; }
    ~observation() { observed_run = current_run_state = nullptr; }
    observation(const observation&) = delete;
    observation& operator=(const observation&) = delete;
};

// While alive, this thread runs a check; constructing a second one on the thread throws std::logic_error.
// It also sets aside the forbid_allocations scopes open around it: they belong to the code that
// started the check, not to its body.
class active_check {
public:
    // `call` names the entry point in the error, e.g. "alloc_chaos::checker::run".
    explicit active_check(const char* call);
    ~active_check();
    active_check(const active_check&) = delete;
    active_check& operator=(const active_check&) = delete;

private:
    int forbidden_depth_;
};

}  // namespace alloc_chaos::detail

#endif
