#ifndef ALLOC_CHAOS_RUN_ATTACHMENT_HPP
#define ALLOC_CHAOS_RUN_ATTACHMENT_HPP

// Bytes an integration attaches to a run from inside the body, and reads back from the run's
// entry in the report (attempt::attachment, baseline_run::attachment): what a run in a worker
// process logged to its copy of a test framework, say, for the calling process to log. The
// checker only carries them, across the process boundary too.

#include <string_view>

namespace alloc_chaos {

// Makes `bytes` the attachment of the run in progress on this thread, replacing an earlier one;
// outside a check's runs (and in a warm-up run), does nothing. Unobserved.
void attach_to_run(std::string_view bytes);

}  // namespace alloc_chaos

#endif
