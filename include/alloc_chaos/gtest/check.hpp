#ifndef ALLOC_CHAOS_GTEST_CHECK_HPP
#define ALLOC_CHAOS_GTEST_CHECK_HPP

#include <alloc_chaos/checker.hpp>
#include <alloc_chaos/gtest/run_test.hpp>

#include <concepts>
#include <functional>
#include <utility>

namespace alloc_chaos::gtest {

// alloc_chaos::check for a body that makes GoogleTest assertions, inside a GoogleTest test: the
// body runs under the loop as an ALLOC_CHAOS_TEST's body does (its failed assertions reported
// once, each naming its run, the loop stopping after the first run in which one failed; in worker
// processes too), and the report is returned, for EXPECT_ALLOC_CHAOS_SUCCESS:
//     EXPECT_ALLOC_CHAOS_SUCCESS(alloc_chaos::gtest::check([&] { EXPECT_EQ(parse(text).size(), 3u); }));
// Throws std::logic_error when no GoogleTest test is running on this thread. A GTEST_SKIP in the
// body stops the loop like a failed assertion, and the report is not a success.
template <std::invocable Body>
alloc_chaos::report check(const alloc_chaos::checker& options, Body&& body) {
    bool skipped = false;
    return detail::check_in_test(
        options, [&](const detail::run_frame&) { std::invoke(body); }, skipped);
}

// The same with the default options: check(alloc_chaos::checker{}, body).
template <std::invocable Body>
alloc_chaos::report check(Body&& body) {
    return gtest::check(alloc_chaos::checker{}, std::forward<Body>(body));
}

}  // namespace alloc_chaos::gtest

#endif
