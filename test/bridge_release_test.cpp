#define BOOST_TEST_MODULE bridge_release
#include <boost/test/unit_test.hpp>

// What the global bridge checks when a block of a run is released, and how a failed operator new
// meets the installed new-handler.

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <cstddef>
#include <new>
#include <stdexcept>
#include <string>

// Clang does not declare the sized forms unless -fsized-deallocation; the bridge defines them all.
#ifndef __cpp_sized_deallocation
void operator delete(void* p, std::size_t size) noexcept;
void operator delete[](void* p, std::size_t size) noexcept;
void operator delete(void* p, std::size_t size, std::align_val_t alignment) noexcept;
#endif

using alloc_chaos::allocation;
using alloc_chaos::block_shape;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::release_function;
using test_bodies::baseline_findings;
using test_bodies::hidden;
using test_bodies::sink;

// ---- release checks ----

BOOST_AUTO_TEST_CASE(correct_releases_of_every_form_find_nothing) {
    const alloc_chaos::report r = alloc_chaos::check([] {
        ::operator delete(hidden(::operator new(48)), 48);
        ::operator delete[](hidden(::operator new[](40)));
        ::operator delete(hidden(::operator new(64, std::align_val_t(64))), 64, std::align_val_t(64));
        ::operator delete(hidden(::operator new(24)));
        ::operator delete(hidden(::operator new(24, std::align_val_t(16))));
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
}

BOOST_AUTO_TEST_CASE(an_array_block_released_by_operator_delete_is_a_mismatched_deallocation) {
    const auto found = baseline_findings([] { ::operator delete(hidden(::operator new[](40))); });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::mismatched_deallocation);
    BOOST_TEST((found[0].allocation() == allocation(0, operation::operator_new_array, 40, 16, false)));
    BOOST_TEST((found[0].facts().released_by == release_function::operator_delete));
    BOOST_TEST((found[0].facts().allocated_by == operation::operator_new_array));
    BOOST_TEST(found[0].message() ==
               "operator delete(p) of the block of #0 operator new[] size=40 align=16: release it with operator delete[]");
}

BOOST_AUTO_TEST_CASE(a_single_block_released_by_operator_delete_array_is_a_mismatched_deallocation) {
    const auto found = baseline_findings([] { ::operator delete[](hidden(::operator new(24))); });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::mismatched_deallocation);
    BOOST_TEST(found[0].message() ==
               "operator delete[](p) of the block of #0 operator new size=24 align=16: release it with operator delete");
}

BOOST_AUTO_TEST_CASE(a_sized_delete_with_another_size_is_a_size_mismatch) {
    const auto found = baseline_findings([] { ::operator delete(hidden(::operator new(48)), 32); });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::size_mismatch);
    BOOST_TEST((found[0].facts().released == block_shape{32, 0}));
    BOOST_TEST((found[0].facts().allocated == block_shape{48, 16}));
    BOOST_TEST(found[0].message() == "operator delete(p, 32) of the block of #0 operator new size=48 align=16: pass the "
                                     "size given to allocate; the block was released with size=48");
}

BOOST_AUTO_TEST_CASE(an_aligned_block_released_without_its_alignment_is_an_alignment_mismatch) {
    const auto found = baseline_findings([] { ::operator delete(hidden(::operator new(64, std::align_val_t(64)))); });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::alignment_mismatch);
    BOOST_TEST((found[0].allocation() == allocation(0, operation::operator_new, 64, 64, false)));
    BOOST_TEST(found[0].message() == "operator delete(p) of the block of #0 operator new size=64 align=64: pass the "
                                     "alignment given to allocate; the block was released with align=64");
}

BOOST_AUTO_TEST_CASE(a_plain_block_released_with_an_extended_alignment_is_an_alignment_mismatch) {
    const auto found = baseline_findings([] { ::operator delete(hidden(::operator new(32)), std::align_val_t(64)); });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::alignment_mismatch);
    BOOST_TEST((found[0].facts().released == block_shape{0, 64}));
}

BOOST_AUTO_TEST_CASE(a_second_release_is_a_double_free_and_is_not_passed_to_free) {
    const auto found = baseline_findings([] {
        sink = ::operator new(24);
        ::operator delete(sink);
        ::operator delete(sink);  // read again through the volatile: no compiler sees the same pointer
    });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::double_free);
    BOOST_TEST((found[0].allocation() == allocation(0, operation::operator_new, 24, 16, false)));
    BOOST_TEST(found[0].message() == "operator delete(p): the block of #0 operator new size=24 align=16 was already "
                                     "released; it was not released again");
}

