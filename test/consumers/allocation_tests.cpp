// A consumer's program: a check through the global operator new/delete bridge, which must observe
// every allocation attempt and pass. Prints the version and the report's first line; exits
// non-zero (the report on stderr) unless the check PASSED.
#include <alloc_chaos/alloc_chaos.hpp>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

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
