#define BOOST_TEST_MODULE allocator
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"
#include "test_scopes.hpp"

#include <boost/container/flat_map.hpp>
#include <boost/container/vector.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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
using alloc_chaos::checker;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::release_function;
using alloc_chaos::report;
using test_bodies::kept_blocks;
using test_bodies::sink;
using test_scopes::captured_stderr;

namespace {

template <class T>
using chaos_allocator = alloc_chaos::allocator<T>;

// 24 bytes at alignment 8: n of them make a request of 24 * n bytes.
struct three_longs {
    long a, b, c;
};
static_assert(sizeof(three_longs) == 24 && alignof(three_longs) == 8);

struct alignas(64) cache_line {
    unsigned char bytes[64];
};

// The attempt #index of allocator<T>::allocate(n) for a T of `size` bytes at `alignment`.
constexpr allocation allocator_attempt(std::size_t index, std::size_t bytes, std::size_t alignment) {
    return allocation(index, operation::allocator_allocate, bytes, alignment, false);
}

// The body must compute the right thing when nothing fails; the check sees only what escapes it.
void expect(bool condition, const char* what) {
    if (!condition) {
        alloc_chaos::unobserved own_error;
        throw std::logic_error(what);
    }
}

std::string text_of(const report& r) {
    std::ostringstream out;
    out << r;
    return out.str();
}

// The check passed: exhaustive over two baseline runs, each of its `expected` attempts an
// allocator allocate of the size shown, failed in its run, and nothing found in any run.
void expect_passed_with_attempts(const report& r, const std::vector<allocation>& expected) {
    BOOST_TEST(r.success(), text_of(r));
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.baseline_allocations() == expected.size());
    BOOST_TEST_REQUIRE(r.attempts().size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        BOOST_TEST((r.attempts()[i].injected_allocation() == expected[i]), "attempt #" << i);
        BOOST_TEST(r.attempts()[i].findings().empty(), "run failing #" << i);
    }
}

// The allocator attempts that `std_attempts` (the same body with std::allocator, through the
// bridge: operator new of the default alignment) become with allocator<T>: the same sizes in the
// same order, at the alignment of the type each allocates (`alignment`, the same for all here).
std::vector<allocation> as_allocator_attempts(const std::vector<allocation>& std_attempts, std::size_t alignment) {
    std::vector<allocation> converted;
    for (const allocation& a : std_attempts) {
        BOOST_TEST(a.operation() == operation::operator_new);
        converted.push_back(allocator_attempt(a.index(), a.size(), alignment));
    }
    return converted;
}

// The misuse allocator_misuse() kept after its first `before` entries.
std::vector<finding> misuse_since(std::size_t before) {
    const std::vector<finding> all = alloc_chaos::allocator_misuse();
    BOOST_TEST_REQUIRE(all.size() >= before);
    return {all.begin() + static_cast<std::ptrdiff_t>(before), all.end()};
}

// The one finding of the check's baseline run: of `kind`, about `concerned`, saying `message`.
void only_baseline_finding_is(const report& r, finding_kind kind, const std::optional<allocation>& concerned,
                              const std::string& message) {
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u, text_of(r));
    BOOST_TEST(found[0].kind() == kind);
    BOOST_TEST((found[0].allocation() == concerned));
    BOOST_TEST(found[0].message() == message);
}

// ---- the bodies, one per container, written for any allocator template ----

template <template <class> class Alloc>
void vector_body() {
    std::vector<int, Alloc<int>> v;
    for (int i = 0; i < 5; ++i)
        v.push_back(i);  // capacities 1, 2, 4, 8
    sink = v.data();
    expect(v.size() == 5 && v[4] == 4, "vector: wrong contents");
}

template <template <class> class Alloc>
void map_body() {
    std::map<int, int, std::less<int>, Alloc<std::pair<const int, int>>> m;
    for (int i = 0; i < 6; ++i)
        m.emplace(i, i * i);
    m.erase(2);
    auto copy = m;
    copy[100] = 1;
    sink = &copy.begin()->second;
    expect(m.size() == 5 && copy.size() == 6 && copy.at(5) == 25, "map: wrong contents");
}

