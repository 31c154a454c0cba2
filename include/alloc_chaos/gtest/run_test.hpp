#ifndef ALLOC_CHAOS_GTEST_RUN_TEST_HPP
#define ALLOC_CHAOS_GTEST_RUN_TEST_HPP

// The loop behind ALLOC_CHAOS_TEST and ALLOC_CHAOS_TEST_F: the checker, one fresh fixture per
// run, the run named in every failure's message, a failed assertion ending the loop, and the
// report as the test's failure. Runs in worker processes (checker::processes) report through the
// calling process (worker_parts.hpp). The texts and the decision to stop come from the
// framework-neutral core (alloc_chaos/integration.hpp).

#include <alloc_chaos/checker.hpp>
#include <alloc_chaos/gtest/worker_parts.hpp>
#include <alloc_chaos/integration.hpp>
#include <alloc_chaos/run_attachment.hpp>
#include <alloc_chaos/source.hpp>

#include <gtest/gtest.h>

#include <concepts>
#include <cstdio>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace alloc_chaos::gtest::detail {

// The checker options of a test: Fixture::alloc_chaos_checker() when the fixture declares it,
// the defaults otherwise.
template <class Fixture>
alloc_chaos::checker configured_checker() {
    if constexpr (requires {
                      { Fixture::alloc_chaos_checker() } -> std::convertible_to<alloc_chaos::checker>;
                  })
        return Fixture::alloc_chaos_checker();
    else
        return alloc_chaos::checker{};
}

// GoogleTest's names in the neutral core's messages.
inline constexpr integration::assertion_stop gtest_stop{"GoogleTest", "fatal assertion (ASSERT_*, FAIL)"};

// What a run does with the test part results reported on its thread.
enum class part_route {
    report,  // to GoogleTest, as without the check: printed, counted in the test's result
    record,  // kept, to attach to the run: a run in a worker process
    drop,    // neither: a run that repeats one already reported, or a warm-up run
};

// The test part result reporter of one run, installed on the checking thread for the run's
// length. It counts the run's failures and skips, and routes each result. It is GoogleTest's
// HasNewFatalFailureHelper (the reporter behind EXPECT_NO_FATAL_FAILURE), which installs itself
// and passes results on to the reporter it replaced.
class run_reporter : public ::testing::internal::HasNewFatalFailureHelper {
public:
    explicit run_reporter(part_route route) : route_(route) {}

    void ReportTestPartResult(const ::testing::TestPartResult& part) override {
        alloc_chaos::unobserved reporting;
        failed_ += part.failed() ? 1 : 0;
        fatally_failed_ = fatally_failed_ || part.fatally_failed();
        skipped_ = skipped_ || part.skipped();
        switch (route_) {
        case part_route::report:
            HasNewFatalFailureHelper::ReportTestPartResult(part);
            break;
        case part_route::record:
            recorded_.push_back({part.type(), part.file_name() != nullptr ? part.file_name() : "",
                                 part.line_number(), part.message()});
            break;
        case part_route::drop:
            break;
        }
    }

    // The run's failed assertions, fatal or not; whether one was fatal; whether GTEST_SKIP ran.
    unsigned failed() const noexcept { return failed_; }
    bool fatally_failed() const noexcept { return fatally_failed_; }
    bool skipped() const noexcept { return skipped_; }
    // The results kept for part_route::record, in the order they were reported.
    const std::vector<recorded_part>& recorded() const noexcept { return recorded_; }

private:
    part_route route_;
    unsigned failed_ = 0;
    bool fatally_failed_ = false;
    bool skipped_ = false;
    std::vector<recorded_part> recorded_;
};

// One run's frame: names the run in the message of every failure reported during it (a GoogleTest
// trace, "alloc-chaos run failing attempt #3"), and routes and counts those failures; in a worker
// process, attaches them to the run. All of it unobserved.
class run_frame {
public:
    // `caller`: the process_id() of the process that runs the check.
    run_frame(const ::testing::TestInfo& test, long caller, const integration::assertion_repeats& repeats)
        : in_worker_(process_id() != caller) {
        alloc_chaos::unobserved frame;
        reporter_.emplace(repeats.repeating() ? part_route::drop
                          : in_worker_        ? part_route::record
                                              : part_route::report);
        trace_.emplace(test.file(), test.line(), "alloc-chaos " + integration::run_context());
    }
    ~run_frame() {
        alloc_chaos::unobserved frame;
        trace_.reset();
        if (in_worker_ && !reporter_->recorded().empty()) {
            try {
                alloc_chaos::attach_to_run(encode_parts(reporter_->recorded()));
            } catch (const std::bad_alloc&) {  // memory is out for real: the run's results are lost, not the run
            }
        }
        reporter_.reset();
    }
    run_frame(const run_frame&) = delete;
    run_frame& operator=(const run_frame&) = delete;

    // True once a fatal assertion failed or GTEST_SKIP ran in this run: as GoogleTest does after
    // SetUp, the body is then not run.
    bool body_skipped() const noexcept { return reporter_->fatally_failed() || reporter_->skipped(); }
    // True once GTEST_SKIP ran in this run (in SetUp or in the body).
    bool skipped() const noexcept { return reporter_->skipped(); }

