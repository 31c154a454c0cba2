// The report's own judgements: stability, the verdict. Rendering is in text_report.cpp.

#include <alloc_chaos/report.hpp>

#include "baseline_rules.hpp"

#include <algorithm>
#include <sstream>

namespace alloc_chaos {

namespace {

// The leak_total of `found`, for a run made with every leaked block named.
leak_total leaks_in(const std::vector<finding>& found) noexcept {
    leak_total total;
    for (const finding& f : found)
        if (f.kind() == finding_kind::leak) {
            ++total.blocks;
            total.bytes += f.allocation() ? f.allocation()->size() : 0;
        }
    return total;
}

}  // namespace

baseline_run::baseline_run(std::size_t allocations, alloc_chaos::outcome o, std::string message,
                           std::vector<finding> findings, std::string attachment, std::optional<leak_total> leaked)
    : allocations_(allocations), outcome_(o), message_(std::move(message)), findings_(std::move(findings)),
      attachment_(std::move(attachment)), leaked_(leaked.value_or(leaks_in(findings_))) {}

attempt::attempt(std::size_t target, std::size_t observed_allocations, std::optional<alloc_chaos::allocation> injected,
                 alloc_chaos::outcome o, std::string message, std::vector<finding> findings, failure_mode mode,
                 std::size_t failed_attempts, std::vector<stack_frame> stack, std::string attachment,
                 std::optional<leak_total> leaked)
    : target_(target), observed_(observed_allocations), injected_(injected), outcome_(o),
      message_(std::move(message)), findings_(std::move(findings)), mode_(mode),
      failed_(failed_attempts != 0 ? failed_attempts : (injected ? 1 : 0)), stack_(std::move(stack)),
      attachment_(std::move(attachment)), leaked_(leaked.value_or(leaks_in(findings_))) {}

namespace detail {

bool baseline_has_findings(const report_data& r) noexcept {
    return !r.baseline.findings().empty() ||
           std::any_of(r.stability.begin(), r.stability.end(), [](const baseline_run& b) { return !b.findings().empty(); });
}

bool baseline_stable(const report_data& r) noexcept {
    if (r.baseline.outcome() != outcome::completed)
        return false;
    return std::all_of(r.stability.begin(), r.stability.end(), [&](const baseline_run& b) {
        const auto found = b.findings();
        return b.outcome() == outcome::completed && b.allocations() == r.baseline.allocations() &&
               std::none_of(found.begin(), found.end(),
                            [](const finding& f) { return f.kind() == finding_kind::divergence; });
    });
}

}  // namespace detail

bool report::baseline_stable() const noexcept { return detail::baseline_stable(data_); }

std::size_t report::injected_failures() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(data_.attempts.begin(), data_.attempts.end(), [](const attempt& a) { return a.injected(); }));
}

alloc_chaos::verdict report::verdict() const noexcept {
    using enum alloc_chaos::verdict;
    if ((bridge_required() && !bridge_observed()) || !baseline_stable())
        return invalid;
    if (detail::baseline_has_findings(data_))
        return failed;
    if (baseline_allocations() == 0)  // nothing observed, so nothing tested
        return invalid;
    if (std::any_of(data_.attempts.begin(), data_.attempts.end(), [](const attempt& a) { return !a.success(); }))
        return failed;
    return truncated() ? partial : passed;
}

bool report::success() const noexcept { return verdict() == alloc_chaos::verdict::passed; }

void report::assert_success() const {
    if (success())
        return;
    std::ostringstream text;
    text << *this;
    throw check_failed(text.str());
}

}  // namespace alloc_chaos
