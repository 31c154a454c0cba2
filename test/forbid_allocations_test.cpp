#define BOOST_TEST_MODULE forbid_allocations
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"

#include <cstddef>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::failure_mode;
using alloc_chaos::finding_kind;
using alloc_chaos::forbid_allocations;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using report_text::rendered;
using test_bodies::allocate_and_free;
using test_bodies::plain;
using test_bodies::sink;

namespace {

// The findings of a run that are forbidden allocations.
template <class Run>
std::vector<alloc_chaos::finding> forbidden(const Run& run) {
    std::vector<alloc_chaos::finding> found;
    for (const alloc_chaos::finding& f : run.findings())
        if (f.kind() == finding_kind::forbidden_allocation)
            found.push_back(f);
    return found;
}

}  // namespace

// ---- inside a check ----

BOOST_AUTO_TEST_CASE(an_attempt_inside_is_a_finding_of_the_baseline_naming_operation_size_and_alignment) {
    const report r = check([] {
        allocate_and_free(8);  // #0
        forbid_allocations no_allocation;
        allocate_and_free(24);
    });
    BOOST_TEST(!r.success());
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::forbidden_allocation);
    BOOST_TEST((found[0].allocation() == allocation(1, operation::operator_new, 24, plain, false)));
    BOOST_TEST(found[0].message() == "operator new size=24 align=16 inside forbid_allocations, after 1 attempt");
}

BOOST_AUTO_TEST_CASE(a_finding_names_an_aligned_array_and_nothrow_request_as_asked) {
    const report r = check([] {
        forbid_allocations no_allocation;
        void* p = ::operator new[](40, std::align_val_t{64}, std::nothrow);
        sink = p;
        ::operator delete[](p, std::align_val_t{64});
    });
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST((found[0].allocation() == allocation(0, operation::operator_new_array, 40, 64, true)));
    BOOST_TEST(found[0].message() ==
               "operator new[] size=40 align=64 nothrow inside forbid_allocations, after 0 attempts");
}

BOOST_AUTO_TEST_CASE(an_attempt_inside_is_served_and_not_counted) {
    bool served = false;
    const report r = check([&] {
        allocate_and_free(8);
        forbid_allocations no_allocation;
        void* p = ::operator new(24, std::nothrow);
        sink = p;
        served = p != nullptr;
        ::operator delete(p);
    });
    BOOST_TEST(served);
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST(r.baseline().outcome() == outcome::completed);
}

BOOST_AUTO_TEST_CASE(a_baseline_with_a_forbidden_allocation_fails_and_injects_nothing) {
    const report r = check([] {
        allocate_and_free(8);
        forbid_allocations no_allocation;
        allocate_and_free(24);
    });
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check FAILED: the baseline run, with nothing failed, already has findings\n"
               "  fix: the body's success path must be clean (no leak, no misuse, no forbidden allocation); no "
               "failure was injected\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 1 attempt\n"
               "      forbidden allocation: operator new size=24 align=16 inside forbid_allocations, after 1 "
               "attempt\n");
}

BOOST_AUTO_TEST_CASE(an_attempt_inside_on_a_failure_path_is_a_finding_of_every_run_that_takes_it) {
    const report r = check([] {
        for (std::size_t size : {8u, 16u}) {
            try {
                allocate_and_free(size);  // #0, #1
            } catch (const std::bad_alloc&) {
                forbid_allocations no_allocation;  // a handler that promised not to allocate
                allocate_and_free(32);
            }
        }
    });
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    for (std::size_t target : {0u, 1u}) {
        const alloc_chaos::attempt& run = r.attempts()[target];
        BOOST_TEST(run.outcome() == outcome::completed);
        BOOST_TEST(!run.success());
        const auto found = forbidden(run);
        BOOST_TEST_REQUIRE(found.size() == 1u, "run failing #" << target);
        BOOST_TEST((found[0].allocation() == allocation(target + 1, operation::operator_new, 32, plain, false)));
    }
    BOOST_TEST(rendered(r) ==
               "alloc-chaos check FAILED: 2 of 2 failure runs did not end in a controlled error with no findings\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 2 attempts\n"
               "  failures: 2 tested, 2 injected, of 2 observed attempts\n"
               "  #0 operator new size=8 align=16: completed\n"
               "      forbidden allocation: operator new size=32 align=16 inside forbid_allocations, after 1 "
               "attempt\n"
               "      replay: ALLOC_CHAOS_ONLY=0\n"
               "  #1 operator new size=16 align=16: completed\n"
               "      forbidden allocation: operator new size=32 align=16 inside forbid_allocations, after 2 "
               "attempts\n"
               "      replay: ALLOC_CHAOS_ONLY=1\n"
               "SUMMARY: 2 of 2 failure runs failed: 2 forbidden allocation\n");
}

