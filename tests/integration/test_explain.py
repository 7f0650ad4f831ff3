"""roomctl explain: why can't this user join? The incidents of the seeds, explained from the
facts alone (the row, the room on the server, the naming, the token, the clock), on both
providers, with the one command that fixes the first cause. Exit 0 when nothing is in the way,
5 when a cause is found; the token never appears in the output."""

import time

import jwt as pyjwt
import pytest

from conftest import API_KEY, API_SECRET, TWILIO_ACCOUNT, TWILIO_KEY, TWILIO_SECRET


def mint(provider, room, identity="rafael", secret=None, nbf_in=0, ttl=600):
    """A join token as the app's backend would mint it (PyJWT, not roomctl)."""
    now = int(time.time())
    if provider == "livekit":
        claims = {"iss": API_KEY, "sub": identity, "nbf": now + nbf_in, "exp": now + ttl,
                  "video": {"roomJoin": True, "room": room}}
        return pyjwt.encode(claims, secret or API_SECRET, algorithm="HS256")
    claims = {"jti": f"{TWILIO_KEY}-{now}", "iss": TWILIO_KEY, "sub": TWILIO_ACCOUNT,
              "nbf": now + nbf_in, "exp": now + ttl,
              "grants": {"identity": identity, "video": {"room": room}}}
    return pyjwt.encode(claims, secret or TWILIO_SECRET, algorithm="HS256",
                        headers={"cty": "twilio-fpa;v=1"})


def causes(result):
    return [c["code"] for c in result.json["causes"]]


def test_session_not_found_from_a_session_prefix(run, db, standin):
    # Seed 000: the row stores the token, the app names the room "session-{token}" and its
    # token endpoint looks the row up by that name.
    db.insert("P46odHdPO0wJ")
    standin.seed_room("session-P46odHdPO0wJ")
    result = run("explain", "--room", "session-P46odHdPO0wJ", "--json")
    assert result.code == 5, result.stderr
    doc = result.json
    assert causes(result)[0] == "name_prefix", doc["causes"]
    assert doc["symptom"] == "Session not found"
    assert "session-{name}" in doc["fix"]
    assert doc["rows"][0]["name"] == "P46odHdPO0wJ"
    assert doc["rows"][0]["found_by"] == "embedded"
    text = run("explain", "--room", "session-P46odHdPO0wJ")
    assert "Why the join fails (\"Session not found\")" in text.stdout, text.stdout
    assert "Fix: look the row up by P46odHdPO0wJ" in text.stdout, text.stdout


def test_requested_room_does_not_exist_after_the_empty_timeout(run, db, standin, provider):
    # Seed 003: created at booking, closed by the server's empty timeout, row still pending.
    sid = "RM_gone0000000" if provider == "livekit" else "RM" + "ab" * 16
    db.insert("standup-42", sid=sid)
    result = run("explain", "--room", "standup-42", "--json")
    assert result.code == 5, result.stderr
    assert causes(result) == ["room_closed"]
    assert result.json["fix"] == "roomctl recreate standup-42 --apply"
    assert result.json["room"]["exists"] is False
    expected = "requested room does not exist" if provider == "livekit" else "Room not found"
    assert result.json["symptom"].startswith(expected)


def test_a_token_signed_with_another_secret(run, db, standin, provider):
    db.insert("class-1")
    standin.seed_room("class-1")
    token = mint(provider, "class-1", secret="a-secret-from-another-environment-0000")
    result = run("explain", "--room", "class-1", "--token", token, "--json")
    assert result.code == 5, result.stderr
    assert causes(result)[0] == "wrong_secret"
    assert result.json["symptom"] == "invalid authorization token"
    assert token not in result.stdout + result.stderr


def test_a_token_minted_on_a_clock_that_runs_ahead(run, db, standin, provider):
    db.insert("class-2")
    standin.seed_room("class-2")
    token = mint(provider, "class-2", nbf_in=900)
    result = run("explain", "--room", "class-2", "--token", token, "--json")
    assert result.code == 5, result.stderr
    assert "clock_skew" in causes(result), result.json["causes"]
    assert result.json["symptom"] == "invalid authorization token"


def test_a_token_for_another_room(run, db, standin, provider):
    db.insert("class-3")
    standin.seed_room("class-3")
    token = mint(provider, "class-4")
    result = run("explain", "--room", "class-3", "--token", token, "--json")
    assert result.code == 5, result.stderr
    assert causes(result)[0] == "token_other_room", result.json["causes"]
    assert "class-4" in result.json["causes"][0]["text"]


def test_nothing_in_the_way_by_session(run, db, standin, provider):
    db.insert("class-5")
    session = db.execute(f"SELECT session_id::text FROM {db.table}")[0][0]
    room = standin.seed_room("class-5")
    db.set_sid("class-5", room["sid"])
    token = mint(provider, "class-5")
    result = run("explain", "--session", session, "--token", token, "--json")
    assert result.code == 0, result.stdout + result.stderr
    doc = result.json
    assert doc["ok"] is True and doc["causes"] == []
    assert doc["rows"][0]["found_by"] == "session"
    assert doc["room"]["exists"] is True
    assert doc["token"]["valid"] is True
    text = run("explain", "--session", session, "--token", token)
    assert "Nothing in the way" in text.stdout, text.stdout


def test_no_row_and_no_room(run, db, standin):
    result = run("explain", "--room", "nobody-here", "--json")
    assert result.code == 5, result.stderr
    assert causes(result) == ["no_row", "no_room"]


def test_nothing_to_explain_is_a_usage_error(run, db, standin):
    result = run("explain")
    assert result.code == 2
    assert len(result.error_lines()) == 1


def test_an_unreachable_server_is_a_fact_not_a_crash(run, db, standin):
    db.insert("class-6", sid="RM_x")
    result = run("explain", "--room", "class-6", "--json", url="http://127.0.0.1:9")
    assert result.code == 5, result.stderr
    assert causes(result) == ["server_unreachable"]
    assert result.json["fix"] == "roomctl check"


def test_an_identity_already_in_the_room_is_a_warning(run, db, standin, provider):
    # The server keeps one connection per identity: joining again kicks the first one out.
    db.insert("class-7")
    room = standin.seed_room("class-7", participants=["rafael"])
    db.set_sid("class-7", room["sid"])
    token = mint(provider, "class-7", identity="rafael")
    result = run("explain", "--room", "class-7", "--token", token, "--json")
    assert result.code == 0, result.stdout + result.stderr  # a warning, not a cause
    doc = result.json
    assert doc["room"]["identity_connected"] is True
    assert len(doc["warnings"]) == 1 and "disconnects that participant" in doc["warnings"][0]
    other = run("explain", "--room", "class-7", "--token", mint(provider, "class-7", "ana"),
                "--json")
    assert other.json["room"]["identity_connected"] is False
    assert other.json["warnings"] == []