template <template <class> class Alloc>
void unordered_map_body() {
    std::unordered_map<int, int, std::hash<int>, std::equal_to<int>, Alloc<std::pair<const int, int>>> m;
    for (int i = 0; i < 12; ++i)
        m.emplace(i, -i);
    m.rehash(64);
    auto copy = m;
    copy.erase(3);
    sink = &copy.begin()->second;
    expect(m.size() == 12 && copy.size() == 11 && copy.at(11) == -11, "unordered_map: wrong contents");
}

// Longer than any small-string buffer: each string made of it allocates.
constexpr const char* long_text = "every attempt is failed in turn, one per run, until each has been";

template <template <class> class Alloc>
void string_body() {
    using string = std::basic_string<char, std::char_traits<char>, Alloc<char>>;
    string s(long_text);
    s += long_text;
    string t = s.substr(10, 40);
    s.reserve(1000);
    sink = t.data();
    expect(s.size() == 130 && t.size() == 40, "string: wrong contents");
}

template <template <class> class Alloc>
void shared_body() {
    std::shared_ptr<three_longs> p = std::allocate_shared<three_longs>(Alloc<three_longs>(), three_longs{1, 2, 3});
    std::shared_ptr<three_longs> q = p;
    sink = q.get();
    expect(p->c == 3 && p.use_count() == 2, "allocate_shared: wrong contents");
}

template <template <class> class Alloc>
void boost_vector_body() {
    boost::container::vector<int, Alloc<int>> v;
    for (int i = 0; i < 20; ++i)
        v.push_back(i);
    v.shrink_to_fit();
    sink = v.data();
    expect(v.size() == 20 && v[19] == 19, "boost::container::vector: wrong contents");
}

template <template <class> class Alloc>
void boost_flat_map_body() {
    boost::container::flat_map<int, int, std::less<int>, Alloc<std::pair<int, int>>> m;
    for (int i = 10; i > 0; --i)
        m.emplace(i, i);
    m.erase(5);
    auto copy = m;
    sink = &copy.begin()->second;
    expect(m.size() == 9 && copy.nth(0)->first == 1, "boost::container::flat_map: wrong contents");
}

// The check of `body` with allocator<T> passes, its attempts those of `std_body` (the same body
// with std::allocator) as allocator attempts of `alignment`, `count` of them (libstdc++'s and
// Boost.Container's growth).
void expect_same_attempts_as_std_allocator(void (*body)(), void (*std_body)(), std::size_t alignment,
                                           std::size_t count) {
    const std::vector<allocation> expected = as_allocator_attempts(alloc_chaos::attempts_of(std_body), alignment);
    BOOST_TEST(expected.size() == count);
    expect_passed_with_attempts(checker{}.stability_runs(2).run(body), expected);
}

}  // namespace

// ---- a standard Allocator ----

BOOST_AUTO_TEST_CASE(its_traits_are_those_of_std_allocator) {
    using traits = std::allocator_traits<chaos_allocator<int>>;
    BOOST_TEST((std::is_same_v<traits::value_type, int>));
    BOOST_TEST((std::is_same_v<traits::size_type, std::size_t>));
    BOOST_TEST((std::is_same_v<traits::difference_type, std::ptrdiff_t>));
    BOOST_TEST(!traits::propagate_on_container_copy_assignment::value);
    BOOST_TEST(traits::propagate_on_container_move_assignment::value);
    BOOST_TEST(!traits::propagate_on_container_swap::value);
    BOOST_TEST(traits::is_always_equal::value);
}

BOOST_AUTO_TEST_CASE(allocator_traits_rebinds_it_to_the_allocator_of_the_other_type) {
    using rebound = std::allocator_traits<chaos_allocator<int>>::rebind_alloc<three_longs>;
    BOOST_TEST((std::is_same_v<rebound, chaos_allocator<three_longs>>));
}

