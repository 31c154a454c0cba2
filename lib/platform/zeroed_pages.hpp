#ifndef ALLOC_CHAOS_LIB_ZEROED_PAGES_HPP
#define ALLOC_CHAOS_LIB_ZEROED_PAGES_HPP

// Large tables that are mostly never touched, straight from the kernel: zero pages mapped as they
// are first touched, and no allocator in between. (calloc would serve them from the heap once
// glibc's dynamic mmap threshold has risen past their size, and then write every byte of them.)

#include <cstddef>

namespace alloc_chaos::detail {

// `bytes` of zeroed, private memory; nullptr when the kernel has none.
void* map_zeroed_pages(std::size_t bytes) noexcept;
// Zeroes `bytes` of what map_zeroed_pages gave, from `pages` (page-aligned): the kernel takes the
// pages back, and maps zero pages again as they are touched.
void rezero_pages(void* pages, std::size_t bytes) noexcept;
// Returns what map_zeroed_pages(bytes) gave.
void unmap_pages(void* pages, std::size_t bytes) noexcept;

}  // namespace alloc_chaos::detail

#endif
