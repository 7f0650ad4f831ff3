#!/usr/bin/python3
"""A protocol-faithful stand-in for the parts of livekit-server that roomctl uses.

The real livekit-server cannot be installed where roomctl's tests run, so this
module reproduces, with the Python 3 standard library only, the HTTP behaviour of
livekit-server v1.13.5 as its public sources define it: Twirp routing in
``livekit/protocol`` ``livekit/livekit_room.twirp.go``; RoomService semantics and
the auth middleware in ``livekit/livekit`` ``pkg/service/roomservice.go`` and
``pkg/service/auth.go``; tokens in ``livekit/protocol`` ``auth/accesstoken.go``,
``auth/grants.go`` and ``auth/verifier.go``; ``/rtc/validate`` in ``livekit/livekit``
``pkg/service/rtcservice.go``; room defaults and closing in ``pkg/config/config.go``
and ``pkg/rtc/room.go``. It covers:

* the API-key auth middleware (plain-text 401s) that runs before everything;
* the Twirp RoomService JSON API (routing, Content-Type, protojson decoding,
  Twirp error JSON and status codes, grant checks, psrpc message prefixes);
* ``GET /`` health check and ``GET /rtc/validate``;
* the ``/rtc`` (and ``/rtc/v1``) WebSocket signalling join, in livekit_signal.py;
* the room lifecycle (empty_timeout / departure_timeout closing rooms).

A small unauthenticated control surface under ``/_standin/`` lets tests seed
rooms and participants, inspect request counts, change configuration and
inject faults. See tests/standin/README.md.
"""

import argparse
import base64
import decimal
import hashlib
import hmac
import json
import os
import re
import secrets
import string
import sys

# Run as a script from anywhere: the shared plumbing sits next to this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import standin_common  # noqa: E402
import livekit_participant_admin as participant_admin  # noqa: E402
import livekit_signal  # noqa: E402
from livekit_list_cache import ListRoomsCache, TrackedAttributes, TrackedDict, changed  # noqa: E402
from standin_common import (  # noqa: E402
    JSON_CT, PLAIN, HTTPError, control_creation_time, control_identities, config_int_updates,
    opt_int, positive_int, to_json_bytes,
)

# --- Server limits and defaults (livekit pkg/config/config.go DefaultConfig) ---
MAX_ROOM_NAME_LENGTH = 256
MAX_IDENTITY_LENGTH = 256
MAX_METADATA_SIZE = 512 * 1024
MAX_REQUEST_BODY = 10 * 1024 * 1024
JWT_LEEWAY_SECONDS = 60

TWIRP_PREFIX = "/twirp/livekit.RoomService/"
# Every method the real RoomService routes (ServeHTTP's switch). Only some are
# implemented here; the others answer bad_route so a client notices at once.
ALL_ROOM_METHODS = (
    "CreateRoom", "ListRooms", "DeleteRoom", "ListParticipants", "GetParticipant",
    "RemoveParticipant", "MutePublishedTrack", "UpdateParticipant", "UpdateSubscriptions",
    "SendData", "UpdateRoomMetadata", "ForwardParticipant", "MoveParticipant", "PerformRpc",
)
IMPLEMENTED_METHODS = (
    "CreateRoom", "ListRooms", "DeleteRoom", "ListParticipants", "GetParticipant",
    "RemoveParticipant", "UpdateRoomMetadata", *participant_admin.METHODS,
)
FAULT_TARGETS = set(ALL_ROOM_METHODS) | {"*", "health", "validate", "rtc"}

# twirp/errors.go ServerHTTPStatusFromErrorCode
TWIRP_STATUS = {
    "canceled": 408, "unknown": 500, "invalid_argument": 400, "malformed": 400,
    "deadline_exceeded": 408, "not_found": 404, "bad_route": 404, "already_exists": 409,
    "permission_denied": 403, "unauthenticated": 401, "resource_exhausted": 429,
    "failed_precondition": 412, "aborted": 409, "out_of_range": 400, "unimplemented": 501,
    "internal": 500, "unavailable": 503, "dataloss": 500,
}
# Since server v1.8.4 psrpc service errors pass through xtwirp.ServerPassErrorDetails,
# which re-wraps them and so prefixes the message with this text.
PSRPC_PREFIX = "twirp error unknown: "

