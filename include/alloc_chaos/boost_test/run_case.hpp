#ifndef ALLOC_CHAOS_BOOST_TEST_RUN_CASE_HPP
#define ALLOC_CHAOS_BOOST_TEST_RUN_CASE_HPP

// The loop behind BOOST_ALLOC_CHAOS_CASE: the checker, one fresh fixture per run, the run named
// in Boost.Test's context, a failed assertion ending the loop, and the report logged. Runs in
// worker processes (checker::processes) log through the calling process (worker_log.hpp). The
// texts and the decision to stop come from the framework-neutral core (alloc_chaos/integration.hpp).

#include <alloc_chaos/boost_test/check_with.hpp>
#include <alloc_chaos/boost_test/worker_log.hpp>
#include <alloc_chaos/checker.hpp>
#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/detail/abandon_check.hpp>
#include <alloc_chaos/integration.hpp>
#include <alloc_chaos/source.hpp>

#include <boost/test/execution_monitor.hpp>
#include <boost/test/framework.hpp>
#include <boost/test/results_collector.hpp>
#include <boost/test/test_tools.hpp>
#include <boost/test/tree/observer.hpp>
#include <boost/test/unit_test_log.hpp>
#include <boost/test/unit_test_suite.hpp>

#include <new>
#include <sstream>
#include <string>

namespace alloc_chaos::boost_test::detail {

namespace ut = boost::unit_test;

// Boost.Test leaves a case by longjmp on a signal or a timeout, past every destructor: this
// observer then releases the check that the case abandoned on this thread.
class abandoned_check_release : public ut::test_observer {
public:
    void exception_caught(const boost::execution_exception&) override { alloc_chaos::detail::abandon_check(); }
    int priority() override { return -1; }  // before the log, whose formatting allocates and frees
};

inline void release_abandoned_checks() {
    static abandoned_check_release observer;
    static const bool registered = (ut::framework::register_observer(observer), true);
    (void)registered;
}

// The checker of the nearest check_with decorating the running case or one of its suites.
inline alloc_chaos::checker configured_checker() {
    for (ut::test_unit_id id = ut::framework::current_test_case_id(); id != ut::INV_TEST_UNIT_ID;) {
        const ut::test_unit& unit = ut::framework::get(id, ut::TUT_ANY);
        for (const ut::decorator::base_ptr& d : unit.p_decorators.get())
            if (auto options = dynamic_cast<const check_with*>(d.get()))
                return options->checker();
        id = unit.p_parent_id;
    }
    return alloc_chaos::checker{};
}

// Failed assertions of the running case so far.
inline ut::counter_t failed_assertions() {
    return ut::results_collector.results(ut::framework::current_test_case_id()).p_assertions_failed;
}

// Boost.Test's names in the neutral core's messages.
inline constexpr integration::assertion_stop boost_test_stop{"Boost.Test", "BOOST_REQUIRE"};

// One run's frame: names the run in Boost.Test's context and notices the assertions that fail
// during it; in a worker process, records what the run logs. All of it unobserved.
class run_frame {
public:
    // `caller`: the process_id() of the process that runs the check.
    explicit run_frame(long caller) : in_worker_(process_id() != caller) {
        alloc_chaos::unobserved frame;
        if (in_worker_)
            recording().start_run();
        failed_before_ = failed_assertions();
        context_ = ut::framework::add_context(BOOST_TEST_LAZY_MSG("alloc-chaos " << integration::run_context()),
                                              true);
    }
    ~run_frame() {
        alloc_chaos::unobserved frame;
        ut::framework::clear_context(context_);
        if (in_worker_) {
            try {
                recording().attach();
            } catch (const std::bad_alloc&) {  // memory is out for real: the run's log is lost, not the run
            }
        }
    }
    run_frame(const run_frame&) = delete;
    run_frame& operator=(const run_frame&) = delete;

    // Ends the check after this run when an assertion failed during it: once is enough to see.
    void stop_if_assertions_failed() const {
        alloc_chaos::unobserved frame;
        boost_test_stop.after_run(failed_before_, failed_assertions());
    }

private:
    bool in_worker_ = false;
    ut::counter_t failed_before_ = 0;
    int context_ = 0;
};

// A fresh test-case object (and so fixture) for one run, built, set up, torn down and destroyed
// unobserved.
template <class Case>
class fresh_case {
public:
    fresh_case() {
        alloc_chaos::unobserved setup;
        ut::setup_conditional(case_.get());
    }

    Case& get() noexcept { return case_.get(); }
    void teardown() {
        alloc_chaos::unobserved teardown;
        ut::teardown_conditional(case_.get());
    }

private:
    integration::fresh_object<Case> case_;
};

// Logs what the check found, at the test case's own file and line.
inline void log_report(const alloc_chaos::report& r) {
    const ut::test_case& tc = ut::framework::current_test_case();
    std::ostringstream text;
    text << r;
    std::string rendered = text.str();
    if (!rendered.empty() && rendered.back() == '\n')
        rendered.pop_back();
    if (r.success()) {
        ut::unit_test_log << ut::log::begin(tc.p_file_name, tc.p_line_num) << ut::log_messages
                          << BOOST_TEST_LAZY_MSG(integration::success_line(r.injected_failures())) << ut::log::end();
        return;
    }
    boost::test_tools::tt_detail::report_assertion(false, BOOST_TEST_LAZY_MSG(rendered), tc.p_file_name,
                                                   tc.p_line_num, boost::test_tools::tt_detail::CHECK,
                                                   boost::test_tools::tt_detail::CHECK_MSG, 0);
}

// Runs the test method of `Case` (a fixture with the case's body) under the strict loop.
template <class Case>
void run_case() {
    release_abandoned_checks();
    const long caller = process_id();
    bool require_failed = false;
    const alloc_chaos::report r = configured_checker().run([&] {
        run_frame frame(caller);
        try {
            fresh_case<Case> test;
            test.get().test_method();
            test.teardown();
        } catch (const boost::execution_aborted&) {
            require_failed = true;  // a BOOST_REQUIRE failed, and logged its failure
            boost_test_stop.fatal_assertion_failed();
        } catch (...) {
            frame.stop_if_assertions_failed();
            throw;
        }
        frame.stop_if_assertions_failed();
    });
    if (replay_worker_runs(r))  // a BOOST_REQUIRE failed in a run in a worker process
        require_failed = true;
    log_report(r);
    if (require_failed)
        throw boost::execution_aborted();
}

}  // namespace alloc_chaos::boost_test::detail

#endif
