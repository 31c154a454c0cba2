#include <alloc_chaos/forbid_allocations.hpp>

#include "engine.hpp"

#include <sstream>

namespace alloc_chaos::detail {

std::vector<allocation> attempts_of(body_ref body) {
    active_check active;
    signature_log log;
    run_state run;
    run.signatures = &log;
    {
        observation observed(run);
        body();
    }
    std::vector<allocation> made;
    made.reserve(log.size());
    for (std::size_t i = 0; i < log.size(); ++i)
        made.push_back(log.find(i)->at(i));
    return made;
}

void assert_no_allocation(body_ref body) {
    const std::vector<allocation> made = attempts_of(body);
    if (made.empty())
        return;
    std::ostringstream message;
    message << "alloc_chaos::assert_no_allocation: the callable made " << made.size() << " allocation attempt"
            << (made.size() == 1 ? "" : "s") << ":";
    for (const allocation& a : made)
        message << (a.index() == 0 ? " " : ", ") << a;
    throw check_failed(message.str());
}

}  // namespace alloc_chaos::detail
