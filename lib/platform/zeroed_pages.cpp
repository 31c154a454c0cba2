#include "zeroed_pages.hpp"

#include <cstring>

#include <sys/mman.h>

namespace alloc_chaos::detail {

void* map_zeroed_pages(std::size_t bytes) noexcept {
    void* pages = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return pages == MAP_FAILED ? nullptr : pages;
}

void rezero_pages(void* pages, std::size_t bytes) noexcept {
    if (::madvise(pages, bytes, MADV_DONTNEED) != 0)
        std::memset(pages, 0, bytes);  // (never on Linux for a private anonymous mapping)
}

void unmap_pages(void* pages, std::size_t bytes) noexcept {
    if (pages != nullptr)
        ::munmap(pages, bytes);
}

}  // namespace alloc_chaos::detail
