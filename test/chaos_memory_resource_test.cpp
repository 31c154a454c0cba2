#define BOOST_TEST_MODULE chaos_memory_resource
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "recording_resource.hpp"
#include "test_bodies.hpp"
#include "test_scopes.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <memory_resource>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::chaos_memory_resource;
using alloc_chaos::checker;
using alloc_chaos::deallocation_checks;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using test_bodies::sink;
using test_scopes::captured_stderr;

namespace {

using recording_resource = test_resources::recording_resource<std::pmr::memory_resource>;

// `upstream` has served one allocation, `p`, of `bytes` at `alignment`: what a resource that
// forwards was asked.
void expect_one_allocation_forwarded(const recording_resource& upstream, const void* p, std::size_t bytes,
                                     std::size_t alignment) {
    BOOST_TEST(upstream.allocations == 1u);
    BOOST_TEST(upstream.last_bytes == bytes);
    BOOST_TEST(upstream.last_alignment == alignment);
    BOOST_TEST(p == upstream.last_returned);
}

// `upstream` has released one block, `p`, given `bytes` and `alignment`: what a resource that
// forwards was given.
void expect_one_deallocation_forwarded(const recording_resource& upstream, const void* p, std::size_t bytes,
                                       std::size_t alignment) {
    BOOST_TEST(upstream.deallocations == 1u);
    BOOST_TEST(upstream.last_freed == p);
    BOOST_TEST(upstream.last_freed_bytes == bytes);
    BOOST_TEST(upstream.last_freed_alignment == alignment);
}

// An upstream that serves every request from one buffer, so that an address is given out again.
class one_buffer_resource : public std::pmr::memory_resource {
public:
    std::size_t allocations = 0;
    std::size_t deallocations = 0;

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        if (bytes > sizeof(buffer_) || alignment > alignof(std::max_align_t))
            throw std::bad_alloc();
        ++allocations;
        return buffer_;
    }
    void do_deallocate(void*, std::size_t, std::size_t) override { ++deallocations; }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

    alignas(std::max_align_t) unsigned char buffer_[256];
};

// A block of 16 bytes allocated before the body's own, so that the block misused is attempt #1,
// and released when the body returns or unwinds.
class earlier_block {
public:
    explicit earlier_block(chaos_memory_resource& resource) : resource_(resource), p_(resource.allocate(16, 8)) {}
    ~earlier_block() { resource_.deallocate(p_, 16, 8); }
    earlier_block(const earlier_block&) = delete;
    earlier_block& operator=(const earlier_block&) = delete;

private:
    chaos_memory_resource& resource_;
    void* p_;
};

// The block of attempt #1 of a run, as the findings name it.
constexpr allocation second_attempt(std::size_t size, std::size_t alignment) {
    return allocation(1, operation::resource_allocate, size, alignment, false);
}

bool aligned_to(const void* p, std::size_t alignment) { return reinterpret_cast<std::uintptr_t>(p) % alignment == 0; }

std::string text_of(const report& r) {
    std::ostringstream out;
    out << r;
    return out.str();
}

// Asserts that `resource` kept exactly one misuse found outside a check: of `kind`, naming no
// attempt (the block was allocated unobserved), with `message`.
void only_misuse_is(const chaos_memory_resource& resource, finding_kind kind, const std::string& message) {
    const auto misuse = resource.misuse();
    BOOST_TEST_REQUIRE(misuse.size() == 1u);
    BOOST_TEST(misuse[0].kind() == kind);
    BOOST_TEST(!misuse[0].allocation().has_value());
    BOOST_TEST(misuse[0].message() == message);
}

// Asserts that `resource`, checking deallocations, reports a block of 64 bytes released outside
// any check with size 32, on stderr and in misuse(), and releases it upstream with its own size.
void size_mismatch_outside_a_check_is_reported(chaos_memory_resource& resource,
                                               const recording_resource& upstream) {
    void* p = resource.allocate(64, 8);
    const std::size_t served = upstream.last_bytes;
    captured_stderr err;
    resource.deallocate(p, 32, 8);
    const std::string message =
        "chaos_memory_resource::deallocate(p, 32, 8) of the block of size=64 align=8 (allocated unobserved): "
        "pass the size given to allocate; the block was released with size=64";
    BOOST_TEST(err.text() == "alloc-chaos: size mismatch: " + message + "\n");
    BOOST_TEST(upstream.last_freed == p);
    BOOST_TEST(upstream.last_freed_bytes == served);
    BOOST_TEST(upstream.last_freed_alignment == 8u);
    only_misuse_is(resource, finding_kind::size_mismatch, message);
}

// The one finding of the check's baseline run: of `kind`, about `concerned`, saying `message`.
void only_baseline_finding_is(const report& r, finding_kind kind, const std::optional<allocation>& concerned,
                              const std::string& message) {
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == kind);
    BOOST_TEST((found[0].allocation() == concerned));
    BOOST_TEST(found[0].message() == message);
}

}  // namespace

BOOST_AUTO_TEST_CASE(it_is_a_memory_resource_that_cannot_be_copied) {
    static_assert(std::is_base_of_v<std::pmr::memory_resource, chaos_memory_resource>);
    static_assert(!std::is_copy_constructible_v<chaos_memory_resource>);
    static_assert(!std::is_copy_assignable_v<chaos_memory_resource>);
}

BOOST_AUTO_TEST_CASE(the_default_upstream_is_new_delete_resource) {
    chaos_memory_resource resource;
    BOOST_TEST(resource.upstream() == std::pmr::new_delete_resource());
}

BOOST_AUTO_TEST_CASE(the_given_upstream_is_kept) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    BOOST_TEST(resource.upstream() == &upstream);
}

