#ifndef ALLOC_CHAOS_INTEGRATION_HPP
#define ALLOC_CHAOS_INTEGRATION_HPP

// The framework-neutral core every test-framework adapter uses (the Boost.Test one in
// <alloc_chaos/boost_test.hpp>, and any other): the run's context text, the success line, and
// stopping the check at the first run in which an assertion failed. An adapter is then a loop
// around the checker plus the translation of these texts and of the report into its framework's
// own log and failures. Depends on the core alone (no test framework).
//
// Everything here builds its text unobserved (alloc_chaos::unobserved), so an adapter may call it
// from inside a run's body without shifting the attempt numbers.
//
// Reference (one line per member):
//   run_context()                 "baseline run, nothing failed" or "run failing attempt #3".
//   run_description()             "the baseline run", "the run failing #3 operator new size=64
//                                 align=16", or "the run failing attempt #3, before it was reached".
//   success_line(handled)         "alloc-chaos: all 12 allocation failures the body can meet were
//                                 handled" (or "the one allocation failure ..." for 1).
//   assertion_stop                stops the check at the run in which a framework assertion failed.
//   assertion_stop::after_run     throws abort_check when failed_after > failed_before.
//   assertion_stop::fatal_assertion_failed   throws abort_check for a fatal assertion's failure.
//   assertion_repeats             tells the runs that repeat the one an assertion stopped, whose
//                                 assertions an adapter does not report again.
//   fresh_object<T>               a T (a framework's fixture or test case) for one run, built and
//                                 destroyed unobserved.
//   process_id()                  this process's id: a run that sees another one than its check's
//                                 caller runs in a worker process.
//   recording_writer / _reader    what a run in a worker did to its framework, as bytes for
//                                 attach_to_run(), and read back by the calling process.

#include <alloc_chaos/checker.hpp>
#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/source.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace alloc_chaos::integration {

// The run in progress on this thread, for a framework's context line: "baseline run, nothing
// failed" (also outside a check, and in the probe run) or "run failing attempt #3".
inline std::string run_context() {
    alloc_chaos::unobserved text_only;
    const std::optional<run_status> run = current_run();
    if (!run || !run->target)
        return "baseline run, nothing failed";
    return "run failing attempt #" + std::to_string(*run->target);
}

// The run in progress on this thread, as far as it went: "the baseline run" (also outside a
// check), "the run failing #3 operator new size=64 align=16" once the failure was injected, or
// "the run failing attempt #3, before it was reached".
inline std::string run_description() {
    alloc_chaos::unobserved text_only;
    const std::optional<run_status> run = current_run();
    std::ostringstream text;
    if (!run || !run->target)
        text << "the baseline run";
    else if (run->injected)
        text << "the run failing " << *run->injected;
    else
        text << "the run failing attempt #" << *run->target << ", before it was reached";
    return text.str();
}

// The line an adapter logs for a successful check: "alloc-chaos: all 12 allocation failures the
// body can meet were handled", or "alloc-chaos: the one allocation failure the body can meet was
// handled" for 1. A success handled at least one (a body that made no attempt is INVALID).
inline std::string success_line(std::size_t handled) {
    alloc_chaos::unobserved text_only;
    if (handled == 1)
        return "alloc-chaos: the one allocation failure the body can meet was handled";
    return "alloc-chaos: all " + std::to_string(handled) + " allocation failures the body can meet were handled";
}

// Stops the check at the run in which an assertion of the framework failed: once is enough to
// see, and later runs would only repeat it. The adapter counts its framework's failed assertions
// and passes the numbers; this class only decides and says why, through alloc_chaos::abort_check
// (the run counts as failed with that message, and the loop ends after it).
class assertion_stop {
public:
    // `framework`: the framework's name in the message ("Boost.Test"); `fatal_assertion`: the
    // macro whose failure ends a test case ("BOOST_REQUIRE"). Both must outlive the object.
    constexpr assertion_stop(std::string_view framework, std::string_view fatal_assertion) noexcept
        : framework_(framework), fatal_assertion_(fatal_assertion) {}

    // Throws abort_check "2 Boost.Test assertions failed in the baseline run (logged above); the
    // loop stops at it" (the run per run_description()) when failed_after > failed_before, the
    // counts of failed assertions before and after the run; returns otherwise.
    void after_run(std::uintmax_t failed_before, std::uintmax_t failed_after) const {
        if (failed_after <= failed_before)
            return;
        alloc_chaos::unobserved text_only;
        const std::uintmax_t failed = failed_after - failed_before;
        std::ostringstream message;
        message << failed << ' ' << framework_ << " assertion" << (failed == 1 ? "" : "s") << " failed in "
                << run_description() << " (logged above); the loop stops at it";
        throw alloc_chaos::abort_check(message.str());
    }

