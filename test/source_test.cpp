#define BOOST_TEST_MODULE source
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <cstddef>
#include <new>
#include <optional>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::checker;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using test_bodies::allocate_and_free;

namespace {

// A user's allocator made a source through the public hook, as source.hpp shows: one attempt per
// request, its own upstream call unobserved.
class arena {
public:
    void* allocate(std::size_t size, std::size_t alignment) {
        if (auto failure = alloc_chaos::observe_attempt(operation::custom_allocate, size, alignment))
            throw alloc_chaos::injected_bad_alloc(*failure);
        alloc_chaos::unobserved upstream;
        upstream_observing = alloc_chaos::observing();
        void* p = ::operator new(size, std::align_val_t(alignment));
        ::operator delete(::operator new(16));  // the arena's own bookkeeping, also upstream
        return p;
    }
    void* allocate_nothrow(std::size_t size, std::size_t alignment) noexcept {
        if (alloc_chaos::observe_attempt(operation::custom_allocate, size, alignment, true))
            return nullptr;
        alloc_chaos::unobserved upstream;
        return ::operator new(size, std::align_val_t(alignment), std::nothrow);
    }
    void deallocate(void* p, std::size_t alignment) noexcept { ::operator delete(p, std::align_val_t(alignment)); }

    bool upstream_observing = true;
};

}  // namespace

BOOST_AUTO_TEST_CASE(observe_attempt_outside_a_check_returns_nullopt) {
    BOOST_TEST(!alloc_chaos::observe_attempt(operation::custom_allocate, 8, 8).has_value());
    BOOST_TEST(!alloc_chaos::observe_attempt(operation::operator_new, 0, 16, true).has_value());
}

BOOST_AUTO_TEST_CASE(observe_attempt_outside_a_check_counts_nothing_toward_a_later_check) {
    for (int i = 0; i < 5; ++i)
        (void)alloc_chaos::observe_attempt(operation::custom_allocate, 8, 8);
    const auto r = alloc_chaos::check([] { allocate_and_free(8); });
    BOOST_TEST(r.baseline_allocations() == 1u);
}

BOOST_AUTO_TEST_CASE(observing_is_false_outside_a_check) {
    BOOST_TEST(!alloc_chaos::observing());
}

BOOST_AUTO_TEST_CASE(observing_is_true_inside_a_checks_body_in_every_run) {
    bool seen[2] = {false, false};  // the baseline, the run failing #0
    std::size_t runs = 0;
    const auto r = alloc_chaos::check([&] {
        seen[runs++ % 2] = alloc_chaos::observing();
        allocate_and_free(8);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(runs == 2u);
    BOOST_TEST(seen[0]);
    BOOST_TEST(seen[1]);
    BOOST_TEST(!alloc_chaos::observing());
}

BOOST_AUTO_TEST_CASE(observe_attempt_inside_a_check_counts_one_attempt_per_call) {
    const auto r = checker{}.max_failures(0).run([] {
        for (int i = 0; i < 7; ++i)
            (void)alloc_chaos::observe_attempt(operation::custom_allocate, 8, 8);
    });
    BOOST_TEST(r.baseline_allocations() == 7u);
}

BOOST_AUTO_TEST_CASE(observe_attempt_returns_the_target_with_its_metadata_and_nullopt_for_the_rest) {
    std::vector<std::optional<allocation>> answers;
    answers.reserve(3);
    checker{}.only_failure(1).run([&] {
        std::optional<allocation> a[3] = {alloc_chaos::observe_attempt(operation::custom_allocate, 10, 2),
                                          alloc_chaos::observe_attempt(operation::custom_allocate, 20, 4, true),
                                          alloc_chaos::observe_attempt(operation::custom_allocate, 30, 8)};
        alloc_chaos::unobserved record;
        answers.assign(a, a + 3);
    });
    BOOST_TEST_REQUIRE(answers.size() == 3u);
    BOOST_TEST(!answers[0].has_value());
    BOOST_TEST((answers[1] == allocation(1, operation::custom_allocate, 20, 4, true)));
    BOOST_TEST(!answers[2].has_value());
}

BOOST_AUTO_TEST_CASE(a_custom_allocator_is_counted_once_per_request) {
    arena a;
    const auto r = checker{}.max_failures(0).run([&] {
        a.deallocate(a.allocate(40, 32), 32);
        a.deallocate(a.allocate(8, 8), 8);
        a.deallocate(a.allocate(0, 64), 64);
    });
    BOOST_TEST(r.baseline_allocations() == 3u);
}

BOOST_AUTO_TEST_CASE(a_custom_allocators_attempts_carry_custom_allocate_and_its_size_and_alignment) {
    arena a;
    const auto r = alloc_chaos::check([&] {
        void* p = a.allocate(40, 32);
        try {
            a.deallocate(a.allocate(8, 8), 8);
            a.deallocate(a.allocate(0, 64), 64);
        } catch (...) {
            a.deallocate(p, 32);
            throw;
        }
        a.deallocate(p, 32);
    });
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::custom_allocate, 40, 32, false)));
    BOOST_TEST((r.attempts()[1].injected_allocation() == allocation(1, operation::custom_allocate, 8, 8, false)));
    BOOST_TEST((r.attempts()[2].injected_allocation() == allocation(2, operation::custom_allocate, 0, 64, false)));
    for (const auto& run : r.attempts())
        BOOST_TEST(run.outcome() == outcome::bad_alloc);
}

