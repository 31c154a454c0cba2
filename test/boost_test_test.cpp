// BOOST_ALLOC_CHAOS_CASE and BOOST_ALLOC_CHAOS_FIXTURE_CASE: cases that pass. The cases that
// must fail live in boost_test_failing_cases.cpp and are run by boost_test_failing_test.cpp.
#define BOOST_TEST_MODULE boost_test_integration
#include <alloc_chaos/boost_test.hpp>

#include "test_bodies.hpp"

#include <boost/test/tools/floating_point_comparison.hpp>

#include <deque>
#include <list>
#include <map>
#include <memory_resource>
#include <string>
#include <unordered_map>
#include <vector>

namespace utf = boost::unit_test;
namespace tt = boost::test_tools;

using test_bodies::sink;

namespace {

// Every fixture object ever built; a fresh one per run means one per run.
int fixtures_built = 0;

struct counting_fixture {
    counting_fixture() { ++fixtures_built; }
    std::vector<std::string> names;  // empty in every run: the fixture is fresh
    int runs_seen = 0;
};

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

// A case body: one observed allocation (a vector of 2 doubles), then passing assertions with a
// context, a tolerance and messages, whose own allocations a check does not observe. The cases
// below make it in place and in worker processes.
void make_assertions_with_context_tolerance_and_messages() {
    std::vector<double> values{1.0, 2.0};
    BOOST_TEST_INFO("values has " << values.size() << " elements");
    BOOST_TEST(values[0] + values[1] == 3.0, tt::tolerance(1e-9));
    BOOST_TEST_MESSAGE("checked " << values.size() << " values");
    BOOST_TEST_CONTEXT("second check") {
        BOOST_CHECK_EQUAL(values.size(), 2u);
    }
    BOOST_CHECK_CLOSE(values[1], 2.0, 0.001);
}

}  // namespace

BOOST_ALLOC_CHAOS_CASE(std_containers_through_the_bridge) {
    std::map<int, std::string> names;
    names.emplace(1, std::string(40, 'a'));
    std::vector<std::string> words = split_words("one two three four");
    std::unordered_map<std::string, int> index;
    for (const std::string& w : words)
        index[w] = static_cast<int>(w.size());
    std::deque<int> d(100, 7);
    std::list<int> l(d.begin(), d.begin() + 3);
    BOOST_TEST(words.size() == 4u);
    BOOST_TEST(index.at("three") == 5);
    BOOST_TEST(l.size() == 3u);
}

BOOST_ALLOC_CHAOS_FIXTURE_CASE(pmr_containers_on_the_ready_fixture, alloc_chaos::boost_test::chaos_resource_fixture) {
    std::pmr::vector<std::pmr::string> lines(allocator);
    lines.emplace_back("a line long enough to need the heap, not the small buffer");
    lines.emplace_back("and a second one, just as long as the first one was");
    std::pmr::map<int, std::pmr::string> by_number(&resource);
    by_number.emplace(1, lines.front());
    BOOST_TEST(lines.size() == 2u);
    BOOST_TEST(by_number.at(1) == lines.front());
}

BOOST_ALLOC_CHAOS_FIXTURE_CASE(the_ready_fixtures_resource_checks_deallocations_from_the_start_of_the_case,
                               alloc_chaos::boost_test::chaos_resource_fixture) {
    BOOST_TEST(resource.checking_deallocations());
    std::pmr::vector<int> v({1}, allocator);  // one attempt: a case that observes none is INVALID
    BOOST_TEST(v.size() == 1u);
}

BOOST_ALLOC_CHAOS_FIXTURE_CASE(fixture_case_sees_a_fresh_fixture_in_every_run, counting_fixture) {
    BOOST_TEST(runs_seen == 0);
    BOOST_TEST(names.empty());
    ++runs_seen;
    names.push_back(std::string(32, 'x'));
}

BOOST_AUTO_TEST_CASE(the_fixture_was_built_once_per_run, *utf::depends_on("fixture_case_sees_a_fresh_fixture_in_every_run")) {
    // One baseline run plus one run per attempt: the std::string and the vector's buffer.
    BOOST_TEST(fixtures_built == 1 + 2);
}

BOOST_AUTO_TEST_SUITE(decorated, *utf::label("oom"))

