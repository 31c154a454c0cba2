#include "runner.hpp"

#include "../engine/engine.hpp"
#include "escaped_exception.hpp"

#include <algorithm>
#include <new>

namespace alloc_chaos::detail {

namespace {

// Where the probe's pointer goes, so that no compiler can elide its new/delete pair.
thread_local void* volatile probe_sink = nullptr;  // per thread: checks may probe at once

// Runs the body under `run` and says how it ended. The observation ends before any handler
// runs, so recording what escaped is never observed.
void run_body(body_ref body, run_state& run, run_result& result) {
    if (run.stacks != nullptr)  // a stack stops below this frame: above it are the checker and its callers
        run.stacks->body_caller = __builtin_frame_address(0);
    try {
        observation observed(run);
        body();
    } catch (const abort_check& e) {
        result.aborted = true;
        result.outcome = outcome::exception;
        result.message = e.what();
    } catch (const std::bad_alloc& e) {
        result.outcome = outcome::bad_alloc;
        result.message = escaped_message(e);
    } catch (const std::exception& e) {
        result.outcome = outcome::exception;
        result.message = escaped_message(e);
    } catch (...) {
        result.outcome = outcome::exception;
        result.message = escaped_foreign_message();
    }
}

}  // namespace

bool probe_bridge() {
    run_state probe;
    {
        observation observed(probe);
        probe_sink = ::operator new(1);
        ::operator delete(probe_sink);
    }
    return probe.attempts == 1;
}

void runner::warm_up() {
    try {
        body_();
    } catch (...) {  // the baseline run will say what escaped
    }
}

run_result runner::first_baseline() {
    run_result result = run({.what = kind::first_baseline});
    baseline_.swap(current_);
    return result;
}

run_result runner::repeat_baseline(std::span<const std::size_t> attempts, raw_stack* stacks) {
    return run({.what = kind::repeat_baseline, .stacks_at = attempts, .stacks = stacks});
}

run_result runner::inject(std::size_t target, failure_mode mode, bool trap) {
    return run({.what = kind::injected, .target = target, .mode = mode, .trap = trap});
}

run_result runner::inject_again(std::size_t target, failure_mode mode, std::span<const std::size_t> attempts,
                                raw_stack* stacks) {
    raw_stack taken;
    run_result result = run(
        {.what = kind::injected, .target = target, .mode = mode, .target_stack = &taken, .stacks_at = attempts, .stacks = stacks});
    result.stack = taken;
    return result;
}

void runner::replay_to_target(std::size_t target, failure_mode mode) {
    watch_->exit_at_target = true;
    run({.what = kind::injected, .target = target, .mode = mode, .target_stack = &watch_->target_stack});
}

run_result runner::run(const request& asked) {
    current_.clear();
    std::vector<finding> reported;
    run_result result;
    stack_request taken;
    taken.target = asked.target_stack;
    taken.attempts = asked.stacks_at.data();
    taken.attempt_stacks = asked.stacks;
    taken.count = asked.stacks != nullptr ? asked.stacks_at.size() : 0;
    run_state own;
    run_state& run = watch_ != nullptr ? watch_->state : own;  // in a worker, where its parent reads it
    run = run_state();
    if (taken.target != nullptr || taken.count != 0)
        run.stacks = &taken;
    run.target = asked.target;
    run.persistent = asked.mode == failure_mode::persistent;
    run.trap = asked.trap;
    run.signatures = &current_;
    run.findings = &reported;
    run.watch = watch_;
    if (watch_ != nullptr)
        watch_->begin_run();
    if (asked.what != kind::first_baseline) {
        run.expected = &baseline_;
        run.compare_until = asked.what == kind::injected ? asked.target : no_target;
    }
    run.settle();

    std::vector<finding> leaked;
    if (track_blocks_) {
        blocks_.owner([](live_blocks& blocks) { return blocks.clear(), true; });
        tracked_blocks tracking(blocks_);
        run_body(body_, run, result);
        blocks_.settle_keepers();  // the blocks the sources kept themselves, still live, count too
        leaked = leaks(run, result.leaked);  // after the handler: the escaped exception is gone with its blocks
    } else {
        run_body(body_, run, result);
    }

    if (watch_ != nullptr)
        watch_->started.store(0, std::memory_order_release);
    result.attempts = run.attempts;
    result.injected = run.injected;
    result.failures = run.failures;
    result.findings = divergence(run, asked.what);
    result.findings.insert(result.findings.end(), std::make_move_iterator(reported.begin()),
                           std::make_move_iterator(reported.end()));
    result.findings.insert(result.findings.end(), std::make_move_iterator(leaked.begin()),
                           std::make_move_iterator(leaked.end()));
    return result;
}

std::vector<finding> runner::divergence(const run_state& run, kind k) const {
    std::optional<std::size_t> at = run.divergence;
    const bool fewer = k == kind::repeat_baseline && run.attempts < baseline_.size();
    if (!at && !fewer)
        return {};
    finding_facts facts;
    std::optional<allocation> concerned;
    if (!at) {
        facts.baseline_attempts = baseline_.size();
        facts.run_attempts = run.attempts;
    } else {
        if (const signature* expected = baseline_.find(*at))
            facts.expected = expected->at(*at);
        else
            facts.baseline_attempts = baseline_.size();
        if (const signature* actual = run.attempt_at(*at))
            concerned = actual->at(*at);
        else
            facts.index = *at;
    }
    std::vector<finding> found;
    found.emplace_back(finding_kind::divergence, concerned, facts);
    return found;
}

std::vector<finding> runner::leaks(const run_state& run, leak_total& total) {
    std::vector<std::size_t> live;
    live.reserve(blocks_.owner([](live_blocks& blocks) { return blocks.size(); }));  // only frees come between
    blocks_.owner([&](live_blocks& blocks) { return blocks.indices(live), true; });
    std::vector<finding> found;
    total = {live.size(), 0};
    for (std::size_t index : live) {
        const signature* s = run.attempt_at(index);
        total.bytes += s != nullptr ? s->size() : 0;
        if (found.size() == leaked_blocks_named)
            continue;
        if (s != nullptr)
            found.emplace_back(finding_kind::leak, s->at(index), finding_facts{});
        else
            found.emplace_back(finding_kind::leak, std::nullopt, finding_facts{.index = index});
    }
    return found;
}

}  // namespace alloc_chaos::detail
