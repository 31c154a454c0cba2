// The report as text, for people: the verdict line first, then what explains it.

#include <alloc_chaos/report.hpp>

#include "frame_name.hpp"
#include "stack_folding.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <ostream>
#include <vector>
#include <span>
#include <sstream>
#include <string>
#include <utility>

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
    stack_detail detail = stack_detail::folded;

    static constexpr std::size_t lines_shown = 12;
};

// What a folded report has shown already, to refer to rather than show again.
struct shown_so_far {
    // Each stack shown, with the attempt whose allocation it is.
    std::vector<std::pair<std::span<const stack_frame>, std::size_t>> stacks;
    // Each leaked block shown with its stack: its attempt and its stack.
    std::vector<std::pair<std::size_t, std::span<const stack_frame>>> blocks;
    // Each set of leaked blocks shown, as "#0 operator new size=48, ...", with the run that leaked it.
    std::vector<std::pair<std::string, std::string>> leak_sets;
};

// "src/f.cpp" for "/home/me/project/src/f.cpp" under the directory "/home/me/project/".
std::string_view shown_file(const stack_style& style, std::string_view file) {
    if (!style.directory.empty() && file.starts_with(style.directory) && file.size() > style.directory.size())
        file.remove_prefix(style.directory.size());
    return file.empty() ? "??" : file;
}

std::string frame_line(const stack_style& style, const stack_frame& f) {
    std::ostringstream line;
    if (style.detail == stack_detail::full)
        line << "at " << (f.function.empty() ? "??" : f.function);
    else
        line << "at " << (f.function.empty() ? "??" : detail::short_function_name(f.function));
    line << ' ' << shown_file(style, f.file) << ':' << f.line;
    return line.str();
}

// "at … 7 frames in the standard library via std::map<…>::operator[]".
std::string fold_line(const detail::folded_line& fold) {
    std::ostringstream line;
    line << "at \u2026 " << counted{fold.folded, "frame"} << " in "
         << (fold.standard_library && fold.alloc_chaos ? "the standard library and alloc-chaos"
             : fold.standard_library                  ? "the standard library"
                                                      : "alloc-chaos");
    if (fold.entry != nullptr && !fold.entry->function.empty())
        line << " via " << detail::short_qualified_name(fold.entry->function);
    return line.str();
}

// The lines of a stack, without their indent: each frame, or the folded ones.
std::vector<std::string> stack_lines(const stack_style& style, std::span<const stack_frame> frames) {
    std::vector<std::string> lines;
    if (style.detail == stack_detail::full) {
        for (std::size_t i = 0; i < frames.size() && i < stack_style::lines_shown; ++i)
            lines.push_back(frame_line(style, frames[i]));
        return lines;
    }
    for (const detail::folded_line& l : detail::fold(frames)) {
        if (lines.size() == stack_style::lines_shown)
            break;
        lines.push_back(l.frame != nullptr ? frame_line(style, *l.frame) : fold_line(l));
    }
    return lines;
}

bool same_frames(std::span<const stack_frame> a, std::span<const stack_frame> b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// Prints the stack of attempt #`index`, or, folded, a reference to the same stack shown before.
void print_stack(std::ostream& out, const stack_style& style, shown_so_far& shown, std::size_t index,
                 std::span<const stack_frame> frames, const char* indent) {
    if (style.detail == stack_detail::folded) {
        for (const auto& [earlier, attempt_index] : shown.stacks)
            if (same_frames(earlier, frames)) {
                out << indent << "at \u2026 the same stack as #" << attempt_index << " above\n";
                return;
            }
        shown.stacks.emplace_back(frames, index);
    }
    for (const std::string& line : stack_lines(style, frames))
        out << indent << line << '\n';
}

// Under a failed run's line: where its injected allocation was made, or why that is not known.
void print_injection_stack(std::ostream& out, const stack_style& style, shown_so_far& shown, const attempt& a) {
    if (!style.shown || !a.injected())
        return;
    if (!a.stack().empty())
        print_stack(out, style, shown, a.injected_allocation()->index(), a.stack(), "      ");
    else if (!style.missing.empty())
        out << "      stack: not available (" << style.missing << ")\n";
    else
        out << "      stack: not available (no frame of the body could be found or symbolized)\n";
}

// Under the leak line: where each leaked block it names was allocated, when known; folded, a
// block shown before with the same stack is not shown again.
void print_block_stacks(std::ostream& out, const stack_style& style, shown_so_far& shown,
                        std::span<const finding> found) {
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
        if (style.detail == stack_detail::folded) {
            const auto same_block = [&](const auto& shown_block) {
                return shown_block.first == a->index() && same_frames(shown_block.second, f.stack());
            };
            if (std::any_of(shown.blocks.begin(), shown.blocks.end(), same_block))
                continue;
            shown.blocks.emplace_back(a->index(), f.stack());
        }
        out << "        #" << a->index() << ' ' << a->operation() << " size=" << a->size() << " allocated at\n";
        print_stack(out, style, shown, a->index(), f.stack(), "        ");
    }
}

