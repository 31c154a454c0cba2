#include "process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <system_error>

#include <mutex>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace alloc_chaos::detail {

bool can_fork() noexcept { return true; }

std::int64_t steady_now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void* map_shared(std::size_t bytes) {
    void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        throw std::system_error(errno, std::generic_category(), "alloc-chaos: mmap of a worker's shared page");
    return memory;
}

void unmap_shared(void* memory, std::size_t bytes) noexcept { ::munmap(memory, bytes); }

pipe_ends make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "alloc-chaos: pipe to a worker process");
    return {fds[0], fds[1]};
}

pipe_ends make_socket_pipe() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        throw std::system_error(errno, std::generic_category(), "alloc-chaos: socket pair to a worker process");
    ::shutdown(fds[0], SHUT_WR);
    ::shutdown(fds[1], SHUT_RD);
    return {fds[0], fds[1]};
}

void close_fd(int& fd) noexcept {
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

namespace {

// Moves all `size` bytes at `next` with `move` (write, send or read), retrying on EINTR; false
// when the other end is gone.
template <class Byte, class Move>
bool move_all(Byte* next, std::size_t size, Move move) noexcept {
    while (size > 0) {
        const ssize_t done = move(next, size);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return false;
        next += done;
        size -= static_cast<std::size_t>(done);
    }
    return true;
}

}  // namespace

bool write_all(int fd, const void* data, std::size_t size) noexcept {
    return move_all(static_cast<const char*>(data), size,
                    [fd](const char* next, std::size_t left) { return ::write(fd, next, left); });
}

bool send_all(int fd, const void* data, std::size_t size) noexcept {
    return move_all(static_cast<const char*>(data), size,
                    [fd](const char* next, std::size_t left) { return ::send(fd, next, left, MSG_NOSIGNAL); });
}

void drain(int& fd, std::string& into) {
    char buffer[65536];
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno == EAGAIN)
            return;
        if (got <= 0) {
            close_fd(fd);
            return;
        }
        into.append(buffer, static_cast<std::size_t>(got));
    }
}

bool read_all(int fd, void* data, std::size_t size) noexcept {
    return move_all(static_cast<char*>(data), size,
                    [fd](char* next, std::size_t left) { return ::read(fd, next, left); });
}

process_id fork_process() {
    const process_id child = ::fork();
    if (child < 0)
        throw std::system_error(errno, std::generic_category(), "alloc-chaos: fork of a worker process");
    return child;
}

bool adopt_stderr_and_die_with_parent(int fd) noexcept {
    ::dup2(fd, 2);
#if defined(__linux__)
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() == 1)  // the forking thread's process is gone already
        return false;
#endif
    return true;
}

void set_nonblocking(int fd) noexcept { ::fcntl(fd, F_SETFL, O_NONBLOCK); }

void kill_process(process_id child) noexcept { ::kill(child, SIGKILL); }

int wait_for(process_id child) noexcept {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

bool has_ended(process_id child, int& status) noexcept { return ::waitpid(child, &status, WNOHANG) == child; }

void wait_readable(const int* fds, bool* ready, std::size_t count, int limit_ms) {
    std::vector<pollfd> polled(count);
    for (std::size_t i = 0; i < count; ++i)
        polled[i] = {fds[i], POLLIN, 0};
    const int found = ::poll(polled.data(), polled.size(), limit_ms);
    if (found < 0 && errno != EINTR)
        throw std::system_error(errno, std::generic_category(), "alloc-chaos: poll of the worker processes");
    for (std::size_t i = 0; i < count; ++i)
        ready[i] = found > 0 && polled[i].revents != 0;
}

namespace {
std::mutex child_signal_mutex;
std::size_t child_signal_holders = 0;
struct sigaction child_signal_before {};

bool ignores_children(const struct sigaction& action) noexcept {
    return action.sa_handler == SIG_IGN || (action.sa_flags & SA_NOCLDWAIT) != 0;
}
}  // namespace

void hold_default_child_signal() noexcept {
    std::lock_guard<std::mutex> lock(child_signal_mutex);
    if (child_signal_holders++ != 0)
        return;
    ::sigaction(SIGCHLD, nullptr, &child_signal_before);
    if (!ignores_children(child_signal_before))
        return;
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    ::sigaction(SIGCHLD, &default_action, nullptr);
}

void release_default_child_signal() noexcept {
    std::lock_guard<std::mutex> lock(child_signal_mutex);
    if (--child_signal_holders == 0 && ignores_children(child_signal_before))
        ::sigaction(SIGCHLD, &child_signal_before, nullptr);
}

silenced_output::silenced_output() noexcept : out_(::dup(1)), err_(::dup(2)) {
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::close(null);
    }
}

silenced_output::~silenced_output() {
    flush_standard_streams();
    ::dup2(out_, 1);
    ::dup2(err_, 2);
    ::close(out_);
    ::close(err_);
}

void flush_standard_streams() noexcept {
    try {
        std::cout.flush();
        std::cerr.flush();
        std::clog.flush();
    } catch (...) {  // a stream that throws on failure: what it held is lost either way
    }
    std::fflush(nullptr);
}

void restore_default_crash_signals() noexcept {
    for (int signal : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS, SIGALRM, SIGPOLL}) {
        struct sigaction default_action {};
        default_action.sa_handler = SIG_DFL;
        sigemptyset(&default_action.sa_mask);
        ::sigaction(signal, &default_action, nullptr);
    }
}

std::string signal_name(int signal) {
    switch (signal) {
    case SIGABRT: return "SIGABRT";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGSYS: return "SIGSYS";
    case SIGTRAP: return "SIGTRAP";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGQUIT: return "SIGQUIT";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    }
    return "signal " + std::to_string(signal);
}

std::string describe_exit(int status) {
    if (WIFSIGNALED(status))
        return signal_name(WTERMSIG(status));
    if (WIFEXITED(status))
        return "exit status " + std::to_string(WEXITSTATUS(status));
    return "wait status " + std::to_string(status);
}

}  // namespace alloc_chaos::detail
