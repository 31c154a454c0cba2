#ifndef ALLOC_CHAOS_BOOST_TEST_WORKER_LOG_HPP
#define ALLOC_CHAOS_BOOST_TEST_WORKER_LOG_HPP

// What a run in a worker process (checker::processes) does to Boost.Test. The worker's Boost.Test
// is a copy of the calling process's: left alone, it would write the run's log entries to the
// inherited stdout and count its assertions where nobody reads them. So in a worker, each run's
// log entries and assertion results are recorded instead and attached to the run
// (attach_to_run); once the check is over, the calling process replays every run's recording
// into its own log and results, in the run's context, as if the run had been made there.

#include <alloc_chaos/integration.hpp>
#include <alloc_chaos/report.hpp>
#include <alloc_chaos/run_attachment.hpp>
#include <alloc_chaos/source.hpp>

#include <boost/test/framework.hpp>
#include <boost/test/tree/observer.hpp>
#include <boost/test/unit_test_log.hpp>
#include <boost/test/unit_test_log_formatter.hpp>
#include <boost/test/utils/lazy_ostream.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace alloc_chaos::boost_test::detail {

namespace ut = boost::unit_test;

using integration::process_id;
using integration::recording_reader;
using integration::recording_writer;

// One thing a run did to Boost.Test, in the order it did it.
struct log_event {
    enum class kind : std::uint8_t {
        entry,    // a log entry: a failed or passed assertion, a message
        results,  // `count` assertion results `result` in a row, for the results collector
        aborted,  // the case aborted: a BOOST_REQUIRE failed
    };
    kind what = kind::entry;
    ut::log_level level = ut::log_nothing;         // entry: its level
    std::string file;                              // entry: where it was logged
    std::size_t line = 0;                          // entry
    std::string text;                              // entry: what it says
    std::vector<std::string> context;              // entry: its context frames, outermost first
    ut::assertion_result result = ut::AR_PASSED;   // results
    std::size_t count = 0;                         // results
};

// A log formatter that writes nothing and records each entry it is given, with its context.
class log_recorder : public ut::unit_test_log_formatter {
public:
    explicit log_recorder(std::vector<log_event>& events) : events_(events) {}

    void log_start(std::ostream&, ut::counter_t) override {}
    void log_finish(std::ostream&) override {}
    void log_build_info(std::ostream&, bool) override {}
    void test_unit_start(std::ostream&, const ut::test_unit&) override {}
    void test_unit_finish(std::ostream&, const ut::test_unit&, unsigned long) override {}
    void log_exception_start(std::ostream&, const ut::log_checkpoint_data&, const boost::execution_exception&) override {}
    void log_exception_finish(std::ostream&) override {}

    void log_entry_start(std::ostream&, const ut::log_entry_data& entry, log_entry_types) override {
        alloc_chaos::unobserved recording;
        log_event& e = events_.emplace_back();
        e.level = entry.m_level;
        e.file = entry.m_file_name;
        e.line = entry.m_line_num;
        in_entry_ = true;
    }
    void log_entry_value(std::ostream&, ut::const_string value) override {
        alloc_chaos::unobserved recording;
        if (in_entry_)
            events_.back().text.append(value.begin(), value.end());
    }
    void log_entry_value(std::ostream& out, const ut::lazy_ostream& value) override {
        alloc_chaos::unobserved recording;  // the base formats it into a string first
        ut::unit_test_log_formatter::log_entry_value(out, value);
    }
    void log_entry_finish(std::ostream&) override { in_entry_ = false; }
    void entry_context_start(std::ostream&, ut::log_level) override {}
    void log_entry_context(std::ostream&, ut::log_level, ut::const_string frame) override {
        alloc_chaos::unobserved recording;
        if (in_entry_)
            events_.back().context.emplace_back(frame.begin(), frame.end());
    }
    void entry_context_finish(std::ostream&, ut::log_level) override {}

private:
    std::vector<log_event>& events_;
    bool in_entry_ = false;
};

