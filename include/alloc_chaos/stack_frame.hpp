#ifndef ALLOC_CHAOS_STACK_FRAME_HPP
#define ALLOC_CHAOS_STACK_FRAME_HPP

// Where an allocation was made. The report shows the call stack of every failed run's injected
// allocation (attempt::stack()) and of every leaked block (finding::stack()), symbolized and
// trimmed to the body's own frames: no frame of alloc-chaos, none above the body. The text report
// folds the standard library's frames and shortens names unless told otherwise (stack_detail).

#include <iosfwd>
#include <string>

namespace alloc_chaos {

// One frame of a call stack, as the debug information names it.
struct stack_frame {
    // The function, demangled: "(anonymous namespace)::fill(std::vector<int>&)"; empty when unknown.
    std::string function;
    // The source file of the line; empty when unknown.
    std::string file;
    // The line in `file` being executed (for an outer frame, the call); 0 when unknown.
    unsigned line = 0;

    friend bool operator==(const stack_frame&, const stack_frame&) = default;
};

// "function file:line", with "??" for an unknown function or file.
std::ostream& operator<<(std::ostream& out, const stack_frame& frame);

// True when this build of alloc-chaos captures and symbolizes call stacks (CMake found GCC's
// libbacktrace, and ALLOC_CHAOS_STACKS is not OFF); otherwise every stack is empty.
bool stacks_available() noexcept;

}  // namespace alloc_chaos

#endif
