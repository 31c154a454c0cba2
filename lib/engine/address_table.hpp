#ifndef ALLOC_CHAOS_LIB_ADDRESS_TABLE_HPP
#define ALLOC_CHAOS_LIB_ADDRESS_TABLE_HPP

// An open-addressing table from a key derived from an address (never 0) to a payload: the one
// hash table of the engine. Linear probing with backward-shift deletion: no tombstones, so a table
// whose entries were all erased is all empty slots, and clear() is then free. At most 3/4 full.
// Memory from the raw C allocator (raw_memory.hpp): tables grow inside operator new and malloc,
// where neither must be called again.

#include "../platform/raw_memory.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace alloc_chaos::detail {

// The slot of `key` in a table of 2^(64 - shift) slots, robust to every pattern of addresses: a
// multiplication, a fold of the high half into the low one, and a second multiplication. (A
// single multiplication piles some arithmetic progressions into long runs.)
inline std::size_t address_slot(std::uint64_t key, unsigned shift) noexcept {
    key *= 0xff51'afd7'ed55'8ccdULL;
    key ^= key >> 32;
    key *= 0x9e37'79b9'7f4a'7c15ULL;
    return static_cast<std::size_t>(key >> shift);
}

// The address_slot() of every key, as a Hash of address_table.
struct address_hash {
    std::size_t operator()(std::uint64_t key, unsigned shift) const noexcept { return address_slot(key, shift); }
};

// Payload: trivially copyable, all zero bits when a slot is empty. Hash: a function object with
// `std::size_t operator()(std::uint64_t key, unsigned shift)`, the home slot of `key` among
// 2^(64 - shift); held by value, so that it may change with rehash().
template <class Payload, class Hash = address_hash>
class address_table {
    static_assert(std::is_trivially_copyable_v<Payload>);

public:
    using key_type = std::uint64_t;
    // The key no entry has: the mark of an empty slot.
    static constexpr key_type no_key = 0;
    // What insert() returns when the table could not grow.
    static constexpr std::size_t out_of_memory = static_cast<std::size_t>(-1);

    explicit address_table(std::size_t first_capacity = 16, Hash hash = Hash{}) noexcept
        : first_capacity_(first_capacity), hash_(hash) {}
    ~address_table() { raw_free(slots_); }
    address_table(const address_table&) = delete;
    address_table& operator=(const address_table&) = delete;

    // Gives `key` (not no_key) `payload`, a new entry or the key's own. Returns the slots probed
    // past the key's home (a measure of pile-up), or out_of_memory, when nothing changed.
    std::size_t insert(key_type key, const Payload& payload) noexcept {
        if ((size_ + 1) * 4 > capacity_ * 3 && !grow(capacity_ == 0 ? first_capacity_ : capacity_ * 2))
            return out_of_memory;
        const std::size_t mask = capacity_ - 1;
        std::size_t probes = 0;
        for (std::size_t i = hash_(key, shift_);; i = (i + 1) & mask, ++probes) {
            const key_type k = slots_[i].key();
            if (k == key || k == no_key) {
                size_ += k == no_key;
                slots_[i].set(key, payload);
                return probes;
            }
        }
    }
    // The payload of `key`, or nullptr.
    Payload* find(key_type key) noexcept {
        if (size_ == 0)
            return nullptr;
        const std::size_t mask = capacity_ - 1;
        for (std::size_t i = hash_(key, shift_);; i = (i + 1) & mask) {
            const key_type k = slots_[i].key();
            if (k == key)
                return &slots_[i].payload;
            if (k == no_key)
                return nullptr;
        }
    }
    // Removes `key`; false when it has no entry.
    bool erase(key_type key) noexcept {
        if (size_ == 0 || key == no_key)
            return false;
        const std::size_t mask = capacity_ - 1;
        std::size_t hole = hash_(key, shift_);
        for (;; hole = (hole + 1) & mask) {
            const key_type k = slots_[hole].key();
            if (k == key)
                break;
            if (k == no_key)
                return false;
        }
        // Backward shift: each later entry of the run that may sit in the hole (its home is not
        // after the hole, cyclically) moves into it, so that every key stays reachable from its
        // home without tombstones.
        for (std::size_t next = (hole + 1) & mask;; next = (next + 1) & mask) {
            const key_type k = slots_[next].key();
            if (k == no_key)
                break;
            if (((next - hash_(k, shift_)) & mask) >= ((next - hole) & mask)) {
                slots_[hole] = slots_[next];
                hole = next;
            }
        }
        slots_[hole] = slot{};
        --size_;
        return true;
    }
    // Calls f(key, payload) for each entry; nothing to scan when there is none.
    template <class F>
    void for_each(F&& f) const {
        std::size_t left = size_;
        for (std::size_t i = 0; left != 0; ++i)
            if (const key_type k = slots_[i].key(); k != no_key) {
                f(k, slots_[i].payload);
                --left;
            }
    }
    // Removes every entry: O(1) when there is none (every slot is empty then).
    void clear() noexcept {
        if (size_ != 0)
            std::memset(static_cast<void*>(slots_), 0, capacity_ * sizeof(slot));
        size_ = 0;
    }
    // Moves the entries into `capacity` slots (a power of two, room for them at 3/4 full); false,
    // and nothing changed, when out of memory.
    bool grow(std::size_t capacity) noexcept { return rebuild(capacity, hash_); }
    // Places every entry anew by `hash`, at the same capacity; false, and nothing changed, when out
    // of memory.
    bool rehash(Hash hash) noexcept { return capacity_ == 0 ? (hash_ = hash, true) : rebuild(capacity_, hash); }

    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return capacity_; }
    const Hash& hash() const noexcept { return hash_; }

private:
    struct slot {
        unsigned char key_bytes[sizeof(key_type)];  // no_key when empty; bytes, so that a 4-byte
        Payload payload;                            // payload makes a 12-byte slot

        key_type key() const noexcept {
            key_type k;
            std::memcpy(&k, key_bytes, sizeof k);
            return k;
        }
        void set(key_type k, const Payload& p) noexcept {
            std::memcpy(key_bytes, &k, sizeof k);
            payload = p;
        }
    };

    bool rebuild(std::size_t capacity, Hash hash) noexcept {
        auto* slots = static_cast<slot*>(raw_calloc(capacity, sizeof(slot)));
        if (slots == nullptr)
            return false;
        const auto shift = static_cast<unsigned>(64 - std::countr_zero(capacity));
        for (std::size_t r = 0, left = size_; left != 0; ++r) {
            const key_type k = slots_[r].key();
            if (k == no_key)
                continue;
            std::size_t i = hash(k, shift);
            while (slots[i].key() != no_key)
                i = (i + 1) & (capacity - 1);
            slots[i] = slots_[r];
            --left;
        }
        raw_free(slots_);
        slots_ = slots;
        capacity_ = capacity;
        shift_ = shift;
        hash_ = hash;
        return true;
    }

    slot* slots_ = nullptr;
    std::size_t capacity_ = 0;  // a power of two
    std::size_t size_ = 0;
    unsigned shift_ = 64;  // 64 - log2(capacity_)
    std::size_t first_capacity_;
    Hash hash_;
};

}  // namespace alloc_chaos::detail

#endif