BOOST_AUTO_TEST_CASE(it_converts_from_an_allocator_of_any_type_without_throwing) {
    BOOST_TEST((std::is_nothrow_constructible_v<chaos_allocator<int>, const chaos_allocator<three_longs>&>));
    BOOST_TEST((std::is_nothrow_default_constructible_v<chaos_allocator<int>>));
}

BOOST_AUTO_TEST_CASE(allocators_of_any_types_compare_equal) {
    const chaos_allocator<int> a;
    const chaos_allocator<three_longs> b;
    BOOST_TEST((a == chaos_allocator<int>(b)));
    BOOST_TEST((a == b));
    BOOST_TEST(!(a != b));
}

BOOST_AUTO_TEST_CASE(a_rebound_copy_releases_what_the_original_allocated_without_finding) {
    const std::size_t before = alloc_chaos::allocator_misuse().size();
    const report r = checker{}.max_failures(0).run([] {
        chaos_allocator<int> original;
        chaos_allocator<int> round_trip{chaos_allocator<three_longs>(original)};
        round_trip.deallocate(original.allocate(3), 3);
    });
    BOOST_TEST(r.baseline().outcome() == outcome::completed);
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST(misuse_since(before).empty());
}

BOOST_AUTO_TEST_CASE(deallocate_is_noexcept) {
    chaos_allocator<int> a;
    int* p = nullptr;
    BOOST_TEST(noexcept(a.deallocate(p, 1)));
}

// ---- allocate: one attempt each ----

BOOST_AUTO_TEST_CASE(each_allocate_is_one_attempt_of_n_times_sizeof_t_at_alignof_t) {
    const std::vector<allocation> made = alloc_chaos::attempts_of([] {
        chaos_allocator<three_longs> a;
        three_longs* p = a.allocate(3);
        sink = p;
        a.deallocate(p, 3);
        chaos_allocator<char> c;
        char* s = c.allocate(5);
        sink = s;
        c.deallocate(s, 5);
    });
    BOOST_TEST_REQUIRE(made.size() == 2u);  // the C allocator behind it is no second attempt, nor is deallocate
    BOOST_TEST((made[0] == allocator_attempt(0, 72, 8)));
    BOOST_TEST((made[1] == allocator_attempt(1, 5, 1)));
}

BOOST_AUTO_TEST_CASE(an_over_aligned_type_is_an_attempt_at_its_alignment_and_served_aligned) {
    std::uintptr_t address = 1;
    const std::vector<allocation> made = alloc_chaos::attempts_of([&] {
        chaos_allocator<cache_line> a;
        cache_line* p = a.allocate(2);
        address = reinterpret_cast<std::uintptr_t>(p);
        a.deallocate(p, 2);
    });
    BOOST_TEST_REQUIRE(made.size() == 1u);
    BOOST_TEST((made[0] == allocator_attempt(0, 128, 64)));
    BOOST_TEST(address % 64 == 0u);
}

BOOST_AUTO_TEST_CASE(allocate_of_zero_objects_is_an_attempt_of_size_zero_and_returns_a_block_to_deallocate) {
    const std::size_t before = alloc_chaos::allocator_misuse().size();
    const std::vector<allocation> made = alloc_chaos::attempts_of([] {
        chaos_allocator<int> a;
        int* p = a.allocate(0);
        expect(p != nullptr, "allocate(0) returned nullptr");
        a.deallocate(p, 0);
    });
    BOOST_TEST_REQUIRE(made.size() == 1u);
    BOOST_TEST((made[0] == allocator_attempt(0, 0, alignof(int))));
    BOOST_TEST(misuse_since(before).empty());
}

BOOST_AUTO_TEST_CASE(a_count_whose_size_overflows_throws_bad_array_new_length_and_is_no_attempt) {
    bool thrown = false;
    const std::vector<allocation> made = alloc_chaos::attempts_of([&] {
        chaos_allocator<three_longs> a;
        try {
            sink = a.allocate(SIZE_MAX / sizeof(three_longs) + 1);
        } catch (const std::bad_array_new_length&) {
            thrown = true;
        }
    });
    BOOST_TEST(thrown);
    BOOST_TEST(made.empty());
}

