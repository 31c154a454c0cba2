// A run that ends the calling process (a check without worker processes) says which run it was
// on stderr before the process dies. Each crash runs in a forked child whose stderr is a pipe,
// with the crash signals at their default actions, as in a program without a test framework.
#define BOOST_TEST_MODULE crash_notice
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>
#include <alloc_chaos/detail/abandon_check.hpp>

#include "test_bodies.hpp"

#include <csignal>
#include <cstdlib>
#include <exception>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <setjmp.h>
#include <sys/wait.h>
#include <unistd.h>

using alloc_chaos::checker;
using alloc_chaos::failure_mode;
using test_bodies::sink;

namespace {

constexpr int crash_signals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};

const std::string hint = "  hint: run the check with processes(n) (or ALLOC_CHAOS_PROCESSES=0 in the environment) "
                         "to get a report in which a crash is the outcome of one run";

// How a child ended, and the lines it wrote to stderr.
struct child_end {
    std::vector<std::string> lines;
    int signal = 0;      // the signal that ended it; 0 when it exited
    int exit_code = -1;  // its exit code when it exited
};

// Runs `scenario` in a forked child, stderr on a pipe and the crash signals at their default
// actions (in place of Boost.Test's, which would go on with the suite inside the child); exits 0
// when `scenario` returns.
template <class Scenario>
child_end in_child(Scenario scenario) {
    int pipe_ends[2];
    BOOST_TEST_REQUIRE(::pipe(pipe_ends) == 0);
    const pid_t child = ::fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pipe_ends[0]);
        ::dup2(pipe_ends[1], STDERR_FILENO);
        ::close(pipe_ends[1]);
        for (int s : crash_signals)
            std::signal(s, SIG_DFL);
        scenario();
        ::_exit(0);
    }
    ::close(pipe_ends[1]);
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipe_ends[0], buffer, sizeof buffer)) != 0;)
        if (n > 0)
            text.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_ends[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    child_end end;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
        end.lines.push_back(line);
    if (WIFSIGNALED(status))
        end.signal = WTERMSIG(status);
    if (WIFEXITED(status))
        end.exit_code = WEXITSTATUS(status);
    return end;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string all;
    for (const std::string& line : lines)
        all += line + '\n';
    return all;
}

// How a child is to end: killed by a signal, or exiting with a code.
struct expected_end {
    int signal = 0;      // the signal that is to end it; 0 when it is to exit
    int exit_code = -1;  // its exit code when it is to exit
};
expected_end killed_by(int signal) { return {signal, -1}; }
expected_end exits_with(int code) { return {0, code}; }

// Runs `scenario` in a child (in_child) and expects it to end as `expected` says, having written
// exactly `lines` to stderr: the notice of the run that ended it, and what followed.
template <class Scenario>
void expect_notice(Scenario scenario, expected_end expected, const std::vector<std::string>& lines) {
    const child_end end = in_child(scenario);
    BOOST_TEST_INFO(joined(end.lines));
    if (expected.signal != 0)
        BOOST_TEST(end.signal == expected.signal);
    else
        BOOST_TEST(end.exit_code == expected.exit_code);
    BOOST_TEST(end.lines == lines, boost::test_tools::per_element());
}

// The crash signals' handlers and flags, and the terminate handler.
std::string dispositions() {
    std::ostringstream text;
    for (int s : crash_signals) {
        struct sigaction action = {};
        ::sigaction(s, nullptr, &action);
        text << s << ": " << ((action.sa_flags & SA_SIGINFO) ? reinterpret_cast<void*>(action.sa_sigaction)
                                                            : reinterpret_cast<void*>(action.sa_handler))
             << " flags " << action.sa_flags << "; ";
    }
    text << "terminate: " << reinterpret_cast<void*>(std::get_terminate());
    return text.str();
}

// Allocates in a function that promises not to throw: its failure ends the process.
void allocate_noexcept() noexcept {
    std::vector<int> numbers(8);  // operator new size=32
    sink = numbers.data();
}

// Writes through the block of `new (std::nothrow) int` without checking it. Not sanitized for
// null: the store must reach the hardware and fault, as it does in a program built without it.
ALLOC_CHAOS_NO_SANITIZE("null") void write_unchecked() {
    int* p = new (std::nothrow) int;  // operator new size=4 nothrow
    *static_cast<volatile int*>(p) = 1;
    sink = p;
    delete p;
}

