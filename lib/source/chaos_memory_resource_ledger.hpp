#ifndef ALLOC_CHAOS_LIB_CHAOS_MEMORY_RESOURCE_LEDGER_HPP
#define ALLOC_CHAOS_LIB_CHAOS_MEMORY_RESOURCE_LEDGER_HPP

// The deallocation checks of a chaos_memory_resource, and of alloc_chaos::allocator<T>: every
// block the source gave out since they started, with guard bytes after it, and the addresses it
// released until its upstream gives them out again. Any thread may call it; every call that may
// allocate (record(), check()) is made inside `unobserved`, so that no bookkeeping is an attempt.
// In a run on its owner's thread, it also keeps whether the run's blocks are live (keep(), a
// block_keeper), which it knows anyway: the run's table then only logs their attempts, and a
// correct release touches the ledger alone. (Recorded in both, a block cost about 45 more
// instructions for its allocation and release: on bench_peer's strings job, the check with its
// deallocation checks made 1.27 times the instructions of the check without them; kept, 1.19.)

#include "../engine/address_table.hpp"
#include "../engine/attempt_path.hpp"  // owner_biased_lock, block_keeper, counted_attempt

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/finding.hpp>

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace alloc_chaos::detail {

// The source whose blocks a ledger keeps, as its findings name it: the operation that allocated a
// block, and the function that released it (empty: release_function::resource_deallocate, which
// a finding's facts leave empty).
struct ledger_source {
    operation allocated_by = operation::resource_allocate;
    std::optional<release_function> released_by{};
};

class resource_ledger final : public block_keeper {
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
    // The guard's pattern, a 4-byte period from the block's end: neither zeros, nor ones, nor text,
    // so that a stray write changes it. Long enough to copy 16 bytes from any phase.
    static constexpr unsigned char guard_pattern[24] = {0xac, 0x5e, 0xd1, 0x93, 0xac, 0x5e, 0xd1, 0x93,
                                                        0xac, 0x5e, 0xd1, 0x93, 0xac, 0x5e, 0xd1, 0x93,
                                                        0xac, 0x5e, 0xd1, 0x93, 0xac, 0x5e, 0xd1, 0x93};
    // Writes the pattern over the guard of the block `p` of `bytes`.
    static void fill_guard(void* p, std::size_t bytes) noexcept;
    // Whether the guard of the block `p` of `bytes` still holds the pattern.
    static bool guard_intact(const void* p, std::size_t bytes) noexcept;
    // What to ask of the upstream for a block of `bytes`; throws std::bad_alloc when that overflows.
    static std::size_t upstream_size(std::size_t bytes) {
        if (bytes > std::numeric_limits<std::size_t>::max() - max_guard_size) [[unlikely]]
            throw std::bad_alloc();
        return bytes + guard_size(bytes);
    }

    // Owned by this thread: its own calls take no lock while no other thread calls. The blocks of
    // `source`, by default a chaos_memory_resource's. Made with one reference, its maker's.
    explicit resource_ledger(ledger_source source = {}) noexcept;
    ~resource_ledger();
    // Gives back a reference: the maker's, or a run table's (block_keeper); the last one deletes
    // the ledger, which a run that kept its blocks may outlast its resource to hand them over.
    void drop_reference() noexcept override;
    resource_ledger(const resource_ledger&) = delete;
    resource_ledger& operator=(const resource_ledger&) = delete;

    // Fills the guard of `block` (served by the upstream for upstream_size(bytes) and `alignment`)
    // and records it as live, allocated by the observed attempt `attempt` if any. Throws
    // std::bad_alloc when out of memory, recording nothing.
    void record(void* block, std::size_t bytes, std::size_t alignment, std::optional<std::size_t> attempt);
    // record(), its common case first (record_here()): the block of attempt `by`, or of none when
    // `by` is counted_attempt::none (unobserved).
    void record_any(void* block, std::size_t bytes, std::size_t alignment, std::size_t by) {
        const bool observed = by != counted_attempt::none;
        if (observed && by >= no_attempt_code)  // an index the codes cannot hold: the table keeps it
            return record(block, bytes, alignment, by);
        if (!record_here(block, bytes, alignment, observed ? static_cast<std::uint32_t>(by) : no_attempt_code))
            record(block, bytes, alignment, observed ? std::optional<std::size_t>(by) : std::nullopt);
    }
    // record() in the common case, inline: on the owner's thread, for a block of the codes in a
    // region reached lately; `attempt` is the attempt's index, or no_attempt_code when unobserved.
    // With `keeping` (keep()), the block is kept for the run of that table, which logs its attempt.
    // Returns false, doing nothing, when record() must be called instead.
    bool record_here(void* block, std::size_t bytes, std::size_t alignment, std::uint32_t attempt,
                     block_table* keeping = nullptr) noexcept;

    // What release_here() did.
    enum class quick_release {
        declined,       // nothing: check() must decide
        released,       // a block the run's table may record: it must forget it too
        released_kept,  // a block this ledger kept (keep()): no table recorded it
    };

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
    // check() in the common case, inline: a correct call on the owner's thread for a block of the
    // codes in a region reached lately, which it knows as released from now on; the block is then
    // released as check() would (to_upstream, guarded, upstream_size(bytes), alignment). Declines,
    // doing nothing, when check() must be called instead.
    quick_release release_here(void* p, std::size_t bytes, std::size_t alignment) noexcept;

    // record() for the block of the ordinary attempt `index` of the run that `own`, this thread's
    // table, tracks, in the common case: kept here (the code says so), the table logging its
    // attempt alone (block_keeper). False, and nothing recorded, when the block must go through
    // record_any() and the table's owner_record() instead.
    bool keep(void* block, std::size_t bytes, std::size_t alignment, std::size_t index, block_table& own) noexcept {
        if (kept_for_.load(std::memory_order_relaxed) != &own) [[unlikely]] {
            if (refused_by_.load(std::memory_order_relaxed) == own.serial() || !start_keeping(own))
                return false;
        }
        return index < no_attempt_code && record_here(block, bytes, alignment, static_cast<std::uint32_t>(index), &own);
    }
    // block_keeper: the kept blocks still live go to `blocks`, each as allocated by its attempt.
    void hand_over(live_blocks& blocks) noexcept override;
    void abandon_run() noexcept override;

    // record_here()'s `attempt` for a block allocated unobserved; a block of an attempt with this
    // index or a larger one goes through record().
    static constexpr std::uint32_t no_attempt_code = 0xffff'ffff;

    // What was reported outside a check's runs, oldest first.
    std::vector<finding> misuse() const;

private:
    // What the ledger knows of one address the resource gave out. Never forgotten: once released
    // it stays, not live, until the upstream gives the address out again, so that a second
    // release is found as a double free.
    struct entry {
        std::uintptr_t key;  // the block's address
        std::size_t bytes;
        std::size_t alignment;
        std::uint64_t state;  // live_bit, and the attempt index or no_attempt
    };
    static constexpr std::uint64_t live_bit = std::uint64_t{1} << 63;
    static constexpr std::uint64_t no_attempt = live_bit - 1;
    struct recorded {  // an entry in the table, by its key
        std::size_t bytes;
        std::size_t alignment;
        std::uint64_t state;
    };

    // Where the entries are. A block of the common case has its entry in the codes: for each
    // 16-byte granule of the 4 MiB regions of addresses that such blocks are in, 2 bytes (whether
    // the block that starts there is live, its alignment and its size) and 4 (the index of the
    // attempt that allocated it, read only for a misuse). A correct deallocate() reads 2 bytes,
    // 32 granules to a cache line, where a hash table of every address given out costs a cache
    // miss on each call once it outgrows the cache: the addresses, given out again run after run,
    // soon follow no order. (With the table alone, the checks took 1.8 - 2.1 times the check
    // without them on bench_peer's P1160 jobs.) A block is in the codes when its address is a
    // multiple of 16, its size 1 to 2,047, its alignment at most 128 and its attempt index (if
    // any) below 2^32 - 1; every other entry is in the table. A granule has one address that is
    // a multiple of 16, so its code is that address's. A code of 0 says that the table has the
    // entry, if there is one. A code: live_code, kept_code, log2 of the alignment (3 bits), size.
    static constexpr unsigned region_bits = 22;
    static constexpr std::size_t granules_per_region = std::size_t{1} << (region_bits - 4);
    static constexpr std::uint16_t live_code = 0x8000;
    static constexpr std::uint16_t kept_code = 0x4000;  // a live block kept for the run of kept_for_
    static constexpr std::size_t max_code_bytes = 0x7ff;
    static constexpr std::size_t max_code_alignment = 128;
    // The code of a live block of `bytes` and `alignment`, or 0 when they do not fit one.
    static std::uint16_t code_of(std::size_t bytes, std::size_t alignment) noexcept;
    // The entry of the block at `key` whose code is `code`, allocated by attempt `index`.
    static entry entry_of(std::uintptr_t key, std::uint16_t code, std::uint32_t index) noexcept;
    // The region of `key` when it is one of those reached lately, else nullptr; its granule there.
    struct reached;
    const reached* reached_for(std::uintptr_t key) const noexcept;
    static std::size_t granule_of(std::uintptr_t key) noexcept { return (key >> 4) & (granules_per_region - 1); }
    // The code of the granule of `key`, in a region made for it when `make`; nullptr when `key` is
    // not a multiple of 16 or its region has no codes (or no memory for them).
    std::uint16_t* code_at(std::uintptr_t key, bool make) noexcept;
    std::uint16_t* find_region(std::uintptr_t key, bool make) noexcept;  // code_at() past the regions reached lately
    // The attempt indices of the region whose codes start at `codes`.
    static std::uint32_t* attempts_of(std::uint16_t* codes) noexcept {
        return reinterpret_cast<std::uint32_t*>(codes + granules_per_region);
    }
    // The attempt index of the code code_at() has just returned (no_attempt_code for none).
    std::uint32_t& attempt_at(const std::uint16_t* code) const noexcept {
        return attempts_of(last_codes_)[code - last_codes_];
    }

    // Runs f() with the ledger to itself: on the thread that made the ledger with no lock (and,
    // with membarrier, no fence) while no other thread has used it lately; else under a mutex.
    template <class F>
    auto exclusive(F&& f);

    // check() when the call is a misuse: reports each, and says what is safe to release.
    release misused(void* p, std::size_t bytes, std::size_t alignment, const std::optional<entry>& found,
                    bool unrecorded_blocks) noexcept;

    bool upsert(const entry& e) noexcept;  // into the table; false when out of memory

    // A finding of the run in progress on this thread, or else a line on stderr kept in misuse_.
    void report(finding_kind kind, const std::optional<allocation>& concerned, const finding_facts& facts) noexcept;

    // Registers the ledger as a keeper of `own`'s run, on the owner's thread; false when it cannot
    // (another thread's table, or one that refused it, which is not asked again).
    bool start_keeping(block_table& own) noexcept;

    const void* const owner_;  // the thread that made the ledger, by the address of a thread_local
    std::atomic<unsigned> references_{1};
    // The table of the run on the owner's thread whose blocks the ledger keeps, or nullptr; and the
    // serial of the last table that refused it. Written on the owner's thread alone; read by every
    // thread that allocates (atomic for them, at no cost to the owner).
    std::atomic<block_table*> kept_for_{nullptr};
    std::atomic<std::uint64_t> refused_by_{0};
    owner_biased_lock lock_;   // guards everything below but the misuse
    std::size_t kept_live_ = 0;  // blocks whose code has kept_code (hand_over() reads the log if any)

    address_table<recorded> table_{64};
    // Each region's granules_per_region codes, then as many attempt indices, in one block from
    // the C allocator, by the region's number + 1 (the addresses >> region_bits).
    address_table<std::uint16_t*> regions_{8};
    // The regions reached lately, by their number modulo reached_regions: the blocks of one heap
    // may lie on both sides of a region's end (with the last region alone, such a heap sent half
    // the calls to check()'s path, 3% of the strings job's profile).
    struct reached {
        std::uintptr_t number = ~std::uintptr_t{0};
        std::uint16_t* codes = nullptr;
    };
    static constexpr std::size_t reached_regions = 4;
    reached reached_[reached_regions];
    std::uint16_t* last_codes_ = nullptr;  // the codes of the region code_at() reached last

    mutable std::mutex misuse_mutex_;
    std::vector<finding> misuse_;
    const ledger_source source_;  // read by the findings alone
};

// The thread that makes a ledger owns it, known by the address of this thread_local.
inline constinit thread_local char ledger_thread_marker = 0;

inline void resource_ledger::fill_guard(void* p, std::size_t bytes) noexcept {
    // Two fixed-size copies that overlap: 8 bytes at the start, and 8 or 16 ending at the end.
    unsigned char* const guard = static_cast<unsigned char*>(p) + bytes;
    const std::size_t size = guard_size(bytes);
    std::memcpy(guard, guard_pattern, 8);
    if (size > 16)
        std::memcpy(guard + size - 16, guard_pattern + (size - 16) % 4, 16);
    else if (size > 8)
        std::memcpy(guard + size - 8, guard_pattern + (size - 8) % 4, 8);
}

inline bool resource_ledger::guard_intact(const void* p, std::size_t bytes) noexcept {
    // Compared as fill_guard() wrote it.
    const unsigned char* const guard = static_cast<const unsigned char*>(p) + bytes;
    const std::size_t size = guard_size(bytes);
    bool intact = std::memcmp(guard, guard_pattern, 8) == 0;
    if (size > 16)
        intact = intact && std::memcmp(guard + size - 16, guard_pattern + (size - 16) % 4, 16) == 0;
    else if (size > 8)
        intact = intact && std::memcmp(guard + size - 8, guard_pattern + (size - 8) % 4, 8) == 0;
    return intact;
}

inline std::uint16_t resource_ledger::code_of(std::size_t bytes, std::size_t alignment) noexcept {
    if (bytes == 0 || bytes > max_code_bytes || alignment == 0 || (alignment & (alignment - 1)) != 0 ||
        alignment > max_code_alignment)
        return 0;
    return static_cast<std::uint16_t>(live_code | std::countr_zero(alignment) << 11 | bytes);
}

inline const resource_ledger::reached* resource_ledger::reached_for(std::uintptr_t key) const noexcept {
    const reached& r = reached_[(key >> region_bits) % reached_regions];
    return r.number == key >> region_bits ? &r : nullptr;
}

inline bool resource_ledger::record_here(void* block, std::size_t bytes, std::size_t alignment, std::uint32_t attempt,
                                         block_table* keeping) noexcept {
    const auto key = reinterpret_cast<std::uintptr_t>(block);
    const std::uint16_t code = code_of(bytes, alignment);
    if (code == 0 || key % 16 != 0 || &ledger_thread_marker != owner_ || !lock_.owner_enter()) [[unlikely]]
        return false;
    bool done = false;
    if (const reached* r = reached_for(key);
        r != nullptr && (keeping == nullptr || keeping->owner_log_kept(block, attempt))) [[likely]] {
        const std::size_t granule = granule_of(key);
        // A store alone: a block there before was at this address.
        r->codes[granule] = keeping != nullptr ? code | kept_code : code;
        attempts_of(r->codes)[granule] = attempt;
        kept_live_ += keeping != nullptr;
        done = true;
    }
    lock_.owner_leave();
    if (done)
        fill_guard(block, bytes);
    return done;
}

inline resource_ledger::quick_release resource_ledger::release_here(void* p, std::size_t bytes,
                                                                   std::size_t alignment) noexcept {
    const auto key = reinterpret_cast<std::uintptr_t>(p);
    const std::uint16_t code = code_of(bytes, alignment);
    if (code == 0 || key % 16 != 0 || &ledger_thread_marker != owner_ || !lock_.owner_enter()) [[unlikely]]
        return quick_release::declined;
    quick_release released = quick_release::declined;
    if (const reached* r = reached_for(key)) [[likely]] {
        std::uint16_t& c = r->codes[granule_of(key)];
        const std::uint16_t held = c;
        if ((held & ~kept_code) == code && guard_intact(p, bytes)) [[likely]] {
            c = code & ~live_code;  // released: a second release is a double free
            const bool kept = (held & kept_code) != 0;
            kept_live_ -= kept;
            released = kept ? quick_release::released_kept : quick_release::released;
        }
    }
    lock_.owner_leave();
    return released;
}

}  // namespace alloc_chaos::detail

#endif
