"""The fault matrix: every fault x operation x provider, one cell each.

Each cell seeds the same realistic broken state (live rows whose rooms are missing, a row
with SID drift, orphaned server rooms one of them occupied, occupied and in-sync live rooms),
injects one fault (through the stand-in's control surface, the TCP proxy in
tests/faultproxy.py, or PostgreSQL), runs `audit`, `recreate --apply` or `cleanup --apply`,
and checks every invariant with one checker, `check_invariants`:

  1. no database row points at a server room that does not exist because of roomctl;
  2. no server room roomctl created is left unrecorded without a journal line saying so
     (its SID named, or the creation said to be in doubt);
  3. no occupied or database-live room was deleted;
  4. the exit code is honest: it is the one the cell's fault allows, it agrees with the
     actions roomctl reports, and the actions agree with what happened on both sides;
  5. with the fault gone, a second run converges: recreate --apply and cleanup --apply exit 0,
     then audit exits 0.

Exit codes follow README "Exit codes": 0 all done (a fault absorbed by retries), 6 some
actions failed, 1 nothing could be done, 5 audit found drift.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
import pytest

from conftest import (API_KEY, API_SECRET, SOURCE_DIR, TWILIO_ACCOUNT, TWILIO_AUTH_TOKEN,
                      TWILIO_KEY, TWILIO_SECRET, StandIn)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for faultproxy
from faultproxy import FaultProxy  # noqa: E402

OPS = {
    "audit": ["audit"],
    "recreate": ["recreate", "--apply", "--concurrency", "1"],
    "cleanup": ["cleanup", "--apply", "--concurrency", "1"],
}
MAX_ATTEMPTS = 5  # per call, 429s aside: "about 4" attempts, and one of slack
# The server call each operation is about, where a fault on one call is aimed.
TARGET = {"audit": "ListRooms", "recreate": "CreateRoom", "cleanup": "DeleteRoom"}
PROXY_MATCH = {
    "livekit": {m: rf"/twirp/livekit\.RoomService/{m} " for m in TARGET.values()},
    "twilio": {"ListRooms": r"^GET /v1/Rooms[? ]", "CreateRoom": r"^POST /v1/Rooms ",
               "DeleteRoom": r"^POST /v1/Rooms/[^/ ]+ "},
}
LIVE_SQL = {"livekit": "status IN ('pending', 'active')", "twilio": "is_active"}
# A journal line that says a room may exist although roomctl could not learn its SID.
IN_DOUBT = re.compile(r"may have been created|may exist|in doubt|unknown|not known|whether",
                      re.I)
MAX_RUN_SECONDS = 25  # retries are bounded: ~15 s of attempts plus one request timeout


# ---------------------------------------------------------------------------------------------
# The seeded state, snapshots and the journal
# ---------------------------------------------------------------------------------------------

def seed(db, server):
    db.insert("miss-a", None, "pending")                    # never created
    if db.provider == "twilio":  # closed after its empty timeout: Twilio still knows its SID
        gone = server.seed_room("miss-b", sid="RM" + "e" * 32, status="completed")
        db.insert("miss-b", gone["sid"], "active")
    else:                        # LiveKit forgets a closed room
        db.insert("miss-b", "RM_expired0001", "active")
    ok = server.seed_room("live-ok", age_seconds=60, participants=["bob"])
    db.insert("live-ok", ok["sid"], "active")               # in sync, occupied
    server.seed_room("drift", age_seconds=60)
    db.insert("drift", "RM_stale000001", "active")          # SID drift
    ended = server.seed_room("ended", age_seconds=7200)
    db.insert("ended", ended["sid"], "ended")               # orphan: the row says ended
    server.seed_room("stray", age_seconds=7200)             # orphan: no row at all
    server.seed_room("busy", age_seconds=7200, participants=["alice"])  # orphan, occupied


def snapshot(db, server, provider, server_lost=False):
    rows = {rid: (name, sid, live) for rid, name, sid, live in db.execute(
        f"SELECT id::text, room_name, {db.sid_column}, {LIVE_SQL[provider]} FROM {db.table}")}
    rooms = {} if server_lost else {
        name: {"sid": r["sid"], "participants": int(r["num_participants"])}
        for name, r in server.rooms().items()}
    return {"rows": rows, "rooms": rooms}


def read_journal(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def terminate_roomctl_backends(pg_url, app_name):
    conn = psycopg2.connect(os.environ.get("PG_ADMIN_URL") or pg_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = %s AND pid <> pg_backend_pid()", (app_name,))
        killed = cur.fetchone()[0]
    conn.close()
    assert killed >= 1, "no roomctl backend to terminate"


class Holder:
    """Another session holding a lock in an open transaction, as an app's would."""

    def __init__(self, pg_url, sql, params=None):
        self.conn = psycopg2.connect(pg_url)
        with self.conn.cursor() as cur:
            cur.execute(sql, params)

    def release(self):
        self.conn.rollback()
        self.conn.close()


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------

