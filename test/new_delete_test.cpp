#define BOOST_TEST_MODULE new_delete
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <string>

// Real exhaustion below asks malloc for more than the address space; under AddressSanitizer that
// must return nullptr, as it does without it, instead of ending the process.
#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_CHAOS_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_CHAOS_TEST_ASAN 1
#endif
#endif
#ifdef ALLOC_CHAOS_TEST_ASAN
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }
#endif

// Clang does not declare the sized forms unless -fsized-deallocation; the bridge defines them all.
#ifndef __cpp_sized_deallocation
void operator delete(void* p, std::size_t size) noexcept;
void operator delete[](void* p, std::size_t size) noexcept;
void operator delete(void* p, std::size_t size, std::align_val_t alignment) noexcept;
void operator delete[](void* p, std::size_t size, std::align_val_t alignment) noexcept;
#endif

using alloc_chaos::allocation;
using alloc_chaos::checker;
using alloc_chaos::finding_kind;
using alloc_chaos::injected_bad_alloc;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using test_bodies::plain;
using test_bodies::sink;

namespace {

constexpr std::align_val_t page{4096};

// What failing the body's first attempt did: the report, and what the allocating call showed.
struct first_failure {
    report result;
    std::optional<allocation> thrown;  // the allocation an injected_bad_alloc carried
    bool returned_nullptr = false;
};

// Runs a check failing only attempt #0, the call `allocate`, whose block `free` releases.
template <class Allocate, class Free>
first_failure fail_first(Allocate allocate, Free free) {
    first_failure f;
    f.result = checker{}.only_failure(0).run([&] {
        try {
            sink = allocate();
        } catch (const injected_bad_alloc& e) {
            f.thrown = e.allocation();
            return;
        }
        if (sink == nullptr) {
            f.returned_nullptr = true;
            return;
        }
        free(sink);
    });
    return f;
}

std::optional<allocation> injected(const report& r) {
    return r.attempts().size() == 1 ? r.attempts()[0].injected_allocation() : std::nullopt;
}

bool aligned_to(const void* p, std::align_val_t a) {
    return reinterpret_cast<std::uintptr_t>(p) % static_cast<std::size_t>(a) == 0;
}

}  // namespace

// ---- the throwing forms ----

BOOST_AUTO_TEST_CASE(operator_new_is_observed_with_its_size_and_the_default_alignment_and_throws) {
    const auto f = fail_first([] { return ::operator new(24); }, [](void* p) { ::operator delete(p); });
    const allocation expected(0, operation::operator_new, 24, plain, false);
    BOOST_TEST((injected(f.result) == expected));
    BOOST_TEST((f.thrown == expected));
}

BOOST_AUTO_TEST_CASE(operator_new_array_is_observed_with_its_size_and_the_default_alignment_and_throws) {
    const auto f = fail_first([] { return ::operator new[](24); }, [](void* p) { ::operator delete[](p); });
    const allocation expected(0, operation::operator_new_array, 24, plain, false);
    BOOST_TEST((injected(f.result) == expected));
    BOOST_TEST((f.thrown == expected));
}

BOOST_AUTO_TEST_CASE(aligned_operator_new_is_observed_with_its_size_and_alignment_and_throws) {
    const auto f = fail_first([] { return ::operator new(24, std::align_val_t(64)); },
                              [](void* p) { ::operator delete(p, std::align_val_t(64)); });
    const allocation expected(0, operation::operator_new, 24, 64, false);
    BOOST_TEST((injected(f.result) == expected));
    BOOST_TEST((f.thrown == expected));
}

BOOST_AUTO_TEST_CASE(aligned_operator_new_array_is_observed_with_its_size_and_alignment_and_throws) {
    const auto f = fail_first([] { return ::operator new[](24, std::align_val_t(64)); },
                              [](void* p) { ::operator delete[](p, std::align_val_t(64)); });
    const allocation expected(0, operation::operator_new_array, 24, 64, false);
    BOOST_TEST((injected(f.result) == expected));
    BOOST_TEST((f.thrown == expected));
}

BOOST_AUTO_TEST_CASE(a_failure_escaping_a_throwing_form_ends_the_run_in_bad_alloc_with_its_what) {
    const report r = checker{}.only_failure(0).run([] {
        sink = ::operator new[](40, std::align_val_t(32));
        ::operator delete[](sink, std::align_val_t(32));
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].outcome() == outcome::bad_alloc);
    BOOST_TEST(r.attempts()[0].message() == "alloc-chaos injected failure of attempt #0 operator new[] size=40 align=32");
}

