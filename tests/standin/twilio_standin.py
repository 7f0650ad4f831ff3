#!/usr/bin/python3
"""A stateful stand-in for the parts of the Twilio Video v1 Rooms API that roomctl uses.

Twilio offers no local emulator for Video (its Prism mock is stateless), so this
module reproduces, with the Python 3 standard library only, the HTTP behaviour
of the Rooms API as Twilio's OpenAPI spec (``twilio/twilio-oai``
``spec/yaml/twilio_video_v1.yaml``) and its Rooms docs page
(twilio.com/docs/video/api/rooms-resource: timeouts, 53113) define it:

* HTTP Basic auth with Account SID + Auth Token or API Key SID + secret (401/20003);
* ``/v1/Rooms`` create (form-encoded; a JSON body is ignored, as Twilio does),
  list (Status/UniqueName/DateCreated filters, PageSize/Page/PageToken paging
  with absolute ``meta`` URLs), fetch by SID or in-progress UniqueName, and
  completion via ``Status=completed`` (202);
* ``/v1/Rooms/{Room}/Participants`` list, fetch and ``Status=disconnected``;
* the room lifecycle: UnusedRoomTimeout / EmptyRoomTimeout end rooms;
* Twilio's legacy error JSON ``{"code", "message", "more_info", "status"}``;
* an optional write-rate limit (429 / 20429) to prove that clients pace themselves.

A small unauthenticated control surface under ``/_standin/``, shaped like the
LiveKit stand-in's, lets tests seed rooms and participants, inspect request
counts, change configuration and inject faults. See tests/standin/README.md.
"""

import argparse
import base64
import binascii
import collections
import datetime
import math
import os
import re
import secrets
import sys
import time
from urllib.parse import parse_qs, unquote, urlencode

# Run as a script from anywhere: the shared plumbing sits next to this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import standin_common  # noqa: E402
import twilio_room_settings  # noqa: E402
from standin_common import (  # noqa: E402
    JSON_CT, HTTPError, control_creation_time, control_identities, config_int_updates, opt_int,
    positive_int, to_json_bytes, url_host,
)

MAX_REQUEST_BODY = 1024 * 1024
MAX_UNIQUE_NAME = 128
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
DEFAULT_TIMEOUT_SECONDS = 5 * 60  # Twilio's default for both room timeouts
ERRORS_URL = "https://www.twilio.com/docs/errors/"

ROOM_STATUSES = ("in-progress", "completed", "failed")
PARTICIPANT_STATUSES = ("connected", "disconnected", "reconnecting")
VIDEO_CODECS = ("VP8", "H264")

# Logical operation names, shared with the LiveKit stand-in where they mean the same thing.
OPERATIONS = ("CreateRoom", "ListRooms", "FetchRoom", "DeleteRoom", "ListParticipants",
              "GetParticipant", "RemoveParticipant")
WRITE_OPERATIONS = ("CreateRoom", "DeleteRoom", "RemoveParticipant")
FAULT_TARGETS = set(OPERATIONS) | {"*"}

# (path shape, HTTP method) -> operation. "{}" is one path segment.
ROUTES = {
    (("Rooms",), "GET"): "ListRooms",
    (("Rooms",), "POST"): "CreateRoom",
    (("Rooms", "{}"), "GET"): "FetchRoom",
    (("Rooms", "{}"), "POST"): "DeleteRoom",  # UpdateRoom; its only use is Status=completed
    (("Rooms", "{}", "Participants"), "GET"): "ListParticipants",
    (("Rooms", "{}", "Participants", "{}"), "GET"): "GetParticipant",
    (("Rooms", "{}", "Participants", "{}"), "POST"): "RemoveParticipant",
}

# Default bodies for faults that give a status but no body.
DEFAULT_FAULT_ERRORS = {
    400: (20001, "Bad Request"), 401: (20003, "Authenticate"), 403: (20403, "Forbidden"),
    404: (20404, "Not Found"), 429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"), 503: (20503, "Service Unavailable"),
}


