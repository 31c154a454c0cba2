#ifndef ALLOC_CHAOS_CHECKER_HPP
#define ALLOC_CHAOS_CHECKER_HPP

#include <alloc_chaos/detail/body_ref.hpp>
#include <alloc_chaos/failure_mode.hpp>
#include <alloc_chaos/report.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <type_traits>

namespace alloc_chaos {

namespace detail {
struct selection;
}  // namespace detail

// Thrown out of a body to end the check after this run, which counts as failed with this
// message: for integrations that must stop at a failure of their own (a failed test assertion).
class abort_check : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The strict exhaustive loop and its options. It probes for the global bridge, runs the body
// with nothing failed (the baseline), then once per selected attempt with that attempt failed.
// ALLOC_CHAOS_ONLY, ALLOC_CHAOS_RANGE, ALLOC_CHAOS_MODE and ALLOC_CHAOS_TRAP in the environment
// override the selection, the mode and the trap, to replay a failure without recompiling;
// ALLOC_CHAOS_PROCESSES and ALLOC_CHAOS_RUN_TIMEOUT say where and how long runs execute;
// ALLOC_CHAOS_STACKS=full shows the report's call stacks whole.
// Options return *this, so they chain: checker{}.stability_runs(3).max_failures(100).run(body).
class checker {
public:
    // Keeps the first n selected targets, in increasing order; 0 runs the probe and baseline only.
    checker& max_failures(std::size_t n) noexcept;
    // Stops after the first target run that is not a success.
    checker& stop_on_failure(bool stop = true) noexcept;
    // Selects the single target `index` (replaces failure_range and sample).
    checker& only_failure(std::size_t index) noexcept;
    // Selects the targets first, first + 1, ..., last - 1 (replaces only_failure and sample);
    // first >= last throws std::invalid_argument.
    checker& failure_range(std::size_t first, std::size_t last);
    // Selects n targets drawn uniformly without replacement from the observed attempts, the same
    // for the same seed (replaces only_failure and failure_range); n = 0 throws std::invalid_argument.
    checker& sample(std::size_t n, std::uint64_t seed);
    // Which attempts a target run fails: the target alone (once, the default), the target and
    // every later attempt (persistent), or each target run in both modes; see failure_mode.
    // A value that is none of the three throws std::invalid_argument.
    checker& mode(failure_mode m);
    // Raises SIGTRAP when the run failing attempt #target fails it, so a debugger stops there;
    // only its first run traps (not a rerun that takes stacks). Without a debugger, SIGTRAP ends
    // the process. Changes no verdict.
    checker& trap_at(std::size_t target) noexcept;
    // Baseline runs in all (default 1), which must make the same attempts (operation, size,
    // alignment, in order); 0 throws std::invalid_argument.
    checker& stability_runs(std::size_t n);
    // Whether the global operator new/delete bridge must be observed (default true).
    checker& require_global_bridge(bool required = true) noexcept;
    // Unobserved runs of the body before the check (default 0), for bodies that fill a cache or a
    // static on first use: otherwise the first run's allocations that later runs skip look like
    // a leak, or make the baseline unstable.
    checker& warmup_runs(std::size_t n) noexcept;
    // Whether blocks allocated by observed attempts are tracked to find leaks (default true).
    checker& leak_tracking(bool track = true) noexcept;
    // Whether the report shows where each failed run's injected allocation and each leaked block
    // was made (default true): a run that is not a success is made once more to take them (a body
    // that counts its runs sees one more). Without stacks_available(), the report says none is available.
    checker& call_stacks(bool capture = true) noexcept;
    // How the text report shows those stacks (default stack_detail::folded: your frames, the
    // library's folded, repeats referred to; stack_detail::full: every frame, every time).
    // ALLOC_CHAOS_STACKS=full or folded in the environment overrides it. A value that is neither
    // throws std::invalid_argument.
    checker& stacks(stack_detail detail);
    // Runs the check's runs (warm-up, baselines, target runs, the reruns that take stacks) in
    // forked worker processes, at most n at once; 0 means one per core. A run that crashes or
    // hangs is then that run's outcome (outcome::crashed, outcome::timed_out), not the end of the
    // check, and the report is the one the calling process would give. ALLOC_CHAOS_PROCESSES in
    // the environment overrides it ("off" keeps the runs in the calling process). Throws
    // std::logic_error where the platform cannot fork.
    checker& processes(std::size_t n);
    // The time one run in a worker process may take before it is killed and reported timed_out;
    // by default 20 times the first baseline run's time, at least 2 s (baseline runs: 60 s). A run
    // in the calling process cannot be stopped: there the limit does nothing. Overridden by
    // ALLOC_CHAOS_RUN_TIMEOUT=ms; a limit of 0 throws std::invalid_argument.
    checker& run_timeout(std::chrono::milliseconds limit);

    // Runs the check on this thread, invoking `body` itself (never a copy) once per run. Every
    // exception of the body is the outcome of its run and none escapes, but a std::bad_alloc of the
    // checker's own bookkeeping. A check already active on this thread throws std::logic_error;
    // an ALLOC_CHAOS_* environment variable that makes no sense throws std::invalid_argument.
    template <std::invocable F>
    report run(F&& body) const {
        using body_type = std::remove_reference_t<F>;
        if constexpr (std::is_function_v<body_type>) {
            // A function is no object to point at with void*: run a lambda holding its address.
            return run([f = &body] { std::invoke(f); });
        } else {
            return run_body(detail::ref_to(body));
        }
    }

private:
    static constexpr std::size_t all = std::numeric_limits<std::size_t>::max();

    report run_body(detail::body_ref body) const;
    detail::selection selection() const;

    enum class selected { all, only, range, sample };

    std::size_t max_failures_ = all;
    bool stop_on_failure_ = false;
    selected selected_ = selected::all;
    std::size_t first_ = 0;  // only, range
    std::size_t last_ = 0;
    std::size_t sample_count_ = 0;
    std::uint64_t sample_seed_ = 0;
    failure_mode mode_ = failure_mode::once;
    std::optional<std::size_t> trap_;
    std::size_t stability_runs_ = 1;
    bool require_global_bridge_ = true;
    std::size_t warmup_runs_ = 0;
    bool leak_tracking_ = true;
    bool call_stacks_ = true;
    stack_detail stacks_ = stack_detail::folded;
    std::optional<std::size_t> processes_;             // unset: runs in the calling process
    std::optional<std::chrono::milliseconds> run_timeout_;  // unset: the default limit
};

// Runs the strict exhaustive check with default options: checker{}.run(body).
template <std::invocable F>
report check(F&& body) {
    return checker{}.run(std::forward<F>(body));
}

}  // namespace alloc_chaos

#endif
