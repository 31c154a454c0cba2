#include <alloc_chaos/debugging.hpp>
#include <alloc_chaos/detail/config.hpp>

namespace alloc_chaos {

ALLOC_CHAOS_NOINLINE void break_on_injected_failure(const allocation& failed) noexcept {
    asm volatile("" : : "r"(&failed) : "memory");  // a call no optimiser may remove
}

}  // namespace alloc_chaos
