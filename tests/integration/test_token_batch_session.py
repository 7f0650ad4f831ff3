"""token create --session (a LiveKit app's livekit_rooms.session_id, the row's link to
`sessions`) and --count (load-test batches)."""
import base64
import json


def claims_of(jwt):
    part = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def room_of(provider, claims):
    return claims["video"]["room"] if provider == "livekit" else claims["grants"]["video"]["room"]


def session_of(db, name):
    return db.execute(f"SELECT session_id::text FROM {db.table} WHERE room_name = %s", (name,))[0][0]


def test_session_mints_for_the_sessions_room(run, db, standin, provider):
    db.insert("session-44fa27d7", None, "pending")
    session = session_of(db, "session-44fa27d7")
    r = run("token", "create", "--session", session, "--identity", "mentor")
    assert r.code == 0, r.stderr
    claims = claims_of(r.stdout.strip())
    assert room_of(provider, claims) == "session-44fa27d7"
    if provider == "livekit":
        assert claims["video"].get("roomJoin") is True  # a session token is for joining


def test_session_goes_through_the_room_name_template(run, db, standin, provider):
    db.insert("P46odHdPO0wJ", None, "active")
    session = session_of(db, "P46odHdPO0wJ")
    r = run("token", "create", "--session", session, "--identity", "rafael",
            "--room-name-template", "session-{name}")
    assert r.code == 0, r.stderr
    assert room_of(provider, claims_of(r.stdout.strip())) == "session-P46odHdPO0wJ"


def test_session_that_is_not_live_is_refused_with_the_reason(run, db, standin):
    db.insert("session-done", "RMx", "ended")
    session = session_of(db, "session-done")
    r = run("token", "create", "--session", session, "--identity", "late")
    assert r.code == 1 and r.stdout == ""
    assert "not live" in r.stderr and len(r.error_lines()) == 1


def test_unknown_session_is_refused(run, db, standin):
    r = run("token", "create", "--session", "00000000-0000-0000-0000-000000000000",
            "--identity", "x")
    assert r.code == 1 and "session_id" in r.stderr


def test_count_writes_json_lines_with_distinct_identities(run, standin, provider):
    args = ["token", "create", "--identity", "user-{i}", "--room", "load-{i}", "--count", "50"]
    if provider == "livekit":
        args.append("--join")
    r = run(*args)
    assert r.code == 0, r.stderr
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(lines) == 50
    assert [l["identity"] for l in lines] == [f"user-{i}" for i in range(1, 51)]
    assert [l["room"] for l in lines] == [f"load-{i}" for i in range(1, 51)]
    for l in lines[:3]:
        assert room_of(provider, claims_of(l["token"])) == l["room"]


def test_count_with_json_is_one_document(run, standin, provider):
    args = ["token", "create", "--identity", "u-{i}", "--room", "r", "--count", "3", "--json"]
    if provider == "livekit":
        args.append("--join")
    r = run(*args)
    assert r.code == 0, r.stderr
    doc = r.json
    assert doc["count"] == 3 and len(doc["tokens"]) == 3


def test_count_needs_distinct_identities(run, standin, provider):
    args = ["token", "create", "--identity", "same", "--room", "r", "--count", "2"]
    if provider == "livekit":
        args.append("--join")
    r = run(*args)
    assert r.code == 2 and "{i}" in r.stderr and r.stdout == ""
