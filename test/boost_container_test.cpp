#define BOOST_TEST_MODULE boost_container
#include <alloc_chaos/boost_test.hpp>

#include <alloc_chaos/boost_container.hpp>
#include <alloc_chaos/boost_test/boost_container_resource_fixture.hpp>

#include "recording_resource.hpp"
#include "test_bodies.hpp"
#include "test_scopes.hpp"

#include <boost/container/deque.hpp>
#include <boost/container/flat_map.hpp>
#include <boost/container/list.hpp>
#include <boost/container/pmr/deque.hpp>
#include <boost/container/pmr/flat_map.hpp>
#include <boost/container/pmr/global_resource.hpp>
#include <boost/container/pmr/list.hpp>
#include <boost/container/pmr/map.hpp>
#include <boost/container/pmr/monotonic_buffer_resource.hpp>
#include <boost/container/pmr/small_vector.hpp>
#include <boost/container/pmr/stable_vector.hpp>
#include <boost/container/pmr/string.hpp>
#include <boost/container/pmr/vector.hpp>
#include <boost/container/vector.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory_resource>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

using alloc_chaos::allocation;
using alloc_chaos::checker;
using alloc_chaos::deallocation_checks;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using alloc_chaos::verdict;
using alloc_chaos::boost_container::chaos_memory_resource;
using test_bodies::sink;
using test_scopes::captured_stderr;
namespace container = boost::container;
namespace pmr = boost::container::pmr;

namespace {

using recording_resource = test_resources::recording_resource<pmr::memory_resource>;

// Words too long for any small-string buffer: each string made of one allocates.
const char* const words[] = {
    "allocation failure is one more path through your code",
    "every attempt is failed in turn, one per run",
    "a leak is a block still live when the body has returned",
    "the strong guarantee leaves the object as it was",
};
constexpr std::size_t word_count = std::size(words);

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

// Exhaustive and stable over two more baselines.
report exhaustive(const std::function<void()>& body) { return checker{}.stability_runs(2).run(body); }

// The check PASSED: `attempts` observed, each failed in turn, every run ended in std::bad_alloc
// or returned, and no run found anything.
void expect_passed(const report& r, std::size_t attempts) {
    BOOST_TEST((r.verdict() == verdict::passed), text_of(r));
    BOOST_TEST(r.baseline_allocations() == attempts);
    BOOST_TEST(r.tested_failures() == attempts);
    BOOST_TEST(r.injected_failures() == attempts);
    BOOST_TEST(r.baseline().findings().empty());
    for (const alloc_chaos::attempt& run : r.attempts())
        BOOST_TEST(run.findings().empty(), "run failing #" << run.target());
}

// The one run of `r` that is not a success fails attempt `target`, a resource allocate of `size`
// (alignment 1: a string's characters); every other run is a success.
const alloc_chaos::attempt& only_unsuccessful_run(const report& r, std::size_t target, std::size_t size) {
    BOOST_TEST((r.verdict() == verdict::failed));
    const alloc_chaos::attempt* found = nullptr;
    for (const alloc_chaos::attempt& run : r.attempts()) {
        if (!run.success()) {
            BOOST_TEST(found == nullptr, "a second unsuccessful run, failing #" << run.target());
            found = &run;
        }
    }
    BOOST_TEST_REQUIRE(found != nullptr);
    BOOST_TEST(found->target() == target);
    BOOST_TEST((found->injected_allocation() == allocation(target, operation::resource_allocate, size, 1, false)),
               "failed: " << *found->injected_allocation());
    return *found;
}

// The allocator of Container on `resource` (small_vector's wraps a polymorphic_allocator).
template <class Container>
typename Container::allocator_type on(pmr::memory_resource& resource) {
    return typename Container::allocator_type(pmr::polymorphic_allocator<typename Container::value_type>(&resource));
}

// Grows, inserts in the middle, copies, resizes, shrinks and assigns: every allocation of a vector
// of strings but erase's (which leaks in Boost.Container 1.74: see below).
template <class Vector>
void exercise_vector(pmr::memory_resource& resource) {
    Vector v(on<Vector>(resource));
    for (std::size_t i = 0; i < 12; ++i)
        v.emplace_back(words[i % word_count]);
    v.insert(v.begin() + 5, v[3]);
    Vector copy(v, on<Vector>(resource));
    copy.resize(16);
    copy.shrink_to_fit();
    v.assign(copy.begin() + 4, copy.end());
    sink = &v.front();
    expect(v.size() == 12 && v[0] == copy[4], "vector: wrong contents");
}

}  // namespace