    // Throws abort_check "a BOOST_REQUIRE failed in the baseline run (logged above); the case ends
    // here" (the run per run_description()): for the fatal assertion that left the run.
    [[noreturn]] void fatal_assertion_failed() const {
        alloc_chaos::unobserved text_only;
        std::ostringstream message;
        message << "a " << fatal_assertion_ << " failed in " << run_description()
                << " (logged above); the case ends here";
        throw alloc_chaos::abort_check(message.str());
    }

    // The framework's name and its fatal assertion macro, as given.
    constexpr std::string_view framework() const noexcept { return framework_; }
    constexpr std::string_view fatal_assertion() const noexcept { return fatal_assertion_; }

private:
    std::string_view framework_;
    std::string_view fatal_assertion_;
};

// Tells an adapter which runs repeat one whose failed assertions it reported already. The run in
// which assertion_stop ends the check is its last new run, but the checker may make it again (a
// baseline run that leaked is made once more to take its blocks' stacks), and its assertions fail
// again: the adapter reports them once. A warm-up run (checker::warmup_runs) is made before the
// baseline and makes the same assertions; they are reported in the baseline run. One object per
// check, kept by the adapter on the checking thread. A run in a worker process reports through
// its attachment (attach_to_run), and the checker keeps none of a run it makes again: there,
// repeats are never reported anyway.
class assertion_repeats {
public:
    // True for a run whose failed assertions are not reported: a run made after an assertion
    // stopped the check, and a warm-up run (outside a check's runs, per current_run()).
    bool repeating() const noexcept { return stopped_ || !alloc_chaos::current_run(); }
    // Records that a failed assertion stops the check at the run in progress; in a warm-up run,
    // which the check makes again as its baseline, does nothing.
    void stopped() noexcept { stopped_ = stopped_ || alloc_chaos::current_run().has_value(); }

private:
    bool stopped_ = false;
};

// A T for one run (a framework's fixture or test case, made fresh for every run), built and
// destroyed unobserved: its setting up and its tearing down are no attempts of the body.
template <class T>
class fresh_object {
public:
    fresh_object() {
        alloc_chaos::unobserved setup;
        object_ = std::make_unique<T>();
    }
    ~fresh_object() {
        alloc_chaos::unobserved teardown;
        object_.reset();
    }
    fresh_object(const fresh_object&) = delete;
    fresh_object& operator=(const fresh_object&) = delete;

    T& get() noexcept { return *object_; }

private:
    std::unique_ptr<T> object_;
};

// This process's id: a run that sees another one than its check's caller runs in a worker.
// Where no worker can be forked, every run is in the calling process.
inline long process_id() noexcept {
#if defined(__unix__) || defined(__APPLE__)
    return static_cast<long>(::getpid());
#else
    return 0;
#endif
}

// Writes what a run in a worker process did to its framework as bytes (for attach_to_run):
// native numbers and length-prefixed texts. Both ends are the same executable.
class recording_writer {
public:
    void put(std::uint64_t n) { bytes_.append(reinterpret_cast<const char*>(&n), sizeof n); }
    void put(std::string_view text) {
        put(std::uint64_t{text.size()});
        bytes_.append(text);
    }
    const std::string& bytes() const noexcept { return bytes_; }

private:
    std::string bytes_;
};

// Reads what recording_writer wrote, in order; std::nullopt once the bytes are cut short.
class recording_reader {
public:
    explicit recording_reader(std::string_view bytes) noexcept : rest_(bytes) {}

    std::optional<std::uint64_t> number() {
        std::uint64_t n = 0;
        if (rest_.size() < sizeof n)
            return std::nullopt;
        std::memcpy(&n, rest_.data(), sizeof n);
        rest_.remove_prefix(sizeof n);
        return n;
    }
    std::optional<std::string> text() {
        const std::optional<std::uint64_t> size = number();
        if (!size || *size > rest_.size())
            return std::nullopt;
        std::string read(rest_.substr(0, static_cast<std::size_t>(*size)));
        rest_.remove_prefix(static_cast<std::size_t>(*size));
        return read;
    }
    // A count of entries to come: std::nullopt when it is more than the bytes left could hold.
    std::optional<std::uint64_t> count() {
        const std::optional<std::uint64_t> n = number();
        if (!n || *n > rest_.size())
            return std::nullopt;
        return n;
    }
    bool done() const noexcept { return rest_.empty(); }

private:
    std::string_view rest_;
};

}  // namespace alloc_chaos::integration

#endif
