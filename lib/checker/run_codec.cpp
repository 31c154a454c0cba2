#include "run_codec.hpp"

#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace alloc_chaos::detail {

static_assert(std::is_trivially_copyable_v<signature>);

// ---- message_writer ----

void message_writer::put(std::uint64_t n) { raw(&n, sizeof n); }

void message_writer::put(std::string_view text) {
    put(std::uint64_t{text.size()});
    raw(text.data(), text.size());
}

void message_writer::put(const allocation& a) {
    put(std::uint64_t{a.index()});
    put(static_cast<std::uint64_t>(a.operation()));
    put(std::uint64_t{a.size()});
    put(std::uint64_t{a.alignment()});
    put(std::uint64_t{a.nothrow()});
}

void message_writer::put(std::span<const stack_frame> frames) {
    put(std::uint64_t{frames.size()});
    for (const stack_frame& f : frames) {
        put(f.function);
        put(f.file);
        put(std::uint64_t{f.line});
    }
}

void message_writer::put(const finding_facts& facts) {
    const auto put_shape = [&](const std::optional<block_shape>& shape) {
        put(std::uint64_t{shape.has_value()});
        if (shape) {
            put(std::uint64_t{shape->size});
            put(std::uint64_t{shape->alignment});
        }
    };
    const auto put_number = [&](const std::optional<std::size_t>& n) {
        put(std::uint64_t{n.has_value()});
        if (n)
            put(std::uint64_t{*n});
    };
    const auto put_enum = [&](auto e) {
        put(std::uint64_t{e.has_value()});
        if (e)
            put(static_cast<std::uint64_t>(*e));
    };
    put_shape(facts.released);
    put_enum(facts.released_by);
    put_enum(facts.allocated_by);
    put_shape(facts.allocated);
    put_number(facts.offset);
    put_number(facts.index);
    put(std::uint64_t{facts.expected.has_value()});
    if (facts.expected)
        put(*facts.expected);
    put_number(facts.baseline_attempts);
    put_number(facts.run_attempts);
}

void message_writer::put(const finding& f) {
    put(static_cast<std::uint64_t>(f.kind()));
    put(std::uint64_t{f.allocation().has_value()});
    if (f.allocation())
        put(*f.allocation());
    put(f.facts());
    put(f.message());
    put(f.stack());
}

void message_writer::put(std::span<const finding> found) {
    put(std::uint64_t{found.size()});
    for (const finding& f : found)
        put(f);
}

void message_writer::put(const leak_total& leaked) {
    put(std::uint64_t{leaked.blocks});
    put(std::uint64_t{leaked.bytes});
}

void message_writer::put(const baseline_run& b) {
    put(std::uint64_t{b.allocations()});
    put(static_cast<std::uint64_t>(b.outcome()));
    put(b.message());
    put(b.findings());
    put(b.attachment());
    put(b.leaked());
}

void message_writer::put(const attempt& a) {
    put(std::uint64_t{a.target()});
    put(std::uint64_t{a.observed_allocations()});
    put(std::uint64_t{a.injected()});
    if (a.injected())
        put(*a.injected_allocation());
    put(static_cast<std::uint64_t>(a.outcome()));
    put(a.message());
    put(a.findings());
    put(static_cast<std::uint64_t>(a.mode()));
    put(std::uint64_t{a.failed_attempts()});
    put(a.stack());
    put(a.attachment());
    put(a.leaked());
}

void message_writer::put(const baseline_phase& phase) {
    put(phase.first);
    put(std::uint64_t{phase.stability.size()});
    for (const baseline_run& b : phase.stability)
        put(b);
    put(phase.hint);
    put(static_cast<std::uint64_t>(phase.first_time.count()));
}

void message_writer::put(const target_run& run) {
    put(run.entry);
    put(std::uint64_t{run.aborted});
}

void message_writer::put(std::span<const signature> attempts) {
    put(std::uint64_t{attempts.size()});
    raw(attempts.data(), attempts.size_bytes());
}

// ---- message_reader ----

void message_reader::raw(void* data, std::size_t size) {
    if (rest_.size() < size)
        throw std::runtime_error("alloc-chaos: a worker process sent a message cut short");
    std::memcpy(data, rest_.data(), size);
    rest_.remove_prefix(size);
}