// Makes #0 operator new size=32, and aborts when it fails.
void abort_on_failure() {
    try {
        test_bodies::allocate_and_free(32);
    } catch (const std::bad_alloc&) {
        std::abort();
    }
}

// The handler of SIGSEGV that a program had before the check: says so, and exits with 3.
void previous_segv_handler(int, siginfo_t*, void*) {
    constexpr char said[] = "the previous handler ran\n";
    (void)!::write(STDERR_FILENO, said, sizeof said - 1);
    ::_exit(3);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_failure_escaping_a_noexcept_function_names_its_run_and_what_before_terminate_speaks) {
    expect_notice([] { checker{}.run(allocate_noexcept); }, killed_by(SIGABRT), {
        "alloc-chaos: the run failing #0 operator new size=32 align=16 ended the process "
        "(std::terminate)",
        "  what(): alloc-chaos injected failure of attempt #0 operator new size=32 align=16",
        "  replay: ALLOC_CHAOS_ONLY=0",
        hint,
        "terminate called after throwing an instance of 'alloc_chaos::injected_bad_alloc'",
        "  what():  alloc-chaos injected failure of attempt #0 operator new size=32 align=16",
    });
}

BOOST_AUTO_TEST_CASE(a_write_through_an_unchecked_nothrow_failure_names_its_run_and_sigsegv) {
    expect_notice([] { checker{}.run(write_unchecked); }, killed_by(SIGSEGV), {
        "alloc-chaos: the run failing #0 operator new size=4 align=16 nothrow ended the "
        "process (SIGSEGV)",
        "  replay: ALLOC_CHAOS_ONLY=0",
        hint,
    });
}

BOOST_AUTO_TEST_CASE(an_abort_in_a_run_names_its_run_and_sigabrt) {
    expect_notice([] { checker{}.run(abort_on_failure); }, killed_by(SIGABRT), {
        "alloc-chaos: the run failing #0 operator new size=32 align=16 ended the process "
        "(SIGABRT)",
        "  replay: ALLOC_CHAOS_ONLY=0",
        hint,
    });
}

BOOST_AUTO_TEST_CASE(a_persistent_run_ending_the_process_at_a_later_attempt_names_its_target_and_mode) {
    expect_notice([] {
        checker{}.mode(failure_mode::persistent).run([] {
            test_bodies::allocate_and_free(8);  // #0
            try {
                test_bodies::allocate_and_free(16);  // #1
            } catch (const std::bad_alloc&) {
                void* retry = ::operator new(16, std::nothrow);  // #2: fails only after a persistent #1
                if (retry == nullptr)
                    std::abort();
                ::operator delete(retry);
            }
        });
    }, killed_by(SIGABRT), {
        "alloc-chaos: the run failing #1 operator new size=16 align=16, persistent, ended the "
        "process (SIGABRT)",
        "  replay: ALLOC_CHAOS_ONLY=1 ALLOC_CHAOS_MODE=persistent",
        hint,
    });
}

BOOST_AUTO_TEST_CASE(a_run_ending_the_process_before_its_target_names_the_target_not_reached) {
    expect_notice([] {
        int calls = 0;  // the baseline, the run failing #0, the run failing #1
        checker{}.run([&] {
            if (++calls == 3)
                std::abort();
            for (int i = 0; i < 2; ++i) {  // #0, #1
                void* p = ::operator new(8, std::nothrow);
                sink = p;
                ::operator delete(p);
            }
        });
    }, killed_by(SIGABRT), {
        "alloc-chaos: the run failing attempt #1, before it was reached, ended the process "
        "(SIGABRT)",
        "  replay: ALLOC_CHAOS_ONLY=1",
        hint,
    });
}

BOOST_AUTO_TEST_CASE(a_baseline_run_ending_the_process_is_named_with_no_replay) {
    expect_notice([] { checker{}.run([] { std::abort(); }); }, killed_by(SIGABRT), {
        "alloc-chaos: the baseline run, with nothing failed, ended the process (SIGABRT)",
        hint,
    });
}

