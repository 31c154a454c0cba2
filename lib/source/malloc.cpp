// The C allocator as a source: malloc, calloc, realloc, reallocarray, free, aligned_alloc,
// posix_memalign, memalign, valloc, pvalloc and malloc_usable_size, replaced for the whole
// program (so that glibc's strdup, getline, asprintf and every C library linked reach them),
// routed through the engine and served by glibc's underlying allocator (__libc_malloc, ...). Link
// it once per executable, statically (CMake: alloc_chaos::malloc), with the global bridge or
// without it. Kept alone in its translation unit, like the bridge.
//
// What an attempt is (one per call; operation, size, alignment as reported):
//   - malloc(n): operation::malloc, n, alignof(std::max_align_t);
//   - calloc(c, n): operation::calloc, c * n; a product that overflows is no attempt (ENOMEM);
//   - realloc(p, n), reallocarray(p, c, n) (c * n): operation::realloc, in place or moved;
//     realloc(nullptr, n) is operation::malloc, as compilers compile it (GCC calls malloc(n) for
//     it); realloc(p, 0) frees p, as glibc's does, and is no attempt;
//   - aligned_alloc(a, n), memalign(a, n), posix_memalign(&p, a, n): operation::aligned_alloc, n, a;
//     valloc(n) and pvalloc(n) with the page size as a. An alignment glibc refuses (EINVAL) is no
//     attempt.
// A failed attempt returns nullptr with errno == ENOMEM (posix_memalign returns ENOMEM and leaves
// its out-parameter alone); a failed realloc leaves its block valid and live. Every attempt is a
// nothrow one. Deallocation is never failed nor counted.
//
// What the C++ runtime takes from malloc for itself is served unobserved, no attempt: the objects
// of a throw (__cxa_allocate_exception, whose failure the runtime's emergency pool would hide) and
// the registration of a thread_local object's destructor (__cxa_thread_atexit, whose failure ends
// the process).

#include "../engine/attempt_path.hpp"
#include "../platform/raw_memory.hpp"

#include <alloc_chaos/detail/config.hpp>
#include <alloc_chaos/source.hpp>  // unobserved

#if ALLOC_CHAOS_SANITIZER_OWNS_MALLOC
#error "alloc_chaos::malloc replaces malloc, which AddressSanitizer, ThreadSanitizer and MemorySanitizer own and replace themselves: build and link it without -fsanitize=address, thread or memory (the global bridge alloc_chaos::new_delete and chaos_memory_resource work under them); under valgrind, run with --soname-synonyms=somalloc=nouserintercepts"
#endif

#include <dlfcn.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

// glibc's allocator under its own names, besides those of raw_memory.hpp.
extern "C" {
void* __libc_valloc(std::size_t size) noexcept;
void* __libc_pvalloc(std::size_t size) noexcept;
}