BOOST_AUTO_TEST_CASE(a_nullptr_upstream_throws_invalid_argument_naming_the_call) {
    try {
        chaos_memory_resource resource(nullptr);
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc_chaos::chaos_memory_resource(upstream): upstream is nullptr; pass the resource to wrap, "
                   "or use the default constructor to wrap std::pmr::new_delete_resource()");
    }
}

BOOST_AUTO_TEST_CASE(a_nullptr_upstream_refused_inside_a_body_adds_no_attempt) {
    std::size_t refused = 0;
    const auto r = alloc_chaos::check([&] {
        try {
            chaos_memory_resource resource(nullptr);
        } catch (const std::invalid_argument&) {
            ++refused;
        }
    });
    BOOST_TEST(r.baseline_allocations() == 0u);
    BOOST_TEST(r.attempts().empty());
    BOOST_TEST(refused == 1u);
    BOOST_TEST(r.verdict() == alloc_chaos::verdict::invalid);  // no attempt, so nothing tested; nothing found
}

BOOST_AUTO_TEST_CASE(with_checks_off_outside_a_check_allocate_forwards_and_returns_the_upstreams_pointer) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::off);
    void* p = resource.allocate(40, 32);
    expect_one_allocation_forwarded(upstream, p, 40, 32);
    resource.deallocate(p, 40, 32);
}

BOOST_AUTO_TEST_CASE(with_checks_off_deallocate_forwards_the_same_pointer_size_and_alignment) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::off);
    void* p = resource.allocate(40, 32);
    resource.deallocate(p, 40, 32);
    expect_one_deallocation_forwarded(upstream, p, 40, 32);
}

BOOST_AUTO_TEST_CASE(outside_a_check_an_upstream_failure_propagates_unchanged) {
    std::pmr::monotonic_buffer_resource exhausted(std::pmr::null_memory_resource());
    chaos_memory_resource resource(&exhausted);
    bool plain_bad_alloc = false;
    try {
        sink = resource.allocate(8, 8);
    } catch (const alloc_chaos::injected_bad_alloc&) {
    } catch (const std::bad_alloc&) {
        plain_bad_alloc = true;
    }
    BOOST_TEST(plain_bad_alloc);
}

BOOST_AUTO_TEST_CASE(each_allocate_is_one_attempt_with_resource_allocate_and_its_size_and_alignment) {
    chaos_memory_resource resource;
    const auto r = alloc_chaos::check([&] {
        void* a = resource.allocate(24, 8);
        try {
            resource.deallocate(resource.allocate(100, 64), 100, 64);
        } catch (...) {
            resource.deallocate(a, 24, 8);
            throw;
        }
        resource.deallocate(a, 24, 8);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 2u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::resource_allocate, 24, 8, false)));
    BOOST_TEST((r.attempts()[1].injected_allocation() == allocation(1, operation::resource_allocate, 100, 64, false)));
}

BOOST_AUTO_TEST_CASE(an_attempt_is_counted_once_although_the_default_upstream_reaches_operator_new) {
    chaos_memory_resource resource;
    const auto r = alloc_chaos::check([&] { resource.deallocate(resource.allocate(24, 8), 24, 8); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].injected_allocation()->operation() == operation::resource_allocate);
}

BOOST_AUTO_TEST_CASE(an_attempt_is_counted_once_although_a_given_upstream_calls_operator_new) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    const auto r = checker{}.max_failures(0).run([&] { resource.deallocate(resource.allocate(24, 8), 24, 8); });
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST(upstream.allocations == 1u);
}

BOOST_AUTO_TEST_CASE(a_zero_size_request_is_an_attempt) {
    chaos_memory_resource resource;
    const auto r = alloc_chaos::check([&] { resource.deallocate(resource.allocate(0, 1), 0, 1); });
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::resource_allocate, 0, 1, false)));
}

BOOST_AUTO_TEST_CASE(a_failed_attempt_throws_injected_bad_alloc_and_never_reaches_the_upstream) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    std::size_t upstream_calls_at_failure = 99;
    bool injected = false;
    checker{}.only_failure(0).run([&] {
        try {
            sink = resource.allocate(24, 8);
        } catch (const alloc_chaos::injected_bad_alloc& e) {
            injected = e.allocation() == allocation(0, operation::resource_allocate, 24, 8, false);
            upstream_calls_at_failure = upstream.allocations;
            return;
        }
        resource.deallocate(sink, 24, 8);
    });
    BOOST_TEST(injected);
    BOOST_TEST(upstream_calls_at_failure == 1u);  // the baseline's call only
}

BOOST_AUTO_TEST_CASE(inside_a_check_a_served_request_returns_the_upstreams_pointer) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    bool same = false;
    checker{}.max_failures(0).run([&] {
        void* p = resource.allocate(16, 16);
        same = p == upstream.last_returned;
        resource.deallocate(p, 16, 16);
    });
    BOOST_TEST(same);
}

BOOST_AUTO_TEST_CASE(deallocation_is_never_counted) {
    chaos_memory_resource resource;
    std::vector<void*> blocks;
    blocks.reserve(3);
    for (int i = 0; i < 3; ++i)
        blocks.push_back(resource.allocate(32, 8));
    const auto r = alloc_chaos::check([&] {
        for (void* p : blocks)
            resource.deallocate(p, 32, 8);
        blocks.clear();
        {
            alloc_chaos::unobserved refill;
            for (int i = 0; i < 3; ++i)
                blocks.push_back(resource.allocate(32, 8));
        }
    });
    BOOST_TEST(r.baseline_allocations() == 0u);
    for (void* p : blocks)
        resource.deallocate(p, 32, 8);
}

