#ifndef ALLOC_CHAOS_TEST_CATCH2_SESSION_HPP
#define ALLOC_CHAOS_TEST_CATCH2_SESSION_HPP

// Runs Catch2's session on the command line, as the main of CATCH_CONFIG_MAIN does: for the mains
// of the Catch2 suites, which link catch2_session.cpp, Catch2's implementation built once.
int run_catch2_session(int argc, char* argv[]);

#endif
