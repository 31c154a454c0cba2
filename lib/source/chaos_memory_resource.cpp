#include <alloc_chaos/chaos_memory_resource.hpp>

#include "chaos_memory_resource_ledger.hpp"
#include "../engine/attempt_path.hpp"

#include <alloc_chaos/detail/config.hpp>
#include <alloc_chaos/injected_bad_alloc.hpp>
#include <alloc_chaos/source.hpp>

#include <mutex>
#include <new>
#include <stdexcept>

#if !defined(__cpp_sized_deallocation)
// The sized forms, which <new> declares only with sized deallocation on (clang leaves it off by
// default); every C++14 standard library defines them.
void operator delete(void* p, std::size_t size) noexcept;
void operator delete(void* p, std::size_t size, std::align_val_t alignment) noexcept;
#endif

namespace alloc_chaos {

namespace detail {
// The operators new_delete_resource() calls, by address (resolved when the program is loaded, to
// the program's replacement if it has one): a call through them skips the PLT stub. Not const,
// so that the compiler does not turn the calls back into direct ones.
using aligned_new_function = void*(std::size_t, std::align_val_t);
using sized_aligned_delete_function = void(void*, std::size_t, std::align_val_t) noexcept;
aligned_new_function* new_delete_allocate = &::operator new;
sized_aligned_delete_function* new_delete_deallocate = &::operator delete;
}  // namespace detail

namespace {

// Serialises the arming of every resource: each arms at most once, so they can share it.
std::mutex arming_mutex;

// std::pmr::new_delete_resource(), read once at start-up (before then, nullptr: the wrapper then
// makes the virtual call, which is only slower).
std::pmr::memory_resource* const new_delete = std::pmr::new_delete_resource();

// upstream->allocate(bytes, alignment). For new_delete_resource() under libstdc++, the call its
// do_allocate makes (::operator new(bytes, std::align_val_t(alignment))), made directly: the same
// operator, pointers and errors, without the second virtual call: a pure forwarder stays within noise of its upstream.
void* upstream_allocate(std::pmr::memory_resource* upstream, std::size_t bytes, std::size_t alignment) {
#if defined(__GLIBCXX__)
    if (upstream == new_delete)
        return detail::new_delete_allocate(bytes, std::align_val_t(alignment));
#endif
    return upstream->allocate(bytes, alignment);
}

// upstream->deallocate(p, bytes, alignment); for new_delete_resource() under libstdc++, its
// do_deallocate's call, ::operator delete(p, bytes, std::align_val_t(alignment)), made directly.
void upstream_deallocate(std::pmr::memory_resource* upstream, void* p, std::size_t bytes, std::size_t alignment) {
#if defined(__GLIBCXX__)
    if (upstream == new_delete) {
        detail::new_delete_deallocate(p, bytes, std::align_val_t(alignment));
        return;
    }
#endif
    upstream->deallocate(p, bytes, alignment);
}

// With deallocation checks, the block and its guard from the upstream. For new_delete_resource()
// and an alignment that plain operator new meets, plain ::operator new: libstdc++'s aligned
// operator new rounds the size up to a multiple of the alignment (C11's aligned_alloc wants it),
// which would push a 1024-byte block and its guard (1032 bytes) to 1040, out of glibc's tcache.
// Memory from ::operator new either way, as new_delete_resource() promises; with checks active the
// upstream never saw the exact request anyway (the guard is added).
// (Compared with a function's static, initialized at its first use, so that a block served before
// start-up ends is released with the same operator after.)
bool plain_new_serves(std::pmr::memory_resource* upstream, std::size_t alignment) {
    static std::pmr::memory_resource* const default_resource = std::pmr::new_delete_resource();
    return upstream == default_resource && alignment <= __STDCPP_DEFAULT_NEW_ALIGNMENT__;
}

void* guarded_allocate(std::pmr::memory_resource* upstream, std::size_t bytes, std::size_t alignment) {
    if (plain_new_serves(upstream, alignment))
        return ::operator new(bytes);
    return upstream_allocate(upstream, bytes, alignment);
}

// Releases what guarded_allocate() served, with the operator that served it.
void guarded_deallocate(std::pmr::memory_resource* upstream, void* p, std::size_t bytes, std::size_t alignment) {
    if (plain_new_serves(upstream, alignment)) {
        ::operator delete(p, bytes);
        return;
    }
    upstream_deallocate(upstream, p, bytes, alignment);
}

// A release while some run tracks live blocks: reported first, then given back. Out of line, so
// that a release outside every check makes a tail call and saves no registers.
ALLOC_CHAOS_NOINLINE void observed_deallocate(std::pmr::memory_resource* upstream, void* p, std::size_t bytes,
                                           std::size_t alignment) {
    detail::forget_block(p);  // observe_deallocated(), whose check the caller made
    detail::forgotten_handover handover(p);
    upstream_deallocate(upstream, p, bytes, alignment);
}

}  // namespace

chaos_memory_resource::chaos_memory_resource() : chaos_memory_resource(deallocation_checks::from_first_check) {}

chaos_memory_resource::chaos_memory_resource(alloc_chaos::deallocation_checks checks)
    : chaos_memory_resource(std::pmr::new_delete_resource(), checks) {}

chaos_memory_resource::chaos_memory_resource(std::pmr::memory_resource* upstream,
                                             alloc_chaos::deallocation_checks checks)
    : upstream_(upstream), checks_(checks) {
    if (upstream == nullptr) {
        unobserved own_error;  // misuse inside a body is no attempt of that body
        throw std::invalid_argument(
            "alloc_chaos::chaos_memory_resource(upstream): upstream is nullptr; pass the resource to "
            "wrap, or use the default constructor to wrap std::pmr::new_delete_resource()");
    }
    if (checks == deallocation_checks::always ||
        (checks == deallocation_checks::from_first_check && detail::current_run_state != nullptr))
        arm();
}

chaos_memory_resource::~chaos_memory_resource() {
    unobserved bookkeeping;
    delete ledger_.load(std::memory_order_acquire);
}

std::vector<finding> chaos_memory_resource::misuse() const {
    unobserved bookkeeping;  // asking inside a body is no attempt of it
    const detail::resource_ledger* checks = ledger_.load(std::memory_order_acquire);
    return checks != nullptr ? checks->misuse() : std::vector<finding>{};
}

// Makes the ledger on this thread, which becomes its owner (whose accesses take no lock: the
// checking thread), then publishes it. Throws std::bad_alloc, leaving the resource unarmed, when
// there is no memory for it: the allocate() that tried fails as the upstream would when out of
// memory, rather than serve a block unchecked, which would end foreign-pointer checks for good.
void chaos_memory_resource::arm() {
    unobserved bookkeeping;
    std::lock_guard<std::mutex> lock(arming_mutex);
    if (ledger_.load(std::memory_order_relaxed) != nullptr)  // another thread armed it first
        return;
    ledger_.store(new detail::resource_ledger(), std::memory_order_release);
}

detail::resource_ledger& chaos_memory_resource::ledger() const noexcept {
    return *ledger_.load(std::memory_order_acquire);  // after arm()'s release: the ledger is whole
}

void* chaos_memory_resource::do_allocate(std::size_t bytes, std::size_t alignment) {
    if (ledger_.load(std::memory_order_relaxed) != nullptr)
        return checked_allocate(bytes, alignment);
    if (detail::current_run_state == nullptr) [[likely]] {  // one thread-local read and a branch outside a check
        // Set before the block exists (the upstream call stays a tail call), so that whoever
        // deallocates it, having received it, sees the flag.
        if (!gave_unchecked_.load(std::memory_order_relaxed)) [[unlikely]]
            gave_unchecked_.store(true, std::memory_order_relaxed);
        return upstream_allocate(upstream_, bytes, alignment);
    }
    return unarmed_allocate(bytes, alignment);
}

// do_allocate() when the checks are not active and a run is in progress on this thread.
ALLOC_CHAOS_NOINLINE void* chaos_memory_resource::unarmed_allocate(std::size_t bytes, std::size_t alignment) {
    if (checks_ == deallocation_checks::from_first_check) {
        arm();  // before the attempt is counted: it arms also when this attempt is the one failed
        return checked_allocate(bytes, alignment);
    }
    if (!observing())  // checks off, inside `unobserved`
        return upstream_allocate(upstream_, bytes, alignment);
    return observed_allocate(bytes, alignment);
}

void* chaos_memory_resource::observed_allocate(std::size_t bytes, std::size_t alignment) {
    detail::run_state& run = *detail::observed_run;
    std::size_t index = 0;
    if (!detail::count_ordinary_attempt(run, index, detail::signature(bytes, alignment, operation::resource_allocate, false)))
        [[unlikely]] {  // the engine's full path: a failure, a divergence, a stack to take, ...
        if (auto failure = detail::observe_observed_attempt(run, operation::resource_allocate, bytes, alignment, false))
            throw injected_bad_alloc(*failure);
        void* block = nullptr;
        {
            unobserved upstream_call;  // the upstream may reach operator new: one attempt, not two
            block = upstream_allocate(upstream_, bytes, alignment);
        }
        observe_allocated(block);
        return block;
    }
    void* block = nullptr;
    {
        unobserved upstream_call;
        block = upstream_allocate(upstream_, bytes, alignment);
    }
    return detail::record_block(block, index);
}

ALLOC_CHAOS_NOINLINE void* chaos_memory_resource::checked_allocate(std::size_t bytes, std::size_t alignment) {
    // The index of the attempt that allocates the block, if observed. An ordinary attempt is
    // counted inline and its block recorded here; any other goes through the engine's full path.
    std::optional<std::size_t> by;
    bool ordinary = false;
    if (detail::run_state* run = detail::observed_run) {
        std::size_t index = 0;
        ordinary = detail::count_ordinary_attempt(
            *run, index, detail::signature(bytes, alignment, operation::resource_allocate, false));
        if (!ordinary) {
            if (auto failure = detail::observe_observed_attempt(*run, operation::resource_allocate, bytes, alignment,
                                                                false))
                throw injected_bad_alloc(*failure);
            index = run->attempts - 1;  // the attempt just counted
        }
        by = index;
    }
    void* block = nullptr;
    {
        unobserved upstream_call;  // neither the upstream nor the bookkeeping is a second attempt
        const std::size_t upstream_bytes = detail::resource_ledger::upstream_size(bytes);
        block = guarded_allocate(upstream_, upstream_bytes, alignment);
        detail::resource_ledger& checks = ledger();
        constexpr std::uint32_t unobserved_code = detail::resource_ledger::no_attempt_code;
        const bool inline_index = !by || *by < unobserved_code;  // else the ledger's table keeps it
        if (!inline_index ||
            !checks.record_here(block, bytes, alignment, by ? static_cast<std::uint32_t>(*by) : unobserved_code)) {
            try {
                checks.record(block, bytes, alignment, by);
            } catch (...) {  // no memory to record it: the request fails as the upstream's would
                guarded_deallocate(upstream_, block, upstream_bytes, alignment);
                throw;
            }
        }
    }
    if (ordinary)
        return detail::record_block(block, *by);
    observe_allocated(block);
    return block;
}

void chaos_memory_resource::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
    if (ledger_.load(std::memory_order_relaxed) != nullptr) {
        checked_deallocate(p, bytes, alignment);
        return;
    }
    if (detail::tracking_tables.load(std::memory_order_relaxed) != 0) [[unlikely]]  // observe_deallocated()
        return observed_deallocate(upstream_, p, bytes, alignment);
    upstream_deallocate(upstream_, p, bytes, alignment);
}

