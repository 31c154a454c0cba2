// The report as text, for people: the verdict line first, then what explains it.

#include <alloc_chaos/report.hpp>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <ostream>
#include <vector>
#include <span>
#include <sstream>

namespace alloc_chaos {

namespace {

// Failed runs printed in full; the rest are counted, so a 10,000-attempt report stays readable.
constexpr std::size_t failed_runs_shown = 20;

// "1 attempt", "2 attempts".
struct counted {
    std::size_t n;
    const char* noun;
};
std::ostream& operator<<(std::ostream& out, counted c) { return out << c.n << ' ' << c.noun << (c.n == 1 ? "" : "s"); }

// The first baseline run that found something (a leak, a misuse), and its 1-based number; nullptr if none.
std::pair<const baseline_run*, std::size_t> first_finding_baseline(const report& r) {
    if (!r.baseline().findings().empty())
        return {&r.baseline(), 1};
    std::size_t number = 1;
    for (const baseline_run& b : r.stability_baselines()) {
        ++number;
        if (!b.findings().empty())
            return {&b, number};
    }
    return {nullptr, 0};
}

// The first baseline run that did not complete, and its 1-based number; nullptr if none.
std::pair<const baseline_run*, std::size_t> first_throwing_baseline(const report& r) {
    if (r.baseline().outcome() != outcome::completed)
        return {&r.baseline(), 1};
    std::size_t number = 1;
    for (const baseline_run& b : r.stability_baselines()) {
        ++number;
        if (b.outcome() != outcome::completed)
            return {&b, number};
    }
    return {nullptr, 0};
}

// "exception — what()"; a message of several lines (a crash's last lines on stderr) goes on
// under the run, indented.
void print_ending(std::ostream& out, outcome o, const std::string& message) {
    out << o;
    if (message.empty())
        return;
    out << " \u2014 ";
    for (char c : message)
        if (c == '\n')
            out << "\n        ";
        else
            out << c;
}

// The distinct targets the runs tested (a target runs twice in failure_mode::both).
std::size_t tested_targets(const report& r) {
    std::size_t count = 0;
    std::optional<std::size_t> previous;
    for (const attempt& a : r.attempts())
        if (previous != a.target()) {
            ++count;
            previous = a.target();
        }
    return count;
}

void print_headline(std::ostream& out, const report& r, verdict v) {
    out << "alloc-chaos check ";
    const std::size_t observed = r.baseline_allocations();
    switch (v) {
    case verdict::invalid:
        out << "INVALID: ";
        if (r.bridge_required() && !r.bridge_observed())
            out << "the global operator new/delete bridge was not observed\n"
                << "  fix: link alloc_chaos::new_delete (lib/source/new_delete.cpp) into this executable, or waive the "
                   "probe with require_global_bridge(false) when only chaos resources or the source hook are checked\n";
        else if (const auto [b, number] = first_throwing_baseline(r); b != nullptr) {
            out << "the baseline run";
            if (r.baseline_runs_requested() > 1)
                out << ' ' << number << " of " << r.baseline_runs_requested();
            out << ", with nothing failed, ended in ";
            print_ending(out, b->outcome(), b->message());
            out << "\n  fix: the body must complete when no allocation fails; no failure was injected\n";
        } else if (r.baseline_stable())  // so the baseline observed no attempt
            out << "the baseline run observed no allocation attempt, so the check tested nothing\n"
                << "  fix: link a source for what the body allocates with (the global bridge alloc_chaos::new_delete, "
                   "a chaos_memory_resource, or observe_attempt for an allocator of its own), or use "
                   "assert_no_allocation if allocating nothing is the point; no failure was injected\n";
        else if (std::all_of(r.stability_baselines().begin(), r.stability_baselines().end(),
                             [&](const baseline_run& b) { return b.allocations() == observed; }))
            out << "the baseline is unstable: its runs made as many attempts, but not the same ones\n"
                << "  fix: make the body allocate the same way on every run (warm caches and statics before the "
                   "check); no failure was injected\n";
        else
            out << "the baseline is unstable: its runs observed different numbers of attempts\n"
                << "  fix: make the body allocate the same way on every run (warm caches and statics before the "
                   "check); no failure was injected\n";
        return;
    case verdict::failed: {
        if (const auto [b, number] = first_finding_baseline(r); b != nullptr) {
            out << "FAILED: the baseline run";
            if (number > 1)  // a stability run: the first one found nothing
                out << ' ' << number << " of " << r.baseline_runs_requested();
            out << ", with nothing failed, already has findings\n"
                << "  fix: the body's success path must be clean (no leak, no misuse, no forbidden allocation); no "
                   "failure was injected\n";
            return;
        }
        const auto runs = r.attempts();
        const auto failed = std::count_if(runs.begin(), runs.end(), [](const attempt& a) { return !a.success(); });
        // A run that ended in a controlled error can still fail by what it found (a leak).
        const bool found =
            std::any_of(runs.begin(), runs.end(), [](const attempt& a) { return !a.findings().empty(); });
        out << "FAILED: " << failed << " of " << counted{r.tested_failures(), "failure run"}
            << " did not end in a controlled error" << (found ? " with no findings" : "") << '\n';
        return;
    }
    case verdict::partial:
        if (tested_targets(r) < observed)
            out << "PARTIAL: tested " << tested_targets(r) << " of " << counted{observed, "observed attempt"}
                << "; a partial check never passes\n";
        else if (!r.narrowing().empty())
            out << "PARTIAL: every observed attempt was tested, but " << r.narrowing()
                << " narrowed the selection by hand; a partial check never passes\n";
        else  // failure_mode::both, stopped before the persistent run of the last target
            out << "PARTIAL: every observed attempt was tested, but not in both modes; a partial check never "
                   "passes\n";
        return;
    case verdict::passed:
        if (observed == 1)
            out << "PASSED: the one observed allocation attempt was failed, and the run handled the failure or "
                   "ended in std::bad_alloc\n";
        else
            out << "PASSED: each of the " << counted{observed, "observed allocation attempt"}
                << " was failed in turn, and every run handled the failure or ended in std::bad_alloc\n";
        return;
    }
}

// How the report shows call stacks. Every line a stack adds starts with 6 or 8 spaces, then
// "at ", "stack: ", or "#<index> " for a line ending in " allocated at", so that a reader (or a
// test comparing report text) can recognise and skip them.
struct stack_style {
    bool shown = false;            // the check asked for stacks
    std::string_view missing;      // why the build takes none; empty when it does
    std::string directory;         // the working directory with a final '/': files under it are shortened

