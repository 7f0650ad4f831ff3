"""Never harm: a destructive run first proves that its picture is right.

Each case is a database shaped like our users' (Supabase-style row-level security, the app's
own status words, the app's own naming) on a real PostgreSQL, against both stand-ins. Every
refused run must exit 8, change no row and delete no room, and say why in one line.
"""
import json
import os
import uuid

import psycopg2
import pytest

from conftest import LoginRole, require

UNSAFE = 8


class Role(LoginRole):
    """A login role that is neither superuser, BYPASSRLS (unless asked), nor the table's
    owner: what a least-privilege roomctl account on Supabase looks like."""

    def __init__(self, pg_url, db, bypassrls=False):
        super().__init__(pg_url, db, attributes="BYPASSRLS" if bypassrls else "")
        password = "pw-" + uuid.uuid4().hex[:8]
        self.set_password(password)
        self.url = self.url_with(password)


@pytest.fixture
def role(pg_url, db):
    r = Role(pg_url, db)
    yield r
    r.drop()


def live_anchor(db, standin, name="anchor-live"):
    """A live row whose room is in sync: the database side of a normal day."""
    room = standin.seed_room(name, age_seconds=60)
    db.insert(name, room["sid"], "active")
    return room


# ---------------------------------------------------------------------------------------------
# 1. Row-level security
# ---------------------------------------------------------------------------------------------

def enable_rls(db, force=False):
    db.execute(f"ALTER TABLE {db.table} ENABLE ROW LEVEL SECURITY")
    if force:
        db.execute(f"ALTER TABLE {db.table} FORCE ROW LEVEL SECURITY")


def test_rls_hiding_every_row_refuses_cleanup_and_recreate(run, db, standin, role):
    live_anchor(db, standin)
    db.insert("session-missing", None, "pending")
    standin.seed_room("stray-room", age_seconds=7200)
    enable_rls(db)  # no policy: the role reads zero rows, without an error
    before_rows, before_rooms = db.rows(), set(standin.rooms())

    for command in ("cleanup", "recreate"):
        r = run(command, "--apply", "--json", database_url=role.url)
        assert r.code == UNSAFE, (command, r.stderr)
        assert "row-level security" in r.stderr
        assert "BYPASSRLS" in r.stderr and "FOR SELECT" in r.stderr
        assert r.json["error"]["exit_code"] == UNSAFE or r.json.get("refusals")
    assert db.rows() == before_rows
    assert set(standin.rooms()) == before_rooms
    assert standin.requests().get("DeleteRoom", 0) == 0
    assert standin.requests().get("CreateRoom", 0) == 0


def test_check_names_the_rls_policies_and_counts(run, db, standin, role):
    live_anchor(db, standin)
    enable_rls(db)
    db.execute(f"CREATE POLICY own_rows ON {db.table} FOR SELECT USING (room_name = 'nothing')")
    db.execute(f"ANALYZE {db.table}")
    r = run("check", "--json", database_url=role.url)
    assert r.code == 5, r.stderr
    probe = next(p for p in r.json["probes"] if p["name"] == "database.rls")
    assert probe["status"] == "failed"
    assert "own_rows" in probe["message"]
    assert role.name in probe["message"]


def test_a_select_policy_that_shows_every_row_lets_cleanup_act(run, db, standin, role):
    live_anchor(db, standin)
    standin.seed_room("stray-room", age_seconds=7200)
    enable_rls(db)
    db.execute(f"CREATE POLICY roomctl_read ON {db.table} FOR SELECT TO {role.name} USING (true)")
    r = run("cleanup", "--apply", database_url=role.url)
    assert r.code == 0, r.stderr
    assert "stray-room" not in standin.rooms()
    assert "anchor-live" in standin.rooms()


