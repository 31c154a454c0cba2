#ifndef ALLOC_CHAOS_BOOST_TEST_UNOBSERVED_ASSERTIONS_HPP
#define ALLOC_CHAOS_BOOST_TEST_UNOBSERVED_ASSERTIONS_HPP

// Boost.Test's assertion and logging macros, made to run unobserved. A failing BOOST_TEST
// allocates while it formats its message, BOOST_TEST_INFO on first use, tolerance() on every
// use: observed, those allocations would shift the attempt numbers, and an injected failure
// among them would swallow the assertion's failure and pass for the body's controlled error.
// Each macro below is Boost.Test's own definition with an `alloc_chaos::unobserved` scope
// added; the operands of an assertion are part of it, so they are unobserved too.

#include <alloc_chaos/source.hpp>

#include <boost/test/unit_test.hpp>
#include <boost/version.hpp>

// The macros below replace Boost.Test internals, which Boost may change in any release: a
// replacement of another shape would break the build or, worse, leave assertions observed. They
// were written against Boost 1.74 (any 1.74.x: patch releases leave them alone), and
// test/boost_test_internals_test.cpp checks that they still match Boost's own definitions. To try
// another version, define ALLOC_CHAOS_BOOST_TEST_UNTESTED_VERSION and run that test.
#if (BOOST_VERSION / 100 != 1074) && !defined(ALLOC_CHAOS_BOOST_TEST_UNTESTED_VERSION)
#error "alloc-chaos: <alloc_chaos/boost_test.hpp> redefines Boost.Test's internal macros (BOOST_TEST_TOOL_DIRECT_IMPL, BOOST_TEST_TOOL_ET_IMPL, BOOST_TEST_TOOL_ET_IMPL_EX, BOOST_TEST_TOOL_IMPL, BOOST_TEST_MESSAGE, BOOST_TEST_CHECKPOINT, BOOST_TEST_INFO, BOOST_TEST_INFO_SCOPE, BOOST_CONTEXT_PARAM), whose shape it was tested with in Boost 1.74 only; build and run test/boost_test_internals_test.cpp against this Boost and update include/alloc_chaos/boost_test/unobserved_assertions.hpp and this check, or define ALLOC_CHAOS_BOOST_TEST_UNTESTED_VERSION to build anyway (at your own risk: assertions may run observed)"
#endif

namespace alloc_chaos::boost_test::detail {
// Makes the rest of the full-expression it starts unobserved.
inline unobserved unobserved_expression() noexcept { return {}; }
}  // namespace alloc_chaos::boost_test::detail

#define ALLOC_CHAOS_UNOBSERVED_ ::alloc_chaos::unobserved alloc_chaos_assertion_is_unobserved_

#undef BOOST_TEST_TOOL_DIRECT_IMPL
#define BOOST_TEST_TOOL_DIRECT_IMPL(P, level, M)                                                     \
    do {                                                                                             \
        ALLOC_CHAOS_UNOBSERVED_;                                                                     \
        ::boost::test_tools::assertion_result res = (P);                                             \
        report_assertion(res, BOOST_TEST_LAZY_MSG(M), BOOST_TEST_L(__FILE__),                        \
                         static_cast<std::size_t>(__LINE__), ::boost::test_tools::tt_detail::level,  \
                         ::boost::test_tools::tt_detail::CHECK_MSG, 0);                              \
    } while (::boost::test_tools::tt_detail::dummy_cond())

#undef BOOST_TEST_TOOL_ET_IMPL
#define BOOST_TEST_TOOL_ET_IMPL(P, level)                                                            \
    do {                                                                                             \
        ALLOC_CHAOS_UNOBSERVED_;                                                                     \
        BOOST_TEST_PASSPOINT();                                                                      \
        ::boost::test_tools::tt_detail::report_assertion(                                            \
            BOOST_TEST_BUILD_ASSERTION(P).evaluate(), BOOST_TEST_LAZY_MSG(BOOST_TEST_STRINGIZE(P)),  \
            BOOST_TEST_L(__FILE__), static_cast<std::size_t>(__LINE__),                              \
            ::boost::test_tools::tt_detail::level,                                                   \
            ::boost::test_tools::tt_detail::CHECK_BUILT_ASSERTION, 0);                               \
    } while (::boost::test_tools::tt_detail::dummy_cond())

