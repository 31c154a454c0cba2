#ifndef ALLOC_CHAOS_LIB_CHECK_RUNS_HPP
#define ALLOC_CHAOS_LIB_CHECK_RUNS_HPP

// The runs of one check as its report needs them, wherever they execute (the calling process or
// a worker process): the baseline phase, then one target run at a time, each with the call stacks
// the report shows, taken by making a run that went wrong once more.

#include "runner.hpp"
#include "../platform/stack_trace.hpp"

#include <alloc_chaos/checker.hpp>
#include <alloc_chaos/failure_mode.hpp>
#include <alloc_chaos/report.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace alloc_chaos::detail {

// The checker options that shape the runs themselves.
struct run_options {
    bool leak_tracking = true;
    bool stacks = true;               // call_stacks, in a build that takes them
    std::size_t stability_runs = 1;
    std::size_t warmup_runs = 0;
};

// What the baseline runs found.
struct baseline_phase {
    baseline_run first;
    std::vector<baseline_run> stability;  // the further runs of stability_runs, as far as they ran
    std::string hint;                     // report::hint()
    std::chrono::nanoseconds first_time{};  // how long the first baseline run took
};

// One target run: its entry in the report, and whether the body ended the check (abort_check).
struct target_run {
    attempt entry;
    bool aborted = false;
};

// One run a check makes with a target: which attempt it fails, in which mode, trapped or not.
struct planned_run {
    std::size_t target = 0;
    failure_mode mode = failure_mode::once;
    bool trap = false;
};

// Whether a target run ends the check: the body said so (abort_check), or it failed under
// stop_on_failure. Every run after it is left out of the report, wherever the runs executed.
inline bool ends_check(const target_run& run, bool stop_on_failure) noexcept {
    return run.aborted || (stop_on_failure && !run.entry.success());
}

// What attach_to_run left on the run just made on this thread, leaving nothing for the next run
// (lib/checker/run_attachment.cpp).
std::string take_run_attachment() noexcept;

class check_runs {
public:
    // Forgets what an abandoned check on this thread left attached (attach_to_run).
    check_runs(body_ref body, const run_options& options);

    // The warmup_runs, unobserved.
    void warm_up();
    // The first baseline run, the stability runs, and a rerun for the stacks of leaked blocks.
    baseline_phase baselines();
    // A worker's stand-in for the baseline runs another process made: one run with nothing
    // failed, compared with the baseline, so that the worker's state is the one the calling
    // process would have before its target runs. Its result is not reported.
    void stand_in_baseline();
    // The run `planned` asks for, made once more when it went wrong to take its stacks.
    target_run target(const planned_run& planned);

    // The run a check makes, and what it leaves for a worker's parent (see run_watch).
    detail::runner& runner() noexcept { return runs_; }
    detail::symbolizer& symbols() noexcept { return symbols_; }
    const run_options& options() const noexcept { return options_; }

private:
    run_options options_;
    detail::runner runs_;
    detail::symbolizer symbols_;
};

}  // namespace alloc_chaos::detail

#endif
