"""The seeds' own schemas (tests/integration/test_seed_schemas.py), as their documents give
them, plus what those tests need around them: a [rooms] mapping written to the test's config
file, a least-privilege login role, and a fingerprint of the app's tables to prove that roomctl
altered none of them.

Each schema is created in the test's own schema (the `db` fixture's), replacing the fixture's
default room table, so the app's table is exactly the seed's and nothing else.
"""
import json
import os
import uuid
from datetime import datetime, timezone

# Seed 000: the session row stores a token; the app names the room "session-{token}" and
# records no room SID anywhere.
SEED_000 = """
CREATE TABLE {schema}.instant_sessions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_token  text NOT NULL UNIQUE,
    therapist_id   uuid NOT NULL DEFAULT gen_random_uuid(),
    status         text NOT NULL DEFAULT 'waiting',
    created_at     timestamptz NOT NULL DEFAULT now()
)
"""

# Seed 001: breakout rooms "Room 1", "Room 2" per session, on Twilio; liveness is is_active.
SEED_001 = """
CREATE TABLE {schema}.breakout_rooms (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id       uuid NOT NULL,
    room_name        text NOT NULL,
    twilio_room_sid  text,
    is_active        boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now()
)
"""

# Seed 003: a booking creates the row (room_name "session-{uuid}") long before the session
# starts at scheduled_at.
SEED_003 = """
CREATE TABLE {schema}.livekit_rooms (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id    uuid NOT NULL,
    room_name     text NOT NULL,
    room_sid      text,
    status        text NOT NULL DEFAULT 'pending',
    scheduled_at  timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
)
"""

# Seed 004: the truth is sessions.status; livekit_rooms.status is set to 'active' and never
# flipped.
SEED_004 = """
CREATE TABLE {schema}.sessions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    type              text NOT NULL DEFAULT 'video',
    status            text NOT NULL DEFAULT 'scheduled'
                      CHECK (status IN ('scheduled', 'live', 'completed', 'cancelled')),
    mechanic_id       uuid,
    customer_user_id  uuid,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE {schema}.livekit_rooms (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id  uuid NOT NULL REFERENCES {schema}.sessions (id),
    room_name   text NOT NULL,
    room_sid    text,
    status      text NOT NULL DEFAULT 'active',
    created_at  timestamptz NOT NULL DEFAULT now()
)
"""


def create_seed_schema(db, ddl):
    """Replaces the fixture's room table with the seed's tables, in the test's schema."""
    db.execute(f"DROP TABLE {db.table}")
    db.execute(ddl.format(schema=db.schema))


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v)  # a TOML basic string for the plain text used here


def write_mapping(run, rooms, extra=""):
    """Replaces the test's config file with this [rooms] section (and `extra` sections)."""
    lines = ["[rooms]"] + [f"{k} = {toml_value(v)}" for k, v in rooms.items()]
    run.config.write_text("\n".join(lines) + "\n" + extra)
    run.config.chmod(0o644)


def fingerprint(db):
    """Everything about the test schema's tables that an ALTER, a new view, trigger, index or
    constraint would change (rows are compared separately)."""
    s = db.schema
    return {
        "relations": db.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1", (s,)),
        "columns": db.execute(
            "SELECT table_name, ordinal_position, column_name, data_type, is_nullable, "
            "column_default FROM information_schema.columns WHERE table_schema = %s "
            "ORDER BY 1, 2", (s,)),
        "constraints": db.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = %s::regnamespace ORDER BY 1, 2", (s,)),
        "triggers": db.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger t JOIN pg_class c "
            "ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND NOT t.tgisinternal ORDER BY 1, 2", (s,)),
        "policies": db.execute(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = %s ORDER BY 1, 2",
            (s,)),
    }


class AppRole:
    """A login role that is neither superuser nor owner of the app's tables, with exactly
    `grants` ({table: "SELECT, UPDATE"}), made by the cluster's superuser (PG_ADMIN_URL)."""

    def __init__(self, pg_url, db, grants):
        import psycopg2
        import psycopg2.extensions
        from conftest import require
        admin_url = os.environ.get("PG_ADMIN_URL")
        require(admin_url, "PG_ADMIN_URL is not set (scripts/test.sh starts PostgreSQL)")
        p = psycopg2.extensions.parse_dsn(pg_url)
        self.admin = psycopg2.connect(admin_url, dbname=p["dbname"])
        self.admin.autocommit = True
        self.name = "seed_" + uuid.uuid4().hex[:10]
        password = uuid.uuid4().hex
        with self.admin.cursor() as cur:
            cur.execute(f"CREATE ROLE {self.name} LOGIN PASSWORD %s", (password,))
            cur.execute(f"GRANT USAGE ON SCHEMA {db.schema} TO {self.name}")
            for table, privileges in grants.items():
                cur.execute(f"GRANT {privileges} ON {db.schema}.{table} TO {self.name}")
        self.url = f"postgresql://{self.name}:{password}@{p['host']}:{p['port']}/{p['dbname']}"

    def drop(self):
        with self.admin.cursor() as cur:
            cur.execute(f"DROP OWNED BY {self.name}")
            cur.execute(f"DROP ROLE {self.name}")
        self.admin.close()


