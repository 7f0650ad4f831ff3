"""Issue 14, end to end: each seed's schema as its document gives it runs through check ->
audit -> recreate --apply -> cleanup --apply -> audit, as a role that neither owns the app's
tables nor is a superuser, and roomctl never alters them (no ALTER, no view, no trigger).

Seed 000: instant_sessions stores a token and no room SID; the room is "session-{token}".
Seed 001: breakout_rooms "Room 1", "Room 2" per session on Twilio, "{session_id}-{name}".
Seed 003: livekit_rooms booked ahead, scheduled_at says when the session starts.
Seed 004: the truth is sessions.status; livekit_rooms.status stays 'active'.
The schemas and helpers are in seed_schemas.py.
"""
import time
import uuid

import pytest

from seed_schemas import (LIVE_WHEN_004, MISTAKES, SEED_001, SEED_003, SESSION_TABLE_004, AppRole,
                          create_seed_schema, epoch, fingerprint, kinds, one_error_line, seed_000,
                          seed_004, write_mapping)

twilio = pytest.mark.parametrize("provider", ["twilio"])
livekit = pytest.mark.parametrize("provider", ["livekit"])


@pytest.fixture
def app_role(pg_url, db):
    roles = []

    def make(grants):
        roles.append(AppRole(pg_url, db, grants))
        return roles[-1]

    yield make
    for role in roles:
        role.drop()


def check_passes(go):
    r = go("check", "--json")
    bad = [(p["name"], p["message"]) for p in r.json.get("probes", []) if p["status"] != "ok"]
    assert r.code == 0 and not bad, bad or r.stderr


# --- seed 000: no SID column ----------------------------------------------------------------

@twilio
def test_seed_000_token_table_without_a_sid_column(run, db, standin, app_role):
    table, go = seed_000(run, db, app_role)
    db.execute(f"INSERT INTO {table} (session_token, status) VALUES "
               "('P46odHdPO0wJ', 'active'), ('Qx81aZ0pLm2N', 'waiting'), ('Zz00old00000', 'ended')")
    standin.seed_room("session-P46odHdPO0wJ", age_seconds=900)
    standin.seed_room("session-Zz00old00000", age_seconds=7200)   # its session ended
    standin.seed_room("session-strayroom01", age_seconds=7200)    # no row at all

    def rows():
        return db.execute(f"SELECT * FROM {table} ORDER BY session_token")

    before_rows, before_schema = rows(), fingerprint(db)
    check_passes(go)

    audit = go("audit", "--json")
    assert audit.code == 5, audit.stderr
    assert kinds(audit.json) == {("missing", "session-Qx81aZ0pLm2N"),
                                 ("orphaned", "session-Zz00old00000"),
                                 ("orphaned", "session-strayroom01")}
    summary = audit.json["summary"]
    assert summary["in_sync"] == 1 and summary["sid_drift"] == 0
    assert summary["matched_by_name_only"], summary
    human = go("audit")
    assert human.code == 5
    # Said once, not per row and not silently.
    said = human.stdout + human.stderr
    assert said.lower().count("name only") == 1, said

    plan = go("recreate", "--json")
    assert plan.code == 0, plan.stderr
    assert {(a["kind"], a["room"], a["status"]) for a in plan.json["actions"]} == {
        ("create_room", "session-Qx81aZ0pLm2N", "planned")}
    applied = go("recreate", "--apply")
    assert applied.code == 0, applied.stderr
    assert (applied.stdout + applied.stderr).lower().count("name only") == 1, applied.stderr
    assert set(standin.rooms()) == {"session-P46odHdPO0wJ", "session-Qx81aZ0pLm2N",
                                    "session-Zz00old00000", "session-strayroom01"}
    assert rows() == before_rows  # nothing recorded: there is nowhere to record it

    cleanup = go("cleanup", "--apply", "--json")
    assert cleanup.code == 0, cleanup.stderr
    assert {(a["room"], a["status"]) for a in cleanup.json["actions"]} == {
        ("session-Zz00old00000", "done"), ("session-strayroom01", "done")}
    assert set(standin.rooms()) == {"session-P46odHdPO0wJ", "session-Qx81aZ0pLm2N"}

    final = go("audit", "--json")
    assert final.code == 0, final.stdout
    assert final.json["in_sync"] is True and final.json["summary"]["in_sync"] == 2
    assert rows() == before_rows
    assert fingerprint(db) == before_schema


