#include "chaos_memory_resource_ledger.hpp"

#include <alloc_chaos/source.hpp>

#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <sstream>
#include <string_view>

namespace alloc_chaos::detail {

namespace {

// The guard's pattern: neither zeros, nor ones, nor text, so that a stray write changes it.
constexpr unsigned char guard_pattern[resource_ledger::guard_size] = {
    0xac, 0x5e, 0xd1, 0x93, 0xac, 0x5e, 0xd1, 0x93, 0xac, 0x5e, 0xd1, 0x93, 0xac, 0x5e, 0xd1, 0x93};

unsigned char* guard_of(void* p, std::size_t bytes) noexcept { return static_cast<unsigned char*>(p) + bytes; }

// The offset in the block of the first guard byte that changed, if any.
std::optional<std::size_t> changed_guard(void* p, std::size_t bytes) noexcept {
    const unsigned char* guard = guard_of(p, bytes);
    for (std::size_t i = 0; i < resource_ledger::guard_size; ++i)
        if (guard[i] != guard_pattern[i])
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

std::size_t resource_ledger::upstream_size(std::size_t bytes) {
    if (bytes > std::numeric_limits<std::size_t>::max() - guard_size)
        throw std::bad_alloc();
    return bytes + guard_size;
}

void resource_ledger::record(void* p, std::size_t bytes, std::size_t alignment, const std::optional<allocation>& by) {
    std::memcpy(guard_of(p, bytes), guard_pattern, guard_size);
    std::lock_guard<std::mutex> lock(mutex_);
    blocks_.insert_or_assign(p, block{bytes, alignment, by, true});  // a released address given out again
}

resource_ledger::release resource_ledger::check(void* p, std::size_t bytes, std::size_t alignment) noexcept {
    std::optional<block> found;
    try {
        std::lock_guard<std::mutex> lock(mutex_);
        if (auto it = blocks_.find(p); it != blocks_.end()) {
            found = it->second;
            it->second.live = false;  // before the upstream may give the address out again
        }
    } catch (...) {  // the mutex failed: the block is unknown, so it is kept
    }

    const call asked{bytes, alignment};
    if (!found) {
        report(finding_kind::foreign_pointer, std::nullopt, compose([&](std::ostream& out) {
                   out << asked << ": p was never given out by this resource, so it was not released; "
                       << "deallocate a block on the resource that allocated it";
               }));
        return {};
    }
    const described block_of{found->bytes, found->alignment, found->by};
    if (!found->live) {
        report(finding_kind::double_free, found->by, compose([&](std::ostream& out) {
                   out << asked << ": " << block_of << " was already released; it was not released again";
               }));
        return {};
    }
    if (bytes != found->bytes)
        report(finding_kind::size_mismatch, found->by, compose([&](std::ostream& out) {
                   out << asked << " of " << block_of << ": pass the size given to allocate; the block was "
                       << "released with size=" << found->bytes;
               }));
    if (alignment != found->alignment)
        report(finding_kind::alignment_mismatch, found->by, compose([&](std::ostream& out) {
                   out << asked << " of " << block_of << ": pass the alignment given to allocate; the block "
                       << "was released with align=" << found->alignment;
               }));
    if (const auto offset = changed_guard(p, found->bytes))
        report(finding_kind::overrun, found->by, compose([&](std::ostream& out) {
                   out << asked << ": " << block_of << " was written past its end, at offset " << *offset
                       << "; write only within the size given to allocate";
               }));
    return {true, found->bytes + guard_size, found->alignment};
}

std::vector<finding> resource_ledger::misuse() const {
    std::lock_guard<std::mutex> lock(mutex_);
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
        std::lock_guard<std::mutex> lock(mutex_);
        misuse_.emplace_back(kind, concerned, std::string(text));
    } catch (...) {  // out of memory: the line on stderr stays the only trace
    }
}

}  // namespace alloc_chaos::detail
