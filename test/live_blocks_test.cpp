#define BOOST_TEST_MODULE live_blocks
#include <boost/test/unit_test.hpp>

#include "../lib/engine/live_blocks.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

using alloc_chaos::detail::live_blocks;

namespace {

const void* address(std::uintptr_t a) { return reinterpret_cast<const void*>(a); }

// The attempts `blocks` names, in increasing order.
std::vector<std::size_t> indices_of(live_blocks& blocks) {
    std::vector<std::size_t> indices;
    indices.reserve(blocks.size());
    blocks.indices(indices);
    return indices;
}

// The attempts a reference map of addresses to attempts holds, in increasing order.
std::vector<std::size_t> indices_of(const std::map<std::uintptr_t, std::size_t>& reference) {
    std::vector<std::size_t> indices;
    for (const auto& [key, index] : reference)
        indices.push_back(index);
    std::sort(indices.begin(), indices.end());
    return indices;
}

}  // namespace

BOOST_AUTO_TEST_CASE(blocks_are_recorded_with_their_attempt_and_forgotten_on_erase) {
    live_blocks blocks;
    BOOST_TEST(blocks.insert(address(0x5550'1000), 3));
    BOOST_TEST(blocks.insert(address(0x5550'2000), 5));
    BOOST_TEST(blocks.size() == 2u);
    BOOST_TEST(blocks.erase(address(0x5550'1000)));
    BOOST_TEST(!blocks.erase(address(0x5550'1000)));
    BOOST_TEST(!blocks.erase(address(0x5550'3000)));
    BOOST_TEST(blocks.size() == 1u);
    BOOST_TEST(indices_of(blocks) == std::vector<std::size_t>{5});
}

BOOST_AUTO_TEST_CASE(blocks_in_neighbouring_granules_are_told_apart) {
    live_blocks blocks;
    BOOST_TEST(blocks.insert(address(0x5550'0ff0), 1));
    BOOST_TEST(blocks.insert(address(0x5550'1000), 2));
    BOOST_TEST(blocks.insert(address(0x5550'1010), 3));
    BOOST_TEST(blocks.erase(address(0x5550'1000)));
    BOOST_TEST(indices_of(blocks) == (std::vector<std::size_t>{1, 3}));
}

BOOST_AUTO_TEST_CASE(an_address_given_out_again_takes_the_later_attempt) {
    live_blocks blocks;
    BOOST_TEST(blocks.insert(address(0x5550'1000), 3));
    BOOST_TEST(blocks.insert(address(0x5550'1000), 9));
    BOOST_TEST(blocks.size() == 1u);
    BOOST_TEST(indices_of(blocks) == std::vector<std::size_t>{9});
}

BOOST_AUTO_TEST_CASE(an_address_freed_and_given_out_again_is_named_by_its_later_attempt) {
    live_blocks blocks;
    BOOST_TEST(blocks.insert(address(0x5550'1000), 0));
    BOOST_TEST(blocks.erase(address(0x5550'1000)));
    BOOST_TEST(blocks.insert(address(0x5550'2000), 1));
    BOOST_TEST(blocks.insert(address(0x5550'1000), 2));
    BOOST_TEST(indices_of(blocks) == (std::vector<std::size_t>{1, 2}));
}

BOOST_AUTO_TEST_CASE(naming_the_blocks_leaves_them_recorded) {
    live_blocks blocks;
    BOOST_TEST(blocks.insert(address(0x5550'1000), 4));
    BOOST_TEST(indices_of(blocks) == std::vector<std::size_t>{4});
    BOOST_TEST(indices_of(blocks) == std::vector<std::size_t>{4});
    BOOST_TEST(blocks.erase(address(0x5550'1000)));
    BOOST_TEST(blocks.size() == 0u);
}

BOOST_AUTO_TEST_CASE(addresses_not_a_multiple_of_16_are_tracked_too) {
    live_blocks blocks;
    BOOST_TEST(blocks.insert(address(0x5550'1000), 1));
    BOOST_TEST(blocks.insert(address(0x5550'1004), 2));
    BOOST_TEST(blocks.insert(address(0x5550'1001), 3));
    BOOST_TEST(blocks.size() == 3u);
    BOOST_TEST(blocks.erase(address(0x5550'1004)));
    BOOST_TEST(!blocks.erase(address(0x5550'1004)));
    BOOST_TEST(indices_of(blocks) == (std::vector<std::size_t>{1, 3}));
}

BOOST_AUTO_TEST_CASE(nullptr_is_not_tracked) {
    live_blocks blocks;
    BOOST_TEST(!blocks.insert(nullptr, 1));
    BOOST_TEST(blocks.size() == 0u);
}

BOOST_AUTO_TEST_CASE(blocks_megabytes_apart_each_find_their_region) {
    live_blocks blocks;
    std::vector<std::size_t> expected;
    for (std::size_t i = 0; i < 100; ++i) {  // 100 regions: the directory grows several times
        BOOST_TEST_REQUIRE(blocks.insert(address(0x7f00'0000'0000 + i * 0x50'0000 + 0x40), i));
        expected.push_back(i);
    }
    BOOST_TEST(indices_of(blocks) == expected);
    for (std::size_t i = 0; i < 100; i += 2)
        BOOST_TEST_REQUIRE(blocks.erase(address(0x7f00'0000'0000 + i * 0x50'0000 + 0x40)));
    BOOST_TEST(!blocks.erase(address(0x7f00'0000'0000 + 100 * 0x50'0000 + 0x40)));  // a region never seen
    BOOST_TEST(blocks.size() == 50u);
}

BOOST_AUTO_TEST_CASE(clear_forgets_every_block_and_attempt) {
    live_blocks blocks;
    BOOST_TEST(blocks.insert(address(0x5550'1000), 7));
    BOOST_TEST(blocks.insert(address(0x5550'1003), 8));
    blocks.clear();
    BOOST_TEST(blocks.size() == 0u);
    BOOST_TEST(!blocks.erase(address(0x5550'1000)));
    BOOST_TEST(blocks.insert(address(0x5550'2000), 0));
    BOOST_TEST(indices_of(blocks) == std::vector<std::size_t>{0});
}

BOOST_AUTO_TEST_CASE(attempts_that_gave_out_no_block_name_none) {
    live_blocks blocks;
    BOOST_TEST(blocks.insert(address(0x5550'1000), 2));
    BOOST_TEST(blocks.erase(address(0x5550'1000)));
    blocks.clear();
    BOOST_TEST(blocks.insert(address(0x5550'2000), 5));  // attempts 0 to 4 of this run gave out nothing
    BOOST_TEST(indices_of(blocks) == std::vector<std::size_t>{5});
}

BOOST_AUTO_TEST_CASE(blocks_agree_with_a_reference_map_through_random_inserts_and_erases) {
    live_blocks blocks;
    std::map<std::uintptr_t, std::size_t> reference;
    std::minstd_rand random(7);
    for (std::size_t step = 0; step < 50'000; ++step) {
        const std::uintptr_t key = 0x5550'0000 + (random() % 4096) * (random() % 4 == 0 ? 8 : 16);
        if (random() % 3 != 0) {
            BOOST_TEST_REQUIRE(blocks.insert(address(key), step));
            reference[key] = step;
        } else {
            BOOST_TEST_REQUIRE(blocks.erase(address(key)) == (reference.erase(key) == 1));
        }
        BOOST_TEST_REQUIRE(blocks.size() == reference.size());
    }
    BOOST_TEST(indices_of(blocks) == indices_of(reference));
}

BOOST_AUTO_TEST_CASE(the_two_leaves_reached_last_forget_their_blocks_inline_and_a_third_does_not) {
    live_blocks blocks;
    constexpr std::uintptr_t edge = 0x5580'0000;  // a multiple of 4 MiB: two regions meet here
    BOOST_TEST(blocks.insert(address(edge - 0x40), 0));
    BOOST_TEST(blocks.insert(address(edge + 0x40), 1));
    BOOST_TEST(blocks.insert(address(edge - 0x80), 2));
    BOOST_TEST(blocks.erase_in_cached_leaf(address(edge + 0x40)));  // either side of the edge
    BOOST_TEST(blocks.erase_in_cached_leaf(address(edge - 0x40)));
    BOOST_TEST(!blocks.erase_in_cached_leaf(address(edge - 0x40)));  // forgotten already
    BOOST_TEST(blocks.insert(address(edge + 0x80'0040), 3));  // a third region: the one below the edge leaves the cache
    BOOST_TEST(!blocks.erase_in_cached_leaf(address(edge - 0x80)));
    BOOST_TEST(blocks.size() == 2u);  // a block erase_in_cached_leaf() does not find stays recorded
    BOOST_TEST(blocks.erase(address(edge - 0x80)));
    BOOST_TEST(indices_of(blocks) == std::vector<std::size_t>{3});
}

BOOST_AUTO_TEST_CASE(a_block_in_a_cached_leaf_whose_attempt_is_the_log_next_place_is_recorded_inline) {
    live_blocks blocks;
    BOOST_TEST(blocks.insert(address(0x5550'0000), 0));  // makes the region's leaf, reached last
    BOOST_TEST(blocks.insert_in_cached_leaf(address(0x5550'0040), 1));
    BOOST_TEST(blocks.insert_in_cached_leaf(address(0x5550'0000), 2));  // given out again: the later attempt
    BOOST_TEST(blocks.size() == 2u);
    BOOST_TEST(indices_of(blocks) == (std::vector<std::size_t>{1, 2}));
}

BOOST_AUTO_TEST_CASE(a_block_that_needs_a_call_to_be_recorded_is_left_to_insert_unrecorded) {
    live_blocks blocks;
    BOOST_TEST(!blocks.insert_in_cached_leaf(address(0x5550'0000), 0));  // no leaf yet
    BOOST_TEST(blocks.size() == 0u);
    BOOST_TEST(blocks.insert(address(0x5550'0000), 0));
    BOOST_TEST(!blocks.insert_in_cached_leaf(address(0x5550'0008), 1));  // not a multiple of 16
    BOOST_TEST(!blocks.insert_in_cached_leaf(nullptr, 1));
    BOOST_TEST(!blocks.insert_in_cached_leaf(address(0x5650'0000), 1));  // a region not reached yet
    BOOST_TEST(!blocks.insert_in_cached_leaf(address(0x5550'0010), 5));  // attempts 1 to 4 not logged
    BOOST_TEST(blocks.size() == 1u);
    BOOST_TEST(indices_of(blocks) == std::vector<std::size_t>{0});
}

BOOST_AUTO_TEST_CASE(a_block_whose_attempt_needs_the_log_to_grow_is_left_to_insert) {
    live_blocks blocks;
    constexpr std::uintptr_t base = 0x5550'0000;
    BOOST_TEST(blocks.insert(address(base), 0));
    std::size_t index = 1;
    while (blocks.insert_in_cached_leaf(address(base + index * 16), index))
        ++index;
    BOOST_TEST(index == 1024u);  // the log's room before it first grows
    BOOST_TEST(blocks.size() == 1024u);
    BOOST_TEST(blocks.insert(address(base + index * 16), index));  // grows the log
    BOOST_TEST(blocks.insert_in_cached_leaf(address(base + (index + 1) * 16), index + 1));
    BOOST_TEST(blocks.size() == 1026u);
}

BOOST_AUTO_TEST_CASE(blocks_across_three_regions_agree_with_a_reference_map_when_recorded_and_freed_as_the_owner_does) {
    live_blocks blocks;
    std::map<std::uintptr_t, std::size_t> reference;
    std::minstd_rand random(11);
    constexpr std::uintptr_t edge = 0x5580'0000;
    for (std::size_t step = 0; step < 50'000; ++step) {
        // granules on both sides of one edge, and in a region 8 MiB away
        const std::uintptr_t region = random() % 3;
        const std::uintptr_t key = (region == 2 ? edge + 0x80'0000 : edge - region * 0x1000) + (random() % 256) * 16;
        if (random() % 3 != 0) {  // as block_table::owner_record: inline first, then insert()
            const bool inserted = blocks.insert_in_cached_leaf(address(key), step) || blocks.insert(address(key), step);
            BOOST_TEST_REQUIRE(inserted);
            reference[key] = step;
        } else {  // as block_table::owner_forget: the cached leaves first, then the lookup
            const bool erased = blocks.erase_in_cached_leaf(address(key)) || blocks.erase(address(key));
            BOOST_TEST_REQUIRE(erased == (reference.erase(key) == 1));
        }
        BOOST_TEST_REQUIRE(blocks.size() == reference.size());
    }
    BOOST_TEST(indices_of(blocks) == indices_of(reference));
}

// ---- the release checks' slots ----

using release_state = live_blocks::release_state;

BOOST_AUTO_TEST_CASE(a_live_block_released_gives_its_code_and_a_second_release_names_its_attempt) {
    live_blocks blocks;
    const auto code = alloc_chaos::detail::release_code_of(alloc_chaos::operation::operator_new, 48, 16);
    BOOST_TEST_REQUIRE(blocks.insert(address(0x5550'0040), 3, code));
    const release_state first = blocks.release_checked(address(0x5550'0040));
    BOOST_TEST((first.state == release_state::live));
    BOOST_TEST(first.code == code);
    const release_state second = blocks.release_checked(address(0x5550'0040));
    BOOST_TEST((second.state == release_state::released_before));
    BOOST_TEST(second.index == 3u);
}

BOOST_AUTO_TEST_CASE(a_released_block_given_out_unobserved_is_unknown_again) {
    live_blocks blocks;
    BOOST_TEST_REQUIRE(blocks.insert(address(0x5550'0040), 0));
    (void)blocks.release_checked(address(0x5550'0040));
    blocks.given_out_unobserved(address(0x5550'0040));
    BOOST_TEST((blocks.release_checked(address(0x5550'0040)).state == release_state::unknown));
}

BOOST_AUTO_TEST_CASE(a_slot_released_in_an_earlier_run_is_unknown_after_clear) {
    live_blocks blocks;
    BOOST_TEST_REQUIRE(blocks.insert(address(0x5550'0040), 0));
    (void)blocks.release_checked(address(0x5550'0040));
    blocks.clear();
    BOOST_TEST((blocks.release_checked(address(0x5550'0040)).state == release_state::unknown));
}

BOOST_AUTO_TEST_CASE(a_release_code_matches_only_its_own_family_size_and_alignment) {
    using alloc_chaos::block_shape;
    using alloc_chaos::release_function;
    using alloc_chaos::detail::release_code_matches;
    const auto code = alloc_chaos::detail::release_code_of(alloc_chaos::operation::operator_new, 48, 64);
    BOOST_TEST(release_code_matches(code, release_function::operator_delete, block_shape{48, 64}));
    BOOST_TEST(release_code_matches(code, release_function::operator_delete, block_shape{0, 64}));
    BOOST_TEST(!release_code_matches(code, release_function::operator_delete, block_shape{48, 0}));
    BOOST_TEST(!release_code_matches(code, release_function::operator_delete, block_shape{32, 64}));
    BOOST_TEST(!release_code_matches(code, release_function::operator_delete_array, block_shape{48, 64}));
    BOOST_TEST(!release_code_matches(code, release_function::free, block_shape{}));
    BOOST_TEST(release_code_matches(alloc_chaos::detail::unchecked_block, release_function::free, block_shape{}));
}