BOOST_AUTO_TEST_CASE(it_is_equal_to_itself_only) {
    chaos_memory_resource resource;
    chaos_memory_resource other;
    BOOST_TEST(resource.is_equal(resource));
    BOOST_TEST(!resource.is_equal(other));
    BOOST_TEST(!resource.is_equal(*std::pmr::new_delete_resource()));
    BOOST_TEST(!std::pmr::new_delete_resource()->is_equal(resource));
    BOOST_TEST((resource == resource));
    BOOST_TEST((resource != other));
}

BOOST_AUTO_TEST_CASE(a_pmr_vector_check_passes_with_one_attempt_per_allocation) {
    chaos_memory_resource resource;
    const auto r = alloc_chaos::check([&] {
        std::pmr::vector<int> v(&resource);
        v.reserve(4);
        for (int i = 0; i < 4; ++i)
            v.push_back(i);
        v.reserve(100);
        v.push_back(4);
    });
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST((r.attempts()[0].injected_allocation() ==
                allocation(0, operation::resource_allocate, 4 * sizeof(int), alignof(int), false)));
    BOOST_TEST((r.attempts()[1].injected_allocation() ==
                allocation(1, operation::resource_allocate, 100 * sizeof(int), alignof(int), false)));
    for (const auto& run : r.attempts())
        BOOST_TEST(run.outcome() == outcome::bad_alloc);
}

// Deallocation checks: the options.

BOOST_AUTO_TEST_CASE(deallocation_checks_are_from_the_first_check_by_default) {
    recording_resource upstream;
    chaos_memory_resource wrapping_new_delete;
    chaos_memory_resource wrapping_upstream(&upstream);
    BOOST_TEST((wrapping_new_delete.deallocation_checks() == deallocation_checks::from_first_check));
    BOOST_TEST((wrapping_upstream.deallocation_checks() == deallocation_checks::from_first_check));
}

BOOST_AUTO_TEST_CASE(deallocation_checks_are_off_when_a_constructor_says_so) {
    recording_resource upstream;
    chaos_memory_resource wrapping_new_delete(deallocation_checks::off);
    chaos_memory_resource wrapping_upstream(&upstream, deallocation_checks::off);
    BOOST_TEST(wrapping_new_delete.upstream() == std::pmr::new_delete_resource());
    BOOST_TEST((wrapping_new_delete.deallocation_checks() == deallocation_checks::off));
    BOOST_TEST(wrapping_upstream.upstream() == &upstream);
    BOOST_TEST((wrapping_upstream.deallocation_checks() == deallocation_checks::off));
    static_assert(!std::is_convertible_v<deallocation_checks, chaos_memory_resource>);
}

BOOST_AUTO_TEST_CASE(a_nullptr_upstream_throws_invalid_argument_in_every_mode) {
    BOOST_CHECK_THROW(chaos_memory_resource(nullptr, deallocation_checks::always), std::invalid_argument);
    BOOST_CHECK_THROW(chaos_memory_resource(nullptr, deallocation_checks::from_first_check), std::invalid_argument);
    BOOST_CHECK_THROW(chaos_memory_resource(nullptr, deallocation_checks::off), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(constructing_and_destroying_a_checking_resource_inside_a_body_adds_no_attempt) {
    const auto r = alloc_chaos::check([] {
        chaos_memory_resource resource;
        chaos_memory_resource always(deallocation_checks::always);
        chaos_memory_resource off(deallocation_checks::off);
    });
    BOOST_TEST(r.baseline_allocations() == 0u);
    BOOST_TEST(r.verdict() == alloc_chaos::verdict::invalid);  // no attempt, so nothing tested; nothing found
}

BOOST_AUTO_TEST_CASE(with_checks_off_the_upstream_serves_the_exact_requests_inside_and_outside_a_check) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::off);
    bool same = false;
    const auto r = alloc_chaos::check([&] {
        void* p = resource.allocate(24, 8);
        same = p == upstream.last_returned && upstream.last_bytes == 24u && upstream.last_alignment == 8u;
        resource.deallocate(p, 24, 8);
        same = same && upstream.last_freed == p && upstream.last_freed_bytes == 24u;
    });
    BOOST_TEST(r.success());
    BOOST_TEST(same);
    void* p = resource.allocate(4096, 4096);
    BOOST_TEST(p == upstream.last_returned);
    BOOST_TEST(upstream.last_bytes == 4096u);
    BOOST_TEST(upstream.last_alignment == 4096u);
    resource.deallocate(p, 4096, 4096);
    BOOST_TEST(upstream.last_freed == p);
    BOOST_TEST(upstream.last_freed_bytes == 4096u);
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(with_checks_always_the_upstream_serves_the_size_and_a_guard_at_the_same_alignment) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    void* p = resource.allocate(40, 32);
    BOOST_TEST(p == upstream.last_returned);
    BOOST_TEST(upstream.last_bytes > 40u);
    BOOST_TEST(upstream.last_alignment == 32u);
    const std::size_t served = upstream.last_bytes;
    resource.deallocate(p, 40, 32);
    BOOST_TEST(upstream.deallocations == 1u);
    BOOST_TEST(upstream.last_freed == p);
    BOOST_TEST(upstream.last_freed_bytes == served);
    BOOST_TEST(upstream.last_freed_alignment == 32u);
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_chaos_resource_over_a_checking_chaos_resource_makes_one_attempt_and_no_finding) {
    chaos_memory_resource inner;
    chaos_memory_resource outer(&inner);
    const auto r = alloc_chaos::check([&] { outer.deallocate(outer.allocate(24, 8), 24, 8); });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST(outer.misuse().empty());
    BOOST_TEST(inner.misuse().empty());
}

// Deallocation checks: when they start.

