#ifndef ALLOC_CHAOS_LIB_SELECTION_HPP
#define ALLOC_CHAOS_LIB_SELECTION_HPP

// Which targets a check runs: from its options, or from the environment when a failure is
// replayed without recompiling (ALLOC_CHAOS_ONLY, ALLOC_CHAOS_RANGE, ALLOC_CHAOS_MODE, ALLOC_CHAOS_TRAP);
// where runs execute (ALLOC_CHAOS_PROCESSES, ALLOC_CHAOS_RUN_TIMEOUT) and how the report shows
// call stacks (ALLOC_CHAOS_STACKS), which narrow nothing.

#include <alloc_chaos/failure_mode.hpp>
#include <alloc_chaos/report.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace alloc_chaos::detail {

struct selection {
    enum class kind { all, only, range, sample };

    kind how = kind::all;
    std::size_t first = 0;     // only, range: the targets [first, last)
    std::size_t last = 0;      // only: first + 1, which wraps to 0 for the largest index; resolve()
                               // works modulo 2^N and counts that target as one beyond the observed
    std::size_t count = 0;     // sample: how many targets to draw
    std::uint64_t seed = 0;    // sample: the draw's seed
    std::string environment;   // "ALLOC_CHAOS_ONLY=7" when the environment chose the targets

    // How the selection was narrowed by hand, for people: "only_failure(7)", "failure_range(3, 9)",
    // "sample(5, 42)", the environment's setting; empty when everything is selected.
    std::string narrowing() const;

    struct resolved {
        std::vector<std::size_t> targets;  // selected and observed, increasing
        std::size_t beyond = 0;            // selected at or beyond the observed attempts
    };
    // The targets among `observed` attempts, the first `max_failures` selected kept.
    resolved resolve(std::size_t observed, std::size_t max_failures) const;
};

// What the environment overrides for every check of the process.
struct environment_overrides {
    std::optional<selection> targets;   // ALLOC_CHAOS_ONLY=k or ALLOC_CHAOS_RANGE=first:last
    std::optional<failure_mode> mode;   // ALLOC_CHAOS_MODE=once|persistent|both
    std::optional<std::size_t> trap;    // ALLOC_CHAOS_TRAP=k
    // ALLOC_CHAOS_PROCESSES=n: where runs execute; std::nullopt inside for "off", the calling process.
    std::optional<std::optional<std::size_t>> processes;
    std::optional<std::chrono::milliseconds> run_timeout;  // ALLOC_CHAOS_RUN_TIMEOUT=ms
    std::optional<stack_detail> stacks;                   // ALLOC_CHAOS_STACKS=folded|full
    // The settings found, "ALLOC_CHAOS_ONLY=7 ALLOC_CHAOS_MODE=persistent"; empty when none.
    std::string described;
};

// Reads the environment; a value that makes no sense throws std::invalid_argument naming the
// variable and the fix.
environment_overrides read_environment();

}  // namespace alloc_chaos::detail

#endif