def iso(ts):
    """Twilio's timestamp form: ISO 8601, UTC, whole seconds, trailing Z."""
    if ts is None:
        return None
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(text):
    """DateCreatedAfter/Before: YYYY-MM-DD or an ISO 8601 date-time. Returns unix seconds."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            d = datetime.datetime.strptime(text, "%Y-%m-%d")
        else:
            d = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def new_sid(prefix):
    return prefix + secrets.token_hex(16)  # 32 lowercase hex digits


def minutes(seconds):
    """Seconds as the REST resource's whole minutes: rounded up, at least 1."""
    return max(1, math.ceil(seconds / 60))


def twilio_error(status, code, message, headers=None):
    body = {"code": code, "message": message, "more_info": f"{ERRORS_URL}{code}", "status": status}
    return HTTPError(status, to_json_bytes(body), JSON_CT, headers)


def not_found(resource):
    return twilio_error(404, 20404, f"The requested resource {resource} was not found")


# ----------------------------------------------------------------------------
# Resources
# ----------------------------------------------------------------------------

class Participant:
    def __init__(self, room, identity, now, seq, sid=None):
        self.sid = sid or new_sid("PA")
        self.room = room
        self.identity = identity
        self.status = "connected"
        self.created = now
        self.updated = now
        self.start_time = now
        self.end_time = None
        self.seq = seq

    def disconnect(self, now):
        if self.status != "disconnected":
            self.status = "disconnected"
            self.end_time = now
            self.updated = now

    @property
    def connected(self):
        return self.status != "disconnected"

    def sort_key(self):
        return (int(self.created * 1_000_000), self.seq)

    def to_json(self, base):
        url = f"{base}/v1/Rooms/{self.room.sid}/Participants/{self.sid}"
        return {
            "sid": self.sid, "room_sid": self.room.sid, "account_sid": self.room.account_sid,
            "status": self.status, "identity": self.identity,
            "date_created": iso(self.created), "date_updated": iso(self.updated),
            "start_time": iso(self.start_time), "end_time": iso(self.end_time),
            "duration": None if self.end_time is None else int(self.end_time - self.start_time),
            "url": url,
            "links": {"published_tracks": f"{url}/PublishedTracks",
                      "subscribed_tracks": f"{url}/SubscribedTracks",
                      "subscribe_rules": f"{url}/SubscribeRules",
                      "anonymize": f"{url}/Anonymize"},
        }