def test_a_bypassrls_role_acts(run, db, standin, pg_url):
    live_anchor(db, standin)
    standin.seed_room("stray-room", age_seconds=7200)
    enable_rls(db, force=True)
    r = Role(pg_url, db, bypassrls=True)
    try:
        res = run("cleanup", "--apply", database_url=r.url)
        assert res.code == 0, res.stderr
        assert "stray-room" not in standin.rooms()
    finally:
        r.drop()


def test_the_owner_is_subject_to_forced_rls(run, db, standin):
    live_anchor(db, standin)
    standin.seed_room("stray-room", age_seconds=7200)
    enable_rls(db, force=True)  # the test role owns the table; FORCE puts it under RLS
    r = run("cleanup", "--apply")
    assert r.code == UNSAFE, r.stderr
    assert "stray-room" in standin.rooms()


# ---------------------------------------------------------------------------------------------
# 1. Status words that match nothing
# ---------------------------------------------------------------------------------------------

def set_status(db, name, status):
    db.execute(f"UPDATE {db.table} SET status = %s WHERE room_name = %s", (status, name))


def map_status(run, db, live):
    """Liveness from the text status column, for both providers (Twilio's default mapping
    uses the boolean is_active of a Twilio app's breakout_rooms)."""
    words = ", ".join(f'"{w}"' for w in live)
    run.config.write_text(f'[rooms]\ntable = "{db.table}"\nstatus_column = "status"\n'
                          f'live_statuses = [{words}]\n')


def test_unknown_status_words_are_listed_and_refuse_apply(run, db, standin):
    map_status(run, db, ["pending", "active"])
    live_anchor(db, standin)
    set_status(db, "anchor-live", "ACTIVE")  # case differs: still live
    db.insert("session-scheduled", None, "pending")
    set_status(db, "session-scheduled", "SCHEDULED")
    standin.seed_room("session-scheduled", age_seconds=7200)
    db.insert("session-wip", None, "pending")
    set_status(db, "session-wip", "SCHEDULED")

    audit = run("audit", "--json")
    assert audit.code == 5, audit.stderr
    kinds = {(f["kind"], f["room"]) for f in audit.json["findings"]}
    assert ("unclassified", "session-scheduled") in kinds
    assert ("unclassified", "session-wip") in kinds
    assert not any(k == "orphaned" and room == "session-scheduled" for k, room in kinds)
    assert not any(room == "anchor-live" for _, room in kinds)  # ACTIVE is live

    for command in ("cleanup", "recreate"):
        r = run(command, "--apply")
        assert r.code == UNSAFE, (command, r.stderr)
        assert "SCHEDULED" in r.stderr and "live_statuses" in r.stderr
    assert "session-scheduled" in standin.rooms()
    assert standin.requests().get("CreateRoom", 0) == 0

    check = run("check", "--json")
    mapping = next(p for p in check.json["probes"] if p["name"] == "database.mapping")
    assert mapping["status"] == "failed"
    assert "SCHEDULED" in mapping["message"] and "2" in mapping["message"]

    # Saying what the word means makes the run act: a scheduled session is live.
    map_status(run, db, ["pending", "active", "scheduled"])
    r = run("recreate", "--apply")
    assert r.code == 0, r.stderr
    assert "session-wip" in standin.rooms()


# ---------------------------------------------------------------------------------------------
# 1. Rooms that no row names need a believable database
# ---------------------------------------------------------------------------------------------

def test_no_live_row_at_all_refuses_deleting_unnamed_rooms(run, db, standin):
    for i in range(3):
        standin.seed_room(f"stray-{i}", age_seconds=7200)
    r = run("cleanup", "--apply", "--json")
    assert r.code == UNSAFE, r.stderr
    assert "no live row" in r.stderr
    assert len(standin.rooms()) == 3
    # The operator who knows says so.
    r = run("cleanup", "--apply", "--allow-empty-database")
    assert r.code == 0, r.stderr
    assert standin.rooms() == {}


