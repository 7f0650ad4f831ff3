"""config init (flags off a terminal, prompts on one), config set and config profiles (the
LiveKit CLI's and twilio-cli's profiles read in place), end to end against the stand-in."""

import json
import os
import pty
import select
import stat
import subprocess
import time

import pytest

from conftest import API_KEY, API_SECRET

LIVEKIT = pytest.mark.parametrize("provider", ["livekit"])


def clean_env(run, tmp_path, **extra):
    """run's environment without a config file or database URL, HOME in the test."""
    e = run.env()
    for k in ("ROOMCTL_CONFIG", "ROOMCTL_DATABASE_URL"):
        e.pop(k, None)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    e["HOME"] = str(home)
    e.update(extra)
    return e


def roomctl(roomctl_bin, *args, env):
    return subprocess.run([roomctl_bin, *args], env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@LIVEKIT
def test_init_from_flags_writes_a_private_file_and_runs_check(run, roomctl_bin, tmp_path,
                                                               standin, db, pg_url):
    env = clean_env(run, tmp_path)
    target = tmp_path / "new" / "roomctl" / "config.toml"
    args = ["--provider", "livekit", "--url", standin.url, "--database-url", pg_url,
            "--table", db.table, "config", "init", "--path", str(target)]
    r = roomctl(roomctl_bin, *args, env=env)
    assert r.returncode == 0, r.stderr
    assert mode(target) == 0o600 and mode(target.parent) == 0o700
    assert "check passed" in r.stderr
    assert db.table in target.read_text()
    # The file works on its own (key and secret still from the environment).
    r = roomctl(roomctl_bin, "--config", str(target), "config", "show", "--json", env=env)
    assert r.returncode == 0, r.stderr
    before = target.read_text()
    # Never replaced without --force, and the refusal comes before anything else.
    r = roomctl(roomctl_bin, *args, env=env)
    assert r.returncode != 0
    assert "already exists" in r.stderr and "--force" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert target.read_text() == before
    r = roomctl(roomctl_bin, "--provider", "livekit", "--url", standin.url, "--database-url",
                pg_url, "--table", "other_table", "config", "init", "--path", str(target),
                "--force", env=env)
    assert "other_table" in target.read_text()
    assert r.returncode == 5, r.stderr  # check runs and reports the missing table
    assert "check exited 5" in r.stderr


@LIVEKIT
def test_init_off_a_terminal_names_the_missing_flag(run, roomctl_bin, tmp_path, standin, db):
    env = clean_env(run, tmp_path)
    target = tmp_path / "c.toml"
    r = roomctl(roomctl_bin, "--provider", "livekit", "--url", standin.url, "config", "init",
                "--path", str(target), env=env)
    assert r.returncode == 2, r.stderr
    assert "--database-url" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not target.exists()


@LIVEKIT
def test_set_edits_one_key_and_refuses_secrets(run, roomctl_bin, tmp_path, standin, db, pg_url):
    env = clean_env(run, tmp_path)
    target = tmp_path / "xdg" / "roomctl" / "config.toml"  # the XDG default
    r = roomctl(roomctl_bin, "config", "set", "livekit.url", standin.url, env=env)
    assert r.returncode == 0, r.stderr
    assert mode(target) == 0o600
    r = roomctl(roomctl_bin, "config", "set", "rooms.table", db.table, env=env)
    assert r.returncode == 0, r.stderr
    r = roomctl(roomctl_bin, "config", "show", "--json", env=env)
    shown = json.dumps(json.loads(r.stdout))
    assert standin.url in shown and db.table in shown
    r = roomctl(roomctl_bin, "config", "set", "livekit.api_secret", "hunter2-secret", env=env)
    assert r.returncode == 2
    assert "hunter2-secret" not in r.stderr and "api_secret_file" in r.stderr
    r = roomctl(roomctl_bin, "config", "set", "cleanup.min_age", "10", env=env)
    assert r.returncode == 2 and "10m" in r.stderr, r.stderr
    assert "min_age" not in target.read_text()
    r = roomctl(roomctl_bin, "--database-url", pg_url, "check", env=env)
    assert r.returncode == 0, r.stdout + r.stderr


@LIVEKIT
def test_set_never_replaces_a_file_it_cannot_read(run, roomctl_bin, tmp_path):
    """A config path roomctl cannot read (root reads any file, so a directory stands in for an
    unreadable one) is one line naming it, exit 3, and nothing is written in its place."""
    env = clean_env(run, tmp_path)
    target = tmp_path / "config.toml"
    target.mkdir()
    (target / "keep").write_text("x")
    r = roomctl(roomctl_bin, "--config", str(target), "config", "set", "livekit.url",
                "http://127.0.0.1:7880", env=env)
    assert r.returncode == 3, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot read {target}" in lines[0], r.stderr
    assert target.is_dir() and (target / "keep").read_text() == "x"
    assert not list(tmp_path.glob("config.toml.*")), "no temporary file is left behind"


@LIVEKIT
def test_profiles_offers_lk_and_twilio_profiles_read_in_place(run, roomctl_bin, tmp_path,
                                                              standin, db, pg_url):
    env = clean_env(run, tmp_path, ROOMCTL_DATABASE_URL=pg_url)
    for k in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET"):
        env.pop(k)
    home = tmp_path / "home"
    (home / ".livekit").mkdir()
    lk = home / ".livekit" / "cli-config.yaml"
    lk.write_text(f"default_project: stand\nprojects:\n  - name: stand\n    url: {standin.url}\n"
                  f"    api_key: {API_KEY}\n    api_secret: {API_SECRET}\n")
    lk.chmod(0o600)
    (home / ".twilio-cli").mkdir()
    (home / ".twilio-cli" / "config.json").write_text(json.dumps(
        {"profiles": {"main": {"accountSid": "AC" + "0" * 32, "region": "ie1"}},
         "activeProfile": "main"}))
    r = roomctl(roomctl_bin, "config", "profiles", env=env)
    assert r.returncode == 0, r.stderr
    assert "lk:stand" in r.stdout and "twilio:main" in r.stdout
    assert "TWILIO_API_SECRET" in r.stdout
    assert API_SECRET not in r.stdout + r.stderr
    r = roomctl(roomctl_bin, "--profile", "lk:stand", "--table", db.table, "check", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    # Read in place: a change to lk's file is seen by the next run.
    lk.write_text(lk.read_text().replace(API_SECRET, "not-the-secret-000000000000000000"))
    r = roomctl(roomctl_bin, "--profile", "lk:stand", "--table", db.table, "check", env=env)
    assert r.returncode != 0
    r = roomctl(roomctl_bin, "--profile", "lk:missing", "check", env=env)
    assert r.returncode == 3 and "lk:stand" in r.stderr


def answer_prompts(roomctl_bin, args, env, answers, timeout=60):
    """Runs roomctl on a pseudo-terminal and types each answer after the prompt that contains
    its key; returns (exit code, everything the terminal showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([roomctl_bin, *args], env=env, stdin=slave, stdout=slave,
                            stderr=slave)
    os.close(slave)
    seen = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("roomctl did not finish: " + seen.decode(errors="replace"))
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            while pending and pending[0][0].encode() in seen.split(b"\n")[-1]:
                os.write(master, pending.pop(0)[1].encode() + b"\n")
    finally:
        os.close(master)
    proc.wait(timeout=timeout)
    return proc.returncode, seen.decode(errors="replace").replace("\r\n", "\n")


@LIVEKIT
def test_init_on_a_terminal_asks_and_never_shows_the_secret(run, roomctl_bin, tmp_path,
                                                             standin, db, pg_url):
    env = clean_env(run, tmp_path, TERM="xterm")
    env.pop("LIVEKIT_API_SECRET")
    target = tmp_path / "cfg" / "config.toml"
    code, screen = answer_prompts(roomctl_bin, ["config", "init", "--path", str(target)], env, [
        ("provider", "livekit"),
        ("LiveKit URL", standin.url),
        ("API key", API_KEY),
        ("File holding the API secret", "-"),
        ("API secret (not shown)", API_SECRET),
        ("Database URL", pg_url),
        ("Room table", db.table),
    ])
    assert code == 0, screen
    assert API_SECRET not in screen, screen
    secret_file = target.parent / "livekit_api_secret"
    assert secret_file.read_text() == API_SECRET + "\n"
    assert mode(secret_file) == 0o600 and mode(target) == 0o600
    assert str(secret_file) in target.read_text()
    assert API_SECRET not in target.read_text()
    assert "check passed" in screen
