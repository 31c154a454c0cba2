// The main of the Catch2 suites that have none of their own.
#include "catch2_session.hpp"

int main(int argc, char* argv[]) {
    return run_catch2_session(argc, argv);
}
