#ifndef ALLOC_CHAOS_FAILURE_MODE_HPP
#define ALLOC_CHAOS_FAILURE_MODE_HPP

#include <iosfwd>
#include <string_view>

namespace alloc_chaos {

// Which attempts of a run fail, given its target.
enum class failure_mode {
    once,        // the target alone: every other attempt succeeds
    persistent,  // the target and every later attempt: memory stays exhausted, so recovery paths
                 // that allocate are exercised too
    both,        // each target run twice, once in each mode (a checker option, never a run's mode)
};

// "once", "persistent", "both".
std::string_view to_string(failure_mode mode) noexcept;

std::ostream& operator<<(std::ostream& out, failure_mode mode);

}  // namespace alloc_chaos

#endif
