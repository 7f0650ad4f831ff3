"""Secrets stay where they belong, with real config files:
a profile's credentials come as one set, an account and a key from two layers are refused,
config files others can write are refused, no credential goes over plain http to another
machine, stray whitespace in a secret file is noted, and only the provider in use has its
secret files read."""
import os

import pytest

from conftest import (API_SECRET, TWILIO_ACCOUNT, TWILIO_AUTH_TOKEN, TWILIO_KEY,
                      TWILIO_SECRET)

CONFIG = 3
LIVEKIT = pytest.mark.parametrize("provider", ["livekit"])
TWILIO = pytest.mark.parametrize("provider", ["twilio"])
OTHER_ACCOUNT = "AC" + "f" * 32
NO_TWILIO_ENV = {"TWILIO_ACCOUNT_SID": "", "TWILIO_API_KEY": "", "TWILIO_API_SECRET": "",
                 "TWILIO_AUTH_TOKEN": ""}


def one_error_line(r, code):
    assert r.code == code, (r.code, r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("roomctl: error: "), r.stderr
    assert r.stdout == ""
    return lines[0]


def private(path, text, mode=0o600):
    path.write_text(text)
    path.chmod(mode)
    return path


def staging_and_prod(run, tmp_path):
    """Staging's (wrong) key at the top level; prod's account and Auth Token in the profile."""
    private(tmp_path / "staging.secret", "not-the-secret\n")
    private(tmp_path / "prod.token", TWILIO_AUTH_TOKEN + "\n")
    return private(tmp_path / "c.toml", run.config.read_text() + f'''
[twilio]
account_sid = "{OTHER_ACCOUNT}"
api_key = "{TWILIO_KEY}"
api_secret_file = "staging.secret"

[profiles.prod.twilio]
account_sid = "{TWILIO_ACCOUNT}"
auth_token_file = "prod.token"
''')


# ---- credentials come from one place --------------------------------------------------------

@TWILIO
def test_a_profile_account_runs_with_its_own_token_not_the_top_level_key(run, db, standin,
                                                                        tmp_path):
    cfg = staging_and_prod(run, tmp_path)
    env = {**NO_TWILIO_ENV, "ROOMCTL_CONFIG": str(cfg)}
    r = run("--profile", "prod", "audit", env=env)
    assert r.code == 0, r.stderr  # with staging's key (a key wins over a token) this was 4
    doc = run("--profile", "prod", "config", "show", "--json", env=env).json
    by_key = {s["key"]: s for s in doc["settings"]}
    assert by_key["twilio.auth_token"]["detail"] == f"{cfg} [profiles.prod]"
    assert by_key["twilio.account_sid"]["detail"] == f"{cfg} [profiles.prod]"
    assert by_key["twilio.api_key"]["value"] is None  # not inherited from the top level
    assert doc["credential_conflict"] is None


@TWILIO
def test_an_auth_token_in_the_environment_with_a_profile_key_is_refused(run, db, standin,
                                                                       tmp_path):
    private(tmp_path / "prod.secret", TWILIO_SECRET + "\n")
    cfg = private(tmp_path / "c.toml", run.config.read_text() + f'''
[profiles.prod.twilio]
account_sid = "{TWILIO_ACCOUNT}"
api_key = "{TWILIO_KEY}"
api_secret_file = "prod.secret"
''')
    db.insert("session-a", None, "true")
    before = standin.rooms()
    env = {**NO_TWILIO_ENV, "ROOMCTL_CONFIG": str(cfg), "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN}
    for args in (["recreate", "--apply"], ["audit"]):
        line = one_error_line(run("--profile", "prod", *args, env=env), CONFIG)
        assert (f"twilio.account_sid from file {cfg} [profiles.prod] but twilio.auth_token from "
                "env TWILIO_AUTH_TOKEN") in line, (args, line)
        assert TWILIO_AUTH_TOKEN not in line
    r = run("--profile", "prod", "check", env=env)
    assert r.code != 0 and "come from two places" in r.stdout + r.stderr, (r.stdout, r.stderr)
    assert standin.rooms() == before
    assert db.execute(f"SELECT twilio_room_sid FROM {db.table}") == [(None,)]
    # config show still shows where each came from, and says what a command would refuse.
    r = run("--profile", "prod", "config", "show", env=env)
    assert r.code == 0, r.stderr
    assert "refused: Twilio credentials come from two places" in r.stdout
    assert TWILIO_AUTH_TOKEN not in r.stdout + r.stderr


# ---- a config file others can write is refused ----------------------------------------------

@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_config_file_others_can_write_is_refused(run, standin, tmp_path, mode):
    # No secret in it, but it directs the environment's credentials to its URL.
    key = "url" if standin.provider == "livekit" else "base_url"
    cfg = private(tmp_path / "c.toml", run.config.read_text() +
                  f'[{standin.provider}]\n{key} = "{standin.url}"\n', mode=mode)
    before = standin.requests()
    line = one_error_line(run("audit", env={"ROOMCTL_CONFIG": str(cfg)}), CONFIG)
    assert line.startswith(f"roomctl: error: config file {cfg} is writable by "), line
    assert line.endswith(f"chmod go-w {cfg}"), line
    assert standin.requests() == before
    os.chmod(cfg, 0o644)
    assert run("audit", env={"ROOMCTL_CONFIG": str(cfg)}).code == 0


@LIVEKIT
def test_a_config_file_owned_by_another_user_is_refused(run, standin, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
    cfg = private(tmp_path / "c.toml", run.config.read_text(), mode=0o644)
    os.chown(cfg, 4242, 4242)
    line = one_error_line(run("audit", env={"ROOMCTL_CONFIG": str(cfg)}), CONFIG)
    assert f"config file {cfg} is owned by uid 4242" in line and f"chown 0 {cfg}" in line, line
    os.chown(cfg, 0, 0)
    assert run("audit", env={"ROOMCTL_CONFIG": str(cfg)}).code == 0


def test_a_secret_file_others_can_write_is_refused(run, standin, tmp_path):
    secret = private(tmp_path / "s", (API_SECRET if standin.provider == "livekit"
                                      else TWILIO_SECRET) + "\n", mode=0o622)
    line = one_error_line(run("audit", "--api-secret-file", str(secret),
                              env={"LIVEKIT_API_SECRET": "", "TWILIO_API_SECRET": ""}), CONFIG)
    assert f"secret file {secret} is writable by" in line and f"chmod go-w {secret}" in line


# ---- no credential over plain http to another machine ---------------------------------------

def test_plain_http_to_another_machine_is_refused_before_any_request(run, standin):
    for url in ("http://roomctl-test.invalid:7880", "http://10.255.255.1"):
        r = run("audit", url=url)
        line = one_error_line(r, CONFIG)
        assert f'"{url}"' in line and "would send credentials unencrypted" in line, line
        assert r.elapsed < 5
    # The stand-in on loopback keeps working over plain http.
    assert run("audit").code == 0


# ---- secret files say what they hold --------------------------------------------------------

@pytest.mark.parametrize("tail", ["\r\n", "\n\n", "  \n"])
def test_trailing_whitespace_in_a_secret_file_is_stripped_and_said(run, standin, tmp_path, tail):
    secret = private(tmp_path / "s", (API_SECRET if standin.provider == "livekit"
                                      else TWILIO_SECRET) + tail)
    r = run("audit", "--api-secret-file", str(secret),
            env={"LIVEKIT_API_SECRET": "", "TWILIO_API_SECRET": ""})
    assert r.code == 0, r.stderr  # the stripped secret authenticates
    warnings = [l for l in r.stderr.splitlines() if l.startswith("warning:")]
    assert warnings == [f"warning: secret file {secret} (from --api-secret-file) ends in "
                        "whitespace beyond one final newline (CRLF, spaces or blank lines); "
                        "roomctl ignores it: remove it from the file"], r.stderr


def test_the_other_providers_secret_files_are_not_read(run, standin, tmp_path):
    other = "twilio" if standin.provider == "livekit" else "livekit"
    unreadable = private(tmp_path / "unreadable.secret", "x\n", mode=0o000)
    cfg = private(tmp_path / "c.toml", run.config.read_text() + f'''
[{other}]
api_secret_file = "{tmp_path / 'missing.secret'}"
''' + ('auth_token_file = "unreadable.secret"\n' if other == "twilio" else ""))
    env = {"ROOMCTL_CONFIG": str(cfg), "LIVEKIT_API_SECRET_FILE": str(unreadable)
           if other == "livekit" else ""}
    r = run("audit", env=env)
    assert r.code == 0, r.stderr
    doc = run("config", "show", "--json", env=env).json
    shown = {s["key"]: s["value"] for s in doc["settings"]}[f"{other}.api_secret"]
    assert "not read: provider is " + standin.provider in shown, shown
