// Stopping where a failure is injected: the SIGTRAP of trap_at and ALLOC_CHAOS_TRAP, caught here by
// a handler of the test's own, and the breakpoint function, caught by gdb running this executable.
#define BOOST_TEST_MODULE debugging
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "report_text.hpp"
#include "test_bodies.hpp"
#include "test_scopes.hpp"

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <new>
#include <optional>
#include <string>
#include <sys/wait.h>

using alloc_chaos::allocation;
using alloc_chaos::check;
using alloc_chaos::checker;
using alloc_chaos::failure_mode;
using alloc_chaos::operation;
using alloc_chaos::report;
using alloc_chaos::run_status;
using report_text::rendered;
using test_bodies::allocate_sizes_1_to;
using test_bodies::occurrences;
using test_bodies::plain;
using test_bodies::sink;
using test_scopes::environment_variable;
using test_scopes::trap_recorder;

namespace utf = boost::unit_test;

namespace {

// Makes 4 nothrow attempts of sizes 1..4, handling each failure.
void four_nothrow_attempts() {
    for (std::size_t size = 1; size <= 4; ++size) {
        void* p = ::operator new(size, std::nothrow);
        sink = p;
        ::operator delete(p);
    }
}

// What a shell command printed (stdout and stderr), and how it ended.
struct command_result {
    std::string output;
    int exit_code = -1;
};

command_result run_command(const std::string& command) {
    command_result result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr)
        return result;
    for (int c; (c = std::fgetc(pipe)) != EOF;)
        result.output += static_cast<char>(c);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

// gdb is installed and may run a program here (a container can forbid ptrace).
boost::test_tools::assertion_result gdb_can_run_a_program(utf::test_unit_id) {
    const command_result probe = run_command("gdb -batch -nx -ex run --args /bin/true");
    boost::test_tools::assertion_result usable(probe.output.find("exited normally") != std::string::npos);
    if (!usable)
        usable.message() << "gdb is missing or cannot run a program here, so the breakpoint on "
                            "alloc_chaos::break_on_injected_failure is not verified; gdb said: "
                         << probe.output;
    return usable;
}

// Three attempts, one of each source, each failure handled: in once mode 3 injected failures, in
// persistent mode 3 + 2 + 1.
void three_sources_handling_each_failure(alloc_chaos::chaos_memory_resource& resource) {
    void* p = ::operator new(16, std::nothrow);
    sink = p;
    ::operator delete(p);
    try {
        void* block = resource.allocate(32, 8);
        sink = block;
        resource.deallocate(block, 32, 8);
    } catch (const std::bad_alloc&) {
    }
    (void)alloc_chaos::observe_attempt(operation::custom_allocate, 48, 8);
}

}  // namespace

// ---- trap_at and ALLOC_CHAOS_TRAP ----

BOOST_AUTO_TEST_CASE(trap_at_raises_sigtrap_once_at_the_injected_attempt_of_its_target) {
    trap_recorder traps;
    const report r = checker{}.trap_at(3).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(r.success());
    BOOST_TEST(traps.count() == 1u);
    BOOST_TEST_REQUIRE(traps.first().has_value());
    const run_status& at = *traps.first();
    BOOST_TEST((at.target == std::optional<std::size_t>(3)));
    BOOST_TEST(at.attempts == 4u);  // #0..#3: the trap is raised at #3, before it fails
    BOOST_TEST((at.injected == allocation(3, operation::operator_new, 4, plain, false)));
}

BOOST_AUTO_TEST_CASE(alloc_chaos_trap_raises_sigtrap_once_at_the_injected_attempt_of_its_target) {
    trap_recorder traps;
    environment_variable trap("ALLOC_CHAOS_TRAP", "1");
    const report r = check([] { allocate_sizes_1_to(5); });
    BOOST_TEST(r.success());
    BOOST_TEST(traps.count() == 1u);
    BOOST_TEST_REQUIRE(traps.first().has_value());
    BOOST_TEST((traps.first()->target == std::optional<std::size_t>(1)));
    BOOST_TEST(traps.first()->attempts == 2u);
    BOOST_TEST((traps.first()->injected == allocation(1, operation::operator_new, 2, plain, false)));
}

