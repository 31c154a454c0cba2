#include "live_blocks.hpp"

#include "../platform/raw_memory.hpp"
#include "../platform/zeroed_pages.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace alloc_chaos::detail {

live_blocks::~live_blocks() {
    regions_.for_each([](std::uint64_t, std::uint64_t* leaf) { unmap_pages(leaf, leaf_bytes); });
    raw_free(log_);
}

std::uint64_t* live_blocks::reach_leaf(std::uintptr_t key, bool make) noexcept {
    if (std::uint64_t** leaf = regions_.find(key))
        return cache_leaf(key, *leaf);
    if (!make)
        return nullptr;
    auto* leaf = static_cast<std::uint64_t*>(map_zeroed_pages(leaf_bytes));
    if (leaf == nullptr)
        return nullptr;
    if (regions_.insert(key, leaf) == regions_.out_of_memory) {
        unmap_pages(leaf, leaf_bytes);
        return nullptr;
    }
    return cache_leaf(key, leaf);
}

std::uint64_t* live_blocks::cache_leaf(std::uintptr_t key, std::uint64_t* leaf) noexcept {
    other_key_ = last_key_;
    other_leaf_ = last_leaf_;
    last_key_ = key;
    last_leaf_ = leaf;
    return leaf;
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
    void* grown = raw_realloc(static_cast<void*>(log_), capacity * sizeof(std::uintptr_t));
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
        std::uint64_t* bits = address != 0 && (address & kept_tag) == 0 ? leaf_of(address) : nullptr;
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
    // Blocks left live (leaked) by the last run: their bits, and the slots around them, which only
    // that run's releases read, go back to the kernel, so that a check whose runs keep leaking holds
    // the slots of one run's blocks, not those of every block leaked so far.
    if (aligned_ != 0)
        regions_.for_each([](std::uint64_t, std::uint64_t* leaf) { rezero_pages(leaf, leaf_bytes); });
    aligned_ = 0;
    logged_ = 0;
    unaligned_.clear();
}

}  // namespace alloc_chaos::detail
