"""The repair loop end to end: audit, recreate, cleanup against PostgreSQL and the stand-in."""
import time

from conftest import API_SECRET


def broken_state(db, standin):
    """A LiveKit app's broken state: rows whose rooms never existed or expired, an orphan, a
    drift."""
    db.insert("session-missing-1", None, "pending")            # never created on the server
    db.insert("session-missing-2", "RM_expired0001", "active")  # closed after empty_timeout
    db.insert("session-ok", None, "active")
    ok = standin.seed_room("session-ok", age_seconds=60)
    db.set_sid("session-ok", ok["sid"])
    db.insert("session-drift", "RM_stale000001", "active")
    drift = standin.seed_room("session-drift", age_seconds=60)
    db.insert("session-ended", "RM_ended000001", "ended")
    standin.seed_room("session-ended", age_seconds=7200)        # row says ended: orphan
    standin.seed_room("stray-room", age_seconds=7200)           # no row at all: orphan
    return drift["sid"]


def test_audit_reports_each_kind_and_exits_5(run, db, standin):
    drift_sid = broken_state(db, standin)
    r = run("audit", "--json")
    assert r.code == 5, r.stderr
    doc = r.json
    assert doc["schema_version"] == 1 and doc["command"] == "audit"
    assert doc["summary"]["missing"] == 2
    assert doc["summary"]["orphaned"] == 2
    assert doc["summary"]["sid_drift"] == 1
    assert doc["summary"]["in_sync"] == 1
    kinds = {(f["kind"], f["room"]) for f in doc["findings"]}
    assert kinds == {("missing", "session-missing-1"), ("missing", "session-missing-2"),
                     ("orphaned", "session-ended"), ("orphaned", "stray-room"),
                     ("sid_drift", "session-drift")}
    drift = next(f for f in doc["findings"] if f["kind"] == "sid_drift")
    assert drift["database_sid"] == "RM_stale000001" and drift["server_sid"] == drift_sid
    ended = next(f for f in doc["findings"] if f["room"] == "session-ended")
    # The mapped status column: livekit_rooms' text status, breakout_rooms' is_active boolean.
    assert ended["database_status"] == ("ended" if standin.provider == "livekit" else "false")


def test_audit_in_sync_exits_0_and_prints_a_summary(run, db, standin):
    room = standin.seed_room("r1")
    db.insert("r1", room["sid"], "active")
    r = run("audit")
    assert r.code == 0, r.stderr
    assert "1 in sync, 0 missing, 0 orphaned, 0 SID drift" in r.stdout


def test_recreate_plans_by_default_and_changes_nothing(run, db, standin):
    broken_state(db, standin)
    before_rows, before_rooms = db.rows(), standin.rooms()
    r = run("recreate", "--json")
    assert r.code == 0, r.stderr
    actions = {(a["kind"], a["room"], a["status"]) for a in r.json["actions"]}
    assert actions == {("create_room", "session-missing-1", "planned"),
                       ("create_room", "session-missing-2", "planned"),
                       ("update_sid", "session-drift", "planned")}
    assert r.json["applied"] is False
    assert db.rows() == before_rows
    assert standin.rooms().keys() == before_rooms.keys()
    assert standin.requests().get("CreateRoom", 0) == 0


def test_recreate_apply_creates_rooms_and_records_sids(run, db, standin):
    drift_sid = broken_state(db, standin)
    r = run("recreate", "--apply", "--empty-timeout", "1h", "--json")
    assert r.code == 0, r.stderr
    assert all(a["status"] == "done" for a in r.json["actions"]), r.json
    rooms = standin.rooms()
    rows = {name: (sid, status) for name, sid, status in db.rows()}
    for name in ("session-missing-1", "session-missing-2"):
        assert name in rooms
        assert standin.empty_timeout_seconds(rooms[name]) == 3600
        assert rows[name][0] == rooms[name]["sid"]
    assert rows["session-drift"][0] == drift_sid
    # Orphans are cleanup's business; recreate leaves them.
    assert "stray-room" in rooms
    # A second audit now finds only the orphans.
    again = run("audit", "--json").json["summary"]
    assert (again["missing"], again["sid_drift"], again["orphaned"]) == (0, 0, 2)


