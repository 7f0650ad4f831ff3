"""Conformance: the Twilio stand-in answers the official twilio-python library like Twilio does.

Uses Debian's python3-twilio (7.7.1). Run:
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/conformance/twilio

How the library is pointed at the stand-in: twilio-python 7.x builds every Video
URL as ``client.video.base_url + "/v1/..."`` (twilio/base/domain.py
``Domain.absolute_url``), and ``client.video`` is a lazily created, cached
``twilio.rest.video.Video`` whose constructor sets ``base_url =
"https://video.twilio.com"``. Overwriting that attribute after first access
(``client.video.base_url = "http://127.0.0.1:PORT"``) redirects every request of
that client, while pagination follows the absolute ``meta.next_page_url`` the
stand-in returns, so it stays on the stand-in too. No region/edge is set, so
``Client.get_hostname`` leaves the URL alone. The requests session gets
``trust_env = False`` so an HTTP(S)_PROXY in the environment cannot divert
loopback traffic.
"""
import base64
import json
import re
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

twilio = pytest.importorskip("twilio", reason="apt-get install python3-twilio")
from twilio.base.exceptions import TwilioException, TwilioRestException  # noqa: E402
from twilio.http.http_client import TwilioHttpClient  # noqa: E402
from twilio.rest import Client  # noqa: E402

STANDIN = Path(__file__).resolve().parents[2] / "standin" / "twilio_standin.py"
ACCOUNT_SID = "AC" + "1234567890abcdef" * 2
AUTH_TOKEN = "conformance-auth-token-0123456789"
API_KEY = "SK" + "fedcba0987654321" * 2
API_SECRET = "conformance-api-secret-0123456789"
SID_RM = re.compile(r"^RM[0-9a-f]{32}$")
SID_PA = re.compile(r"^PA[0-9a-f]{32}$")

ROOM_FIELDS = {
    "sid", "status", "date_created", "date_updated", "account_sid", "enable_turn", "unique_name",
    "status_callback", "status_callback_method", "end_time", "duration", "type",
    "max_participants", "max_participant_duration", "max_concurrent_published_tracks",
    "record_participants_on_connect", "video_codecs", "media_region", "audio_only",
    "empty_room_timeout", "unused_room_timeout", "large_room", "url", "links",
}
PARTICIPANT_FIELDS = {
    "sid", "room_sid", "account_sid", "status", "identity", "date_created", "date_updated",
    "start_time", "end_time", "duration", "url", "links",
}


class StandIn:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="twilio-standin-")
        port_file = Path(self.dir) / "port"
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", str(STANDIN), "--host", "127.0.0.1", "--port", "0",
             "--port-file", str(port_file), "--account-sid", ACCOUNT_SID,
             "--auth-token", AUTH_TOKEN, "--api-key", f"{API_KEY}:{API_SECRET}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 15
        while not port_file.exists():
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("stand-in did not start: " + self.proc.stderr.read().decode())
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{int(port_file.read_text())}"

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/_standin/" + path, data=data,
                                     method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def raw(self, method, path, body=None, content_type=None, auth=(API_KEY, API_SECRET)):
        """A plain urllib request; returns (status, headers, parsed JSON)."""
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        if auth:
            headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.headers, json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return e.code, e.headers, json.loads(e.read())

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            assert self.proc.wait(timeout=10) == 0
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


# urllib must not use a proxy for loopback either.
urllib.request.install_opener(urllib.request.build_opener(urllib.request.ProxyHandler({})))


@pytest.fixture(scope="module")
def standin_process():
    s = StandIn()
    yield s
    s.stop()


@pytest.fixture
def standin(standin_process):
    standin_process.control("reset", {})
    return standin_process


def make_client(standin, username, password, account_sid=None):
    http = TwilioHttpClient(timeout=10)
    http.session.trust_env = False
    client = Client(username, password, account_sid, http_client=http)
    client.video.base_url = standin.url  # see the module docstring
    return client


