#ifndef ALLOC_CHAOS_DETAIL_ABANDON_CHECK_HPP
#define ALLOC_CHAOS_DETAIL_ABANDON_CHECK_HPP

// For integrations whose framework may leave a body by longjmp (Boost.Test's timeouts).

namespace alloc_chaos::detail {

// Forgets the check this thread was running when it was left without unwinding (a longjmp out
// of a signal handler): its runs are no longer observed, its worker processes are ended, and a
// new check may start.
void abandon_check() noexcept;

}  // namespace alloc_chaos::detail

#endif
