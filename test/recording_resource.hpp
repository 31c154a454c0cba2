#ifndef ALLOC_CHAOS_TEST_RECORDING_RESOURCE_HPP
#define ALLOC_CHAOS_TEST_RECORDING_RESOURCE_HPP

// An upstream that records every call it receives and serves them from ::operator new, for the
// std::pmr resource (Base = std::pmr::memory_resource) and Boost.Container's.

#include <cstddef>
#include <new>

namespace test_resources {

template <class Base>
class recording_resource : public Base {
public:
    std::size_t allocations = 0;
    std::size_t deallocations = 0;
    void* last_returned = nullptr;
    std::size_t last_bytes = 0;
    std::size_t last_alignment = 0;
    void* last_freed = nullptr;
    std::size_t last_freed_bytes = 0;
    std::size_t last_freed_alignment = 0;

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        ++allocations;
        last_bytes = bytes;
        last_alignment = alignment;
        last_returned = ::operator new(bytes, std::align_val_t(alignment));
        return last_returned;
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        ++deallocations;
        last_freed = p;
        last_freed_bytes = bytes;
        last_freed_alignment = alignment;
        ::operator delete(p, std::align_val_t(alignment));
    }
    bool do_is_equal(const Base& other) const noexcept override { return this == &other; }
};

}  // namespace test_resources

#endif
