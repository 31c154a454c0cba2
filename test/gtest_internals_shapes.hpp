// No include guard: gtest_internals.cpp includes this twice, before and after the integration
// redefines GoogleTest's internal macros, to expand each macro both ways with the same placeholder
// arguments at the same __FILE__ and __LINE__.

constexpr std::string_view assert_ = ALLOC_CHAOS_SHAPE_TEXT(GTEST_ASSERT_(e_, on_failure_));
constexpr std::string_view test_boolean =
    ALLOC_CHAOS_SHAPE_TEXT(GTEST_TEST_BOOLEAN_(e_, text_, actual_, expected_, fail_));
constexpr std::string_view message_at = ALLOC_CHAOS_SHAPE_TEXT(GTEST_MESSAGE_AT_(file_, line_, message_, type_));
constexpr std::string_view test_throw = ALLOC_CHAOS_SHAPE_TEXT(GTEST_TEST_THROW_(s_, e_, fail_));
constexpr std::string_view test_no_throw = ALLOC_CHAOS_SHAPE_TEXT(GTEST_TEST_NO_THROW_(s_, fail_));
constexpr std::string_view test_any_throw = ALLOC_CHAOS_SHAPE_TEXT(GTEST_TEST_ANY_THROW_(s_, fail_));
constexpr std::string_view test_no_fatal_failure = ALLOC_CHAOS_SHAPE_TEXT(GTEST_TEST_NO_FATAL_FAILURE_(s_, fail_));
constexpr std::string_view death_test = ALLOC_CHAOS_SHAPE_TEXT(GTEST_DEATH_TEST_(s_, p_, r_, fail_));
constexpr std::string_view scoped_trace = ALLOC_CHAOS_SHAPE_TEXT(SCOPED_TRACE(m_));
