#ifndef ALLOC_CHAOS_LIB_CRASH_NOTICE_HPP
#define ALLOC_CHAOS_LIB_CRASH_NOTICE_HPP

// Which run ended the process, said before it dies: for a check whose runs execute in the calling
// process, where a crash ends the check instead of becoming the outcome of a run.

namespace alloc_chaos::detail {

// While alive, a run that ends the process (std::terminate, or SIGABRT, SIGSEGV, SIGBUS, SIGFPE,
// SIGILL) first writes to stderr which run it was, how to replay it, and that worker processes
// would make the crash one run's outcome:
//
//     alloc-chaos: the run failing #0 operator new size=32 align=16 ended the process (SIGABRT)
//       replay: ALLOC_CHAOS_ONLY=0
//       hint: run the check with processes(n) (or ALLOC_CHAOS_PROCESSES=0 in the environment) to ...
//
// then hands the signal or the termination to the handler installed before it, which decides
// what happens next (the default one ends the process; Boost.Test's execution monitor may jump
// out of the case). Process-wide: the first guard alive on any thread installs the handlers, the
// last one destroyed restores the previous ones, when nobody replaced them meanwhile.
//
// The run named is the one in progress on the thread that crashed, or, for a crash on a thread
// that runs no check (one the body started), the one in progress on the thread whose guard
// installed the handlers (once that guard is gone, the thread of the next guard made). A SIGSEGV from a stack overflow is out of scope: without an alternate
// signal stack on the thread, no handler can run.
class crash_notice {
public:
    crash_notice();
    ~crash_notice();
    crash_notice(const crash_notice&) = delete;
    crash_notice& operator=(const crash_notice&) = delete;
};

// Releases the guard of the check that this thread left without unwinding (a longjmp out of a
// signal handler, past the guard's destructor): as its destructor would have. Nothing when the
// thread has no guard alive.
void restore_crash_notice() noexcept;

}  // namespace alloc_chaos::detail

#endif