class Cell:
    """One fault x operation x provider: what to inject, and the exit codes that are honest."""

    def __init__(self, fault, op, provider, server, proxy, db, pg_url):
        self.fault, self.op, self.provider = fault, op, provider
        self.server, self.proxy, self.db, self.pg_url = server, proxy, db, pg_url
        self.method = TARGET[op]
        self.match = PROXY_MATCH[provider][self.method]
        self.url = None          # the stand-in's own URL unless the proxy is in the path
        self.args = []           # global options for the faulted run
        self.env = {}
        self.expected = set()
        self.min_elapsed = 0.0
        self.server_lost = False  # the media server died with its rooms
        self.op_args = list(OPS[op])
        # Calls of the target method the run may make (retries bounded), when the fault says.
        self.max_target_calls = None
        self._finish, self._threads, self._errors = [], [], []

    def error_fault(self, status, message, **spec):
        if status == 429:
            body = ({"status": 429, "content_type": "application/json",
                     "body": json.dumps({"code": "resource_exhausted", "msg": message})}
                    if self.provider == "livekit" else {"status": 429})
        else:
            body = self.server.error(status, message)
        self.server.fault(method=self.method, **body, **spec)

    def when_requested(self, method, action):
        """Runs `action` as soon as the stand-in has received `method` (a delayed call is then
        in flight)."""
        def wait():
            deadline = time.time() + 15
            while time.time() < deadline:
                if self.server.requests().get(method, 0) >= 1:
                    try:
                        action()
                    except Exception as e:  # noqa: BLE001 - reported by finish()
                        self._errors.append(f"{action.__name__}: {e!r}")
                    return
                time.sleep(0.02)
            self._errors.append(f"{method} was never requested")
        t = threading.Thread(target=wait, daemon=True)
        t.start()
        self._threads.append(t)

    def on_finish(self, fn):
        self._finish.append(fn)

    def finish(self):
        for t in self._threads:
            t.join(20)
        for fn in self._finish:
            fn()
        assert not self._errors, self._errors


def expect(cell, audit, recreate, cleanup, twilio_recreate=None):
    if cell.op == "recreate" and cell.provider == "twilio" and twilio_recreate is not None:
        cell.expected = set(twilio_recreate)
    else:
        cell.expected = set({"audit": audit, "recreate": recreate, "cleanup": cleanup}[cell.op])


# Twilio's CreateRoom where a failure leaves it open whether the room was made: a repeat is
# safe (UniqueName + 53113 adopts the room), but the retry policy may also give up on it. Both
# are honest if the actions and the state agree, which check_invariants() verifies.
EITHER = {0, 6}


def fault_5xx_burst(cell):
    cell.error_fault(503, "overloaded", count=2)
    expect(cell, {5}, {0}, {0}, twilio_recreate=EITHER)


