#include <alloc_chaos/detail/abandon_check.hpp>

#include "../engine/engine.hpp"
#include "crash_notice.hpp"
#include "worker_pool.hpp"

namespace alloc_chaos::detail {

// A check left without unwinding destroyed none of its guards: each layer forgets its part.
void abandon_check() noexcept {
    abandon_engine_state();
    restore_crash_notice();
    abandon_workers();
}

}  // namespace alloc_chaos::detail
