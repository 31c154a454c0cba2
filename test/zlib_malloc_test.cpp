#define BOOST_TEST_MODULE zlib_malloc
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <zlib.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <new>
#include <stdexcept>
#include <vector>

// zlib (Debian's zlib1g, 1.2.13) under alloc_chaos::malloc: every allocation of compress() and
// uncompress() is a malloc attempt, and every failure comes back as Z_MEM_ERROR, which the body
// turns into std::bad_alloc, with nothing leaked.

using alloc_chaos::allocation;
using alloc_chaos::attempts_of;
using alloc_chaos::checker;
using alloc_chaos::operation;
using alloc_chaos::outcome;
using alloc_chaos::report;
using test_bodies::current_target;

namespace {

constexpr std::size_t fundamental = alignof(std::max_align_t);

allocation malloc_attempt(std::size_t index, std::size_t size) {
    return allocation(index, operation::malloc, size, fundamental, true);
}

// The text compressed: 4 KiB of a repeated sentence, made before any check.
const std::vector<unsigned char>& input() {
    static const std::vector<unsigned char> text = [] {
        const char sentence[] = "The quick brown fox jumps over the lazy dog. ";
        std::vector<unsigned char> t;
        while (t.size() < 4096)
            t.insert(t.end(), sentence, sentence + sizeof sentence - 1);
        return t;
    }();
    return text;
}

// Where compress() and uncompress() write, outside the body: no allocation of the body's own.
std::array<unsigned char, 8192> compressed;
std::array<unsigned char, 8192> restored;

// What zlib returned, by target: the first return code other than Z_OK of the run failing it.
std::array<int, 16> code_by_target;

// A zlib return code as the body's outcome: Z_MEM_ERROR is the controlled error, std::bad_alloc;
// anything else but Z_OK escapes as std::runtime_error.
void expect_ok(int code) {
    if (const auto target = current_target(); target && *target < code_by_target.size() && code != Z_OK &&
                                               code_by_target[*target] == Z_OK)
        code_by_target[*target] = code;
    if (code == Z_MEM_ERROR)
        throw std::bad_alloc();
    if (code != Z_OK)
        throw std::runtime_error(zError(code));
}

void compress_input() {
    uLongf size = compressed.size();
    expect_ok(compress(compressed.data(), &size, input().data(), input().size()));
    uLongf restored_size = restored.size();
    expect_ok(uncompress(restored.data(), &restored_size, compressed.data(), size));
    if (restored_size != input().size() || std::memcmp(restored.data(), input().data(), restored_size) != 0)
        throw std::runtime_error("the round trip changed the text");
}

}  // namespace

BOOST_AUTO_TEST_CASE(compress_and_uncompress_make_six_malloc_attempts) {
    input();
    const auto got = attempts_of(compress_input);
    // deflate's state, window, prev, head, pending buffer; inflate's state.
    const std::vector<allocation> expected = {malloc_attempt(0, 5952), malloc_attempt(1, 65536), malloc_attempt(2, 65536),
                                              malloc_attempt(3, 65536), malloc_attempt(4, 65536), malloc_attempt(5, 7160)};
    BOOST_TEST(got == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_failure_of_compress_and_uncompress_is_z_mem_error_and_leaks_nothing) {
    input();
    code_by_target.fill(Z_OK);
    const report r = checker{}.run(compress_input);
    BOOST_TEST(r.baseline_allocations() == 6u);
    BOOST_TEST(r.tested_failures() == 6u);
    for (const alloc_chaos::attempt& run : r.attempts()) {
        BOOST_TEST(run.outcome() == outcome::bad_alloc);
        BOOST_TEST(run.findings().empty());
        BOOST_TEST(code_by_target[run.target()] == Z_MEM_ERROR);
    }
    BOOST_TEST(r.success());
}
