#define BOOST_TEST_MODULE report_stacks
#include <boost/test/unit_test.hpp>

// How the text report shows call stacks, folded (the default) and full, on reports made from
// plain data, so that every frame is known and the text is compared exactly; and the summary line.

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"
#include "test_scopes.hpp"

#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::attempt;
using alloc_chaos::baseline_run;
using alloc_chaos::checker;
using alloc_chaos::failure_mode;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using alloc_chaos::report_data;
using alloc_chaos::stack_detail;
using alloc_chaos::stack_frame;
using test_scopes::environment_variable;

namespace {

const std::string string_type = "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >";
const std::string vector_type = "std::vector<" + string_type + ", std::allocator<" + string_type + " > >";

// The frames of a string built from a literal in the user's add_entry, innermost first.
std::vector<stack_frame> string_stack(unsigned user_line) {
    return {
        {"std::__new_allocator<char>::allocate(unsigned long, void const*)", "/usr/include/c++/12/bits/new_allocator.h",
         137},
        {"std::allocator<char>::allocate(unsigned long)", "/usr/include/c++/12/bits/allocator.h", 188},
        {string_type + "::_M_create(unsigned long&, unsigned long)", "/usr/include/c++/12/bits/basic_string.tcc", 155},
        {string_type + "::basic_string<std::allocator<char> >(char const*, std::allocator<char> const&)",
         "/usr/include/c++/12/bits/basic_string.h", 642},
        {"add_entry()", "/home/me/project/src/entries.cpp", user_line},
        {"main::{lambda()#1}::operator()() const", "/home/me/project/src/main.cpp", 9},
    };
}

allocation new_of(std::size_t index, std::size_t size) { return {index, operation::operator_new, size, 16, false}; }

std::string injected(std::size_t index, std::size_t size) {
    return "alloc-chaos injected failure of attempt #" + std::to_string(index) + " operator new size=" +
           std::to_string(size) + " align=16";
}

// A report of `attempts` runs after a baseline of `observed` attempts, with stacks taken.
report_data failing(std::size_t observed, std::vector<attempt> attempts, stack_detail detail = stack_detail::folded) {
    report_data data;
    data.bridge_observed = true;
    data.baseline = baseline_run(observed, outcome::completed, "");
    data.attempts = std::move(attempts);
    data.call_stacks = true;
    data.stacks = detail;
    return data;
}

std::string text_of(const report_data& data, std::string_view directory = "/home/me/project") {
    std::ostringstream out;
    alloc_chaos::write_text(out, report(data), directory);
    return out.str();
}

const std::string header_of_2 = "alloc-chaos check FAILED: 2 of 2 failure runs did not end in a controlled error with "
                                "no findings\n"
                                "  probe: global operator new/delete bridge observed\n"
                                "  baseline: completed, 2 attempts\n"
                                "  failures: 2 tested, 2 injected, of 2 observed attempts\n";

// Two runs: #1 leaks #0 (allocated at line 3 of add_entry), and the same again for a failure of #1
// at another line.
report_data two_runs_leaking_the_same_block(stack_detail detail = stack_detail::folded) {
    const std::vector<stack_frame> block_stack = {{"add_entry()", "/home/me/project/src/entries.cpp", 3},
                                                  {"main::{lambda()#1}::operator()() const",
                                                   "/home/me/project/src/main.cpp", 9}};
    std::vector<attempt> runs;
    for (unsigned line : {4u, 5u})
        runs.emplace_back(line - 3, 2, new_of(line - 3, 31), outcome::bad_alloc, injected(line - 3, 31),
                          std::vector<finding>{finding(finding_kind::leak, new_of(0, 48), "block", block_stack)},
                          failure_mode::once, 1, string_stack(line));
    return failing(2, std::move(runs), detail);
}

}  // namespace

// ---- folded, the default ----

BOOST_AUTO_TEST_CASE(a_report_shows_stacks_folded_by_default) {
    BOOST_TEST((report_data{}.stacks == stack_detail::folded));
    BOOST_TEST((checker{}.run([] { test_bodies::allocate_and_free(8); }).data().stacks == stack_detail::folded));
}