class Room:
    def __init__(self, account_sid, unique_name, now, seq, unused_timeout_s, empty_timeout_s,
                 sid=None, created=None, room_type="group", max_participants=50,
                 max_participant_duration=14400, status_callback=None,
                 status_callback_method="POST", record_participants_on_connect=False,
                 video_codecs=VIDEO_CODECS, media_region="us1", audio_only=False,
                 large_room=False):
        self.sid = sid or new_sid("RM")
        self.account_sid = account_sid
        self.unique_name = unique_name if unique_name else self.sid
        self.status = "in-progress"
        self.created = now if created is None else created
        self.updated = self.created
        self.end_time = None
        self.seq = seq
        # Seconds, used by the lifecycle; exposed as minutes in the REST resource.
        self.unused_timeout_s = unused_timeout_s  # nobody ever joined
        self.empty_timeout_s = empty_timeout_s    # after the last participant left
        self.type = room_type
        self.max_participants = max_participants
        self.max_participant_duration = max_participant_duration
        self.status_callback = status_callback
        self.status_callback_method = status_callback_method
        self.record_participants_on_connect = record_participants_on_connect
        self.video_codecs = list(video_codecs)
        self.media_region = media_region
        self.audio_only = audio_only
        self.large_room = large_room
        self.participants = []  # every Participant ever, in join order
        self.first_joined_at = None
        self.last_left_at = None

    @property
    def in_progress(self):
        return self.status == "in-progress"

    def connected(self):
        return [p for p in self.participants if p.connected]

    def connected_by_identity(self, identity):
        return next((p for p in self.participants if p.connected and p.identity == identity), None)

    def join(self, identity, now, seq):
        # A second connection with the same identity replaces the first one (53205 on Twilio).
        old = self.connected_by_identity(identity)
        if old is not None:
            old.disconnect(now)
        p = Participant(self, identity, now, seq)
        self.participants.append(p)
        if self.first_joined_at is None:
            self.first_joined_at = now
        return p

    def leave(self, participant, now):
        participant.disconnect(now)
        if not self.connected():
            self.last_left_at = now

    def complete(self, now):
        self.status = "completed"
        self.end_time = max(now, self.created)
        self.updated = self.end_time
        for p in self.participants:
            p.disconnect(self.end_time)

    def should_end(self, now):
        if not self.in_progress or self.connected():
            return False
        if self.first_joined_at is not None and self.last_left_at is not None:
            return now - self.last_left_at >= self.empty_timeout_s
        return now - self.created >= self.unused_timeout_s

    def sort_key(self):
        return (int(self.created * 1_000_000), self.seq)

    def to_json(self, base):
        url = f"{base}/v1/Rooms/{self.sid}"
        return {
            "sid": self.sid, "status": self.status,
            "date_created": iso(self.created), "date_updated": iso(self.updated),
            "account_sid": self.account_sid, "enable_turn": True,
            "unique_name": self.unique_name, "status_callback": self.status_callback,
            "status_callback_method": self.status_callback_method,
            "end_time": iso(self.end_time),
            "duration": None if self.end_time is None else int(self.end_time - self.created),
            "type": self.type, "max_participants": self.max_participants,
            "max_participant_duration": self.max_participant_duration,
            "max_concurrent_published_tracks": 0,
            "record_participants_on_connect": self.record_participants_on_connect,
            "video_codecs": list(self.video_codecs), "media_region": self.media_region,
            "audio_only": self.audio_only,
            "empty_room_timeout": minutes(self.empty_timeout_s),
            "unused_room_timeout": minutes(self.unused_timeout_s),
            "large_room": self.large_room, "url": url,
            "links": {"participants": f"{url}/Participants", "recordings": f"{url}/Recordings",
                      "recording_rules": f"{url}/RecordingRules",
                      "transcriptions": f"{url}/Transcriptions"},
        }

    def to_control_json(self, base):
        """The REST resource plus the LiveKit stand-in's keys, for shared tests."""
        doc = self.to_json(base)
        doc.update({
            "name": self.unique_name,
            "empty_timeout": self.unused_timeout_s,       # LiveKit meaning: nobody joined
            "departure_timeout": self.empty_timeout_s,    # LiveKit meaning: after last leave
            "num_participants": len(self.connected()),
            "creation_time": str(int(self.created)),
        })
        return doc


class Fault(standin_common.Fault):
    """A fault spec with optional response `headers`; an error status without a
    body answers Twilio-shaped error JSON. Matching: standin_common.State.pick_fault."""

    targets = FAULT_TARGETS

    def _read_answer(self, spec):
        self._check_status()
        self.content_type = spec.get("content_type", JSON_CT)
        if "body" in spec:
            self.body = spec["body"]
        elif self.status is not None and self.status >= 400:
            code, message = DEFAULT_FAULT_ERRORS.get(self.status, (None, "Error"))
            err = {"code": code, "message": message,
                   "more_info": f"{ERRORS_URL}{code}" if code else None, "status": self.status}
            self.body = to_json_bytes(err).decode()
        else:
            self.body = ""
        self.headers = spec.get("headers") or {}

    def _check_answer(self):
        if not isinstance(self.headers, dict) or not all(
                isinstance(k, str) and isinstance(v, (str, int)) and "\n" not in f"{k}{v}"
                for k, v in self.headers.items()):
            raise ValueError("headers must be an object of single-line strings")
        self.headers = {k: str(v) for k, v in self.headers.items()}

    def _extra_json(self):
        return {"headers": dict(self.headers)}


# ----------------------------------------------------------------------------
# State
# ----------------------------------------------------------------------------

