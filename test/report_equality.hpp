#ifndef ALLOC_CHAOS_TEST_REPORT_EQUALITY_HPP
#define ALLOC_CHAOS_TEST_REPORT_EQUALITY_HPP

// Two reports compared field by field, through every public accessor, then as operator<< renders
// them: the first difference fails the test case, naming the field and both values
// (`attempts()[3].message(): "x" vs "y"`). Call stacks are compared exactly: both reports are
// meant to come from the same executable. For a check made in the calling process and the same
// check made in worker processes, which must give the same report.

#include <alloc_chaos/report.hpp>

#include <boost/test/unit_test.hpp>

#include "test_bodies.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>

namespace report_equality {

namespace detail {

// A value as a difference names it: strings quoted, with their line breaks escaped.
inline std::string shown(const std::string& s) {
    std::string quoted = "\"";
    for (char c : s)
        if (c == '\n')
            quoted += "\\n";
        else if (c == '"' || c == '\\')
            quoted.append(1, '\\').append(1, c);
        else
            quoted += c;
    return quoted + '"';
}
inline std::string shown(bool b) { return b ? "true" : "false"; }
inline std::string shown(const std::optional<alloc_chaos::allocation>& a) {
    if (!a)
        return "none";
    std::ostringstream out;
    out << *a << " (index " << a->index() << ", nothrow " << shown(a->nothrow()) << ')';
    return out.str();
}
inline std::string shown(const alloc_chaos::stack_frame& f) {
    return shown(f.function) + " " + shown(f.file) + ":" + std::to_string(f.line);
}
template <class T>
std::string shown(const T& value) {
    return test_bodies::printed(value);
}

// Walks two reports in step and keeps the first difference found.
class comparison {
public:
    // "path: a vs b" for the first difference; empty when none was found.
    const std::string& difference() const noexcept { return difference_; }

    template <class T>
    void field(const std::string& path, const T& a, const T& b) {
        if (difference_.empty() && !(a == b))
            difference_ = path + ": " + shown(a) + " vs " + shown(b);
    }

    // The sizes, then each element pair with `each(path of the element, a[i], b[i])`.
    template <class T, class Each>
    void sequence(const std::string& path, std::span<const T> a, std::span<const T> b, Each each) {
        field(path + ".size()", a.size(), b.size());
        for (std::size_t i = 0; difference_.empty() && i < a.size(); ++i)
            each(path + "[" + std::to_string(i) + "]", a[i], b[i]);
    }

    void stack(const std::string& path, std::span<const alloc_chaos::stack_frame> a,
               std::span<const alloc_chaos::stack_frame> b) {
        sequence(path, a, b, [&](const std::string& at, const alloc_chaos::stack_frame& x,
                                 const alloc_chaos::stack_frame& y) { field(at, x, y); });
    }

    void findings(const std::string& path, std::span<const alloc_chaos::finding> a,
                  std::span<const alloc_chaos::finding> b) {
        sequence(path, a, b, [&](const std::string& at, const alloc_chaos::finding& x, const alloc_chaos::finding& y) {
            field(at + ".kind()", x.kind(), y.kind());
            field(at + ".allocation()", x.allocation(), y.allocation());
            field(at + ".facts() equal", x.facts() == y.facts(), true);
            field(at + ".message()", x.message(), y.message());
            stack(at + ".stack()", x.stack(), y.stack());
        });
    }

    void baseline(const std::string& path, const alloc_chaos::baseline_run& a, const alloc_chaos::baseline_run& b) {
        field(path + ".allocations()", a.allocations(), b.allocations());
        field(path + ".outcome()", a.outcome(), b.outcome());
        field(path + ".message()", a.message(), b.message());
        findings(path + ".findings()", a.findings(), b.findings());
        field(path + ".attachment()", a.attachment(), b.attachment());
        leaked(path + ".leaked()", a.leaked(), b.leaked());
    }

    void leaked(const std::string& path, alloc_chaos::leak_total a, alloc_chaos::leak_total b) {
        field(path + ".blocks", a.blocks, b.blocks);
        field(path + ".bytes", a.bytes, b.bytes);
    }