BOOST_AUTO_TEST_CASE(an_attempt_inside_is_never_failed_even_after_a_persistent_target) {
    bool served = false;
    const report r = checker{}.mode(failure_mode::persistent).run([&] {
        try {
            allocate_and_free(8);  // #0, the target
        } catch (const std::bad_alloc&) {
            forbid_allocations no_allocation;
            void* p = ::operator new(32, std::nothrow);
            sink = p;
            served = p != nullptr;
            ::operator delete(p);
        }
    });
    BOOST_TEST(served);
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].failed_attempts() == 1u);
    BOOST_TEST(forbidden(r.attempts()[0]).size() == 1u);
}

// ---- nesting and scopes ----

BOOST_AUTO_TEST_CASE(nested_scopes_forbid_until_the_outermost_one_ends) {
    const report r = check([] {
        {
            forbid_allocations outer;
            {
                forbid_allocations inner;
                allocate_and_free(8);  // forbidden
            }
            allocate_and_free(16);  // still forbidden: the outer scope is alive
        }
        allocate_and_free(24);  // #0: counted again
    });
    BOOST_TEST(r.baseline_allocations() == 1u);
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 2u);
    BOOST_TEST((found[0].allocation() == allocation(0, operation::operator_new, 8, plain, false)));
    BOOST_TEST((found[1].allocation() == allocation(0, operation::operator_new, 16, plain, false)));
}

BOOST_AUTO_TEST_CASE(a_persistent_failure_goes_on_after_a_scope_ends) {
    std::size_t failed = 0;
    const report r = checker{}.mode(failure_mode::persistent).only_failure(0).run([&] {
        for (const std::size_t size : {8, 16, 24}) {  // #0, the target, then #1 and #2: failed too
            { forbid_allocations around_nothing; }
            try {
                allocate_and_free(size);
            } catch (const std::bad_alloc&) {
                ++failed;
            }
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].failed_attempts() == 3u);
    BOOST_TEST(failed == 3u);
}

BOOST_AUTO_TEST_CASE(unobserved_inside_forbid_allocations_wins) {
    const report r = check([] {
        forbid_allocations no_allocation;
        alloc_chaos::unobserved out_of_scope;
        allocate_and_free(8);
    });
    BOOST_TEST(r.verdict() == alloc_chaos::verdict::invalid);  // no attempt, so nothing tested; nothing found
    BOOST_TEST(r.baseline_allocations() == 0u);
    BOOST_TEST(r.baseline().findings().empty());
}

BOOST_AUTO_TEST_CASE(a_scope_ended_before_the_attempt_forbids_nothing) {
    const report r = check([] {
        { forbid_allocations ended; }
        allocate_and_free(8);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 1u);
}

BOOST_AUTO_TEST_CASE(outside_a_check_a_scope_changes_nothing) {
    void* p = nullptr;
    {
        forbid_allocations no_allocation;
        p = ::operator new(24);
        sink = p;
        BOOST_TEST(!alloc_chaos::observing());
        BOOST_TEST(!alloc_chaos::current_run().has_value());
    }
    BOOST_TEST(p != nullptr);
    ::operator delete(p);
    BOOST_TEST(check([] { allocate_and_free(8); }).success());
}

// ---- attempts_of ----

BOOST_AUTO_TEST_CASE(attempts_of_returns_the_exact_attempts_in_order) {
    const std::vector<allocation> made = alloc_chaos::attempts_of([] {
        allocate_and_free(24);
        void* a = ::operator new[](40, std::align_val_t{64});
        sink = a;
        ::operator delete[](a, std::align_val_t{64});
        void* n = ::operator new(0, std::nothrow);
        sink = n;
        ::operator delete(n);
    });
    BOOST_TEST_REQUIRE(made.size() == 3u);
    BOOST_TEST((made[0] == allocation(0, operation::operator_new, 24, plain, false)));
    BOOST_TEST((made[1] == allocation(1, operation::operator_new_array, 40, 64, false)));
    BOOST_TEST((made[2] == allocation(2, operation::operator_new, 0, plain, true)));
}

BOOST_AUTO_TEST_CASE(attempts_of_counts_every_source) {
    alloc_chaos::chaos_memory_resource resource;
    const std::vector<allocation> made = alloc_chaos::attempts_of([&] {
        void* block = resource.allocate(48, 8);
        sink = block;
        resource.deallocate(block, 48, 8);
        (void)alloc_chaos::observe_attempt(operation::custom_allocate, 12, 4);
    });
    BOOST_TEST_REQUIRE(made.size() == 2u);
    BOOST_TEST((made[0] == allocation(0, operation::resource_allocate, 48, 8, false)));
    BOOST_TEST((made[1] == allocation(1, operation::custom_allocate, 12, 4, false)));
}

BOOST_AUTO_TEST_CASE(attempts_of_fails_nothing) {
    bool served = true;
    const std::vector<allocation> made = alloc_chaos::attempts_of([&] {
        for (std::size_t i = 0; i < 3; ++i) {
            void* p = ::operator new(8, std::nothrow);
            sink = p;
            served = served && p != nullptr;
            ::operator delete(p);
        }
    });
    BOOST_TEST(made.size() == 3u);
    BOOST_TEST(served);
}

BOOST_AUTO_TEST_CASE(attempts_of_a_callable_that_does_not_allocate_is_empty) {
    int a = 1, b = 2;
    BOOST_TEST(alloc_chaos::attempts_of([&] { std::swap(a, b); }).empty());
    BOOST_TEST(a == 2);
}

BOOST_AUTO_TEST_CASE(attempts_of_leaves_unobserved_attempts_out) {
    const std::vector<allocation> made = alloc_chaos::attempts_of([] {
        {
            alloc_chaos::unobserved out_of_scope;
            allocate_and_free(8);
        }
        allocate_and_free(16);
    });
    BOOST_TEST_REQUIRE(made.size() == 1u);
    BOOST_TEST((made[0] == allocation(0, operation::operator_new, 16, plain, false)));
}

BOOST_AUTO_TEST_CASE(attempts_of_lets_the_callables_exception_through_and_a_check_runs_after_it) {
    struct thrown {};
    BOOST_CHECK_THROW(alloc_chaos::attempts_of([] {
                          allocate_and_free(8);
                          throw thrown{};
                      }),
                      thrown);
    BOOST_TEST(check([] { allocate_and_free(8); }).success());
}

// ---- assert_no_allocation ----

BOOST_AUTO_TEST_CASE(assert_no_allocation_returns_for_a_callable_that_does_not_allocate) {
    std::vector<int> a{1, 2, 3}, b;
    BOOST_CHECK_NO_THROW(alloc_chaos::assert_no_allocation([&]() noexcept {
        a.swap(b);
        std::vector<int> moved(std::move(b));
        b = std::move(moved);
    }));
    BOOST_TEST(b.size() == 3u);
}

BOOST_AUTO_TEST_CASE(assert_no_allocation_throws_check_failed_naming_the_one_attempt) {
    try {
        alloc_chaos::assert_no_allocation([] { allocate_and_free(24); });
        BOOST_FAIL("no exception");
    } catch (const alloc_chaos::check_failed& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc_chaos::assert_no_allocation: the callable made 1 allocation attempt: #0 operator new "
                   "size=24 align=16");
    }
}

BOOST_AUTO_TEST_CASE(assert_no_allocation_throws_check_failed_naming_each_attempt) {
    try {
        alloc_chaos::assert_no_allocation([] {
            allocate_and_free(24);
            void* p = ::operator new[](8, std::nothrow);
            sink = p;
            ::operator delete[](p);
        });
        BOOST_FAIL("no exception");
    } catch (const alloc_chaos::check_failed& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc_chaos::assert_no_allocation: the callable made 2 allocation attempts: #0 operator new "
                   "size=24 align=16, #1 operator new[] size=8 align=16 nothrow");
    }
}

