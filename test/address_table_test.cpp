#define BOOST_TEST_MODULE address_table
#include <boost/test/unit_test.hpp>

#include "../lib/engine/address_table.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

using alloc_chaos::detail::address_table;

namespace {

// Every key in one slot: the worst pile-up, where only probing and the backward shift find keys.
struct one_slot {
    std::size_t operator()(std::uint64_t, unsigned) const noexcept { return 0; }
};

// The home slot is the key itself: keys placed where a test wants them.
struct identity {
    std::size_t operator()(std::uint64_t key, unsigned shift) const noexcept {
        return static_cast<std::size_t>(key & (~std::uint64_t{0} >> shift));
    }
};

template <class Table>
std::vector<std::pair<std::uint64_t, std::uint64_t>> entries_of(const Table& table) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> entries;
    table.for_each([&](std::uint64_t key, const auto& payload) { entries.emplace_back(key, payload); });
    std::sort(entries.begin(), entries.end());
    return entries;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_inserted_key_is_found_with_its_payload_until_erased) {
    address_table<std::uint32_t> table;
    BOOST_TEST(table.find(0x1000) == nullptr);
    BOOST_TEST(table.insert(0x1000, 3) != table.out_of_memory);
    BOOST_TEST(table.insert(0x2000, 5) != table.out_of_memory);
    BOOST_TEST_REQUIRE(table.find(0x1000) != nullptr);
    BOOST_TEST(*table.find(0x1000) == 3u);
    BOOST_TEST(table.size() == 2u);
    BOOST_TEST(table.erase(0x1000));
    BOOST_TEST(!table.erase(0x1000));
    BOOST_TEST(table.find(0x1000) == nullptr);
    BOOST_TEST(*table.find(0x2000) == 5u);
}

BOOST_AUTO_TEST_CASE(inserting_a_key_again_replaces_its_payload) {
    address_table<std::uint64_t*> table;
    std::uint64_t a = 0, b = 0;
    table.insert(0x40, &a);
    table.insert(0x40, &b);
    BOOST_TEST(table.size() == 1u);
    BOOST_TEST(*table.find(0x40) == &b);
}

BOOST_AUTO_TEST_CASE(a_table_takes_no_memory_until_its_first_insertion_and_then_its_first_capacity) {
    address_table<std::uint32_t> table;
    BOOST_TEST(table.capacity() == 0u);
    BOOST_TEST(table.find(0x10) == nullptr);
    BOOST_TEST(!table.erase(0x10));
    table.clear();
    table.insert(0x10, 1);
    BOOST_TEST(table.capacity() == 16u);
}

BOOST_AUTO_TEST_CASE(a_table_grows_from_its_first_capacity_when_three_quarters_full) {
    address_table<std::uint32_t> table(256);
    for (std::uint64_t k = 1; k <= 192; ++k)
        BOOST_TEST_REQUIRE(table.insert(k * 16, static_cast<std::uint32_t>(k)) != table.out_of_memory);
    BOOST_TEST(table.capacity() == 256u);
    table.insert(193 * 16, 193);
    BOOST_TEST(table.capacity() == 512u);
    for (std::uint64_t k = 1; k <= 193; ++k)
        BOOST_TEST_REQUIRE(*table.find(k * 16) == k);
}

BOOST_AUTO_TEST_CASE(insert_counts_the_slots_probed_past_the_home) {
    address_table<std::uint32_t, one_slot> table;
    BOOST_TEST(table.insert(10, 0) == 0u);
    BOOST_TEST(table.insert(20, 0) == 1u);
    BOOST_TEST(table.insert(30, 0) == 2u);
    BOOST_TEST(table.insert(20, 7) == 1u);  // found again where it was
}

BOOST_AUTO_TEST_CASE(erasing_from_the_middle_of_a_run_keeps_every_later_key_reachable) {
    address_table<std::uint32_t, one_slot> table;
    for (std::uint64_t k = 1; k <= 10; ++k)
        table.insert(k, static_cast<std::uint32_t>(k));
    BOOST_TEST(table.erase(4));
    BOOST_TEST(table.erase(1));
    for (std::uint64_t k = 1; k <= 10; ++k)
        BOOST_TEST_REQUIRE((table.find(k) != nullptr) == (k != 1 && k != 4));
}