# --- seed 001: breakout rooms per session -----------------------------------------------------

MAPPING_001 = {"name_column": "room_name", "sid_column": "twilio_room_sid",
               "status_column": "is_active", "live_statuses": ["true"],
               "ended_statuses": ["false"], "room_name_template": "{session_id}-{name}",
               "session_column": "session_id"}


def setup_001(run, db, app_role):
    create_seed_schema(db, SEED_001)
    table = f"{db.schema}.breakout_rooms"
    write_mapping(run, {"table": table, **MAPPING_001})
    role = app_role({"breakout_rooms": "SELECT, UPDATE"})

    def insert(session, name, sid, active):
        db.execute(f"INSERT INTO {table} (session_id, room_name, twilio_room_sid, is_active) "
                   "VALUES (%s, %s, %s, %s)", (session, name, sid, active))

    return table, insert, (lambda *args: run(*args, database_url=role.url))


@twilio
def test_seed_001_breakout_rooms_of_two_sessions_stay_apart(run, db, standin, app_role):
    table, insert, go = setup_001(run, db, app_role)
    s1, s2 = str(uuid.uuid4()), str(uuid.uuid4())
    s1_room1 = standin.seed_room(f"{s1}-Room 1", age_seconds=900)
    s2_room1 = standin.seed_room(f"{s2}-Room 1", age_seconds=900)
    standin.seed_room(f"{s2}-Room 2", age_seconds=7200)
    insert(s1, "Room 1", s1_room1["sid"], True)        # in sync
    insert(s1, "Room 1", "RM" + "0" * 31 + "1", False)  # an earlier, ended Room 1: history
    insert(s1, "Room 2", None, True)                    # never created: missing
    insert(s2, "Room 1", None, True)                    # on the server, SID not recorded
    insert(s2, "Room 2", "RM" + "0" * 31 + "2", False)  # closed by the app, room left: orphan

    def rows():
        return db.execute(f"SELECT session_id::text, room_name, is_active, twilio_room_sid "
                          f"FROM {table} ORDER BY 1, 2, 3")

    def other_columns():
        return db.execute(f"SELECT id, session_id, room_name, is_active, created_at "
                          f"FROM {table} ORDER BY id")

    before_rows, before_other, before_schema = rows(), other_columns(), fingerprint(db)
    check_passes(go)

    audit = go("audit", "--json")
    assert audit.code == 5, audit.stderr
    assert kinds(audit.json) == {("missing", f"{s1}-Room 2"), ("sid_drift", f"{s2}-Room 1"),
                                 ("orphaned", f"{s2}-Room 2")}
    assert audit.json["summary"]["in_sync"] == 1
    assert audit.json["summary"].get("duplicate_name", 0) == 0

    rec = go("recreate", "--apply", "--json")
    assert rec.code == 0, rec.stderr
    assert {(a["kind"], a["room"], a["status"]) for a in rec.json["actions"]} == {
        ("create_room", f"{s1}-Room 2", "done"), ("update_sid", f"{s2}-Room 1", "done")}
    rooms = standin.rooms()
    sids = {(s, n, active): sid for s, n, active, sid in rows()}
    assert sids[(s1, "Room 1", True)] == s1_room1["sid"]
    assert sids[(s1, "Room 1", False)] == "RM" + "0" * 31 + "1"
    assert sids[(s1, "Room 2", True)] == rooms[f"{s1}-Room 2"]["sid"]
    assert sids[(s2, "Room 1", True)] == s2_room1["sid"]
    assert sids[(s2, "Room 2", False)] == "RM" + "0" * 31 + "2"

    cleanup = go("cleanup", "--apply", "--json")
    assert cleanup.code == 0, cleanup.stderr
    assert {(a["room"], a["status"]) for a in cleanup.json["actions"]} == {
        (f"{s2}-Room 2", "done")}
    assert set(standin.rooms()) == {f"{s1}-Room 1", f"{s1}-Room 2", f"{s2}-Room 1"}

    final = go("audit", "--json")
    assert final.code == 0, final.stdout
    assert final.json["in_sync"] is True and final.json["summary"]["in_sync"] == 3
    assert other_columns() == before_other and len(rows()) == len(before_rows)
    assert fingerprint(db) == before_schema


