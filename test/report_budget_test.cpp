#define BOOST_TEST_MODULE report_budget
#include <boost/test/unit_test.hpp>

// The size of a failing report with leaks: a short function leaking into nested std containers
// renders, by default, in a screenful, and still names every failed run and every leaked block.
// The same report in full detail was 238 lines, 90,437 characters, the longest line 2,570
// characters, before stacks were folded (g++ 12, RelWithDebInfo).

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using alloc_chaos::checker;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::report;
using alloc_chaos::stack_detail;

namespace {

using index_type = std::map<std::string, std::vector<std::string>>;

// The indexes add_entries leaves behind, kept without allocating and deleted after each check, so
// that LeakSanitizer finds none of them at exit.
index_type* abandoned[64] = {};

index_type* keep(index_type* index) {
    for (index_type*& slot : abandoned)
        if (slot == nullptr) {
            slot = index;
            break;
        }
    return index;
}

index_type* forget(index_type* index) {
    for (index_type*& slot : abandoned)
        if (slot == index)
            slot = nullptr;
    return index;
}

struct deletes_abandoned_indexes {
    ~deletes_abandoned_indexes() {
        for (index_type*& slot : abandoned) {
            delete slot;
            slot = nullptr;
        }
    }
};

// The code under test: a failure after the first line leaks the index and what it holds.
void add_entries() {
    index_type* index = keep(new index_type);
    (*index)["a long key that needs the heap"].push_back("a long value that needs the heap too");
    (*index)["a long key that needs the heap"].push_back("another value that needs the heap too");
    delete forget(index);
}

struct measured {
    std::size_t lines = 0;
    std::size_t characters = 0;
    std::size_t longest = 0;
};

measured measure(const std::string& text) {
    measured m;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        ++m.lines;
        m.longest = std::max(m.longest, line.size());
    }
    m.characters = text.size();
    return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_nested_containers_leak_renders_in_60_lines_and_8_kb) {
    deletes_abandoned_indexes cleanup;
    const report r = alloc_chaos::check(add_entries);
    const std::string text = report_text::streamed(r);
    const measured size = measure(text);
    BOOST_TEST_MESSAGE("folded: " << size.lines << " lines, " << size.characters << " characters, the longest "
                                  << size.longest);
    BOOST_TEST(size.lines <= 60u, text);
    BOOST_TEST(size.characters <= 8192u, text);
}

BOOST_AUTO_TEST_CASE(a_nested_containers_leak_report_names_every_failed_run_and_every_leaked_block) {
    deletes_abandoned_indexes cleanup;
    const report r = alloc_chaos::check(add_entries);
    const std::string text = report_text::streamed(r);
    BOOST_TEST_REQUIRE(!r.success());
    std::set<std::size_t> leaked;
    std::size_t failed = 0;
    for (const auto& a : r.attempts()) {
        if (a.success())
            continue;
        ++failed;
        BOOST_TEST(text.find("\n  #" + std::to_string(a.target()) + " operator new ") != std::string::npos,
                   "run #" << a.target() << '\n' << text);
        for (const finding& f : a.findings())
            if (f.kind() == finding_kind::leak && f.allocation())
                leaked.insert(f.allocation()->index());
    }
    BOOST_TEST(failed == 7u);
    BOOST_TEST(leaked.size() == 5u);
    for (std::size_t block : leaked)
        BOOST_TEST(text.find("#" + std::to_string(block) + " operator new size=") != std::string::npos,
                   "block #" << block << '\n' << text);
    BOOST_TEST(text.ends_with("\nSUMMARY: 7 of 8 failure runs failed: 7 leaked\n"), text);
}

BOOST_AUTO_TEST_CASE(a_repeated_set_of_leaked_blocks_is_referred_to_the_run_that_showed_it) {
    deletes_abandoned_indexes cleanup;
    const std::string text = report_text::rendered(alloc_chaos::check(add_entries));
    BOOST_TEST(text.find("      leaked 5 blocks, 236 bytes: #0 operator new size=48, #1 operator new size=31, #2 "
                         "operator new size=88, #3 operator new size=37, #4 operator new size=32\n"
                         "      replay: ALLOC_CHAOS_ONLY=5\n") != std::string::npos,
               text);
    for (const char* run : {"6", "7"})
        BOOST_TEST(text.find("      leaked 5 blocks, 236 bytes: same 5 leaked blocks as #5\n"
                             "      replay: ALLOC_CHAOS_ONLY=" +
                             std::string(run)) != std::string::npos,
                   text);
}

BOOST_AUTO_TEST_CASE(in_full_detail_every_run_lists_its_leaked_blocks_again) {
    deletes_abandoned_indexes cleanup;
    const report r = checker{}.stacks(stack_detail::full).run(add_entries);
    const measured size = measure(report_text::streamed(r));
    BOOST_TEST_MESSAGE("full: " << size.lines << " lines, " << size.characters << " characters, the longest "
                                << size.longest);
    const std::string text = report_text::rendered(r);
    BOOST_TEST(text.find("same 5 leaked blocks") == std::string::npos, text);
    BOOST_TEST(text.find("      leaked 5 blocks, 236 bytes: #0 operator new size=48, #1 operator new size=31, #2 "
                         "operator new size=88, #3 operator new size=37, #4 operator new size=32\n"
                         "      replay: ALLOC_CHAOS_ONLY=7\n") != std::string::npos,
               text);
}
