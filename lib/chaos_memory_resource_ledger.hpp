#ifndef ALLOC_CHAOS_LIB_CHAOS_MEMORY_RESOURCE_LEDGER_HPP
#define ALLOC_CHAOS_LIB_CHAOS_MEMORY_RESOURCE_LEDGER_HPP

// The deallocation checks of a chaos_memory_resource: every block it gave out, with guard bytes
// after it, and the addresses it released until the upstream gives them out again. Any thread may
// call it; every call is made inside `unobserved`, so that no bookkeeping is an attempt.

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/finding.hpp>

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace alloc_chaos::detail {

class resource_ledger {
public:
    // The bytes after each block that must keep their pattern until it is released.
    static constexpr std::size_t guard_size = 16;

    // What to ask of the upstream for a block of `bytes`; throws std::bad_alloc when that overflows.
    static std::size_t upstream_size(std::size_t bytes);

    // Fills the guard of `block` (served by the upstream for upstream_size(bytes) and `alignment`)
    // and records it as live, allocated by `by` when that attempt was observed. Throws
    // std::bad_alloc when out of memory, recording nothing.
    void record(void* block, std::size_t bytes, std::size_t alignment, const std::optional<allocation>& by);

    // What deallocate() gives back to the upstream.
    struct release {
        bool to_upstream = false;   // false for a double free or a foreign pointer
        std::size_t bytes = 0;      // the upstream size of the block, guard included
        std::size_t alignment = 0;  // the alignment it was allocated with
    };
    // Checks deallocate(p, bytes, alignment) against the allocation of `p`, reports each misuse,
    // and from now on knows `p` as released.
    release check(void* p, std::size_t bytes, std::size_t alignment) noexcept;

    // What was reported outside a check's runs, oldest first.
    std::vector<finding> misuse() const;

private:
    struct block {
        std::size_t bytes;
        std::size_t alignment;
        std::optional<allocation> by;  // the observed attempt that allocated it
        bool live;                     // false once released, until given out again
    };

    // A finding of the run in progress on this thread, or else a line on stderr kept in misuse_.
    void report(finding_kind kind, const std::optional<allocation>& concerned, const std::string& message) noexcept;

    mutable std::mutex mutex_;
    std::unordered_map<const void*, block> blocks_;
    std::vector<finding> misuse_;
};

}  // namespace alloc_chaos::detail

#endif
