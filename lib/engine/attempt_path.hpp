#ifndef ALLOC_CHAOS_LIB_ATTEMPT_PATH_HPP
#define ALLOC_CHAOS_LIB_ATTEMPT_PATH_HPP

// The engine as a built-in source sees it, the one way in for the global bridge and
// chaos_memory_resource. Every form of a request, throwing or nothrow, takes the same path:
//   - an attempt of the observed run (observed_run) first takes the inline counted path,
//     count_ordinary_attempt() then record_block() for the block served; when it declines (a
//     target, a divergence, forbid_allocations, stacks to take), observe_served_attempt();
//   - a free, from any thread, takes forget_block() while some run tracks blocks (tracking_tables);
//     a source that serves with the C allocator takes release_c_block() instead, which checks it,
//     and reports each block it serves unobserved on a thread that tracks blocks
//     (note_unobserved_block());
//   - a misuse a source detects is recorded as facts with record_finding(); lib/report writes
//     the sentences;
//   - a source's own table shared between threads may take the engine's owner_biased_lock.

#include "block_table.hpp"  // record_block, forget_block, owner_biased_lock
#include "engine.hpp"       // run_state, current_run_state, record_finding
#include "signature_log.hpp"

#include <alloc_chaos/detail/observation.hpp>  // observed_run, tracking_tables
#include <alloc_chaos/finding.hpp>                // release_function, block_shape
#include <alloc_chaos/operation.hpp>

#include <cstddef>

namespace alloc_chaos::detail {

// What a source calls to serve a request: a block; for a throwing form, std::bad_alloc or nullptr
// for a nothrow one when there is no memory.
using serve_function = void*(std::size_t size, std::size_t alignment);
// The full path, for an attempt count_ordinary_attempt() did not take: counts it, then serves it
// with serve(size, alignment) and records the block, unless it is to fail: then throws
// injected_bad_alloc, or returns nullptr for a nothrow form. A failed operator new first calls the
// installed std::new_handler as a real failure would, and tries the same attempt again (served
// unless the run is persistent) until the handler throws or none is installed.
void* observe_served_attempt(run_state& run, operation op, std::size_t size, std::size_t alignment, bool nothrow,
                             serve_function* serve);

// The release of `block` (not nullptr) by a source that serves with the C allocator, while some
// run tracks blocks, from any thread: forgets it and, on a thread running a check, checks it
// against its allocation. A double free, a pointer no C allocator gave out (not a multiple of 16),
// and a release by another family (free of a new'd block, delete of new[]'s), size or alignment
// than the allocation's is a finding of the run. Returns whether `block` may be passed to free():
// false for a double free or a foreign pointer, which free() would abort on.
bool release_c_block(void* block, release_function by, block_shape passed) noexcept;
// Whether a release by `by` passing `passed` matches the allocation `s`, for a block of the C
// allocator's operations; true for any other (another source's block: not checked here).
inline bool release_matches(const signature& s, release_function by, block_shape passed) noexcept {
    const auto effective = [](std::size_t a) { return a < default_new_alignment ? default_new_alignment : a; };
    switch (s.op()) {
    case operation::operator_new:
    case operation::operator_new_array:
        return by == (s.op() == operation::operator_new ? release_function::operator_delete
                                                        : release_function::operator_delete_array) &&
               (passed.size == 0 || passed.size == s.size()) && effective(passed.alignment) == effective(s.alignment());
    case operation::malloc:
    case operation::calloc:
    case operation::realloc:
    case operation::aligned_alloc: return by == release_function::free;
    default: return true;
    }
}
// The attempt at `index` of `run`, when the run has it: the baseline's where the run matched it,
// else the run's own log (none in the probe).
inline const signature* signature_at(const run_state& run, std::size_t index) noexcept {
    if (index < run.logged_from() && run.expected_items != nullptr)
        return &run.expected_items[index];
    return run.signatures != nullptr ? run.signatures->find(index) : nullptr;
}
// Reports the findings of the release of the live block of attempt `index`, which does not match.
void report_mismatched_release(run_state& run, std::size_t index, release_function by, block_shape passed) noexcept;

// release_c_block() in its common case, inline: a live block of this thread's run, in one of the
// two leaves reached last, released on the checking thread; reports a mismatch, and returns true
// (then `block` goes to free()). False, and nothing changed, otherwise: release_c_block() decides.
inline bool release_c_block_here(void* block, release_function by, block_shape passed) noexcept {
    block_table* own = owned_blocks;
    run_state* run = current_run_state;
    std::size_t index = 0;
    if (own == nullptr || run == nullptr || !own->owner_release_checked_here(block, index)) [[unlikely]]
        return false;
    const signature* s = signature_at(*run, index);
    if (s != nullptr && !release_matches(*s, by, passed)) [[unlikely]]
        report_mismatched_release(*run, index, by, passed);
    return true;
}

// A block the C allocator gave out unobserved (outside every check, or inside `unobserved`) while
// some run tracks blocks: on the checking thread, its release is then no double free.
void note_unobserved_block(void* block) noexcept;

// Counts the next attempt of `run` (its index into `index`) when it is an ordinary one: below
// ordinary_end (outside forbid_allocations, not failed, no stack taken), matching the baseline
// where the run compares it, else logged where the log has room. Otherwise counts nothing and
// returns false: the engine's full path takes the attempt. Inline, so that a source's common case
// makes no call into the engine.
inline bool count_ordinary_attempt(run_state& run, std::size_t& index, const signature& asked) noexcept {
    index = run.attempts;
    if (index >= run.ordinary_end) [[unlikely]]
        return false;
    if (index < run.compare_until) {  // below ordinary_end, the baseline has the attempt
        if (!(run.expected_items[index] == asked)) [[unlikely]]
            return false;  // the full path records the divergence
    } else if (run.signatures != nullptr && !run.signatures->append_at(index, asked)) [[unlikely]] {
        return false;
    }
    run.attempts = index + 1;
    return true;
}

}  // namespace alloc_chaos::detail

#endif
