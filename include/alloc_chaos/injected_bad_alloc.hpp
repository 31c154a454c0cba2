#ifndef ALLOC_CHAOS_INJECTED_BAD_ALLOC_HPP
#define ALLOC_CHAOS_INJECTED_BAD_ALLOC_HPP

#include <alloc_chaos/allocation.hpp>

#include <new>

namespace alloc_chaos {

// The error a failed attempt throws: a std::bad_alloc that knows which allocation failed.
// It allocates nothing, so it can be thrown and copied while memory is "exhausted".
class injected_bad_alloc : public std::bad_alloc {
public:
    explicit injected_bad_alloc(const alloc_chaos::allocation& failed) noexcept;

    // The attempt that was failed.
    const alloc_chaos::allocation& allocation() const noexcept { return allocation_; }
    // "alloc-chaos injected failure of attempt #3 operator new size=64 align=16"; in a persistent
    // run, which fails its target and every later attempt, followed by the run's target:
    // "alloc-chaos injected failure of attempt #5 operator new size=64 align=16 (persistent from target #3)".
    const char* what() const noexcept override { return what_; }

private:
    alloc_chaos::allocation allocation_;
    char what_[192];  // fits the longest message, with every number at 20 digits
};

}  // namespace alloc_chaos

#endif
