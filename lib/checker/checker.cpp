#include <alloc_chaos/checker.hpp>

#include "check_runs.hpp"
#include "crash_notice.hpp"
#include "../engine/engine.hpp"
#include "../platform/process.hpp"
#include "selection.hpp"
#include "../platform/stack_trace.hpp"
#include "../report/baseline_rules.hpp"
#include "worker_pool.hpp"

#include <algorithm>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

namespace alloc_chaos {

checker& checker::max_failures(std::size_t n) noexcept {
    max_failures_ = n;
    return *this;
}

checker& checker::stop_on_failure(bool stop) noexcept {
    stop_on_failure_ = stop;
    return *this;
}

checker& checker::only_failure(std::size_t index) noexcept {
    selected_ = selected::only;
    first_ = index;
    // As ALLOC_CHAOS_ONLY sets it: for the largest index, last_ wraps to 0, and selection::resolve
    // counts the target as one beyond the observed attempts (never `all`, which selects none).
    last_ = index + 1;
    return *this;
}

checker& checker::sample(std::size_t n, std::uint64_t seed) {
    if (n == 0) {
        unobserved own_error;
        throw std::invalid_argument("alloc_chaos::checker::sample(0, " + std::to_string(seed) +
                                    "): a sample of no target tests nothing; draw at least 1");
    }
    selected_ = selected::sample;
    sample_count_ = n;
    sample_seed_ = seed;
    return *this;
}

checker& checker::mode(failure_mode m) {
    if (m != failure_mode::once && m != failure_mode::persistent && m != failure_mode::both) {
        unobserved own_error;  // misuse inside a body is no attempt of that body
        throw std::invalid_argument("alloc_chaos::checker::mode(" +
                                    std::to_string(static_cast<std::underlying_type_t<failure_mode>>(m)) +
                                    "): not a failure_mode; pass failure_mode::once, failure_mode::persistent "
                                    "or failure_mode::both");
    }
    mode_ = m;
    return *this;
}

checker& checker::trap_at(std::size_t target) noexcept {
    trap_ = target;
    return *this;
}

checker& checker::failure_range(std::size_t first, std::size_t last) {
    if (first >= last) {
        unobserved own_error;  // misuse inside a body is no attempt of that body
        std::ostringstream message;
        message << "alloc_chaos::checker::failure_range(" << first << ", " << last << "): the range is "
                << (first > last ? "reversed" : "empty")
                << "; pass a half-open range [first, last) with first < last, such as failure_range(" << first
                << ", " << first + 1 << ") for the single target " << first;
        throw std::invalid_argument(message.str());
    }
    selected_ = selected::range;
    first_ = first;
    last_ = last;
    return *this;
}

checker& checker::stability_runs(std::size_t n) {
    if (n == 0) {
        unobserved own_error;
        throw std::invalid_argument(
            "alloc_chaos::checker::stability_runs(0): the check needs at least one baseline run; pass "
            "1 (the default) or more to confirm that the body observes the same attempts every time");
    }
    stability_runs_ = n;
    return *this;
}

checker& checker::require_global_bridge(bool required) noexcept {
    require_global_bridge_ = required;
    return *this;
}

checker& checker::warmup_runs(std::size_t n) noexcept {
    warmup_runs_ = n;
    return *this;
}

checker& checker::leak_tracking(bool track) noexcept {
    leak_tracking_ = track;
    return *this;
}

checker& checker::call_stacks(bool capture) noexcept {
    call_stacks_ = capture;
    return *this;
}

checker& checker::stacks(stack_detail detail) {
    if (detail != stack_detail::folded && detail != stack_detail::full) {
        unobserved own_error;
        throw std::invalid_argument("alloc_chaos::checker::stacks(" +
                                    std::to_string(static_cast<std::underlying_type_t<stack_detail>>(detail)) +
                                    "): not a stack_detail; pass stack_detail::folded or stack_detail::full");
    }
    stacks_ = detail;
    return *this;
}

detail::selection checker::selection() const {
    detail::selection s;
    s.how = static_cast<detail::selection::kind>(selected_);
    s.first = first_;
    s.last = last_;
    s.count = sample_count_;
    s.seed = sample_seed_;
    return s;
}

checker& checker::processes(std::size_t n) {
    if (!detail::can_fork()) {
        unobserved own_error;
        throw std::logic_error("alloc_chaos::checker::processes(" + std::to_string(n) +
                               "): this platform cannot fork worker processes; run the check in the calling "
                               "process (leave processes unset)");
    }
    processes_ = n;
    return *this;
}

checker& checker::run_timeout(std::chrono::milliseconds limit) {
    if (limit.count() <= 0) {
        unobserved own_error;
        throw std::invalid_argument("alloc_chaos::checker::run_timeout(" + std::to_string(limit.count()) +
                                    "ms): a run needs some time; pass a limit above 0, such as "
                                    "run_timeout(std::chrono::seconds(5))");
    }
    run_timeout_ = limit;
    return *this;
}

namespace {

// The worker processes a check runs in: its option or the environment's; std::nullopt for the
// calling process. 0 means one per core.
std::optional<std::size_t> worker_count(std::optional<std::size_t> option,
                                        const detail::environment_overrides& environment) {
    std::optional<std::size_t> n = environment.processes ? *environment.processes : option;
    if (n && *n == 0)
        n = std::max<std::size_t>(1, std::thread::hardware_concurrency());
    if (n && !detail::can_fork())
        throw std::logic_error("alloc-chaos: ALLOC_CHAOS_PROCESSES asks for worker processes, which this platform "
                               "cannot fork; unset it");
    return n;
}

// Where a check's runs execute: in worker processes when it has some, else in the calling
// process, which then says which run ended it if one does (crash_notice).
class run_site {
public:
    run_site(detail::check_runs& runs, std::optional<std::size_t> workers,
             std::optional<std::chrono::milliseconds> run_timeout)
        : runs_(runs) {
        if (workers)
            pool_.emplace(runs, *workers, run_timeout);
        else
            notice_.emplace();
    }

