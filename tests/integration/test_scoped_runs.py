"""Scoped runs (issue 15 item 2): recreate/cleanup/audit NAME..., --session ID and audit --kind
act on just those rooms with the same planner, safety gate and executor as a full run, while
the audit and the safety gate still read and judge the whole picture."""
import pytest


def session_of(db, name):
    return db.execute(f"SELECT session_id::text FROM {db.table} WHERE room_name = %s",
                      (name,))[0][0]


def sids(db):
    return {name: sid for name, sid, _ in db.rows()}


def test_recreate_name_creates_only_that_room_and_records_its_sid(run, db, standin):
    db.insert("class-a", None, "pending")
    db.insert("class-b", None, "pending")
    r = run("recreate", "class-a", "--apply", "--json")
    assert r.code == 0, r.stderr
    assert [(a["kind"], a["room"], a["status"]) for a in r.json["actions"]] == [
        ("create_room", "class-a", "done")]
    assert r.json["scope"]["rooms"] == ["class-a"]
    rooms = standin.rooms()
    assert "class-a" in rooms and "class-b" not in rooms
    assert standin.requests().get("CreateRoom", 0) == 1
    assert sids(db) == {"class-a": rooms["class-a"]["sid"], "class-b": None}


def test_recreate_session_creates_the_sessions_room(run, db, standin):
    db.insert("class-a", None, "pending")
    db.insert("class-b", None, "pending")
    r = run("recreate", "--session", session_of(db, "class-b"), "--apply")
    assert r.code == 0, r.stderr
    rooms = standin.rooms()
    assert "class-b" in rooms and "class-a" not in rooms
    assert sids(db) == {"class-a": None, "class-b": rooms["class-b"]["sid"]}


def test_recreate_unknown_session_is_one_line_and_changes_nothing(run, db, standin):
    db.insert("class-a", None, "pending")
    r = run("recreate", "--session", "00000000-0000-0000-0000-000000000000", "--apply")
    assert r.code == 1, r.stderr
    assert len(r.error_lines()) == 1, r.stderr
    assert "has session_id = \"00000000-0000-0000-0000-000000000000\": nothing done" in r.stderr
    assert standin.requests().get("CreateRoom", 0) == 0
    assert sids(db) == {"class-a": None}


def test_recreate_in_sync_name_says_so_and_exits_0(run, db, standin):
    room = standin.seed_room("class-a", age_seconds=60)
    db.insert("class-a", room["sid"], "active")
    db.insert("class-b", None, "pending")
    r = run("recreate", "class-a", "--apply")
    assert r.code == 0, r.stderr
    assert 'room "class-a" is in sync: nothing to do' in r.stderr
    assert "class-b" not in standin.rooms()
    assert standin.requests().get("CreateRoom", 0) == 0


def test_cleanup_name_deletes_only_that_orphan(run, db, standin):
    standin.seed_room("stray-1", age_seconds=7200)
    standin.seed_room("stray-2", age_seconds=7200)
    room = standin.seed_room("class-a", age_seconds=7200)
    db.insert("class-a", room["sid"], "active")
    r = run("cleanup", "stray-1", "--apply", "--json")
    assert r.code == 0, r.stderr
    assert [(a["kind"], a["room"], a["status"]) for a in r.json["actions"]] == [
        ("delete_room", "stray-1", "done")]
    assert set(standin.rooms()) == {"stray-2", "class-a"}


def test_cleanup_name_a_live_row_owns_is_left_alone_saying_why(run, db, standin):
    room = standin.seed_room("class-a", age_seconds=7200)
    db.insert("class-a", room["sid"], "active")
    standin.seed_room("stray-1", age_seconds=7200)
    r = run("cleanup", "class-a", "--apply", "--json")
    assert r.code == 0, r.stderr
    assert r.json["actions"] == []
    assert 'warning: room "class-a" is not deleted: a live row owns it' in r.stderr
    note = r.json["scope"]["notes"][0]
    assert note["room"] == "class-a" and note["declined"] is True
    assert set(standin.rooms()) == {"class-a", "stray-1"}
    assert standin.requests().get("DeleteRoom", 0) == 0


def test_cleanup_name_of_a_missing_room_points_to_recreate(run, db, standin):
    db.insert("class-a", None, "pending")
    r = run("cleanup", "class-a")
    assert r.code == 0, r.stderr
    assert "roomctl recreate class-a creates it" in r.stderr


