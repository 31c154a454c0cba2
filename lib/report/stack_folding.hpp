#ifndef ALLOC_CHAOS_LIB_STACK_FOLDING_HPP
#define ALLOC_CHAOS_LIB_STACK_FOLDING_HPP

// A call stack as the folded text report shows it: the frames of the user's code, one line each,
// and every run of frames inside the standard library or alloc-chaos folded into one line.
//
// Where a frame comes from:
//  - by its file, when the debug information names one: the standard library's when the path
//    holds "/include/c++/" (libstdc++, GCC's and Clang's) or "/c++/v1/" (libc++); alloc-chaos's
//    when it holds "/include/alloc_chaos/" or starts with "include/alloc_chaos/";
//  - by its name, when no file is known: the standard library's when it begins (after a return
//    type, if any) with "std::", "__gnu_cxx::" or "__cxxabiv1::"; alloc-chaos's with "alloc_chaos::";
//  - anything else is the user's code (a third-party library included).
// The first frame of the user's code comes first, then the frames it called into, folded (they
// are innermost, where the allocation was made), then the rest outwards, each further run of
// library frames folded where it is. A fold names its outermost frame, the function the user's
// code called. A stack without any frame of the user's code is not folded.

#include <alloc_chaos/stack_frame.hpp>

#include <cstddef>
#include <span>
#include <vector>

namespace alloc_chaos::detail {

enum class frame_origin { user, standard_library, alloc_chaos };

frame_origin origin_of(const stack_frame& frame);

// One line of a folded stack: a frame of the user's code, or a fold of library frames.
struct folded_line {
    const stack_frame* frame = nullptr;  // the user's frame; nullptr for a fold
    std::size_t folded = 0;              // a fold: the frames it holds
    bool standard_library = false;       // a fold: it holds frames of the standard library
    bool alloc_chaos = false;            // a fold: it holds frames of alloc-chaos
    const stack_frame* entry = nullptr;  // a fold: its outermost frame, the one the user's code called
};

// The lines of `frames` (innermost first), in the order they are shown.
std::vector<folded_line> fold(std::span<const stack_frame> frames);

}  // namespace alloc_chaos::detail

#endif
