#include "block_map.hpp"

#include <bit>
#include <cstdlib>
#include <cstring>

namespace alloc_chaos::detail {

block_map::~block_map() { std::free(slots_); }

bool block_map::rebuild(std::size_t capacity) noexcept {
    auto* slots = static_cast<slot*>(std::calloc(capacity, sizeof(slot)));
    if (slots == nullptr)
        return false;
    slot* const old = slots_;
    const std::size_t old_capacity = capacity_;
    slots_ = slots;
    capacity_ = capacity;
    shift_ = static_cast<unsigned>(64 - std::countr_zero(capacity));
    for (std::size_t i = 0; i < old_capacity; ++i) {
        const std::uint64_t key = old[i].key();
        if (key == empty)
            continue;
        std::size_t j = home(key);
        while (slots_[j].key() != empty)
            j = (j + 1) & (capacity - 1);
        slots_[j] = old[i];
    }
    std::free(old);
    return true;
}

bool block_map::insert(const void* block, std::size_t index) noexcept {
    const auto key = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(block));
    if (key == empty || index > max_index)
        return false;
    if ((size_ + 1) * 4 > capacity_ * 3 && !rebuild(capacity_ == 0 ? 256 : capacity_ * 2))  // at most 3/4 full
        return false;
    const std::size_t mask = capacity_ - 1;
    std::size_t probes = 0;
    for (std::size_t i = home(key);; i = (i + 1) & mask) {
        const std::uint64_t k = slots_[i].key();
        if (k == key) {  // an address given out again: its earlier block is gone
            slots_[i].index = static_cast<std::uint32_t>(index);
            return true;
        }
        if (k == empty) {
            if (probes > max_probes && !scrambled_) [[unlikely]] {  // a pile-up: spread every key anew
                scrambled_ = true;
                if (rebuild(capacity_))
                    return insert(block, index);
                scrambled_ = false;  // no memory to rebuild: stay as it is
            }
            slots_[i].set(key, static_cast<std::uint32_t>(index));
            ++size_;
            return true;
        }
        ++probes;
    }
}

bool block_map::erase(const void* block) noexcept {
    const auto key = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(block));
    if (size_ == 0 || key == empty)
        return false;
    const std::size_t mask = capacity_ - 1;
    std::size_t hole = home(key);
    for (;; hole = (hole + 1) & mask) {
        const std::uint64_t k = slots_[hole].key();
        if (k == key)
            break;
        if (k == empty)
            return false;
    }
    // Backward shift: each later slot of the run that may sit in the hole (its home is not after
    // the hole, cyclically) moves into it, so that every key stays reachable from its home
    // without tombstones.
    for (std::size_t next = (hole + 1) & mask;; next = (next + 1) & mask) {
        const std::uint64_t k = slots_[next].key();
        if (k == empty)
            break;
        if (((next - home(k)) & mask) >= ((next - hole) & mask)) {
            slots_[hole] = slots_[next];
            hole = next;
        }
    }
    slots_[hole].set(empty, 0);
    --size_;
    return true;
}

void block_map::clear() noexcept {
    if (size_ != 0)  // with none recorded, every slot is empty already
        std::memset(static_cast<void*>(slots_), 0, capacity_ * sizeof(slot));
    size_ = 0;
}

}  // namespace alloc_chaos::detail
