#ifndef ALLOC_CHAOS_GTEST_HPP
#define ALLOC_CHAOS_GTEST_HPP

// GoogleTest integration: tests that run under the strict exhaustive loop.
//
//     ALLOC_CHAOS_TEST(Suite, Name) { body }        like TEST(Suite, Name)
//     ALLOC_CHAOS_TEST_F(Fixture, Name) { body }    like TEST_F(Fixture, Name)
//     EXPECT_ALLOC_CHAOS_SUCCESS(report)            a plain check's report is a success
//     ASSERT_ALLOC_CHAOS_SUCCESS(report)
//     alloc_chaos::gtest::check(body)               a plain check whose assertions count as in
//                                                   ALLOC_CHAOS_TEST, inside any test
//
// An ALLOC_CHAOS_TEST is an ordinary GoogleTest test named Suite.Name (filters, repeats, shards
// and the XML output treat it as any other). Its body runs once with nothing failed, then once per
// allocation attempt with that attempt failed; the test fails unless the check succeeds, with the
// whole report as its failure message. Each run gets a fresh fixture, built, set up, torn down
// and destroyed unobserved. Checker options come from the fixture's
//     static alloc_chaos::checker alloc_chaos_checker() { return alloc_chaos::checker{}.stability_runs(3); }
// when it declares one; with processes(n) among them, the runs and their fixtures execute in
// worker processes, and this process reports what they reported. Include this header in every
// file whose assertions run inside such a test: it makes GoogleTest's assertions unobserved.

#include <alloc_chaos/alloc_chaos.hpp>
#include <alloc_chaos/gtest/check.hpp>
#include <alloc_chaos/gtest/run_test.hpp>
#include <alloc_chaos/gtest/success_assertion.hpp>
#include <alloc_chaos/gtest/unobserved_assertions.hpp>

#include <gtest/gtest.h>

// The class that holds the body of the test suite.name.
#define ALLOC_CHAOS_GTEST_CLASS_NAME_(suite, name) suite##_##name##_AllocChaosTest

#define ALLOC_CHAOS_GTEST_TEST_(suite, name, Fixture, fixture_id)                                    \
    static_assert(sizeof(GTEST_STRINGIFY_(suite)) > 1, "test_suite_name must not be empty");         \
    static_assert(sizeof(GTEST_STRINGIFY_(name)) > 1, "test_name must not be empty");                \
    class ALLOC_CHAOS_GTEST_CLASS_NAME_(suite, name) : public ::alloc_chaos::gtest::detail::run_fixture<Fixture> { \
    public:                                                                                          \
        void alloc_chaos_body();                                                                     \
                                                                                                     \
    private:                                                                                         \
        static ::testing::TestInfo* const alloc_chaos_test_info_;                                    \
    };                                                                                               \
                                                                                                     \
    ::testing::TestInfo* const ALLOC_CHAOS_GTEST_CLASS_NAME_(suite, name)::alloc_chaos_test_info_ =  \
        ::alloc_chaos::gtest::detail::register_test<ALLOC_CHAOS_GTEST_CLASS_NAME_(suite, name), Fixture>( \
            #suite, #name, __FILE__, __LINE__, (fixture_id));                                        \
                                                                                                     \
    void ALLOC_CHAOS_GTEST_CLASS_NAME_(suite, name)::alloc_chaos_body()

// A GoogleTest test whose body runs under the strict exhaustive loop, like TEST.
#define ALLOC_CHAOS_TEST(suite, name)                                                                \
    ALLOC_CHAOS_GTEST_TEST_(suite, name, ::testing::Test, ::testing::internal::GetTestTypeId())

// The same with a fixture, like TEST_F: a fresh one for every run, whose members the body sees.
#define ALLOC_CHAOS_TEST_F(fixture, name)                                                            \
    ALLOC_CHAOS_GTEST_TEST_(fixture, name, fixture, ::testing::internal::GetTypeId<fixture>())

#endif
