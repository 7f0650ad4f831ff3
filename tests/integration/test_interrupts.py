"""SIGINT/SIGTERM end a run within two seconds from any phase: a query waiting on a lock held
by another session (an open migration), a slow ListRooms, a retry back-off, a slow DeleteRoom
during cleanup --apply, a connection being opened. The query in flight is cancelled
(PQcancel), the transfer in flight aborted, and the run exits 130 with one error line. An
--apply run first gives the action in flight a second to finish."""
import json
import signal
import socket
import subprocess
import threading
import time

import psycopg2
import pytest

LIMIT = 2.0  # seconds from the signal to the exit


def long_database_timeouts(run):
    # lock_timeout and statement_timeout far beyond the test, so only the signal can end it.
    run.config.write_text(run.config.read_text() +
                          '[database]\nlock_timeout = "120s"\nstatement_timeout = "120s"\n')


def wait_for(condition, what, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def terminate(proc, sig=signal.SIGTERM):
    """Sends `sig`; returns (exit code, seconds until exit, stdout, stderr)."""
    sent = time.monotonic()
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=10)
    except Exception:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"roomctl did not exit within 10 s of {sig!r}: {err}")
    return proc.returncode, time.monotonic() - sent, out, err


def error_lines(stderr):
    return [l for l in stderr.splitlines() if l.startswith("roomctl: error:")]


def assert_interrupted(code, elapsed, out, err):
    assert code == 130, err
    assert elapsed < LIMIT, f"exit took {elapsed:.2f} s: {err}"
    lines = error_lines(err)
    assert len(lines) == 1 and "interrupted" in lines[0], err
    doc = json.loads(out)  # --json: one document, also for an interrupted run
    assert doc["error"]["exit_code"] == 130, out


class TableLock:
    """Another session holding the room table ACCESS EXCLUSIVE: an open migration."""

    def __init__(self, pg_url, db):
        self.conn = psycopg2.connect(pg_url)
        with self.conn.cursor() as cur:
            cur.execute(f"LOCK TABLE {db.table} IN ACCESS EXCLUSIVE MODE")

    def release(self):
        self.conn.rollback()
        self.conn.close()


def roomctl_waits_on_a_lock(db):
    # This test's table in the query: tests running in parallel have roomctl sessions too.
    rows = db.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'roomctl' "
                      f"AND wait_event_type = 'Lock' AND query LIKE '%{db.schema}%'")
    return rows[0][0] > 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_audit_waiting_on_a_locked_table_exits_130_at_once(run, db, standin, pg_url, sig):
    long_database_timeouts(run)
    db.insert("locked-room", None, "pending")
    lock = TableLock(pg_url, db)
    try:
        proc = run.spawn("audit", "--json")
        wait_for(lambda: roomctl_waits_on_a_lock(db), "roomctl to wait on the table lock")
        code, elapsed, out, err = terminate(proc, sig)
        # The query was cancelled, not abandoned: no roomctl session is left waiting.
        wait_for(lambda: not roomctl_waits_on_a_lock(db), "the cancelled query to end", 5)
    finally:
        lock.release()
    assert_interrupted(code, elapsed, out, err)


def test_cleanup_apply_waiting_on_a_locked_table_exits_130_at_once(run, db, standin, pg_url):
    long_database_timeouts(run)
    standin.seed_room("stray", age_seconds=7200)
    lock = TableLock(pg_url, db)
    try:
        proc = run.spawn("cleanup", "--apply", "--allow-empty-database", "--json")
        wait_for(lambda: roomctl_waits_on_a_lock(db), "roomctl to wait on the table lock")
        code, elapsed, out, err = terminate(proc)
    finally:
        lock.release()
    assert_interrupted(code, elapsed, out, err)
    assert "stray" in standin.rooms()


def test_audit_during_a_slow_list_rooms_exits_130_at_once(run, db, standin):
    standin.fault(method="ListRooms", delay_ms=8000)
    proc = run.spawn("audit", "--json")
    wait_for(lambda: standin.requests().get("ListRooms", 0) >= 1, "ListRooms to be asked")
    time.sleep(0.2)
    assert_interrupted(*terminate(proc))


