#include "check_runs.hpp"

#include <algorithm>
#include <chrono>
#include <span>

namespace alloc_chaos::detail {

namespace {

baseline_run to_baseline(run_result&& r) {
    return {r.attempts, r.outcome, std::move(r.message), std::move(r.findings), take_run_attachment(), r.leaked};
}

bool has_leaks(const baseline_run& b) {
    const auto found = b.findings();
    return std::any_of(found.begin(), found.end(), [](const finding& f) { return f.kind() == finding_kind::leak; });
}

// attempt::success() of the run's entry, before it is made.
bool succeeded(const run_result& run) {
    return run.injected && (run.outcome == outcome::completed || run.outcome == outcome::bad_alloc) &&
           run.findings.empty();
}

std::vector<std::size_t> leaked_attempts(std::span<const finding> found) {
    std::vector<std::size_t> leaked;
    for (const finding& f : found)
        if (f.kind() == finding_kind::leak && f.allocation())
            leaked.push_back(f.allocation()->index());
    std::sort(leaked.begin(), leaked.end());
    leaked.erase(std::unique(leaked.begin(), leaked.end()), leaked.end());
    return leaked;
}

// The findings, each leak among `leaked` given the stack its rerun took, when the rerun leaked
// the same block again (a body that does not repeat itself gets no stack rather than a wrong one).
std::vector<finding> with_block_stacks(std::span<const finding> found, std::span<const std::size_t> leaked,
                                       std::span<const raw_stack> taken, std::span<const finding> again,
                                       symbolizer& symbols) {
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

check_runs::check_runs(body_ref body, const run_options& options) : options_(options), runs_(body, options.leak_tracking) {
    take_run_attachment();
}

void check_runs::warm_up() {
    for (std::size_t i = 0; i < options_.warmup_runs; ++i)
        runs_.warm_up();
}

baseline_phase check_runs::baselines() {
    baseline_phase phase;
    const auto started = std::chrono::steady_clock::now();
    phase.first = to_baseline(runs_.first_baseline());
    phase.first_time = std::chrono::steady_clock::now() - started;
    // Where the first baseline run's leaked blocks were allocated: the next run with nothing
    // failed takes their stacks.
    const std::vector<std::size_t> baseline_leaks =
        options_.stacks ? leaked_attempts(phase.first.findings()) : std::vector<std::size_t>{};
    std::vector<raw_stack> baseline_stacks(baseline_leaks.size());
    const auto give_baseline_stacks = [&](const baseline_run& again) {
        if (baseline_leaks.empty())
            return;
        phase.first = baseline_run(phase.first.allocations(), phase.first.outcome(), phase.first.message(),
                                   with_block_stacks(phase.first.findings(), baseline_leaks, baseline_stacks,
                                                     again.findings(), symbols_),
                                   phase.first.attachment(), phase.first.leaked());
    };
    for (std::size_t i = 1; i < options_.stability_runs && phase.first.outcome() == outcome::completed; ++i) {
        phase.stability.push_back(to_baseline(i == 1 ? runs_.repeat_baseline(baseline_leaks, baseline_stacks.data())
                                                     : runs_.repeat_baseline()));
        if (phase.stability.back().outcome() != outcome::completed)
            break;
    }
    if (has_leaks(phase.first)) {
        bool leaks_again = false;
        if (phase.stability.empty()) {
            const baseline_run again = to_baseline(runs_.repeat_baseline(baseline_leaks, baseline_stacks.data()));
            leaks_again = has_leaks(again);
            give_baseline_stacks(again);
        } else {
            leaks_again = has_leaks(phase.stability.front());
            give_baseline_stacks(phase.stability.front());
        }
        if (!leaks_again)
            phase.hint = "a second run with nothing failed leaked nothing: the body looks like it fills a cache or a "
                         "static on first use; run it once before the check with warmup_runs(1)";
    }
    return phase;
}

void check_runs::stand_in_baseline() {
    runs_.repeat_baseline();
    take_run_attachment();  // not reported
}

target_run check_runs::target(const planned_run& planned) {
    run_result run = runs_.inject(planned.target, planned.mode, planned.trap);
    std::string attachment = take_run_attachment();
    std::vector<stack_frame> stack;
    // A run is deterministic: made again, it fails its target and allocates its leaked blocks
    // where it did. Only a run that went wrong is made again, for their stacks, so that the runs
    // that succeed (most) take none; a run that ended the check is not made again, nor one with
    // no stack to take (its target never reached, nothing leaked).
    const bool went_wrong = options_.stacks && !succeeded(run) && !run.aborted;
    const std::vector<std::size_t> leaked = went_wrong ? leaked_attempts(run.findings) : std::vector<std::size_t>{};
    if (went_wrong && (run.injected || !leaked.empty())) {
        std::vector<raw_stack> taken(leaked.size());
        run_result again = runs_.inject_again(planned.target, planned.mode, leaked, taken.data());
        take_run_attachment();  // the run's again
        stack = symbols_.frames(again.stack);
        if (!leaked.empty())
            run.findings = with_block_stacks(run.findings, leaked, taken, again.findings, symbols_);
    }
    return {attempt(planned.target, run.attempts, run.injected, run.outcome, std::move(run.message),
                    std::move(run.findings), planned.mode, run.failures, std::move(stack), std::move(attachment),
                    run.leaked),
            run.aborted};
}

}  // namespace alloc_chaos::detail