    // The warm-up runs (a worker makes its own), the first baseline run and the stability runs.
    detail::baseline_phase baselines() {
        if (pool_)
            return pool_->baselines();
        runs_.warm_up();
        return runs_.baselines();
    }

    // The target runs of `plan`, in order, up to the first that ends the check; each rerun for
    // its stacks when it went wrong.
    std::vector<detail::target_run> targets(std::span<const detail::planned_run> plan, bool stop_on_failure) {
        if (pool_)
            return pool_->targets(plan, stop_on_failure);
        std::vector<detail::target_run> made;
        for (const detail::planned_run& planned : plan) {
            made.push_back(runs_.target(planned));
            if (detail::ends_check(made.back(), stop_on_failure))
                break;
        }
        return made;
    }

private:
    detail::check_runs& runs_;
    std::optional<detail::worker_pool> pool_;
    std::optional<detail::crash_notice> notice_;
};

// The target runs of `targets`: each once, persistent, or both (once first), the first run of
// `trap` trapped.
std::vector<detail::planned_run> plan_runs(std::span<const std::size_t> targets, failure_mode mode,
                                           std::optional<std::size_t> trap) {
    std::vector<failure_mode> modes;
    if (mode != failure_mode::persistent)
        modes.push_back(failure_mode::once);
    if (mode != failure_mode::once)
        modes.push_back(failure_mode::persistent);
    std::vector<detail::planned_run> plan;
    plan.reserve(targets.size() * modes.size());
    for (std::size_t target : targets)
        for (failure_mode m : modes)
            plan.push_back({target, m, trap == target && m == modes.front()});
    return plan;
}

// Whether the baseline phase leaves the check something to inject: not when the check cannot
// mean anything (no bridge, an unstable baseline) or its success path is broken already.
bool worth_injecting(const report_data& r) {
    return (!r.bridge_required || r.bridge_observed) && !detail::baseline_has_findings(r) &&
           detail::baseline_stable(r);
}

}  // namespace

report checker::run_body(detail::body_ref body) const {
    detail::active_check active("alloc_chaos::checker::run");
    const detail::environment_overrides environment = detail::read_environment();
    detail::check_runs runs(body, {leak_tracking_, call_stacks_ && stacks_available(), stability_runs_, warmup_runs_});
    run_site site(runs, worker_count(processes_, environment),
                  environment.run_timeout ? environment.run_timeout : run_timeout_);

    // What the check was asked, as the report tells it.
    report_data r;
    r.bridge_required = require_global_bridge_;
    r.bridge_observed = detail::probe_bridge();
    const detail::selection chosen = environment.targets.value_or(selection());
    r.mode = environment.mode.value_or(mode_);
    r.narrowing = chosen.narrowing();
    if (environment.mode)  // a replay, never a success, even when it selects everything
        r.narrowing += (r.narrowing.empty() ? "" : " ") + std::string("ALLOC_CHAOS_MODE=") +
                       std::string(to_string(*environment.mode));
    r.selection = r.narrowing;
    if (max_failures_ != all)
        r.selection += (r.selection.empty() ? "" : ", ") + std::string("max_failures(") +
                       std::to_string(max_failures_) + ")";
    r.baseline_runs_requested = stability_runs_;
    r.call_stacks = call_stacks_;
    r.missing_stacks = detail::stack_backend_missing();
    r.stacks = environment.stacks.value_or(stacks_);

    // The baseline runs.
    detail::baseline_phase baselines = site.baselines();
    r.baseline = std::move(baselines.first);
    r.stability = std::move(baselines.stability);
    r.hint = std::move(baselines.hint);
    if (!worth_injecting(r))
        return report(std::move(r));

    // The target runs, each with its stacks taken when it went wrong.
    const detail::selection::resolved targets = chosen.resolve(r.baseline.allocations(), max_failures_);
    r.beyond_observed = targets.beyond;
    if (chosen.how == detail::selection::kind::sample)
        r.sampled = targets.targets;
    const std::vector<detail::planned_run> plan =
        plan_runs(targets.targets, r.mode, environment.trap ? environment.trap : trap_);
    std::vector<detail::target_run> made = site.targets(plan, stop_on_failure_);
    r.attempts.reserve(made.size());
    for (detail::target_run& run : made)
        r.attempts.push_back(std::move(run.entry));
    if (!made.empty() && made.size() < plan.size())
        r.stop_reason = made.back().aborted ? "the body ended the check with abort_check"
                                            : "stop_on_failure ended the check at its first failed run";
    return report(std::move(r));
}

}  // namespace alloc_chaos