@twilio
def test_seed_001_two_live_rows_naming_one_room_are_a_finding_and_left_alone(
        run, db, standin, app_role):
    table, insert, go = setup_001(run, db, app_role)
    s3, s4 = str(uuid.uuid4()), str(uuid.uuid4())
    old = standin.seed_room(f"{s3}-Room 1", age_seconds=7200, status="completed")
    current = standin.seed_room(f"{s3}-Room 1", age_seconds=900)
    insert(s3, "Room 1", current["sid"], True)
    insert(s3, "Room 1", old["sid"], True)   # the app created Room 1 twice in one session
    insert(s4, "Room 1", None, True)
    insert(s4, "Room 1", None, True)         # and here neither copy ever got a room

    def rows():
        return db.execute(f"SELECT * FROM {table} ORDER BY id")

    before_rows, before_rooms = rows(), standin.rooms()

    audit = go("audit", "--json")
    assert audit.code == 5, audit.stderr
    assert kinds(audit.json) == {("duplicate_name", f"{s3}-Room 1"),
                                 ("duplicate_name", f"{s4}-Room 1")}
    summary = audit.json["summary"]
    assert summary["duplicate_name"] == 2 and summary["in_sync"] == 0
    assert summary["missing"] == 0 and summary["sid_drift"] == 0
    by_room = {f["room"]: f for f in audit.json["findings"]}
    s3_rows = by_room[f"{s3}-Room 1"]["rows"]
    assert sorted(r["sid"] for r in s3_rows) == sorted([current["sid"], old["sid"]])
    assert all(r["name"] == "Room 1" for r in s3_rows)
    assert [r["sid"] for r in by_room[f"{s4}-Room 1"]["rows"]] == [None, None]
    human = go("audit")
    assert human.code == 5
    assert current["sid"] in human.stdout and old["sid"] in human.stdout, human.stdout

    for command in (["recreate", "--apply", "--json"], ["cleanup", "--apply", "--json"]):
        r = go(*command)
        assert r.code in (0, 8), r.stderr
        assert not [a for a in (r.json.get("actions") or []) if a["status"] == "done"], r.json
    assert standin.requests().get("CreateRoom", 0) == 0
    assert standin.requests().get("DeleteRoom", 0) == 0
    assert rows() == before_rows
    assert standin.rooms().keys() == before_rooms.keys()
    again = go("audit", "--json")
    assert again.code == 5 and again.json["in_sync"] is False
    assert again.json["summary"]["duplicate_name"] == 2


# --- seed 003: schedules ----------------------------------------------------------------------