CREDENTIALS = {
    "api_key": (API_KEY, API_SECRET, ACCOUNT_SID),
    "auth_token": (ACCOUNT_SID, AUTH_TOKEN, None),
}


@pytest.fixture(params=sorted(CREDENTIALS))
def client(request, standin):
    return make_client(standin, *CREDENTIALS[request.param])


def rooms(client):
    return client.video.v1.rooms


def test_redirect_reaches_the_standin(client, standin):
    rooms(client).list(limit=1)
    assert client.http_client.last_request.url.startswith(standin.url + "/v1/Rooms")
    assert standin.control("state")["requests"]["ListRooms"] == 1


def test_create_room(client, standin):
    room = rooms(client).create(unique_name="daily-standup", type="group",
                                empty_room_timeout=5, unused_room_timeout=10)
    assert SID_RM.match(room.sid)
    assert room.unique_name == "daily-standup"
    assert room.status == "in-progress" and room.type == "group"
    assert room.empty_room_timeout == 5 and room.unused_room_timeout == 10
    assert room.account_sid == ACCOUNT_SID
    assert room.end_time is None and room.duration is None
    assert room.max_participants == 50 and room.video_codecs == ["VP8", "H264"]
    assert room.url == f"{standin.url}/v1/Rooms/{room.sid}"
    assert set(room.links) == {"participants", "recordings", "recording_rules", "transcriptions"}
    assert abs(room.date_created.timestamp() - time.time()) < 60
    status = client.http_client.last_response.status_code
    assert status == 201
    # Every documented field is present in the raw resource.
    assert ROOM_FIELDS <= set(json.loads(client.http_client.last_response.text))
    assert standin.control("state")["requests"]["CreateRoom"] == 1


def test_create_without_a_name_uses_the_sid(client):
    room = rooms(client).create()
    assert room.unique_name == room.sid and room.type == "group"
    assert room.empty_room_timeout == 5 and room.unused_room_timeout == 5


def test_list_and_stream_follow_next_page_url(client, standin):
    created = {rooms(client).create(unique_name=f"page-{i}").sid for i in range(5)}
    assert {r.sid for r in rooms(client).list()} == created
    before = standin.control("state")["requests"]["ListRooms"]
    streamed = [r.sid for r in rooms(client).stream(page_size=2)]
    assert len(streamed) == 5 and set(streamed) == created
    # 2 + 2 + 1: three requests, the last page has next_page_url null.
    assert standin.control("state")["requests"]["ListRooms"] - before == 3
    # Newest first, as Twilio orders them.
    stamps = [r.date_created for r in rooms(client).list(page_size=2)]
    assert stamps == sorted(stamps, reverse=True)
    assert len(rooms(client).list(limit=3, page_size=2)) == 3


def test_page_meta(client, standin):
    for i in range(3):
        rooms(client).create(unique_name=f"meta-{i}")
    page = rooms(client).page(page_size=2)
    meta = page._payload["meta"]
    assert meta["key"] == "rooms" and meta["page"] == 0 and meta["page_size"] == 2
    assert meta["previous_page_url"] is None
    for k in ("first_page_url", "url", "next_page_url"):
        assert meta[k].startswith(standin.url + "/v1/Rooms?")
    second = page.next_page()
    assert second._payload["meta"]["page"] == 1
    assert second._payload["meta"]["next_page_url"] is None
    back = second.previous_page()
    assert [r.sid for r in back] == [r.sid for r in rooms(client).page(page_size=2)]


def test_fetch_by_sid_and_by_unique_name(client):
    room = rooms(client).create(unique_name="fetch-me")
    assert rooms(client)(room.sid).fetch().unique_name == "fetch-me"
    assert rooms(client)("fetch-me").fetch().sid == room.sid


