"""A write records exactly what the server said, end to end with both
stand-ins: a SID column too short for the provider's SIDs refuses the write (never
truncates it) and `check` says so; one row that cannot be written fails alone; a SID write a
trigger ignores is compensated (exit 6), never reported as a concurrent write."""

import json


def probes(result):
    return {p["name"]: p for p in result.json["probes"]}


def sid_length(provider):
    return 15 if provider == "livekit" else 34  # "RM_" + 12 base62; "RM" + 32 hex


def test_a_sid_too_long_for_the_column_is_refused_not_truncated(run, db, standin, provider):
    limit = sid_length(provider) - 5  # Twilio: varchar(29); LiveKit: varchar(10)
    db.execute(f"ALTER TABLE {db.table} ALTER COLUMN {db.sid_column} TYPE varchar({limit})")
    db.insert("short-1", None, "pending")

    check = run("check", "--json")
    mapping = probes(check)["database.mapping"]
    assert mapping["status"] == "failed", mapping
    assert f"character varying({limit})" in mapping["message"]
    assert "too short" in mapping["message"] and db.sid_column in mapping["message"]

    for _ in range(2):  # a second run fails the same way: nothing was "fixed" in between
        r = run("recreate", "--apply", "--json")
        assert r.code == 1, r.stdout + r.stderr
        [action] = r.json["actions"]
        assert action["status"] == "failed"
        assert f'"{db.sid_column}"' in action["error"]
        assert f"character varying({limit})" in action["error"]
        assert f"{sid_length(provider)} characters" in action["error"]
        assert action["compensated"] is True  # the room was deleted again
        assert "\n" not in action["error"]
        assert db.rows() == [("short-1", None, "pending")]  # nothing truncated, nothing written
        assert standin.rooms() == {}


def test_a_column_that_holds_the_sid_passes_check(run, db, standin, provider):
    db.execute(f"ALTER TABLE {db.table} ALTER COLUMN {db.sid_column} TYPE varchar(40)")
    mapping = probes(run("check", "--json"))["database.mapping"]
    assert mapping["status"] == "ok", mapping


def test_one_row_that_cannot_be_written_fails_alone(run, db, standin, provider):
    # One recorded SID per name: the ended row "dup" holds one, so recording the live "dup"
    # row's SID violates the unique index, inside whatever batch it was written in.
    old_sid = "RM_0ld5id0ld5id" if provider == "livekit" else "RM" + "0" * 32
    db.execute(f"CREATE UNIQUE INDEX one_sid_per_name ON {db.table} (room_name) "
               f"WHERE {db.sid_column} IS NOT NULL")
    db.insert("dup", old_sid, "ended")
    names = ["dup"] + [f"ok-{i}" for i in range(7)]
    for name in names:
        db.insert(name, None, "pending")
    # Creates finish together, so their SIDs are written in batches.
    standin.fault(method="CreateRoom", delay_ms=300)
    r = run("recreate", "--apply", "--json", "--concurrency", "8")
    assert r.code == 6, r.stdout + r.stderr  # partial: one failed, the rest were done
    actions = {a["room"]: a for a in r.json["actions"]}
    assert set(actions) == set(names)
    assert actions["dup"]["status"] == "failed"
    assert "one_sid_per_name" in actions["dup"]["error"]
    recorded = {name: sid for name, sid, status in db.rows() if status == "pending"}
    for name in names[1:]:
        assert actions[name]["status"] == "done", actions[name]
        assert recorded[name] == actions[name]["new_sid"]
    assert recorded["dup"] is None
    assert "dup" not in standin.rooms()  # deleted again
    assert set(standin.rooms()) == set(names[1:])


def test_a_write_a_trigger_ignores_is_compensated(run, db, standin, provider):
    schema = db.table.split(".")[0]
    db.execute(f"CREATE FUNCTION {schema}.keep_sid() RETURNS trigger LANGUAGE plpgsql AS "
               "$$ BEGIN RETURN NULL; END $$")
    db.execute(f"CREATE TRIGGER keep_sid BEFORE UPDATE ON {db.table} FOR EACH ROW "
               f"EXECUTE FUNCTION {schema}.keep_sid()")
    db.insert("kept-1", None, "pending")
    for _ in range(2):  # the same on every run, and never "a concurrent write"
        r = run("recreate", "--apply", "--json")
        assert r.code == 6, r.stdout + r.stderr
        [action] = r.json["actions"]
        assert action["status"] == "compensated", action
        assert action["reason"].startswith("a trigger on the table ignored the update (keep_sid)")
        assert "concurrent" not in json.dumps(action)
        assert db.rows() == [("kept-1", None, "pending")]
        assert standin.rooms() == {}  # the room nobody records was deleted again