BOOST_AUTO_TEST_CASE(outside_a_check_allocate_serves_writable_memory_and_no_misuse) {
    const std::size_t before = alloc_chaos::allocator_misuse().size();
    chaos_allocator<three_longs> a;
    three_longs* p = a.allocate(4);
    for (std::size_t i = 0; i < 4; ++i)
        p[i] = three_longs{1, 2, static_cast<long>(i)};
    BOOST_TEST(p[3].c == 3);
    a.deallocate(p, 4);
    BOOST_TEST(misuse_since(before).empty());
}

BOOST_AUTO_TEST_CASE(a_failed_attempt_throws_injected_bad_alloc_naming_the_allocation) {
    std::optional<allocation> caught;
    std::string what;
    const report r = checker{}.run([&] {
        chaos_allocator<three_longs> a;
        try {
            sink = a.allocate(2);
            a.deallocate(static_cast<three_longs*>(sink), 2);
        } catch (const alloc_chaos::injected_bad_alloc& e) {
            alloc_chaos::unobserved keeping;  // the copy outlives the run
            caught = e.allocation();
            what = e.what();
            throw;
        }
    });
    BOOST_TEST(r.success(), text_of(r));
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].outcome() == outcome::bad_alloc);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocator_attempt(0, 48, 8)));
    BOOST_TEST((caught == allocator_attempt(0, 48, 8)));
    BOOST_TEST(what == "alloc-chaos injected failure of attempt #0 allocator allocate size=48 align=8");
}

// ---- containers: checked exhaustively, the same allocations as with std::allocator ----

BOOST_AUTO_TEST_CASE(std_vector_passes_with_one_attempt_per_growth) {
    expect_passed_with_attempts(checker{}.stability_runs(2).run(vector_body<chaos_allocator>),
                                {allocator_attempt(0, 4, 4), allocator_attempt(1, 8, 4), allocator_attempt(2, 16, 4),
                                 allocator_attempt(3, 32, 4)});
}

BOOST_AUTO_TEST_CASE(std_map_passes_with_the_allocations_of_std_allocator) {
    expect_same_attempts_as_std_allocator(map_body<chaos_allocator>, map_body<std::allocator>, alignof(void*), 12);
}

BOOST_AUTO_TEST_CASE(std_unordered_map_passes_with_the_allocations_of_std_allocator) {
    expect_same_attempts_as_std_allocator(unordered_map_body<chaos_allocator>, unordered_map_body<std::allocator>,
                                          alignof(void*), 27);
}

BOOST_AUTO_TEST_CASE(std_basic_string_passes_with_the_allocations_of_std_allocator) {
    expect_same_attempts_as_std_allocator(string_body<chaos_allocator>, string_body<std::allocator>, 1, 4);
}

BOOST_AUTO_TEST_CASE(std_allocate_shared_passes_with_one_attempt_for_object_and_count) {
    expect_same_attempts_as_std_allocator(shared_body<chaos_allocator>, shared_body<std::allocator>, alignof(long), 1);
}

BOOST_AUTO_TEST_CASE(boost_container_vector_passes_with_the_allocations_of_std_allocator) {
    expect_same_attempts_as_std_allocator(boost_vector_body<chaos_allocator>, boost_vector_body<std::allocator>,
                                          alignof(int), 9);
}

BOOST_AUTO_TEST_CASE(boost_container_flat_map_passes_with_the_allocations_of_std_allocator) {
    expect_same_attempts_as_std_allocator(boost_flat_map_body<chaos_allocator>, boost_flat_map_body<std::allocator>,
                                          alignof(int), 8);
}

