// GoogleTest tests whose bodies run under alloc-chaos's strict exhaustive loop.
#include <alloc_chaos/gtest.hpp>

#include <map>
#include <memory_resource>
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

// Every allocation of the body is failed in turn; the test passes when each failure ends in
// std::bad_alloc (or is handled) and the body's assertions hold in every run.
ALLOC_CHAOS_TEST(Split, SurvivesEveryAllocationFailure) {
    const std::vector<std::string> fields = split("a field long enough for the heap,second,third", ',');
    ASSERT_EQ(fields.size(), 3u);
    EXPECT_EQ(fields[1], "second");
}

// pmr code: a fixture owns the chaos_memory_resource, made fresh for every run, and its checker
// options (here three baseline runs that must agree).
class WordCount : public ::testing::Test {
public:
    static alloc_chaos::checker alloc_chaos_checker() { return alloc_chaos::checker{}.stability_runs(3); }

protected:
    alloc_chaos::chaos_memory_resource resource;
};

ALLOC_CHAOS_TEST_F(WordCount, SurvivesEveryAllocationFailure) {
    const auto counts = count_words("the cat and the other cat sat on the mat", &resource);
    EXPECT_EQ(counts.at("the"), 3);
    EXPECT_EQ(counts.size(), 7u);
}

// A plain check inside an ordinary test: the whole report is printed if it fails.
TEST(Split, PlainCheck) {
    EXPECT_ALLOC_CHAOS_SUCCESS(alloc_chaos::check([] { (void)split("one field for the heap,two", ','); }));
}
