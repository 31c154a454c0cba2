#ifndef ALLOC_CHAOS_TEST_REPORT_TEXT_HPP
#define ALLOC_CHAOS_TEST_REPORT_TEXT_HPP

// A report's text as the suites compare it: exactly, except for the call stacks a report may show
// under a failed run and a leaked block, which depend on the build (symbols, inlining, the stack
// library found). A stack line is indented by 6 or 8 spaces and starts with "at ", "stack: ", or
// "#<digits> ... allocated at"; every other line is kept as it is.

#include <alloc_chaos/report.hpp>

#include <cctype>
#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>

namespace report_text {

// True for a line of a call stack: 6 or 8 spaces, then "at ", "stack: " or "#<digits> ... allocated at".
inline bool is_stack_line(std::string_view line) {
    const std::size_t indent = line.find_first_not_of(' ');
    if (indent != 6 && indent != 8)
        return false;
    const std::string_view rest = line.substr(indent);
    if (rest.starts_with("at ") || rest.starts_with("stack: "))
        return true;
    if (rest.size() < 2 || rest[0] != '#' || !std::isdigit(static_cast<unsigned char>(rest[1])))
        return false;
    return rest.find(" allocated at") != std::string_view::npos;
}

// `text` without its call-stack lines.
inline std::string without_stacks(std::string_view text) {
    std::string kept;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        if (!is_stack_line(line)) {
            kept += line;
            if (end != std::string_view::npos)
                kept += '\n';
        }
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    return kept;
}

// The report exactly as operator<< prints it.
inline std::string streamed(const alloc_chaos::report& r) {
    std::ostringstream out;
    out << r;
    return out.str();
}

// The report as operator<< prints it, without its call-stack lines.
inline std::string rendered(const alloc_chaos::report& r) { return without_stacks(streamed(r)); }

}  // namespace report_text

#endif
