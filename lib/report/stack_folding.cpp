// Folding a call stack to the user's frames; the rules are in stack_folding.hpp.

#include "stack_folding.hpp"

#include "../platform/stack_trace.hpp"  // named_in

#include <string_view>

namespace alloc_chaos::detail {

frame_origin origin_of(const stack_frame& frame) {
    const std::string_view file = frame.file;
    if (!file.empty()) {
        if (file.find("/include/c++/") != std::string_view::npos || file.find("/c++/v1/") != std::string_view::npos)
            return frame_origin::standard_library;
        if (file.find("/include/alloc_chaos/") != std::string_view::npos || file.starts_with("include/alloc_chaos/"))
            return frame_origin::alloc_chaos;
        return frame_origin::user;
    }
    const std::string_view name = frame.function;
    if (named_in(name, "std::") || named_in(name, "__gnu_cxx::") || named_in(name, "__cxxabiv1::"))
        return frame_origin::standard_library;
    if (named_in(name, "alloc_chaos::"))
        return frame_origin::alloc_chaos;
    return frame_origin::user;
}

std::vector<folded_line> fold(std::span<const stack_frame> frames) {
    std::vector<folded_line> lines;
    std::size_t first_user = 0;
    while (first_user < frames.size() && origin_of(frames[first_user]) != frame_origin::user)
        ++first_user;
    if (first_user == frames.size()) {  // nothing of the user's: every frame as it is
        for (const stack_frame& f : frames)
            lines.push_back({.frame = &f});
        return lines;
    }
    // Appends the frames [from, to) as user frames and folds.
    const auto add = [&](std::size_t from, std::size_t to) {
        bool folding = false;
        for (std::size_t i = from; i < to; ++i) {
            const frame_origin origin = origin_of(frames[i]);
            if (origin == frame_origin::user) {
                lines.push_back({.frame = &frames[i]});
                folding = false;
                continue;
            }
            if (!folding)
                lines.push_back({});
            folding = true;
            folded_line& fold_line = lines.back();
            ++fold_line.folded;
            fold_line.entry = &frames[i];
            (origin == frame_origin::standard_library ? fold_line.standard_library : fold_line.alloc_chaos) = true;
        }
    };
    lines.push_back({.frame = &frames[first_user]});
    add(0, first_user);
    add(first_user + 1, frames.size());
    return lines;
}

}  // namespace alloc_chaos::detail