namespace {

namespace detail = alloc_chaos::detail;
using alloc_chaos::operation;

// The alignment malloc, calloc and realloc guarantee.
constexpr std::size_t fundamental = alignof(std::max_align_t);

// The definition of `name` that this program's own one hides (glibc's, libstdc++'s), found once.
void* next_definition(const char* name) noexcept {
    void* found = dlsym(RTLD_NEXT, name);
    if (found == nullptr) {
        std::fprintf(stderr,
                     "alloc_chaos::malloc: no definition of %s after the program's own; link the C library "
                     "and the C++ runtime as shared libraries (not -static nor -static-libstdc++)\n",
                     name);
        std::abort();
    }
    return found;
}

std::size_t page_size() noexcept {
    static const auto size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return size;
}

// How each function serves a request it does not fail: a block of `size` bytes at `alignment`,
// or nullptr when out of memory (errno set by glibc).
void* serve_malloc(std::size_t size, std::size_t) { return __libc_malloc(size); }
void* serve_calloc(std::size_t size, std::size_t) { return __libc_calloc(size, 1); }
void* serve_memalign(std::size_t size, std::size_t alignment) { return __libc_memalign(alignment, size); }
void* serve_valloc(std::size_t size, std::size_t) { return __libc_valloc(size); }
void* serve_pvalloc(std::size_t size, std::size_t) { return __libc_pvalloc(size); }

// An attempt of an observed run, served by `Serve`. Out of line, so that the path outside a run
// stays a check and a call to glibc's allocator.
template <detail::serve_function* Serve>
ALLOC_CHAOS_NOINLINE void* observed_allocate(detail::run_state& run, operation op, std::size_t size,
                                          std::size_t alignment) noexcept {
    std::size_t index = 0;
    if (detail::count_ordinary_attempt(run, index, detail::signature(size, alignment, op, true))) [[likely]] {
        void* block = Serve(size, alignment);
        return block != nullptr ? detail::record_block(block, index, detail::release_code_of(op, size, alignment))
                                : nullptr;
    }
    const std::size_t failures = run.failures;
    void* block = detail::observe_served_attempt(run, op, size, alignment, true, Serve);
    if (block == nullptr && run.failures != failures)
        errno = ENOMEM;  // failed by the check; a block glibc could not serve has glibc's errno
    return block;
}

// An attempt outside every observed run while some run tracks blocks (inside `unobserved`, or on
// another thread): served, and noted so that its release is not taken for a double free.
template <detail::serve_function* Serve>
ALLOC_CHAOS_NOINLINE void* unobserved_allocate(std::size_t size, std::size_t alignment) noexcept {
    void* block = Serve(size, alignment);
    detail::note_unobserved_block(block);
    return block;
}

// `block`, served unobserved: noted (detail::note_unobserved_block) while some run tracks blocks.
void* noted(void* block) noexcept {
    if (detail::tracking_tables.load(std::memory_order_relaxed) != 0) [[unlikely]]
        detail::note_unobserved_block(block);
    return block;
}

// An attempt while some check runs, on this thread or another.
template <detail::serve_function* Serve>
ALLOC_CHAOS_NOINLINE void* allocate_during_checks(operation op, std::size_t size, std::size_t alignment) noexcept {
    detail::run_state* run = detail::observed_run;
    if (run != nullptr)
        return observed_allocate<Serve>(*run, op, size, alignment);
    if (detail::tracking_tables.load(std::memory_order_relaxed) != 0)
        return unobserved_allocate<Serve>(size, alignment);
    return Serve(size, alignment);
}

// Outside every check: one relaxed atomic read and its branch, then glibc's allocator.
template <detail::serve_function* Serve>
void* allocate(operation op, std::size_t size, std::size_t alignment) noexcept {
    if (detail::running_checks.load(std::memory_order_relaxed) == 0) [[likely]]
        return Serve(size, alignment);
    return allocate_during_checks<Serve>(op, size, alignment);
}

// The release of `block` by free() or realloc() while some run tracks blocks: forgets it and, on
// the checking thread, checks it. Returns whether glibc may release it: false for a double free or
// a pointer no allocation returned, which glibc would abort on.
bool checked_release(void* block) noexcept {
    return detail::checked_c_release(block, alloc_chaos::release_function::free, {});
}

ALLOC_CHAOS_NOINLINE void checked_free(void* block) noexcept {
    if (block != nullptr && checked_release(block))
        __libc_free(block);
}

// Every release of a block of the C allocator: free(), and realloc(p, 0). Outside every check: one
// relaxed atomic read and a branch, then glibc's free.
void release_block(void* block) noexcept {
    if (detail::tracking_tables.load(std::memory_order_relaxed) != 0) [[unlikely]]
        return checked_free(block);
    __libc_free(block);
}

// A realloc of `block` (not null) to `size` (not 0) while some run tracks blocks, from a thread that
// observes none: the block is forgotten and checked before glibc may free it (its address may then
// be served to another thread), and the block returned is noted, not recorded. A block that is no
// longer (or never was) glibc's is not passed to it: nullptr, errno EINVAL.
ALLOC_CHAOS_NOINLINE void* checked_reallocate(void* block, std::size_t size) noexcept {
    if (!checked_release(block)) {
        errno = EINVAL;
        return nullptr;
    }
    void* moved = __libc_realloc(block, size);
    detail::note_unobserved_block(moved);
    return moved;
}

// A realloc of `block` (not null) to `size` (not 0) in an observed run: one attempt; served, the
// block returned (moved or not) is recorded as the attempt's. When glibc cannot serve it, the old
// block, still live, is recorded as the attempt's. The old block is checked as free() checks it.
ALLOC_CHAOS_NOINLINE void* observed_reallocate(detail::run_state& run, void* block, std::size_t size) noexcept {
    if (detail::observe_observed_attempt(run, operation::realloc, size, fundamental, true)) {
        errno = ENOMEM;
        return nullptr;  // `block` stays valid, and live
    }
    const std::size_t index = std::exchange(run.pending, detail::no_target);  // no_target: uncounted
    if (detail::tracking_tables.load(std::memory_order_relaxed) != 0 && !checked_release(block)) {
        errno = EINVAL;
        return nullptr;
    }
    void* moved = __libc_realloc(block, size);
    if (index != detail::no_target)
        detail::record_block(moved != nullptr ? moved : block, index,
                             detail::release_code_of(operation::realloc, size, fundamental));
    return moved;
}

void* reallocate(void* block, std::size_t size) noexcept {
    if (block == nullptr)
        return allocate<serve_malloc>(operation::malloc, size, fundamental);
    if (size == 0) {  // glibc's meaning: frees the block, returns nullptr
        release_block(block);
        return nullptr;
    }
    if (detail::running_checks.load(std::memory_order_relaxed) == 0) [[likely]]
        return __libc_realloc(block, size);
    if (detail::run_state* run = detail::observed_run)
        return observed_reallocate(*run, block, size);
    if (detail::tracking_tables.load(std::memory_order_relaxed) != 0)
        return checked_reallocate(block, size);
    return __libc_realloc(block, size);
}

// Whether glibc's memalign takes `alignment` (else it fails with EINVAL): at most 2^63.
bool memalign_takes(std::size_t alignment) noexcept { return alignment <= SIZE_MAX / 2 + 1; }

// c * n, or false when it overflows.
bool product(std::size_t c, std::size_t n, std::size_t& total) noexcept {
    if (n != 0 && c > SIZE_MAX / n)
        return false;
    total = c * n;
    return true;
}

}  // namespace

