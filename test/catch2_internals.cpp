// The Catch2 macros that <alloc_chaos/catch2.hpp> redefines (unobserved_assertions.hpp,
// sections.hpp, generators.hpp) still have the shape the redefinitions were written for. Each
// redefinition claims to be Catch2's own definition with an `alloc_chaos::unobserved` scope (or,
// for sections and generators, a guard) added. This file expands every redefined macro
// twice, with the same placeholder arguments at the same #line: once as Catch2 defines it (before
// the integration is included) and once as redefined (after), and checks that the redefinition
// minus its unobserved additions is Catch2's definition, token for token.
//
// Shape changes it catches, in a Catch2 other than the 2.13 the integration was written for:
// - a macro takes other parameters (arity): the expansion below stops compiling;
// - a macro's body changes (another function called, an argument added, reordered or dropped, a
//   new statement): the two texts differ, and the failure shows both;
// - a public assertion macro no longer goes through a redefined internal one (renamed or
//   bypassed), so it would run observed: the public macros' expansions lack the unobserved scope;
//   likewise a public section or generator macro that would open unguarded.
// It defines ALLOC_CHAOS_CATCH2_UNTESTED_VERSION so that it builds past the version guard and
// says, on a new Catch2, whether the guard may be widened.
#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#define ALLOC_CHAOS_SHAPE_TEXT_(...) #__VA_ARGS__
#define ALLOC_CHAOS_SHAPE_TEXT(...) ALLOC_CHAOS_SHAPE_TEXT_(__VA_ARGS__)

// Expanded from one file at the same lines, so that __FILE__ and __LINE__ expand alike in both.
namespace catch2_shape {
#include "catch2_internals_shapes.hpp"
}  // namespace catch2_shape

#define ALLOC_CHAOS_CATCH2_UNTESTED_VERSION
#include <alloc_chaos/catch2.hpp>