BOOST_AUTO_TEST_CASE(a_pointer_into_a_block_is_a_foreign_pointer_and_is_not_passed_to_free) {
    const auto found = baseline_findings([] {
        char* p = static_cast<char*>(hidden(::operator new(32)));
        ::operator delete(hidden(p + 8), 32);
        ::operator delete(p, 32);
    });
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::foreign_pointer);
    BOOST_TEST(!found[0].allocation());
    BOOST_TEST(found[0].message() == "operator delete(p, 32): p is no block that was given out, so it was not "
                                     "released; release only what an allocation returned");
}

BOOST_AUTO_TEST_CASE(a_block_given_out_unobserved_at_a_released_address_is_released_without_finding) {
    const auto found = baseline_findings([] {
        ::operator delete(hidden(::operator new(24)));
        void* again = nullptr;
        {
            alloc_chaos::unobserved bookkeeping;
            again = hidden(::operator new(24));  // the C allocator gives the address just released
        }
        ::operator delete(again);
    });
    BOOST_TEST(found.empty());
}

BOOST_AUTO_TEST_CASE(a_mismatch_on_a_failure_path_fails_the_check) {
    const alloc_chaos::report r = alloc_chaos::check([] {
        void* kept = hidden(::operator new[](16));
        try {
            ::operator delete(hidden(::operator new(8)));
        } catch (const std::bad_alloc&) {
            ::operator delete(kept);  // the cleanup of this path uses the wrong form
            return;
        }
        ::operator delete[](kept);
    });
    BOOST_TEST(!r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].success());
    BOOST_TEST_REQUIRE(r.attempts()[1].findings().size() == 1u);
    BOOST_TEST(r.attempts()[1].findings()[0].kind() == finding_kind::mismatched_deallocation);
}

// ---- the new-handler ----

namespace {

int handler_calls = 0;

// Installs `handler` for its lifetime, and counts its calls from 0.
class handler_scope {
public:
    explicit handler_scope(std::new_handler handler) : previous_(std::set_new_handler(handler)) { handler_calls = 0; }
    ~handler_scope() { std::set_new_handler(previous_); }
    handler_scope(const handler_scope&) = delete;
    handler_scope& operator=(const handler_scope&) = delete;

private:
    std::new_handler previous_;
};

void throwing_handler() {
    ++handler_calls;
    throw std::runtime_error("the new-handler gave up");
}

void returning_handler() { ++handler_calls; }

// Returns twice, then uninstalls itself: the third failure ends in std::bad_alloc.
void handler_returning_twice() {
    if (++handler_calls == 3)
        std::set_new_handler(nullptr);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_failed_operator_new_lets_the_exception_of_the_new_handler_escape) {
    std::string caught;
    const alloc_chaos::report r = alloc_chaos::checker().only_failure(0).run([&] {
        handler_scope scope(throwing_handler);
        try {
            ::operator delete(hidden(::operator new(24)));
        } catch (const std::runtime_error& e) {
            caught = e.what();
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].injected());
    BOOST_TEST(handler_calls == 1);
    BOOST_TEST(caught == "the new-handler gave up");
}

BOOST_AUTO_TEST_CASE(a_new_handler_that_returns_gets_the_same_attempt_served_in_once_mode) {
    const alloc_chaos::report r = alloc_chaos::checker().only_failure(0).run([] {
        handler_scope scope(returning_handler);
        ::operator delete(hidden(::operator new(24)));
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].injected());
    BOOST_TEST(r.attempts()[0].outcome() == alloc_chaos::outcome::completed);
    BOOST_TEST(r.attempts()[0].observed_allocations() == 1u);  // retried as the same attempt
    BOOST_TEST(r.attempts()[0].findings().empty());             // the block served was tracked and released
    BOOST_TEST(handler_calls == 1);
}

BOOST_AUTO_TEST_CASE(a_new_handler_that_returns_sees_the_attempt_fail_again_in_persistent_mode) {
    const alloc_chaos::report r =
        alloc_chaos::checker().mode(alloc_chaos::failure_mode::persistent).only_failure(0).run([] {
            handler_scope scope(handler_returning_twice);
            ::operator delete(hidden(::operator new(24)));
        });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].outcome() == alloc_chaos::outcome::bad_alloc);
    BOOST_TEST(r.attempts()[0].observed_allocations() == 1u);
    BOOST_TEST(r.attempts()[0].failed_attempts() == 1u);
    BOOST_TEST(handler_calls == 3);
}

BOOST_AUTO_TEST_CASE(a_nothrow_operator_new_returns_nullptr_when_the_new_handler_throws) {
    bool got_nullptr = false;
    const alloc_chaos::report r = alloc_chaos::checker().only_failure(0).run([&] {
        handler_scope scope(throwing_handler);
        void* p = ::operator new(24, std::nothrow);
        got_nullptr = p == nullptr;
        ::operator delete(p);
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].injected());
    BOOST_TEST(got_nullptr);
    BOOST_TEST(handler_calls == 1);
}
