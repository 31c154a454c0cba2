#ifndef ALLOC_CHAOS_TEST_TEST_SCOPES_HPP
#define ALLOC_CHAOS_TEST_TEST_SCOPES_HPP

// The scope helpers the suites share: each changes something of the whole process while it is
// alive (an environment variable, where stderr goes, what SIGTRAP does) and puts it back as it was
// when it goes. A suite names what it uses with using-declarations, as it does for test_bodies.

#include <alloc_chaos/current_run.hpp>

#include <array>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <unistd.h>

namespace test_scopes {

// Sets (or unsets, with nullptr) an environment variable while alive, then restores it.
class environment_variable {
public:
    environment_variable(const char* name, const char* value) : name_(name) {
        if (const char* before = std::getenv(name))
            previous_ = before;
        if (value != nullptr)
            ::setenv(name, value, 1);
        else
            ::unsetenv(name);
    }
    ~environment_variable() {
        if (previous_)
            ::setenv(name_, previous_->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    environment_variable(const environment_variable&) = delete;
    environment_variable& operator=(const environment_variable&) = delete;

private:
    const char* name_;
    std::optional<std::string> previous_;
};

// What this process writes to stderr (file descriptor 2) while one is alive, until text(): what
// the library prints there, and what worker processes printed, which the calling process passes on.
class captured_stderr {
public:
    captured_stderr() : file_(std::tmpfile()), saved_(::dup(2)) {
        std::fflush(stderr);
        ::dup2(::fileno(file_), 2);
    }
    ~captured_stderr() {
        restore();
        std::fclose(file_);
    }
    captured_stderr(const captured_stderr&) = delete;
    captured_stderr& operator=(const captured_stderr&) = delete;

    // Ends the capture and returns what was written.
    std::string text() {
        restore();
        std::string written;
        std::rewind(file_);
        for (int c; (c = std::fgetc(file_)) != EOF;)
            written.push_back(static_cast<char>(c));
        return written;
    }

private:
    void restore() {
        if (saved_ < 0)
            return;
        std::fflush(stderr);
        ::dup2(saved_, 2);
        ::close(saved_);
        saved_ = -1;
    }

    std::FILE* file_;
    int saved_;
};

// While alive, SIGTRAP is recorded instead of stopping the process: how many were raised, and
// what current_run() said at each of the first ones.
class trap_recorder {
public:
    trap_recorder() {
        count_ = 0;
        seen_ = {};
        struct sigaction on_trap {};
        on_trap.sa_handler = &record;
        sigemptyset(&on_trap.sa_mask);
        ::sigaction(SIGTRAP, &on_trap, &previous_);
    }
    ~trap_recorder() { ::sigaction(SIGTRAP, &previous_, nullptr); }
    trap_recorder(const trap_recorder&) = delete;
    trap_recorder& operator=(const trap_recorder&) = delete;

    std::size_t count() const { return count_; }
    // What current_run() said at the first SIGTRAP.
    const std::optional<alloc_chaos::run_status>& first() const { return seen_[0]; }

private:
    // raise() runs the handler synchronously on the raising thread, inside the run.
    static void record(int) {
        if (count_ < seen_.size())
            seen_[count_] = alloc_chaos::current_run();
        ++count_;
    }

    static inline std::size_t count_ = 0;
    static inline std::array<std::optional<alloc_chaos::run_status>, 4> seen_{};
    struct sigaction previous_ {};
};

}  // namespace test_scopes

#endif
