#define BOOST_TEST_MODULE stack_trace
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "../lib/platform/stack_trace.hpp"
#include "test_bodies.hpp"

#include <cstddef>
#include <memory>
#include <memory_resource>
#include <new>
#include <regex>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// 1 when the build must take stacks (CMake found GCC's libbacktrace), 0 when it must not.
#ifndef ALLOC_CHAOS_STACKS_EXPECTED
#define ALLOC_CHAOS_STACKS_EXPECTED -1
#endif

using alloc_chaos::attempt;
using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::failure_mode;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::report;
using alloc_chaos::stack_frame;
using test_bodies::runs_by_target;
using test_bodies::sink;

namespace {

// Set by the bodies next to their allocations, on the same line: the line a stack must name.
unsigned line_of_new = 0;
unsigned line_of_call = 0;
unsigned line_of_second_new = 0;

bool stacks() { return alloc_chaos::stacks_available(); }

std::string rendered(const report& r) {
    std::ostringstream text;
    text << r;
    return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// The shape of every line the stacks add to a report, which other code recognises and skips.
bool stack_shaped(const std::string& line) {
    static const std::regex shape("( {6}| {8})(at .*|stack: .*|#[0-9]+ .* allocated at)");
    return std::regex_match(line, shape);
}

std::string without_stack_lines(const std::string& text) {
    std::string kept;
    for (const std::string& line : lines_of(text))
        if (!stack_shaped(line))
            kept += line + '\n';
    return kept;
}

bool ends_with(std::string_view text, std::string_view suffix) { return text.ends_with(suffix); }

bool in_this_file(const stack_frame& f) { return ends_with(f.file, "stack_trace_test.cpp"); }

// A frame of alloc-chaos itself: the engine, a source, the bridge, the checker, the runner.
bool library_frame(const stack_frame& f) {
    static const char* const library_files[] = {"lib/engine/engine.cpp",    "lib/source/new_delete.cpp",
                                                "lib/checker/runner.cpp",   "lib/checker/checker.cpp",
                                                "lib/checker/check_runs.cpp", "lib/source/chaos_memory_resource.cpp",
                                                "lib/platform/stack_trace_libbacktrace.cpp",
                                                "lib/platform/stack_trace.cpp"};
    for (const char* file : library_files)
        if (ends_with(f.file, file))
            return true;
    return f.file.find("include/alloc_chaos/") != std::string::npos || f.function.starts_with("alloc_chaos::") ||
           f.function.starts_with("operator new");
}

// A frame above the body: the test framework that called the check, main.
bool above_the_body(const stack_frame& f) {
    return f.function.starts_with("boost::") || f.function == "main" || ends_with(f.function, "::test_method()") ||
           f.function.find("std::invoke") != std::string::npos || f.function.find("std::__invoke") != std::string::npos;
}

std::string describe(std::span<const stack_frame> frames) {
    std::ostringstream text;
    for (const stack_frame& f : frames)
        text << "\n  at " << f;
    return text.str();
}

// One allocation, whose failure becomes a std::runtime_error: the run is not a success.
void mishandles_its_allocation() {
    try {
        line_of_new = __LINE__; sink = new int(7);
        delete static_cast<const int*>(sink);
    } catch (const std::bad_alloc&) {
        throw std::runtime_error("mishandled");
    }
}

ALLOC_CHAOS_NOINLINE void allocates_for_its_caller() {
    line_of_new = __LINE__; sink = new int(7);
    delete static_cast<const int*>(sink);
}

// Thrown for a failure, without allocating through operator new (so also in persistent mode).
struct mishandled {};

// Two allocations, either failure mishandled.
void mishandles_two_allocations() {
    try {
        line_of_new = __LINE__; std::unique_ptr<int> first(new int(1));
        line_of_second_new = __LINE__; std::unique_ptr<int> second(new int(2));
        sink = first.get();
        sink = second.get();
    } catch (const std::bad_alloc&) {
        throw mishandled{};
    }
}

// Blocks the bodies leak on purpose, kept without allocating and freed after each check, so
// that LeakSanitizer finds none of them at exit.
void* volatile kept[32] = {};

void keep(void* block) {
    for (void* volatile& slot : kept)
        if (slot == nullptr) {
            slot = block;
            return;
        }
}

void release(void* block) {
    for (void* volatile& slot : kept)
        if (slot == block)
            slot = nullptr;
}

struct frees_kept_blocks {
    ~frees_kept_blocks() {
        for (void* volatile& slot : kept)
            if (void* block = slot) {
                ::operator delete(block);
                slot = nullptr;
            }
    }
};

std::size_t leaking_runs = 0;

// Attempt #0 allocates a block that leaks when attempt #1 fails.
void leaks_when_its_second_allocation_fails() {
    ++leaking_runs;
    void* block = nullptr;
    line_of_new = __LINE__; block = ::operator new(64);
    keep(block);
    sink = new int(1);
    delete static_cast<const int*>(sink);
    release(block);
    ::operator delete(block);
}

// Leaks a block on its success path.
void leaks_every_run() {
    void* block = nullptr;
    line_of_new = __LINE__; block = ::operator new(48);
    keep(block);
}

// Many attempts of several kinds: containers, strings, the pmr resource.
void allocates_in_many_ways() {
    alloc_chaos::chaos_memory_resource resource;
    std::vector<std::string> words;
    for (int i = 0; i < 3; ++i)
        words.emplace_back(40, static_cast<char>('a' + i));
    std::pmr::vector<int> numbers(&resource);
    numbers.assign(10, 1);
    sink = words.data();
    sink = numbers.data();
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_build_takes_stacks_when_it_was_configured_to) {
    if (ALLOC_CHAOS_STACKS_EXPECTED >= 0)
        BOOST_TEST(stacks() == (ALLOC_CHAOS_STACKS_EXPECTED == 1));
}

BOOST_AUTO_TEST_CASE(a_failed_attempt_stack_starts_at_the_line_of_the_body_that_allocated) {
    const report r = check(mishandles_its_allocation);
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const attempt& a = r.attempts()[0];
    BOOST_TEST_REQUIRE(!a.success());
    if (!stacks()) {
        BOOST_TEST(a.stack().empty());
        return;
    }
    BOOST_TEST_REQUIRE(!a.stack().empty());
    const stack_frame& innermost = a.stack()[0];
    BOOST_TEST(innermost.function == "(anonymous namespace)::mishandles_its_allocation()");
    BOOST_TEST(in_this_file(innermost), innermost.file);
    BOOST_TEST(innermost.line == line_of_new);
    // The body is the function itself: nothing above it, nothing of alloc-chaos below it.
    BOOST_TEST(a.stack().size() == 1u, describe(a.stack()));
}

BOOST_AUTO_TEST_CASE(a_stack_runs_innermost_first_from_the_allocation_out_to_the_body_and_no_further) {
    const report r = check([] {
        try {
            line_of_call = __LINE__; allocates_for_its_caller();
        } catch (const std::bad_alloc&) {
            throw std::runtime_error("mishandled");
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const auto frames = r.attempts()[0].stack();
    if (!stacks()) {
        BOOST_TEST(frames.empty());
        return;
    }
    BOOST_TEST_REQUIRE(frames.size() == 2u, describe(frames));
    BOOST_TEST(frames[0].function == "(anonymous namespace)::allocates_for_its_caller()");
    BOOST_TEST(frames[0].line == line_of_new);
    // The lambda: "...::test_method()::{lambda()#1}::operator()() const" (g++), "...::$_0::operator()() const"
    // (clang++); "operator()" when optimised: an inlined function has no symbol, only its short name.
    BOOST_TEST((frames[1].function.ends_with("::operator()() const") || frames[1].function == "operator()"),
               frames[1].function);
    BOOST_TEST(frames[1].line == line_of_call);
    for (const stack_frame& f : frames) {
        BOOST_TEST(in_this_file(f), f.file);
        BOOST_TEST(!library_frame(f), f);
        BOOST_TEST(!above_the_body(f), f);
    }
}

BOOST_AUTO_TEST_CASE(a_chaos_memory_resource_stack_has_no_frame_of_the_resource) {
    const report r = check([] {
        alloc_chaos::chaos_memory_resource resource;
        std::pmr::vector<int> v(&resource);
        try {
            line_of_call = __LINE__; v.reserve(4);
        } catch (const std::bad_alloc&) {
            throw std::runtime_error("mishandled");
        }
        sink = v.data();
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    const auto frames = r.attempts()[0].stack();
    if (!stacks()) {
        BOOST_TEST(frames.empty());
        return;
    }
    BOOST_TEST_REQUIRE(!frames.empty());
    for (const stack_frame& f : frames) {
        BOOST_TEST(!library_frame(f), f);
        BOOST_TEST(!above_the_body(f), f);
    }
    // std::pmr's frames, then the body's line, outermost.
    BOOST_TEST(in_this_file(frames.back()), describe(frames));
    BOOST_TEST(frames.back().line == line_of_call);
}

BOOST_AUTO_TEST_CASE(each_run_stack_is_its_own_target_in_once_and_in_persistent_mode) {
    for (failure_mode mode : {failure_mode::once, failure_mode::persistent}) {
        const report r = checker{}.mode(mode).run(mishandles_two_allocations);
        BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
        if (!stacks())
            continue;
        BOOST_TEST_REQUIRE(!r.attempts()[0].stack().empty());
        BOOST_TEST_REQUIRE(!r.attempts()[1].stack().empty());
        BOOST_TEST(r.attempts()[0].stack()[0].line == line_of_new);
        BOOST_TEST(r.attempts()[1].stack()[0].line == line_of_second_new);
    }
}

BOOST_AUTO_TEST_CASE(a_successful_run_has_no_stack) {
    const report r = check([] {
        try {
            sink = new int(1);
            delete static_cast<const int*>(sink);
        } catch (const std::bad_alloc&) {
        }
    });
    BOOST_TEST_REQUIRE(r.success());
    BOOST_TEST(r.attempts()[0].stack().empty());
    BOOST_TEST(rendered(r) == without_stack_lines(rendered(r)));
}

BOOST_AUTO_TEST_CASE(a_failed_run_is_made_once_more_to_take_its_stack_and_a_successful_one_is_not) {
    runs_by_target runs;
    const report r = check([&] {
        runs.count();
        try {
            sink = new int(1);  // #0, whose failure is handled
            delete static_cast<const int*>(sink);
        } catch (const std::bad_alloc&) {
            return;
        }
        try {
            line_of_new = __LINE__; sink = new int(2);  // #1, whose failure is not
            delete static_cast<const int*>(sink);
        } catch (const std::bad_alloc&) {
            throw std::runtime_error("mishandled");
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    BOOST_TEST(r.attempts()[0].success());
    BOOST_TEST(!r.attempts()[1].success());
    BOOST_TEST(runs[0] == 1u);
    BOOST_TEST(runs[1] == (stacks() ? 2u : 1u));
    BOOST_TEST(r.attempts()[0].stack().empty());
    if (!stacks())
        return;
    BOOST_TEST_REQUIRE(!r.attempts()[1].stack().empty());
    BOOST_TEST(r.attempts()[1].stack()[0].line == line_of_new);
}

BOOST_AUTO_TEST_CASE(a_run_that_ends_the_check_is_not_made_again_and_has_no_stack) {
    runs_by_target runs;
    const report r = check([&] {
        runs.count();
        try {
            sink = new int(1);
            delete static_cast<const int*>(sink);
        } catch (const std::bad_alloc&) {
            throw alloc_chaos::abort_check("the body stops the check");
        }
    });
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST(r.attempts()[0].message() == "the body stops the check");
    BOOST_TEST(runs[0] == 1u);
    BOOST_TEST(r.attempts()[0].stack().empty());
}

BOOST_AUTO_TEST_CASE(a_leaked_block_stack_names_the_line_that_allocated_it) {
    frees_kept_blocks cleanup;
    leaking_runs = 0;
    const report r = check(leaks_when_its_second_allocation_fails);
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    const attempt& leaking = r.attempts()[1];
    BOOST_TEST_REQUIRE(leaking.findings().size() == 1u);
    const finding& leak = leaking.findings()[0];
    BOOST_TEST_REQUIRE(leak.kind() == finding_kind::leak);
    BOOST_TEST_REQUIRE(leak.allocation()->index() == 0u);
    // Baseline, target #0, target #1, and target #1 once more to take the leaked block's stack.
    BOOST_TEST(leaking_runs == (stacks() ? 4u : 3u));
    if (!stacks()) {
        BOOST_TEST(leak.stack().empty());
        return;
    }
    BOOST_TEST_REQUIRE(!leak.stack().empty());
    BOOST_TEST(leak.stack()[0].function == "(anonymous namespace)::leaks_when_its_second_allocation_fails()");
    BOOST_TEST(in_this_file(leak.stack()[0]));
    BOOST_TEST(leak.stack()[0].line == line_of_new);
    BOOST_TEST(leak.stack().size() == 1u, describe(leak.stack()));
    // The run's own stack is the failed attempt's, the next line.
    BOOST_TEST_REQUIRE(!leaking.stack().empty());
    BOOST_TEST(leaking.stack()[0].line == line_of_new + 2);
}

BOOST_AUTO_TEST_CASE(a_baseline_leak_stack_names_the_line_that_allocated_it) {
    for (std::size_t baseline_runs : {1u, 2u}) {
        frees_kept_blocks cleanup;
        const report r = checker{}.stability_runs(baseline_runs).run(leaks_every_run);
        BOOST_TEST_REQUIRE(r.baseline().findings().size() == 1u);
        const finding& leak = r.baseline().findings()[0];
        if (!stacks()) {
            BOOST_TEST(leak.stack().empty());
            continue;
        }
        BOOST_TEST_REQUIRE(!leak.stack().empty());
        BOOST_TEST(leak.stack()[0].function == "(anonymous namespace)::leaks_every_run()");
        BOOST_TEST(leak.stack()[0].line == line_of_new);
    }
}

BOOST_AUTO_TEST_CASE(the_report_shows_the_stack_of_a_failed_run_under_its_line) {
    const report r = check(mishandles_its_allocation);
    const std::vector<std::string> lines = lines_of(rendered(r));
    std::size_t run_line = 0;
    while (run_line < lines.size() && !lines[run_line].starts_with("  #0 operator new size=4 "))
        ++run_line;
    BOOST_TEST_REQUIRE(run_line + 1 < lines.size(), rendered(r));
    const std::string& below = lines[run_line + 1];
    if (!stacks()) {
        BOOST_TEST(below.starts_with("      stack: not available (alloc-chaos was built without call stacks: "), below);
        BOOST_TEST(below.ends_with(")"));
        return;
    }
    BOOST_TEST(below.starts_with("      at (anonymous namespace)::mishandles_its_allocation() "), below);
    BOOST_TEST(below.ends_with("stack_trace_test.cpp:" + std::to_string(line_of_new)), below);
}

BOOST_AUTO_TEST_CASE(the_report_shows_each_leaked_block_stack_under_the_leak_line) {
    frees_kept_blocks cleanup;
    const report r = check(leaks_when_its_second_allocation_fails);
    const std::vector<std::string> lines = lines_of(rendered(r));
    std::size_t leak_line = 0;
    while (leak_line < lines.size() && lines[leak_line] != "      leaked 1 block, 64 bytes: #0 operator new size=64")
        ++leak_line;
    BOOST_TEST_REQUIRE(leak_line < lines.size(), rendered(r));
    if (!stacks())
        return;
    BOOST_TEST_REQUIRE(leak_line + 2 < lines.size());
    BOOST_TEST(lines[leak_line + 1] == "        #0 operator new size=64 allocated at");
    BOOST_TEST(lines[leak_line + 2].starts_with(
                   "        at (anonymous namespace)::leaks_when_its_second_allocation_fails() "),
               lines[leak_line + 2]);
    BOOST_TEST(lines[leak_line + 2].ends_with("stack_trace_test.cpp:" + std::to_string(line_of_new)));
}

BOOST_AUTO_TEST_CASE(every_line_a_stack_adds_to_a_report_has_the_recognisable_shape) {
    frees_kept_blocks cleanup;
    const auto bodies = {+[] { mishandles_its_allocation(); }, +[] { leaks_when_its_second_allocation_fails(); },
                         +[] { mishandles_two_allocations(); }};
    for (void (*body)() : bodies) {
        const std::string with = rendered(checker{}.mode(failure_mode::both).run(body));
        const std::string without = rendered(checker{}.mode(failure_mode::both).call_stacks(false).run(body));
        BOOST_TEST(with != without);  // a stack, or a line saying there is none
        BOOST_TEST(without_stack_lines(with) == without);
        BOOST_TEST(without_stack_lines(without) == without);
    }
}

BOOST_AUTO_TEST_CASE(call_stacks_false_takes_no_stack_and_makes_no_further_run) {
    frees_kept_blocks cleanup;
    leaking_runs = 0;
    const report r = checker{}.call_stacks(false).run(leaks_when_its_second_allocation_fails);
    BOOST_TEST(leaking_runs == 3u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 2u);
    for (const attempt& a : r.attempts()) {
        BOOST_TEST(a.stack().empty());
        for (const finding& f : a.findings())
            BOOST_TEST(f.stack().empty());
    }
    const std::string text = rendered(r);
    BOOST_TEST(text.find(" at ") == std::string::npos, text);
    BOOST_TEST(text.find("stack: ") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(taking_stacks_adds_no_attempt_and_no_tracked_block) {
    frees_kept_blocks cleanup;
    for (void (*body)() : {+[] { allocates_in_many_ways(); }, +[] { leaks_when_its_second_allocation_fails(); },
                           +[] { mishandles_two_allocations(); }}) {
        const report with = checker{}.run(body);
        const report without = checker{}.call_stacks(false).run(body);
        BOOST_TEST(with.baseline_allocations() == without.baseline_allocations());
        BOOST_TEST(with.baseline().findings().size() == without.baseline().findings().size());
        BOOST_TEST_REQUIRE(with.attempts().size() == without.attempts().size());
        for (std::size_t i = 0; i < with.attempts().size(); ++i) {
            const attempt& a = with.attempts()[i];
            const attempt& b = without.attempts()[i];
            BOOST_TEST(a.observed_allocations() == b.observed_allocations());
            BOOST_TEST((a.injected_allocation() == b.injected_allocation()));
            BOOST_TEST(a.outcome() == b.outcome());
            BOOST_TEST_REQUIRE(a.findings().size() == b.findings().size());
            for (std::size_t j = 0; j < a.findings().size(); ++j) {
                BOOST_TEST(a.findings()[j].kind() == b.findings()[j].kind());
                BOOST_TEST((a.findings()[j].allocation() == b.findings()[j].allocation()));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_stack_frame_prints_function_file_and_line) {
    std::ostringstream known, unknown;
    known << stack_frame{"f(int)", "src/f.cpp", 12};
    unknown << stack_frame{};
    BOOST_TEST(known.str() == "f(int) src/f.cpp:12");
    BOOST_TEST(unknown.str() == "?? ??:0");
}

// The paths a DWARF reader gives, as the compiler was given them (detail::source_path).

BOOST_AUTO_TEST_CASE(a_source_path_is_kept_as_the_debug_information_gives_it) {
    BOOST_TEST(alloc_chaos::detail::source_path("/src/lib/engine/engine.cpp") == "/src/lib/engine/engine.cpp");
    BOOST_TEST(alloc_chaos::detail::source_path("lib/engine/engine.cpp") == "lib/engine/engine.cpp");
}

BOOST_AUTO_TEST_CASE(a_source_path_loses_its_dot_dot_steps) {
    BOOST_TEST(alloc_chaos::detail::source_path("/usr/lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/"
                                                "new_allocator.h") == "/usr/include/c++/12/bits/new_allocator.h");
    BOOST_TEST(alloc_chaos::detail::source_path("/src/lib/source/../engine/attempt_path.hpp") ==
               "/src/lib/engine/attempt_path.hpp");
}

// GCC 12's libbacktrace joins the compilation directory to the file 0 of a DWARF 5 line table,
// which clang names absolutely when the build directory is outside the source tree.
BOOST_AUTO_TEST_CASE(a_source_path_joined_to_the_build_directory_is_the_absolute_path_it_was_given) {
    BOOST_TEST(alloc_chaos::detail::source_path("/tmp/build//src/lib/platform/stack_trace_libbacktrace.cpp") ==
               "/src/lib/platform/stack_trace_libbacktrace.cpp");
}
