#ifndef ALLOC_CHAOS_LIB_BLOCK_MAP_HPP
#define ALLOC_CHAOS_LIB_BLOCK_MAP_HPP

// A map from block address to the attempt that allocated it, for any address (live_blocks keeps
// the blocks at multiples of 16 in its bitmap; the others, from a sub-allocating upstream such as
// std::pmr::monotonic_buffer_resource or a source of your own, come here).

#include "address_table.hpp"

#include <cstddef>
#include <cstdint>

namespace alloc_chaos::detail {

// The slot of a block address by Fibonacci hashing of its 16-byte granule: blocks allocated one
// after another, one size class apart, land spread evenly and in an order the prefetcher
// follows, which makes a table larger than the L1 cache several times cheaper to reach than with
// address_slot; a few strides pile up instead, which block_map detects and leaves.
inline std::size_t progression_slot(std::uint64_t key, unsigned shift) noexcept {
    return static_cast<std::size_t>(((key >> 4) * 0x9e37'79b9'7f4a'7c15ULL) >> shift);
}

// An address_table from block address to attempt index, 12-byte slots. Slots by progression_slot,
// until an insertion probes more than max_probes slots: then by address_slot for the rest of the
// map's life. Both hashes stay (bench_mechanisms pmr_counting/*, std::pmr::list on a
// monotonic_buffer_resource): address_slot alone costs 1.6x per attempt with 24-byte nodes,
// progression_slot alone 1.8x with 1,592-byte nodes, whose stride piles up.
class block_map {
public:
    // The largest attempt index recorded; a block of a later attempt is not tracked.
    static constexpr std::size_t max_index = 0xffff'fffe;
    // The probes of one insertion past which the addresses pile up under progression_slot.
    static constexpr std::size_t max_probes = 24;

    // Records `block` as allocated by attempt `index`, an address given out again taking the later
    // attempt; false when out of memory, for nullptr or past max_index (then untracked).
    bool insert(const void* block, std::size_t index) noexcept;
    // Forgets `block`; false when it was not recorded.
    bool erase(const void* block) noexcept { return table_.erase(key_of(block)); }
    // Calls f(index) for each block still recorded; nothing to scan when none is.
    template <class F>
    void for_each(F&& f) const {
        table_.for_each([&](std::uint64_t, std::uint32_t index) { f(static_cast<std::size_t>(index)); });
    }
    std::size_t size() const noexcept { return table_.size(); }
    std::size_t capacity() const noexcept { return table_.capacity(); }
    // Whether the slots are by address_slot (after a pile-up), rather than progression_slot.
    bool scrambled() const noexcept { return table_.hash().scrambled; }
    // Forgets every block: O(1) when none is recorded.
    void clear() noexcept { table_.clear(); }

    // How maps that take their first slots from now on choose them: for bench/mechanisms.cpp, which
    // times the map as it is against the map with one hash alone.
    enum class hashing { adaptive, address_only, progression_only };
    static void hash_for_benchmarks(hashing h) noexcept;

private:
    struct hash {
        bool scrambled = false;  // by address_slot
        bool stays = false;      // never scrambled (hashing::progression_only)

        std::size_t operator()(std::uint64_t key, unsigned shift) const noexcept {
            return scrambled ? address_slot(key, shift) : progression_slot(key, shift);
        }
    };
    static std::uint64_t key_of(const void* block) noexcept {
        return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(block));
    }

    address_table<std::uint32_t, hash> table_{256};
};

}  // namespace alloc_chaos::detail

#endif
