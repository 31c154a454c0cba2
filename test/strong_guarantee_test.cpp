#define BOOST_TEST_MODULE strong_guarantee
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"

#include <cstddef>
#include <new>
#include <sstream>
#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using alloc_chaos::strong_guarantee;
using report_text::rendered;
using test_bodies::allocate_and_free;
using test_bodies::plain;
using test_bodies::sink;

namespace {

// Strings long enough to allocate: no small-string buffer holds them.
std::vector<std::string> make_words() {
    std::vector<std::string> words;
    words.reserve(3);
    words.emplace_back("the first word, long enough to be allocated");
    words.emplace_back("the second word, long enough to be allocated");
    words.emplace_back("the third word, long enough to be allocated");
    return words;
}

// Breaks the strong guarantee: appends, then makes two allocations (#1, #2) that may fail.
void append_then_allocate(std::vector<int>& v, int value) {
    v.push_back(value);  // within the reserved capacity: no allocation
    allocate_and_free(32);
    allocate_and_free(48);
}

// Keeps the strong guarantee: allocates first, appends only when nothing can fail any more.
void allocate_then_append(std::vector<int>& v, int value) {
    allocate_and_free(32);
    allocate_and_free(48);
    v.push_back(value);
}

// Reports failure by value: a nothrow allocation that fails returns false. The broken form
// appends before it allocates.
bool try_append(std::vector<int>& v, int value, bool broken) noexcept {
    if (broken)
        v.push_back(value);
    void* p = ::operator new(32, std::nothrow);
    sink = p;
    if (p == nullptr)
        return false;
    ::operator delete(p);
    if (!broken)
        v.push_back(value);
    return true;
}

// A table whose lookups count themselves: a change that is no change of its contents.
struct counted_table {
    std::vector<int> entries;
    mutable std::size_t lookups = 0;

    int at(std::size_t i) const {
        ++lookups;
        return entries.at(i);
    }
};

// An error of the operation itself; it allocates nothing.
struct operation_failed : std::exception {
    const char* what() const noexcept override { return "operation failed"; }
};

// A snapshot whose comparison throws.
struct uncomparable {
    int value;
    friend bool operator==(const uncomparable&, const uncomparable&) { throw std::runtime_error("cannot compare"); }
};

}  // namespace

// ---- std::vector::push_back keeps its promise ----

