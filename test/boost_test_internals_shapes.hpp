// No include guard: boost_test_internals_test.cpp includes this twice, before and after the
// integration redefines Boost.Test's internal macros, to expand each macro both ways with the same
// placeholder arguments at the same __FILE__ and __LINE__.

constexpr std::string_view direct_impl = ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_TOOL_DIRECT_IMPL(p_, CHECK, m_));
constexpr std::string_view et_impl = ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_TOOL_ET_IMPL(p_, CHECK));
constexpr std::string_view et_impl_ex = ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_TOOL_ET_IMPL_EX(p_, CHECK, arg_));
constexpr std::string_view tool_impl_0 =
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_TOOL_IMPL(0, p_, descr_, CHECK, CHECK_EQUAL, (a_)(b_)));
constexpr std::string_view tool_impl_1 =
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_TOOL_IMPL(1, p_, descr_, CHECK, CHECK_PRED, (a_)(b_)));
constexpr std::string_view message = ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_MESSAGE(m_));
constexpr std::string_view checkpoint = ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_CHECKPOINT(m_));
constexpr std::string_view info = ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_INFO(d_));
constexpr std::string_view info_scope = ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_INFO_SCOPE(d_));
constexpr std::string_view context_param = ALLOC_CHAOS_SHAPE_TEXT(BOOST_CONTEXT_PARAM(r_, ctx_, 0, d_));