def test_a_quiet_night_where_every_session_ended_still_cleans_up(run, db, standin):
    for i in range(3):
        db.insert(f"session-{i}", None, "ended")
        standin.seed_room(f"session-{i}", age_seconds=7200)
    r = run("cleanup", "--apply")
    assert r.code == 0, r.stderr
    assert standin.rooms() == {}


def test_unnamed_rooms_outnumbering_the_rest_refuse(run, db, standin):
    live_anchor(db, standin)
    for i in range(12):
        standin.seed_room(f"stray-{i:02}", age_seconds=7200)
    r = run("cleanup", "--apply", "--max-deletes", "100", "--allow-empty-database")
    assert r.code == 0, r.stderr  # the operator said so
    for i in range(12):
        standin.seed_room(f"stray-{i:02}", age_seconds=7200)
    r = run("cleanup", "--apply")
    assert r.code == UNSAFE, r.stderr
    assert "wrong table, role or database" in r.stderr
    assert len(standin.rooms()) == 13


def test_the_cap_counts_young_and_occupied_orphans(run, db, standin):
    live_anchor(db, standin)
    for i in range(2):
        standin.seed_room(f"old-{i}", age_seconds=7200)
    for i in range(2):
        standin.seed_room(f"young-{i}", age_seconds=30)
    standin.seed_room("busy", age_seconds=7200, participants=["alice"])
    r = run("cleanup", "--apply", "--max-deletes", "4", "--json")
    assert r.code == UNSAFE, r.stderr
    assert "--max-deletes" in r.stderr
    assert len(standin.rooms()) == 6
    assert standin.requests().get("DeleteRoom", 0) == 0


# ---------------------------------------------------------------------------------------------
# 2. Evidence that ties a row to a room beats names
# ---------------------------------------------------------------------------------------------

def test_a_recorded_sid_owns_its_room_whatever_its_name(run, db, standin):
    live_anchor(db, standin)
    # An app that records "P46odHdPO0wJ" but creates "session-P46odHdPO0wJ"; short ids must
    # pair as well as long ones.
    for token in ("P46odHdPO0wJ", "ab", "x"):
        room = standin.seed_room(f"session-{token}", age_seconds=7200)
        db.insert(token, room["sid"], "active")
    audit = run("audit", "--json")
    found = {f["room"]: f for f in audit.json["findings"]}
    for token in ("P46odHdPO0wJ", "ab", "x"):
        f = found[f"session-{token}"]
        assert f["kind"] == "name_mismatch", f
        assert f["suggested_template"] == "session-{name}"
    assert not any(f["kind"] in ("orphaned", "missing") for f in audit.json["findings"])

    for command in ("cleanup", "recreate"):
        r = run(command, "--apply")
        assert r.code == UNSAFE, (command, r.stderr)
        assert "name_mismatch" in r.stderr or "room_name_template" in r.stderr
    before = db.rows()
    r = run("recreate", "--apply", "--allow-name-mismatch")
    assert r.code == 0, r.stderr
    assert db.rows() == before  # no recorded SID was overwritten
    assert standin.requests().get("CreateRoom", 0) == 0
    r = run("cleanup", "--apply", "--allow-name-mismatch")
    assert r.code == 0, r.stderr
    assert {f"session-{t}" for t in ("P46odHdPO0wJ", "ab", "x")} <= set(standin.rooms())


# ---------------------------------------------------------------------------------------------
# 3. Lock identity; 4. know where you act
# ---------------------------------------------------------------------------------------------

def test_the_lock_follows_the_table_not_its_spelling(run, db, standin, pg_url):
    live_anchor(db, standin)
    for i in range(3):
        standin.seed_room(f"stray-{i}", age_seconds=7200)
    standin.fault(method="DeleteRoom", delay_ms=1500)
    first = run.spawn("cleanup", "--apply", "--concurrency", "1")
    standin.wait_for_request("DeleteRoom")
    # The same table through search_path and an unqualified name.
    unqualified = db.table.split(".", 1)[1]
    sep = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{sep}options=-csearch_path%3D{db.schema}"
    second = run("cleanup", "--apply", "--table", unqualified, database_url=url)
    first.communicate(timeout=60)
    assert second.code == 7, second.stderr
    assert "holds the lock" in second.stderr