BOOST_AUTO_TEST_CASE(a_vector_of_strings_counts_each_allocator_once_through_rebinds) {
    using string = std::basic_string<char, std::char_traits<char>, chaos_allocator<char>>;
    const report r = checker{}.run([] {
        std::vector<string, chaos_allocator<string>> v;
        v.reserve(2);
        v.emplace_back(long_text);
    });
    expect_passed_with_attempts(r, {allocator_attempt(0, 2 * sizeof(string), alignof(string)),
                                    allocator_attempt(1, std::char_traits<char>::length(long_text) + 1, 1)});
}

BOOST_AUTO_TEST_CASE(in_worker_processes_a_vector_check_passes_with_the_same_attempts) {
    expect_passed_with_attempts(checker{}.processes(2).run(vector_body<chaos_allocator>),
                                {allocator_attempt(0, 4, 4), allocator_attempt(1, 8, 4), allocator_attempt(2, 16, 4),
                                 allocator_attempt(3, 32, 4)});
}

BOOST_AUTO_TEST_CASE(in_worker_processes_a_misuse_is_a_finding_with_its_facts) {
    const report r = checker{}.processes(2).max_failures(0).run([] {
        chaos_allocator<long> a;
        long* p = a.allocate(3);
        a.deallocate(p, 2);
    });
    only_baseline_finding_is(r, finding_kind::size_mismatch, allocator_attempt(0, 24, 8),
        "allocator<T>::deallocate(p, n) for n * sizeof(T) = 16 bytes, of the block of #0 allocator allocate "
        "size=24 align=8: pass the n given to allocate; the block was released with size=24");
    BOOST_TEST((r.baseline().findings()[0].facts().released_by == release_function::allocator_deallocate));
}

// ---- equal allocators: containers move and swap their memory ----

BOOST_AUTO_TEST_CASE(moving_and_swapping_containers_makes_no_attempt) {
    std::vector<int, chaos_allocator<int>> a(3, 7);
    std::vector<int, chaos_allocator<int>> b(5, 9);
    const std::vector<allocation> made = alloc_chaos::attempts_of([&] {
        std::vector<int, chaos_allocator<int>> c(std::move(a));
        b = std::move(c);  // frees b's block, takes c's: no element is moved
        a.swap(b);
    });
    BOOST_TEST(made.empty());
    BOOST_TEST(a.size() == 3u);
    BOOST_TEST(a[2] == 7);
}

BOOST_AUTO_TEST_CASE(copy_assignment_reuses_the_block_when_it_fits) {
    std::vector<int, chaos_allocator<int>> a(3, 7);
    std::vector<int, chaos_allocator<int>> b(5, 9);
    const std::vector<allocation> made = alloc_chaos::attempts_of([&] { b = a; });
    BOOST_TEST(made.empty());
    BOOST_TEST((b == a));
}

// ---- leaks ----

BOOST_AUTO_TEST_CASE(a_block_never_deallocated_is_a_leak_of_the_run) {
    kept_blocks leaked;
    const report r = checker{}.max_failures(0).call_stacks(false).run([&] {
        chaos_allocator<int> a;
        a.deallocate(a.allocate(1), 1);
        leaked.keep(a.allocate(6));
    });
    only_baseline_finding_is(r, finding_kind::leak, allocator_attempt(1, 24, 4),
                             "the block of #1 allocator allocate size=24 align=4 is still live after the run");
    BOOST_TEST((r.baseline().leaked() == alloc_chaos::leak_total{1, 24}));
    leaked.free_all([](void* p) { chaos_allocator<int>().deallocate(static_cast<int*>(p), 6); });
}

BOOST_AUTO_TEST_CASE(a_leak_on_the_failure_path_only_fails_the_check) {
    kept_blocks leaked;
    const report r = checker{}.call_stacks(false).run([&] {
        chaos_allocator<three_longs> a;
        three_longs* first = a.allocate(1);
        try {
            a.deallocate(a.allocate(2), 2);
        } catch (const std::bad_alloc&) {
            leaked.keep(first);
            throw;  // forgets `first`
        }
        a.deallocate(first, 1);
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(r.verdict() == alloc_chaos::verdict::failed);
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].findings().empty());
    BOOST_TEST_REQUIRE(r.attempts()[1].findings().size() == 1u);
    BOOST_TEST(r.attempts()[1].findings()[0].kind() == finding_kind::leak);
    BOOST_TEST((r.attempts()[1].findings()[0].allocation() == allocator_attempt(0, 24, 8)));
    leaked.free_all([](void* p) { chaos_allocator<three_longs>().deallocate(static_cast<three_longs*>(p), 1); });
}

