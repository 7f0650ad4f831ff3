"""check's server.signal: the WebSocket join to /rtc, end to end against the LiveKit stand-in,
through the fault proxy for the proxy and load-balancer cases (tests/faultproxy.py)."""
import signal as signal_module
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import tls_livekit_standin

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for faultproxy
from faultproxy import FaultProxy  # noqa: E402

pytestmark = pytest.mark.parametrize("provider", ["livekit"])


def probes(r):
    return {p["name"]: p for p in r.json["probes"]}


def signal(r):
    return probes(r)["server.signal"]


@pytest.fixture
def proxy(standin):
    p = FaultProxy(standin.port)
    yield p
    p.close()


def test_probe_joins_and_leaves_and_leaves_no_room_behind(run, standin):
    r = run("check", "--only", "server", "--json")
    assert r.code == 0, r.stdout + r.stderr
    s = signal(r)
    assert s["status"] == "ok"
    assert s["message"].startswith('joined room "roomctl-probe-')
    assert "as roomctl-probe-" in s["message"] and "(server 1.13.5)" in s["message"]
    assert "over ws and left" in s["message"]
    # Its own room was deleted: nothing for audit to call an orphan.
    assert not [n for n in standin.rooms() if n.startswith("roomctl-probe-")]
    assert "DeleteRoom" in standin.requests()


def test_named_room_is_joined_hidden_and_left(run, standin):
    standin.seed_room("standup", participants=["alice"])
    r = run("check", "--only", "server", "--room", "standup", "--json")
    assert r.code == 0, r.stdout + r.stderr
    assert signal(r)["message"].startswith('joined room "standup"')
    room = standin.rooms()["standup"]
    # The probe left: only the user is there, and the room is not deleted.
    assert [p["identity"] for p in room.get("participants", [])] == ["alice"] or \
        room.get("num_participants", 1) == 1


def test_named_room_that_does_not_exist_is_not_created(run, standin):
    r = run("check", "--only", "server", "--room", "nope-room", "--json")
    assert signal(r)["status"] == "ok"
    assert 'room "nope-room" does not exist, so the probe used a room of its own' in \
        signal(r)["message"]
    assert "nope-room" not in standin.rooms()
    assert not [n for n in standin.rooms() if n.startswith("roomctl-probe-")]


def test_auto_create_off_probe_room_uses_room_create_and_is_deleted(run, standin):
    standin.control("config", {"auto_create": False})
    r = run("check", "--only", "server", "--json")
    assert r.code == 0, r.stdout + r.stderr
    assert "room.auto_create is off" in signal(r)["message"]
    assert not [n for n in standin.rooms() if n.startswith("roomctl-probe-")]


def test_proxy_stripping_upgrade_is_named(run, standin, proxy):
    proxy.set("strip_upgrade", match=r"GET /rtc\?")
    r = run("check", "--only", "server", "--json", url=proxy.url)
    assert r.code == 5
    assert probes(r)["server.join"]["status"] == "ok"
    s = signal(r)
    assert s["status"] == "failed"
    assert "HTTP 404 with an empty body instead of 101 Switching Protocols" in s["message"]
    assert "proxy_set_header Upgrade $http_upgrade" in s["message"]
    assert 'proxy_set_header Connection "upgrade"' in s["message"]


def test_load_balancer_cutting_the_connection_is_1006(run, standin, proxy):
    proxy.set("ws_idle_close", first_message=True, match=r"GET /rtc\?")
    r = run("check", "--only", "server", "--json", url=proxy.url)
    assert r.code == 5
    s = signal(r)
    assert s["status"] == "failed"
    assert "closed without a close frame (1006)" in s["message"]
    assert "idle timeout" in s["message"]


def test_missing_named_room_with_auto_create_off_fails_before_the_upgrade(run, standin):
    # server.join already names it; server.signal is then skipped rather than creating it.
    standin.control("config", {"auto_create": False})
    r = run("check", "--only", "server", "--room", "gone", "--json")
    assert r.code == 5
    assert "does not exist" in probes(r)["server.join"]["message"]
    assert signal(r)["status"] == "skipped"
    assert "gone" not in standin.rooms()


