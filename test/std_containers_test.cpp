#define BOOST_TEST_MODULE std_containers
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <cstddef>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <memory_resource>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

using alloc_chaos::checker;
using alloc_chaos::report;
using test_bodies::sink;

namespace {

// Words too long for any small-string buffer: each string made of one allocates.
const char* const words[] = {
    "allocation failure is one more path through your code",
    "every attempt is failed in turn, one per run",
    "a leak is a block still live when the body has returned",
    "the strong guarantee leaves the object as it was",
    "divergence means attempt numbers no longer name the same allocation",
    "the baseline run fails nothing and counts everything",
    "a partial check never passes, whatever it tested",
    "containers of the standard library keep their promises",
};
constexpr std::size_t word_count = std::size(words);

// The body must compute the right thing when nothing fails; the check sees only what escapes it.
void expect(bool condition, const char* what) {
    if (!condition) {
        alloc_chaos::unobserved own_error;
        throw std::logic_error(what);
    }
}

// The check is exhaustive and stable over two baseline runs, and no run found anything.
void expect_passed_without_findings(const report& r, std::size_t at_least) {
    std::ostringstream text;
    text << r;
    BOOST_TEST(r.success(), text.str());
    BOOST_TEST(text.str().rfind("alloc-chaos check PASSED: each of the ", 0) == 0u);
    BOOST_TEST(r.baseline_allocations() >= at_least);
    BOOST_TEST(r.tested_failures() == r.baseline_allocations());
    BOOST_TEST(r.baseline().findings().empty());
    for (const alloc_chaos::baseline_run& b : r.stability_baselines())
        BOOST_TEST(b.findings().empty());
    for (const alloc_chaos::attempt& run : r.attempts())
        BOOST_TEST(run.findings().empty(), "run failing #" << run.target());
}

report exhaustive(auto body) { return checker{}.stability_runs(2).run(body); }

template <class Vector>
void exercise_vector(const typename Vector::allocator_type& alloc) {
    Vector v(alloc);
    for (std::size_t i = 0; i < 20; ++i)
        v.emplace_back(words[i % word_count]);
    v.insert(v.begin() + 5, v[3]);
    v.erase(v.begin());
    Vector copy(v, alloc);
    copy.resize(30);
    copy.shrink_to_fit();
    v.assign(copy.begin() + 10, copy.end());
    sink = v.data();
    expect(v.size() == 20 && v[0] == copy[10], "vector: wrong contents");
}

template <class String>
void exercise_string(const typename String::allocator_type& alloc) {
    String s(alloc);
    for (const char* w : words)
        s += w;
    s.insert(0, words[1]);
    String t(s, alloc);
    t.replace(10, 20, words[2]);
    s.reserve(4096);
    s.shrink_to_fit();
    String u = s.substr(100, 50);
    sink = t.data();
    sink = u.data();
    expect(t.size() == s.size() - 20 + String(words[2], alloc).size(), "string: wrong size");
}

template <class Map>
void exercise_map(const typename Map::allocator_type& alloc) {
    Map m(alloc);
    for (int i = 0; i < 16; ++i)
        m.emplace(i, words[i % word_count]);
    m.erase(3);
    Map copy(m, alloc);
    copy[100] = words[0];
    copy.erase(copy.begin(), copy.find(8));
    m.insert(copy.begin(), copy.end());
    sink = &m;
    expect(m.size() == 16 && copy.size() == 9, "map: wrong size");
}

template <class UnorderedMap>
void exercise_unordered_map(const typename UnorderedMap::allocator_type& alloc) {
    UnorderedMap m(alloc);
    for (std::size_t i = 0; i < word_count; ++i)
        m.emplace(words[i], static_cast<int>(i));
    m.rehash(64);
    UnorderedMap copy(m, alloc);
    copy.erase(copy.find(typename UnorderedMap::key_type(words[0], alloc)));
    m.reserve(200);
    m.merge(copy);
    sink = &m;
    expect(m.size() == word_count && copy.size() == word_count - 1, "unordered_map: wrong size");
}

template <class Deque>
void exercise_deque(const typename Deque::allocator_type& alloc) {
    Deque d(alloc);
    for (std::size_t i = 0; i < 40; ++i) {
        d.emplace_back(words[i % word_count]);
        d.emplace_front(words[(i + 1) % word_count]);
    }
    d.erase(d.begin() + 10, d.begin() + 30);
    d.pop_front();
    Deque copy(d, alloc);
    copy.insert(copy.begin() + 5, d.begin(), d.begin() + 10);
    copy.shrink_to_fit();
    sink = &d;
    expect(d.size() == 59 && copy.size() == 69, "deque: wrong size");
}

template <class List>
void exercise_list(const typename List::allocator_type& alloc) {
    List l(alloc);
    for (std::size_t i = 0; i < 24; ++i) {
        l.emplace_back(words[i % word_count]);
        l.emplace_front(words[(i + 3) % word_count]);
    }
    l.sort();
    l.unique();
    List copy(l, alloc);
    copy.remove(typename List::value_type(words[0], alloc));
    l.splice(l.end(), copy);
    sink = &l;
    expect(l.size() == 2 * word_count - 1 && copy.empty(), "list: wrong size");
}

}  // namespace