// ---- inside a check body ----

BOOST_AUTO_TEST_CASE(attempts_of_inside_a_check_body_throws_logic_error) {
    std::size_t refused = 0;
    const report r = check([&] {
        try {
            (void)alloc_chaos::attempts_of([] {});
        } catch (const std::logic_error&) {
            ++refused;
        }
        allocate_and_free(8);
    });
    BOOST_TEST(refused == 2u);  // the baseline and the run failing #0
    BOOST_TEST(r.baseline_allocations() == 1u);  // the refusal is no attempt of the body
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(assert_no_allocation_inside_a_check_body_throws_logic_error) {
    std::size_t refused = 0;
    const report r = check([&] {
        try {
            alloc_chaos::assert_no_allocation([] {});
        } catch (const std::logic_error&) {
            ++refused;
        }
        allocate_and_free(8);
    });
    BOOST_TEST(refused == 2u);
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(attempts_of_inside_a_check_body_names_itself_in_its_error) {
    std::string message;
    (void)check([&] {
        try {
            (void)alloc_chaos::attempts_of([] {});
        } catch (const std::logic_error& e) {
            alloc_chaos::unobserved keep;
            message = e.what();
        }
    });
    BOOST_TEST(message ==
               "alloc_chaos::attempts_of: a check is already running on this thread, and checks do not nest; run "
               "the second check after the first one returns, or on another thread");
}

// ---- a scope around a check belongs to the code that started it ----

BOOST_AUTO_TEST_CASE(a_scope_open_around_a_check_forbids_nothing_inside_it) {
    forbid_allocations around;
    const report r = check([] {
        allocate_and_free(8);  // #0
        allocate_and_free(16);  // #1
    });
    BOOST_TEST(r.bridge_observed());
    BOOST_TEST(r.baseline_allocations() == 2u);
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(a_scope_open_around_attempts_of_hides_no_attempt) {
    forbid_allocations around;
    const std::vector<allocation> made = alloc_chaos::attempts_of([] { allocate_and_free(24); });
    BOOST_TEST_REQUIRE(made.size() == 1u);
    BOOST_TEST((made[0] == allocation(0, operation::operator_new, 24, plain, false)));
}

BOOST_AUTO_TEST_CASE(a_scope_open_around_a_check_forbids_again_after_it) {
    forbid_allocations around;
    (void)check([] { allocate_and_free(8); });
    const report r = check([] {
        forbid_allocations inside;
        allocate_and_free(32);
    });
    BOOST_TEST(forbidden(r.baseline()).size() == 1u);  // the body's own scope still forbids
}
