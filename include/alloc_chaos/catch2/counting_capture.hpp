#ifndef ALLOC_CHAOS_CATCH2_COUNTING_CAPTURE_HPP
#define ALLOC_CHAOS_CATCH2_COUNTING_CAPTURE_HPP

// Catch2 keeps a test case's counts to itself (RunContext is no public type): this decorator of
// the running case's result capture sees every assertion on its way in, and so counts the ones
// that fail. It also knows the scoped messages (INFO, CAPTURE) still open, so that a run that
// ends in an exception, past the ScopedMessage destructors that leave their message behind when
// unwinding, does not leave them to the assertions of the next runs. And it routes what a run
// makes: to Catch2 as without the check, or, in a worker process, into a recording for the
// calling process to replay (worker_log.hpp), or nowhere, for a run that repeats one reported.

#include <alloc_chaos/catch2/worker_log.hpp>
#include <alloc_chaos/source.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace alloc_chaos::catch2::detail {

// Where a run's assertions and messages go.
enum class capture_route {
    report,  // to the decorated capture, as without the check: printed, counted in the case's totals
    record,  // into recorded(), for the run's attachment: a run in a worker process
    drop,    // neither: a run that repeats one already reported, or a warm-up run
};

// Routes everything to the result capture it decorates (capture_route::report) or keeps it from
// it; counts the assertions that failed either way.
class counting_capture final : public Catch::IResultCapture {
public:
    explicit counting_capture(Catch::IResultCapture& decorated) noexcept : decorated_(decorated) {}

    // The assertions that failed since this capture was made.
    std::uintmax_t failed() const noexcept { return failed_; }
    // The scoped messages pushed and not popped so far.
    std::size_t open_messages() const noexcept { return open_.size(); }
    // Pops the scoped messages pushed after the first `kept`, newest first.
    void close_messages_after(std::size_t kept) {
        while (open_.size() > kept)
            popScopedMessage(open_.back());
    }

    // Routes what comes next to `route`, forgetting what was recorded.
    void route(capture_route route) {
        route_ = route;
        recorded_.clear();
    }
    // What came in since route(capture_route::record), in order.
    const std::vector<capture_event>& recorded() const noexcept { return recorded_; }

    bool sectionStarted(Catch::SectionInfo const& info, Catch::Counts& assertions) override {
        return decorated_.sectionStarted(info, assertions);
    }
    void sectionEnded(Catch::SectionEndInfo const& info) override { decorated_.sectionEnded(info); }
    void sectionEndedEarly(Catch::SectionEndInfo const& info) override { decorated_.sectionEndedEarly(info); }
    auto acquireGeneratorTracker(Catch::StringRef name, Catch::SourceLineInfo const& line)
        -> Catch::IGeneratorTracker& override {
        return decorated_.acquireGeneratorTracker(name, line);
    }
#if defined(CATCH_CONFIG_ENABLE_BENCHMARKING)
    void benchmarkPreparing(std::string const& name) override { decorated_.benchmarkPreparing(name); }
    void benchmarkStarting(Catch::BenchmarkInfo const& info) override { decorated_.benchmarkStarting(info); }
    void benchmarkEnded(Catch::BenchmarkStats<> const& stats) override { decorated_.benchmarkEnded(stats); }
    void benchmarkFailed(std::string const& error) override { decorated_.benchmarkFailed(error); }
#endif

