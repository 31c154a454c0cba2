#ifndef ALLOC_CHAOS_OUTCOME_HPP
#define ALLOC_CHAOS_OUTCOME_HPP

#include <iosfwd>
#include <string_view>

namespace alloc_chaos {

// How one run of a test body ended.
enum class outcome {
    completed,  // the body returned
    bad_alloc,  // a std::bad_alloc (or derived) escaped it: the controlled error
    exception,  // any other exception escaped it
};

// "completed", "bad_alloc", "exception".
std::string_view to_string(outcome o) noexcept;

std::ostream& operator<<(std::ostream& out, outcome o);

}  // namespace alloc_chaos

#endif
