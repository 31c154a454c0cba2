#ifndef ALLOC_CHAOS_CHAOS_MEMORY_RESOURCE_HPP
#define ALLOC_CHAOS_CHAOS_MEMORY_RESOURCE_HPP

#include <cstddef>
#include <memory_resource>

namespace alloc_chaos {

// A std::pmr::memory_resource whose allocations are attempts of the running check: during a
// check each allocate() is counted and, when it is the target, fails with injected_bad_alloc.
// Outside a check it only forwards to its upstream. Deallocation is never failed nor counted.
class chaos_memory_resource : public std::pmr::memory_resource {
public:
    // Wraps std::pmr::new_delete_resource().
    chaos_memory_resource() noexcept;
    // Wraps `upstream`, which must outlive this resource; nullptr throws std::invalid_argument.
    explicit chaos_memory_resource(std::pmr::memory_resource* upstream);

    chaos_memory_resource(const chaos_memory_resource&) = delete;
    chaos_memory_resource& operator=(const chaos_memory_resource&) = delete;

    // The resource that serves the allocations this one does not fail.
    std::pmr::memory_resource* upstream() const noexcept { return upstream_; }

protected:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override;
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
    // Equal to itself only: another resource cannot free what this one counted.
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override;

private:
    void* observed_allocate(std::size_t bytes, std::size_t alignment);

    std::pmr::memory_resource* upstream_;
};

}  // namespace alloc_chaos

#endif
