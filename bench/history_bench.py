#!/usr/bin/python3
"""Read only what can matter (issue 17 item 4): `roomctl audit` of a table with a long history.

3,000,000 ended rows and 20 live ones (BENCH_HISTORY_ROWS, BENCH_HISTORY_LIVE), written with one
INSERT ... SELECT generate_series, and the 20 live rooms on the LiveKit stand-in. Measures
`roomctl audit --json` wall, CPU and peak RSS under /usr/bin/time (bench.py's measure), three
rounds (BENCH_HISTORY_ROUNDS). With BENCH_ROOMCTL_BEFORE=<binary> (its libroomctl_io.so next to
it) every round also runs that binary, interleaved, for a before/after comparison. Prints the
plans PostgreSQL chose for the statements the audit runs (EXPLAIN, not ANALYZE) to stderr.

Run through bench/run.sh (`bench/run.sh history`), which exports what bench.py needs.
"""
import os
import statistics


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run(b):
    """Runs the workload with bench module `b` (bench.py's globals) and adds its table rows."""
    ended = int(os.environ.get("BENCH_HISTORY_ROWS", "3000000"))
    live = int(os.environ.get("BENCH_HISTORY_LIVE", "20"))
    rounds = int(os.environ.get("BENCH_HISTORY_ROUNDS", "3"))
    before = os.environ.get("BENCH_ROOMCTL_BEFORE", "")
    b.log(f"history: {ended} ended rows + {live} live rows, {live} server rooms, {rounds} rounds")
    conn = b.db()
    with conn.cursor() as cur:
        cur.execute(b.SCHEMA)
        cur.execute("""INSERT INTO livekit_rooms (room_name, room_sid, status, created_at)
                       SELECT 'old-' || g, 'RM_' || lpad(to_hex(g), 12, '0'), 'ended',
                              now() - make_interval(mins => g)
                       FROM generate_series(1, %s) g""", (ended,))
        cur.execute("""INSERT INTO livekit_rooms (room_name, room_sid, status)
                       SELECT 'live-' || g, 'RM_live' || lpad(g::text, 5, '0'), 'active'
                       FROM generate_series(1, %s) g""", (live,))
        cur.execute("VACUUM ANALYZE livekit_rooms")
        for statement in plans(live):
            cur.execute("EXPLAIN " + statement[0], statement[1])
            b.log("  plan: " + " / ".join(r[0].strip() for r in cur.fetchall()))
    conn.close()
    b.reset_standin()
    for g in range(1, live + 1):
        b.control("/_standin/rooms", {"name": f"live-{g}", "sid": f"RM_live{g:05d}",
                                      "empty_timeout": 86400})
    out = os.path.join(b.WORK, "history-audit.json")
    ours, old = [], []
    for i in range(rounds):
        load = loadavg()
        with open(out, "w") as f:
            r = b.measure([b.ROOMCTL, "audit", "--json"], ok_codes=(0, 5), stdout=f)
        ours.append(r)
        line = f"  round {i + 1} (load {load}): after {r.wall:.2f} s wall, {r.cpu:.2f} s CPU, {r.rss_kb / 1024:.0f} MiB"
        if before:
            with open(out, "w") as f:
                o = b.measure([before, "audit", "--json"], ok_codes=(0, 5), stdout=f)
            old.append(o)
            line += f"; before {o.wall:.2f} s wall, {o.cpu:.2f} s CPU, {o.rss_kb / 1024:.0f} MiB"
        b.log(line)
    w = f"5. audit, {ended:,} ended + {live} live rows, {live} rooms (median of {rounds})"
    med = lambda runs, attr: statistics.median(getattr(x, attr) for x in runs)
    ours_text = (f"{b.fmt_s(med(ours, 'wall'))} wall, {b.fmt_s(med(ours, 'cpu'))} CPU, "
                 f"{med(ours, 'rss_kb') / 1024:.0f} MiB")
    if old:
        peer = (f"before: {b.fmt_s(med(old, 'wall'))} wall, {b.fmt_s(med(old, 'cpu'))} CPU, "
                f"{med(old, 'rss_kb') / 1024:.0f} MiB")
        b.add_row(w, ours_text, peer, med(old, "wall") / med(ours, "wall"), "cost follows the live set",
                  "min", 1)
    else:
        b.rows.append((w, ours_text, "—", "—", "cost follows the live set", "context"))


def plans(live):
    """The statements audit runs, as the default mapping builds them (store/sql.cpp)."""
    words = ("{pending,active}", "{ended,completed,closed,cancelled,canceled,expired,finished,failed}")
    liveness = ("CASE WHEN pg_catalog.lower(status::text) = ANY (ARRAY(SELECT pg_catalog.lower(w) "
                "FROM pg_catalog.unnest(%s::text[]) AS w)) THEN 'live' WHEN pg_catalog.lower(status::text) "
                "= ANY (ARRAY(SELECT pg_catalog.lower(w) FROM pg_catalog.unnest(%s::text[]) AS w)) "
                "THEN 'ended' ELSE 'unclassified' END")
    names = "{" + ",".join(f"live-{g}" for g in range(1, live + 1)) + "}"
    sids = "{" + ",".join(f"RM_live{g:05d}" for g in range(1, live + 1)) + "}"
    return [
        (f"SELECT room_name FROM livekit_rooms WHERE {liveness} <> 'ended'", words),
        (f"SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE room_sid::text ~ ANY (%s::text[]) "
         f"AND {liveness} = 'ended') FROM livekit_rooms", ('{"^RM[0-9a-f]{32}$"}',) + words),
        (f"SELECT room_name FROM livekit_rooms WHERE ((room_name::text) = ANY (%s::text[]) OR "
         f"room_sid::text = ANY (%s::text[])) AND {liveness} = 'ended'", (names, sids) + words),
    ]