std::uint64_t message_reader::number() {
    std::uint64_t n = 0;
    raw(&n, sizeof n);
    return n;
}

std::string message_reader::text() {
    const std::uint64_t size = number();
    if (rest_.size() < size)
        throw std::runtime_error("alloc-chaos: a worker process sent a message cut short");
    std::string read(rest_.substr(0, size));
    rest_.remove_prefix(size);
    return read;
}

allocation message_reader::read_allocation() {
    const std::size_t index = number();
    const auto op = static_cast<operation>(number());
    const std::size_t size = number();
    const std::size_t alignment = number();
    const bool nothrow = number() != 0;
    return {index, op, size, alignment, nothrow};
}

std::vector<stack_frame> message_reader::read_frames() {
    std::vector<stack_frame> frames(number());
    for (stack_frame& f : frames) {
        f.function = text();
        f.file = text();
        f.line = static_cast<unsigned>(number());
    }
    return frames;
}

finding_facts message_reader::read_facts() {
    const auto read_shape = [&]() -> std::optional<block_shape> {
        if (number() == 0)
            return std::nullopt;
        const std::size_t size = number();
        return block_shape{size, number()};
    };
    const auto read_number = [&]() -> std::optional<std::size_t> {
        if (number() == 0)
            return std::nullopt;
        return number();
    };
    finding_facts facts;
    facts.released = read_shape();
    if (number() != 0)
        facts.released_by = static_cast<release_function>(number());
    if (number() != 0)
        facts.allocated_by = static_cast<operation>(number());
    facts.allocated = read_shape();
    facts.offset = read_number();
    facts.index = read_number();
    if (number() != 0)
        facts.expected = read_allocation();
    facts.baseline_attempts = read_number();
    facts.run_attempts = read_number();
    return facts;
}

finding message_reader::read_finding() {
    const auto kind = static_cast<finding_kind>(number());
    std::optional<allocation> concerned;
    if (number() != 0)
        concerned = read_allocation();
    const finding_facts facts = read_facts();
    std::string message = text();
    return {kind, concerned, facts, std::move(message), read_frames()};
}

std::vector<finding> message_reader::read_findings() {
    const std::uint64_t count = number();
    std::vector<finding> found;
    found.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i)
        found.push_back(read_finding());
    return found;
}

baseline_run message_reader::read_baseline() {
    const std::size_t allocations = number();
    const auto how = static_cast<outcome>(number());
    std::string message = text();
    std::vector<finding> found = read_findings();
    std::string attachment = text();
    return {allocations, how, std::move(message), std::move(found), std::move(attachment), read_leaked()};
}

leak_total message_reader::read_leaked() {
    leak_total leaked;
    leaked.blocks = number();
    leaked.bytes = number();
    return leaked;
}

baseline_phase message_reader::baselines() {
    baseline_phase phase;
    phase.first = read_baseline();
    const std::uint64_t more = number();
    for (std::uint64_t i = 0; i < more; ++i)
        phase.stability.push_back(read_baseline());
    phase.hint = text();
    phase.first_time = std::chrono::nanoseconds(number());
    return phase;
}

target_run message_reader::target() {
    const std::size_t target = number();
    const std::size_t observed = number();
    std::optional<allocation> injected;
    if (number() != 0)
        injected = read_allocation();
    const auto how = static_cast<outcome>(number());
    std::string message = text();
    std::vector<finding> found = read_findings();
    const auto mode = static_cast<failure_mode>(number());
    const std::size_t failed = number();
    std::vector<stack_frame> stack = read_frames();
    std::string attachment = text();
    const leak_total leaked = read_leaked();
    const bool aborted = number() != 0;
    return {attempt(target, observed, injected, how, std::move(message), std::move(found), mode, failed,
                    std::move(stack), std::move(attachment), leaked),
            aborted};
}

std::vector<signature> message_reader::attempts() {
    const std::uint64_t count = number();
    if (count > rest_.size() / sizeof(signature))
        throw std::runtime_error("alloc-chaos: a worker process sent a message cut short");
    std::vector<signature> read;
    read.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
        signature s(0, 0, operation::operator_new, false);
        raw(&s, sizeof s);
        read.push_back(s);
    }
    return read;
}

}  // namespace alloc_chaos::detail
