#ifndef ALLOC_CHAOS_CATCH2_UNOBSERVED_ASSERTIONS_HPP
#define ALLOC_CHAOS_CATCH2_UNOBSERVED_ASSERTIONS_HPP

// Catch2's assertion and logging macros, made to run unobserved. A failing CHECK allocates while
// it stringifies its operands and builds its result, INFO and CAPTURE on every use: observed,
// those allocations would shift the attempt numbers, and an injected failure among them would
// swallow the assertion's failure and pass for the body's controlled error. Each macro below is
// Catch2's own definition with an `alloc_chaos::unobserved` scope added; the operands of an
// assertion are part of it, so they are unobserved too.

#include <alloc_chaos/source.hpp>

#include <catch2/catch.hpp>

// The macros below replace Catch2 internals, which Catch2 may change in any release: a
// replacement of another shape would break the build or, worse, leave assertions observed. They
// were written against Catch2 2.13 (any 2.13.x), and test/catch2_internals.cpp checks that they
// still match Catch2's own definitions. To try another version, define
// ALLOC_CHAOS_CATCH2_UNTESTED_VERSION and run that test.
#if (CATCH_VERSION_MAJOR != 2 || CATCH_VERSION_MINOR != 13) && !defined(ALLOC_CHAOS_CATCH2_UNTESTED_VERSION)
#error "alloc-chaos: <alloc_chaos/catch2.hpp> redefines Catch2's internal macros (INTERNAL_CATCH_TEST, INTERNAL_CATCH_NO_THROW, INTERNAL_CATCH_THROWS, INTERNAL_CATCH_THROWS_AS, INTERNAL_CATCH_THROWS_STR_MATCHES, INTERNAL_CHECK_THAT, INTERNAL_CATCH_THROWS_MATCHES, INTERNAL_CATCH_MSG, INTERNAL_CATCH_CAPTURE, INTERNAL_CATCH_INFO, INTERNAL_CATCH_UNSCOPED_INFO), whose shape it was tested with in Catch2 2.13 only; build and run test/catch2_internals.cpp against this Catch2 and update include/alloc_chaos/catch2/unobserved_assertions.hpp and this check, or define ALLOC_CHAOS_CATCH2_UNTESTED_VERSION to build anyway (at your own risk: assertions may run observed)"
#endif

namespace alloc_chaos::catch2::detail {
// Makes the rest of the full-expression it starts unobserved.
inline unobserved unobserved_expression() noexcept { return {}; }
}  // namespace alloc_chaos::catch2::detail

#if !defined(CATCH_CONFIG_DISABLE)

#define ALLOC_CHAOS_CATCH2_UNOBSERVED_ ::alloc_chaos::unobserved alloc_chaos_assertion_is_unobserved_

