#ifndef ALLOC_CHAOS_GTEST_SUCCESS_ASSERTION_HPP
#define ALLOC_CHAOS_GTEST_SUCCESS_ASSERTION_HPP

#include <alloc_chaos/report.hpp>

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace alloc_chaos::gtest {

// A GoogleTest predicate-formatter: succeeds when `r` is a success; otherwise fails with the
// message "<expression> is not a success; its report:" and the whole report on the next lines.
//     EXPECT_PRED_FORMAT1(alloc_chaos::gtest::is_success, report);  // what EXPECT_ALLOC_CHAOS_SUCCESS does
inline ::testing::AssertionResult is_success(const char* expression, const alloc_chaos::report& r) {
    if (r.success())
        return ::testing::AssertionSuccess();
    std::ostringstream text;
    text << r;
    std::string rendered = text.str();
    if (!rendered.empty() && rendered.back() == '\n')
        rendered.pop_back();
    return ::testing::AssertionFailure() << expression << " is not a success; its report:\n" << rendered;
}

}  // namespace alloc_chaos::gtest

// Checks that an alloc_chaos::report is a success, printing the whole report when it is not;
// EXPECT_ goes on after a failure, ASSERT_ returns from the function. A message may be streamed
// in, as into any GoogleTest assertion.
#define EXPECT_ALLOC_CHAOS_SUCCESS(report) EXPECT_PRED_FORMAT1(::alloc_chaos::gtest::is_success, report)
#define ASSERT_ALLOC_CHAOS_SUCCESS(report) ASSERT_PRED_FORMAT1(::alloc_chaos::gtest::is_success, report)

#endif
