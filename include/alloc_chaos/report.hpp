#ifndef ALLOC_CHAOS_REPORT_HPP
#define ALLOC_CHAOS_REPORT_HPP

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/failure_mode.hpp>
#include <alloc_chaos/finding.hpp>
#include <alloc_chaos/outcome.hpp>
#include <alloc_chaos/stack_frame.hpp>
#include <alloc_chaos/verdict.hpp>

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace alloc_chaos {

// The blocks a run leaked and their bytes, all of them: a run's findings name the first
// leaked_blocks_named of them, so that a run leaking thousands keeps a report of bounded size.
struct leak_total {
    std::size_t blocks = 0;
    std::size_t bytes = 0;

    friend bool operator==(const leak_total&, const leak_total&) = default;
};

// The leaked blocks a run names as findings, at most; the rest are counted in its leak_total.
inline constexpr std::size_t leaked_blocks_named = 10;

// One run of the body with nothing failed.
class baseline_run {
public:
    baseline_run() = default;
    // `leaked`: all the blocks the run leaked, when its findings name only the first; by default
    // the leaks among `findings`.
    baseline_run(std::size_t allocations, alloc_chaos::outcome o, std::string message,
                 std::vector<finding> findings = {}, std::string attachment = {},
                 std::optional<leak_total> leaked = std::nullopt);

    // The attempts observed during the run.
    std::size_t allocations() const noexcept { return allocations_; }
    // How the run ended.
    alloc_chaos::outcome outcome() const noexcept { return outcome_; }
    // The escaped exception's what(), empty when the body returned.
    const std::string& message() const noexcept { return message_; }
    // What the run found: leaks and misuse on the success path, divergence from the first run.
    std::span<const finding> findings() const noexcept { return findings_; }
    // What the body attached to the run with attach_to_run, empty when nothing.
    const std::string& attachment() const noexcept { return attachment_; }
    // Every block the run leaked and their bytes; findings() names the first leaked_blocks_named.
    leak_total leaked() const noexcept { return leaked_; }

private:
    std::size_t allocations_ = 0;
    alloc_chaos::outcome outcome_ = alloc_chaos::outcome::completed;
    std::string message_;
    std::vector<finding> findings_;
    std::string attachment_;
    leak_total leaked_;
};

// One run of the body with one target attempt failed.
class attempt {
public:
    attempt(std::size_t target, std::size_t observed_allocations,
            std::optional<alloc_chaos::allocation> injected, alloc_chaos::outcome o, std::string message,
            std::vector<finding> findings = {}, failure_mode mode = failure_mode::once,
            std::size_t failed_attempts = 0, std::vector<stack_frame> stack = {}, std::string attachment = {},
            std::optional<leak_total> leaked = std::nullopt);

    // The index of the attempt this run was to fail.
    std::size_t target() const noexcept { return target_; }
    // The attempts observed during the run.
    std::size_t observed_allocations() const noexcept { return observed_; }
    // True when the run reached its target and failed it.
    bool injected() const noexcept { return injected_.has_value(); }
    // The failed attempt's metadata, when injected().
    const std::optional<alloc_chaos::allocation>& injected_allocation() const noexcept { return injected_; }
    // How the run ended.
    alloc_chaos::outcome outcome() const noexcept { return outcome_; }
    // The escaped exception's what(), empty when the body returned.
    const std::string& message() const noexcept { return message_; }
    // What the run found on its failure path: leaks, misuse, divergence, a broken guarantee.
    std::span<const finding> findings() const noexcept { return findings_; }
    // failure_mode::once or failure_mode::persistent: which attempts the run failed.
    failure_mode mode() const noexcept { return mode_; }
    // The attempts the run failed: 1 in once mode, the target and every later one in persistent.
    std::size_t failed_attempts() const noexcept { return failed_; }
    // Where the injected allocation was made, innermost frame first: taken for a run that is not
    // a success; empty otherwise, without call_stacks or stacks_available().
    std::span<const stack_frame> stack() const noexcept { return stack_; }
    // What the body attached to the run with attach_to_run, empty when nothing.
    const std::string& attachment() const noexcept { return attachment_; }
    // Every block the run leaked and their bytes; findings() names the first leaked_blocks_named.
    leak_total leaked() const noexcept { return leaked_; }
    // Injected, ended in `completed` or `bad_alloc`, and found nothing.
    bool success() const noexcept {
        return injected() && (outcome_ == alloc_chaos::outcome::completed || outcome_ == alloc_chaos::outcome::bad_alloc) &&
               findings_.empty();
    }

private:
    std::size_t target_;
    std::size_t observed_;
    std::optional<alloc_chaos::allocation> injected_;
    alloc_chaos::outcome outcome_;
    std::string message_;
    std::vector<finding> findings_;
    failure_mode mode_;
    std::size_t failed_;
    std::vector<stack_frame> stack_;
    std::string attachment_;
    leak_total leaked_;
};

// Thrown by report::assert_success(); what() is the whole rendered report.
class check_failed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// How the text report shows call stacks.
enum class stack_detail {
    // The default: the frames of your code, one line each, with short names (template arguments
    // of the standard library left out), the frames inside the standard library and alloc-chaos
    // folded into a line that counts them; a stack or a set of leaked blocks already shown is
    // referred to, not shown again.
    folded,
    // Every frame (up to 12), with its whole demangled name; every stack shown where it belongs.
    full,
};

// "folded", "full".
std::string_view to_string(stack_detail detail) noexcept;

std::ostream& operator<<(std::ostream& out, stack_detail detail);

// Everything a report holds, as plain data: what a checker fills in, and what a merge of reports
// or a test passes to report's constructor. The report's members document each field.
struct report_data {
    bool bridge_required = true;
    bool bridge_observed = false;
    baseline_run baseline{};
    std::vector<baseline_run> stability{};  // the further baseline runs, as far as they ran
    std::vector<attempt> attempts{};
    std::string selection{};
    std::string narrowing{};
    failure_mode mode = failure_mode::once;
    std::vector<std::size_t> sampled{};
    std::size_t baseline_runs_requested = 1;
    std::string hint{};
    std::string stop_reason{};
    std::size_t beyond_observed = 0;
    bool call_stacks = false;    // the check asked for stacks: show them, or say why there is none
    std::string missing_stacks{};  // why this build takes no stacks; empty when it does
    stack_detail stacks = stack_detail::folded;  // how the text report shows them
};

// What a check did and found. Only an exhaustive, stable, fully injected, all-passing check is a
// success; a partial one (capped, ranged, single-target, stopped early) never is.
class report {
public:
    report() = default;
    explicit report(report_data data) : data_(std::move(data)) {}

    // invalid (bridge not observed, baseline threw, unstable, or observed no attempt), failed (a
    // finding or a run not ending in a controlled error), partial (truncated()), else passed.
    alloc_chaos::verdict verdict() const noexcept;
    // verdict() == verdict::passed: bridge observed (or not required), baseline completed, stable,
    // without findings and observing some attempt, every observed attempt tested and injected, and
    // every run ended in a controlled error or returned with nothing found.
    bool success() const noexcept;
    // Throws check_failed, carrying the rendered report, unless success().
    void assert_success() const;
    // True when the check was partial: some observed attempt was not tested, or only_failure or
    // failure_range narrowed the selection (a debugging aid, never a success).
    bool truncated() const noexcept {
        return !data_.narrowing.empty() ||
               data_.attempts.size() < baseline_allocations() * (data_.mode == failure_mode::both ? 2 : 1);
    }

    // True when the probe saw the global operator new/delete bridge.
    bool bridge_observed() const noexcept { return data_.bridge_observed; }
    // True unless the check waived the probe with require_global_bridge(false).
    bool bridge_required() const noexcept { return data_.bridge_required; }

    // The first baseline run.
    const baseline_run& baseline() const noexcept { return data_.baseline; }
    // The baseline runs stability_runs(n) asked for, n; fewer ran when one threw.
    std::size_t baseline_runs_requested() const noexcept { return data_.baseline_runs_requested; }
    // The further baseline runs that stability_runs(n) asked for, as far as they ran.
    std::span<const baseline_run> stability_baselines() const noexcept { return data_.stability; }
    // True when every baseline run completed with the same attempts (operation, size, alignment).
    bool baseline_stable() const noexcept;
    // Advice on the baseline's findings, for people: why a leaking success path may be a cache.
    const std::string& hint() const noexcept { return data_.hint; }
    // The attempts the first baseline run observed.
    std::size_t baseline_allocations() const noexcept { return data_.baseline.allocations(); }

    // One entry per target run executed, in increasing target order.
    std::span<const attempt> attempts() const noexcept { return data_.attempts; }
    // The target runs executed.
    std::size_t tested_failures() const noexcept { return data_.attempts.size(); }
    // The target runs that reached and failed their target.
    std::size_t injected_failures() const noexcept;

    // Why the selection left attempts untested, for people: "failure_range(3, 7)", empty when it selected all.
    const std::string& selection() const noexcept { return data_.selection; }
    // The mode the target runs were made in (failure_mode::both: each target twice).
    failure_mode mode() const noexcept { return data_.mode; }
    // The targets sample(n, seed) drew, increasing; empty without sample.
    std::span<const std::size_t> sampled_targets() const noexcept { return data_.sampled; }
    // The only_failure, failure_range, sample call or the ALLOC_CHAOS_* environment setting that
    // narrowed the selection, empty when none did.
    const std::string& narrowing() const noexcept { return data_.narrowing; }
    // True when stop_on_failure or an abort_check ended the check before every selected target ran.
    bool stopped_early() const noexcept { return !data_.stop_reason.empty(); }
    // What ended the check early, for people; empty unless stopped_early().
    const std::string& stop_reason() const noexcept { return data_.stop_reason; }
    // Selected targets at or beyond the observed attempts, which were not run.
    std::size_t targets_beyond_observed() const noexcept { return data_.beyond_observed; }

    // All of it, as plain data: for writers of other formats.
    const report_data& data() const noexcept { return data_; }

private:
    report_data data_;
};

// Renders the verdict, the probe, the baseline, the counts and every failed run as text, then,
// when some run failed, a last line "SUMMARY: 5 of 159 failure runs failed: 3 leaked, 2 exception";
// source paths in call stacks under `directory` are shown relative to it (empty: every path
// whole), in the report's stack_detail. It lists the first 20 failed runs and counts the rest.
// Each line of a call stack starts with 6 or 8 spaces and "at ", "stack: " or "#<n> ... allocated
// at" (a folded line reads "at … 7 frames in the standard library"): text comparisons can drop them.
void write_text(std::ostream& out, const report& r, std::string_view directory);

// write_text() relative to the current directory.
std::ostream& operator<<(std::ostream& out, const report& r);

}  // namespace alloc_chaos

#endif
