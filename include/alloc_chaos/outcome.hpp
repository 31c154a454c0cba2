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
    crashed,    // the run ended its worker process: a signal (SIGABRT from std::terminate or
                // abort(), SIGSEGV, ...) or exit, _exit, quick_exit
    timed_out,  // the run passed its time limit, and its worker process was killed
};

// "completed", "bad_alloc", "exception", "crashed", "timed out".
std::string_view to_string(outcome o) noexcept;

std::ostream& operator<<(std::ostream& out, outcome o);

}  // namespace alloc_chaos

#endif
