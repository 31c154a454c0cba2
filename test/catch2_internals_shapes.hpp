// No include guard: catch2_internals.cpp includes this twice, before and after the integration
// redefines Catch2's internal macros, to expand each macro both ways with the same placeholder
// arguments at the same __FILE__ and __LINE__.

constexpr std::string_view test = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_TEST(m_, d_, e_));
constexpr std::string_view no_throw = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_NO_THROW(m_, d_, e_));
constexpr std::string_view throws = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_THROWS(m_, d_, e_));
constexpr std::string_view throws_as = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_THROWS_AS(m_, t_, d_, e_));
constexpr std::string_view throws_str_matches =
    ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_THROWS_STR_MATCHES(m_, d_, x_, e_));
constexpr std::string_view check_that = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CHECK_THAT(m_, x_, d_, a_));
constexpr std::string_view throws_matches = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_THROWS_MATCHES(m_, t_, d_, x_, e_));
constexpr std::string_view msg = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_MSG(m_, k_, d_, l_));
constexpr std::string_view capture = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_CAPTURE(v_, m_, a_, b_));
constexpr std::string_view info = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_INFO(m_, l_));
constexpr std::string_view unscoped_info = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_UNSCOPED_INFO(m_, l_));
constexpr std::string_view section = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_SECTION(n_, d_));
constexpr std::string_view dynamic_section = ALLOC_CHAOS_SHAPE_TEXT(INTERNAL_CATCH_DYNAMIC_SECTION(n_));
constexpr std::string_view generate = ALLOC_CHAOS_SHAPE_TEXT(GENERATE(a_, b_));
constexpr std::string_view generate_copy = ALLOC_CHAOS_SHAPE_TEXT(GENERATE_COPY(a_, b_));
constexpr std::string_view generate_ref = ALLOC_CHAOS_SHAPE_TEXT(GENERATE_REF(a_, b_));
