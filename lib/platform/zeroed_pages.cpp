#include "zeroed_pages.hpp"

#include <sys/mman.h>

namespace alloc_chaos::detail {

void* map_zeroed_pages(std::size_t bytes) noexcept {
    void* pages = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return pages == MAP_FAILED ? nullptr : pages;
}

void unmap_pages(void* pages, std::size_t bytes) noexcept {
    if (pages != nullptr)
        ::munmap(pages, bytes);
}

}  // namespace alloc_chaos::detail