@livekit
def test_seed_003_schedules_never_created_expired_and_not_yet_due(run, db, standin, app_role):
    create_seed_schema(db, SEED_003)
    table = f"{db.schema}.livekit_rooms"
    write_mapping(run, {"table": table, "name_column": "room_name", "sid_column": "room_sid",
                        "status_column": "status", "live_statuses": ["pending", "active"],
                        "ended_statuses": ["ended", "completed"],
                        "starts_column": "scheduled_at"})
    role = app_role({"livekit_rooms": "SELECT, UPDATE"})

    def go(*args):
        return run(*args, database_url=role.url)

    now = int(time.time())
    rooms = {}

    def book(key, status, sid, starts_in, room=None):
        rooms[key] = (room or f"session-{uuid.uuid4()}", now + starts_in)
        db.execute(f"INSERT INTO {table} (session_id, room_name, room_sid, status, scheduled_at) "
                   "VALUES (gen_random_uuid(), %s, %s, %s, to_timestamp(%s))",
                   (rooms[key][0], sid, status, now + starts_in))

    book("soon", "pending", None, 5 * 60)                   # booked, never created
    book("expired", "active", "RM_Expired00001", -10 * 60)  # created, closed by empty timeout
    book("later", "pending", None, 3 * 3600)
    book("in_90m", "pending", None, 90 * 60)
    ok = standin.seed_room("session-ok", age_seconds=1800)
    book("ok", "active", ok["sid"], -30 * 60, "session-ok")
    done = standin.seed_room("session-done", age_seconds=7200)
    book("done", "ended", done["sid"], -2 * 3600, "session-done")
    name = {k: v[0] for k, v in rooms.items()}
    starts = {k: v[1] for k, v in rooms.items()}

    def sids():
        return dict(db.execute(f"SELECT room_name, room_sid FROM {table}"))

    def other_columns():
        return db.execute(f"SELECT id, session_id, room_name, status, scheduled_at, created_at "
                          f"FROM {table} ORDER BY id")

    before_other, before_schema = other_columns(), fingerprint(db)
    check_passes(go)

    audit = go("audit", "--json", "--starting-within", "15m")
    assert audit.code == 5, audit.stderr
    assert kinds(audit.json) == {("missing", name["soon"]), ("missing", name["expired"]),
                                 ("not_yet_due", name["later"]), ("not_yet_due", name["in_90m"]),
                                 ("orphaned", "session-done")}
    by_room = {f["room"]: f for f in audit.json["findings"]}
    assert by_room[name["soon"]]["missing_cause"] == "never_created"
    assert by_room[name["expired"]]["missing_cause"] == "expired"
    for key in ("soon", "expired", "later"):
        assert abs(epoch(by_room[name[key]]["starts_at"]) - starts[key]) <= 1, by_room[name[key]]
    summary = audit.json["summary"]
    assert (summary["missing"], summary["not_yet_due"], summary["in_sync"]) == (2, 2, 1)
    text = go("audit", "--starting-within", "15m").stdout.lower()
    assert "never created" in text and "expired" in text and "not yet due" in text, text

    rec = go("recreate", "--apply", "--starting-within", "15m", "--json")
    assert rec.code == 0, rec.stderr
    created = set(standin.rooms()) - {"session-ok", "session-done"}
    assert created == {name["soon"], name["expired"]}
    server = standin.rooms()
    soon = server[name["soon"]]
    # Kept while nobody joins until the session starts, and a margin beyond.
    assert int(soon["creation_time"]) + soon["empty_timeout"] >= starts["soon"] + 300, soon
    recorded = sids()
    assert recorded[name["soon"]] == soon["sid"]
    assert recorded[name["expired"]] == server[name["expired"]]["sid"]
    assert recorded[name["later"]] is None and recorded[name["in_90m"]] is None

    # Cron, with a wider window: the 90-minute session is due now, and its room must outlast a
    # default one-hour empty timeout.
    rec2 = go("recreate", "--apply", "--starting-within", "2h", "--json")
    assert rec2.code == 0, rec2.stderr
    server = standin.rooms()
    assert name["later"] not in server
    in_90m = server[name["in_90m"]]
    assert int(in_90m["creation_time"]) + in_90m["empty_timeout"] >= starts["in_90m"] + 300, in_90m
    assert sids()[name["in_90m"]] == in_90m["sid"]

    cleanup = go("cleanup", "--apply", "--json")
    assert cleanup.code == 0, cleanup.stderr
    assert {(a["room"], a["status"]) for a in cleanup.json["actions"]} == {("session-done", "done")}

    final = go("audit", "--json", "--starting-within", "15m")
    # The exit code and "in_sync" tell one story (whichever the project decides not_yet_due is).
    assert final.code == (0 if final.json["in_sync"] else 5), (final.code, final.json["in_sync"])
    assert kinds(final.json) == {("not_yet_due", name["later"])}
    assert final.json["summary"]["in_sync"] == 4
    assert other_columns() == before_other
    assert fingerprint(db) == before_schema


# --- seed 004: liveness from the sessions table -----------------------------------------------