def test_complete_room(client, standin):
    room = rooms(client).create(unique_name="to-end")
    done = rooms(client)(room.sid).update(status="completed")
    assert client.http_client.last_response.status_code == 202
    assert done.status == "completed" and done.end_time is not None and done.duration >= 0
    assert room.sid in {r.sid for r in rooms(client).list(status="completed")}
    assert room.sid not in {r.sid for r in rooms(client).list()}
    # By SID it is still there; by name it is gone.
    assert rooms(client)(room.sid).fetch().status == "completed"
    with pytest.raises(TwilioRestException) as e:
        rooms(client)("to-end").fetch()
    assert e.value.status == 404 and e.value.code == 20404
    # Completing it again: 53112.
    with pytest.raises(TwilioRestException) as e:
        rooms(client)(room.sid).update(status="completed")
    assert e.value.status == 400 and e.value.code == 53112
    # The name is free again, and list by name finds both rooms.
    again = rooms(client).create(unique_name="to-end")
    assert again.sid != room.sid
    assert [r.sid for r in rooms(client).list(status="completed", unique_name="to-end")] == [room.sid]
    assert [r.sid for r in rooms(client).list(unique_name="to-end")] == [again.sid]
    assert standin.control("state")["requests"]["DeleteRoom"] == 2


def test_duplicate_in_progress_name_is_53113(client):
    rooms(client).create(unique_name="twice")
    with pytest.raises(TwilioRestException) as e:
        rooms(client).create(unique_name="twice")
    assert e.value.status == 400 and e.value.code == 53113


def test_invalid_create_parameters(client):
    cases = [({"unique_name": "x" * 129}, 53101), ({"type": "huge"}, 53108),
             ({"empty_room_timeout": 61}, 53109), ({"unused_room_timeout": 0}, 53109)]
    for kwargs, code in cases:
        with pytest.raises(TwilioRestException) as e:
            rooms(client).create(**kwargs)
        assert (e.value.status, e.value.code) == (400, code), kwargs
    assert rooms(client).create(unique_name="y" * 128, type="group-small").type == "group-small"


