#ifndef ALLOC_CHAOS_LIB_BLOCK_TABLE_HPP
#define ALLOC_CHAOS_LIB_BLOCK_TABLE_HPP

// The live blocks of a run: which observed attempt allocated each block still live. Owned by the
// checking thread, which reaches it without a lock and without a fence while no other thread
// frees; another thread that frees takes the table's mutex, and from then on the owner takes it
// too, until no other thread has freed for a while (owner_biased_lock).

#include "live_blocks.hpp"

#include <alloc_chaos/detail/observation.hpp>  // tracking_tables

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>

namespace alloc_chaos::detail {

// How the owner of an owner_biased_lock and the other threads exclude each other.
// Both stay: symmetric alone costs +1.25 ns per attempt (bench_mechanisms fence/pairs/10000: 0.92).
enum class fence_protocol {
    // The owner stores and loads with no fence; another thread makes both sides' fences with
    // membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED).
    asymmetric,
    // membarrier is missing or refused (ENOSYS, EINVAL, EPERM: an old kernel, a container's
    // seccomp profile): both sides fence (seq_cst), the owner once per access.
    symmetric,
};

// This process's protocol: asymmetric when membarrier registers and works (decided once, at the
// first call, for the life of the process) and no benchmark requested symmetric.
fence_protocol process_fence_protocol() noexcept;
// For bench/mechanisms.cpp, which times the two protocols side by side: the protocol of the tables
// and ledgers made from now on (asymmetric only where membarrier works).
void request_fence_protocol(fence_protocol requested) noexcept;
// For bench/mechanisms.cpp, which times keepers (block_keeper) against none: whether the tables
// take keepers from now on (by default they do); a source a table refuses records its blocks there.
void request_keepers(bool allowed) noexcept;

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
        if (owner_enter()) [[likely]] {
            auto result = f();
            owner_leave();
            return result;
        }
        return owner_locked(f);
    }

    // owner(), in parts, for a caller that keeps its locked path out of line: when owner_enter()
    // returns true, the owner is in without the mutex until owner_leave(); when it returns false,
    // the owner must go through owner_locked().
    bool owner_enter() noexcept {
        if (asymmetric_) [[likely]] {
            busy_.store(true, std::memory_order_relaxed);
            std::atomic_signal_fence(std::memory_order_seq_cst);  // the remote's membarrier is the fence
        } else {
            busy_.store(true, std::memory_order_seq_cst);
        }
        if (!revoked_.load(std::memory_order_seq_cst)) [[likely]]
            return true;
        busy_.store(false, std::memory_order_release);
        return false;
    }
    void owner_leave() noexcept { busy_.store(false, std::memory_order_release); }
    template <class F>
    auto owner_locked(F&& f) {
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

// A source that keeps whether its own blocks of a run are live, in bookkeeping it needs anyway
// (chaos_memory_resource's ledger, which knows each block it gave out): the run's table only logs
// their attempts (owner_log_kept), and the keeper hands over those still live when the run ends,
// which then count as the run's like any other (leaks). Registered with the run of one thread at a
// time, by that thread, which holds a reference to it from owner_add_keeper() until the run ends
// (hand_over(), then drop_reference()) or is abandoned (abandon_run(), then drop_reference()): a
// keeper may outlast its source.
class block_keeper {
public:
    // Records in `blocks` (live_blocks::insert) each block it kept for this run that is still live,
    // and keeps none from now on.
    virtual void hand_over(live_blocks& blocks) noexcept = 0;
    // The run was left without its end (a longjmp), its table gone with it: keeps none from now on.
    virtual void abandon_run() noexcept = 0;
    // Gives back the reference the run held.
    virtual void drop_reference() noexcept = 0;

protected:
    ~block_keeper() = default;
};

// The live blocks of a run, shared by their owner, the checking thread, with threads that free its blocks: when
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

    // The owner's record of `block`, served for attempt `index`; returns `block`. Inline when the
    // block is in one of the two leaves reached last and its attempt is the log's next place;
    // every other case out of line (record_elsewhere), so that the common case stays small.
    void* owner_record(void* block, std::size_t index, release_code code = unchecked_block) noexcept {
        if (lock_.owner_enter()) [[likely]] {
            const bool inserted = map_.insert_in_cached_leaf(block, index, code);
            lock_.owner_leave();
            if (inserted) [[likely]]
                return block;
        }
        return record_elsewhere(block, index, code);
    }
    // The owner's live_blocks::erase: inline while no other thread frees, out of line under the
    // mutex otherwise.
    bool owner_erase(const void* block) noexcept {
        if (!lock_.owner_enter()) [[unlikely]]
            return erase_locked(block);
        const bool erased = map_.erase(block);
        lock_.owner_leave();
        return erased;
    }
    // The owner's free of `block`: forgets it here, or in the table of another thread that records
    // it. Inline when the block is in one of the two leaves reached last; every other case out of
    // line (forget_elsewhere).
    void owner_forget(const void* block) noexcept {
        if (lock_.owner_enter()) [[likely]] {
            const bool erased = map_.erase_in_cached_leaf(block);
            lock_.owner_leave();
            if (erased) [[likely]]
                return;
        }
        forget_elsewhere(block);
    }

    // The owner's live_blocks::release_checked, for the bridge's release of `block`.
    live_blocks::release_state owner_release_checked(const void* block) noexcept {
        return lock_.owner([&] { return map_.release_checked(block); });
    }
    // The owner's live_blocks::release_checked_in_cached_leaf, inline while no other thread frees.
    bool owner_release_checked_here(const void* block, release_code& code) noexcept {
        if (!lock_.owner_enter()) [[unlikely]]
            return false;
        const bool released = map_.release_checked_in_cached_leaf(block, code);
        lock_.owner_leave();
        return released;
    }
    // The owner's live_blocks::latest_attempt_at.
    std::size_t owner_latest_attempt_at(const void* block) noexcept {
        return lock_.owner([&] { return map_.latest_attempt_at(block); });
    }
    // The owner's live_blocks::given_out_unobserved.
    void owner_given_out_unobserved(const void* block) noexcept {
        lock_.owner([&] { return map_.given_out_unobserved(block), true; });
    }

    // The owner's, during its run: `keeper` keeps its blocks of this run from now on, and takes a
    // reference for the run. False when the run has room for no more keepers: then the keeper
    // records its blocks here (owner_record).
    bool owner_add_keeper(block_keeper& keeper) noexcept;
    // The owner's live_blocks::log_kept, for a keeper's block. No lock: the log is the owner's
    // alone (another thread's free only clears a bit).
    bool owner_log_kept(const void* block, std::size_t index) noexcept { return map_.log_kept(block, index); }
    // The owner's, when its run ends, before its leaks are read: each keeper of the run hands over
    // the blocks it kept that are still live, and is released. (A run left by a longjmp lets its
    // keepers go in abandon_tracking(), without its table.)
    void settle_keepers() noexcept;
    // This table's number, unique in the process (a keeper it refused need not ask again).
    std::uint64_t serial() const noexcept { return serial_; }

private:
    // owner_record() past its inline case: live_blocks::insert, under the mutex when another
    // thread has freed lately.
    void* record_elsewhere(void* block, std::size_t index, release_code code) noexcept;
    bool erase_locked(const void* block) noexcept;
    // owner_forget() past its inline case: owner_erase(), then another thread's table.
    void forget_elsewhere(const void* block) noexcept;

    live_blocks map_;
    owner_biased_lock lock_;
    const std::uint64_t serial_ = next_serial();

    static std::uint64_t next_serial() noexcept;
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

// Records `block`, served for attempt `index`, as live in this thread's run, when it tracks
// blocks; a C allocator source gives the `code` its release is checked against. Returns `block`,
// so that a source's path may end in this call.
inline void* record_block(void* block, std::size_t index, release_code code = unchecked_block) noexcept {
    if (block_table* own = owned_blocks)
        return own->owner_record(block, index, code);
    return block;
}

// A free of `block` by this thread that this thread's own table does not hold (`own`, or
// nullptr): forgets it in another thread's table that records it, if any.
void forget_foreign_block(const void* block, block_table* own) noexcept;

// A free of `block` by this thread: forgets it in the table that records it, if any. Inline for
// the common case, a block of this thread's own run.
inline void forget_block(const void* block) noexcept {
    if (block_table* own = owned_blocks) [[likely]]
        own->owner_forget(block);
    else
        forget_foreign_block(block, nullptr);
}

// The block a source forgot and is handing to its upstream, which may free it through the global
// bridge: the bridge need not look for it a second time. Set by forgotten_handover alone.
extern constinit thread_local const void* handed_block;

// While alive, the block a source has forgotten is on its way to the upstream (handed_block):
// a scope around that one call, cleared however it ends.
class forgotten_handover {
public:
    explicit forgotten_handover(const void* block) noexcept { handed_block = block; }
    ~forgotten_handover() { handed_block = nullptr; }
    forgotten_handover(const forgotten_handover&) = delete;
    forgotten_handover& operator=(const forgotten_handover&) = delete;
};

// Unregisters this thread's table when its run was left without unwinding (a longjmp).
void abandon_tracking() noexcept;

// In a process just forked, where the forking thread is the only one: forgets the tables of the
// threads that did not come along, and makes the registry's lock anew (another thread may have
// held it at the fork).
void forget_other_threads_tables() noexcept;

}  // namespace alloc_chaos::detail

#endif
