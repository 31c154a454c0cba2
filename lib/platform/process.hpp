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

// The processes this one forks, by their id.
using process_id = pid_t;

// fork(); in the child 0. Throws std::system_error when no process can be made.
process_id fork_process();
// In a child just forked: its stderr becomes `fd`, and it ends (SIGKILL) with the thread that
// forked it; false when that thread is gone already, and the child should exit at once.
bool adopt_stderr_and_die_with_parent(int fd) noexcept;
// Makes the reads of `fd` return at once when it holds nothing.
void set_nonblocking(int fd) noexcept;
// Ends `child` (SIGKILL) without waiting for it.
void kill_process(process_id child) noexcept;
// Waits for `child` to end, retrying on EINTR; its waitpid() status.
int wait_for(process_id child) noexcept;
// Whether `child` has ended, without waiting; its waitpid() status into `status` when it has.
bool has_ended(process_id child, int& status) noexcept;
// Waits until one of `fds` is readable (or at its end) or `limit` passed; sets ready[i] for each
// that is. An interrupted wait returns with none ready; throws std::system_error on any other error.
void wait_readable(const int* fds, bool* ready, std::size_t count, int limit_ms);

// While a pool of workers lives, SIGCHLD has its default action: a calling process that ignores it
// has its children reaped by the kernel, and no waitpid() could say how a worker ended. Counted,
// for pools alive at once on several threads; the disposition the first found comes back after the last.
void hold_default_child_signal() noexcept;
void release_default_child_signal() noexcept;

// While alive, fd 1 and 2 write to /dev/null; restored, after a flush, when it ends.
class silenced_output {
public:
    silenced_output() noexcept;
    ~silenced_output();
    silenced_output(const silenced_output&) = delete;
    silenced_output& operator=(const silenced_output&) = delete;

private:
    int out_;
    int err_;
};

// "SIGSEGV" for SIGSEGV; "signal 40" for one without a name here.
std::string signal_name(int signal);
// How a waitpid() status ended a process: "SIGSEGV", "exit status 3".
std::string describe_exit(int status);

}  // namespace alloc_chaos::detail

#endif
