"""check and token create, end to end."""
import base64
import json

import pytest

from conftest import API_KEY, API_SECRET, unused_port

# LiveKit's probes and tokens; Twilio's are in test_twilio.py.
pytestmark = pytest.mark.parametrize("provider", ["livekit"])


def probes(result):
    return {p["name"]: p for p in result.json["probes"]}


def test_check_passes_every_layer(run, db, standin):
    r = run("check", "--json")
    assert r.code == 0, r.stdout + r.stderr
    p = probes(r)
    assert set(p) == {"server.reach", "server.health", "server.clock", "server.auth",
                      "server.join", "server.signal", "database.connect", "database.mapping", "database.rls",
                      "database.session"}
    assert all(v["status"] == "ok" for v in p.values()), p
    assert "PostgreSQL" in p["database.connect"]["message"]
    assert db.table.split(".")[1] in p["database.mapping"]["message"]


def test_check_names_a_wrong_secret(run, standin):
    r = run("check", "--json", secret="not-the-secret")
    assert r.code == 5
    p = probes(r)
    assert p["server.reach"]["status"] == "ok"
    assert p["server.auth"]["status"] == "failed"
    # roomctl's reading, then the server's own words (issue 16 item 3).
    assert p["server.auth"]["message"] == \
        f"API secret does not match key {API_KEY}: signature rejected; server said: " \
        '"invalid authorization token: token signature is invalid: signature is invalid"'
    assert "not-the-secret" not in r.stdout + r.stderr


def test_check_names_an_unknown_key(run, standin):
    r = run("check", "--only", "server", "--json", env={"LIVEKIT_API_KEY": "APIunknown"})
    assert r.code == 5
    assert "API key APIunknown is not known" in probes(r)["server.auth"]["message"]


def test_check_connection_refused_in_plain_words(run):
    port = unused_port()
    r = run("check", "--only", "server", url=f"http://127.0.0.1:{port}")
    assert r.code == 5
    assert f"connection refused at 127.0.0.1:{port}" in r.stdout
    assert "skip" in r.stdout  # layers above reach are skipped, not failed


def test_check_reports_clock_skew(run, standin):
    standin.control("config", {"date_offset_seconds": 300})
    r = run("check", "--only", "server", "--json")
    assert r.code == 5
    clock = probes(r)["server.clock"]
    assert clock["status"] == "failed"
    assert "300 s ahead of this machine" in clock["message"]


def test_check_hanging_server_is_bounded(run, standin):
    standin.fault(method="health", delay_ms=8000)
    r = run("check", "--only", "server", "--probe-timeout", "1s", "--json")
    assert r.code == 5
    assert r.elapsed < 6
    assert "no answer from" in probes(r)["server.reach"]["message"]


def test_check_missing_mapping_column_is_named(run, db, standin):
    db.execute(f"ALTER TABLE {db.table} RENAME COLUMN room_sid TO livekit_sid")
    r = run("check", "--json")
    assert r.code == 5
    msg = probes(r)["database.mapping"]["message"]
    assert "room_sid" in msg and "does not exist" in msg


def test_check_never_prints_secrets(run, standin, db):
    r = run("check", "-v", "--json")
    assert API_SECRET not in r.stdout + r.stderr
    assert "turn_password" not in r.stdout + r.stderr


def decode(jwt):
    parts = jwt.split(".")
    assert len(parts) == 3
    pad = lambda s: s + "=" * (-len(s) % 4)
    return (json.loads(base64.urlsafe_b64decode(pad(parts[0]))),
            json.loads(base64.urlsafe_b64decode(pad(parts[1]))))


def test_token_create_prints_only_the_jwt(run):
    r = run("token", "create", "--join", "--room", "session-42", "--identity", "alice",
            "--ttl", "10m")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1
    header, claims = decode(lines[0])
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert claims["iss"] == API_KEY and claims["sub"] == "alice"
    assert claims["video"] == {"roomJoin": True, "room": "session-42"}
    assert claims["exp"] - claims["nbf"] == 600


def test_token_create_json_has_claims_and_expiry(run):
    r = run("token", "create", "--list", "--create", "--json")
    assert r.code == 0, r.stderr
    doc = r.json
    assert doc["command"] == "token create" and doc["schema_version"] == 1
    assert doc["claims"]["video"] == {"roomList": True, "roomCreate": True}
    assert "sub" not in doc["claims"]
    assert doc["expires_at"].endswith("Z")
    assert decode(doc["token"])[1] == doc["claims"]


def test_token_is_accepted_by_the_server(run, standin):
    import urllib.request
    jwt = run("token", "create", "--join", "--room", "r", "--identity", "u").stdout.strip()
    with urllib.request.urlopen(f"{standin.url}/rtc/validate?access_token={jwt}") as resp:
        assert resp.read() == b"success"


def test_token_create_refuses_unclear_requests(run):
    no_grant = run("token", "create", "--identity", "a")
    assert no_grant.code == 2 and "no grant given" in no_grant.stderr
    no_identity = run("token", "create", "--join", "--room", "r")
    assert no_identity.code == 2 and "--identity" in no_identity.stderr
    long_room = run("token", "create", "--join", "--identity", "a", "--room", "r" * 300)
    assert long_room.code == 2 and "300 bytes" in long_room.stderr
    bad_ttl = run("token", "create", "--list", "--ttl", "ten minutes")
    assert bad_ttl.code == 2 and "invalid duration" in bad_ttl.stderr
    for r in (no_grant, no_identity, long_room, bad_ttl):
        assert r.stdout == "" and len(r.error_lines()) == 1


def test_token_create_without_secret_is_a_config_error(run):
    r = run("token", "create", "--list", secret="")
    assert r.code == 3
    assert "LIVEKIT_API_SECRET" in r.stderr


def test_libpq_variables_alone_reach_the_database(run, db, pg_url):
    from urllib.parse import urlparse
    u = urlparse(pg_url)
    r = run("check", "--only", "database", "--json",
            env={"ROOMCTL_DATABASE_URL": "", "PGHOST": u.hostname, "PGPORT": str(u.port),
                 "PGUSER": u.username, "PGPASSWORD": u.password,
                 "PGDATABASE": u.path.lstrip("/")})
    assert r.code == 0, r.stdout + r.stderr