// ---- through the global bridge ----

BOOST_AUTO_TEST_CASE(std_vector_of_strings_passes_an_exhaustive_check_with_no_findings) {
    expect_passed_without_findings(exhaustive([] { exercise_vector<std::vector<std::string>>({}); }), 40);
}

BOOST_AUTO_TEST_CASE(std_string_passes_an_exhaustive_check_with_no_findings) {
    expect_passed_without_findings(exhaustive([] { exercise_string<std::string>({}); }), 5);
}

BOOST_AUTO_TEST_CASE(std_map_passes_an_exhaustive_check_with_no_findings) {
    expect_passed_without_findings(exhaustive([] { exercise_map<std::map<int, std::string>>({}); }), 30);
}

BOOST_AUTO_TEST_CASE(std_unordered_map_passes_an_exhaustive_check_with_no_findings) {
    expect_passed_without_findings(
        exhaustive([] { exercise_unordered_map<std::unordered_map<std::string, int>>({}); }), 20);
}

BOOST_AUTO_TEST_CASE(std_deque_passes_an_exhaustive_check_with_no_findings) {
    expect_passed_without_findings(exhaustive([] { exercise_deque<std::deque<std::string>>({}); }), 80);
}

BOOST_AUTO_TEST_CASE(std_list_passes_an_exhaustive_check_with_no_findings) {
    expect_passed_without_findings(exhaustive([] { exercise_list<std::list<std::string>>({}); }), 48);
}

// ---- std::pmr, on a chaos_memory_resource ----

BOOST_AUTO_TEST_CASE(pmr_vector_of_strings_passes_an_exhaustive_check_with_no_findings) {
    alloc_chaos::chaos_memory_resource resource;
    expect_passed_without_findings(
        exhaustive([&] { exercise_vector<std::pmr::vector<std::pmr::string>>(&resource); }), 40);
}

BOOST_AUTO_TEST_CASE(pmr_string_passes_an_exhaustive_check_with_no_findings) {
    alloc_chaos::chaos_memory_resource resource;
    expect_passed_without_findings(exhaustive([&] { exercise_string<std::pmr::string>(&resource); }), 5);
}

BOOST_AUTO_TEST_CASE(pmr_map_passes_an_exhaustive_check_with_no_findings) {
    alloc_chaos::chaos_memory_resource resource;
    expect_passed_without_findings(
        exhaustive([&] { exercise_map<std::pmr::map<int, std::pmr::string>>(&resource); }), 30);
}

BOOST_AUTO_TEST_CASE(pmr_unordered_map_passes_an_exhaustive_check_with_no_findings) {
    alloc_chaos::chaos_memory_resource resource;
    expect_passed_without_findings(
        exhaustive([&] { exercise_unordered_map<std::pmr::unordered_map<std::pmr::string, int>>(&resource); }), 20);
}

BOOST_AUTO_TEST_CASE(pmr_deque_passes_an_exhaustive_check_with_no_findings) {
    alloc_chaos::chaos_memory_resource resource;
    expect_passed_without_findings(exhaustive([&] { exercise_deque<std::pmr::deque<std::pmr::string>>(&resource); }),
                                   80);
}

BOOST_AUTO_TEST_CASE(pmr_list_passes_an_exhaustive_check_with_no_findings) {
    alloc_chaos::chaos_memory_resource resource;
    expect_passed_without_findings(exhaustive([&] { exercise_list<std::pmr::list<std::pmr::string>>(&resource); }),
                                   48);
}
