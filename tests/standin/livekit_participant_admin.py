"""The LiveKit stand-in's participant administration beyond list/get/remove: what a
participant carries (name, metadata, attributes, permission, published tracks) and the
RoomService methods UpdateParticipant and MutePublishedTrack (livekit/protocol
``livekit_room.proto``: UpdateParticipantRequest, MuteRoomTrackRequest/Response;
``livekit_models.proto``: ParticipantPermission, TrackInfo; livekit/livekit
``pkg/service/roomservice.go`` and ``pkg/rtc`` for the semantics), split from
livekit_standin.py so that file does not grow.

Semantics reproduced:
* UpdateParticipant checks the limits first (name <= 256 bytes, metadata <= 512 KiB,
  attributes <= 64 KiB: invalid_argument), then the admin grant for the room, then finds the
  participant (not_found "participant does not exist"). A non-empty metadata or name replaces
  the old one; attributes merge into the participant's (an empty value deletes the key); a
  permission, when given, replaces the whole permission. Answers the ParticipantInfo.
* MutePublishedTrack finds the participant, then the track by SID (not_found "track is not
  found"); unmuting needs the server's room.enable_remote_unmute (default false), else
  failed_precondition "remote unmute not enabled". Answers {"track": TrackInfo}.
"""

import secrets
import string

REQUEST_FIELDS = {
    "UpdateParticipant": {"room": "string", "identity": "string", "metadata": "string",
                          "permission": "message", "name": "string", "attributes": "map"},
    "MutePublishedTrack": {"room": "string", "identity": "string", "track_sid": "string",
                           "muted": "bool"},
}
METHODS = tuple(REQUEST_FIELDS)

MAX_PARTICIPANT_NAME_LENGTH = 256
MAX_ATTRIBUTES_SIZE = 64 * 1024

TRACK_TYPES = ("AUDIO", "VIDEO", "DATA")
TRACK_SOURCES = ("UNKNOWN", "CAMERA", "MICROPHONE", "SCREEN_SHARE", "SCREEN_SHARE_AUDIO")
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def default_permission():
    """ParticipantPermission of a token with the default join grant."""
    return {"can_subscribe": True, "can_publish": True, "can_publish_data": True,
            "can_publish_sources": [], "hidden": False, "recorder": False,
            "can_update_metadata": False, "agent": False, "can_subscribe_metrics": False,
            "can_manage_agent_session": False}


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _enum(value, names):
    """protojson enums: a name or a number."""
    if isinstance(value, str) and value in names:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    raise ValueError(f"bad enum value {value!r}")


def decode_permission(doc):
    """A ParticipantPermission message from a protojson request (either name style).
    Raises ValueError (the caller's `malformed`) for a wrong type."""
    out = {k: (False if k != "can_publish_sources" else []) for k in default_permission()}
    for key in out:
        present = [k for k in {key, _camel(key)} if k in doc]
        if len(present) > 1:
            raise ValueError("duplicate field")
        if not present or doc[present[0]] is None:
            continue
        v = doc[present[0]]
        if key == "can_publish_sources":
            if not isinstance(v, list):
                raise ValueError("want list")
            out[key] = [_enum(s, TRACK_SOURCES) for s in v]
        else:
            if not isinstance(v, bool):
                raise ValueError("want bool")
            out[key] = v
    return out


