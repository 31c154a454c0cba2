#ifndef ALLOC_CHAOS_LIB_LIVE_BLOCKS_HPP
#define ALLOC_CHAOS_LIB_LIVE_BLOCKS_HPP

// The blocks of a run still live, and the attempt that allocated each. A block at a multiple of
// 16 bytes (every block that malloc and operator new give out) is one bit in a bitmap of the
// heap's 16-byte granules, a 32 KiB leaf of bits per 4 MiB of addresses: recording and forgetting
// it touches 1/128 of the memory the blocks themselves take, which stays in the L1 cache where a
// hash table of the blocks would not. Its attempt is in a log by attempt index, read to name
// leaks; what a release is checked against (release_code.hpp) is in the granule's slot. Any other
// address (a source of your own may give out any) goes to a block_map. Memory from the C
// allocator: it grows inside operator new, where operator new must not be called again.
//
// A block whose source keeps its liveness itself (a block_keeper: chaos_memory_resource's ledger)
// has no bit: only its attempt is logged, tagged, until the keeper hands it over at the run's end.
//
// A slot holds the release code of the block last recorded at its granule, with released_bit once
// a C allocator source (the bridge, the C allocator source) has released it. A released slot is
// this run's when the log gives one of its attempts that address: slots need no clearing between
// runs.

#include "address_table.hpp"
#include "block_map.hpp"
#include "release_code.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace alloc_chaos::detail {

class live_blocks {
public:
    live_blocks() = default;
    ~live_blocks();
    live_blocks(const live_blocks&) = delete;
    live_blocks& operator=(const live_blocks&) = delete;

    // Records `block` as allocated by attempt `index`, its release checked against `code`, an
    // address given out again taking the later attempt; false when out of memory or for nullptr
    // (then untracked).
    bool insert(const void* block, std::size_t index, release_code code = unchecked_block) noexcept {
        const auto address = reinterpret_cast<std::uintptr_t>(block);
        if (address % granule != 0 || address == 0) [[unlikely]]
            return unaligned_.insert(block, index);
        std::uint64_t* bits = cached_leaf(key_of(address));
        if (bits == nullptr) [[unlikely]] {
            bits = reach_leaf(key_of(address), true);
            if (bits == nullptr)
                return false;
        }
        if (!log(index, address)) [[unlikely]]
            return false;
        set_bit(bits, address);
        if (code != slot_kept)
            slot_of(bits, address) = code;
        return true;
    }

    // Records `block` as insert() does when that takes no call: at a multiple of 16, in one of the
    // two leaves reached last, its attempt the log's next place with room. False, and nothing
    // changed, otherwise: insert() then decides.
    bool insert_in_cached_leaf(const void* block, std::size_t index, release_code code = unchecked_block) noexcept {
        const auto address = reinterpret_cast<std::uintptr_t>(block);
        std::uint64_t* bits = cached_leaf(key_of(address));
        if (address % granule != 0 || address == 0 || bits == nullptr ||
            !log_in_place(index, address)) [[unlikely]]
            return false;
        set_bit(bits, address);
        if (code != slot_kept)
            slot_of(bits, address) = code;
        return true;
    }

    // Logs `block` as given out by attempt `index` to a keeper (block_table::owner_add_keeper),
    // which keeps whether it is live: no bit, and a tag in the log that no release, no leak and no
    // latest_attempt_at() reads, until the keeper hands it over with insert(). False when out of
    // memory (then nothing is logged).
    bool log_kept(const void* block, std::size_t index) noexcept {
        return log(index, reinterpret_cast<std::uintptr_t>(block) | kept_tag);
    }
    // Calls f(index, block) for each attempt whose block log_kept() logged and insert() has not
    // recorded since, in increasing order.
    template <class F>
    void for_each_kept(F&& f) const {
        for (std::size_t index = 0; index < logged_; ++index)
            if ((log_[index] & kept_tag) != 0)
                f(index, reinterpret_cast<void*>(log_[index] & ~kept_tag));
    }

    // Forgets `block` when it is recorded in one of the two leaves reached last (the common case);
    // false, and nothing changed, otherwise: erase() then decides.
    bool erase_in_cached_leaf(const void* block) noexcept {
        const auto address = reinterpret_cast<std::uintptr_t>(block);
        std::uint64_t* bits = cached_leaf(key_of(address));
        if (address % granule != 0 || bits == nullptr) [[unlikely]]
            return false;
        return clear_bit(bits, address);
    }

