#ifndef ALLOC_CHAOS_TEST_TEST_BODIES_HPP
#define ALLOC_CHAOS_TEST_TEST_BODIES_HPP

// The small bodies and helpers the suites share: allocations a check counts, a sink that keeps the
// compiler from eliding them, exceptions that allocate nothing, and a keeper for the blocks a body
// leaks on purpose. A suite names what it uses with using-declarations; a helper that means
// something else in one suite stays in that suite.

#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/checker.hpp>
#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/report.hpp>

#include <array>
#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace test_bodies {

// The alignment the unaligned operator new forms record.
inline constexpr std::size_t plain = alloc_chaos::default_new_alignment;

// Where blocks escape to, so that no compiler elides the allocations counted; void*, to free through.
// One per thread: bodies checked on two threads at once do not race on it.
inline thread_local void* volatile sink = nullptr;

// `p`, read back through `sink`: no compiler sees which block a release gets.
inline void* hidden(void* p) {
    sink = p;
    return sink;
}

// The findings of the baseline run of a check of `body`.
template <class Body>
std::vector<alloc_chaos::finding> baseline_findings(Body body) {
    const alloc_chaos::report r = alloc_chaos::check(body);
    const auto found = r.baseline().findings();
    return {found.begin(), found.end()};
}

// Makes one attempt, ::operator new(size), and frees the block.
inline void allocate_and_free(std::size_t size) {
    void* p = ::operator new(size);
    sink = p;
    ::operator delete(p);
}

// Makes n attempts of sizes 1, 2, ..., n, letting a failure escape.
inline void allocate_sizes_1_to(std::size_t n) {
    for (std::size_t i = 1; i <= n; ++i)
        allocate_and_free(i);
}

// A body's own error, "boom", whose construction allocates nothing: it changes no attempt count.
struct boom : std::exception {
    const char* what() const noexcept override { return "boom"; }
};

// A failure escaping as the wrong type, "mishandled", whose construction allocates nothing.
struct mishandled : std::exception {
    const char* what() const noexcept override { return "mishandled"; }
};

// Makes 3 attempts of sizes 1, 2, 3; a failure of #1 escapes as `mishandled`.
inline void three_attempts_mishandling_attempt_1() {
    allocate_and_free(1);
    try {
        allocate_and_free(2);
    } catch (const std::bad_alloc&) {
        throw mishandled();
    }
    allocate_and_free(3);
}

// The blocks a body may leak on purpose, kept without allocating, so that LeakSanitizer finds none
// of them at exit: the case frees what is left with free_all(), through whatever made the blocks.
class kept_blocks {
public:
    kept_blocks() = default;
    kept_blocks(const kept_blocks&) = delete;
    kept_blocks& operator=(const kept_blocks&) = delete;

    // Records `block` as live; returns it.
    void* keep(void* block) noexcept {
        for (void* volatile& slot : blocks_)
            if (slot == nullptr) {
                slot = block;
                break;
            }
        return block;
    }
    // Records `block` as freed by the body.
    void release(void* block) noexcept {
        for (void* volatile& slot : blocks_)
            if (slot == block) {
                slot = nullptr;
                break;
            }
    }
    // Calls free(block) for each block still live: those the runs leaked. Returns their number.
    template <class Free>
    std::size_t free_all(Free free) noexcept {
        std::size_t freed = 0;
        for (void* volatile& slot : blocks_)
            if (void* block = slot) {
                free(block);
                slot = nullptr;
                ++freed;
            }
        return freed;
    }

private:
    void* volatile blocks_[64] = {};
};

// Kept blocks made through the bridge (::operator new), whose leftovers this frees with
// ::operator delete when it goes. Blocks of a memory resource or of an allocator of the case's
// own take a plain kept_blocks and free_all() with their own deallocation: ::operator delete
// would not be theirs.
struct bridge_blocks : kept_blocks {
    ~bridge_blocks() {
        free_all([](void* block) { ::operator delete(block); });
    }
};

// Attempts #0..#6 through the bridge. The blocks of #3 (64 bytes) and #5 (32 bytes) are held by
// raw pointers: a failure of #4 leaks #3, a failure of #5 leaks #3, a failure of #6 leaks both.
inline void leaks_3_and_5_on_later_failures(kept_blocks& kept) {
    allocate_and_free(8);                          // #0
    allocate_and_free(8);                          // #1
    allocate_and_free(8);                          // #2
    void* first = kept.keep(::operator new(64));   // #3
    allocate_and_free(8);                          // #4
    void* second = kept.keep(::operator new(32));  // #5
    allocate_and_free(16);                         // #6
    kept.release(second);
    ::operator delete(second);
    kept.release(first);
    ::operator delete(first);
}

// The target of the run in progress; std::nullopt in the baseline runs.
inline std::optional<std::size_t> current_target() {
    const auto run = alloc_chaos::current_run();
    return run ? run->target : std::nullopt;
}

// A list of targets, as a report's runs or a sample name them.
using targets_t = std::vector<std::size_t>;

// The targets of a report's runs, in order.
inline targets_t targets(const alloc_chaos::report& r) {
    targets_t result;
    for (const alloc_chaos::attempt& run : r.attempts())
        result.push_back(run.target());
    return result;
}

// A value as operator<< prints it.
template <class T>
std::string printed(const T& value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

// How many times `part` appears in `text`, without overlapping.
inline std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size()))
        ++n;
    return n;
}

// The runs a check made of each target, #0 to #7, counted by the body: a run that went wrong may
// be made once more, to take its stacks.
class runs_by_target {
public:
    // Counts the run in progress, when it has a target.
    void count() noexcept {
        if (const auto run = alloc_chaos::current_run(); run && run->target && *run->target < made_.size())
            ++made_[*run->target];
    }
    std::size_t operator[](std::size_t target) const noexcept { return made_[target]; }

private:
    std::array<std::size_t, 8> made_{};
};

// Runs `check` (a callable that runs a check and returns its report) on a new thread, whose
// signature and address logs start with room for 1,024 attempts, and returns the report.
template <class Check>
alloc_chaos::report on_a_fresh_thread(Check check) {
    std::optional<alloc_chaos::report> made;
    std::thread([&] { made.emplace(check()); }).join();
    return std::move(*made);
}

}  // namespace test_bodies

#endif
