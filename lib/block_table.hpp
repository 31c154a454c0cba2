#ifndef ALLOC_CHAOS_LIB_BLOCK_TABLE_HPP
#define ALLOC_CHAOS_LIB_BLOCK_TABLE_HPP

// The live blocks of a run: which observed attempt allocated each block still live. Owned by the
// checking thread, which reaches it without a lock while no other thread frees; another thread
// that frees takes the table's mutex, and the owner takes it only while such a thread waits.

#include <alloc_chaos/source.hpp>  // tracking_tables

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace alloc_chaos::detail {

// An open-addressing map from block address to attempt index, in memory from the C allocator
// (it grows inside operator new, where operator new must not be called again).
class block_map {
public:
    block_map() = default;
    ~block_map();
    block_map(const block_map&) = delete;
    block_map& operator=(const block_map&) = delete;

    // Records `block` as allocated by attempt `index`; false when out of memory (then untracked).
    bool insert(const void* block, std::size_t index) noexcept;
    // Forgets `block`; false when it was not recorded.
    bool erase(const void* block) noexcept;
    // Calls f(index) for each block still recorded.
    template <class F>
    void for_each(F&& f) const {
        for (std::size_t i = 0; i < capacity_; ++i)
            if (slots_[i].key > tombstone)
                f(slots_[i].index);
    }
    std::size_t size() const noexcept { return size_; }
    void clear() noexcept;

private:
    struct slot {
        std::uintptr_t key;  // empty, tombstone, or a block address
        std::size_t index;
    };
    static constexpr std::uintptr_t empty = 0;
    static constexpr std::uintptr_t tombstone = 1;

    bool grow() noexcept;
    slot* find(std::uintptr_t key) const noexcept;

    slot* slots_ = nullptr;
    std::size_t capacity_ = 0;  // a power of two
    std::size_t size_ = 0;      // recorded blocks
    std::size_t used_ = 0;      // recorded blocks and tombstones
};

// A block_map shared by its owner, the checking thread, with threads that free its blocks.
class block_table {
public:
    // The owner's access: no lock while no other thread waits for the table.
    template <class F>
    auto owner(F&& f) {
        busy_.store(true, std::memory_order_seq_cst);
        if (remote_waiting_.load(std::memory_order_seq_cst) == 0) {
            auto result = f(map_);
            busy_.store(false, std::memory_order_release);
            return result;
        }
        busy_.store(false, std::memory_order_seq_cst);
        std::lock_guard<std::mutex> lock(mutex_);
        return f(map_);
    }

    // Another thread's access: waits until the owner is out of the table.
    template <class F>
    auto remote(F&& f) {
        remote_waiting_.fetch_add(1, std::memory_order_seq_cst);
        std::lock_guard<std::mutex> lock(mutex_);
        while (busy_.load(std::memory_order_seq_cst)) {
        }
        auto result = f(map_);
        remote_waiting_.fetch_sub(1, std::memory_order_seq_cst);
        return result;
    }

private:
    block_map map_;
    std::mutex mutex_;
    std::atomic<bool> busy_{false};
    std::atomic<int> remote_waiting_{0};
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
