#ifndef ALLOC_CHAOS_GTEST_WORKER_PARTS_HPP
#define ALLOC_CHAOS_GTEST_WORKER_PARTS_HPP

// What a run in a worker process (checker::processes) does to GoogleTest. The worker's GoogleTest
// is a copy of the calling process's: left alone, it would print the run's failures to the
// inherited stdout and count them in a test result nobody reads. So in a worker, each run's test
// part results (failures, successes, skips) are recorded instead and attached to the run
// (attach_to_run); once the check is over, the calling process reports every run's recording as
// if the run had been made there, in the order the runs were made.

#include <alloc_chaos/integration.hpp>
#include <alloc_chaos/report.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace alloc_chaos::gtest::detail {

using integration::process_id;

// One test part result, as GoogleTest reported it in a worker's run.
struct recorded_part {
    ::testing::TestPartResult::Type type = ::testing::TestPartResult::kSuccess;
    std::string file;  // empty: GoogleTest knew none
    int line = -1;
    std::string message;  // whole: the run's trace line included
};

// `parts` as bytes, for attach_to_run.
inline std::string encode_parts(const std::vector<recorded_part>& parts) {
    integration::recording_writer out;
    out.put(std::uint64_t{parts.size()});
    for (const recorded_part& part : parts) {
        out.put(static_cast<std::uint64_t>(part.type));
        out.put(part.file);
        out.put(static_cast<std::uint64_t>(static_cast<std::int64_t>(part.line)));
        out.put(part.message);
    }
    return out.bytes();
}

// The parts of a recording; std::nullopt when its bytes do not decode whole.
inline std::optional<std::vector<recorded_part>> decode_parts(std::string_view bytes) {
    integration::recording_reader in(bytes);
    const std::optional<std::uint64_t> count = in.count();
    if (!count)
        return std::nullopt;
    std::vector<recorded_part> parts(static_cast<std::size_t>(*count));
    for (recorded_part& part : parts) {
        const std::optional<std::uint64_t> type = in.number();
        std::optional<std::string> file = in.text();
        const std::optional<std::uint64_t> line = in.number();
        std::optional<std::string> message = in.text();
        if (!type || *type > static_cast<std::uint64_t>(::testing::TestPartResult::kSkip) || !file || !line || !message)
            return std::nullopt;
        part.type = static_cast<::testing::TestPartResult::Type>(*type);
        part.file = std::move(*file);
        part.line = static_cast<int>(static_cast<std::int64_t>(*line));
        part.message = std::move(*message);
    }
    if (!in.done())
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
