// Catch2's main, for the Catch2 suites. The console is wide enough for a report's lines to be
// printed whole, as catch2_failing reads them.
#define CATCH_CONFIG_MAIN
#define CATCH_CONFIG_CONSOLE_WIDTH 400
#include <catch2/catch.hpp>
