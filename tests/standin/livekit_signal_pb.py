"""The protobuf messages of the LiveKit stand-in's ``/rtc`` signalling (livekit_signal.py).

A tiny hand-written encoder/decoder of the protobuf wire format, and the few messages the
join needs, field numbers from ``livekit/protocol`` ``protobufs/livekit_rtc.proto``
(SignalRequest, SignalResponse, JoinResponse, LeaveRequest, Ping, Pong) and
``protobufs/livekit_models.proto`` (Room, ParticipantInfo, ParticipantPermission,
ServerInfo, Codec, TimedVersion). proto3 rules: a zero/empty scalar is not written; the
message fields a client relies on (room, participant, server_info, ...) always are.
Standard library only.
"""

SERVER_VERSION = "1.13.5"      # version/version.go
PROTOCOL = 17                  # pkg/rtc/types/protocol_version.go CurrentProtocol
AGENT_PROTOCOL = 1             # pkg/agent/worker.go CurrentProtocol
NODE_ID = "ND_standin0000"
PING_INTERVAL, PING_TIMEOUT = 5, 15   # JoinResponse hints, pkg/rtc/participant.go

# livekit_models.proto DisconnectReason
CLIENT_INITIATED, DUPLICATE_IDENTITY, SERVER_SHUTDOWN = 1, 2, 3
PARTICIPANT_REMOVED, ROOM_DELETED, JOIN_FAILURE = 4, 5, 7
TRACK_SOURCES = {"UNKNOWN": 0, "CAMERA": 1, "MICROPHONE": 2, "SCREEN_SHARE": 3,
                 "SCREEN_SHARE_AUDIO": 4}
KINDS = {"standard": 0, "ingress": 1, "egress": 2, "sip": 3, "agent": 4, "connector": 7,
         "bridge": 8}


# ----------------------------------------------------------------------------
# protobuf wire format: just what these messages need
# ----------------------------------------------------------------------------

def _varint(n):
    n &= (1 << 64) - 1  # negative int32/int64 go out as ten-byte two's complement
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_int(num, v):
    return _varint(num << 3) + _varint(int(v)) if v else b""


def pb_bytes(num, b, always=False):
    if isinstance(b, str):
        b = b.encode("utf-8")
    return _varint(num << 3 | 2) + _varint(len(b)) + b if (b or always) else b""


def pb_decode(data):
    """{field number: [value, ...]}: ints for varints, bytes for length-delimited."""
    fields, i = {}, 0
    while i < len(data):
        key, i = _read_varint(data, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _read_varint(data, i)
        elif wt == 2:
            n, i = _read_varint(data, i)
            if i + n > len(data):
                raise ValueError("truncated field")
            v, i = data[i:i + n], i + n
        elif wt in (1, 5):
            n = 8 if wt == 1 else 4
            v, i = data[i:i + n], i + n
        else:
            raise ValueError(f"wire type {wt}")
        fields.setdefault(num, []).append(v)
    return fields


def _read_varint(data, i):
    n = shift = 0
    while True:
        if i >= len(data) or shift > 63:
            raise ValueError("bad varint")
        b = data[i]
        n |= (b & 0x7F) << shift
        i, shift = i + 1, shift + 7
        if not b & 0x80:
            return n, i


def room_pb(room):
    out = [pb_bytes(1, room.sid), pb_bytes(2, room.name), pb_int(3, room.empty_timeout),
           pb_int(4, room.max_participants), pb_int(5, room.creation_time_ms // 1000),
           pb_bytes(6, room.turn_password)]
    out += [pb_bytes(7, pb_bytes(1, m)) for m in ENABLED_CODECS]
    out += [pb_bytes(8, room.metadata), pb_int(9, len(room.participants)),
            pb_int(14, room.departure_timeout), pb_int(15, room.creation_time_ms),
            pb_bytes(13, pb_int(1, room.version_micro) + pb_int(2, room.version_ticks),
                     always=True)]
    return b"".join(out)


ENABLED_CODECS = ("audio/opus", "video/VP8", "video/H264", "video/VP9", "video/AV1")


def participant_pb(p):
    perm = p.permission
    sources = b"".join(_varint(TRACK_SOURCES.get(str(s).upper(), 0))
                       for s in perm.get("can_publish_sources") or [])
    perm_pb = b"".join([
        pb_int(1, perm.get("can_subscribe")), pb_int(2, perm.get("can_publish")),
        pb_int(3, perm.get("can_publish_data")), pb_int(7, perm.get("hidden")),
        pb_int(8, perm.get("recorder")), pb_bytes(9, sources),
        pb_int(10, perm.get("can_update_metadata")), pb_int(11, perm.get("agent")),
        pb_int(12, perm.get("can_subscribe_metrics")),
        pb_int(13, perm.get("can_manage_agent_session"))])
    states = {"JOINING": 0, "JOINED": 1, "ACTIVE": 2, "DISCONNECTED": 3}
    attrs = b"".join(pb_bytes(15, pb_bytes(1, k) + pb_bytes(2, v), always=True)
                     for k, v in sorted(p.attributes.items()))
    return b"".join([
        pb_bytes(1, p.sid), pb_bytes(2, p.identity), pb_int(3, states.get(p.state, 2)),
        pb_bytes(5, p.metadata), pb_int(6, p.joined_at_ms // 1000), pb_bytes(9, p.name),
        pb_bytes(11, perm_pb, always=True), pb_int(14, getattr(p, "kind", 0)), attrs,
        pb_int(17, p.joined_at_ms), pb_int(20, getattr(p, "client_protocol", 0))])


def join_response_pb(room, p, others, protocol):
    server_info = b"".join([pb_bytes(2, SERVER_VERSION), pb_int(3, PROTOCOL),
                            pb_bytes(5, NODE_ID), pb_int(7, AGENT_PROTOCOL)])
    can_sub = p.permission.get("can_subscribe", True)
    out = [pb_bytes(1, room_pb(room), always=True), pb_bytes(2, participant_pb(p), always=True)]
    out += [pb_bytes(3, participant_pb(o), always=True) for o in others]
    out += [pb_bytes(4, SERVER_VERSION), pb_int(6, protocol > 2 and can_sub),
            pb_int(10, PING_TIMEOUT), pb_int(11, PING_INTERVAL),
            pb_bytes(12, server_info, always=True), pb_bytes(13, room.sif_trailer)]
    out += [pb_bytes(14, pb_bytes(1, m)) for m in ENABLED_CODECS]
    out.append(pb_int(15, p.permission.get("can_publish", True)))
    return pb_bytes(1, b"".join(out), always=True)  # SignalResponse.join


def leave_pb(reason):
    # protocol <= 12 gets {can_reconnect: false, reason}, later ones {reason, action:
    # DISCONNECT}: both are this one field on the wire.
    return pb_bytes(8, pb_int(2, reason), always=True)  # SignalResponse.leave
