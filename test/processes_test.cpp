// Worker processes: with processes(n), a check's runs execute in processes forked from the calling
// one, so that a run that crashes or hangs is that run's outcome (crashed, timed_out) and the check
// goes on. What stays in a worker, what it prints, what the environment says, what is refused.
#define BOOST_TEST_MODULE processes
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_equality.hpp"
#include "report_text.hpp"
#include "test_bodies.hpp"
#include "test_scopes.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <iostream>
#include <map>
#include <mutex>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using alloc_chaos::allocation;
using alloc_chaos::checker;
using alloc_chaos::failure_mode;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using report_equality::expect_same_report;
using report_text::rendered;
using test_bodies::allocate_and_free;
using test_bodies::allocate_sizes_1_to;
using test_bodies::boom;
using test_bodies::current_target;
using test_bodies::occurrences;
using test_bodies::plain;
using test_bodies::sink;
using test_bodies::targets;
using test_bodies::targets_t;
using test_bodies::three_attempts_mishandling_attempt_1;
using test_scopes::captured_stderr;
using test_scopes::environment_variable;

// Whether this build runs AddressSanitizer.
#if defined(__SANITIZE_ADDRESS__)
#define PROCESSES_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROCESSES_TEST_ASAN 1
#endif
#endif
#ifndef PROCESSES_TEST_ASAN
#define PROCESSES_TEST_ASAN 0
#endif

namespace utf = boost::unit_test;
using namespace std::chrono_literals;