// ---- the resource ----

BOOST_AUTO_TEST_CASE(it_is_a_boost_container_memory_resource_that_cannot_be_copied) {
    static_assert(std::is_base_of_v<pmr::memory_resource, chaos_memory_resource>);
    static_assert(!std::is_base_of_v<std::pmr::memory_resource, chaos_memory_resource>);
    static_assert(!std::is_copy_constructible_v<chaos_memory_resource>);
    static_assert(!std::is_copy_assignable_v<chaos_memory_resource>);
    static_assert(!std::is_convertible_v<deallocation_checks, chaos_memory_resource>);
}

BOOST_AUTO_TEST_CASE(the_default_upstream_is_boost_new_delete_resource_with_checks_from_the_first_check) {
    chaos_memory_resource resource;
    BOOST_TEST(resource.upstream() == pmr::new_delete_resource());
    BOOST_TEST((resource.deallocation_checks() == deallocation_checks::from_first_check));
    BOOST_TEST(!resource.checking_deallocations());
    chaos_memory_resource off(deallocation_checks::off);
    BOOST_TEST(off.upstream() == pmr::new_delete_resource());
    BOOST_TEST((off.deallocation_checks() == deallocation_checks::off));
}

BOOST_AUTO_TEST_CASE(the_given_upstream_and_checks_are_kept) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    BOOST_TEST(resource.upstream() == &upstream);
    BOOST_TEST((resource.deallocation_checks() == deallocation_checks::always));
    BOOST_TEST(resource.checking_deallocations());
}

BOOST_AUTO_TEST_CASE(a_nullptr_upstream_throws_invalid_argument_naming_the_fix_in_every_mode) {
    for (const deallocation_checks checks :
         {deallocation_checks::off, deallocation_checks::from_first_check, deallocation_checks::always}) {
        try {
            chaos_memory_resource resource(nullptr, checks);
            BOOST_FAIL("no exception");
        } catch (const std::invalid_argument& e) {
            BOOST_TEST(std::string(e.what()) ==
                       "alloc_chaos::boost_container::chaos_memory_resource(upstream): upstream is nullptr; pass the "
                       "resource to wrap, or use the default constructor to wrap "
                       "boost::container::pmr::new_delete_resource()");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_nullptr_upstream_refused_inside_a_body_adds_no_attempt) {
    std::size_t refused = 0;
    const report r = alloc_chaos::check([&] {
        try {
            chaos_memory_resource resource(nullptr);
        } catch (const std::invalid_argument&) {
            ++refused;
        }
    });
    BOOST_TEST(r.baseline_allocations() == 0u);
    BOOST_TEST(refused == 1u);
    BOOST_TEST((r.verdict() == verdict::invalid));  // no attempt, so nothing tested; nothing found
}

BOOST_AUTO_TEST_CASE(it_is_equal_to_itself_only) {
    chaos_memory_resource a;
    chaos_memory_resource b;
    BOOST_TEST(a.is_equal(a));
    BOOST_TEST(!a.is_equal(b));
    BOOST_TEST(!a.is_equal(*pmr::new_delete_resource()));
}

BOOST_AUTO_TEST_CASE(with_checks_off_the_upstream_serves_the_exact_requests) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::off);
    void* p = resource.allocate(40, 32);
    BOOST_TEST(p == upstream.last_returned);
    BOOST_TEST(upstream.last_bytes == 40u);
    BOOST_TEST(upstream.last_alignment == 32u);
    resource.deallocate(p, 40, 32);
    BOOST_TEST(upstream.last_freed == p);
    BOOST_TEST(upstream.last_freed_bytes == 40u);
    BOOST_TEST(upstream.last_freed_alignment == 32u);
}

