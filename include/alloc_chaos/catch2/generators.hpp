#ifndef ALLOC_CHAOS_CATCH2_GENERATORS_HPP
#define ALLOC_CHAOS_CATCH2_GENERATORS_HPP

// GENERATE, GENERATE_COPY and GENERATE_REF, refused inside the body of a check. Catch2 runs a
// test case once per generated value and tracks each generator, by the place it is called from,
// across those runs, while a check runs its body many times within one of them: every run would
// call the generator again, Catch2 would nest a new one on each call, the runs would differ, and
// the report would blame Catch2's own tracking. So a generator called in a check's run throws
// std::logic_error instead, before Catch2 tracks it, which ends that run and names the fix.
// Each macro below is Catch2's own definition with that guard added; it is checked by
// test/catch2_internals.cpp, under the version guard of unobserved_assertions.hpp. Catch2
// defines these macros whether or not CATCH_CONFIG_DISABLE is defined, and so does this header.

#include <alloc_chaos/catch2/unobserved_assertions.hpp>
#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/source.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

namespace alloc_chaos::catch2::detail {

// Throws std::logic_error, naming `macro`, inside a check's run; returns otherwise.
inline void generator_outside_a_check(const char* macro) {
    if (!alloc_chaos::current_run())
        return;
    alloc_chaos::unobserved refusal;
    throw std::logic_error(std::string(macro) +
                           " inside the body of an alloc-chaos check: Catch2 runs a test case once per generated "
                           "value, and the check runs its body many times within one of those; generate the values "
                           "in a plain TEST_CASE around plain checks, or write one ALLOC_CHAOS_TEST_CASE per value");
}

}  // namespace alloc_chaos::catch2::detail

#undef GENERATE
#define GENERATE( ... ) \
    ((void)::alloc_chaos::catch2::detail::generator_outside_a_check("GENERATE"), Catch::Generators::generate( INTERNAL_CATCH_STRINGIZE(INTERNAL_CATCH_UNIQUE_NAME(generator)), \
                                 CATCH_INTERNAL_LINEINFO, \
                                 [ ]{ using namespace Catch::Generators; return makeGenerators( __VA_ARGS__ ); } )) //NOLINT(google-build-using-namespace)

#undef GENERATE_COPY
#define GENERATE_COPY( ... ) \
    ((void)::alloc_chaos::catch2::detail::generator_outside_a_check("GENERATE_COPY"), Catch::Generators::generate( INTERNAL_CATCH_STRINGIZE(INTERNAL_CATCH_UNIQUE_NAME(generator)), \
                                 CATCH_INTERNAL_LINEINFO, \
                                 [=]{ using namespace Catch::Generators; return makeGenerators( __VA_ARGS__ ); } )) //NOLINT(google-build-using-namespace)

#undef GENERATE_REF
#define GENERATE_REF( ... ) \
    ((void)::alloc_chaos::catch2::detail::generator_outside_a_check("GENERATE_REF"), Catch::Generators::generate( INTERNAL_CATCH_STRINGIZE(INTERNAL_CATCH_UNIQUE_NAME(generator)), \
                                 CATCH_INTERNAL_LINEINFO, \
                                 [&]{ using namespace Catch::Generators; return makeGenerators( __VA_ARGS__ ); } )) //NOLINT(google-build-using-namespace)

#endif