def seed_004_loop(run, db, standin, go, names):
    s = db.schema
    sessions_before = db.execute(f"SELECT * FROM {s}.sessions ORDER BY id")

    def other_columns():
        return db.execute(f"SELECT id, session_id, room_name, status, created_at "
                          f"FROM {s}.livekit_rooms ORDER BY id")

    before_other, before_schema = other_columns(), fingerprint(db)
    check_passes(go)

    audit = go("audit", "--json")
    assert audit.code == 5, audit.stderr
    assert kinds(audit.json) == {("missing", names["live_missing"]),
                                 ("orphaned", names["completed"])}
    assert audit.json["summary"]["in_sync"] == 2   # the completed session's room is not
    found = {f["room"]: f for f in audit.json["findings"]}

    rec = go("recreate", "--apply", "--json")
    assert rec.code == 0, rec.stderr
    assert {(a["kind"], a["room"], a["status"]) for a in rec.json["actions"]} == {
        ("create_room", names["live_missing"], "done")}
    created = standin.rooms()[names["live_missing"]]
    recorded = dict(db.execute(f"SELECT room_name, room_sid FROM {s}.livekit_rooms"))
    assert recorded[names["live_missing"]] == created["sid"]   # into livekit_rooms itself
    assert recorded[names["cancelled"]] is None

    cleanup = go("cleanup", "--apply", "--json")
    assert cleanup.code == 0, cleanup.stderr
    assert {(a["room"], a["status"]) for a in cleanup.json["actions"]} == {
        (names["completed"], "done")}
    assert set(standin.rooms()) == {names["live_missing"], names["live_ok"], names["scheduled"]}

    final = go("audit", "--json")
    assert final.code == 0, final.stdout
    assert final.json["in_sync"] is True and final.json["summary"]["in_sync"] == 3
    assert db.execute(f"SELECT * FROM {s}.sessions ORDER BY id") == sessions_before
    assert other_columns() == before_other   # livekit_rooms.status is still 'active' everywhere
    assert fingerprint(db) == before_schema  # no view, no ALTER, no trigger
    return found


@livekit
def test_seed_004_liveness_from_the_sessions_table(run, db, standin, app_role):
    go, names = seed_004(run, db, standin, app_role, SESSION_TABLE_004)
    found = seed_004_loop(run, db, standin, go, names)
    assert found[names["completed"]]["database_status"] == "completed"


@livekit
def test_seed_004_live_when_gives_the_same_answer(run, db, standin, app_role):
    go, names = seed_004(run, db, standin, app_role, LIVE_WHEN_004)
    seed_004_loop(run, db, standin, go, names)


# --- mistakes in the new settings: one line, nothing changed ----------------------------------

@livekit
@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_mistake_in_a_new_setting_is_one_line_and_changes_nothing(
        run, db, standin, app_role, mistake):
    mapping, named = MISTAKES[mistake]
    go, names = seed_004(run, db, standin, app_role, mapping)
    s = db.schema
    before = (db.execute(f"SELECT * FROM {s}.sessions ORDER BY id"),
              db.execute(f"SELECT * FROM {s}.livekit_rooms ORDER BY id"), fingerprint(db))
    rooms_before = set(standin.rooms())

    # --no-signal: server.signal joins and then deletes a probe room of its own
    # (test_signal_probe.py), which the DeleteRoom count below would take for a change.
    check = go("check", "--no-signal", "--json")
    if check.code == 3:   # refused before any probe ran
        assert named in one_error_line(check)
    else:
        failed = [(p["name"], p["message"]) for p in check.json.get("probes", [])
                  if p["status"] == "failed"]
        assert check.code == 5 and [n for n, _ in failed] == ["database.mapping"], (
            "check passed" if check.code == 0 else (check.code, failed, check.stderr))
        assert named in failed[0][1] and "\n" not in failed[0][1], failed

    for command in (["audit"], ["recreate", "--apply"], ["cleanup", "--apply"]):
        r = go(*command)
        assert r.code == 3, (command, r.stderr)
        assert named in one_error_line(r), r.stderr
    assert standin.requests().get("CreateRoom", 0) == 0
    assert standin.requests().get("DeleteRoom", 0) == 0
    assert set(standin.rooms()) == rooms_before
    assert (db.execute(f"SELECT * FROM {s}.sessions ORDER BY id"),
            db.execute(f"SELECT * FROM {s}.livekit_rooms ORDER BY id"), fingerprint(db)) == before


@livekit
def test_starting_within_without_starts_column_is_refused(run, db, standin, app_role):
    go, names = seed_004(run, db, standin, app_role, SESSION_TABLE_004)
    rows_before = db.execute(f"SELECT * FROM {db.schema}.livekit_rooms ORDER BY id")
    # Without schedules the window cannot be applied: doubt means no, not "every room".
    for command in (["recreate", "--apply"], ["audit"]):
        r = go(*command, "--starting-within", "15m")
        assert r.code in (2, 3), (command, r.code, r.stderr)
        assert "starts_column" in one_error_line(r)
        assert standin.requests().get("CreateRoom", 0) == 0
    assert db.execute(f"SELECT * FROM {db.schema}.livekit_rooms ORDER BY id") == rows_before