// Out of line, so that do_deallocate without checks saves no registers for it.
ALLOC_CHAOS_NOINLINE void chaos_memory_resource::checked_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
    if (ledger().release_here(p, bytes, alignment)) [[likely]] {  // a correct call: no finding, nothing allocated
        if (detail::tracking_tables.load(std::memory_order_relaxed) != 0) {  // observe_deallocated(p), inline
            detail::forget_block(p);
            detail::forgotten_handover handover(p);
            guarded_deallocate(upstream_, p, detail::resource_ledger::upstream_size(bytes), alignment);
            return;
        }
        guarded_deallocate(upstream_, p, detail::resource_ledger::upstream_size(bytes), alignment);
        return;
    }
    detail::resource_ledger::release release;
    {
        unobserved bookkeeping;
        release = ledger().check(p, bytes, alignment, gave_unchecked_.load(std::memory_order_relaxed));
    }
    if (!release.to_upstream)  // a double free or a foreign pointer: releasing it would corrupt the upstream
        return;
    if (detail::tracking_tables.load(std::memory_order_relaxed) != 0)  // observe_deallocated(p), inline
        detail::forget_block(p);
    if (!release.guarded) {  // maybe a block given out before the checks: as the upstream gave it
        upstream_deallocate(upstream_, p, bytes, alignment);
        return;
    }
    guarded_deallocate(upstream_, p, release.bytes, release.alignment);  // the size and alignment it was allocated with
}

bool chaos_memory_resource::do_is_equal(const std::pmr::memory_resource& other) const noexcept {
    return this == &other;
}

}  // namespace alloc_chaos