BOOST_ALLOC_CHAOS_CASE(inside_a_suite_with_decorators, *utf::label("chaos") * utf::timeout(60)) {
    std::vector<int> v;
    v.push_back(1);
    BOOST_TEST(v.back() == 1);
}

BOOST_AUTO_TEST_CASE(the_case_kept_its_decorators) {
    const auto& suite = utf::framework::get<utf::test_suite>(utf::framework::current_test_case().p_parent_id);
    const utf::test_unit& chaos_case = utf::framework::get(suite.get("inside_a_suite_with_decorators"), utf::TUT_CASE);
    BOOST_TEST(chaos_case.p_labels.get() == std::vector<std::string>{"chaos"}, tt::per_element());
    BOOST_TEST(chaos_case.p_timeout == 60u);
}

BOOST_AUTO_TEST_SUITE_END()

struct suite_fixture {
    std::string greeting = "a greeting long enough to live on the heap";
};

BOOST_FIXTURE_TEST_SUITE(with_suite_fixture, suite_fixture)

BOOST_ALLOC_CHAOS_CASE(picks_up_the_suite_fixture) {
    std::string copy = greeting;
    BOOST_TEST(copy == greeting);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_ALLOC_CHAOS_CASE(check_with_sets_the_checker,
                       *alloc_chaos::boost_test::check_with(alloc_chaos::checker{}.stability_runs(3))) {
    std::vector<int> v(10);
    BOOST_TEST(v.size() == 10u);
}

BOOST_AUTO_TEST_SUITE(suite_options, *alloc_chaos::boost_test::check_with(alloc_chaos::checker{}.require_global_bridge(false)))

BOOST_ALLOC_CHAOS_FIXTURE_CASE(check_with_on_a_suite_reaches_its_cases, alloc_chaos::boost_test::chaos_resource_fixture) {
    std::pmr::vector<int> v({1, 2, 3}, allocator);
    BOOST_TEST(v.size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_ALLOC_CHAOS_CASE(assertions_with_context_tolerance_and_messages_are_unobserved) {
    make_assertions_with_context_tolerance_and_messages();
}

BOOST_AUTO_TEST_CASE(assertions_allocate_nothing_that_a_check_observes) {
    // The three allocations of the body below are the vector's; BOOST_TEST_INFO and
    // tolerance() allocate too, unobserved.
    const alloc_chaos::report r = alloc_chaos::check([] {
        std::vector<int> v{1, 2, 3};
        sink = v.data();
        BOOST_TEST_INFO("a context that allocates");
        BOOST_TEST(v.size() == 3.0, tt::tolerance(0.5));
        v.push_back(4);
        sink = v.data();
        v.shrink_to_fit();
        sink = v.data();
    });
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 3u);
}

// ---- The runs in worker processes (checker::processes) ----

namespace {

// Every worker_fixture built in this process; a worker process counts its own.
int worker_fixtures_built_here = 0;

struct worker_fixture {
    worker_fixture() { ++worker_fixtures_built_here; }
    std::vector<std::string> names;  // empty in every run: the fixture is fresh
};

}  // namespace

BOOST_AUTO_TEST_SUITE(in_worker_processes, *alloc_chaos::boost_test::check_with(alloc_chaos::checker{}.processes(2)))

BOOST_ALLOC_CHAOS_FIXTURE_CASE(sees_a_fresh_fixture_in_every_run, worker_fixture) {
    BOOST_TEST(names.empty());
    names.push_back(std::string(32, 'x'));
}

BOOST_AUTO_TEST_CASE(the_fixtures_were_built_in_the_workers_and_every_runs_assertion_counted_here,
                     *utf::depends_on("in_worker_processes/sees_a_fresh_fixture_in_every_run")) {
    BOOST_TEST(worker_fixtures_built_here == 0);
    const auto& suite = utf::framework::get<utf::test_suite>(utf::framework::current_test_case().p_parent_id);
    const utf::test_results& chaos_case = utf::results_collector.results(suite.get("sees_a_fresh_fixture_in_every_run"));
    // One assertion per run: the baseline run, and the runs failing the string and the vector's buffer.
    BOOST_TEST(chaos_case.p_assertions_passed == 3u);
    BOOST_TEST(chaos_case.p_assertions_failed == 0u);
}

BOOST_ALLOC_CHAOS_CASE(assertions_with_context_tolerance_and_messages) {
    make_assertions_with_context_tolerance_and_messages();
}

BOOST_AUTO_TEST_SUITE_END()