def test_apply_names_its_targets(run, db, standin):
    live_anchor(db, standin)
    r = run("cleanup", "--apply", "--json")
    assert r.code == 0, r.stderr
    targets = r.json["targets"]
    assert targets["table"].endswith("." + db.table.split(".", 1)[1])
    assert targets["database"]["name"] == "roomctl"
    assert targets["database"]["host"] in ("127.0.0.1", "localhost")
    assert "127.0.0.1" in targets["server"]
    assert "password" not in json.dumps(targets) and ":roomctl@" not in json.dumps(targets)
    assert f"table {targets['table']}" in r.stderr


def test_database_url_from_the_environment_over_an_explicit_config_refuses(run, db, standin,
                                                                          pg_url):
    live_anchor(db, standin)
    standin.seed_room("stray-room", age_seconds=7200)
    run.config.write_text(run.config.read_text() + f'[database]\nurl = "{pg_url}"\n')
    # A dev shell aimed elsewhere: the same server here, but not the file's URL.
    sep = "&" if "?" in pg_url else "?"
    env = {"ROOMCTL_DATABASE_URL": "", "DATABASE_URL": f"{pg_url}{sep}application_name=dev"}
    r = run("--config", str(run.config), "cleanup", "--apply", env=env)
    assert r.code == UNSAFE, r.stderr
    assert "DATABASE_URL" in r.stderr and str(run.config) in r.stderr
    assert "stray-room" in standin.rooms()
    audit = run("--config", str(run.config), "audit", env=env)
    assert audit.code in (0, 5), audit.stderr
    assert "DATABASE_URL" in audit.stderr  # read-only commands warn


# ---------------------------------------------------------------------------------------------
# 3. Transaction-mode poolers (a real PgBouncer started by scripts/test.sh)
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def pooler_urls():
    tx = os.environ.get("ROOMCTL_TEST_POOLER_URL")
    session = os.environ.get("ROOMCTL_TEST_SESSION_POOLER_URL")
    require(tx and session, "ROOMCTL_TEST_POOLER_URL / ROOMCTL_TEST_SESSION_POOLER_URL are not "
                            "set (scripts/test.sh starts PgBouncer)")
    return tx, session


def test_a_transaction_pooler_refuses_apply_and_leaks_no_lock(run, db, standin, pooler_urls):
    tx, session = pooler_urls
    live_anchor(db, standin)
    db.insert("session-missing", None, "pending")
    standin.seed_room("stray-room", age_seconds=7200)
    before_rows = db.rows()
    for command in ("cleanup", "recreate"):
        r = run(command, "--apply", "--json", database_url=tx)
        assert r.code == UNSAFE, (command, r.stderr)
        assert "session-mode or direct connection" in r.stderr
        assert r.json["applied"] is False
    assert "stray-room" in standin.rooms()
    assert db.rows() == before_rows
    # Read-only commands keep working through it, and check says what it is.
    assert run("audit", database_url=tx).code == 5
    check = run("check", "--json", database_url=tx)
    probe = next(p for p in check.json["probes"] if p["name"] == "database.session")
    assert probe["status"] == "failed" and "transaction-mode pooler" in probe["message"]
    # No lock was left behind on a pooled server connection: a direct run acts at once.
    r = run("cleanup", "--apply")
    assert r.code == 0, r.stderr
    assert "stray-room" not in standin.rooms()


def test_a_session_pooler_is_a_session(run, db, standin, pooler_urls):
    _, session = pooler_urls
    live_anchor(db, standin)
    standin.seed_room("stray-room", age_seconds=7200)
    r = run("cleanup", "--apply", database_url=session)
    assert r.code == 0, r.stderr
    assert "stray-room" not in standin.rooms()
    # The lock was released explicitly at the end: the next run through the pooler acts.
    standin.seed_room("stray-2", age_seconds=7200)
    r = run("cleanup", "--apply", database_url=session)
    assert r.code == 0, r.stderr
    assert "stray-2" not in standin.rooms()


