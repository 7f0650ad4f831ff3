"""The LiveKit stand-in's ``/rtc`` WebSocket signalling join (livekit_standin.py calls serve()).

Reimplemented from the public sources of livekit-server v1.13.5 (read, not copied):
``livekit/livekit`` ``pkg/service/rtcservice.go`` (serve: the upgrade check, validation and the
first response before the upgrade), ``pkg/service/wsprotocol.go`` (binary protobuf frames, a
ping every 10 s, close 1000 on the way out), ``pkg/service/utils.go`` ValidateConnectRequest,
``pkg/service/roommanager.go`` and ``pkg/rtc/room.go`` (duplicate identity, max participants,
the 60 s join timeout) and ``pkg/rtc/participant*.go`` (leave requests); messages from
``livekit/protocol`` ``protobufs/livekit_rtc.proto`` and ``livekit_models.proto``.

What a client sees:

* ``GET /rtc`` without ``Connection: upgrade`` + ``Upgrade: websocket``: 404, empty body, even
  with a valid token (a bad token is still the auth middleware's 401 first).
* Then the same validation as ``/rtc/validate`` (400/401/404 plain text), before any upgrade.
  ``/rtc/v1`` (v1.9.10+) also needs ``join_request``: 400 ``join_request is required``.
* Then gorilla/websocket's handshake checks (400/405, ``Bad Request\\n`` + its error).
* 101, then the first message, a binary SignalResponse: ``join`` (JoinResponse), or ``leave``
  (reason JOIN_FAILURE) when the room is full, followed by close 1000.
* A second join with the same identity: the first connection gets leave DUPLICATE_IDENTITY
  and close 1000. RemoveParticipant: PARTICIPANT_REMOVED; DeleteRoom: ROOM_DELETED.
* Client SignalRequest ``leave``: leave CLIENT_INITIATED back, close 1000, participant gone.
  Client close or a dropped connection: participant gone (it never had ICE).
* ``ping`` / ``ping_req`` get ``pong`` / ``pong_resp``; a participant still JOINING after
  60 s gets leave JOIN_FAILURE (the server's join timeout): no connection outlives that.
* ``permessage-deflate`` is accepted when offered (gorilla EnableCompression), without
  context takeover, and every data message is then compressed.

Not implemented: JSON (text) signalling, WebRTC (offers, trickle, tracks), reconnect/resume,
room configuration from the token, tracks of other participants in the JoinResponse.
"""

import base64
import gzip
import hashlib
import secrets
import socket
import struct
import time
import zlib

from livekit_signal_pb import (
    CLIENT_INITIATED, DUPLICATE_IDENTITY, JOIN_FAILURE, KINDS, PARTICIPANT_REMOVED,
    ROOM_DELETED, SERVER_SHUTDOWN, join_response_pb, leave_pb, pb_bytes, pb_decode, pb_int,
)
from standin_common import HTTPError

WS_PING_EVERY = 10.0           # wsprotocol.go pingFrequency
JOIN_TIMEOUT = 60.0            # room.go: not ACTIVE a minute after joining -> removed
FRAME_DEADLINE = 10.0          # a frame begun must be complete within this (stand-in bound)
MAX_MESSAGE = 1 << 20
POLL = 0.2
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


# ----------------------------------------------------------------------------
# Before the upgrade
# ----------------------------------------------------------------------------

def _tokens(value):
    return {t.strip().lower() for t in value.split(",")}


def _bad_handshake(status, why):
    # gorilla's http.Error(StatusText) and then LiveKit's HandleError appending err.Error().
    text = {400: "Bad Request", 405: "Method Not Allowed"}[status]
    return HTTPError(status, f"{text}\nwebsocket: {why}",
                     headers={"Sec-Websocket-Version": "13", "X-Content-Type-Options": "nosniff"})


def _handshake_error(h):
    """gorilla Upgrader.Upgrade's checks, in its order."""
    proto = "the client is not using the websocket protocol: "
    if "upgrade" not in _tokens(h.headers.get("Connection", "")):
        return _bad_handshake(400, proto + "'upgrade' token not found in 'Connection' header")
    if "websocket" not in _tokens(h.headers.get("Upgrade", "")):
        return _bad_handshake(400, proto + "'websocket' token not found in 'Upgrade' header")
    if h.command != "GET":
        return _bad_handshake(405, proto + "request method is not GET")
    if "13" not in _tokens(h.headers.get("Sec-WebSocket-Version", "")):
        return _bad_handshake(400, "unsupported version: 13 not found in "
                                   "'Sec-Websocket-Version' header")
    try:
        ok = len(base64.b64decode(h.headers.get("Sec-WebSocket-Key", ""), validate=True)) == 16
    except ValueError:
        ok = False
    if not ok:
        return _bad_handshake(400, "not a websocket handshake: 'Sec-WebSocket-Key' header "
                                   "must be Base64 encoded value of 16-byte in length")
    return None


