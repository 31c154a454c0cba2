#ifndef ALLOC_CHAOS_LIB_RAW_MEMORY_HPP
#define ALLOC_CHAOS_LIB_RAW_MEMORY_HPP

// The library's one way to the C allocator, for its own bookkeeping (tables, logs, ledgers) and for
// the blocks the global bridge serves: glibc's underlying allocator, under the names glibc exports
// for it (__libc_malloc, ...), so that no allocation of the library ever reaches a replaced
// malloc, such as alloc_chaos::malloc, and is counted as an attempt of the body.
//
// Under AddressSanitizer, ThreadSanitizer or MemorySanitizer, which own malloc and do not own the
// __libc_ names, the raw path is the C allocator itself: the sanitizer keeps seeing every block,
// and alloc_chaos::malloc, the only replaced malloc the path must avoid, refuses to build there.

#include <cstddef>
#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ALLOC_CHAOS_SANITIZER_OWNS_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ALLOC_CHAOS_SANITIZER_OWNS_MALLOC 1
#endif
#endif
#ifndef ALLOC_CHAOS_SANITIZER_OWNS_MALLOC
#define ALLOC_CHAOS_SANITIZER_OWNS_MALLOC 0
#endif

#if !ALLOC_CHAOS_SANITIZER_OWNS_MALLOC
// glibc's allocator under its own names (exported since glibc 2.2.5): what malloc, calloc,
// realloc, free and memalign call when nothing replaces them.
extern "C" {
void* __libc_malloc(std::size_t size) noexcept;
void* __libc_calloc(std::size_t count, std::size_t size) noexcept;
void* __libc_realloc(void* block, std::size_t size) noexcept;
void __libc_free(void* block) noexcept;
void* __libc_memalign(std::size_t alignment, std::size_t size) noexcept;
}
#endif

namespace alloc_chaos::detail {

#if !ALLOC_CHAOS_SANITIZER_OWNS_MALLOC
inline void* raw_malloc(std::size_t size) noexcept { return __libc_malloc(size); }
inline void* raw_calloc(std::size_t count, std::size_t size) noexcept { return __libc_calloc(count, size); }
inline void* raw_realloc(void* block, std::size_t size) noexcept { return __libc_realloc(block, size); }
inline void raw_free(void* block) noexcept { __libc_free(block); }
// `alignment`: a power of two, at least sizeof(void*).
inline void* raw_memalign(std::size_t alignment, std::size_t size) noexcept { return __libc_memalign(alignment, size); }
#else
inline void* raw_malloc(std::size_t size) noexcept { return std::malloc(size); }
inline void* raw_calloc(std::size_t count, std::size_t size) noexcept { return std::calloc(count, size); }
inline void* raw_realloc(void* block, std::size_t size) noexcept { return std::realloc(block, size); }
inline void raw_free(void* block) noexcept { std::free(block); }
// `alignment`: a power of two, at least sizeof(void*).
inline void* raw_memalign(std::size_t alignment, std::size_t size) noexcept {
    void* p = nullptr;
    return posix_memalign(&p, alignment, size) == 0 ? p : nullptr;
}
#endif

}  // namespace alloc_chaos::detail

#endif