    static constexpr std::size_t frames_shown = 12;
};

void print_frames(std::ostream& out, const stack_style& style, std::span<const stack_frame> frames,
                  const char* indent) {
    for (std::size_t i = 0; i < frames.size() && i < stack_style::frames_shown; ++i) {
        const stack_frame& f = frames[i];
        std::string_view file = f.file;
        if (!style.directory.empty() && file.starts_with(style.directory) && file.size() > style.directory.size())
            file.remove_prefix(style.directory.size());
        out << indent << "at " << (f.function.empty() ? "??" : f.function) << ' ' << (file.empty() ? "??" : file)
            << ':' << f.line << '\n';
    }
}

// Under a failed run's line: where its injected allocation was made, or why that is not known.
void print_injection_stack(std::ostream& out, const stack_style& style, const attempt& a) {
    if (!style.shown || !a.injected())
        return;
    if (!a.stack().empty())
        print_frames(out, style, a.stack(), "      ");
    else if (!style.missing.empty())
        out << "      stack: not available (" << style.missing << ")\n";
    else
        out << "      stack: not available (no frame of the body could be found or symbolized)\n";
}

// Under the leak line: where each leaked block it names was allocated, when known.
void print_block_stacks(std::ostream& out, const stack_style& style, std::span<const finding> found) {
    if (!style.shown)
        return;
    std::size_t blocks = 0;
    for (const finding& f : found) {
        if (f.kind() != finding_kind::leak)
            continue;
        if (blocks++ >= leaked_blocks_named)
            return;
        const auto& a = f.allocation();
        if (!a || f.stack().empty())
            continue;
        out << "        #" << a->index() << ' ' << a->operation() << " size=" << a->size() << " allocated at\n";
        print_frames(out, style, f.stack(), "        ");
    }
}

// Leaks on one line ("leaked 2 blocks, 96 bytes: #3 operator new size=64, #5 operator new
// size=32"), with where each block was allocated below it, every other finding on a line of its own.
void print_findings(std::ostream& out, std::span<const finding> found, leak_total total, const stack_style& style) {
    std::size_t named = 0;
    std::ostringstream leaked;
    for (const finding& f : found) {
        if (f.kind() != finding_kind::leak) {
            out << "      " << f << '\n';
            continue;
        }
        if (named++ >= leaked_blocks_named)
            continue;
        leaked << (named == 1 ? "" : ", ");
        if (const auto& a = f.allocation())
            leaked << '#' << a->index() << ' ' << a->operation() << " size=" << a->size();
        else
            leaked << f.message();
    }
    if (total.blocks > leaked_blocks_named)
        leaked << ", and " << total.blocks - std::min(named, leaked_blocks_named) << " more";
    if (total.blocks > 0) {
        out << "      leaked " << counted{total.blocks, "block"} << ", " << counted{total.bytes, "byte"} << ": "
            << leaked.str() << '\n';
        print_block_stacks(out, style, found);
    }
}

void print_baseline(std::ostream& out, const report& r, const stack_style& style) {
    const auto extra = r.stability_baselines();
    out << "  baseline: ";
    print_ending(out, r.baseline().outcome(), r.baseline().message());
    out << ", " << counted{r.baseline_allocations(), "attempt"};
    if (!extra.empty()) {
        out << (r.baseline_stable() ? ", stable" : ", unstable") << " over " << extra.size() + 1 << " runs (";
        out << r.baseline_allocations();
        for (const baseline_run& b : extra) {
            out << ", " << b.allocations();
            if (b.outcome() != outcome::completed) {  // only the last run can throw: the checker stops at it
                out << " attempts, then ";
                print_ending(out, b.outcome(), b.message());
                break;
            }
        }
        out << (extra.back().outcome() == outcome::completed ? " attempts)" : ")");
    }
    out << '\n';
    print_findings(out, r.baseline().findings(), r.baseline().leaked(), style);
    for (std::size_t i = 0; i < extra.size(); ++i)
        if (!extra[i].findings().empty()) {
            out << "    baseline run " << i + 2 << ":\n";
            print_findings(out, extra[i].findings(), extra[i].leaked(), style);
        }
}

// "ALLOC_CHAOS_ONLY=3", with the mode when the check did not run in failure_mode::once alone, and
// in the calling process for a run that ended its worker process.
void print_replay(std::ostream& out, const report& r, const attempt& a) {
    out << "      replay: ALLOC_CHAOS_ONLY=" << a.target();
    if (r.mode() != failure_mode::once)
        out << " ALLOC_CHAOS_MODE=" << a.mode();
    if (a.outcome() == outcome::crashed || a.outcome() == outcome::timed_out)  // where a debugger sees it
        out << " ALLOC_CHAOS_PROCESSES=off";
    out << '\n';
}

void print_failed_run(std::ostream& out, const report& r, const attempt& a, const stack_style& style) {
    out << "  ";
    if (a.injected())
        out << *a.injected_allocation();
    else
        out << '#' << a.target() << " not reached (the run observed " << counted{a.observed_allocations(), "attempt"}
            << ')';
    if (a.mode() == failure_mode::persistent)
        out << ", persistent (" << counted{a.failed_attempts(), "attempt"} << " failed)";
    else if (r.mode() == failure_mode::both)
        out << ", once";
    out << ": ";
    print_ending(out, a.outcome(), a.message());
    out << '\n';
    print_injection_stack(out, style, a);
    print_findings(out, a.findings(), a.leaked(), style);
    print_replay(out, r, a);
}

void print_untested(std::ostream& out, const report& r) {
    const std::size_t observed = r.baseline_allocations();
    std::vector<bool> tested(observed, false);
    for (const attempt& a : r.attempts())
        if (a.target() < observed)
            tested[a.target()] = true;
    out << "  not tested: " << counted{observed - tested_targets(r), "attempt"} << " (";
    const char* separator = "";
    std::size_t ranges = 0;
    for (std::size_t from = 0; from < observed;) {
        if (tested[from]) {
            ++from;
            continue;
        }
        std::size_t to = from;
        while (to < observed && !tested[to])
            ++to;
        if (ranges++ == 20) {  // a sample leaves many gaps: name the first ones
            out << separator << "...";
            break;
        }
        out << separator << '#' << from;
        if (to - from > 1)
            out << "..#" << to - 1;
        separator = ", ";
        from = to;
    }
    out << ")";
    if (!r.selection().empty())
        out << ", selected by " << r.selection();
    out << '\n';
}

// "sampled: sample(5, 42) selected #3, #17, #20, #41, #99".
void print_sample(std::ostream& out, const report& r) {
    out << "  sampled: " << r.narrowing() << " selected";
    const char* separator = " ";
    for (std::size_t target : r.sampled_targets()) {
        out << separator << '#' << target;
        separator = ", ";
    }
    out << '\n';
}

}  // namespace

void write_text(std::ostream& out, const report& r, std::string_view directory) {
    stack_style style;
    style.shown = r.data().call_stacks;
    style.missing = r.data().missing_stacks;
    if (!directory.empty() && directory != "/")
        style.directory = std::string(directory) + (directory.back() == '/' ? "" : "/");

    const verdict v = r.verdict();
    print_headline(out, r, v);
    out << "  probe: global operator new/delete bridge " << (r.bridge_observed() ? "observed" : "not observed")
        << (r.bridge_required() ? "" : " (not required)") << '\n';
    print_baseline(out, r, style);
    if (!r.hint().empty())
        out << "  hint: " << r.hint() << '\n';
    if (v == verdict::invalid || first_finding_baseline(r).first != nullptr)
        return;
    out << "  failures: " << r.tested_failures() << " tested";
    if (r.mode() == failure_mode::persistent)
        out << " in persistent mode";
    else if (r.mode() == failure_mode::both)
        out << " (each target once and persistent)";
    out << ", " << r.injected_failures() << " injected, of " << counted{r.baseline_allocations(), "observed attempt"}
        << '\n';
    std::size_t shown = 0, hidden = 0;
    for (const attempt& a : r.attempts()) {
        if (a.success())
            continue;
        if (shown++ < failed_runs_shown)
            print_failed_run(out, r, a, style);
        else
            ++hidden;
    }
    if (hidden > 0)
        out << "  ... and " << hidden << " more failed " << (hidden == 1 ? "run" : "runs")
            << " (report::attempts() holds them all)\n";
    if (r.stopped_early())
        out << "  stopped early: " << r.stop_reason() << '\n';
    if (!r.sampled_targets().empty())
        print_sample(out, r);
    if (tested_targets(r) < r.baseline_allocations())
        print_untested(out, r);
    if (r.targets_beyond_observed() > 0)
        out << "  not run: " << counted{r.targets_beyond_observed(), "selected target"} << " at or beyond the "
            << counted{r.baseline_allocations(), "observed attempt"} << '\n';
}

std::ostream& operator<<(std::ostream& out, const report& r) {
    std::error_code no_directory;
    const std::filesystem::path here = std::filesystem::current_path(no_directory);
    write_text(out, r, no_directory ? std::string() : here.string());
    return out;
}

}  // namespace alloc_chaos
