#include <alloc_chaos/failure_mode.hpp>

#include <ostream>

namespace alloc_chaos {

std::string_view to_string(failure_mode mode) noexcept {
    switch (mode) {
    case failure_mode::once: return "once";
    case failure_mode::persistent: return "persistent";
    case failure_mode::both: return "both";
    }
    return "unknown mode";
}

std::ostream& operator<<(std::ostream& out, failure_mode mode) { return out << to_string(mode); }

}  // namespace alloc_chaos