// An observer that records assertion results and aborts, which the log does not carry.
class result_recorder : public ut::test_observer {
public:
    explicit result_recorder(std::vector<log_event>& events) : events_(events) {}

    void assertion_result(ut::assertion_result ar) override {
        alloc_chaos::unobserved recording;
        if (events_.empty() || events_.back().what != log_event::kind::results || events_.back().result != ar) {
            log_event& e = events_.emplace_back();
            e.what = log_event::kind::results;
            e.result = ar;
        }
        ++events_.back().count;
    }
    void test_unit_aborted(const ut::test_unit&) override {
        alloc_chaos::unobserved recording;
        events_.emplace_back().what = log_event::kind::aborted;
    }

private:
    std::vector<log_event>& events_;
};

// `events` as bytes, each entry's context without its first `shared_frames` frames (the calling
// process's own context, which it has itself).
inline std::string encode_recording(const std::vector<log_event>& events, std::size_t shared_frames) {
    recording_writer out;
    out.put(std::uint64_t{events.size()});
    for (const log_event& e : events) {
        out.put(static_cast<std::uint64_t>(e.what));
        switch (e.what) {
        case log_event::kind::entry: {
            out.put(static_cast<std::uint64_t>(e.level));
            out.put(e.file);
            out.put(std::uint64_t{e.line});
            out.put(e.text);
            const std::size_t skipped = std::min(shared_frames, e.context.size());
            out.put(std::uint64_t{e.context.size() - skipped});
            for (std::size_t i = skipped; i < e.context.size(); ++i)
                out.put(e.context[i]);
            break;
        }
        case log_event::kind::results:
            out.put(static_cast<std::uint64_t>(e.result));
            out.put(std::uint64_t{e.count});
            break;
        case log_event::kind::aborted:
            break;
        }
    }
    return out.bytes();
}

// The events of a recording; std::nullopt when its bytes do not decode whole.
inline std::optional<std::vector<log_event>> decode_recording(std::string_view bytes) {
    recording_reader in(bytes);
    const std::optional<std::uint64_t> count = in.number();
    if (!count || *count > bytes.size())
        return std::nullopt;
    std::vector<log_event> events(static_cast<std::size_t>(*count));
    for (log_event& e : events) {
        const std::optional<std::uint64_t> what = in.number();
        if (!what || *what > static_cast<std::uint64_t>(log_event::kind::aborted))
            return std::nullopt;
        e.what = static_cast<log_event::kind>(*what);
        if (e.what == log_event::kind::entry) {
            const std::optional<std::uint64_t> level = in.number();
            std::optional<std::string> file = in.text();
            const std::optional<std::uint64_t> line = in.number();
            std::optional<std::string> text = in.text();
            const std::optional<std::uint64_t> frames = in.number();
            if (!level || *level > ut::log_nothing || !file || !line || !text || !frames || *frames > bytes.size())
                return std::nullopt;
            e.level = static_cast<ut::log_level>(*level);
            e.file = std::move(*file);
            e.line = static_cast<std::size_t>(*line);
            e.text = std::move(*text);
            for (std::uint64_t i = 0; i < *frames; ++i) {
                std::optional<std::string> frame = in.text();
                if (!frame)
                    return std::nullopt;
                e.context.push_back(std::move(*frame));
            }
        } else if (e.what == log_event::kind::results) {
            const std::optional<std::uint64_t> result = in.number();
            const std::optional<std::uint64_t> times = in.number();
            if (!result || *result > ut::AR_TRIGGERED || !times)
                return std::nullopt;
            e.result = static_cast<ut::assertion_result>(*result);
            e.count = static_cast<std::size_t>(*times);
        }
    }
    if (!in.done())
        return std::nullopt;
    return events;
}

