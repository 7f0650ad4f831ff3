"""Valid but dangerous tokens and the server's own words (issue 16 items 2 and 3):
token create --session warns when the session's room is not on the server; token inspect
--check-server warns when the token's identity is already in its room, and shows the server's
refusal as it gave it, attributed by the token's own claims (expired is expired; the clocks
only when the token is valid here)."""
import base64
import hashlib
import hmac
import json
import time

from conftest import API_KEY, API_SECRET


def session_of(db, name):
    return db.execute(f"SELECT session_id::text FROM {db.table} WHERE room_name = %s", (name,))[0][0]


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def lk_token(claims):
    """A LiveKit join token minted "elsewhere" (here, by the test), with the claims given."""
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = hmac.new(API_SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def join_claims(nbf, exp, room="demo", identity="alice"):
    return {"iss": API_KEY, "sub": identity, "nbf": nbf, "exp": exp,
            "video": {"roomJoin": True, "room": room}}


# ---- token create --session: the room on the server ---------------------------------------

def test_session_room_missing_on_the_server_warns_on_stderr_only(run, db, standin, provider):
    db.insert("session-gone", "RM_closed_long_ago", "active")
    session = session_of(db, "session-gone")
    r = run("token", "create", "--session", session, "--identity", "mentor")
    assert r.code == 0, r.stderr
    assert r.stdout.count(".") == 2 and len(r.stdout.splitlines()) == 1  # the token alone
    warnings = [l for l in r.stderr.splitlines() if l.startswith("warning:")]
    assert len(warnings) == 1, r.stderr
    assert '"session-gone"' in warnings[0]
    assert "roomctl recreate session-gone --apply" in warnings[0]
    if provider == "livekit":
        assert "requested room does not exist" in warnings[0]
        assert "server's defaults, not the app's settings" in warnings[0]
    else:
        assert "53106" in warnings[0]


def test_session_room_warning_is_in_the_json_document(run, db, standin):
    db.insert("session-gone", None, "active")
    r = run("token", "create", "--session", session_of(db, "session-gone"), "--identity", "m",
            "--json")
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc["warnings"]) == 1 and "session-gone" in doc["warnings"][0]
    assert doc["token"].count(".") == 2
    assert "warning:" not in r.stderr  # once, in the document


def test_session_room_that_exists_gives_no_warning(run, db, standin):
    db.insert("session-here", None, "active")
    standin.seed_room("session-here")
    r = run("token", "create", "--session", session_of(db, "session-here"), "--identity", "m",
            "--json")
    assert r.code == 0, r.stderr
    assert json.loads(r.stdout)["warnings"] == []
    assert "warning:" not in r.stderr


def test_no_server_check_skips_the_question(run, db, standin):
    db.insert("session-gone", None, "active")
    before = sum(standin.requests().values()) if isinstance(standin.requests(), dict) else None
    r = run("token", "create", "--session", session_of(db, "session-gone"), "--identity", "m",
            "--no-server-check")
    assert r.code == 0, r.stderr
    assert "warning:" not in r.stderr
    if before is not None:
        assert sum(standin.requests().values()) == before  # the server was not asked


def test_unreachable_server_still_prints_the_token(run, db, standin):
    db.insert("session-x", None, "active")
    r = run("token", "create", "--session", session_of(db, "session-x"), "--identity", "m",
            url="http://127.0.0.1:1", timeout=60)
    assert r.code == 0, r.stderr
    assert r.stdout.count(".") == 2
    warnings = [l for l in r.stderr.splitlines() if l.startswith("warning:")]
    assert len(warnings) == 1 and "could not ask the server" in warnings[0], r.stderr
    assert "--no-server-check" in warnings[0]


# ---- token inspect --check-server: the identity in the room --------------------------------

def test_check_server_warns_when_the_identity_is_already_connected(run, standin, provider):
    if provider != "livekit":
        return  # Twilio has no validation endpoint: --check-server is LiveKit's
    standin.seed_room("demo", participants=["alice"])
    now = int(time.time())
    r = run("token", "inspect", "--check-server", "--json", lk_token(join_claims(now, now + 600)))
    assert r.code == 0, r.stdout + r.stderr  # a warning, not a failure
    doc = json.loads(r.stdout)
    found = [d for d in doc["diagnoses"] if d["code"] == "identity_connected"]
    assert len(found) == 1 and found[0]["severity"] == "warning"
    assert '"alice"' in found[0]["message"] and "disconnects" in found[0]["message"]
    assert "own identity" in found[0]["message"]
    other = run("token", "inspect", "--check-server", "--json",
                lk_token(join_claims(now, now + 600, identity="bob")))
    assert other.code == 0
    assert not [d for d in json.loads(other.stdout)["diagnoses"]
                if d["code"] == "identity_connected"]


# ---- the server's own words, attributed -----------------------------------------------------

def test_expired_token_from_elsewhere_is_expired_not_the_clock(run, standin, provider):
    if provider != "livekit":
        return
    standin.control("config", {"date_offset_seconds": 300})  # and the clocks differ, too
    now = int(time.time())
    jwt = lk_token(join_claims(now - 3 * 3600, now - 2 * 3600))
    r = run("token", "inspect", "--check-server", jwt)
    assert r.code == 5
    server = [l for l in r.stdout.splitlines() if l.startswith("server")][0]
    assert "token expired 2h ago" in server, server
    assert "clock is" not in server and "NTP" not in server, server
    assert 'server said: "invalid authorization token: token has invalid claims: token is ' \
           'expired"' in server, server
    doc = json.loads(run("token", "inspect", "--check-server", "--json", jwt).stdout)
    assert doc["server"]["server_message"] == \
        "invalid authorization token: token has invalid claims: token is expired"


def test_token_valid_here_but_server_ahead_blames_the_clocks(run, standin, provider):
    if provider != "livekit":
        return
    standin.control("config", {"date_offset_seconds": 7200})
    now = int(time.time())
    r = run("token", "inspect", "--check-server", lk_token(join_claims(now, now + 3600)))
    assert r.code == 5
    server = [l for l in r.stdout.splitlines() if l.startswith("server")][0]
    assert "valid by this machine's clock" in server, server
    assert "server's clock is ahead" in server and "NTP" in server, server
    assert "server said:" in server
