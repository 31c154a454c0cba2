#include "block_table.hpp"

#include <cstdlib>
#include <cstring>

namespace alloc_chaos::detail {

std::atomic<int> tracking_tables{0};
constinit thread_local block_table* owned_blocks = nullptr;

namespace {

constexpr std::size_t max_tables = 64;

// Every registered table; threads that free a block they do not own search them.
std::mutex registry_mutex;
block_table* registry[max_tables] = {};

std::size_t hash(std::uintptr_t key) noexcept {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return static_cast<std::size_t>(key);
}

}  // namespace

block_map::~block_map() { std::free(slots_); }

block_map::slot* block_map::find(std::uintptr_t key) const noexcept {
    if (capacity_ == 0 || key <= tombstone)  // nullptr is no block
        return nullptr;
    for (std::size_t i = hash(key) & (capacity_ - 1);; i = (i + 1) & (capacity_ - 1)) {
        if (slots_[i].key == key)
            return &slots_[i];
        if (slots_[i].key == empty)
            return nullptr;
    }
}

bool block_map::grow() noexcept {
    const std::size_t capacity = capacity_ == 0 ? 256 : (size_ * 4 > capacity_ ? capacity_ * 2 : capacity_);
    auto* slots = static_cast<slot*>(std::calloc(capacity, sizeof(slot)));
    if (slots == nullptr)
        return false;
    for (std::size_t i = 0; i < capacity_; ++i) {
        const std::uintptr_t key = slots_[i].key;
        if (key <= tombstone)
            continue;
        std::size_t j = hash(key) & (capacity - 1);
        while (slots[j].key != empty)
            j = (j + 1) & (capacity - 1);
        slots[j] = slots_[i];
    }
    std::free(slots_);
    slots_ = slots;
    capacity_ = capacity;
    used_ = size_;
    return true;
}

bool block_map::insert(const void* block, std::size_t index) noexcept {
    const auto key = reinterpret_cast<std::uintptr_t>(block);
    if (key <= tombstone)
        return false;
    if (slot* existing = find(key)) {  // an address given out again: its earlier block is gone
        existing->index = index;
        return true;
    }
    if ((used_ + 1) * 2 > capacity_ && !grow())
        return false;
    std::size_t i = hash(key) & (capacity_ - 1);
    while (slots_[i].key > tombstone)
        i = (i + 1) & (capacity_ - 1);
    if (slots_[i].key == empty)
        ++used_;
    slots_[i] = {key, index};
    ++size_;
    return true;
}

bool block_map::erase(const void* block) noexcept {
    slot* s = find(reinterpret_cast<std::uintptr_t>(block));
    if (s == nullptr)
        return false;
    s->key = tombstone;
    --size_;
    return true;
}

void block_map::clear() noexcept {
    if (used_ > 0)
        std::memset(static_cast<void*>(slots_), 0, capacity_ * sizeof(slot));
    size_ = used_ = 0;
}

tracked_blocks::tracked_blocks(block_table& table) noexcept {
    owned_blocks = &table;
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (block_table*& entry : registry)
        if (entry == nullptr) {
            entry = &table;
            break;  // with every entry taken, only this thread's own frees are seen
        }
    tracking_tables.fetch_add(1, std::memory_order_seq_cst);
}

tracked_blocks::~tracked_blocks() { abandon_tracking(); }

void abandon_tracking() noexcept {
    if (owned_blocks == nullptr)
        return;
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (block_table*& entry : registry)
        if (entry == owned_blocks)
            entry = nullptr;
    tracking_tables.fetch_sub(1, std::memory_order_seq_cst);
    owned_blocks = nullptr;
}

void forget_block(const void* block) noexcept {
    block_table* own = owned_blocks;
    if (own != nullptr && own->owner([block](block_map& map) { return map.erase(block); }))
        return;
    if (tracking_tables.load(std::memory_order_relaxed) <= (own != nullptr ? 1 : 0))
        return;  // no other thread's table to look into
    std::lock_guard<std::mutex> lock(registry_mutex);
    for (block_table* table : registry)
        if (table != nullptr && table != own && table->remote([block](block_map& map) { return map.erase(block); }))
            return;
}

}  // namespace alloc_chaos::detail
