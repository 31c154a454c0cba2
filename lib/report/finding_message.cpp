// The sentences of the findings that sources, the engine and the checker record as facts.

#include <alloc_chaos/finding.hpp>

#include <ostream>
#include <sstream>
#include <string_view>

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

// "chaos_memory_resource::deallocate(p, 32, 8)", "operator delete[](p, 32)", "free(p)",
// "allocator<T>::deallocate(p, n) for n * sizeof(T) = 16 bytes" (the one size it knows), ...
struct deallocation {
    block_shape released;
    release_function by;
};
std::ostream& operator<<(std::ostream& out, deallocation d) {
    switch (d.by) {
    case release_function::free: return out << "free(p)";
    case release_function::allocator_deallocate:
        return out << "allocator<T>::deallocate(p, n) for n * sizeof(T) = " << d.released.size << " bytes";
    case release_function::operator_delete:
    case release_function::operator_delete_array:
        out << (d.by == release_function::operator_delete ? "operator delete(p" : "operator delete[](p");
        if (d.released.size != 0)
            out << ", " << d.released.size;
        if (d.released.alignment != 0)
            out << ", std::align_val_t(" << d.released.alignment << ')';
        return out << ')';
    case release_function::resource_deallocate: break;
    }
    return out << "chaos_memory_resource::deallocate(p, " << d.released.size << ", " << d.released.alignment << ')';
}

// What releases a block of `op`: "delete", "delete[]", "free", ...
std::string_view release_for(operation op) noexcept {
    switch (op) {
    case operation::operator_new: return "operator delete";
    case operation::operator_new_array: return "operator delete[]";
    case operation::malloc:
    case operation::calloc:
    case operation::realloc:
    case operation::aligned_alloc: return "free";
    case operation::resource_allocate: return "deallocate on the resource that allocated it";
    case operation::allocator_allocate: return "deallocate on an allocator<T>";
    case operation::custom_allocate: break;
    }
    return "the function that matches its allocation";
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
    const deallocation call{facts.released.value_or(block_shape{}),
                            facts.released_by.value_or(release_function::resource_deallocate)};
    const block_of block{concerned, facts.allocated.value_or(block_shape{})};
    // An allocator<T>'s call names its n, not bytes: the advice speaks of n.
    const bool by_allocator = call.by == release_function::allocator_deallocate;
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
        if (by_allocator)
            out << call << ", of " << block << ": pass the n given to allocate; the block was released with size="
                << block.allocated.size;
        else
            out << call << " of " << block << ": pass the size given to allocate; the block was released with size="
                << block.allocated.size;
        return;
    case finding_kind::alignment_mismatch:
        out << call << " of " << block << ": pass the alignment given to allocate; the block was released with align="
            << block.allocated.alignment;
        return;
    case finding_kind::foreign_pointer:
        if (call.by == release_function::resource_deallocate)
            out << call << ": p was never given out by this resource, so it was not released; deallocate a block on "
                << "the resource that allocated it";
        else if (by_allocator)
            out << call << ": p was never given out by an allocator<T>, so it was not released; deallocate only what "
                << "allocate returned";
        else
            out << call << ": p is no block that was given out, so it was not released; release only what an "
                << "allocation returned";
        return;
    case finding_kind::mismatched_deallocation:
        out << call << " of " << block;
        if (!concerned && facts.allocated_by)
            out << " from " << *facts.allocated_by;
        out << ": release it with " << release_for(facts.allocated_by.value_or(operation::custom_allocate));
        return;
    case finding_kind::overrun:
        out << call << ": " << block << " was written past its end, at offset " << facts.offset.value_or(0)
            << (by_allocator ? "; write only within the n objects given to allocate"
                             : "; write only within the size given to allocate");
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
