#!/usr/bin/env python3
"""Reads the Google Benchmark JSON files scripts/bench wrote and prints the table of ratios.

Usage: table.py DIR, where DIR holds
  outside_bridge_<round>.json, outside_plain_<round>.json   (run alternately, one pair per round)
  outside_malloc_<round>.json                                (the C allocator's source and glibc's, one process)
  check.json, peer.json                                      (repetitions interleaved in one process;
                                                             peer.json has P1160's rows when built with it)
  memory_{freed,live}_{2,10}.json                            (one process each: ru_maxrss is per process)
  processes.json                                             (worker processes, wall time)
  mechanisms.json                                            (each mechanism against the engine without it)

Every figure is a ratio of two measurements taken side by side (the same round, or the same
process); absolute times are shown beside them for scale only. Budgets are the project's performance budgets (docs/performance.md).
"""

import glob
import json
import math
import os
import re
import statistics
import sys

NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(path):
    """name -> list of entries (one per repetition), iteration runs only."""
    with open(path) as f:
        data = json.load(f)
    runs = {}
    for b in data["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration":
            continue
        name = re.sub(r"(/iterations:\d+)?(/real_time)?$", "", b.get("run_name", b["name"]))
        runs.setdefault(name, []).append(b)
    return data["context"], runs


def error(entries):
    for b in entries:
        if b.get("error_occurred"):
            return b.get("error_message", "error")
    return None


def ns(b):
    """CPU time of one iteration, in nanoseconds."""
    return b["cpu_time"] * NS[b.get("time_unit", "ns")]


def median_ns(runs, name):
    entries = runs.get(name)
    if not entries:
        raise KeyError(f"benchmark {name} did not run")
    return statistics.median(ns(b) for b in entries)


def counter(runs, name, key):
    return statistics.median(b[key] for b in runs[name])


def human(t):
    if t < 0:
        return "-" + human(-t)
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t:.3g} ns"


rows = []  # (figure, measured, detail, budget, verdict)


def row(figure, measured, detail="", budget="", verdict=""):
    rows.append((figure, measured, detail, budget, verdict))


def section(title):
    rows.append((title,))


def verdict(ok):
    return "PASS" if ok else "MISS"