class Track:
    def __init__(self, spec):
        self.sid = spec.get("sid") or "TR_" + "".join(secrets.choice(BASE62) for _ in range(12))
        self.name = spec.get("name", "")
        self.type = _enum(spec.get("type", "AUDIO"), TRACK_TYPES)
        self.source = _enum(spec.get("source", "MICROPHONE" if self.type == "AUDIO" else "CAMERA"),
                            TRACK_SOURCES)
        self.muted = bool(spec.get("muted", False))
        self.mime_type = spec.get("mime_type", "audio/opus" if self.type == "AUDIO" else "video/VP8")

    def to_json(self):
        # TrackInfo as the server emits it (UseProtoNames, EmitUnpopulated): the fields a
        # published track has; simulcast layers and codecs left empty.
        return {"sid": self.sid, "type": self.type, "name": self.name, "muted": self.muted,
                "width": 0 if self.type == "AUDIO" else 1280,
                "height": 0 if self.type == "AUDIO" else 720, "simulcast": False,
                "disable_dtx": False, "source": self.source, "layers": [],
                "mime_type": self.mime_type, "mid": "", "codecs": [], "stereo": False,
                "disable_red": False, "encryption": "NONE", "stream": "",
                "version": None, "audio_features": [], "backup_codec_policy": "PREFER_REGRESSION"}


def seed(participant, doc):
    """Applies a control-surface participant spec: name, metadata, attributes, permission
    (partial, over the default) and tracks [{sid?, name, type, source, muted, mime_type}]."""
    participant.name = doc.get("name", participant.name) or ""
    participant.metadata = doc.get("metadata", participant.metadata) or ""
    attributes = doc.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise ValueError("attributes must be an object of strings")
    participant.attributes = dict(attributes)
    permission = doc.get("permission") or {}
    if not isinstance(permission, dict):
        raise ValueError("permission must be an object")
    participant.permission = {**default_permission(), **permission}
    tracks = doc.get("tracks") or []
    if not isinstance(tracks, list) or not all(isinstance(t, dict) for t in tracks):
        raise ValueError("tracks must be a list of objects")
    participant.tracks = [Track(t) for t in tracks]


def update_participant(service, req, grants):
    """RoomService.UpdateParticipant (`service`: the stand-in's RoomService)."""
    sa = service.standin
    if len(req["name"].encode("utf-8")) > MAX_PARTICIPANT_NAME_LENGTH:
        raise sa.twirp_error("invalid_argument", "name length exceeds limits "
                             f"{MAX_PARTICIPANT_NAME_LENGTH}",
                             {"argument": "name length exceeds limits"})
    if len(req["metadata"].encode("utf-8")) > sa.MAX_METADATA_SIZE:
        raise sa.twirp_error("invalid_argument",
                             f"metadata size exceeds limits {sa.MAX_METADATA_SIZE}",
                             {"argument": "metadata size exceeds limits"})
    size = sum(len(k.encode()) + len(v.encode()) for k, v in req["attributes"].items())
    if size > MAX_ATTRIBUTES_SIZE:
        raise sa.twirp_error("invalid_argument",
                             f"attributes size exceeds limits {MAX_ATTRIBUTES_SIZE}",
                             {"argument": "attributes size exceeds limits"})
    service._need_admin(grants, req["room"])
    permission = None
    if req["permission"] is not None:
        try:
            permission = decode_permission(req["permission"])
        except ValueError:
            raise sa.malformed() from None
    with service.state.lock:
        _, p = service._participant(req)
        if req["metadata"]:
            p.metadata = req["metadata"]
        if req["name"]:
            p.name = req["name"]
        for k, v in req["attributes"].items():
            if v:
                p.attributes[k] = v
            else:
                p.attributes.pop(k, None)
        if permission is not None:
            p.permission = permission
        return p.to_json()


def mute_published_track(service, req, grants):
    """RoomService.MutePublishedTrack."""
    sa = service.standin
    service._need_admin(grants, req["room"])
    with service.state.lock:
        _, p = service._participant(req)
        track = next((t for t in p.tracks if t.sid == req["track_sid"]), None)
        if track is None:
            raise sa.twirp_error("not_found", sa.PSRPC_PREFIX + "track is not found")
        if not req["muted"] and not service.state.config.get("enable_remote_unmute", False):
            raise sa.twirp_error("failed_precondition",
                                 sa.PSRPC_PREFIX + "remote unmute not enabled")
        track.muted = req["muted"]
        return {"track": track.to_json()}
