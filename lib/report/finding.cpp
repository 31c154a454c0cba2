#include <alloc_chaos/finding.hpp>

#include <ostream>

namespace alloc_chaos {

std::string_view to_string(finding_kind kind) noexcept {
    switch (kind) {
    case finding_kind::leak: return "leak";
    case finding_kind::double_free: return "double free";
    case finding_kind::size_mismatch: return "size mismatch";
    case finding_kind::alignment_mismatch: return "alignment mismatch";
    case finding_kind::foreign_pointer: return "foreign pointer";
    case finding_kind::overrun: return "overrun";
    case finding_kind::divergence: return "divergence";
    case finding_kind::broken_guarantee: return "broken guarantee";
    case finding_kind::forbidden_allocation: return "forbidden allocation";
    case finding_kind::mismatched_deallocation: return "mismatched deallocation";
    }
    return "unknown finding";
}

std::ostream& operator<<(std::ostream& out, finding_kind kind) { return out << to_string(kind); }

std::ostream& operator<<(std::ostream& out, const finding& f) { return out << f.kind() << ": " << f.message(); }

}  // namespace alloc_chaos
