"""Interactive commands that could harm: `rooms delete NAME` shows its target and
refuses a room that a live row owns or that has participants; `token create --session ID`
asks which room when the session has several live ones (Twilio breakout rooms)."""
import re

UNSAFE = 8


def sid_of(standin, name):
    return standin.rooms()[name]["sid"]


# ---- rooms delete ---------------------------------------------------------------------------

def test_delete_shows_what_it_deletes(run, db, standin, provider):
    standin.seed_room("stray-1", age_seconds=300)
    sid = sid_of(standin, "stray-1")
    r = run("rooms", "delete", "stray-1")
    assert r.code == 0, r.stderr
    # The age is read when the command runs: a slow run (sanitizers) may see a second more.
    assert re.search(rf"deleting room stray-1 \(sid {sid}, created 5m(\d+s)? ago, "
                     r"0 participants\)", r.stderr), r.stderr
    assert "stray-1" not in standin.rooms()
    standin.seed_room("stray-2", age_seconds=60)
    sid = sid_of(standin, "stray-2")
    doc = run("rooms", "delete", "stray-2", "--json").json
    assert doc["status"] == "deleted" and doc["room"] == "stray-2"
    assert doc["sid"] == sid and doc["participants"] == 0
    assert 55 <= doc["age_seconds"] <= 70


def test_delete_refuses_a_room_that_a_live_row_owns(run, db, standin, provider):
    db.insert("session-live", None, "active")
    standin.seed_room("session-live", age_seconds=3600)
    r = run("rooms", "delete", "session-live")
    assert r.code == UNSAFE, r.stderr
    [line] = r.error_lines()
    assert "not deleting room session-live" in line and "live row" in line
    assert "--force" in line
    assert "session-live" in standin.rooms()  # nothing changed
    forced = run("rooms", "delete", "session-live", "--force")
    assert forced.code == 0, forced.stderr
    assert "session-live" not in standin.rooms()
    assert db.rows()[0][0] == "session-live"  # rooms delete never touches the table


def test_delete_refuses_a_room_whose_sid_a_live_row_records(run, db, standin, provider):
    # The app named the room differently from the row, but the recorded SID ties them.
    standin.seed_room("renamed-room", age_seconds=600)
    db.insert("session-x", sid_of(standin, "renamed-room"), "active")
    r = run("rooms", "delete", "renamed-room")
    assert r.code == UNSAFE, r.stderr
    assert "by its SID" in r.stderr and "session-x" in r.stderr
    assert "renamed-room" in standin.rooms()


def test_delete_allows_a_room_whose_row_has_ended(run, db, standin, provider):
    db.insert("session-done", None, "ended")
    standin.seed_room("session-done", age_seconds=600)
    r = run("rooms", "delete", "session-done")
    assert r.code == 0, r.stderr
    assert "session-done" not in standin.rooms()


def test_delete_refuses_a_room_with_participants(run, db, standin, provider):
    standin.seed_room("busy", age_seconds=600, participants=["alice", "bob"])
    r = run("rooms", "delete", "busy")
    assert r.code == UNSAFE, r.stderr
    [line] = r.error_lines()
    assert "2 participants would be disconnected" in line, line
    assert "busy" in standin.rooms()
    doc = run("rooms", "delete", "busy", "--json")
    assert doc.code == UNSAFE and "busy" in standin.rooms()
    assert run("rooms", "delete", "busy", "--force").code == 0
    assert "busy" not in standin.rooms()


def test_delete_without_a_database_asks_for_force(run, db, standin, provider, tmp_path):
    standin.seed_room("unknown-owner", age_seconds=600)
    bare = tmp_path / "bare.toml"
    bare.write_text("")
    env = {"ROOMCTL_DATABASE_URL": "", "ROOMCTL_CONFIG": str(bare)}
    r = run("rooms", "delete", "unknown-owner", env=env)
    assert r.code == UNSAFE, r.stderr
    assert "no database is configured" in r.stderr and "--force" in r.stderr
    assert "unknown-owner" in standin.rooms()
    assert run("rooms", "delete", "unknown-owner", "--force", env=env).code == 0
    assert "unknown-owner" not in standin.rooms()


