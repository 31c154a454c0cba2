#include "worker_pool.hpp"

#include "../engine/block_table.hpp"
#include "../engine/engine.hpp"
#include "../platform/process.hpp"
#include "../report/run_ending.hpp"
#include "run_codec.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <memory>
#include <system_error>

namespace alloc_chaos::detail {

namespace {

// What a worker sends: a message is its length, its kind, then what the kind says.
enum class message_kind : std::uint64_t {
    baselines = 1,  // baseline_phase, then the baseline's attempts
    run = 2,        // the run's place in the plan, then its target_run
};

// The memory a worker shares with the calling process: its run_watch, and the plan place of the
// run it is making, so that the runs it finished but had not sent yet when it ended are made again.
struct shared_page {
    run_watch watch;
    std::atomic<std::uint64_t> place{no_place};
    std::atomic<bool> stop{false};  // the check ended: make no further run

    static constexpr std::uint64_t no_place = ~std::uint64_t{0};  // before its first target run
};

// A worker sends its results in batches: at the end of each chunk of runs it was given, or once it
// holds this many bytes or has held one for this long, so that the calling process wakes up per
// batch, not per run.
constexpr std::size_t batch_bytes = 32 * 1024;
constexpr std::int64_t batch_ns = 20'000'000;

// What a worker keeps of its stderr for a run that ends it: its last lines, at most these.
constexpr std::size_t tail_bytes = 2048;
constexpr std::size_t tail_lines = 10;

// Appends one message to `batch`.
void add_message(std::string& batch, message_kind kind, const message_writer& body) {
    const std::uint64_t header[2] = {body.bytes().size(), static_cast<std::uint64_t>(kind)};
    batch.append(reinterpret_cast<const char*>(header), sizeof header).append(body.bytes());
}

// Sends `batch` and empties it; a parent gone ends the worker.
void send(int fd, std::string& batch) {
    if (!write_all(fd, batch.data(), batch.size()))
        std::_Exit(0);
    batch.clear();
}

// The warm-up runs, timed like any run of the worker.
void timed_warm_up(check_runs& runs, run_watch& watch) {
    watch.begin_run();
    runs.warm_up();
    watch.started.store(0, std::memory_order_release);
}

// A worker's life: its prefix, then the target runs its parent sends (count, then per run its
// place, target, mode and trap), their results sent back in batches, until a count of 0, the end
// of the command pipe, or the stop flag.
[[noreturn]] void worker_main(check_runs& runs, int commands, int results, shared_page& page, bool baselines,
                              std::optional<planned_run> replay) {
    int status = 0;
    try {
        message_writer out;
        std::string batch;
        if (baselines) {
            timed_warm_up(runs, page.watch);
            const baseline_phase phase = runs.baselines();
            out.put(phase);
            out.put(runs.runner().baseline_attempts());
            add_message(batch, message_kind::baselines, out);
            send(results, batch);
        } else {
            silenced_output prefix;  // and the replay: what it prints was printed by the run it replays
            timed_warm_up(runs, page.watch);
            runs.stand_in_baseline();
            if (replay) {
                runs.runner().replay_to_target(replay->target, replay->mode);  // ends the process at the target
                std::_Exit(0);
            }
        }
        std::int64_t held_since = 0;
        for (std::uint64_t count = 0; read_all(commands, &count, sizeof count) && count != 0;) {
            for (std::uint64_t i = 0; i < count; ++i) {
                std::uint64_t entry[4];
                if (!read_all(commands, entry, sizeof entry))
                    std::_Exit(0);
                if (page.stop.load(std::memory_order_acquire)) {  // the runs left are past the one that
                    flush_standard_streams();                     // ended the check
                    std::_Exit(0);
                }
                page.place.store(entry[0], std::memory_order_relaxed);
                const target_run made = runs.target({entry[1], static_cast<failure_mode>(entry[2]), entry[3] != 0});
                out.clear();
                out.put(entry[0]);
                out.put(made);
                if (batch.empty())
                    held_since = steady_now_ns();
                add_message(batch, message_kind::run, out);
                if (batch.size() >= batch_bytes || steady_now_ns() - held_since >= batch_ns)
                    send(results, batch);
            }
            send(results, batch);  // before waiting for more
        }
    } catch (...) {  // the worker's own failure (out of memory for a message): its run ends with it
        status = 70;
    }
    flush_standard_streams();
    std::_Exit(status);
}

// Held from the pipes' making to the fork and the closing of the child's ends: a worker that
// another thread's pool forks meanwhile would hold those ends open, and this worker's end (the
// end of its results pipe) would never come.
std::mutex spawning;

// The workers this thread's pool has not reaped yet: abandon_workers() ends them when the check
// is left by a longjmp, which destroys no pool.
thread_local std::vector<process_id> unreaped;

void reaped(process_id pid) noexcept {
    const auto at = std::find(unreaped.begin(), unreaped.end(), pid);
    if (at != unreaped.end())
        unreaped.erase(at);
}

// Waits for `pid` to end; its status into `status`.
void reap(process_id pid, int& status) noexcept {
    status = wait_for(pid);
    reaped(pid);
}

std::chrono::steady_clock::time_point steady_at(std::int64_t ns) {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::nanoseconds(ns)));
}

}  // namespace

