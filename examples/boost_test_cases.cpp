// A Boost.Test module whose cases run under alloc-chaos's strict exhaustive loop.
#define BOOST_TEST_MODULE boost_test_cases
#include <alloc_chaos/boost_test.hpp>

#include <map>
#include <memory_resource>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// Code under test: splits "a,b,c" into its fields.
std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> fields(1);
    for (char c : text) {
        if (c == separator)
            fields.emplace_back();
        else
            fields.back() += c;
    }
    return fields;
}

// Code under test, pmr flavour: counts the words of a text with the resource it is given.
std::pmr::map<std::pmr::string, int> count_words(const std::string& text, std::pmr::memory_resource* resource) {
    std::pmr::map<std::pmr::string, int> counts(resource);
    for (const std::string& word : split(text, ' '))
        ++counts[std::pmr::string(word, resource)];
    return counts;
}

}  // namespace

namespace utf = boost::unit_test;

// Every allocation of the body is failed in turn; the case passes when each failure ends in
// std::bad_alloc (or is handled) and the body's assertions hold in every run.
BOOST_ALLOC_CHAOS_CASE(split_survives_every_allocation_failure) {
    const std::vector<std::string> fields = split("a field long enough for the heap,second,third", ',');
    BOOST_TEST(fields.size() == 3u);
    BOOST_TEST(fields[1] == "second");
}

// pmr code: the ready fixture owns `resource` (a chaos_memory_resource) and `allocator`.
BOOST_ALLOC_CHAOS_FIXTURE_CASE(count_words_survives_every_allocation_failure,
                               alloc_chaos::boost_test::chaos_resource_fixture, *utf::label("pmr")) {
    const auto counts = count_words("the cat and the other cat sat on the mat", &resource);
    BOOST_TEST(counts.at("the") == 3);
    BOOST_TEST(counts.size() == 7u);
}

// Checker options come as a decorator, here three baseline runs that must agree.
BOOST_ALLOC_CHAOS_CASE(a_stable_body, *alloc_chaos::boost_test::check_with(alloc_chaos::checker{}.stability_runs(3))) {
    std::map<int, std::string> names{{1, std::string(30, 'a')}, {2, std::string(30, 'b')}};
    BOOST_TEST(names.size() == 2u);
}
