#include <alloc_chaos/injected_bad_alloc.hpp>

#include <charconv>
#include <string_view>

namespace alloc_chaos {

namespace {

// Appends to a fixed buffer, truncating, never allocating: it runs while memory is "exhausted".
class fixed_writer {
public:
    fixed_writer(char* first, char* last) noexcept : next_(first), last_(last - 1) {}
    ~fixed_writer() { *next_ = '\0'; }

    fixed_writer& operator<<(std::string_view s) noexcept {
        for (char c : s)
            if (next_ != last_)
                *next_++ = c;
        return *this;
    }
    // Without it a char would print as its code through the std::size_t overload.
    fixed_writer& operator<<(char c) noexcept { return *this << std::string_view(&c, 1); }
    fixed_writer& operator<<(std::size_t n) noexcept {
        char digits[24];
        auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
        return *this << std::string_view(digits, static_cast<std::size_t>(end - digits));
    }

private:
    char* next_;
    char* last_;
};

}  // namespace

injected_bad_alloc::injected_bad_alloc(const alloc_chaos::allocation& failed) noexcept : allocation_(failed) {
    fixed_writer out(what_, what_ + sizeof what_);
    out << "alloc-chaos injected failure of attempt #" << failed.index() << ' ' << to_string(failed.operation())
        << " size=" << failed.size() << " align=" << failed.alignment();
    if (failed.nothrow())
        out << " nothrow";
}

}  // namespace alloc_chaos
