#define BOOST_TEST_MODULE block_table
#include <boost/test/unit_test.hpp>

#include "../lib/engine/block_table.hpp"
#include "../lib/engine/signature_log.hpp"

#include <alloc_chaos/alloc_chaos.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

using alloc_chaos::detail::block_map;
using alloc_chaos::detail::block_table;
using alloc_chaos::detail::fence_protocol;
using alloc_chaos::detail::forget_block;
using alloc_chaos::detail::live_blocks;
using alloc_chaos::detail::record_block;
using alloc_chaos::detail::tracked_blocks;

namespace {

// The attempt indices `map` records, in increasing order.
std::vector<std::size_t> indices_of(const block_map& map) {
    std::vector<std::size_t> indices;
    map.for_each([&](std::size_t index) { indices.push_back(index); });
    std::sort(indices.begin(), indices.end());
    return indices;
}

const void* address(std::uintptr_t a) { return reinterpret_cast<const void*>(a); }

// A ring of blocks handed from one thread to another, neither of which allocates to use it.
class handoff {
public:
    bool push(void* block) noexcept {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - head_.load(std::memory_order_acquire) == capacity)
            return false;
        slots_[tail % capacity].store(block, std::memory_order_relaxed);
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }
    void* pop() noexcept {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head == tail_.load(std::memory_order_acquire))
            return nullptr;
        void* block = slots_[head % capacity].load(std::memory_order_relaxed);
        head_.store(head + 1, std::memory_order_release);
        return block;
    }

private:
    static constexpr std::size_t capacity = 512;
    std::atomic<void*> slots_[capacity] = {};
    std::atomic<std::size_t> head_{0};
    std::atomic<std::size_t> tail_{0};
};

// A thread that frees each block handed to it as a source does (forget_block, then free), and,
// while noisy, frees blocks of its own too, which no table records.
class freeing_thread {
public:
    freeing_thread()
        : thread_([this](std::stop_token stop) {
              for (;;) {
                  if (void* block = handed_.pop()) {
                      forget_block(block);
                      std::free(block);
                      freed_.fetch_add(1, std::memory_order_release);
                  } else if (stop.stop_requested()) {
                      return;
                  } else if (noisy.load(std::memory_order_relaxed)) {
                      void* own = std::malloc(40);
                      forget_block(own);
                      std::free(own);
                  } else {
                      std::this_thread::yield();
                  }
              }
          }) {}

    // Hands `block` to the thread; false when its ring is full.
    bool hand(void* block) noexcept {
        if (!handed_.push(block))
            return false;
        ++handed_count_;
        return true;
    }
    // Waits until the thread has freed every block handed to it.
    void drain() const noexcept {
        while (freed_.load(std::memory_order_acquire) != handed_count_)
            std::this_thread::yield();
    }

    std::atomic<bool> noisy{false};

private:
    handoff handed_;
    std::size_t handed_count_ = 0;  // the handing thread's only
    std::atomic<std::size_t> freed_{0};
    std::jthread thread_;
};

// The checking thread's side: `operations` blocks allocated and recorded in a table of its own,
// each then handed to a freeing thread, kept, or freed at once; kept blocks freed now and then.
// In each period of 384 blocks, the first 64 are handed and the freeing threads make noise, the
// rest are not (more than rebias_after: the owner goes lock-free again, and the next free revokes).
// Returns whether the table then records exactly the kept blocks, with their indices.
bool owner_run(fence_protocol protocol, std::vector<freeing_thread*> freers, std::size_t operations,
               unsigned seed) {
    block_table table(protocol);
    std::vector<std::pair<void*, std::size_t>> kept;
    kept.reserve(operations);
    std::minstd_rand random(seed);
    bool exact = true;
    {
        tracked_blocks tracking(table);
        for (std::size_t i = 0; i < operations; ++i) {
            const bool handing = i % 384 < 64;
            if (i % 384 == 0 || i % 384 == 64)
                for (freeing_thread* f : freers)
                    f->noisy.store(handing, std::memory_order_relaxed);
            void* block = std::malloc(16 + i % 64);
            if (block == nullptr)
                std::abort();
            record_block(block, i);  // as the bridge records it
            const unsigned choice = random() % 8;
            if (handing && choice < 3 && freers[choice % freers.size()]->hand(block))
                continue;
            if (choice < 6) {
                kept.emplace_back(block, i);
            } else {
                forget_block(block);
                std::free(block);
            }
            if (!kept.empty() && random() % 4 == 0) {  // one kept block freed, anywhere in the list
                const std::size_t at = random() % kept.size();
                forget_block(kept[at].first);
                std::free(kept[at].first);
                kept[at] = kept.back();
                kept.pop_back();
            }
        }
        for (freeing_thread* f : freers) {
            f->noisy.store(false, std::memory_order_relaxed);
            f->drain();
        }
        std::vector<std::size_t> expected;
        for (const auto& k : kept)
            expected.push_back(k.second);
        std::sort(expected.begin(), expected.end());
        std::vector<std::size_t> recorded;
        recorded.reserve(operations);  // no allocation inside owner(): a free there would look into the table
        table.owner([&](live_blocks& blocks) { return blocks.indices(recorded), true; });
        exact = recorded == expected;  // no free lost (none handed is left), no kept block forgotten
        for (const auto& k : kept) {
            forget_block(k.first);
            std::free(k.first);
        }
        exact = exact && table.owner([](live_blocks& blocks) { return blocks.size(); }) == 0;
    }
    return exact;
}