// Leaks on one line ("leaked 2 blocks, 96 bytes: #3 operator new size=64, #5 operator new
// size=32"), with where each block was allocated below it, every other finding on a line of its
// own. Folded, a run whose leaked blocks are those of an earlier run (`run`, its label; empty for
// a baseline run) says so instead: "leaked 5 blocks, 236 bytes: same 5 leaked blocks as #3".
void print_findings(std::ostream& out, std::span<const finding> found, leak_total total, const stack_style& style,
                    shown_so_far& shown, const std::string& run = {}) {
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
    if (total.blocks == 0)
        return;
    out << "      leaked " << counted{total.blocks, "block"} << ", " << counted{total.bytes, "byte"} << ": ";
    if (style.detail == stack_detail::folded && !run.empty()) {
        const std::string set = leaked.str() + " (" + std::to_string(total.bytes) + ")";
        for (const auto& [earlier, earlier_run] : shown.leak_sets)
            if (earlier == set) {
                out << "same " << counted{total.blocks, "leaked block"} << " as " << earlier_run << '\n';
                return;
            }
        shown.leak_sets.emplace_back(set, run);
    }
    out << leaked.str() << '\n';
    print_block_stacks(out, style, shown, found);
}

void print_baseline(std::ostream& out, const report& r, const stack_style& style, shown_so_far& shown) {
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
    print_findings(out, r.baseline().findings(), r.baseline().leaked(), style, shown);
    for (std::size_t i = 0; i < extra.size(); ++i)
        if (!extra[i].findings().empty()) {
            out << "    baseline run " << i + 2 << ":\n";
            print_findings(out, extra[i].findings(), extra[i].leaked(), style, shown);
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

// "#3", "#3 persistent" where each target ran in both modes: how a later line refers to a run.
std::string run_label(const report& r, const attempt& a) {
    std::string label = "#";  // (not "#" + std::to_string(...): GCC 12's -Wrestrict false positive at -O3)
    label += std::to_string(a.target());
    if (r.mode() == failure_mode::both)
        label.append(" ").append(to_string(a.mode()));
    return label;
}

void print_failed_run(std::ostream& out, const report& r, const attempt& a, const stack_style& style,
                      shown_so_far& shown) {
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
    print_injection_stack(out, style, shown, a);
    print_findings(out, a.findings(), a.leaked(), style, shown, run_label(r, a));
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

// The category a failed run is counted in: how it ended when that was no controlled error, "not
// reached" when it never reached its target, else the first kind of finding_kind's order among
// its findings ("leaked" for a leak).
std::string failure_category(const attempt& a) {
    if (a.outcome() != outcome::completed && a.outcome() != outcome::bad_alloc)
        return std::string(to_string(a.outcome()));
    if (!a.injected())
        return "not reached";
    finding_kind first = a.findings().front().kind();
    for (const finding& f : a.findings())
        first = std::min(first, f.kind());
    return first == finding_kind::leak ? "leaked" : std::string(to_string(first));
}

// "SUMMARY: 5 of 159 failure runs failed: 3 leaked, 2 exception", each failed run counted once;
// the categories in the order of outcome, then "not reached", then finding_kind. Nothing when no
// run failed.
void print_summary(std::ostream& out, const report& r) {
    std::vector<std::string> order;
    for (outcome o : {outcome::exception, outcome::crashed, outcome::timed_out})
        order.emplace_back(to_string(o));
    order.emplace_back("not reached");
    for (int k = static_cast<int>(finding_kind::leak); k <= static_cast<int>(finding_kind::mismatched_deallocation); ++k)
        order.push_back(static_cast<finding_kind>(k) == finding_kind::leak
                            ? std::string("leaked")
                            : std::string(to_string(static_cast<finding_kind>(k))));
    std::vector<std::size_t> counts(order.size(), 0);
    std::size_t failed = 0;
    for (const attempt& a : r.attempts())
        if (!a.success()) {
            ++failed;
            ++counts[static_cast<std::size_t>(std::find(order.begin(), order.end(), failure_category(a)) - order.begin())];
        }
    if (failed == 0)
        return;
    out << "SUMMARY: " << failed << " of " << counted{r.tested_failures(), "failure run"} << " failed: ";
    const char* separator = "";
    for (std::size_t i = 0; i < order.size(); ++i)
        if (counts[i] > 0) {
            out << separator << counts[i] << ' ' << order[i];
            separator = ", ";
        }
    out << '\n';
}

}  // namespace

std::string_view to_string(stack_detail detail) noexcept {
    return detail == stack_detail::full ? "full" : "folded";
}

std::ostream& operator<<(std::ostream& out, stack_detail detail) { return out << to_string(detail); }

void write_text(std::ostream& out, const report& r, std::string_view directory) {
    stack_style style;
    style.shown = r.data().call_stacks;
    style.missing = r.data().missing_stacks;
    if (!directory.empty() && directory != "/")
        style.directory = std::string(directory) + (directory.back() == '/' ? "" : "/");
    style.detail = r.data().stacks;

    const verdict v = r.verdict();
    print_headline(out, r, v);
    out << "  probe: global operator new/delete bridge " << (r.bridge_observed() ? "observed" : "not observed")
        << (r.bridge_required() ? "" : " (not required)") << '\n';
    shown_so_far seen;
    print_baseline(out, r, style, seen);
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
            print_failed_run(out, r, a, style, seen);
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
    print_summary(out, r);
}

std::ostream& operator<<(std::ostream& out, const report& r) {
    std::error_code no_directory;
    const std::filesystem::path here = std::filesystem::current_path(no_directory);
    write_text(out, r, no_directory ? std::string() : here.string());
    return out;
}

}  // namespace alloc_chaos
