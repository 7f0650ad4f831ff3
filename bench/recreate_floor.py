#!/usr/bin/python3
"""Recreate against the limit (issue 17 item 5): roomctl vs the ideal limit and vs the floor.

For each of three runs (BENCH_RECREATE_RUNS), one after the other: the curl --parallel floor
(the same CreateRoom calls, 32 in flight, no database), then `roomctl recreate --apply`, both
against the stand-in with +20 ms per call. Per run the table shows roomctl's wall against the
ideal limit (rooms × latency ÷ concurrency), the floor against that limit, and roomctl against
the floor; the target is met when every run meets it ("three runs out of three"): roomctl ≤ 1.3×
the limit, or, when the floor itself is above 1.3× the limit in that run, roomctl ≤ 1.1× that
floor. Load averages are printed with each run (the machine's 2 cores are shared).

Run through bench/run.sh (`bench/run.sh recreate_floor`), which exports what bench.py needs;
or directly with those variables set. BENCH_ROOMCTL_BEFORE=<binary> adds an interleaved
"before" roomctl run to every round (for comparing a change; not a table row of its own).
"""
import os
import sys

LIMIT_FACTOR = 1.3  # roomctl wall ≤ 1.3 × the ideal limit
FLOOR_FACTOR = 1.1  # ... or ≤ 1.1 × the curl floor, when that floor is above 1.3 × the limit


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def verdict(ours, floor, limit):
    """(met, the rule that applied, missed-by text) for one run."""
    if floor / limit > LIMIT_FACTOR:
        bound, rule = FLOOR_FACTOR * floor, f"≤ {FLOOR_FACTOR:g}× floor (floor > {LIMIT_FACTOR:g}× limit)"
    else:
        bound, rule = LIMIT_FACTOR * limit, f"≤ {LIMIT_FACTOR:g}× limit"
    if ours <= bound:
        return True, rule, "met"
    return False, rule, f"MISSED by {ours / bound:.2f}× ({ours:.2f} s, need ≤ {bound:.2f} s)"


def run(b):
    """Runs the workload with bench module `b` (bench.py's globals) and adds its table rows."""
    n, lat, conc = b.RECREATE_ROOMS, b.LATENCY_MS, b.CONCURRENCY
    runs = int(os.environ.get("BENCH_RECREATE_RUNS", "3"))
    before_bin = os.environ.get("BENCH_ROOMCTL_BEFORE", "")
    limit = n * lat / 1000 / conc
    b.log(f"recreate_floor: {n} missing rooms, +{lat} ms per call, {conc} in flight, {runs} runs; "
          f"limit {limit:.2f} s")
    conn = b.db()
    with conn.cursor() as cur:
        cur.execute(b.SCHEMA)
        cur.execute("INSERT INTO livekit_rooms (room_name) SELECT 'rc-' || g FROM generate_series(1, %s) g", (n,))

    def prepare():
        with conn.cursor() as cur:
            cur.execute("UPDATE livekit_rooms SET room_sid = NULL")
        b.reset_standin(lat)

    def verify(who):
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM livekit_rooms WHERE room_sid LIKE 'RM_%'")
            fixed = cur.fetchone()[0]
        created = b.request_counts().get("CreateRoom", 0)
        if fixed != n or created != n:
            raise RuntimeError(f"recreate_floor/{who}: {fixed} rows fixed, {created} CreateRoom calls, expected {n}")

    cfg = b.write_curl_create_config(os.path.join(b.WORK, "curl-floor.cfg"), n)
    journal = os.path.join(b.WORK, "recreate-floor-journal.jsonl")

    def roomctl(binary, who):
        prepare()
        if os.path.exists(journal):
            os.unlink(journal)  # each run starts from an empty journal, as a fresh machine would
        r = b.measure([binary, "--journal", journal, "recreate", "--apply", "--concurrency", str(conc),
                       "--empty-timeout", "1h"])
        verify(who)
        return r

    results = []
    for i in range(1, runs + 1):
        load = loadavg()
        b.reset_standin(lat)
        floor = b.measure(["curl", "--parallel", "--parallel-immediate", "--parallel-max", str(conc), "-K", cfg])
        if b.request_counts().get("CreateRoom", 0) != n:
            raise RuntimeError("curl floor: wrong CreateRoom count")
        before = roomctl(before_bin, "before") if before_bin else None
        ours = roomctl(b.ROOMCTL, "roomctl")
        results.append((ours, floor, before, load))
        extra = f"; before {before.wall:.2f} s wall, {before.cpu / n * 1e3:.3f} ms CPU/room" if before else ""
        b.log(f"  run {i}: roomctl {ours.wall:.2f} s wall ({ours.wall / limit:.2f}× limit, "
              f"{ours.wall / floor.wall:.2f}× floor), {ours.cpu / n * 1e3:.3f} ms CPU/room; curl floor "
              f"{floor.wall:.2f} s ({floor.wall / limit:.2f}× limit){extra}; load {load}")
    b.reset_standin()
    conn.close()

    w = f"1b. recreate {n} rooms, +{lat} ms/call, {conc} in flight"
    met_all = True
    for i, (ours, floor, _, load) in enumerate(results, 1):
        met, rule, text = verdict(ours.wall, floor.wall, limit)
        met_all = met_all and met
        b.rows.append((f"{w}: run {i}/{len(results)} (load {load})",
                       f"{b.fmt_s(ours.wall)} = {ours.wall / limit:.2f}× limit, {ours.wall / floor.wall:.2f}× floor; "
                       f"CPU {ours.cpu / n * 1e3:.3f} ms/room",
                       f"limit {b.fmt_s(limit)}; curl --parallel {conc}, no DB: {b.fmt_s(floor.wall)} = "
                       f"{floor.wall / limit:.2f}× limit",
                       f"{ours.wall / limit:.2f}×", rule, text))
    b.notes.append(f"recreate against the limit: {'met' if met_all else 'MISSED'} in "
                   f"{sum(verdict(o.wall, f.wall, limit)[0] for o, f, _, _ in results)} of {len(results)} runs "
                   f"(target: {len(results)} of {len(results)}; each run: roomctl ≤ {LIMIT_FACTOR:g}× the limit, or "
                   f"≤ {FLOOR_FACTOR:g}× the curl floor when the floor is above {LIMIT_FACTOR:g}× the limit)")
    return results


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench  # noqa: E402

    run(bench)
    bench.print_table()