    void pushScopedMessage(Catch::MessageInfo const& message) override {
        if (route_ == capture_route::report)
            decorated_.pushScopedMessage(message);
        else
            record(message_event(capture_event::kind::message_pushed, message));
        open_.push_back(message);
    }
    void popScopedMessage(Catch::MessageInfo const& message) override {
        if (route_ == capture_route::report) {
            decorated_.popScopedMessage(message);
        } else {
            capture_event popped;
            popped.what = capture_event::kind::message_popped;
            popped.sequence = message.sequence;
            record(std::move(popped));
        }
        open_.erase(std::remove(open_.begin(), open_.end(), message), open_.end());
    }
    void emplaceUnscopedMessage(Catch::MessageBuilder const& builder) override {
        if (route_ == capture_route::report) {
            decorated_.emplaceUnscopedMessage(builder);
            return;
        }
        Catch::MessageInfo message = builder.m_info;
        message.message = builder.m_stream.str();
        record(message_event(capture_event::kind::unscoped_message, message));
    }
    void handleFatalErrorCondition(Catch::StringRef message) override {
        // A worker ends with the signal, which makes the run crashed; any other process reports it.
        if (route_ != capture_route::record)
            decorated_.handleFatalErrorCondition(message);
    }

    void handleExpr(Catch::AssertionInfo const& info, Catch::ITransientExpression const& expr,
                    Catch::AssertionReaction& reaction) override {
        if (route_ == capture_route::report) {
            decorated_.handleExpr(info, expr, reaction);
            return count_last();
        }
        const bool passed = expr.getResult() != Catch::isFalseTest(info.resultDisposition);
        capture_event e = assertion_event(capture_event::kind::expression, info,
                                          passed ? Catch::ResultWas::Ok : Catch::ResultWas::ExpressionFailed);
        e.binary = expr.isBinaryExpression();
        e.result = expr.getResult();
        if (!passed || Catch::getCurrentContext().getConfig()->includeSuccessfulResults()) {
            std::ostringstream reconstructed;
            expr.streamReconstructedExpression(reconstructed);
            e.text = reconstructed.str();
        }
        record(std::move(e));
        ended(info, passed || Catch::shouldSuppressFailure(info.resultDisposition), !passed, reaction);
    }
    void handleMessage(Catch::AssertionInfo const& info, Catch::ResultWas::OfType type, Catch::StringRef const& message,
                       Catch::AssertionReaction& reaction) override {
        if (route_ == capture_route::report) {
            decorated_.handleMessage(info, type, message, reaction);
            return count_last();
        }
        capture_event e = assertion_event(capture_event::kind::message, info, type);
        e.text = static_cast<std::string>(message);
        record(std::move(e));
        const bool ok = is_ok(info, type);
        ended(info, ok, !ok, reaction);
    }
    void handleUnexpectedExceptionNotThrown(Catch::AssertionInfo const& info, Catch::AssertionReaction& reaction) override {
        if (route_ == capture_route::report) {
            decorated_.handleUnexpectedExceptionNotThrown(info, reaction);
            return count_last();
        }
        handleNonExpr(info, Catch::ResultWas::DidntThrowException, reaction);
    }
    void handleUnexpectedInflightException(Catch::AssertionInfo const& info, std::string const& message,
                                           Catch::AssertionReaction& reaction) override {
        if (route_ == capture_route::report) {
            decorated_.handleUnexpectedInflightException(info, message, reaction);
            return count_last();
        }
        capture_event e = assertion_event(capture_event::kind::inflight_exception, info, Catch::ResultWas::ThrewException);
        e.text = message;
        record(std::move(e));
        ended(info, is_ok(info, Catch::ResultWas::ThrewException), true, reaction);
    }
    void handleIncomplete(Catch::AssertionInfo const& info) override {
        if (route_ == capture_route::report) {
            decorated_.handleIncomplete(info);
            return count_last();
        }
        record(assertion_event(capture_event::kind::incomplete, info, Catch::ResultWas::ThrewException));
        Catch::AssertionReaction none;
        ended(info, is_ok(info, Catch::ResultWas::ThrewException), false, none);
    }
    void handleNonExpr(Catch::AssertionInfo const& info, Catch::ResultWas::OfType type,
                       Catch::AssertionReaction& reaction) override {
        if (route_ == capture_route::report) {
            decorated_.handleNonExpr(info, type, reaction);
            return count_last();
        }
        record(assertion_event(capture_event::kind::non_expression, info, type));
        const bool ok = is_ok(info, type);
        ended(info, ok, !ok, reaction);
    }

