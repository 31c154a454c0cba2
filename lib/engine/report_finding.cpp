#include <alloc_chaos/source.hpp>

#include "engine.hpp"

#include <string>

namespace alloc_chaos {

bool report_finding(finding_kind kind, std::optional<allocation> concerned, std::string_view message) noexcept {
    detail::run_state* run = detail::current_run_state;
    return run != nullptr &&
           detail::record_finding(*run, [&] { return finding(kind, concerned, std::string(message)); });
}

}  // namespace alloc_chaos
