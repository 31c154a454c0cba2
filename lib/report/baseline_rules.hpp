#ifndef ALLOC_CHAOS_LIB_BASELINE_RULES_HPP
#define ALLOC_CHAOS_LIB_BASELINE_RULES_HPP

// What the baseline runs of a report say, defined once: for report's verdict, and for the checker,
// which asks before its target runs whether they can mean anything.

#include <alloc_chaos/report.hpp>

namespace alloc_chaos::detail {

// Some baseline run found something (a leak, a misuse): the success path is broken already.
bool baseline_has_findings(const report_data& r) noexcept;

// Every baseline run completed with the same attempts as the first, and none diverged.
bool baseline_stable(const report_data& r) noexcept;

}  // namespace alloc_chaos::detail

#endif