def _check_v1(h):
    """validateInternal's join_request (needsJoinRequest on /rtc/v1)."""
    raw = (h.query.get("join_request") or [""])[0]
    if not raw:
        if h.url_path == "/rtc/v1":
            raise HTTPError(400, "join_request is required")
        return
    try:
        wrapped = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError:
        raise HTTPError(400, "cannot base64 decode wrapped join request") from None
    try:
        w = pb_decode(wrapped)
        inner = (w.get(2) or [b""])[-1]
    except ValueError:
        raise HTTPError(400, "cannot unmarshal wrapped join request") from None
    if (w.get(1) or [0])[-1] == 1:
        try:
            inner = gzip.decompress(inner)
        except (OSError, EOFError, zlib.error):
            raise HTTPError(400, "cannot read decompressed join request") from None
    if len(inner) > 1 << 20:
        raise HTTPError(400, "join request too large")
    try:
        pb_decode(inner)
    except ValueError:
        raise HTTPError(400, "cannot unmarshal join request") from None


def serve(h, grants):
    """Answers GET /rtc or /rtc/v1 on handler `h` (auth already done: `grants`)."""
    if not ("upgrade" in _tokens(h.headers.get("Connection", ""))
            and "websocket" in _tokens(h.headers.get("Upgrade", ""))):
        # rtcservice.go: `w.WriteHeader(404)`, nothing else.
        h.send_response(404)
        h.send_header("Content-Length", "0")
        h.end_headers()
        return
    h._apply_fault("rtc")
    if grants is None or not grants.has_video:
        raise HTTPError(401, "no permissions to access the room")  # before join_request
    _check_v1(h)
    room_name = h._check_join(grants)
    err = _handshake_error(h)
    if err is not None:
        raise err
    Session(h, grants, room_name).run()


# ----------------------------------------------------------------------------
# The connection
# ----------------------------------------------------------------------------

class _Gone(Exception):
    """The client went away or broke the protocol: stop without another word."""