// ---- the nothrow forms ----

BOOST_AUTO_TEST_CASE(nothrow_operator_new_is_observed_as_nothrow_and_returns_nullptr) {
    const auto f = fail_first([] { return ::operator new(24, std::nothrow); }, [](void* p) { ::operator delete(p); });
    BOOST_TEST((injected(f.result) == allocation(0, operation::operator_new, 24, plain, true)));
    BOOST_TEST(f.returned_nullptr);
    BOOST_TEST(!f.thrown.has_value());
}

BOOST_AUTO_TEST_CASE(nothrow_operator_new_array_is_observed_as_nothrow_and_returns_nullptr) {
    const auto f =
        fail_first([] { return ::operator new[](24, std::nothrow); }, [](void* p) { ::operator delete[](p); });
    BOOST_TEST((injected(f.result) == allocation(0, operation::operator_new_array, 24, plain, true)));
    BOOST_TEST(f.returned_nullptr);
    BOOST_TEST(!f.thrown.has_value());
}

BOOST_AUTO_TEST_CASE(aligned_nothrow_operator_new_is_observed_as_nothrow_and_returns_nullptr) {
    const auto f = fail_first([] { return ::operator new(24, std::align_val_t(64), std::nothrow); },
                              [](void* p) { ::operator delete(p, std::align_val_t(64)); });
    BOOST_TEST((injected(f.result) == allocation(0, operation::operator_new, 24, 64, true)));
    BOOST_TEST(f.returned_nullptr);
    BOOST_TEST(!f.thrown.has_value());
}

BOOST_AUTO_TEST_CASE(aligned_nothrow_operator_new_array_is_observed_as_nothrow_and_returns_nullptr) {
    const auto f = fail_first([] { return ::operator new[](24, std::align_val_t(64), std::nothrow); },
                              [](void* p) { ::operator delete[](p, std::align_val_t(64)); });
    BOOST_TEST((injected(f.result) == allocation(0, operation::operator_new_array, 24, 64, true)));
    BOOST_TEST(f.returned_nullptr);
    BOOST_TEST(!f.thrown.has_value());
}

BOOST_AUTO_TEST_CASE(a_nothrow_failure_the_body_handles_ends_the_run_completed) {
    const report r = checker{}.only_failure(0).run([] {
        sink = ::operator new(8, std::nothrow);
        ::operator delete(sink);  // nullptr when failed: a no-op
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].outcome() == outcome::completed);
    BOOST_TEST(r.attempts()[0].message() == "");
    BOOST_TEST(r.attempts()[0].success());
}

BOOST_AUTO_TEST_CASE(a_nothrow_block_leaked_on_a_failure_path_is_found_like_a_throwing_ones) {
    void* first = nullptr;
    const report r = checker{}.only_failure(1).call_stacks(false).run([&] {
        first = ::operator new(16, std::nothrow);
        void* second = ::operator new(32, std::nothrow);
        if (second == nullptr)
            return;  // leaks `first`
        ::operator delete(second);
        ::operator delete(first);
        first = nullptr;
    });
    ::operator delete(first);  // after the check: the leak is found, not left to LeakSanitizer
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const auto found = r.attempts()[0].findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::leak);
    BOOST_TEST((found[0].allocation() == allocation(0, operation::operator_new, 16, plain, true)));
}

// ---- new-expressions reach the same forms ----

BOOST_AUTO_TEST_CASE(a_new_expression_of_an_over_aligned_type_uses_aligned_operator_new) {
    struct alignas(128) over_aligned {
        char bytes[128];
    };
    const report r = checker{}.only_failure(0).run([] {
        sink = new over_aligned;
        delete static_cast<over_aligned*>(sink);
    });
    BOOST_TEST((injected(r) == allocation(0, operation::operator_new, sizeof(over_aligned), 128, false)));
}

BOOST_AUTO_TEST_CASE(a_new_array_expression_uses_operator_new_array) {
    const report r = checker{}.only_failure(0).run([] {
        sink = new char[10];
        delete[] static_cast<char*>(sink);
    });
    BOOST_TEST((injected(r) == allocation(0, operation::operator_new_array, 10, plain, false)));
}

// ---- what every form serves ----

