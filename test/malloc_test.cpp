#define BOOST_TEST_MODULE malloc
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

// Linked with alloc_chaos::malloc and the global bridge (alloc_chaos::new_delete): the C
// allocator's functions are a source, and operator new, served by glibc's allocator under the
// bridge, still counts once.

using alloc_chaos::allocation;
using alloc_chaos::attempts_of;
using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using test_bodies::sink;

namespace {

// The alignment malloc, calloc and realloc report.
constexpr std::size_t fundamental = alignof(std::max_align_t);

// One nothrow attempt of the C allocator.
allocation c_attempt(std::size_t index, operation op, std::size_t size, std::size_t alignment = fundamental) {
    return allocation(index, op, size, alignment, true);
}

std::vector<allocation> expected(std::initializer_list<allocation> list) { return list; }

// A count whose product by 3 overflows, hidden from the compiler, which would refuse the call.
volatile std::size_t huge_count = SIZE_MAX / 2;

// What a body saw of a call: its result and errno right after it.
struct seen {
    void* block = reinterpret_cast<void*>(1);  // never a result
    int error = 0;
};

bool aligned(const void* p, std::size_t alignment) { return reinterpret_cast<std::uintptr_t>(p) % alignment == 0; }

// The only failure the check injected, when it injected one and ran one target.
std::optional<allocation> injected(const report& r) {
    return r.attempts().size() == 1 ? r.attempts()[0].injected_allocation() : std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(attempts)

BOOST_AUTO_TEST_CASE(malloc_is_one_attempt_of_its_size_at_the_fundamental_alignment) {
    const auto got = attempts_of([] {
        sink = std::malloc(24);
        std::free(sink);
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::malloc, 24)}), boost::test_tools::per_element());
}

// Its destructor registered on this thread's first check (by a calloc of glibc's), the engine's
// own thread_local makes no attempt: on a fresh thread, the body's malloc is attempt #0.
BOOST_AUTO_TEST_CASE(the_first_check_of_a_thread_counts_the_bodys_attempts_alone) {
    std::vector<allocation> got;
    std::thread([&] {
        got = attempts_of([] {
            sink = std::malloc(24);
            std::free(sink);
        });
    }).join();
    BOOST_TEST(got == expected({c_attempt(0, operation::malloc, 24)}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_thread_locals_destructor_registration_is_no_attempt) {
    const auto got = attempts_of([] {
        static thread_local std::string cached;  // its destructor registered here, on first use
        cached.clear();
    });
    BOOST_TEST(got.empty());
}

BOOST_AUTO_TEST_CASE(malloc_of_0_is_an_attempt_of_size_0) {
    const auto got = attempts_of([] {
        sink = std::malloc(0);
        std::free(sink);
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::malloc, 0)}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(calloc_is_one_attempt_of_the_product) {
    const auto got = attempts_of([] {
        sink = std::calloc(3, 8);
        std::free(sink);
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::calloc, 24)}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(calloc_whose_product_overflows_is_enomem_and_no_attempt) {
    seen s;
    const auto got = attempts_of([&] {
        errno = 0;
        s.block = std::calloc(huge_count, 3);
        s.error = errno;
    });
    BOOST_TEST(got.empty());
    BOOST_TEST(s.block == nullptr);
    BOOST_TEST(s.error == ENOMEM);
}

BOOST_AUTO_TEST_CASE(realloc_that_grows_then_shrinks_is_one_attempt_each) {
    const auto got = attempts_of([] {
        void* p = std::malloc(16);
        sink = p;
        p = std::realloc(p, 4096);
        sink = p;
        p = std::realloc(p, 8);
        sink = p;
        std::free(p);
    });
    BOOST_TEST(got ==
                   expected({c_attempt(0, operation::malloc, 16), c_attempt(1, operation::realloc, 4096),
                             c_attempt(2, operation::realloc, 8)}),
               boost::test_tools::per_element());
}

// Whatever the compiler makes of the call: GCC calls malloc(32) for realloc(nullptr, 32).
BOOST_AUTO_TEST_CASE(realloc_of_null_is_a_malloc_attempt) {
    void* volatile null = nullptr;
    const auto got = attempts_of([&] {
        sink = std::realloc(null, 32);
        std::free(sink);
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::malloc, 32)}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(realloc_to_0_frees_the_block_and_is_no_attempt) {
    void* result = reinterpret_cast<void*>(1);
    const report r = check([&] {
        void* p = std::malloc(16);
        if (p == nullptr)
            return;
        sink = p;
        result = std::realloc(p, 0);
    });
    BOOST_TEST(result == nullptr);
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST(r.baseline().findings().empty());  // the block is freed: no leak
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(reallocarray_is_one_realloc_attempt_of_the_product) {
    const auto got = attempts_of([] {
        void* p = std::malloc(8);
        sink = p;
        p = reallocarray(p, 10, 12);
        sink = p;
        std::free(p);
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::malloc, 8), c_attempt(1, operation::realloc, 120)}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reallocarray_whose_product_overflows_is_enomem_and_no_attempt_and_keeps_the_block) {
    seen s;
    const auto got = attempts_of([&] {
        void* p = std::malloc(8);
        sink = p;
        errno = 0;
        s.block = reallocarray(p, huge_count, 3);
        s.error = errno;
        std::free(s.block == nullptr ? sink : s.block);  // sink: p, which GCC takes for freed
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::malloc, 8)}), boost::test_tools::per_element());
    BOOST_TEST(s.block == nullptr);
    BOOST_TEST(s.error == ENOMEM);
}

BOOST_AUTO_TEST_CASE(aligned_alloc_is_an_aligned_alloc_attempt_of_its_alignment) {
    bool is_aligned = false;
    const auto got = attempts_of([&] {
        sink = std::aligned_alloc(64, 128);
        is_aligned = aligned(sink, 64);
        std::free(sink);
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::aligned_alloc, 128, 64)}), boost::test_tools::per_element());
    BOOST_TEST(is_aligned);
}

BOOST_AUTO_TEST_CASE(posix_memalign_is_an_aligned_alloc_attempt_of_its_alignment) {
    bool is_aligned = false;
    int result = -1;
    const auto got = attempts_of([&] {
        void* p = nullptr;
        result = posix_memalign(&p, 256, 100);
        sink = p;
        is_aligned = aligned(p, 256);
        std::free(p);
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::aligned_alloc, 100, 256)}), boost::test_tools::per_element());
    BOOST_TEST(result == 0);
    BOOST_TEST(is_aligned);
}

