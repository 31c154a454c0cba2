#include <alloc_chaos/checker.hpp>

#include "engine.hpp"
#include "runner.hpp"
#include "selection.hpp"

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
    const detail::environment_overrides environment = detail::read_environment();
    detail::active_check active;
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

    r.baseline_ = to_baseline(runs.first_baseline());
    for (std::size_t i = 1; i < stability_runs_ && r.baseline_.outcome() == outcome::completed; ++i) {
        r.stability_.push_back(to_baseline(runs.repeat_baseline()));
        if (r.stability_.back().outcome() != outcome::completed)
            break;
    }
    if (has_leaks(r.baseline_)) {
        const bool leaks_again = r.stability_.empty() ? has_leaks(to_baseline(runs.repeat_baseline()))
                                                      : has_leaks(r.stability_.front());
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
            detail::run_result run = runs.inject(target, m, trap == target);
            r.attempts_.emplace_back(target, run.attempts, run.injected, run.outcome, std::move(run.message),
                                     std::move(run.findings), m, run.failures);
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
