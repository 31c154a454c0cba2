// The verdicts of alloc-chaos, one scenario each: a strict success, two partial diagnostic runs,
// the reproduction of a single failure, an unstable baseline, and a mishandled failure path.
// The bodies allocate through std containers (the global operator new bridge) and through
// std::pmr containers on an alloc_chaos::chaos_memory_resource.
//
// Exits 0 when every scenario produced the verdict it is meant to show.

#include <alloc_chaos/alloc_chaos.hpp>

#include <cstddef>
#include <iostream>
#include <map>
#include <memory_resource>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

alloc_chaos::chaos_memory_resource chaos;  // wraps std::pmr::new_delete_resource()

// Splits "a,b,c" into its fields (std::vector and std::string: the global bridge).
std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> fields;
    for (std::size_t start = 0;;) {
        const std::size_t end = text.find(separator, start);
        fields.emplace_back(text.substr(start, end - start));
        if (end == std::string_view::npos)
            return fields;
        start = end + 1;
    }
}

// The realistic body: totals the quantities of an order by warehouse location. The lines are
// split with std containers, the totals kept in a std::pmr::map on the chaos resource.
void total_by_location() {
    constexpr std::string_view order =
        "aisle-07/shelf-C/bin-112:3;aisle-02/shelf-A/bin-004:1;aisle-07/shelf-C/bin-112:2";
    std::pmr::map<std::pmr::string, int> totals(&chaos);
    for (const std::string& line : split(order, ';')) {
        const std::vector<std::string> fields = split(line, ':');
        totals[std::pmr::string(fields.at(0), &chaos)] += std::stoi(fields.at(1));
    }
    if (totals.size() != 2 || totals.at("aisle-07/shelf-C/bin-112") != 5 || totals.at("aisle-02/shelf-A/bin-004") != 1)
        throw std::logic_error("total_by_location: wrong totals");
}

// Logs every second request: how many attempts a run observes depends on a static counter.
void log_every_second_request() {
    static int requests = 0;
    std::pmr::vector<std::pmr::string> log(&chaos);
    if (++requests % 2 == 0)
        log.emplace_back("request served from the cold path, cache refilled");
    std::vector<std::string> reply = split("status=200;items=3", ';');
    if (reply.size() != 2 || log.size() > 1)
        throw std::logic_error("log_every_second_request: wrong reply");
}

// Removes the quotes around a value: "eu-west.example.net" -> eu-west.example.net.
std::pmr::string unquote(std::string_view value) {
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
    return std::pmr::string(value, &chaos);
}

// A settings parser that reports every error as a syntax error: an allocation failure while it
// stores a setting turns into std::invalid_argument, which is not a controlled error.
void parse_settings() {
    std::pmr::map<std::pmr::string, std::pmr::string> settings(&chaos);
    for (const std::string& entry : split("mirror=\"eu-west.example.net\";retries=3", ';')) {
        const std::vector<std::string> key_value = split(entry, '=');
        try {
            settings.emplace(std::pmr::string(key_value.at(0), &chaos), unquote(key_value.at(1)));
        } catch (...) {
            throw std::invalid_argument("parse_settings: syntax error in '" + key_value.at(0) + "'");
        }
    }
    if (settings.at("mirror") != "eu-west.example.net" || settings.at("retries") != "3")
        throw std::logic_error("parse_settings: wrong settings");
}

int unexpected = 0;

// Prints the heading, the report and any details; counts the scenario as unexpected unless
// `expected` holds.
void show(std::string_view heading, const alloc_chaos::report& report, bool expected,
          std::string_view details = {}) {
    std::cout << "== " << heading << '\n' << report << details;
    if (!expected) {
        std::cout << "!! this scenario did not produce the verdict it is meant to show\n";
        ++unexpected;
    }
    std::cout << '\n';
}

bool every_run_passed(const alloc_chaos::report& report) {
    for (const alloc_chaos::attempt& a : report.attempts())
        if (!a.success())
            return false;
    return true;
}

}  // namespace

int main() {
    using alloc_chaos::checker;

    {
        const auto report = alloc_chaos::check([] { total_by_location(); });
        show("(a) strict success: every attempt failed in turn", report,
             report.success() && !report.truncated() && report.injected_failures() == report.baseline_allocations());
    }
    {
        const auto report = checker{}.max_failures(3).run([] { total_by_location(); });
        show("(b) capped diagnostic run: max_failures(3)", report,
             !report.success() && report.truncated() && report.tested_failures() == 3 && every_run_passed(report));
    }
    {
        const auto report = checker{}.failure_range(4, 8).run([] { total_by_location(); });
        const auto runs = report.attempts();
        show("(c) failure range: failure_range(4, 8)", report,
             !report.success() && report.truncated() && runs.size() == 4 && runs.front().target() == 4 &&
                 runs.back().target() == 7 && every_run_passed(report));
    }
    {
        const auto report = checker{}.only_failure(10).run([] { total_by_location(); });
        const auto runs = report.attempts();
        const bool reproduced = runs.size() == 1 && runs[0].target() == 10 && runs[0].injected();
        std::ostringstream details;
        if (reproduced) {
            const alloc_chaos::allocation& failed = *runs[0].injected_allocation();
            details << "  injected: index=" << failed.index() << " operation=" << failed.operation()
                    << " size=" << failed.size() << " alignment=" << failed.alignment()
                    << " nothrow=" << (failed.nothrow() ? "yes" : "no") << ", outcome " << runs[0].outcome() << '\n';
        }
        show("(d) single-target reproduction: only_failure(10)", report,
             !report.success() && report.truncated() && reproduced && every_run_passed(report), details.str());
    }
    {
        const auto report = checker{}.stability_runs(3).run([] { log_every_second_request(); });
        show("(e) unstable baseline: stability_runs(3)", report,
             !report.success() && !report.baseline_stable() && report.attempts().empty());
    }
    {
        const auto report = alloc_chaos::check([] { parse_settings(); });
        bool named = false;
        for (const alloc_chaos::attempt& a : report.attempts())
            named = named || (a.injected() && a.outcome() == alloc_chaos::outcome::exception);
        show("(f) mishandled failure path: bad_alloc turned into std::invalid_argument", report,
             !report.success() && report.baseline_stable() && !report.truncated() && named);
    }

    if (unexpected != 0) {
        std::cout << "scenarios: " << unexpected << " of 6 scenarios did not behave as expected\n";
        return 1;
    }
    std::cout << "scenarios: all 6 scenarios produced their expected verdict\n";
}
