// What the sources that serve with the C allocator (the global bridge, the C allocator source)
// check when a block is released inside a run: double free, a pointer no allocation returned, and
// a release that does not match its allocation (family, size, alignment), each a finding of the
// run. Every block they serve is the C allocator's, so any release function frees any of them
// alike; the checks say which call was wrong, and withhold only what free() would abort on.

#include "attempt_path.hpp"

#include <alloc_chaos/finding.hpp>

#include <cstdint>

namespace alloc_chaos::detail {

namespace {

using release_codes::effective_alignment;
using release_codes::family_of;

// Whether a block of `op` is one of the C allocator's, served by these sources.
bool served_by_c_allocator(operation op) noexcept { return family_of(op) != 0; }

// Whether `by` is the release function of a block of `op`, one of the C allocator's.
bool releases(release_function by, operation op) noexcept { return family_of(by) == family_of(op); }

void report(run_state& run, finding_kind kind, const std::optional<allocation>& concerned, const finding_facts& facts) noexcept {
    record_finding(run, [&] { return finding(kind, concerned, facts); });
}

// The facts of a release of the block of `s` by `by` with `passed`.
finding_facts facts_of(const signature* s, release_function by, block_shape passed) noexcept {
    finding_facts facts;
    facts.released = passed;
    facts.released_by = by;
    if (s != nullptr) {
        facts.allocated = block_shape{s->size(), s->alignment()};
        facts.allocated_by = s->op();
    }
    return facts;
}

}  // namespace

void report_mismatched_release(block_table& own, const void* block, release_function by, block_shape passed) noexcept {
    run_state* const current = current_run_state;
    if (current == nullptr)
        return;
    run_state& run = *current;
    const std::size_t index = own.owner_latest_attempt_at(block);
    const signature* s = index != live_blocks::no_index ? run.attempt_at(index) : nullptr;
    if (s == nullptr || !served_by_c_allocator(s->op()))
        return;
    const allocation by_attempt = s->at(index);
    if (!releases(by, s->op())) {
        report(run, finding_kind::mismatched_deallocation, by_attempt, facts_of(s, by, passed));
        return;
    }
    if (by == release_function::free)
        return;  // free passes neither a size nor an alignment
    if (passed.size != 0 && passed.size != s->size())
        report(run, finding_kind::size_mismatch, by_attempt, facts_of(s, by, passed));
    if (effective_alignment(passed.alignment) != effective_alignment(s->alignment()))
        report(run, finding_kind::alignment_mismatch, by_attempt, facts_of(s, by, passed));
}

bool release_c_block(void* block, release_function by, block_shape passed) noexcept {
    block_table* own = owned_blocks;
    run_state* run = current_run_state;
    if (own == nullptr || run == nullptr) {  // another thread's free: forgotten where recorded, unchecked
        forget_block(block);
        return true;
    }
    const live_blocks::release_state found = own->owner_release_checked(block);
    switch (found.state) {
    case live_blocks::release_state::live:
        if (!release_code_matches(found.code, by, passed))
            report_mismatched_release(*own, block, by, passed);
        return true;
    case live_blocks::release_state::released_before: {
        const signature* s = run->attempt_at(found.index);
        report(*run, finding_kind::double_free, s != nullptr ? std::optional(s->at(found.index)) : std::nullopt,
               facts_of(s, by, passed));
        return false;
    }
    case live_blocks::release_state::unknown: break;
    }
    if (reinterpret_cast<std::uintptr_t>(block) % default_new_alignment != 0) {  // no C allocator block is
        report(*run, finding_kind::foreign_pointer, std::nullopt, facts_of(nullptr, by, passed));
        return false;
    }
    own->owner_forget(block);
    return true;
}

constinit thread_local bool serving_recorded_block = false;

void note_unobserved_block(void* block) noexcept {
    if (block_table* own = owned_blocks; own != nullptr && block != nullptr && !serving_recorded_block)
        own->owner_given_out_unobserved(block);
}

}  // namespace alloc_chaos::detail