def test_a_retry_back_off_does_not_hold_a_signal(run, db, standin):
    # Retry-After: 2 s on every answer: a blind sleep would keep roomctl for up to 2 s more.
    standin.fault(method="ListRooms", status=429, headers={"Retry-After": "2"},
                  **({"body": "rate limited"} if standin.provider == "livekit" else {}))
    proc = run.spawn("audit", "--json")
    wait_for(lambda: standin.requests().get("ListRooms", 0) >= 1, "ListRooms to be asked")
    time.sleep(0.3)
    code, elapsed, out, err = terminate(proc)
    assert_interrupted(code, elapsed, out, err)
    assert elapsed < 1.0, f"the back-off held the signal for {elapsed:.2f} s"
    assert standin.requests().get("ListRooms", 0) == 1  # no attempt after the signal


def test_cleanup_apply_during_a_slow_delete_exits_130_with_the_rest_not_started(
        run, db, standin, tmp_path):
    live = standin.seed_room("live-1", age_seconds=600)
    db.insert("live-1", live["sid"], "active")
    for i in range(3):
        standin.seed_room(f"stray-{i}", age_seconds=7200)
    standin.fault(method="DeleteRoom", delay_ms=8000)
    journal = tmp_path / "journal.jsonl"
    proc = run.spawn("cleanup", "--apply", "--concurrency", "1", "--journal", str(journal),
                     "--json")
    wait_for(lambda: standin.requests().get("DeleteRoom", 0) >= 1, "DeleteRoom to be asked")
    time.sleep(0.2)
    code, elapsed, out, err = terminate(proc)
    assert code == 130, err
    assert elapsed < LIMIT, f"exit took {elapsed:.2f} s: {err}"
    doc = json.loads(out)
    statuses = sorted((a["status"], a.get("reason") or a.get("error") or "")
                      for a in doc["actions"])
    cut, *rest = [a for a in doc["actions"] if a["kind"] == "delete_room"]
    assert cut["status"] == "failed" and "interrupted" in cut["error"], statuses
    assert all(a["status"] == "skipped" and a["reason"] == "not started: interrupted"
               for a in rest), statuses
    assert len(error_lines(err)) == 1, err
    lines = [json.loads(l) for l in journal.read_text().splitlines()]
    assert [(l["room"], l["phase"]) for l in lines] == [(cut["room"], "start"),
                                                         (cut["room"], "end")]
    assert lines[1]["status"] == "failed"
    # The rooms not started are all still there; the one cut short may or may not be.
    assert {a["room"] for a in rest} <= set(standin.rooms())
    assert "live-1" in standin.rooms()


def test_cleanup_apply_lets_the_delete_in_flight_finish_when_it_can_within_a_second(
        run, db, standin):
    live = standin.seed_room("live-1", age_seconds=600)
    db.insert("live-1", live["sid"], "active")
    for i in range(3):
        standin.seed_room(f"stray-{i}", age_seconds=7200)
    standin.fault(method="DeleteRoom", delay_ms=1000)
    proc = run.spawn("cleanup", "--apply", "--concurrency", "1", "--json")
    wait_for(lambda: standin.requests().get("DeleteRoom", 0) >= 1, "DeleteRoom to be asked")
    time.sleep(0.4)  # 0.6 s of the delete left
    code, elapsed, out, err = terminate(proc)
    assert code == 130, err
    assert elapsed < LIMIT, f"exit took {elapsed:.2f} s: {err}"
    actions = json.loads(out)["actions"]
    assert [a["status"] for a in actions].count("done") == 1, actions
    assert [a["status"] for a in actions].count("skipped") == 2, actions
    assert standin.requests().get("DeleteRoom", 0) == 1
    assert len(standin.rooms()) == 3  # live-1 and the two not started