    bool lastAssertionPassed() override {
        return route_ == capture_route::report ? decorated_.lastAssertionPassed() : last_passed_;
    }
    void assertionPassed() override {
        if (route_ == capture_route::report)
            decorated_.assertionPassed();
        else
            last_passed_ = true;
    }
    std::string getCurrentTestName() const override { return decorated_.getCurrentTestName(); }
    const Catch::AssertionResult* getLastResult() const override { return decorated_.getLastResult(); }
    void exceptionEarlyReported() override {
        if (route_ == capture_route::report)
            decorated_.exceptionEarlyReported();
    }

private:
    // Counts the assertion the decorated capture just took when it failed.
    void count_last() {
        if (!decorated_.lastAssertionPassed())
            ++failed_;
    }

    // An assertion kept from the decorated capture ended: counts it, and reacts as Catch2's own
    // capture does (RunContext::populateReaction), except that no debugger breaks in a worker.
    void ended(Catch::AssertionInfo const& info, bool ok, bool react, Catch::AssertionReaction& reaction) {
        last_passed_ = ok;
        failed_ += ok ? 0 : 1;
        if (!react)
            return;
        const Catch::IRunner* runner = Catch::getCurrentContext().getRunner();
        reaction.shouldThrow = (runner != nullptr && runner->aborting()) ||
                               (info.resultDisposition & Catch::ResultDisposition::Normal) != 0;
    }

    static bool is_ok(Catch::AssertionInfo const& info, Catch::ResultWas::OfType type) {
        return Catch::isOk(type) || Catch::shouldSuppressFailure(info.resultDisposition);
    }

    static capture_event assertion_event(capture_event::kind what, Catch::AssertionInfo const& info,
                                         Catch::ResultWas::OfType type) {
        capture_event e;
        e.what = what;
        e.macro_name = static_cast<std::string>(info.macroName);
        e.file = info.lineInfo.file != nullptr ? info.lineInfo.file : "";
        e.line = info.lineInfo.line;
        e.captured_expression = static_cast<std::string>(info.capturedExpression);
        e.disposition = static_cast<std::uint64_t>(info.resultDisposition);
        e.type = static_cast<std::uint64_t>(type);
        return e;
    }

    static capture_event message_event(capture_event::kind what, Catch::MessageInfo const& message) {
        capture_event e;
        e.what = what;
        e.macro_name = static_cast<std::string>(message.macroName);
        e.file = message.lineInfo.file != nullptr ? message.lineInfo.file : "";
        e.line = message.lineInfo.line;
        e.type = static_cast<std::uint64_t>(message.type);
        e.text = message.message;
        e.sequence = message.sequence;
        return e;
    }

    // Keeps `e` when recording, unobserved: a ScopedMessage's destructor pops its message from
    // the body itself, outside any assertion.
    void record(capture_event&& e) {
        alloc_chaos::unobserved recording;
        if (route_ == capture_route::record)
            recorded_.push_back(std::move(e));
    }

    Catch::IResultCapture& decorated_;
    capture_route route_ = capture_route::report;
    std::uintmax_t failed_ = 0;
    bool last_passed_ = true;
    std::vector<Catch::MessageInfo> open_;
    std::vector<capture_event> recorded_;
};

// Decorates the running case's result capture with `capture` for its lifetime.
class capture_installed {
public:
    explicit capture_installed(counting_capture& capture) noexcept
        : previous_(Catch::getCurrentContext().getResultCapture()) {
        Catch::getCurrentMutableContext().setResultCapture(&capture);
    }
    ~capture_installed() { Catch::getCurrentMutableContext().setResultCapture(previous_); }
    capture_installed(const capture_installed&) = delete;
    capture_installed& operator=(const capture_installed&) = delete;

private:
    Catch::IResultCapture* previous_;
};

}  // namespace alloc_chaos::catch2::detail

#endif
