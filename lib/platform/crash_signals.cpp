#include "crash_signals.hpp"

#include "process.hpp"  // write_all: write(2) alone, async-signal-safe

#include <cerrno>
#include <csignal>
#include <iterator>

#include <unistd.h>

namespace alloc_chaos::detail {

namespace {

// The signals that end a process on a crash, with their names.
struct watched_signal {
    int number;
    std::string_view name;
};
constexpr watched_signal watched[] = {
    {SIGABRT, "SIGABRT"}, {SIGSEGV, "SIGSEGV"}, {SIGBUS, "SIGBUS"}, {SIGFPE, "SIGFPE"}, {SIGILL, "SIGILL"},
};
constexpr std::size_t watched_count = std::size(watched);

// What was in place before: the handler chains to it, and unwatch_crash_signals() puts it back.
// Written before the handlers are installed, never while they are.
struct sigaction previous_actions[watched_count];
crash_observer observer = nullptr;

std::size_t watched_index(int number) noexcept {
    std::size_t i = 0;
    while (i + 1 < watched_count && watched[i].number != number)
        ++i;
    return i;
}

// Hands the signal to what was in place before: the default action (the process ends with the
// signal, as without the observer), nothing for an ignored signal, or the handler, which may
// return or jump out (Boost.Test's execution monitor siglongjmps back into its test case).
void chain(const struct sigaction& before, int number, siginfo_t* info, void* context) noexcept {
    if (!(before.sa_flags & SA_SIGINFO) && (before.sa_handler == SIG_DFL || before.sa_handler == SIG_IGN)) {
        // Blocked while this handler runs, the re-raised signal arrives as it returns; a fault
        // that is ignored comes back at once, and the kernel ends the process with it.
        ::sigaction(number, &before, nullptr);
        if (before.sa_handler == SIG_DFL)
            ::raise(number);
        return;
    }
    if (before.sa_flags & SA_RESETHAND) {  // as the kernel would have before calling it
        struct sigaction reset = {};
        reset.sa_handler = SIG_DFL;
        ::sigaction(number, &reset, nullptr);
    }
    ::pthread_sigmask(SIG_BLOCK, &before.sa_mask, nullptr);  // its own mask; restored when this handler returns
    if (before.sa_flags & SA_SIGINFO)
        before.sa_sigaction(number, info, context);
    else
        before.sa_handler(number);
}

void on_crash_signal(int number, siginfo_t* info, void* context) {
    const int saved_errno = errno;
    const std::size_t i = watched_index(number);
    if (observer != nullptr)
        observer(watched[i].name);
    errno = saved_errno;
    chain(previous_actions[i], number, info, context);
}

}  // namespace

void watch_crash_signals(crash_observer observe) noexcept {
    observer = observe;
    struct sigaction ours = {};
    ours.sa_sigaction = &on_crash_signal;
    sigemptyset(&ours.sa_mask);
    ours.sa_flags = SA_SIGINFO | SA_ONSTACK;
    for (std::size_t i = 0; i < watched_count; ++i) {
        ::sigaction(watched[i].number, nullptr, &previous_actions[i]);
        ::sigaction(watched[i].number, &ours, nullptr);
    }
}

void unwatch_crash_signals() noexcept {
    for (std::size_t i = 0; i < watched_count; ++i) {
        struct sigaction now = {};
        if (::sigaction(watched[i].number, nullptr, &now) == 0 && (now.sa_flags & SA_SIGINFO) &&
            now.sa_sigaction == &on_crash_signal)
            ::sigaction(watched[i].number, &previous_actions[i], nullptr);
    }
}

void write_to_stderr(std::string_view text) noexcept { write_all(STDERR_FILENO, text.data(), text.size()); }

}  // namespace alloc_chaos::detail