// Runs `body` on `threads` threads at once, each with its index.
template <class F>
void on_threads(std::size_t threads, F body) {
    std::vector<std::jthread> running;
    for (std::size_t t = 0; t < threads; ++t)
        running.emplace_back([&body, t] { body(t); });
}

#if defined(__SANITIZE_THREAD__)
constexpr std::size_t operations = 30'000;
#else
constexpr std::size_t operations = 200'000;
#endif

}  // namespace

// ---- block_map ----

BOOST_AUTO_TEST_CASE(a_map_records_each_block_with_its_attempt_and_forgets_it_on_erase) {
    block_map map;
    BOOST_TEST(map.insert(address(0x1000), 3));
    BOOST_TEST(map.insert(address(0x2000), 5));
    BOOST_TEST(map.size() == 2u);
    BOOST_TEST(map.erase(address(0x1000)));
    BOOST_TEST(!map.erase(address(0x1000)));
    BOOST_TEST(!map.erase(address(0x3000)));
    BOOST_TEST(indices_of(map) == std::vector<std::size_t>{5});
}

BOOST_AUTO_TEST_CASE(an_address_given_out_again_takes_the_later_attempt) {
    block_map map;
    BOOST_TEST(map.insert(address(0x1000), 3));
    BOOST_TEST(map.insert(address(0x1000), 9));
    BOOST_TEST(map.size() == 1u);
    BOOST_TEST(indices_of(map) == std::vector<std::size_t>{9});
}

BOOST_AUTO_TEST_CASE(nullptr_and_an_index_past_max_index_are_not_tracked) {
    block_map map;
    BOOST_TEST(!map.insert(nullptr, 1));
    BOOST_TEST(!map.insert(address(0x1000), block_map::max_index + 1));
    BOOST_TEST(map.insert(address(0x1000), block_map::max_index));
    BOOST_TEST(indices_of(map) == std::vector<std::size_t>{block_map::max_index});
}

BOOST_AUTO_TEST_CASE(a_map_grows_when_three_quarters_full) {
    block_map map;
    for (std::uintptr_t i = 1; i <= 192; ++i)
        BOOST_TEST_REQUIRE(map.insert(address(i * 16), i));
    BOOST_TEST(map.capacity() == 256u);
    BOOST_TEST(map.insert(address(193 * 16), 193));
    BOOST_TEST(map.capacity() == 512u);
    BOOST_TEST(map.size() == 193u);
}

BOOST_AUTO_TEST_CASE(clear_forgets_every_block_and_a_map_emptied_by_erase_is_clear_already) {
    block_map map;
    for (std::uintptr_t i = 1; i <= 1000; ++i)
        map.insert(address(i * 48), i);
    for (std::uintptr_t i = 1; i <= 1000; i += 2)
        map.erase(address(i * 48));
    map.clear();
    BOOST_TEST(map.size() == 0u);
    BOOST_TEST(indices_of(map).empty());
    for (std::uintptr_t i = 2; i <= 1000; i += 2)
        BOOST_TEST_REQUIRE(!map.erase(address(i * 48)));
    for (std::uintptr_t i = 1; i <= 1000; ++i)
        map.insert(address(i * 48), i);
    for (std::uintptr_t i = 1; i <= 1000; ++i)
        map.erase(address(i * 48));
    map.clear();  // nothing to clear: every slot is empty
    BOOST_TEST(map.insert(address(48), 7));
    BOOST_TEST(indices_of(map) == std::vector<std::size_t>{7});
}