class State(standin_common.State):
    """Rooms by SID (every status), counts, the write window, faults and config."""

    counted = OPERATIONS

    def __init__(self, account_sid, credentials, defaults):
        self.account_sid = account_sid
        self.credentials = credentials  # username -> password
        super().__init__(defaults)

    def _reset_more(self):
        self.throttled = 0
        self.writes = collections.deque()  # monotonic times of accepted writes
        self.seq = 0

    def next_seq(self):
        self.seq += 1
        return self.seq

    def in_progress_named(self, name):
        return next((r for r in self.rooms.values() if r.in_progress and r.unique_name == name),
                    None)

    def find_room(self, key):
        """A room by SID (any status) or by UniqueName (in-progress only)."""
        room = self.rooms.get(key)
        return room if room is not None else self.in_progress_named(key)

    def admit_write(self):
        """The sliding one-second write window. True when the write may proceed."""
        with self.lock:
            rate = self.config["write_rate"]
            if not rate:
                return True
            t = time.monotonic()
            while self.writes and t - self.writes[0] >= 1.0:
                self.writes.popleft()
            if len(self.writes) >= rate:
                self.throttled += 1
                return False
            self.writes.append(t)
            return True

    def end_idle_rooms(self):
        with self.lock:
            now = self.now()
            for room in self.rooms.values():
                if room.should_end(now):
                    room.complete(now)

    def snapshot(self, base):
        with self.lock:
            ordered = sorted(self.rooms.values(), key=lambda r: r.seq)
            live = [r for r in ordered if r.in_progress]
            return {
                "rooms": [r.to_control_json(base) for r in live],
                "completed": [r.to_control_json(base) for r in ordered if not r.in_progress],
                "participants": {r.unique_name: [p.identity for p in r.connected()] for r in live},
                "requests": dict(self.counts),
                "throttled": self.throttled,
                "faults": [f.to_json() for f in self.faults],
                "config": dict(self.config),
            }


# ----------------------------------------------------------------------------
# Paging
# ----------------------------------------------------------------------------

def encode_token(direction, key):
    raw = f"{key[0]}_{key[1]}".encode()
    return direction + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token):
    """PageToken -> (direction "PA" after / "PB" before, sort key). Raises ValueError."""
    if len(token) < 3 or token[:2] not in ("PA", "PB"):
        raise ValueError("bad token")
    body = token[2:]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("bad token") from None
    m = re.fullmatch(r"(-?\d+)_(\d+)", raw)
    if not m:
        raise ValueError("bad token")
    return token[:2], (int(m.group(1)), int(m.group(2)))


def invalid_page_token():
    return twilio_error(400, 21481, "Invalid PageToken. Please be sure you are requesting the "
                                    "provided paging urls in the Twilio API response.")


def paginate(items, query, filters, base, path, key, cap=0):
    """One page of `items` (already filtered), newest first, with Twilio's `meta`.

    PageToken holds the sort key of the item the page continues from, so pages
    stay consistent while rooms come and go. `cap` (config max_page_size, 0 = none)
    serves smaller pages than asked for, so tests can exercise paging with few rooms;
    meta.page_size then reports what was served, and next_page_url carries it.
    """
    raw_size = _q(query, "PageSize")
    if raw_size is None or raw_size == "":
        page_size = DEFAULT_PAGE_SIZE
    else:
        if not re.fullmatch(r"\d+", raw_size) or not 1 <= int(raw_size) <= MAX_PAGE_SIZE:
            raise twilio_error(400, 20001, f"PageSize must be between 1 and {MAX_PAGE_SIZE}")
        page_size = int(raw_size)
    if cap:
        page_size = min(page_size, cap)
    raw_page = _q(query, "Page")
    if raw_page is None or raw_page == "":
        page = 0
    elif re.fullmatch(r"\d+", raw_page):
        page = int(raw_page)
    else:
        raise twilio_error(400, 20001, "Page must be a non-negative integer")
    token = _q(query, "PageToken")

    ordered = sorted(items, key=lambda x: x.sort_key(), reverse=True)
    keys = [x.sort_key() for x in ordered]
    if token:
        try:
            direction, cursor = decode_token(token)
        except ValueError:
            raise invalid_page_token() from None
        if direction == "PA":
            start = next((i for i, k in enumerate(keys) if k < cursor), len(keys))
            chunk = ordered[start:start + page_size]
        else:
            end = next((i for i, k in enumerate(keys) if k <= cursor), len(keys))
            start = max(0, end - page_size)
            chunk = ordered[start:end]
    else:
        start = 0
        chunk = ordered[:page_size]

    def url(page_number, page_token=None):
        params = [(k, v) for k, v in filters if v is not None]
        params += [("PageSize", page_size), ("Page", page_number)]
        if page_token:
            params.append(("PageToken", page_token))
        return f"{base}{path}?{urlencode(params)}"

    after = start + len(chunk)
    next_url = url(page + 1, encode_token("PA", chunk[-1].sort_key())) \
        if chunk and after < len(ordered) else None
    prev_url = url(max(page - 1, 0), encode_token("PB", chunk[0].sort_key())) \
        if chunk and page > 0 and start > 0 else None
    meta = {"page": page, "page_size": page_size, "first_page_url": url(0),
            "previous_page_url": prev_url, "url": url(page, token or None),
            "next_page_url": next_url, "key": key}
    return chunk, meta


