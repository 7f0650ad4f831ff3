"""End-to-end fixtures: the roomctl binary, a real PostgreSQL, and the LiveKit stand-in.

Nothing here is mocked: each test gets its own schema in the PostgreSQL that
scripts/test.sh started (ROOMCTL_TEST_DATABASE_URL) and a fresh stand-in state.
Under CI=true a test that would skip fails instead.
"""
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("ROOMCTL_SOURCE_DIR", Path(__file__).resolve().parents[2]))
API_KEY = "devkey"
API_SECRET = "secret-for-integration-tests-0123456789"
TWILIO_ACCOUNT = "AC" + "0123456789abcdef" * 2
TWILIO_KEY = "SK" + "fedcba9876543210" * 2
TWILIO_SECRET = "twilio-key-secret-for-integration-tests"
TWILIO_AUTH_TOKEN = "twilio-auth-token-for-integration-tests"
PROVIDERS = ("livekit", "twilio")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# A Twilio app's breakout_rooms table: liveness is the boolean is_active. `status` is kept
# beside it only so the shared tests can say "pending"/"active"/"ended" for either provider.
TWILIO_SCHEMA_SQL = """
CREATE TABLE {schema}.breakout_rooms (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id       uuid NOT NULL DEFAULT gen_random_uuid(),
    room_name        text NOT NULL,
    twilio_room_sid  text,
    is_active        boolean NOT NULL DEFAULT true,
    status           text NOT NULL DEFAULT 'pending',
    created_at       timestamptz NOT NULL DEFAULT now()
)
"""

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
    """A running protocol stand-in (tests/standin/) and its control surface, which has the
    same shape for LiveKit and Twilio."""

    def __init__(self, provider):
        self.provider = provider
        self.dir = tempfile.mkdtemp(prefix="roomctl-standin-")
        port_file = Path(self.dir) / "port"
        if provider == "livekit":
            args = ["livekit_standin.py", "--keys", f"{API_KEY}:{API_SECRET}"]
        else:
            args = ["twilio_standin.py", "--account-sid", TWILIO_ACCOUNT,
                    "--auth-token", TWILIO_AUTH_TOKEN, "--api-key", f"{TWILIO_KEY}:{TWILIO_SECRET}"]
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", str(SOURCE_DIR / "tests/standin" / args[0]), *args[1:],
             "--host", "127.0.0.1", "--port", "0", "--port-file", str(port_file)],
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

    def wait_for_request(self, method, count=1, timeout=60):
        """Returns once the stand-in has received `method` `count` times (counted before any
        fault delay); raises after `timeout` seconds. For staging a second run while a first
        one is known to be past its reads and holding its lock, whatever the build's speed."""
        deadline = time.time() + timeout
        while self.requests().get(method, 0) < count:
            if time.time() > deadline:
                raise AssertionError(f"the stand-in received {method} fewer than {count} times")
            time.sleep(0.02)

    def when_requested(self, method, action, timeout=60):
        """Runs `action` on a thread as soon as the stand-in has received `method` (it counts a
        request before any fault delay), and returns the started thread. Races staged this way
        hold on slow builds too, where a fixed timer can fire before roomctl has read anything."""
        def wait_then_act():
            self.wait_for_request(method, timeout=timeout)
            action()
        thread = threading.Thread(target=wait_then_act)
        thread.start()
        return thread

    def empty_timeout_seconds(self, room):
        """The 'while nobody joined' timeout of a room from state(), in seconds."""
        if self.provider == "livekit":
            return room["empty_timeout"]
        return room["unused_room_timeout"] * 60

    def error(self, status, message):
        """A fault body in the provider's own error shape."""
        if self.provider == "livekit":
            code = {400: "invalid_argument", 404: "not_found", 500: "internal",
                    503: "unavailable"}.get(status, "unknown")
            return dict(status=status, content_type="application/json",
                        body=json.dumps({"code": code, "msg": message}))
        code = {404: 20404, 500: 20500, 503: 20503}.get(status, 20001)
        return dict(status=status, content_type="application/json",
                    body=json.dumps({"code": code, "message": message, "status": status,
                                     "more_info": f"https://www.twilio.com/docs/errors/{code}"}))

    def not_found(self):
        if self.provider == "livekit":
            return self.error(404, "twirp error unknown: requested room does not exist")
        return self.error(404, "The requested resource /Rooms/X was not found")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_processes = {}


@pytest.fixture(scope="session")
def standin_processes():
    yield _processes
    for p in _processes.values():
        p.stop()


@pytest.fixture(params=PROVIDERS)
def provider(request):
    """Every test that uses the stand-in runs once per provider."""
    return request.param


@pytest.fixture
def standin(provider, standin_processes):
    if provider not in standin_processes:
        standin_processes[provider] = StandIn(provider)
    s = standin_processes[provider]
    s.control("reset", {})
    return s