    void run(const std::string& path, const alloc_chaos::attempt& a, const alloc_chaos::attempt& b) {
        field(path + ".target()", a.target(), b.target());
        field(path + ".observed_allocations()", a.observed_allocations(), b.observed_allocations());
        field(path + ".injected()", a.injected(), b.injected());
        field(path + ".injected_allocation()", a.injected_allocation(), b.injected_allocation());
        field(path + ".outcome()", a.outcome(), b.outcome());
        field(path + ".message()", a.message(), b.message());
        findings(path + ".findings()", a.findings(), b.findings());
        field(path + ".mode()", a.mode(), b.mode());
        field(path + ".failed_attempts()", a.failed_attempts(), b.failed_attempts());
        stack(path + ".stack()", a.stack(), b.stack());
        field(path + ".attachment()", a.attachment(), b.attachment());
        leaked(path + ".leaked()", a.leaked(), b.leaked());
        field(path + ".success()", a.success(), b.success());
    }

    // The rendered texts, line by line: the first line that differs.
    void text(const std::string& a, const std::string& b) {
        if (!difference_.empty() || a == b)
            return;
        std::istringstream x(a), y(b);
        std::string line_a, line_b;
        for (std::size_t line = 1;; ++line) {
            const bool more_a = static_cast<bool>(std::getline(x, line_a));
            const bool more_b = static_cast<bool>(std::getline(y, line_b));
            if (!more_a || !more_b || line_a != line_b) {
                difference_ = "operator<<, line " + std::to_string(line) + ": " +
                              (more_a ? shown(line_a) : std::string("(no line)")) + " vs " +
                              (more_b ? shown(line_b) : std::string("(no line)"));
                return;
            }
        }
    }

private:
    std::string difference_;
};

}  // namespace detail

// The first difference between `a` and `b`, as "field path: value in a vs value in b"; empty
// when every public accessor and the rendered text agree.
inline std::string first_difference(const alloc_chaos::report& a, const alloc_chaos::report& b) {
    detail::comparison c;
    c.field("success()", a.success(), b.success());
    c.field("truncated()", a.truncated(), b.truncated());
    c.field("bridge_observed()", a.bridge_observed(), b.bridge_observed());
    c.field("bridge_required()", a.bridge_required(), b.bridge_required());
    c.baseline("baseline()", a.baseline(), b.baseline());
    c.field("baseline_runs_requested()", a.baseline_runs_requested(), b.baseline_runs_requested());
    c.sequence("stability_baselines()", a.stability_baselines(), b.stability_baselines(),
               [&](const std::string& at, const alloc_chaos::baseline_run& x, const alloc_chaos::baseline_run& y) {
                   c.baseline(at, x, y);
               });
    c.field("baseline_stable()", a.baseline_stable(), b.baseline_stable());
    c.field("hint()", a.hint(), b.hint());
    c.field("baseline_allocations()", a.baseline_allocations(), b.baseline_allocations());
    c.sequence("attempts()", a.attempts(), b.attempts(),
               [&](const std::string& at, const alloc_chaos::attempt& x, const alloc_chaos::attempt& y) {
                   c.run(at, x, y);
               });
    c.field("tested_failures()", a.tested_failures(), b.tested_failures());
    c.field("injected_failures()", a.injected_failures(), b.injected_failures());
    c.field("selection()", a.selection(), b.selection());
    c.field("mode()", a.mode(), b.mode());
    c.sequence("sampled_targets()", a.sampled_targets(), b.sampled_targets(),
               [&](const std::string& at, std::size_t x, std::size_t y) { c.field(at, x, y); });
    c.field("narrowing()", a.narrowing(), b.narrowing());
    c.field("stopped_early()", a.stopped_early(), b.stopped_early());
    c.field("stop_reason()", a.stop_reason(), b.stop_reason());
    c.field("targets_beyond_observed()", a.targets_beyond_observed(), b.targets_beyond_observed());
    c.text(test_bodies::printed(a), test_bodies::printed(b));
    return c.difference();
}

// Fails the test case, naming the first field that differs and both values, unless `expected`
// and `actual` are the same report.
inline void expect_same_report(const alloc_chaos::report& expected, const alloc_chaos::report& actual) {
    const std::string difference = first_difference(expected, actual);
    BOOST_TEST(difference.empty(), "the reports differ at " << difference);
}

}  // namespace report_equality

#endif
