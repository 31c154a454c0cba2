#ifndef ALLOC_CHAOS_FINDING_HPP
#define ALLOC_CHAOS_FINDING_HPP

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/stack_frame.hpp>

#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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
};

// "leak", "double free", "size mismatch", "alignment mismatch", "foreign pointer", "overrun",
// "divergence", "broken guarantee", "forbidden allocation".
std::string_view to_string(finding_kind kind) noexcept;

std::ostream& operator<<(std::ostream& out, finding_kind kind);

// One thing a run found: its kind, the block or attempt concerned, and a sentence for people.
class finding {
public:
    finding(finding_kind kind, std::optional<alloc_chaos::allocation> concerned, std::string message,
            std::vector<stack_frame> stack = {})
        : kind_(kind), allocation_(concerned), message_(std::move(message)), stack_(std::move(stack)) {}

    // What was found.
    finding_kind kind() const noexcept { return kind_; }
    // The block (by the attempt that allocated it) or the attempt concerned, when there is one.
    const std::optional<alloc_chaos::allocation>& allocation() const noexcept { return allocation_; }
    // What happened, for people: "attempt #7: baseline operator new size=24 align=16, this run ...".
    const std::string& message() const noexcept { return message_; }
    // Where a leaked block was allocated, innermost frame first; empty when not known.
    std::span<const stack_frame> stack() const noexcept { return stack_; }

private:
    finding_kind kind_;
    std::optional<alloc_chaos::allocation> allocation_;
    std::string message_;
    std::vector<stack_frame> stack_;
};

// "leak: <message>".
std::ostream& operator<<(std::ostream& out, const finding& f);

}  // namespace alloc_chaos

#endif
