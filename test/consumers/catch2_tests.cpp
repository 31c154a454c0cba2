// A consumer's Catch2 suite: an ALLOC_CHAOS_TEST_CASE, which passes only when every failure path of
// its body ends in a controlled error.
#define CATCH_CONFIG_MAIN
#include <alloc_chaos/catch2.hpp>

#include <map>
#include <string>

ALLOC_CHAOS_TEST_CASE("a map survives every allocation failure", "[consumer]") {
    std::map<std::string, int> counts;
    ++counts["a word long enough to live on the heap"];
    CHECK(counts.size() == 1u);
}
