#ifndef ALLOC_CHAOS_CATCH2_SUCCEEDED_HPP
#define ALLOC_CHAOS_CATCH2_SUCCEEDED_HPP

// Reports in Catch2's assertions: a matcher for the report of a plain check, and the report's
// whole text wherever Catch2 prints a report (a matcher's expansion, CAPTURE, INFO).
//     const alloc_chaos::report report = alloc_chaos::check(body);
//     REQUIRE_THAT(report, alloc_chaos::catch2::succeeded());

#include <alloc_chaos/report.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

namespace alloc_chaos::catch2 {

// Matches a report that is a success (PASSED); a failing match prints the whole report.
class succeeded_matcher final : public Catch::MatcherBase<alloc_chaos::report> {
public:
    bool match(const alloc_chaos::report& r) const override { return r.success(); }
    std::string describe() const override { return "is a successful alloc-chaos check (PASSED)"; }
};

// The matcher of a successful report: REQUIRE_THAT(report, alloc_chaos::catch2::succeeded()).
inline succeeded_matcher succeeded() { return {}; }

}  // namespace alloc_chaos::catch2

namespace Catch {

// A report as Catch2 prints it: its whole text, ending in a line break (so that what Catch2 adds
// after it, such as a matcher's description, starts a line of its own).
template <>
struct StringMaker<alloc_chaos::report> {
    static std::string convert(const alloc_chaos::report& r) {
        std::ostringstream text;
        text << r;
        std::string rendered = text.str();
        if (!rendered.empty() && rendered.back() == '\n')
            rendered.pop_back();
        return rendered + "\n";
    }
};

}  // namespace Catch

#endif
