#include "run_ending.hpp"

namespace alloc_chaos::detail {

std::string message_of(const run_ending& ending) {
    std::string message = ending.time_limit
                              ? "killed at its time limit of " + std::to_string(ending.time_limit->count()) + " ms"
                              : std::string(ending.cause);
    if (!ending.stderr_tail.empty())
        message.append("; its last lines on stderr:\n").append(ending.stderr_tail);
    return message;
}

}  // namespace alloc_chaos::detail