BOOST_AUTO_TEST_CASE(the_backward_shift_leaves_an_entry_whose_home_is_after_the_hole_in_place) {
    address_table<std::uint32_t, identity> table;  // 16 slots: keys are their slots
    table.insert(3, 3);
    table.insert(19, 19);  // home 3, in slot 4
    table.insert(5, 5);    // home 5, in slot 5: must not move into slot 4
    table.insert(20, 20);  // home 4, in slot 6
    BOOST_TEST(table.erase(3));
    for (std::uint64_t k : {19u, 5u, 20u})
        BOOST_TEST_REQUIRE(*table.find(k) == k);
    BOOST_TEST(table.erase(19));
    BOOST_TEST(*table.find(20) == 20u);
    BOOST_TEST(*table.find(5) == 5u);
}

BOOST_AUTO_TEST_CASE(runs_wrap_around_the_end_of_the_slots) {
    address_table<std::uint32_t, identity> table;  // 16 slots
    for (std::uint64_t k : {15u, 31u, 47u, 1u})    // homes 15, 15, 15, 1: slots 15, 0, 1, 2
        table.insert(k, static_cast<std::uint32_t>(k));
    BOOST_TEST(table.erase(15));
    for (std::uint64_t k : {31u, 47u, 1u})
        BOOST_TEST_REQUIRE(*table.find(k) == k);
    BOOST_TEST(table.erase(31));
    BOOST_TEST(*table.find(47) == 47u);
    BOOST_TEST(*table.find(1) == 1u);
}

BOOST_AUTO_TEST_CASE(clear_removes_every_entry_and_a_table_emptied_by_erase_is_clear_already) {
    address_table<std::uint32_t> table;
    for (std::uint64_t k = 1; k <= 1000; ++k)
        table.insert(k * 48, static_cast<std::uint32_t>(k));
    table.clear();
    BOOST_TEST(table.size() == 0u);
    BOOST_TEST(entries_of(table).empty());
    for (std::uint64_t k = 1; k <= 1000; ++k)
        BOOST_TEST_REQUIRE(table.find(k * 48) == nullptr);
    for (std::uint64_t k = 1; k <= 1000; ++k)
        table.insert(k * 48, static_cast<std::uint32_t>(k));
    for (std::uint64_t k = 1; k <= 1000; ++k)
        table.erase(k * 48);
    table.clear();
    table.insert(48, 7);
    BOOST_TEST((entries_of(table) == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{48, 7}}));
}

BOOST_AUTO_TEST_CASE(rehash_places_every_entry_by_the_new_hash) {
    struct switchable {
        bool identity_slots = false;
        std::size_t operator()(std::uint64_t key, unsigned shift) const noexcept {
            return identity_slots ? static_cast<std::size_t>(key & (~std::uint64_t{0} >> shift)) : 0;
        }
    };
    address_table<std::uint32_t, switchable> table;
    for (std::uint64_t k = 1; k <= 10; ++k)
        table.insert(k, static_cast<std::uint32_t>(k));
    BOOST_TEST(table.rehash(switchable{true}));
    BOOST_TEST(table.hash().identity_slots);
    for (std::uint64_t k = 1; k <= 10; ++k)
        BOOST_TEST_REQUIRE(*table.find(k) == k);
    BOOST_TEST(table.insert(11, 11) == 0u);  // its own slot now
}

BOOST_AUTO_TEST_CASE(a_table_agrees_with_a_reference_map_through_random_inserts_and_erases) {
    address_table<std::uint32_t> table;
    std::unordered_map<std::uint64_t, std::uint32_t> reference;
    std::minstd_rand random(42);
    for (std::uint32_t step = 0; step < 200'000; ++step) {
        const std::uint64_t key = 16 * (1 + random() % 3000);
        if (random() % 3 != 0) {
            BOOST_TEST_REQUIRE(table.insert(key, step) != table.out_of_memory);
            reference[key] = step;
        } else {
            BOOST_TEST_REQUIRE(table.erase(key) == (reference.erase(key) == 1));
        }
        if (step % 20'000 == 0) {
            std::vector<std::pair<std::uint64_t, std::uint64_t>> expected(reference.begin(), reference.end());
            std::sort(expected.begin(), expected.end());
            BOOST_TEST_REQUIRE(entries_of(table) == expected);
        }
    }
    BOOST_TEST(table.size() == reference.size());
    for (const auto& [key, payload] : reference)
        BOOST_TEST_REQUIRE(*table.find(key) == payload);
}
