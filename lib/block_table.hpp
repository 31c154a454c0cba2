#ifndef ALLOC_CHAOS_LIB_BLOCK_TABLE_HPP
#define ALLOC_CHAOS_LIB_BLOCK_TABLE_HPP

// The live blocks of a run: which observed attempt allocated each block still live. Owned by the
// checking thread, which reaches it without a lock and without a fence while no other thread
// frees; another thread that frees takes the table's mutex, and from then on the owner takes it
// too, until no other thread has freed for a while (owner_biased_lock).

#include <alloc_chaos/source.hpp>  // tracking_tables

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>

namespace alloc_chaos::detail {

// The slot of a block address in a table of 2^(64 - shift) slots, robust to every pattern of
// addresses: a multiplication, a fold of the high half into the low one, and a second
// multiplication. (A single multiplication piles some arithmetic progressions into long runs.)
inline std::size_t address_slot(std::uint64_t key, unsigned shift) noexcept {
    key *= 0xff51'afd7'ed55'8ccdULL;
    key ^= key >> 32;
    key *= 0x9e37'79b9'7f4a'7c15ULL;
    return static_cast<std::size_t>(key >> shift);
}

// The slot of a block address by Fibonacci hashing of its 16-byte granule: blocks allocated one
// after another, one size class apart, land spread evenly and in an order the prefetcher
// follows, which makes a table larger than the L1 cache several times cheaper to reach than with
// address_slot; a few strides pile up instead, which block_map detects and leaves.
inline std::size_t progression_slot(std::uint64_t key, unsigned shift) noexcept {
    return static_cast<std::size_t>(((key >> 4) * 0x9e37'79b9'7f4a'7c15ULL) >> shift);
}

// An open-addressing map from block address to attempt index, in memory from the C allocator
// (it grows inside operator new, where operator new must not be called again). Linear probing
// with backward-shift deletion: no tombstones, so a map whose blocks were all erased is all
// empty slots, and clear() is then free. 12-byte slots, at most 3/4 full. Slots by
// progression_slot, until an insertion probes more than max_probes slots: then by address_slot
// for the rest of the map's life.
class block_map {
public:
    // The largest attempt index recorded; a block of a later attempt is not tracked.
    static constexpr std::size_t max_index = 0xffff'fffe;
    // The probes of one insertion past which the addresses pile up under progression_slot.
    static constexpr std::size_t max_probes = 24;

    block_map() = default;
    ~block_map();
    block_map(const block_map&) = delete;
    block_map& operator=(const block_map&) = delete;

    // Records `block` as allocated by attempt `index`; false when out of memory or past
    // max_index (then untracked).
    bool insert(const void* block, std::size_t index) noexcept;
    // Forgets `block`; false when it was not recorded.
    bool erase(const void* block) noexcept;
    // Calls f(index) for each block still recorded; nothing to scan when none is.
    template <class F>
    void for_each(F&& f) const {
        std::size_t left = size_;
        for (std::size_t i = 0; left != 0; ++i)
            if (slots_[i].key() != empty) {
                f(static_cast<std::size_t>(slots_[i].index));
                --left;
            }
    }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return capacity_; }
    // Whether the slots are by address_slot (after a pile-up), rather than progression_slot.
    bool scrambled() const noexcept { return scrambled_; }
    // Forgets every block: O(1) when none is recorded (every slot is empty then).
    void clear() noexcept;

private:
    struct slot {
        std::uint32_t key_words[2];  // a block address; 0 (no block is nullptr) when empty
        std::uint32_t index;

        std::uint64_t key() const noexcept {
            std::uint64_t k;
            std::memcpy(&k, key_words, sizeof k);
            return k;
        }
        void set(std::uint64_t k, std::uint32_t i) noexcept {
            std::memcpy(key_words, &k, sizeof k);
            index = i;
        }
    };
    static_assert(sizeof(slot) == 12);
    static constexpr std::uint64_t empty = 0;

    std::size_t home(std::uint64_t key) const noexcept {
        return scrambled_ ? address_slot(key, shift_) : progression_slot(key, shift_);
    }
    bool rebuild(std::size_t capacity) noexcept;  // into a new array of `capacity` slots

    slot* slots_ = nullptr;
    std::size_t capacity_ = 0;  // a power of two
    std::size_t size_ = 0;      // recorded blocks
    unsigned shift_ = 64;       // 64 - log2(capacity_)
    bool scrambled_ = false;    // slots by address_slot
};

// How the owner of an owner_biased_lock and the other threads exclude each other.
enum class fence_protocol {
    // The owner stores and loads with no fence; another thread makes both sides' fences with
    // membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED).
    asymmetric,
    // membarrier is missing or refused (ENOSYS, EINVAL, EPERM: an old kernel, a container's
    // seccomp profile): both sides fence (seq_cst), the owner once per access.
    symmetric,
};

// This process's protocol: asymmetric when membarrier registers and works, decided once, at the
// first call, for the life of the process.
fence_protocol process_fence_protocol() noexcept;

// Mutual exclusion biased to one thread, the owner: while no other thread has come lately, the
// owner's access takes no lock and (asymmetric) makes no fence; another thread's takes a mutex.
//
// Why it is correct. The owner's access and a remote (another thread's) access are a Dekker
// handshake over two flags: the owner stores busy_ = true, then loads revoked_; a remote, under
// mutex_, stores revoked_ = true, then loads busy_ until it is false. Each side's store must be
// ordered before its load, or both could read the other's flag as false and go in at once (the
// store-buffering outcome).
//   - symmetric: both stores are seq_cst (the owner's is an xchg on x86): by the single total
//     order of seq_cst operations, at least one side sees the other's store.
//   - asymmetric: the owner's side orders its store and load for the compiler only
//     (atomic_signal_fence); the remote's membarrier, between its store and its load, runs a full
//     barrier on every CPU that runs a thread of this process (or finds the thread switched out,
//     which is a full barrier too). On the owner's thread that barrier falls somewhere: an access
//     whose store came before it has that store visible to the remote's load after membarrier
//     returns, so the remote waits for busy_ == false; an access whose store came after it comes
//     after the barrier, so its load sees revoked_ == true and it takes the mutex. This is the
//     pattern of membarrier(2), liburcu and folly's asymmetric barriers.
// The remote reads busy_ == false with acquire after the owner's release store, so what the
// owner did happens before what the remote does (and ThreadSanitizer, which does not know
// membarrier, sees that edge and the mutex's).
// revoked_ stays set after the remote is done: the owner keeps taking the mutex, and later
// remotes, which find revoked_ set under the mutex, need no handshake (no membarrier each). After
// rebias_after accesses of the owner with no remote one in between, the owner clears revoked_,
// under the mutex, and the next remote revokes again. The owner must not re-enter its own access.
class owner_biased_lock {
public:
    // The owner's accesses in a row, with no remote one, after which the owner goes lock-free again.
    static constexpr unsigned rebias_after = 256;

    // With `requested`, or symmetric when the process cannot use membarrier.
    explicit owner_biased_lock(fence_protocol requested) noexcept;
    owner_biased_lock(const owner_biased_lock&) = delete;
    owner_biased_lock& operator=(const owner_biased_lock&) = delete;

    fence_protocol protocol() const noexcept {
        return asymmetric_ ? fence_protocol::asymmetric : fence_protocol::symmetric;
    }
    // Whether the owner's next access takes the mutex: another thread has come, and the owner has
    // not made rebias_after accesses since.
    bool owner_locks() const noexcept { return revoked_.load(std::memory_order_relaxed); }

    // Runs f() as the owner: with no lock while no other thread has come lately.
    template <class F>
    auto owner(F&& f) {
        if (asymmetric_) {
            busy_.store(true, std::memory_order_relaxed);
            std::atomic_signal_fence(std::memory_order_seq_cst);  // the remote's membarrier is the fence
        } else {
            busy_.store(true, std::memory_order_seq_cst);
        }
        if (!revoked_.load(std::memory_order_seq_cst)) [[likely]] {
            auto result = f();
            busy_.store(false, std::memory_order_release);
            return result;
        }
        busy_.store(false, std::memory_order_release);
        std::lock_guard<std::mutex> lock(mutex_);
        auto result = f();
        if (++quiet_accesses_ == rebias_after) {  // no remote access lately: lock-free again
            quiet_accesses_ = 0;
            revoked_.store(false, std::memory_order_relaxed);
        }
        return result;
    }

    // Runs f() on another thread than the owner: waits until the owner is out.
    template <class F>
    auto remote(F&& f) {
        std::lock_guard<std::mutex> lock(mutex_);
        quiet_accesses_ = 0;
        if (!revoked_.load(std::memory_order_relaxed)) {
            revoked_.store(true, std::memory_order_seq_cst);
            if (asymmetric_)
                heavy_fence();
            wait_until_owner_out();
        }
        return f();
    }

private:
    static void heavy_fence() noexcept;
    void wait_until_owner_out() const noexcept;

    const bool asymmetric_;
    std::atomic<bool> busy_{false};     // the owner is in without the mutex
    std::atomic<bool> revoked_{false};  // the owner must take the mutex (written under it)
    unsigned quiet_accesses_ = 0;       // the owner's, under the mutex, since the last remote one
    std::mutex mutex_;
};

// A block_map shared by its owner, the checking thread, with threads that free its blocks: when
// no other thread frees, the owner's path takes no lock (and, with membarrier, makes no fence).
class block_table {
public:
    static constexpr unsigned rebias_after = owner_biased_lock::rebias_after;

    // With this process's protocol.
    block_table() noexcept : block_table(process_fence_protocol()) {}
    // With `requested`, or symmetric when the process cannot use membarrier.
    explicit block_table(fence_protocol requested) noexcept : lock_(requested) {}
    block_table(const block_table&) = delete;
    block_table& operator=(const block_table&) = delete;

    fence_protocol protocol() const noexcept { return lock_.protocol(); }
    // Whether the owner's next access takes the mutex (owner_biased_lock::owner_locks).
    bool owner_locks() const noexcept { return lock_.owner_locks(); }

    // The owner's access: no lock while no other thread has freed lately.
    template <class F>
    auto owner(F&& f) {
        return lock_.owner([&] { return f(map_); });
    }
    // Another thread's access: waits until the owner is out of the table.
    template <class F>
    auto remote(F&& f) {
        return lock_.remote([&] { return f(map_); });
    }

private:
    block_map map_;
    owner_biased_lock lock_;
};

// While alive, `table` is this thread's run table, and other threads' frees look into it.
class tracked_blocks {
public:
    explicit tracked_blocks(block_table& table) noexcept;
    ~tracked_blocks();
    tracked_blocks(const tracked_blocks&) = delete;
    tracked_blocks& operator=(const tracked_blocks&) = delete;
};

// This thread's run table while a tracked_blocks lives, else nullptr.
extern constinit thread_local block_table* owned_blocks;

// A free of `block` by this thread: forgets it in the table that records it, if any.
void forget_block(const void* block) noexcept;

// Unregisters this thread's table when its run was left without unwinding (a longjmp).
void abandon_tracking() noexcept;

}  // namespace alloc_chaos::detail

#endif
