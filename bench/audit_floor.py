"""Issue 17 item 1: the audit workload against its floor, and peak memory as the fleet grows.

Called by bench.py's `floor` workload (`bench/run.sh floor`), with bench.py's module for its
helpers (measure, seed_rooms, the table). The stand-in runs with --cache-list-rooms (run.sh),
so an unfiltered ListRooms answers bytes encoded once, not 1.4 s of Python JSON encoding per
call: the numbers are the clients'.

For each size N in BENCH_FLOOR_SIZES (10000,30000,100000): N live rows `au-0` .. against N
server rooms `au-(N/100)` .. (1 % missing, 1 % orphaned, 1 % SID drift, as bench.py's audit),
then BENCH_FLOOR_ROUNDS rounds (3 at the largest size, 1 below), each round running, in an
order rotated per round:
- the floor: `curl -o /dev/null` POSTing the same ListRooms (same Twirp auth header) and
  `psql -c "COPY (SELECT the columns roomctl reads) TO STDOUT" > /dev/null`, started together;
  its wall is that of both (the later one to finish), its CPU and RSS are summed / maxed;
- roomctl `audit --json` (exit 5: findings);
- the Node peer `node/audit.mjs`;
- with BENCH_ROOMCTL_COMPARE=/path/to/roomctl, that binary too (a before/after comparison;
  reported under the table, not in it).
Medians of the rounds are compared. Rows: at the largest size, wall vs Node (≥ 3×), wall vs
the floor (≤ 1.5×), peak RSS vs Node (≥ 3×); for every size, peak RSS of both; and the
growth: MiB per 10,000 rooms between the two largest sizes against the two smallest (linear:
≤ 1.5× — a client that held the answer twice over as it grew would show more).
"""
import json
import os
import statistics
import subprocess
import time

SIZES = [int(x) for x in os.environ.get("BENCH_FLOOR_SIZES", "10000,30000,100000").split(",")]
ROUNDS = int(os.environ.get("BENCH_FLOOR_ROUNDS", "3"))
COMPARE = os.environ.get("BENCH_ROOMCTL_COMPARE", "")

# What roomctl's audit reads of each row (store/sql.cpp: name, SID, status, as text).
COPY_SQL = ("COPY (SELECT room_name::text, room_sid::text, status::text FROM livekit_rooms) "
            "TO STDOUT")


class Both:
    """Two children measured together: wall of both, CPU summed, RSS of the larger."""

    def __init__(self, runs, wall):
        self.wall = wall
        self.cpu = sum(r.cpu for r in runs)
        self.rss_kb = max(r.rss_kb for r in runs)