namespace {

// The process the suite runs in: a run made here was not made in a worker process.
const pid_t calling_process = ::getpid();

// Thrown by a body that was to run in a worker process only, when it runs in the calling process,
// instead of crashing or hanging there: a case whose check did not fork fails, the suite goes on.
struct ran_in_the_calling_process : std::exception {
    const char* what() const noexcept override { return "ran in the calling process"; }
};

// The first statement of a body that crashes or hangs.
void in_a_worker_process_only() {
    if (::getpid() == calling_process)
        throw ran_in_the_calling_process();
}

// The issue's reproducer: add() promises not to throw, and allocates.
struct widget {
    std::vector<std::string> names;
    void add(const char* s) noexcept { names.emplace_back(s); }
};

const char first_name[] = "a first name, long enough to be allocated";
const char second_name[] = "a second name, long enough to be allocated";

// #0 the vector's buffer of 1 string, #1 the first string, #2 the buffer of 2 strings, #3 the second
// string: a failure of any of them ends the process in std::terminate.
void add_two_names() {
    in_a_worker_process_only();
    widget w;
    w.add(first_name);
    w.add(second_name);
}

// Writes through the result of a nothrow new without checking it: a null pointer when it failed.
// Not instrumented by UBSan, so that the write is the SIGSEGV it is without it.
ALLOC_CHAOS_NO_SANITIZE("undefined") void write_unchecked() {
    volatile int* numbers = new (std::nothrow) int[100];
    numbers[0] = 1;
    delete[] numbers;
}

// Makes attempts #0..#(n-1) of sizes 1..n; a failure of a target in `crashing` calls `end`.
template <class End>
void attempts_ending_the_process_at(std::size_t n, std::initializer_list<std::size_t> crashing, End end) {
    in_a_worker_process_only();
    for (std::size_t i = 0; i < n; ++i) {
        try {
            allocate_and_free(i + 1);
        } catch (const std::bad_alloc&) {
            for (std::size_t target : crashing)
                if (target == i)
                    end();
            throw;
        }
    }
}

// A destructor that throws while an exception unwinds through it: std::terminate.
struct throws_while_unwinding {
    ~throws_while_unwinding() noexcept(false) {
        if (std::uncaught_exceptions() > 0)
            throw boom();
    }
};

// The exact first line of a crashed run's message followed by its lines on stderr.
std::string sigabrt_with(const std::string& stderr_lines) { return "SIGABRT; its last lines on stderr:\n" + stderr_lines; }

// What libstdc++'s terminate handler prints for an escaping `type` whose what() is `what`.
std::string terminate_lines(const std::string& type, const std::string& what) {
    return "terminate called after throwing an instance of '" + type + "'\n  what():  " + what;
}

// Prints "baseline" or "target <k>" for the run in progress, on std::cout.
void print_the_run() {
    if (const auto target = current_target())
        std::cout << "target " << *target << '\n';
    else
        std::cout << "baseline\n";
}

// What a child process printed on stdout, and what its check said.
struct printed_by_a_child {
    std::string printed;
    bool check_passed = false;
};

// Runs `check` (which returns whether its report was the expected one) in a child process whose
// stdout is a pipe, and reads the pipe to its end: what the child and its worker processes printed.
template <class Check>
printed_by_a_child stdout_of_a_child(Check check) {
    printed_by_a_child result;
    int out[2];
    if (::pipe(out) != 0)
        return result;
    std::cout.flush();
    std::fflush(stdout);
    const pid_t child = ::fork();
    if (child < 0)
        return result;
    if (child == 0) {
        ::close(out[0]);
        ::dup2(out[1], 1);
        ::close(out[1]);
        bool passed = false;
        try {
            passed = check();
        } catch (...) {
        }
        std::cout.flush();
        ::_exit(passed ? 0 : 1);
    }
    ::close(out[1]);
    char buffer[512];
    for (ssize_t got; (got = ::read(out[0], buffer, sizeof buffer)) != 0;)
        if (got > 0)
            result.printed.append(buffer, static_cast<std::size_t>(got));
        else if (errno != EINTR)
            break;
    ::close(out[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    result.check_passed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return result;
}

// Each line of `text`, and how many times it appears.
std::map<std::string, std::size_t> lines_of(const std::string& text) {
    std::map<std::string, std::size_t> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        ++lines[line];
    return lines;
}

}  // namespace

// ---- a run that ends its worker process ----

BOOST_AUTO_TEST_CASE(std_terminate_from_a_noexcept_function_that_allocates_is_a_crashed_run_and_every_target_runs) {
    captured_stderr err;
    const report r = checker{}.processes(2).run(add_two_names);
    const std::size_t sizes[] = {sizeof(std::string), sizeof first_name, 2 * sizeof(std::string), sizeof second_name};
    BOOST_TEST(r.baseline().outcome() == outcome::completed);
    BOOST_TEST(r.baseline_allocations() == 4u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        const alloc_chaos::attempt& run = r.attempts()[i];
        const allocation injected(i, operation::operator_new, sizes[i], plain, false);
        BOOST_TEST(run.target() == i);
        BOOST_TEST(run.outcome() == outcome::crashed, "run failing #" << i);
        BOOST_TEST((run.injected_allocation() == injected), "run failing #" << i);
        BOOST_TEST(run.observed_allocations() == i + 1);
        BOOST_TEST(run.message() ==
                   sigabrt_with(terminate_lines("alloc_chaos::injected_bad_alloc",
                                                alloc_chaos::injected_bad_alloc(injected).what())));
        BOOST_TEST(!run.success());
    }
    BOOST_TEST(!r.success());
    BOOST_TEST(r.injected_failures() == 4u);
}

BOOST_AUTO_TEST_CASE(a_crashed_run_renders_its_signal_its_lines_on_stderr_indented_and_a_replay_in_the_calling_process) {
    captured_stderr err;
    const std::string text = rendered(checker{}.processes(2).run(add_two_names));
    BOOST_TEST(text.starts_with("alloc-chaos check FAILED: 4 of 4 failure runs did not end in a controlled error\n"));
    BOOST_TEST(text.find("  #0 operator new size=32 align=16: crashed \u2014 SIGABRT; its last lines on stderr:\n"
                         "        terminate called after throwing an instance of 'alloc_chaos::injected_bad_alloc'\n"
                         "          what():  alloc-chaos injected failure of attempt #0 operator new size=32 "
                         "align=16\n"
                         "      replay: ALLOC_CHAOS_ONLY=0 ALLOC_CHAOS_PROCESSES=off\n") != std::string::npos,
               text);
    for (std::size_t target = 0; target < 4; ++target)
        BOOST_TEST(occurrences(text, "replay: ALLOC_CHAOS_ONLY=" + std::to_string(target) +
                                         " ALLOC_CHAOS_PROCESSES=off\n") == 1u);
}

BOOST_AUTO_TEST_CASE(a_crashed_run_shows_where_its_injected_allocation_was_made) {
    captured_stderr err;
    const report r = checker{}.processes(2).run(add_two_names);
    BOOST_TEST_REQUIRE(r.attempts().size() == 4u);
    for (const alloc_chaos::attempt& run : r.attempts()) {
        if (!alloc_chaos::stacks_available()) {
            BOOST_TEST(run.stack().empty());
            continue;
        }
        // The body's own frame, widget::add, is on the stack below the standard library's: named
        // "widget::add(char const*)", or "add" where the debug information names it inlined.
        const auto stack = run.stack();
        const bool own = std::any_of(stack.begin(), stack.end(), [](const alloc_chaos::stack_frame& f) {
            return f.function == "add" || f.function.find("widget::add(") != std::string::npos;
        });
        BOOST_TEST(own, "run failing #" << run.target());
    }
}

BOOST_AUTO_TEST_CASE(what_a_crashed_run_printed_on_stderr_is_passed_on_once) {
    captured_stderr err;
    const report r = checker{}.processes(2).run(add_two_names);
    const std::string printed = err.text();
    BOOST_TEST(r.attempts().size() == 4u);
    // Once per crashed run: the replays that take the runs' stacks print nothing.
    BOOST_TEST(occurrences(printed, "terminate called after throwing an instance of") == 4u, printed);
    for (std::size_t target = 0; target < 4; ++target)
        BOOST_TEST(occurrences(printed, "injected failure of attempt #" + std::to_string(target) + " ") == 1u);
}

BOOST_AUTO_TEST_CASE(a_write_through_a_failed_nothrow_new_is_a_sigsegv_and_the_other_targets_still_run) {
    captured_stderr err;
    const report r = checker{}.processes(2).run([] {
        in_a_worker_process_only();
        allocate_and_free(8);  // #0
        write_unchecked();     // #1
        allocate_and_free(16);  // #2
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[1].outcome() == outcome::crashed);
    BOOST_TEST(r.attempts()[1].message() == "SIGSEGV");
    BOOST_TEST((r.attempts()[1].injected_allocation() ==
                allocation(1, operation::operator_new_array, 100 * sizeof(int), plain, true)));
    for (std::size_t target : {0u, 2u}) {
        BOOST_TEST(r.attempts()[target].outcome() == outcome::bad_alloc);
        BOOST_TEST(r.attempts()[target].success());
    }
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(abort_on_the_failure_path_is_a_crashed_run_ended_by_sigabrt) {
    captured_stderr err;
    const report r = checker{}.processes(2).run([] { attempts_ending_the_process_at(3, {1}, [] { std::abort(); }); });
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[1].outcome() == outcome::crashed);
    BOOST_TEST(r.attempts()[1].message() == "SIGABRT");
    BOOST_TEST((r.attempts()[1].injected_allocation() == allocation(1, operation::operator_new, 2, plain, false)));
    BOOST_TEST(r.attempts()[0].success());
    BOOST_TEST(r.attempts()[2].success());
}

// With SIGCHLD ignored, the kernel would reap the workers itself and waitpid() could not say how
// one ended: while the pool lives, SIGCHLD has its default action.
BOOST_AUTO_TEST_CASE(abort_is_named_sigabrt_when_the_calling_process_ignores_sigchld) {
    captured_stderr err;
    struct sigaction ignore {}, previous {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGCHLD, &ignore, &previous);
    const report r = checker{}.processes(2).run([] { attempts_ending_the_process_at(3, {1}, [] { std::abort(); }); });
    ::sigaction(SIGCHLD, &previous, nullptr);
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[1].outcome() == outcome::crashed);
    BOOST_TEST(r.attempts()[1].message() == "SIGABRT");
}

BOOST_AUTO_TEST_CASE(exit_on_the_failure_path_is_a_crashed_run_ended_by_its_exit_status) {
    captured_stderr err;
    const report r = checker{}.processes(2).run([] { attempts_ending_the_process_at(3, {2}, [] { std::exit(3); }); });
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[2].outcome() == outcome::crashed);
    BOOST_TEST(r.attempts()[2].message() == "exit status 3");
    BOOST_TEST(r.attempts()[0].success());
    BOOST_TEST(r.attempts()[1].success());
}

BOOST_AUTO_TEST_CASE(underscore_exit_0_in_a_run_is_a_crashed_run_although_its_status_is_0) {
    captured_stderr err;
    const report r = checker{}.processes(2).run([] { attempts_ending_the_process_at(3, {0}, [] { ::_exit(0); }); });
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[0].outcome() == outcome::crashed);
    BOOST_TEST(r.attempts()[0].message() == "exit status 0");
    BOOST_TEST(r.attempts()[1].success());
    BOOST_TEST(r.attempts()[2].success());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_destructor_throwing_during_the_unwinding_of_a_failure_is_a_crashed_run_ended_by_sigabrt) {
    captured_stderr err;
    const report r = checker{}.processes(2).run([] {
        in_a_worker_process_only();
        allocate_and_free(8);  // #0
        throws_while_unwinding guard;
        allocate_and_free(16);  // #1: its failure unwinds through guard
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].success());
    BOOST_TEST(r.attempts()[1].outcome() == outcome::crashed);
    BOOST_TEST(r.attempts()[1].message() == sigabrt_with(terminate_lines("test_bodies::boom", "boom")));
}

