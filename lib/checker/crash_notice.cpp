#include "crash_notice.hpp"

#include "../engine/engine.hpp"
#include "../platform/crash_signals.hpp"
#include "../source/fixed_writer.hpp"

#include <alloc_chaos/source.hpp>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string_view>

namespace alloc_chaos::detail {

namespace {

// What was in place before the first guard: on_terminate chains to it, and the last guard puts it
// back.
std::terminate_handler previous_terminate = nullptr;

std::mutex guards_mutex;
int guards = 0;                              // guards alive on every thread, under guards_mutex
constinit thread_local int guards_here = 0;  // guards alive on this thread

// The run of the thread whose guard installed the handlers, for a crash on a thread that runs no
// check: the address of that thread's own current_run_state, since its run changes from one run
// to the next; nullptr once that guard is gone. A crash reads it while that thread may be moving
// to its next run: a crash report is the best it can be, not a synchronised one.
std::atomic<run_state* const*> installing_run{nullptr};

// Set when a notice is written, so that the SIGABRT with which std::terminate ends the process
// (or a second crash on another thread) writes no second one. Cleared when the handlers are installed.
std::atomic<bool> noticed{false};

constexpr std::string_view hint =
    "  hint: run the check with processes(n) (or ALLOC_CHAOS_PROCESSES=0 in the environment) to get a report "
    "in which a crash is the outcome of one run\n";

// The run in progress on this thread, else the one of the thread that installed the handlers.
const run_state* crashed_run() noexcept {
    if (const run_state* own = current_run_state)
        return own;
    run_state* const* installing = installing_run.load(std::memory_order_acquire);
    return installing != nullptr ? *installing : nullptr;
}

// Writes the notice to stderr, `cause` in parentheses, `what` (when given) on a line of its own.
// Allocates nothing: it runs inside signal handlers.
void write_notice(std::string_view cause, const std::string_view* what) noexcept {
    const run_state* run = crashed_run();
    char line[512];  // fits the longest first line and the replay line, with every number at 20 digits
    {
        fixed_writer out(line, line + sizeof line);
        out << "alloc-chaos: ";
        if (run == nullptr)
            out << "a check was running when the process ended";
        else if (run->target == no_target)
            out << "the baseline run, with nothing failed, ended the process";
        else if (run->injected)
            out << "the run failing " << *run->injected << (run->persistent ? ", persistent," : "")
                << " ended the process";
        else
            out << "the run failing attempt #" << run->target << (run->persistent ? ", persistent" : "")
                << ", before it was reached, ended the process";
        out << " (" << cause << ")\n";
        write_to_stderr(out.text());
    }
    if (what != nullptr) {
        write_to_stderr("  what(): ");
        write_to_stderr(*what);
        write_to_stderr("\n");
    }
    if (run != nullptr && run->target != no_target) {
        fixed_writer out(line, line + sizeof line);
        out << "  replay: ALLOC_CHAOS_ONLY=" << run->target << (run->persistent ? " ALLOC_CHAOS_MODE=persistent" : "")
            << '\n';
        write_to_stderr(out.text());
    }
    write_to_stderr(hint);
}

// A crash signal, before the handler that was in place takes it.
void on_crash_signal(std::string_view signal) noexcept {
    if (!noticed.exchange(true))
        write_notice(signal, nullptr);
}

// Writes the notice, with the escaped exception's what(), then lets the previous handler do what
// it does: libstdc++'s default one writes "terminate called after throwing ..." and aborts.
[[noreturn]] void on_terminate() noexcept {
    unobserved handler;  // what the handlers allocate is no attempt of the run, and must not fail
    if (!noticed.exchange(true)) {
        std::string_view what;
        bool has_what = false;
        if (const std::exception_ptr escaped = std::current_exception()) {
            try {
                std::rethrow_exception(escaped);
            } catch (const std::exception& e) {
                what = e.what();
                has_what = true;
            } catch (...) {  // no what() to print
            }
        }
        write_notice("std::terminate", has_what ? &what : nullptr);
    }
    if (previous_terminate != nullptr && previous_terminate != &on_terminate)
        previous_terminate();
    std::abort();
}

void install() noexcept {
    noticed.store(false);
    watch_crash_signals(&on_crash_signal);
    previous_terminate = std::set_terminate(&on_terminate);
}

// Puts back what was in place before, where the notice's handler is still in place: one that
// somebody installed over it during the check stays.
void restore() noexcept {
    if (std::get_terminate() == &on_terminate)
        std::set_terminate(previous_terminate);
    unwatch_crash_signals();
}

// Releases `count` of this thread's guards; the last guard of the process restores the handlers.
void release(int count) noexcept {
    const std::lock_guard lock(guards_mutex);
    guards_here -= count;
    guards -= count;
    if (guards_here == 0 && installing_run.load(std::memory_order_relaxed) == &current_run_state)
        installing_run.store(nullptr, std::memory_order_release);
    if (guards == 0)
        restore();
}

}  // namespace

crash_notice::crash_notice() {
    const std::lock_guard lock(guards_mutex);
    if (guards++ == 0)
        install();
    if (installing_run.load(std::memory_order_relaxed) == nullptr)
        installing_run.store(&current_run_state, std::memory_order_release);
    ++guards_here;
}

crash_notice::~crash_notice() {
    if (guards_here > 0)  // 0 when restore_crash_notice() released it already
        release(1);
}

void restore_crash_notice() noexcept {
    if (guards_here > 0)
        release(guards_here);
}

}  // namespace alloc_chaos::detail
