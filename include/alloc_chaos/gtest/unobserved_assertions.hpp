#ifndef ALLOC_CHAOS_GTEST_UNOBSERVED_ASSERTIONS_HPP
#define ALLOC_CHAOS_GTEST_UNOBSERVED_ASSERTIONS_HPP

// GoogleTest's assertions, made to run unobserved. A failing EXPECT_EQ allocates its message and
// the failure record that the test's result keeps: observed, those allocations would shift the
// attempt numbers, look like blocks the body leaked, and an injected failure among them would
// swallow the assertion's failure and pass for the body's controlled error. Each macro below is
// GoogleTest's own definition with an `alloc_chaos::unobserved` scope added; the operands of an
// assertion (and the statement of EXPECT_THROW and its siblings) are part of it, so they run
// unobserved too. Every public assertion reduces to these: EXPECT_/ASSERT_ EQ, NE, LT, LE, GT,
// GE, STREQ and the other string forms, FLOAT_EQ, DOUBLE_EQ, NEAR, PRED*, PRED_FORMAT*, HRESULT
// and gMock's EXPECT_THAT through GTEST_ASSERT_; TRUE and FALSE through GTEST_TEST_BOOLEAN_;
// THROW, NO_THROW, ANY_THROW and NO_FATAL_FAILURE through their GTEST_TEST_*_; FAIL, ADD_FAILURE,
// SUCCEED, GTEST_SKIP and every failure message through GTEST_MESSAGE_AT_. SCOPED_TRACE is
// redefined alike. Death tests (EXPECT_DEATH, ASSERT_EXIT, ...) cannot run inside a run: each
// throws std::logic_error there instead (GTEST_DEATH_TEST_).

#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/source.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

// The macros below replace GoogleTest internals, which GoogleTest may change in any release: a
// replacement of another shape would break the build or, worse, leave assertions observed. They
// were written against GoogleTest 1.12 (Debian 12's libgtest-dev), and test/gtest_internals.cpp
// checks that they still match GoogleTest's own definitions. GoogleTest's headers carry no version
// number: 1.12 is told by GTEST_FLAG_GET, which 1.12 added, and by the absence of
// GTEST_INTERNAL_ATTRIBUTE_MAYBE_UNUSED, which a later release added. To try another version,
// define ALLOC_CHAOS_GTEST_UNTESTED_VERSION and run that test.
#if !(defined(GTEST_FLAG_GET) && !defined(GTEST_INTERNAL_ATTRIBUTE_MAYBE_UNUSED)) && \
    !defined(ALLOC_CHAOS_GTEST_UNTESTED_VERSION)
#error "alloc-chaos: <alloc_chaos/gtest.hpp> redefines GoogleTest's internal macros (GTEST_ASSERT_, GTEST_TEST_BOOLEAN_, GTEST_MESSAGE_AT_, GTEST_TEST_THROW_, GTEST_TEST_NO_THROW_, GTEST_TEST_ANY_THROW_, GTEST_TEST_NO_FATAL_FAILURE_, GTEST_DEATH_TEST_, SCOPED_TRACE), whose shape it was tested with in GoogleTest 1.12 only; build and run test/gtest_internals.cpp against this GoogleTest and update include/alloc_chaos/gtest/unobserved_assertions.hpp and this check, or define ALLOC_CHAOS_GTEST_UNTESTED_VERSION to build anyway (at your own risk: assertions may run observed)"
#endif

namespace alloc_chaos::gtest::detail {

// Makes the rest of the full-expression it starts unobserved.
inline unobserved unobserved_expression() noexcept { return {}; }

// Refuses a death test inside a run of a check: its fork, pipes and messages would be observed
// and failed like the body's own allocations. Throws std::logic_error there; does nothing outside.
class no_death_test_in_a_run {
public:
    no_death_test_in_a_run() {
        if (alloc_chaos::current_run())
            throw std::logic_error(
                "alloc-chaos: a death test (EXPECT_DEATH, ASSERT_DEATH, EXPECT_EXIT, ...) ran inside a run of a "
                "check (an ALLOC_CHAOS_TEST body); its fork and its messages cannot run under the check: move it "
                "to a plain TEST");
    }
};

}  // namespace alloc_chaos::gtest::detail

#define ALLOC_CHAOS_GTEST_UNOBSERVED_ ::alloc_chaos::unobserved alloc_chaos_assertion_is_unobserved_