BOOST_AUTO_TEST_CASE(a_folded_stack_shows_the_first_frame_of_user_code_first_then_the_library_frames_it_called) {
    std::vector<attempt> runs;
    runs.emplace_back(0, 1, new_of(0, 31), outcome::exception, "mishandled", std::vector<finding>{},
                      failure_mode::once, 1, string_stack(4));
    BOOST_TEST(text_of(failing(1, std::move(runs))) ==
               "alloc-chaos check FAILED: 1 of 1 failure run did not end in a controlled error\n"
               "  probe: global operator new/delete bridge observed\n"
               "  baseline: completed, 1 attempt\n"
               "  failures: 1 tested, 1 injected, of 1 observed attempt\n"
               "  #0 operator new size=31 align=16: exception — mishandled\n"
               "      at add_entry() src/entries.cpp:4\n"
               "      at … 4 frames in the standard library via std::string::basic_string<…>\n"
               "      at main::{lambda()#1}::operator()() const src/main.cpp:9\n"
               "      replay: ALLOC_CHAOS_ONLY=0\n"
               "SUMMARY: 1 of 1 failure run failed: 1 exception\n");
}

BOOST_AUTO_TEST_CASE(library_frames_between_frames_of_user_code_are_folded_where_they_are) {
    const std::vector<stack_frame> frames = {
        {"grow(std::vector<int, std::allocator<int> >&)", "/p/grow.cpp", 7},
        {"void std::for_each<int*, apply()::{lambda(int&)#1}>(int*, int*, apply()::{lambda(int&)#1})",
         "/usr/include/c++/12/bits/stl_algo.h", 3833},
        {"std::function<void ()>::operator()() const", "/usr/include/c++/12/bits/std_function.h", 591},
        {"apply()", "/p/apply.cpp", 12},
        {"alloc_chaos::allocator<int>::allocate(unsigned long)", "/p/include/alloc_chaos/allocator.hpp", 40},
        {"run_all()", "/p/apply.cpp", 20},
    };
    std::vector<attempt> runs;
    runs.emplace_back(0, 1, new_of(0, 8), outcome::exception, "mishandled", std::vector<finding>{},
                      failure_mode::once, 1, frames);
    const std::string text = text_of(failing(1, std::move(runs)), "/p");
    BOOST_TEST(text.find("  #0 operator new size=8 align=16: exception — mishandled\n"
                         "      at grow(std::vector<int>&) grow.cpp:7\n"
                         "      at … 2 frames in the standard library via std::function<void ()>::operator()\n"
                         "      at apply() apply.cpp:12\n"
                         "      at … 1 frame in alloc-chaos via alloc_chaos::allocator<int>::allocate\n"
                         "      at run_all() apply.cpp:20\n"
                         "      replay: ALLOC_CHAOS_ONLY=0\n") != std::string::npos,
               text);
}

BOOST_AUTO_TEST_CASE(a_stack_without_a_frame_of_user_code_shows_every_frame_with_short_names) {
    const std::vector<stack_frame> frames = {
        {"std::__new_allocator<char>::allocate(unsigned long, void const*)", "", 0},
        {string_type + "::_M_create(unsigned long&, unsigned long)", "", 0},
    };
    std::vector<attempt> runs;
    runs.emplace_back(0, 1, new_of(0, 8), outcome::exception, "mishandled", std::vector<finding>{},
                      failure_mode::once, 1, frames);
    const std::string text = text_of(failing(1, std::move(runs)));
    BOOST_TEST(text.find("exception — mishandled\n"
                         "      at std::__new_allocator<char>::allocate(unsigned long, void const*) ??:0\n"
                         "      at std::string::_M_create(unsigned long&, unsigned long) ??:0\n"
                         "      replay:") != std::string::npos,
               text);
}

