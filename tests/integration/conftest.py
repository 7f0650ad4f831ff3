"""End-to-end fixtures: the roomctl binary, a real PostgreSQL, and the LiveKit stand-in.

Nothing here is mocked: each test gets its own schema in the PostgreSQL that
scripts/test.sh started (ROOMCTL_TEST_DATABASE_URL) and a fresh stand-in state.
Under CI=true a test that would skip fails instead.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("ROOMCTL_SOURCE_DIR", Path(__file__).resolve().parents[2]))
API_KEY = "devkey"
API_SECRET = "secret-for-integration-tests-0123456789"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

SCHEMA_SQL = """
CREATE TABLE {schema}.livekit_rooms (
    id          bigserial PRIMARY KEY,
    session_id  uuid NOT NULL DEFAULT gen_random_uuid(),
    room_name   text NOT NULL,
    room_sid    text,
    status      text NOT NULL DEFAULT 'pending',
    created_at  timestamptz NOT NULL DEFAULT now()
)
"""


def require(condition, why):
    if not condition:
        if IN_CI:
            pytest.fail(f"required under CI=true: {why}")
        pytest.skip(why)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


@pytest.fixture(scope="session")
def roomctl_bin():
    path = os.environ.get("ROOMCTL_BIN", str(SOURCE_DIR / "build" / "commands" / "roomctl"))
    require(os.access(path, os.X_OK), f"roomctl binary not found at {path} (set ROOMCTL_BIN)")
    return path


@pytest.fixture(scope="session")
def pg_url():
    url = os.environ.get("ROOMCTL_TEST_DATABASE_URL")
    require(url, "ROOMCTL_TEST_DATABASE_URL is not set (scripts/test.sh starts PostgreSQL)")
    return url


class StandIn:
    """A running tests/standin/livekit_standin.py and its control surface."""

    def __init__(self, keys):
        self.dir = tempfile.mkdtemp(prefix="roomctl-standin-")
        port_file = Path(self.dir) / "port"
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", str(SOURCE_DIR / "tests/standin/livekit_standin.py"),
             "--host", "127.0.0.1", "--port", "0", "--keys", keys, "--port-file", str(port_file)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 15
        while not port_file.exists():
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("stand-in did not start: " + self.proc.stderr.read().decode())
            time.sleep(0.05)
        self.port = int(port_file.read_text().strip())
        self.url = f"http://127.0.0.1:{self.port}"

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/_standin/" + path, data=data,
                                     method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def seed_room(self, name, age_seconds=3600, participants=(), **extra):
        # A back-dated room needs an empty_timeout beyond its age, or the stand-in closes it
        # within a second, as LiveKit would.
        body = {"name": name, "creation_time": int(time.time()) - age_seconds,
                "empty_timeout": age_seconds + 86400, "participants": list(participants)}
        body.update(extra)
        return self.control("rooms", body)

    def rooms(self):
        return {r["name"]: r for r in self.control("state")["rooms"]}

    def requests(self):
        return self.control("state").get("requests", {})

    def fault(self, **spec):
        self.control("faults", spec)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def standin_process():
    s = StandIn(f"{API_KEY}:{API_SECRET}")
    yield s
    s.stop()


@pytest.fixture
def standin(standin_process):
    standin_process.control("reset", {})
    return standin_process


class Database:
    """A schema of its own holding the seed-003 livekit_rooms table."""

    def __init__(self, url):
        import psycopg2
        self.conn = psycopg2.connect(url)
        self.conn.autocommit = True
        self.schema = "it_" + uuid.uuid4().hex[:12]
        self.table = f"{self.schema}.livekit_rooms"
        self.execute(f"CREATE SCHEMA {self.schema}")
        self.execute(SCHEMA_SQL.format(schema=self.schema))

    def execute(self, sql, params=None):
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            if cur.description:
                return cur.fetchall()
            return None

    def insert(self, name, sid=None, status="pending"):
        self.execute(f"INSERT INTO {self.table} (room_name, room_sid, status) VALUES (%s, %s, %s)",
                     (name, sid, status))

    def rows(self):
        return self.execute(
            f"SELECT room_name, room_sid, status FROM {self.table} ORDER BY room_name, id")

    def close(self):
        self.execute(f"DROP SCHEMA {self.schema} CASCADE")
        self.conn.close()


@pytest.fixture
def db(pg_url):
    d = Database(pg_url)
    yield d
    d.close()


class Result:
    def __init__(self, proc, elapsed):
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.elapsed = elapsed

    @property
    def json(self):
        return json.loads(self.stdout)

    def error_lines(self):
        return [l for l in self.stderr.splitlines() if l.startswith("roomctl: error:")]


@pytest.fixture
def run(roomctl_bin, tmp_path, pg_url, standin, db):
    """Runs roomctl against this test's stand-in and schema; returns a Result."""
    config = tmp_path / "roomctl.toml"
    config.write_text(f'[rooms]\ntable = "{db.table}"\n')

    def _env(env=None, url=None, secret=API_SECRET, database_url=None):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith(("LIVEKIT_", "ROOMCTL_", "DATABASE_URL", "PG"))}
        e.update({
            "LIVEKIT_URL": url or standin.url,
            "LIVEKIT_API_KEY": API_KEY,
            "LIVEKIT_API_SECRET": secret,
            "ROOMCTL_DATABASE_URL": database_url or pg_url,
            "ROOMCTL_CONFIG": str(config),
            "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
            "NO_COLOR": "1",
        })
        e.update(env or {})
        return e

    def _run(*args, env=None, url=None, secret=API_SECRET, database_url=None, timeout=60):
        e = _env(env, url, secret, database_url)
        start = time.monotonic()
        proc = subprocess.run([roomctl_bin, *args], env=e, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        return Result(proc, time.monotonic() - start)

    def _spawn(*args):
        return subprocess.Popen([roomctl_bin, *args], env=_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)

    _run.config = config
    _run.spawn = _spawn
    return _run


def unused_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
