#include "membarrier.hpp"

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace alloc_chaos::detail {

#if defined(__linux__) && defined(__NR_membarrier)

namespace {
// membarrier(2), by its number: glibc has no wrapper for it.
long membarrier(int command) noexcept { return syscall(__NR_membarrier, command, 0, 0); }
}  // namespace

bool process_membarrier_works() noexcept {
    const long supported = membarrier(MEMBARRIER_CMD_QUERY);
    if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0 ||
        (supported & MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0)
        return false;
    return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0 &&
           membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0;
}

bool process_membarrier() noexcept {
    if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
        return true;
    return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0 &&
           membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0;
}

#else

bool process_membarrier_works() noexcept { return false; }
bool process_membarrier() noexcept { return false; }

#endif

}  // namespace alloc_chaos::detail
