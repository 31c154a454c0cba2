// A consumer's Boost.Test module: a BOOST_ALLOC_CHAOS_CASE, which passes only when every failure
// path of its body ends in a controlled error.
#define BOOST_TEST_MODULE consumer
#include <alloc_chaos/boost_test.hpp>

#include <map>
#include <string>

BOOST_ALLOC_CHAOS_CASE(a_map_survives_every_allocation_failure) {
    std::map<std::string, int> counts;
    ++counts["a word long enough to live on the heap"];
    BOOST_TEST(counts.size() == 1u);
}
