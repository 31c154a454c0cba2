#include <alloc_chaos/chaos_memory_resource.hpp>

#include "chaos_memory_resource_ledger.hpp"

#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/injected_bad_alloc.hpp>
#include <alloc_chaos/source.hpp>

#include <stdexcept>

namespace alloc_chaos {

namespace {

// The ledger of a resource with deallocation checks, built unobserved; nullptr without them.
std::unique_ptr<detail::resource_ledger> ledger_for(alloc_chaos::deallocation_checks checks) {
    if (checks == deallocation_checks::off)
        return nullptr;
    unobserved bookkeeping;
    return std::make_unique<detail::resource_ledger>();
}

}  // namespace

chaos_memory_resource::chaos_memory_resource() : chaos_memory_resource(deallocation_checks::on) {}

chaos_memory_resource::chaos_memory_resource(alloc_chaos::deallocation_checks checks)
    : upstream_(std::pmr::new_delete_resource()), ledger_(ledger_for(checks)) {}

chaos_memory_resource::chaos_memory_resource(std::pmr::memory_resource* upstream,
                                             alloc_chaos::deallocation_checks checks)
    : upstream_(upstream) {
    if (upstream == nullptr) {
        unobserved own_error;  // misuse inside a body is no attempt of that body
        throw std::invalid_argument(
            "alloc_chaos::chaos_memory_resource(upstream): upstream is nullptr; pass the resource to "
            "wrap, or use the default constructor to wrap std::pmr::new_delete_resource()");
    }
    ledger_ = ledger_for(checks);
}

chaos_memory_resource::~chaos_memory_resource() {
    unobserved bookkeeping;
    ledger_.reset();
}

alloc_chaos::deallocation_checks chaos_memory_resource::deallocation_checks() const noexcept {
    return ledger_ ? deallocation_checks::on : deallocation_checks::off;
}

std::vector<finding> chaos_memory_resource::misuse() const {
    unobserved bookkeeping;  // asking inside a body is no attempt of it
    return ledger_ ? ledger_->misuse() : std::vector<finding>{};
}

void* chaos_memory_resource::do_allocate(std::size_t bytes, std::size_t alignment) {
    if (ledger_ == nullptr) {  // checks off: one thread-local read and a branch outside a check
        if (!observing()) [[likely]]
            return upstream_->allocate(bytes, alignment);
        return observed_allocate(bytes, alignment);
    }
    return checked_allocate(bytes, alignment);
}

void* chaos_memory_resource::observed_allocate(std::size_t bytes, std::size_t alignment) {
    if (auto failure = observe_attempt(operation::resource_allocate, bytes, alignment))
        throw injected_bad_alloc(*failure);
    void* block = nullptr;
    {
        unobserved upstream_call;  // the upstream may reach operator new: one attempt, not two
        block = upstream_->allocate(bytes, alignment);
    }
    observe_allocated(block);
    return block;
}

void* chaos_memory_resource::checked_allocate(std::size_t bytes, std::size_t alignment) {
    std::optional<allocation> by;
    if (observing()) {
        if (auto failure = observe_attempt(operation::resource_allocate, bytes, alignment))
            throw injected_bad_alloc(*failure);
        if (const auto run = current_run())  // the attempt observe_attempt() just counted
            by.emplace(run->attempts - 1, operation::resource_allocate, bytes, alignment, false);
    }
    void* block = nullptr;
    {
        unobserved upstream_call;  // neither the upstream nor the bookkeeping is a second attempt
        const std::size_t upstream_bytes = detail::resource_ledger::upstream_size(bytes);
        block = upstream_->allocate(upstream_bytes, alignment);
        try {
            ledger_->record(block, bytes, alignment, by);
        } catch (...) {  // no memory to record it: the request fails as the upstream's would
            upstream_->deallocate(block, upstream_bytes, alignment);
            throw;
        }
    }
    observe_allocated(block);
    return block;
}

void chaos_memory_resource::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
    if (ledger_ != nullptr) {
        checked_deallocate(p, bytes, alignment);
        return;
    }
    observe_deallocated(p);
    upstream_->deallocate(p, bytes, alignment);
}

void chaos_memory_resource::checked_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
    detail::resource_ledger::release release;
    {
        unobserved bookkeeping;
        release = ledger_->check(p, bytes, alignment);
    }
    if (!release.to_upstream)  // a double free or a foreign pointer: releasing it would corrupt the upstream
        return;
    observe_deallocated(p);
    upstream_->deallocate(p, release.bytes, release.alignment);  // the size and alignment it was allocated with
}

bool chaos_memory_resource::do_is_equal(const std::pmr::memory_resource& other) const noexcept {
    return this == &other;
}

}  // namespace alloc_chaos