BOOST_AUTO_TEST_CASE(every_form_serves_usable_memory_outside_a_check) {
    void* blocks[8] = {
        ::operator new(100),
        ::operator new[](100),
        ::operator new(100, std::align_val_t(64)),
        ::operator new[](100, std::align_val_t(64)),
        ::operator new(100, std::nothrow),
        ::operator new[](100, std::nothrow),
        ::operator new(100, std::align_val_t(64), std::nothrow),
        ::operator new[](100, std::align_val_t(64), std::nothrow),
    };
    for (void* p : blocks) {
        BOOST_TEST_REQUIRE(p != nullptr);
        std::memset(p, 0xAB, 100);
    }
    ::operator delete(blocks[0]);
    ::operator delete[](blocks[1]);
    ::operator delete(blocks[2], std::align_val_t(64));
    ::operator delete[](blocks[3], std::align_val_t(64));
    ::operator delete(blocks[4]);
    ::operator delete[](blocks[5]);
    ::operator delete(blocks[6], std::align_val_t(64));
    ::operator delete[](blocks[7], std::align_val_t(64));
}

BOOST_AUTO_TEST_CASE(aligned_forms_return_blocks_really_aligned_to_4096) {
    void* blocks[4] = {
        ::operator new(10, page),
        ::operator new[](10, page),
        ::operator new(10, page, std::nothrow),
        ::operator new[](10, page, std::nothrow),
    };
    for (void* p : blocks)
        BOOST_TEST(aligned_to(p, page));
    ::operator delete(blocks[0], page);
    ::operator delete[](blocks[1], page);
    ::operator delete(blocks[2], page);
    ::operator delete[](blocks[3], page);
}

BOOST_AUTO_TEST_CASE(aligned_forms_return_blocks_really_aligned_to_4096_inside_a_check) {
    bool all_aligned = true;
    const report r = alloc_chaos::check([&] {
        sink = ::operator new(10, page);
        all_aligned = all_aligned && aligned_to(sink, page);
        ::operator delete(sink, page);
        sink = ::operator new[](10, page, std::nothrow);
        all_aligned = all_aligned && (sink == nullptr || aligned_to(sink, page));
        ::operator delete[](sink, page);
    });
    BOOST_TEST(r.success());
    BOOST_TEST(all_aligned);
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::operator_new, 10, 4096, false)));
    BOOST_TEST((r.attempts()[1].injected_allocation() == allocation(1, operation::operator_new_array, 10, 4096, true)));
}

BOOST_AUTO_TEST_CASE(unaligned_forms_return_blocks_aligned_to_the_default_new_alignment) {
    void* a = ::operator new(1);
    void* b = ::operator new[](3, std::nothrow);
    BOOST_TEST(aligned_to(a, std::align_val_t(plain)));
    BOOST_TEST(aligned_to(b, std::align_val_t(plain)));
    ::operator delete(a);
    ::operator delete[](b);
}

BOOST_AUTO_TEST_CASE(an_alignment_below_the_default_is_recorded_as_requested) {
    const auto f = fail_first([] { return ::operator new(3, std::align_val_t(2)); },
                              [](void* p) { ::operator delete(p, std::align_val_t(2)); });
    BOOST_TEST((injected(f.result) == allocation(0, operation::operator_new, 3, 2, false)));
}

BOOST_AUTO_TEST_CASE(zero_size_new_returns_distinct_non_null_pointers) {
    void* a = ::operator new(0);
    void* b = ::operator new(0);
    void* c = ::operator new[](0);
    void* d = ::operator new(0, std::align_val_t(64));
    void* e = ::operator new[](0, std::nothrow);
    void* blocks[5] = {a, b, c, d, e};
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST(blocks[i] != nullptr);
        for (int j = i + 1; j < 5; ++j)
            BOOST_TEST(blocks[i] != blocks[j]);
    }
    ::operator delete(a);
    ::operator delete(b);
    ::operator delete[](c);
    ::operator delete(d, std::align_val_t(64));
    ::operator delete[](e);
}

BOOST_AUTO_TEST_CASE(zero_size_new_is_an_attempt) {
    const report r = alloc_chaos::check([] {
        sink = ::operator new(0);
        ::operator delete(sink);
        sink = ::operator new[](0, std::nothrow);
        ::operator delete[](sink);
    });
    BOOST_TEST(r.success());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::operator_new, 0, plain, false)));
    BOOST_TEST((r.attempts()[1].injected_allocation() == allocation(1, operation::operator_new_array, 0, plain, true)));
}

// ---- every delete form frees, and is never counted ----