struct worker_pool::worker {
    process_id pid = -1;
    int commands = -1;  // the parent writes runs to make
    int results = -1;   // the parent reads messages
    int errors = -1;    // the worker's stderr
    shared_page* page = nullptr;
    std::string inbox;              // bytes read, not yet a whole message
    std::string tail;               // the end of its stderr since its last result
    std::deque<std::size_t> queue;  // the plan places sent to it, not yet reported, in order
    bool timed_out = false;         // killed at the time limit
    bool ended = false;             // reaped
    int status = 0;                 // its waitpid() status, once ended
};

std::chrono::milliseconds worker_pool::default_limit(std::chrono::nanoseconds baseline_time) noexcept {
    const auto twenty = std::chrono::duration_cast<std::chrono::milliseconds>(baseline_time * 20);
    return std::max(twenty, std::chrono::milliseconds(2000));
}

worker_pool::worker_pool(check_runs& runs, std::size_t processes, std::optional<std::chrono::milliseconds> limit)
    : runs_(runs), processes_(std::max<std::size_t>(processes, 1)), limit_(limit),
      run_limit_(limit.value_or(baseline_limit)) {
    hold_default_child_signal();
}

worker_pool::~worker_pool() {
    try {
        finish_all(false);  // a check that ends before its target runs: worker 0 prints what it holds
    } catch (...) {         // poll failed: what the workers hold is lost with them
    }
    stop_all();
    for (worker& w : workers_)
        if (w.page != nullptr)
            unmap_shared(w.page, sizeof(shared_page));
    release_default_child_signal();
}

void worker_pool::finish(worker& w) noexcept {
    if (w.commands < 0)
        return;
    const std::uint64_t none = 0;
    send_all(w.commands, &none, sizeof none);
    close_fd(w.commands);
}

void worker_pool::finish_all(bool stop) {
    for (worker& w : workers_) {
        if (stop && w.page != nullptr)
            w.page->stop.store(true, std::memory_order_release);
        finish(w);
    }
    while (std::any_of(workers_.begin(), workers_.end(), [](const worker& w) { return !w.ended; }))
        pump([](worker&, message_kind, message_reader&) {}, [](worker&) {});
}

void worker_pool::stop_all() noexcept {
    for (worker& w : workers_) {
        close_fd(w.commands);
        if (!w.ended && w.pid > 0) {
            kill_process(w.pid);
            reap(w.pid, w.status);
            w.ended = true;
        }
        close_fd(w.results);
        close_fd(w.errors);
    }
}