def test_delete_with_an_unreachable_database_changes_nothing(run, db, standin, provider):
    standin.seed_room("maybe-owned", age_seconds=600)
    r = run("rooms", "delete", "maybe-owned",
            database_url="postgresql://roomctl@127.0.0.1:1/none?connect_timeout=2")
    assert r.code not in (0, UNSAFE) and r.error_lines(), r.stderr
    assert "maybe-owned" in standin.rooms()


# ---- token create --session with several live rooms -----------------------------------------

def session_rows(db, names, status="active"):
    """Rows that share one session, as Twilio breakout rooms do; returns the session id."""
    for n in names:
        db.insert(n, None, status)
    [(session,)] = db.execute(f"SELECT session_id::text FROM {db.table} WHERE room_name = %s",
                              (names[0],))
    db.execute(f"UPDATE {db.table} SET session_id = %s::uuid WHERE room_name = ANY(%s)",
               (session, list(names)))
    return session


def token_args(provider, *extra):
    return ["token", "create", "--identity", "mentor", *extra]


def test_session_with_several_live_rooms_asks_for_room(run, db, standin, provider):
    session = session_rows(db, ["breakout-a", "breakout-b", "breakout-c"])
    r = run(*token_args(provider, "--session", session))
    assert r.code == 2, r.stderr
    [line] = r.error_lines()
    assert "3 live rooms (breakout-a, breakout-b, breakout-c)" in line, line
    assert "--room" in line
    assert r.stdout == ""  # no token


def test_room_chooses_among_the_sessions_live_rooms(run, db, standin, provider):
    import base64
    import json
    session = session_rows(db, ["breakout-a", "breakout-b"])
    r = run(*token_args(provider, "--session", session, "--room", "breakout-b"))
    assert r.code == 0, r.stderr
    payload = r.stdout.strip().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    room = claims["video"]["room"] if provider == "livekit" else claims["grants"]["video"]["room"]
    assert room == "breakout-b"
    other = run(*token_args(provider, "--session", session, "--room", "breakout-z"))
    assert other.code == 2 and "not one of the live rooms" in other.stderr
    assert other.stdout == ""


def test_ended_breakout_rooms_do_not_count(run, db, standin, provider):
    session = session_rows(db, ["breakout-a"])
    db.insert("breakout-old", None, "ended")
    db.execute(f"UPDATE {db.table} SET session_id = %s::uuid WHERE room_name = 'breakout-old'",
               (session,))
    r = run(*token_args(provider, "--session", session))
    assert r.code == 0, r.stderr


def test_delete_refuses_a_room_whose_row_status_is_unknown(run, db, standin, provider):
    if provider == "twilio":
        return  # a boolean is_active is always classified
    db.insert("session-odd", None, "SCHEDULED")  # in neither status list: doubt means no
    standin.seed_room("session-odd", age_seconds=600)
    r = run("rooms", "delete", "session-odd")
    assert r.code == UNSAFE, r.stderr
    assert "neither" in r.stderr and "session-odd" in standin.rooms()


def test_delete_refuses_when_database_url_overrides_a_named_config(run, db, standin, provider,
                                                                   pg_url, tmp_path):
    # A dev shell's DATABASE_URL over the named prod profile: which table owns the room is
    # itself in doubt, so the owner check cannot be trusted.
    standin.seed_room("prod-room", age_seconds=600)
    cfg = tmp_path / "prod.toml"
    cfg.write_text(run.config.read_text() + '[profiles.prod.database]\n'
                   'url = "postgresql://roomctl@prod-db.invalid/app"\n')
    cfg.chmod(0o600)
    env = {"ROOMCTL_DATABASE_URL": "", "DATABASE_URL": pg_url, "ROOMCTL_CONFIG": str(cfg),
           "ROOMCTL_PROFILE": "prod"}
    r = run("rooms", "delete", "prod-room", env=env)
    assert r.code == UNSAFE, r.stderr
    [line] = r.error_lines()
    assert "DATABASE_URL from the environment overrides" in line and "--force" in line
    assert "prod-room" in standin.rooms()
    ok = run("rooms", "delete", "prod-room", "--database-url", pg_url, env=env)
    assert ok.code == 0, ok.stderr
    assert "prod-room" not in standin.rooms()
