#define BOOST_TEST_MODULE threads
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include "test_bodies.hpp"

#include <atomic>
#include <cstddef>
#include <latch>
#include <new>
#include <thread>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::checker;
using alloc_chaos::operation;
using alloc_chaos::report;
using test_bodies::allocate_and_free;
using test_bodies::plain;
using test_bodies::sink;

namespace {

// Waits, without allocating, until `counter` has moved `by` past `from`.
void wait_for(const std::atomic<std::size_t>& counter, std::size_t from, std::size_t by) {
    while (counter.load() < from + by)
        std::this_thread::yield();
}

// Threads that allocate and free through every source, nonstop, from construction to stop().
class background_allocators {
public:
    explicit background_allocators(alloc_chaos::chaos_memory_resource& shared, int threads = 3) {
        for (int t = 0; t < threads; ++t)
            threads_.emplace_back([this, &shared, t] {
                void* volatile own_sink = nullptr;
                while (!stop_.load()) {
                    try {
                        if (alloc_chaos::observing())
                            ++observed_;
                        own_sink = ::operator new(32 + t);
                        ::operator delete(own_sink);
                        own_sink = ::operator new[](64, std::nothrow);
                        if (own_sink == nullptr)
                            ++failures_;
                        ::operator delete[](own_sink);
                        own_sink = shared.allocate(16, 8);
                        shared.deallocate(own_sink, 16, 8);
                    } catch (...) {
                        ++failures_;
                    }
                    ++progress_;
                }
            });
    }
    ~background_allocators() { stop(); }

    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable())
                t.join();
    }
    const std::atomic<std::size_t>& progress() const { return progress_; }
    std::size_t failures() const { return failures_.load(); }
    std::size_t observed() const { return observed_.load(); }

private:
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> progress_{0};
    std::atomic<std::size_t> failures_{0};
    std::atomic<std::size_t> observed_{0};
    std::vector<std::thread> threads_;
};

// A thread that frees, with `release`, each block handed to it, until it is destroyed; hand()
// returns once the block is freed.
template <class Release>
class freeing_thread {
public:
    explicit freeing_thread(Release release)
        : thread_([this, release] {
              while (!stop_.load()) {
                  if (void* p = mailbox_.exchange(nullptr)) {
                      release(p);
                      ++freed_;
                  }
                  std::this_thread::yield();
              }
          }) {}
    ~freeing_thread() {
        stop_ = true;
        thread_.join();
    }
    freeing_thread(const freeing_thread&) = delete;
    freeing_thread& operator=(const freeing_thread&) = delete;

    void hand(void* block) {
        const std::size_t before = freed_.load();
        mailbox_.store(block);
        wait_for(freed_, before, 1);
    }
    std::size_t freed() const noexcept { return freed_.load(); }

private:
    std::atomic<void*> mailbox_{nullptr};
    std::atomic<std::size_t> freed_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;  // last: it starts once the rest is made
};

}  // namespace

BOOST_AUTO_TEST_CASE(threads_allocating_throughout_a_check_are_never_counted_nor_failed) {
    alloc_chaos::chaos_memory_resource shared;
    background_allocators others(shared);
    const report r = checker{}.stability_runs(3).run([&] {
        for (std::size_t i = 1; i <= 4; ++i) {
            wait_for(others.progress(), others.progress().load(), 20);  // they allocate between ours
            allocate_and_free(i);
            sink = shared.allocate(i * 8, 8);
            shared.deallocate(sink, i * 8, 8);
        }
    });
    others.stop();

    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 8u);  // exactly the checking thread's
    for (const auto& b : r.stability_baselines())
        BOOST_TEST(b.allocations() == 8u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 8u);
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST((r.attempts()[2 * i].injected_allocation() ==
                    allocation(2 * i, operation::operator_new, i + 1, plain, false)));
        BOOST_TEST((r.attempts()[2 * i + 1].injected_allocation() ==
                    allocation(2 * i + 1, operation::resource_allocate, (i + 1) * 8, 8, false)));
    }
    BOOST_TEST(others.failures() == 0u);
    BOOST_TEST(others.observed() == 0u);
}

BOOST_AUTO_TEST_CASE(a_thread_started_inside_the_body_allocates_unobserved) {
    std::atomic<std::size_t> thread_failures{0};
    std::atomic<std::size_t> thread_observing{0};
    // The same body, with a thread that allocates `n` times.
    const auto body_with_thread_allocating = [&](std::size_t n) {
        return [&, n] {
            std::thread t([&, n] {
                if (alloc_chaos::observing())
                    ++thread_observing;
                void* volatile own_sink = nullptr;
                for (std::size_t i = 0; i < n; ++i) {
                    try {
                        own_sink = ::operator new(i + 1);
                        ::operator delete(own_sink);
                    } catch (...) {
                        ++thread_failures;
                    }
                }
            });
            t.join();
        };
    };
    const report idle = checker{}.max_failures(0).run(body_with_thread_allocating(0));
    const report busy = alloc_chaos::check(body_with_thread_allocating(200));
    BOOST_TEST(idle.baseline_allocations() >= 1u);  // starting a thread allocates on the checking thread
    BOOST_TEST(busy.baseline_allocations() == idle.baseline_allocations());
    BOOST_TEST(busy.success());
    BOOST_TEST(thread_failures.load() == 0u);
    BOOST_TEST(thread_observing.load() == 0u);
}

