"""Optional tier: roomctl against a real `livekit-server --dev` (keys devkey/secret).

Registered with ctest only when livekit-server is on PATH (tests/CMakeLists.txt), so it never
skips: where the server cannot be installed the tier simply does not exist. It uses nothing
but roomctl itself, because a real server has no control surface for seeding state.
"""
import json
import os
import socket
import subprocess
import time
import urllib.request

import pytest

ROOMCTL = os.environ["ROOMCTL_BIN"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log = open(tmp_path_factory.mktemp("lk") / "livekit.log", "w")
    proc = subprocess.Popen(["livekit-server", "--dev", "--bind", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            break
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("livekit-server --dev did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=15)


def roomctl(server, *args, secret="secret"):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIVEKIT_", "ROOMCTL_"))}
    env.update({"LIVEKIT_URL": server, "LIVEKIT_API_KEY": "devkey", "LIVEKIT_API_SECRET": secret,
                "XDG_CONFIG_HOME": "/nonexistent"})
    return subprocess.run([ROOMCTL, *args], env=env, capture_output=True, text=True, timeout=60)


def test_check_server_layers_pass(server):
    r = roomctl(server, "check", "--only", "server", "--json")
    assert r.returncode == 0, r.stdout + r.stderr


def test_wrong_secret_is_named(server):
    r = roomctl(server, "check", "--only", "server", "--json", secret="wrong")
    probes = {p["name"]: p for p in json.loads(r.stdout)["probes"]}
    assert r.returncode == 5
    assert "signature rejected" in probes["server.auth"]["message"]


def test_rooms_lifecycle(server):
    created = roomctl(server, "rooms", "create", "roomctl-real-1", "--empty-timeout", "10m", "--json")
    assert created.returncode == 0, created.stderr
    sid = json.loads(created.stdout)["room"]["sid"]
    again = roomctl(server, "rooms", "create", "roomctl-real-1", "--json")
    assert json.loads(again.stdout)["room"]["sid"] == sid  # CreateRoom is idempotent
    listed = json.loads(roomctl(server, "rooms", "list", "--json").stdout)["rooms"]
    assert "roomctl-real-1" in [r["name"] for r in listed]
    assert roomctl(server, "rooms", "delete", "roomctl-real-1").returncode == 0
    gone = roomctl(server, "rooms", "delete", "roomctl-real-1")
    assert gone.returncode == 1 and "does not exist" in gone.stderr


def test_join_token_validates(server):
    token = roomctl(server, "token", "create", "--join", "--room", "r", "--identity", "u").stdout.strip()
    with urllib.request.urlopen(f"{server}/rtc/validate?access_token={token}") as resp:
        assert resp.status == 200