BOOST_AUTO_TEST_CASE(posix_memalign_of_an_alignment_not_a_power_of_two_is_einval_and_no_attempt) {
    int result = -1;
    void* out = &result;
    const auto got = attempts_of([&] { result = posix_memalign(&out, 24, 100); });
    BOOST_TEST(got.empty());
    BOOST_TEST(result == EINVAL);
    BOOST_TEST(out == static_cast<void*>(&result));
}

BOOST_AUTO_TEST_CASE(memalign_is_an_aligned_alloc_attempt_of_its_alignment) {
    bool is_aligned = false;
    const auto got = attempts_of([&] {
        sink = memalign(32, 10);
        is_aligned = aligned(sink, 32);
        std::free(sink);
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::aligned_alloc, 10, 32)}), boost::test_tools::per_element());
    BOOST_TEST(is_aligned);
}

BOOST_AUTO_TEST_CASE(valloc_and_pvalloc_are_aligned_alloc_attempts_at_the_page_size) {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    bool is_aligned = false;
    const auto got = attempts_of([&] {
        void* v = valloc(10);
        sink = v;
        void* pv = pvalloc(10);
        sink = pv;
        is_aligned = aligned(v, page) && aligned(pv, page);
        std::free(v);
        std::free(pv);
    });
    BOOST_TEST(got ==
                   expected({c_attempt(0, operation::aligned_alloc, 10, page),
                             c_attempt(1, operation::aligned_alloc, 10, page)}),
               boost::test_tools::per_element());
    BOOST_TEST(is_aligned);
}

BOOST_AUTO_TEST_CASE(strdup_is_one_malloc_attempt_of_its_length_and_terminator) {
    const auto got = attempts_of([] {
        sink = strdup("hello");
        std::free(sink);
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::malloc, 6)}), boost::test_tools::per_element());
}

