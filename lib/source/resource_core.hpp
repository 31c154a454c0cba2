#ifndef ALLOC_CHAOS_LIB_RESOURCE_CORE_HPP
#define ALLOC_CHAOS_LIB_RESOURCE_CORE_HPP

// The allocate and deallocate paths of detail::resource_core, for the source of each chaos
// memory resource to instantiate with its Upstream. The path outside a check and without checks is
// inline and ends in a tail call to the upstream (≤ 1.05× the upstream alone, docs/performance.md);
// every other path is out of line (ALLOC_CHAOS_NOINLINE), so that it adds no work to that one.

#include <alloc_chaos/detail/resource_core.hpp>

#include "chaos_memory_resource_ledger.hpp"
#include "../engine/attempt_path.hpp"

#include <alloc_chaos/detail/config.hpp>
#include <alloc_chaos/injected_bad_alloc.hpp>
#include <alloc_chaos/source.hpp>

#include <cstdint>
#include <optional>

namespace alloc_chaos::detail {

inline resource_ledger& resource_core::ledger() const noexcept {
    return *ledger_.load(std::memory_order_acquire);  // after arm()'s release: the ledger is whole
}

template <class Upstream>
inline void* resource_core::allocate(Upstream upstream, std::size_t bytes, std::size_t alignment) {
    if (ledger_.load(std::memory_order_relaxed) != nullptr)
        return checked_allocate(upstream, bytes, alignment);
    if (current_run_state == nullptr) [[likely]] {  // one thread-local read and a branch outside a check
        // Set before the block exists (the upstream call stays a tail call), so that whoever
        // deallocates it, having received it, sees the flag.
        if (!gave_unchecked_.load(std::memory_order_relaxed)) [[unlikely]]
            gave_unchecked_.store(true, std::memory_order_relaxed);
        return upstream.allocate(bytes, alignment);
    }
    return unarmed_allocate(upstream, bytes, alignment);
}

// allocate() when the checks are not active and a run is in progress on this thread.
template <class Upstream>
ALLOC_CHAOS_NOINLINE void* resource_core::unarmed_allocate(Upstream upstream, std::size_t bytes,
                                                           std::size_t alignment) {
    if (checks_ == deallocation_checks::from_first_check) {
        arm();  // before the attempt is counted: it arms also when this attempt is the one failed
        return checked_allocate(upstream, bytes, alignment);
    }
    if (!observing())  // checks off, inside `unobserved`
        return upstream.allocate(bytes, alignment);
    return observed_allocate(upstream, bytes, alignment);
}

template <class Upstream>
inline void* resource_core::observed_allocate(Upstream upstream, std::size_t bytes, std::size_t alignment) {
    run_state& run = *observed_run;
    std::size_t index = 0;
    if (!count_ordinary_attempt(run, index, signature(bytes, alignment, operation::resource_allocate, false)))
        [[unlikely]] {  // the engine's full path: a failure, a divergence, a stack to take, ...
        if (auto failure = observe_observed_attempt(run, operation::resource_allocate, bytes, alignment, false))
            throw injected_bad_alloc(*failure);
        void* block = nullptr;
        {
            recorded_upstream_call upstream_call;  // the upstream may reach operator new: one attempt, not two
            block = upstream.allocate(bytes, alignment);
        }
        observe_allocated(block);
        return block;
    }
    void* block = nullptr;
    {
        recorded_upstream_call upstream_call;
        block = upstream.allocate(bytes, alignment);
    }
    return record_block(block, index, slot_kept);
}

template <class Upstream>
ALLOC_CHAOS_NOINLINE void* resource_core::checked_allocate(Upstream upstream, std::size_t bytes,
                                                           std::size_t alignment) {
    const counted_attempt attempt = count_recorded_attempt(operation::resource_allocate, bytes, alignment);
    resource_ledger& checks = ledger();
    void* block = nullptr;
    {
        recorded_upstream_call upstream_call;  // neither the upstream nor the bookkeeping is a second attempt
        const std::size_t upstream_bytes = resource_ledger::upstream_size(bytes);
        block = upstream.guarded_allocate(upstream_bytes, alignment);
        // The common case: the ledger, which records the block anyway, keeps it for the run too.
        if (block_table* own = owned_blocks; attempt.ordinary && own != nullptr &&
                                             checks.keep(block, bytes, alignment, attempt.index, *own)) [[likely]]
            return block;
        try {
            checks.record_any(block, bytes, alignment, attempt.index);
        } catch (...) {  // no memory to record it: the request fails as the upstream's would
            upstream.guarded_deallocate(block, upstream_bytes, alignment);
            throw;
        }
    }
    if (attempt.ordinary)
        return record_block(block, attempt.index, slot_kept);
    observe_allocated(block);
    return block;
}

// A release while some run tracks live blocks: reported first, then given back. Out of line, as
// every path but the one outside a check and without checks.
template <class Upstream>
ALLOC_CHAOS_NOINLINE void observed_deallocate(Upstream upstream, void* p, std::size_t bytes, std::size_t alignment) {
    forget_block(p);  // observe_deallocated(), whose check the caller made
    forgotten_handover handover(p);
    upstream.deallocate(p, bytes, alignment);
}

template <class Upstream>
inline void resource_core::deallocate(Upstream upstream, void* p, std::size_t bytes, std::size_t alignment) {
    if (ledger_.load(std::memory_order_relaxed) != nullptr) {
        checked_deallocate(upstream, p, bytes, alignment);
        return;
    }
    if (tracking_tables.load(std::memory_order_relaxed) != 0) [[unlikely]]  // observe_deallocated()
        return observed_deallocate(upstream, p, bytes, alignment);
    upstream.deallocate(p, bytes, alignment);
}

// Out of line, as every path but the one outside a check and without checks.
template <class Upstream>
ALLOC_CHAOS_NOINLINE void resource_core::checked_deallocate(Upstream upstream, void* p, std::size_t bytes,
                                                            std::size_t alignment) {
    const resource_ledger::quick_release released = ledger().release_here(p, bytes, alignment);
    if (released == resource_ledger::quick_release::released_kept) [[likely]] {  // a correct call, no table to tell
        forgotten_handover handover(p);
        upstream.guarded_deallocate(p, resource_ledger::upstream_size(bytes), alignment);
        return;
    }
    if (released == resource_ledger::quick_release::released) {  // a correct call: no finding, nothing allocated
        if (tracking_tables.load(std::memory_order_relaxed) != 0) {  // observe_deallocated(p), inline
            forget_block(p);
            forgotten_handover handover(p);
            upstream.guarded_deallocate(p, resource_ledger::upstream_size(bytes), alignment);
            return;
        }
        upstream.guarded_deallocate(p, resource_ledger::upstream_size(bytes), alignment);
        return;
    }
    resource_ledger::release release;
    {
        unobserved bookkeeping;
        release = ledger().check(p, bytes, alignment, gave_unchecked_.load(std::memory_order_relaxed));
    }
    if (!release.to_upstream)  // a double free or a foreign pointer: releasing it would corrupt the upstream
        return;
    if (tracking_tables.load(std::memory_order_relaxed) != 0)  // observe_deallocated(p), inline
        forget_block(p);
    forgotten_handover handover(p);
    if (!release.guarded) {  // maybe a block given out before the checks: as the upstream gave it
        upstream.deallocate(p, bytes, alignment);
        return;
    }
    upstream.guarded_deallocate(p, release.bytes, release.alignment);  // the size and alignment it was allocated with
}

}  // namespace alloc_chaos::detail

#endif