worker_pool::worker& worker_pool::spawn(role r, const planned_run& replay) {
    std::lock_guard<std::mutex> alone(spawning);
    worker& w = workers_.emplace_back();
    pipe_ends commands, results, errors;
    try {
        w.page = new (map_shared(sizeof(shared_page))) shared_page();
        commands = make_socket_pipe();  // a worker that died must not end this process by SIGPIPE
        results = make_pipe();
        errors = make_pipe();
    } catch (...) {
        for (int* fd : {&commands.read, &commands.write, &results.read, &results.write})
            close_fd(*fd);
        if (w.page != nullptr)
            unmap_shared(w.page, sizeof(shared_page));
        workers_.pop_back();
        throw;
    }
    flush_standard_streams();
    process_id pid = -1;
    try {
        pid = fork_process();
    } catch (...) {
        for (int* fd : {&commands.read, &commands.write, &results.read, &results.write, &errors.read, &errors.write})
            close_fd(*fd);
        unmap_shared(w.page, sizeof(shared_page));
        workers_.pop_back();
        throw;
    }
    if (pid == 0) {
        for (worker& other : workers_)  // another worker's pipes left open here would never end
            if (&other != &w) {
                close_fd(other.commands);
                close_fd(other.results);
                close_fd(other.errors);
            }
        close_fd(commands.write);
        close_fd(results.read);
        close_fd(errors.read);
        if (!adopt_stderr_and_die_with_parent(errors.write))  // the calling thread gone (killed): the worker goes too
            std::_Exit(0);
        close_fd(errors.write);
        unreaped.clear();  // its siblings are the calling process's to end
        forget_other_threads_tables();
        forget_other_threads_checks();
        restore_default_crash_signals();
        runs_.runner().watch(&w.page->watch);
        worker_main(runs_, commands.read, results.write, *w.page, r == role::baselines,
                    r == role::replay ? std::optional(replay) : std::nullopt);
    }
    w.pid = pid;
    unreaped.push_back(pid);
    close_fd(commands.read);
    close_fd(results.write);
    close_fd(errors.write);
    w.commands = commands.write;
    w.results = results.read;
    w.errors = errors.read;
    set_nonblocking(w.results);
    set_nonblocking(w.errors);
    return w;
}

void worker_pool::read_output(worker& w) {
    const std::size_t before = w.tail.size();
    drain(w.errors, w.tail);
    write_all(2, w.tail.data() + before, w.tail.size() - before);  // what the run printed, as it would in place
    if (w.tail.size() > 2 * tail_bytes)
        w.tail.erase(0, w.tail.size() - tail_bytes);
}

template <class OnMessage, class OnEnd>
void worker_pool::pump(OnMessage&& on_message, OnEnd&& on_end) {
    std::vector<int> fds;
    std::vector<worker*> owners;
    // Wakes at least this often: a run that starts after the wait is worked out gets its limit
    // checked within it.
    auto wait = std::chrono::milliseconds(50);
    const auto now = std::chrono::steady_clock::now();
    for (worker& w : workers_) {
        if (w.ended)
            continue;
        if (w.results >= 0) {
            fds.push_back(w.results);
            owners.push_back(&w);
        }
        if (w.errors >= 0) {
            fds.push_back(w.errors);
            owners.push_back(&w);
        }
        const std::int64_t started = w.page->watch.started.load(std::memory_order_acquire);
        if (started != 0 && !w.timed_out) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(steady_at(started) + run_limit_ - now);
            if (left.count() <= 0) {
                w.timed_out = true;
                kill_process(w.pid);
            } else {
                wait = std::min(wait, left + std::chrono::milliseconds(1));
            }
        }
    }
    const std::unique_ptr<bool[]> ready(new bool[fds.size()]);
    wait_readable(fds.data(), ready.get(), fds.size(), static_cast<int>(wait.count()));
    for (std::size_t i = 0; i < fds.size(); ++i) {
        if (!ready[i])
            continue;
        worker& w = *owners[i];
        if (fds[i] == w.errors)
            read_output(w);
        else
            read_results(w, on_message);
    }
    for (worker& w : workers_) {
        if (w.ended)
            continue;
        // Its end: the end of its results pipe, or, as a process the body started may hold the
        // pipes open, its exit.
        if (w.results < 0)
            reap(w.pid, w.status);
        else if (has_ended(w.pid, w.status))
            reaped(w.pid);
        else
            continue;
        w.ended = true;
        if (w.results >= 0)  // what it sent before it ended is in the pipe
            read_results(w, on_message);
        if (w.errors >= 0)
            read_output(w);
        close_fd(w.results);
        close_fd(w.errors);
        close_fd(w.commands);
        on_end(w);
    }
}