namespace ours {
#include "catch2_internals_shapes.hpp"

// The public macros an assertion in a case is written with, as they expand with the integration.
constexpr std::string_view public_macros[] = {
    ALLOC_CHAOS_SHAPE_TEXT(REQUIRE(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(REQUIRE_FALSE(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(REQUIRE_THROWS(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(REQUIRE_THROWS_AS(a_, t_)),
    ALLOC_CHAOS_SHAPE_TEXT(REQUIRE_THROWS_WITH(a_, x_)),
    ALLOC_CHAOS_SHAPE_TEXT(REQUIRE_THROWS_MATCHES(a_, t_, x_)),
    ALLOC_CHAOS_SHAPE_TEXT(REQUIRE_NOTHROW(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(REQUIRE_THAT(a_, x_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECK(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECK_FALSE(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECKED_IF(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECKED_ELSE(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECK_NOFAIL(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECK_THROWS(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECK_THROWS_AS(a_, t_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECK_THROWS_WITH(a_, x_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECK_THROWS_MATCHES(a_, t_, x_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECK_NOTHROW(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(CHECK_THAT(a_, x_)),
    ALLOC_CHAOS_SHAPE_TEXT(INFO(m_)),
    ALLOC_CHAOS_SHAPE_TEXT(UNSCOPED_INFO(m_)),
    ALLOC_CHAOS_SHAPE_TEXT(WARN(m_)),
    ALLOC_CHAOS_SHAPE_TEXT(CAPTURE(a_)),
    ALLOC_CHAOS_SHAPE_TEXT(FAIL(m_)),
    ALLOC_CHAOS_SHAPE_TEXT(FAIL_CHECK(m_)),
    ALLOC_CHAOS_SHAPE_TEXT(SUCCEED(m_)),
};

// The sections, as they expand with the integration.
constexpr std::string_view section_macros[] = {
    ALLOC_CHAOS_SHAPE_TEXT(SECTION(n_)),
    ALLOC_CHAOS_SHAPE_TEXT(DYNAMIC_SECTION(n_)),
};

// The generators, as a case writes them and as they expand with the integration, each with the
// name of its macro.
constexpr std::pair<std::string_view, std::string_view> generator_macros[] = {
    {"GENERATE", ALLOC_CHAOS_SHAPE_TEXT(GENERATE(1, 2, 3))},
    {"GENERATE", ALLOC_CHAOS_SHAPE_TEXT(GENERATE(take(3, random(a_, b_))))},
    {"GENERATE_COPY", ALLOC_CHAOS_SHAPE_TEXT(GENERATE_COPY(values({a_, b_})))},
    {"GENERATE_REF", ALLOC_CHAOS_SHAPE_TEXT(GENERATE_REF(range(a_, b_)))},
};
}  // namespace ours

namespace {

// The integration's additions, as they expand without whitespace: a statement that opens an
// unobserved scope, the comma expression `((void)unobserved_expression(), original)`, for
// sections the comma expression `((void)section_outside_a_check(), original)`, and for generators
// `((void)generator_outside_a_check("MACRO"), original)`, naming its own macro.
constexpr std::string_view unobserved_statement = "::alloc_chaos::unobservedalloc_chaos_assertion_is_unobserved_;";
constexpr std::string_view unobserved_expression_head =
    "((void)::alloc_chaos::catch2::detail::unobserved_expression(),";
constexpr std::string_view section_guard_head = "((void)::alloc_chaos::catch2::detail::section_outside_a_check(),";

// The generator macros, each redefined with a guard that names it.
constexpr std::string_view generator_names[] = {"GENERATE", "GENERATE_COPY", "GENERATE_REF"};

// The head of the guard that names `macro`.
std::string generator_guard_head(std::string_view macro) {
    return "((void)::alloc_chaos::catch2::detail::generator_outside_a_check(\"" + std::string(macro) + "\"),";
}

// `text` without whitespace, and with the number INTERNAL_CATCH_UNIQUE_NAME appends to a name
// (from __COUNTER__, which differs between the two expansions) taken out; a generator's name is
// that name as a string.
std::string normalized(std::string_view text) {
    std::string out;
    for (char c : text)
        if (c != ' ' && c != '\t' && c != '\n')
            out += c;
    for (std::string_view unique : {"scopedMessage", "catch_internal_Section", "generator"}) {
        for (std::size_t at = 0; (at = out.find(unique, at)) != std::string::npos;) {
            at += unique.size();
            std::size_t digits = at;
            while (digits < out.size() && out[digits] >= '0' && out[digits] <= '9')
                ++digits;
            out.erase(at, digits - at);
        }
    }
    return out;
}

// The redefinition's text with its additions taken out: the statement dropped, and each
// `((void)unobserved_expression(), X)`, `((void)section_outside_a_check(), X)` or
// `((void)generator_outside_a_check("MACRO"), X)` turned back into X.
std::string without_additions(std::string_view redefined) {
    std::string text = normalized(redefined);
    for (std::size_t at; (at = text.find(unobserved_statement)) != std::string::npos;)
        text.erase(at, unobserved_statement.size());
    std::vector<std::string> heads{std::string(unobserved_expression_head), std::string(section_guard_head)};
    for (std::string_view macro : generator_names)
        heads.push_back(generator_guard_head(macro));
    for (const std::string& head : heads) {
        for (std::size_t at; (at = text.find(head)) != std::string::npos;) {
            int depth = 1;  // the comma expression's opening parenthesis
            std::size_t close = at + head.size();
            for (; close < text.size() && depth > 0; ++close)
                depth += text[close] == '(' ? 1 : text[close] == ')' ? -1 : 0;
            REQUIRE(depth == 0);  // the comma expression closes
            text.erase(close - 1, 1);
            text.erase(at, head.size());
        }
    }
    return text;
}

bool adds_unobserved(std::string_view redefined) {
    const std::string text = normalized(redefined);
    return text.find(unobserved_statement) != std::string::npos ||
           text.find(unobserved_expression_head) != std::string::npos;
}

bool adds_section_guard(std::string_view redefined) {
    return normalized(redefined).find(section_guard_head) != std::string::npos;
}

// Whether the guard naming `macro` is there.
bool adds_generator_guard(std::string_view redefined, std::string_view macro) {
    return normalized(redefined).find(generator_guard_head(macro)) != std::string::npos;
}

}  // namespace

TEST_CASE("the Catch2 version is reported", "[version]") {
    WARN("Catch2 " << CATCH_VERSION_MAJOR << '.' << CATCH_VERSION_MINOR << '.' << CATCH_VERSION_PATCH);
    SUCCEED();
}

TEST_CASE("each redefinition is Catch2's own plus an unobserved scope", "[shape]") {
    const std::string_view catch2[] = {catch2_shape::test,          catch2_shape::no_throw,
                                       catch2_shape::throws,        catch2_shape::throws_as,
                                       catch2_shape::throws_str_matches, catch2_shape::check_that,
                                       catch2_shape::throws_matches, catch2_shape::msg,
                                       catch2_shape::capture,       catch2_shape::info,
                                       catch2_shape::unscoped_info};
    const std::string_view redefined[] = {ours::test,           ours::no_throw,   ours::throws,
                                          ours::throws_as,      ours::throws_str_matches, ours::check_that,
                                          ours::throws_matches, ours::msg,        ours::capture,
                                          ours::info,           ours::unscoped_info};
    const char* const names[] = {"INTERNAL_CATCH_TEST",   "INTERNAL_CATCH_NO_THROW",
                                 "INTERNAL_CATCH_THROWS", "INTERNAL_CATCH_THROWS_AS",
                                 "INTERNAL_CATCH_THROWS_STR_MATCHES", "INTERNAL_CHECK_THAT",
                                 "INTERNAL_CATCH_THROWS_MATCHES", "INTERNAL_CATCH_MSG",
                                 "INTERNAL_CATCH_CAPTURE", "INTERNAL_CATCH_INFO",
                                 "INTERNAL_CATCH_UNSCOPED_INFO"};
    static_assert(std::size(catch2) == std::size(redefined) && std::size(names) == std::size(catch2));
    for (std::size_t i = 0; i < std::size(catch2); ++i) {
        INFO(names[i] << "; Catch2's expansion: " << catch2[i]);
        CHECK(adds_unobserved(redefined[i]));  // the redefinition is in force
        CHECK(without_additions(redefined[i]) == normalized(catch2[i]));
    }
}

TEST_CASE("each section redefinition is Catch2's own plus the guard", "[shape]") {
    const std::string_view catch2[] = {catch2_shape::section, catch2_shape::dynamic_section};
    const std::string_view redefined[] = {ours::section, ours::dynamic_section};
    const char* const names[] = {"INTERNAL_CATCH_SECTION", "INTERNAL_CATCH_DYNAMIC_SECTION"};
    for (std::size_t i = 0; i < std::size(catch2); ++i) {
        INFO(names[i] << "; Catch2's expansion: " << catch2[i]);
        CHECK(adds_section_guard(redefined[i]));  // the redefinition is in force
        CHECK(without_additions(redefined[i]) == normalized(catch2[i]));
    }
}

TEST_CASE("every public section macro is guarded", "[shape]") {
    for (std::string_view expansion : ours::section_macros) {
        INFO("unguarded: " << expansion);
        CHECK(adds_section_guard(expansion));
    }
}

TEST_CASE("a section outside a check opens as usual", "[sections]") {
    int entered = 0;
    SECTION("a section") { ++entered; }
    DYNAMIC_SECTION("a dynamic section " << 1) { ++entered; }
    CHECK(entered == 1);  // one leaf section per run of the test case
}

TEST_CASE("each generator redefinition is Catch2's own plus the guard naming it", "[shape]") {
    const std::string_view catch2[] = {catch2_shape::generate, catch2_shape::generate_copy,
                                       catch2_shape::generate_ref};
    const std::string_view redefined[] = {ours::generate, ours::generate_copy, ours::generate_ref};
    static_assert(std::size(catch2) == std::size(generator_names));
    for (std::size_t i = 0; i < std::size(catch2); ++i) {
        INFO(generator_names[i] << "; Catch2's expansion: " << catch2[i]);
        CHECK(adds_generator_guard(redefined[i], generator_names[i]));  // the redefinition is in force
        CHECK(without_additions(redefined[i]) == normalized(catch2[i]));
    }
}

TEST_CASE("every public generator macro is guarded, naming itself", "[shape]") {
    for (const auto& [macro, expansion] : ours::generator_macros) {
        INFO("unguarded: " << expansion);
        CHECK(adds_generator_guard(expansion, macro));
    }
}

TEST_CASE("every public assertion and logging macro runs unobserved", "[shape]") {
    for (std::string_view expansion : ours::public_macros) {
        INFO("observed: " << expansion);
        CHECK(adds_unobserved(expansion));
    }
}