BOOST_AUTO_TEST_CASE(a_default_resource_never_used_in_a_check_is_not_checking) {
    recording_resource upstream;
    chaos_memory_resource wrapping_new_delete;
    chaos_memory_resource wrapping_upstream(&upstream);
    wrapping_new_delete.deallocate(wrapping_new_delete.allocate(24, 8), 24, 8);
    wrapping_upstream.deallocate(wrapping_upstream.allocate(24, 8), 24, 8);
    BOOST_TEST(!wrapping_new_delete.checking_deallocations());
    BOOST_TEST(!wrapping_upstream.checking_deallocations());
}

BOOST_AUTO_TEST_CASE(before_its_checks_start_a_default_resource_forwards_each_call_exactly) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    void* p = resource.allocate(40, 32);
    expect_one_allocation_forwarded(upstream, p, 40, 32);
    resource.deallocate(p, 40, 32);
    expect_one_deallocation_forwarded(upstream, p, 40, 32);
}

BOOST_AUTO_TEST_CASE(before_its_checks_start_a_misuse_is_forwarded_as_given_and_not_reported) {
    recording_resource upstream;  // releases by pointer and alignment: a wrong size is harmless
    chaos_memory_resource resource(&upstream);
    void* p = resource.allocate(64, 8);
    captured_stderr err;
    resource.deallocate(p, 32, 8);
    BOOST_TEST(err.text().empty());
    BOOST_TEST(upstream.deallocations == 1u);
    BOOST_TEST(upstream.last_freed == p);
    BOOST_TEST(upstream.last_freed_bytes == 32u);
    BOOST_TEST(upstream.last_freed_alignment == 8u);
    BOOST_TEST(resource.misuse().empty());
}

namespace {

struct no_scope {};

// The runs of a counting check, each of which makes a chaos_memory_resource inside a `Scope`, and
// how many of those resources checked deallocations from construction.
struct resources_made_in_runs {
    std::size_t runs = 0;
    std::size_t checking = 0;
};

template <class Scope>
resources_made_in_runs make_a_resource_in_each_run() {
    resources_made_in_runs made;
    checker{}.max_failures(0).run([&] {
        [[maybe_unused]] Scope scope;
        chaos_memory_resource resource;
        ++made.runs;
        made.checking += resource.checking_deallocations() ? 1 : 0;
    });
    return made;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_resource_made_in_a_body_checks_from_construction) {
    const resources_made_in_runs made = make_a_resource_in_each_run<no_scope>();
    BOOST_TEST(made.runs > 0u);
    BOOST_TEST(made.checking == made.runs);
}

BOOST_AUTO_TEST_CASE(a_resource_made_unobserved_in_a_run_checks_from_construction) {
    // as a fixture is made
    const resources_made_in_runs made = make_a_resource_in_each_run<alloc_chaos::unobserved>();
    BOOST_TEST(made.runs > 0u);
    BOOST_TEST(made.checking == made.runs);
}

BOOST_AUTO_TEST_CASE(a_resource_made_outside_a_check_starts_checking_at_its_first_allocation_in_one) {
    chaos_memory_resource resource;
    std::optional<bool> before_allocating;
    std::optional<bool> after_allocating;
    checker{}.max_failures(0).run([&] {
        if (!before_allocating)
            before_allocating = resource.checking_deallocations();
        resource.deallocate(resource.allocate(16, 8), 16, 8);
        if (!after_allocating)
            after_allocating = resource.checking_deallocations();
    });
    BOOST_TEST((before_allocating == false));
    BOOST_TEST((after_allocating == true));
    BOOST_TEST(resource.checking_deallocations());
    BOOST_TEST((resource.deallocation_checks() == deallocation_checks::from_first_check));
}

BOOST_AUTO_TEST_CASE(a_misuse_in_the_run_that_started_the_checks_is_a_finding_of_that_run) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    std::size_t served = 0;
    const report r = checker{}.max_failures(0).run([&] {
        void* p = resource.allocate(64, 8);
        served = upstream.last_bytes;
        resource.deallocate(p, 32, 8);
    });
    BOOST_TEST(served > 64u);  // with a guard
    BOOST_TEST(upstream.last_freed_bytes == served);
    only_baseline_finding_is(r, finding_kind::size_mismatch, allocation(0, operation::resource_allocate, 64, 8, false),
        "chaos_memory_resource::deallocate(p, 32, 8) of the block of #0 resource allocate size=64 align=8: "
        "pass the size given to allocate; the block was released with size=64");
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_block_given_out_before_the_checks_started_is_released_as_given_and_no_finding) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    void* early = resource.allocate(40, 8);
    void* const given_out = early;
    void* freed = nullptr;
    std::size_t freed_bytes = 0;
    std::size_t freed_alignment = 0;
    const report r = checker{}.max_failures(0).run([&] {
        resource.deallocate(resource.allocate(16, 8), 16, 8);  // starts the checks
        if (void* p = std::exchange(early, nullptr)) {
            resource.deallocate(p, 40, 8);
            freed = upstream.last_freed;
            freed_bytes = upstream.last_freed_bytes;
            freed_alignment = upstream.last_freed_alignment;
        }
    });
    BOOST_TEST(freed == given_out);
    BOOST_TEST(freed_bytes == 40u);
    BOOST_TEST(freed_alignment == 8u);
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST(upstream.deallocations == upstream.allocations);
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_foreign_pointer_on_a_resource_that_gave_out_no_unchecked_block_is_a_finding) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    alignas(8) unsigned char not_a_block[32];
    const report r = checker{}.max_failures(0).run([&] {
        resource.deallocate(resource.allocate(16, 8), 16, 8);  // starts the checks
        resource.deallocate(not_a_block, 32, 8);
    });
    only_baseline_finding_is(r, finding_kind::foreign_pointer, std::nullopt,
        "chaos_memory_resource::deallocate(p, 32, 8): p was never given out by this resource, so it was not "
        "released; deallocate a block on the resource that allocated it");
    BOOST_TEST(upstream.deallocations == upstream.allocations);
}