# --- part 7's safety rules hold in the new modes ----------------------------------------------

def when_created(standin, action):
    """Runs `action` on a thread while roomctl's CreateRoom is held after the room exists."""
    standin.fault(method="CreateRoom", phase="after", delay_ms=1500, count=1)
    return standin.when_requested("CreateRoom", lambda: (time.sleep(0.3), action()))


@twilio
def test_seed_000_a_session_ending_while_its_room_is_created_gets_it_deleted_again(
        run, db, standin, app_role):
    table, go = seed_000(run, db, app_role)
    db.execute(f"INSERT INTO {table} (session_token, status) VALUES ('Ends00000001', 'waiting')")
    writer = when_created(standin, lambda: db.execute(
        f"UPDATE {table} SET status = 'ended' WHERE session_token = 'Ends00000001'"))
    r = go("recreate", "--apply", "--json")
    writer.join()
    assert r.code == 6, r.stderr   # no SID write to notice it by: the row is read again
    [action] = r.json["actions"]
    assert action["status"] == "compensated", action
    assert "session-Ends00000001" not in standin.rooms()


@livekit
@pytest.mark.parametrize("liveness", ["session_table", "live_when"])
def test_seed_004_a_session_completed_while_its_room_is_created_gets_it_deleted_again(
        run, db, standin, app_role, liveness):
    go, names = seed_004(run, db, standin, app_role,
                         SESSION_TABLE_004 if liveness == "session_table" else LIVE_WHEN_004)
    room = names["live_missing"]
    # The room table's row does not change at all: only its session does.
    writer = when_created(standin, lambda: db.execute(
        f"UPDATE {db.schema}.sessions SET status = 'completed' WHERE id = %s",
        (room.removeprefix("session-"),)))
    r = go("recreate", "--apply", "--json")
    writer.join()
    assert r.code == 6, r.stderr
    [action] = r.json["actions"]
    assert action["status"] == "compensated", action
    assert room not in standin.rooms()
    assert db.execute(f"SELECT room_sid FROM {db.schema}.livekit_rooms WHERE room_name = %s",
                      (room,)) == [(None,)]


@twilio
def test_seed_000_cleanup_asks_the_table_again_before_deleting(run, db, standin, app_role):
    table, go = seed_000(run, db, app_role)
    db.execute(f"INSERT INTO {table} (session_token, status) VALUES ('P46odHdPO0wJ', 'active')")
    standin.seed_room("session-P46odHdPO0wJ", age_seconds=900)
    standin.seed_room("session-Claimed00001", age_seconds=7200)
    # Between the audit and the delete, the app books the session that owns the room.
    standin.fault(method="ListParticipants", delay_ms=3000, count=1)
    writer = standin.when_requested("ListParticipants", lambda: db.execute(
        f"INSERT INTO {table} (session_token, status) VALUES ('Claimed00001', 'active')"))
    r = go("cleanup", "--apply", "--concurrency", "1", "--json")
    writer.join()
    assert r.code == 0, r.stderr
    assert "session-Claimed00001" in standin.rooms()
    assert standin.requests().get("DeleteRoom", 0) == 0


@twilio
def test_seed_000_row_level_security_that_hides_rows_is_refused(run, db, standin, app_role):
    table, go = seed_000(run, db, app_role)
    db.execute(f"INSERT INTO {table} (session_token, status) VALUES ('Qx81aZ0pLm2N', 'waiting')")
    standin.seed_room("session-Zz00old00000", age_seconds=7200)
    db.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")  # Supabase's, and no policy
    for command in (["recreate", "--apply"], ["cleanup", "--apply"]):
        r = go(*command)
        assert r.code == 8, (command, r.stderr)
        assert "row-level security" in r.stderr
    assert standin.requests().get("CreateRoom", 0) == 0
    assert standin.requests().get("DeleteRoom", 0) == 0
