#ifndef ALLOC_CHAOS_LIB_MEMBARRIER_HPP
#define ALLOC_CHAOS_LIB_MEMBARRIER_HPP

// Linux's membarrier(2) with MEMBARRIER_CMD_PRIVATE_EXPEDITED: a full memory barrier run on every
// thread of this process, which lets one side of a lock skip its own fence (owner_biased_lock).

namespace alloc_chaos::detail {

// Whether this process may use it: the kernel has it, lets this process register for it, and
// serves a first barrier. Any refusal (ENOSYS before Linux 4.14 or in a sandbox, EINVAL without
// CONFIG_MEMBARRIER, EPERM from a seccomp profile) and any other platform mean no.
bool process_membarrier_works() noexcept;

// One barrier on every thread of this process, once process_membarrier_works() said yes. The
// kernel documents no failure once registered; were one to happen anyway, it registers again (the
// registration is idempotent) and retries, and returns false only when that fails too.
bool process_membarrier() noexcept;

}  // namespace alloc_chaos::detail

#endif
