#ifndef ALLOC_CHAOS_DEALLOCATION_CHECKS_HPP
#define ALLOC_CHAOS_DEALLOCATION_CHECKS_HPP

namespace alloc_chaos {

// When a chaos memory resource (std's or Boost.Container's) checks each deallocate against the
// allocate it undoes.
enum class deallocation_checks {
    off,               // a pure forwarder: the upstream's own pointers, sizes and speed
    from_first_check,  // (the default) a pure forwarder until a check's run first uses it; from then on, always
    always,            // every block from construction on: double free, size or alignment mismatch,
                       // foreign pointer, overrun (guard bytes)
};

}  // namespace alloc_chaos

#endif
