#include "block_table.hpp"

#include "../platform/membarrier.hpp"
#include "../platform/raw_memory.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <thread>


namespace alloc_chaos::detail {

std::atomic<int> tracking_tables{0};
constinit thread_local block_table* owned_blocks = nullptr;
constinit thread_local const void* handed_block = nullptr;

namespace {

constexpr std::size_t first_capacity = 64;

// Every registered table, and empty entries (nullptr), under registry_mutex; threads that free a
// block they do not own search them. It grows with the threads checking at once, in memory from
// the C allocator: registering happens as a run starts, where operator new would be an attempt of
// the run or, in a bridge, call itself. Never shrunk nor freed.
std::mutex registry_mutex;
block_table** registry = nullptr;
std::size_t registry_capacity = 0;

std::span<block_table*> registered() noexcept { return {registry, registry_capacity}; }

// An empty entry of the registry, made by growing it when every entry is taken; nullptr when the
// C allocator has no memory for more. Called under registry_mutex.
block_table** free_entry() noexcept {
    for (block_table*& entry : registered())
        if (entry == nullptr)
            return &entry;
    const std::size_t grown = registry_capacity == 0 ? first_capacity : registry_capacity * 2;
    void* const more = raw_realloc(registry, grown * sizeof(block_table*));
    if (more == nullptr)
        return nullptr;
    registry = static_cast<block_table**>(more);
    std::fill(registry + registry_capacity, registry + grown, nullptr);
    block_table** const first_new = registry + registry_capacity;
    registry_capacity = grown;
    return first_new;
}

// What request_fence_protocol() asked for.
std::atomic<fence_protocol> requested_protocol{fence_protocol::asymmetric};

}  // namespace

fence_protocol process_fence_protocol() noexcept {
    static const fence_protocol chosen = process_membarrier_works() ? fence_protocol::asymmetric : fence_protocol::symmetric;
    return requested_protocol.load(std::memory_order_relaxed) == fence_protocol::symmetric ? fence_protocol::symmetric
                                                                                         : chosen;
}

namespace {

std::atomic<bool> keepers_requested{true};
std::atomic<std::uint64_t> tables_made{0};

// The keepers of the run in progress on this thread (a thread runs one check at a time). Kept
// here, not in the run's table: a run left by a longjmp leaves its table in frames that are gone,
// and its keepers must still be let go.
struct run_keepers {
    static constexpr unsigned capacity = 8;
    block_keeper* keepers[capacity] = {};
    unsigned count = 0;
};
constinit thread_local run_keepers this_run_keepers;

}  // namespace

void request_keepers(bool allowed) noexcept { keepers_requested.store(allowed, std::memory_order_relaxed); }

std::uint64_t block_table::next_serial() noexcept { return tables_made.fetch_add(1, std::memory_order_relaxed) + 1; }

bool block_table::owner_add_keeper(block_keeper& keeper) noexcept {
    run_keepers& run = this_run_keepers;
    if (run.count == run_keepers::capacity || !keepers_requested.load(std::memory_order_relaxed))
        return false;
    run.keepers[run.count++] = &keeper;
    return true;
}

void request_fence_protocol(fence_protocol requested) noexcept {
    requested_protocol.store(requested, std::memory_order_relaxed);
}

// ---- owner_biased_lock ----

owner_biased_lock::owner_biased_lock(fence_protocol requested) noexcept
    : asymmetric_(requested == fence_protocol::asymmetric && process_fence_protocol() == fence_protocol::asymmetric) {}

// A barrier that fails after it had worked stops the process rather than let a free race the owner.
void owner_biased_lock::heavy_fence() noexcept {
    if (process_membarrier())
        return;
    std::fputs("alloc-chaos: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) failed after it had worked; "
               "another thread cannot be ordered with the owner of a table\n",
               stderr);
    std::abort();
}

void owner_biased_lock::wait_until_owner_out() const noexcept {
    for (unsigned spins = 0; busy_.load(std::memory_order_seq_cst); ++spins)
        if (spins >= 64)  // the owner may have been switched out inside the map
            std::this_thread::yield();
}

// ---- block_table ----

void* block_table::record_elsewhere(void* block, std::size_t index, release_code code) noexcept {
    owner([&](live_blocks& blocks) { return blocks.insert(block, index, code); });
    return block;
}

bool block_table::erase_locked(const void* block) noexcept {
    return lock_.owner_locked([&] { return map_.erase(block); });
}

void block_table::forget_elsewhere(const void* block) noexcept {
    if (!owner_erase(block))
        forget_foreign_block(block, this);
}

void block_table::settle_keepers() noexcept {
    run_keepers& run = this_run_keepers;
    if (run.count == 0) [[likely]]
        return;
    owner([&](live_blocks& blocks) {
        for (unsigned i = 0; i < run.count; ++i)
            run.keepers[i]->hand_over(blocks);
        return true;
    });
    // Released out of the table's access: a keeper's last reference frees it, and a free may reach
    // the table through the global bridge.
    for (unsigned i = 0; i < run.count; ++i)
        run.keepers[i]->drop_reference();
    run.count = 0;
}

namespace {

// The keepers of a run left without its end, whose table may be gone: let go, nothing handed over.
void abandon_keepers() noexcept {
    run_keepers& run = this_run_keepers;
    for (unsigned i = 0; i < run.count; ++i) {
        run.keepers[i]->abandon_run();
        run.keepers[i]->drop_reference();
    }
    run.count = 0;
}

}  // namespace

// ---- registry ----

tracked_blocks::tracked_blocks(block_table& table) noexcept {
    owned_blocks = &table;
    std::lock_guard<std::mutex> lock(registry_mutex);
    if (block_table** const entry = free_entry())
        *entry = &table;  // without memory for an entry, only this thread's own frees are seen
    tracking_tables.fetch_add(1, std::memory_order_seq_cst);
}

tracked_blocks::~tracked_blocks() { abandon_tracking(); }

void abandon_tracking() noexcept {
    if (owned_blocks == nullptr)
        return;
    abandon_keepers();  // after settle_keepers() at a run's end, none; after a longjmp, the run's
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (block_table*& entry : registered())
        if (entry == owned_blocks)
            entry = nullptr;
    tracking_tables.fetch_sub(1, std::memory_order_seq_cst);
    owned_blocks = nullptr;
}

void forget_other_threads_tables() noexcept {
    new (&registry_mutex) std::mutex();
    int kept = 0;
    for (block_table*& entry : registered()) {
        if (entry != nullptr && entry == owned_blocks)
            ++kept;
        else
            entry = nullptr;
    }
    tracking_tables.store(kept, std::memory_order_seq_cst);
}

void forget_foreign_block(const void* block, block_table* own) noexcept {
    if (tracking_tables.load(std::memory_order_relaxed) <= (own != nullptr ? 1 : 0))
        return;  // no other thread's table to look into
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (block_table* table : registered())
        if (table != nullptr && table != own && table->remote([block](live_blocks& blocks) { return blocks.erase(block); }))
            return;
}

}  // namespace alloc_chaos::detail
