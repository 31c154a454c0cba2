// The GoogleTest internals that <alloc_chaos/gtest.hpp> redefines (unobserved_assertions.hpp)
// still have the shape the redefinitions were written for. Each redefinition claims to be
// GoogleTest's own definition with an addition: an `alloc_chaos::unobserved` scope, or (for death
// tests) a guard that refuses them inside a run. This file expands every internal macro twice,
// with the same placeholder arguments at the same #line: once as GoogleTest defines it (before the
// integration is included) and once as redefined (after), and checks that the redefinition minus
// its addition is GoogleTest's definition, token for token.
//
// Shape changes it catches, in a GoogleTest other than the 1.12 the integration was written for:
// - a macro takes other parameters (arity): the expansion below stops compiling;
// - a macro's body changes (another function called, an argument added, reordered or dropped, a
//   new statement): the two texts differ, and the failure shows both;
// - a public assertion macro no longer goes through a redefined internal one (renamed or
//   bypassed), so it would run observed: the public macros' expansions lack the addition.
// It defines ALLOC_CHAOS_GTEST_UNTESTED_VERSION so that it builds past the version guard and
// says, on a new GoogleTest, whether the guard may be widened.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#define ALLOC_CHAOS_SHAPE_TEXT_(...) #__VA_ARGS__
#define ALLOC_CHAOS_SHAPE_TEXT(...) ALLOC_CHAOS_SHAPE_TEXT_(__VA_ARGS__)

// Expanded from one file at the same lines, so that __FILE__ and __LINE__ expand alike in both.
namespace gtest_shape {
#include "gtest_internals_shapes.hpp"
}  // namespace gtest_shape

#define ALLOC_CHAOS_GTEST_UNTESTED_VERSION
#include <alloc_chaos/gtest.hpp>

