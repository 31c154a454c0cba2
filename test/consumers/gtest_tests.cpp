// A consumer's GoogleTest suite: an ALLOC_CHAOS_TEST, which passes only when every failure path of
// its body ends in a controlled error.
#include <alloc_chaos/gtest.hpp>

#include <map>
#include <string>

ALLOC_CHAOS_TEST(Counts, SurviveEveryAllocationFailure) {
    std::map<std::string, int> counts;
    ++counts["a word long enough to live on the heap"];
    EXPECT_EQ(counts.size(), 1u);
}
