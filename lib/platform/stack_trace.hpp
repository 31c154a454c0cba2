#ifndef ALLOC_CHAOS_LIB_STACK_TRACE_HPP
#define ALLOC_CHAOS_LIB_STACK_TRACE_HPP

// Call stacks: captured raw inside a run (return addresses only: no symbol, no allocation),
// symbolized after it, outside the observation, and trimmed to the frames of the body.
//
// Two backends, one per build: stack_trace_libbacktrace.cpp (unwinding with _Unwind_Backtrace,
// symbols from GCC's libbacktrace) and stack_trace_none.cpp (no frame ever). stack_trace.cpp holds
// what they share: the trimming and a cache of symbolized addresses.

#include <alloc_chaos/stack_frame.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace alloc_chaos::detail {

// True when demangled function `name` is of namespace `prefix` ("alloc_chaos::"): the name starts
// with it, or a return type before it does ("alloc_chaos::report alloc_chaos::checker::run<...>(...)").
bool named_in(std::string_view name, std::string_view prefix) noexcept;

// A source file's path as the debug information gives it, as the compiler was given it: without
// "..", and without the directory a DWARF reader joined to a name that was absolute already
// (GCC 12's libbacktrace joins the compilation directory to a DWARF 5 line table's file 0, which
// clang names absolutely when the build directory is outside the source tree:
// "/build//src/lib/x.cpp" is "/src/lib/x.cpp").
std::string source_path(std::string_view file);

// The return addresses of one stack, innermost first, up to the frame that called the body.
struct raw_stack {
    static constexpr std::size_t capacity = 64;
    std::size_t size = 0;
    std::uintptr_t pcs[capacity]{};  // call sites: each return address minus one
};

// The stacks one run takes, all unobserved, none through operator new.
struct stack_request {
    const void* body_caller = nullptr;     // the frame of the runner that calls the body: stacks stop there
    raw_stack* target = nullptr;           // where the target attempt's stack goes; nullptr: not taken
    const std::size_t* attempts = nullptr;  // further attempts whose stack to take, increasing
    raw_stack* attempt_stacks = nullptr;   // one per entry of `attempts`
    std::size_t count = 0;                 // entries of `attempts`
    std::size_t next = 0;                  // the first entry of `attempts` not reached yet
};

// Backend: true when the build symbolizes stacks.
bool stack_backend_available() noexcept;
// Backend: why a stack is not available in this build, for the report line; empty when it is.
std::string_view stack_backend_missing() noexcept;
// Backend: fills `into` with the stack of the caller, stopping below `body_caller` (the frame
// address of the function that calls the body). Allocates nothing.
void capture_stack(raw_stack& into, const void* body_caller) noexcept;

// A frame as symbolized, with what the trimming needs to know of it.
struct symbolized_frame {
    stack_frame frame;
    bool library = false;   // alloc-chaos's own: the engine, a source, the checker, the runner
    bool plumbing = false;  // std::invoke and its kin: how the checker calls the body
};

// Backend: appends the frames at `pc` (a call site), innermost inlined function first; nothing
// when the address is unknown. Library and plumbing are not classified here.
void symbolize_pc(std::uintptr_t pc, std::vector<symbolized_frame>& out);
// Backend: the source file of the library's own code, as the debug information names it;
// empty when unknown.
std::string library_source_file();

// Symbolizes raw stacks for one check, caching each address.
class symbolizer {
public:
    // The frames of `stack` that matter, innermost first: no frame of alloc-chaos, no frame of
    // the checker's call of the body. Empty when nothing could be symbolized (or out of memory).
    std::vector<stack_frame> frames(const raw_stack& stack) noexcept;

private:
    const std::vector<symbolized_frame>& at(std::uintptr_t pc);
    void classify(symbolized_frame& f) const;

    std::unordered_map<std::uintptr_t, std::vector<symbolized_frame>> cache_;
    bool located_ = false;
    std::string library_dir_;  // ".../lib/" of the library's sources, when the debug information names it
};

}  // namespace alloc_chaos::detail

#endif
