// The short names of frames in folded stacks; the rules are in frame_name.hpp.

#include "frame_name.hpp"

#include <array>
#include <cstddef>
#include <utility>
#include <vector>

namespace alloc_chaos::detail {

namespace {

constexpr std::string_view ellipsis = "<\u2026>";
constexpr std::size_t longest_kept_list = 32;

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

bool is_operator_symbol(char c) {
    return std::string_view("<>=!+-*/%^&|~").find(c) != std::string_view::npos;
}

// True when the character at `at` ('<', or the space of "operator new", "operator< <int>") is part
// of an operator's name.
bool in_operator_name(std::string_view text, std::size_t at) {
    std::size_t start = at;
    while (start > 0 && is_operator_symbol(text[start - 1]))
        --start;
    return text.substr(0, start).ends_with("operator");
}

// The index of the '>' closing the list opened by the '<' at `open`, or npos.
std::size_t closing(std::string_view text, std::size_t open) {
    int angles = 0;
    int others = 0;  // (), [], {}: a '>' in them closes nothing here
    for (std::size_t i = open; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '(' || c == '[' || c == '{')
            ++others;
        else if (c == ')' || c == ']' || c == '}')
            --others;
        else if (others == 0 && c == '<' && !in_operator_name(text, i))
            ++angles;
        else if (others == 0 && c == '>' && !(i > 0 && text[i - 1] == '-' && in_operator_name(text, i)) &&
                 --angles == 0)
            return i;
    }
    return std::string_view::npos;
}

// The arguments of a list's content, split at its top-level commas.
std::vector<std::string_view> arguments(std::string_view content) {
    std::vector<std::string_view> found;
    int depth = 0;
    std::size_t from = 0;
    for (std::size_t i = 0; i < content.size(); ++i) {
        const char c = content[i];
        if (c == '(' || c == '[' || c == '{' || (c == '<' && !in_operator_name(content, i)))
            ++depth;
        else if (c == ')' || c == ']' || c == '}' || (c == '>' && depth > 0))
            --depth;
        else if (c == ',' && depth == 0) {
            found.push_back(content.substr(from, i - from));
            from = i + 1;
        }
    }
    found.push_back(content.substr(from));
    return found;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    return text;
}

bool is_default_argument(std::string_view argument) {
    constexpr std::array<std::string_view, 6> defaults = {"std::allocator<", "std::char_traits<", "std::less<",
                                                          "std::hash<",      "std::equal_to<",    "std::default_delete<"};
    for (std::string_view d : defaults)
        if (argument.starts_with(d))
            return true;
    return false;
}

// Rule 2, through every list of `text`.
std::string without_default_arguments(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const std::size_t end = c == '<' && !in_operator_name(text, i) ? closing(text, i) : std::string_view::npos;
        if (end == std::string_view::npos) {
            out += c;
            continue;
        }
        std::vector<std::string> kept;
        for (std::string_view argument : arguments(text.substr(i + 1, end - i - 1)))
            kept.push_back(without_default_arguments(trimmed(argument)));
        while (kept.size() > 1 && is_default_argument(kept.back()))
            kept.pop_back();
        out += '<';
        for (std::size_t k = 0; k < kept.size(); ++k)
            out.append(k == 0 ? "" : ", ").append(kept[k]);
        out += '>';
        i = end;
    }
    return out;
}

// The index of the '(' opening the parameter list: the first one outside any list that neither
// opens "(anonymous namespace)" nor belongs to "operator()"; npos when there is none.
std::size_t parameter_list(std::string_view name) {
    int depth = 0;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (c == '<' && !in_operator_name(name, i)) {
            const std::size_t end = closing(name, i);
            if (end == std::string_view::npos)
                return std::string_view::npos;
            i = end;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == '(' && depth == 0) {
            if (name.substr(i).starts_with("(anonymous namespace)")) {
                i += std::string_view("(anonymous namespace)").size() - 1;
                continue;
            }
            if (name.substr(0, i).ends_with("operator") && name.substr(i).starts_with("()")) {
                ++i;
                continue;
            }
            return i;
        }
    }
    return std::string_view::npos;
}

// Rule 4: the name without a leading return type.
std::string_view without_return_type(std::string_view name) {
    const std::size_t parameters = parameter_list(name);
    const std::size_t end = parameters == std::string_view::npos ? name.size() : parameters;
    std::size_t cut = std::string_view::npos;
    int depth = 0;
    for (std::size_t i = 0; i < end; ++i) {
        const char c = name[i];
        if (c == '<' && !in_operator_name(name, i)) {
            const std::size_t close = closing(name, i);
            if (close == std::string_view::npos || close > end)
                break;
            i = close;
        } else if (c == '(' || c == '{' || c == '[') {
            ++depth;
        } else if (c == ')' || c == '}' || c == ']') {
            --depth;
        } else if (c == ' ' && depth == 0 && !in_operator_name(name, i)) {
            cut = i;
        }
    }
    return cut == std::string_view::npos ? name : name.substr(cut + 1);
}

}  // namespace

std::string canonical_function_name(std::string_view demangled) {
    std::string name(demangled);
    replace_all(name, "std::__cxx11::", "std::");
    replace_all(name, "std::__1::", "std::");
    replace_all(name, "[abi:cxx11]", "");
    name = without_default_arguments(name);
    constexpr std::array<std::pair<std::string_view, std::string_view>, 10> known = {{
        {"std::basic_string<char>", "std::string"},
        {"std::basic_string<wchar_t>", "std::wstring"},
        {"std::basic_string_view<char>", "std::string_view"},
        {"std::basic_ostream<char>", "std::ostream"},
        {"std::basic_istream<char>", "std::istream"},
        {"std::basic_iostream<char>", "std::iostream"},
        {"std::basic_ostringstream<char>", "std::ostringstream"},
        {"std::basic_istringstream<char>", "std::istringstream"},
        {"std::basic_stringstream<char>", "std::stringstream"},
        {"std::basic_string<char8_t>", "std::u8string"},
    }};
    for (const auto& [from, to] : known)
        replace_all(name, from, to);
    return name;
}

std::string short_function_name(std::string_view demangled) {
    const std::string canonical = canonical_function_name(demangled);
    const std::string_view name = without_return_type(canonical);
    const std::size_t parameters = parameter_list(name);
    std::string out;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const std::size_t end = c == '<' && !in_operator_name(name, i) ? closing(name, i) : std::string_view::npos;
        if (end == std::string_view::npos) {
            out += c;
            continue;
        }
        const std::string_view content = name.substr(i + 1, end - i - 1);
        const bool own = end + 1 == name.size() || end + 1 == parameters;
        const bool short_enough = content.find('<') == std::string_view::npos && content.size() <= longest_kept_list;
        if (own || !short_enough)
            out += ellipsis;
        else
            out.append(name.substr(i, end - i + 1));
        i = end;
    }
    return out;
}

}  // namespace alloc_chaos::detail

namespace alloc_chaos::detail {

std::string short_qualified_name(std::string_view demangled) {
    std::string name = short_function_name(demangled);
    if (const std::size_t parameters = parameter_list(name); parameters != std::string::npos)
        name.resize(parameters);
    return name;
}

}  // namespace alloc_chaos::detail