BOOST_AUTO_TEST_CASE(once_checking_a_misuse_outside_any_check_is_reported_in_misuse) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    checker{}.max_failures(0).run([&] { resource.deallocate(resource.allocate(16, 8), 16, 8); });
    size_mismatch_outside_a_check_is_reported(resource, upstream);
}

BOOST_AUTO_TEST_CASE(with_checks_off_a_check_never_starts_them) {
    recording_resource upstream;  // releases by pointer and alignment: a wrong size is harmless
    chaos_memory_resource resource(&upstream, deallocation_checks::off);
    std::size_t made_inside_checking = 0;
    const report r = checker{}.max_failures(0).run([&] {
        chaos_memory_resource inside(deallocation_checks::off);
        made_inside_checking += inside.checking_deallocations() ? 1 : 0;
        void* p = resource.allocate(64, 8);
        resource.deallocate(p, 32, 8);
    });
    BOOST_TEST(made_inside_checking == 0u);
    BOOST_TEST(!resource.checking_deallocations());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST(upstream.last_bytes == 64u);
    BOOST_TEST(upstream.last_freed_bytes == 32u);
}

BOOST_AUTO_TEST_CASE(with_checks_always_a_resource_checks_from_construction_outside_any_check) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    BOOST_TEST(resource.checking_deallocations());
    void* p = resource.allocate(40, 8);
    BOOST_TEST(upstream.last_bytes > 40u);  // with a guard
    resource.deallocate(p, 40, 8);
    BOOST_TEST((resource.deallocation_checks() == deallocation_checks::always));
}

// Deallocation checks: each misuse, inside a check's run and outside one.

BOOST_AUTO_TEST_CASE(a_double_free_in_a_run_is_a_finding_of_that_run_and_releases_the_block_once) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    captured_stderr err;
    const report r = alloc_chaos::check([&] {
        earlier_block first(resource);
        void* p = resource.allocate(64, 8);
        resource.deallocate(p, 64, 8);
        resource.deallocate(p, 64, 8);
    });
    BOOST_TEST(err.text().empty());
    BOOST_TEST(!r.success());
    only_baseline_finding_is(r, finding_kind::double_free, second_attempt(64, 8),
        "chaos_memory_resource::deallocate(p, 64, 8): the block of #1 resource allocate size=64 align=8 "
        "was already released; it was not released again");
    BOOST_TEST(upstream.deallocations == upstream.allocations);  // each block released once
    BOOST_TEST(resource.misuse().empty());
}

// A block the ledger kept for one run is known as released in the next: a pointer kept across
// runs, released again, is a double free, not a foreign pointer, and never reaches the upstream.
BOOST_AUTO_TEST_CASE(a_release_in_a_run_of_a_block_an_earlier_run_released_is_a_double_free) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    void* stale = nullptr;
    const report r = checker{}.only_failure(0).run([&] {
        if (stale != nullptr)
            resource.deallocate(stale, 64, 8);  // released by the run before
        void* p = resource.allocate(64, 8);     // #0
        resource.deallocate(p, 64, 8);
        stale = p;
    });
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const auto found = r.attempts()[0].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::double_free);
    BOOST_TEST(found[0].message() ==
               "chaos_memory_resource::deallocate(p, 64, 8): the block of #0 resource allocate size=64 align=8 "
               "was already released; it was not released again");
    BOOST_TEST(upstream.deallocations == upstream.allocations);  // each block released once
}

BOOST_AUTO_TEST_CASE(a_double_free_on_the_failure_path_only_is_a_finding_of_the_injected_run) {
    chaos_memory_resource resource;
    const report r = alloc_chaos::check([&] {
        void* p = resource.allocate(64, 8);
        try {
            resource.deallocate(resource.allocate(16, 8), 16, 8);
        } catch (const std::bad_alloc&) {
            resource.deallocate(p, 64, 8);  // cleanup that the normal path repeats
        }
        resource.deallocate(p, 64, 8);
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].findings().empty());
    BOOST_TEST_REQUIRE(r.attempts()[1].findings().size() == 1u);
    const finding& f = r.attempts()[1].findings()[0];
    BOOST_TEST(f.kind() == finding_kind::double_free);
    BOOST_TEST((f.allocation() == allocation(0, operation::resource_allocate, 64, 8, false)));
    BOOST_TEST(f.message() ==
               "chaos_memory_resource::deallocate(p, 64, 8): the block of #0 resource allocate size=64 align=8 "
               "was already released; it was not released again");
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_double_free_outside_a_check_is_a_line_on_stderr_and_an_entry_of_misuse) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    void* p = resource.allocate(64, 8);
    resource.deallocate(p, 64, 8);
    captured_stderr err;
    resource.deallocate(p, 64, 8);
    const std::string message =
        "chaos_memory_resource::deallocate(p, 64, 8): the block of size=64 align=8 (allocated unobserved) was "
        "already released; it was not released again";
    BOOST_TEST(err.text() == "alloc-chaos: double free: " + message + "\n");
    BOOST_TEST(upstream.deallocations == 1u);
    only_misuse_is(resource, finding_kind::double_free, message);
}

