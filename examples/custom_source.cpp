// Your own allocator as a source: a bump arena reports each request through the public hook
// (alloc_chaos::observe_attempt, as operation::custom_allocate) and grows its chunks from
// operator new inside alloc_chaos::unobserved, so that each request counts as one attempt
// whether or not it makes the arena grow.

#include <alloc_chaos/alloc_chaos.hpp>

#include <algorithm>
#include <cstddef>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Hands out memory from chunks it frees all at once; deallocate() does nothing.
class bump_arena {
public:
    explicit bump_arena(std::size_t chunk_size) : chunk_size_(chunk_size) {}
    bump_arena(const bump_arena&) = delete;
    bump_arena& operator=(const bump_arena&) = delete;

    void* allocate(std::size_t size, std::size_t alignment) {
        // The hook: one attempt per request, failed when it is the check's target.
        if (auto failure = alloc_chaos::observe_attempt(alloc_chaos::operation::custom_allocate, size, alignment))
            throw alloc_chaos::injected_bad_alloc(*failure);
        if (void* p = carve(size, alignment))
            return p;
        {
            alloc_chaos::unobserved upstream;  // growing is part of this attempt, not another one
            const std::size_t bytes = std::max(chunk_size_, size + alignment);
            chunks_.push_back(std::make_unique_for_overwrite<std::byte[]>(bytes));
            next_ = chunks_.back().get();
            space_ = bytes;
        }
        return carve(size, alignment);
    }

    std::size_t chunks() const noexcept { return chunks_.size(); }

private:
    void* carve(std::size_t size, std::size_t alignment) noexcept {
        void* p = next_;
        if (std::align(alignment, size, p, space_) == nullptr)
            return nullptr;
        next_ = static_cast<std::byte*>(p) + size;
        space_ -= size;
        return p;
    }

    std::size_t chunk_size_;
    std::vector<std::unique_ptr<std::byte[]>> chunks_;
    void* next_ = nullptr;
    std::size_t space_ = 0;
};

// A standard allocator over the arena, for std containers.
template <class T>
class arena_allocator {
public:
    using value_type = T;

    explicit arena_allocator(bump_arena& arena) noexcept : arena_(&arena) {}
    template <class U>
    arena_allocator(const arena_allocator<U>& other) noexcept : arena_(other.arena()) {}

    T* allocate(std::size_t n) { return static_cast<T*>(arena_->allocate(n * sizeof(T), alignof(T))); }
    void deallocate(T*, std::size_t) noexcept {}

    bump_arena* arena() const noexcept { return arena_; }
    friend bool operator==(const arena_allocator&, const arena_allocator&) noexcept = default;

private:
    bump_arena* arena_;
};

using arena_string = std::basic_string<char, std::char_traits<char>, arena_allocator<char>>;
using arena_strings = std::vector<arena_string, arena_allocator<arena_string>>;

// Splits a path into its segments, all of them kept in the arena.
arena_strings segments(std::string_view path, bump_arena& arena) {
    arena_strings result{arena_allocator<arena_string>(arena)};
    for (std::size_t start = 1; start <= path.size();) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        result.emplace_back(path.substr(start, end - start), arena_allocator<char>(arena));
        start = end + 1;
    }
    return result;
}

}  // namespace

int main() {
    std::size_t grown = 0;
    const alloc_chaos::report report = alloc_chaos::check([&] {
        bump_arena arena(64);  // small chunks, so that the body grows the arena several times
        const arena_strings parts = segments("/srv/archive/2024-05-17/incoming/customer-invoices/scan-0042.pdf", arena);
        if (parts.size() != 6 || parts[4] != "customer-invoices" || parts[5] != "scan-0042.pdf")
            throw std::logic_error("segments: wrong result");
        grown = arena.chunks();
    });

    std::cout << report;
    for (const alloc_chaos::attempt& a : report.attempts())
        if (a.injected())
            std::cout << "  failed " << *a.injected_allocation() << ": " << a.outcome() << '\n';
    std::cout << "  the arena grew " << grown << " chunks per run; its growth was never counted\n";

    try {
        report.assert_success();
    } catch (const alloc_chaos::check_failed&) {
        std::cerr << "custom_source: the check did not pass (see the report above)\n";
        return 1;
    }
    for (const alloc_chaos::attempt& a : report.attempts())
        if (a.injected_allocation()->operation() != alloc_chaos::operation::custom_allocate) {
            std::cerr << "custom_source: an attempt did not come from the arena\n";
            return 1;
        }
}
