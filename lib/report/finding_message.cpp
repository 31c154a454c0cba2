// The sentences of the findings that sources, the engine and the checker record as facts.

#include <alloc_chaos/finding.hpp>

#include <ostream>
#include <sstream>

namespace alloc_chaos {

namespace {

// "operator new size=24 align=16", with " nothrow": an attempt without its index.
struct signature_of {
    const allocation& a;
};
std::ostream& operator<<(std::ostream& out, signature_of s) {
    out << s.a.operation() << " size=" << s.a.size() << " align=" << s.a.alignment();
    return s.a.nothrow() ? out << " nothrow" : out;
}

// "1 attempt", "2 attempts".
struct attempts {
    std::size_t n;
};
std::ostream& operator<<(std::ostream& out, attempts a) { return out << a.n << (a.n == 1 ? " attempt" : " attempts"); }

// "chaos_memory_resource::deallocate(p, 32, 8)".
struct deallocation {
    block_shape released;
};
std::ostream& operator<<(std::ostream& out, deallocation d) {
    return out << "chaos_memory_resource::deallocate(p, " << d.released.size << ", " << d.released.alignment << ')';
}

// "the block of #3 resource allocate size=64 align=8", or for a block allocated outside an
// observed run "the block of size=64 align=8 (allocated unobserved)".
struct block_of {
    const std::optional<allocation>& by;
    block_shape allocated;
};
std::ostream& operator<<(std::ostream& out, block_of b) {
    if (b.by)
        return out << "the block of " << *b.by;
    return out << "the block of size=" << b.allocated.size << " align=" << b.allocated.alignment
               << " (allocated unobserved)";
}

void write_divergence(std::ostream& out, const std::optional<allocation>& actual, const finding_facts& facts) {
    if (!actual && !facts.index) {
        out << "the baseline made " << attempts{facts.baseline_attempts.value_or(0)} << ", this run only "
            << facts.run_attempts.value_or(0);
        return;
    }
    out << "attempt #" << (actual ? actual->index() : *facts.index) << ": baseline ";
    if (facts.expected)
        out << signature_of{*facts.expected};
    else
        out << "made only " << attempts{facts.baseline_attempts.value_or(0)};
    out << ", this run ";
    if (actual)
        out << signature_of{*actual};
    else
        out << "made no such attempt";
}

void write(std::ostream& out, finding_kind kind, const std::optional<allocation>& concerned, const finding_facts& facts) {
    const deallocation call{facts.released.value_or(block_shape{})};
    const block_of block{concerned, facts.allocated.value_or(block_shape{})};
    switch (kind) {
    case finding_kind::leak:
        out << "the block of #" << (concerned ? concerned->index() : facts.index.value_or(0));
        if (concerned)
            out << ' ' << signature_of{*concerned};
        out << " is still live after the run";
        return;
    case finding_kind::double_free:
        out << call << ": " << block << " was already released; it was not released again";
        return;
    case finding_kind::size_mismatch:
        out << call << " of " << block << ": pass the size given to allocate; the block was released with size="
            << block.allocated.size;
        return;
    case finding_kind::alignment_mismatch:
        out << call << " of " << block << ": pass the alignment given to allocate; the block was released with align="
            << block.allocated.alignment;
        return;
    case finding_kind::foreign_pointer:
        out << call << ": p was never given out by this resource, so it was not released; deallocate a block on the "
            << "resource that allocated it";
        return;
    case finding_kind::overrun:
        out << call << ": " << block << " was written past its end, at offset " << facts.offset.value_or(0)
            << "; write only within the size given to allocate";
        return;
    case finding_kind::divergence:
        write_divergence(out, concerned, facts);
        return;
    case finding_kind::forbidden_allocation:
        if (concerned)
            out << signature_of{*concerned} << " inside forbid_allocations, after " << attempts{concerned->index()};
        return;
    case finding_kind::broken_guarantee:
        break;
    }
    out << kind;
}

}  // namespace

finding::finding(finding_kind kind, std::optional<alloc_chaos::allocation> concerned, const finding_facts& facts,
                 std::vector<stack_frame> stack)
    : kind_(kind), allocation_(concerned), facts_(facts), stack_(std::move(stack)) {
    std::ostringstream out;
    write(out, kind, concerned, facts);
    message_ = out.str();  // a copy of exact size: the stream's own buffer has room for 512 bytes
}

}  // namespace alloc_chaos