BOOST_AUTO_TEST_CASE(a_double_free_in_a_run_of_a_block_allocated_outside_it_names_no_attempt) {
    chaos_memory_resource resource(deallocation_checks::always);
    void* p = resource.allocate(64, 8);
    resource.deallocate(p, 64, 8);
    const report r = checker{}.max_failures(0).run([&] { resource.deallocate(p, 64, 8); });
    only_baseline_finding_is(r, finding_kind::double_free, std::nullopt,
        "chaos_memory_resource::deallocate(p, 64, 8): the block of size=64 align=8 (allocated unobserved) "
        "was already released; it was not released again");
}

BOOST_AUTO_TEST_CASE(an_address_the_upstream_gives_out_again_is_live_again) {
    one_buffer_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    void* first = resource.allocate(32, 8);
    resource.deallocate(first, 32, 8);
    void* again = resource.allocate(48, 16);
    BOOST_TEST(again == first);
    resource.deallocate(again, 48, 16);
    BOOST_TEST(upstream.deallocations == 2u);
    BOOST_TEST(resource.misuse().empty());
    captured_stderr err;
    resource.deallocate(again, 48, 16);
    BOOST_TEST(!err.text().empty());
    BOOST_TEST_REQUIRE(resource.misuse().size() == 1u);
    BOOST_TEST(resource.misuse()[0].kind() == finding_kind::double_free);
    BOOST_TEST(upstream.deallocations == 2u);
}

// The resource forgets its block before its upstream frees it through the bridge, which then does
// not look for it again: a block the bridge serves next, at that address or another, is tracked.
BOOST_AUTO_TEST_CASE(a_bridge_block_after_a_resource_release_through_the_bridge_is_still_tracked) {
    for (const deallocation_checks checks : {deallocation_checks::from_first_check, deallocation_checks::off}) {
        chaos_memory_resource resource(checks);  // over new_delete_resource(): the bridge
        void* leaked = nullptr;
        const report r = alloc_chaos::check([&] {
            ::operator delete(std::exchange(leaked, nullptr));  // the block an earlier run leaked
            resource.deallocate(resource.allocate(24, 8), 24, 8);
            leaked = ::operator new(24);
        });
        ::operator delete(leaked);
        const auto found = r.baseline().findings();
        BOOST_TEST_REQUIRE(found.size() == 1u);
        BOOST_TEST(found[0].kind() == finding_kind::leak);
        BOOST_TEST((found[0].allocation() == allocation(1, operation::operator_new, 24, 16, false)));
    }
}

BOOST_AUTO_TEST_CASE(a_size_mismatch_in_a_run_is_a_finding_and_the_block_is_released_with_its_own_size) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    std::size_t served = 0;
    std::size_t freed = 0;
    const report r = alloc_chaos::check([&] {
        earlier_block first(resource);
        void* p = resource.allocate(64, 8);
        served = upstream.last_bytes;
        resource.deallocate(p, 32, 8);
        freed = upstream.last_freed_bytes;
    });
    BOOST_TEST(served > 64u);
    BOOST_TEST(freed == served);
    only_baseline_finding_is(r, finding_kind::size_mismatch, second_attempt(64, 8),
        "chaos_memory_resource::deallocate(p, 32, 8) of the block of #1 resource allocate size=64 align=8: "
        "pass the size given to allocate; the block was released with size=64");
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_size_mismatch_outside_a_check_is_reported_and_the_block_released_with_its_own_size) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    size_mismatch_outside_a_check_is_reported(resource, upstream);
}

BOOST_AUTO_TEST_CASE(an_alignment_mismatch_in_a_run_is_a_finding_and_the_block_is_released_with_its_own_alignment) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    std::size_t freed_alignment = 0;
    const report r = alloc_chaos::check([&] {
        earlier_block first(resource);
        void* p = resource.allocate(64, 8);
        resource.deallocate(p, 64, 16);
        freed_alignment = upstream.last_freed_alignment;
    });
    BOOST_TEST(freed_alignment == 8u);
    only_baseline_finding_is(r, finding_kind::alignment_mismatch, second_attempt(64, 8),
        "chaos_memory_resource::deallocate(p, 64, 16) of the block of #1 resource allocate size=64 align=8: "
        "pass the alignment given to allocate; the block was released with align=8");
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(an_alignment_mismatch_outside_a_check_is_reported_and_the_block_released_with_its_own_alignment) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    void* p = resource.allocate(64, 64);
    captured_stderr err;
    resource.deallocate(p, 64, 8);
    const std::string message =
        "chaos_memory_resource::deallocate(p, 64, 8) of the block of size=64 align=64 (allocated unobserved): "
        "pass the alignment given to allocate; the block was released with align=64";
    BOOST_TEST(err.text() == "alloc-chaos: alignment mismatch: " + message + "\n");
    BOOST_TEST(upstream.last_freed == p);
    BOOST_TEST(upstream.last_freed_alignment == 64u);
    only_misuse_is(resource, finding_kind::alignment_mismatch, message);
}

BOOST_AUTO_TEST_CASE(a_size_and_an_alignment_mismatch_in_one_call_are_two_findings) {
    chaos_memory_resource resource;
    const report r = checker{}.max_failures(0).run([&] {
        void* p = resource.allocate(64, 8);
        resource.deallocate(p, 32, 16);
    });
    BOOST_TEST_REQUIRE(r.baseline().findings().size() == 2u);
    BOOST_TEST(r.baseline().findings()[0].kind() == finding_kind::size_mismatch);
    BOOST_TEST(r.baseline().findings()[1].kind() == finding_kind::alignment_mismatch);
    BOOST_TEST((r.baseline().findings()[1].allocation() == allocation(0, operation::resource_allocate, 64, 8, false)));
}

