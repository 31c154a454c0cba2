#include <alloc_chaos/checker.hpp>

#include "engine.hpp"

#include <new>
#include <sstream>
#include <stdexcept>
#include <string>

namespace alloc_chaos {

namespace {

using detail::no_target;

// Where the probe's pointer goes, so that no compiler can elide its new/delete pair.
void* volatile probe_sink = nullptr;

// True when a real operator new/delete pair reaches the engine through the global bridge.
bool probe_bridge() {
    detail::run_state probe;
    {
        detail::observation observed(probe);
        probe_sink = ::operator new(1);
        ::operator delete(probe_sink);
    }
    return probe.attempts == 1;
}

struct run_result {
    bool aborted;  // the body threw abort_check
    std::size_t attempts;
    std::optional<allocation> injected;
    alloc_chaos::outcome outcome;
    std::string message;
};

// Runs the body once, observed, failing attempt `target`. The observation ends before any
// handler runs, so recording what escaped is never observed.
run_result run_once(detail::body_ref body, std::size_t target) {
    detail::run_state run;
    run.target = target;
    alloc_chaos::outcome ended = outcome::completed;
    std::string message;
    bool aborted = false;
    try {
        detail::observation observed(run);
        body();
    } catch (const abort_check& e) {
        aborted = true;
        ended = outcome::exception;
        message = e.what();
    } catch (const std::bad_alloc& e) {
        ended = outcome::bad_alloc;
        message = e.what();
    } catch (const std::exception& e) {
        ended = outcome::exception;
        message = e.what();
    } catch (...) {
        ended = outcome::exception;
        message = "an exception not derived from std::exception";
    }
    return {aborted, run.attempts, run.injected, ended, std::move(message)};
}

baseline_run run_baseline(detail::body_ref body) {
    run_result r = run_once(body, no_target);
    return {r.attempts, r.outcome, std::move(r.message)};
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
    only_failure_ = true;
    first_ = index;
    last_ = index == all ? all : index + 1;
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
    only_failure_ = false;
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

report checker::run_body(detail::body_ref body) const {
    detail::active_check active;
    report r;
    r.bridge_required_ = require_global_bridge_;
    r.bridge_observed_ = probe_bridge();

    std::ostringstream selection;
    if (only_failure_)
        selection << "only_failure(" << first_ << ")";
    else if (first_ != 0 || last_ != all)
        selection << "failure_range(" << first_ << ", " << last_ << ")";
    r.narrowing_ = selection.str();
    if (max_failures_ != all)
        selection << (selection.tellp() > 0 ? ", " : "") << "max_failures(" << max_failures_ << ")";
    r.selection_ = selection.str();
    r.baseline_runs_requested_ = stability_runs_;

    r.baseline_ = run_baseline(body);
    for (std::size_t i = 1; i < stability_runs_ && r.baseline_.outcome() == outcome::completed; ++i) {
        r.stability_.push_back(run_baseline(body));
        if (r.stability_.back().outcome() != outcome::completed)
            break;
    }
    if (!r.baseline_stable() || (r.bridge_required_ && !r.bridge_observed_))
        return r;  // a check that cannot mean anything injects nothing

    const std::size_t observed = r.baseline_allocations();
    const std::size_t first = first_;
    const std::size_t last = last_ == all ? std::max(observed, first) : last_;
    const std::size_t capped_last = max_failures_ >= last - first ? last : first + max_failures_;
    const std::size_t run_last = std::min(capped_last, std::max(observed, first));
    r.beyond_observed_ = capped_last - std::max(first, std::min(capped_last, observed));

    for (std::size_t target = first; target < run_last; ++target) {
        run_result run = run_once(body, target);
        r.attempts_.emplace_back(target, run.attempts, run.injected, run.outcome, std::move(run.message));
        const bool more = target + 1 < run_last;
        if (run.aborted) {
            if (more)
                r.stop_reason_ = "the body ended the check with abort_check";
            break;
        }
        if (stop_on_failure_ && !r.attempts_.back().success() && more) {
            r.stop_reason_ = "stop_on_failure ended the check at its first failed run";
            break;
        }
    }
    return r;
}

}  // namespace alloc_chaos
