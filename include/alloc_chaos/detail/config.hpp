#ifndef ALLOC_CHAOS_DETAIL_CONFIG_HPP
#define ALLOC_CHAOS_DETAIL_CONFIG_HPP

// The version of alloc-chaos, read by CMakeLists.txt too (one source for both), and the compiler
// spellings the library uses, in one place: no other file spells [[gnu::...]] or __attribute__.

#define ALLOC_CHAOS_VERSION_MAJOR 0
#define ALLOC_CHAOS_VERSION_MINOR 2
#define ALLOC_CHAOS_VERSION_PATCH 0

#if defined(__GNUC__) || defined(__clang__)
// Keeps a function out of line: a rare path that must not weigh on the hot path calling it.
#define ALLOC_CHAOS_NOINLINE [[gnu::noinline]]
// Marks a function as rarely called, so that its code is laid out away from the hot path.
#define ALLOC_CHAOS_COLD [[gnu::cold]]
// Leaves a sanitizer's check (such as "null" or "undefined") out of a function that means to do
// what it checks: a test that a write through a null pointer crashes as it would without it.
#define ALLOC_CHAOS_NO_SANITIZE(check) __attribute__((no_sanitize(check)))
#else
#define ALLOC_CHAOS_NOINLINE
#define ALLOC_CHAOS_COLD
#define ALLOC_CHAOS_NO_SANITIZE(check)
#endif

#endif