BOOST_AUTO_TEST_CASE(with_checks_always_the_upstream_serves_the_size_and_a_guard_at_the_same_alignment) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    void* p = resource.allocate(40, 32);
    BOOST_TEST(p == upstream.last_returned);
    BOOST_TEST(upstream.last_bytes == 40u + 8u + 8u);  // the guard: 8 bytes, then up to a multiple of 16
    BOOST_TEST(upstream.last_alignment == 32u);
    resource.deallocate(p, 40, 32);
    BOOST_TEST(upstream.last_freed == p);
    BOOST_TEST(upstream.last_freed_bytes == 56u);
    BOOST_TEST(upstream.last_freed_alignment == 32u);
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(each_allocate_is_one_resource_allocate_attempt_with_its_size_and_alignment) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    const report r = alloc_chaos::check([&] {
        void* a = resource.allocate(24, 8);
        try {
            resource.deallocate(resource.allocate(100, 64), 100, 64);
        } catch (...) {
            resource.deallocate(a, 24, 8);
            throw;
        }
        resource.deallocate(a, 24, 8);
    });
    expect_passed(r, 2);
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::resource_allocate, 24, 8, false)));
    BOOST_TEST((r.attempts()[1].injected_allocation() == allocation(1, operation::resource_allocate, 100, 64, false)));
    BOOST_TEST(upstream.allocations == upstream.deallocations);
}

BOOST_AUTO_TEST_CASE(a_failed_attempt_throws_injected_bad_alloc_and_never_reaches_the_upstream) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    std::optional<allocation> thrown;
    std::size_t upstream_calls_when_failed = 0;
    const report r = checker{}.only_failure(0).run([&] {
        try {
            resource.deallocate(resource.allocate(48, 16), 48, 16);
        } catch (const alloc_chaos::injected_bad_alloc& e) {
            thrown = e.allocation();
            upstream_calls_when_failed = upstream.allocations;
            throw;
        }
    });
    BOOST_TEST_REQUIRE(thrown.has_value());
    BOOST_TEST((*thrown == allocation(0, operation::resource_allocate, 48, 16, false)));
    BOOST_TEST(upstream_calls_when_failed == 1u);  // the baseline's, not this run's
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST((r.attempts()[0].outcome() == outcome::bad_alloc));
}

BOOST_AUTO_TEST_CASE(an_attempt_is_counted_once_although_boost_new_delete_resource_reaches_operator_new) {
    chaos_memory_resource resource;  // Boost's new_delete_resource() serves from new char[]
    const report r = alloc_chaos::check([&] { resource.deallocate(resource.allocate(24, 8), 24, 8); });
    expect_passed(r, 1);
    BOOST_TEST(r.bridge_observed());
}

// ---- deallocation checks through the Boost resource ----

BOOST_AUTO_TEST_CASE(a_resource_used_in_a_check_checks_deallocations_from_then_on) {
    chaos_memory_resource resource;
    BOOST_TEST(!resource.checking_deallocations());
    expect_passed(alloc_chaos::check([&] { resource.deallocate(resource.allocate(16, 8), 16, 8); }), 1);
    BOOST_TEST(resource.checking_deallocations());
    chaos_memory_resource off(deallocation_checks::off);
    (void)alloc_chaos::check([&] { off.deallocate(off.allocate(16, 8), 16, 8); });
    BOOST_TEST(!off.checking_deallocations());
}

