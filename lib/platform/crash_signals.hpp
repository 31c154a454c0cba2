#ifndef ALLOC_CHAOS_LIB_CRASH_SIGNALS_HPP
#define ALLOC_CHAOS_LIB_CRASH_SIGNALS_HPP

// Seeing the signals that end a process on a crash (SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL)
// before whatever was in place handles them: the default action, an ignored signal, or a handler
// of the program or its test framework, which may return or jump out. POSIX.

#include <string_view>

namespace alloc_chaos::detail {

// Called inside the signal handler, with the signal's name ("SIGSEGV"): async-signal-safe only.
using crash_observer = void (*)(std::string_view signal) noexcept;

// Installs a handler for each crash signal (on the thread's alternate stack when it has one) that
// calls `observe`, then hands the signal to what was in place before. Not reentrant: call it, and
// unwatch_crash_signals(), under one lock.
void watch_crash_signals(crash_observer observe) noexcept;

// Puts back what was in place before watch_crash_signals(), where its handler still is: one that
// somebody installed over it since stays.
void unwatch_crash_signals() noexcept;

// Writes all of `text` to stderr with write(2), retrying on EINTR: async-signal-safe.
void write_to_stderr(std::string_view text) noexcept;

}  // namespace alloc_chaos::detail

#endif
