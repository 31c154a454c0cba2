#include <alloc_chaos/attempts_of.hpp>

#include "../engine/engine.hpp"

#include <sstream>

namespace alloc_chaos::detail {

namespace {

std::vector<allocation> attempts_made(body_ref body, const char* call) {
    active_check active(call);
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

}  // namespace

std::vector<allocation> attempts_of(body_ref body) { return attempts_made(body, "alloc_chaos::attempts_of"); }

void assert_no_allocation(body_ref body) {
    const std::vector<allocation> made = attempts_made(body, "alloc_chaos::assert_no_allocation");
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
