#define BOOST_TEST_MODULE finding
#include <boost/test/unit_test.hpp>

#include <alloc_chaos/alloc_chaos.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

using alloc_chaos::allocation;
using alloc_chaos::finding;
using alloc_chaos::finding_kind;
using alloc_chaos::operation;
using alloc_chaos::outcome;

namespace {

template <class T>
std::string streamed(const T& value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

const allocation block_3(3, operation::operator_new, 64, 16, false);

}  // namespace

// ---- finding_kind ----

BOOST_AUTO_TEST_CASE(to_string_names_every_finding_kind) {
    BOOST_TEST(to_string(finding_kind::leak) == "leak");
    BOOST_TEST(to_string(finding_kind::double_free) == "double free");
    BOOST_TEST(to_string(finding_kind::size_mismatch) == "size mismatch");
    BOOST_TEST(to_string(finding_kind::alignment_mismatch) == "alignment mismatch");
    BOOST_TEST(to_string(finding_kind::foreign_pointer) == "foreign pointer");
    BOOST_TEST(to_string(finding_kind::overrun) == "overrun");
    BOOST_TEST(to_string(finding_kind::divergence) == "divergence");
    BOOST_TEST(to_string(finding_kind::broken_guarantee) == "broken guarantee");
    BOOST_TEST(to_string(finding_kind::forbidden_allocation) == "forbidden allocation");
    BOOST_TEST(to_string(finding_kind::mismatched_deallocation) == "mismatched deallocation");
}

BOOST_AUTO_TEST_CASE(to_string_of_a_value_that_is_no_finding_kind_says_unknown_finding) {
    BOOST_TEST(to_string(static_cast<finding_kind>(99)) == "unknown finding");
}

BOOST_AUTO_TEST_CASE(a_finding_kind_streams_as_its_name) {
    BOOST_TEST(streamed(finding_kind::leak) == "leak");
    BOOST_TEST(streamed(finding_kind::alignment_mismatch) == "alignment mismatch");
    BOOST_TEST(streamed(finding_kind::broken_guarantee) == "broken guarantee");
}

// ---- finding ----

BOOST_AUTO_TEST_CASE(a_finding_keeps_its_kind_allocation_and_message) {
    const finding f(finding_kind::leak, block_3, "the block of #3 operator new size=64 align=16 is still live");
    BOOST_TEST(f.kind() == finding_kind::leak);
    BOOST_TEST_REQUIRE(f.allocation().has_value());
    BOOST_TEST((*f.allocation() == block_3));
    BOOST_TEST(f.message() == "the block of #3 operator new size=64 align=16 is still live");
}

BOOST_AUTO_TEST_CASE(a_finding_may_concern_no_allocation) {
    const finding f(finding_kind::divergence, std::nullopt, "the baseline made 3 attempts, this run only 2");
    BOOST_TEST(f.kind() == finding_kind::divergence);
    BOOST_TEST(!f.allocation().has_value());
    BOOST_TEST(f.message() == "the baseline made 3 attempts, this run only 2");
}

BOOST_AUTO_TEST_CASE(a_finding_streams_as_its_kind_a_colon_and_its_message) {
    BOOST_TEST(streamed(finding(finding_kind::double_free, block_3, "#3 released twice")) ==
               "double free: #3 released twice");
    BOOST_TEST(streamed(finding(finding_kind::overrun, std::nullopt, "")) == "overrun: ");
}

BOOST_AUTO_TEST_CASE(a_finding_is_a_copyable_value) {
    static_assert(std::is_copy_constructible_v<finding> && std::is_copy_assignable_v<finding>);
    const finding original(finding_kind::size_mismatch, block_3, "released with size=32");
    finding copy(finding_kind::leak, std::nullopt, "");
    copy = original;
    BOOST_TEST(copy.kind() == finding_kind::size_mismatch);
    BOOST_TEST((copy.allocation() == original.allocation()));
    BOOST_TEST(copy.message() == "released with size=32");
}

// ---- findings in the report's values ----

BOOST_AUTO_TEST_CASE(a_baseline_run_has_no_findings_unless_given) {
    BOOST_TEST(alloc_chaos::baseline_run().findings().empty());
    BOOST_TEST(alloc_chaos::baseline_run(2, outcome::completed, "").findings().empty());
}

BOOST_AUTO_TEST_CASE(a_baseline_run_returns_its_findings_in_order) {
    const alloc_chaos::baseline_run b(4, outcome::completed, "",
                                      {finding(finding_kind::leak, block_3, "first"),
                                       finding(finding_kind::overrun, std::nullopt, "second")});
    BOOST_TEST_REQUIRE(b.findings().size() == 2u);
    BOOST_TEST(b.findings()[0].kind() == finding_kind::leak);
    BOOST_TEST(b.findings()[0].message() == "first");
    BOOST_TEST(b.findings()[1].kind() == finding_kind::overrun);
    BOOST_TEST(b.findings()[1].message() == "second");
}

BOOST_AUTO_TEST_CASE(an_attempt_returns_its_findings_in_order) {
    const alloc_chaos::attempt a(5, 6, allocation(5, operation::operator_new, 8, 16, false), outcome::bad_alloc, "",
                                 {finding(finding_kind::leak, block_3, "first"),
                                  finding(finding_kind::broken_guarantee, std::nullopt, "second")});
    BOOST_TEST_REQUIRE(a.findings().size() == 2u);
    BOOST_TEST(a.findings()[0].kind() == finding_kind::leak);
    BOOST_TEST((a.findings()[0].allocation() == block_3));
    BOOST_TEST(a.findings()[1].kind() == finding_kind::broken_guarantee);
}

BOOST_AUTO_TEST_CASE(an_injected_attempt_ending_in_bad_alloc_is_a_success_only_without_findings) {
    const allocation failed(5, operation::operator_new, 8, 16, false);
    BOOST_TEST(alloc_chaos::attempt(5, 6, failed, outcome::bad_alloc, "").success());
    BOOST_TEST(!alloc_chaos::attempt(5, 6, failed, outcome::bad_alloc, "",
                                     {finding(finding_kind::leak, block_3, "leaked")})
                    .success());
}

BOOST_AUTO_TEST_CASE(an_injected_attempt_that_completed_is_a_success_only_without_findings) {
    const allocation failed(5, operation::operator_new, 8, 16, false);
    BOOST_TEST(alloc_chaos::attempt(5, 6, failed, outcome::completed, "").success());
    BOOST_TEST(!alloc_chaos::attempt(5, 6, failed, outcome::completed, "",
                                     {finding(finding_kind::divergence, std::nullopt, "diverged")})
                    .success());
}

// ---- facts ----

BOOST_AUTO_TEST_CASE(a_finding_told_in_words_has_no_facts) {
    const finding f(finding_kind::broken_guarantee, block_3, "the vector changed");
    BOOST_TEST((f.facts() == alloc_chaos::finding_facts{}));
    BOOST_TEST(f.message() == "the vector changed");
}

BOOST_AUTO_TEST_CASE(a_size_mismatch_told_by_its_facts_keeps_them_and_writes_its_message) {
    alloc_chaos::finding_facts facts;
    facts.released = alloc_chaos::block_shape{32, 8};
    facts.allocated = alloc_chaos::block_shape{64, 8};
    const allocation by(1, operation::resource_allocate, 64, 8, false);
    const finding f(finding_kind::size_mismatch, by, facts);
    BOOST_TEST(f.facts().released->size == 32u);
    BOOST_TEST(f.facts().allocated->size == 64u);
    BOOST_TEST(f.message() ==
               "chaos_memory_resource::deallocate(p, 32, 8) of the block of #1 resource allocate size=64 align=8: "
               "pass the size given to allocate; the block was released with size=64");
}

BOOST_AUTO_TEST_CASE(a_double_free_of_a_block_allocated_unobserved_names_the_block_by_its_shape) {
    alloc_chaos::finding_facts facts;
    facts.released = alloc_chaos::block_shape{48, 16};
    facts.allocated = alloc_chaos::block_shape{48, 16};
    const finding f(finding_kind::double_free, std::nullopt, facts);
    BOOST_TEST(f.message() == "chaos_memory_resource::deallocate(p, 48, 16): the block of size=48 align=16 "
                              "(allocated unobserved) was already released; it was not released again");
}

BOOST_AUTO_TEST_CASE(a_mismatched_deallocation_names_the_call_and_the_release_that_matches) {
    alloc_chaos::finding_facts facts;
    facts.released = alloc_chaos::block_shape{0, 0};
    facts.released_by = alloc_chaos::release_function::operator_delete;
    facts.allocated = alloc_chaos::block_shape{40, 16};
    facts.allocated_by = operation::operator_new_array;
    const allocation by(2, operation::operator_new_array, 40, 16, false);
    const finding f(finding_kind::mismatched_deallocation, by, facts);
    BOOST_TEST(f.message() == "operator delete(p) of the block of #2 operator new[] size=40 align=16: "
                              "release it with operator delete[]");
}

BOOST_AUTO_TEST_CASE(a_mismatched_free_of_a_block_allocated_unobserved_names_its_operation) {
    alloc_chaos::finding_facts facts;
    facts.released = alloc_chaos::block_shape{0, 0};
    facts.released_by = alloc_chaos::release_function::free;
    facts.allocated = alloc_chaos::block_shape{24, 16};
    facts.allocated_by = operation::operator_new;
    const finding f(finding_kind::mismatched_deallocation, std::nullopt, facts);
    BOOST_TEST(f.message() == "free(p) of the block of size=24 align=16 (allocated unobserved) from operator new: "
                              "release it with operator delete");
}

BOOST_AUTO_TEST_CASE(a_sized_aligned_delete_is_named_with_its_arguments) {
    alloc_chaos::finding_facts facts;
    facts.released = alloc_chaos::block_shape{32, 64};
    facts.released_by = alloc_chaos::release_function::operator_delete;
    facts.allocated = alloc_chaos::block_shape{48, 64};
    const allocation by(0, operation::operator_new, 48, 64, false);
    const finding f(finding_kind::size_mismatch, by, facts);
    BOOST_TEST(f.message() == "operator delete(p, 32, std::align_val_t(64)) of the block of #0 operator new size=48 "
                              "align=64: pass the size given to allocate; the block was released with size=48");
}

BOOST_AUTO_TEST_CASE(an_allocator_size_mismatch_names_n_times_sizeof_t_and_asks_for_the_n_given_to_allocate) {
    alloc_chaos::finding_facts facts;
    facts.released = alloc_chaos::block_shape{16, 8};
    facts.released_by = alloc_chaos::release_function::allocator_deallocate;
    facts.allocated = alloc_chaos::block_shape{24, 8};
    const allocation by(4, operation::allocator_allocate, 24, 8, false);
    const finding f(finding_kind::size_mismatch, by, facts);
    BOOST_TEST(f.message() == "allocator<T>::deallocate(p, n) for n * sizeof(T) = 16 bytes, of the block of #4 "
                              "allocator allocate size=24 align=8: pass the n given to allocate; the block was "
                              "released with size=24");
}

BOOST_AUTO_TEST_CASE(an_allocator_foreign_pointer_says_to_deallocate_only_what_allocate_returned) {
    alloc_chaos::finding_facts facts;
    facts.released = alloc_chaos::block_shape{24, 8};
    facts.released_by = alloc_chaos::release_function::allocator_deallocate;
    const finding f(finding_kind::foreign_pointer, std::nullopt, facts);
    BOOST_TEST(f.message() == "allocator<T>::deallocate(p, n) for n * sizeof(T) = 24 bytes: p was never given out "
                              "by an allocator<T>, so it was not released; deallocate only what allocate returned");
}

BOOST_AUTO_TEST_CASE(an_allocator_overrun_says_to_write_within_the_n_objects) {
    alloc_chaos::finding_facts facts;
    facts.released = alloc_chaos::block_shape{10, 1};
    facts.released_by = alloc_chaos::release_function::allocator_deallocate;
    facts.allocated = alloc_chaos::block_shape{10, 1};
    facts.offset = 12;
    const finding f(finding_kind::overrun, std::nullopt, facts);
    BOOST_TEST(f.message() == "allocator<T>::deallocate(p, n) for n * sizeof(T) = 10 bytes: the block of size=10 "
                              "align=1 (allocated unobserved) was written past its end, at offset 12; write only "
                              "within the n objects given to allocate");
}

BOOST_AUTO_TEST_CASE(a_leak_whose_attempt_was_not_logged_names_its_index) {
    alloc_chaos::finding_facts facts;
    facts.index = 7;
    const finding f(finding_kind::leak, std::nullopt, facts);
    BOOST_TEST(f.message() == "the block of #7 is still live after the run");
}

BOOST_AUTO_TEST_CASE(a_divergence_by_count_names_both_counts) {
    alloc_chaos::finding_facts facts;
    facts.baseline_attempts = 3;
    facts.run_attempts = 1;
    const finding f(finding_kind::divergence, std::nullopt, facts);
    BOOST_TEST(f.message() == "the baseline made 3 attempts, this run only 1");
}

BOOST_AUTO_TEST_CASE(a_size_mismatch_in_a_run_has_the_sizes_as_facts) {
    alloc_chaos::chaos_memory_resource resource;
    const alloc_chaos::report r = alloc_chaos::check([&] {
        void* p = resource.allocate(64, 8);
        resource.deallocate(p, 32, 8);
    });
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::size_mismatch);
    BOOST_TEST((found[0].facts().released == alloc_chaos::block_shape{32, 8}));
    BOOST_TEST((found[0].facts().allocated == alloc_chaos::block_shape{64, 8}));
    BOOST_TEST(!found[0].facts().offset);
}