def main(directory):
    # --- 1. outside a check ----------------------------------------------------------------
    rounds = sorted(glob.glob(os.path.join(directory, "outside_bridge_*.json")))
    bridge_runs = [load(p)[1] for p in rounds]
    plain_runs = [load(p.replace("outside_bridge_", "outside_plain_"))[1] for p in rounds]
    context = load(os.path.join(directory, "check.json"))[0]

    section(f"1. Outside a check: the bridge's binary / the same code without it "
            f"(median of {len(rounds)} alternating runs)")
    for name, label in (("new_delete/16", "new/delete 16 B"), ("new_delete/64", "new/delete 64 B"),
                        ("new_delete/1024", "new/delete 1024 B"),
                        ("map_1000", "std::map<int, std::string>, 1,000 entries")):
        ratios = [median_ns(b, name) / median_ns(p, name) for b, p in zip(bridge_runs, plain_runs)]
        r = statistics.median(ratios)
        raw = statistics.median(median_ns(p, name) for p in plain_runs)
        row(label, f"{r:.3f}", f"range {min(ratios):.3f}-{max(ratios):.3f}; plain {human(raw)}",
            "<= 1.05", verdict(r <= 1.05))

    section(f"   chaos_memory_resource / its upstream called directly (same process; median of "
            f"{2 * len(rounds)} runs, both binaries)")
    # The default resource, never used in a check, is held to rule 4's budget; `always` checks
    # every deallocation outside a check too, by request: its cost is a figure.
    for mode, label, budgeted in (
            ("chaos_checks_off", "deallocation_checks::off", True),
            ("chaos_checks_default", "deallocation_checks::from_first_check (default), unused", True),
            ("chaos_checks_always", "deallocation_checks::always", False)):
        for size in (16, 64, 1024):
            ratios = [median_ns(r, f"resource_pairs/{mode}/{size}") / median_ns(r, f"resource_pairs/upstream/{size}")
                      for r in bridge_runs + plain_runs]
            m = statistics.median(ratios)
            raw = statistics.median(median_ns(r, f"resource_pairs/upstream/{size}") for r in bridge_runs + plain_runs)
            row(f"{label}, {size} B", f"{m:.3f}", f"range {min(ratios):.3f}-{max(ratios):.3f}; upstream {human(raw)}",
                "<= 1.05" if budgeted else "(figure)", verdict(m <= 1.05) if budgeted else "")

    malloc_runs = [load(p)[1] for p in sorted(glob.glob(os.path.join(directory, "outside_malloc_*.json")))]
    if malloc_runs:
        section(f"   malloc/free through alloc_chaos::malloc / glibc's __libc_malloc, __libc_free "
                f"(same process; median of {len(malloc_runs)} runs)")
        for size in (16, 64, 1024):
            ratios = [median_ns(r, f"c_calls/source/{size}") / median_ns(r, f"c_calls/glibc/{size}")
                      for r in malloc_runs]
            m = statistics.median(ratios)
            raw = statistics.median(median_ns(r, f"c_calls/glibc/{size}") for r in malloc_runs)
            row(f"malloc/free {size} B, called directly", f"{m:.3f}",
                f"range {min(ratios):.3f}-{max(ratios):.3f}; glibc {human(raw)}", "<= 1.05", verdict(m <= 1.05))
        for size in (16, 64, 1024):
            ratios = [median_ns(r, f"c_pairs/source/{size}") / median_ns(r, f"c_pairs/glibc/{size}")
                      for r in malloc_runs]
            m = statistics.median(ratios)
            row(f"malloc/free {size} B, through function pointers", f"{m:.3f}",
                f"range {min(ratios):.3f}-{max(ratios):.3f}; glibc's calls skip its PLT entry", "(figure)", "")

    # --- 2. inside a check -----------------------------------------------------------------
    _, check = load(os.path.join(directory, "check.json"))
    reps = len(check["raw_attempts/10000"])
    section(f"2. Inside a check, per attempt / the same allocations outside any check "
            f"(10,000 new/delete pairs of 64 B; median of {reps} interleaved repetitions)")
    raw = median_ns(check, "raw_attempts/10000") / 10000

    def per_attempt(name):
        if error(check[name]):
            return None
        return median_ns(check, name) / counter(check, name, "attempts")

    counting = per_attempt("check_counting/10000")
    tracking = per_attempt("check_leak_tracking/10000")
    everything = per_attempt("check_all_tracking/10000")
    for value, label, budget, limit in (
            (counting, "counting: max_failures(0), leak_tracking(false)", "<= 2x", 2.0),
            (tracking, "counting: max_failures(0), leak_tracking(true)", "<= 3x", 3.0),
            (everything, "all tracking: leak tracking + divergence checks (stability_runs(2))", "<= 3x", 3.0)):
        if value is None:
            row(label, "ERROR", "the check's report was not as expected", budget, "MISS")
            continue
        row(label, f"{value / raw:.2f}x", f"{value:.1f} ns vs raw {raw:.1f} ns", budget, verdict(value / raw <= limit))
    if counting is not None and tracking is not None:
        row("leak tracking / the core without it", f"{tracking / counting:.2f}x",
            f"+{tracking - counting:.1f} ns per attempt", "(figure)", "")

    # --- 3. the loop -----------------------------------------------------------------------
    section("3. The loop: check() / ((N + 1) x the body's own time), same process")
    for body, label in (("pairs", "new/delete pairs"), ("map", "std::map<int, int> inserts")):
        totals = {}
        for n in (100, 1000, 10000):
            name = f"loop_check/{body}/{n}"
            if error(check[name]):
                row(f"{label}, N = {n:,}", "ERROR", error(check[name]), "<= 1.2" if n == 10000 else "", "MISS")
                continue
            total = median_ns(check, name)
            body_ns = median_ns(check, f"loop_body/{body}/{n}")
            totals[n] = total
            r = total / ((n + 1) * body_ns)
            budget = "<= 1.2" if n == 10000 else ""
            row(f"{label}, N = {n:,}", f"{r:.2f}", f"check {human(total)}, body {human(body_ns)}",
                budget, verdict(r <= 1.2) if n == 10000 else "")
        untracked = f"loop_check_untracked/{body}/10000"
        if untracked in check and not error(check[untracked]):
            t = median_ns(check, untracked)
            r = t / (10001 * median_ns(check, f"loop_body/{body}/10000"))
            row(f"{label}, N = 10,000, leak_tracking(false)", f"{r:.2f}",
                f"check {human(t)}: leak tracking is {human(totals[10000] - t)} of the check" if 10000 in totals
                else f"check {human(t)}", "(figure)", "")
        if all(n in totals for n in (100, 1000, 10000)):
            g1 = totals[1000] / totals[100]
            g2 = totals[10000] / totals[1000]
            row(f"{label}, growth", f"N^{math.log10(g2):.2f}",
                f"x{g1:.0f} from 100 to 1,000, x{g2:.0f} from 1,000 to 10,000 (N + 1 runs of N attempts)", "", "")

    # --- 4. the peer -----------------------------------------------------------------------
    _, peer = load(os.path.join(directory, "peer.json"))
    reps = len(peer["throw_allocator"])
    section(f"4. The peer: alloc-chaos / the throw_allocator_limit loop, same exhaustive job "
            f"(median of {reps} interleaved repetitions)")
    peer_ns = median_ns(peer, "throw_allocator")
    found = int(counter(peer, "throw_allocator", "found"))
    bugs = int(counter(peer, "throw_allocator", "bugs"))
    row("throw_allocator_limit, set_limit(k) loop", "1.00", f"{human(peer_ns)}; found {found} failure points, {bugs} bugs", "", "")
    for name, label in (("chaos_pmr/checks_default", "alloc-chaos, std::pmr containers on chaos_memory_resource"),
                        ("chaos_pmr/checks_off", "the same, deallocation_checks::off"),
                        ("chaos_bridge", "alloc-chaos, std containers through the bridge")):
        if error(peer[name]):
            row(label, "ERROR", error(peer[name]), "< 1", "MISS")
            continue
        t = median_ns(peer, name)
        f = int(counter(peer, name, "found"))
        b = int(counter(peer, name, "bugs"))
        row(label, f"{t / peer_ns:.2f}", f"{human(t)}; found {f} failure points, {b} bugs", "< 1", verdict(t < peer_ns))

    # P1160's test_resource and exception_test_loop, when bench_peer was built with them
    # (ALLOC_CHAOS_P1160_DIR): each job's chaos_memory_resource rows divided by its P1160 row.
    if "p1160/containers" not in peer:
        section("   P1160's test_resource: not measured (bench_peer built without ALLOC_CHAOS_P1160_DIR)")
    for job, title in (("containers", "the job above as std::pmr containers"),
                       ("strings", "a std::pmr::map<int, std::pmr::string> of 2,000 entries")):
        base = f"p1160/{job}"
        if base not in peer:
            continue
        section(f"   P1160's test_resource + exception_test_loop (default checks) / chaos_memory_resource under "
                f"check(): {title}")
        if error(peer[base]):
            row("P1160 test_resource, exception_test_loop", "ERROR", error(peer[base]), "", "MISS")
            continue
        p1160_ns = median_ns(peer, base)
        row("P1160 test_resource, exception_test_loop", "1.00",
            f"{human(p1160_ns)}; found {int(counter(peer, base, 'found'))} failure points, "
            f"{int(counter(peer, base, 'bugs'))} bugs", "", "")
        floor = f"counting_floor/{job}"
        if floor in peer and not error(peer[floor]):
            t = median_ns(peer, floor)
            row("the floor: a resource that only counts and fails, same loop", f"{t / p1160_ns:.2f}",
                f"{human(t)}: the job, malloc and free, the throw and the unwinding", "(figure)", "")
        default, off = f"chaos_job/{job}/checks_default", f"chaos_job/{job}/checks_off"
        if error(peer[default]) or error(peer[off]):
            row("chaos_memory_resource", "ERROR", error(peer[default]) or error(peer[off]), "<= 0.5", "MISS")
            continue
        t_default, t_off = median_ns(peer, default), median_ns(peer, off)
        for t, name, label, budget in ((t_default, default, "chaos_memory_resource, deallocation checks by default", 0.5),
                                       (t_off, off, "the same, deallocation_checks::off", None)):
            r = t / p1160_ns
            row(label, f"{r:.2f}", f"{human(t)}; found {int(counter(peer, name, 'found'))} failure points, "
                f"{int(counter(peer, name, 'bugs'))} bugs", f"<= {budget}" if budget else "(figure)",
                verdict(r <= budget) if budget else "")
        r = t_default / t_off
        row("deallocation checks by default / off, inside the check", f"{r:.2f}",
            f"{'+' if t_default >= t_off else ''}{human(t_default - t_off)} for the checks", "<= 1.2", verdict(r <= 1.2))

    # --- 5. memory -------------------------------------------------------------------------
    section("5. Memory: check of 1,000,000 attempts (the baseline and the two longest injected runs), "
            "peak RSS over the body's own")
    peaks = []
    for scenario, label in (("freed", "each block freed at once"), ("live", "all 1,000,000 blocks live (worst case)")):
        _, mem = load(os.path.join(directory, f"memory_{scenario}_2.json"))
        _, mem10 = load(os.path.join(directory, f"memory_{scenario}_10.json"))
        name = f"memory/{scenario}/2"
        if error(mem[name]):
            row(label, "ERROR", error(mem[name]), "<= 64 B", "MISS")
            continue
        per = counter(mem, name, "bytes_per_attempt")
        computed = counter(mem, name, "computed_bytes_per_attempt")
        row(f"bookkeeping per attempt, {label}", f"{per:.1f} B", f"computed from the data structures: {computed:.1f} B",
            "<= 64 B", verdict(per <= 64))
        peak = counter(mem, name, "peak_rss_check_kib") * 1024
        more = counter(mem10, f"memory/{scenario}/10", "peak_rss_check_kib") * 1024
        body_peak = counter(mem, name, "peak_rss_body_kib") * 1024
        peaks.append((label, peak, more, body_peak, per))
    for label, peak, more, body_peak, per in peaks:
        bounded = more <= peak * 1.02 + 2**20
        row(f"peak RSS of the check, {label}", f"{peak / 2**20:.1f} MiB",
            f"body alone {body_peak / 2**20:.1f} MiB; 11 runs instead of 3: {more / 2**20:.1f} MiB; "
            f"bound: body + {per:.0f} B x N", "bounded", verdict(bounded))

    path = os.path.join(directory, "memory_leaking.json")
    if os.path.exists(path):
        _, leak = load(path)
        name = "memory/leaking"
        if error(leak[name]):
            row("peak RSS, every run leaking (N = 2,000)", "ERROR", error(leak[name]), "bounded", "MISS")
        else:
            blocks = counter(leak, name, "leaked_blocks")
            added = (counter(leak, name, "peak_rss_check_kib") - counter(leak, name, "peak_rss_body_kib")) * 1024
            chunks = blocks * 32  # each leaked block of 16 bytes is a 32-byte malloc chunk
            row("peak RSS, every run leaking (N = 2,000; run k leaks k blocks)", f"{added / 2**20:.1f} MiB",
                f"{blocks:,.0f} blocks leaked, {chunks / 2**20:.1f} MiB of them the blocks themselves; "
                f"the report keeps 10 a run", "bounded", verdict(added - chunks <= 16 * 2**20))

    # --- 6. worker processes ---------------------------------------------------------------
    path = os.path.join(directory, "processes.json")
    if os.path.exists(path):
        _, procs = load(path)
        reps = len(procs["processes_map/0/10000"])
        section(f"6. Worker processes, wall time (median of {reps} interleaved repetitions)")

        def wall(name):
            return statistics.median(b["real_time"] * NS[b.get("time_unit", "ns")] for b in procs[name])

        here = wall("processes_map/0/10000")
        for k, budget, limit in ((1, "<= 1.3", 1.3), (2, "<= 0.6", 0.6)):
            name = f"processes_map/{k}/10000"
            if error(procs[name]):
                row(f"map check, N = 10,000, processes({k})", "ERROR", error(procs[name]), budget, "MISS")
                continue
            r = wall(name) / here
            row(f"map check, N = 10,000, processes({k}) / in the calling process", f"{r:.2f}",
                f"{human(wall(name))} vs {human(here)}", budget, verdict(r <= limit))
        for mib in (0, 1, 100):
            per_run = (wall(f"processes_pairs/1/{mib}") - wall(f"processes_pairs/0/{mib}")) / 1001
            per_check = wall(f"processes_baseline/1/{mib}") - wall(f"processes_baseline/0/{mib}")
            row(f"mechanism, caller holding {mib} MiB: per run", human(max(per_run, 0.0)),
                f"1,000 new/delete pairs: {human(wall(f'processes_pairs/1/{mib}'))} in a worker vs "
                f"{human(wall(f'processes_pairs/0/{mib}'))}", "(figure)", "")
            row(f"mechanism, caller holding {mib} MiB: per check (fork, prefix, exit)", human(max(per_check, 0.0)),
                f"probe and baseline: {human(wall(f'processes_baseline/1/{mib}'))} vs "
                f"{human(wall(f'processes_baseline/0/{mib}'))}", "(figure)", "")

        for mib in (0, 1, 100):
            name = f"processes_fork/{mib}"
            if name in procs:
                row(f"a fork per run (not taken), caller holding {mib} MiB: per run at least", human(wall(name)),
                    "fork, _exit and waitpid alone, before the run's own work", "(figure)", "")

    # --- 7. mechanisms: each against the engine without it (bench_mechanisms) --------------
    path = os.path.join(directory, "mechanisms.json")
    if os.path.exists(path):
        _, mech = load(path)
        reps = len(mech["fence/pairs/asymmetric/1000"])
        section(f"7. Mechanisms: the check with it / without it, same process (median of {reps} interleaved "
                f"repetitions); one stays if removing it costs more than 5% of a figure")

        def versus(with_it, without, label, what):
            if error(mech[with_it]) or error(mech[without]):
                row(label, "ERROR", error(mech[with_it]) or error(mech[without]), "", "")
                return
            a, b = median_ns(mech, with_it), median_ns(mech, without)
            row(label, f"{a / b:.3f}", f"{human(a)} vs {human(b)} {what}", "(figure)", "")

        for body, label in (("tracking", "counting check with leak tracking, 10,000 new/delete pairs"),
                            ("pairs/{}/1000", "check(), 1,000 new/delete pairs"),
                            ("pairs/{}/10000", "check(), 10,000 new/delete pairs"),
                            ("map/{}/1000", "check(), std::map<int, int> of 1,000"),
                            ("map/{}/10000", "check(), std::map<int, int> of 10,000"),
                            ("handed_200/{}/1000", "check(), 1,000 pairs, 1 block in 200 freed by another thread"),
                            ("handed_8/{}/1000", "check(), 1,000 pairs, 1 block in 8 freed by another thread")):
            name = "fence/" + (body if "{}" in body else body + "/{}")
            versus(name.format("asymmetric"), name.format("symmetric"),
                   f"membarrier (asymmetric) / symmetric fences: {label}", "symmetric")
        for body, label in (("strings", "check(), bench_peer's strings job"),
                            ("map", "check(), std::pmr::map<int, int> of 1,000")):
            versus(f"keepers/{body}/kept", f"keepers/{body}/recorded",
                   f"ledger keeps the run's blocks / the run's table records them too: {label}", "recorded")
        for body, n, label in (("list", 100000, "counting check, std::pmr::list of 100,000"),
                               ("map", 100000, "counting check, std::pmr::map of 100,000"),
                               ("list_1592", 20000, "counting check, std::pmr::list of 20,000 1,592-byte nodes"),
                               ("list", 1000, "check(), std::pmr::list of 1,000"),
                               ("map", 1000, "check(), std::pmr::map of 1,000")):
            kind = "counting" if n != 1000 else "loop"
            for other, what in (("address", "address_slot alone"), ("progression", "progression_slot alone")):
                versus(f"pmr_{kind}/{body}/checks_off/adaptive/{n}", f"pmr_{kind}/{body}/checks_off/{other}/{n}",
                       f"block_map adaptive / {what}: {label}", other)

    # --- print -----------------------------------------------------------------------------
    widths = [0, 0, 0, 0, 0]
    for r in rows:
        if len(r) > 1:
            widths = [max(w, len(c)) for w, c in zip(widths, r)]
    header = ("figure", "measured", "detail", "budget", "verdict")
    widths = [max(w, len(h)) for w, h in zip(widths, header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print(f"alloc-chaos benchmarks: {context.get('num_cpus')} CPUs at {context.get('mhz_per_cpu')} MHz, "
          f"{context.get('host_name')}, {context.get('date')}")
    print(line)
    print("-" * len(line))
    for r in rows:
        if len(r) == 1:
            print(r[0])
        else:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    misses = sum(1 for r in rows if len(r) > 1 and r[4] == "MISS")
    passes = sum(1 for r in rows if len(r) > 1 and r[4] == "PASS")
    print(f"budgets: {passes} PASS, {misses} MISS")


if __name__ == "__main__":
    main(sys.argv[1])
