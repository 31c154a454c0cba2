// ALLOC_CHAOS_TEST_CASE, ALLOC_CHAOS_TEST_CASE_WITH, ALLOC_CHAOS_TEST_CASE_METHOD and the matcher
// alloc_chaos::catch2::succeeded(): cases that pass. The cases that must fail live in
// catch2_failing_cases.cpp and are run by catch2_failing.cpp. A TEST_CASE that counts the runs
// of an alloc-chaos case comes right after it: Catch2 runs the cases of a file in their order.
#include <alloc_chaos/catch2.hpp>

#include "test_bodies.hpp"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <list>
#include <map>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

using test_bodies::sink;

namespace {

// Three observed attempts: the buffer, then two strings too long for the small buffer.
std::vector<std::string> three_attempts() {
    std::vector<std::string> words;
    words.reserve(2);             // #0 operator new size=64
    words.emplace_back(40, 'a');  // #1 operator new size=41
    words.emplace_back(40, 'b');  // #2 operator new size=41
    return words;
}

std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
        if (c == ' ') {
            words.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    words.push_back(word);
    return words;
}

// The test case registered under `name`; fails the test when there is none.
const Catch::TestCase& registered(const std::string& name) {
    const std::vector<Catch::TestCase>& all = Catch::getRegistryHub().getTestCaseRegistry().getAllTests();
    const auto found = std::find_if(all.begin(), all.end(), [&](const Catch::TestCase& t) { return t.name == name; });
    REQUIRE(found != all.end());
    return *found;
}

int default_runs = 0;

}  // namespace

ALLOC_CHAOS_TEST_CASE("std containers through the bridge", "[containers]") {
    std::map<int, std::string> names;
    names.emplace(1, std::string(40, 'a'));
    std::vector<std::string> words = split_words("one two three four");
    std::unordered_map<std::string, int> index;
    for (const std::string& w : words)
        index[w] = static_cast<int>(w.size());
    std::deque<int> d(100, 7);
    std::list<int> l(d.begin(), d.begin() + 3);
    CHECK(words.size() == 4u);
    CHECK(index.at("three") == 5);
    REQUIRE(l.size() == 3u);
}

ALLOC_CHAOS_TEST_CASE("runs once with nothing failed, then once per attempt", "[runs]") {
    ++default_runs;
    const std::vector<std::string> words = three_attempts();
    sink = const_cast<std::string*>(words.data());
    CHECK(words.size() == 2u);
}

TEST_CASE("the default case ran once plus once per attempt", "[runs]") {
    CHECK(default_runs == 1 + 3);
}

TEST_CASE("an alloc-chaos case is registered with its name and tags", "[registration]") {
    const Catch::TestCase& chaos_case = registered("std containers through the bridge");
    CHECK(chaos_case.tags == std::vector<std::string>{"containers"});
    CHECK(chaos_case.lineInfo.line > 0u);
}

namespace {

int runs_with_options = 0;

}  // namespace

ALLOC_CHAOS_TEST_CASE_WITH(alloc_chaos::checker{}.stability_runs(3), "options come first", "[options]") {
    ++runs_with_options;
    const std::vector<std::string> words = three_attempts();
    sink = const_cast<std::string*>(words.data());
    CHECK(words.size() == 2u);
}

TEST_CASE("the case with options ran three baselines plus once per attempt", "[options]") {
    CHECK(runs_with_options == 3 + 3);
}

namespace {

// Every fixture object ever built; a fresh one per run means one per run.
int fixtures_built = 0;

struct counting_fixture {
    counting_fixture() { ++fixtures_built; }
    std::vector<std::string> names;  // empty in every run: the fixture is fresh
    int runs_seen = 0;
};

}  // namespace

ALLOC_CHAOS_TEST_CASE_METHOD(counting_fixture, "a fixture case sees a fresh fixture in every run", "[fixture]") {
    CHECK(runs_seen == 0);
    CHECK(names.empty());
    ++runs_seen;
    names.push_back(std::string(32, 'x'));
}

TEST_CASE("the fixture was built once per run", "[fixture]") {
    // One baseline run plus one run per attempt: the std::string and the vector's buffer.
    CHECK(fixtures_built == 1 + 2);
}

TEST_CASE("a fixture case is registered with its fixture as its class", "[fixture][registration]") {
    CHECK(registered("a fixture case sees a fresh fixture in every run").className == "counting_fixture");
}

namespace {

int stable_fixtures_built = 0;

// A fixture that gives its cases their options.
struct stable_fixture {
    static alloc_chaos::checker alloc_chaos_checker() { return alloc_chaos::checker{}.stability_runs(2); }
    stable_fixture() { ++stable_fixtures_built; }
};

}  // namespace

ALLOC_CHAOS_TEST_CASE_METHOD(stable_fixture, "a fixture's alloc_chaos_checker gives the options", "[fixture][options]") {
    const std::vector<std::string> words = three_attempts();
    sink = const_cast<std::string*>(words.data());
    CHECK(words.size() == 2u);
}

