"""Conformance: room settings at creation (Type, MaxParticipants, StatusCallback,
StatusCallbackMethod, MediaRegion) through the official twilio-python library (Debian's
python3-twilio) against the Twilio stand-in: what it stores and echoes, what a completed room
still tells (roomctl's previous_room() reads it), and Twilio's error codes for values it
refuses (tests/standin/twilio_room_settings.py). Run:
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/conformance/twilio
"""
import pytest

pytest.importorskip("twilio", reason="apt-get install python3-twilio")
from twilio.base.exceptions import TwilioRestException  # noqa: E402

# The stand-in process and the client pointed at it (see that module's docstring).
from test_twilio_standin import API_KEY, API_SECRET, ACCOUNT_SID, StandIn, make_client  # noqa: E402

CALLBACK = "https://app.example.com/twilio/rooms?tenant=7"


@pytest.fixture(scope="module")
def standin_process():
    s = StandIn()
    yield s
    s.stop()


@pytest.fixture
def standin(standin_process):
    standin_process.control("reset", {})
    return standin_process


@pytest.fixture
def rooms(standin):
    return make_client(standin, API_KEY, API_SECRET, ACCOUNT_SID).video.v1.rooms


@pytest.mark.parametrize("room_type,limit", [("go", 2), ("peer-to-peer", 10),
                                             ("group-small", 4), ("group", 50)])
def test_create_stores_and_echoes_the_settings(rooms, room_type, limit):
    room = rooms.create(unique_name=f"settings-{room_type}", type=room_type,
                        max_participants=limit, status_callback=CALLBACK,
                        status_callback_method="GET", media_region="de1")
    assert (room.type, room.max_participants) == (room_type, limit)
    assert (room.status_callback, room.status_callback_method) == (CALLBACK, "GET")
    assert room.media_region == "de1"
    fetched = rooms(room.sid).fetch()
    assert (fetched.type, fetched.max_participants, fetched.status_callback,
            fetched.status_callback_method, fetched.media_region) == (
        room_type, limit, CALLBACK, "GET", "de1")


def test_defaults_when_nothing_is_given(rooms):
    room = rooms.create(unique_name="plain")
    assert (room.type, room.max_participants, room.status_callback,
            room.status_callback_method, room.media_region) == ("group", 50, None, "POST", "us1")


def test_a_completed_room_keeps_its_settings_by_sid(rooms):
    room = rooms.create(unique_name="ended", type="go", max_participants=2,
                        status_callback=CALLBACK, media_region="sg1")
    rooms(room.sid).update(status="completed")
    done = rooms(room.sid).fetch()
    assert done.status == "completed"
    assert (done.type, done.max_participants, done.status_callback, done.media_region) == (
        "go", 2, CALLBACK, "sg1")
    # By name it is gone (only in-progress rooms answer to their name).
    with pytest.raises(TwilioRestException) as e:
        rooms("ended").fetch()
    assert (e.value.status, e.value.code) == (404, 20404)


def test_seeded_completed_room_with_settings(rooms, standin):
    seeded = standin.control("rooms", {
        "name": "booked", "status": "completed", "type": "peer-to-peer",
        "max_participants": 2, "status_callback": CALLBACK, "media_region": "ie1"})
    room = rooms(seeded["sid"]).fetch()
    assert (room.status, room.type, room.max_participants, room.status_callback,
            room.status_callback_method, room.media_region) == (
        "completed", "peer-to-peer", 2, CALLBACK, "POST", "ie1")


@pytest.mark.parametrize("kwargs,code,message", [
    ({"type": "huge"}, 53108, "RoomType is not valid"),
    ({"type": "Group"}, 53108, "RoomType is not valid"),
    ({"max_participants": 51}, 53107, "MaxParticipants is out of range"),
    ({"status_callback": "/relative/path"}, 53111, "StatusCallback is invalid"),
    ({"status_callback": "ftp://app.example.com/cb"}, 53111, "StatusCallback is invalid"),
    ({"status_callback_method": "PUT"}, 53110, "StatusCallbackMethod is invalid"),
    ({"media_region": "eu-west-1"}, 53115, "MediaRegion is invalid"),
])
def test_refused_settings_get_twilios_codes(rooms, standin, kwargs, code, message):
    with pytest.raises(TwilioRestException) as e:
        rooms.create(unique_name="refused", **kwargs)
    assert (e.value.status, e.value.code) == (400, code)
    assert e.value.msg.endswith(": " + message)  # "Unable to create record: <Twilio's message>"
    # Nothing was created: the name is still free.
    assert [r["name"] for r in standin.control("state")["rooms"]] == []


def test_large_room_lifts_the_participant_limit(standin):
    status, _h, room = standin.raw(
        "POST", "/v1/Rooms", b"UniqueName=big&LargeRoom=true&MaxParticipants=90",
        "application/x-www-form-urlencoded")
    assert status == 201 and room["max_participants"] == 90 and room["large_room"] is True


def test_seed_refuses_what_create_refuses(standin):
    with pytest.raises(Exception) as e:
        standin.control("rooms", {"name": "bad", "media_region": "mars1"})
    assert "400" in str(e.value)