def fault_5xx_persistent(cell):
    cell.error_fault(503, "overloaded")
    # One ListRooms page; two creates; two deletes: each given up after MAX_ATTEMPTS.
    cell.max_target_calls = MAX_ATTEMPTS * (1 if cell.op == "audit" else 2)
    expect(cell, {1}, {6}, {1})


def fault_5xx_after_effect(cell):
    # The call took effect, then the server answered 500: "done, but the answer was lost".
    cell.error_fault(500, "internal", count=1, phase="after")
    expect(cell, {5}, {0}, {0}, twilio_recreate=EITHER)


def fault_429(cell):
    cell.error_fault(429, "rate limited", count=2)
    expect(cell, {5}, {0}, {0})


def fault_429_retry_after(cell):
    cell.error_fault(429, "rate limited", count=1, headers={"Retry-After": "1"})
    cell.min_elapsed = 1.0  # the Retry-After is honoured
    expect(cell, {5}, {0}, {0})


def fault_reset(cell):
    cell.url = cell.proxy.url
    cell.proxy.set("reset", match=cell.match, count=1, nbytes=12)  # inside the status line
    expect(cell, {5}, {0}, {0}, twilio_recreate=EITHER)


def fault_truncated_body(cell):
    # The real answer (the call took effect) with its full Content-Length, 1 byte of body.
    cell.server.fault(method=cell.method, phase="after", truncate=1, count=1)
    expect(cell, {5}, {0}, {0}, twilio_recreate=EITHER)


def fault_truncated_headers(cell):
    cell.url = cell.proxy.url
    cell.proxy.set("truncate", match=cell.match, count=1, nbytes=40)  # inside the headers
    expect(cell, {5}, {0}, {0}, twilio_recreate=EITHER)


def fault_non_json(cell):
    # A 200 that is not the API's JSON (a captive portal, a misrouted proxy); nothing acted.
    cell.server.fault(method=cell.method, status=200, content_type="text/html",
                      body="<html><body>Welcome to the hotel network</body></html>", count=1)
    expect(cell, {1}, {6}, {6})


def fault_blackhole(cell):
    cell.url = cell.proxy.url
    cell.args = ["--timeout", "2s"]
    cell.proxy.set("blackhole", match=cell.match, count=1)
    cell.min_elapsed = 2.0
    expect(cell, {5}, {0}, {0}, twilio_recreate=EITHER)


def fault_jitter(cell):
    cell.url = cell.proxy.url
    cell.proxy.set("jitter", low=0.02, high=2.0, seed=20240611)
    cell.op_args = [a if a != "1" else "4" for a in cell.op_args]  # --concurrency 4
    expect(cell, {5}, {0}, {0})


def fault_server_killed(cell):
    # The server acts on the call, then dies: connections reset, connects refused. It comes
    # back with its rooms (Twilio's cloud, or LiveKit with Redis) before the second run.
    cell.url = cell.proxy.url
    cell.proxy.set("kill", match=cell.match, count=1)
    cell.on_finish(cell.proxy.revive)
    expect(cell, {1}, {6}, {1})


def fault_server_process_killed(cell):
    # The stand-in process itself dies (SIGKILL) once the call took effect, and a new one
    # starts on the same port with no rooms, like a single-node LiveKit without Redis.
    cell.server.fault(method=cell.method, phase="after", exit=True, count=1)
    cell.server_lost = True
    expect(cell, {1}, {6}, {1})


def fault_pg_terminate(cell):
    # A name of this cell's own (libpq's PGAPPNAME), so that tests running in parallel keep
    # their backends.
    app_name = f"roomctl-{cell.db.schema}"
    cell.env = {"PGAPPNAME": app_name}
    cell.server.fault(method=cell.method, delay_ms=700, count=1)
    cell.when_requested(cell.method, lambda: terminate_roomctl_backends(cell.pg_url, app_name))
    expect(cell, {5}, {0}, {0})