BOOST_AUTO_TEST_CASE(a_map_agrees_with_a_reference_map_through_random_inserts_and_erases) {
    block_map map;
    std::unordered_map<std::uintptr_t, std::size_t> reference;
    std::minstd_rand random(42);
    for (std::size_t step = 0; step < 200'000; ++step) {
        // Few distinct addresses, 16 bytes apart: long runs of colliding slots.
        const std::uintptr_t key = 16 * (1 + random() % 3000);
        if (random() % 3 != 0) {
            BOOST_TEST_REQUIRE(map.insert(address(key), step));
            reference[key] = step;
        } else {
            BOOST_TEST_REQUIRE(map.erase(address(key)) == (reference.erase(key) == 1));
        }
        if (step % 20'000 == 0) {
            std::vector<std::size_t> expected;
            for (const auto& [k, index] : reference)
                expected.push_back(index);
            std::sort(expected.begin(), expected.end());
            BOOST_TEST_REQUIRE(indices_of(map) == expected);
        }
    }
    BOOST_TEST(map.size() == reference.size());
    for (const auto& [key, index] : reference)
        BOOST_TEST_REQUIRE(map.erase(address(key)));
    BOOST_TEST(map.size() == 0u);
}

BOOST_AUTO_TEST_CASE(blocks_one_stride_apart_that_pile_up_are_spread_anew_and_stay_found) {
    block_map map;
    constexpr std::uintptr_t stride = 3728;  // piles up under Fibonacci hashing of 16-byte granules
    for (std::uintptr_t i = 0; i < 180; ++i)
        BOOST_TEST_REQUIRE(map.insert(address(0x10000 + i * stride), i));
    BOOST_TEST(map.scrambled());
    BOOST_TEST(map.capacity() == 256u);
    std::vector<std::size_t> all(180);
    for (std::size_t i = 0; i < 180; ++i)
        all[i] = i;
    BOOST_TEST(indices_of(map) == all);
    for (std::uintptr_t i = 0; i < 180; i += 2)
        BOOST_TEST_REQUIRE(map.erase(address(0x10000 + i * stride)));
    for (std::uintptr_t i = 1; i < 180; i += 2)
        BOOST_TEST_REQUIRE(map.erase(address(0x10000 + i * stride)));
    BOOST_TEST(map.size() == 0u);
}