BOOST_AUTO_TEST_CASE(an_allocate_inside_forbid_allocations_is_a_finding_and_its_block_names_no_attempt) {
    const report r = checker{}.max_failures(0).run([] {
        chaos_allocator<long> a;
        a.deallocate(a.allocate(1), 1);
        long* p = nullptr;
        {
            alloc_chaos::forbid_allocations promise;
            p = a.allocate(2);  // served, not counted
        }
        a.deallocate(p, 1);
    });
    BOOST_TEST(r.baseline_allocations() == 1u);
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 2u, text_of(r));
    BOOST_TEST(found[0].kind() == finding_kind::forbidden_allocation);
    BOOST_TEST(found[0].message() == "allocator allocate size=16 align=8 inside forbid_allocations, after 1 attempt");
    BOOST_TEST(found[1].kind() == finding_kind::size_mismatch);
    BOOST_TEST(!found[1].allocation().has_value());  // no attempt allocated it
    BOOST_TEST(found[1].message() ==
               "allocator<T>::deallocate(p, n) for n * sizeof(T) = 8 bytes, of the block of size=16 align=8 "
               "(allocated unobserved): pass the n given to allocate; the block was released with size=16");
}

// ---- deallocation misuse, in a run ----

BOOST_AUTO_TEST_CASE(a_size_mismatch_in_a_run_is_a_finding_and_the_block_is_released_with_its_own_size) {
    const std::size_t before = alloc_chaos::allocator_misuse().size();
    const report r = checker{}.max_failures(0).run([] {
        chaos_allocator<long> a;
        long* p = a.allocate(3);
        a.deallocate(p, 2);
    });
    only_baseline_finding_is(r, finding_kind::size_mismatch, allocator_attempt(0, 24, 8),
        "allocator<T>::deallocate(p, n) for n * sizeof(T) = 16 bytes, of the block of #0 allocator allocate "
        "size=24 align=8: pass the n given to allocate; the block was released with size=24");
    const alloc_chaos::finding_facts& facts = r.baseline().findings()[0].facts();
    BOOST_TEST((facts.released == alloc_chaos::block_shape{16, 8}));
    BOOST_TEST((facts.released_by == release_function::allocator_deallocate));
    BOOST_TEST((facts.allocated == alloc_chaos::block_shape{24, 8}));
    BOOST_TEST(r.baseline().leaked().blocks == 0u);  // released all the same
    BOOST_TEST(misuse_since(before).empty());
}

BOOST_AUTO_TEST_CASE(a_double_free_in_a_run_is_a_finding_and_the_block_is_not_released_again) {
    const report r = checker{}.max_failures(0).run([] {
        chaos_allocator<long> a;
        a.deallocate(a.allocate(1), 1);
        long* p = a.allocate(3);
        a.deallocate(p, 3);
        a.deallocate(p, 3);
    });
    only_baseline_finding_is(r, finding_kind::double_free, allocator_attempt(1, 24, 8),
        "allocator<T>::deallocate(p, n) for n * sizeof(T) = 24 bytes: the block of #1 allocator allocate size=24 "
        "align=8 was already released; it was not released again");
}

BOOST_AUTO_TEST_CASE(a_double_free_on_the_failure_path_only_is_a_finding_of_the_injected_run) {
    const report r = checker{}.run([] {
        chaos_allocator<long> a;
        long* p = a.allocate(8);
        try {
            a.deallocate(a.allocate(2), 2);
        } catch (const std::bad_alloc&) {
            a.deallocate(p, 8);  // cleanup that the normal path repeats
        }
        a.deallocate(p, 8);
    });
    BOOST_TEST(!r.success());
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].findings().empty());
    BOOST_TEST_REQUIRE(r.attempts()[1].findings().size() == 1u);
    const finding& f = r.attempts()[1].findings()[0];
    BOOST_TEST(f.kind() == finding_kind::double_free);
    BOOST_TEST((f.allocation() == allocator_attempt(0, 64, 8)));
}