    // Forgets `block`; false when it was not recorded.
    bool erase(const void* block) noexcept {
        const auto address = reinterpret_cast<std::uintptr_t>(block);
        if (address % granule != 0) [[unlikely]]
            return unaligned_.erase(block);
        if (aligned_ == 0)
            return false;
        std::uint64_t* bits = leaf_of(address);
        return bits != nullptr && clear_bit(bits, address);
    }

    // What release_checked() found at an address.
    struct release_state {
        enum { live, released_before, unknown } state = unknown;
        release_code code = unchecked_block;  // live: what the release is checked against
        std::size_t index = 0;                // released_before: the attempt that allocated the block
    };
    // For a C allocator source's release of `block`: a block of the run, live (now forgotten, and
    // marked as released by such a source), or released by one before in this run and not given
    // out since (a double free); else unknown (a block from before the run or unobserved, another
    // source's, or another thread's).
    release_state release_checked(const void* block) noexcept {
        const auto address = reinterpret_cast<std::uintptr_t>(block);
        if (address % granule != 0 || address == 0) [[unlikely]]
            return {};
        std::uint64_t* bits = leaf_of(address);
        if (bits == nullptr)
            return {};
        std::uint32_t& slot = slot_of(bits, address);
        if (clear_bit(bits, address)) {
            const release_code code = slot;
            slot |= released_bit;
            return {release_state::live, code, 0};
        }
        if ((slot & released_bit) == 0)
            return {};
        const std::size_t index = latest_attempt_at(block);
        if (index == no_index)  // a slot of an earlier run
            return {};
        return {release_state::released_before, unchecked_block, index};
    }
    // release_checked() in its common case, inline: a live block at a multiple of 16, in one of the
    // two leaves reached last. Forgets it, marks it as released, and gives its code; false, and
    // nothing changed, otherwise.
    bool release_checked_in_cached_leaf(const void* block, release_code& code) noexcept {
        const auto address = reinterpret_cast<std::uintptr_t>(block);
        std::uint64_t* bits = cached_leaf(key_of(address));
        if (address % granule != 0 || bits == nullptr || !clear_bit(bits, address)) [[unlikely]]
            return false;
        std::uint32_t& slot = slot_of(bits, address);
        code = slot;
        slot = code | released_bit;
        return true;
    }
    // The latest attempt of this run that gave out `block`, or no_index. Reads the log from its
    // end: for a finding, not for every release.
    static constexpr std::size_t no_index = static_cast<std::size_t>(-1);
    std::size_t latest_attempt_at(const void* block) const noexcept {
        const auto address = reinterpret_cast<std::uintptr_t>(block);
        for (std::size_t index = logged_; index-- > 0;)
            if (log_[index] == address)
                return index;
        return no_index;
    }
    // `block` was given out unobserved: a release of it is no double free.
    void given_out_unobserved(const void* block) noexcept {
        const auto address = reinterpret_cast<std::uintptr_t>(block);
        if (address % granule != 0 || address == 0) [[unlikely]]
            return;
        if (std::uint64_t* bits = leaf_of(address))
            slot_of(bits, address) = 0;
    }

    // Appends the attempt of each block still recorded to `out`, in increasing order. `out` must
    // have room for size() more: this takes no memory, so that it may run inside the table's
    // access, where a free would reach the table again.
    void indices(std::vector<std::size_t>& out) noexcept;
    std::size_t size() const noexcept { return aligned_ + unaligned_.size(); }
    // Forgets every block: O(1) when none is recorded.
    void clear() noexcept;

private:
    static constexpr std::uintptr_t granule = 16;
    static constexpr std::uintptr_t kept_tag = 1;  // in the log: a kept block's address (a multiple of 16)
    static constexpr unsigned granule_shift = 4;
    static constexpr unsigned region_shift = 22;  // 4 MiB of addresses per leaf
    static constexpr std::size_t granules_per_leaf = std::size_t{1} << (region_shift - granule_shift);
    static constexpr std::size_t leaf_words = granules_per_leaf / 64;  // 32 KiB of bits, then the slots
    static constexpr std::uint32_t released_bit = std::uint32_t{1} << 31;
    // A leaf: the bits, then the slots, in pages of their own (only those touched are ever made).
    static constexpr std::size_t leaf_bytes = leaf_words * sizeof(std::uint64_t) + granules_per_leaf * sizeof(std::uint32_t);

