#ifndef ALLOC_CHAOS_LIB_FRAME_NAME_HPP
#define ALLOC_CHAOS_LIB_FRAME_NAME_HPP

// A stack frame's function as the folded text report names it: short enough for one line.
//
// The rules, applied in this order to the demangled name:
//  1. Inline ABI namespaces go: "std::__cxx11::" and libc++'s "std::__1::" become "std::", and
//     "[abi:cxx11]" tags are dropped.
//  2. In every template argument list, trailing arguments that are the standard defaults'
//     templates (std::allocator<…>, std::char_traits<…>, std::less<…>, std::hash<…>,
//     std::equal_to<…>, std::default_delete<…>) are dropped, never the first argument; lists
//     end in ">>", not "> >".
//  3. Known expansions get their standard names: std::basic_string<char> is std::string, and
//     likewise std::wstring, std::string_view, std::ostream, std::istream, std::iostream,
//     std::ostringstream, std::istringstream, std::stringstream.
//  4. A leading return type is dropped ("void std::vector<int>::push_back(int&&)" names
//     "std::vector<int>::push_back(int&&)").
//  5. Template argument lists outside any other list: the function's own (the last name before the
//     parameter list, or the end) always becomes "<…>"; any other (a class template's, a
//     parameter type's) is kept when it holds no further list and is at most 32 characters long,
//     else it becomes "<…>".
// Parameter lists, qualifiers (" const") and clone suffixes (" [clone .isra.0]") are kept, with
// their types shortened by the same rules. "operator<", "operator<<", "operator()" and the like
// are names, not lists.
//
// "void std::vector<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >,
// std::allocator<...> >::_M_realloc_insert<std::__cxx11::basic_string<...> >(...)" becomes
// "std::vector<std::string>::_M_realloc_insert<…>(__gnu_cxx::__normal_iterator<…>, std::string&&)".

#include <string>
#include <string_view>

namespace alloc_chaos::detail {

// Rules 1 to 3: the demangled name, with nothing abbreviated: "std::map<std::string, int>".
std::string canonical_function_name(std::string_view demangled);

// Rules 1 to 5: the name a folded stack shows.
std::string short_function_name(std::string_view demangled);

// The short name without its parameter list and what follows it: "std::map<…>::operator[]".
std::string short_qualified_name(std::string_view demangled);

}  // namespace alloc_chaos::detail

#endif
