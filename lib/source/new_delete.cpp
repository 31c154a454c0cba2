// The global operator new/delete bridge: every replaceable form, routed through the engine and
// backed by the C allocator (so it never recurses into itself). Link it once per executable
// (CMake: alloc_chaos::new_delete). Kept alone in its translation unit, no operator inline. Inside
// a run, an ordinary attempt and the free of a block of the run take the engine's inline paths:
// no call into the engine.

#include "../engine/attempt_path.hpp"
#include "../platform/c_allocation.hpp"

#include <alloc_chaos/detail/config.hpp>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

using alloc_chaos::operation;

using alloc_chaos::detail::c_free;

// The standard's loop: try, call the new_handler while one is installed, else fail.
void* serve(std::size_t size, std::size_t alignment) { return alloc_chaos::detail::c_allocate_or_throw(size, alignment); }
void* serve_nothrow(std::size_t size, std::size_t alignment) noexcept {
    return alloc_chaos::detail::c_allocate_or_null(size, alignment);
}

namespace detail = alloc_chaos::detail;

constexpr std::size_t plain = alloc_chaos::default_new_alignment;

// Says to the library's sources that the operators below are ::operator new and delete.
[[maybe_unused]] const bool announced = (detail::bridge_is_operator_new = true);

// An attempt of an observed run, of `alignment`, or of the default one when `Plain`; a nothrow
// form's when `Nothrow`. Out of line, so that the path outside a run stays a check and a call
// to the C allocator (its budget: within 5% of the C allocator alone).
template <bool Plain, bool Nothrow>
ALLOC_CHAOS_NOINLINE void* observed_allocate(detail::run_state& run, operation op, std::size_t size,
                                          std::size_t alignment) noexcept(Nothrow) {
    if constexpr (Plain)
        alignment = plain;
    constexpr detail::serve_function* served_by = Nothrow ? serve_nothrow : serve;
    std::size_t index = 0;
    if (detail::count_ordinary_attempt(run, index, detail::signature(size, alignment, op, Nothrow))) [[likely]] {
        void* block = served_by(size, alignment);
        if (Nothrow && block == nullptr)
            return nullptr;
        return detail::record_block(block, index, detail::release_code_of(op, size, alignment));
    }
    return detail::observe_served_attempt(run, op, size, alignment, Nothrow, served_by);
}

// An attempt outside every observed run while some run tracks blocks (inside `unobserved`, or on
// another thread): served, and noted so that its release is not taken for a double free.
template <bool Nothrow>
ALLOC_CHAOS_NOINLINE void* unobserved_allocate(std::size_t size, std::size_t alignment) noexcept(Nothrow) {
    void* block = Nothrow ? serve_nothrow(size, alignment) : serve(size, alignment);
    detail::note_unobserved_block(block);
    return block;
}

// Outside an observed run: one thread-local read, one relaxed atomic read and their branches,
// then the C allocator. The nothrow forms (`Nothrow`) take the same path, failing by returning
// nullptr.
template <bool Nothrow>
void* allocate(operation op, std::size_t size, std::size_t alignment) noexcept(Nothrow) {
    detail::run_state* run = detail::observed_run;
    if (run == nullptr) [[likely]] {
        if (detail::tracking_tables.load(std::memory_order_relaxed) != 0) [[unlikely]]
            return unobserved_allocate<Nothrow>(size, alignment);
        if constexpr (Nothrow)
            return serve_nothrow(size, alignment);
        else
            return serve(size, alignment);
    }
    if (alignment == plain)
        return observed_allocate<true, Nothrow>(*run, op, size, alignment);
    return observed_allocate<false, Nothrow>(*run, op, size, alignment);
}

using alloc_chaos::release_function;

// A release while some run tracks blocks: forgets `p` in the table that records it and checks it
// (checked_c_release), then frees it unless that would corrupt the heap. Out of line, like
// observed_allocate, so that release() outside every check stays a check and a call to free().
ALLOC_CHAOS_NOINLINE void checked_release(void* p, release_function by, std::size_t size,
                                          std::size_t alignment) noexcept {
    if (p == nullptr)
        return;
    if (detail::checked_c_release(p, by, {size, alignment}))
        c_free(p);
}

// Outside every check: one relaxed atomic read and a branch, then free(). `size` is 0 for an
// unsized form, `alignment` 0 for one without std::align_val_t.
template <release_function By>
void release(void* p, std::size_t size = 0, std::size_t alignment = 0) noexcept {
    if (detail::tracking_tables.load(std::memory_order_relaxed) != 0) [[unlikely]]
        return checked_release(p, By, size, alignment);
    c_free(p);
}

constexpr release_function single = release_function::operator_delete;
constexpr release_function array = release_function::operator_delete_array;

std::size_t to_size(std::align_val_t a) noexcept { return static_cast<std::size_t>(a); }

}  // namespace

void* operator new(std::size_t size) { return allocate<false>(operation::operator_new, size, plain); }
void* operator new[](std::size_t size) { return allocate<false>(operation::operator_new_array, size, plain); }
void* operator new(std::size_t size, std::align_val_t a) {
    return allocate<false>(operation::operator_new, size, to_size(a));
}
void* operator new[](std::size_t size, std::align_val_t a) {
    return allocate<false>(operation::operator_new_array, size, to_size(a));
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return allocate<true>(operation::operator_new, size, plain);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return allocate<true>(operation::operator_new_array, size, plain);
}
void* operator new(std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
    return allocate<true>(operation::operator_new, size, to_size(a));
}
void* operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
    return allocate<true>(operation::operator_new_array, size, to_size(a));
}

// Deallocation is never failed nor counted; inside a run it is checked against the allocation and
// reported, so that leaks and misuse can be found. free() serves every form, from any thread.
void operator delete(void* p) noexcept { release<single>(p); }
void operator delete[](void* p) noexcept { release<array>(p); }
void operator delete(void* p, std::size_t size) noexcept { release<single>(p, size); }
void operator delete[](void* p, std::size_t size) noexcept { release<array>(p, size); }
void operator delete(void* p, std::align_val_t a) noexcept { release<single>(p, 0, to_size(a)); }
void operator delete[](void* p, std::align_val_t a) noexcept { release<array>(p, 0, to_size(a)); }
void operator delete(void* p, std::size_t size, std::align_val_t a) noexcept { release<single>(p, size, to_size(a)); }
void operator delete[](void* p, std::size_t size, std::align_val_t a) noexcept { release<array>(p, size, to_size(a)); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release<single>(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release<array>(p); }
void operator delete(void* p, std::align_val_t a, const std::nothrow_t&) noexcept { release<single>(p, 0, to_size(a)); }
void operator delete[](void* p, std::align_val_t a, const std::nothrow_t&) noexcept { release<array>(p, 0, to_size(a)); }
