#ifndef ALLOC_CHAOS_FINDING_HPP
#define ALLOC_CHAOS_FINDING_HPP

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/stack_frame.hpp>

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace alloc_chaos {

// What a run can find besides how it ended.
enum class finding_kind {
    leak,                // a block of an observed attempt still live when the body returned or unwound
    double_free,         // a block released twice
    size_mismatch,       // released with a size other than the one it was allocated with
    alignment_mismatch,  // released with an alignment other than the one it was allocated with
    foreign_pointer,     // released to a resource that never gave it out
    overrun,             // a write past the end of a block (its guard bytes changed)
    divergence,          // the run's attempts before its target differ from the baseline's
    broken_guarantee,    // a strong_guarantee's object changed although the operation failed
    forbidden_allocation,  // an allocation attempt inside forbid_allocations
    mismatched_deallocation,  // released by another family than allocated it: delete of new[], free of new, ...
};

// "leak", "double free", "size mismatch", "alignment mismatch", "foreign pointer", "overrun",
// "divergence", "broken guarantee", "forbidden allocation", "mismatched deallocation".
std::string_view to_string(finding_kind kind) noexcept;

std::ostream& operator<<(std::ostream& out, finding_kind kind);

// The function a deallocation called, as a finding about it names it.
enum class release_function {
    resource_deallocate,    // chaos_memory_resource::deallocate(p, size, alignment), std or Boost.Container
    operator_delete,        // a global operator delete (plain, sized or aligned)
    operator_delete_array,  // a global operator delete[] (plain, sized or aligned)
    free,                   // C free (or realloc, which frees the block it moves)
    allocator_deallocate,   // alloc_chaos::allocator<T>::deallocate(p, n)
};

// A size and an alignment: how a block was allocated, or what a deallocation passed.
struct block_shape {
    std::size_t size = 0;
    std::size_t alignment = 0;

    friend bool operator==(const block_shape&, const block_shape&) = default;
};

// The numbers behind a finding, beside its allocation(); each is set for the kinds noted, empty
// otherwise and in the findings that sources of yours report with a message alone.
struct finding_facts {
    // What the deallocation passed: double_free, size_mismatch, alignment_mismatch, foreign_pointer,
    // overrun, mismatched_deallocation. A size of 0 is an unsized operator delete or free, an
    // alignment of 0 an operator delete without std::align_val_t.
    std::optional<block_shape> released{};
    // The function that made the deallocation, with `released`; empty means resource_deallocate.
    std::optional<alloc_chaos::release_function> released_by{};
    // mismatched_deallocation: the operation that allocated the block, also when allocation() is
    // empty (the block allocated unobserved).
    std::optional<alloc_chaos::operation> allocated_by{};
    // How the block was allocated (also when allocation() is empty, the block allocated
    // unobserved): double_free, size_mismatch, alignment_mismatch, overrun.
    std::optional<block_shape> allocated{};
    // overrun: the offset from the block's start of the first byte written past its end.
    std::optional<std::size_t> offset{};
    // The attempt concerned when allocation() cannot say: a leak whose attempt was not logged, a
    // divergence where this run made no such attempt.
    std::optional<std::size_t> index{};
    // divergence: the baseline's attempt where this run's first differs; empty when the baseline
    // made fewer attempts (baseline_attempts says how many).
    std::optional<alloc_chaos::allocation> expected{};
    // divergence: the attempts the baseline made, and this run's when it made fewer in all.
    std::optional<std::size_t> baseline_attempts{};
    std::optional<std::size_t> run_attempts{};

    friend bool operator==(const finding_facts&, const finding_facts&) = default;
};

// One thing a run found: its kind, the block or attempt concerned, its facts, and a sentence for people.
class finding {
public:
    // A finding told in words (a source of yours reporting through report_finding).
    finding(finding_kind kind, std::optional<alloc_chaos::allocation> concerned, std::string message,
            std::vector<stack_frame> stack = {})
        : kind_(kind), allocation_(concerned), message_(std::move(message)), stack_(std::move(stack)) {}
    // A finding told by its facts; the message is written from them.
    finding(finding_kind kind, std::optional<alloc_chaos::allocation> concerned, const finding_facts& facts,
            std::vector<stack_frame> stack = {});
    // A finding whole, as a reader of a report in another format rebuilds it.
    finding(finding_kind kind, std::optional<alloc_chaos::allocation> concerned, const finding_facts& facts,
            std::string message, std::vector<stack_frame> stack)
        : kind_(kind), allocation_(concerned), facts_(facts), message_(std::move(message)), stack_(std::move(stack)) {}

    // What was found.
    finding_kind kind() const noexcept { return kind_; }
    // The block (by the attempt that allocated it) or the attempt concerned, when there is one.
    const std::optional<alloc_chaos::allocation>& allocation() const noexcept { return allocation_; }
    // The numbers the message tells, as values.
    const finding_facts& facts() const noexcept { return facts_; }
    // What happened, for people: "attempt #7: baseline operator new size=24 align=16, this run ...".
    const std::string& message() const noexcept { return message_; }
    // Where a leaked block was allocated, innermost frame first; empty when not known.
    std::span<const stack_frame> stack() const noexcept { return stack_; }

private:
    finding_kind kind_;
    std::optional<alloc_chaos::allocation> allocation_;
    finding_facts facts_;
    std::string message_;
    std::vector<stack_frame> stack_;
};

// "leak: <message>".
std::ostream& operator<<(std::ostream& out, const finding& f);

}  // namespace alloc_chaos

#endif