BOOST_AUTO_TEST_CASE(a_double_free_in_a_run_is_a_finding_and_the_block_is_released_once) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    const report r = checker{}.max_failures(0).run([&] {
        void* p = resource.allocate(64, 8);
        resource.deallocate(p, 64, 8);
        resource.deallocate(p, 64, 8);
    });
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST((found[0].kind() == finding_kind::double_free));
    BOOST_TEST((found[0].allocation() == allocation(0, operation::resource_allocate, 64, 8, false)));
    BOOST_TEST(found[0].message() ==
               "chaos_memory_resource::deallocate(p, 64, 8): the block of #0 resource allocate size=64 align=8 "
               "was already released; it was not released again");
    BOOST_TEST(upstream.deallocations == upstream.allocations);
    BOOST_TEST(resource.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_size_mismatch_in_a_run_is_a_finding_and_the_block_is_released_with_its_own_size) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    std::size_t served = 0;
    std::size_t freed = 0;
    const report r = checker{}.max_failures(0).run([&] {
        void* p = resource.allocate(64, 8);
        served = upstream.last_bytes;
        resource.deallocate(p, 32, 8);
        freed = upstream.last_freed_bytes;
    });
    BOOST_TEST(served == 64u + 8u);  // and its guard
    BOOST_TEST(freed == served);
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST((found[0].kind() == finding_kind::size_mismatch));
    BOOST_TEST((found[0].allocation() == allocation(0, operation::resource_allocate, 64, 8, false)));
    BOOST_TEST(found[0].message() ==
               "chaos_memory_resource::deallocate(p, 32, 8) of the block of #0 resource allocate size=64 align=8: "
               "pass the size given to allocate; the block was released with size=64");
}

BOOST_AUTO_TEST_CASE(a_foreign_pointer_in_a_run_is_a_finding_and_never_reaches_the_upstream) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream);
    chaos_memory_resource other;
    const report r = checker{}.max_failures(0).run([&] {
        resource.deallocate(resource.allocate(16, 8), 16, 8);  // starts its checks
        void* p = other.allocate(32, 8);
        resource.deallocate(p, 32, 8);  // the wrong resource
        other.deallocate(p, 32, 8);
    });
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST((found[0].kind() == finding_kind::foreign_pointer));
    BOOST_TEST(!found[0].allocation().has_value());
    BOOST_TEST(found[0].message() ==
               "chaos_memory_resource::deallocate(p, 32, 8): p was never given out by this resource, so it was not "
               "released; deallocate a block on the resource that allocated it");
    BOOST_TEST(upstream.deallocations == 1u);  // its own block only
    BOOST_TEST(other.misuse().empty());
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
    const auto misuse = resource.misuse();
    BOOST_TEST_REQUIRE(misuse.size() == 1u);
    BOOST_TEST((misuse[0].kind() == finding_kind::double_free));
    BOOST_TEST(misuse[0].message() == message);
}

BOOST_AUTO_TEST_CASE(an_overrun_outside_a_check_is_reported_and_the_block_is_released) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::always);
    auto* p = static_cast<unsigned char*>(resource.allocate(64, 8));
    p[64] = 0;
    captured_stderr err;
    resource.deallocate(p, 64, 8);
    const std::string message =
        "chaos_memory_resource::deallocate(p, 64, 8): the block of size=64 align=8 (allocated unobserved) was "
        "written past its end, at offset 64; write only within the size given to allocate";
    BOOST_TEST(err.text() == "alloc-chaos: overrun: " + message + "\n");
    BOOST_TEST(upstream.deallocations == 1u);
    BOOST_TEST(upstream.last_freed == p);
    const auto misuse = resource.misuse();
    BOOST_TEST_REQUIRE(misuse.size() == 1u);
    BOOST_TEST((misuse[0].kind() == finding_kind::overrun));
    BOOST_TEST(misuse[0].message() == message);
}

BOOST_AUTO_TEST_CASE(with_checks_off_a_misuse_is_forwarded_as_given_and_not_reported) {
    recording_resource upstream;
    chaos_memory_resource resource(&upstream, deallocation_checks::off);
    (void)checker{}.max_failures(0).run([&] {
        void* p = resource.allocate(64, 8);
        resource.deallocate(p, 32, 8);
    });
    BOOST_TEST(upstream.last_freed_bytes == 32u);
    BOOST_TEST(!resource.checking_deallocations());
    BOOST_TEST(resource.misuse().empty());
}

