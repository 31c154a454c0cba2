#include <alloc_chaos/checker.hpp>

#include "engine.hpp"
#include "runner.hpp"
#include "selection.hpp"
#include "stack_trace.hpp"

#include <algorithm>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>

namespace alloc_chaos {

namespace {

baseline_run to_baseline(detail::run_result&& r) {
    return {r.attempts, r.outcome, std::move(r.message), std::move(r.findings)};
}

bool has_findings(const report& r) {
    const auto extra = r.stability_baselines();
    return !r.baseline().findings().empty() ||
           std::any_of(extra.begin(), extra.end(), [](const baseline_run& b) { return !b.findings().empty(); });
}

bool has_leaks(const baseline_run& b) {
    const auto found = b.findings();
    return std::any_of(found.begin(), found.end(), [](const finding& f) { return f.kind() == finding_kind::leak; });
}

// attempt::success() of the run's entry, before it is made.
bool succeeded(const detail::run_result& run) {
    return run.injected && run.outcome != outcome::exception && run.findings.empty();
}

// A run's leaked blocks whose stacks a rerun takes, at most; the report names ten.
constexpr std::size_t block_stacks_taken = 100;

// The attempts that allocated the blocks a run leaked, increasing, at most block_stacks_taken.
std::vector<std::size_t> leaked_attempts(std::span<const finding> found) {
    std::vector<std::size_t> leaked;
    for (const finding& f : found)
        if (f.kind() == finding_kind::leak && f.allocation() && leaked.size() < block_stacks_taken)
            leaked.push_back(f.allocation()->index());
    std::sort(leaked.begin(), leaked.end());
    leaked.erase(std::unique(leaked.begin(), leaked.end()), leaked.end());
    return leaked;
}

// The findings, each leak among `leaked` given the stack its rerun took, when the rerun leaked
// the same block again (a body that does not repeat itself gets no stack rather than a wrong one).
std::vector<finding> with_block_stacks(std::span<const finding> found, std::span<const std::size_t> leaked,
                                       std::span<const detail::raw_stack> taken, std::span<const finding> again,
                                       detail::symbolizer& symbols) {
    std::vector<finding> given;
    given.reserve(found.size());
    for (const finding& f : found) {
        const auto at = f.allocation() ? std::lower_bound(leaked.begin(), leaked.end(), f.allocation()->index())
                                       : leaked.end();
        const bool repeated = f.kind() == finding_kind::leak && at != leaked.end() &&
                              *at == f.allocation()->index() &&
                              std::any_of(again.begin(), again.end(), [&](const finding& g) {
                                  return g.kind() == finding_kind::leak && g.allocation() == f.allocation();
                              });
        if (repeated)
            given.emplace_back(f.kind(), f.allocation(), f.message(),
                               symbols.frames(taken[static_cast<std::size_t>(at - leaked.begin())]));
        else
            given.push_back(f);
    }
    return given;
}

}  // namespace

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
    last_ = index == all ? all : index + 1;
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

checker& checker::mode(failure_mode m) noexcept {
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

detail::selection checker::selection() const {
    detail::selection s;
    s.how = static_cast<detail::selection::kind>(selected_);
    s.first = first_;
    s.last = last_;
    s.count = sample_count_;
    s.seed = sample_seed_;
    return s;
}

report checker::run_body(detail::body_ref body) const {
    detail::active_check active("alloc_chaos::checker::run");
    const detail::environment_overrides environment = detail::read_environment();
    detail::runner runs(body, leak_tracking_);
    for (std::size_t i = 0; i < warmup_runs_; ++i)
        runs.warm_up();
    report r;
    r.bridge_required_ = require_global_bridge_;
    r.bridge_observed_ = detail::probe_bridge();

    const detail::selection chosen = environment.targets.value_or(selection());
    r.mode_ = environment.mode.value_or(mode_);
    const std::optional<std::size_t> trap = environment.trap ? environment.trap : trap_;
    r.narrowing_ = chosen.narrowing();
    if (environment.mode)  // a replay, never a success, even when it selects everything
        r.narrowing_ += (r.narrowing_.empty() ? "" : " ") + std::string("ALLOC_CHAOS_MODE=") +
                        std::string(to_string(*environment.mode));
    r.selection_ = r.narrowing_;
    if (max_failures_ != all)
        r.selection_ += (r.selection_.empty() ? "" : ", ") + std::string("max_failures(") +
                        std::to_string(max_failures_) + ")";
    r.baseline_runs_requested_ = stability_runs_;
    const bool stacks = call_stacks_ && stacks_available();
    r.call_stacks_ = call_stacks_;
    r.missing_stacks_ = detail::stack_backend_missing();
    detail::symbolizer symbols;

    r.baseline_ = to_baseline(runs.first_baseline());
    // Where the first baseline run's leaked blocks were allocated: the next run with nothing
    // failed takes their stacks.
    const std::vector<std::size_t> baseline_leaks = stacks ? leaked_attempts(r.baseline_.findings())
                                                           : std::vector<std::size_t>{};
    std::vector<detail::raw_stack> baseline_stacks(baseline_leaks.size());
    const auto give_baseline_stacks = [&](const baseline_run& again) {
        if (baseline_leaks.empty())
            return;
        r.baseline_ = baseline_run(r.baseline_.allocations(), r.baseline_.outcome(), r.baseline_.message(),
                                   with_block_stacks(r.baseline_.findings(), baseline_leaks, baseline_stacks,
                                                     again.findings(), symbols));
    };
    for (std::size_t i = 1; i < stability_runs_ && r.baseline_.outcome() == outcome::completed; ++i) {
        r.stability_.push_back(to_baseline(i == 1 ? runs.repeat_baseline(baseline_leaks, baseline_stacks.data())
                                                  : runs.repeat_baseline()));
        if (r.stability_.back().outcome() != outcome::completed)
            break;
    }
    if (has_leaks(r.baseline_)) {
        bool leaks_again = false;
        if (r.stability_.empty()) {
            const baseline_run again = to_baseline(runs.repeat_baseline(baseline_leaks, baseline_stacks.data()));
            leaks_again = has_leaks(again);
            give_baseline_stacks(again);
        } else {
            leaks_again = has_leaks(r.stability_.front());
            give_baseline_stacks(r.stability_.front());
        }
        if (!leaks_again)
            r.hint_ = "a second run with nothing failed leaked nothing: the body looks like it fills a cache or a "
                      "static on first use; run it once before the check with warmup_runs(1)";
    }
    // A check that cannot mean anything, or whose success path is broken already, injects nothing.
    if (!r.baseline_stable() || (r.bridge_required_ && !r.bridge_observed_) || has_findings(r))
        return r;

    const detail::selection::resolved targets = chosen.resolve(r.baseline_allocations(), max_failures_);
    r.beyond_observed_ = targets.beyond;
    if (chosen.how == detail::selection::kind::sample)
        r.sampled_ = targets.targets;
    std::vector<failure_mode> modes;
    if (r.mode_ != failure_mode::persistent)
        modes.push_back(failure_mode::once);
    if (r.mode_ != failure_mode::once)
        modes.push_back(failure_mode::persistent);

    for (std::size_t i = 0; i < targets.targets.size(); ++i) {
        const std::size_t target = targets.targets[i];
        for (failure_mode m : modes) {
            detail::run_result run = runs.inject(target, m, trap == target && m == modes.front());
            std::vector<stack_frame> stack;
            // A run is deterministic: made again, it fails its target and allocates its leaked blocks
            // where it did. Only a run that went wrong is made again, for their stacks, so that the
            // runs that succeed (most) take none; a run that ended the check is not made again, nor
            // one with no stack to take (its target never reached, nothing leaked).
            const bool went_wrong = stacks && !succeeded(run) && !run.aborted;
            const std::vector<std::size_t> leaked = went_wrong ? leaked_attempts(run.findings)
                                                               : std::vector<std::size_t>{};
            if (went_wrong && (run.injected || !leaked.empty())) {
                std::vector<detail::raw_stack> taken(leaked.size());
                const detail::run_result again = runs.inject_again(target, m, leaked, taken.data());
                stack = symbols.frames(again.stack);
                if (!leaked.empty())
                    run.findings = with_block_stacks(run.findings, leaked, taken, again.findings, symbols);
            }
            r.attempts_.emplace_back(target, run.attempts, run.injected, run.outcome, std::move(run.message),
                                     std::move(run.findings), m, run.failures, std::move(stack));
            const bool more = i + 1 < targets.targets.size() || m != modes.back();
            if (run.aborted) {
                if (more)
                    r.stop_reason_ = "the body ended the check with abort_check";
                return r;
            }
            if (stop_on_failure_ && !r.attempts_.back().success() && more) {
                r.stop_reason_ = "stop_on_failure ended the check at its first failed run";
                return r;
            }
        }
    }
    return r;
}

}  // namespace alloc_chaos
