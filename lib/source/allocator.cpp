// alloc_chaos::allocator<T>'s source: every allocator<T> allocates here, each request one attempt
// (operation::allocator_allocate), served by the C allocator, which neither the global bridge nor
// any other source observes: an attempt is counted once, with or without the bridge linked. Every
// block is kept, with its guard, by one process-wide resource_ledger, which checks each release.

#include <alloc_chaos/allocator.hpp>

#include "chaos_memory_resource_ledger.hpp"
#include "../engine/attempt_path.hpp"
#include "../platform/c_allocation.hpp"

#include <alloc_chaos/injected_bad_alloc.hpp>
#include <alloc_chaos/source.hpp>

#include <cstdlib>
#include <new>
#include <optional>

namespace alloc_chaos {

namespace detail {

namespace {

// The ledger of every allocator<T>, made at the first use of any (by the thread that makes it,
// which then takes no lock on its calls: the checking thread, in the common case) and never
// destroyed, so that a block released while the program exits is still checked. Made in static
// storage: making it allocates nothing.
alignas(resource_ledger) unsigned char ledger_storage[sizeof(resource_ledger)];

resource_ledger& ledger() noexcept {
    static resource_ledger* const made = [] {
        unobserved bookkeeping;  // membarrier's registration is no attempt of a body
        return new (ledger_storage)
            resource_ledger(ledger_source{operation::allocator_allocate, release_function::allocator_deallocate});
    }();
    return *made;
}

// Gives back a block the ledger released: forgotten first by the run that tracks it, if any.
void give_back(void* p) noexcept {
    if (tracking_tables.load(std::memory_order_relaxed) != 0)  // observe_deallocated(p), inline
        forget_block(p);
    c_free(p);
}

}  // namespace

void* allocator_allocate(std::size_t bytes, std::size_t alignment) {
    resource_ledger& checks = ledger();
    const counted_attempt attempt = count_recorded_attempt(operation::allocator_allocate, bytes, alignment);
    void* block = nullptr;
    {
        unobserved upstream_call;  // neither the new_handler nor the bookkeeping is a second attempt
        block = c_allocate_or_throw(resource_ledger::upstream_size(bytes), alignment);
        try {
            checks.record_any(block, bytes, alignment, attempt.index);
        } catch (...) {  // no memory to record it: the request fails as the C allocator's would
            c_free(block);
            throw;
        }
    }
    if (attempt.ordinary)
        return record_block(block, attempt.index);
    observe_allocated(block);
    return block;
}

void allocator_deallocate(void* p, std::size_t bytes, std::size_t alignment) noexcept {
    resource_ledger& checks = ledger();
    if (checks.release_here(p, bytes, alignment) != resource_ledger::quick_release::declined) [[likely]] {
        // A correct call: no finding, nothing allocated. (This ledger keeps no block: keep() is never called.)
        give_back(p);
        return;
    }
    resource_ledger::release release;
    {
        unobserved bookkeeping;
        release = checks.check(p, bytes, alignment, false);  // every block was recorded: the ledger is first
    }
    if (release.to_upstream)  // else a double free or a foreign pointer: releasing it would corrupt the heap
        give_back(p);
}

}  // namespace detail

std::vector<finding> allocator_misuse() {
    unobserved bookkeeping;  // asking inside a body is no attempt of it
    return detail::ledger().misuse();
}

}  // namespace alloc_chaos