def fault_statement_timeout(cell):
    cell.env = {"PGOPTIONS": "-c statement_timeout=200"}
    db = cell.db
    if cell.op == "recreate":
        # The app holds miss-a's row: its SID cannot be written; the room must not be left.
        lock = Holder(cell.pg_url, f"SELECT 1 FROM {db.table} WHERE room_name = %s FOR UPDATE",
                      ("miss-a",))
        cell.on_finish(lock.release)
    elif cell.op == "cleanup":
        # After the first delete, the table is locked: the liveness re-check times out, and
        # a room whose liveness is unknown must not be deleted.
        cell.server.fault(method="DeleteRoom", delay_ms=600, count=1)
        held = []

        def lock_table():
            held.append(Holder(cell.pg_url, f"LOCK TABLE {db.table} IN ACCESS EXCLUSIVE MODE"))
        cell.when_requested("DeleteRoom", lock_table)
        cell.on_finish(lambda: [h.release() for h in held])
    else:
        lock = Holder(cell.pg_url, f"LOCK TABLE {db.table} IN ACCESS EXCLUSIVE MODE")
        cell.on_finish(lock.release)
    expect(cell, {1}, {6}, {6})


def fault_sid_race(cell):
    db, server = cell.db, cell.server
    if cell.op == "recreate":
        # While roomctl's CreateRoom is held, the app creates miss-a itself and records it.
        server.fault(method="CreateRoom", delay_ms=700, count=2)

        def app_creates_miss_a():
            room = server.seed_room("miss-a", age_seconds=1)
            db.set_sid("miss-a", room["sid"])
        cell.when_requested("CreateRoom", app_creates_miss_a)
    else:
        # While roomctl looks, the app takes the orphans back: "ended" is live again, and a
        # new live row owns "stray".
        method = "ListParticipants" if cell.op == "cleanup" else "ListRooms"
        server.fault(method=method, delay_ms=700, count=1)

        def app_claims_orphans():
            live = "status = 'active'" + (", is_active = true" if cell.provider == "twilio"
                                          else "")
            db.execute(f"UPDATE {db.table} SET {live} WHERE room_name = 'ended'")
            db.insert("stray", server.rooms()["stray"]["sid"], "active")
        cell.when_requested(method, app_claims_orphans)
    expect(cell, {5}, {0}, {0})


FAULTS = {f.__name__[len("fault_"):]: f for f in (
    fault_5xx_burst, fault_5xx_persistent, fault_5xx_after_effect, fault_429,
    fault_429_retry_after, fault_reset, fault_truncated_body, fault_truncated_headers,
    fault_non_json, fault_blackhole, fault_jitter, fault_server_killed,
    fault_server_process_killed, fault_pg_terminate, fault_statement_timeout, fault_sid_race)}


# ---------------------------------------------------------------------------------------------
# The shared checker
# ---------------------------------------------------------------------------------------------

