#ifndef ALLOC_CHAOS_CATCH2_WORKER_LOG_HPP
#define ALLOC_CHAOS_CATCH2_WORKER_LOG_HPP

// What a run in a worker process (checker::processes) does to Catch2. The worker's Catch2 is a
// copy of the calling process's: left alone, its reporter would print the run's assertions to
// the inherited stdout and count them where nobody reads them. So in a worker, each call a run
// makes to Catch2's result capture (an assertion's result, a scoped or unscoped message) is
// recorded instead (counting_capture) and attached to the run (attach_to_run); once the check is
// over, the calling process replays every run's recording into its own result capture, in the
// order the runs were made, as if the run had been made there.

#include <alloc_chaos/integration.hpp>
#include <alloc_chaos/report.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace alloc_chaos::catch2::detail {

// One call a run made to Catch2's result capture, in the order it made it.
struct capture_event {
    enum class kind : std::uint8_t {
        message_pushed,      // a scoped message opened (INFO, CAPTURE, the run's own context)
        message_popped,      // a scoped message closed
        unscoped_message,    // UNSCOPED_INFO
        expression,          // an assertion on an expression (CHECK, REQUIRE, CHECK_THAT, ...)
        message,             // an assertion with a message (FAIL, SUCCEED, WARN, ...)
        non_expression,      // an assertion with neither (a *_THROWS that did not throw, ...)
        inflight_exception,  // an exception where none was expected
        incomplete,          // an assertion left without a result
    };
    kind what = kind::expression;
    std::string macro_name;           // the assertion's or the message's macro
    std::string file;                 // where it was made
    std::uint64_t line = 0;
    std::string captured_expression;  // an assertion's expression, as written
    std::uint64_t disposition = 0;    // an assertion's Catch::ResultDisposition::Flags
    std::uint64_t type = 0;           // the Catch::ResultWas::OfType of a message or an assertion
    std::string text;                 // a message's text; an expression's reconstruction ("0 == 2")
    bool binary = false;              // expression: a binary one (`a == b`)
    bool result = false;              // expression: its value, before a FalseTest negation
    std::uint64_t sequence = 0;       // a scoped message's Catch::MessageInfo::sequence in the worker
};

// `events` as bytes, for attach_to_run.
inline std::string encode_events(const std::vector<capture_event>& events) {
    integration::recording_writer out;
    out.put(std::uint64_t{events.size()});
    for (const capture_event& e : events) {
        out.put(static_cast<std::uint64_t>(e.what));
        out.put(e.macro_name);
        out.put(e.file);
        out.put(std::uint64_t{e.line});
        out.put(e.captured_expression);
        out.put(std::uint64_t{e.disposition});
        out.put(std::uint64_t{e.type});
        out.put(e.text);
        out.put(std::uint64_t{(e.binary ? 1u : 0u) | (e.result ? 2u : 0u)});
        out.put(std::uint64_t{e.sequence});
    }
    return out.bytes();
}

// The events of a recording; std::nullopt when its bytes do not decode whole.
inline std::optional<std::vector<capture_event>> decode_events(std::string_view bytes) {
    integration::recording_reader in(bytes);
    const std::optional<std::uint64_t> count = in.count();
    if (!count)
        return std::nullopt;
    std::vector<capture_event> events(static_cast<std::size_t>(*count));
    for (capture_event& e : events) {
        const std::optional<std::uint64_t> what = in.number();
        std::optional<std::string> macro_name = in.text();
        std::optional<std::string> file = in.text();
        const std::optional<std::uint64_t> line = in.number();
        std::optional<std::string> captured_expression = in.text();
        const std::optional<std::uint64_t> disposition = in.number();
        const std::optional<std::uint64_t> type = in.number();
        std::optional<std::string> said = in.text();
        const std::optional<std::uint64_t> flags = in.number();
        const std::optional<std::uint64_t> sequence = in.number();
        if (!what || *what > static_cast<std::uint64_t>(capture_event::kind::incomplete) || !macro_name || !file ||
            !line || !captured_expression || !disposition || !type || !said || !flags || !sequence)
            return std::nullopt;
        e.what = static_cast<capture_event::kind>(*what);
        e.macro_name = std::move(*macro_name);
        e.file = std::move(*file);
        e.line = *line;
        e.captured_expression = std::move(*captured_expression);
        e.disposition = *disposition;
        e.type = *type;
        e.text = std::move(*said);
        e.binary = (*flags & 1u) != 0;
        e.result = (*flags & 2u) != 0;
        e.sequence = *sequence;
    }
    if (!in.done())
        return std::nullopt;
    return events;
}