BOOST_AUTO_TEST_CASE(a_crash_on_a_thread_the_body_started_names_the_checking_threads_run) {
    expect_notice([] {
        checker{}.run([] {
            try {
                test_bodies::allocate_and_free(32);
            } catch (const std::bad_alloc&) {
                std::thread([] { std::abort(); }).join();
            }
        });
    }, killed_by(SIGABRT), {
        "alloc-chaos: the run failing #0 operator new size=32 align=16 ended the process "
        "(SIGABRT)",
        "  replay: ALLOC_CHAOS_ONLY=0",
        hint,
    });
}

BOOST_AUTO_TEST_CASE(the_signal_goes_on_to_the_handler_installed_before_the_check) {
    expect_notice([] {
        struct sigaction previous = {};
        previous.sa_sigaction = &previous_segv_handler;
        previous.sa_flags = SA_SIGINFO;
        ::sigaction(SIGSEGV, &previous, nullptr);
        checker{}.run(write_unchecked);
    }, exits_with(3), {
        "alloc-chaos: the run failing #0 operator new size=4 align=16 nothrow ended the "
        "process (SIGSEGV)",
        "  replay: ALLOC_CHAOS_ONLY=0",
        hint,
        "the previous handler ran",
    });
}

BOOST_AUTO_TEST_CASE(the_handlers_are_in_place_while_a_check_runs) {
    const std::string before = dispositions();
    std::string during;
    checker{}.run([&] {
        alloc_chaos::unobserved reading;
        during = dispositions();
    });
    BOOST_TEST(during != before);
}

BOOST_AUTO_TEST_CASE(the_handlers_are_restored_after_a_check_that_did_not_crash) {
    const std::string before = dispositions();
    checker{}.run([] { test_bodies::allocate_and_free(8); });
    BOOST_TEST(dispositions() == before);
}

// Left by siglongjmp, as Boost.Test leaves a case on a signal: in a child, since the frames
// skipped leak.
BOOST_AUTO_TEST_CASE(the_handlers_are_restored_when_an_abandoned_check_is_released) {
    const child_end end = in_child([] {
        const std::string before = dispositions();
        static sigjmp_buf out;
        if (sigsetjmp(out, 1) == 0)
            checker{}.run([] { siglongjmp(out, 1); });
        alloc_chaos::detail::abandon_check();
        const std::string after = dispositions();
        const std::string said = (after == before ? "restored: " : "not restored: ") + after + '\n';
        (void)!::write(STDERR_FILENO, said.data(), said.size());
    });
    BOOST_TEST_INFO(joined(end.lines));
    BOOST_TEST(end.exit_code == 0);
    BOOST_REQUIRE_EQUAL(end.lines.size(), 1u);
    BOOST_TEST(end.lines[0].starts_with("restored: "));
}

// A resource whose block a run kept, the run left by siglongjmp: the runs of the next check keep
// its blocks anew, and name the one a failure leaks.
BOOST_AUTO_TEST_CASE(a_resource_used_in_an_abandoned_check_names_its_leak_in_the_next_check) {
    const child_end end = in_child([] {
        alloc_chaos::chaos_memory_resource resource;
        static sigjmp_buf out;
        if (sigsetjmp(out, 1) == 0)
            checker{}.run([&] {
                resource.deallocate(resource.allocate(48, 8), 48, 8);
                sink = resource.allocate(48, 8);  // kept, live when the run is left
                siglongjmp(out, 1);
            });
        alloc_chaos::detail::abandon_check();
        void* held = nullptr;
        const alloc_chaos::report r = checker{}.only_failure(2).run([&] {
            resource.deallocate(resource.allocate(16, 8), 16, 8);  // #0
            held = resource.allocate(32, 8);                       // #1
            resource.deallocate(resource.allocate(16, 8), 16, 8);  // #2: its failure leaks #1
            resource.deallocate(std::exchange(held, nullptr), 32, 8);
        });
        const bool one = r.attempts().size() == 1 && r.attempts()[0].findings().size() == 1;
        const std::string said = one ? r.attempts()[0].findings()[0].message() + "\n" : std::string("not one finding\n");
        (void)!::write(STDERR_FILENO, said.data(), said.size());
    });
    BOOST_TEST_INFO(joined(end.lines));
    BOOST_TEST(end.exit_code == 0);
    BOOST_REQUIRE_EQUAL(end.lines.size(), 1u);
    BOOST_TEST(end.lines[0] == "the block of #1 resource allocate size=32 align=8 is still live after the run");
}
