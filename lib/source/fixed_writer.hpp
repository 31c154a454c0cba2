#ifndef ALLOC_CHAOS_LIB_FIXED_WRITER_HPP
#define ALLOC_CHAOS_LIB_FIXED_WRITER_HPP

// Text written into a fixed buffer, truncated at its end, without allocating, locking or touching
// the locale: for what runs while memory is "exhausted" (injected_bad_alloc) and inside a signal
// handler (crash_notice), where only async-signal-safe code may run.

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/operation.hpp>

#include <charconv>
#include <cstddef>
#include <string_view>

namespace alloc_chaos::detail {

class fixed_writer {
public:
    // Writes into [first, last), keeping the last char for the terminating '\0'.
    fixed_writer(char* first, char* last) noexcept : first_(first), next_(first), last_(last - 1) { *next_ = '\0'; }

    fixed_writer& operator<<(std::string_view s) noexcept {
        for (char c : s)
            if (next_ != last_)
                *next_++ = c;
        *next_ = '\0';
        return *this;
    }
    // Without it a char would print as its code through the std::size_t overload.
    fixed_writer& operator<<(char c) noexcept { return *this << std::string_view(&c, 1); }
    fixed_writer& operator<<(std::size_t n) noexcept {
        char digits[24];
        auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
        return *this << std::string_view(digits, static_cast<std::size_t>(end - digits));
    }
    // "#3 operator new size=64 align=16", with " nothrow" for the nothrow forms: as operator<< of
    // std::ostream writes an allocation.
    fixed_writer& operator<<(const allocation& a) noexcept {
        *this << '#' << a.index() << ' ' << to_string(a.operation()) << " size=" << a.size()
              << " align=" << a.alignment();
        if (a.nothrow())
            *this << " nothrow";
        return *this;
    }

    // What was written so far, '\0'-terminated.
    std::string_view text() const noexcept { return {first_, static_cast<std::size_t>(next_ - first_)}; }

private:
    char* first_;
    char* next_;
    char* last_;
};

}  // namespace alloc_chaos::detail

#endif
