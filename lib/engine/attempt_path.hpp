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
#include "release_code.hpp"
#include "engine.hpp"       // run_state, current_run_state, record_finding
#include "signature_log.hpp"

#include <alloc_chaos/detail/observation.hpp>  // observed_run, tracking_tables
#include <alloc_chaos/finding.hpp>                // release_function, block_shape
#include <alloc_chaos/injected_bad_alloc.hpp>
#include <alloc_chaos/operation.hpp>

#include <cstddef>
#include <optional>

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
// Reports, as findings of this thread's run, the release of the live block `block` of `own`, whose
// code it did not match.
void report_mismatched_release(block_table& own, const void* block, release_function by, block_shape passed) noexcept;

// release_c_block() in its common case, inline: a live block of this thread's run, in one of the
// two leaves reached last, released on the checking thread; reports a mismatch, and returns true
// (then `block` goes to free()). False, and nothing changed, otherwise: release_c_block() decides.
inline bool release_c_block_here(void* block, release_function by, block_shape passed) noexcept {
    block_table* own = owned_blocks;  // set only while this thread runs a check
    release_code code = unchecked_block;
    if (own == nullptr || !own->owner_release_checked_here(block, code)) [[unlikely]]
        return false;
    if (!release_code_matches(code, by, passed)) [[unlikely]]
        report_mismatched_release(*own, block, by, passed);
    return true;
}

// What a source that serves with the C allocator calls to release `block` (not nullptr) while
// some run tracks blocks: a block another source handed on (forgotten_handover) is freed as it
// is, already forgotten and checked; any other is forgotten and checked here (release_c_block).
// Returns whether `block` may be passed to free().
inline bool checked_c_release(void* block, release_function by, block_shape passed) noexcept {
    return block == handed_block || release_c_block_here(block, by, passed) || release_c_block(block, by, passed);
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

// Set while a source calls its upstream for a block it records right after (record_block,
// observe_allocated), which replaces whatever was known of the address: the bridge then need not
// note the block as served unobserved (note_unobserved_block).
extern constinit thread_local bool serving_recorded_block;

// While alive, the source's upstream call is unobserved (it is part of the source's attempt, not
// another one) and serves a block the source records (serving_recorded_block).
class recorded_upstream_call {
public:
    recorded_upstream_call() noexcept : saved_(serving_recorded_block) { serving_recorded_block = true; }
    ~recorded_upstream_call() { serving_recorded_block = saved_; }
    recorded_upstream_call(const recorded_upstream_call&) = delete;
    recorded_upstream_call& operator=(const recorded_upstream_call&) = delete;

private:
    unobserved unobserved_;
    bool saved_;
};

// An attempt of a source that records its blocks itself (chaos_memory_resource, allocator<T>),
// counted: `index` is the attempt's, `none` outside an observed run and for a request inside
// forbid_allocations (served uncounted); `ordinary` when the inline path took it, and the source
// then records its block with record_block(), else with observe_allocated(). Two plain words, no
// std::optional: the caller reads them back right after, whole (a copy of a wider aggregate
// stored in parts stalls on its load).
struct counted_attempt {
    static constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t index = none;
    bool ordinary = false;
};
// Counts an attempt of `op` on the inline path when it can, else on the engine's full path;
// throws injected_bad_alloc when the attempt is to fail.
inline counted_attempt count_recorded_attempt(operation op, std::size_t bytes, std::size_t alignment) {
    run_state* run = observed_run;
    if (run == nullptr)
        return {};
    std::size_t index = 0;
    if (count_ordinary_attempt(*run, index, signature(bytes, alignment, op, false)))
        return {index, true};
    if (auto failure = observe_observed_attempt(*run, op, bytes, alignment, false))
        throw injected_bad_alloc(*failure);
    if (run->pending != no_target)  // the index of an attempt served, until its block is reported
        return {run->pending, false};
    return {};
}

}  // namespace alloc_chaos::detail

#endif
