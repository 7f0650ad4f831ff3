"""A provider switch carries its own mapping: rows that record another provider's
room SIDs are reported as foreign_sid, never recreated and never overwritten, and --apply
refuses (exit 8) when most live rows that record a SID look foreign.

Each test runs once per provider: the LiveKit run reads a table whose rows record Twilio SIDs,
the Twilio run one whose rows record LiveKit SIDs (what a profile that switched provider but
kept [rooms] sees).
"""
import secrets
import string

UNSAFE = 8
DRIFT = 5
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def foreign_sid(provider):
    """A well-formed SID of the provider this run does NOT talk to."""
    if provider == "livekit":
        return "RM" + secrets.token_hex(16)  # Twilio: RM + 32 lowercase hex digits
    return "RM_" + "".join(secrets.choice(BASE62) for _ in range(12))  # LiveKit


def other_title(provider):
    return "Twilio" if provider == "livekit" else "LiveKit"


def title(provider):
    return "LiveKit" if provider == "livekit" else "Twilio"


def test_a_table_of_the_other_providers_sids_is_reported_and_apply_refuses(
        run, db, standin, provider):
    foreign = {f"lk-{i}": foreign_sid(provider) for i in range(4)}
    for name, sid in foreign.items():
        db.insert(name, sid, "active")
    db.insert("fresh", None, "pending")  # alone it would be recreated
    # A namesake room on this server: without the rule its SID would overwrite the row's.
    standin.seed_room("lk-0", age_seconds=3600)
    before_rows = db.rows()
    before_rooms = set(standin.rooms())

    audit = run("audit", "--json")
    assert audit.code == DRIFT, audit.stderr
    found = {f["room"]: f for f in audit.json["findings"] if f["kind"] == "foreign_sid"}
    assert set(found) == set(foreign)
    for name, f in found.items():
        assert f["database_sid"] == foreign[name]
        assert f["sid_provider"] == other_title(provider).lower()
    assert audit.json["summary"]["foreign_sid"] == 4
    assert audit.json["summary"]["sid_drift"] == 0  # lk-0 is foreign, not drift
    text = run("audit")
    assert "foreign_sid" in text.stdout and "needs its own [rooms] mapping" in text.stdout

    for command in (["recreate", "--apply"], ["cleanup", "--apply", "--min-age", "0s"]):
        r = run(*command, "--json")
        assert r.code == UNSAFE, (command, r.stderr)
        reasons = " ".join(r.json["refusals"])
        assert f"table {db.table} records {other_title(provider)} SIDs" in reasons, reasons
        assert f"column {db.sid_column}" in reasons, reasons
        assert f"this run talks to {title(provider)}" in reasons, reasons
        assert "a profile that switches provider needs its own [rooms] mapping" in reasons
        assert "refused as unsafe" in r.stderr
        assert len(r.error_lines()) == 1, r.stderr
    # Nothing written, nothing created, nothing deleted.
    assert db.rows() == before_rows
    assert set(standin.rooms()) == before_rooms
    assert standin.requests().get("CreateRoom", 0) == 0
    assert standin.requests().get("DeleteRoom", 0) == 0
    # Another provider's SID names nothing on this server: no per-row look-up by SID (Twilio
    # would read "RM_..." as a room name).
    assert standin.requests().get("FetchRoom", 0) == 0


def test_a_minority_of_foreign_sids_is_left_alone_while_the_rest_is_repaired(
        run, db, standin, provider):
    own = {}
    for i in range(4):  # in sync: rows that record this server's SIDs
        name = f"own-{i}"
        own[name] = standin.seed_room(name, age_seconds=600)["sid"]
        db.insert(name, own[name], "active")
    foreign = {f"old-{i}": foreign_sid(provider) for i in range(3)}
    for name, sid in foreign.items():
        db.insert(name, sid, "active")
    standin.seed_room("old-0", age_seconds=600)  # would be drift: must keep its foreign SID
    db.insert("fresh-a", None, "pending")
    db.insert("fresh-b", None, "active")

    r = run("recreate", "--apply", "--json")
    assert r.code == 0, r.stderr  # 3 foreign of 7 rows that record a SID: no majority
    assert r.json["refusals"] == []
    by_room = {a["room"]: a for a in r.json["actions"]}
    assert {n for n, a in by_room.items() if a["status"] == "done"} == {"fresh-a", "fresh-b"}
    for name in foreign:
        a = by_room[name]
        assert a["status"] == "skipped", a
        assert a["new_sid"] is None
        assert "never recreated or overwritten" in a["reason"], a["reason"]
        assert f"records a {other_title(provider)} SID" in a["reason"], a["reason"]
    assert by_room["old-0"]["kind"] == "update_sid"
    assert r.json["summary"]["foreign_sid"] == 3

    rows = {name: sid for name, sid, _ in db.rows()}
    for name, sid in foreign.items():
        assert rows[name] == sid  # never overwritten
    for name, sid in own.items():
        assert rows[name] == sid
    rooms = standin.rooms()
    assert rows["fresh-a"] == rooms["fresh-a"]["sid"]
    assert rows["fresh-b"] == rooms["fresh-b"]["sid"]
    assert "old-1" not in rooms and "old-2" not in rooms  # never recreated
    assert standin.requests().get("CreateRoom", 0) == 2

    # The next run changes nothing more: the foreign rows stay reported, the rest in sync.
    again = run("recreate", "--apply", "--json")
    assert again.code == 0, again.stderr
    assert [a["status"] for a in again.json["actions"]] == ["skipped"] * 3
    assert {n: s for n, s, _ in db.rows()} == rows