# ---------------------------------------------------------------------------------------------
# 3. Locks held by others: never hang
# ---------------------------------------------------------------------------------------------

def test_an_open_migration_fails_fast_and_names_its_holder(run, db, standin, pg_url):
    live_anchor(db, standin)
    standin.seed_room("stray-room", age_seconds=7200)
    migration = psycopg2.connect(pg_url, application_name="migrate-v42")
    try:
        with migration.cursor() as cur:  # BEGIN; ALTER TABLE ... left open
            cur.execute(f"ALTER TABLE {db.table} ADD COLUMN notes text")
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        run.config.write_text(run.config.read_text() + '[database]\nlock_timeout = "1s"\n')
        for args in (["audit"], ["cleanup", "--apply"]):
            r = run(*args, timeout=20)
            assert r.code == 1, (args, r.stderr)
            assert r.elapsed < 10, r.elapsed
            line = r.error_lines()[-1]
            assert str(pid) in line and "migrate-v42" in line, line
            assert "lock_timeout" in line
        assert "stray-room" in standin.rooms()
    finally:
        migration.rollback()
        migration.close()


def test_rooms_delete_refuses_when_rls_may_hide_the_owner(run, db, standin, role):
    room = standin.seed_room("session-owned", age_seconds=7200)
    db.insert("session-owned", room["sid"], "active")
    enable_rls(db)  # the role sees no row, so it cannot tell that one owns the room
    r = run("rooms", "delete", "session-owned", database_url=role.url)
    assert r.code == UNSAFE, r.stderr
    assert "row-level security" in r.stderr
    assert "session-owned" in standin.rooms()


def test_a_livekit_run_and_a_twilio_run_on_one_table_exclude_each_other(
        run, db, standin, provider, standin_processes):
    """One lock per table, whatever the provider."""
    from conftest import (API_KEY, API_SECRET, TWILIO_ACCOUNT, TWILIO_KEY, TWILIO_SECRET,
                          StandIn)
    other = "twilio" if provider == "livekit" else "livekit"
    if other not in standin_processes:
        standin_processes[other] = StandIn(other)
    other_standin = standin_processes[other]
    other_standin.control("reset", {})
    # Both runs read this test's table through one explicit mapping.
    status = "is_active" if provider == "twilio" else "status"
    live = '["true"]' if provider == "twilio" else '["pending", "active"]'
    run.config.write_text(f'[rooms]\ntable = "{db.table}"\nname_column = "room_name"\n'
                          f'sid_column = "{db.sid_column}"\nstatus_column = "{status}"\n'
                          f'live_statuses = {live}\n')
    live_anchor(db, standin)
    for i in range(3):
        standin.seed_room(f"stray-{i}", age_seconds=7200)
    standin.fault(method="DeleteRoom", delay_ms=1500)
    first = run.spawn("cleanup", "--apply", "--concurrency", "1")
    standin.wait_for_request("DeleteRoom")
    if other == "twilio":
        env = {"ROOMCTL_PROVIDER": "twilio", "TWILIO_VIDEO_BASE_URL": other_standin.url,
               "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT, "TWILIO_API_KEY": TWILIO_KEY,
               "TWILIO_API_SECRET": TWILIO_SECRET}
    else:
        env = {"ROOMCTL_PROVIDER": "livekit", "LIVEKIT_URL": other_standin.url,
               "LIVEKIT_API_KEY": API_KEY, "LIVEKIT_API_SECRET": API_SECRET}
    second = run("cleanup", "--apply", "--allow-empty-database", env=env)
    first.communicate(timeout=60)
    assert second.code == 7, second.stderr
    assert "holds the lock for table" in second.stderr