template <class OnMessage>
void worker_pool::read_results(worker& w, OnMessage& on_message) {
    drain(w.results, w.inbox);
    std::size_t used = 0;
    while (w.inbox.size() - used >= 2 * sizeof(std::uint64_t)) {
        std::uint64_t header[2];
        std::memcpy(header, w.inbox.data() + used, sizeof header);
        if (w.inbox.size() - used - sizeof header < header[0])
            break;
        message_reader message(std::string_view(w.inbox).substr(used + sizeof header, header[0]));
        used += sizeof header + header[0];
        on_message(w, static_cast<message_kind>(header[1]), message);
    }
    w.inbox.erase(0, used);
}

std::string worker_pool::ending_message(const worker& w) const {
    // The last lines of stderr, at most tail_lines, without the final newline.
    std::string_view tail = w.tail;
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r'))
        tail.remove_suffix(1);
    if (tail.size() > tail_bytes)
        tail.remove_prefix(tail.size() - tail_bytes);
    std::size_t from = tail.size();
    for (std::size_t lines = 0; lines < tail_lines && from != std::string_view::npos && from > 0; ++lines)
        from = tail.rfind('\n', from - 1);
    if (from != std::string_view::npos && from < tail.size())
        tail.remove_prefix(from + 1);
    const std::string cause = w.timed_out ? std::string() : describe_exit(w.status);
    return message_of({w.timed_out ? std::optional(run_limit_) : std::nullopt, cause, tail});
}

target_run worker_pool::ended_run(const worker& w, const planned_run& planned) const {
    const run_state& run = w.page->watch.state;
    return {attempt(planned.target, run.attempts, run.injected, w.timed_out ? outcome::timed_out : outcome::crashed,
                    ending_message(w), {}, planned.mode, run.failures),
            false};
}

baseline_phase worker_pool::baselines() {
    run_limit_ = limit_.value_or(baseline_limit);
    spawn(role::baselines);
    std::optional<baseline_phase> phase;
    while (!phase) {
        pump(
            [&](worker&, message_kind kind, message_reader& message) {
                if (kind != message_kind::baselines)
                    throw std::runtime_error("alloc-chaos: a worker process sent a run before its baselines");
                phase = message.baselines();
                runs_.runner().adopt_baseline(message.attempts());
            },
            [&](worker& w) {
                if (phase)
                    return;
                phase.emplace();
                phase->first = baseline_run(w.page->watch.state.attempts, w.timed_out ? outcome::timed_out : outcome::crashed,
                                            ending_message(w));
            });
    }
    run_limit_ = limit_.value_or(default_limit(phase->first_time));
    return std::move(*phase);
}