def check_invariants(cell, result, pre, post, log, journal):
    op, server_lost = cell.op, cell.server_lost
    where = f"[{cell.fault} x {op} x {cell.provider}] exit {result.code}\n" \
            f"stdout: {result.stdout}\nstderr: {result.stderr}\njournal: {journal}"
    try:
        doc = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"no JSON document on stdout {where}")
    actions = doc.get("actions", [])

    # 4. Honest exit code: allowed by the fault, and the one the reported outcome implies.
    assert result.code in cell.expected, f"exit code not in {sorted(cell.expected)} {where}"
    if "error" in doc:
        assert result.code == doc["error"]["exit_code"] != 0, where
    elif op == "audit":
        assert result.code == (0 if doc["in_sync"] else 5), where
    else:
        failed = sum(a["status"] == "failed" for a in actions)
        done = sum(a["status"] == "done" for a in actions)
        implied = 0 if failed == 0 else 6 if done > 0 else 1
        assert result.code == implied, f"exit code does not match the actions {where}"
    assert result.elapsed < MAX_RUN_SECONDS, f"retries not bounded in time {where}"
    assert result.elapsed >= cell.min_elapsed, f"a Retry-After was not waited out {where}"
    if "error" in doc:
        assert result.error_lines(), f"failure without a 'roomctl: error:' line {where}"
    for a in actions:
        if a["status"] == "failed":
            assert f"failed {a['kind']} {a['room']}" in result.stderr, \
                f"failed action without its own line on stderr {where}"

    pre_rows, post_rows = pre["rows"], post["rows"]
    pre_rooms, post_rooms = pre["rooms"], post["rooms"]
    row_by_name = {}
    for name, sid, live in post_rows.values():
        row_by_name.setdefault(name, []).append((sid, live))

    # ... and the actions it reports are what happened.
    for a in actions:
        name, st = a["database_name"] or a["room"], a["status"]
        if a["kind"] in ("create_room", "update_sid") and st == "done":
            assert (a["new_sid"], True) in row_by_name.get(name, []), f"{a} not recorded {where}"
            if a["kind"] == "create_room" and not server_lost:
                assert post_rooms.get(a["room"], {}).get("sid") == a["new_sid"], \
                    f"{a} reported done, room not on the server {where}"
        if a["kind"] == "create_room" and a["compensated"]:
            assert all(r["sid"] != a["server_sid"] for r in post_rooms.values()), \
                f"{a} says compensated, the room is still there {where}"
        if a["kind"] == "delete_room" and st == "done" and not server_lost:
            assert a["room"] not in post_rooms, f"{a} reported done, room still there {where}"
        if a["kind"] == "delete_room" and st == "skipped" and not server_lost:
            assert a["room"] in post_rooms, f"{a} reported skipped, room gone {where}"

    # The journal: every action started is ended, with the outcome reported.
    if op != "audit":
        starts = [(j["kind"], j["room"]) for j in journal if j["phase"] == "start"]
        ends = {(j["kind"], j["room"]): j for j in journal if j["phase"] == "end"}
        for key in starts:
            assert key in ends, f"journal start without an end: {key} {where}"
        for a in actions:
            if a["status"] in ("done", "failed") and \
                    not (a["error"] or "").startswith("not started"):
                j = ends.get((a["kind"], a["room"]))
                assert j and j["status"] == a["status"], f"journal disagrees on {a} {where}"

    if server_lost:
        return

    # Retries are bounded, and a repeated create never makes a second room of one name.
    calls = [e for e in log if e["method"] == cell.method]
    if cell.max_target_calls is not None:
        assert len(calls) <= cell.max_target_calls, f"{len(calls)} {cell.method} calls {where}"
    created_names = {}
    for e in log:
        if e["method"] == "CreateRoom" and e["status"] in (200, 201) and e["sid"]:
            created_names.setdefault(e["name"], set()).add(e["sid"])
    for name, sids in created_names.items():
        assert len(sids) == 1, f"room {name} created twice in one run: {sids} {where}"

    # 1. A row whose SID changed during the run points at a room that exists.
    for rid, (name, sid, live) in post_rows.items():
        if live and sid and pre_rows.get(rid, (None, None, None))[1] != sid:
            assert post_rooms.get(name, {}).get("sid") == sid, \
                f"row {name} now points at {sid}, which is not on the server {where}"

    # 2. Every room created during the run is recorded in its row, or the journal says so.
    pre_sids = {r["sid"] for r in pre_rooms.values()}
    created = {e["sid"] for e in log if e["method"] == "CreateRoom"
               and e["status"] in (200, 201) and e["sid"] and e["sid"] not in pre_sids}
    for name, room in post_rooms.items():
        if room["sid"] not in created:
            continue
        if any(sid == room["sid"] for sid, live in row_by_name.get(name, [])):
            continue
        said = [j for j in journal if j["phase"] == "end" and j["room"] == name and (
            room["sid"] in json.dumps(j) or IN_DOUBT.search(j.get("error") or ""))]
        assert said, (f"room {name} ({room['sid']}) was created during the run, is recorded "
                      f"in no row, and no journal line says so {where}")

    # 3. No occupied or database-live room was deleted.
    live_names = {name for name, _, live in list(pre_rows.values()) + list(post_rows.values())
                  if live}
    for name, room in pre_rooms.items():
        if room["participants"] > 0 or name in live_names:
            assert post_rooms.get(name, {}).get("sid") == room["sid"], \
                f"room {name} (occupied or owned by a live row) was deleted {where}"