class SilentPort:
    """A port that accepts connections (from the listen backlog) and never answers: a
    database host that hangs while roomctl connects, which no PQcancel can reach."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.clients = []

    def wait_for_client(self, timeout=30):
        """Returns once roomctl's connection has arrived (accepted, still never answered): a
        fixed sleep is not enough under a sanitizer on a loaded machine, where a signal sent
        before the connect began is (rightly) a clean "nothing was changed" exit instead."""
        self.sock.settimeout(timeout)
        conn, _ = self.sock.accept()
        self.clients.append(conn)

    def close(self):
        for c in self.clients:
            c.close()
        self.sock.close()


def test_a_connect_that_cannot_be_cancelled_still_ends_within_2_s(run, db, standin, roomctl_bin):
    silent = SilentPort()
    try:
        url = (f"postgresql://roomctl:roomctl@127.0.0.1:{silent.port}/roomctl"
               "?connect_timeout=60")
        proc = subprocess_with(roomctl_bin, run, "audit", "--json", env={"ROOMCTL_DATABASE_URL": url})
        silent.wait_for_client()
        time.sleep(0.2)  # connecting
        assert proc.poll() is None, "roomctl must still be connecting"
        code, elapsed, out, err = terminate(proc)
    finally:
        silent.close()
    assert code == 130, err
    assert elapsed < LIMIT, f"exit took {elapsed:.2f} s: {err}"
    [line] = error_lines(err)
    assert "interrupted; exited without waiting" in line and "cannot be cancelled" in line, line


def test_a_second_signal_ends_the_run_at_once(run, db, standin, roomctl_bin):
    silent = SilentPort()
    try:
        url = (f"postgresql://roomctl:roomctl@127.0.0.1:{silent.port}/roomctl"
               "?connect_timeout=60")
        proc = subprocess_with(roomctl_bin, run, "audit", env={"ROOMCTL_DATABASE_URL": url})
        silent.wait_for_client()
        time.sleep(0.2)  # inside the connect, which no PQcancel can reach
        proc.send_signal(signal.SIGINT)
        time.sleep(0.1)
        code, elapsed, out, err = terminate(proc, signal.SIGINT)
    finally:
        silent.close()
    assert code == 130, err
    assert elapsed < 0.5, f"the second signal took {elapsed:.2f} s"
    [line] = error_lines(err)
    assert "interrupted; a second signal ended the run at once" in line, line


def subprocess_with(roomctl_bin, run, *args, env=None):
    """run.spawn with extra environment."""
    return subprocess.Popen([roomctl_bin, *args], env=run.env(env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


class PgProxy:
    """A TCP proxy in front of PostgreSQL that forwards connections until `hang_new` is set;
    connections opened after that are accepted and never answered. PQcancel opens a new
    connection to deliver a cancel request, so it then blocks as on a partitioned network."""

    def __init__(self, pg_port):
        self.upstream = pg_port
        self.hang_new = False
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.open = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.open.append(client)
            if self.hang_new:
                continue  # never forwarded, never answered
            server = socket.create_connection(("127.0.0.1", self.upstream))
            self.open.append(server)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.listener.close()
        for s in self.open:
            s.close()


def test_a_cancel_request_that_cannot_reach_the_database_does_not_hold_the_exit(
        run, db, standin, pg_url, roomctl_bin):
    long_database_timeouts(run)
    db.insert("locked-room", None, "pending")
    port = int(pg_url.rsplit(":", 1)[1].split("/")[0])
    proxy = PgProxy(port)
    lock = TableLock(pg_url, db)
    try:
        url = pg_url.replace(f":{port}/", f":{proxy.port}/")
        proc = subprocess_with(roomctl_bin, run, "audit", "--json",
                               env={"ROOMCTL_DATABASE_URL": url})
        wait_for(lambda: roomctl_waits_on_a_lock(db), "roomctl to wait on the table lock")
        proxy.hang_new = True  # the cancel request's connection will hang
        code, elapsed, out, err = terminate(proc)
    finally:
        lock.release()
        proxy.close()
    assert code == 130, err
    assert elapsed < LIMIT, f"exit took {elapsed:.2f} s: {err}"
    [line] = error_lines(err)
    assert "interrupted; exited without waiting" in line, line
