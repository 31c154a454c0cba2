// The Boost.Test internals that <alloc_chaos/boost_test.hpp> redefines (unobserved_assertions.hpp)
// still have the shape the redefinitions were written for. Each redefinition claims to be
// Boost.Test's own definition with an `alloc_chaos::unobserved` scope added. This file expands
// every internal macro twice, with the same placeholder arguments at the same #line: once as Boost
// defines it (before the integration is included) and once as redefined (after), and checks that
// the redefinition minus its unobserved additions is Boost's definition, token for token.
//
// Shape changes it catches, in a Boost other than the 1.74 the integration was written for:
// - a macro takes other parameters (arity): the expansion below stops compiling;
// - a macro's body changes (another function called, an argument added, reordered or dropped, a
//   new statement): the two texts differ, and the failure shows both;
// - a public assertion macro no longer goes through a redefined internal one (renamed or
//   bypassed), so it would run observed: the public macros' expansions lack the unobserved scope.
// It defines ALLOC_CHAOS_BOOST_TEST_UNTESTED_VERSION so that it builds past the version guard and
// says, on a new Boost, whether the guard may be widened.
#define BOOST_TEST_MODULE boost_test_internals
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

#define ALLOC_CHAOS_SHAPE_TEXT_(...) #__VA_ARGS__
#define ALLOC_CHAOS_SHAPE_TEXT(...) ALLOC_CHAOS_SHAPE_TEXT_(__VA_ARGS__)

// Expanded from one file at the same lines, so that __FILE__ and __LINE__ expand alike in both.
namespace boost_shape {
#include "boost_test_internals_shapes.hpp"
}  // namespace boost_shape

#define ALLOC_CHAOS_BOOST_TEST_UNTESTED_VERSION
#include <alloc_chaos/boost_test.hpp>

namespace ours {
#include "boost_test_internals_shapes.hpp"

// The public macros an assertion in a case is written with, as they expand with the integration.
constexpr std::string_view public_macros[] = {
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST(a_ == b_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST(a_ == b_, boost::test_tools::tolerance(0.1))),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_REQUIRE(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_CHECK(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_REQUIRE(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_WARN(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_CHECK_MESSAGE(a_, m_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_CHECK_EQUAL(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_REQUIRE_EQUAL(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_CHECK_THROW(a_, b_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_ERROR(m_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_FAIL(m_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_MESSAGE(m_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_CHECKPOINT(m_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_INFO(d_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_INFO_SCOPE(d_)),
    ALLOC_CHAOS_SHAPE_TEXT(BOOST_TEST_CONTEXT(d_)),
};
}  // namespace ours

namespace {

// The integration's two additions, as they expand without whitespace: a statement that opens an
// unobserved scope, and the comma expression `((void)unobserved_expression(), original)`.
constexpr std::string_view unobserved_statement =
    "::alloc_chaos::unobservedalloc_chaos_assertion_is_unobserved_;";
constexpr std::string_view unobserved_expression_head = "((void)::alloc_chaos::boost_test::detail::unobserved_expression(),";

std::string without_whitespace(std::string_view text) {
    std::string out;
    for (char c : text)
        if (c != ' ' && c != '\t' && c != '\n')
            out += c;
    return out;
}

// The redefinition's text with its unobserved additions taken out: the statement dropped, and
// each `((void)unobserved_expression(), X)` turned back into X.
std::string without_additions(std::string_view redefined) {
    std::string text = without_whitespace(redefined);
    for (std::size_t at; (at = text.find(unobserved_statement)) != std::string::npos;)
        text.erase(at, unobserved_statement.size());
    for (std::size_t at; (at = text.find(unobserved_expression_head)) != std::string::npos;) {
        int depth = 1;  // the comma expression's opening parenthesis
        std::size_t close = at + unobserved_expression_head.size();
        for (; close < text.size() && depth > 0; ++close)
            depth += text[close] == '(' ? 1 : text[close] == ')' ? -1 : 0;
        BOOST_TEST_REQUIRE(depth == 0);  // the comma expression closes
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

}  // namespace

BOOST_AUTO_TEST_CASE(boost_version_is_reported) {
    BOOST_TEST_MESSAGE("Boost " << BOOST_VERSION / 100000 << '.' << BOOST_VERSION / 100 % 1000 << '.'
                                << BOOST_VERSION % 100);
    BOOST_TEST(true);
}

BOOST_AUTO_TEST_CASE(each_redefinition_is_boosts_own_plus_an_unobserved_scope) {
    const std::string_view boost[] = {boost_shape::direct_impl, boost_shape::et_impl,    boost_shape::et_impl_ex,
                                      boost_shape::tool_impl_0, boost_shape::tool_impl_1, boost_shape::message,
                                      boost_shape::checkpoint,  boost_shape::info,       boost_shape::info_scope,
                                      boost_shape::context_param};
    const std::string_view redefined[] = {ours::direct_impl, ours::et_impl,    ours::et_impl_ex, ours::tool_impl_0,
                                          ours::tool_impl_1, ours::message,    ours::checkpoint, ours::info,
                                          ours::info_scope,  ours::context_param};
    const char* const names[] = {"BOOST_TEST_TOOL_DIRECT_IMPL", "BOOST_TEST_TOOL_ET_IMPL", "BOOST_TEST_TOOL_ET_IMPL_EX",
                                 "BOOST_TEST_TOOL_IMPL (frwd_type 0)", "BOOST_TEST_TOOL_IMPL (frwd_type 1)",
                                 "BOOST_TEST_MESSAGE", "BOOST_TEST_CHECKPOINT", "BOOST_TEST_INFO",
                                 "BOOST_TEST_INFO_SCOPE", "BOOST_CONTEXT_PARAM"};
    static_assert(std::size(boost) == std::size(redefined) && std::size(names) == std::size(boost));
    for (std::size_t i = 0; i < std::size(boost); ++i) {
        BOOST_TEST_CONTEXT(names[i] << "; Boost's expansion: " << boost[i]) {
            BOOST_TEST(adds_unobserved(redefined[i]));  // the redefinition is in force
            BOOST_TEST(without_additions(redefined[i]) == without_whitespace(boost[i]));
        }
    }
}

BOOST_AUTO_TEST_CASE(every_public_assertion_macro_runs_unobserved) {
    for (std::string_view expansion : ours::public_macros)
        BOOST_TEST(adds_unobserved(expansion), "observed: " << expansion);
}