def _q(query, name):
    values = query.get(name)
    return values[0] if values else None


# ----------------------------------------------------------------------------
# The Rooms API
# ----------------------------------------------------------------------------

def _form_int(params, name, lo, hi, error):
    raw = _q(params, name)
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"-?\d+", raw.strip()) or not lo <= int(raw) <= hi:
        raise error
    return int(raw)


def _form_bool(params, name, default):
    raw = _q(params, name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise twilio_error(400, 20001, f"{name} must be true or false")


class RoomsAPI:
    def __init__(self, state):
        self.state = state

    def _room(self, key):
        room = self.state.find_room(key)
        if room is None:
            raise not_found(f"/Rooms/{key}")
        return room

    def create_room(self, params, base):
        st = self.state
        name = _q(params, "UniqueName") or None
        if name is not None and len(name) > MAX_UNIQUE_NAME:
            raise twilio_error(400, 53101, "Room name is too long")
        timeout_error = twilio_error(400, 53109, "Timeout is out of range")
        empty_min = _form_int(params, "EmptyRoomTimeout", 1, 60, timeout_error)
        unused_min = _form_int(params, "UnusedRoomTimeout", 1, 60, timeout_error)
        large_room = _form_bool(params, "LargeRoom", False)
        settings = twilio_room_settings.read_settings(
            lambda name: _q(params, name), large_room,
            lambda code, message: twilio_error(400, code, message))
        max_duration = _form_int(
            params, "MaxParticipantDuration", 600, 86400,
            twilio_error(400, 53123, "MaxParticipantDuration is out of range")) or 14400
        codecs = params.get("VideoCodecs") or list(VIDEO_CODECS)
        if any(c not in VIDEO_CODECS for c in codecs):
            raise twilio_error(400, 53125, "Video codec is not valid")
        with st.lock:
            if name is not None and st.in_progress_named(name) is not None:
                raise twilio_error(400, 53113, "Room exists")
            now = st.now()
            room = Room(
                st.account_sid, name, now, st.next_seq(),
                unused_timeout_s=unused_min * 60 if unused_min else st.config["default_empty_timeout"],
                empty_timeout_s=empty_min * 60 if empty_min else st.config["default_departure_timeout"],
                max_participant_duration=max_duration,
                record_participants_on_connect=_form_bool(params, "RecordParticipantsOnConnect",
                                                          False),
                video_codecs=codecs, audio_only=_form_bool(params, "AudioOnly", False),
                large_room=large_room, **settings)
            st.rooms[room.sid] = room
            return 201, room.to_json(base)

    def list_rooms(self, query, base):
        status = _q(query, "Status") or "in-progress"
        if status not in ROOM_STATUSES:
            raise twilio_error(400, 53112, "Status is invalid")
        name = _q(query, "UniqueName")
        after, before = self._date_filters(query)
        with self.state.lock:
            rooms = [r for r in self.state.rooms.values()
                     if r.status == status and (not name or r.unique_name == name)
                     and (after is None or r.created >= after)
                     and (before is None or r.created < before)]
            filters = [("Status", _q(query, "Status")), ("UniqueName", name),
                       ("DateCreatedAfter", _q(query, "DateCreatedAfter")),
                       ("DateCreatedBefore", _q(query, "DateCreatedBefore"))]
            chunk, meta = paginate(rooms, query, filters, base, "/v1/Rooms", "rooms",
                                   self.state.config.get("max_page_size", 0))
            return 200, {"rooms": [r.to_json(base) for r in chunk], "meta": meta}

    def fetch_room(self, key, base):
        with self.state.lock:
            return 200, self._room(key).to_json(base)

    def update_room(self, key, params, base):
        with self.state.lock:
            room = self._room(key)
            if _q(params, "Status") != "completed" or not room.in_progress:
                raise twilio_error(400, 53112, "Status is invalid")
            room.complete(self.state.now())
            return 202, room.to_json(base)

    def list_participants(self, key, query, base):
        status = _q(query, "Status")
        if status is not None and status not in PARTICIPANT_STATUSES:
            raise twilio_error(400, 20001, "Status is invalid")
        identity = _q(query, "Identity")
        after, before = self._date_filters(query)
        with self.state.lock:
            room = self._room(key)
            wanted = status or ("connected" if room.in_progress else "disconnected")
            parts = [p for p in room.participants
                     if p.status == wanted and (not identity or p.identity == identity)
                     and (after is None or p.created >= after)
                     and (before is None or p.created < before)]
            filters = [("Status", status), ("Identity", identity),
                       ("DateCreatedAfter", _q(query, "DateCreatedAfter")),
                       ("DateCreatedBefore", _q(query, "DateCreatedBefore"))]
            chunk, meta = paginate(parts, query, filters, base,
                                   f"/v1/Rooms/{room.sid}/Participants", "participants")
            return 200, {"participants": [p.to_json(base) for p in chunk], "meta": meta}

    def _participant(self, room_key, key):
        room = self._room(room_key)
        p = next((p for p in room.participants if p.sid == key), None)
        if p is None:  # by identity: the connected one, else the latest
            same = [p for p in room.participants if p.identity == key]
            p = next((p for p in same if p.connected), same[-1] if same else None)
        if p is None:
            raise not_found(f"/Rooms/{room_key}/Participants/{key}")
        return room, p

    def fetch_participant(self, room_key, key, base):
        with self.state.lock:
            return 200, self._participant(room_key, key)[1].to_json(base)

    def update_participant(self, room_key, key, params, base):
        with self.state.lock:
            room, p = self._participant(room_key, key)
            if _q(params, "Status") != "disconnected" or not p.connected:
                raise twilio_error(400, 20001, "Status is invalid")
            room.leave(p, self.state.now())
            return 202, p.to_json(base)

    @staticmethod
    def _date_filters(query):
        out = []
        for name in ("DateCreatedAfter", "DateCreatedBefore"):
            raw = _q(query, name)
            if raw is None or raw == "":
                out.append(None)
                continue
            ts = parse_date(raw)
            if ts is None:
                raise twilio_error(400, 20001, f"{name} is not a valid date")
            out.append(ts)
        return out


# ----------------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------------

class Handler(standin_common.Handler):
    # Set on the class by main() (with state and verbose; stop_event by serve()).
    api = None
    fallback_host = "127.0.0.1"

    fault_class = Fault
    max_request_body = MAX_REQUEST_BODY
    default_content_type = JSON_CT
    reject_negative_length = True
    announce_close = True
    non_empty_strings = True

    # -- plumbing ---------------------------------------------------------

    def handle(self):
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError):
            pass  # the client went away between requests; nothing to report

    def log_message(self, fmt, *args):
        # Only the request line and status are logged: credentials travel in the
        # Authorization header, which is never written anywhere.
        if self.verbose:
            sys.stderr.write(f"twilio-standin: {self.address_string()} {fmt % args}\n")

    def _standard_headers(self):
        return (("Twilio-Request-Id", new_sid("RQ")),)

    def _body_too_large(self):
        return twilio_error(413, 20001,
                            f"Request body is too large (limit {MAX_REQUEST_BODY} bytes)")

    def _bad_body(self):
        return twilio_error(400, 20001, "Bad request body")

    def _internal_error_body(self):
        return to_json_bytes({"code": 20500, "message": "Internal Server Error",
                              "more_info": f"{ERRORS_URL}20500", "status": 500})

    def base_url(self):
        """Absolute URLs point back at this server, as the client addressed it."""
        host = (self.headers.get("Host") or "").strip()
        if not host or any(c in host for c in " /\\\"'<>\r\n"):
            host = f"{self.fallback_host}:{self.server.server_address[1]}"
        return f"http://{host}"

    # -- the Twilio surface -------------------------------------------------

    def _api(self):
        self._authenticate()
        parts = self.url_path.split("/")
        # "/v1/Rooms/X" -> ["", "v1", "Rooms", "X"]; segments are percent-decoded one by one.
        if len(parts) < 3 or parts[0] != "" or parts[1] != "v1" or any(p == "" for p in parts[2:]):
            raise not_found(self.url_path)
        segments = [unquote(p) for p in parts[2:]]
        shape = tuple("{}" if i % 2 else s for i, s in enumerate(segments))
        method = "GET" if self.command == "HEAD" else self.command
        op = ROUTES.get((shape, method))
        if op is None:
            if any((shape, m) in ROUTES for m in ("GET", "POST")):
                raise twilio_error(405, 20004, "Method not allowed")
            raise not_found(self.url_path[len("/v1"):])
        self.state.count_request(op)
        self._apply_fault(op)
        if op in WRITE_OPERATIONS and not self.state.admit_write():
            raise twilio_error(429, 20429, "Too Many Requests")
        if op in WRITE_OPERATIONS:  # the quota fault counts writes, per account
            wait = self.state.quota.admit(self.state.account_sid, self.state.config)
            if wait is not None:
                raise twilio_error(429, 20429, "Too Many Requests", {"Retry-After": str(wait)})
        self.state.end_idle_rooms()  # do not serve a room the ticker is about to end
        base, ids = self.base_url(), segments[1::2]
        api = self.api
        if op == "CreateRoom":
            result = api.create_room(self._form(), base)
        elif op == "ListRooms":
            result = api.list_rooms(self.query, base)
        elif op == "FetchRoom":
            result = api.fetch_room(ids[0], base)
        elif op == "DeleteRoom":
            result = api.update_room(ids[0], self._form(), base)
        elif op == "ListParticipants":
            result = api.list_participants(ids[0], self.query, base)
        elif op == "GetParticipant":
            result = api.fetch_participant(ids[0], ids[1], base)
        else:
            result = api.update_participant(ids[0], ids[1], self._form(), base)
        status, doc = result
        self._send(status, to_json_bytes(doc))

    def _form(self):
        """Form parameters. Like Twilio, a body of any other type (JSON!) is ignored."""
        ct = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if ct != "application/x-www-form-urlencoded":
            return {}
        try:
            return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise twilio_error(400, 20001, "Request body is not UTF-8") from None

    def _authenticate(self):
        header = self.headers.get("Authorization") or ""
        scheme, _, value = header.partition(" ")
        ok = False
        if scheme.lower() == "basic":
            try:
                user, sep, password = base64.b64decode(value.strip(), validate=True) \
                    .decode("utf-8").partition(":")
                expected = self.state.credentials.get(user)
                ok = bool(sep) and expected is not None and secrets.compare_digest(
                    password.encode(), expected.encode())
            except (binascii.Error, UnicodeDecodeError):
                ok = False
        if not ok:
            raise twilio_error(401, 20003, "Authenticate",
                               headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})

    # -- the control surface (routes and plumbing: standin_common.Handler) ------

    def _state_snapshot(self):
        return self.state.snapshot(self.base_url())

    def _seed_room(self, doc):
        st = self.state
        name = self._str(doc, "name")
        sid = self._str(doc, "sid", required=False)
        status = doc.get("status", "in-progress")
        if status not in ("in-progress", "completed"):
            raise ValueError("status must be in-progress or completed")
        creation = control_creation_time(doc)
        identities = control_identities(doc, non_empty=True)
        self._str(doc, "metadata", required=False)  # LiveKit-only; accepted and ignored
        settings = twilio_room_settings.seed_settings(doc)  # type, max_participants, ...
        unused = opt_int(doc, "empty_timeout") or st.config["default_empty_timeout"]
        empty = opt_int(doc, "departure_timeout") or st.config["default_departure_timeout"]
        with st.lock:
            now = st.now()
            if status == "in-progress":
                old = st.in_progress_named(name)
                if old is not None:  # replaced, as in the LiveKit stand-in
                    del st.rooms[old.sid]
            if sid is not None:
                st.rooms.pop(sid, None)
            room = Room(st.account_sid, name, now, st.next_seq(), unused, empty, sid=sid,
                        created=None if creation is None else float(creation), **settings)
            for identity in identities:
                room.join(identity, max(now, room.created), st.next_seq())
            if status == "completed":
                room.complete(now)
            st.rooms[room.sid] = room
            return room.to_control_json(self.base_url())

    def _live_room(self, key):
        room = self.state.find_room(key)
        if room is None or not room.in_progress:
            raise KeyError(f"room {key}")
        return room

    def _add_participant(self, doc):
        room_key, identity = self._str(doc, "room"), self._str(doc, "identity")
        st = self.state
        with st.lock:
            room = self._live_room(room_key)
            p = room.join(identity, st.now(), st.next_seq())
            return p.to_json(self.base_url())

    def _remove_participant(self, doc):
        room_key, identity = self._str(doc, "room"), self._str(doc, "identity")
        st = self.state
        with st.lock:
            room = self._live_room(room_key)
            p = room.connected_by_identity(identity)
            if p is None:
                raise KeyError(f"participant {identity} in room {room_key}")
            room.leave(p, st.now())
            return {}

    def _set_config(self, doc):
        st = self.state
        updates = config_int_updates(doc, {})
        if "max_page_size" in doc:
            v = doc["max_page_size"]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError("max_page_size must be a non-negative integer")
            updates["max_page_size"] = v
        if "write_rate" in doc:
            v = doc["write_rate"]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ValueError("write_rate must be a non-negative number")
            updates["write_rate"] = v
        standin_common.quota_config_updates(doc, updates)
        with st.lock:
            st.config.update(updates)
            if "write_rate" in updates:
                st.writes.clear()
            return dict(st.config)


