#include "live_blocks.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>

namespace alloc_chaos::detail {

live_blocks::~live_blocks() {
    for (std::size_t i = 0; i < region_capacity_; ++i)
        std::free(regions_[i].leaf);
    std::free(regions_);
    std::free(log_);
}

std::uint64_t* live_blocks::reach_leaf(std::uintptr_t key, bool make) noexcept {
    if (region_capacity_ != 0) {
        const std::size_t mask = region_capacity_ - 1;
        const auto shift = static_cast<unsigned>(64 - std::countr_zero(region_capacity_));
        for (std::size_t i = address_slot(key, shift);; i = (i + 1) & mask) {
            if (regions_[i].key == key)
                return cache_leaf(key, regions_[i].leaf);
            if (regions_[i].key == 0)
                break;
        }
    }
    if (!make)
        return nullptr;
    if ((region_count_ + 1) * 2 > region_capacity_ && !grow_regions())
        return nullptr;
    auto* leaf = static_cast<std::uint64_t*>(std::calloc(leaf_words, sizeof(std::uint64_t)));
    if (leaf == nullptr)
        return nullptr;
    const std::size_t mask = region_capacity_ - 1;
    const auto shift = static_cast<unsigned>(64 - std::countr_zero(region_capacity_));
    std::size_t i = address_slot(key, shift);
    while (regions_[i].key != 0)
        i = (i + 1) & mask;
    regions_[i] = {key, leaf};
    ++region_count_;
    return cache_leaf(key, leaf);
}

std::uint64_t* live_blocks::cache_leaf(std::uintptr_t key, std::uint64_t* leaf) noexcept {
    other_key_ = last_key_;
    other_leaf_ = last_leaf_;
    last_key_ = key;
    last_leaf_ = leaf;
    return leaf;
}

bool live_blocks::grow_regions() noexcept {
    const std::size_t capacity = region_capacity_ == 0 ? 16 : region_capacity_ * 2;
    auto* regions = static_cast<region*>(std::calloc(capacity, sizeof(region)));
    if (regions == nullptr)
        return false;
    const auto shift = static_cast<unsigned>(64 - std::countr_zero(capacity));
    for (std::size_t r = 0; r < region_capacity_; ++r) {
        if (regions_[r].key == 0)
            continue;
        std::size_t i = address_slot(regions_[r].key, shift);
        while (regions[i].key != 0)
            i = (i + 1) & (capacity - 1);
        regions[i] = regions_[r];
    }
    std::free(regions_);
    regions_ = regions;
    region_capacity_ = capacity;
    return true;
}

bool live_blocks::log_elsewhere(std::size_t index, std::uintptr_t address) noexcept {
    if (index >= logged_) {
        if (index >= log_capacity_ && !grow_log(index))
            return false;
        std::fill(log_ + logged_, log_ + index, std::uintptr_t{0});  // the attempts between gave out no block here
        logged_ = index + 1;
    }
    log_[index] = address;
    return true;
}

bool live_blocks::grow_log(std::size_t index) noexcept {
    std::size_t capacity = log_capacity_ == 0 ? 1024 : log_capacity_ * 2;
    while (capacity <= index)
        capacity *= 2;
    void* grown = std::realloc(static_cast<void*>(log_), capacity * sizeof(std::uintptr_t));
    if (grown == nullptr)
        return false;
    log_ = static_cast<std::uintptr_t*>(grown);
    log_capacity_ = capacity;
    return true;
}

void live_blocks::indices(std::vector<std::size_t>& out) noexcept {
    const std::size_t first = out.size();
    unaligned_.for_each([&](std::size_t index) { out.push_back(index); });
    // The latest attempt that gave out each address still set: the log read from its end, each
    // bit cleared once named, so that earlier attempts at the address are not; then set again.
    const std::size_t named_from = out.size();
    for (std::size_t index = logged_; index-- > 0 && out.size() - named_from < aligned_;) {
        const std::uintptr_t address = log_[index];
        std::uint64_t* bits = address != 0 ? leaf_of(address) : nullptr;
        if (bits != nullptr && (bits[word_of(address)] & bit_of(address)) != 0) {
            bits[word_of(address)] &= ~bit_of(address);
            out.push_back(index);
        }
    }
    for (std::size_t i = named_from; i < out.size(); ++i) {
        const std::uintptr_t address = log_[out[i]];
        leaf_of(address)[word_of(address)] |= bit_of(address);
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

void live_blocks::clear() noexcept {
    if (aligned_ != 0)
        for (std::size_t r = 0; r < region_capacity_; ++r)
            if (regions_[r].key != 0)
                std::memset(regions_[r].leaf, 0, leaf_words * sizeof(std::uint64_t));
    aligned_ = 0;
    logged_ = 0;
    unaligned_.clear();
}

}  // namespace alloc_chaos::detail
