#ifndef ALLOC_CHAOS_BOOST_TEST_HPP
#define ALLOC_CHAOS_BOOST_TEST_HPP

// Boost.Test integration: test cases that run under the strict exhaustive loop.
//
//     BOOST_ALLOC_CHAOS_CASE(name) { body }
//     BOOST_ALLOC_CHAOS_CASE(name, decorators) { body }
//     BOOST_ALLOC_CHAOS_FIXTURE_CASE(name, Fixture) { body }
//     BOOST_ALLOC_CHAOS_FIXTURE_CASE(name, Fixture, decorators) { body }
//
// The body runs once with nothing failed, then once per allocation attempt with that attempt
// failed; the case fails unless the check succeeds. Each run gets a fresh fixture (the suite's,
// for BOOST_ALLOC_CHAOS_CASE), built and torn down unobserved. Checker options come from the
// decorator alloc_chaos::boost_test::check_with; with processes(n) among them, the runs and their
// fixtures execute in worker processes, and this process logs and counts what they logged.
// Include this header in every file whose assertions run inside such a case: it makes
// Boost.Test's assertions unobserved.

#include <alloc_chaos/alloc_chaos.hpp>
#include <alloc_chaos/boost_test/chaos_resource_fixture.hpp>
#include <alloc_chaos/boost_test/check_with.hpp>
#include <alloc_chaos/boost_test/run_case.hpp>
#include <alloc_chaos/boost_test/unobserved_assertions.hpp>

#include <boost/preprocessor/facilities/overload.hpp>
#include <boost/test/unit_test.hpp>

#define BOOST_ALLOC_CHAOS_FIXTURE_CASE_WITH_DECOR(test_name, F, decorators)                          \
    struct test_name : public F {                                                                    \
        void test_method();                                                                          \
    };                                                                                               \
                                                                                                     \
    static void BOOST_AUTO_TC_INVOKER(test_name)() {                                                 \
        ::alloc_chaos::boost_test::detail::run_case<test_name>();                                    \
    }                                                                                                \
                                                                                                     \
    struct BOOST_AUTO_TC_UNIQUE_ID(test_name) {};                                                    \
                                                                                                     \
    BOOST_AUTO_TU_REGISTRAR(test_name)(                                                              \
        boost::unit_test::make_test_case(&BOOST_AUTO_TC_INVOKER(test_name), #test_name, __FILE__,    \
                                         __LINE__),                                                  \
        decorators);                                                                                 \
                                                                                                     \
    void test_name::test_method()

#define BOOST_ALLOC_CHAOS_FIXTURE_CASE_2(test_name, F)                                               \
    BOOST_ALLOC_CHAOS_FIXTURE_CASE_WITH_DECOR(test_name, F,                                          \
                                              boost::unit_test::decorator::collector_t::instance())
#define BOOST_ALLOC_CHAOS_FIXTURE_CASE_3(test_name, F, decorators)                                   \
    BOOST_ALLOC_CHAOS_FIXTURE_CASE_WITH_DECOR(test_name, F, decorators)

#define BOOST_ALLOC_CHAOS_CASE_1(test_name)                                                          \
    BOOST_ALLOC_CHAOS_FIXTURE_CASE_2(test_name, BOOST_AUTO_TEST_CASE_FIXTURE)
#define BOOST_ALLOC_CHAOS_CASE_2(test_name, decorators)                                              \
    BOOST_ALLOC_CHAOS_FIXTURE_CASE_3(test_name, BOOST_AUTO_TEST_CASE_FIXTURE, decorators)

// A Boost.Test case whose body runs under the strict exhaustive loop; with the suite's fixture.
#define BOOST_ALLOC_CHAOS_CASE(...) BOOST_PP_OVERLOAD(BOOST_ALLOC_CHAOS_CASE_, __VA_ARGS__)(__VA_ARGS__)
// The same with a fixture of its own, built fresh for every run.
#define BOOST_ALLOC_CHAOS_FIXTURE_CASE(...)                                                          \
    BOOST_PP_OVERLOAD(BOOST_ALLOC_CHAOS_FIXTURE_CASE_, __VA_ARGS__)(__VA_ARGS__)

#endif