# ----------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------


def parse_api_keys(values):
    keys = {}
    for text in values:
        for item in filter(None, (s.strip() for s in text.split(","))):
            key, sep, secret = item.partition(":")
            if not sep or not key.startswith("SK") or not secret:
                raise SystemExit(f"twilio-standin: --api-key entries must be SK...:SECRET "
                                 f"(got one for {key!r})")
            keys[key] = secret
    return keys


def non_negative_float(text):
    v = float(text)
    if v < 0 or math.isnan(v):
        raise argparse.ArgumentTypeError("must be >= 0")
    return int(v) if v.is_integer() else v


def main(argv=None):
    ap = argparse.ArgumentParser(description="Twilio Video Rooms API stand-in for roomctl's tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--account-sid", default="AC" + "0" * 32)
    ap.add_argument("--auth-token", default="devtoken")
    ap.add_argument("--api-key", action="append", default=[],
                    help="SKxxx:SECRET; repeatable or comma-separated (default SK000...0:secret)")
    ap.add_argument("--write-rate", type=non_negative_float, default=0,
                    help="answer 429/20429 when writes exceed N per second (0 = off)")
    ap.add_argument("--default-unused-timeout", type=positive_int, default=DEFAULT_TIMEOUT_SECONDS,
                    help="seconds a room lives if nobody joins (control: default_empty_timeout)")
    ap.add_argument("--default-empty-timeout", type=positive_int, default=DEFAULT_TIMEOUT_SECONDS,
                    help="seconds a room lives after the last participant left "
                         "(control: default_departure_timeout)")
    ap.add_argument("--verbose", action="store_true", help="log request lines (never credentials)")
    args = ap.parse_args(argv)

    if not args.account_sid.startswith("AC"):
        ap.error("--account-sid must start with AC")
    keys = parse_api_keys(args.api_key) if args.api_key else {"SK" + "0" * 32: "secret"}
    credentials = dict(keys)
    if args.auth_token:
        credentials[args.account_sid] = args.auth_token

    state = State(args.account_sid, credentials, {
        "date_offset_seconds": 0,
        "max_page_size": 0,
        "write_rate": args.write_rate,
        # Seconds, named as in the LiveKit stand-in (empty = nobody joined, departure = left).
        "default_empty_timeout": args.default_unused_timeout,
        "default_departure_timeout": args.default_empty_timeout,
    })
    return standin_common.serve(
        "twilio-standin", args.host, args.port, args.port_file, Handler,
        {"state": state, "api": RoomsAPI(state), "verbose": args.verbose,
         "fallback_host": url_host(args.host)},
        state.end_idle_rooms, 0.5)


if __name__ == "__main__":
    sys.exit(main())