namespace ours {
#include "gtest_internals_shapes.hpp"

// The public macros an assertion in a test is written with, as they expand with the integration.
constexpr std::string_view public_macros[] = {
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_EQ(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(ASSERT_EQ(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_NE(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(ASSERT_LT(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_GE(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_TRUE(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(ASSERT_FALSE(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_STREQ(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(ASSERT_STRCASENE(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_FLOAT_EQ(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_NEAR(a_, b_, c_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_PRED1(p_, a_)),
    ALLOC_CHAOS_SHAPE_TEXT(ASSERT_PRED_FORMAT2(p_, a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_THROW(s_, e_)),
    ALLOC_CHAOS_SHAPE_TEXT(ASSERT_NO_THROW(s_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_ANY_THROW(s_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_NO_FATAL_FAILURE(s_)),
    ALLOC_CHAOS_SHAPE_TEXT(ADD_FAILURE()),
    ALLOC_CHAOS_SHAPE_TEXT(ADD_FAILURE_AT(f_, l_)),
    ALLOC_CHAOS_SHAPE_TEXT(FAIL()),
    ALLOC_CHAOS_SHAPE_TEXT(SUCCEED()),
    ALLOC_CHAOS_SHAPE_TEXT(GTEST_SKIP()),
    ALLOC_CHAOS_SHAPE_TEXT(SCOPED_TRACE(m_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_ALLOC_CHAOS_SUCCESS(r_)),
    ALLOC_CHAOS_SHAPE_TEXT(ASSERT_ALLOC_CHAOS_SUCCESS(r_)),
};

// The death tests, as they expand with the integration.
constexpr std::string_view death_macros[] = {
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_DEATH(s_, r_)),
    ALLOC_CHAOS_SHAPE_TEXT(ASSERT_DEATH(s_, r_)),
    ALLOC_CHAOS_SHAPE_TEXT(EXPECT_EXIT(s_, p_, r_)),
};
}  // namespace ours

namespace {

// The integration's additions, as they expand without whitespace: a declaration in an if's
// init-statement that opens an unobserved scope, the comma expression
// `((void)unobserved_expression(), original)`, and the death tests' guard.
constexpr std::string_view unobserved_statement =
    "::alloc_chaos::unobservedalloc_chaos_assertion_is_unobserved_;";
constexpr std::string_view unobserved_expression_head = "((void)::alloc_chaos::gtest::detail::unobserved_expression(),";
constexpr std::string_view death_test_guard =
    "::alloc_chaos::gtest::detail::no_death_test_in_a_runalloc_chaos_death_test_is_outside_a_run_;";

std::string without_whitespace(std::string_view text) {
    std::string out;
    for (char c : text)
        if (c != ' ' && c != '\t' && c != '\n')
            out += c;
    return out;
}

void erase_all(std::string& text, std::string_view part) {
    for (std::size_t at; (at = text.find(part)) != std::string::npos;)
        text.erase(at, part.size());
}

// The redefinition's text with its additions taken out: the declarations dropped, and each
// `((void)unobserved_expression(), X)` turned back into X; empty when a comma expression does not
// close.
std::string without_additions(std::string_view redefined) {
    std::string text = without_whitespace(redefined);
    erase_all(text, unobserved_statement);
    erase_all(text, death_test_guard);
    for (std::size_t at; (at = text.find(unobserved_expression_head)) != std::string::npos;) {
        int depth = 1;  // the comma expression's opening parenthesis
        std::size_t close = at + unobserved_expression_head.size();
        for (; close < text.size() && depth > 0; ++close)
            depth += text[close] == '(' ? 1 : text[close] == ')' ? -1 : 0;
        if (depth != 0)
            return {};
        text.erase(close - 1, 1);
        text.erase(at, unobserved_expression_head.size());
    }
    return text;
}

bool adds_unobserved(std::string_view redefined) {
    const std::string text = without_whitespace(redefined);
    return text.find(unobserved_statement) != std::string::npos ||
           text.find(unobserved_expression_head) != std::string::npos;
}

bool adds_death_test_guard(std::string_view redefined) {
    return without_whitespace(redefined).find(death_test_guard) != std::string::npos;
}

struct shape {
    const char* name;
    std::string_view gtest;
    std::string_view redefined;
};

const shape shapes[] = {
    {"GTEST_ASSERT_", gtest_shape::assert_, ours::assert_},
    {"GTEST_TEST_BOOLEAN_", gtest_shape::test_boolean, ours::test_boolean},
    {"GTEST_MESSAGE_AT_", gtest_shape::message_at, ours::message_at},
    {"GTEST_TEST_THROW_", gtest_shape::test_throw, ours::test_throw},
    {"GTEST_TEST_NO_THROW_", gtest_shape::test_no_throw, ours::test_no_throw},
    {"GTEST_TEST_ANY_THROW_", gtest_shape::test_any_throw, ours::test_any_throw},
    {"GTEST_TEST_NO_FATAL_FAILURE_", gtest_shape::test_no_fatal_failure, ours::test_no_fatal_failure},
    {"GTEST_DEATH_TEST_", gtest_shape::death_test, ours::death_test},
    {"SCOPED_TRACE", gtest_shape::scoped_trace, ours::scoped_trace},
};

}  // namespace

TEST(Redefinitions, EachIsGoogleTestsOwnPlusItsAddition) {
    for (const shape& s : shapes) {
        SCOPED_TRACE(std::string(s.name) + "; GoogleTest's expansion: " + std::string(s.gtest));
        EXPECT_TRUE(adds_unobserved(s.redefined) || adds_death_test_guard(s.redefined));  // in force
        EXPECT_EQ(without_additions(s.redefined), without_whitespace(s.gtest));
    }
}

TEST(Redefinitions, EveryPublicAssertionMacroRunsUnobserved) {
    for (std::string_view expansion : ours::public_macros)
        EXPECT_TRUE(adds_unobserved(expansion)) << "observed: " << expansion;
}

TEST(Redefinitions, EveryDeathTestIsRefusedInsideARun) {
    for (std::string_view expansion : ours::death_macros)
        EXPECT_TRUE(adds_death_test_guard(expansion)) << "not guarded: " << expansion;
}
