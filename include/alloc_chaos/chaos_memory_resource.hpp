#ifndef ALLOC_CHAOS_CHAOS_MEMORY_RESOURCE_HPP
#define ALLOC_CHAOS_CHAOS_MEMORY_RESOURCE_HPP

#include <alloc_chaos/finding.hpp>

#include <cstddef>
#include <memory>
#include <memory_resource>
#include <vector>

namespace alloc_chaos {

// Whether a chaos_memory_resource checks each deallocate against the allocate it undoes.
enum class deallocation_checks {
    off,  // a pure forwarder: the upstream's own pointers, sizes and speed
    on,   // double free, size or alignment mismatch, foreign pointer, overrun (guard bytes)
};

namespace detail {
class resource_ledger;
}

// A std::pmr::memory_resource whose allocations are attempts of the running check: during a
// check each allocate() is counted and, when it is the target, fails with injected_bad_alloc.
// Deallocation is never failed nor counted. With deallocation checks on (the default) it records
// every block it gives out and reports each misuse of deallocate() as a finding of the run in
// progress, or, outside a check's runs, on stderr and in misuse(); a misused block is never
// passed to the upstream in a way that corrupts it.
class chaos_memory_resource : public std::pmr::memory_resource {
public:
    // Wraps std::pmr::new_delete_resource(), with deallocation checks on.
    chaos_memory_resource();
    // Wraps std::pmr::new_delete_resource(), with deallocation checks as given.
    explicit chaos_memory_resource(alloc_chaos::deallocation_checks checks);
    // Wraps `upstream`, which must outlive this resource; nullptr throws std::invalid_argument.
    explicit chaos_memory_resource(std::pmr::memory_resource* upstream,
                                   alloc_chaos::deallocation_checks checks = alloc_chaos::deallocation_checks::on);
    // Releases the bookkeeping; blocks still live are not released (the check reports leaks).
    ~chaos_memory_resource() override;

    chaos_memory_resource(const chaos_memory_resource&) = delete;
    chaos_memory_resource& operator=(const chaos_memory_resource&) = delete;

    // The resource that serves the allocations this one does not fail.
    std::pmr::memory_resource* upstream() const noexcept { return upstream_; }
    // Whether deallocate() checks its arguments against the allocation.
    alloc_chaos::deallocation_checks deallocation_checks() const noexcept;
    // The misuse of deallocate() found outside a check's runs (which also went to stderr), oldest
    // first; empty with deallocation checks off. Misuse inside a run is a finding of that run.
    std::vector<finding> misuse() const;

protected:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override;
    // Never throws of its own: a misuse is reported, and the block released only when that is safe.
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
    // Equal to itself only: another resource cannot free what this one counted.
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override;

private:
    void* observed_allocate(std::size_t bytes, std::size_t alignment);
    void* checked_allocate(std::size_t bytes, std::size_t alignment);
    void checked_deallocate(void* p, std::size_t bytes, std::size_t alignment);

    std::pmr::memory_resource* upstream_;
    std::unique_ptr<detail::resource_ledger> ledger_;  // nullptr with deallocation checks off
};

}  // namespace alloc_chaos

#endif
