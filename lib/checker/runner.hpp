#ifndef ALLOC_CHAOS_LIB_RUNNER_HPP
#define ALLOC_CHAOS_LIB_RUNNER_HPP

// One check's runs of its body: observed, with their attempts compared with the baseline's and
// their live blocks tracked, and what each run found.

#include "../engine/block_table.hpp"
#include "../engine/engine.hpp"
#include "../engine/signature_log.hpp"
#include "../platform/stack_trace.hpp"

#include <alloc_chaos/checker.hpp>
#include <alloc_chaos/failure_mode.hpp>
#include <alloc_chaos/finding.hpp>
#include <alloc_chaos/outcome.hpp>
#include <alloc_chaos/report.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace alloc_chaos::detail {

// How one run ended and what it found.
struct run_result {
    bool aborted = false;  // the body threw abort_check
    std::size_t attempts = 0;
    std::optional<allocation> injected;
    alloc_chaos::outcome outcome = outcome::completed;
    std::string message;
    std::vector<finding> findings;
    std::size_t failures = 0;  // attempts failed: the target, and in persistent mode every later one
    raw_stack stack;           // the target attempt's call stack, when asked for and reached; else empty
    leak_total leaked;         // every block leaked; `findings` names the first leaked_blocks_named
};

// True when a real operator new/delete pair reaches the engine through the global bridge.
bool probe_bridge();

class runner {
public:
    runner(body_ref body, bool track_blocks) : body_(body), track_blocks_(track_blocks) {}

    // A run outside any observation, to fill the body's caches.
    void warm_up();
    // The first baseline run: nothing failed; its attempts are what later runs compare with.
    run_result first_baseline();
    // A further baseline run: every attempt must match the first run's. Takes the call stack of
    // each of `attempts` (increasing) into `stacks`, one per entry.
    run_result repeat_baseline(std::span<const std::size_t> attempts = {}, raw_stack* stacks = nullptr);
    // A run failing attempt `target` (and every later one in persistent mode), raising SIGTRAP
    // there when `trap`: the attempts before it must match the baseline's.
    run_result inject(std::size_t target, failure_mode mode, bool trap);
    // The same run again, without a trap, taking the target attempt's call stack into the result
    // and the call stack of each of `attempts` (increasing) into `stacks`, one per entry: where
    // the run failed, and where the blocks it leaked were allocated.
    run_result inject_again(std::size_t target, failure_mode mode, std::span<const std::size_t> attempts,
                            raw_stack* stacks);

    // The first baseline run's attempts, in order.
    std::span<const signature> baseline_attempts() const noexcept { return {baseline_.find(0), baseline_.size()}; }
    // Takes `attempts` as the first baseline run's, made by another process.
    void adopt_baseline(std::span<const signature> attempts) noexcept {
        baseline_.clear();
        for (const signature& s : attempts)
            baseline_.push_back(s);
    }

    // In a worker process: every run from now on notes its start and its failures in `watch`.
    void watch(run_watch* watch) noexcept { watch_ = watch; }
    // In a worker process watched by watch(): the run failing `target` again, up to its failure,
    // whose stack the engine takes into the watch before it ends the process.
    void replay_to_target(std::size_t target, failure_mode mode);

private:
    enum class kind { first_baseline, repeat_baseline, injected };

    // One run, as the public members ask for it.
    struct request {
        kind what;
        std::size_t target = no_target;           // the attempt to fail; none in a baseline run
        failure_mode mode = failure_mode::once;
        bool trap = false;                        // raise SIGTRAP at the target
        raw_stack* target_stack = nullptr;        // where to take the target's call stack; none: not taken
        std::span<const std::size_t> stacks_at{};  // attempts (increasing) whose call stacks to take
        raw_stack* stacks = nullptr;              // one entry per stacks_at; none: no stacks taken
    };

    run_result run(const request& asked);
    std::vector<finding> divergence(const run_state& run, kind k) const;
    // The first leaked_blocks_named blocks still live, by attempt index, as findings; all of
    // them counted into `total`.
    std::vector<finding> leaks(const run_state& run, leak_total& total);

    body_ref body_;
    bool track_blocks_;
    block_table blocks_;
    signature_log baseline_;  // the first baseline run's attempts
    signature_log current_;   // the run in progress's attempts, from run_state::logged_from() on
    run_watch* watch_ = nullptr;
};

}  // namespace alloc_chaos::detail

#endif
