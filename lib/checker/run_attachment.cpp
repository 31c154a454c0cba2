#include <alloc_chaos/run_attachment.hpp>

#include "check_runs.hpp"

#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/source.hpp>

#include <string>

namespace alloc_chaos {

namespace {

// What attach_to_run left on the run in progress on this thread, until the run's entry takes it.
thread_local std::string attached;

}  // namespace

void attach_to_run(std::string_view bytes) {
    if (!current_run())
        return;
    unobserved attaching;
    attached.assign(bytes);
}

std::string detail::take_run_attachment() noexcept {
    std::string taken;
    taken.swap(attached);
    return taken;
}

}  // namespace alloc_chaos