def test_cleanup_scope_keeps_max_deletes_on_the_whole_picture(run, db, standin):
    for name in ("stray-1", "stray-2", "stray-3"):
        standin.seed_room(name, age_seconds=7200)
    room = standin.seed_room("class-a", age_seconds=7200)
    db.insert("class-a", room["sid"], "active")
    r = run("cleanup", "stray-1", "--apply", "--max-deletes", "2")
    assert r.code == 8, r.stderr
    assert "more than --max-deletes 2" in r.stderr
    assert set(standin.rooms()) == {"stray-1", "stray-2", "stray-3", "class-a"}


def test_recreate_scope_is_still_refused_for_a_name_mismatch_elsewhere(run, db, standin):
    db.insert("class-a", None, "pending")
    db.insert("P46odHdPO0wJ", None, "active")
    standin.seed_room("session-P46odHdPO0wJ", age_seconds=600)
    r = run("recreate", "class-a", "--apply")
    assert r.code == 8, r.stderr
    assert "name mismatch" in r.stderr
    assert "class-a" not in standin.rooms()


def test_audit_kind_missing_lists_only_missing(run, db, standin):
    db.insert("class-a", None, "pending")
    standin.seed_room("stray-1", age_seconds=7200)
    r = run("audit", "--kind", "missing", "--json")
    assert r.code == 5, r.stderr
    assert [(f["kind"], f["room"]) for f in r.json["findings"]] == [("missing", "class-a")]
    assert r.json["summary"]["orphaned"] == 0
    assert r.json["scope"]["kinds"] == ["missing"]
    r = run("audit", "--kind", "sid_drift")
    assert r.code == 0, r.stderr
    r = run("audit", "--kind", "missin")
    assert r.code == 2 and len(r.error_lines()) == 1, r.stderr


def test_audit_name_reports_only_that_room(run, db, standin):
    db.insert("class-a", None, "pending")
    room = standin.seed_room("class-b", age_seconds=60)
    db.insert("class-b", room["sid"], "active")
    standin.seed_room("stray-1", age_seconds=7200)
    r = run("audit", "stray-1", "--json")
    assert r.code == 5, r.stderr
    assert [(f["kind"], f["room"]) for f in r.json["findings"]] == [("orphaned", "stray-1")]
    r = run("audit", "class-b")
    assert r.code == 0, r.stderr
    assert 'room "class-b" is in sync: nothing to do' in r.stderr


def test_unknown_name_is_one_line_error_and_changes_nothing(run, db, standin):
    db.insert("class-a", None, "pending")
    standin.seed_room("stray-1", age_seconds=7200)
    for command in ("recreate", "cleanup", "audit"):
        args = [command, "class-a", "nowhere"] + (["--apply"] if command != "audit" else [])
        r = run(*args)
        assert r.code == 1, (command, r.stderr)
        assert r.error_lines() == [
            'roomctl: error: no row and no server room named "nowhere": nothing done; roomctl '
            'audit and roomctl rooms list show the names'], r.stderr
    assert standin.requests().get("CreateRoom", 0) == 0
    assert standin.requests().get("DeleteRoom", 0) == 0
    assert set(standin.rooms()) == {"stray-1"}
    assert sids(db) == {"class-a": None}


@pytest.mark.parametrize("provider", ["livekit"], indirect=True)  # /rtc/validate is LiveKit's
def test_missing_room_hints_point_to_recreate_name(run, db, standin):
    """check --room and token inspect --check-server name `roomctl recreate NAME` (which records
    the row's SID), never `rooms create` (which leaves it stale)."""
    standin.control("config", {"auto_create": False})
    db.insert("class-a", None, "pending")
    r = run("check", "--only", "server", "--room", "class-a")
    assert "(run roomctl recreate class-a:" in r.stdout + r.stderr, r.stdout + r.stderr
    assert "rooms create" not in r.stdout + r.stderr
    token = run("token", "create", "--join", "--room", "class-a", "--identity", "u").stdout.strip()
    r = run("token", "inspect", "--for", "join", "--check-server", token)
    assert "run roomctl recreate class-a:" in r.stdout + r.stderr, r.stdout + r.stderr
    assert "roomctl rooms create" not in r.stdout + r.stderr