def seed_000(run, db, app_role):
    """Seed 000's table, mapped with no SID column; returns (table, run as the app's role)."""
    create_seed_schema(db, SEED_000)
    table = f"{db.schema}.instant_sessions"
    write_mapping(run, {"table": table, "name_column": "session_token", "sid_column": "",
                        "status_column": "status", "live_statuses": ["waiting", "active"],
                        "ended_statuses": ["ended"], "room_name_template": "session-{name}",
                        "session_column": "id"})
    role = app_role({"instant_sessions": "SELECT, UPDATE"})
    return table, (lambda *args: run(*args, database_url=role.url))


SESSION_TABLE_004 = {"session_table": "{schema}.sessions", "session_key": "session_id",
                     "session_table_key": "id", "session_status_column": "status",
                     "live_statuses": ["scheduled", "live"],
                     "ended_statuses": ["completed", "cancelled"]}
LIVE_WHEN_004 = {"live_when": "EXISTS (SELECT 1 FROM {schema}.sessions s WHERE s.id = session_id "
                              "AND s.status IN ('scheduled', 'live'))"}


def seed_004(run, db, standin, app_role, rooms_mapping):
    """Seed 004's tables and state, mapped by `rooms_mapping` ({schema} is the test's schema);
    returns (run as the app's role, {key: room name}); a room name is "session-{sessions.id}"."""
    create_seed_schema(db, SEED_004)
    s = db.schema
    write_mapping(run, {"table": f"{s}.livekit_rooms", "name_column": "room_name",
                        "sid_column": "room_sid", "session_column": "session_id",
                        **{k: v.replace("{schema}", s) if isinstance(v, str) else v
                           for k, v in rooms_mapping.items()}})
    role = app_role({"sessions": "SELECT", "livekit_rooms": "SELECT, UPDATE"})
    names = {}
    for key, status, on_server, recorded in (("live_missing", "live", False, False),
                                             ("completed", "completed", True, True),
                                             ("live_ok", "live", True, True),
                                             ("scheduled", "scheduled", True, True),
                                             ("cancelled", "cancelled", False, False)):
        sid = db.execute(f"INSERT INTO {s}.sessions (status) VALUES (%s) RETURNING id::text",
                         (status,))[0][0]
        names[key] = f"session-{sid}"
        room_sid = None
        if on_server:
            room = standin.seed_room(names[key], age_seconds=7200 if key == "completed" else 900)
            room_sid = room["sid"] if recorded else None
        db.execute(f"INSERT INTO {s}.livekit_rooms (session_id, room_name, room_sid) "
                   "VALUES (%s, %s, %s)", (sid, names[key], room_sid))
    return (lambda *args: run(*args, database_url=role.url)), names


WITHOUT_SESSION_TABLE = {"status_column": "status", "live_statuses": ["active"],
                         "ended_statuses": ["ended"]}
MISTAKES = {
    # setting: (the [rooms] mapping over seed 004's tables, what the one line must name)
    "live_when_missing_column": ({**WITHOUT_SESSION_TABLE, "live_when": "ended_at IS NULL"},
                                 "ended_at"),
    "live_when_two_statements": ({**WITHOUT_SESSION_TABLE,
                                  "live_when": "true; DROP TABLE {schema}.sessions"}, "live_when"),
    "live_when_comment": ({**WITHOUT_SESSION_TABLE, "live_when": "true -- all live"},
                          "live_when"),
    "live_when_not_boolean": ({**WITHOUT_SESSION_TABLE, "live_when": "room_name"}, "live_when"),
    "live_when_and_session_table": ({**SESSION_TABLE_004, "live_when": "true"}, "session_table"),
    "session_table_missing": ({**SESSION_TABLE_004, "session_table": "{schema}.meetings"},
                              "meetings"),
    "session_key_missing": ({**SESSION_TABLE_004, "session_key": "meeting_id"}, "meeting_id"),
    "session_table_key_missing": ({**SESSION_TABLE_004, "session_table_key": "session_uuid"},
                                  "session_uuid"),
    "session_status_column_missing": ({**SESSION_TABLE_004, "session_status_column": "state"},
                                      "state"),
    "starts_column_missing": ({**SESSION_TABLE_004, "starts_column": "starts_at"}, "starts_at"),
    "starts_column_not_a_time": ({**SESSION_TABLE_004, "starts_column": "room_name"},
                                 "starts_column"),
    "template_unknown_column": ({**SESSION_TABLE_004,
                                 "room_name_template": "{sesion_id}-{name}"}, "sesion_id"),
    "sid_column_missing": ({**SESSION_TABLE_004, "sid_column": "twilio_sid"}, "twilio_sid"),
}


def epoch(value):
    """A finding's starts_at as unix seconds, whether given as a number or as ISO 8601."""
    if value is None or isinstance(value, (int, float)):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()


def kinds(doc):
    return {(f["kind"], f["room"]) for f in doc["findings"]}


def one_error_line(result):
    """The failure is one line naming what is wrong; returns it."""
    lines = result.error_lines()
    assert len(lines) == 1, result.stderr
    return lines[0]
