#include <alloc_chaos/outcome.hpp>

#include <ostream>

namespace alloc_chaos {

std::string_view to_string(outcome o) noexcept {
    switch (o) {
    case outcome::completed: return "completed";
    case outcome::bad_alloc: return "bad_alloc";
    case outcome::exception: return "exception";
    case outcome::crashed: return "crashed";
    case outcome::timed_out: return "timed out";
    }
    return "unknown outcome";
}

std::ostream& operator<<(std::ostream& out, outcome o) { return out << to_string(o); }

}  // namespace alloc_chaos
