#include <alloc_chaos/verdict.hpp>

#include <ostream>

namespace alloc_chaos {

std::string_view to_string(verdict v) noexcept {
    switch (v) {
    case verdict::passed: return "PASSED";
    case verdict::partial: return "PARTIAL";
    case verdict::failed: return "FAILED";
    case verdict::invalid: return "INVALID";
    }
    return "unknown verdict";
}

std::ostream& operator<<(std::ostream& out, verdict v) { return out << to_string(v); }

}  // namespace alloc_chaos
