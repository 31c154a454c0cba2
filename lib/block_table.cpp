#include "block_table.hpp"

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace alloc_chaos::detail {

std::atomic<int> tracking_tables{0};
constinit thread_local block_table* owned_blocks = nullptr;

namespace {

constexpr std::size_t max_tables = 64;

// Every registered table; threads that free a block they do not own search them.
std::mutex registry_mutex;
block_table* registry[max_tables] = {};

#if defined(__linux__) && defined(__NR_membarrier)
// membarrier(2), by its number: glibc has no wrapper for it.
long membarrier(int command) noexcept { return syscall(__NR_membarrier, command, 0, 0); }
#endif

// Whether this process may use MEMBARRIER_CMD_PRIVATE_EXPEDITED: the kernel has it, lets this
// process register for it, and serves a first barrier. Any refusal (ENOSYS before Linux 4.14 or in
// a sandbox, EINVAL without CONFIG_MEMBARRIER, EPERM from a seccomp profile) means no.
bool membarrier_works() noexcept {
#if defined(__linux__) && defined(__NR_membarrier)
    const long supported = membarrier(MEMBARRIER_CMD_QUERY);
    if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0 ||
        (supported & MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0)
        return false;
    return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0 &&
           membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0;
#else
    return false;
#endif
}

}  // namespace

fence_protocol process_fence_protocol() noexcept {
    static const fence_protocol chosen = membarrier_works() ? fence_protocol::asymmetric : fence_protocol::symmetric;
    return chosen;
}

// ---- owner_biased_lock ----

owner_biased_lock::owner_biased_lock(fence_protocol requested) noexcept
    : asymmetric_(requested == fence_protocol::asymmetric && process_fence_protocol() == fence_protocol::asymmetric) {}

void owner_biased_lock::heavy_fence() noexcept {
#if defined(__linux__) && defined(__NR_membarrier)
    // Once registered, the kernel documents no failure; were one to happen anyway, register again
    // (the registration is idempotent) and retry, and stop the process rather than let a free race
    // the owner.
    if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
        return;
    if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0 && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
        return;
#endif
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

void* block_table::record_elsewhere(void* block, std::size_t index) noexcept {
    owner([&](live_blocks& blocks) { return blocks.insert(block, index); });
    return block;
}

bool block_table::erase_locked(const void* block) noexcept {
    return lock_.owner_locked([&] { return map_.erase(block); });
}

void block_table::forget_elsewhere(const void* block) noexcept {
    if (!owner_erase(block))
        forget_foreign_block(block, this);
}

// ---- registry ----

tracked_blocks::tracked_blocks(block_table& table) noexcept {
    owned_blocks = &table;
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (block_table*& entry : registry)
        if (entry == nullptr) {
            entry = &table;
            break;  // with every entry taken, only this thread's own frees are seen
        }
    tracking_tables.fetch_add(1, std::memory_order_seq_cst);
}

tracked_blocks::~tracked_blocks() { abandon_tracking(); }

void abandon_tracking() noexcept {
    if (owned_blocks == nullptr)
        return;
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (block_table*& entry : registry)
        if (entry == owned_blocks)
            entry = nullptr;
    tracking_tables.fetch_sub(1, std::memory_order_seq_cst);
    owned_blocks = nullptr;
}

void forget_other_threads_tables() noexcept {
    new (&registry_mutex) std::mutex();
    int kept = 0;
    for (block_table*& entry : registry) {
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
    for (block_table* table : registry)
        if (table != nullptr && table != own && table->remote([block](live_blocks& blocks) { return blocks.erase(block); }))
            return;
}

}  // namespace alloc_chaos::detail
