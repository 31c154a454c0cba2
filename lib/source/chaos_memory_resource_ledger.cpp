#include "chaos_memory_resource_ledger.hpp"

#include "../engine/attempt_path.hpp"
#include "../platform/raw_memory.hpp"

#include <alloc_chaos/detail/config.hpp>
#include <alloc_chaos/source.hpp>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <string_view>
#include <utility>

namespace alloc_chaos::detail {

namespace {

unsigned char* guard_of(void* p, std::size_t bytes) noexcept { return static_cast<unsigned char*>(p) + bytes; }

// The offset in the block of the first guard byte that changed, if any.
std::optional<std::size_t> changed_guard(void* p, std::size_t bytes) noexcept {
    if (resource_ledger::guard_intact(p, bytes)) [[likely]]
        return std::nullopt;
    const unsigned char* guard = guard_of(p, bytes);
    const std::size_t size = resource_ledger::guard_size(bytes);
    for (std::size_t i = 0; i < size; ++i)
        if (guard[i] != resource_ledger::guard_pattern[i % 4])
            return bytes + i;
    return std::nullopt;
}

}  // namespace

resource_ledger::resource_ledger(ledger_source source) noexcept
    : owner_(&ledger_thread_marker), lock_(process_fence_protocol()), source_(source) {}

resource_ledger::~resource_ledger() {
    regions_.for_each([](std::uint64_t, std::uint16_t* codes) { raw_free(codes); });
}

void resource_ledger::drop_reference() noexcept {
    if (references_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        unobserved bookkeeping;
        delete this;
    }
}

bool resource_ledger::start_keeping(block_table& own) noexcept {
    if (&ledger_thread_marker != owner_ || &own != owned_blocks)  // a table of the owner's thread alone
        return false;
    if (!own.owner_add_keeper(*this)) {
        refused_by_.store(own.serial(), std::memory_order_relaxed);
        return false;
    }
    references_.fetch_add(1, std::memory_order_relaxed);  // the table's, until it has called hand_over()
    kept_for_.store(&own, std::memory_order_relaxed);
    return true;
}

template <class F>
auto resource_ledger::exclusive(F&& f) {
    if (&ledger_thread_marker == owner_) [[likely]]
        return lock_.owner(f);
    return lock_.remote(f);
}

void resource_ledger::hand_over(live_blocks& blocks) noexcept {
    exclusive([&] {
        if (kept_live_ != 0) {
            blocks.for_each_kept([&](std::size_t index, void* block) {
                const auto key = reinterpret_cast<std::uintptr_t>(block);
                std::uint16_t* c = code_at(key, false);
                if (c == nullptr || (*c & (live_code | kept_code)) != (live_code | kept_code) || attempt_at(c) != index)
                    return;  // released since, or another keeper's
                *c &= ~kept_code;
                --kept_live_;
                blocks.insert(block, index, slot_kept);  // (out of memory: its leak goes unnamed)
            });
        }
        kept_for_.store(nullptr, std::memory_order_relaxed);
        return true;
    });
}

// The blocks kept for the run stay marked kept_code, and in kept_live_, until released: no table
// records them, and the next hand_over() finds none of them in its run's log.
void resource_ledger::abandon_run() noexcept { kept_for_.store(nullptr, std::memory_order_relaxed); }

resource_ledger::entry resource_ledger::entry_of(std::uintptr_t key, std::uint16_t code, std::uint32_t index) noexcept {
    return {key, code & max_code_bytes, std::size_t{1} << (code >> 11 & 7u),
            ((code & live_code) != 0 ? live_bit : 0) | (index == no_attempt_code ? no_attempt : index)};
}

inline std::uint16_t* resource_ledger::code_at(std::uintptr_t key, bool make) noexcept {
    if (const reached* r = reached_for(key); key % 16 == 0 && r != nullptr) [[likely]] {
        last_codes_ = r->codes;
        return r->codes + granule_of(key);
    }
    return find_region(key, make);
}

std::uint16_t* resource_ledger::find_region(std::uintptr_t key, bool make) noexcept {
    if (key % 16 != 0)
        return nullptr;
    const std::uintptr_t number = key >> region_bits;
    std::uint16_t* codes = nullptr;
    if (std::uint16_t** found = regions_.find(number + 1)) {
        codes = *found;
    } else {
        if (!make)
            return nullptr;
        // Zeroed pages from the system: only those where blocks start are ever touched.
        codes = static_cast<std::uint16_t*>(
            raw_calloc(granules_per_region, sizeof(std::uint16_t) + sizeof(std::uint32_t)));
        if (codes == nullptr)
            return nullptr;
        if (regions_.insert(number + 1, codes) == regions_.out_of_memory) {
            raw_free(codes);
            return nullptr;
        }
    }
    reached_[number % reached_regions] = {number, codes};
    last_codes_ = codes;
    return codes + granule_of(key);
}

bool resource_ledger::upsert(const entry& e) noexcept {
    return table_.insert(e.key, recorded{e.bytes, e.alignment, e.state}) != table_.out_of_memory;
}

void resource_ledger::record(void* p, std::size_t bytes, std::size_t alignment, std::optional<std::size_t> attempt) {
    const auto key = reinterpret_cast<std::uintptr_t>(p);
    const std::uint16_t code = attempt.value_or(0) < no_attempt_code ? code_of(bytes, alignment) : 0;
    const bool recorded_it = exclusive([&] {
        std::uint16_t* c = code_at(key, code != 0);
        if (code != 0 && c != nullptr) [[likely]] {
            *c = code;
            attempt_at(c) = attempt ? static_cast<std::uint32_t>(*attempt) : no_attempt_code;
            return true;
        }
        if (c != nullptr)
            *c = 0;  // the table has the address from now on
        return upsert({key, bytes, alignment, live_bit | (attempt ? static_cast<std::uint64_t>(*attempt) : no_attempt)});
    });
    if (!recorded_it)
        throw std::bad_alloc();
    fill_guard(p, bytes);
}

resource_ledger::release resource_ledger::check(void* p, std::size_t bytes, std::size_t alignment,
                                               bool unrecorded_blocks) noexcept {
    const auto key = reinterpret_cast<std::uintptr_t>(p);
    const std::optional<entry> found = exclusive([&]() -> std::optional<entry> {
        if (std::uint16_t* c = code_at(key, false); c != nullptr && *c != 0) {
            const std::uint16_t held = *c;
            *c = held & ~(live_code | kept_code);  // before the upstream may give the address out again
            if ((held & (live_code | kept_code)) == (live_code | kept_code))
                --kept_live_;
            return entry_of(key, held, attempt_at(c));
        }
        recorded* e = table_.find(key);
        if (e == nullptr)
            return std::nullopt;
        const entry before{key, e->bytes, e->alignment, e->state};
        e->state &= ~live_bit;  // before the upstream may give the address out again
        return before;
    });
    if (found && (found->state & live_bit) != 0 && found->bytes == bytes && found->alignment == alignment &&
        guard_intact(p, bytes)) [[likely]]
        return {true, true, upstream_size(bytes), alignment};
    return misused(p, bytes, alignment, found, unrecorded_blocks);
}

// Out of line: the findings are the rare case, which a correct call does not pay for.
ALLOC_CHAOS_NOINLINE resource_ledger::release resource_ledger::misused(void* p, std::size_t bytes, std::size_t alignment,
                                                                    const std::optional<entry>& found,
                                                                    bool unrecorded_blocks) noexcept {
    finding_facts facts;
    facts.released = block_shape{bytes, alignment};
    facts.released_by = source_.released_by;
    if (!found) {
        if (unrecorded_blocks)  // perhaps a block given out before the ledger existed
            return {true, false, bytes, alignment};
        report(finding_kind::foreign_pointer, std::nullopt, facts);
        return {};
    }
    const std::size_t allocated_bytes = found->bytes;
    facts.allocated = block_shape{allocated_bytes, found->alignment};
    const std::uint64_t index = found->state & no_attempt;
    const std::optional<allocation> by =
        index == no_attempt ? std::nullopt
                            : std::optional<allocation>(std::in_place, static_cast<std::size_t>(index),
                                                        source_.allocated_by, allocated_bytes,
                                                        found->alignment, false);
    if ((found->state & live_bit) == 0) {
        report(finding_kind::double_free, by, facts);
        return {};
    }
    if (bytes != allocated_bytes)
        report(finding_kind::size_mismatch, by, facts);
    if (alignment != found->alignment)
        report(finding_kind::alignment_mismatch, by, facts);
    if (const auto offset = changed_guard(p, allocated_bytes)) {
        facts.offset = *offset;
        report(finding_kind::overrun, by, facts);
    }
    return {true, true, allocated_bytes + guard_size(allocated_bytes), found->alignment};
}

std::vector<finding> resource_ledger::misuse() const {
    std::lock_guard<std::mutex> lock(misuse_mutex_);
    return misuse_;
}

void resource_ledger::report(finding_kind kind, const std::optional<allocation>& concerned,
                             const finding_facts& facts) noexcept {
    const auto make = [&] { return finding(kind, concerned, facts); };
    if (run_state* run = current_run_state; run != nullptr && record_finding(*run, make))
        return;
    // Outside a check's runs: a line on stderr, and the finding kept for misuse().
    const std::string_view name = to_string(kind);
    try {
        unobserved bookkeeping;
        const finding found = make();
        std::fprintf(stderr, "alloc-chaos: %.*s: %s\n", static_cast<int>(name.size()), name.data(),
                     found.message().c_str());
        std::lock_guard<std::mutex> lock(misuse_mutex_);
        misuse_.push_back(found);
    } catch (...) {  // out of memory: a line without the details stays the only trace
        const char* const call = source_.released_by == release_function::allocator_deallocate
                                     ? "allocator<T>::deallocate"
                                     : "chaos_memory_resource::deallocate";
        std::fprintf(stderr, "alloc-chaos: %.*s: %s: no memory to say more\n", static_cast<int>(name.size()),
                     name.data(), call);
    }
}

}  // namespace alloc_chaos::detail