BOOST_AUTO_TEST_CASE(a_foreign_pointer_in_a_run_is_a_finding_and_never_released) {
    long not_a_block[3] = {};
    const report r = checker{}.max_failures(0).run([&] {
        chaos_allocator<long> a;
        a.deallocate(a.allocate(1), 1);
        a.deallocate(not_a_block, 3);  // freeing the stack would crash
    });
    only_baseline_finding_is(r, finding_kind::foreign_pointer, std::nullopt,
        "allocator<T>::deallocate(p, n) for n * sizeof(T) = 24 bytes: p was never given out by an allocator<T>, "
        "so it was not released; deallocate only what allocate returned");
    BOOST_TEST(r.baseline().outcome() == outcome::completed);
}

BOOST_AUTO_TEST_CASE(an_overrun_in_a_run_is_a_finding_naming_the_first_byte_written) {
    const report r = checker{}.max_failures(0).run([] {
        chaos_allocator<char> a;
        char* p = a.allocate(10);
        p[10] = '\0';  // the classic off-by-one terminator
        a.deallocate(p, 10);
    });
    only_baseline_finding_is(r, finding_kind::overrun, allocator_attempt(0, 10, 1),
        "allocator<T>::deallocate(p, n) for n * sizeof(T) = 10 bytes: the block of #0 allocator allocate size=10 "
        "align=1 was written past its end, at offset 10; write only within the n objects given to allocate");
    BOOST_TEST(r.baseline().leaked().blocks == 0u);
}

BOOST_AUTO_TEST_CASE(the_report_names_an_allocator_misuse_with_its_kind_and_message) {
    const report r = checker{}.max_failures(0).run([] {
        chaos_allocator<long> a;
        long* p = a.allocate(3);
        a.deallocate(p, 3);
        a.deallocate(p, 3);
    });
    BOOST_TEST(text_of(r).find("double free: allocator<T>::deallocate(p, n) for n * sizeof(T) = 24 bytes: the "
                               "block of #0 allocator allocate size=24 align=8 was already released") !=
               std::string::npos);
}

// ---- threads ----

BOOST_AUTO_TEST_CASE(a_block_allocated_on_one_thread_is_released_on_another_without_finding) {
    const std::size_t before = alloc_chaos::allocator_misuse().size();
    chaos_allocator<three_longs> a;
    three_longs* p = a.allocate(2);
    std::thread([&] { a.deallocate(p, 2); }).join();
    p = a.allocate(5);
    a.deallocate(p, 5);
    BOOST_TEST(misuse_since(before).empty());
}

BOOST_AUTO_TEST_CASE(a_misuse_on_another_thread_during_a_check_is_no_finding_of_its_runs) {
    const std::size_t before = alloc_chaos::allocator_misuse().size();
    long* p = chaos_allocator<long>().allocate(4);
    captured_stderr err;
    const report r = checker{}.max_failures(0).run([&] {
        alloc_chaos::unobserved starting_a_thread;
        std::thread([&] { chaos_allocator<long>().deallocate(p, 2); }).join();
    });
    BOOST_TEST(err.text().rfind("alloc-chaos: size mismatch: ", 0) == 0u);
    BOOST_TEST(r.baseline().findings().empty());
    const std::vector<finding> misuse = misuse_since(before);
    BOOST_TEST_REQUIRE(misuse.size() == 1u);
    BOOST_TEST(misuse[0].kind() == finding_kind::size_mismatch);
}

// ---- deallocation misuse, outside a check ----

