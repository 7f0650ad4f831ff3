"""Twilio specifics: credentials, 53113, completed rooms, 404 re-checks,
minutes, pacing and 429s, pagination. The shared repair-loop tests run for Twilio too."""
import json
import socket

import pytest

from conftest import TWILIO_ACCOUNT, TWILIO_AUTH_TOKEN, TWILIO_KEY

pytestmark = pytest.mark.parametrize("provider", ["twilio"])


def probes(result):
    return {p["name"]: p for p in result.json["probes"]}


def test_check_with_an_api_key(run, db, standin):
    r = run("check", "--json")
    assert r.code == 0, r.stdout + r.stderr
    p = probes(r)
    assert set(p) == {"server.reach", "server.clock", "server.auth", "server.tokens",
                      "database.connect", "database.mapping", "database.rls", "database.session"}
    assert TWILIO_KEY in p["server.auth"]["message"]
    assert "breakout_rooms" in p["database.mapping"]["message"]


def test_check_with_the_auth_token_explains_tokens(run, standin):
    r = run("check", "--only", "server", "--json",
            env={"TWILIO_API_KEY": "", "TWILIO_API_SECRET": "", "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN})
    assert r.code == 0, r.stdout
    p = probes(r)
    assert "Auth Token accepted" in p["server.auth"]["message"]
    assert p["server.tokens"]["status"] == "skipped"
    assert "API key" in p["server.tokens"]["message"]
    assert TWILIO_AUTH_TOKEN not in r.stdout + r.stderr


def test_check_names_refused_credentials(run, standin):
    r = run("check", "--only", "server", "--json", secret="not-the-secret")
    assert r.code == 5
    msg = probes(r)["server.auth"]["message"]
    assert "20003" in msg and TWILIO_KEY in msg and "Standard" in msg
    assert "not-the-secret" not in r.stdout + r.stderr


def test_room_exists_53113_adopts_the_in_progress_room(run, db, standin):
    room = standin.seed_room("taken", age_seconds=60)
    db.insert("taken", None, "active")
    # The list misses the room (as a stale page can), so audit plans a create; Twilio then
    # answers 53113 and roomctl records the SID of the room that is in progress.
    standin.fault(method="ListRooms", status=200, content_type="application/json",
                  body=json.dumps({"rooms": [], "meta": {"next_page_url": None, "key": "rooms"}}),
                  count=1)
    r = run("recreate", "--apply", "--json")
    assert r.code == 0, r.stderr
    assert r.json["actions"][0]["status"] == "done"
    assert db.rows() == [("taken", room["sid"], "active")]
    assert len(standin.rooms()) == 1


def test_a_completed_room_is_recreated_with_a_new_sid(run, db, standin):
    old = standin.seed_room("ended-early", age_seconds=600, status="completed")
    db.insert("ended-early", old["sid"], "active")
    audit = run("audit", "--json")
    assert audit.code == 5
    assert [f["kind"] for f in audit.json["findings"]] == ["missing"]
    r = run("recreate", "--apply", "--json")
    assert r.code == 0, r.stderr
    new_sid = db.rows()[0][1]
    assert new_sid != old["sid"] and new_sid == standin.rooms()["ended-early"]["sid"]


def test_a_single_404_on_a_recorded_sid_is_checked_again(run, db, standin):
    room = standin.seed_room("flaky", age_seconds=60)
    db.insert("flaky", room["sid"], "active")
    standin.fault(method="ListRooms", status=200, content_type="application/json",
                  body=json.dumps({"rooms": [], "meta": {"next_page_url": None, "key": "rooms"}}),
                  count=1)
    standin.fault(method="FetchRoom", count=1, **standin.not_found())
    r = run("audit", "--json")
    assert r.code == 0, r.stdout + r.stderr
    assert r.json["summary"]["in_sync"] == 1


@pytest.mark.parametrize("value", ["90s", "2h", "30s"])
def test_timeouts_must_be_whole_minutes_up_to_60(run, db, standin, value):
    db.insert("m", None, "pending")
    r = run("recreate", "--apply", "--empty-timeout", value)
    assert r.code == 2
    assert "whole minutes from 1 to 60" in r.stderr
    assert standin.requests().get("ListRooms", 0) == 0  # refused before any work
    assert standin.rooms() == {}


def test_minutes_reach_twilio(run, db, standin):
    db.insert("timed", None, "pending")
    r = run("recreate", "--apply", "--empty-timeout", "45m", "--departure-timeout", "10m")
    assert r.code == 0, r.stderr
    room = standin.rooms()["timed"]
    assert room["unused_room_timeout"] == 45 and room["empty_room_timeout"] == 10


def test_writes_are_paced_and_429s_retried(run, db, standin):
    standin.control("config", {"write_rate": 8})
    for i in range(30):
        db.insert(f"paced-{i:02}", None, "pending")
    r = run("recreate", "--apply", "--concurrency", "8", "--json")
    assert r.code == 0, r.stderr
    assert r.json["summary"]["done"] == 30
    assert len(standin.rooms()) == 30


def test_retry_after_is_honoured(run, db, standin):
    db.insert("later", None, "pending")
    standin.fault(method="CreateRoom", status=429, content_type="application/json",
                  body=json.dumps({"code": 20429, "message": "Too Many Requests", "status": 429}),
                  headers={"Retry-After": "1"}, count=2)
    r = run("recreate", "--apply", "--json")
    assert r.code == 0, r.stderr
    assert r.elapsed >= 2  # two Retry-After waits of a second
    assert "later" in standin.rooms()


def test_token_create_is_a_twilio_access_token(run, standin):
    import base64
    r = run("token", "create", "--identity", "alice", "--room", "session-P46odHdPO0wJ", "--ttl", "2h")
    assert r.code == 0, r.stderr
    header_b64, claims_b64, _ = r.stdout.strip().split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)
    header = json.loads(base64.urlsafe_b64decode(pad(header_b64)))
    claims = json.loads(base64.urlsafe_b64decode(pad(claims_b64)))
    assert header == {"typ": "JWT", "alg": "HS256", "cty": "twilio-fpa;v=1"}
    assert claims["iss"] == TWILIO_KEY and claims["sub"] == TWILIO_ACCOUNT
    assert claims["jti"] == f"{TWILIO_KEY}-{claims['nbf']}"
    assert claims["exp"] - claims["nbf"] == 7200
    assert claims["grants"] == {"identity": "alice", "video": {"room": "session-P46odHdPO0wJ"}}


def test_token_ttl_over_24h_is_refused(run, standin):
    r = run("token", "create", "--identity", "alice", "--ttl", "25h")
    assert r.code == 2 and "24 h" in r.stderr and r.stdout == ""


def test_token_needs_an_api_key_not_the_auth_token(run, standin):
    r = run("token", "create", "--identity", "alice",
            env={"TWILIO_API_KEY": "", "TWILIO_API_SECRET": "", "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN})
    assert r.code == 3 and "API key" in r.stderr


def test_livekit_grant_flags_are_refused_for_twilio(run, standin):
    r = run("token", "create", "--identity", "alice", "--admin", "--room", "r")
    assert r.code == 2 and "LiveKit" in r.stderr


def test_a_page_link_to_another_host_gets_no_credentials(run, db, standin):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    standin.fault(method="ListRooms", status=200, content_type="application/json",
                  body=json.dumps({"rooms": [], "meta": {
                      "key": "rooms", "next_page_url": f"http://127.0.0.1:{port}/v1/Rooms?Page=1"}}))
    try:
        r = run("audit")
        with pytest.raises(socket.timeout):
            listener.accept()  # nothing, let alone the Authorization header, went there
    finally:
        listener.close()
    assert r.code == 1, r.stderr
    assert f"page link to http://127.0.0.1:{port}" in r.stderr
    assert "refusing to send the credentials there" in r.stderr


def test_listing_follows_next_page_url_to_the_end(run, db, standin):
    standin.control("config", {"max_page_size": 3})
    names = [f"paged-{i:02}" for i in range(10)]
    for n in names:
        room = standin.seed_room(n, age_seconds=60)
        db.insert(n, room["sid"], "active")
    r = run("audit", "--json")
    assert r.code == 0, r.stdout + r.stderr
    assert r.json["summary"]["server_rooms"] == 10 and r.json["summary"]["in_sync"] == 10
    assert standin.requests()["ListRooms"] == 4  # 3 + 3 + 3 + 1
