// Call stacks with the unwinder of the C++ runtime and GCC's libbacktrace: the capture walks the
// stack with _Unwind_Backtrace, which reads no symbol and calls no operator new; the symbols
// come from the executable's DWARF debug information and symbol tables, after the run.

#include "stack_trace.hpp"

#include <backtrace.h>
#include <cxxabi.h>
#include <unwind.h>

#include <cstdlib>
#include <memory>
#include <new>

namespace alloc_chaos::detail {

namespace {

struct unwinding {
    raw_stack* into;
    std::uintptr_t limit;  // the frame that called the body: frames at or above it are not the body's
};

_Unwind_Reason_Code on_frame(_Unwind_Context* context, void* data) {
    unwinding& walk = *static_cast<unwinding*>(data);
    if (walk.limit != 0 && _Unwind_GetCFA(context) > walk.limit)
        return _URC_END_OF_STACK;
    int before_instruction = 0;
    std::uintptr_t pc = _Unwind_GetIPInfo(context, &before_instruction);
    if (pc == 0)
        return _URC_END_OF_STACK;
    if (before_instruction == 0)
        --pc;  // a return address: the call is the instruction before it
    walk.into->pcs[walk.into->size++] = pc;
    return walk.into->size == raw_stack::capacity ? _URC_END_OF_STACK : _URC_NO_REASON;
}

void ignore_error(void*, const char*, int) {}

// The symbols of this process, loaded on first use, never released (libbacktrace cannot).
backtrace_state* symbols() {
    static backtrace_state* const state = backtrace_create_state(nullptr, 1, ignore_error, nullptr);
    return state;
}

std::string demangled(const char* name) {
    if (name == nullptr)
        return {};
    int status = 0;
    // __cxa_demangle's block comes from malloc (whatever replaces it): free() is its pair, not the raw path.
    std::unique_ptr<char, void (*)(void*)> plain(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
    return status == 0 && plain ? std::string(plain.get()) : std::string(name);
}

struct found_frames {
    std::vector<symbolized_frame>* out;
    bool failed = false;
};

// Called by libbacktrace once per function at the address, innermost inlined one first.
int on_line(void* data, std::uintptr_t, const char* file, int line, const char* function) {
    found_frames& found = *static_cast<found_frames*>(data);
    if (file == nullptr && function == nullptr)
        return 0;  // no debug information here
    try {  // no exception may cross libbacktrace's C frames
        symbolized_frame f;
        f.frame.function = demangled(function);
        if (file != nullptr)
            f.frame.file = source_path(file);
        f.frame.line = line > 0 ? static_cast<unsigned>(line) : 0;
        found.out->push_back(std::move(f));
        return 0;
    } catch (...) {
        found.failed = true;
        return 1;
    }
}

// Called by libbacktrace with the symbol-table entry at the address.
void on_symbol(void* data, std::uintptr_t, const char* name, std::uintptr_t, std::uintptr_t) {
    found_frames& found = *static_cast<found_frames*>(data);
    if (name == nullptr)
        return;
    try {
        std::string function = demangled(name);
        if (found.out->empty())
            found.out->emplace_back();
        found.out->front().frame.function = std::move(function);
    } catch (...) {
        found.failed = true;
    }
}

void capture_caller(raw_stack& into, const void* body_caller) noexcept {
    unwinding walk{&into, reinterpret_cast<std::uintptr_t>(body_caller)};
    into.size = 0;
    _Unwind_Backtrace(on_frame, &walk);
}

}  // namespace

bool stack_backend_available() noexcept { return true; }

std::string_view stack_backend_missing() noexcept { return {}; }

void capture_stack(raw_stack& into, const void* body_caller) noexcept { capture_caller(into, body_caller); }

void symbolize_pc(std::uintptr_t pc, std::vector<symbolized_frame>& out) {
    backtrace_state* state = symbols();
    if (state == nullptr)
        return;
    const std::size_t first = out.size();
    found_frames found{&out};
    backtrace_pcinfo(state, pc, on_line, ignore_error, &found);
    if (found.failed)
        throw std::bad_alloc();
    // The debug information names a function by its short name ("operator()", "fill"); the
    // symbol table names the function the address is in by its qualified, mangled one. Inlined
    // functions have no symbol of their own: they keep their short names.
    std::vector<symbolized_frame> named;
    found_frames by_symbol{&named};
    backtrace_syminfo(state, pc, on_symbol, ignore_error, &by_symbol);
    if (by_symbol.failed)
        throw std::bad_alloc();
    if (named.empty() || named.front().frame.function.empty())
        return;
    if (out.size() == first)
        out.push_back(std::move(named.front()));
    else
        out.back().frame.function = std::move(named.front().frame.function);
}

std::string library_source_file() {
    std::vector<symbolized_frame> own;
    symbolize_pc(reinterpret_cast<std::uintptr_t>(&capture_caller), own);
    return own.empty() ? std::string() : own.back().frame.file;
}

}  // namespace alloc_chaos::detail