    // The slot of `address` in its leaf `bits`.
    static std::uint32_t& slot_of(std::uint64_t* bits, std::uintptr_t address) noexcept {
        return reinterpret_cast<std::uint32_t*>(bits + leaf_words)[(address >> granule_shift) & (granules_per_leaf - 1)];
    }

    static std::size_t word_of(std::uintptr_t address) noexcept {
        return (address >> (granule_shift + 6)) & (leaf_words - 1);
    }
    static std::uint64_t bit_of(std::uintptr_t address) noexcept {
        return std::uint64_t{1} << ((address >> granule_shift) & 63);
    }

    // Sets the bit of `address` in its leaf `bits`, where it may be set already.
    void set_bit(std::uint64_t* bits, std::uintptr_t address) noexcept {
        std::uint64_t& word = bits[word_of(address)];
        const std::uint64_t bit = bit_of(address);
        aligned_ += (word & bit) == 0;
        word |= bit;
    }
    // Clears the bit of `address` in its leaf `bits`; false when it was not set.
    bool clear_bit(std::uint64_t* bits, std::uintptr_t address) noexcept {
        std::uint64_t& word = bits[word_of(address)];
        const std::uint64_t bit = bit_of(address);
        if ((word & bit) == 0) [[unlikely]]
            return false;
        word &= ~bit;
        --aligned_;
        return true;
    }
    // The leaf of the region of `address`, or nullptr when it has none.
    std::uint64_t* leaf_of(std::uintptr_t address) noexcept {
        std::uint64_t* bits = cached_leaf(key_of(address));
        return bits != nullptr ? bits : reach_leaf(key_of(address), false);
    }
    // The leaf of region `key` when it is one of the two reached last, else nullptr. Two, because
    // a body's blocks may straddle a region's edge: its frees then go back and forth between two
    // leaves, in the order of its data structure, and with one cached each would look its leaf up.
    std::uint64_t* cached_leaf(std::uintptr_t key) const noexcept {
        if (key == last_key_) [[likely]]
            return last_leaf_;
        return key == other_key_ ? other_leaf_ : nullptr;
    }
    // The region of `address`, as regions_ and last_key_ hold it: never 0, which marks none.
    static std::uintptr_t key_of(std::uintptr_t address) noexcept { return (address >> region_shift) + 1; }
    // The leaf of region `key`, which cached_leaf() has not: looked up, or made when `make`;
    // cached as the last reached. nullptr when it has none (or out of memory).
    std::uint64_t* reach_leaf(std::uintptr_t key, bool make) noexcept;
    // Caches `leaf` as the last reached, the last before it as the other.
    std::uint64_t* cache_leaf(std::uintptr_t key, std::uint64_t* leaf) noexcept;

    // Logs `address` as the block of attempt `index`; the attempts skipped since the last one
    // logged gave out no block here (0).
    bool log(std::size_t index, std::uintptr_t address) noexcept {
        return log_in_place(index, address) || log_elsewhere(index, address);
    }
    // log() when `index` is the log's next place and the log has room for it; else logs nothing
    // and returns false.
    bool log_in_place(std::size_t index, std::uintptr_t address) noexcept {
        if (index != logged_ || index == log_capacity_) [[unlikely]]
            return false;
        log_[index] = address;
        logged_ = index + 1;
        return true;
    }
    // log() past the attempts logged so far, or where the log must grow first.
    bool log_elsewhere(std::size_t index, std::uintptr_t address) noexcept;
    bool grow_log(std::size_t index) noexcept;

    address_table<std::uint64_t*> regions_;  // by key_of(): leaf_words words, a bit per granule
    std::uintptr_t last_key_ = 0;      // the region reached last, and its leaf
    std::uint64_t* last_leaf_ = nullptr;
    std::uintptr_t other_key_ = 0;     // the region reached before it, and its leaf
    std::uint64_t* other_leaf_ = nullptr;
    std::size_t aligned_ = 0;          // bits set

    std::uintptr_t* log_ = nullptr;    // by attempt index: the block's address, or 0
    std::size_t logged_ = 0;
    std::size_t log_capacity_ = 0;

    block_map unaligned_;
};

}  // namespace alloc_chaos::detail

#endif
