#include "chaos_memory_resource_ledger.hpp"

#include <alloc_chaos/detail/config.hpp>
#include <alloc_chaos/source.hpp>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <sstream>
#include <string_view>
#include <utility>

namespace alloc_chaos::detail {

namespace {

// The guard's pattern, a 4-byte period from the block's end: neither zeros, nor ones, nor text, so
// that a stray write changes it. Long enough to copy 16 bytes from any phase.
constexpr unsigned char guard_pattern[24] = {0xac, 0x5e, 0xd1, 0x93, 0xac, 0x5e, 0xd1, 0x93, 0xac, 0x5e, 0xd1, 0x93,
                                             0xac, 0x5e, 0xd1, 0x93, 0xac, 0x5e, 0xd1, 0x93, 0xac, 0x5e, 0xd1, 0x93};

unsigned char* guard_of(void* p, std::size_t bytes) noexcept { return static_cast<unsigned char*>(p) + bytes; }

// Writes the pattern over the `size` (8 to 23) guard bytes at `guard`, in two fixed-size copies
// that overlap: 8 bytes at the start, and 8 or 16 ending at the end.
void fill_guard(unsigned char* guard, std::size_t size) noexcept {
    std::memcpy(guard, guard_pattern, 8);
    if (size > 16)
        std::memcpy(guard + size - 16, guard_pattern + (size - 16) % 4, 16);
    else if (size > 8)
        std::memcpy(guard + size - 8, guard_pattern + (size - 8) % 4, 8);
}

// Whether the `size` guard bytes at `guard` still hold the pattern, compared as fill_guard wrote them.
bool guard_intact(const unsigned char* guard, std::size_t size) noexcept {
    bool intact = std::memcmp(guard, guard_pattern, 8) == 0;
    if (size > 16)
        intact = intact && std::memcmp(guard + size - 16, guard_pattern + (size - 16) % 4, 16) == 0;
    else if (size > 8)
        intact = intact && std::memcmp(guard + size - 8, guard_pattern + (size - 8) % 4, 8) == 0;
    return intact;
}

// The offset in the block of the first guard byte that changed, if any.
std::optional<std::size_t> changed_guard(void* p, std::size_t bytes) noexcept {
    const unsigned char* guard = guard_of(p, bytes);
    const std::size_t size = resource_ledger::guard_size(bytes);
    if (guard_intact(guard, size)) [[likely]]
        return std::nullopt;
    for (std::size_t i = 0; i < size; ++i)
        if (guard[i] != guard_pattern[i % 4])
            return bytes + i;
    return std::nullopt;
}

// "chaos_memory_resource::deallocate(p, 32, 8)".
struct call {
    std::size_t bytes, alignment;
};
std::ostream& operator<<(std::ostream& out, call c) {
    return out << "chaos_memory_resource::deallocate(p, " << c.bytes << ", " << c.alignment << ')';
}

// "the block of #3 resource allocate size=64 align=8", or for a block allocated outside an
// observed run "the block of size=64 align=8 (allocated unobserved)".
struct described {
    std::size_t bytes, alignment;
    const std::optional<allocation>& by;
};
std::ostream& operator<<(std::ostream& out, described b) {
    if (b.by)
        return out << "the block of " << *b.by;
    return out << "the block of size=" << b.bytes << " align=" << b.alignment << " (allocated unobserved)";
}

// The message `write` composes; empty when there is no memory for it.
template <class F>
std::string compose(F&& write) noexcept {
    try {
        std::ostringstream out;
        write(out);
        return std::move(out).str();
    } catch (...) {
        return {};
    }
}

}  // namespace

namespace {
// A thread's identity, by its address: cheaper to read than std::this_thread::get_id().
constinit thread_local char thread_marker = 0;
}  // namespace

resource_ledger::resource_ledger() noexcept : owner_(&thread_marker), lock_(process_fence_protocol()) {}

resource_ledger::~resource_ledger() { std::free(entries_); }

template <class F>
auto resource_ledger::exclusive(F&& f) {
    if (&thread_marker == owner_) [[likely]]
        return lock_.owner(f);
    return lock_.remote(f);
}

resource_ledger::entry* resource_ledger::slot_of(std::uintptr_t key) const noexcept {
    if (capacity_ == 0)
        return nullptr;
    const std::size_t mask = capacity_ - 1;
    for (std::size_t i = address_slot(static_cast<std::uint64_t>(key), shift_);;
         i = (i + 1) & mask)
        if (entries_[i].key == key || entries_[i].key == 0)
            return &entries_[i];
}

bool resource_ledger::grow() noexcept {
    const std::size_t capacity = capacity_ == 0 ? 64 : capacity_ * 2;
    auto* entries = static_cast<entry*>(std::calloc(capacity, sizeof(entry)));
    if (entries == nullptr)
        return false;
    entry* old = entries_;
    const std::size_t old_capacity = capacity_;
    entries_ = entries;
    capacity_ = capacity;
    shift_ = static_cast<unsigned>(64 - std::countr_zero(capacity));
    for (std::size_t i = 0; i < old_capacity; ++i)
        if (old[i].key != 0)
            *slot_of(old[i].key) = old[i];
    std::free(old);
    return true;
}

void resource_ledger::record(void* p, std::size_t bytes, std::size_t alignment, std::optional<std::size_t> attempt) {
    fill_guard(guard_of(p, bytes), guard_size(bytes));
    const auto key = reinterpret_cast<std::uintptr_t>(p);
    const entry recorded{key, bytes, alignment, live_bit | (attempt ? static_cast<std::uint64_t>(*attempt) : no_attempt)};
    const bool recorded_it = exclusive([&] {
        entry* e = slot_of(key);
        if (e == nullptr || (e->key != key && (size_ + 1) * 4 > capacity_ * 3)) {  // at most 3/4 full
            if (!grow())
                return false;
            e = slot_of(key);
        }
        if (e->key != key)
            ++size_;
        *e = recorded;  // a released address given out again is live again
        return true;
    });
    if (!recorded_it)
        throw std::bad_alloc();
}

resource_ledger::release resource_ledger::check(void* p, std::size_t bytes, std::size_t alignment,
                                               bool unrecorded_blocks) noexcept {
    const std::optional<entry> found = exclusive([&]() -> std::optional<entry> {
        entry* e = slot_of(reinterpret_cast<std::uintptr_t>(p));
        if (e == nullptr || e->key == 0)
            return std::nullopt;
        const entry before = *e;
        e->state &= ~live_bit;  // before the upstream may give the address out again
        return before;
    });
    if (found && (found->state & live_bit) != 0 && found->bytes == bytes && found->alignment == alignment &&
        guard_intact(guard_of(p, bytes), guard_size(bytes))) [[likely]]
        return {true, true, upstream_size(bytes), alignment};
    return misused(p, bytes, alignment, found, unrecorded_blocks);
}

// Out of line: the messages' streams make a large frame that a correct call does not pay for.
ALLOC_CHAOS_NOINLINE resource_ledger::release resource_ledger::misused(void* p, std::size_t bytes, std::size_t alignment,
                                                                    const std::optional<entry>& found,
                                                                    bool unrecorded_blocks) noexcept {
    const call asked{bytes, alignment};
    if (!found) {
        if (unrecorded_blocks)  // perhaps a block given out before the ledger existed
            return {true, false, bytes, alignment};
        report(finding_kind::foreign_pointer, std::nullopt, compose([&](std::ostream& out) {
                   out << asked << ": p was never given out by this resource, so it was not released; "
                       << "deallocate a block on the resource that allocated it";
               }));
        return {};
    }
    const std::size_t allocated_bytes = found->bytes;
    const std::uint64_t index = found->state & no_attempt;
    const std::optional<allocation> by =
        index == no_attempt ? std::nullopt
                            : std::optional<allocation>(std::in_place, static_cast<std::size_t>(index),
                                                        operation::resource_allocate, allocated_bytes,
                                                        found->alignment, false);
    const described block_of{allocated_bytes, found->alignment, by};
    if ((found->state & live_bit) == 0) {
        report(finding_kind::double_free, by, compose([&](std::ostream& out) {
                   out << asked << ": " << block_of << " was already released; it was not released again";
               }));
        return {};
    }
    if (bytes != allocated_bytes)
        report(finding_kind::size_mismatch, by, compose([&](std::ostream& out) {
                   out << asked << " of " << block_of << ": pass the size given to allocate; the block was "
                       << "released with size=" << allocated_bytes;
               }));
    if (alignment != found->alignment)
        report(finding_kind::alignment_mismatch, by, compose([&](std::ostream& out) {
                   out << asked << " of " << block_of << ": pass the alignment given to allocate; the block "
                       << "was released with align=" << found->alignment;
               }));
    if (const auto offset = changed_guard(p, allocated_bytes))
        report(finding_kind::overrun, by, compose([&](std::ostream& out) {
                   out << asked << ": " << block_of << " was written past its end, at offset " << *offset
                       << "; write only within the size given to allocate";
               }));
    return {true, true, allocated_bytes + guard_size(allocated_bytes), found->alignment};
}

std::vector<finding> resource_ledger::misuse() const {
    std::lock_guard<std::mutex> lock(misuse_mutex_);
    return misuse_;
}

void resource_ledger::report(finding_kind kind, const std::optional<allocation>& concerned,
                             const std::string& message) noexcept {
    const std::string_view text =
        message.empty() ? std::string_view("chaos_memory_resource::deallocate: no memory to say more") : message;
    if (report_finding(kind, concerned, text))
        return;
    const std::string_view name = to_string(kind);
    std::fprintf(stderr, "alloc-chaos: %.*s: %.*s\n", static_cast<int>(name.size()), name.data(),
                 static_cast<int>(text.size()), text.data());
    try {
        std::lock_guard<std::mutex> lock(misuse_mutex_);
        misuse_.emplace_back(kind, concerned, std::string(text));
    } catch (...) {  // out of memory: the line on stderr stays the only trace
    }
}

}  // namespace alloc_chaos::detail