class Database:
    """A schema of its own holding the provider's room table: a LiveKit app's livekit_rooms
    (text status), or a Twilio app's breakout_rooms (boolean is_active). Both read as
    (name, sid, status) here."""

    def __init__(self, url, provider="livekit"):
        import psycopg2
        self.conn = psycopg2.connect(url)
        self.conn.autocommit = True
        self.provider = provider
        self.schema = "it_" + uuid.uuid4().hex[:12]
        self.execute(f"CREATE SCHEMA {self.schema}")
        if provider == "livekit":
            self.table = f"{self.schema}.livekit_rooms"
            self.sid_column = "room_sid"
            self.execute(SCHEMA_SQL.format(schema=self.schema))
        else:
            self.table = f"{self.schema}.breakout_rooms"
            self.sid_column = "twilio_room_sid"
            self.execute(TWILIO_SCHEMA_SQL.format(schema=self.schema))

    def execute(self, sql, params=None):
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            if cur.description:
                return cur.fetchall()
            return None

    def insert(self, name, sid=None, status="pending"):
        if self.provider == "livekit":
            self.execute(f"INSERT INTO {self.table} (room_name, room_sid, status) "
                         "VALUES (%s, %s, %s)", (name, sid, status))
        else:
            self.execute(f"INSERT INTO {self.table} (room_name, twilio_room_sid, is_active, status)"
                         " VALUES (%s, %s, %s, %s)",
                         (name, sid, status in ("pending", "active"), status))

    def set_sid(self, name, sid):
        self.execute(f"UPDATE {self.table} SET {self.sid_column} = %s WHERE room_name = %s",
                     (sid, name))

    def rows(self):
        return self.execute(
            f"SELECT room_name, {self.sid_column}, status FROM {self.table} "
            "ORDER BY room_name, created_at")

    def close(self):
        self.execute(f"DROP SCHEMA {self.schema} CASCADE")
        self.conn.close()


@pytest.fixture
def db(pg_url, provider):
    d = Database(pg_url, provider)
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
    # roomctl refuses a config file others can write; keep the test independent of the umask.
    config.chmod(0o644)

    def _env(env=None, url=None, secret=None, database_url=None):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith(("LIVEKIT_", "ROOMCTL_", "TWILIO_", "DATABASE_URL", "PG"))}
        if standin.provider == "livekit":
            e.update({"LIVEKIT_URL": url or standin.url, "LIVEKIT_API_KEY": API_KEY,
                      "LIVEKIT_API_SECRET": API_SECRET if secret is None else secret})
        else:
            e.update({"ROOMCTL_PROVIDER": "twilio", "TWILIO_VIDEO_BASE_URL": url or standin.url,
                      "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT, "TWILIO_API_KEY": TWILIO_KEY,
                      "TWILIO_API_SECRET": TWILIO_SECRET if secret is None else secret})
        e.update({
            "ROOMCTL_DATABASE_URL": database_url or pg_url,
            "ROOMCTL_CONFIG": str(config),
            "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
            "XDG_STATE_HOME": str(tmp_path / "state"),  # the journal stays in the test
            "NO_COLOR": "1",
        })
        e.update(env or {})
        return e

    def _run(*args, env=None, url=None, secret=None, database_url=None, timeout=60):
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
    _run.env = _env  # the environment _run uses, for tests that start roomctl themselves
    return _run


@contextlib.contextmanager
def tls_livekit_standin(tmp_path, san):
    """A LiveKit stand-in serving HTTPS (and wss) with a fresh self-signed certificate for the
    subjectAltName `san` ("IP:127.0.0.1,DNS:localhost"); yields (port, certificate path) and
    stops the stand-in afterwards."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=roomctl-test", "-addext", f"subjectAltName={san}",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    port_file = tmp_path / "tls-standin.port"
    proc = subprocess.Popen(["/usr/bin/python3", str(SOURCE_DIR / "tests/standin/livekit_standin.py"),
                             "--port", "0", "--port-file", str(port_file),
                             "--keys", f"{API_KEY}:{API_SECRET}",
                             "--tls-cert", str(cert), "--tls-key", str(key)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the TLS stand-in did not start within 15 s")
            time.sleep(0.05)
        yield port_file.read_text().strip(), cert
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def read_terminal(master, proc, timeout):
    """Everything `proc` writes to the pseudo-terminal whose master end is `master`, until the
    last writer closes it; fails the test when nothing comes for `timeout` seconds. Closes
    `master`."""
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                proc.kill()
                pytest.fail("roomctl did not finish: " + seen.decode(errors="replace"))
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the last writer closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    return seen


def unused_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoginRole:
    """A throwaway login role made by the cluster's superuser (PG_ADMIN_URL, exported by
    scripts/lib/pg.sh), with USAGE on the test's schema and SELECT, UPDATE on its table: not a
    superuser and not the table's owner, as a least-privilege roomctl account on Supabase is.
    `attributes` are added to CREATE ROLE (e.g. "BYPASSRLS")."""

    def __init__(self, pg_url, db, prefix="rc_", attributes=""):
        admin_url = os.environ.get("PG_ADMIN_URL")
        require(admin_url, "PG_ADMIN_URL is not set (scripts/test.sh starts PostgreSQL)")
        import psycopg2
        import psycopg2.extensions
        self.parsed = psycopg2.extensions.parse_dsn(pg_url)
        # The test's schemas live in the test database, not in the admin URL's "postgres".
        self.admin = psycopg2.connect(admin_url, dbname=self.parsed["dbname"])
        self.admin.autocommit = True
        self.name = prefix + uuid.uuid4().hex[:10]
        with self.admin.cursor() as cur:
            cur.execute(f"CREATE ROLE {self.name} LOGIN {attributes}")
            cur.execute(f"GRANT USAGE ON SCHEMA {db.schema} TO {self.name}")
            cur.execute(f"GRANT SELECT, UPDATE ON {db.table} TO {self.name}")

    def set_password(self, password):
        with self.admin.cursor() as cur:
            cur.execute(f"ALTER ROLE {self.name} PASSWORD %s", (password,))

    def url_with(self, password):
        """A URI for this role; `password` must need no percent-encoding."""
        p = self.parsed
        return f"postgresql://{self.name}:{password}@{p['host']}:{p['port']}/{p['dbname']}"

    def drop(self):
        with self.admin.cursor() as cur:
            cur.execute(f"DROP OWNED BY {self.name}")
            cur.execute(f"DROP ROLE {self.name}")
        self.admin.close()
