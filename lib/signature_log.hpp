#ifndef ALLOC_CHAOS_LIB_SIGNATURE_LOG_HPP
#define ALLOC_CHAOS_LIB_SIGNATURE_LOG_HPP

// The attempts of one run, in order: what divergence is measured against and what a leaked block
// is named by. Grows inside operator new, so its memory comes from the C allocator.

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/operation.hpp>

#include <cstddef>
#include <cstdlib>
#include <utility>

namespace alloc_chaos::detail {

// What a source asked for in one attempt.
struct signature {
    std::size_t size;
    std::size_t alignment;
    operation op;
    bool nothrow;

    friend bool operator==(const signature&, const signature&) = default;
    allocation at(std::size_t index) const noexcept { return {index, op, size, alignment, nothrow}; }
};

class signature_log {
public:
    signature_log() = default;
    ~signature_log() { std::free(items_); }
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
        const std::size_t capacity = capacity_ == 0 ? 1024 : capacity_ * 2;
        void* items = std::realloc(items_, capacity * sizeof(signature));
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
