#define BOOST_TEST_MODULE finding
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;

namespace {

template <class T>
std::string streamed(const T& value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

const allocation block_3(3, operation::operator_new, 64, 16, false);

}  // namespace

// ---- finding_kind ----

BOOST_AUTO_TEST_CASE(to_string_names_every_finding_kind) {
    BOOST_TEST(to_string(finding_kind::leak) == "leak");
    BOOST_TEST(to_string(finding_kind::double_free) == "double free");
    BOOST_TEST(to_string(finding_kind::size_mismatch) == "size mismatch");
    BOOST_TEST(to_string(finding_kind::alignment_mismatch) == "alignment mismatch");
    BOOST_TEST(to_string(finding_kind::foreign_pointer) == "foreign pointer");
    BOOST_TEST(to_string(finding_kind::overrun) == "overrun");
    BOOST_TEST(to_string(finding_kind::divergence) == "divergence");
    BOOST_TEST(to_string(finding_kind::broken_guarantee) == "broken guarantee");
}

BOOST_AUTO_TEST_CASE(to_string_of_a_value_that_is_no_finding_kind_says_unknown_finding) {
    BOOST_TEST(to_string(static_cast<finding_kind>(99)) == "unknown finding");
}

BOOST_AUTO_TEST_CASE(a_finding_kind_streams_as_its_name) {
    BOOST_TEST(streamed(finding_kind::leak) == "leak");
    BOOST_TEST(streamed(finding_kind::alignment_mismatch) == "alignment mismatch");
    BOOST_TEST(streamed(finding_kind::broken_guarantee) == "broken guarantee");
}

// ---- finding ----

BOOST_AUTO_TEST_CASE(a_finding_keeps_its_kind_allocation_and_message) {
    const finding f(finding_kind::leak, block_3, "the block of #3 operator new size=64 align=16 is still live");
    BOOST_TEST(f.kind() == finding_kind::leak);
    BOOST_TEST_REQUIRE(f.allocation().has_value());
    BOOST_TEST((*f.allocation() == block_3));
    BOOST_TEST(f.message() == "the block of #3 operator new size=64 align=16 is still live");
}

BOOST_AUTO_TEST_CASE(a_finding_may_concern_no_allocation) {
    const finding f(finding_kind::divergence, std::nullopt, "the baseline made 3 attempts, this run only 2");
    BOOST_TEST(f.kind() == finding_kind::divergence);
    BOOST_TEST(!f.allocation().has_value());
    BOOST_TEST(f.message() == "the baseline made 3 attempts, this run only 2");
}

BOOST_AUTO_TEST_CASE(a_finding_streams_as_its_kind_a_colon_and_its_message) {
    BOOST_TEST(streamed(finding(finding_kind::double_free, block_3, "#3 released twice")) ==
               "double free: #3 released twice");
    BOOST_TEST(streamed(finding(finding_kind::overrun, std::nullopt, "")) == "overrun: ");
}

BOOST_AUTO_TEST_CASE(a_finding_is_a_copyable_value) {
    static_assert(std::is_copy_constructible_v<finding> && std::is_copy_assignable_v<finding>);
    const finding original(finding_kind::size_mismatch, block_3, "released with size=32");
    finding copy(finding_kind::leak, std::nullopt, "");
    copy = original;
    BOOST_TEST(copy.kind() == finding_kind::size_mismatch);
    BOOST_TEST((copy.allocation() == original.allocation()));
    BOOST_TEST(copy.message() == "released with size=32");
}

// ---- findings in the report's values ----

BOOST_AUTO_TEST_CASE(a_baseline_run_has_no_findings_unless_given) {
    BOOST_TEST(alloc_chaos::baseline_run().findings().empty());
    BOOST_TEST(alloc_chaos::baseline_run(2, outcome::completed, "").findings().empty());
}

BOOST_AUTO_TEST_CASE(a_baseline_run_returns_its_findings_in_order) {
    const alloc_chaos::baseline_run b(4, outcome::completed, "",
                                      {finding(finding_kind::leak, block_3, "first"),
                                       finding(finding_kind::overrun, std::nullopt, "second")});
    BOOST_TEST_REQUIRE(b.findings().size() == 2u);
    BOOST_TEST(b.findings()[0].kind() == finding_kind::leak);
    BOOST_TEST(b.findings()[0].message() == "first");
    BOOST_TEST(b.findings()[1].kind() == finding_kind::overrun);
    BOOST_TEST(b.findings()[1].message() == "second");
}

BOOST_AUTO_TEST_CASE(an_attempt_returns_its_findings_in_order) {
    const alloc_chaos::attempt a(5, 6, allocation(5, operation::operator_new, 8, 16, false), outcome::bad_alloc, "",
                                 {finding(finding_kind::leak, block_3, "first"),
                                  finding(finding_kind::broken_guarantee, std::nullopt, "second")});
    BOOST_TEST_REQUIRE(a.findings().size() == 2u);
    BOOST_TEST(a.findings()[0].kind() == finding_kind::leak);
    BOOST_TEST((a.findings()[0].allocation() == block_3));
    BOOST_TEST(a.findings()[1].kind() == finding_kind::broken_guarantee);
}

BOOST_AUTO_TEST_CASE(an_injected_attempt_ending_in_bad_alloc_is_a_success_only_without_findings) {
    const allocation failed(5, operation::operator_new, 8, 16, false);
    BOOST_TEST(alloc_chaos::attempt(5, 6, failed, outcome::bad_alloc, "").success());
    BOOST_TEST(!alloc_chaos::attempt(5, 6, failed, outcome::bad_alloc, "",
                                     {finding(finding_kind::leak, block_3, "leaked")})
                    .success());
}

BOOST_AUTO_TEST_CASE(an_injected_attempt_that_completed_is_a_success_only_without_findings) {
    const allocation failed(5, operation::operator_new, 8, 16, false);
    BOOST_TEST(alloc_chaos::attempt(5, 6, failed, outcome::completed, "").success());
    BOOST_TEST(!alloc_chaos::attempt(5, 6, failed, outcome::completed, "",
                                     {finding(finding_kind::divergence, std::nullopt, "diverged")})
                    .success());
}
