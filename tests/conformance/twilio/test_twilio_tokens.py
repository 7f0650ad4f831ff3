"""Conformance: Twilio access tokens minted by roomctl, checked with the official libraries.

`roomctl --provider twilio token create --identity alice --room R [--ttl 1h] [--json]`
reads TWILIO_ACCOUNT_SID / TWILIO_API_KEY / TWILIO_API_SECRET and prints only the JWT.
Each token is verified with PyJWT (python3-jwt) and with twilio-python's own decoder
(`twilio.jwt.access_token.AccessToken.from_jwt`), and its layout is compared with a
token minted by `twilio.jwt.access_token.AccessToken` + `VideoGrant`.

The binary comes from ROOMCTL_BIN. Without a usable binary these tests are skipped
locally and FAIL when CI=true.

Run: ROOMCTL_BIN=build/commands/roomctl \
     /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/conformance/twilio
"""
import json
import os
import re
import subprocess
import tempfile
import time

import pytest

jwt = pytest.importorskip("jwt", reason="apt-get install python3-jwt")
pytest.importorskip("twilio", reason="apt-get install python3-twilio")
from twilio.jwt import JwtDecodeError  # noqa: E402
from twilio.jwt.access_token import AccessToken  # noqa: E402
from twilio.jwt.access_token.grants import VideoGrant  # noqa: E402

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
API_KEY = "SK" + "89abcdef01234567" * 2
API_SECRET = "conformance-twilio-secret-0123456789abcdef"
IDENTITY, ROOM = "alice", "R"
HEADER = {"typ": "JWT", "alg": "HS256", "cty": "twilio-fpa;v=1"}
JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
IN_CI = os.environ.get("CI", "").lower() == "true"
# The issue-time claims: twilio-python emits `nbf` (= now) and no `iat`; twilio-node
# emits `iat` and `nbf` only when asked. Either (or both) is accepted; the rest of the
# claim set must match the official library's exactly.
ISSUE_TIME_CLAIMS = {"iat", "nbf"}


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


def run_roomctl(binary, *args):
    """Runs roomctl with only the Twilio credentials this test gives it."""
    with tempfile.TemporaryDirectory(prefix="roomctl-conf-") as home:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TWILIO_", "LIVEKIT_", "ROOMCTL_"))}
        env.update({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_API_KEY": API_KEY,
                    "TWILIO_API_SECRET": API_SECRET, "XDG_CONFIG_HOME": home,
                    "HOME": home, "NO_COLOR": "1"})
        return subprocess.run([binary, "--provider", "twilio", "token", "create", *args],
                              env=env, capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)


def mint(binary, *extra):
    r = run_roomctl(binary, "--identity", IDENTITY, "--room", ROOM, *extra)
    # Report exit status and stderr only: the environment holds the secret.
    assert r.returncode == 0, f"exit {r.returncode}: {r.stderr}"
    assert r.stdout.endswith("\n"), "stdout ends with a newline"
    token = r.stdout.strip()
    assert JWT_SHAPE.match(token), f"stdout holds only the JWT, got {r.stdout!r}"
    return token


def decode(token):
    return jwt.decode(token, API_SECRET, algorithms=["HS256"])


def issue_time(claims):
    present = ISSUE_TIME_CLAIMS & set(claims)
    assert present, "the token carries neither iat nor nbf"
    times = {claims[k] for k in present}
    assert len(times) == 1, f"iat and nbf disagree: {claims}"
    t = times.pop()
    assert isinstance(t, int)
    return t


def official_token(ttl=3600):
    token = AccessToken(ACCOUNT_SID, API_KEY, API_SECRET, identity=IDENTITY, ttl=ttl)
    token.add_grant(VideoGrant(room=ROOM))
    return token.to_jwt()


@pytest.mark.parametrize("ttl,seconds", [(None, 3600), ("1h", 3600), ("90s", 90),
                                         ("10m", 600), ("24h", 86400)])
def test_header_and_claims(roomctl_bin, ttl, seconds):
    before = int(time.time())
    token = mint(roomctl_bin, *(["--ttl", ttl] if ttl else []))
    after = int(time.time())
    assert jwt.get_unverified_header(token) == HEADER
    claims = decode(token)
    t = issue_time(claims)
    assert before - 1 <= t <= after + 1
    assert claims["iss"] == API_KEY
    assert claims["sub"] == ACCOUNT_SID
    assert claims["jti"] == f"{API_KEY}-{t}"
    assert claims["exp"] - t == seconds
    assert claims["grants"] == {"identity": IDENTITY, "video": {"room": ROOM}}


def test_twilio_python_decodes_it(roomctl_bin):
    token = mint(roomctl_bin, "--ttl", "1h")
    decoded = AccessToken.from_jwt(token, API_SECRET)
    assert decoded.payload == decode(token)
    assert decoded.headers == HEADER
    assert decoded.issuer == API_KEY and decoded.subject == ACCOUNT_SID


def test_layout_matches_the_official_library(roomctl_bin):
    ours = mint(roomctl_bin, "--ttl", "1h")
    theirs = official_token(ttl=3600)
    assert jwt.get_unverified_header(ours).keys() == jwt.get_unverified_header(theirs).keys()
    assert jwt.get_unverified_header(ours) == jwt.get_unverified_header(theirs)
    a, b = decode(ours), decode(theirs)
    # Only iat/nbf may differ (see ISSUE_TIME_CLAIMS); everything else is the same set.
    assert set(a) - ISSUE_TIME_CLAIMS == set(b) - ISSUE_TIME_CLAIMS
    assert a["grants"] == b["grants"]
    assert (a["iss"], a["sub"]) == (b["iss"], b["sub"])
    assert a["exp"] - issue_time(a) == b["exp"] - issue_time(b) == 3600
    assert a["jti"].rsplit("-", 1)[0] == b["jti"].rsplit("-", 1)[0] == API_KEY


def test_wrong_secret_is_rejected(roomctl_bin):
    token = mint(roomctl_bin)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, API_SECRET + "x", algorithms=["HS256"])
    with pytest.raises(JwtDecodeError):
        AccessToken.from_jwt(token, "not-the-secret")


def test_json_output_carries_the_same_token(roomctl_bin):
    r = run_roomctl(roomctl_bin, "--identity", IDENTITY, "--room", ROOM, "--ttl", "1h", "--json")
    assert r.returncode == 0, f"exit {r.returncode}: {r.stderr}"
    doc = json.loads(r.stdout)
    token = doc["token"]
    assert JWT_SHAPE.match(token)
    claims = decode(token)
    assert claims["grants"] == {"identity": IDENTITY, "video": {"room": ROOM}}
    assert claims["exp"] - issue_time(claims) == 3600


def test_ttl_over_24h_is_a_usage_error(roomctl_bin):
    r = run_roomctl(roomctl_bin, "--identity", IDENTITY, "--room", ROOM, "--ttl", "25h")
    assert r.returncode == 2, f"exit {r.returncode}: {r.stderr}"
    assert re.search(r"24\s*h", r.stderr), r.stderr
    assert not JWT_SHAPE.match(r.stdout.strip()), "no token is printed"