def test_recreate_outlasts_a_5xx_burst_by_repeating_the_calls(run, db, standin):
    for i in range(3):
        db.insert(f"b-{i}", None, "pending")
    standin.fault(method="CreateRoom", count=2, **standin.error(503, "overloaded"))
    r = run("recreate", "--apply", "--concurrency", "1", "-v", "--json")
    assert r.code == 0, r.stderr
    assert [a["status"] for a in r.json["actions"]] == ["done"] * 3
    assert r.stderr.count("retrying CreateRoom after HTTP 503") == 2, r.stderr
    assert all(sid for _, sid, _ in db.rows())


def test_recreate_does_not_clobber_a_concurrent_sid_write(run, db, standin):
    db.insert("racy", None, "pending")
    # Hold CreateRoom long enough for "the app" to record its own SID meanwhile.
    standin.fault(method="CreateRoom", delay_ms=3000, count=1)
    writer = standin.when_requested("CreateRoom", lambda: db.set_sid("racy", "RM_appwrote0001"))
    r = run("recreate", "--apply", "--json")
    writer.join()
    assert r.code == 0, r.stderr
    action = r.json["actions"][0]
    assert action["status"] == "skipped"
    assert "changed since it was read" in action["reason"]
    assert db.rows() == [("racy", "RM_appwrote0001", "pending")]


def test_recreate_partial_failure_exits_6_and_keeps_the_rest(run, db, standin):
    for i in range(4):
        db.insert(f"p-{i}", None, "pending")
    # A 400 is the server's considered answer, so it is not repeated: one room fails.
    standin.fault(method="CreateRoom", count=1, **standin.error(400, "boom"))
    r = run("recreate", "--apply", "--concurrency", "1", "--json")
    assert r.code == 6, r.stderr
    statuses = [a["status"] for a in r.json["actions"]]
    assert statuses.count("failed") == 1 and statuses.count("done") == 3
    failed = next(a for a in r.json["actions"] if a["status"] == "failed")
    assert "boom" in failed["error"]
    recorded = [row for row in db.rows() if row[1]]
    assert len(recorded) == 3
    # A second run converges.
    r2 = run("recreate", "--apply", "--json")
    assert r2.code == 0 and [a["status"] for a in r2.json["actions"]] == ["done"]
    assert run("audit").code == 0


def test_recreate_concurrency_creates_every_room(run, db, standin):
    for i in range(40):
        db.insert(f"bulk-{i:03}", None, "pending")
    r = run("recreate", "--apply", "--concurrency", "8", "--json")
    assert r.code == 0, r.stderr
    assert r.json["summary"]["done"] == 40
    assert len(standin.rooms()) == 40
    assert all(sid for _, sid, _ in db.rows())


def test_recreate_skips_names_the_server_would_refuse(run, db, standin):
    db.insert("x" * 300, None, "pending")
    r = run("recreate", "--apply", "--json")
    assert r.code == 0, r.stderr
    action = r.json["actions"][0]
    limit = 256 if standin.provider == "livekit" else 128
    assert action["status"] == "skipped" and "300 bytes" in action["reason"]
    assert f"at most {limit}" in action["reason"]
    assert standin.requests().get("CreateRoom", 0) == 0


def test_cleanup_plans_by_default(run, db, standin):
    broken_state(db, standin)
    r = run("cleanup", "--json")
    assert r.code == 0, r.stderr
    assert {a["room"] for a in r.json["actions"]} == {"session-ended", "stray-room"}
    assert all(a["status"] == "planned" for a in r.json["actions"])
    assert "stray-room" in standin.rooms()
    assert standin.requests().get("DeleteRoom", 0) == 0


