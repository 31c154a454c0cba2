// Catch2's implementation, without a main, for the Catch2 suites: catch2_main.cpp is the main of
// the suites that have none of their own; catch2_failing has its own, for its argument. Built
// once for all of them: it is most of the time Catch2 takes to build. The console is wide enough
// for a report's lines to be printed whole, as catch2_failing reads them.
#define CATCH_CONFIG_RUNNER
#define CATCH_CONFIG_CONSOLE_WIDTH 400
#include <catch2/catch.hpp>

#include "catch2_session.hpp"

int run_catch2_session(int argc, char* argv[]) {
    return Catch::Session().run(argc, argv);
}
