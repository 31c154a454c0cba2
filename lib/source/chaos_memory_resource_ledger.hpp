#ifndef ALLOC_CHAOS_LIB_CHAOS_MEMORY_RESOURCE_LEDGER_HPP
#define ALLOC_CHAOS_LIB_CHAOS_MEMORY_RESOURCE_LEDGER_HPP

// The deallocation checks of a chaos_memory_resource: every block it gave out since they started,
// with guard bytes after it, and the addresses it released until the upstream gives them out
// again. Any thread may call it; every call is made inside `unobserved`, so that no bookkeeping
// is an attempt.

#include "../engine/block_table.hpp"  // owner_biased_lock

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/finding.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace alloc_chaos::detail {

class resource_ledger {
public:
    // The fewest bytes after each block that must keep their pattern until it is released. The
    // guard is 8 to 23 bytes: it ends the upstream request 8 bytes past a multiple of 16, where a
    // malloc chunk (glibc: 16-byte steps, 8 bytes of header) ends, so that a block of a multiple
    // of 16 bytes stays in its malloc size class (64 B -> 72 B, both in a 80-byte chunk).
    static constexpr std::size_t min_guard_size = 8;
    static constexpr std::size_t max_guard_size = min_guard_size + 15;

    // The guard bytes after a block of `bytes`.
    static constexpr std::size_t guard_size(std::size_t bytes) noexcept {
        return min_guard_size + (16 - bytes % 16) % 16;  // + the bytes up to a multiple of 16
    }
    // What to ask of the upstream for a block of `bytes`; throws std::bad_alloc when that overflows.
    static std::size_t upstream_size(std::size_t bytes) {
        if (bytes > std::numeric_limits<std::size_t>::max() - max_guard_size) [[unlikely]]
            throw std::bad_alloc();
        return bytes + guard_size(bytes);
    }

    // Owned by this thread: its own calls take no lock while no other thread calls.
    resource_ledger() noexcept;
    ~resource_ledger();
    resource_ledger(const resource_ledger&) = delete;
    resource_ledger& operator=(const resource_ledger&) = delete;

    // Fills the guard of `block` (served by the upstream for upstream_size(bytes) and `alignment`)
    // and records it as live, allocated by the observed attempt `attempt` if any. Throws
    // std::bad_alloc when out of memory, recording nothing.
    void record(void* block, std::size_t bytes, std::size_t alignment, std::optional<std::size_t> attempt);

    // What deallocate() gives back to the upstream.
    struct release {
        bool to_upstream = false;   // false for a double free or a foreign pointer
        bool guarded = true;        // false for a block never recorded: release it as deallocate() was given it
        std::size_t bytes = 0;      // the upstream size of the block, guard included
        std::size_t alignment = 0;  // the alignment it was allocated with
    };
    // Checks deallocate(p, bytes, alignment) against the allocation of `p`, reports each misuse,
    // and from now on knows `p` as released. With `unrecorded_blocks` (the resource may have given
    // out blocks before its ledger existed), a `p` never recorded may be one of those, which no
    // check can tell from a foreign pointer: it is released unguarded, and nothing is reported.
    release check(void* p, std::size_t bytes, std::size_t alignment, bool unrecorded_blocks) noexcept;

    // What was reported outside a check's runs, oldest first.
    std::vector<finding> misuse() const;

private:
    // One address the resource gave out: open addressing, linear probing, at most 3/4 full, in
    // memory from the C allocator. An entry is never removed: once released it stays, not live,
    // until the upstream gives its address out again (as the unordered_map it replaces did).
    struct entry {
        std::uintptr_t key;  // the block's address; 0 for an empty slot
        std::size_t bytes;
        std::size_t alignment;
        std::uint64_t state;  // live_bit, and the attempt index or no_attempt
    };
    static constexpr std::uint64_t live_bit = std::uint64_t{1} << 63;
    static constexpr std::uint64_t no_attempt = live_bit - 1;

    // Runs f() with the table to itself: on the thread that made the ledger with no lock (and,
    // with membarrier, no fence) while no other thread has used it lately; else under a mutex.
    template <class F>
    auto exclusive(F&& f);

    // check() when the call is a misuse: reports each, and says what is safe to release.
    release misused(void* p, std::size_t bytes, std::size_t alignment, const std::optional<entry>& found,
                    bool unrecorded_blocks) noexcept;

    entry* slot_of(std::uintptr_t key) const noexcept;  // its entry, or the empty slot it would take
    bool grow() noexcept;

    // A finding of the run in progress on this thread, or else a line on stderr kept in misuse_.
    void report(finding_kind kind, const std::optional<allocation>& concerned, const std::string& message) noexcept;

    const void* const owner_;  // the thread that made the ledger, by the address of a thread_local
    owner_biased_lock lock_;   // guards the table
    entry* entries_ = nullptr;
    std::size_t capacity_ = 0;  // a power of two
    std::size_t size_ = 0;
    unsigned shift_ = 64;       // 64 - log2(capacity_)

    mutable std::mutex misuse_mutex_;
    std::vector<finding> misuse_;
};

}  // namespace alloc_chaos::detail

#endif
