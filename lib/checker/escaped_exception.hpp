#ifndef ALLOC_CHAOS_LIB_ESCAPED_EXCEPTION_HPP
#define ALLOC_CHAOS_LIB_ESCAPED_EXCEPTION_HPP

// The message of an exception that escaped a run's body, as its report shows it.

#include <exception>
#include <string>

namespace alloc_chaos::detail {

// what(), then the what() of each exception nested in it (std::throw_with_nested), outermost
// first: "cannot load the index; caused by: alloc-chaos injected failure of attempt #2 ...".
std::string escaped_message(const std::exception& escaped);

// For an exception not derived from std::exception, called in its handler: "an exception of type
// parse_error, not derived from std::exception", its type demangled ("an exception not derived from
// std::exception" when the C++ runtime cannot name it).
std::string escaped_foreign_message();

}  // namespace alloc_chaos::detail

#endif