// ---- boost::container::pmr containers on the Boost resource, checked exhaustively ----

BOOST_AUTO_TEST_CASE(pmr_vector_of_strings_passes_an_exhaustive_check) {
    chaos_memory_resource resource;
    expect_passed(exhaustive([&] { exercise_vector<pmr::vector<pmr::string>>(resource); }), 36);
}

BOOST_AUTO_TEST_CASE(pmr_small_vector_of_strings_passes_an_exhaustive_check) {
    chaos_memory_resource resource;
    expect_passed(exhaustive([&] { exercise_vector<pmr::small_vector<pmr::string, 4>>(resource); }), 32);
}

BOOST_AUTO_TEST_CASE(pmr_string_passes_an_exhaustive_check) {
    chaos_memory_resource resource;
    expect_passed(exhaustive([&] {
                      pmr::string s(&resource);
                      for (const char* w : words) {
                          alloc_chaos::strong_guarantee unchanged_on_failure(s);
                          s += w;
                      }
                      s.insert(0, words[1]);
                      pmr::string t(s, &resource);
                      t.replace(10, 20, words[2]);
                      s.reserve(4096);
                      s.shrink_to_fit();
                      pmr::string u = s.substr(100, 50);
                      sink = t.data();
                      sink = u.data();
                      expect(u.size() == 50, "string: wrong size");
                  }),
                  8);
}

BOOST_AUTO_TEST_CASE(pmr_deque_of_ints_passes_an_exhaustive_check) {
    chaos_memory_resource resource;
    expect_passed(exhaustive([&] {
                      pmr::deque<int> d(&resource);
                      for (int i = 0; i < 300; ++i) {
                          d.push_back(i);
                          d.push_front(-i);
                      }
                      d.erase(d.begin() + 10, d.begin() + 200);
                      pmr::deque<int> copy(d, &resource);
                      copy.insert(copy.begin() + 5, d.begin(), d.begin() + 150);
                      copy.shrink_to_fit();
                      sink = &d.front();
                      expect(d.size() == 410 && copy.size() == 560, "deque: wrong size");
                  }),
                  14);
}

BOOST_AUTO_TEST_CASE(pmr_list_of_strings_passes_an_exhaustive_check) {
    chaos_memory_resource resource;
    expect_passed(exhaustive([&] {
                      pmr::list<pmr::string> l(&resource);
                      for (std::size_t i = 0; i < 8; ++i) {
                          {
                              alloc_chaos::strong_guarantee unchanged_on_failure(l);
                              l.emplace_back(words[i % word_count]);
                          }
                          alloc_chaos::strong_guarantee unchanged_on_failure(l);
                          l.emplace_front(words[(i + 1) % word_count]);
                      }
                      l.sort();
                      l.unique();
                      pmr::list<pmr::string> copy(l, &resource);
                      copy.remove_if([](const pmr::string& s) { return s == words[0]; });
                      l.splice(l.end(), copy);
                      sink = &l.front();
                      expect(l.size() == 2 * word_count - 1 && copy.empty(), "list: wrong size");
                  }),
                  40);
}

BOOST_AUTO_TEST_CASE(pmr_map_of_strings_passes_an_exhaustive_check) {
    chaos_memory_resource resource;
    expect_passed(exhaustive([&] {
                      pmr::map<int, pmr::string> m(&resource);
                      for (int i = 0; i < 12; ++i) {
                          alloc_chaos::strong_guarantee unchanged_on_failure(m);
                          m.emplace(i, words[i % word_count]);
                      }
                      m.erase(3);
                      pmr::map<int, pmr::string> copy(m, &resource);
                      copy[100] = words[0];
                      copy.erase(copy.begin(), copy.find(8));
                      m.insert(copy.begin(), copy.end());
                      sink = &*m.begin();
                      expect(m.size() == 12 && copy.size() == 5, "map: wrong size");
                  }),
                  50);
}