// A text that Catch2 keeps by reference (a macro's name, a file, an expression: literals, where
// the run is made in place), kept for the life of the process, as its reporters may keep it.
inline Catch::StringRef kept_text(const std::string& text) {
    static std::set<std::string, std::less<>> texts;
    const std::string& kept = *texts.insert(text).first;
    return Catch::StringRef(kept.c_str(), kept.size());
}

// An expression as a run in a worker process reconstructed it.
class replayed_expression final : public Catch::ITransientExpression {
public:
    replayed_expression(bool binary, bool result, const std::string& reconstructed)
        : Catch::ITransientExpression(binary, result), reconstructed_(reconstructed) {}
    void streamReconstructedExpression(std::ostream& out) const override { out << reconstructed_; }

private:
    const std::string& reconstructed_;
};

// The assertion of an event, its texts kept.
inline Catch::AssertionInfo assertion_of(const capture_event& e) {
    return {kept_text(e.macro_name), Catch::SourceLineInfo(kept_text(e.file).data(), static_cast<std::size_t>(e.line)),
            kept_text(e.captured_expression), static_cast<Catch::ResultDisposition::Flags>(e.disposition)};
}

// Replays one run's recording into `capture` (this process's own), each call as the worker made
// it; true when one of them, made here, would have ended the case (a failed REQUIRE, or Catch2
// aborting after its failures). A recording that does not decode fails the case at `line`.
inline bool replay_recording(std::string_view bytes, Catch::IResultCapture& capture, const Catch::SourceLineInfo& line) {
    if (bytes.empty())
        return false;
    const std::optional<std::vector<capture_event>> events = decode_events(bytes);
    if (!events) {
        Catch::AssertionReaction reaction;
        capture.handleMessage({"ALLOC_CHAOS_TEST_CASE"_catch_sr, line, Catch::StringRef(),
                               Catch::ResultDisposition::ContinueOnFailure},
                              Catch::ResultWas::ExplicitFailure,
                              "alloc-chaos: what a run in a worker process reported did not decode", reaction);
        return false;
    }
    bool fatal = false;
    std::vector<std::pair<std::uint64_t, Catch::MessageInfo>> open;  // by the worker's sequence
    for (const capture_event& e : *events) {
        const auto type = static_cast<Catch::ResultWas::OfType>(e.type);
        Catch::AssertionReaction reaction;
        switch (e.what) {
        case capture_event::kind::message_pushed: {
            Catch::MessageInfo message(kept_text(e.macro_name),
                                       Catch::SourceLineInfo(kept_text(e.file).data(), static_cast<std::size_t>(e.line)),
                                       type);
            message.message = e.text;
            capture.pushScopedMessage(message);
            open.emplace_back(e.sequence, std::move(message));
            break;
        }
        case capture_event::kind::message_popped:
            for (auto m = open.begin(); m != open.end(); ++m)
                if (m->first == e.sequence) {
                    capture.popScopedMessage(m->second);
                    open.erase(m);
                    break;
                }
            break;
        case capture_event::kind::unscoped_message: {
            Catch::MessageBuilder message(kept_text(e.macro_name),
                                          Catch::SourceLineInfo(kept_text(e.file).data(), static_cast<std::size_t>(e.line)),
                                          type);
            message << e.text;
            capture.emplaceUnscopedMessage(message);
            break;
        }
        case capture_event::kind::expression: {
            const replayed_expression expression(e.binary, e.result, e.text);
            capture.handleExpr(assertion_of(e), expression, reaction);
            break;
        }
        case capture_event::kind::message:
            capture.handleMessage(assertion_of(e), type, Catch::StringRef(e.text), reaction);
            break;
        case capture_event::kind::non_expression:
            capture.handleNonExpr(assertion_of(e), type, reaction);
            break;
        case capture_event::kind::inflight_exception:
            capture.handleUnexpectedInflightException(assertion_of(e), e.text, reaction);
            break;
        case capture_event::kind::incomplete:
            capture.handleIncomplete(assertion_of(e));
            break;
        }
        fatal = fatal || reaction.shouldThrow;
    }
    for (auto m = open.rbegin(); m != open.rend(); ++m)  // left open by a run that ended early
        capture.popScopedMessage(m->second);
    return fatal;
}

// Replays what the runs of `r` recorded in worker processes into `capture`, in the order the
// runs were made; true when a replayed call would have ended the case (replay_recording).
inline bool replay_worker_runs(const alloc_chaos::report& r, Catch::IResultCapture& capture,
                               const Catch::SourceLineInfo& line) {
    bool fatal = replay_recording(r.baseline().attachment(), capture, line);
    for (const alloc_chaos::baseline_run& b : r.stability_baselines())
        fatal = replay_recording(b.attachment(), capture, line) || fatal;
    for (const alloc_chaos::attempt& a : r.attempts())
        fatal = replay_recording(a.attachment(), capture, line) || fatal;
    return fatal;
}

}  // namespace alloc_chaos::catch2::detail

#endif
