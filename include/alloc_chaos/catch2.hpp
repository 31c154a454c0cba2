#ifndef ALLOC_CHAOS_CATCH2_HPP
#define ALLOC_CHAOS_CATCH2_HPP

// Catch2 (2.13) integration: test cases that run under the strict exhaustive loop.
//
//     ALLOC_CHAOS_TEST_CASE("name", "[tags]") { body }
//     ALLOC_CHAOS_TEST_CASE_WITH(checker, "name", "[tags]") { body }
//     ALLOC_CHAOS_TEST_CASE_METHOD(Fixture, "name", "[tags]") { body }
//
// Each registers an ordinary Catch2 test case (its name and tags select it as usual). The body
// runs once with nothing failed, then once per allocation attempt with that attempt failed; the
// case fails, with the whole report, unless the check succeeds. A failed assertion in a run names
// the run and ends the loop after it. ALLOC_CHAOS_TEST_CASE_WITH takes the checker options as its
// first argument; ALLOC_CHAOS_TEST_CASE_METHOD builds a fresh Fixture for every run, unobserved,
// and takes its options from a `static alloc_chaos::checker alloc_chaos_checker()` of Fixture
// when it has one. With processes(n) among the options (or ALLOC_CHAOS_PROCESSES), the runs, and
// their fixtures, execute in worker processes, and this process reports what they reported
// (worker_log.hpp). A SECTION or a GENERATE inside a check's body throws std::logic_error
// (sections.hpp, generators.hpp).
// Include this header in every file whose assertions run inside such a case: it makes Catch2's
// assertions unobserved. Also here: the matcher alloc_chaos::catch2::succeeded() for plain checks.

#include <alloc_chaos/alloc_chaos.hpp>
#include <alloc_chaos/catch2/generators.hpp>
#include <alloc_chaos/catch2/run_case.hpp>
#include <alloc_chaos/catch2/sections.hpp>
#include <alloc_chaos/catch2/succeeded.hpp>
#include <alloc_chaos/catch2/unobserved_assertions.hpp>

#include <catch2/catch.hpp>

#define ALLOC_CHAOS_TEST_CASE_WITH_2_(body, invoker, options, ...)                                   \
    static void body();                                                                              \
    static void invoker() { ::alloc_chaos::catch2::detail::run_case((options), CATCH_INTERNAL_LINEINFO, &body); } \
    namespace {                                                                                      \
    const ::Catch::AutoReg INTERNAL_CATCH_UNIQUE_NAME(alloc_chaos_registrar_)(                       \
        ::Catch::makeTestInvoker(&invoker), CATCH_INTERNAL_LINEINFO, ::Catch::StringRef(),           \
        ::Catch::NameAndTags{__VA_ARGS__});                                                          \
    }                                                                                                \
    static void body()

#define ALLOC_CHAOS_TEST_CASE_METHOD_2_(test_case, invoker, Fixture, ...)                            \
    namespace {                                                                                      \
    struct test_case : Fixture {                                                                     \
        void test();                                                                                 \
    };                                                                                               \
    void invoker() { ::alloc_chaos::catch2::detail::run_fixture_case<test_case>(CATCH_INTERNAL_LINEINFO); } \
    const ::Catch::AutoReg INTERNAL_CATCH_UNIQUE_NAME(alloc_chaos_registrar_)(                       \
        ::Catch::makeTestInvoker(&invoker), CATCH_INTERNAL_LINEINFO, #Fixture,                       \
        ::Catch::NameAndTags{__VA_ARGS__});                                                          \
    }                                                                                                \
    void test_case::test()

// A Catch2 test case, ("name", "[tags]") as TEST_CASE takes them, whose body runs under the
// strict exhaustive loop with `options`, an alloc_chaos::checker.
#define ALLOC_CHAOS_TEST_CASE_WITH(options, ...)                                                     \
    ALLOC_CHAOS_TEST_CASE_WITH_2_(INTERNAL_CATCH_UNIQUE_NAME(alloc_chaos_body_),                     \
                                  INTERNAL_CATCH_UNIQUE_NAME(alloc_chaos_invoker_), options, __VA_ARGS__)
// The same with the default options.
#define ALLOC_CHAOS_TEST_CASE(...) ALLOC_CHAOS_TEST_CASE_WITH(::alloc_chaos::checker{}, __VA_ARGS__)
// The same as a method of a class derived from Fixture, as TEST_CASE_METHOD, with a fresh Fixture
// for every run.
#define ALLOC_CHAOS_TEST_CASE_METHOD(Fixture, ...)                                                   \
    ALLOC_CHAOS_TEST_CASE_METHOD_2_(INTERNAL_CATCH_UNIQUE_NAME(alloc_chaos_case_),                   \
                                    INTERNAL_CATCH_UNIQUE_NAME(alloc_chaos_invoker_), Fixture, __VA_ARGS__)

#endif
