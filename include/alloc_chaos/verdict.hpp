#ifndef ALLOC_CHAOS_VERDICT_HPP
#define ALLOC_CHAOS_VERDICT_HPP

#include <iosfwd>
#include <string_view>

namespace alloc_chaos {

// What a check's report amounts to; only `passed` is a success.
enum class verdict {
    passed,   // every observed attempt was failed in turn, and every run ended in a controlled error
              // or returned, with nothing found
    partial,  // nothing failed, but some observed attempt was not tested, or the selection was narrowed
    failed,   // a run did not end in a controlled error, or found something (a leak, a misuse)
    invalid,  // the check could not test: the bridge was not observed, the baseline threw, was
              // unstable, or observed no attempt at all
};

// "PASSED", "PARTIAL", "FAILED", "INVALID".
std::string_view to_string(verdict v) noexcept;

std::ostream& operator<<(std::ostream& out, verdict v);

}  // namespace alloc_chaos

#endif