def test_cleanup_apply_deletes_only_old_empty_orphans(run, db, standin):
    broken_state(db, standin)
    standin.seed_room("young-orphan", age_seconds=30)
    standin.seed_room("busy-orphan", age_seconds=7200, participants=["alice"])
    r = run("cleanup", "--apply", "--json")
    assert r.code == 0, r.stderr
    by_room = {a["room"]: a for a in r.json["actions"]}
    assert by_room["stray-room"]["status"] == "done"
    assert by_room["session-ended"]["status"] == "done"
    assert by_room["young-orphan"]["status"] == "skipped"
    assert by_room["busy-orphan"]["status"] == "skipped"
    rooms = standin.rooms()
    assert "stray-room" not in rooms and "session-ended" not in rooms
    # Live rooms and the skipped ones are untouched.
    for name in ("session-ok", "session-drift", "young-orphan", "busy-orphan"):
        assert name in rooms


def test_cleanup_include_occupied_and_min_age(run, db, standin):
    standin.seed_room("busy", age_seconds=120, participants=["bob"])
    # The table is empty on purpose: the operator says so (--allow-empty-database).
    r = run("cleanup", "--apply", "--include-occupied", "--min-age", "1m", "--json",
            "--allow-empty-database")
    assert r.code == 0, r.stderr
    assert r.json["actions"][0]["status"] == "done"
    assert "busy" not in standin.rooms()


def test_cleanup_counts_an_already_gone_room_as_done(run, db, standin):
    standin.seed_room("vanishing", age_seconds=7200)
    standin.fault(method="DeleteRoom", **standin.not_found())
    r = run("cleanup", "--apply", "--json", "--allow-empty-database")
    assert r.code == 0, r.stderr
    action = r.json["actions"][0]
    assert action["status"] == "done" and "already gone" in action["reason"]


def test_cleanup_rechecks_the_database_before_deleting(run, db, standin):
    standin.seed_room("claimed", age_seconds=7200)
    # Between the audit and the delete, the app creates the live row that owns the room.
    standin.fault(method="ListParticipants", delay_ms=3000, count=1)
    writer = standin.when_requested("ListParticipants",
                                    lambda: db.insert("claimed", None, "active"))
    r = run("cleanup", "--apply", "--concurrency", "1", "--json", "--allow-empty-database")
    writer.join()
    assert r.code == 0, r.stderr
    assert "claimed" in standin.rooms()


def test_repair_loop_converges(run, db, standin):
    broken_state(db, standin)
    assert run("audit").code == 5
    assert run("recreate", "--apply").code == 0
    assert run("cleanup", "--apply").code == 0
    final = run("audit", "--json")
    assert final.code == 0, final.stdout
    assert final.json["in_sync"] is True


def test_interrupt_finishes_the_action_in_flight_and_starts_no_new_one(run, db, standin):
    import json
    import signal
    for i in range(5):
        db.insert(f"int-{i}", None, "pending")
    # Shorter than the one second an --apply run gives the action in flight to finish.
    standin.fault(method="CreateRoom", delay_ms=700)
    proc = run.spawn("recreate", "--apply", "--concurrency", "1", "--json")
    deadline = time.monotonic() + 15
    while standin.requests().get("CreateRoom", 0) < 1:  # the first CreateRoom is in flight
        assert time.monotonic() < deadline and proc.poll() is None, "no CreateRoom was sent"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    doc = json.loads(out)
    statuses = [a["status"] for a in doc["actions"]]
    assert statuses.count("done") == 1, doc
    assert statuses.count("skipped") == 4
    assert "interrupted" in err
    # What was done is recorded on both sides; nothing else was touched.
    assert len(standin.rooms()) == 1
    assert sum(1 for _, sid, _ in db.rows() if sid) == 1
