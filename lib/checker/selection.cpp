#include "selection.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

namespace alloc_chaos::detail {

namespace {

// A uniform draw in [0, bound) that every standard library makes alike (unlike the distributions).
std::uint64_t uniform_below(std::mt19937_64& engine, std::uint64_t bound) {
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
    for (;;)
        if (const std::uint64_t x = engine(); x < limit)
            return x % bound;
}

// `count` distinct targets drawn uniformly from [0, observed), increasing (Floyd's algorithm).
std::vector<std::size_t> draw(std::size_t count, std::size_t observed, std::uint64_t seed) {
    std::mt19937_64 engine(seed);
    std::unordered_set<std::size_t> drawn;
    for (std::size_t j = observed - count; j < observed; ++j) {
        const std::size_t t = static_cast<std::size_t>(uniform_below(engine, j + 1));
        drawn.insert(drawn.count(t) == 0 ? t : j);
    }
    std::vector<std::size_t> sorted(drawn.begin(), drawn.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

[[noreturn]] void bad_variable(std::string_view name, std::string_view value, std::string_view expected) {
    std::ostringstream message;
    message << "alloc-chaos: " << name << "=\"" << value << "\" is not " << expected << "; set it as shown, or unset "
            << name
            << (name == "ALLOC_CHAOS_TRAP"          ? " to run without a trap"
                : name == "ALLOC_CHAOS_PROCESSES"   ? " to run where the check's own options say"
                : name == "ALLOC_CHAOS_RUN_TIMEOUT" ? " to use the check's own time limit"
                : name == "ALLOC_CHAOS_STACKS"      ? " to show stacks as the check's own options say"
                                                    : " to run the check's own selection");
    throw std::invalid_argument(message.str());
}

std::optional<std::string_view> variable(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr)
        return std::nullopt;
    return std::string_view(value);
}

// A whole decimal number read from `text`, a part of `whole` (the variable's value), or
// bad_variable() saying what was `expected`.
std::size_t parse_number(std::string_view name, std::string_view text, std::string_view whole,
                         std::string_view expected) {
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        bad_variable(name, whole, expected);
    return value;
}

std::size_t parse_index(std::string_view name, std::string_view text, std::string_view whole) {
    return parse_number(name, text, whole,
                        name == "ALLOC_CHAOS_RANGE" ? "a half-open range first:last, such as 3:9" : "an attempt index, such as 7");
}

}  // namespace

std::string selection::narrowing() const {
    if (!environment.empty())
        return environment;
    std::ostringstream text;
    switch (how) {
    case kind::all: break;
    case kind::only: text << "only_failure(" << first << ")"; break;
    case kind::range: text << "failure_range(" << first << ", " << last << ")"; break;
    case kind::sample: text << "sample(" << count << ", " << seed << ")"; break;
    }
    return text.str();
}

selection::resolved selection::resolve(std::size_t observed, std::size_t max_failures) const {
    resolved r;
    if (how == kind::sample) {
        r.targets = draw(std::min(count, observed), observed, seed);
        if (r.targets.size() > max_failures)
            r.targets.resize(max_failures);
        return r;
    }
    const std::size_t from = how == kind::all ? 0 : first;
    const std::size_t to = how == kind::all ? observed : last;
    const std::size_t capped = max_failures >= to - from ? to : from + max_failures;
    for (std::size_t t = from; t < std::min(capped, observed); ++t)
        r.targets.push_back(t);
    r.beyond = capped - std::max(from, std::min(capped, observed));
    return r;
}

environment_overrides read_environment() {
    environment_overrides found;
    std::ostringstream described;
    const auto only = variable("ALLOC_CHAOS_ONLY");
    const auto range = variable("ALLOC_CHAOS_RANGE");
    if (only && range)
        throw std::invalid_argument("alloc-chaos: ALLOC_CHAOS_ONLY and ALLOC_CHAOS_RANGE are both set; set one of them");
    if (only) {
        selection s;
        s.how = selection::kind::only;
        s.first = parse_index("ALLOC_CHAOS_ONLY", *only, *only);
        s.last = s.first + 1;
        s.environment = "ALLOC_CHAOS_ONLY=" + std::string(*only);
        found.targets = s;
        described << s.environment;
    }
    if (range) {
        const std::size_t colon = range->find(':');
        if (colon == std::string_view::npos)
            bad_variable("ALLOC_CHAOS_RANGE", *range, "a half-open range first:last, such as 3:9");
        selection s;
        s.how = selection::kind::range;
        s.first = parse_index("ALLOC_CHAOS_RANGE", range->substr(0, colon), *range);
        s.last = parse_index("ALLOC_CHAOS_RANGE", range->substr(colon + 1), *range);
        if (s.first >= s.last)
            bad_variable("ALLOC_CHAOS_RANGE", *range, "a non-empty range first:last with first < last, such as 3:9");
        s.environment = "ALLOC_CHAOS_RANGE=" + std::string(*range);
        found.targets = s;
        described << s.environment;
    }
    if (const auto mode = variable("ALLOC_CHAOS_MODE")) {
        if (*mode == "once")
            found.mode = failure_mode::once;
        else if (*mode == "persistent")
            found.mode = failure_mode::persistent;
        else if (*mode == "both")
            found.mode = failure_mode::both;
        else
            bad_variable("ALLOC_CHAOS_MODE", *mode, "once, persistent or both");
        described << (described.tellp() > 0 ? " " : "") << "ALLOC_CHAOS_MODE=" << *mode;
    }
    if (const auto trap = variable("ALLOC_CHAOS_TRAP")) {
        found.trap = parse_index("ALLOC_CHAOS_TRAP", *trap, *trap);
        described << (described.tellp() > 0 ? " " : "") << "ALLOC_CHAOS_TRAP=" << *trap;
    }
    if (const auto processes = variable("ALLOC_CHAOS_PROCESSES")) {
        if (*processes == "off")
            found.processes.emplace(std::nullopt);
        else
            found.processes.emplace(parse_number("ALLOC_CHAOS_PROCESSES", *processes, *processes,
                                                 "a number of worker processes (0: one per core), or off"));
    }
    if (const auto limit = variable("ALLOC_CHAOS_RUN_TIMEOUT")) {
        constexpr std::string_view expected = "a time limit in milliseconds above 0, such as 5000";
        const std::size_t ms = parse_number("ALLOC_CHAOS_RUN_TIMEOUT", *limit, *limit, expected);
        if (ms == 0)
            bad_variable("ALLOC_CHAOS_RUN_TIMEOUT", *limit, expected);
        found.run_timeout = std::chrono::milliseconds(ms);
    }
    if (const auto stacks = variable("ALLOC_CHAOS_STACKS")) {
        if (*stacks == "full")
            found.stacks = stack_detail::full;
        else if (*stacks == "folded")
            found.stacks = stack_detail::folded;
        else
            bad_variable("ALLOC_CHAOS_STACKS", *stacks, "full or folded");
    }
    found.described = described.str();
    return found;
}

}  // namespace alloc_chaos::detail