ENABLED_CODECS = ("audio/opus", "video/VP8", "video/H264", "video/VP9", "video/AV1")
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase

# Registered jwt/v5 signing methods: any other alg makes ParseUnverified fail.
KNOWN_JWT_ALGS = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384",
                  "ES512", "PS256", "PS384", "PS512", "EdDSA", "none"}


def random_id(prefix, n=12):
    return prefix + "".join(secrets.choice(BASE62) for _ in range(n))


def go_quote(s):
    """Approximates Go's %q, which Twirp uses in its bad_route messages."""
    return json.dumps(s, ensure_ascii=False)


def twirp_error(code, msg, meta=None):
    body = {"code": code, "msg": msg}
    if meta:  # twerrJSON has `json:"meta,omitempty"`
        body["meta"] = meta
    return HTTPError(TWIRP_STATUS[code], to_json_bytes(body), JSON_CT)


def bad_route(msg, method, path):
    return twirp_error("bad_route", msg, {"twirp_invalid_route": f"{method} {path}"})


def malformed():
    # twirp's handleRequestBodyError wraps the cause without exposing it.
    return twirp_error("malformed", "the json request could not be decoded")


def permission_denied():
    # roomservice.go twirpAuthError: Unauthenticated (401), not PermissionDenied.
    return twirp_error("unauthenticated", "permissions denied")


# ----------------------------------------------------------------------------
# protojson-like request decoding
# ----------------------------------------------------------------------------

REQUEST_FIELDS = {
    "CreateRoom": {
        "name": "string", "room_preset": "string", "empty_timeout": "uint32",
        "departure_timeout": "uint32", "max_participants": "uint32", "node_id": "string",
        "metadata": "string", "tags": "map", "egress": "message",
        "min_playout_delay": "uint32", "max_playout_delay": "uint32", "sync_streams": "bool",
        "replay_enabled": "bool", "agents": "repeated_message",
    },
    "ListRooms": {"names": "repeated_string"},
    "DeleteRoom": {"room": "string"},
    "ListParticipants": {"room": "string"},
    "GetParticipant": {"room": "string", "identity": "string", "revoke_token_ts": "int64"},
    "RemoveParticipant": {"room": "string", "identity": "string", "revoke_token_ts": "int64"},
    "UpdateRoomMetadata": {"room": "string", "metadata": "string"},
    **participant_admin.REQUEST_FIELDS,
}
DEFAULTS = {"string": "", "uint32": 0, "int64": 0, "bool": False, "map": {}, "message": None,
            "repeated_string": [], "repeated_message": []}
INT_RANGES = {"uint32": (0, 2**32 - 1), "int64": (-2**63, 2**63 - 1)}
JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


class _DuplicateKey(Exception):
    pass


def _pairs_no_duplicates(pairs):
    # protojson rejects a field given twice; Python's json would keep the last.
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise _DuplicateKey()
    return dict(pairs)


def _reject_constant(name):
    raise ValueError(f"not JSON: {name}")  # Go's JSON has no NaN/Infinity


def _integer(value, kind):
    """protojson integers: JSON numbers or strings holding one, integral, in range."""
    if isinstance(value, bool):
        raise ValueError("bool is not a number")
    if isinstance(value, str):
        if not JSON_NUMBER.match(value):
            raise ValueError("bad numeric string")
        value = decimal.Decimal(value)
    if isinstance(value, decimal.Decimal):
        if value != value.to_integral_value():
            raise ValueError("not an integer")
        value = int(value)
    if not isinstance(value, int):
        raise ValueError("not a number")
    lo, hi = INT_RANGES[kind]
    if not lo <= value <= hi:
        raise ValueError("out of range")
    return value


def _field_value(value, kind):
    if value is None:  # protojson: null means "unset" for every field kind here
        return DEFAULTS[kind]
    if kind == "string":
        if not isinstance(value, str):
            raise ValueError("want string")
        return value
    if kind in INT_RANGES:
        return _integer(value, kind)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("want bool")
        return value
    if kind == "map":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ValueError("want map<string,string>")
        return value
    if kind == "message":
        if not isinstance(value, dict):
            raise ValueError("want object")
        return value
    if kind == "repeated_string":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("want list of strings")
        return value
    if kind == "repeated_message":
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ValueError("want list of objects")
        return value
    raise AssertionError(kind)