BOOST_AUTO_TEST_CASE(a_foreign_pointer_in_a_run_is_a_finding_and_never_reaches_the_upstream) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    chaos_memory_resource other;
    const report r = alloc_chaos::check([&] {
        earlier_block first(resource);
        void* p = other.allocate(32, 8);
        resource.deallocate(p, 32, 8);  // the wrong resource
        other.deallocate(p, 32, 8);
    });
    only_baseline_finding_is(r, finding_kind::foreign_pointer, std::nullopt,
        "chaos_memory_resource::deallocate(p, 32, 8): p was never given out by this resource, so it was not "
        "released; deallocate a block on the resource that allocated it");
    BOOST_TEST(upstream.deallocations == upstream.allocations);  // the earlier blocks only
    BOOST_TEST(resource.misuse().empty());
    BOOST_TEST(other.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_foreign_pointer_outside_a_check_is_reported_and_never_reaches_the_upstream) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    alignas(8) unsigned char not_a_block[32];
    captured_stderr err;
    resource.deallocate(not_a_block, 32, 8);
    const std::string message =
        "chaos_memory_resource::deallocate(p, 32, 8): p was never given out by this resource, so it was not "
        "released; deallocate a block on the resource that allocated it";
    BOOST_TEST(err.text() == "alloc-chaos: foreign pointer: " + message + "\n");
    BOOST_TEST(upstream.deallocations == 0u);
    only_misuse_is(resource, finding_kind::foreign_pointer, message);
}

BOOST_AUTO_TEST_CASE(an_overrun_in_a_run_is_a_finding_naming_the_first_byte_written_and_the_block_is_released) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    const report r = alloc_chaos::check([&] {
        earlier_block first(resource);
        auto* p = static_cast<unsigned char*>(resource.allocate(64, 8));
        std::memset(p, 0, 64);  // writes within the block are no overrun
        p[64 + 3] = 0;
        resource.deallocate(p, 64, 8);
    });
    only_baseline_finding_is(r, finding_kind::overrun, second_attempt(64, 8),
        "chaos_memory_resource::deallocate(p, 64, 8): the block of #1 resource allocate size=64 align=8 was "
        "written past its end, at offset 67; write only within the size given to allocate");
    BOOST_TEST(upstream.deallocations == upstream.allocations);
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(an_overrun_outside_a_check_is_reported_and_the_block_is_released) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    auto* p = static_cast<unsigned char*>(resource.allocate(10, 2));
    p[10] = '\0';  // the classic off-by-one terminator
    captured_stderr err;
    resource.deallocate(p, 10, 2);
    const std::string message =
        "chaos_memory_resource::deallocate(p, 10, 2): the block of size=10 align=2 (allocated unobserved) was "
        "written past its end, at offset 10; write only within the size given to allocate";
    BOOST_TEST(err.text() == "alloc-chaos: overrun: " + message + "\n");
    BOOST_TEST(upstream.deallocations == 1u);
    BOOST_TEST(upstream.last_freed == p);
    only_misuse_is(resource, finding_kind::overrun, message);
}

BOOST_AUTO_TEST_CASE(a_misuse_on_another_thread_during_a_check_is_no_finding_of_its_runs) {
    chaos_memory_resource resource(deallocation_checks::always);
    void* p = resource.allocate(64, 8);
    captured_stderr err;
    const report r = checker{}.max_failures(0).run([&] {
        alloc_chaos::unobserved starting_a_thread;
        std::thread([&] { resource.deallocate(p, 32, 8); }).join();
    });
    BOOST_TEST(err.text().find("alloc-chaos: size mismatch: ") == 0u);
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(resource.misuse().size() == 1u);
    BOOST_TEST(resource.misuse()[0].kind() == finding_kind::size_mismatch);
}

