// Naming what escaped a body. The type of an exception that is no std::exception comes from the
// Itanium C++ ABI that GCC and Clang follow (abi::__cxa_current_exception_type).

#include "escaped_exception.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace alloc_chaos::detail {

namespace {

// The demangled name of the exception being handled; empty when the runtime cannot say.
std::string current_exception_type() {
    const std::type_info* type = abi::__cxa_current_exception_type();
    if (type == nullptr)
        return {};
    int status = 0;
    const std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type->name(), nullptr, nullptr, &status),
                                                      std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(type->name());
}

}  // namespace

std::string escaped_message(const std::exception& escaped) {
    std::string message = escaped.what();
    try {
        std::rethrow_if_nested(escaped);
    } catch (const std::exception& cause) {
        message.append("; caused by: ").append(escaped_message(cause));
    } catch (...) {
        message.append("; caused by: ").append(escaped_foreign_message());
    }
    return message;
}

std::string escaped_foreign_message() {
    const std::string type = current_exception_type();
    if (type.empty())
        return "an exception not derived from std::exception";
    return "an exception of type " + type + ", not derived from std::exception";
}

}  // namespace alloc_chaos::detail
