#include "engine.hpp"

#include "attempt_path.hpp"
#include "block_table.hpp"
#include "../platform/c_allocation.hpp"

#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/debugging.hpp>
#include <alloc_chaos/detail/config.hpp>
#include <alloc_chaos/forbid_allocations.hpp>
#include <alloc_chaos/injected_bad_alloc.hpp>

#include <csignal>
#include <new>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

namespace alloc_chaos::detail {

constinit thread_local run_state* observed_run = nullptr;
constinit thread_local run_state* current_run_state = nullptr;
constinit thread_local int forbidden_depth = 0;
std::atomic<int> running_checks{0};
bool bridge_is_operator_new = false;

namespace {

// Whether this thread runs a check (active_check).
constinit thread_local bool check_running = false;

// Records an attempt made inside forbid_allocations as a finding of the run; serves it uncounted.
void forbidden_attempt(run_state& run, const allocation& asked) noexcept {
    run.pending = no_target;
    record_finding(run, [&] { return finding(finding_kind::forbidden_allocation, asked, finding_facts{}); });
}

// Takes the stack of a served attempt when the run asked for it (a rerun finding where leaked
// blocks were allocated). Unobserved, and no operator new: the run's attempts stay as they were.
void take_attempt_stack(stack_request& stacks, std::size_t index) noexcept {
    while (stacks.next < stacks.count && stacks.attempts[stacks.next] < index)
        ++stacks.next;
    if (stacks.next == stacks.count || stacks.attempts[stacks.next] != index)
        return;
    unobserved capture;
    capture_stack(stacks.attempt_stacks[stacks.next++], stacks.body_caller);
}

// Takes the stack of the target attempt, once per run.
void take_target_stack(stack_request& stacks) noexcept {
    unobserved capture;
    capture_stack(*stacks.target, stacks.body_caller);
}

// An attempt made inside forbid_allocations: a finding of the run, served uncounted. Out of line,
// like every rare path here, so that the path of a counted attempt stays small enough to inline.
ALLOC_CHAOS_NOINLINE ALLOC_CHAOS_COLD void forbidden(run_state& run, operation op, std::size_t size, std::size_t alignment,
                                             bool nothrow) noexcept {
    forbidden_attempt(run, allocation(run.attempts, op, size, alignment, nothrow));
}

// Compares the attempt at `index` with the baseline's while the run must match it; after that (from
// the target, or from where the run diverged) logs it, as the run asks. An attempt that matched is
// the baseline's, so it need not be logged.
inline void record_signature(run_state& run, std::size_t index, const signature& asked) noexcept {
    if (index < run.compare_until) {
        const signature* expected = run.expected->find(index);
        if (expected != nullptr && *expected == asked) [[likely]]
            return;
        run.divergence = index;
        run.compare_until = index;  // nothing after it is compared
        run.rebound(index + 1);
    }
    if (run.signatures != nullptr)
        run.signatures->put(index, asked);
}

// The attempt at `index` is to fail: counts it, and takes what the run asked for at the target.
ALLOC_CHAOS_NOINLINE allocation fail(run_state& run, std::size_t index, operation op, std::size_t size,
                                  std::size_t alignment, bool nothrow) noexcept {
    const allocation failed(index, op, size, alignment, nothrow);
    ++run.failures;
    run.rebound(index + 1);
    if (index == run.target) {
        run.injected = failed;
        if (run.stacks != nullptr && run.stacks->target != nullptr)
            take_target_stack(*run.stacks);
    }
    if (index == run.target && run.watch != nullptr && run.watch->exit_at_target)
        std::_Exit(0);  // a rerun for the target's stack: it has it
    break_on_injected_failure(failed);
    if (index == run.target && run.trap)
        std::raise(SIGTRAP);
    return failed;
}

// What an observed attempt comes to.
enum class verdict {
    serve,      // counted, to be served
    fail,       // counted, to be failed
    uncounted,  // inside forbid_allocations: a finding, served uncounted
};

// Counts an attempt (its index into `index`), logs or compares its signature, and takes its call
// stack when the run asks; says what the source is to do with it.
inline verdict count_attempt(run_state& run, std::size_t& index, operation op, std::size_t size,
                             std::size_t alignment, bool nothrow) noexcept {
    if (forbidden_depth > 0) [[unlikely]] {
        forbidden(run, op, size, alignment, nothrow);
        return verdict::uncounted;
    }
    index = run.attempts++;
    record_signature(run, index, signature(size, alignment, op, nothrow));
    // no_target is the largest index: a run without a target fails nothing
    if (index >= run.target && (index == run.target || run.persistent)) [[unlikely]]
        return verdict::fail;
    if (run.takes_attempt_stacks()) [[unlikely]]
        take_attempt_stack(*run.stacks, index);
    return verdict::serve;
}

// The failed attempt at `index` of an operator new, as a real failure goes on: while a new-handler
// is installed, calls it (its exception escapes a throwing form; a nothrow form returns nullptr
// instead) and tries the same attempt again, which fails again only in a persistent run. True
// when the attempt is then to be served.
bool retried_after_new_handler(run_state& run, std::size_t index, bool nothrow) {
    for (std::new_handler handler = std::get_new_handler(); handler != nullptr; handler = std::get_new_handler()) {
        if (nothrow) {
            try {
                handler();
            } catch (...) {
                return false;
            }
        } else {
            handler();
        }
        if (!run.persistent || index < run.target)
            return true;
    }
    return false;
}

}  // namespace

std::optional<allocation> observe_observed_attempt(run_state& run, operation op, std::size_t size,
                                                   std::size_t alignment, bool nothrow) noexcept {
    std::size_t index = 0;
    const verdict v = count_ordinary_attempt(run, index, signature(size, alignment, op, nothrow))
                          ? verdict::serve
                          : count_attempt(run, index, op, size, alignment, nothrow);
    if (v == verdict::fail) [[unlikely]]
        return fail(run, index, op, size, alignment, nothrow);
    if (v == verdict::serve)
        run.pending = index;  // until the source reports the block
    return std::nullopt;
}

void* observe_served_attempt(run_state& run, operation op, std::size_t size, std::size_t alignment, bool nothrow,
                             serve_function* serve) {
    std::size_t index = 0;
    verdict v = count_attempt(run, index, op, size, alignment, nothrow);
    if (v == verdict::fail) [[unlikely]] {
        const allocation failed = fail(run, index, op, size, alignment, nothrow);
        const bool operator_new = op == operation::operator_new || op == operation::operator_new_array;
        if (!operator_new || !retried_after_new_handler(run, index, nothrow))
            return nothrow ? nullptr : throw injected_bad_alloc(failed);
        v = verdict::serve;
    }
    void* block = serve(size, alignment);
    if (v == verdict::serve && block != nullptr)
        record_block(block, index, release_code_of(op, size, alignment));
    else
        note_unobserved_block(block);  // served uncounted, inside forbid_allocations
    return block;
}

void observe_allocated_block(run_state& run, void* block) noexcept {
    const std::size_t index = std::exchange(run.pending, no_target);
    if (index != no_target)
        record_block(block, index);
}

void observe_released_block(void* block) noexcept { forget_block(block); }

active_check::active_check(const char* call) : forbidden_depth_(forbidden_depth) {
    if (check_running) {
        unobserved own_error;  // the library's error is no attempt of the outer check's body
        throw std::logic_error(std::string(call) +
                               ": a check is already running on this thread, and checks do not nest; run the "
                               "second check after the first one returns, or on another thread");
    }
    check_running = true;
    running_checks.fetch_add(1, std::memory_order_seq_cst);
    forbidden_depth = 0;
}

active_check::~active_check() {
    running_checks.fetch_sub(1, std::memory_order_seq_cst);
    check_running = false;
    forbidden_depth = forbidden_depth_;
}

void forget_other_threads_checks() noexcept { running_checks.store(check_running ? 1 : 0, std::memory_order_seq_cst); }

void abandon_engine_state() noexcept {
    abandon_tracking();
    forbidden_depth = 0;
    observed_run = nullptr;
    current_run_state = nullptr;
    if (check_running)
        running_checks.fetch_sub(1, std::memory_order_seq_cst);
    check_running = false;
}

}  // namespace alloc_chaos::detail