    // Ends the check after this run when an assertion failed during it (once is enough to see),
    // or when the test skipped itself; `repeats` learns that later runs repeat this one.
    void stop_if_assertions_failed(integration::assertion_repeats& repeats) const {
        alloc_chaos::unobserved frame;
        if (reporter_->failed() == 0 && !reporter_->skipped())
            return;
        repeats.stopped();
        if (reporter_->failed() == 0)
            throw alloc_chaos::abort_check("the test skipped itself (GTEST_SKIP) in " +
                                           integration::run_description() + "; the loop stops at it");
        if (reporter_->fatally_failed())
            gtest_stop.fatal_assertion_failed();
        gtest_stop.after_run(0, reporter_->failed());
    }

private:
    bool in_worker_ = false;
    std::optional<run_reporter> reporter_;
    std::optional<::testing::ScopedTrace> trace_;
};

// A fresh fixture for one run, built, set up, torn down and destroyed unobserved.
template <class Case>
class fresh_fixture {
public:
    Case& get() noexcept { return case_.get(); }
    void set_up() {
        alloc_chaos::unobserved setup;
        case_.get().alloc_chaos_set_up();
    }
    void tear_down() {
        alloc_chaos::unobserved teardown;
        case_.get().alloc_chaos_tear_down();
    }

private:
    integration::fresh_object<Case> case_;
};

// Reports what the check found: a passing check prints integration::success_line() and records
// it as the test's property "alloc_chaos" (in --gtest_output=xml); any other adds one failure to
// the test, at its file and line, whose message is the whole report.
inline void report_check(const alloc_chaos::report& r, const ::testing::TestInfo& test) {
    if (r.success()) {
        const std::string line = integration::success_line(r.injected_failures());
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
        ::testing::Test::RecordProperty("alloc_chaos", line);
        return;
    }
    std::ostringstream text;
    text << r;
    std::string rendered = text.str();
    if (!rendered.empty() && rendered.back() == '\n')
        rendered.pop_back();
    ::testing::internal::AssertHelper(::testing::TestPartResult::kNonFatalFailure, test.file(), test.line(),
                                      rendered.c_str()) = ::testing::Message();
}

// The fixture every run builds: the test's own, with its SetUp and TearDown made callable and
// GoogleTest's TestBody, which the loop does not use, defined. `Case` derives from it and holds
// the body, alloc_chaos_body().
template <class Fixture>
class run_fixture : public Fixture {
public:
    void alloc_chaos_set_up() { this->SetUp(); }
    void alloc_chaos_tear_down() { this->TearDown(); }

private:
    void TestBody() override {}
};

// Runs a check inside the GoogleTest test running on this thread: each run of `options` gets a
// run_frame and calls run(frame); a failed assertion stops the loop after its run, and what runs
// in worker processes reported is reported here once the check is over. `skipped` becomes true
// when a run skipped the test (GTEST_SKIP). Throws std::logic_error outside a GoogleTest test.
template <class Run>
alloc_chaos::report check_in_test(const alloc_chaos::checker& options, Run&& run, bool& skipped) {
    const ::testing::TestInfo* const test = ::testing::UnitTest::GetInstance()->current_test_info();
    if (test == nullptr)
        throw std::logic_error("alloc_chaos::gtest::check: no GoogleTest test is running on this thread; call it "
                               "from a test's body, or use alloc_chaos::check outside GoogleTest");
    const long caller = process_id();
    integration::assertion_repeats repeats;
    const alloc_chaos::report r = options.run([&] {
        run_frame frame(*test, caller, repeats);
        try {
            run(static_cast<const run_frame&>(frame));
        } catch (...) {
            frame.stop_if_assertions_failed(repeats);
            throw;
        }
        skipped = skipped || frame.skipped();
        frame.stop_if_assertions_failed(repeats);
    });
    if (report_worker_runs(r, *test))  // a run in a worker process skipped the test
        skipped = true;
    return r;
}

// Runs the body of `Case` (a run_fixture<Fixture>) under the strict loop, in the running test.
template <class Case, class Fixture>
void run_test() {
    bool skipped = false;
    const alloc_chaos::report r = check_in_test(
        configured_checker<Fixture>(),
        [](const run_frame& frame) {
            fresh_fixture<Case> fixture;
            fixture.set_up();
            try {
                if (!frame.body_skipped())  // as GoogleTest: not after a fatal failure or a skip in SetUp
                    fixture.get().alloc_chaos_body();
            } catch (...) {  // as GoogleTest: TearDown also after the body threw
                fixture.tear_down();
                throw;
            }
            fixture.tear_down();
        },
        skipped);
    if (skipped)  // GoogleTest reports the test skipped; the check, cut short, has nothing to say
        return;
    report_check(r, *::testing::UnitTest::GetInstance()->current_test_info());
}

// The test GoogleTest registers, runs and reports: its body is the loop.
template <class Case, class Fixture>
class loop_test : public ::testing::Test {
private:
    void TestBody() override { run_test<Case, Fixture>(); }
};

// Registers `Case` as the test suite.name with GoogleTest, as TEST and TEST_F register theirs:
// `fixture_id` is the type id of Fixture (GetTestTypeId() for ::testing::Test), and the suite's
// SetUpTestSuite and TearDownTestSuite are Fixture's.
template <class Case, class Fixture>
::testing::TestInfo* register_test(const char* suite, const char* name, const char* file, int line,
                                   ::testing::internal::TypeId fixture_id) {
    return ::testing::internal::MakeAndRegisterTestInfo(
        suite, name, nullptr, nullptr, ::testing::internal::CodeLocation(file, line), fixture_id,
        ::testing::internal::SuiteApiResolver<Fixture>::GetSetUpCaseOrSuite(file, line),
        ::testing::internal::SuiteApiResolver<Fixture>::GetTearDownCaseOrSuite(file, line),
        new ::testing::internal::TestFactoryImpl<loop_test<Case, Fixture>>);
}

}  // namespace alloc_chaos::gtest::detail

#endif