class Session:
    def __init__(self, h, grants, room_name):
        self.h, self.grants, self.room_name = h, grants, room_name
        self.st, self.sock = h.state, h.connection
        self.standin = h.service.standin
        self.kick = None  # set under the state lock by a duplicate join
        self.buf = bytearray()
        self.deflate = False
        self.closing = False
        q = lambda k: (h.query.get(k) or [""])[0]  # noqa: E731
        try:
            self.protocol = int(q("protocol") or 0)
        except ValueError:
            self.protocol = 0

    # -- wire ------------------------------------------------------------------

    def _handshake(self):
        key = self.h.headers["Sec-WebSocket-Key"].strip()
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        offers = [ext.split(";")[0].strip().lower()
                  for field in self.h.headers.get_all("Sec-WebSocket-Extensions") or []
                  for ext in field.split(",")]
        self.deflate = "permessage-deflate" in offers
        lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Accept: {accept}"]
        if self.deflate:
            lines.append("Sec-WebSocket-Extensions: permessage-deflate; "
                         "server_no_context_takeover; client_no_context_takeover")
        self.h.log_request(101)
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        # Bytes the request reader already buffered belong to the WebSocket stream.
        self.sock.setblocking(False)
        try:
            pending = self.h.rfile.peek() or b""
            self.buf += self.h.rfile.read(len(pending)) or b""
        except (OSError, ValueError):
            pass
        self.sock.settimeout(POLL)

    def _send_frame(self, opcode, payload=b""):
        rsv1 = 0
        if self.deflate and opcode in (1, 2):
            c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
            payload = c.compress(payload) + c.flush(zlib.Z_SYNC_FLUSH)
            payload, rsv1 = payload[:-4], 0x40  # RFC 7692: drop the 00 00 ff ff tail
        n = len(payload)
        head = bytes([0x80 | rsv1 | opcode])
        if n < 126:
            head += bytes([n])
        elif n < 1 << 16:
            head += bytes([126]) + struct.pack("!H", n)
        else:
            head += bytes([127]) + struct.pack("!Q", n)
        self.sock.settimeout(5.0)  # closeWriteTimeout: never block on a stuck reader
        try:
            self.sock.sendall(head + payload)
        except OSError:
            raise _Gone() from None
        finally:
            self.sock.settimeout(POLL)

    def _close(self, code=1000, wait=True):
        if self.closing:
            return
        self.closing = True
        try:
            self._send_frame(8, struct.pack("!H", code))
        except _Gone:
            pass
        # RFC 6455 7.1.1: wait (1 s at most) for the client's close frame or FIN before ours.
        # A FIN right behind the last frames can overtake them in a client that inflates
        # asynchronously (Node's undici then reports 1006 instead of our close code).
        deadline = time.monotonic() + (1.0 if wait else 0)
        try:
            while time.monotonic() < deadline:
                frame = self._parse() if self.buf else None
                if frame is not None:
                    if frame[2] == 8:
                        break
                    continue
                if not self._fill(None):
                    continue
        except _Gone:
            pass
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _fill(self, started):
        """Reads more bytes; False on the poll timeout (unless a frame overruns its deadline)."""
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            if started is not None and time.monotonic() - started > FRAME_DEADLINE:
                raise _Gone() from None
            return False
        except OSError:
            raise _Gone() from None
        if not data:
            raise _Gone()
        self.buf += data
        return True

    def _parse(self):
        """A whole frame (fin, rsv1, opcode, payload) from the buffer, or None."""
        b = self.buf
        if len(b) < 2:
            return None
        n, at = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, at = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, at = struct.unpack("!Q", b[2:10])[0], 10
        if not b[1] & 0x80:
            self._close(1002, wait=False)  # gorilla: "bad MASK"; client frames are masked
            raise _Gone()
        if n > MAX_MESSAGE:
            self._close(1009, wait=False)  # the read limit
            raise _Gone()
        if len(b) < at + 4 + n:
            return None
        mask = int.from_bytes(b[at:at + 4] * ((n + 3) // 4), "big")
        raw = int.from_bytes(b[at + 4:at + 4 + n] + b"\0" * (-n % 4), "big")
        data = (raw ^ mask).to_bytes(n + (-n % 4), "big")[:n] if n else b""
        fin, rsv1, opcode = b[0] & 0x80, b[0] & 0x40, b[0] & 0x0F
        del b[:at + 4 + n]
        return fin, rsv1, opcode, data

    def _frame(self):
        """One whole frame, or None when nothing arrived within POLL."""
        started = time.monotonic() if self.buf else None
        while True:
            frame = self._parse()
            if frame is not None:
                return frame
            if started is None and self.buf:
                started = time.monotonic()
            if not self._fill(started) and started is None:
                return None

    def _message(self, parts):
        """A whole data message (opcode, payload) or None; answers control frames."""
        frame = self._frame()
        if frame is None:
            return None
        fin, rsv1, opcode, data = frame
        if opcode == 8:  # close: echo the code (gorilla's default handler), then stop
            code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1000
            self._close(code if code not in (1005, 1006) else 1000, wait=False)
            raise _Gone()
        if opcode == 9:
            self._send_frame(10, data)
            return None
        if opcode == 10:
            return None
        if opcode not in (0, 1, 2) or (opcode == 0) != bool(parts):
            self._close(1002)
            raise _Gone()
        parts.append((opcode, rsv1, data))
        if sum(len(p[2]) for p in parts) > MAX_MESSAGE:
            self._close(1009)
            raise _Gone()
        if not fin:
            return None
        first_op, compressed = parts[0][0], parts[0][1]
        payload = b"".join(p[2] for p in parts)
        parts.clear()
        if compressed and self.deflate:
            d = zlib.decompressobj(-15)
            try:
                payload = d.decompress(payload + b"\x00\x00\xff\xff", MAX_MESSAGE)
            except zlib.error:
                self._close(1002)
                raise _Gone() from None
        return first_op, payload

    # -- room state -------------------------------------------------------------

    def _join(self):
        """Joins the room; returns the SignalResponse to send first."""
        st, g, name = self.st, self.grants, self.room_name
        identity = g.identity
        claims = g.claims
        flag = g.flag
        with st.lock:
            now = st.now()
            sessions = st.__dict__.setdefault("signal_sessions", {})
            room = st.rooms.get(name)
            if room is None:  # validation allowed it: auto_create, or roomCreate
                room = self.standin.Room(name, now, st.config["default_empty_timeout"],
                                         st.config["default_departure_timeout"])
                st.rooms[name] = room
            if not hasattr(room, "sif_trailer"):
                room.sif_trailer = secrets.token_bytes(8)
            if identity in room.participants:  # roommanager: "removing duplicate participant"
                old = sessions.get((name, identity))
                if old is not None and old.participant is room.participants[identity]:
                    old.kick = DUPLICATE_IDENTITY
                room.leave(identity, now)
            counted = [p for p in room.participants.values() if not getattr(p, "dependent", 0)]
            dependent = flag("agent") or flag("recorder") or \
                str(claims.get("kind", "")).lower() in ("agent", "egress")
            if room.max_participants and not dependent and len(counted) >= room.max_participants:
                self.participant = None  # room.Join: ErrMaxParticipantsExceeded
                return leave_pb(JOIN_FAILURE)
            room.join(identity, now)
            p = self.participant = room.participants[identity]
            self.room = room
            p.state, p.dependent = "JOINING", dependent
            p.kind = KINDS.get(str(claims.get("kind", "")).lower(), 0)
            p.client_protocol = self.protocol
            p.name = str(claims.get("name") or "")
            p.metadata = str(claims.get("metadata") or "")
            attrs = claims.get("attributes")
            p.attributes = dict(attrs) if isinstance(attrs, dict) else {}
            explicit_false = g.explicit_false
            p.permission.update({
                "can_subscribe": not explicit_false("canSubscribe"),
                "can_publish": not explicit_false("canPublish"),
                "can_publish_data": not explicit_false("canPublishData"),
                "can_publish_sources": [str(s).upper() for s in
                                        (g.video.get("canPublishSources") or [])],
                "hidden": flag("hidden"), "recorder": flag("recorder"),
                "can_update_metadata": flag("canUpdateOwnMetadata"), "agent": flag("agent"),
                "can_subscribe_metrics": flag("canSubscribeMetrics"),
                "can_manage_agent_session": flag("canManageAgentSession")})
            sessions[(name, identity)] = self
            others = [o for o in room.participants.values()
                      if o is not p and not o.permission.get("hidden")]
            self.joined_at = time.monotonic()
            return join_response_pb(room, p, others, self.protocol)

    def _gone_reason(self):
        """Why the participant is no longer in the room, or None while it is."""
        with self.st.lock:
            room = self.st.rooms.get(self.room_name)
            identity = self.grants.identity
            if room is self.room and room.participants.get(identity) is self.participant:
                return None
            if self.kick is not None:
                return self.kick
            if room is not self.room:
                return ROOM_DELETED
            if self.grants.identity in room.participants:
                return DUPLICATE_IDENTITY
            return PARTICIPANT_REMOVED

    def _leave_room(self):
        with self.st.lock:
            room = self.st.rooms.get(self.room_name)
            identity = self.grants.identity
            if room is self.room and room.participants.get(identity) is self.participant:
                room.leave(identity, self.st.now())
            sessions = self.st.__dict__.get("signal_sessions", {})
            if sessions.get((self.room_name, identity)) is self:
                del sessions[(self.room_name, identity)]

    # -- the loop ------------------------------------------------------------------

    def run(self):
        h = self.h
        h.close_connection = True  # the HTTP connection ends with the WebSocket
        first = self._join()  # the server reads the first response before it upgrades
        try:
            self._handshake()
            if h._fault_target is not None:
                h._log_answer(101, b"", "after" if h._late_fault else h._struck)
            self._send_frame(2, first)
            if self.participant is None:  # the join failed: leave, then close
                self._close(1000)
                return
            late, h._late_fault = h._late_fault, None
            if late is not None:  # a phase-"after" rtc fault strikes after the first message
                h._fault_target = None
                try:
                    h._strike(late)
                except ConnectionResetError:
                    raise _Gone() from None
            self._loop()
        except _Gone:
            pass
        finally:
            if self.participant is not None:
                self._leave_room()
            try:
                self.sock.close()
            except OSError:
                pass

    def _loop(self):
        parts, last_ping = [], time.monotonic()
        while True:
            reason = self._gone_reason()
            if reason is None and h_stopping(self.h):
                reason = SERVER_SHUTDOWN
            if reason is None and time.monotonic() - self.joined_at > JOIN_TIMEOUT \
                    and self.participant.state == "JOINING":
                reason = JOIN_FAILURE
            if reason is not None:
                self._send_frame(2, leave_pb(reason))
                self._close(1000)
                return
            if time.monotonic() - last_ping >= WS_PING_EVERY:
                self._send_frame(9)
                last_ping = time.monotonic()
            msg = self._message(parts)
            if msg is None:
                continue
            opcode, payload = msg
            if opcode != 2:
                continue  # JSON signalling is not implemented
            try:
                req = pb_decode(payload)
            except ValueError:
                continue  # the server logs the unmarshal error and reads on
            if 8 in req:  # leave: HandleLeaveRequest -> Close(sendLeave) -> leave back
                self._leave_room()
                self._send_frame(2, leave_pb(CLIENT_INITIATED))
                self._close(1000)
                return
            now_ms = int(self.st.now() * 1000)
            if 14 in req:
                self._send_frame(2, pb_int(18, now_ms))
            if 16 in req:
                ts = pb_decode(req[16][-1]).get(1, [0])[-1]
                self._send_frame(2, pb_bytes(20, pb_int(1, ts) + pb_int(2, now_ms), always=True))


def h_stopping(h):
    return h.stop_event is not None and h.stop_event.is_set()
