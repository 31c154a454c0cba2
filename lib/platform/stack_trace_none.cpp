// Call stacks in a build without a stack library: none is ever taken, and the report says why.

#include "stack_trace.hpp"

namespace alloc_chaos::detail {

bool stack_backend_available() noexcept { return false; }

std::string_view stack_backend_missing() noexcept {
#if defined(ALLOC_CHAOS_STACKS_OFF)
    return "alloc-chaos was built without call stacks: ALLOC_CHAOS_STACKS=OFF";
#else
    return "alloc-chaos was built without call stacks: GCC's libbacktrace was not found";
#endif
}

void capture_stack(raw_stack& into, const void*) noexcept { into.size = 0; }

void symbolize_pc(std::uintptr_t, std::vector<symbolized_frame>&) {}

std::string library_source_file() { return {}; }

}  // namespace alloc_chaos::detail
