// A consumer's program: a check through the global operator new/delete bridge, which must observe
// every allocation attempt and pass. Prints the version and the report's first line; exits
// non-zero (the report on stderr) unless the check PASSED.
#include <alloc_chaos/alloc_chaos.hpp>

#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

// With the version the build system found (find_package's alloc_chaos_VERSION), the headers must
// say the same.
#ifdef ALLOC_CHAOS_FOUND_VERSION
#define ALLOC_CHAOS_TEXT(x) #x
#define ALLOC_CHAOS_VERSION_TEXT(major, minor, patch) ALLOC_CHAOS_TEXT(major.minor.patch)
static_assert(std::string_view(ALLOC_CHAOS_FOUND_VERSION) ==
                  ALLOC_CHAOS_VERSION_TEXT(ALLOC_CHAOS_VERSION_MAJOR, ALLOC_CHAOS_VERSION_MINOR, ALLOC_CHAOS_VERSION_PATCH),
              "the headers' ALLOC_CHAOS_VERSION_* differ from the package's version");
#endif

int main() {
    const alloc_chaos::report report = alloc_chaos::check([] {
        std::vector<std::string> words{"a word long enough to live on the heap"};
        words.emplace_back("another word that needs the heap as well");
    });
    std::ostringstream text;
    text << report;
    if (!report.success()) {
        std::cerr << text.str();
        return 1;
    }
    std::cout << "alloc-chaos " << ALLOC_CHAOS_VERSION_MAJOR << '.' << ALLOC_CHAOS_VERSION_MINOR << '.'
              << ALLOC_CHAOS_VERSION_PATCH << ": " << text.str().substr(0, text.str().find(':')) << '\n';
}