#undef GTEST_ASSERT_
#define GTEST_ASSERT_(expression, on_failure)                                                        \
    GTEST_AMBIGUOUS_ELSE_BLOCKER_                                                                    \
    if (ALLOC_CHAOS_GTEST_UNOBSERVED_; const ::testing::AssertionResult gtest_ar = (expression))     \
        ;                                                                                            \
    else                                                                                             \
        on_failure(gtest_ar.failure_message())

#undef GTEST_TEST_BOOLEAN_
#define GTEST_TEST_BOOLEAN_(expression, text, actual, expected, fail)                                \
    GTEST_AMBIGUOUS_ELSE_BLOCKER_                                                                    \
    if (ALLOC_CHAOS_GTEST_UNOBSERVED_;                                                               \
        const ::testing::AssertionResult gtest_ar_ = ::testing::AssertionResult(expression))         \
        ;                                                                                            \
    else                                                                                             \
        fail(::testing::internal::GetBoolAssertionFailureMessage(gtest_ar_, text, #actual, #expected) \
                 .c_str())

#undef GTEST_MESSAGE_AT_
#define GTEST_MESSAGE_AT_(file, line, message, result_type)                                          \
    ::testing::internal::AssertHelper(result_type, file, line, message) =                            \
        ((void)::alloc_chaos::gtest::detail::unobserved_expression(), ::testing::Message())

#undef GTEST_TEST_THROW_
#define GTEST_TEST_THROW_(statement, expected_exception, fail)                                       \
    GTEST_AMBIGUOUS_ELSE_BLOCKER_                                                                    \
    if (ALLOC_CHAOS_GTEST_UNOBSERVED_; ::testing::internal::TrueWithString gtest_msg{}) {            \
        bool gtest_caught_expected = false;                                                          \
        try {                                                                                        \
            GTEST_SUPPRESS_UNREACHABLE_CODE_WARNING_BELOW_(statement);                               \
        } catch (expected_exception const&) {                                                       \
            gtest_caught_expected = true;                                                            \
        }                                                                                            \
        GTEST_TEST_THROW_CATCH_STD_EXCEPTION_(statement, expected_exception)                         \
        catch (...) {                                                                                \
            gtest_msg.value = "Expected: " #statement " throws an exception of type " #expected_exception \
                              ".\n  Actual: it throws a different type.";                            \
            goto GTEST_CONCAT_TOKEN_(gtest_label_testthrow_, __LINE__);                              \
        }                                                                                            \
        if (!gtest_caught_expected) {                                                                \
            gtest_msg.value = "Expected: " #statement " throws an exception of type " #expected_exception \
                              ".\n  Actual: it throws nothing.";                                     \
            goto GTEST_CONCAT_TOKEN_(gtest_label_testthrow_, __LINE__);                              \
        }                                                                                            \
    } else /*NOLINT*/                                                                                \
        GTEST_CONCAT_TOKEN_(gtest_label_testthrow_, __LINE__) : fail(gtest_msg.value.c_str())

#undef GTEST_TEST_NO_THROW_
#define GTEST_TEST_NO_THROW_(statement, fail)                                                        \
    GTEST_AMBIGUOUS_ELSE_BLOCKER_                                                                    \
    if (ALLOC_CHAOS_GTEST_UNOBSERVED_; ::testing::internal::TrueWithString gtest_msg{}) {            \
        try {                                                                                        \
            GTEST_SUPPRESS_UNREACHABLE_CODE_WARNING_BELOW_(statement);                               \
        }                                                                                            \
        GTEST_TEST_NO_THROW_CATCH_STD_EXCEPTION_()                                                   \
        catch (...) {                                                                                \
            gtest_msg.value = "it throws.";                                                          \
            goto GTEST_CONCAT_TOKEN_(gtest_label_testnothrow_, __LINE__);                            \
        }                                                                                            \
    } else                                                                                           \
        GTEST_CONCAT_TOKEN_(gtest_label_testnothrow_, __LINE__)                                      \
            : fail(("Expected: " #statement " doesn't throw an exception.\n"                         \
                    "  Actual: " +                                                                   \
                    gtest_msg.value)                                                                 \
                       .c_str())

#undef GTEST_TEST_ANY_THROW_
#define GTEST_TEST_ANY_THROW_(statement, fail)                                                       \
    GTEST_AMBIGUOUS_ELSE_BLOCKER_                                                                    \
    if (ALLOC_CHAOS_GTEST_UNOBSERVED_; ::testing::internal::AlwaysTrue()) {                          \
        bool gtest_caught_any = false;                                                               \
        try {                                                                                        \
            GTEST_SUPPRESS_UNREACHABLE_CODE_WARNING_BELOW_(statement);                               \
        } catch (...) {                                                                              \
            gtest_caught_any = true;                                                                 \
        }                                                                                            \
        if (!gtest_caught_any) {                                                                     \
            goto GTEST_CONCAT_TOKEN_(gtest_label_testanythrow_, __LINE__);                           \
        }                                                                                            \
    } else                                                                                           \
        GTEST_CONCAT_TOKEN_(gtest_label_testanythrow_, __LINE__)                                     \
            : fail("Expected: " #statement                                                           \
                   " throws an exception.\n"                                                         \
                   "  Actual: it doesn't.")

#undef GTEST_TEST_NO_FATAL_FAILURE_
#define GTEST_TEST_NO_FATAL_FAILURE_(statement, fail)                                                \
    GTEST_AMBIGUOUS_ELSE_BLOCKER_                                                                    \
    if (ALLOC_CHAOS_GTEST_UNOBSERVED_; ::testing::internal::AlwaysTrue()) {                          \
        ::testing::internal::HasNewFatalFailureHelper gtest_fatal_failure_checker;                   \
        GTEST_SUPPRESS_UNREACHABLE_CODE_WARNING_BELOW_(statement);                                   \
        if (gtest_fatal_failure_checker.has_new_fatal_failure()) {                                   \
            goto GTEST_CONCAT_TOKEN_(gtest_label_testnofatal_, __LINE__);                            \
        }                                                                                            \
    } else                                                                                           \
        GTEST_CONCAT_TOKEN_(gtest_label_testnofatal_, __LINE__)                                      \
            : fail("Expected: " #statement                                                           \
                   " doesn't generate new fatal "                                                    \
                   "failures in the current thread.\n"                                               \
                   "  Actual: it does.")

#ifdef GTEST_DEATH_TEST_
#undef GTEST_DEATH_TEST_
#define GTEST_DEATH_TEST_(statement, predicate, regex_or_matcher, fail)                              \
    GTEST_AMBIGUOUS_ELSE_BLOCKER_                                                                    \
    if (::alloc_chaos::gtest::detail::no_death_test_in_a_run alloc_chaos_death_test_is_outside_a_run_; \
        ::testing::internal::AlwaysTrue()) {                                                         \
        ::testing::internal::DeathTest* gtest_dt;                                                    \
        if (!::testing::internal::DeathTest::Create(                                                 \
                #statement, ::testing::internal::MakeDeathTestMatcher(regex_or_matcher), __FILE__,   \
                __LINE__, &gtest_dt)) {                                                              \
            goto GTEST_CONCAT_TOKEN_(gtest_label_, __LINE__);                                        \
        }                                                                                            \
        if (gtest_dt != nullptr) {                                                                   \
            std::unique_ptr< ::testing::internal::DeathTest> gtest_dt_ptr(gtest_dt);                 \
            switch (gtest_dt->AssumeRole()) {                                                        \
            case ::testing::internal::DeathTest::OVERSEE_TEST:                                       \
                if (!gtest_dt->Passed(predicate(gtest_dt->Wait()))) {                                \
                    goto GTEST_CONCAT_TOKEN_(gtest_label_, __LINE__);                                \
                }                                                                                    \
                break;                                                                               \
            case ::testing::internal::DeathTest::EXECUTE_TEST: {                                     \
                ::testing::internal::DeathTest::ReturnSentinel gtest_sentinel(gtest_dt);             \
                GTEST_EXECUTE_DEATH_TEST_STATEMENT_(statement, gtest_dt);                            \
                gtest_dt->Abort(::testing::internal::DeathTest::TEST_DID_NOT_DIE);                   \
                break;                                                                               \
            }                                                                                        \
            }                                                                                        \
        }                                                                                            \
    } else                                                                                           \
        GTEST_CONCAT_TOKEN_(gtest_label_, __LINE__) : fail(::testing::internal::DeathTest::LastMessage())
#endif

#undef SCOPED_TRACE
#define SCOPED_TRACE(message)                                                                        \
    ::testing::ScopedTrace GTEST_CONCAT_TOKEN_(gtest_trace_, __LINE__)(                              \
        __FILE__, __LINE__, ((void)::alloc_chaos::gtest::detail::unobserved_expression(), (message)))

#endif