BOOST_AUTO_TEST_CASE(std_vector_push_back_passes_a_full_check_under_a_strong_guarantee) {
    const report r = check([] {
        std::vector<std::string> v = make_words();
        strong_guarantee guard(v);
        v.push_back("a fourth word, long enough to be allocated");  // reallocates: the capacity is 3
        sink = v.data();
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST(r.baseline_allocations() == 6u);  // the buffer, 3 words, the new word, the new buffer
    for (const alloc_chaos::attempt& run : r.attempts())
        BOOST_TEST(run.findings().empty(), "run failing #" << run.target());
}

BOOST_AUTO_TEST_CASE(std_vector_push_back_of_an_allocating_element_passes_under_a_strong_guarantee) {
    const report r = check([] {
        std::vector<std::vector<int>> v(2, std::vector<int>(4, 7));
        {
            strong_guarantee guard(v);
            v.push_back(std::vector<int>(8, 1));
        }
        sink = v.data();
    });
    BOOST_TEST(r.success());
}

// ---- a broken operation ----

BOOST_AUTO_TEST_CASE(an_operation_that_modifies_then_throws_breaks_the_guarantee_on_exactly_the_runs_where_it_throws) {
    const report r = check([] {
        std::vector<int> v;
        v.reserve(4);  // #0
        v.push_back(1);
        {
            strong_guarantee guard(v);
            append_then_allocate(v, 2);  // #1, #2
        }
        allocate_and_free(8);  // #3: the guard is gone
        sink = v.data();
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.attempts().size() == 4u);
    BOOST_TEST(r.attempts()[0].findings().empty());
    BOOST_TEST(r.attempts()[3].findings().empty());
    for (std::size_t target : {1u, 2u}) {
        const alloc_chaos::attempt& run = r.attempts()[target];
        BOOST_TEST(run.outcome() == outcome::bad_alloc);
        BOOST_TEST_REQUIRE(run.findings().size() == 1u, "run failing #" << target);
        BOOST_TEST(run.findings()[0].kind() == finding_kind::broken_guarantee);
        BOOST_TEST((run.findings()[0].allocation() == run.injected_allocation()));
    }
    BOOST_TEST(r.attempts()[1].findings()[0].message() ==
               "the object changed although the operation failed, in the run failing #1 operator new size=32 "
               "align=16");
    BOOST_TEST((r.attempts()[2].findings()[0].allocation() ==
                allocation(2, operation::operator_new, 48, plain, false)));
}

BOOST_AUTO_TEST_CASE(a_report_shows_a_broken_guarantee_under_the_failure_that_broke_it) {
    BOOST_TEST(rendered(check([] {
                   std::vector<int> v;
                   v.reserve(4);
                   strong_guarantee guard(v);
                   append_then_allocate(v, 2);
               })) ==
               "alloc-chaos check FAILED: 2 of 3 failure runs did not end in a controlled error with no findings\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 3 attempts\n"
               "  failures: 3 tested, 3 injected, of 3 observed attempts\n"
               "  #1 operator new size=32 align=16: bad_alloc — alloc-chaos injected failure of attempt #1 operator "
               "new size=32 align=16\n"
               "      broken guarantee: the object changed although the operation failed, in the run failing #1 "
               "operator new size=32 align=16\n"
               "      replay: ALLOC_CHAOS_ONLY=1\n"
               "  #2 operator new size=48 align=16: bad_alloc — alloc-chaos injected failure of attempt #2 operator "
               "new size=48 align=16\n"
               "      broken guarantee: the object changed although the operation failed, in the run failing #2 "
               "operator new size=48 align=16\n"
               "      replay: ALLOC_CHAOS_ONLY=2\n"
               "SUMMARY: 2 of 3 failure runs failed: 2 broken guarantee\n");
}

BOOST_AUTO_TEST_CASE(an_operation_that_allocates_before_it_modifies_keeps_the_guarantee) {
    const report r = check([] {
        std::vector<int> v;
        v.reserve(4);
        strong_guarantee guard(v);
        allocate_then_append(v, 2);
    });
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(a_guard_finds_nothing_when_the_operation_succeeds_and_changes_the_object) {
    const report r = checker{}.max_failures(0).run([] {
        std::vector<int> v;
        v.reserve(4);
        strong_guarantee guard(v);
        append_then_allocate(v, 2);
    });
    BOOST_TEST(r.baseline().findings().empty());
}

BOOST_AUTO_TEST_CASE(a_guard_finds_nothing_when_the_exception_is_caught_inside_its_scope) {
    const report r = check([] {
        std::vector<int> v;
        v.reserve(4);
        strong_guarantee guard(v);
        try {
            append_then_allocate(v, 2);
        } catch (const std::bad_alloc&) {  // handled: the guarded scope does not fail
        }
    });
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(a_guard_checks_any_exception_unwinding_through_it) {
    const report r = check([] {
        std::vector<int> v;
        v.reserve(4);
        try {
            strong_guarantee guard(v);
            v.push_back(1);
            throw operation_failed();
        } catch (const operation_failed&) {
        }
    });
    BOOST_TEST_REQUIRE(r.baseline().findings().size() == 1u);
    const alloc_chaos::finding& f = r.baseline().findings()[0];
    BOOST_TEST(f.kind() == finding_kind::broken_guarantee);
    BOOST_TEST(!f.allocation().has_value());
    BOOST_TEST(f.message() == "the object changed although the operation failed");
}

// A destructor that runs while an exception unwinds may use a guard of its own: the exception
// already in flight is no failure of the operation that guard watches.
BOOST_AUTO_TEST_CASE(a_guard_made_while_an_exception_is_in_flight_checks_only_a_new_one) {
    struct appends_while_unwinding {
        std::vector<int>& v;
        ~appends_while_unwinding() {
            strong_guarantee guard(v);
            v.push_back(2);  // within the reserved capacity: succeeds
        }
    };
    const report r = check([] {
        std::vector<int> v;
        v.reserve(4);
        try {
            appends_while_unwinding unwinding{v};
            throw operation_failed();
        } catch (const operation_failed&) {
        }
        sink = v.data();
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
}

// ---- the snapshot is unobserved ----

BOOST_AUTO_TEST_CASE(a_guards_snapshot_and_comparison_are_no_attempts) {
    const report r = check([] {
        std::vector<std::string> v = make_words();  // #0..#3
        strong_guarantee guard(v);                  // copies 4 blocks, unobserved
        allocate_and_free(8);                       // #4
        sink = v.data();
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 5u);
}

BOOST_AUTO_TEST_CASE(a_guard_keeps_the_object_by_reference_and_its_snapshot_by_value) {
    std::vector<int> v{1, 2, 3};
    strong_guarantee guard(v);
    static_assert(std::is_same_v<decltype(guard), strong_guarantee<std::vector<int>>>);
    static_assert(!std::is_copy_constructible_v<decltype(guard)>);
    static_assert(!std::is_constructible_v<decltype(guard), std::vector<int>&&>);
    v.push_back(4);
    BOOST_TEST(&guard.object() == &v);
    BOOST_TEST((guard.snapshot() == std::vector<int>{1, 2, 3}));
}

// ---- verify ----

BOOST_AUTO_TEST_CASE(verify_returns_true_when_the_object_is_unchanged) {
    const report r = check([] {
        std::vector<int> v;
        v.reserve(4);
        strong_guarantee guard(v);
        if (!try_append(v, 1, false) && !guard.verify())
            throw std::logic_error("verify() returned false for an unchanged object");
    });
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[1].outcome() == outcome::completed);
}

BOOST_AUTO_TEST_CASE(verify_returns_false_and_records_a_broken_guarantee_when_the_object_changed) {
    bool verified = true;
    const report r = checker{}.only_failure(1).run([&] {
        std::vector<int> v;
        v.reserve(4);  // #0
        strong_guarantee guard(v);
        if (!try_append(v, 1, true))  // #1, nothrow
            verified = guard.verify();
    });
    BOOST_TEST(!verified);
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const alloc_chaos::attempt& run = r.attempts()[0];
    BOOST_TEST(run.outcome() == outcome::completed);
    BOOST_TEST(!run.success());
    BOOST_TEST_REQUIRE(run.findings().size() == 1u);
    BOOST_TEST(run.findings()[0].kind() == finding_kind::broken_guarantee);
    BOOST_TEST((run.findings()[0].allocation() == allocation(1, operation::operator_new, 32, plain, true)));
    BOOST_TEST(run.findings()[0].message() ==
               "the object changed although the operation failed, in the run failing #1 operator new size=32 "
               "align=16 nothrow");
}

BOOST_AUTO_TEST_CASE(verify_records_one_finding_per_call_and_the_destructor_none_without_an_exception) {
    const report r = checker{}.max_failures(0).run([] {
        std::vector<int> v;
        strong_guarantee guard(v);
        v.push_back(1);
        (void)guard.verify();
        (void)guard.verify();
    });
    BOOST_TEST(r.baseline().findings().size() == 2u);
}

// ---- a projection ----

BOOST_AUTO_TEST_CASE(a_projection_makes_the_snapshot_and_what_it_leaves_out_may_change) {
    const report r = check([] {
        counted_table t{{1, 2, 3}};
        t.entries.reserve(8);
        try {
            strong_guarantee guard(t, [](const counted_table& x) { return x.entries; });
            sink = &t;
            (void)t.at(0);  // changes `lookups` only
            allocate_and_free(16);
        } catch (const std::bad_alloc&) {
        }
    });
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(a_projection_finds_a_change_of_what_it_keeps) {
    const report r = check([] {
        counted_table t{{1, 2, 3}};  // #0
        t.entries.reserve(8);        // #1
        strong_guarantee guard(t, [](const counted_table& x) { return x.entries; });
        t.entries.push_back(4);
        allocate_and_free(16);  // #2
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST(r.attempts()[0].findings().empty());
    BOOST_TEST(r.attempts()[1].findings().empty());
    BOOST_TEST_REQUIRE(r.attempts()[2].findings().size() == 1u);
    BOOST_TEST(r.attempts()[2].findings()[0].kind() == finding_kind::broken_guarantee);
}

BOOST_AUTO_TEST_CASE(a_projection_runs_unobserved_at_construction_and_at_comparison) {
    std::size_t projections = 0;
    const report r = check([&] {
        std::vector<int> v{1, 2, 3};  // #0
        v.reserve(8);                 // #1
        strong_guarantee guard(v, [&](const std::vector<int>& x) {
            ++projections;
            return std::vector<int>(x);  // allocates, unobserved
        });
        allocate_and_free(16);  // #2
        sink = v.data();
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 3u);
    // Once per run that reached the guard (the baseline, #2), and again to compare in run #2.
    BOOST_TEST(projections == 3u);
}

BOOST_AUTO_TEST_CASE(a_guards_snapshot_type_is_what_the_projection_returns) {
    const counted_table t{{1, 2, 3}};
    strong_guarantee guard(t, [](const counted_table& x) { return x.entries.size(); });
    static_assert(std::is_same_v<decltype(guard)::snapshot_type, std::size_t>);
    BOOST_TEST(guard.snapshot() == 3u);
}

// ---- outside a check, and errors ----

BOOST_AUTO_TEST_CASE(outside_a_check_a_guard_records_nothing_and_the_exception_passes_through) {
    std::vector<int> v;
    v.reserve(4);
    BOOST_CHECK_THROW(
        {
            strong_guarantee guard(v);
            v.push_back(1);
            throw operation_failed();
        },
        operation_failed);
    BOOST_TEST(v.size() == 1u);
    BOOST_TEST(!alloc_chaos::report_finding(finding_kind::broken_guarantee, std::nullopt, "outside"));
    const report r = check([] { allocate_and_free(8); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
}

BOOST_AUTO_TEST_CASE(outside_a_check_verify_still_compares) {
    std::vector<int> v{1};
    strong_guarantee guard(v);
    BOOST_TEST(guard.verify());
    v.push_back(2);
    BOOST_TEST(!guard.verify());
}

BOOST_AUTO_TEST_CASE(a_comparison_that_throws_is_swallowed_and_records_nothing) {
    const report r = check([] {
        uncomparable u{1};
        try {
            strong_guarantee guard(u);
            u.value = 2;
            allocate_and_free(8);
        } catch (const std::bad_alloc&) {
        }
    });
    BOOST_TEST(r.success());
    static_assert(std::is_nothrow_destructible_v<strong_guarantee<uncomparable>>);
}