extern "C" {

void* malloc(std::size_t size) noexcept { return allocate<serve_malloc>(operation::malloc, size, fundamental); }

void* calloc(std::size_t count, std::size_t size) noexcept {
    if (detail::running_checks.load(std::memory_order_relaxed) == 0) [[likely]]
        return __libc_calloc(count, size);
    detail::run_state* run = detail::observed_run;
    if (run == nullptr)
        return noted(__libc_calloc(count, size));
    std::size_t total = 0;
    if (!product(count, size, total)) {  // glibc's ENOMEM, no attempt
        errno = ENOMEM;
        return nullptr;
    }
    return observed_allocate<serve_calloc>(*run, operation::calloc, total, fundamental);
}

void* realloc(void* block, std::size_t size) noexcept { return reallocate(block, size); }

void* reallocarray(void* block, std::size_t count, std::size_t size) noexcept {
    std::size_t total = 0;
    if (!product(count, size, total)) {  // glibc's ENOMEM, no attempt; the block stays
        errno = ENOMEM;
        return nullptr;
    }
    return reallocate(block, total);
}

void free(void* block) noexcept { release_block(block); }

void* memalign(std::size_t alignment, std::size_t size) noexcept {
    if (!memalign_takes(alignment)) [[unlikely]]
        return __libc_memalign(alignment, size);  // glibc's EINVAL, no attempt
    return allocate<serve_memalign>(operation::aligned_alloc, size, alignment);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    return memalign(alignment, size);  // glibc 2.36's aligned_alloc is its memalign
}

int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    if (alignment % sizeof(void*) != 0 || !std::has_single_bit(alignment))
        return EINVAL;  // glibc's check, before any attempt
    void* block = allocate<serve_memalign>(operation::aligned_alloc, size, alignment);
    if (block == nullptr)
        return ENOMEM;
    *out = block;
    return 0;
}

void* valloc(std::size_t size) noexcept {
    if (detail::observed_run == nullptr) [[likely]]
        return noted(__libc_valloc(size));
    return allocate<serve_valloc>(operation::aligned_alloc, size, page_size());
}

void* pvalloc(std::size_t size) noexcept {
    if (detail::observed_run == nullptr) [[likely]]
        return noted(__libc_pvalloc(size));
    return allocate<serve_pvalloc>(operation::aligned_alloc, size, page_size());
}

// glibc's own: every block here is one of glibc's allocator. Found once, unobserved.
std::size_t malloc_usable_size(void* block) noexcept {
    using function = std::size_t(void*);
    alloc_chaos::unobserved lookup;
    static function* const glibc = reinterpret_cast<function*>(next_definition("malloc_usable_size"));
    return glibc(block);
}

}  // extern "C"

namespace __cxxabiv1 {
extern "C" {

// The C++ runtime's own, unobserved: the exception object of a throw is not an attempt.
void* __cxa_allocate_exception(std::size_t thrown_size) noexcept {
    using function = void*(std::size_t);
    alloc_chaos::unobserved runtime;
    static function* const next = reinterpret_cast<function*>(next_definition("__cxa_allocate_exception"));
    return next(thrown_size);
}

// The C++ runtime's own, unobserved: what std::rethrow_exception throws is not an attempt.
void* __cxa_allocate_dependent_exception() noexcept {
    using function = void*();
    alloc_chaos::unobserved runtime;
    static function* const next =
        reinterpret_cast<function*>(next_definition("__cxa_allocate_dependent_exception"));
    return next();
}

// The C++ runtime's own, unobserved: registering the destructor of a thread_local object on its
// first use is not an attempt (glibc ends the process when its calloc fails).
int __cxa_thread_atexit(void (*destructor)(void*), void* object, void* dso_handle) noexcept {
    using function = int(void (*)(void*), void*, void*);
    alloc_chaos::unobserved runtime;
    static function* const next = reinterpret_cast<function*>(next_definition("__cxa_thread_atexit"));
    return next(destructor, object, dso_handle);
}

}  // extern "C"
}  // namespace __cxxabiv1
