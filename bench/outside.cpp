// Outside a check. Built twice from this one source: bench_outside_bridge links the global
// operator new/delete bridge, bench_outside_plain does not. scripts/bench runs them alternately
// and divides the bridge's time by the plain one's, benchmark by benchmark: rule 4 of the design
// ("nothing changes outside an active check") in numbers. Both also time chaos_memory_resource
// against its upstream called directly, side by side in the same process: with deallocation
// checks off, by default (never used in a check, so held to the same budget), and always (the
// cost of checking every deallocation). Built a third time as bench_outside_malloc, with the C
// allocator's source (alloc_chaos::malloc) too: that one also times malloc/free pairs through the
// source against glibc's allocator called directly (__libc_malloc, __libc_free), side by side.

#include <alloc_chaos/chaos_memory_resource.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <map>
#include <memory_resource>
#include <new>
#include <string>

#ifdef ALLOC_CHAOS_BENCH_MALLOC
#include <cstdlib>

extern "C" void* __libc_malloc(std::size_t size) noexcept;
extern "C" void __libc_free(void* block) noexcept;
#endif

namespace {

// One new/delete pair of state.range(0) bytes per iteration, as std::allocator makes them.
void new_delete(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        void* p = ::operator new(size);
        benchmark::DoNotOptimize(p);
        ::operator delete(p, size);
    }
}
BENCHMARK(new_delete)->Arg(16)->Arg(64)->Arg(1024);

// A realistic mix: a std::map<int, std::string> of 1,000 entries built and destroyed; 24 strings
// in 40 are longer than the small-string buffer, so about 1,600 allocations per iteration.
void map_1000(benchmark::State& state) {
    for (auto _ : state) {
        std::map<int, std::string> m;
        for (int i = 0; i < 1000; ++i)
            m.emplace(i, std::string(static_cast<std::size_t>(i % 40), 'x'));
        benchmark::DoNotOptimize(m);
    }
}
BENCHMARK(map_1000);

// allocate/deallocate pairs on `resource`, reached through a pointer the compiler cannot see
// through, so that no call is devirtualised for one resource and not for another.
void resource_pairs(benchmark::State& state, std::pmr::memory_resource* resource) {
    const auto size = static_cast<std::size_t>(state.range(0));
    constexpr std::size_t align = alignof(std::max_align_t);
    benchmark::DoNotOptimize(resource);
    for (auto _ : state) {
        void* p = resource->allocate(size, align);
        benchmark::DoNotOptimize(p);
        resource->deallocate(p, size, align);
    }
}

// The default resource (deallocation checks from the first check) is never used in a check here.
alloc_chaos::chaos_memory_resource default_resource;
alloc_chaos::chaos_memory_resource always_checking_resource{alloc_chaos::deallocation_checks::always};
alloc_chaos::chaos_memory_resource unchecked_resource{alloc_chaos::deallocation_checks::off};

BENCHMARK_CAPTURE(resource_pairs, upstream, std::pmr::new_delete_resource())->Arg(16)->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(resource_pairs, chaos_checks_off, &unchecked_resource)->Arg(16)->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(resource_pairs, chaos_checks_default, &default_resource)->Arg(16)->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(resource_pairs, chaos_checks_always, &always_checking_resource)->Arg(16)->Arg(64)->Arg(1024);

#ifdef ALLOC_CHAOS_BENCH_MALLOC
// malloc/free pairs of state.range(0) bytes through `allocate` and `release`, reached through
// pointers the compiler cannot see through: the same indirect call for the source and for glibc.
void c_pairs(benchmark::State& state, void* (*allocate)(std::size_t), void (*release)(void*)) {
    const auto size = static_cast<std::size_t>(state.range(0));
    benchmark::DoNotOptimize(allocate);
    benchmark::DoNotOptimize(release);
    for (auto _ : state) {
        void* p = allocate(size);
        benchmark::DoNotOptimize(p);
        release(p);
    }
}

BENCHMARK_CAPTURE(c_pairs, glibc, __libc_malloc, __libc_free)->Arg(16)->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(c_pairs, source, std::malloc, std::free)->Arg(16)->Arg(64)->Arg(1024);

// The same pairs called as a program calls malloc and free: directly. Through the source
// (`Source`), a direct call to its malloc and free, each of which then jumps to glibc's through
// the GOT; else glibc's own entry points, each called through its PLT entry, a jump through the
// GOT too, as a program without the source reaches malloc and free. The pointer calls above skip
// glibc's PLT entry, where a program's calls do not.
template <bool Source>
void c_calls(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        void* p = Source ? std::malloc(size) : __libc_malloc(size);
        benchmark::DoNotOptimize(p);
        if constexpr (Source)
            std::free(p);
        else
            __libc_free(p);
    }
}

BENCHMARK_TEMPLATE(c_calls, false)->Name("c_calls/glibc")->Arg(16)->Arg(64)->Arg(1024);
BENCHMARK_TEMPLATE(c_calls, true)->Name("c_calls/source")->Arg(16)->Arg(64)->Arg(1024);
#endif

}  // namespace

BENCHMARK_MAIN();