BOOST_AUTO_TEST_CASE(in_both_modes_the_trap_is_raised_once_by_the_first_run_of_its_target) {
    trap_recorder traps;
    const report r = checker{}.mode(alloc_chaos::failure_mode::both).trap_at(2).run([] { allocate_sizes_1_to(4); });
    BOOST_TEST(r.success());
    BOOST_TEST(traps.count() == 1u);
    BOOST_TEST_REQUIRE(traps.first().has_value());
    BOOST_TEST((traps.first()->target == std::optional<std::size_t>(2)));
    BOOST_TEST(traps.first()->attempts == 3u);  // #0..#2 of the once run
}

BOOST_AUTO_TEST_CASE(alloc_chaos_trap_replaces_trap_at) {
    trap_recorder traps;
    environment_variable trap("ALLOC_CHAOS_TRAP", "2");
    (void)checker{}.trap_at(0).run([] { allocate_sizes_1_to(5); });
    BOOST_TEST(traps.count() == 1u);
    BOOST_TEST_REQUIRE(traps.first().has_value());
    BOOST_TEST((traps.first()->target == std::optional<std::size_t>(2)));
}

BOOST_AUTO_TEST_CASE(a_persistent_run_traps_at_its_target_only) {
    trap_recorder traps;
    const report r = checker{}.mode(failure_mode::persistent).trap_at(1).run(four_nothrow_attempts);
    BOOST_TEST_REQUIRE(r.attempts().size() == 4u);
    BOOST_TEST(r.attempts()[1].failed_attempts() == 3u);
    BOOST_TEST(traps.count() == 1u);
    BOOST_TEST_REQUIRE(traps.first().has_value());
    BOOST_TEST((traps.first()->injected == allocation(1, operation::operator_new, 2, plain, true)));
}

BOOST_AUTO_TEST_CASE(a_trap_at_a_target_the_check_does_not_run_raises_nothing) {
    trap_recorder traps;
    (void)checker{}.trap_at(9).run([] { allocate_sizes_1_to(3); });                   // beyond the attempts
    (void)checker{}.trap_at(1).only_failure(2).run([] { allocate_sizes_1_to(3); });  // not selected
    BOOST_TEST(traps.count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_trap_changes_nothing_in_the_report) {
    const report plain_check = check([] { allocate_sizes_1_to(3); });
    trap_recorder traps;
    const report trapped = checker{}.trap_at(1).run([] { allocate_sizes_1_to(3); });
    BOOST_TEST(traps.count() == 1u);
    BOOST_TEST(trapped.success());
    BOOST_TEST(rendered(trapped) == rendered(plain_check));
}

// ---- break_on_injected_failure ----

// Run by the next case under gdb, never on its own: two checks of three_sources_handling_each_failure.
BOOST_AUTO_TEST_CASE(injected_failures_under_a_debugger, *utf::disabled()) {
    alloc_chaos::chaos_memory_resource resource;
    std::size_t injected = 0;
    for (failure_mode mode : {failure_mode::once, failure_mode::persistent}) {
        const report r = checker{}.mode(mode).run([&] { three_sources_handling_each_failure(resource); });
        BOOST_TEST(r.success(), rendered(r));
        for (const alloc_chaos::attempt& run : r.attempts())
            injected += run.failed_attempts();
    }
    std::cout << "injected failures: " << injected << std::endl;
}

BOOST_AUTO_TEST_CASE(a_breakpoint_on_break_on_injected_failure_stops_at_every_injected_failure,
                     *utf::precondition(gdb_can_run_a_program)) {
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    // LeakSanitizer cannot run under ptrace; nothing else changes for the program under gdb.
    const command_result gdb = run_command(
        "ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\" gdb -batch -nx "
        "-ex 'dprintf alloc_chaos::break_on_injected_failure,\"alloc-chaos breakpoint hit\\n\"' -ex run "
        "--args '" + self + "' --run_test=injected_failures_under_a_debugger --log_level=error --report_level=no");
    BOOST_TEST_INFO(gdb.output);
    BOOST_TEST(gdb.output.find("injected failures: 9\n") != std::string::npos);
    BOOST_TEST(occurrences(gdb.output, "alloc-chaos breakpoint hit\n") == 9u);
    BOOST_TEST(gdb.output.find("exited normally") != std::string::npos);
}