#undef INTERNAL_CATCH_TEST
#define INTERNAL_CATCH_TEST( macroName, resultDisposition, ... ) \
    do { \
        ALLOC_CHAOS_CATCH2_UNOBSERVED_; \
        CATCH_INTERNAL_IGNORE_BUT_WARN(__VA_ARGS__); \
        Catch::AssertionHandler catchAssertionHandler( macroName##_catch_sr, CATCH_INTERNAL_LINEINFO, CATCH_INTERNAL_STRINGIFY(__VA_ARGS__), resultDisposition ); \
        INTERNAL_CATCH_TRY { \
            CATCH_INTERNAL_START_WARNINGS_SUPPRESSION \
            CATCH_INTERNAL_SUPPRESS_PARENTHESES_WARNINGS \
            catchAssertionHandler.handleExpr( Catch::Decomposer() <= __VA_ARGS__ ); \
            CATCH_INTERNAL_STOP_WARNINGS_SUPPRESSION \
        } INTERNAL_CATCH_CATCH( catchAssertionHandler ) \
        INTERNAL_CATCH_REACT( catchAssertionHandler ) \
    } while( (void)0, (false) && static_cast<bool>( !!(__VA_ARGS__) ) )

#undef INTERNAL_CATCH_NO_THROW
#define INTERNAL_CATCH_NO_THROW( macroName, resultDisposition, ... ) \
    do { \
        ALLOC_CHAOS_CATCH2_UNOBSERVED_; \
        Catch::AssertionHandler catchAssertionHandler( macroName##_catch_sr, CATCH_INTERNAL_LINEINFO, CATCH_INTERNAL_STRINGIFY(__VA_ARGS__), resultDisposition ); \
        try { \
            static_cast<void>(__VA_ARGS__); \
            catchAssertionHandler.handleExceptionNotThrownAsExpected(); \
        } \
        catch( ... ) { \
            catchAssertionHandler.handleUnexpectedInflightException(); \
        } \
        INTERNAL_CATCH_REACT( catchAssertionHandler ) \
    } while( false )

#undef INTERNAL_CATCH_THROWS
#define INTERNAL_CATCH_THROWS( macroName, resultDisposition, ... ) \
    do { \
        ALLOC_CHAOS_CATCH2_UNOBSERVED_; \
        Catch::AssertionHandler catchAssertionHandler( macroName##_catch_sr, CATCH_INTERNAL_LINEINFO, CATCH_INTERNAL_STRINGIFY(__VA_ARGS__), resultDisposition); \
        if( catchAssertionHandler.allowThrows() ) \
            try { \
                static_cast<void>(__VA_ARGS__); \
                catchAssertionHandler.handleUnexpectedExceptionNotThrown(); \
            } \
            catch( ... ) { \
                catchAssertionHandler.handleExceptionThrownAsExpected(); \
            } \
        else \
            catchAssertionHandler.handleThrowingCallSkipped(); \
        INTERNAL_CATCH_REACT( catchAssertionHandler ) \
    } while( false )

#undef INTERNAL_CATCH_THROWS_AS
#define INTERNAL_CATCH_THROWS_AS( macroName, exceptionType, resultDisposition, expr ) \
    do { \
        ALLOC_CHAOS_CATCH2_UNOBSERVED_; \
        Catch::AssertionHandler catchAssertionHandler( macroName##_catch_sr, CATCH_INTERNAL_LINEINFO, CATCH_INTERNAL_STRINGIFY(expr) ", " CATCH_INTERNAL_STRINGIFY(exceptionType), resultDisposition ); \
        if( catchAssertionHandler.allowThrows() ) \
            try { \
                static_cast<void>(expr); \
                catchAssertionHandler.handleUnexpectedExceptionNotThrown(); \
            } \
            catch( exceptionType const& ) { \
                catchAssertionHandler.handleExceptionThrownAsExpected(); \
            } \
            catch( ... ) { \
                catchAssertionHandler.handleUnexpectedInflightException(); \
            } \
        else \
            catchAssertionHandler.handleThrowingCallSkipped(); \
        INTERNAL_CATCH_REACT( catchAssertionHandler ) \
    } while( false )

#undef INTERNAL_CATCH_MSG
#define INTERNAL_CATCH_MSG( macroName, messageType, resultDisposition, ... ) \
    do { \
        ALLOC_CHAOS_CATCH2_UNOBSERVED_; \
        Catch::AssertionHandler catchAssertionHandler( macroName##_catch_sr, CATCH_INTERNAL_LINEINFO, Catch::StringRef(), resultDisposition ); \
        catchAssertionHandler.handleMessage( messageType, ( Catch::MessageStream() << __VA_ARGS__ + ::Catch::StreamEndStop() ).m_stream.str() ); \
        INTERNAL_CATCH_REACT( catchAssertionHandler ) \
    } while( false )

#undef INTERNAL_CATCH_CAPTURE
#define INTERNAL_CATCH_CAPTURE( varName, macroName, ... ) \
    auto varName = ((void)::alloc_chaos::catch2::detail::unobserved_expression(), Catch::Capturer( macroName, CATCH_INTERNAL_LINEINFO, Catch::ResultWas::Info, #__VA_ARGS__ )); \
    ((void)::alloc_chaos::catch2::detail::unobserved_expression(), varName.captureValues( 0, __VA_ARGS__ ))

#undef INTERNAL_CATCH_INFO
#define INTERNAL_CATCH_INFO( macroName, log ) \
    Catch::ScopedMessage INTERNAL_CATCH_UNIQUE_NAME( scopedMessage )( ((void)::alloc_chaos::catch2::detail::unobserved_expression(), Catch::MessageBuilder( macroName##_catch_sr, CATCH_INTERNAL_LINEINFO, Catch::ResultWas::Info ) << log) );

#undef INTERNAL_CATCH_UNSCOPED_INFO
#define INTERNAL_CATCH_UNSCOPED_INFO( macroName, log ) \
    ((void)::alloc_chaos::catch2::detail::unobserved_expression(), Catch::getResultCapture().emplaceUnscopedMessage( Catch::MessageBuilder( macroName##_catch_sr, CATCH_INTERNAL_LINEINFO, Catch::ResultWas::Info ) << log ))

#undef INTERNAL_CATCH_THROWS_STR_MATCHES
#define INTERNAL_CATCH_THROWS_STR_MATCHES( macroName, resultDisposition, matcher, ... ) \
    do { \
        ALLOC_CHAOS_CATCH2_UNOBSERVED_; \
        Catch::AssertionHandler catchAssertionHandler( macroName##_catch_sr, CATCH_INTERNAL_LINEINFO, CATCH_INTERNAL_STRINGIFY(__VA_ARGS__) ", " CATCH_INTERNAL_STRINGIFY(matcher), resultDisposition ); \
        if( catchAssertionHandler.allowThrows() ) \
            try { \
                static_cast<void>(__VA_ARGS__); \
                catchAssertionHandler.handleUnexpectedExceptionNotThrown(); \
            } \
            catch( ... ) { \
                Catch::handleExceptionMatchExpr( catchAssertionHandler, matcher, #matcher##_catch_sr ); \
            } \
        else \
            catchAssertionHandler.handleThrowingCallSkipped(); \
        INTERNAL_CATCH_REACT( catchAssertionHandler ) \
    } while( false )

#undef INTERNAL_CHECK_THAT
#define INTERNAL_CHECK_THAT( macroName, matcher, resultDisposition, arg ) \
    do { \
        ALLOC_CHAOS_CATCH2_UNOBSERVED_; \
        Catch::AssertionHandler catchAssertionHandler( macroName##_catch_sr, CATCH_INTERNAL_LINEINFO, CATCH_INTERNAL_STRINGIFY(arg) ", " CATCH_INTERNAL_STRINGIFY(matcher), resultDisposition ); \
        INTERNAL_CATCH_TRY { \
            catchAssertionHandler.handleExpr( Catch::makeMatchExpr( arg, matcher, #matcher##_catch_sr ) ); \
        } INTERNAL_CATCH_CATCH( catchAssertionHandler ) \
        INTERNAL_CATCH_REACT( catchAssertionHandler ) \
    } while( false )

#undef INTERNAL_CATCH_THROWS_MATCHES
#define INTERNAL_CATCH_THROWS_MATCHES( macroName, exceptionType, resultDisposition, matcher, ... ) \
    do { \
        ALLOC_CHAOS_CATCH2_UNOBSERVED_; \
        Catch::AssertionHandler catchAssertionHandler( macroName##_catch_sr, CATCH_INTERNAL_LINEINFO, CATCH_INTERNAL_STRINGIFY(__VA_ARGS__) ", " CATCH_INTERNAL_STRINGIFY(exceptionType) ", " CATCH_INTERNAL_STRINGIFY(matcher), resultDisposition ); \
        if( catchAssertionHandler.allowThrows() ) \
            try { \
                static_cast<void>(__VA_ARGS__ ); \
                catchAssertionHandler.handleUnexpectedExceptionNotThrown(); \
            } \
            catch( exceptionType const& ex ) { \
                catchAssertionHandler.handleExpr( Catch::makeMatchExpr( ex, matcher, #matcher##_catch_sr ) ); \
            } \
            catch( ... ) { \
                catchAssertionHandler.handleUnexpectedInflightException(); \
            } \
        else \
            catchAssertionHandler.handleThrowingCallSkipped(); \
        INTERNAL_CATCH_REACT( catchAssertionHandler ) \
    } while( false )

#endif  // !CATCH_CONFIG_DISABLE

#endif
