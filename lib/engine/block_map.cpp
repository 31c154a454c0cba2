#include "block_map.hpp"

#include <atomic>

namespace alloc_chaos::detail {

namespace {
std::atomic<block_map::hashing> benchmark_hashing{block_map::hashing::adaptive};
}  // namespace

void block_map::hash_for_benchmarks(hashing h) noexcept { benchmark_hashing.store(h, std::memory_order_relaxed); }

bool block_map::insert(const void* block, std::size_t index) noexcept {
    const std::uint64_t key = key_of(block);
    if (key == table_.no_key || index > max_index)
        return false;
    if (table_.capacity() == 0) [[unlikely]] {
        const hashing h = benchmark_hashing.load(std::memory_order_relaxed);
        table_.rehash(hash{h == hashing::address_only, h == hashing::progression_only});
    }
    const std::size_t probes = table_.insert(key, static_cast<std::uint32_t>(index));
    if (probes == table_.out_of_memory)
        return false;
    if (probes > max_probes && !table_.hash().scrambled && !table_.hash().stays) [[unlikely]]
        table_.rehash(hash{true, false});  // a pile-up: spread every key anew (or, without memory, stay)
    return true;
}

}  // namespace alloc_chaos::detail
