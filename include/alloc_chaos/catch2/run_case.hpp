#ifndef ALLOC_CHAOS_CATCH2_RUN_CASE_HPP
#define ALLOC_CHAOS_CATCH2_RUN_CASE_HPP

// The loop behind ALLOC_CHAOS_TEST_CASE: the checker, the body (with a fresh fixture per run for
// ALLOC_CHAOS_TEST_CASE_METHOD), the run named in every failed assertion's messages, a failed
// assertion ending the loop, and the report logged as the test case's own assertion. The texts
// and the decision to stop come from the framework-neutral core (alloc_chaos/integration.hpp).
// Runs in worker processes (checker::processes) report through the calling process
// (worker_log.hpp).

#include <alloc_chaos/catch2/counting_capture.hpp>
#include <alloc_chaos/checker.hpp>
#include <alloc_chaos/integration.hpp>
#include <alloc_chaos/report.hpp>
#include <alloc_chaos/run_attachment.hpp>
#include <alloc_chaos/source.hpp>

#include <catch2/catch.hpp>

#include <concepts>
#include <new>
#include <sstream>
#include <string>

namespace alloc_chaos::catch2::detail {

using integration::process_id;

// Catch2's names in the neutral core's messages.
inline constexpr integration::assertion_stop catch2_stop{"Catch2", "REQUIRE"};

// One run's frame: names the run in a scoped message that every assertion failing during it
// shows, notices the assertions that fail during it, and closes the scoped messages the run left
// open; routes the run's assertions and messages (to Catch2, or in a worker process into the
// run's attachment, or nowhere for a run that repeats one reported). All of it unobserved.
class run_frame {
public:
    // `caller`: the process_id() of the process that runs the check; `line`: the test case's.
    run_frame(counting_capture& capture, long caller, const Catch::SourceLineInfo& line,
              const integration::assertion_repeats& repeats)
        : capture_(capture), context_("ALLOC_CHAOS_TEST_CASE", line, Catch::ResultWas::Info),
          in_worker_(process_id() != caller) {
        alloc_chaos::unobserved frame;
        capture_.route(repeats.repeating() ? capture_route::drop
                       : in_worker_        ? capture_route::record
                                           : capture_route::report);
        open_before_ = capture_.open_messages();
        failed_before_ = capture_.failed();
        context_.message = "alloc-chaos " + integration::run_context();
        capture_.pushScopedMessage(context_);
    }
    ~run_frame() {
        alloc_chaos::unobserved frame;
        capture_.close_messages_after(open_before_);
        if (in_worker_ && !capture_.recorded().empty()) {
            try {
                alloc_chaos::attach_to_run(encode_events(capture_.recorded()));
            } catch (const std::bad_alloc&) {  // memory is out for real: the run's results are lost, not the run
            }
        }
        capture_.route(capture_route::report);
        std::string().swap(context_.message);  // freed here, unobserved, as it was made
    }
    run_frame(const run_frame&) = delete;
    run_frame& operator=(const run_frame&) = delete;

    // Ends the check after this run when an assertion failed during it: once is enough to see;
    // `repeats` learns that later runs repeat this one.
    void stop_if_assertions_failed(integration::assertion_repeats& repeats) const {
        alloc_chaos::unobserved frame;
        if (capture_.failed() == failed_before_)
            return;
        repeats.stopped();
        catch2_stop.after_run(failed_before_, capture_.failed());
    }
    // Ends the check after this run, which a failed REQUIRE (or FAIL) left.
    [[noreturn]] void fatal_assertion_failed(integration::assertion_repeats& repeats) const {
        repeats.stopped();
        catch2_stop.fatal_assertion_failed();
    }

private:
    counting_capture& capture_;
    Catch::MessageInfo context_;
    bool in_worker_ = false;
    std::size_t open_before_ = 0;
    std::uintmax_t failed_before_ = 0;
};

// Logs what the check found as an assertion of the test case, at its own file and line: passed
// with the success line, or failed with the whole report.
inline void log_report(const alloc_chaos::report& r, const Catch::SourceLineInfo& line) {
    Catch::AssertionHandler handler("ALLOC_CHAOS_TEST_CASE"_catch_sr, line, Catch::StringRef(),
                                    Catch::ResultDisposition::ContinueOnFailure);
    if (r.success()) {
        handler.handleMessage(Catch::ResultWas::Ok, integration::success_line(r.injected_failures()));
    } else {
        std::ostringstream text;
        text << r;
        std::string rendered = text.str();
        if (!rendered.empty() && rendered.back() == '\n')
            rendered.pop_back();
        handler.handleMessage(Catch::ResultWas::ExplicitFailure, rendered);
    }
    handler.complete();
}

// Runs `body` under the strict loop with `options`, as the test case declared at `line`.
template <std::invocable Body>
void run_case(const alloc_chaos::checker& options, const Catch::SourceLineInfo& line, Body body) {
    counting_capture capture(Catch::getResultCapture());
    bool require_failed = false;
    alloc_chaos::report r;
    {
        const capture_installed installed(capture);
        const long caller = process_id();
        integration::assertion_repeats repeats;
        r = options.run([&] {
            run_frame frame(capture, caller, line, repeats);
            try {
                body();
            } catch (const Catch::TestFailureException&) {
                require_failed = true;  // a REQUIRE (or FAIL) failed, and reported its failure
                frame.fatal_assertion_failed(repeats);
            } catch (...) {
                frame.stop_if_assertions_failed(repeats);
                throw;
            }
            frame.stop_if_assertions_failed(repeats);
        });
    }
    // What the runs in worker processes reported, reported here as if they had been made here.
    if (replay_worker_runs(r, Catch::getResultCapture(), line))
        require_failed = true;
    log_report(r, line);
    if (require_failed)
        throw Catch::TestFailureException();
}

// A fresh test-case object (and so fixture) for one run, built and torn down unobserved.
template <class Case>
using fresh_case = integration::fresh_object<Case>;

// The options of a fixture's cases: its static alloc_chaos_checker(), or the defaults.
template <class Fixture>
alloc_chaos::checker fixture_checker() {
    if constexpr (requires { { Fixture::alloc_chaos_checker() } -> std::convertible_to<alloc_chaos::checker>; })
        return Fixture::alloc_chaos_checker();
    else
        return alloc_chaos::checker{};
}

// Runs the test method of `Case` (a fixture with the case's body) under the strict loop, a fresh
// fixture per run.
template <class Case>
void run_fixture_case(const Catch::SourceLineInfo& line) {
    run_case(fixture_checker<Case>(), line, [] {
        fresh_case<Case> test;
        test.get().test();
    });
}

}  // namespace alloc_chaos::catch2::detail

#endif