TEST_CASE("the fixture with options was built for two baselines plus once per attempt", "[fixture][options]") {
    CHECK(stable_fixtures_built == 2 + 3);
}

namespace {

// Every in_workers_fixture built in this process; a worker process counts its own.
int worker_fixtures_built_here = 0;

// A fixture whose cases run in worker processes.
struct in_workers_fixture {
    static alloc_chaos::checker alloc_chaos_checker() { return alloc_chaos::checker{}.processes(2); }
    in_workers_fixture() { ++worker_fixtures_built_here; }
};

}  // namespace

ALLOC_CHAOS_TEST_CASE_METHOD(in_workers_fixture, "a fixture case in worker processes builds its fixture there",
                             "[fixture][processes]") {
    CHECK(worker_fixtures_built_here >= 1);  // this run's, in the worker that makes it
    const std::vector<std::string> words = three_attempts();
    sink = const_cast<std::string*>(words.data());
    CHECK(words.size() == 2u);
}

TEST_CASE("the fixture of a case in worker processes was built in the workers alone", "[fixture][processes]") {
    CHECK(worker_fixtures_built_here == 0);
}

ALLOC_CHAOS_TEST_CASE() {
    std::vector<int> v(4);
    sink = v.data();
    CHECK(v.size() == 4u);
}

TEST_CASE("assertions, messages and captures allocate nothing that a check observes", "[unobserved]") {
    // The three allocations of the body below are the vector's; the assertions allocate too, unobserved.
    const alloc_chaos::report r = alloc_chaos::check([] {
        std::vector<int> v{1, 2, 3};
        sink = v.data();
        INFO("a message of " << std::string(40, 'm'));
        UNSCOPED_INFO("an unscoped message of " << std::string(40, 'u'));
        const int label = 42;
        CAPTURE(label, v.size());
        CHECK(v.size() == 3u);
        CHECK_FALSE(v.empty());
        CHECK_THAT(std::string(40, 's'), Catch::Matchers::StartsWith("sss"));
        CHECK_THROWS_AS(throw std::runtime_error(std::string(40, 'e')), std::runtime_error);
        CHECK_THROWS_WITH(throw std::runtime_error(std::string(40, 'w')), Catch::Matchers::Contains("www"));
        CHECK_THROWS_MATCHES(throw std::runtime_error(std::string(40, 'x')), std::runtime_error,
                             Catch::Matchers::Message(std::string(40, 'x')));
        CHECK_THROWS(throw std::runtime_error(std::string(40, 't')));
        CHECK_NOTHROW(std::string(40, 'n'));
        SUCCEED("a success of " << std::string(40, 'y'));
        v.push_back(4);
        sink = v.data();
        v.shrink_to_fit();
        sink = v.data();
    });
    REQUIRE_THAT(r, alloc_chaos::catch2::succeeded());
    CHECK(r.baseline_allocations() == 3u);
}

namespace {

// The lengths the generator below yielded, in the order the test case ran with them.
std::vector<int> generated_lengths;

}  // namespace

// GENERATE outside a check, in a plain TEST_CASE: Catch2 runs the case once per value, and each
// run makes a plain check of its own.
TEST_CASE("a generator around a plain check yields each value", "[generators]") {
    const int length = GENERATE(20, 40, 60);
    generated_lengths.push_back(length);
    const alloc_chaos::report r = alloc_chaos::check([length] {
        std::string text(static_cast<std::size_t>(length), 'g');  // #0 operator new
        sink = text.data();
    });
    CHECK_THAT(r, alloc_chaos::catch2::succeeded());
}

TEST_CASE("the generator yielded 20, 40 and 60, one run of the case each", "[generators]") {
    CHECK(generated_lengths == std::vector<int>{20, 40, 60});
}

TEST_CASE("succeeded() matches a report that passed", "[matcher]") {
    const alloc_chaos::report r = alloc_chaos::check([] {
        std::vector<int> v(4);
        sink = v.data();
    });
    CHECK(alloc_chaos::catch2::succeeded().match(r));
    CHECK_THAT(r, alloc_chaos::catch2::succeeded());
}

TEST_CASE("succeeded() does not match a report that failed, and describes what it wanted", "[matcher]") {
    const alloc_chaos::report r = alloc_chaos::check([] {
        try {
            std::vector<int> v(4);
            sink = v.data();
        } catch (const std::bad_alloc&) {
            throw std::runtime_error("out of memory, as a runtime_error");
        }
    });
    CHECK_FALSE(alloc_chaos::catch2::succeeded().match(r));
    CHECK(alloc_chaos::catch2::succeeded().toString() == "is a successful alloc-chaos check (PASSED)");
}

TEST_CASE("a report prints as its whole text, ending in a line break", "[matcher]") {
    const alloc_chaos::report r = alloc_chaos::check([] {
        std::vector<int> v(4);
        sink = v.data();
    });
    std::ostringstream text;
    text << r;
    CHECK(Catch::Detail::stringify(r) == text.str());
    CHECK(Catch::Detail::stringify(r).rfind("alloc-chaos check PASSED: ", 0) == 0);
}