BOOST_AUTO_TEST_CASE(a_custom_allocators_upstream_runs_unobserved) {
    arena a;
    checker{}.max_failures(0).run([&] { a.deallocate(a.allocate(8, 8), 8); });
    BOOST_TEST(!a.upstream_observing);
}

BOOST_AUTO_TEST_CASE(a_custom_allocators_nothrow_form_fails_by_returning_nullptr) {
    arena a;
    void* returned = &a;
    const auto r = checker{}.only_failure(0).run([&] {
        returned = a.allocate_nothrow(24, 16);
        if (returned != nullptr)
            a.deallocate(returned, 16);
    });
    BOOST_TEST(returned == nullptr);
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::custom_allocate, 24, 16, true)));
    BOOST_TEST(r.attempts()[0].outcome() == outcome::completed);
}

BOOST_AUTO_TEST_CASE(unobserved_outside_a_check_changes_nothing) {
    {
        alloc_chaos::unobserved outer;
        alloc_chaos::unobserved inner;
        BOOST_TEST(!alloc_chaos::observing());
    }
    BOOST_TEST(!alloc_chaos::observing());
    BOOST_TEST(alloc_chaos::check([] { allocate_and_free(8); }).success());
}

BOOST_AUTO_TEST_CASE(unobserved_stops_observing_and_nests_and_restores) {
    // [outer scope, inner scope, after inner, after outer]
    bool state[4] = {true, true, true, false};
    checker{}.max_failures(0).run([&] {
        {
            alloc_chaos::unobserved outer;
            state[0] = alloc_chaos::observing();
            {
                alloc_chaos::unobserved inner;
                state[1] = alloc_chaos::observing();
            }
            state[2] = alloc_chaos::observing();
        }
        state[3] = alloc_chaos::observing();
    });
    BOOST_TEST(!state[0]);
    BOOST_TEST(!state[1]);
    BOOST_TEST(!state[2]);
    BOOST_TEST(state[3]);
}

BOOST_AUTO_TEST_CASE(allocations_inside_unobserved_are_neither_counted_nor_failed) {
    const auto r = alloc_chaos::check([] {
        {
            alloc_chaos::unobserved outer;
            allocate_and_free(100);
            {
                alloc_chaos::unobserved inner;
                allocate_and_free(200);
            }
            allocate_and_free(300);
            (void)alloc_chaos::observe_attempt(operation::custom_allocate, 400, 8);
        }
        allocate_and_free(500);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST((r.attempts()[0].injected_allocation() ==
                allocation(0, operation::operator_new, 500, alloc_chaos::default_new_alignment, false)));
}
