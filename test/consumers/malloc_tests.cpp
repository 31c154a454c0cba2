// A consumer's program: a check of C code through the C allocator's source alone (no operator new
// bridge: the check does not require it). Exits non-zero (the report on stderr) unless it PASSED.
#include <alloc_chaos/alloc_chaos.hpp>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <new>
#include <sstream>

int main() {
    const alloc_chaos::report report = alloc_chaos::checker{}.require_global_bridge(false).run([] {
        char* copy = strdup("a C string copied to the heap");
        if (copy == nullptr)
            throw std::bad_alloc();
        std::free(copy);
    });
    std::ostringstream text;
    text << report;
    if (!report.success()) {
        std::cerr << text.str();
        return 1;
    }
    std::cout << "alloc-chaos malloc: " << text.str().substr(0, text.str().find(':')) << '\n';
}