BOOST_AUTO_TEST_CASE(pmr_flat_map_of_strings_passes_an_exhaustive_check) {
    chaos_memory_resource resource;
    expect_passed(exhaustive([&] {
                      pmr::flat_map<int, pmr::string> m(&resource);
                      for (int i = 11; i >= 0; --i) {
                          alloc_chaos::strong_guarantee unchanged_on_failure(m);
                          m.emplace(i, words[i % word_count]);
                      }
                      pmr::flat_map<int, pmr::string> copy(m, &resource);
                      copy[100] = words[0];
                      m.insert(copy.begin(), copy.end());
                      m.reserve(64);
                      m.shrink_to_fit();
                      sink = &*m.begin();
                      expect(m.size() == 13 && copy.size() == 13, "flat_map: wrong size");
                  }),
                  50);
}

BOOST_AUTO_TEST_CASE(pmr_stable_vector_of_ints_passes_an_exhaustive_check) {
    chaos_memory_resource resource;
    expect_passed(exhaustive([&] {
                      pmr::stable_vector<int> v(&resource);
                      for (int i = 0; i < 40; ++i) {
                          alloc_chaos::strong_guarantee unchanged_on_failure(v);
                          v.push_back(i);
                      }
                      v.insert(v.begin() + 5, 10, 7);
                      v.erase(v.begin(), v.begin() + 3);
                      pmr::stable_vector<int> copy(v, &resource);
                      copy.shrink_to_fit();
                      sink = &v.front();
                      expect(v.size() == 47 && copy.size() == 47, "stable_vector: wrong size");
                  }),
                  105);
}

// ---- what the checks find in Boost.Container 1.74 ----

// vector::erase skips the destructor of the element it moved from (its "trivial destructor after
// move" trait holds for basic_string), but basic_string's move assignment swaps buffers: the erased
// string's block is left in that element and never released, on the success path.
BOOST_AUTO_TEST_CASE(boost_1_74_pmr_vector_of_strings_erase_leaks_the_erased_strings_block) {
    pmr::monotonic_buffer_resource arena;  // releases the leaked block when the test ends
    chaos_memory_resource resource(&arena);
    const report r = exhaustive([&] {
        pmr::vector<pmr::string> v(&resource);
        v.emplace_back(words[0]);
        v.emplace_back(words[1]);
        v.erase(v.begin());
    });
    BOOST_TEST((r.verdict() == verdict::failed));
    BOOST_TEST(r.baseline_allocations() == 4u);  // #0 the buffer, #1 the first string, #2 the buffer, #3 the second
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST((found[0].kind() == finding_kind::leak));
    BOOST_TEST((found[0].allocation() == allocation(1, operation::resource_allocate, 77, 1, false)));
}

// emplace_back that reallocates moves the elements into the new buffer before it constructs the
// new one: when that construction fails, the vector keeps its size but its strings were moved from.
BOOST_AUTO_TEST_CASE(boost_1_74_pmr_vector_emplace_back_that_reallocates_breaks_the_strong_guarantee) {
    chaos_memory_resource resource;
    const report r = exhaustive([&] {
        pmr::vector<pmr::string> v(&resource);
        v.emplace_back(words[0]);
        alloc_chaos::strong_guarantee unchanged_on_failure(v);
        v.emplace_back(words[1]);  // #2 the new buffer, #3 the new string
    });
    BOOST_TEST(r.baseline_allocations() == 4u);
    const alloc_chaos::attempt& run = only_unsuccessful_run(r, 3, 68);
    BOOST_TEST((run.outcome() == outcome::bad_alloc));
    BOOST_TEST_REQUIRE(run.findings().size() == 1u);
    BOOST_TEST((run.findings()[0].kind() == finding_kind::broken_guarantee));
    BOOST_TEST(run.findings()[0].message() ==
               "the object changed although the operation failed, in the run failing #3 resource allocate size=68 "
               "align=1");
}