#undef BOOST_TEST_TOOL_ET_IMPL_EX
#define BOOST_TEST_TOOL_ET_IMPL_EX(P, level, arg)                                                    \
    do {                                                                                             \
        ALLOC_CHAOS_UNOBSERVED_;                                                                     \
        BOOST_TEST_PASSPOINT();                                                                      \
        ::boost::test_tools::tt_detail::report_assertion(                                            \
            ::boost::test_tools::tt_detail::assertion_evaluate(BOOST_TEST_BUILD_ASSERTION(P)) << arg, \
            ::boost::test_tools::tt_detail::assertion_text(                                          \
                BOOST_TEST_LAZY_MSG(BOOST_TEST_STRINGIZE(P)), BOOST_TEST_LAZY_MSG(arg)),             \
            BOOST_TEST_L(__FILE__), static_cast<std::size_t>(__LINE__),                              \
            ::boost::test_tools::tt_detail::level, ::boost::test_tools::tt_detail::assertion_type() << arg, \
            0);                                                                                      \
    } while (::boost::test_tools::tt_detail::dummy_cond())

#undef BOOST_TEST_TOOL_IMPL
#define BOOST_TEST_TOOL_IMPL(frwd_type, P, assertion_descr, TL, CT, ARGS)                           \
    do {                                                                                             \
        ALLOC_CHAOS_UNOBSERVED_;                                                                     \
        BOOST_TEST_PASSPOINT();                                                                      \
        ::boost::test_tools::tt_detail::BOOST_PP_IF(frwd_type, report_assertion, check_frwd)(        \
            BOOST_JOIN(BOOST_TEST_TOOL_PASS_PRED, frwd_type)(P, ARGS),                               \
            BOOST_TEST_LAZY_MSG(assertion_descr), BOOST_TEST_L(__FILE__),                            \
            static_cast<std::size_t>(__LINE__), ::boost::test_tools::tt_detail::TL,                  \
            ::boost::test_tools::tt_detail::CT BOOST_JOIN(BOOST_TEST_TOOL_PASS_ARGS, frwd_type)(ARGS)); \
    } while (::boost::test_tools::tt_detail::dummy_cond())

#undef BOOST_TEST_MESSAGE
#define BOOST_TEST_MESSAGE(M)                                                                        \
    ((void)::alloc_chaos::boost_test::detail::unobserved_expression(),                               \
     BOOST_TEST_LOG_ENTRY(::boost::unit_test::log_messages) << BOOST_TEST_LAZY_MSG(M))

#undef BOOST_TEST_CHECKPOINT
#define BOOST_TEST_CHECKPOINT(M)                                                                     \
    ((void)::alloc_chaos::boost_test::detail::unobserved_expression(),                               \
     ::boost::unit_test::unit_test_log.set_checkpoint(BOOST_TEST_L(__FILE__),                        \
                                                      static_cast<std::size_t>(__LINE__),            \
                                                      (::boost::wrap_stringstream().ref() << M).str()))

#undef BOOST_TEST_INFO
#define BOOST_TEST_INFO(context_descr)                                                               \
    ((void)::alloc_chaos::boost_test::detail::unobserved_expression(),                               \
     ::boost::unit_test::framework::add_context(BOOST_TEST_LAZY_MSG(context_descr), false))

#undef BOOST_TEST_INFO_SCOPE
#define BOOST_TEST_INFO_SCOPE(context_descr)                                                         \
    ::boost::test_tools::tt_detail::context_frame BOOST_JOIN(context_frame_, __LINE__) =             \
        ((void)::alloc_chaos::boost_test::detail::unobserved_expression(),                           \
         ::boost::test_tools::tt_detail::context_frame(BOOST_TEST_LAZY_MSG(context_descr)))

#undef BOOST_CONTEXT_PARAM
#define BOOST_CONTEXT_PARAM(r, ctx, i, context_descr)                                                \
    if (::boost::test_tools::tt_detail::context_frame BOOST_PP_CAT(ctx, i) =                         \
            ((void)::alloc_chaos::boost_test::detail::unobserved_expression(),                       \
             ::boost::test_tools::tt_detail::context_frame(BOOST_TEST_LAZY_MSG(context_descr))))

#endif