BOOST_AUTO_TEST_CASE(blocks_allocated_in_the_body_and_freed_on_another_thread_are_fine) {
    std::size_t freed = 0;
    report r;
    {
        freeing_thread freer([](void* p) { ::operator delete(p, std::align_val_t(64)); });
        r = alloc_chaos::check([&] {
            for (std::size_t i = 0; i < 3; ++i)
                freer.hand(::operator new(48, std::align_val_t(64)));
        });
        freed = freer.freed();
    }
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 3u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 3u);
    BOOST_TEST((r.attempts()[2].injected_allocation() == allocation(2, operation::operator_new, 48, 64, false)));
    BOOST_TEST(freed == 3u + 0u + 1u + 2u);  // the baseline's 3, then the blocks before each target
}

BOOST_AUTO_TEST_CASE(blocks_allocated_on_another_thread_and_freed_in_the_body_are_never_counted) {
    std::atomic<void*> mailbox{nullptr};
    std::atomic<bool> stop{false};
    std::thread allocator([&] {
        while (!stop.load()) {
            if (mailbox.load() == nullptr)
                mailbox.store(::operator new(24));
            std::this_thread::yield();
        }
    });
    const report r = alloc_chaos::check([&] {
        void* p = nullptr;
        while ((p = mailbox.exchange(nullptr)) == nullptr)
            std::this_thread::yield();
        ::operator delete(p);
        allocate_and_free(5);
    });
    stop = true;
    allocator.join();
    ::operator delete(mailbox.load());
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 1u);
    BOOST_TEST_REQUIRE(r.attempts().size() == 1u);
    BOOST_TEST((r.attempts()[0].injected_allocation() == allocation(0, operation::operator_new, 5, plain, false)));
}

BOOST_AUTO_TEST_CASE(checks_on_two_threads_at_once_are_independent) {
    std::latch start(2);
    report three, seven;
    const auto checking = [&](report& result, std::size_t attempts) {
        return [&result, &start, attempts] {
            start.arrive_and_wait();
            result = checker{}.stability_runs(20).run([attempts] {
                for (std::size_t i = 1; i <= attempts; ++i)
                    allocate_and_free(i);
            });
        };
    };
    std::thread a(checking(three, 3));
    std::thread b(checking(seven, 7));
    a.join();
    b.join();
    BOOST_TEST(three.success());
    BOOST_TEST(three.baseline_allocations() == 3u);
    BOOST_TEST(seven.success());
    BOOST_TEST(seven.baseline_allocations() == 7u);
    BOOST_TEST_REQUIRE(seven.attempts().size() == 7u);
    BOOST_TEST((seven.attempts()[6].injected_allocation() == allocation(6, operation::operator_new, 7, plain, false)));
}

BOOST_AUTO_TEST_CASE(a_check_on_another_thread_may_run_during_a_check) {
    report inner;
    const report outer = checker{}.max_failures(0).run([&] {
        alloc_chaos::unobserved start_thread;  // keep the outer count to the body's own attempt
        std::thread t([&] { inner = alloc_chaos::check([] { allocate_and_free(1); }); });
        t.join();
    });
    BOOST_TEST(outer.baseline_allocations() == 0u);
    BOOST_TEST(inner.success());
    BOOST_TEST(inner.baseline_allocations() == 1u);
}

BOOST_AUTO_TEST_CASE(blocks_freed_on_another_thread_are_no_leak_with_70_checks_at_once) {
    // More checking threads than the registry of run tables once held (64), all registered
    // together: each hands every block of its body to a freeing thread of its own.
    constexpr std::size_t checks = 70;
    std::latch registered(checks);
    std::vector<report> reports(checks);
    std::vector<std::thread> threads;
    threads.reserve(checks);
    for (std::size_t c = 0; c < checks; ++c)
        threads.emplace_back([&registered, &result = reports[c]] {
            freeing_thread freer([](void* p) { ::operator delete(p); });
            bool first_run = true;
            result = alloc_chaos::check([&] {
                if (first_run) {  // every table registered before any block is handed over
                    first_run = false;
                    registered.arrive_and_wait();
                }
                freer.hand(::operator new(40));
            });
        });
    for (std::thread& t : threads)
        t.join();
    for (const report& r : reports) {
        BOOST_TEST(r.success());
        BOOST_TEST(r.baseline_allocations() == 1u);
        BOOST_TEST(r.baseline().findings().empty());
        BOOST_TEST(r.attempts().size() == 1u);
    }
}