std::vector<target_run> worker_pool::targets(std::span<const planned_run> plan, bool stop_on_failure) {
    std::vector<std::optional<target_run>> made(plan.size());
    std::deque<std::size_t> pending;
    for (std::size_t i = 0; i < plan.size(); ++i)
        pending.push_back(i);
    std::size_t cut = plan.size();   // the first place known to end the check, or plan.size()
    std::size_t reported = 0;        // the places before it that have a result
    std::vector<std::size_t> crashed;  // places whose run ended its worker
    const std::size_t wanted = std::min(processes_, std::max<std::size_t>(plan.size(), 1));
    const std::size_t chunk = std::clamp<std::size_t>(plan.size() / (wanted * 8), 1, 64);

    const auto live = [&] {
        return static_cast<std::size_t>(std::count_if(workers_.begin(), workers_.end(), [](const worker& w) { return !w.ended; }));
    };
    const auto give_work = [&](worker& w) {
        std::vector<std::uint64_t> entries{0};
        while (!pending.empty() && pending.front() < cut && w.queue.size() < 2 * chunk &&
               entries.size() < 1 + 4 * chunk) {
            const std::size_t place = pending.front();
            pending.pop_front();
            w.queue.push_back(place);
            const planned_run& p = plan[place];
            entries.insert(entries.end(), {place, p.target, static_cast<std::uint64_t>(p.mode), p.trap});
        }
        entries[0] = (entries.size() - 1) / 4;
        if (entries[0] != 0)
            send_all(w.commands, entries.data(), entries.size() * sizeof(std::uint64_t));  // a dead worker's end comes next
    };
    const auto record = [&](std::size_t place, target_run&& run) {
        if (ends_check(run, stop_on_failure))
            cut = std::min(cut, place);
        made[place] = std::move(run);
        while (reported < made.size() && made[reported])
            ++reported;
    };
    const auto done = [&] { return reported >= std::min(cut + 1, plan.size()); };

    for (worker& w : workers_)
        if (!w.ended)
            give_work(w);
    while (!done()) {
        while (live() < wanted && !pending.empty() && pending.front() < cut)
            give_work(spawn(role::targets));
        pump(
            [&](worker& w, message_kind kind, message_reader& message) {
                const std::size_t place = message.number();
                if (kind != message_kind::run || w.queue.empty() || w.queue.front() != place)
                    throw std::runtime_error("alloc-chaos: a worker process sent a run it was not given");
                w.queue.pop_front();
                w.tail.clear();
                record(place, message.target());
                if (w.queue.size() <= chunk)
                    give_work(w);
            },
            [&](worker& w) {
                // The run it was making ended it; the runs it made before but had not sent, and
                // the rest of its chunk, go to another worker.
                auto making = std::find(w.queue.begin(), w.queue.end(), w.page->place.load());
                if (making == w.queue.end())  // it ended before its first run of the chunk: that run
                    making = w.queue.begin();  // takes the blame, so that every end makes progress
                if (making != w.queue.end()) {
                    crashed.push_back(*making);
                    record(*making, ended_run(w, plan[*making]));
                    w.queue.erase(making);
                }
                for (auto back = w.queue.rbegin(); back != w.queue.rend(); ++back)
                    pending.push_front(*back);
                w.queue.clear();
            });
    }
    // The workers end by themselves, printing what they hold; after a run that ended the check,
    // each ends its run in progress first (past that run: it is not reported).
    finish_all(cut < plan.size());

    std::vector<target_run> kept;
    const std::size_t count = std::min(cut + 1, plan.size());
    kept.reserve(count);
    for (std::size_t place = 0; place < count; ++place)
        kept.push_back(std::move(*made[place]));
    if (runs_.options().stacks)
        for (std::size_t place : crashed)
            if (place < count && kept[place].entry.injected())
                kept[place].entry = attempt(
                    kept[place].entry.target(), kept[place].entry.observed_allocations(),
                    kept[place].entry.injected_allocation(), kept[place].entry.outcome(), kept[place].entry.message(),
                    {}, kept[place].entry.mode(), kept[place].entry.failed_attempts(),
                    replay_stack(plan[place], *kept[place].entry.injected_allocation()));
    return kept;
}

std::vector<stack_frame> worker_pool::replay_stack(const planned_run& planned, const allocation& injected) {
    worker& w = spawn(role::replay, planned);
    finish(w);
    while (!w.ended)
        pump([](worker&, message_kind, message_reader&) {}, [](worker&) {});
    if (w.page->watch.state.injected != injected)
        return {};  // the replay went another way: no stack rather than a wrong one
    return runs_.symbols().frames(w.page->watch.target_stack);
}

void abandon_workers() noexcept {
    for (process_id pid : unreaped) {
        kill_process(pid);
        wait_for(pid);
    }
    unreaped.clear();
}

}  // namespace alloc_chaos::detail