// small_vector is vector's implementation, and breaks it the same way once it outgrows its buffer.
BOOST_AUTO_TEST_CASE(boost_1_74_pmr_small_vector_emplace_back_that_reallocates_breaks_the_strong_guarantee) {
    using small_vector = pmr::small_vector<pmr::string, 1>;
    chaos_memory_resource resource;
    const report r = exhaustive([&] {
        small_vector v(on<small_vector>(resource));
        v.emplace_back(words[0]);
        alloc_chaos::strong_guarantee unchanged_on_failure(v);
        v.emplace_back(words[1]);  // #1 the first buffer of its own, #2 the new string
    });
    BOOST_TEST(r.baseline_allocations() == 3u);
    const alloc_chaos::attempt& run = only_unsuccessful_run(r, 2, 68);
    BOOST_TEST((run.outcome() == outcome::bad_alloc));
    BOOST_TEST_REQUIRE(run.findings().size() == 1u);
    BOOST_TEST((run.findings()[0].kind() == finding_kind::broken_guarantee));
}

// emplace_back that needs a new segment allocates it, then constructs the element; when the
// element's construction fails the segment is neither kept nor released.
BOOST_AUTO_TEST_CASE(boost_1_74_pmr_deque_emplace_back_leaks_its_new_segment_when_the_element_fails) {
    pmr::monotonic_buffer_resource arena;
    chaos_memory_resource resource(&arena);
    const report r = exhaustive([&] {
        pmr::deque<pmr::string> d(&resource);  // #0 the map, #1 a segment of 512 bytes
        for (std::size_t i = 0; i < 16; ++i)
            d.emplace_back(words[i % word_count]);  // the 16th: #17 a new segment, #18 its string
    });
    BOOST_TEST(r.baseline_allocations() == 19u);
    const alloc_chaos::attempt& run = only_unsuccessful_run(r, 18, 72);
    BOOST_TEST((run.outcome() == outcome::bad_alloc));
    BOOST_TEST_REQUIRE(run.findings().size() == 1u);
    BOOST_TEST((run.findings()[0].kind() == finding_kind::leak));
    BOOST_TEST((run.findings()[0].allocation() == allocation(17, operation::resource_allocate, 512, 8, false)));
}

// emplace_front allocates a new front segment, then constructs the element; when the element's
// construction fails the segment is neither kept nor released.
BOOST_AUTO_TEST_CASE(boost_1_74_pmr_deque_emplace_front_leaks_its_new_segment_when_the_element_fails) {
    pmr::monotonic_buffer_resource arena;
    chaos_memory_resource resource(&arena);
    const report r = exhaustive([&] {
        pmr::deque<pmr::string> d(&resource);
        d.emplace_front(words[1]);  // #0 the map, #1 a segment, #2 the new front segment, #3 the string
    });
    BOOST_TEST(r.baseline_allocations() == 4u);
    const alloc_chaos::attempt& run = only_unsuccessful_run(r, 3, 68);
    BOOST_TEST((run.outcome() == outcome::bad_alloc));
    BOOST_TEST_REQUIRE(run.findings().size() == 1u);
    BOOST_TEST((run.findings()[0].kind() == finding_kind::leak));
    BOOST_TEST((run.findings()[0].allocation() == allocation(2, operation::resource_allocate, 512, 8, false)));
}

// emplace_back's rollback puts the new node back into the node pool after the pool has freed it:
// a use after free that corrupts the heap, when the element's construction fails. Checked in worker
// processes, where a crash is an outcome.
BOOST_AUTO_TEST_CASE(boost_1_74_pmr_stable_vector_emplace_back_crashes_when_the_element_fails) {
    chaos_memory_resource resource;
    captured_stderr err;  // what the crashing workers print
    const report r = checker{}.processes(2).run([&] {
        pmr::stable_vector<pmr::string> v(&resource);
        v.emplace_back(words[0]);  // #0 the index, #1 the node pool, #2 the string
    });
    BOOST_TEST(r.baseline_allocations() == 3u);
    const alloc_chaos::attempt& run = only_unsuccessful_run(r, 2, 77);
    BOOST_TEST((run.outcome() == outcome::crashed));
}