BOOST_AUTO_TEST_CASE(a_file_outside_the_directory_is_shown_whole) {
    std::vector<attempt> runs;
    runs.emplace_back(0, 1, new_of(0, 31), outcome::exception, "mishandled", std::vector<finding>{},
                      failure_mode::once, 1, string_stack(4));
    const std::string text = text_of(failing(1, std::move(runs)), "/elsewhere");
    BOOST_TEST(text.find("      at add_entry() /home/me/project/src/entries.cpp:4\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_block_leaked_again_with_the_same_stack_is_listed_and_not_shown_again) {
    BOOST_TEST(text_of(two_runs_leaking_the_same_block()) ==
               header_of_2 +
                   "  #1 operator new size=31 align=16: bad_alloc — " + injected(1, 31) +
                   "\n"
                   "      at add_entry() src/entries.cpp:4\n"
                   "      at … 4 frames in the standard library via std::string::basic_string<…>\n"
                   "      at main::{lambda()#1}::operator()() const src/main.cpp:9\n"
                   "      leaked 1 block, 48 bytes: #0 operator new size=48\n"
                   "        #0 operator new size=48 allocated at\n"
                   "        at add_entry() src/entries.cpp:3\n"
                   "        at main::{lambda()#1}::operator()() const src/main.cpp:9\n"
                   "      replay: ALLOC_CHAOS_ONLY=1\n"
                   "  #2 operator new size=31 align=16: bad_alloc — " +
                   injected(2, 31) +
                   "\n"
                   "      at add_entry() src/entries.cpp:5\n"
                   "      at … 4 frames in the standard library via std::string::basic_string<…>\n"
                   "      at main::{lambda()#1}::operator()() const src/main.cpp:9\n"
                   "      leaked 1 block, 48 bytes: same 1 leaked block as #1\n"
                   "      replay: ALLOC_CHAOS_ONLY=2\n"
                   "SUMMARY: 2 of 2 failure runs failed: 2 leaked\n");
}

BOOST_AUTO_TEST_CASE(a_stack_shown_before_is_referred_to_by_the_attempt_it_belongs_to) {
    // Run #1's failed attempt, and the block #1 that run #2 leaks, were made at the same place.
    std::vector<attempt> runs;
    runs.emplace_back(1, 2, new_of(1, 31), outcome::exception, "mishandled", std::vector<finding>{},
                      failure_mode::once, 1, string_stack(4));
    runs.emplace_back(2, 3, new_of(2, 31), outcome::bad_alloc, injected(2, 31),
                      std::vector<finding>{finding(finding_kind::leak, new_of(1, 31), "block", string_stack(4))},
                      failure_mode::once, 1, string_stack(4));
    const std::string text = text_of(failing(3, std::move(runs)));
    BOOST_TEST(text.find("      replay: ALLOC_CHAOS_ONLY=1\n"
                         "  #2 operator new size=31 align=16: bad_alloc — " +
                         injected(2, 31) +
                         "\n"
                         "      at … the same stack as #1 above\n"
                         "      leaked 1 block, 31 bytes: #1 operator new size=31\n"
                         "        #1 operator new size=31 allocated at\n"
                         "        at … the same stack as #1 above\n"
                         "      replay: ALLOC_CHAOS_ONLY=2\n") != std::string::npos,
               text);
}

BOOST_AUTO_TEST_CASE(a_repeated_set_of_leaked_blocks_names_the_run_and_mode_that_showed_it_in_both_modes) {
    std::vector<attempt> runs;
    for (failure_mode mode : {failure_mode::once, failure_mode::persistent})
        runs.emplace_back(1, 2, new_of(1, 31), outcome::bad_alloc, injected(1, 31),
                          std::vector<finding>{finding(finding_kind::leak, new_of(0, 48), "block")}, mode, 1);
    report_data data = failing(2, std::move(runs));
    data.mode = failure_mode::both;
    data.call_stacks = false;
    const std::string text = text_of(data);
    BOOST_TEST(text.find("  #1 operator new size=31 align=16, persistent (1 attempt failed): bad_alloc — " +
                         injected(1, 31) +
                         "\n"
                         "      leaked 1 block, 48 bytes: same 1 leaked block as #1 once\n") != std::string::npos,
               text);
}

// ---- full ----

BOOST_AUTO_TEST_CASE(full_detail_shows_every_frame_whole_and_every_stack_again) {
    const std::string text = text_of(two_runs_leaking_the_same_block(stack_detail::full));
    const std::string run_2 =
        "  #2 operator new size=31 align=16: bad_alloc — " + injected(2, 31) +
        "\n"
        "      at std::__new_allocator<char>::allocate(unsigned long, void const*) "
        "/usr/include/c++/12/bits/new_allocator.h:137\n"
        "      at std::allocator<char>::allocate(unsigned long) /usr/include/c++/12/bits/allocator.h:188\n"
        "      at " +
        string_type +
        "::_M_create(unsigned long&, unsigned long) /usr/include/c++/12/bits/basic_string.tcc:155\n"
        "      at " +
        string_type +
        "::basic_string<std::allocator<char> >(char const*, std::allocator<char> const&) "
        "/usr/include/c++/12/bits/basic_string.h:642\n"
        "      at add_entry() src/entries.cpp:5\n"
        "      at main::{lambda()#1}::operator()() const src/main.cpp:9\n"
        "      leaked 1 block, 48 bytes: #0 operator new size=48\n"
        "        #0 operator new size=48 allocated at\n"
        "        at add_entry() src/entries.cpp:3\n"
        "        at main::{lambda()#1}::operator()() const src/main.cpp:9\n"
        "      replay: ALLOC_CHAOS_ONLY=2\n";
    BOOST_TEST(text.find(run_2) != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(operator_output_uses_the_report_own_stack_detail) {
    std::ostringstream full, folded;
    full << report(two_runs_leaking_the_same_block(stack_detail::full));
    folded << report(two_runs_leaking_the_same_block(stack_detail::folded));
    BOOST_TEST(full.str().find("std::__new_allocator<char>::allocate") != std::string::npos);
    BOOST_TEST(folded.str().find("std::__new_allocator<char>::allocate") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_checker_option_sets_the_report_stack_detail) {
    const auto body = [] { test_bodies::allocate_and_free(8); };
    BOOST_TEST((checker{}.stacks(stack_detail::full).run(body).data().stacks == stack_detail::full));
    BOOST_TEST((checker{}.stacks(stack_detail::folded).run(body).data().stacks == stack_detail::folded));
}

BOOST_AUTO_TEST_CASE(a_value_that_is_no_stack_detail_throws_invalid_argument_naming_the_fix) {
    try {
        checker{}.stacks(static_cast<stack_detail>(7));
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) == "alloc_chaos::checker::stacks(7): not a stack_detail; pass "
                                            "stack_detail::folded or stack_detail::full");
    }
}

BOOST_AUTO_TEST_CASE(alloc_chaos_stacks_full_in_the_environment_overrides_the_option) {
    const auto body = [] { test_bodies::allocate_and_free(8); };
    {
        environment_variable full("ALLOC_CHAOS_STACKS", "full");
        BOOST_TEST((checker{}.run(body).data().stacks == stack_detail::full));
        BOOST_TEST((checker{}.stacks(stack_detail::folded).run(body).data().stacks == stack_detail::full));
    }
    environment_variable folded("ALLOC_CHAOS_STACKS", "folded");
    BOOST_TEST((checker{}.stacks(stack_detail::full).run(body).data().stacks == stack_detail::folded));
}

BOOST_AUTO_TEST_CASE(alloc_chaos_stacks_of_another_value_throws_invalid_argument_naming_the_fix) {
    environment_variable wrong("ALLOC_CHAOS_STACKS", "all");
    try {
        checker{}.run([] { test_bodies::allocate_and_free(8); });
        BOOST_FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "alloc-chaos: ALLOC_CHAOS_STACKS=\"all\" is not full or folded; set it as shown, or unset "
                   "ALLOC_CHAOS_STACKS to show stacks as the check's own options say");
    }
}

BOOST_AUTO_TEST_CASE(a_stack_detail_prints_its_name) {
    std::ostringstream text;
    text << stack_detail::folded << ' ' << stack_detail::full;
    BOOST_TEST(text.str() == "folded full");
}

// ---- the summary ----

BOOST_AUTO_TEST_CASE(the_summary_counts_each_failed_run_once_by_its_ending_then_its_first_finding) {
    std::vector<attempt> runs;
    const auto leak = [](std::size_t index) {
        return std::vector<finding>{finding(finding_kind::leak, new_of(index, 8), "block")};
    };
    runs.emplace_back(0, 9, new_of(0, 8), outcome::bad_alloc, injected(0, 8));  // a success: not counted
    runs.emplace_back(1, 9, new_of(1, 8), outcome::bad_alloc, injected(1, 8), leak(0));
    runs.emplace_back(2, 9, new_of(2, 8), outcome::exception, "mishandled", leak(0));  // by its ending
    runs.emplace_back(3, 9, new_of(3, 8), outcome::crashed, "SIGSEGV");
    runs.emplace_back(4, 9, new_of(4, 8), outcome::completed, "",
                      std::vector<finding>{finding(finding_kind::double_free, new_of(0, 8), "twice"),
                                           finding(finding_kind::leak, new_of(1, 8), "block")});
    runs.emplace_back(5, 4, std::nullopt, outcome::completed, "");
    runs.emplace_back(6, 9, new_of(6, 8), outcome::timed_out, "killed at its time limit of 2000 ms");
    runs.emplace_back(7, 9, new_of(7, 8), outcome::exception, "mishandled");
    report_data data = failing(9, std::move(runs));
    data.call_stacks = false;
    const std::string text = text_of(data);
    BOOST_TEST(text.ends_with("\nSUMMARY: 7 of 8 failure runs failed: 2 exception, 1 crashed, 1 timed out, "
                              "1 not reached, 2 leaked\n"),
               text);
}

BOOST_AUTO_TEST_CASE(a_report_without_a_failed_run_has_no_summary) {
    const std::string passed = report_text::streamed(checker{}.run([] { test_bodies::allocate_and_free(8); }));
    BOOST_TEST(passed.find("SUMMARY") == std::string::npos, passed);
}