def decode_request(body, method):
    """Decodes a Twirp JSON body the way protojson.UnmarshalOptions{DiscardUnknown: true} does.

    Accepts proto (snake_case) and JSON (lowerCamelCase) names, ignores unknown
    keys, takes integers as numbers or strings. Any failure is Twirp `malformed`.
    """
    try:
        text = body.decode("utf-8")
        # twirp reads one JSON value with json.Decoder and ignores what follows.
        doc, _ = json.JSONDecoder(object_pairs_hook=_pairs_no_duplicates,
                                  parse_float=decimal.Decimal,
                                  parse_constant=_reject_constant).raw_decode(text.lstrip(" \t\r\n"))
        if not isinstance(doc, dict):
            raise ValueError("top level must be an object")
        out = {}
        for proto_name, kind in REQUEST_FIELDS[method].items():
            json_name = camel(proto_name)
            present = [k for k in {proto_name, json_name} if k in doc]
            if len(present) > 1:
                raise ValueError("duplicate field")
            out[proto_name] = _field_value(doc[present[0]], kind) if present else DEFAULTS[kind]
        return out
    except (ValueError, _DuplicateKey, UnicodeDecodeError, decimal.InvalidOperation):
        raise malformed() from None


# ----------------------------------------------------------------------------
# Access tokens
# ----------------------------------------------------------------------------

class Unparseable(Exception):
    pass


def b64url_decode(seg):
    # jwt/v5 DecodeSegment uses base64.RawURLEncoding: no padding, URL alphabet.
    if not re.fullmatch(r"[A-Za-z0-9_-]*", seg) or len(seg) % 4 == 1:
        bad = next((i for i, c in enumerate(seg) if not (c.isalnum() or c in "-_")), len(seg))
        raise ValueError(f"illegal base64 data at input byte {bad}")
    return base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))


def cget(obj, name):
    """Go's encoding/json matches keys exactly first, then case-insensitively."""
    if name in obj:
        return obj[name]
    lname = name.lower()
    for k, v in obj.items():
        if k.lower() == lname:
            return v
    return None


def _check_types(obj, spec):
    for name, kind in spec.items():
        v = cget(obj, name)
        if v is None:
            continue
        ok = {"str": isinstance(v, str),
              "num": isinstance(v, (int, float)) and not isinstance(v, bool),
              "bool": isinstance(v, bool),
              "strlist": isinstance(v, list) and all(isinstance(x, str) for x in v),
              "strmap": isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
              "obj": isinstance(v, dict),
              "aud": isinstance(v, str) or (isinstance(v, list)
                                            and all(isinstance(x, str) for x in v))}[kind]
        if not ok:
            raise Unparseable(f"claim {name} has the wrong type")


CLAIM_TYPES = {"iss": "str", "sub": "str", "jti": "str", "aud": "aud", "exp": "num", "nbf": "num",
               "iat": "num", "name": "str", "identity": "str", "kind": "str", "metadata": "str",
               "attributes": "strmap", "sha256": "str", "roomPreset": "str", "video": "obj",
               "sip": "obj", "agent": "obj", "inference": "obj", "observability": "obj",
               "roomConfig": "obj"}
VIDEO_TYPES = {"roomCreate": "bool", "roomList": "bool", "roomRecord": "bool", "roomAdmin": "bool",
               "roomJoin": "bool", "room": "str", "destinationRoom": "str", "canPublish": "bool",
               "canSubscribe": "bool", "canPublishData": "bool", "canPublishSources": "strlist",
               "canUpdateOwnMetadata": "bool", "ingressAdmin": "bool", "hidden": "bool",
               "recorder": "bool", "agent": "bool", "canSubscribeMetrics": "bool",
               "canManageAgentSession": "bool"}


def parse_unverified(token):
    """Mirrors auth.ParseAPIToken: reads header and claims without checking the signature."""
    parts = token.split(".")
    if len(parts) != 3:
        raise Unparseable("token contains an invalid number of segments")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except ValueError as e:
        raise Unparseable(str(e)) from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Unparseable("not a JSON object")
    if header.get("alg") not in KNOWN_JWT_ALGS:
        raise Unparseable("signing method (alg) is unavailable")
    _check_types(claims, CLAIM_TYPES)
    video = cget(claims, "video")
    if video is not None:
        _check_types(video, VIDEO_TYPES)
    return header, claims, parts


