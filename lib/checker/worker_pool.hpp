#ifndef ALLOC_CHAOS_LIB_WORKER_POOL_HPP
#define ALLOC_CHAOS_LIB_WORKER_POOL_HPP

// Where a check's runs execute with processes(n): in worker processes forked from the calling
// process, at most n at once, each sending its runs back as data (run_codec).
//
// What state a run starts from. The calling process runs no body. Worker 0 runs the warm-up runs
// and the baseline runs, sends their results and the baseline's attempts, then target runs. Every
// other worker is forked from the calling process after the baselines (so it holds the baseline's
// attempts to compare with), runs the warm-up runs and one stand-in run with nothing failed, both
// silenced (their output would repeat what worker 0 printed), then target runs. A run so starts
// from the state it would have in the calling process when the body leaves nothing behind from one
// run to the next, which a stable baseline already asks of it.
//
// Scheduling. Targets go out in chunks, in order, to the worker that asks next; each result comes
// back as its run ends, and the report takes them in plan order. A worker that dies (a signal,
// exit) or passes the time limit (killed) ends the run it was making, which is reported crashed or
// timed_out with the worker's injected allocation and last lines of stderr; a new worker takes
// the rest of its chunk. The call stack of a crashed run's injected allocation is taken by one more
// worker that replays the run up to its failure and ends there.

#include "check_runs.hpp"
#include "../engine/engine.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace alloc_chaos::detail {

class worker_pool {
public:
    // A pool of at most `processes` workers for `runs`, made but not run in the calling process.
    // `limit`: the time limit of one run; std::nullopt for the default.
    worker_pool(check_runs& runs, std::size_t processes, std::optional<std::chrono::milliseconds> limit);
    ~worker_pool();
    worker_pool(const worker_pool&) = delete;
    worker_pool& operator=(const worker_pool&) = delete;

    // The warm-up runs and the baseline phase, in worker 0; a crash or a time-out of it is the
    // first baseline run's outcome.
    baseline_phase baselines();
    // The target runs of `plan`, in plan order, up to and including the first that ends the check.
    std::vector<target_run> targets(std::span<const planned_run> plan, bool stop_on_failure);

    // The default time limit of a target run: 20 times the first baseline run, at least 2 s.
    static std::chrono::milliseconds default_limit(std::chrono::nanoseconds baseline_time) noexcept;
    // The default time limit of a baseline run, whose time is not known yet.
    static constexpr std::chrono::milliseconds baseline_limit{60'000};

private:
    enum class role { baselines, targets, replay };
    struct worker;

    worker& spawn(role r, const planned_run& replay = {});
    // Waits for the workers' messages, their output and their ends, at most until the first run's
    // time limit; hands each message to on_message and each ended worker to on_end.
    template <class OnMessage, class OnEnd>
    void pump(OnMessage&& on_message, OnEnd&& on_end);
    // Reads what `w` wrote to stderr so far: to this process's stderr, and to the worker's tail.
    void read_output(worker& w);
    // Reads what `w` sent so far, handing each whole message to on_message.
    template <class OnMessage>
    void read_results(worker& w, OnMessage& on_message);
    // The run `w` was making when it ended, as its report entry.
    target_run ended_run(const worker& w, const planned_run& planned) const;
    std::string ending_message(const worker& w) const;
    // Ends `w`'s command stream: it ends once its runs are made.
    void finish(worker& w) noexcept;
    // Finishes every worker and waits for their ends; with `stop`, each makes no further run.
    void finish_all(bool stop);
    // Kills and reaps every worker left.
    void stop_all() noexcept;
    // The stack of a crashed run's injected allocation, taken by a replay up to it.
    std::vector<stack_frame> replay_stack(const planned_run& planned, const allocation& injected);

    check_runs& runs_;
    std::size_t processes_;
    std::optional<std::chrono::milliseconds> limit_;
    std::chrono::milliseconds run_limit_;  // the limit in force
    std::deque<worker> workers_;
};

// Kills and reaps the workers of the check this thread left without unwinding (a longjmp out of
// a signal handler, past the pool's destructor: Boost.Test's timeout), which would otherwise run on.
void abandon_workers() noexcept;

}  // namespace alloc_chaos::detail

#endif
