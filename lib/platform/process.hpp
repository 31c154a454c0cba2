#ifndef ALLOC_CHAOS_LIB_PROCESS_HPP
#define ALLOC_CHAOS_LIB_PROCESS_HPP

// What worker processes need of the platform: fork, pipes, memory shared with a child, signals
// and exit statuses. POSIX; elsewhere can_fork() is false and nothing else is called.

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace alloc_chaos::detail {

// True where worker processes can be forked.
bool can_fork() noexcept;

// The nanoseconds of std::chrono::steady_clock now: the clock run_watch::started is read with.
std::int64_t steady_now_ns() noexcept;

// Memory for one T, shared with the children forked after it is made (anonymous, MAP_SHARED).
void* map_shared(std::size_t bytes);
void unmap_shared(void* memory, std::size_t bytes) noexcept;

// A pipe whose both ends close on exec; throws std::system_error when none can be made.
struct pipe_ends {
    int read = -1;
    int write = -1;
};
pipe_ends make_pipe();
// A connected pair of stream sockets (AF_UNIX) used like a pipe, so that the writer can send with
// send_all() and never take SIGPIPE from a reader that died; both ends close on exec.
pipe_ends make_socket_pipe();
void close_fd(int& fd) noexcept;

// Writes all of it, retrying on EINTR; false when the reader is gone.
bool write_all(int fd, const void* data, std::size_t size) noexcept;
// write_all() on a socket of make_socket_pipe(): a reader gone is false, never SIGPIPE.
bool send_all(int fd, const void* data, std::size_t size) noexcept;
// Appends to `into` all that the non-blocking `fd` holds now; at the end of the pipe (or on an
// error) closes `fd`, setting it to -1.
void drain(int& fd, std::string& into);
// Reads exactly `size` bytes, retrying on EINTR; false at the end of the pipe.
bool read_all(int fd, void* data, std::size_t size) noexcept;

// Flushes std::cout, std::cerr, std::clog and every C stream, so that a child forked next prints
// nothing the calling process will print again.
void flush_standard_streams() noexcept;

// In a new worker process: the default action for the signals that end a process with an error
// and that a test framework catches (Boost.Test's execution monitor: SIGABRT, SIGSEGV, SIGBUS,
// SIGFPE, SIGILL, SIGSYS, SIGALRM, SIGPOLL), so that a crash ends the worker rather than jump into
// the framework's copy, which would go on running its tests in the worker. SIGTRAP keeps its
// handler: trap_at's is the user's.
void restore_default_crash_signals() noexcept;

// "SIGSEGV" for SIGSEGV; "signal 40" for one without a name here.
std::string signal_name(int signal);
// How a waitpid() status ended a process: "SIGSEGV", "exit status 3".
std::string describe_exit(int status);

}  // namespace alloc_chaos::detail

#endif