BOOST_AUTO_TEST_CASE(runs_crashing_at_many_targets_are_each_reported_in_order_and_every_other_target_runs) {
    captured_stderr err;
    // 40 targets; the failure of every third one aborts, so workers die again and again, each
    // leaving the rest of its work to a new one.
    const report r = checker{}.processes(2).run([] {
        attempts_ending_the_process_at(40, {0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39}, [] { std::abort(); });
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 40u);
    for (std::size_t i = 0; i < 40; ++i) {
        const alloc_chaos::attempt& run = r.attempts()[i];
        BOOST_TEST(run.target() == i);
        BOOST_TEST(run.outcome() == (i % 3 == 0 ? outcome::crashed : outcome::bad_alloc), "run failing #" << i);
        BOOST_TEST((run.injected_allocation() == allocation(i, operation::operator_new, i + 1, plain, false)));
    }
}

// ---- a run that hangs ----

BOOST_AUTO_TEST_CASE(a_run_looping_forever_after_its_failure_is_killed_at_its_time_limit_and_the_check_finishes) {
    const auto started = std::chrono::steady_clock::now();
    const report r = checker{}.processes(2).mode(failure_mode::persistent).run_timeout(300ms).run([] {
        in_a_worker_process_only();
        allocate_and_free(8);  // #0
        std::vector<int> v;
        for (;;) {  // retries for ever: in persistent mode every later attempt fails too
            try {
                v.push_back(1);  // #1
                break;
            } catch (const std::bad_alloc&) {
            }
        }
        sink = v.data();
    });
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].outcome() == outcome::bad_alloc);
    BOOST_TEST(r.attempts()[0].success());
    const alloc_chaos::attempt& hung = r.attempts()[1];
    BOOST_TEST(hung.outcome() == outcome::timed_out);
    BOOST_TEST(hung.message() == "killed at its time limit of 300 ms");
    BOOST_TEST((hung.injected_allocation() == allocation(1, operation::operator_new, sizeof(int), plain, false)));
    BOOST_TEST(hung.mode() == failure_mode::persistent);
    BOOST_TEST(!r.success());
    BOOST_TEST(rendered(r).find("      replay: ALLOC_CHAOS_ONLY=1 ALLOC_CHAOS_MODE=persistent ALLOC_CHAOS_PROCESSES=off\n") !=
               std::string::npos);
    // One time limit and a few forks: measured 0.5 to 1.2 s, as the pool may notice that a run passed
    // its limit up to a second late.
    BOOST_TEST(took < std::chrono::seconds(10));
}

