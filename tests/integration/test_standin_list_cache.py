"""The LiveKit stand-in's --cache-list-rooms (bench only): an unfiltered ListRooms answers
the same bytes as the live path would, and every kind of room change invalidates the cache.

The live path's encoding is the room list of GET /_standin/state (Room.to_json, the same
order), and a stand-in without the flag answers through it; both are compared here.
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

STANDIN = Path(__file__).resolve().parents[1] / "standin" / "livekit_standin.py"
KEY, SECRET = "devkey", "cache-test-secret-0123456789abcdef0123"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(video):
    now = int(time.time())
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"iss": KEY, "sub": "t", "nbf": now - 10, "exp": now + 600,
                           "video": video}).encode())
    sig = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


class Standin:
    def __init__(self, *flags):
        self.dir = tempfile.TemporaryDirectory()
        port_file = os.path.join(self.dir.name, "port")
        self.proc = subprocess.Popen(
            [sys.executable, str(STANDIN), "--port", "0", "--port-file", port_file,
             "--keys", f"{KEY}:{SECRET}", *flags],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("the stand-in did not start")
        self.port = int(open(port_file).read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.dir.cleanup()

    def post(self, path, doc, auth=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {auth}"
        c.request("POST", path, body=json.dumps(doc), headers=headers)
        r = c.getresponse()
        body = r.read()
        c.close()
        assert r.status == 200, (path, r.status, body[:300])
        return body

    def control(self, name, doc=None):
        if doc is None:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            c.request("GET", f"/_standin/{name}")
            body = c.getresponse().read()
            c.close()
            return json.loads(body)
        return json.loads(self.post(f"/_standin/{name}", doc))

    def twirp(self, method, doc, video):
        return self.post(f"/twirp/livekit.RoomService/{method}", doc, token(video))

    def list_rooms(self, names=None):
        return self.twirp("ListRooms", {"names": names} if names else {}, {"roomList": True})

    def live_rooms(self):
        """The live path's encoding of the rooms, as its JSON value."""
        return {"rooms": self.control("state")["rooms"]}


@pytest.fixture
def cached():
    s = Standin("--cache-list-rooms")
    yield s
    s.stop()


def check_fresh(s):
    body = s.list_rooms()
    assert json.loads(body) == s.live_rooms()
    return body


def test_cached_answer_equals_the_live_one_and_is_reused(cached):
    for i in range(50):
        cached.control("rooms", {"name": f"r-{i}", "metadata": f"m{i}"})
    first = check_fresh(cached)
    assert len(json.loads(first)["rooms"]) == 50
    assert cached.list_rooms() == first  # same bytes, nothing changed
    # The same rooms from a stand-in without the flag (the live path) encode the same way,
    # apart from the per-process values (SIDs, times, TURN passwords).
    live = Standin()
    try:
        for i in range(50):
            live.control("rooms", {"name": f"r-{i}", "metadata": f"m{i}"})
        strip = lambda rooms: [{k: v for k, v in r.items()  # noqa: E731
                                if k not in ("sid", "creation_time", "creation_time_ms",
                                             "turn_password", "version")} for r in rooms]
        assert strip(json.loads(live.list_rooms())["rooms"]) == strip(json.loads(first)["rooms"])
        assert json.loads(live.list_rooms()) == live.live_rooms()
    finally:
        live.stop()


def test_every_kind_of_change_invalidates_the_cache(cached):
    cached.control("rooms", {"name": "a", "participants": ["alice"]})
    before = check_fresh(cached)

    steps = [
        ("seed", lambda: cached.control("rooms", {"name": "b"})),
        ("seed replaces", lambda: cached.control("rooms", {"name": "b", "metadata": "x"})),
        ("participant joins", lambda: cached.control("participants", {"room": "a", "identity": "bob"})),
        ("participant leaves",
         lambda: cached.control("participants/remove", {"room": "a", "identity": "bob"})),
        ("CreateRoom", lambda: cached.twirp("CreateRoom", {"name": "c"}, {"roomCreate": True})),
        ("UpdateRoomMetadata", lambda: cached.twirp(
            "UpdateRoomMetadata", {"room": "c", "metadata": "new"}, {"roomAdmin": True, "room": "c"})),
        ("RemoveParticipant", lambda: cached.twirp(
            "RemoveParticipant", {"room": "a", "identity": "alice"}, {"roomAdmin": True, "room": "a"})),
        ("DeleteRoom", lambda: cached.twirp("DeleteRoom", {"room": "b"}, {"roomCreate": True})),
        ("reset", lambda: cached.control("reset", {})),
    ]
    for what, change in steps:
        change()
        after = check_fresh(cached)
        assert after != before, f"{what}: ListRooms still answered the old encoding"
        before = after
    assert json.loads(before) == {"rooms": []}


def test_a_names_filter_takes_the_live_path(cached):
    for name in ("x", "y", "z"):
        cached.control("rooms", {"name": name})
    check_fresh(cached)
    assert [r["name"] for r in json.loads(cached.list_rooms(["z", "x"]))["rooms"]] == ["z", "x"]
    assert [r["name"] for r in json.loads(cached.list_rooms())["rooms"]] == ["x", "y", "z"]


def test_rooms_the_lifecycle_closes_invalidate_the_cache(cached):
    cached.control("rooms", {"name": "old", "creation_time": time.time() - 3600, "empty_timeout": 1})
    cached.control("rooms", {"name": "kept", "empty_timeout": 3600})
    deadline = time.time() + 5
    while time.time() < deadline:  # the 1 s ticker closes "old"
        names = [r["name"] for r in json.loads(cached.list_rooms())["rooms"]]
        if names == ["kept"]:
            break
        time.sleep(0.2)
    assert names == ["kept"]
    check_fresh(cached)
