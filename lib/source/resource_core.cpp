#include "resource_core.hpp"

#include <mutex>
#include <stdexcept>

namespace alloc_chaos::detail {

namespace {

// Serialises the arming of every resource: each arms at most once, so they can share it.
std::mutex arming_mutex;

}  // namespace

resource_core::resource_core(bool has_upstream, alloc_chaos::deallocation_checks checks,
                             const char* nullptr_upstream)
    : checks_(checks) {
    if (!has_upstream) {
        unobserved own_error;  // misuse inside a body is no attempt of that body
        throw std::invalid_argument(nullptr_upstream);
    }
    if (checks == deallocation_checks::always ||
        (checks == deallocation_checks::from_first_check && current_run_state != nullptr))
        arm();
}

resource_core::~resource_core() {
    if (resource_ledger* checks = ledger_.load(std::memory_order_acquire))
        checks->drop_reference();  // a run that kept its blocks holds it until it has read them
}

std::vector<finding> resource_core::misuse() const {
    unobserved bookkeeping;  // asking inside a body is no attempt of it
    const resource_ledger* checks = ledger_.load(std::memory_order_acquire);
    return checks != nullptr ? checks->misuse() : std::vector<finding>{};
}

// Makes the ledger on this thread, which becomes its owner (whose accesses take no lock: the
// checking thread), then publishes it. Throws std::bad_alloc, leaving the resource unarmed, when
// there is no memory for it: the allocate() that tried fails as the upstream would when out of
// memory, rather than serve a block unchecked, which would end foreign-pointer checks for good.
void resource_core::arm() {
    unobserved bookkeeping;
    std::lock_guard<std::mutex> lock(arming_mutex);
    if (ledger_.load(std::memory_order_relaxed) != nullptr)  // another thread armed it first
        return;
    ledger_.store(new resource_ledger(), std::memory_order_release);
}

}  // namespace alloc_chaos::detail
