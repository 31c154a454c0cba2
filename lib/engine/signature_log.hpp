#ifndef ALLOC_CHAOS_LIB_SIGNATURE_LOG_HPP
#define ALLOC_CHAOS_LIB_SIGNATURE_LOG_HPP

// The attempts of one run, in order: what divergence is measured against and what a leaked block
// is named by. Grows inside operator new, so its memory comes from the C allocator; a thread keeps
// the buffers of its last check's logs for its next check, so that a check does not fault their
// pages in again.

#include "../platform/raw_memory.hpp"

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/operation.hpp>

#include <cstddef>
#include <cstdint>
#include <utility>

namespace alloc_chaos::detail {

// What a source asked for in one attempt, in 16 bytes: the size, and the alignment with the
// operation and nothrow in its top byte. Exact for every size, every alignment below 2^56 and
// every power of two; an alignment of 2^56 or more that is not a multiple of 256 (one no
// allocator can serve) is recorded rounded down to one.
class signature {
public:
    signature(std::size_t size, std::size_t alignment, alloc_chaos::operation op, bool nothrow) noexcept
        : size_(size), packed_(pack(alignment, op, nothrow)) {}

    std::size_t size() const noexcept { return size_; }
    std::size_t alignment() const noexcept {
        const std::uint64_t a = packed_ & alignment_mask;
        return static_cast<std::size_t>((packed_ & wide_bit) != 0 ? a << 8 : a);
    }
    alloc_chaos::operation op() const noexcept {
        return static_cast<alloc_chaos::operation>((packed_ >> op_shift) & op_mask);
    }
    bool nothrow() const noexcept { return (packed_ & nothrow_bit) != 0; }

    friend bool operator==(const signature&, const signature&) = default;
    allocation at(std::size_t index) const noexcept { return {index, op(), size(), alignment(), nothrow()}; }

private:
    static constexpr std::uint64_t alignment_mask = (std::uint64_t{1} << 56) - 1;
    static constexpr int op_shift = 56;
    static constexpr std::uint64_t op_mask = 0x3f;  // six bits: room for 64 operations
    static constexpr std::uint64_t nothrow_bit = std::uint64_t{1} << 62;
    static constexpr std::uint64_t wide_bit = std::uint64_t{1} << 63;  // the alignment >> 8 is stored

    static std::uint64_t pack(std::size_t alignment, alloc_chaos::operation op, bool nothrow) noexcept {
        auto a = static_cast<std::uint64_t>(alignment);
        std::uint64_t packed = (static_cast<std::uint64_t>(op) & op_mask) << op_shift;
        if (nothrow)
            packed |= nothrow_bit;
        if (a > alignment_mask) [[unlikely]]
            return packed | wide_bit | (a >> 8);
        return packed | a;
    }

    std::size_t size_;
    std::uint64_t packed_;
};
static_assert(sizeof(signature) <= 16);
static_assert(static_cast<int>(alloc_chaos::operation::allocator_allocate) <= 0x3f);

// The buffers a thread keeps from one check to the next: the two largest, each of at most
// max_kept_signatures (a larger one costs more to keep than to fault in again).
inline constexpr std::size_t max_kept_signatures = std::size_t{1} << 19;  // 8 MiB

struct kept_log_buffers {
    signature* items[2] = {};
    std::size_t capacity[2] = {};
    ~kept_log_buffers();
};
inline thread_local kept_log_buffers kept_logs;
inline constinit thread_local bool kept_logs_gone = false;  // the thread is ending: keep nothing

inline kept_log_buffers::~kept_log_buffers() {
    raw_free(items[0]);
    raw_free(items[1]);
    kept_logs_gone = true;
}

// The largest buffer this thread keeps, and its capacity; {nullptr, 0} when none.
inline std::pair<signature*, std::size_t> take_log_buffer() noexcept {
    if (kept_logs_gone)
        return {nullptr, 0};
    kept_log_buffers& k = kept_logs;
    const int i = k.capacity[0] >= k.capacity[1] ? 0 : 1;
    const std::pair<signature*, std::size_t> taken{k.items[i], k.capacity[i]};
    k.items[i] = nullptr;
    k.capacity[i] = 0;
    return taken;
}

// Keeps `items` (room for `capacity` signatures) for a later log on this thread, or frees it.
inline void give_log_buffer(signature* items, std::size_t capacity) noexcept {
    if (items == nullptr)
        return;
    if (kept_logs_gone || capacity > max_kept_signatures) {
        raw_free(items);
        return;
    }
    kept_log_buffers& k = kept_logs;
    const int i = k.capacity[0] <= k.capacity[1] ? 0 : 1;  // the smaller place, or an empty one
    if (k.capacity[i] >= capacity) {
        raw_free(items);
        return;
    }
    raw_free(k.items[i]);
    k.items[i] = items;
    k.capacity[i] = capacity;
}

class signature_log {
public:
    signature_log() = default;
    ~signature_log() { give_log_buffer(items_, capacity_); }
    signature_log(const signature_log&) = delete;
    signature_log& operator=(const signature_log&) = delete;

    // Appends; past what memory allows, the log is incomplete() and stops growing.
    void push_back(const signature& s) noexcept {
        if (size_ == capacity_ && !grow()) {
            incomplete_ = true;
            return;
        }
        items_[size_++] = s;
    }
    // Logs `s` as the attempt at `index`, at or past size(): the attempts skipped are not logged
    // (their places hold nothing to read).
    void put(std::size_t index, const signature& s) noexcept {
        if (index != size_) [[unlikely]] {
            while (capacity_ <= index && !incomplete_)
                incomplete_ = !grow();
            if (incomplete_)
                return;
            size_ = index;
        }
        push_back(s);
    }
    // Logs `s` as the attempt at `index` when it is the next place and the log has room for it;
    // else logs nothing and returns false (put() then grows the log, or skips to `index`).
    bool append_at(std::size_t index, const signature& s) noexcept {
        if (index != size_ || size_ == capacity_) [[unlikely]]
            return false;
        items_[size_++] = s;
        return true;
    }
    // The attempt at `index`, when recorded.
    const signature* find(std::size_t index) const noexcept { return index < size_ ? &items_[index] : nullptr; }
    std::size_t size() const noexcept { return size_; }
    bool incomplete() const noexcept { return incomplete_; }
    void clear() noexcept { size_ = 0, incomplete_ = false; }
    void swap(signature_log& other) noexcept {
        std::swap(items_, other.items_);
        std::swap(size_, other.size_);
        std::swap(capacity_, other.capacity_);
        std::swap(incomplete_, other.incomplete_);
    }

private:
    bool grow() noexcept {
        if (capacity_ == 0) {
            const auto [items, capacity] = take_log_buffer();
            if (items != nullptr) {
                items_ = items;
                capacity_ = capacity;
                return true;
            }
        }
        const std::size_t capacity = capacity_ == 0 ? 1024 : capacity_ * 2;
        void* items = raw_realloc(static_cast<void*>(items_), capacity * sizeof(signature));
        if (items == nullptr)
            return false;
        items_ = static_cast<signature*>(items);
        capacity_ = capacity;
        return true;
    }

    signature* items_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
    bool incomplete_ = false;
};

}  // namespace alloc_chaos::detail

#endif