BOOST_AUTO_TEST_CASE(plain_delete_frees_and_is_never_counted) {
    const report r = alloc_chaos::check([] {
        sink = ::operator new(16);
        ::operator delete(sink);
        sink = ::operator new[](16);
        ::operator delete[](sink);
    });
    BOOST_TEST(r.baseline_allocations() == 2u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(sized_delete_frees_and_is_never_counted) {
    const report r = alloc_chaos::check([] {
        sink = ::operator new(16);
        ::operator delete(sink, 16);
        sink = ::operator new[](16);
        ::operator delete[](sink, 16);
    });
    BOOST_TEST(r.baseline_allocations() == 2u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(aligned_delete_frees_and_is_never_counted) {
    const report r = alloc_chaos::check([] {
        sink = ::operator new(16, page);
        ::operator delete(sink, page);
        sink = ::operator new[](16, page);
        ::operator delete[](sink, page);
    });
    BOOST_TEST(r.baseline_allocations() == 2u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(sized_aligned_delete_frees_and_is_never_counted) {
    const report r = alloc_chaos::check([] {
        sink = ::operator new(16, page);
        ::operator delete(sink, 16, page);
        sink = ::operator new[](16, page);
        ::operator delete[](sink, 16, page);
    });
    BOOST_TEST(r.baseline_allocations() == 2u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(nothrow_delete_frees_and_is_never_counted) {
    const report r = alloc_chaos::check([] {
        sink = ::operator new(16, std::nothrow);
        ::operator delete(sink, std::nothrow);
        sink = ::operator new[](16, std::nothrow);
        ::operator delete[](sink, std::nothrow);
    });
    BOOST_TEST(r.baseline_allocations() == 2u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(aligned_nothrow_delete_frees_and_is_never_counted) {
    const report r = alloc_chaos::check([] {
        sink = ::operator new(16, page, std::nothrow);
        ::operator delete(sink, page, std::nothrow);
        sink = ::operator new[](16, page, std::nothrow);
        ::operator delete[](sink, page, std::nothrow);
    });
    BOOST_TEST(r.baseline_allocations() == 2u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(deleting_nullptr_with_every_form_does_nothing_and_is_never_counted) {
    const report r = alloc_chaos::check([] {
        ::operator delete(nullptr);
        ::operator delete[](nullptr);
        ::operator delete(nullptr, 8);
        ::operator delete[](nullptr, 8);
        ::operator delete(nullptr, page);
        ::operator delete[](nullptr, page);
        ::operator delete(nullptr, 8, page);
        ::operator delete[](nullptr, 8, page);
        ::operator delete(nullptr, std::nothrow);
        ::operator delete[](nullptr, std::nothrow);
        ::operator delete(nullptr, page, std::nothrow);
        ::operator delete[](nullptr, page, std::nothrow);
    });
    BOOST_TEST(r.baseline_allocations() == 0u);
}

BOOST_AUTO_TEST_CASE(blocks_from_before_a_check_are_freed_inside_it_uncounted) {
    void* before = ::operator new(64);
    const report r = checker{}.max_failures(0).run([&] {
        ::operator delete(before);
        alloc_chaos::unobserved refill;  // the next run frees a block too
        before = ::operator new(64);
    });
    ::operator delete(before);
    BOOST_TEST(r.baseline_allocations() == 0u);
}

// ---- real exhaustion ----

BOOST_AUTO_TEST_CASE(on_real_exhaustion_a_throwing_form_calls_the_new_handler_then_throws_plain_bad_alloc) {
    static int handler_calls = 0;
    handler_calls = 0;
    std::set_new_handler([] {
        if (++handler_calls == 3)
            std::set_new_handler(nullptr);
    });
    volatile std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
    bool plain_bad_alloc = false;
    try {
        sink = ::operator new(huge);
    } catch (const injected_bad_alloc&) {
    } catch (const std::bad_alloc&) {
        plain_bad_alloc = true;
    }
    std::set_new_handler(nullptr);
    BOOST_TEST(plain_bad_alloc);
    BOOST_TEST(handler_calls == 3);
}

BOOST_AUTO_TEST_CASE(on_real_exhaustion_a_nothrow_form_returns_nullptr_when_the_new_handler_throws) {
    static int handler_calls = 0;
    handler_calls = 0;
    std::set_new_handler([] {
        ++handler_calls;
        throw std::bad_alloc();
    });
    volatile std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
    void* p = ::operator new(huge, page, std::nothrow);
    std::set_new_handler(nullptr);
    BOOST_TEST(p == nullptr);
    BOOST_TEST(handler_calls == 1);
}

BOOST_AUTO_TEST_CASE(on_real_exhaustion_without_a_new_handler_a_nothrow_form_returns_nullptr) {
    volatile std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
    BOOST_TEST(::operator new[](huge, std::nothrow) == nullptr);
}