def verify_token(header, claims, parts, secret, now):
    """jwt/v5 ParseWithClaims with WithValidMethods([HS256]) and a 60 s leeway.

    Returns None when valid or the jwt error string. The signature is checked
    before the claims, as in jwt/v5. Released servers (<= v1.13.5) do not require exp.
    """
    alg = header.get("alg")
    if alg != "HS256":
        return f"token signature is invalid: signing method {alg} is invalid"
    try:
        sig = b64url_decode(parts[2])
    except ValueError as e:
        return f"token is malformed: could not base64 decode signature: {e}"
    expected = hmac.new(secret.encode("utf-8"), f"{parts[0]}.{parts[1]}".encode("ascii"),
                        hashlib.sha256).digest()
    if not hmac.compare_digest(sig, expected):
        return "token signature is invalid: signature is invalid"
    errs = []
    exp, nbf = cget(claims, "exp"), cget(claims, "nbf")
    if exp is not None and not (now - JWT_LEEWAY_SECONDS) < exp:
        errs.append("token is expired")
    if nbf is not None and (now + JWT_LEEWAY_SECONDS) < nbf:
        errs.append("token is not valid yet")
    if errs:  # errors.Join uses newlines
        return "token has invalid claims: " + "\n".join(errs)
    return None


class Grants:
    """The verified claims a handler needs: identity and the video grant."""

    def __init__(self, claims):
        self.identity = cget(claims, "sub") or cget(claims, "jti") or ""
        self.claims = claims  # name, metadata, attributes, kind: for a signalling join
        video = cget(claims, "video")
        self.has_video = isinstance(video, dict)
        self.video = video if self.has_video else {}

    def flag(self, name):
        return cget(self.video, name) is True

    def explicit_false(self, name):
        return cget(self.video, name) is False

    @property
    def room(self):
        return cget(self.video, "room") or ""


# ----------------------------------------------------------------------------
# Server state
# ----------------------------------------------------------------------------

