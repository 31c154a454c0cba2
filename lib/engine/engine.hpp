#ifndef ALLOC_CHAOS_LIB_ENGINE_HPP
#define ALLOC_CHAOS_LIB_ENGINE_HPP

// The engine's private side: what the checker arms, and what a run records.

#include "signature_log.hpp"
#include "../platform/stack_trace.hpp"

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/finding.hpp>
#include <alloc_chaos/source.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <limits>
#include <optional>
#include <vector>

namespace alloc_chaos::detail {

inline constexpr std::size_t no_target = std::numeric_limits<std::size_t>::max();

// Depth of the forbid_allocations scopes open on this thread.
extern constinit thread_local int forbidden_depth;

struct run_watch;

// What the engine records during one observed run.
struct run_state {
    std::size_t target = no_target;      // the attempt index to fail
    std::size_t attempts = 0;            // attempts observed so far
    std::size_t ordinary_end = no_target;  // count_ordinary_attempt() takes no attempt from here on;
                                           // derived from the fields below, set by rebound() alone
    std::size_t compare_until = 0;       // attempts [0, compare_until) must match `expected` (0 without);
                                         // cut to the divergence when one is found
    const signature* expected_items = nullptr;  // expected's attempts, as settle() found them
    signature_log* signatures = nullptr; // the run's attempts from logged_from() on (none in the probe)
    const signature_log* expected = nullptr;  // the baseline's attempts, to compare with
    std::optional<allocation> injected;  // the attempt that was failed
    std::optional<std::size_t> divergence;    // the first attempt that did not match
    std::size_t pending = no_target;     // the attempt served last, until its block is reported
    std::vector<finding>* findings = nullptr; // what sources reported during the run
    bool persistent = false;             // every attempt after the target fails too
    bool trap = false;                   // raise SIGTRAP when the target is failed
    std::size_t failures = 0;            // attempts failed
    stack_request* stacks = nullptr;     // the call stacks to take, unobserved; nullptr: none
    run_watch* watch = nullptr;          // in a worker process: the memory this run_state lives in

    // Whether `stacks` names attempts besides the target: then each attempt is looked up.
    bool takes_attempt_stacks() const noexcept { return stacks != nullptr && stacks->count != 0; }
    // The first attempt logged in `signatures`: the attempts before it matched `expected`.
    std::size_t logged_from() const noexcept {
        return divergence ? std::min(*divergence, compare_until) : compare_until;
    }
    // The attempt at `index` of this run, when known: the baseline's where the run matched it
    // (below logged_from()), else the run's own log (none in the probe).
    const signature* attempt_at(std::size_t index) const noexcept {
        if (index < logged_from())
            return expected != nullptr ? expected->find(index) : nullptr;
        return signatures != nullptr ? signatures->find(index) : nullptr;
    }
    // Sets ordinary_end and expected_items from the other fields: once they are set, before the run.
    void settle() noexcept {
        expected_items = expected != nullptr ? expected->find(0) : nullptr;
        rebound(0);
    }
    // Derives ordinary_end again, for the attempts from `next` on: whenever a field it depends on
    // changes (a divergence, a failure, a forbid_allocations scope opening or closing).
    void rebound(std::size_t next) noexcept { ordinary_end = ordinary_from(next); }
    // The first attempt at or after `next` that count_ordinary_attempt() must leave to the full
    // path: every one inside forbid_allocations (whose scopes move the bound as they open and
    // close) or when attempt stacks are taken, the target, every attempt after it when
    // persistent, and one past the baseline's attempts while the run must still match them.
    std::size_t ordinary_from(std::size_t next) const noexcept {
        if (forbidden_depth > 0 || takes_attempt_stacks() || (next > target && persistent))
            return next;
        std::size_t end = next <= target ? target : no_target;
        if (expected != nullptr && compare_until > expected->size())
            end = std::min(end, std::max(next, expected->size()));
        return end;
    }
};

// Where a run in a worker process keeps its run_state: in memory shared with the calling
// process, which reads it when the run ends the worker (a crash, a time limit) before reporting
// anything: the attempts it made, its failures, its injected allocation.
struct run_watch {
    std::atomic<std::int64_t> started{0};  // when the run in progress began, in steady_clock ns; 0 between runs
    run_state state;                       // the run in progress, or the last one
    // A rerun for the target's stack alone: the engine takes it into target_stack, then ends the
    // worker, so that a run that crashes or hangs after its failure need not do it again.
    bool exit_at_target = false;
    raw_stack target_stack;

    // A run begins: its clock starts.
    void begin_run() noexcept {
        started.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()).count(),
                      std::memory_order_release);
    }
};

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

// Records in `run` the finding that make() returns, unobserved (its message is the library's, not
// the body's); false when the run takes no findings or memory is out.
template <class Make>
bool record_finding(run_state& run, Make&& make) noexcept {
    if (run.findings == nullptr)
        return false;
    unobserved bookkeeping;
    try {
        run.findings->push_back(make());
        return true;
    } catch (...) {  // out of memory for the finding
        return false;
    }
}

// The engine's part of abandon_check(): this thread's run, its tracked blocks, its forbid_allocations
// scopes and its running check are forgotten.
void abandon_engine_state() noexcept;

// In a process forked from a thread inside a check, which alone goes on: the checks of the other
// threads, gone with them, no longer count in running_checks.
void forget_other_threads_checks() noexcept;

// While alive, this thread runs a check (counted in running_checks); constructing a second one on the thread throws std::logic_error.
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