// The recording of a worker process, installed at its first run and kept for its life: a worker
// makes one check's runs and nothing else, then ends.
class worker_recording {
public:
    // Starts recording the run in progress, forgetting the previous run's; in the first run of a
    // worker process, replaces its loggers with the recorder first.
    void start_run() {
        if (process_ != process_id()) {
            process_ = process_id();
            install();
        }
        events_.clear();
        shared_frames_ = 0;
        for (ut::framework::context_generator frames = ut::framework::get_context(); !frames.next().is_empty();)
            ++shared_frames_;
    }
    // Attaches what the run recorded to it, for the calling process to replay.
    void attach() const {
        if (!events_.empty())
            alloc_chaos::attach_to_run(encode_recording(events_, shared_frames_));
    }

private:
    // The recorder as the only logger, at the lowest level any logger had (and every error at
    // least), and the observer of results.
    void install() {
        ut::log_level lowest = ut::log_all_errors;
        for (ut::output_format format : {ut::OF_CLF, ut::OF_XML, ut::OF_JUNIT, ut::OF_CUSTOM_LOGGER})
            if (const ut::unit_test_log_formatter* f = ut::unit_test_log.get_formatter(format))
                lowest = std::min(lowest, f->get_log_level());
        ut::unit_test_log.add_formatter(new log_recorder(events_));
        ut::unit_test_log.set_format(ut::OF_CUSTOM_LOGGER);
        ut::unit_test_log.set_threshold_level(ut::OF_CUSTOM_LOGGER, lowest);
        ut::unit_test_log.configure();
        ut::framework::register_observer(results_);
    }

    long process_ = 0;
    std::vector<log_event> events_;
    std::size_t shared_frames_ = 0;
    result_recorder results_{events_};
};

// The recording of this process, used only where it is a worker.
inline worker_recording& recording() {
    static worker_recording the_recording;
    return the_recording;
}

// Replays one run's recording into this process's Boost.Test log and results, each entry in its
// context; true when the recording holds an abort (a failed BOOST_REQUIRE). A recording that does
// not decode fails the case.
inline bool replay_recording(std::string_view bytes) {
    if (bytes.empty())
        return false;
    const std::optional<std::vector<log_event>> events = decode_recording(bytes);
    if (!events) {
        const ut::test_case& tc = ut::framework::current_test_case();
        ut::unit_test_log << ut::log::begin(tc.p_file_name, tc.p_line_num) << ut::log_all_errors
                          << ut::const_string("alloc-chaos: what a run in a worker process logged did not decode")
                          << ut::log::end();
        ut::framework::assertion_result(ut::AR_FAILED);
        return false;
    }
    bool aborted = false;
    for (const log_event& e : *events) {
        switch (e.what) {
        case log_event::kind::entry: {
            std::vector<int> frames;
            for (const std::string& frame : e.context)
                frames.push_back(ut::framework::add_context(BOOST_TEST_LAZY_MSG(frame), true));
            ut::unit_test_log << ut::log::begin(e.file, e.line) << e.level << ut::const_string(e.text)
                              << ut::log::end();
            for (auto frame = frames.rbegin(); frame != frames.rend(); ++frame)
                ut::framework::clear_context(*frame);
            break;
        }
        case log_event::kind::results:
            for (std::size_t i = 0; i < e.count; ++i)
                ut::framework::assertion_result(e.result);
            break;
        case log_event::kind::aborted:
            ut::framework::test_unit_aborted(ut::framework::current_test_unit());
            aborted = true;
            break;
        }
    }
    return aborted;
}

// Replays what the runs of `r` recorded in worker processes, in the order the runs were made;
// true when a BOOST_REQUIRE failed in one.
inline bool replay_worker_runs(const alloc_chaos::report& r) {
    bool aborted = replay_recording(r.baseline().attachment());
    for (const alloc_chaos::baseline_run& b : r.stability_baselines())
        aborted = replay_recording(b.attachment()) || aborted;
    for (const alloc_chaos::attempt& a : r.attempts())
        aborted = replay_recording(a.attachment()) || aborted;
    return aborted;
}

}  // namespace alloc_chaos::boost_test::detail

#endif