class Participant:
    def __init__(self, identity, now):
        self.sid = random_id("PA_")
        self.identity = identity
        self.joined_at_ms = int(now * 1000)
        # Set by the control surface and UpdateParticipant (livekit_participant_admin.py).
        self.name, self.metadata, self.attributes = "", "", {}
        self.permission = participant_admin.default_permission()
        self.tracks = []
        self.state = "ACTIVE"  # a signalling join stays JOINING (no WebRTC follows)

    def to_json(self):
        return {
            "sid": self.sid, "identity": self.identity, "state": self.state,
            "tracks": [t.to_json() for t in self.tracks],
            "metadata": self.metadata, "joined_at": str(self.joined_at_ms // 1000),
            "joined_at_ms": str(self.joined_at_ms), "name": self.name, "version": 0,
            "permission": dict(self.permission),
            "region": "", "is_publisher": bool(self.tracks), "kind": "STANDARD",
            "attributes": dict(self.attributes),
            "disconnect_reason": "UNKNOWN_REASON", "kind_details": [], "data_tracks": [],
            "client_protocol": 0, "capabilities": [],
        }


class Room(TrackedAttributes):  # every change invalidates a cached ListRooms encoding
    def __init__(self, name, now, empty_timeout, departure_timeout, max_participants=0,
                 metadata="", sid=None, creation_time_ms=None):
        self.sid = sid or random_id("RM_")
        self.name = name
        self.empty_timeout = empty_timeout
        self.departure_timeout = departure_timeout
        self.max_participants = max_participants
        self.creation_time_ms = int(now * 1000) if creation_time_ms is None else creation_time_ms
        self.turn_password = random_id("", 32)
        self.metadata = metadata
        self.participants = TrackedDict()  # identity -> Participant, in join order
        self.first_joined_at = None
        self.last_left_at = None
        self.version_micro = int(now * 1_000_000)
        self.version_ticks = 0

    def bump_version(self, now):
        micro = int(now * 1_000_000)
        if micro <= self.version_micro:
            self.version_ticks += 1
        else:
            self.version_micro, self.version_ticks = micro, 0

    def join(self, identity, now):
        # A second join with the same identity replaces the first (DUPLICATE_IDENTITY).
        self.participants[identity] = Participant(identity, now)
        self.first_joined_at = self.first_joined_at or now

    def leave(self, identity, now):
        del self.participants[identity]
        self.last_left_at = now

    def should_close(self, now):
        """pkg/rtc/room.go CloseIfEmpty."""
        if self.participants:
            return False
        if self.first_joined_at is not None and self.last_left_at is not None:
            return now - self.last_left_at >= self.departure_timeout
        return now - self.creation_time_ms / 1000 >= self.empty_timeout

    def to_json(self):
        return {
            "sid": self.sid, "name": self.name, "empty_timeout": self.empty_timeout,
            "departure_timeout": self.departure_timeout,
            "max_participants": self.max_participants,
            "creation_time": str(self.creation_time_ms // 1000),
            "creation_time_ms": str(self.creation_time_ms),
            "turn_password": self.turn_password,
            "enabled_codecs": [{"mime": m, "fmtp_line": ""} for m in ENABLED_CODECS],
            "metadata": self.metadata, "num_participants": len(self.participants),
            "num_publishers": 0, "active_recording": False,
            "version": {"unix_micro": str(self.version_micro), "ticks": self.version_ticks},
        }


class Fault(standin_common.Fault):
    """A fault spec; its body defaults to empty plain text. Matching: State.pick_fault."""

    targets = FAULT_TARGETS


class State(standin_common.State):
    """Rooms by name, request counts, faults and config. The simulated clock,
    State.now(), also drives the token checks."""

    counted = IMPLEMENTED_METHODS
    wildcard_skips = ("health", "validate", "rtc")  # "*" means any Twirp method

    def __init__(self, keys, defaults):
        self.keys = keys
        super().__init__(defaults)

    def _reset_more(self):
        self.rooms = TrackedDict()  # every change invalidates a cached ListRooms encoding
        self.list_cache = ListRoomsCache()
        changed()

    def close_idle_rooms(self):
        with self.lock:
            now = self.now()
            for name in [n for n, r in self.rooms.items() if r.should_close(now)]:
                del self.rooms[name]

    def snapshot(self):
        with self.lock:
            return {
                "rooms": [r.to_json() for r in self.rooms.values()],
                "participants": {n: list(r.participants) for n, r in self.rooms.items()},
                "requests": dict(self.counts),
                "faults": [f.to_json() for f in self.faults],
                "config": dict(self.config),
            }


# ----------------------------------------------------------------------------
# RoomService
# ----------------------------------------------------------------------------

class RoomService:
    """The service methods: grant check first, then the logic (roomservice.go)."""

    standin = sys.modules[__name__]  # what livekit_participant_admin needs from this module

    def __init__(self, state, cache_list_rooms=False):
        self.state = state
        # Bench only (--cache-list-rooms): an unfiltered ListRooms answers the encoding cached
        # until a room changes (livekit_list_cache.py); the tests keep the live path.
        self.cache_list_rooms = cache_list_rooms

    @staticmethod
    def _need(grants, flag):
        if grants is None or not grants.flag(flag):
            raise permission_denied()

    @staticmethod
    def _need_admin(grants, room):
        # EnsureAdminPermission: roomAdmin AND the token's room equals the request's.
        if grants is None or not grants.flag("roomAdmin") or grants.room != room:
            raise permission_denied()

    def _room(self, name):
        room = self.state.rooms.get(name)
        if room is None:
            raise twirp_error("not_found", PSRPC_PREFIX + "requested room does not exist")
        return room

    def CreateRoom(self, req, grants):
        self._need(grants, "roomCreate")
        if len(req["name"].encode("utf-8")) > MAX_ROOM_NAME_LENGTH:
            raise twirp_error("invalid_argument", PSRPC_PREFIX + "room name length exceeds "
                              f"limits: max length {MAX_ROOM_NAME_LENGTH}")
        if len(req["metadata"].encode("utf-8")) > MAX_METADATA_SIZE:
            raise twirp_error("invalid_argument",
                              f"metadata size exceeds limits {MAX_METADATA_SIZE}",
                              {"argument": "metadata size exceeds limits"})
        st = self.state
        with st.lock:
            room = st.rooms.get(req["name"])
            if room is None:
                # Zero means "server default": it cannot be set explicitly.
                room = Room(req["name"], st.now(),
                            req["empty_timeout"] or st.config["default_empty_timeout"],
                            req["departure_timeout"] or st.config["default_departure_timeout"],
                            req["max_participants"], req["metadata"])
                st.rooms[room.name] = room
            # else: a live room is returned as it is, the request's settings ignored.
            return room.to_json()

    def ListRooms(self, req, grants):
        self._need(grants, "roomList")
        with self.state.lock:
            rooms = self.state.rooms
            if self.cache_list_rooms and not req["names"]:
                return self.state.list_cache.get(
                    lambda: to_json_bytes({"rooms": [r.to_json() for r in rooms.values()]}))
            if req["names"]:
                found = [rooms[n] for n in dict.fromkeys(req["names"]) if n in rooms]
            else:
                found = list(rooms.values())
            return {"rooms": [r.to_json() for r in found]}

    def DeleteRoom(self, req, grants):
        self._need(grants, "roomCreate")
        with self.state.lock:
            self._room(req["room"])  # `room` is the room NAME; a sid never matches
            del self.state.rooms[req["room"]]
        return {}

    def ListParticipants(self, req, grants):
        self._need_admin(grants, req["room"])
        with self.state.lock:
            room = self.state.rooms.get(req["room"])
            # The OSS store answers an unknown room with an empty list, not an error.
            parts = list(room.participants.values()) if room else []
            return {"participants": [p.to_json() for p in parts]}

    def _participant(self, req):
        room = self.state.rooms.get(req["room"])
        p = room.participants.get(req["identity"]) if room else None
        if p is None:
            raise twirp_error("not_found", PSRPC_PREFIX + "participant does not exist")
        return room, p

    def GetParticipant(self, req, grants):
        self._need_admin(grants, req["room"])
        with self.state.lock:
            return self._participant(req)[1].to_json()

    def RemoveParticipant(self, req, grants):
        self._need_admin(grants, req["room"])
        with self.state.lock:
            room, p = self._participant(req)
            room.leave(p.identity, self.state.now())
        return {}

    def UpdateParticipant(self, req, grants):
        return participant_admin.update_participant(self, req, grants)

    def MutePublishedTrack(self, req, grants):
        return participant_admin.mute_published_track(self, req, grants)

    def UpdateRoomMetadata(self, req, grants):
        self._need_admin(grants, req["room"])
        if len(req["metadata"].encode("utf-8")) > MAX_METADATA_SIZE:
            raise twirp_error("invalid_argument",
                              f"metadata size exceeds limits {MAX_METADATA_SIZE}",
                              {"argument": "metadata size exceeds limits"})
        with self.state.lock:
            room = self._room(req["room"])
            room.metadata = req["metadata"]
            room.bump_version(self.state.now())
            return room.to_json()


# ----------------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------------

class Handler(standin_common.Handler):
    # Set on the class by main() (with state and verbose; stop_event by serve()).
    service = None

    fault_class = Fault
    max_request_body = MAX_REQUEST_BODY
    default_content_type = PLAIN

    # -- plumbing ---------------------------------------------------------

    def log_message(self, fmt, *args):
        if self.verbose:
            line = fmt % args
            # Never log tokens: they may sit in the query string or the header.
            line = re.sub(r"(access_token=)[^&\s\"']+", r"\1REDACTED", line)
            line = re.sub(r"(Bearer\s+)\S+", r"\1REDACTED", line)
            sys.stderr.write(f"livekit-standin: {self.address_string()} {line}\n")

    def _body_too_large(self):
        return HTTPError(413, "request body too large")

    def _bad_body(self):
        return HTTPError(400, "bad request body")

    def _internal_error_body(self):
        return "livekit-standin internal error"

    # -- the LiveKit surface ------------------------------------------------

    def _api(self):
        grants = self._authenticate()
        path = self.url_path
        if path == "/":
            self._apply_fault("health")
            self._send(200, "OK")  # healthCheck answers any method
        elif path == "/rtc/validate":
            self._apply_fault("validate")
            self._validate(grants)
        elif path in ("/rtc", "/rtc/v1"):
            livekit_signal.serve(self, grants)
        elif path.startswith(TWIRP_PREFIX):
            self._twirp(grants)
        else:
            # Go's http.NotFound (http.Error appends a newline).
            self._send(404, "404 page not found\n", headers={"X-Content-Type-Options": "nosniff"})

    def _authenticate(self):
        """APIKeyAuthMiddleware. Returns Grants, or None when no token was given."""
        header = self.headers.get("Authorization")
        if header:  # Go's Header.Get: an empty header counts as absent
            if not header.startswith("Bearer "):
                raise HTTPError(401, "invalid authorization header. Must start with Bearer ")
            token = header[len("Bearer "):]
        else:
            token = (self.query.get("access_token") or [""])[0]
        if not token:
            return None
        try:
            hdr, claims, parts = parse_unverified(token)
        except Unparseable:
            raise HTTPError(401, "invalid authorization token") from None
        key = cget(claims, "iss") or ""
        secret = self.state.keys.get(key)
        if not secret:
            raise HTTPError(401, f"invalid API key: {key}")
        err = verify_token(hdr, claims, parts, secret, self.state.now())
        if err:
            # Master-branch form: the token itself is never echoed back.
            raise HTTPError(401, f"invalid authorization token: {err}")
        return Grants(claims)

    def _validate(self, grants):
        """RTCService.v0Validate: plain-text answers, creates nothing."""
        self._check_join(grants)
        self._send(200, "success")

    def _check_join(self, grants):
        """ValidateConnectRequest, shared by /rtc/validate and the /rtc join: raises the
        HTTPError the server answers, else returns the token's room name."""
        if grants is None or not grants.has_video:
            raise HTTPError(401, "no permissions to access the room")
        if not grants.flag("roomJoin"):
            raise HTTPError(401, "permissions denied")
        if not grants.identity:
            raise HTTPError(400, "identity cannot be empty")
        if len(grants.identity.encode("utf-8")) > MAX_IDENTITY_LENGTH:
            raise HTTPError(400, "participant identity length exceeds limits: "
                                 f"max length {MAX_IDENTITY_LENGTH}")
        room = grants.room
        if not room:
            raise HTTPError(400, "no room name")
        if len(room.encode("utf-8")) > MAX_ROOM_NAME_LENGTH:
            raise HTTPError(400, f"room name length exceeds limits: max length {MAX_ROOM_NAME_LENGTH}")
        q = lambda k: (self.query.get(k) or [""])[0]  # noqa: E731
        if q("publish") and grants.explicit_false("canPublish"):
            raise HTTPError(401, "no permissions to access the room")
        if (q("metadata") or q("attributes")) and not grants.flag("canUpdateOwnMetadata"):
            raise HTTPError(401, "no permissions to access the room")
        st = self.state
        with st.lock:
            missing = room not in st.rooms
            auto_create = st.config["auto_create"]
        if not auto_create and missing and not grants.flag("roomCreate"):
            raise HTTPError(404, "requested room does not exist")
        return room

    def _twirp(self, grants):
        """The generated Twirp ServeHTTP: method, route, Content-Type, decode, call."""
        path = self.url_path
        if self.command != "POST":
            raise bad_route(f"unsupported method {go_quote(self.command)} (only POST is allowed)",
                            self.command, path)
        method = path[len(TWIRP_PREFIX):]
        if method not in ALL_ROOM_METHODS:
            raise bad_route(f"no handler for path {go_quote(path)}", self.command, path)
        self.state.count_request(method)
        self._apply_fault(method)
        # The quota fault counts every call, per API key (LiveKit Cloud limits API calls).
        wait = self.state.quota.admit(cget(grants.claims, "iss") if grants else "", self.state.config)
        if wait is not None:
            err = twirp_error("resource_exhausted", "rate limit exceeded")
            err.headers = {"Retry-After": str(wait)}
            raise err
        if method not in IMPLEMENTED_METHODS:
            raise bad_route(f"no handler for path {go_quote(path)}", self.command, path)
        raw_ct = self.headers.get("Content-Type", "")
        ct = raw_ct.split(";", 1)[0].strip().lower()
        if ct == "application/protobuf":
            # Deliberately unsupported: roomctl and the Node SDK speak JSON.
            raise twirp_error("unimplemented",
                              "livekit-standin does not implement application/protobuf bodies")
        if ct != "application/json":
            raise bad_route(f"unexpected Content-Type: {go_quote(raw_ct)}", self.command, path)
        req = decode_request(self.body, method)
        result = getattr(self.service, method)(req, grants)
        self._send(200, result if isinstance(result, bytes) else to_json_bytes(result), JSON_CT)

    # -- the control surface (routes and plumbing: standin_common.Handler) ------

    def _state_snapshot(self):
        return self.state.snapshot()

    def _seed_room(self, doc):
        st = self.state
        name = self._str(doc, "name")
        sid = self._str(doc, "sid", required=False)
        metadata = self._str(doc, "metadata", required=False) or ""
        creation = control_creation_time(doc)
        identities = control_identities(doc)
        with st.lock:
            now = st.now()
            room = Room(name, now,
                        opt_int(doc, "empty_timeout") or st.config["default_empty_timeout"],
                        opt_int(doc, "departure_timeout") or st.config["default_departure_timeout"],
                        opt_int(doc, "max_participants") or 0, metadata, sid,
                        None if creation is None else int(creation * 1000))
            for identity in identities:
                room.join(identity, now)
            st.rooms[name] = room  # replaces any existing room of that name
            return room.to_json()

    def _add_participant(self, doc):
        room_name, identity = self._str(doc, "room"), self._str(doc, "identity")
        with self.state.lock:
            room = self.state.rooms.get(room_name)
            if room is None:
                raise KeyError(f"room {room_name}")
            room.join(identity, self.state.now())
            participant_admin.seed(room.participants[identity], doc)
            return room.participants[identity].to_json()

    def _remove_participant(self, doc):
        room_name, identity = self._str(doc, "room"), self._str(doc, "identity")
        with self.state.lock:
            room = self.state.rooms.get(room_name)
            if room is None or identity not in room.participants:
                raise KeyError(f"participant {identity} in room {room_name}")
            room.leave(identity, self.state.now())
            return {}

    def _set_config(self, doc):
        st = self.state
        updates = {}
        if "auto_create" in doc:
            if not isinstance(doc["auto_create"], bool):
                raise ValueError("auto_create must be a boolean")
            updates["auto_create"] = doc["auto_create"]
        if "enable_remote_unmute" in doc:  # room.enable_remote_unmute (default false)
            if not isinstance(doc["enable_remote_unmute"], bool):
                raise ValueError("enable_remote_unmute must be a boolean")
            updates["enable_remote_unmute"] = doc["enable_remote_unmute"]
        config_int_updates(doc, updates)
        standin_common.quota_config_updates(doc, updates)
        with st.lock:
            st.config.update(updates)
            return dict(st.config)


# ----------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------

def parse_keys(text):
    keys = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        key, sep, secret = item.partition(":")
        if not sep or not key or not secret:
            raise argparse.ArgumentTypeError(f"--keys entries must be KEY:SECRET, got {item!r}")
        keys[key.strip()] = secret.strip()
    if not keys:
        raise argparse.ArgumentTypeError("--keys needs at least one KEY:SECRET")
    return keys


def parse_bool(text):
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError("expected true or false")


def main(argv=None):
    ap = argparse.ArgumentParser(description="LiveKit server stand-in for roomctl's tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--keys", type=parse_keys, default=parse_keys("devkey:secret"))
    ap.add_argument("--port-file")
    ap.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (with --tls-key)")
    ap.add_argument("--tls-key", help="the certificate's PEM private key")
    ap.add_argument("--auto-create", type=parse_bool, default=True)
    ap.add_argument("--default-empty-timeout", type=positive_int, default=300)
    ap.add_argument("--default-departure-timeout", type=positive_int, default=20)
    ap.add_argument("--verbose", action="store_true", help="log request lines (tokens redacted)")
    ap.add_argument("--cache-list-rooms", action="store_true",
                    help="bench only: answer an unfiltered ListRooms from an encoding cached "
                         "until a room changes")
    args = ap.parse_args(argv)

    state = State(args.keys, {
        "auto_create": args.auto_create,
        "date_offset_seconds": 0,
        "default_empty_timeout": args.default_empty_timeout,
        "default_departure_timeout": args.default_departure_timeout,
    })
    # server.go backgroundWorker: a 1 s ticker calling CloseIdleRooms.
    return standin_common.serve(
        "livekit-standin", args.host, args.port, args.port_file, Handler,
        {"state": state, "service": RoomService(state, args.cache_list_rooms),
         "verbose": args.verbose},
        state.close_idle_rooms, 1.0,
        tls=(args.tls_cert, args.tls_key) if args.tls_cert else None)


if __name__ == "__main__":
    sys.exit(main())