BOOST_AUTO_TEST_CASE(alloc_chaos_run_timeout_in_the_environment_replaces_the_run_timeout_of_the_check) {
    environment_variable limit("ALLOC_CHAOS_RUN_TIMEOUT", "250");
    const report r = checker{}.processes(2).run_timeout(60s).run([] {
        in_a_worker_process_only();
        try {
            allocate_and_free(8);  // #0
        } catch (const std::bad_alloc&) {
            for (volatile bool forever = true; forever;) {
            }
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].outcome() == outcome::timed_out);
    BOOST_TEST(r.attempts()[0].message() == "killed at its time limit of 250 ms");
    BOOST_TEST(r.narrowing() == "");
}

// ---- a baseline that crashes or hangs ----

BOOST_AUTO_TEST_CASE(a_baseline_that_crashes_makes_the_report_invalid) {
    captured_stderr err;
    const report r = checker{}.processes(2).run([] {
        in_a_worker_process_only();
        allocate_and_free(8);
        std::abort();
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(!r.baseline_stable());
    BOOST_TEST(r.baseline().outcome() == outcome::crashed);
    BOOST_TEST(r.baseline().message() == "SIGABRT");
    BOOST_TEST(r.attempts().empty());
    const std::string text = rendered(r);
    BOOST_TEST(text.starts_with("alloc-chaos check INVALID: the baseline run, with nothing failed, ended in crashed "
                                "\u2014 SIGABRT\n"),
               text);
}

BOOST_AUTO_TEST_CASE(a_baseline_that_hangs_is_killed_at_its_time_limit_and_makes_the_report_invalid) {
    const report r = checker{}.processes(2).run_timeout(300ms).run([] {
        in_a_worker_process_only();
        allocate_and_free(8);
        for (volatile bool forever = true; forever;) {
        }
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(r.baseline().outcome() == outcome::timed_out);
    BOOST_TEST(r.baseline().message() == "killed at its time limit of 300 ms");
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(rendered(r).starts_with("alloc-chaos check INVALID: the baseline run, with nothing failed, ended in "
                                       "timed out \u2014 killed at its time limit of 300 ms\n"));
}

// ---- stop_on_failure ----

BOOST_AUTO_TEST_CASE(stop_on_failure_stops_at_the_first_crashed_run_in_target_order) {
    captured_stderr err;
    for (std::size_t n : {2u, 4u}) {
        const report r = checker{}.processes(n).stop_on_failure().run(
            [] { attempts_ending_the_process_at(30, {6, 7, 20, 29}, [] { std::abort(); }); });
        BOOST_TEST(targets(r) == targets_t({0, 1, 2, 3, 4, 5, 6}), "processes(" << n << ")");
        BOOST_TEST_REQUIRE(r.attempts().size() == 7u);
        BOOST_TEST(r.attempts()[6].outcome() == outcome::crashed);
        BOOST_TEST(r.attempts()[6].message() == "SIGABRT");
        for (std::size_t i = 0; i < 6; ++i)
            BOOST_TEST(r.attempts()[i].success());
        BOOST_TEST(r.stop_reason() == "stop_on_failure ended the check at its first failed run");
    }
}

// ---- what stays in a worker ----

BOOST_AUTO_TEST_CASE(a_write_to_a_captured_variable_stays_in_the_worker_and_the_report_still_counts_every_run) {
    std::size_t runs = 0;
    const report r = checker{}.processes(2).run([&] {
        ++runs;
        three_attempts_mishandling_attempt_1();
    });
    BOOST_TEST(runs == 0u);
    BOOST_TEST(r.baseline_allocations() == 3u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[0].success());
    BOOST_TEST(r.attempts()[1].outcome() == outcome::exception);
    BOOST_TEST(r.attempts()[1].message() == "mishandled");
    BOOST_TEST(r.attempts()[2].success());
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_file_the_body_appends_to_holds_one_line_per_run_each_worker_starting_with_a_baseline) {
    char path[] = "/tmp/alloc_chaos_processes_XXXXXX";
    const int made = ::mkstemp(path);
    BOOST_TEST_REQUIRE(made >= 0);
    ::close(made);
    const report r = checker{}.processes(2).run([&path] {
        // "<pid> baseline" or "<pid> target <k>", written with no allocation.
        char line[64];
        const auto target = current_target();
        const int length = target ? std::snprintf(line, sizeof line, "%d target %zu\n", int(::getpid()), *target)
                                  : std::snprintf(line, sizeof line, "%d baseline\n", int(::getpid()));
        const int file = ::open(path, O_WRONLY | O_APPEND);
        if (file >= 0) {
            (void)!::write(file, line, static_cast<std::size_t>(length));
            ::close(file);
        }
        allocate_sizes_1_to(4);
    });
    BOOST_TEST(r.success());
    std::map<int, std::vector<std::string>> by_process;
    std::map<std::string, std::size_t> targets_written;
    {
        std::FILE* file = std::fopen(path, "r");
        BOOST_TEST_REQUIRE(file != nullptr);
        char line[64];
        while (std::fgets(line, sizeof line, file) != nullptr) {
            std::istringstream in(line);
            int pid = 0;
            std::string what;
            in >> pid;
            std::getline(in >> std::ws, what);
            by_process[pid].push_back(what);
            if (what != "baseline")
                ++targets_written[what];
        }
        std::fclose(file);
    }
    ::unlink(path);
    BOOST_TEST(by_process.count(int(calling_process)) == 0u);  // no run in the calling process
    BOOST_TEST(by_process.size() >= 1u);
    BOOST_TEST(by_process.size() <= 2u);
    // Worker 0 made the baseline, every other worker its stand-in for it; then target runs.
    for (const auto& [pid, lines] : by_process) {
        BOOST_TEST_REQUIRE(!lines.empty());
        BOOST_TEST(lines.front() == "baseline", "process " << pid);
        BOOST_TEST(std::count(lines.begin(), lines.end(), "baseline") == 1, "process " << pid);
    }
    BOOST_TEST((targets_written == std::map<std::string, std::size_t>{
                                       {"target 0", 1}, {"target 1", 1}, {"target 2", 1}, {"target 3", 1}}));
}

BOOST_AUTO_TEST_CASE(blocks_freed_on_a_thread_the_body_starts_in_a_worker_are_no_leak) {
    const auto body = [] {
        for (std::size_t size : {48u, 24u}) {
            void* block = ::operator new(size);  // #0, #1
            alloc_chaos::unobserved thread_start;
            std::thread([block] { ::operator delete(block); }).join();
        }
        allocate_and_free(8);  // #2
    };
    const report in_workers = checker{}.processes(2).run(body);
    BOOST_TEST(in_workers.success());
    BOOST_TEST(in_workers.baseline().findings().empty());
    BOOST_TEST(in_workers.tested_failures() == 3u);
    expect_same_report(checker{}.run(body), in_workers);
}

// ---- the environment ----

BOOST_AUTO_TEST_CASE(alloc_chaos_processes_2_runs_a_check_without_processes_in_worker_processes) {
    environment_variable processes("ALLOC_CHAOS_PROCESSES", "2");
    captured_stderr err;
    const report r = checker{}.run([] { attempts_ending_the_process_at(3, {1}, [] { std::abort(); }); });
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[1].outcome() == outcome::crashed);
    BOOST_TEST(r.attempts()[1].message() == "SIGABRT");
}

BOOST_AUTO_TEST_CASE(alloc_chaos_processes_narrows_nothing_and_a_passing_check_in_workers_passes) {
    environment_variable processes("ALLOC_CHAOS_PROCESSES", "2");
    std::size_t runs = 0;
    const report r = checker{}.run([&] {
        ++runs;
        allocate_sizes_1_to(3);
    });
    BOOST_TEST(runs == 0u);  // made in the workers
    BOOST_TEST(r.narrowing() == "");
    BOOST_TEST(!r.truncated());
    BOOST_TEST(r.success());
    BOOST_TEST(rendered(r).starts_with("alloc-chaos check PASSED"));
}

BOOST_AUTO_TEST_CASE(alloc_chaos_processes_off_runs_a_check_with_processes_in_the_calling_process) {
    environment_variable processes("ALLOC_CHAOS_PROCESSES", "off");
    std::size_t runs = 0;
    const report r = checker{}.processes(2).run([&] {
        ++runs;
        allocate_sizes_1_to(3);
    });
    BOOST_TEST(runs == 4u);  // the baseline and 3 target runs, here
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(alloc_chaos_processes_that_is_no_number_throws_invalid_argument_naming_the_variable) {
    environment_variable processes("ALLOC_CHAOS_PROCESSES", "two");
    try {
        (void)checker{}.run([] { allocate_and_free(8); });
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc-chaos: ALLOC_CHAOS_PROCESSES=\"two\" is not a number of worker processes (0: one per "
                   "core), or off; set it as shown, or unset ALLOC_CHAOS_PROCESSES to run where the check's own "
                   "options say");
    }
}

BOOST_AUTO_TEST_CASE(alloc_chaos_run_timeout_0_throws_invalid_argument_naming_the_variable) {
    environment_variable limit("ALLOC_CHAOS_RUN_TIMEOUT", "0");
    try {
        (void)checker{}.processes(2).run([] { allocate_and_free(8); });
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc-chaos: ALLOC_CHAOS_RUN_TIMEOUT=\"0\" is not a time limit in milliseconds above 0, such as "
                   "5000; set it as shown, or unset ALLOC_CHAOS_RUN_TIMEOUT to use the check's own time limit");
    }
}

BOOST_AUTO_TEST_CASE(alloc_chaos_run_timeout_that_is_no_number_throws_invalid_argument_naming_the_variable) {
    environment_variable limit("ALLOC_CHAOS_RUN_TIMEOUT", "abc");
    try {
        (void)checker{}.processes(2).run([] { allocate_and_free(8); });
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc-chaos: ALLOC_CHAOS_RUN_TIMEOUT=\"abc\" is not a time limit in milliseconds above 0, such "
                   "as 5000; set it as shown, or unset ALLOC_CHAOS_RUN_TIMEOUT to use the check's own time limit");
    }
}

// ---- misuse ----

BOOST_AUTO_TEST_CASE(run_timeout_0_throws_invalid_argument_naming_the_call) {
    try {
        checker{}.run_timeout(0ms);
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc_chaos::checker::run_timeout(0ms): a run needs some time; pass a limit above 0, such as "
                   "run_timeout(std::chrono::seconds(5))");
    }
}

// ---- output ----

BOOST_AUTO_TEST_CASE(what_the_runs_print_on_stdout_appears_once_per_run) {
    const printed_by_a_child child = stdout_of_a_child([] {
        std::cout << "before the check\n";  // held in std::cout's buffer when the workers are forked
        const report r = checker{}.processes(2).run([] {
            in_a_worker_process_only();
            print_the_run();
            allocate_sizes_1_to(4);
        });
        return r.success() && r.tested_failures() == 4;
    });
    BOOST_TEST(child.check_passed);
    BOOST_TEST((lines_of(child.printed) == std::map<std::string, std::size_t>{{"before the check", 1},
                                                                              {"baseline", 1},
                                                                              {"target 0", 1},
                                                                              {"target 1", 1},
                                                                              {"target 2", 1},
                                                                              {"target 3", 1}}),
               child.printed);
}

// When a run ends the check (stop_on_failure, abort_check), the workers end their runs in progress
// and exit, flushing what the reported runs printed to std::cout, as the calling process would
// have printed it.
BOOST_AUTO_TEST_CASE(what_the_reported_runs_printed_on_stdout_is_kept_when_stop_on_failure_ends_the_check) {
    const printed_by_a_child child = stdout_of_a_child([] {
        const report r = checker{}.processes(2).stop_on_failure().run([] {
            in_a_worker_process_only();
            print_the_run();
            for (std::size_t i = 0; i < 200; ++i) {
                try {
                    allocate_and_free(i + 1);
                } catch (const std::bad_alloc&) {
                    if (i == 100)
                        throw test_bodies::mishandled();
                    throw;
                }
            }
        });
        return r.tested_failures() == 101;
    });
    BOOST_TEST(child.check_passed);
    auto lines = lines_of(child.printed);
    for (std::size_t target = 0; target < 100; ++target)
        BOOST_TEST(lines["target " + std::to_string(target)] == 1u, "target " << target);
    BOOST_TEST(lines["target 100"] >= 1u);  // and once more where its stack is taken
}

// ---- threads of the calling process ----

BOOST_AUTO_TEST_CASE(a_check_in_workers_completes_while_another_thread_holds_a_mutex, *utf::timeout(60)) {
    std::mutex held;
    std::atomic<bool> locked{false}, release{false};
    std::thread holder([&] {
        std::lock_guard<std::mutex> lock(held);
        locked = true;
        while (!release)
            std::this_thread::sleep_for(1ms);
    });
    while (!locked)
        std::this_thread::yield();
    // Only the forking thread exists in a worker: the mutex stays held there, and nothing waits for it.
    const report r = checker{}.processes(2).run([] { allocate_sizes_1_to(6); });
    release = true;
    holder.join();
    BOOST_TEST(r.success());
    BOOST_TEST(r.tested_failures() == 6u);
}

// Left out of ASan builds: a worker forked while another thread holds a lock of ASan's own
// allocator (clang 14's installs no fork handler for it) waits for that lock for ever in its
// first malloc; glibc's malloc, which the other builds use, is made consistent at fork.
#if !PROCESSES_TEST_ASAN
BOOST_AUTO_TEST_CASE(a_check_in_workers_completes_while_other_threads_allocate_and_free_throughout, *utf::timeout(60)) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&stop, t] {
            void* volatile own_sink = nullptr;
            while (!stop) {
                own_sink = ::operator new(32 + static_cast<std::size_t>(t));
                ::operator delete(own_sink);
                own_sink = std::malloc(64);
                std::free(own_sink);
            }
        });
    std::size_t checks = 0;
    bool all_passed = true;
    for (; checks < 20; ++checks)
        all_passed = checker{}.processes(2).run([] { allocate_sizes_1_to(8); }).success() && all_passed;
    stop = true;
    for (std::thread& t : threads)
        t.join();
    BOOST_TEST(all_passed);
}
#endif

// ---- processes(0) ----

BOOST_AUTO_TEST_CASE(processes_0_runs_one_worker_per_core_and_gives_the_calling_process_report) {
    std::size_t runs = 0;
    const auto body = [&runs] {
        ++runs;
        three_attempts_mishandling_attempt_1();
        allocate_sizes_1_to(9);
    };
    const report here = checker{}.run(body);
    BOOST_TEST(runs >= 1u + 12u);  // and the failed run once more, for its stack
    runs = 0;
    const report in_workers = checker{}.processes(0).run(body);
    BOOST_TEST(runs == 0u);  // made in the workers
    expect_same_report(here, in_workers);
}