BOOST_AUTO_TEST_CASE(a_double_free_outside_a_check_is_a_line_on_stderr_and_an_entry_of_allocator_misuse) {
    const std::size_t before = alloc_chaos::allocator_misuse().size();
    chaos_allocator<long> a;
    long* p = a.allocate(3);
    a.deallocate(p, 3);
    captured_stderr err;
    a.deallocate(p, 3);
    const std::string message =
        "allocator<T>::deallocate(p, n) for n * sizeof(T) = 24 bytes: the block of size=24 align=8 (allocated "
        "unobserved) was already released; it was not released again";
    BOOST_TEST(err.text() == "alloc-chaos: double free: " + message + "\n");
    const std::vector<finding> misuse = misuse_since(before);
    BOOST_TEST_REQUIRE(misuse.size() == 1u);
    BOOST_TEST(misuse[0].kind() == finding_kind::double_free);
    BOOST_TEST(!misuse[0].allocation().has_value());
    BOOST_TEST(misuse[0].message() == message);
}

BOOST_AUTO_TEST_CASE(a_size_mismatch_outside_a_check_is_reported_and_the_block_released) {
    const std::size_t before = alloc_chaos::allocator_misuse().size();
    chaos_allocator<long> a;
    long* p = a.allocate(4);
    {
        captured_stderr err;
        a.deallocate(p, 1);
        BOOST_TEST(err.text() ==
                   "alloc-chaos: size mismatch: allocator<T>::deallocate(p, n) for n * sizeof(T) = 8 bytes, of the "
                   "block of size=32 align=8 (allocated unobserved): pass the n given to allocate; the block was "
                   "released with size=32\n");
    }
    captured_stderr err;
    a.deallocate(p, 4);  // released already, with its own size
    BOOST_TEST(err.text().rfind("alloc-chaos: double free: ", 0) == 0u);
    const std::vector<finding> misuse = misuse_since(before);
    BOOST_TEST_REQUIRE(misuse.size() == 2u);
    BOOST_TEST(misuse[0].kind() == finding_kind::size_mismatch);
    BOOST_TEST(misuse[1].kind() == finding_kind::double_free);
}

BOOST_AUTO_TEST_CASE(a_foreign_pointer_outside_a_check_is_reported_and_never_released) {
    const std::size_t before = alloc_chaos::allocator_misuse().size();
    alignas(8) long not_a_block[2] = {};
    captured_stderr err;
    chaos_allocator<long>().deallocate(not_a_block, 2);
    const std::string message =
        "allocator<T>::deallocate(p, n) for n * sizeof(T) = 16 bytes: p was never given out by an allocator<T>, so "
        "it was not released; deallocate only what allocate returned";
    BOOST_TEST(err.text() == "alloc-chaos: foreign pointer: " + message + "\n");
    const std::vector<finding> misuse = misuse_since(before);
    BOOST_TEST_REQUIRE(misuse.size() == 1u);
    BOOST_TEST(misuse[0].kind() == finding_kind::foreign_pointer);
    BOOST_TEST(misuse[0].message() == message);
}

BOOST_AUTO_TEST_CASE(a_misuse_in_a_run_is_not_kept_in_allocator_misuse_nor_written_to_stderr) {
    const std::size_t before = alloc_chaos::allocator_misuse().size();
    captured_stderr err;
    const report r = checker{}.max_failures(0).run([] {
        chaos_allocator<long> a;
        long* p = a.allocate(1);
        a.deallocate(p, 1);
        a.deallocate(p, 1);
    });
    BOOST_TEST(err.text().empty());
    BOOST_TEST(r.baseline().findings().size() == 1u);
    BOOST_TEST(misuse_since(before).empty());
}

BOOST_AUTO_TEST_CASE(calling_allocator_misuse_inside_a_body_adds_no_attempt) {
    std::size_t seen = 0;
    const std::vector<allocation> made =
        alloc_chaos::attempts_of([&] { seen = alloc_chaos::allocator_misuse().size() + 1; });
    BOOST_TEST(made.empty());
    BOOST_TEST(seen >= 1u);
}
