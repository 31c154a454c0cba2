#ifndef ALLOC_CHAOS_CHAOS_MEMORY_RESOURCE_HPP
#define ALLOC_CHAOS_CHAOS_MEMORY_RESOURCE_HPP

#include <alloc_chaos/deallocation_checks.hpp>
#include <alloc_chaos/detail/resource_core.hpp>
#include <alloc_chaos/finding.hpp>

#include <cstddef>
#include <memory_resource>
#include <vector>

namespace alloc_chaos {

// A std::pmr::memory_resource whose allocations are attempts of the running check: during a
// check each allocate() is counted and, when it is the target, fails with injected_bad_alloc.
// Deallocation is never failed nor counted. While its deallocation checks are active it records
// every block it gives out and reports each misuse of deallocate() as a finding of the run in
// progress, or, outside a check's runs, on stderr and in misuse(); a misused block is never
// passed to the upstream in a way that corrupts it. By default (from_first_check) the checks start
// when the resource is made during a check's run, or at its first allocate() during one; until
// then it is a pure forwarder. Blocks given out before then are not checked, and a deallocate()
// of a pointer the checks do not know is then released as given, since it may be one of them:
// to have every deallocation checked, make the resource inside the check, or use always.
// Any thread may use it; only the checking thread's allocations are attempts.
class chaos_memory_resource : public std::pmr::memory_resource {
public:
    // Wraps std::pmr::new_delete_resource(), with deallocation checks from the first check.
    chaos_memory_resource();
    // Wraps std::pmr::new_delete_resource(), with deallocation checks as given.
    explicit chaos_memory_resource(alloc_chaos::deallocation_checks checks);
    // Wraps `upstream`, which must outlive this resource; nullptr throws std::invalid_argument.
    // Every constructor that starts the checks (always, or from_first_check inside a check's run)
    // throws std::bad_alloc when their bookkeeping cannot be allocated.
    explicit chaos_memory_resource(
        std::pmr::memory_resource* upstream,
        alloc_chaos::deallocation_checks checks = alloc_chaos::deallocation_checks::from_first_check);
    // Releases the bookkeeping; blocks still live are not released (the check reports leaks).
    ~chaos_memory_resource() override;

    chaos_memory_resource(const chaos_memory_resource&) = delete;
    chaos_memory_resource& operator=(const chaos_memory_resource&) = delete;

    // The resource that serves the allocations this one does not fail.
    std::pmr::memory_resource* upstream() const noexcept { return upstream_; }
    // When deallocate() checks its arguments against the allocation, as given at construction.
    alloc_chaos::deallocation_checks deallocation_checks() const noexcept { return core_.checks(); }
    // Whether the deallocation checks are active now: always, or from_first_check once started.
    bool checking_deallocations() const noexcept { return core_.checking(); }
    // The misuse of deallocate() found outside a check's runs (which also went to stderr), oldest
    // first; empty while the checks are not active. Misuse inside a run is a finding of that run.
    std::vector<finding> misuse() const;

protected:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override;
    // Never throws of its own: a misuse is reported, and the block released only when that is safe.
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
    // Equal to itself only: another resource cannot free what this one counted.
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override;

private:
    std::pmr::memory_resource* upstream_;
    detail::resource_core core_;  // the attempts and the deallocation checks, shared with Boost.Container's resource
};

}  // namespace alloc_chaos

#endif