BOOST_AUTO_TEST_CASE(the_report_names_a_misuse_with_its_kind_and_message) {
    chaos_memory_resource resource;
    const report r = alloc_chaos::check([&] {
        earlier_block first(resource);
        void* p = resource.allocate(64, 8);
        resource.deallocate(p, 64, 8);
        resource.deallocate(p, 64, 8);
    });
    BOOST_TEST(text_of(r).find("double free: chaos_memory_resource::deallocate(p, 64, 8): the block of #1 resource "
                               "allocate size=64 align=8 was already released") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(deallocate_never_throws_on_any_misuse) {
    chaos_memory_resource resource(deallocation_checks::always);
    alignas(8) unsigned char not_a_block[8];
    const auto misuse_each_way = [&] {
        void* p = resource.allocate(64, 8);
        static_cast<unsigned char*>(p)[64] = 1;
        resource.deallocate(p, 32, 16);  // size, alignment, overrun
        resource.deallocate(p, 64, 8);   // double free
        resource.deallocate(not_a_block, 8, 8);
    };
    {
        captured_stderr err;
        BOOST_CHECK_NO_THROW(misuse_each_way());
    }
    BOOST_TEST(resource.misuse().size() == 5u);
    report r;
    BOOST_CHECK_NO_THROW(r = checker{}.max_failures(0).run([&] {
        misuse_each_way();  // its allocate may throw: deallocate may not
    }));
    BOOST_TEST(r.baseline().outcome() == outcome::completed);
    BOOST_TEST(r.baseline().findings().size() == 5u);
    BOOST_TEST(resource.misuse().size() == 5u);
}

BOOST_AUTO_TEST_CASE(destroying_a_resource_with_live_blocks_reports_nothing_of_its_own) {
    std::pmr::monotonic_buffer_resource arena;  // releases what the resource leaves live
    captured_stderr err;
    report r;
    {
        chaos_memory_resource resource(&arena);
        r = checker{}.max_failures(0).run([&] { sink = resource.allocate(64, 8); });
        sink = resource.allocate(32, 8);
    }
    BOOST_TEST(err.text().empty());
    BOOST_TEST_REQUIRE(r.baseline().findings().size() == 1u);
    BOOST_TEST(r.baseline().findings()[0].kind() == finding_kind::leak);
    BOOST_TEST((r.baseline().findings()[0].allocation() == allocation(0, operation::resource_allocate, 64, 8, false)));
}

BOOST_AUTO_TEST_CASE(calling_misuse_inside_a_body_adds_no_attempt) {
    chaos_memory_resource resource;
    std::size_t seen = 99;
    const auto r = alloc_chaos::check([&] { seen = resource.misuse().size(); });
    BOOST_TEST(r.baseline_allocations() == 0u);
    BOOST_TEST(r.verdict() == alloc_chaos::verdict::invalid);  // no attempt, so nothing tested; nothing found
    BOOST_TEST(seen == 0u);
}

// Over-aligned requests.

BOOST_AUTO_TEST_CASE(over_aligned_requests_are_served_aligned_inside_a_check) {
    chaos_memory_resource resource;
    bool aligned = false;
    const report r = alloc_chaos::check([&] {
        void* page = resource.allocate(4096, 4096);
        void* two_pages = nullptr;
        try {
            two_pages = resource.allocate(3 * 8192 + 1, 8192);
        } catch (...) {
            resource.deallocate(page, 4096, 4096);
            throw;
        }
        aligned = aligned_to(page, 4096) && aligned_to(two_pages, 8192);
        std::memset(page, 1, 4096);
        std::memset(two_pages, 1, 3 * 8192 + 1);
        resource.deallocate(two_pages, 3 * 8192 + 1, 8192);
        resource.deallocate(page, 4096, 4096);
    });
    BOOST_TEST(aligned);
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::resource_allocate, 4096, 4096, false)));
    BOOST_TEST((r.attempts()[1].injected_allocation() ==
                allocation(1, operation::resource_allocate, 3 * 8192 + 1, 8192, false)));
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(over_aligned_requests_are_served_aligned_outside_a_check_in_every_mode) {
    for (const auto checks :
         {deallocation_checks::always, deallocation_checks::from_first_check, deallocation_checks::off}) {
        chaos_memory_resource resource(checks);
        void* page = resource.allocate(4096, 4096);
        void* pages = resource.allocate(8192, 8192);
        BOOST_TEST(aligned_to(page, 4096));
        BOOST_TEST(aligned_to(pages, 8192));
        std::memset(page, 1, 4096);
        std::memset(pages, 1, 8192);
        resource.deallocate(pages, 8192, 8192);
        resource.deallocate(page, 4096, 4096);
        BOOST_TEST(resource.misuse().empty());
    }
}

// Standard containers on a checking resource, checked exhaustively, find nothing.

BOOST_AUTO_TEST_CASE(a_pmr_vector_checked_exhaustively_has_no_findings) {
    chaos_memory_resource resource;
    const report r = alloc_chaos::check([&] {
        std::pmr::vector<std::pmr::string> v(&resource);
        for (int i = 0; i < 5; ++i)
            v.emplace_back(40, static_cast<char>('a' + i));
        v.insert(v.begin() + 1, "in the middle, and too long for the small string buffer");
        v.erase(v.begin());
        v.shrink_to_fit();
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST(r.attempts().size() == r.baseline_allocations());
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_pmr_string_checked_exhaustively_has_no_findings) {
    chaos_memory_resource resource;
    const report r = alloc_chaos::check([&] {
        std::pmr::string s(&resource);
        for (int i = 0; i < 100; ++i)
            s.push_back(static_cast<char>('a' + i % 26));
        s += s;
        s.resize(20);
        s.shrink_to_fit();
        std::pmr::string copy(s, &resource);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() > 2u);
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_pmr_map_checked_exhaustively_has_no_findings) {
    chaos_memory_resource resource;
    const report r = alloc_chaos::check([&] {
        std::pmr::map<int, std::pmr::string> m(&resource);
        for (int i = 0; i < 8; ++i)
            m.emplace(i, std::pmr::string(30, 'x'));
        m.erase(3);
        m[100] = "a value long enough to leave the small string buffer";
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() > 8u);
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_pmr_unordered_map_deque_and_list_checked_exhaustively_have_no_findings) {
    chaos_memory_resource resource;
    const report r = alloc_chaos::check([&] {
        std::pmr::unordered_map<int, int> u(&resource);
        std::pmr::deque<int> d(&resource);
        std::pmr::list<int> l(&resource);
        for (int i = 0; i < 200; ++i) {
            u.emplace(i, i);
            d.push_front(i);
            l.push_back(i);
        }
        u.erase(7);
        d.pop_back();
        l.pop_front();
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() > 400u);
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_block_allocated_inside_forbid_allocations_names_no_attempt_in_a_later_misuse) {
    const alloc_chaos::report r = checker{}.max_failures(0).run([] {
        chaos_memory_resource resource;
        resource.deallocate(resource.allocate(8, 8), 8, 8);
        void* p = nullptr;
        {
            alloc_chaos::forbid_allocations promise;
            p = resource.allocate(16, 8);  // served, not counted
        }
        resource.deallocate(p, 8, 8);
    });
    BOOST_TEST(r.baseline_allocations() == 1u);
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 2u);
    BOOST_TEST(found[0].kind() == finding_kind::forbidden_allocation);
    BOOST_TEST(found[1].kind() == finding_kind::size_mismatch);
    BOOST_TEST(!found[1].allocation().has_value());  // no attempt allocated it
    BOOST_TEST(found[1].message() == "chaos_memory_resource::deallocate(p, 8, 8) of the block of size=16 align=8 "
                                     "(allocated unobserved): pass the size given to allocate; the block was "
                                     "released with size=16");
}
