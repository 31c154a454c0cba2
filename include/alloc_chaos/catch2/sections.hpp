#ifndef ALLOC_CHAOS_CATCH2_SECTIONS_HPP
#define ALLOC_CHAOS_CATCH2_SECTIONS_HPP

// SECTION and DYNAMIC_SECTION, refused inside the body of a check. Catch2 runs a test case once
// per leaf section and tracks the sections entered across those runs, while a check runs its
// body many times within one of them: the first run would enter a section that the next runs
// skip, and the report would blame Catch2's own tracking for leaks and unstable baselines. So a
// section that opens in a check's run throws std::logic_error instead, which ends that run and
// names the fix. Each macro below is Catch2's own definition with that guard added; it is
// checked by test/catch2_internals.cpp, under the version guard of unobserved_assertions.hpp.

#include <alloc_chaos/catch2/unobserved_assertions.hpp>
#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/source.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>

namespace alloc_chaos::catch2::detail {

// Throws std::logic_error inside a check's run; returns otherwise.
inline void section_outside_a_check() {
    if (!alloc_chaos::current_run())
        return;
    alloc_chaos::unobserved refusal;
    throw std::logic_error("SECTION inside the body of an alloc-chaos check: Catch2 runs a test case once per "
                           "section, and the check runs its body many times within one of those; write one "
                           "ALLOC_CHAOS_TEST_CASE per section, or open the sections around the check");
}

}  // namespace alloc_chaos::catch2::detail

#if !defined(CATCH_CONFIG_DISABLE)

#undef INTERNAL_CATCH_SECTION
#define INTERNAL_CATCH_SECTION( ... ) \
    CATCH_INTERNAL_START_WARNINGS_SUPPRESSION \
    CATCH_INTERNAL_SUPPRESS_UNUSED_WARNINGS \
    if( Catch::Section const& INTERNAL_CATCH_UNIQUE_NAME( catch_internal_Section ) = ((void)::alloc_chaos::catch2::detail::section_outside_a_check(), Catch::SectionInfo( CATCH_INTERNAL_LINEINFO, __VA_ARGS__ )) ) \
    CATCH_INTERNAL_STOP_WARNINGS_SUPPRESSION

#undef INTERNAL_CATCH_DYNAMIC_SECTION
#define INTERNAL_CATCH_DYNAMIC_SECTION( ... ) \
    CATCH_INTERNAL_START_WARNINGS_SUPPRESSION \
    CATCH_INTERNAL_SUPPRESS_UNUSED_WARNINGS \
    if( Catch::Section const& INTERNAL_CATCH_UNIQUE_NAME( catch_internal_Section ) = ((void)::alloc_chaos::catch2::detail::section_outside_a_check(), Catch::SectionInfo( CATCH_INTERNAL_LINEINFO, (Catch::ReusableStringStream() << __VA_ARGS__).str() )) ) \
    CATCH_INTERNAL_STOP_WARNINGS_SUPPRESSION

#endif  // !CATCH_CONFIG_DISABLE

#endif
