#ifndef ALLOC_CHAOS_LIB_BLOCK_MAP_HPP
#define ALLOC_CHAOS_LIB_BLOCK_MAP_HPP

// A map from block address to the attempt that allocated it, for any address: open addressing in
// memory from the C allocator.

#include <cstddef>
#include <cstdint>
#include <cstring>

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

}  // namespace alloc_chaos::detail

#endif