def floor_run(b, token):
    url = f"{b.URL.scheme}://{b.URL.netloc}/twirp/livekit.RoomService/ListRooms"
    curl = ["curl", "-sS", "-o", "/dev/null", "-X", "POST", "-H", f"Authorization: Bearer {token}",
            "-H", "Content-Type: application/json", "-d", "{}", url]
    psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", b.DB_URL, "-c", COPY_SQL]
    results = [None, None]

    def one(i, cmd):
        # measure() writes its time file under WORK: give each child its own directory.
        results[i] = measure_in(b, cmd, f"floor{i}")

    import threading
    t0 = time.perf_counter()
    threads = [threading.Thread(target=one, args=(i, c)) for i, c in enumerate((curl, psql))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if None in results:
        raise RuntimeError("floor: a child failed")
    return Both(results, wall)


def measure_in(b, cmd, tag, ok_codes=(0,), stdout=subprocess.DEVNULL):
    """bench.measure with its own time file (two children run at once)."""
    tfile = os.path.join(b.WORK, f"time-{tag}.out")
    full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tfile, *cmd]
    t0 = time.perf_counter()
    proc = subprocess.run(full, stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    if proc.returncode not in ok_codes:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {proc.stderr[-500:]!r}")
    with open(tfile) as f:
        last = [ln for ln in f.read().splitlines() if ln.strip()][-1]
    _, user, sys_, rss = last.split()
    return b.Run(wall, float(user), float(sys_), int(rss), proc.returncode)


def prepare(b, n):
    b.reset_standin()
    seeded, seed_s = b.seed_rooms(n)
    conn = b.db()
    with conn.cursor() as cur:
        cur.execute(b.SCHEMA)
        cur.execute("""INSERT INTO livekit_rooms (room_name, room_sid, status)
                       SELECT 'au-' || g, 'RM_au' || g, 'active' FROM generate_series(0, %s) g""",
                    (n - 1,))
        cur.execute("ANALYZE livekit_rooms")
    conn.close()
    # The stand-in encodes the answer at the first unfiltered ListRooms after a change: do that
    # here, so no measured program pays for it.
    subprocess.run([b.ROOMCTL, "rooms", "list", "--json"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return seeded, seed_s


def run(b):
    token = subprocess.run([b.ROOMCTL, "token", "create", "--list", "--ttl", "1h"], check=True,
                           capture_output=True, text=True).stdout.strip()
    out = os.path.join(b.WORK, "floor-audit.json")
    programs = [("floor", lambda: floor_run(b, token))]

    def audit_with(binary, tag):
        def go():
            with open(out, "w") as f:
                r = b.measure([binary, "audit", "--json"], ok_codes=(0, 5), stdout=f)
            found[tag] = b.finding_kinds(out)
            return r
        return go

    def node():
        with open(out, "w") as f:
            r = b.measure(["node", os.path.join(b.NODE_DIR, "audit.mjs")], stdout=f)
        found["node"] = b.finding_kinds(out)
        return r

    programs += [("roomctl", audit_with(b.ROOMCTL, "roomctl")), ("node", node)]
    if COMPARE:
        programs.append(("compare", audit_with(COMPARE, "compare")))
    results = {}  # size -> name -> [Run]
    for n in SIZES:
        seeded, seed_s = prepare(b, n)
        b.log(f"floor: {n} rows × {seeded} rooms (seeded in {seed_s:.1f} s)")
        rounds = ROUNDS if n == max(SIZES) else 1
        found = {}
        per = results[n] = {name: [] for name, _ in programs}
        for r in range(rounds):
            order = programs[r % len(programs):] + programs[:r % len(programs)]
            for name, go in order:
                per[name].append(go())
                m = per[name][-1]
                b.log(f"  round {r + 1} {name}: {m.wall:.2f} s wall, {m.cpu:.2f} s CPU, "
                      f"{m.rss_kb / 1024:.0f} MiB")
        if len({json.dumps(v) for v in found.values()}) != 1:
            raise RuntimeError(f"floor {n}: the programs disagree: {found}")
        b.notes.append(f"floor {n}: findings {found['roomctl']} (all programs agree); "
                       f"{rounds} round(s), medians; load average {os.getloadavg()[0]:.1f}")
    b.reset_standin()
    report(b, results)


def med(runs, attr):
    return statistics.median(getattr(r, attr) for r in runs)


def report(b, results):
    big = max(SIZES)
    per = results[big]
    ours, node, floor = (med(per[k], "wall") for k in ("roomctl", "node", "floor"))
    w = f"2b. audit {big} rows × {big} rooms, cached ListRooms"
    b.add_row(w + ": wall vs Node", b.fmt_s(ours), f"Node SDK+pg {b.fmt_s(node)}", node / ours,
              "≥ 3× faster", "min", 3)
    b.add_row(w + ": wall vs floor", b.fmt_s(ours),
              f"curl -o /dev/null ∥ psql COPY: {b.fmt_s(floor)}", ours / floor, "≤ 1.5× floor",
              "max", 1.5)
    ours_rss, node_rss = med(per["roomctl"], "rss_kb"), med(per["node"], "rss_kb")
    b.add_row(w + ": peak RSS", f"{ours_rss / 1024:.0f} MiB", f"Node {node_rss / 1024:.0f} MiB",
              node_rss / ours_rss, "≤ 1/3 of Node (≥ 3×)", "min", 3)
    b.add_row(w + ": CPU", f"{med(per['roomctl'], 'cpu'):.2f} s",
              f"Node {med(per['node'], 'cpu'):.2f} s; floor {med(per['floor'], 'cpu'):.2f} s",
              med(per["node"], "cpu") / med(per["roomctl"], "cpu"), "(no number)", "info", 0)
    for n in SIZES:
        o, nd = med(results[n]["roomctl"], "rss_kb") / 1024, med(results[n]["node"], "rss_kb") / 1024
        b.add_row(f"2c. audit memory growth: {n} rows × {n} rooms, peak RSS", f"{o:.0f} MiB",
                  f"Node {nd:.0f} MiB", nd / o, "(growth below)", "info", 0)
    if len(SIZES) >= 3:
        s = sorted(SIZES)
        for who in ("roomctl", "node"):
            rss = {n: med(results[n][who], "rss_kb") / 1024 for n in s}
            low = (rss[s[1]] - rss[s[0]]) / (s[1] - s[0]) * 10_000
            high = (rss[s[-1]] - rss[s[-2]]) / (s[-1] - s[-2]) * 10_000
            b.add_row(f"2c. audit memory growth, {who}: MiB per 10k rooms, "
                      f"{s[-2] // 1000}k→{s[-1] // 1000}k vs {s[0] // 1000}k→{s[1] // 1000}k",
                      f"{high:.1f} vs {low:.1f}", "—", high / max(low, 1e-9),
                      "linear: ≤ 1.5×" if who == "roomctl" else "(context)",
                      "max" if who == "roomctl" else "info", 1.5)
    if COMPARE:
        c = per["compare"]
        b.notes.append(
            f"floor {big}: BENCH_ROOMCTL_COMPARE={COMPARE}: wall {b.fmt_s(med(c, 'wall'))}, "
            f"CPU {med(c, 'cpu'):.2f} s, peak {med(c, 'rss_kb') / 1024:.0f} MiB against roomctl's "
            f"{b.fmt_s(ours)}, {med(per['roomctl'], 'cpu'):.2f} s, {ours_rss / 1024:.0f} MiB "
            f"(rounds: {', '.join(f'{x.wall:.2f}' for x in c)} vs "
            f"{', '.join(f'{x.wall:.2f}' for x in per['roomctl'])} s)")
