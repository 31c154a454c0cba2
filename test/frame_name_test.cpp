#define BOOST_TEST_MODULE frame_name
#include <boost/test/unit_test.hpp>

#include "../lib/report/frame_name.hpp"

#include <string>

using alloc_chaos::detail::canonical_function_name;
using alloc_chaos::detail::short_function_name;

namespace {

// The demangled names GCC 12 gives std::string, its vector and a map of both.
const std::string string_type = "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >";
const std::string vector_type = "std::vector<" + string_type + ", std::allocator<" + string_type + " > >";
const std::string map_type = "std::map<" + string_type + ", " + vector_type + ", std::less<" + string_type +
                             " >, std::allocator<std::pair<" + string_type + " const, " + vector_type + " > > >";

}  // namespace

// ---- the canonical name: rules 1 to 3 ----

BOOST_AUTO_TEST_CASE(a_string_is_named_std_string) {
    BOOST_TEST(canonical_function_name(string_type + "::_M_create(unsigned long&, unsigned long)") ==
               "std::string::_M_create(unsigned long&, unsigned long)");
}

BOOST_AUTO_TEST_CASE(libcxx_inline_namespace_and_abi_tags_are_dropped) {
    BOOST_TEST(canonical_function_name("std::__1::basic_string<char, std::__1::char_traits<char>, "
                                       "std::__1::allocator<char> >::append(char const*)") ==
               "std::string::append(char const*)");
    BOOST_TEST(canonical_function_name("name[abi:cxx11]()") == "name()");
}

BOOST_AUTO_TEST_CASE(default_allocator_and_comparator_arguments_are_dropped) {
    BOOST_TEST(canonical_function_name(map_type + "::operator[](" + string_type + "&&)") ==
               "std::map<std::string, std::vector<std::string>>::operator[](std::string&&)");
}

BOOST_AUTO_TEST_CASE(a_first_argument_is_never_dropped) {
    BOOST_TEST(canonical_function_name("std::allocator_traits<std::allocator<char> >::allocate(std::allocator<char>&, "
                                       "unsigned long)") ==
               "std::allocator_traits<std::allocator<char>>::allocate(std::allocator<char>&, unsigned long)");
}

BOOST_AUTO_TEST_CASE(stream_types_get_their_standard_names) {
    BOOST_TEST(canonical_function_name("operator<<(std::basic_ostream<char, std::char_traits<char> >&, int)") ==
               "operator<<(std::ostream&, int)");
}

// ---- the short name: rules 4 and 5 ----

BOOST_AUTO_TEST_CASE(a_function_template_loses_its_return_type_and_its_own_arguments) {
    BOOST_TEST(short_function_name("void " + vector_type + "::_M_realloc_insert<" + string_type +
                                   " >(__gnu_cxx::__normal_iterator<" + string_type + "*, " + vector_type + " >, " +
                                   string_type + "&&)") ==
               "std::vector<std::string>::_M_realloc_insert<\u2026>(__gnu_cxx::__normal_iterator<\u2026>, "
               "std::string&&)");
}

BOOST_AUTO_TEST_CASE(a_class_template_keeps_a_short_flat_argument_list) {
    BOOST_TEST(short_function_name("std::__new_allocator<char>::allocate(unsigned long, void const*)") ==
               "std::__new_allocator<char>::allocate(unsigned long, void const*)");
    BOOST_TEST(short_function_name(vector_type + "::push_back(" + string_type + "&&)") ==
               "std::vector<std::string>::push_back(std::string&&)");
}

BOOST_AUTO_TEST_CASE(a_nested_argument_list_becomes_an_ellipsis) {
    BOOST_TEST(short_function_name(map_type + "::operator[](" + string_type + "&&)") ==
               "std::map<\u2026>::operator[](std::string&&)");
}

BOOST_AUTO_TEST_CASE(an_argument_list_longer_than_32_characters_becomes_an_ellipsis) {
    BOOST_TEST(short_function_name("f(table<first_long_argument, second_long_argument>&)") == "f(table<\u2026>&)");
    BOOST_TEST(short_function_name("f(table<first_argument, second_argument>&)") ==
               "f(table<first_argument, second_argument>&)");
}

BOOST_AUTO_TEST_CASE(a_parameter_type_is_shortened_like_the_name) {
    BOOST_TEST(short_function_name("add_greeting(std::map<" + string_type + ", " + string_type + ", std::less<" +
                                   string_type + " >, std::allocator<std::pair<" + string_type + " const, " +
                                   string_type + " > > >&, " + string_type + " const&)") ==
               "add_greeting(std::map<std::string, std::string>&, std::string const&)");
}

BOOST_AUTO_TEST_CASE(a_pointer_return_type_is_dropped_too) {
    BOOST_TEST(short_function_name("std::_Rb_tree_node<int>* std::_Rb_tree<int, int, std::_Identity<int>, "
                                   "std::less<int>, std::allocator<int> >::_M_create_node<int const&>(int const&)") ==
               "std::_Rb_tree<\u2026>::_M_create_node<\u2026>(int const&)");
}

BOOST_AUTO_TEST_CASE(plain_names_lambdas_and_operators_are_kept) {
    BOOST_TEST(short_function_name("main") == "main");
    BOOST_TEST(short_function_name("(anonymous namespace)::fill(std::vector<int, std::allocator<int> >&)") ==
               "(anonymous namespace)::fill(std::vector<int>&)");
    BOOST_TEST(short_function_name("add_entries()::{lambda()#1}::operator()() const") ==
               "add_entries()::{lambda()#1}::operator()() const");
    BOOST_TEST(short_function_name("operator new(unsigned long)") == "operator new(unsigned long)");
    BOOST_TEST(short_function_name("bool operator< <int>(box<int> const&, box<int> const&)") ==
               "operator< <\u2026>(box<int> const&, box<int> const&)");
    BOOST_TEST(short_function_name("operator()") == "operator()");
}

BOOST_AUTO_TEST_CASE(a_clone_suffix_and_qualifiers_are_kept) {
    BOOST_TEST(short_function_name("void std::vector<int, std::allocator<int> >::_M_realloc_insert<int>(int&&) "
                                   "[clone .isra.0]") ==
               "std::vector<int>::_M_realloc_insert<\u2026>(int&&) [clone .isra.0]");
}