BOOST_AUTO_TEST_CASE(an_overrun_in_a_run_has_its_offset_as_a_fact) {
    alloc_chaos::chaos_memory_resource resource;
    const alloc_chaos::report r = alloc_chaos::check([&] {
        auto* p = static_cast<unsigned char*>(resource.allocate(40, 8));
        p[42] = 0;
        resource.deallocate(p, 40, 8);
    });
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::overrun);
    BOOST_TEST((found[0].facts().offset == std::optional<std::size_t>(42)));
    BOOST_TEST((found[0].facts().released == alloc_chaos::block_shape{40, 8}));
}

BOOST_AUTO_TEST_CASE(a_foreign_pointer_in_a_run_has_only_what_the_deallocation_passed) {
    alloc_chaos::chaos_memory_resource resource;
    alignas(16) static unsigned char not_from_it[32];
    const alloc_chaos::report r = alloc_chaos::check([&] {
        resource.deallocate(resource.allocate(8, 8), 8, 8);
        resource.deallocate(not_from_it, 32, 16);
    });
    const auto found = r.baseline().findings();
    BOOST_TEST_REQUIRE(found.size() == 1u);
    BOOST_TEST(found[0].kind() == finding_kind::foreign_pointer);
    BOOST_TEST((found[0].facts().released == alloc_chaos::block_shape{32, 16}));
    BOOST_TEST(!found[0].facts().allocated);
}
