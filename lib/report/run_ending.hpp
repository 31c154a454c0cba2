#ifndef ALLOC_CHAOS_LIB_RUN_ENDING_HPP
#define ALLOC_CHAOS_LIB_RUN_ENDING_HPP

// The message of a run that ended its worker process (outcome crashed or timed_out), from facts.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace alloc_chaos::detail {

// How a run ended its worker.
struct run_ending {
    std::optional<std::chrono::milliseconds> time_limit;  // the limit it was killed at; none: it crashed
    std::string_view cause;                                // for a crash: "SIGSEGV", "exit status 3"
    std::string_view stderr_tail;                          // its last lines on stderr, without the final newline
};

// "SIGSEGV; its last lines on stderr:\n...", "killed at its time limit of 2000 ms".
std::string message_of(const run_ending& ending);

}  // namespace alloc_chaos::detail

#endif
