#ifndef ALLOC_CHAOS_GTEST_WORKER_PARTS_HPP
#define ALLOC_CHAOS_GTEST_WORKER_PARTS_HPP

// What a run in a worker process (checker::processes) does to GoogleTest. The worker's GoogleTest
// is a copy of the calling process's: left alone, it would print the run's failures to the
// inherited stdout and count them in a test result nobody reads. So in a worker, each run's test
// part results (failures, successes, skips) are recorded instead and attached to the run
// (attach_to_run); once the check is over, the calling process reports every run's recording as
// if the run had been made there, in the order the runs were made.

#include <alloc_chaos/report.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace alloc_chaos::gtest::detail {

// This process's id: a run that sees another one than its check's caller runs in a worker.
// Where no worker can be forked, every run is in the calling process.
inline long process_id() noexcept {
#if defined(__unix__) || defined(__APPLE__)
    return static_cast<long>(::getpid());
#else
    return 0;
#endif
}

// One test part result, as GoogleTest reported it in a worker's run.
struct recorded_part {
    ::testing::TestPartResult::Type type = ::testing::TestPartResult::kSuccess;
    std::string file;  // empty: GoogleTest knew none
    int line = -1;
    std::string message;  // whole: the run's trace line included
};

// `parts` as bytes: native numbers and length-prefixed texts; both ends are the same executable.
inline std::string encode_parts(const std::vector<recorded_part>& parts) {
    std::string bytes;
    const auto put_number = [&](std::uint64_t n) { bytes.append(reinterpret_cast<const char*>(&n), sizeof n); };
    const auto put_text = [&](std::string_view text) {
        put_number(text.size());
        bytes.append(text);
    };
    put_number(parts.size());
    for (const recorded_part& part : parts) {
        put_number(static_cast<std::uint64_t>(part.type));
        put_text(part.file);
        put_number(static_cast<std::uint64_t>(static_cast<std::int64_t>(part.line)));
        put_text(part.message);
    }
    return bytes;
}

// The parts of a recording; std::nullopt when its bytes do not decode whole.
inline std::optional<std::vector<recorded_part>> decode_parts(std::string_view bytes) {
    const auto number = [&]() -> std::optional<std::uint64_t> {
        std::uint64_t n = 0;
        if (bytes.size() < sizeof n)
            return std::nullopt;
        std::memcpy(&n, bytes.data(), sizeof n);
        bytes.remove_prefix(sizeof n);
        return n;
    };
    const auto text = [&]() -> std::optional<std::string> {
        const std::optional<std::uint64_t> size = number();
        if (!size || *size > bytes.size())
            return std::nullopt;
        std::string read(bytes.substr(0, static_cast<std::size_t>(*size)));
        bytes.remove_prefix(static_cast<std::size_t>(*size));
        return read;
    };
    const std::optional<std::uint64_t> count = number();
    if (!count || *count > bytes.size())
        return std::nullopt;
    std::vector<recorded_part> parts(static_cast<std::size_t>(*count));
    for (recorded_part& part : parts) {
        const std::optional<std::uint64_t> type = number();
        std::optional<std::string> file = text();
        const std::optional<std::uint64_t> line = number();
        std::optional<std::string> message = text();
        if (!type || *type > static_cast<std::uint64_t>(::testing::TestPartResult::kSkip) || !file || !line || !message)
            return std::nullopt;
        part.type = static_cast<::testing::TestPartResult::Type>(*type);
        part.file = std::move(*file);
        part.line = static_cast<int>(static_cast<std::int64_t>(*line));
        part.message = std::move(*message);
    }
    if (!bytes.empty())
        return std::nullopt;
    return parts;
}

// Reports one run's recording into this process's test result, each part as the worker had it;
// true when the recording holds a skip (GTEST_SKIP). A recording that does not decode fails the
// test, at `test`'s file and line.
inline bool report_recording(std::string_view bytes, const ::testing::TestInfo& test) {
    if (bytes.empty())
        return false;
    const std::optional<std::vector<recorded_part>> parts = decode_parts(bytes);
    if (!parts) {
        ::testing::internal::AssertHelper(::testing::TestPartResult::kNonFatalFailure, test.file(), test.line(),
                                          "alloc-chaos: what a run in a worker process reported did not decode") =
            ::testing::Message();
        return false;
    }
    bool skipped = false;
    for (const recorded_part& part : *parts) {
        ::testing::internal::AssertHelper(part.type, part.file.empty() ? nullptr : part.file.c_str(), part.line,
                                          part.message.c_str()) = ::testing::Message();
        skipped = skipped || part.type == ::testing::TestPartResult::kSkip;
    }
    return skipped;
}

// Reports what the runs of `r` recorded in worker processes, in the order the runs were made;
// true when one of them skipped the test.
inline bool report_worker_runs(const alloc_chaos::report& r, const ::testing::TestInfo& test) {
    bool skipped = report_recording(r.baseline().attachment(), test);
    for (const alloc_chaos::baseline_run& b : r.stability_baselines())
        skipped = report_recording(b.attachment(), test) || skipped;
    for (const alloc_chaos::attempt& a : r.attempts())
        skipped = report_recording(a.attachment(), test) || skipped;
    return skipped;
}

}  // namespace alloc_chaos::gtest::detail

#endif