BOOST_AUTO_TEST_CASE(blocks_of_one_size_class_allocated_in_a_row_keep_the_fast_slots) {
    block_map map;
    for (std::uintptr_t size : {32, 48, 64, 80, 96, 128}) {
        for (std::uintptr_t i = 0; i < 10'000; ++i)
            BOOST_TEST_REQUIRE(map.insert(address(0x55550000 + i * size), i));
        for (std::uintptr_t i = 0; i < 10'000; ++i)
            BOOST_TEST_REQUIRE(map.erase(address(0x55550000 + i * size)));
    }
    BOOST_TEST(!map.scrambled());
}

// ---- block_table: the protocol ----

BOOST_AUTO_TEST_CASE(the_process_chooses_one_protocol_and_a_table_may_ask_for_the_symmetric_one) {
    const fence_protocol chosen = alloc_chaos::detail::process_fence_protocol();
    BOOST_TEST((alloc_chaos::detail::process_fence_protocol() == chosen));
    BOOST_TEST((block_table().protocol() == chosen));
    BOOST_TEST((block_table(fence_protocol::asymmetric).protocol() == chosen));
    BOOST_TEST((block_table(fence_protocol::symmetric).protocol() == fence_protocol::symmetric));
    BOOST_TEST_MESSAGE("this process's protocol: "
                       << (chosen == fence_protocol::asymmetric ? "asymmetric (membarrier)" : "symmetric"));
}

BOOST_AUTO_TEST_CASE(the_symmetric_protocol_requested_holds_for_the_tables_made_until_asymmetric_is_requested_again) {
    const fence_protocol chosen = alloc_chaos::detail::process_fence_protocol();
    alloc_chaos::detail::request_fence_protocol(fence_protocol::symmetric);
    BOOST_TEST((block_table().protocol() == fence_protocol::symmetric));
    alloc_chaos::detail::request_fence_protocol(fence_protocol::asymmetric);
    BOOST_TEST((block_table().protocol() == chosen));
}

BOOST_AUTO_TEST_CASE(the_owner_takes_no_lock_until_another_thread_frees_and_again_after_rebias_after_accesses) {
    for (const fence_protocol protocol : {fence_protocol::asymmetric, fence_protocol::symmetric}) {
        block_table table(protocol);
        table.owner([](live_blocks& blocks) { return blocks.insert(address(0x1000), 1); });
        BOOST_TEST(!table.owner_locks());
        std::thread([&] { table.remote([](live_blocks& blocks) { return blocks.erase(address(0x1000)); }); }).join();
        BOOST_TEST(table.owner_locks());
        for (unsigned i = 1; i < block_table::rebias_after; ++i)
            table.owner([](live_blocks& blocks) { return blocks.size(); });
        BOOST_TEST(table.owner_locks());
        BOOST_TEST(table.owner([](live_blocks& blocks) { return blocks.size(); }) == 0u);
        BOOST_TEST(!table.owner_locks());
    }
}

BOOST_AUTO_TEST_CASE(the_owner_records_a_block_and_returns_it_whether_it_takes_the_lock_or_not) {
    for (const fence_protocol protocol : {fence_protocol::asymmetric, fence_protocol::symmetric}) {
        block_table table(protocol);
        void* first = reinterpret_cast<void*>(std::uintptr_t{0x5550'0000});
        void* second = reinterpret_cast<void*>(std::uintptr_t{0x5550'0040});
        BOOST_TEST(table.owner_record(first, 0) == first);  // lock-free, out of line: the leaf is new
        BOOST_TEST(table.owner_record(second, 1) == second);  // lock-free, inline
        std::thread([&] { table.remote([&](live_blocks& blocks) { return blocks.erase(first); }); }).join();
        BOOST_TEST(table.owner_locks());
        BOOST_TEST(table.owner_record(first, 2) == first);  // under the mutex
        std::vector<std::size_t> recorded;
        recorded.reserve(2);
        table.owner([&](live_blocks& blocks) { return blocks.indices(recorded), true; });
        BOOST_TEST(recorded == (std::vector<std::size_t>{1, 2}));
    }
}

// ---- beside the table: the 16-byte signatures a run records ----

BOOST_AUTO_TEST_CASE(a_signature_gives_back_every_size_and_every_alignment_below_2_to_the_56_exactly) {
    using alloc_chaos::detail::signature;
    using alloc_chaos::operation;
    static_assert(sizeof(signature) == 16);
    constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
    for (const std::size_t size : {std::size_t{0}, std::size_t{24}, max / 2, max})
        for (const std::size_t alignment : {std::size_t{0}, std::size_t{3}, std::size_t{16}, std::size_t{4096},
                                            (std::size_t{1} << 56) - 1, std::size_t{1} << 56, std::size_t{1} << 63})
            for (const operation op : {operation::operator_new, operation::operator_new_array,
                                       operation::resource_allocate, operation::custom_allocate})
                for (const bool nothrow : {false, true}) {
                    const signature s(size, alignment, op, nothrow);
                    BOOST_TEST_REQUIRE((s.at(7) == alloc_chaos::allocation(7, op, size, alignment, nothrow)));
                    BOOST_TEST_REQUIRE((s == signature(size, alignment, op, nothrow)));
                }
    BOOST_TEST((signature(64, 16, operation::operator_new, false) != signature(64, 8, operation::operator_new, false)));
    BOOST_TEST((signature(64, 16, operation::operator_new, false) != signature(64, 16, operation::operator_new, true)));
    BOOST_TEST((signature(64, 16, operation::operator_new, false) !=
                signature(64, 16, operation::operator_new_array, false)));
}

// ---- block_table: frees on other threads, under load ----

BOOST_AUTO_TEST_CASE(blocks_freed_on_other_threads_while_the_owner_allocates_and_frees_are_never_lost_asymmetric) {
    freeing_thread a, b, c;
    BOOST_TEST(owner_run(fence_protocol::asymmetric, {&a, &b, &c}, operations, 1));
}

BOOST_AUTO_TEST_CASE(blocks_freed_on_other_threads_while_the_owner_allocates_and_frees_are_never_lost_symmetric) {
    freeing_thread a, b, c;
    BOOST_TEST(owner_run(fence_protocol::symmetric, {&a, &b, &c}, operations, 2));
}

BOOST_AUTO_TEST_CASE(two_owners_whose_blocks_other_threads_free_each_keep_exactly_their_own) {
    freeing_thread a, b;
    std::atomic<int> exact{0};
    on_threads(2, [&](std::size_t t) {
        const fence_protocol protocol = t == 0 ? fence_protocol::asymmetric : fence_protocol::symmetric;
        // Each owner hands to a thread of its own (a ring has one producer); each free then looks
        // into both tables, the other owner's first as often as not.
        freeing_thread& own = t == 0 ? a : b;
        if (owner_run(protocol, {&own}, operations / 2, static_cast<unsigned>(3 + t)))
            ++exact;
    });
    BOOST_TEST(exact.load() == 2);
}

BOOST_AUTO_TEST_CASE(an_owner_that_frees_a_block_of_another_owner_forgets_it_in_that_owner_table_only) {
    block_table mine;
    block_table theirs;
    void* their_block = std::malloc(48);
    void* my_block = std::malloc(48);
    std::atomic<int> step{0};
    std::size_t theirs_left = 1;
    std::jthread other([&] {
        tracked_blocks tracking(theirs);
        theirs.owner([&](live_blocks& blocks) { return blocks.insert(their_block, 7); });
        step = 1;
        while (step.load() != 2)  // the main thread frees the block meanwhile
            std::this_thread::yield();
        theirs_left = theirs.owner([](live_blocks& blocks) { return blocks.size(); });
    });
    {
        tracked_blocks tracking(mine);
        mine.owner([&](live_blocks& blocks) { return blocks.insert(my_block, 3); });
        while (step.load() != 1)
            std::this_thread::yield();
        forget_block(their_block);  // not in this thread's table: the other owner's
        step = 2;
        other.join();
        std::vector<std::size_t> recorded;
        recorded.reserve(1);
        mine.owner([&](live_blocks& blocks) { return blocks.indices(recorded), true; });
        BOOST_TEST(recorded == std::vector<std::size_t>{3});
        forget_block(my_block);
        BOOST_TEST(mine.owner([](live_blocks& blocks) { return blocks.size(); }) == 0u);
    }
    BOOST_TEST(theirs_left == 0u);
    std::free(their_block);
    std::free(my_block);
}

// ---- through a check: the bridge, leak tracking, other threads freeing ----

BOOST_AUTO_TEST_CASE(a_check_whose_blocks_other_threads_free_finds_no_leak_in_any_run) {
    freeing_thread a, b;
    a.noisy = true;  // frees of blocks no run records, throughout
    std::atomic<bool> stop{false};
    std::jthread allocating([&] {  // another thread's own allocations and frees, never observed
        while (!stop.load()) {
            void* volatile p = ::operator new(32);
            ::operator delete(p);
        }
    });
    const alloc_chaos::report r = alloc_chaos::check([&] {
        for (std::size_t i = 0; i < 64; ++i) {
            void* block = nullptr;
            try {
                block = ::operator new(24 + i % 3 * 8);
            } catch (const std::bad_alloc&) {
                continue;
            }
            freeing_thread& to = i % 2 == 0 ? a : b;
            if (i % 3 == 0 || !to.hand(block))
                ::operator delete(block);
        }
        a.drain();
        b.drain();
    });
    stop = true;
    BOOST_TEST(r.success());
    BOOST_TEST(r.baseline_allocations() == 64u);
    BOOST_TEST(r.baseline().findings().empty());
    BOOST_TEST_REQUIRE(r.attempts().size() == 64u);
    std::size_t with_findings = 0;
    for (const auto& attempt : r.attempts())
        with_findings += attempt.findings().empty() ? 0 : 1;
    BOOST_TEST(with_findings == 0u);
}