// ---- Boost containers on std::pmr::polymorphic_allocator over the std resource ----

BOOST_AUTO_TEST_CASE(boost_vector_on_a_std_polymorphic_allocator_passes_an_exhaustive_check) {
    alloc_chaos::chaos_memory_resource resource;
    expect_passed(exhaustive([&] {
                      container::vector<int, std::pmr::polymorphic_allocator<int>> v(&resource);
                      for (int i = 0; i < 100; ++i)
                          v.push_back(i);
                      v.insert(v.begin() + 10, 50, 7);
                      v.shrink_to_fit();
                      sink = v.data();
                      expect(v.size() == 150, "vector: wrong size");
                  }),
                  14);
}

BOOST_AUTO_TEST_CASE(boost_flat_map_and_list_on_a_std_polymorphic_allocator_pass_an_exhaustive_check) {
    alloc_chaos::chaos_memory_resource resource;
    expect_passed(exhaustive([&] {
                      container::flat_map<int, int, std::less<int>, std::pmr::polymorphic_allocator<std::pair<int, int>>>
                          m(&resource);
                      container::list<int, std::pmr::polymorphic_allocator<int>> l(&resource);
                      for (int i = 0; i < 20; ++i) {
                          m.emplace(20 - i, i);
                          l.push_front(i);
                      }
                      sink = &*m.begin();
                      sink = &l.front();
                      expect(m.size() == 20 && l.size() == 20, "flat_map, list: wrong size");
                  }),
                  28);
}

BOOST_AUTO_TEST_CASE(boost_deque_on_a_std_polymorphic_allocator_leaks_its_segment_as_on_the_boost_one) {
    std::pmr::monotonic_buffer_resource arena;
    alloc_chaos::chaos_memory_resource resource(&arena);
    const report r = exhaustive([&] {
        container::deque<std::pmr::string, std::pmr::polymorphic_allocator<std::pmr::string>> d(&resource);
        d.emplace_front(words[1]);
    });
    BOOST_TEST(r.baseline_allocations() == 4u);
    const alloc_chaos::attempt& run = only_unsuccessful_run(r, 3, 45);
    BOOST_TEST_REQUIRE(run.findings().size() == 1u);
    BOOST_TEST((run.findings()[0].kind() == finding_kind::leak));
    BOOST_TEST((run.findings()[0].allocation() == allocation(2, operation::resource_allocate, 480, 8, false)));
}

// ---- the Boost.Test fixture ----

BOOST_FIXTURE_TEST_CASE(the_fixtures_allocator_allocates_from_its_resource,
                        alloc_chaos::boost_test::boost_container_resource_fixture) {
    BOOST_TEST(allocator.resource() == &resource);
    BOOST_TEST((resource.deallocation_checks() == deallocation_checks::from_first_check));
    BOOST_TEST(resource.upstream() == pmr::new_delete_resource());
    const report r = alloc_chaos::check([&] {
        pmr::vector<int> v(allocator);
        v.assign(10, 1);
    });
    expect_passed(r, 1);
    BOOST_TEST((r.attempts()[0].injected_allocation() ==
                allocation(0, operation::resource_allocate, 10 * sizeof(int), alignof(int), false)));
}

BOOST_ALLOC_CHAOS_FIXTURE_CASE(a_boost_alloc_chaos_case_checks_boost_containers_on_the_fixture,
                               alloc_chaos::boost_test::boost_container_resource_fixture) {
    pmr::map<int, pmr::string> m(allocator);
    m.emplace(1, words[0]);
    m.emplace(2, words[1]);
    BOOST_TEST(m.size() == 2u);
}
