#ifndef ALLOC_CHAOS_CATCH2_COUNTING_CAPTURE_HPP
#define ALLOC_CHAOS_CATCH2_COUNTING_CAPTURE_HPP

// Catch2 keeps a test case's counts to itself (RunContext is no public type): this decorator of
// the running case's result capture sees every assertion on its way in, and so counts the ones
// that fail. It also knows the scoped messages (INFO, CAPTURE) still open, so that a run that
// ends in an exception, past the ScopedMessage destructors that leave their message behind when
// unwinding, does not leave them to the assertions of the next runs.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace alloc_chaos::catch2::detail {

// Forwards everything to the result capture it decorates; counts the assertions that failed.
class counting_capture final : public Catch::IResultCapture {
public:
    explicit counting_capture(Catch::IResultCapture& decorated) noexcept : decorated_(decorated) {}

    // The assertions that failed since this capture was made.
    std::uintmax_t failed() const noexcept { return failed_; }
    // The scoped messages pushed and not popped so far.
    std::size_t open_messages() const noexcept { return open_.size(); }
    // Pops the scoped messages pushed after the first `kept`, newest first.
    void close_messages_after(std::size_t kept) {
        while (open_.size() > kept) {
            decorated_.popScopedMessage(open_.back());
            open_.pop_back();
        }
    }

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
        decorated_.pushScopedMessage(message);
        open_.push_back(message);
    }
    void popScopedMessage(Catch::MessageInfo const& message) override {
        decorated_.popScopedMessage(message);
        open_.erase(std::remove(open_.begin(), open_.end(), message), open_.end());
    }
    void emplaceUnscopedMessage(Catch::MessageBuilder const& builder) override {
        decorated_.emplaceUnscopedMessage(builder);
    }
    void handleFatalErrorCondition(Catch::StringRef message) override { decorated_.handleFatalErrorCondition(message); }

    void handleExpr(Catch::AssertionInfo const& info, Catch::ITransientExpression const& expr,
                    Catch::AssertionReaction& reaction) override {
        decorated_.handleExpr(info, expr, reaction);
        count_last();
    }
    void handleMessage(Catch::AssertionInfo const& info, Catch::ResultWas::OfType type, Catch::StringRef const& message,
                       Catch::AssertionReaction& reaction) override {
        decorated_.handleMessage(info, type, message, reaction);
        count_last();
    }
    void handleUnexpectedExceptionNotThrown(Catch::AssertionInfo const& info, Catch::AssertionReaction& reaction) override {
        decorated_.handleUnexpectedExceptionNotThrown(info, reaction);
        count_last();
    }
    void handleUnexpectedInflightException(Catch::AssertionInfo const& info, std::string const& message,
                                           Catch::AssertionReaction& reaction) override {
        decorated_.handleUnexpectedInflightException(info, message, reaction);
        count_last();
    }
    void handleIncomplete(Catch::AssertionInfo const& info) override {
        decorated_.handleIncomplete(info);
        count_last();
    }
    void handleNonExpr(Catch::AssertionInfo const& info, Catch::ResultWas::OfType type,
                       Catch::AssertionReaction& reaction) override {
        decorated_.handleNonExpr(info, type, reaction);
        count_last();
    }

    bool lastAssertionPassed() override { return decorated_.lastAssertionPassed(); }
    void assertionPassed() override { decorated_.assertionPassed(); }
    std::string getCurrentTestName() const override { return decorated_.getCurrentTestName(); }
    const Catch::AssertionResult* getLastResult() const override { return decorated_.getLastResult(); }
    void exceptionEarlyReported() override { decorated_.exceptionEarlyReported(); }

private:
    void count_last() {
        if (!decorated_.lastAssertionPassed())
            ++failed_;
    }

    Catch::IResultCapture& decorated_;
    std::uintmax_t failed_ = 0;
    std::vector<Catch::MessageInfo> open_;
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
