#ifndef ALLOC_CHAOS_DETAIL_BODY_REF_HPP
#define ALLOC_CHAOS_DETAIL_BODY_REF_HPP

// How a template entry point (checker::run, attempts_of, ...) hands its callable to the library
// compiled out of line: by reference, with no allocation, so that no attempt is the library's.

#include <functional>
#include <memory>

namespace alloc_chaos::detail {

// A non-owning, allocation-free reference to the body under check.
struct body_ref {
    void* object;
    void (*call)(void* object);
    void operator()() const { call(object); }
};

// A body_ref calling `f` (an object, not a function), which must outlive it; a const `f` is
// called as const.
template <class F>
body_ref ref_to(F& f) noexcept {
    void* object = const_cast<void*>(static_cast<const void*>(std::addressof(f)));
    return {object, [](void* o) { std::invoke(*static_cast<F*>(o)); }};
}

}  // namespace alloc_chaos::detail

#endif