def test_full_room_answers_leave_with_its_reason(run, standin):
    standin.control("rooms", {"name": "full", "max_participants": 1, "participants": ["someone"],
                              "empty_timeout": 86400})
    r = run("check", "--only", "server", "--room", "full", "--json")
    assert r.code == 5
    s = signal(r)
    assert s["status"] == "failed"
    assert "leave (reason JOIN_FAILURE)" in s["message"] and "full room" in s["message"]


def test_server_that_never_answers_is_bounded_by_the_probe_timeout(run, standin):
    # Accepts TCP and reads, never answers: every step is bounded by --probe-timeout.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                pass
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        start = time.monotonic()
        r = run("check", "--only", "server", "--probe-timeout", "1s", "--json",
                url=f"http://127.0.0.1:{listener.getsockname()[1]}")
        assert time.monotonic() - start < 15
        assert r.code == 5
        # GET / gets no answer either, so the signal layer is skipped, not left hanging.
        assert signal(r)["status"] == "skipped"
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        listener.close()


def test_wss_with_the_private_ca(run, standin, tmp_path):
    with tls_livekit_standin(tmp_path, "IP:127.0.0.1,DNS:localhost") as (port, cert):
        ok = run("check", "--only", "server", "--cacert", str(cert), "--json",
                 url=f"https://localhost:{port}")
        assert ok.code == 0, ok.stdout + ok.stderr
        assert "over wss and left" in signal(ok)["message"]
        assert "TLS" in signal(ok)["message"]


def test_certificate_for_another_name_is_the_tls_cause(run, standin, tmp_path):
    # The same certificate serves HTTP and the WebSocket, so server.reach names the TLS cause
    # first and server.signal is skipped (the WebSocket's own sentence for a name mismatch is
    # unit-tested: SignalVerdictTest.TlsNameMismatchNamesTheHost).
    with tls_livekit_standin(tmp_path, "DNS:other.example") as (port, cert):
        bad = run("check", "--only", "server", "--cacert", str(cert), "--json",
                  url=f"https://127.0.0.1:{port}")
        assert bad.code == 5
        reach = probes(bad)["server.reach"]
        assert reach["status"] == "failed" and "TLS" in reach["message"]
        assert signal(bad)["status"] == "skipped"


def test_upgrade_that_never_answers_is_bounded_by_the_probe_timeout(run, standin):
    # HTTP answers, but /rtc holds the request (a proxy or server that never answers it).
    standin.fault(method="rtc", delay_ms=30000)
    start = time.monotonic()
    r = run("check", "--only", "server", "--probe-timeout", "1s", "--json")
    assert time.monotonic() - start < 10
    assert r.code == 5
    s = signal(r)
    assert s["status"] == "failed"
    assert "no HTTP answer to the WebSocket upgrade within 1000 ms" in s["message"]


def test_sigint_during_the_upgrade_exits_130_at_once(run, standin, roomctl_bin):
    standin.fault(method="rtc", delay_ms=30000)
    proc = subprocess.Popen([roomctl_bin, "check", "--only", "server", "--probe-timeout", "20s",
                             "--json"], env=run.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    standin.wait_for_request("ListRooms", timeout=15)  # server.auth; the upgrade is held 30 s
    time.sleep(1.5)
    proc.send_signal(signal_module.SIGINT)
    start = time.monotonic()
    out, err = proc.communicate(timeout=10)
    assert time.monotonic() - start < 2
    assert proc.returncode == 130, out + err
    assert "interrupted during the upgrade step" in out


def test_traces_name_the_steps_and_never_the_token(run, standin):
    r = run("-vv", "check", "--only", "server")
    assert r.code == 0, r.stdout + r.stderr
    out = r.stdout + r.stderr
    for step in ("ws connect", "ws upgrade", "ws first_message", "ws reply", "ws close"):
        assert step in out
    assert "access_token=" not in out and "/rtc?" not in out
