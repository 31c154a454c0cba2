#ifndef ALLOC_CHAOS_FORBID_ALLOCATIONS_HPP
#define ALLOC_CHAOS_FORBID_ALLOCATIONS_HPP

namespace alloc_chaos {

// While alive, any allocation attempt of this thread inside a check's run is a finding
// (`forbidden_allocation`) naming what was asked: for code that promises not to allocate
// (noexcept swaps, moves, destructors, real-time paths). The attempt is served, not counted, and
// never failed. Thread-local, nestable, free outside a check; `unobserved` inside it wins.
class forbid_allocations {
public:
    forbid_allocations() noexcept;
    ~forbid_allocations();
    forbid_allocations(const forbid_allocations&) = delete;
    forbid_allocations& operator=(const forbid_allocations&) = delete;
};

}  // namespace alloc_chaos

// attempts_of and assert_no_allocation, once declared here.
#include <alloc_chaos/attempts_of.hpp>

#endif