def converge(run, server, url):
    """5. With the fault gone (and the meeting in the occupied orphan over), a second run
    converges."""
    if "busy" in server.rooms():
        server.control("participants/remove", {"room": "busy", "identity": "alice"})
    for args in (OPS["recreate"], OPS["cleanup"]):
        r = run("--json", *args, url=url)
        assert r.code == 0, f"second run {args[0]}: exit {r.code}\n{r.stdout}\n{r.stderr}"
    r = run("--json", "audit", url=url)
    assert r.code == 0, f"audit after the second run: exit {r.code}\n{r.stdout}\n{r.stderr}"
    assert r.json["in_sync"] is True


# ---------------------------------------------------------------------------------------------
# The cells as tests
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def proxy(standin):
    p = FaultProxy(standin.port)
    yield p
    p.close()


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_cell(fault, op, provider, run, db, standin, proxy, pg_url, tmp_path):
    server = standin
    if fault == "server_process_killed":
        server = start_pinned(provider)
    try:
        cell = Cell(fault, op, provider, server, proxy, db, pg_url)
        seed(db, server)
        pre = snapshot(db, server, provider)
        FAULTS[fault](cell)
        journal = tmp_path / "fault-run.jsonl"
        try:
            result = run(*cell.args, "--json", "--journal", str(journal), *cell.op_args,
                         env=cell.env, url=cell.url or server.url, timeout=60)
        finally:
            cell.finish()
        if cell.server_lost:
            assert server.proc.wait(10) == -signal.SIGKILL, "the stand-in did not die"
            log = []
        else:
            log = server.control("log")["log"]
        post = snapshot(db, server, provider, server_lost=cell.server_lost)
        check_invariants(cell, result, pre, post, log, read_journal(journal))
        if cell.server_lost:
            server = restart_pinned(server)
        else:
            server.control("faults/clear", {})
        proxy.set("pass")
        converge(run, server, server.url)
    finally:
        if server is not standin:
            server.stop()


def start_pinned(provider, port=0):
    """A stand-in process of the test's own (the shared one must survive), on `port`."""
    d = tempfile.mkdtemp(prefix="roomctl-pinned-")
    port_file = Path(d) / "port"
    if provider == "livekit":
        args = ["livekit_standin.py", "--keys", f"{API_KEY}:{API_SECRET}"]
    else:
        args = ["twilio_standin.py", "--account-sid", TWILIO_ACCOUNT, "--auth-token",
                TWILIO_AUTH_TOKEN, "--api-key", f"{TWILIO_KEY}:{TWILIO_SECRET}"]
    s = StandIn.__new__(StandIn)
    s.provider, s.dir = provider, d
    s.proc = subprocess.Popen(
        ["/usr/bin/python3", str(SOURCE_DIR / "tests/standin" / args[0]), *args[1:],
         "--host", "127.0.0.1", "--port", str(port), "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 15
    while not port_file.exists():
        if s.proc.poll() is not None or time.time() > deadline:
            raise RuntimeError(f"pinned stand-in did not start on port {port}")
        time.sleep(0.05)
    s.port = int(port_file.read_text().strip())
    s.url = f"http://127.0.0.1:{s.port}"
    return s


def restart_pinned(server):
    """The killed server comes back on the same port, without its rooms."""
    return start_pinned(server.provider, server.port)
