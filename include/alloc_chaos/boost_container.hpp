#ifndef ALLOC_CHAOS_BOOST_CONTAINER_HPP
#define ALLOC_CHAOS_BOOST_CONTAINER_HPP

// Boost.Container integration: a chaos memory resource for boost::container::pmr containers,
// whose memory_resource is a class of its own, not std::pmr::memory_resource. Link
// alloc_chaos::boost_container (CMake) or boost_container (b2), which links Boost.Container.
//
//     alloc_chaos::boost_container::chaos_memory_resource chaos;
//     boost::container::pmr::vector<int> v(&chaos);  // each allocation an attempt of the check

#include <alloc_chaos/deallocation_checks.hpp>
#include <alloc_chaos/detail/resource_core.hpp>
#include <alloc_chaos/finding.hpp>

#include <boost/container/pmr/memory_resource.hpp>

#include <cstddef>
#include <vector>

namespace alloc_chaos::boost_container {

// alloc_chaos::chaos_memory_resource for Boost.Container: the same attempts (resource allocate),
// the same deallocation checks and findings, the same start of the checks; only the upstream and
// the base class are Boost.Container's. (A boost::container::pmr::polymorphic_allocator asks for
// alignof(T); Boost's new_delete_resource() serves every request from new char[], aligned to
// __STDCPP_DEFAULT_NEW_ALIGNMENT__ at most, which this resource passes on as it is.)
// Any thread may use it; only the checking thread's allocations are attempts.
class chaos_memory_resource : public boost::container::pmr::memory_resource {
public:
    // Wraps boost::container::pmr::new_delete_resource(), with deallocation checks from the first check.
    chaos_memory_resource();
    // Wraps boost::container::pmr::new_delete_resource(), with deallocation checks as given.
    explicit chaos_memory_resource(alloc_chaos::deallocation_checks checks);
    // Wraps `upstream`, which must outlive this resource; nullptr throws std::invalid_argument.
    // Every constructor that starts the checks (always, or from_first_check inside a check's run)
    // throws std::bad_alloc when their bookkeeping cannot be allocated.
    explicit chaos_memory_resource(
        boost::container::pmr::memory_resource* upstream,
        alloc_chaos::deallocation_checks checks = alloc_chaos::deallocation_checks::from_first_check);
    // Releases the bookkeeping; blocks still live are not released (the check reports leaks).
    ~chaos_memory_resource() override;

    chaos_memory_resource(const chaos_memory_resource&) = delete;
    chaos_memory_resource& operator=(const chaos_memory_resource&) = delete;

    // The resource that serves the allocations this one does not fail.
    boost::container::pmr::memory_resource* upstream() const noexcept { return upstream_; }
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
    bool do_is_equal(const boost::container::pmr::memory_resource& other) const noexcept override;

private:
    boost::container::pmr::memory_resource* upstream_;
    detail::resource_core core_;  // the attempts and the deallocation checks, shared with the std resource
};

}  // namespace alloc_chaos::boost_container

#endif
