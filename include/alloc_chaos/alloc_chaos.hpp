#ifndef ALLOC_CHAOS_ALLOC_CHAOS_HPP
#define ALLOC_CHAOS_ALLOC_CHAOS_HPP

// The whole core of alloc-chaos.
#include <alloc_chaos/detail/config.hpp>  // ALLOC_CHAOS_VERSION_*
#include <alloc_chaos/allocation.hpp>
#include <alloc_chaos/allocator.hpp>
#include <alloc_chaos/chaos_memory_resource.hpp>
#include <alloc_chaos/attempts_of.hpp>
#include <alloc_chaos/checker.hpp>
#include <alloc_chaos/current_run.hpp>
#include <alloc_chaos/debugging.hpp>
#include <alloc_chaos/failure_mode.hpp>
#include <alloc_chaos/finding.hpp>
#include <alloc_chaos/forbid_allocations.hpp>
#include <alloc_chaos/injected_bad_alloc.hpp>
#include <alloc_chaos/operation.hpp>
#include <alloc_chaos/outcome.hpp>
#include <alloc_chaos/report.hpp>
#include <alloc_chaos/run_attachment.hpp>
#include <alloc_chaos/source.hpp>
#include <alloc_chaos/stack_frame.hpp>
#include <alloc_chaos/strong_guarantee.hpp>
#include <alloc_chaos/verdict.hpp>

#endif
