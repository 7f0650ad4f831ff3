"""explain's signalling step: when nothing before it stops the join (LiveKit, the server
answered, the room exists, the token has no error), explain makes check's server.signal
WebSocket join to /rtc with roomctl's own hidden probe identity (never the user's token), and a
failure there is a cause (a proxy that strips Upgrade: close code 1006 in the app)."""
import signal as signal_module
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_explain import mint

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for faultproxy
from faultproxy import FaultProxy  # noqa: E402


@pytest.fixture
def proxy(standin):
    p = FaultProxy(standin.port)
    yield p
    p.close()


def healthy_room(db, standin, name):
    db.insert(name)
    room = standin.seed_room(name, participants=["alice"])
    db.set_sid(name, room["sid"])
    return room


@pytest.mark.parametrize("provider", ["livekit"])
def test_healthy_room_signalling_works_and_the_probe_leaves(run, db, standin):
    healthy_room(db, standin, "class-s1")
    token = mint("livekit", "class-s1", identity="rafael")
    r = run("explain", "--room", "class-s1", "--token", token, "--json")
    assert r.code == 0, r.stdout + r.stderr
    sig = r.json["signal"]
    assert sig["state"] == "ok", sig
    assert sig["message"].startswith('joined room "class-s1"'), sig
    assert "as roomctl-probe-" in sig["message"]
    assert "rafael" not in sig["message"]  # roomctl's identity, not the user's
    assert token not in r.stdout + r.stderr
    # The probe left, and its join made no room of its own.
    people = run("participants", "list", "class-s1", "--json")
    assert people.code == 0, people.stderr
    assert [p["identity"] for p in people.json["participants"]] == ["alice"]
    assert not [n for n in standin.rooms() if n.startswith("roomctl-probe-")]
    assert "class-s1" in standin.rooms()
    text = run("explain", "--room", "class-s1")
    assert text.code == 0, text.stdout + text.stderr
    assert "the WebSocket join to /rtc works" in text.stdout, text.stdout
    assert "Nothing in the way" in text.stdout


@pytest.mark.parametrize("provider", ["livekit"])
def test_proxy_stripping_upgrade_is_the_cause(run, db, standin, proxy):
    healthy_room(db, standin, "class-s2")
    proxy.set("strip_upgrade", match=r"GET /rtc\?")
    r = run("explain", "--room", "class-s2", "--json", url=proxy.url)
    assert r.code == 5, r.stdout + r.stderr
    doc = r.json
    assert [c["code"] for c in doc["causes"]] == ["signal_proxy_headers"], doc["causes"]
    assert doc["signal"]["state"] == "failed" and doc["signal"]["step"] == "upgrade"
    assert "not passing the Upgrade and Connection headers" in doc["causes"][0]["text"]
    assert doc["symptom"] == "could not establish signal connection"
    assert "proxy_set_header Upgrade $http_upgrade" in doc["fix"]
    assert any("GET /rtc?" in line and mode == "strip_upgrade" for line, mode in proxy.log)
    text = run("explain", "--room", "class-s2", url=proxy.url)
    assert text.code == 5
    assert "Why the join fails (\"could not establish signal connection\")" in text.stdout
    assert "FAILS at the upgrade step" in text.stdout, text.stdout
    assert "Fix: pass the WebSocket headers in the proxy" in text.stdout, text.stdout


@pytest.mark.parametrize("provider", ["livekit"])
def test_no_signal_skips_the_probe(run, db, standin, proxy):
    healthy_room(db, standin, "class-s3")
    proxy.set("strip_upgrade", match=r"GET /rtc\?")
    r = run("explain", "--room", "class-s3", "--no-signal", "--json", url=proxy.url)
    assert r.code == 0, r.stdout + r.stderr
    assert r.json["signal"] == {"state": "skipped", "reason": "--no-signal", "message": None,
                                "step": None}
    assert not [line for line, _ in proxy.log if line.startswith("GET /rtc?")]
    text = run("explain", "--room", "class-s3", "--no-signal", url=proxy.url)
    assert "not probed (--no-signal)" in text.stdout


@pytest.mark.parametrize("provider", ["livekit"])
def test_a_token_problem_or_missing_room_runs_no_probe(run, db, standin, proxy):
    healthy_room(db, standin, "class-s4")
    bad = mint("livekit", "class-s4", secret="another-secret-another-secret-xx")
    r = run("explain", "--room", "class-s4", "--token", bad, "--json", url=proxy.url)
    assert r.code == 5
    assert r.json["signal"]["state"] == "skipped"
    assert "token" in r.json["signal"]["reason"]
    gone = run("explain", "--room", "class-s5-missing", "--json", url=proxy.url)
    assert gone.json["signal"]["state"] == "skipped"
    assert not [line for line, _ in proxy.log if line.startswith("GET /rtc?")]


@pytest.mark.parametrize("provider", ["twilio"])
def test_twilio_runs_no_probe(run, db, standin):
    healthy_room(db, standin, "class-s6")
    r = run("explain", "--room", "class-s6", "--json")
    assert r.code == 0, r.stdout + r.stderr
    assert r.json["signal"]["state"] == "skipped"
    assert "Twilio" in r.json["signal"]["reason"]
    assert not [k for k in standin.requests() if "rtc" in k.lower()]


@pytest.mark.parametrize("provider", ["livekit"])
def test_an_upgrade_that_never_answers_is_bounded(run, db, standin):
    # check's default --probe-timeout (5 s) bounds each step of explain's WebSocket join.
    healthy_room(db, standin, "class-s7")
    standin.fault(method="rtc", delay_ms=30000)
    start = time.monotonic()
    r = run("explain", "--room", "class-s7", "--json")
    assert time.monotonic() - start < 15
    assert r.code == 5, r.stdout + r.stderr
    assert [c["code"] for c in r.json["causes"]] == ["signal_failed"]
    assert "no HTTP answer to the WebSocket upgrade within 5000 ms" in r.json["causes"][0]["text"]
    assert r.json["signal"]["step"] == "upgrade"


@pytest.mark.parametrize("provider", ["livekit"])
def test_sigint_during_the_probe_exits_130_at_once(run, db, standin, roomctl_bin):
    healthy_room(db, standin, "class-s8")
    standin.fault(method="rtc", delay_ms=30000)
    proc = subprocess.Popen([roomctl_bin, "explain", "--room", "class-s8"], env=run.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    standin.wait_for_request("ListRooms", timeout=15)
    time.sleep(1.5)  # inside the held upgrade
    proc.send_signal(signal_module.SIGINT)
    start = time.monotonic()
    out, err = proc.communicate(timeout=10)
    assert time.monotonic() - start < 2
    assert proc.returncode == 130, out + err
    assert "interrupted during the WebSocket join to /rtc" in err, err
    assert len([line for line in err.splitlines() if line.strip()]) == 1, err


@pytest.mark.parametrize("provider", ["livekit"])
def test_server_text_in_the_cause_cannot_break_the_line(run, db, standin):
    # The probe's sentence quotes the upgrade's answer; a CR or an ESC sequence in it is shown
    # escaped, so the cause stays one line and the terminal gets no control sequence.
    healthy_room(db, standin, "class-s9")
    standin.fault(method="rtc", status=502, body="bad\r\x1b[2Kgateway\n")
    r = run("explain", "--room", "class-s9")
    assert r.code == 5, r.stdout + r.stderr
    assert "\r" not in r.stdout and "\x1b" not in r.stdout
    assert 'HTTP 502 with "bad\\r\\x1b[2Kgateway"' in r.stdout, r.stdout