// glibc 2.36's asprintf: a 100-byte buffer, then the exact copy it returns.
BOOST_AUTO_TEST_CASE(asprintf_makes_glibcs_attempts_through_the_source) {
    const auto got = attempts_of([] {
        char* text = nullptr;
        if (asprintf(&text, "%d apples", 42) >= 0)
            std::free(text);
    });
    BOOST_TEST(got == expected({c_attempt(0, operation::malloc, 100), c_attempt(1, operation::malloc, 10)}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_failure_of_asprintf_is_minus_1_and_leaks_nothing) {
    const report r = check([] {
        char* text = nullptr;
        if (asprintf(&text, "%d apples", 42) < 0)
            throw std::bad_alloc();
        std::free(text);
    });
    BOOST_TEST(r.tested_failures() == 2u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(free_of_null_is_no_attempt) {
    const auto got = attempts_of([] {
        sink = nullptr;
        std::free(sink);
    });
    BOOST_TEST(got.empty());
}

BOOST_AUTO_TEST_CASE(a_throw_is_no_attempt) {
    int caught = 0;
    const auto got = attempts_of([&] {
        try {
            throw 42;
        } catch (int e) {
            caught = e;
        }
    });
    BOOST_TEST(got.empty());
    BOOST_TEST(caught == 42);
}

BOOST_AUTO_TEST_CASE(a_rethrown_exception_ptr_is_no_attempt_beyond_its_exception) {
    int caught = 0;
    const auto got = attempts_of([&] {
        std::exception_ptr e;
        try {
            throw 7;
        } catch (...) {
            e = std::current_exception();
        }
        try {
            std::rethrow_exception(e);
        } catch (int i) {
            caught = i;
        }
    });
    BOOST_TEST(got.empty());
    BOOST_TEST(caught == 7);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(with_the_bridge)

BOOST_AUTO_TEST_CASE(operator_new_is_one_attempt_not_two) {
    const auto got = attempts_of([] {
        sink = ::operator new(40);
        ::operator delete(sink);
    });
    BOOST_TEST(got == expected({allocation(0, operation::operator_new, 40, alloc_chaos::default_new_alignment, false)}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(aligned_operator_new_is_one_attempt_not_two) {
    const auto got = attempts_of([] {
        sink = ::operator new(40, std::align_val_t{128});
        ::operator delete(sink, std::align_val_t{128});
    });
    BOOST_TEST(got == expected({allocation(0, operation::operator_new, 40, 128, false)}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_failed_operator_new_is_one_attempt_and_its_bad_alloc_none) {
    const report r = check([] {
        try {
            sink = ::operator new(40);
            ::operator delete(sink);
        } catch (const std::bad_alloc&) {
        }
    });
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST(r.tested_failures() == 1u);
    BOOST_TEST(r.attempts()[0].observed_allocations() == 1u);
    BOOST_TEST(r.success());
}

// Its ledger (which records each block it hands out, from a calloc) is the library's own memory.
BOOST_AUTO_TEST_CASE(chaos_memory_resource_allocate_is_one_attempt_not_more) {
    alloc_chaos::chaos_memory_resource chaos(alloc_chaos::deallocation_checks::always);
    const auto got = attempts_of([&] {
        void* p = chaos.allocate(64, 8);
        sink = p;
        chaos.deallocate(p, 64, 8);
    });
    BOOST_TEST(got == expected({allocation(0, operation::resource_allocate, 64, 8, false)}),
               boost::test_tools::per_element());
}

// The engine's logs and tables grow as the run goes, from the library's own memory.
BOOST_AUTO_TEST_CASE(a_run_of_20000_live_blocks_counts_each_malloc_once) {
    std::vector<void*> blocks(20000);
    std::size_t mallocs_of_16 = 0;
    const auto got = attempts_of([&] {
        for (void*& b : blocks)
            b = std::malloc(16);
        for (void* b : blocks)
            std::free(b);
    });
    for (const allocation& a : got)
        mallocs_of_16 += a.operation() == operation::malloc && a.size() == 16;
    BOOST_TEST(got.size() == 20000u);
    BOOST_TEST(mallocs_of_16 == 20000u);
}

BOOST_AUTO_TEST_CASE(a_body_mixing_new_and_malloc_counts_each_in_order) {
    const auto body = [] {
        auto text = std::make_unique<std::string>(40, 'x');
        char* copy = strdup(text->c_str());
        if (copy == nullptr)
            throw std::bad_alloc();
        sink = copy;
        std::free(copy);
    };
    const auto got = attempts_of(body);
    BOOST_TEST(got ==
                   expected({allocation(0, operation::operator_new, sizeof(std::string), alloc_chaos::default_new_alignment, false),
                             allocation(1, operation::operator_new, 41, alloc_chaos::default_new_alignment, false),
                             c_attempt(2, operation::malloc, 41)}),
               boost::test_tools::per_element());
    const report r = check(body);
    BOOST_TEST(r.tested_failures() == 3u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(failures)

BOOST_AUTO_TEST_CASE(a_failed_malloc_returns_null_with_enomem) {
    seen s;
    const report r = checker{}.only_failure(0).run([&] {
        errno = 0;
        s.block = std::malloc(40);
        s.error = errno;
        std::free(s.block);
    });
    BOOST_TEST(s.block == nullptr);
    BOOST_TEST(s.error == ENOMEM);
    BOOST_TEST((injected(r) == c_attempt(0, operation::malloc, 40)));
}

BOOST_AUTO_TEST_CASE(a_failed_calloc_returns_null_with_enomem) {
    seen s;
    const report r = checker{}.only_failure(0).run([&] {
        errno = 0;
        s.block = std::calloc(5, 8);
        s.error = errno;
        std::free(s.block);
    });
    BOOST_TEST(s.block == nullptr);
    BOOST_TEST(s.error == ENOMEM);
    BOOST_TEST((injected(r) == c_attempt(0, operation::calloc, 40)));
}

BOOST_AUTO_TEST_CASE(a_failed_aligned_alloc_returns_null_with_enomem) {
    seen s;
    const report r = checker{}.only_failure(0).run([&] {
        errno = 0;
        s.block = std::aligned_alloc(4096, 4096);
        s.error = errno;
        std::free(s.block);
    });
    BOOST_TEST(s.block == nullptr);
    BOOST_TEST(s.error == ENOMEM);
    BOOST_TEST((injected(r) == c_attempt(0, operation::aligned_alloc, 4096, 4096)));
}

BOOST_AUTO_TEST_CASE(a_failed_posix_memalign_returns_enomem_and_leaves_its_out_parameter) {
    int result = -1;
    void* out = nullptr;
    const report r = checker{}.only_failure(0).run([&] {
        out = &result;  // each run's own: the baseline's sets it
        result = posix_memalign(&out, 64, 100);
        if (result == 0)
            std::free(out);
    });
    BOOST_TEST(result == ENOMEM);
    BOOST_TEST(out == static_cast<void*>(&result));
    BOOST_TEST((injected(r) == c_attempt(0, operation::aligned_alloc, 100, 64)));
}

BOOST_AUTO_TEST_CASE(a_failed_realloc_returns_null_with_enomem_and_keeps_the_old_block) {
    seen s;
    std::string kept;
    const report r = checker{}.only_failure(1).run([&] {
        auto* p = static_cast<char*>(std::malloc(16));
        if (p == nullptr)
            return;
        std::strcpy(p, "kept");
        sink = p;
        errno = 0;
        s.block = std::realloc(p, 1000);
        s.error = errno;
        if (s.block == nullptr) {  // sink: p, which GCC takes for freed
            kept = static_cast<const char*>(sink);
            std::free(sink);
        } else {
            std::free(s.block);
        }
    });
    BOOST_TEST(s.block == nullptr);
    BOOST_TEST(s.error == ENOMEM);
    BOOST_TEST(kept == "kept");
    BOOST_TEST((injected(r) == c_attempt(1, operation::realloc, 1000)));
    BOOST_TEST(r.attempts()[0].findings().empty());  // the old block was freed, once
}

BOOST_AUTO_TEST_CASE(a_failed_realloc_leaves_the_old_block_live_so_dropping_it_is_a_leak) {
    const report r = checker{}.only_failure(1).run([] {
        void* p = std::malloc(16);
        if (p == nullptr)
            return;
        sink = p;
        void* q = std::realloc(p, 1000);
        std::free(q);  // the classic bug: p is lost when realloc fails
    });
    BOOST_TEST(r.attempts().size() == 1u);
    const auto findings = r.attempts()[0].findings();
    BOOST_TEST_REQUIRE(findings.size() == 1u);
    BOOST_TEST(findings[0].kind() == finding_kind::leak);
    BOOST_TEST((findings[0].allocation() == c_attempt(0, operation::malloc, 16)));
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(every_failure_of_a_careful_body_passes) {
    const report r = check([] {
        char* a = strdup("alpha");
        if (a == nullptr)
            return;
        void* grown = std::realloc(a, 100);
        if (grown == nullptr) {
            std::free(a);
            return;
        }
        void* zeroes = std::calloc(4, 4);
        sink = zeroes;
        std::free(zeroes);
        std::free(grown);
    });
    BOOST_TEST(r.tested_failures() == 3u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(leaks)

BOOST_AUTO_TEST_CASE(a_leaked_strdup_block_is_found_at_its_attempt) {
    const report r = check([] {
        void* a = std::malloc(8);
        sink = a;
        sink = strdup("hello");  // never freed
        std::free(a);
    });
    std::free(sink);
    const auto findings = r.baseline().findings();
    BOOST_TEST_REQUIRE(findings.size() == 1u);
    BOOST_TEST(findings[0].kind() == finding_kind::leak);
    BOOST_TEST((findings[0].allocation() == c_attempt(1, operation::malloc, 6)));
    BOOST_TEST(findings[0].message() == "the block of #1 malloc size=6 align=16 nothrow is still live after the run");
    BOOST_TEST(!r.success());
}

BOOST_AUTO_TEST_CASE(a_leaked_block_that_realloc_moved_is_found_at_the_realloc) {
    const report r = check([] {
        void* p = std::malloc(16);
        if (p == nullptr)
            return;
        sink = p;
        void* moved = std::realloc(p, 1 << 20);  // past the mmap threshold: a new block
        if (moved == nullptr) {
            std::free(p);
            return;
        }
        sink = moved;
    });
    std::free(sink);
    const auto findings = r.baseline().findings();
    BOOST_TEST_REQUIRE(findings.size() == 1u);
    BOOST_TEST((findings[0].allocation() == c_attempt(1, operation::realloc, 1 << 20)));
}

BOOST_AUTO_TEST_CASE(a_leak_in_a_worker_process_is_found_at_its_attempt) {
    const report r = checker{}.processes(2).run([] {
        char* first = strdup("kept");
        if (first == nullptr)
            throw std::bad_alloc();
        sink = first;
        char* second = strdup("lost");
        if (second == nullptr)
            throw std::bad_alloc();  // the bug: `first` leaks
        sink = second;
        std::free(second);
        std::free(first);
    });
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.tested_failures() == 2u);
    BOOST_TEST(r.attempts()[0].success());
    const alloc_chaos::attempt& second_failed = r.attempts()[1];
    BOOST_TEST(second_failed.outcome() == outcome::bad_alloc);
    BOOST_TEST((second_failed.injected_allocation() == c_attempt(1, operation::malloc, 5)));
    BOOST_TEST_REQUIRE(second_failed.findings().size() == 1u);
    BOOST_TEST(second_failed.findings()[0].kind() == finding_kind::leak);
    BOOST_TEST((second_failed.findings()[0].allocation() == c_attempt(0, operation::malloc, 5)));
}

// A thread, started before the check, that frees with free() each block handed to it.
class freeing_thread {
public:
    freeing_thread() : thread_([this] {
        while (!stop_.load()) {
            if (void* block = slot_.load()) {
                std::free(block);
                slot_.store(nullptr);
            }
            std::this_thread::yield();
        }
    }) {}
    ~freeing_thread() {
        stop_.store(true);
        thread_.join();
    }
    // Hands `block` over and waits until it is freed there.
    void free_there(void* block) {
        slot_.store(block);
        while (slot_.load() != nullptr)
            std::this_thread::yield();
    }

private:
    std::atomic<void*> slot_{nullptr};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

BOOST_AUTO_TEST_CASE(a_block_freed_on_another_thread_is_no_leak) {
    freeing_thread other;
    const report r = check([&] {
        void* p = std::malloc(48);
        if (p == nullptr)
            throw std::bad_alloc();
        other.free_there(p);
    });
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST(r.tested_failures() == 1u);
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_CASE(a_freed_calloc_block_is_no_leak) {
    const report r = check([] {
        sink = std::calloc(2, 16);
        std::free(sink);
    });
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST(r.success());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(blocks)

BOOST_AUTO_TEST_CASE(calloc_zeroes_a_reused_block) {
    bool zero = false;
    attempts_of([&] {
        auto* dirty = static_cast<unsigned char*>(std::malloc(64));
        std::memset(dirty, 0xab, 64);
        sink = dirty;
        std::free(dirty);
        auto* fresh = static_cast<unsigned char*>(std::calloc(8, 8));  // glibc hands the same chunk back
        sink = fresh;
        zero = fresh != nullptr;
        for (std::size_t i = 0; zero && i < 64; ++i)
            zero = fresh[i] == 0;
        std::free(fresh);
    });
    BOOST_TEST(zero);
}

BOOST_AUTO_TEST_CASE(malloc_usable_size_is_glibcs) {
    void* p = std::malloc(100);
    sink = p;
    BOOST_TEST(malloc_usable_size(p) == 104u);  // glibc on 64 bits: a 112-byte chunk, 8 of header
    std::free(p);
    BOOST_TEST(malloc_usable_size(nullptr) == 0u);
}

BOOST_AUTO_TEST_CASE(a_realloc_keeps_the_contents) {
    std::string moved;
    attempts_of([&] {
        auto* p = static_cast<char*>(std::malloc(8));
        std::strcpy(p, "content");
        auto* q = static_cast<char*>(std::realloc(p, 1 << 20));
        moved = q;
        std::free(q);
    });
    BOOST_TEST(moved == "content");
}

BOOST_AUTO_TEST_SUITE_END()
