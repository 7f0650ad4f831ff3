"""The Twilio stand-in's reading of CreateRoom's room settings (Type, MaxParticipants,
StatusCallback, StatusCallbackMethod, MediaRegion), with the error codes and messages
Twilio answers (twilio-video.js TwilioError classes: 53107 RoomMaxParticipantsOutOfRangeError,
53108 RoomTypeInvalidError, 53110 RoomStatusCallbackMethodInvalidError, 53111
RoomStatusCallbackInvalidError, 53115 RoomMediaRegionInvalidError).

Limits, and where they come from:
* Type: the spec's enum (twilio_video_v1.yaml CreateRoomRequest).
* MaxParticipants: 1..50, or up to 1000 with LargeRoom ("The maximum allowed value is 50").
  The spec documents no lower limits for the legacy types, so none are applied.
* StatusCallback: the spec's type is ``uri``; Twilio's exact rule is not documented, so an
  absolute http(s) URL with a host is taken as valid (what a webhook needs).
* StatusCallbackMethod: the spec's enum GET, POST (this stand-in accepts either case, as it
  did before; upper-cased when stored).
* MediaRegion: the region ids of Twilio's "Video Regions and Global Low Latency" page.
"""

import re
from urllib.parse import urlsplit

ROOM_TYPES = ("group", "go", "peer-to-peer", "group-small")
MEDIA_REGIONS = ("gll", "au1", "br1", "de1", "ie1", "in1", "jp1", "sg1", "us1", "us2")
DEFAULT_MEDIA_REGION = "us1"  # the spec's example room
MAX_PARTICIPANTS = 50
MAX_PARTICIPANTS_LARGE_ROOM = 1000


def is_absolute_http_url(url):
    if not url or any(ord(c) <= 0x20 or ord(c) == 0x7f for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _int(raw, lo, hi, error):
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"-?\d+", raw.strip()) or not lo <= int(raw) <= hi:
        raise error
    return int(raw)


def read_settings(get, large_room, error):
    """The settings of one CreateRoom request.

    ``get(name)`` returns the form value or None; ``error(code, message)`` builds the
    exception to raise. Returns a dict of Room() keyword arguments.
    """
    room_type = get("Type") or "group"
    if room_type not in ROOM_TYPES:
        raise error(53108, "RoomType is not valid")
    limit = MAX_PARTICIPANTS_LARGE_ROOM if large_room else MAX_PARTICIPANTS
    max_participants = _int(get("MaxParticipants"), 1, limit,
                            error(53107, "MaxParticipants is out of range"))
    callback = get("StatusCallback") or None
    if callback is not None and not is_absolute_http_url(callback):
        raise error(53111, "StatusCallback is invalid")
    method = (get("StatusCallbackMethod") or "POST").upper()
    if method not in ("GET", "POST"):
        raise error(53110, "StatusCallbackMethod is invalid")
    region = get("MediaRegion") or DEFAULT_MEDIA_REGION
    if region not in MEDIA_REGIONS:
        raise error(53115, "MediaRegion is invalid")
    return {"room_type": room_type, "max_participants": max_participants or MAX_PARTICIPANTS,
            "status_callback": callback, "status_callback_method": method,
            "media_region": region}


def seed_settings(doc):
    """The same settings from a control-surface seed document (snake_case keys); ValueError
    (the control surface's 400) for a value CreateRoom would refuse."""
    names = {"Type": "type", "StatusCallback": "status_callback",
             "StatusCallbackMethod": "status_callback_method", "MediaRegion": "media_region"}
    for key in names.values():
        if doc.get(key) is not None and not isinstance(doc[key], str):
            raise ValueError(f"{key} must be a string")

    def get(name):
        if name == "MaxParticipants":
            value = doc.get("max_participants")
            return None if value in (None, 0) else str(value)  # 0: the default, as before
        return doc.get(names[name])

    def error(_code, message):
        return ValueError(message)

    return read_settings(get, False, error)
