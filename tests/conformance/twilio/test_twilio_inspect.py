"""Conformance: tokens minted by twilio-python's AccessToken are read by `token inspect`.

`roomctl --provider twilio token inspect --json TOKEN` with TWILIO_ACCOUNT_SID /
TWILIO_API_KEY / TWILIO_API_SECRET set must report provider twilio, a valid signature,
the identity and room the official library put in, and refuse a 25 h token (Twilio caps
lifetimes at 24 h, error 20157) with exit 5.

The binary comes from ROOMCTL_BIN. Without a usable binary these tests are skipped
locally and FAIL when CI=true.

Run: ROOMCTL_BIN=build/commands/roomctl \
     /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/conformance/twilio
"""
import json
import os
import subprocess
import tempfile

import pytest

pytest.importorskip("twilio", reason="apt-get install python3-twilio")
from twilio.jwt.access_token import AccessToken  # noqa: E402
from twilio.jwt.access_token.grants import VideoGrant  # noqa: E402

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
API_KEY = "SK" + "89abcdef01234567" * 2
API_SECRET = "conformance-twilio-inspect-secret-0123456789"
IN_CI = os.environ.get("CI", "").lower() == "true"
# roomctl exit codes (README "Exit codes").
EXIT_OK, EXIT_USAGE, EXIT_INVALID = 0, 2, 5


@pytest.fixture(scope="module")
def roomctl_bin():
    path = os.environ.get("ROOMCTL_BIN", "")
    problem = None
    if not path:
        problem = "ROOMCTL_BIN is not set"
    elif not (os.path.isfile(path) and os.access(path, os.X_OK)):
        problem = f"ROOMCTL_BIN={path} is not an executable file"
    if problem:
        if IN_CI:
            pytest.fail(f"required under CI=true: {problem}")
        pytest.skip(problem)
    return path


def inspect(binary, *args, stdin=None, secret=API_SECRET):
    """Runs `token inspect --json` with only the Twilio credentials this test gives it."""
    with tempfile.TemporaryDirectory(prefix="roomctl-conf-") as home:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TWILIO_", "LIVEKIT_", "ROOMCTL_"))}
        env.update({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_API_KEY": API_KEY,
                    "TWILIO_API_SECRET": secret, "XDG_CONFIG_HOME": home,
                    "HOME": home, "NO_COLOR": "1"})
        r = subprocess.run([binary, "--provider", "twilio", "token", "inspect", "--json", *args],
                           env=env, capture_output=True, text=True, timeout=30,
                           input=stdin if stdin is not None else "")
    doc = json.loads(r.stdout) if r.stdout.strip() else None
    return r, doc


def official_token(identity="alice", room="session-P46odHdPO0wJ", ttl=3600):
    token = AccessToken(ACCOUNT_SID, API_KEY, API_SECRET, identity=identity, ttl=ttl)
    token.add_grant(VideoGrant(room=room) if room else VideoGrant())
    jwt = token.to_jwt()
    return jwt.decode() if isinstance(jwt, bytes) else jwt


def codes(doc):
    return [d["code"] for d in doc["diagnoses"]]


@pytest.mark.parametrize("identity,room", [("alice", "session-P46odHdPO0wJ"),
                                           ("bob@example.com", "RM" + "0" * 32),
                                           ("carol", None)])
def test_official_token_is_read(roomctl_bin, identity, room):
    jwt = official_token(identity, room)
    r, doc = inspect(roomctl_bin, "--for", "join", jwt)
    # Report exit status and stderr only: the environment holds the secret.
    assert r.returncode == EXIT_OK, f"exit {r.returncode}: {r.stderr}"
    assert doc["provider"] == "twilio"
    assert doc["signature"] == "valid"
    assert doc["valid"] is True
    assert codes(doc) == []
    assert doc["identity"] == identity
    assert doc["grants"]["identity"] == identity
    assert doc["grants"]["video"] == ({"room": room} if room else {})
    assert doc["header"] == {"typ": "JWT", "alg": "HS256", "cty": "twilio-fpa;v=1"}
    assert doc["claims"]["iss"] == API_KEY and doc["claims"]["sub"] == ACCOUNT_SID
    assert jwt not in r.stdout and jwt not in r.stderr, "the token is never printed"
    assert API_SECRET not in r.stdout and API_SECRET not in r.stderr


def test_room_match_and_mismatch(roomctl_bin):
    jwt = official_token(room="session-a")
    r, doc = inspect(roomctl_bin, "--for", "join", "--room", "session-a", jwt)
    assert r.returncode == EXIT_OK, r.stderr
    r, doc = inspect(roomctl_bin, "--for", "join", "--room", "session-b", jwt)
    assert r.returncode == EXIT_INVALID, r.stderr
    assert codes(doc) == ["room_mismatch"]


def test_read_from_stdin(roomctl_bin):
    r, doc = inspect(roomctl_bin, "-", stdin=official_token() + "\n")
    assert r.returncode == EXIT_OK, r.stderr
    assert doc["signature"] == "valid"


def test_25h_token_is_over_twilios_cap(roomctl_bin):
    r, doc = inspect(roomctl_bin, official_token(ttl=90000))
    assert r.returncode == EXIT_INVALID, f"exit {r.returncode}: {r.stderr}"
    assert doc["valid"] is False
    assert doc["signature"] == "valid"
    assert codes(doc) == ["twilio_ttl_over_24h"]
    assert "24 h" in doc["diagnoses"][0]["message"]


def test_other_secret_is_an_invalid_signature(roomctl_bin):
    r, doc = inspect(roomctl_bin, official_token(), secret=API_SECRET + "-rotated")
    assert r.returncode == EXIT_INVALID, r.stderr
    assert doc["signature"] == "invalid"
    assert codes(doc) == ["bad_signature"]


def test_check_server_is_a_usage_error_for_twilio(roomctl_bin):
    r, _ = inspect(roomctl_bin, "--check-server", official_token())
    assert r.returncode == EXIT_USAGE, r.stderr
    assert "no token validation endpoint" in r.stderr