@pytest.mark.parametrize("kind", sorted(CREDENTIALS))
def test_wrong_password_is_20003(standin, kind):
    username, _password, account_sid = CREDENTIALS[kind]
    bad = make_client(standin, username, "not-the-secret", account_sid)
    with pytest.raises(TwilioRestException) as e:
        rooms(bad).create(unique_name="nope")
    assert e.value.status == 401 and e.value.code == 20003
    with pytest.raises(TwilioRestException) as e:
        rooms(bad)("nope").fetch()
    assert e.value.status == 401 and e.value.code == 20003
    # twilio-python 7.x pages raise a plain TwilioException carrying the response.
    with pytest.raises(TwilioException) as e:
        rooms(bad).list()
    assert e.value.args[1].status_code == 401
    assert standin.control("state")["requests"]["CreateRoom"] == 0
    status, headers, body = standin.raw("GET", "/v1/Rooms", auth=None)
    assert status == 401 and body == {
        "code": 20003, "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}


def test_participants_seeded_through_the_control_surface(client, standin):
    seeded = standin.control("rooms", {"name": "with-people", "participants": ["alice", "bob"]})
    listed = rooms(client)(seeded["sid"]).participants.list()
    assert sorted(p.identity for p in listed) == ["alice", "bob"]
    assert all(SID_PA.match(p.sid) and p.status == "connected" and p.room_sid == seeded["sid"]
               for p in listed)
    raw = json.loads(client.http_client.last_response.text)
    assert raw["meta"]["key"] == "participants"
    assert PARTICIPANT_FIELDS <= set(raw["participants"][0])
    # By room name and participant identity, as the docs' examples do.
    alice = rooms(client)("with-people").participants("alice").fetch()
    assert alice.identity == "alice" and alice.end_time is None
    gone = rooms(client)("with-people").participants("alice").update(status="disconnected")
    assert gone.status == "disconnected" and gone.duration is not None
    assert [p.identity for p in rooms(client)("with-people").participants.list()] == ["bob"]
    assert [p.identity for p in rooms(client)(seeded["sid"]).participants.list(
        status="disconnected")] == ["alice"]
    assert standin.control("state")["participants"] == {"with-people": ["bob"]}
    # Completing the room disconnects everyone; a completed room lists disconnected ones.
    rooms(client)(seeded["sid"]).update(status="completed")
    ended = rooms(client)(seeded["sid"]).participants.list()
    assert sorted(p.identity for p in ended) == ["alice", "bob"]
    assert {p.status for p in ended} == {"disconnected"}


def test_participants_paginate(client, standin):
    people = [f"p{i}" for i in range(5)]
    seeded = standin.control("rooms", {"name": "crowd", "participants": people})
    got = [p.identity for p in rooms(client)(seeded["sid"]).participants.stream(page_size=2)]
    assert sorted(got) == people


def test_json_body_is_ignored(standin):
    body = json.dumps({"unique_name": "meetings", "UniqueName": "meetings"}).encode()
    status, _headers, room = standin.raw("POST", "/v1/Rooms", body, "application/json")
    assert status == 201
    assert room["unique_name"] == room["sid"] and SID_RM.match(room["sid"])


def test_raw_errors(standin):
    status, _h, body = standin.raw("GET", "/v1/Rooms?PageToken=not-a-token")
    assert (status, body["code"]) == (400, 21481)
    status, _h, body = standin.raw("GET", "/v1/Rooms?PageSize=1001")
    assert status == 400
    status, _h, body = standin.raw("GET", "/v1/Rooms/RM" + "0" * 32)
    assert (status, body["code"]) == (404, 20404)
    assert body["message"] == f"The requested resource /Rooms/RM{'0' * 32} was not found"
    status, _h, body = standin.raw("GET", "/v1/Compositions")
    assert (status, body["code"]) == (404, 20404)
    status, _h, body = standin.raw("POST", "/v1/Rooms/RM" + "0" * 32,
                                   b"Status=completed", "application/x-www-form-urlencoded")
    assert status == 404


def test_seeded_timeouts_are_whole_minutes_and_rooms_expire(client, standin):
    kept = standin.control("rooms", {"name": "kept", "empty_timeout": 90, "departure_timeout": 3600})
    fetched = rooms(client)(kept["sid"]).fetch()
    assert fetched.unused_room_timeout == 2 and fetched.empty_room_timeout == 60
    short = standin.control("rooms", {"name": "short", "empty_timeout": 1})
    deadline = time.time() + 5
    while rooms(client)(short["sid"]).fetch().status == "in-progress":
        assert time.time() < deadline, "unused room did not end"
        time.sleep(0.2)
    assert short["sid"] in {r.sid for r in rooms(client).list(status="completed")}
    assert [r["name"] for r in standin.control("state")["rooms"]] == ["kept"]


def test_fault_429_with_retry_after(client, standin):
    standin.control("faults", {"method": "CreateRoom", "status": 429, "count": 1,
                               "headers": {"Retry-After": "2"}})
    with pytest.raises(TwilioRestException) as e:
        rooms(client).create(unique_name="throttled")
    assert e.value.status == 429 and e.value.code == 20429
    assert client.http_client.last_response.headers["Retry-After"] == "2"
    assert rooms(client).create(unique_name="throttled").unique_name == "throttled"
    assert standin.control("state")["requests"]["CreateRoom"] == 2


def test_write_rate_limit(client, standin):
    standin.control("config", {"write_rate": 2})
    codes = []
    for i in range(5):
        try:
            rooms(client).create(unique_name=f"burst-{i}")
            codes.append(201)
        except TwilioRestException as e:
            codes.append(e.code)
    assert codes.count(201) == 2 and codes.count(20429) == 3
    assert standin.control("state")["throttled"] == 3
    time.sleep(1.1)
    assert rooms(client).create(unique_name="later").status == "in-progress"
    # Reads are never throttled.
    assert len(rooms(client).list()) == 3
