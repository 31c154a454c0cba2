// A check that survives the crash of its body: widget::add is noexcept but allocates, so a failed
// allocation inside it calls std::terminate. Run in the calling process, the first such run would
// end the program; with processes(0), every run executes in a worker process, the crash is the
// outcome of that run, and the report names each one.

#include <alloc_chaos/alloc_chaos.hpp>

#include <iostream>
#include <string>
#include <vector>

struct widget {
    std::vector<std::string> names;
    void add(const char* s) noexcept { names.emplace_back(s); }
};

int main() {
    const alloc_chaos::report report = alloc_chaos::checker{}.processes(0).run([] {
        widget w;
        w.add("a string long enough to need the heap for sure");
        w.add("another string long enough to need the heap too");
    });
    std::cout << report;

    // What this example promises: 4 attempts, each run crashed with SIGABRT, every target tested.
    bool as_expected = !report.success() && report.baseline_allocations() == 4 && report.tested_failures() == 4;
    for (const alloc_chaos::attempt& run : report.attempts())
        as_expected = as_expected && run.outcome() == alloc_chaos::outcome::crashed &&
                      run.message().starts_with("SIGABRT");
    if (!as_expected) {
        std::cerr << "worker_processes: the report is not the one this example documents\n";
        return 1;
    }
}
