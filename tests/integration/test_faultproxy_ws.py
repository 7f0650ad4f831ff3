"""tests/faultproxy.py's WebSocket modes against the LiveKit stand-in's /rtc join.

strip_upgrade is a reverse proxy that drops the upgrade headers (the server then answers the
plain GET: 404, empty body); ws_idle_close is a load balancer's idle timeout (the connection
ends with no close frame, so a client sees 1006). After any 101 the proxy forwards raw bytes,
so a whole join and leave works through it. A small RFC 6455 client is enough here: the
frames' contents are proven against official code in tests/conformance/livekit/signal.test.mjs.
"""

import base64
import hashlib
import hmac
import json
import os
import socket
import struct
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for faultproxy
from conftest import API_KEY, API_SECRET, StandIn  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402

LEAVE_REQUEST = b"\x42\x02\x10\x01"  # SignalRequest{leave: {reason: CLIENT_INITIATED}}


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def join_token(identity, room):
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = _b64(json.dumps({"iss": API_KEY, "sub": identity, "exp": int(time.time()) + 600,
                              "video": {"roomJoin": True, "room": room}}).encode())
    sig = hmac.new(API_SECRET.encode(), f"{head}.{claims}".encode(), hashlib.sha256).digest()
    return f"{head}.{claims}.{_b64(sig)}"


class Client:
    """Opens GET /rtc with the upgrade headers and reads what comes back."""

    def __init__(self, port, identity, room):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /rtc?access_token={join_token(identity, room)} HTTP/1.1\r\n"
                           f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ")[1])
        fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])
        self.length = int(fields.get(b"Content-Length", b"-1"))

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError()
        self.buf += data

    def frame(self):
        """(opcode, payload) of the next server frame; EOFError when the TCP stream ends."""
        while len(self.buf) < 2:
            self._fill()
        n, at = self.buf[1] & 0x7F, 2
        if n == 126:
            while len(self.buf) < 4:
                self._fill()
            n, at = struct.unpack("!H", self.buf[2:4])[0], 4
        while len(self.buf) < at + n:
            self._fill()
        opcode, payload = self.buf[0] & 0x0F, self.buf[at:at + n]
        self.buf = self.buf[at + n:]
        return opcode, payload

    def send(self, opcode, payload):
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)


@pytest.fixture(scope="module")
def livekit():
    s = StandIn("livekit")
    yield s
    s.proc.terminate()
    s.proc.wait(10)


@pytest.fixture
def proxy(livekit):
    livekit.control("reset", {})
    p = FaultProxy(livekit.port)
    yield p
    p.close()


def participants(livekit, room):
    return livekit.control("state")["participants"].get(room, [])


def wait_until_empty(livekit, room):
    deadline = time.monotonic() + 5
    while participants(livekit, room) and time.monotonic() < deadline:
        time.sleep(0.05)
    return participants(livekit, room)


def test_pass_forwards_the_websocket_raw_after_101(livekit, proxy):
    c = Client(proxy.port, "alice", "ws-room")
    assert c.status == 101
    opcode, join = c.frame()
    assert opcode == 2 and join[:1] == b"\x0a"  # SignalResponse.join
    assert participants(livekit, "ws-room") == ["alice"]
    c.send(2, LEAVE_REQUEST)
    assert c.frame() == (2, b"\x42\x02\x10\x01")  # leave CLIENT_INITIATED back
    assert c.frame() == (8, struct.pack("!H", 1000))
    assert wait_until_empty(livekit, "ws-room") == []


def test_strip_upgrade_turns_the_join_into_a_plain_get(livekit, proxy):
    proxy.set("strip_upgrade", match=r"^GET /rtc")
    c = Client(proxy.port, "alice", "ws-room")
    assert (c.status, c.length) == (404, 0)
    assert participants(livekit, "ws-room") == []
    assert [mode for _, mode in proxy.log] == ["strip_upgrade"]
    assert "REDACTED" in proxy.log[0][0] and join_token("alice", "ws-room") not in proxy.log[0][0]


def test_ws_idle_close_after_first_message_ends_without_close_frame(livekit, proxy):
    proxy.set("ws_idle_close", first_message=True)
    c = Client(proxy.port, "bob", "ws-room")
    assert c.status == 101
    assert c.frame()[0] == 2
    with pytest.raises(EOFError):  # no close frame: the client's 1006
        c.frame()
    assert wait_until_empty(livekit, "ws-room") == []


def test_ws_idle_close_cuts_after_seconds_of_silence(livekit, proxy):
    proxy.set("ws_idle_close", seconds=0.5)
    c = Client(proxy.port, "carol", "ws-room")
    started = time.monotonic()
    assert c.status == 101 and c.frame()[0] == 2
    with pytest.raises(EOFError):
        c.frame()
    assert 0.4 <= time.monotonic() - started < 3
    assert wait_until_empty(livekit, "ws-room") == []


def test_ws_idle_close_needs_a_trigger(proxy):
    with pytest.raises(ValueError):
        proxy.set("ws_idle_close")


def test_a_held_join_never_acts_on_the_state_after_a_reset(livekit):
    # The shared stand-in is reset between tests. A join a fault held past the end of its test
    # once woke up in the next test and created its room there (test_faults saw an orphan it
    # never made); a held request now hangs up when the stand-in was reset meanwhile.
    livekit.control("reset", {})
    livekit.fault(method="rtc", delay_ms=3000)
    sock = socket.create_connection(("127.0.0.1", livekit.port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /rtc?access_token={join_token('late', 'held-room')} HTTP/1.1\r\n"
                  f"Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    time.sleep(0.5)  # the join is being held (rtc is not a counted method)
    livekit.control("reset", {})  # the next test begins
    sock.settimeout(5)
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except ConnectionResetError:
        pass
    sock.close()
    assert not answer.startswith(b"HTTP/1.1 101"), answer[:80]
    assert "held-room" not in livekit.rooms()
    assert participants(livekit, "held-room") == []
