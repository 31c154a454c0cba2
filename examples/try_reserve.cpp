// A payload builder that never lets an allocation failure escape: every allocation it makes goes
// through try_reserve(), and a failed one becomes its own error, build_error::out_of_memory.
// alloc_chaos::check fails each of its allocations in turn and proves that every run ends with
// either the full, correct payload or that error, and nothing else.

#include <alloc_chaos/alloc_chaos.hpp>

#include <charconv>
#include <cstddef>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

struct header {
    std::string name;
    std::string value;
};

struct request {
    std::string method;
    std::string target;
    std::vector<header> headers;
    std::string body;
};

enum class build_error { out_of_memory };

// Reserves room for n elements, reporting an allocation failure as false instead of throwing.
template <class Container>
[[nodiscard]] bool try_reserve(Container& c, std::size_t n) {
    try {
        c.reserve(n);
        return true;
    } catch (const std::bad_alloc&) {
        return false;
    }
}

// Builds a line in one allocation: reserved first, appended after (appending within capacity
// never allocates).
template <class... Parts>
[[nodiscard]] bool try_build_line(std::string& line, const Parts&... parts) {
    const std::size_t size = (std::string_view(parts).size() + ... + 2);
    if (!try_reserve(line, size))
        return false;
    (line.append(parts), ...);
    line.append("\r\n");
    return true;
}

// Renders an HTTP/1.1 request. Never throws: an allocation failure is build_error::out_of_memory.
std::variant<std::string, build_error> build_payload(const request& r) {
    std::vector<std::string> lines;
    if (!try_reserve(lines, r.headers.size() + 2))
        return build_error::out_of_memory;

    lines.emplace_back();  // within capacity: no allocation
    if (!try_build_line(lines.back(), r.method, " ", r.target, " HTTP/1.1"))
        return build_error::out_of_memory;
    for (const header& h : r.headers) {
        lines.emplace_back();
        if (!try_build_line(lines.back(), h.name, ": ", h.value))
            return build_error::out_of_memory;
    }
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, r.body.size()).ptr;
    lines.emplace_back();
    if (!try_build_line(lines.back(), "Content-Length: ", std::string_view(digits, end)))
        return build_error::out_of_memory;

    std::size_t total = 2 + r.body.size();
    for (const std::string& line : lines)
        total += line.size();
    std::string payload;
    if (!try_reserve(payload, total))
        return build_error::out_of_memory;
    for (const std::string& line : lines)
        payload += line;
    payload += "\r\n";
    payload += r.body;
    return payload;
}

}  // namespace

int main() {
    const request order{"POST",
                        "/api/v2/orders?customer=4711&currency=EUR",
                        {{"Host", "shop.example.com:8443"},
                         {"Content-Type", "application/json; charset=utf-8"},
                         {"Authorization", "Bearer 8f14e45fceea167a5a36dedd4bea2543"}},
                        R"({"items":[{"sku":"BOOK-0451","quantity":2}],"express":true})"};
    const std::string expected =
        "POST /api/v2/orders?customer=4711&currency=EUR HTTP/1.1\r\n"
        "Host: shop.example.com:8443\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        "Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543\r\n"
        "Content-Length: 59\r\n"
        "\r\n"
        R"({"items":[{"sku":"BOOK-0451","quantity":2}],"express":true})";

    std::size_t built = 0, out_of_memory = 0;
    const alloc_chaos::report report = alloc_chaos::check([&] {
        const auto result = build_payload(order);
        if (const std::string* payload = std::get_if<std::string>(&result)) {
            if (*payload != expected)
                throw std::logic_error("build_payload returned a wrong payload");
            ++built;
        } else if (std::get<build_error>(result) == build_error::out_of_memory) {
            ++out_of_memory;
        } else {
            throw std::logic_error("build_payload returned an unknown error");
        }
    });

    std::cout << report;
    std::cout << "build_payload: " << built << " payload built, " << out_of_memory
              << " out_of_memory errors returned, no exception escaped\n";
    try {
        report.assert_success();
    } catch (const alloc_chaos::check_failed&) {
        std::cerr << "try_reserve: the check did not pass (see the report above)\n";
        return 1;
    }
    // One payload from the baseline run, one error per failed allocation.
    if (built != 1 || out_of_memory != report.injected_failures()) {
        std::cerr << "try_reserve: some failed allocation did not become build_error::out_of_memory\n";
        return 1;
    }
}
