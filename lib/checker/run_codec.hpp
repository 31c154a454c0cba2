#ifndef ALLOC_CHAOS_LIB_RUN_CODEC_HPP
#define ALLOC_CHAOS_LIB_RUN_CODEC_HPP

// What crosses from a worker process to the calling process: the baseline phase, the baseline's
// attempts, and each target run, as bytes. Both ends are the same executable, so the encoding is
// the machine's own (native integers, no versioning); a message that does not decode whole is a
// worker gone wrong.

#include "check_runs.hpp"
#include "../engine/signature_log.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace alloc_chaos::detail {

// Appends values to a message.
class message_writer {
public:
    void put(std::uint64_t n);
    void put(std::string_view text);
    void put(const baseline_phase& phase);
    void put(const target_run& run);
    void put(std::span<const signature> attempts);

    const std::string& bytes() const noexcept { return bytes_; }
    void clear() noexcept { bytes_.clear(); }

private:
    void put(const allocation& a);
    void put(const leak_total& leaked);
    void put(const finding& f);
    void put(const finding_facts& facts);
    void put(const baseline_run& b);
    void put(const attempt& a);
    void put(std::span<const finding> found);
    void put(std::span<const stack_frame> frames);
    void raw(const void* data, std::size_t size) { bytes_.append(static_cast<const char*>(data), size); }

    std::string bytes_;
};

// Reads values back, in the order they were put; a read past the end throws std::runtime_error.
class message_reader {
public:
    explicit message_reader(std::string_view bytes) noexcept : rest_(bytes) {}

    std::uint64_t number();
    std::string text();
    baseline_phase baselines();
    target_run target();
    std::vector<signature> attempts();
    bool done() const noexcept { return rest_.empty(); }

private:
    allocation read_allocation();
    leak_total read_leaked();
    finding read_finding();
    finding_facts read_facts();
    baseline_run read_baseline();
    std::vector<finding> read_findings();
    std::vector<stack_frame> read_frames();
    void raw(void* data, std::size_t size);

    std::string_view rest_;
};

}  // namespace alloc_chaos::detail

#endif
