#ifndef ALLOC_CHAOS_DETAIL_RESOURCE_CORE_HPP
#define ALLOC_CHAOS_DETAIL_RESOURCE_CORE_HPP

// What the chaos memory resources (std::pmr's and Boost.Container's) share: the attempts, the
// deallocation checks and their start. Each resource keeps its upstream and hands the core an
// `Upstream`, a pointer-sized value whose allocate/deallocate call that upstream and whose
// guarded_allocate/guarded_deallocate serve and release a block with its guard bytes. The
// templates are defined in lib/source/resource_core.hpp and instantiated by each resource's source.

#include <alloc_chaos/deallocation_checks.hpp>
#include <alloc_chaos/finding.hpp>

#include <atomic>
#include <cstddef>
#include <vector>

namespace alloc_chaos::detail {

class resource_ledger;

class resource_core {
public:
    // Throws std::invalid_argument with `nullptr_upstream` (the message that names the call and
    // the fix) when `has_upstream` is false; starts the checks as `checks` says, throwing
    // std::bad_alloc when their bookkeeping cannot be allocated.
    resource_core(bool has_upstream, alloc_chaos::deallocation_checks checks, const char* nullptr_upstream);
    // Releases the bookkeeping.
    ~resource_core();
    resource_core(const resource_core&) = delete;
    resource_core& operator=(const resource_core&) = delete;

    alloc_chaos::deallocation_checks checks() const noexcept { return checks_; }
    bool checking() const noexcept { return ledger_.load(std::memory_order_acquire) != nullptr; }
    std::vector<finding> misuse() const;

    // do_allocate() and do_deallocate() of a resource over `upstream`.
    template <class Upstream>
    void* allocate(Upstream upstream, std::size_t bytes, std::size_t alignment);
    template <class Upstream>
    void deallocate(Upstream upstream, void* p, std::size_t bytes, std::size_t alignment);

private:
    template <class Upstream>
    void* unarmed_allocate(Upstream upstream, std::size_t bytes, std::size_t alignment);
    template <class Upstream>
    void* observed_allocate(Upstream upstream, std::size_t bytes, std::size_t alignment);
    template <class Upstream>
    void* checked_allocate(Upstream upstream, std::size_t bytes, std::size_t alignment);
    template <class Upstream>
    void checked_deallocate(Upstream upstream, void* p, std::size_t bytes, std::size_t alignment);
    void arm();
    resource_ledger& ledger() const noexcept;

    std::atomic<bool> gave_unchecked_{false};  // a block may have been given out before the checks started
    alloc_chaos::deallocation_checks checks_;
    // The checks' bookkeeping, owned: set once, when they start, and nullptr until then.
    std::atomic<resource_ledger*> ledger_{nullptr};
};

}  // namespace alloc_chaos::detail

#endif
