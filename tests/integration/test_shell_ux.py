"""Safe in cron and CI, pleasant at a shell: config profiles, `config show`, the permission
warning on config files holding secrets, colour only on terminals, and the progress bar of
long --apply runs (drawn only when stderr is a terminal)."""
import json
import os
import pty
import subprocess
import tty

import pytest

from conftest import API_SECRET, TWILIO_AUTH_TOKEN, TWILIO_SECRET, read_terminal

LIVEKIT = pytest.mark.parametrize("provider", ["livekit"])
TWILIO = pytest.mark.parametrize("provider", ["twilio"])
ESC = "\x1b"


def settings_by_key(doc):
    return {s["key"]: s for s in doc["settings"]}


def write_config(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(path, mode)
    return path


# ---- config show -------------------------------------------------------------------------

@LIVEKIT
def test_config_show_text_names_origins_and_hides_secrets(run, pg_url, db):
    r = run("--timeout", "7s", "config", "show")
    assert r.code == 0, r.stderr
    out = r.stdout
    assert f"config file: {run.config}" in out
    rows = {line.split()[0]: line for line in out.splitlines()[3:] if line.strip()}
    assert "env LIVEKIT_URL" in rows["livekit.url"]
    assert "env LIVEKIT_API_KEY" in rows["livekit.api_key"]
    assert "********" in rows["livekit.api_secret"] and "env LIVEKIT_API_SECRET" in rows["livekit.api_secret"]
    assert f"file {run.config}" in rows["rooms.table"] and db.table in rows["rooms.table"]
    assert "flag --timeout" in rows["request_timeout"] and "7s" in rows["request_timeout"]
    assert "default" in rows["rooms.name_column"]
    assert "env ROOMCTL_DATABASE_URL" in rows["database.url"]
    assert "roomctl:********@" in rows["database.url"]
    assert API_SECRET not in out + r.stderr
    assert "roomctl:roomctl@" not in out + r.stderr  # the test database's password


@LIVEKIT
def test_config_show_json(run, db):
    r = run("config", "show", "--json", "--table", "flag_rooms")
    assert r.code == 0, r.stderr
    doc = r.json
    assert doc["schema_version"] == 1 and doc["command"] == "config show"
    assert doc["config_file"] == str(run.config)
    assert doc["profile"] is None
    s = settings_by_key(doc)
    for entry in doc["settings"]:
        assert set(entry) == {"key", "value", "source", "detail"}
        assert entry["source"] in ("flag", "env", "file", "default")
    assert s["rooms.table"] == {"key": "rooms.table", "value": "flag_rooms", "source": "flag",
                                "detail": "--table"}
    assert s["livekit.url"]["source"] == "env" and s["livekit.url"]["detail"] == "LIVEKIT_URL"
    assert s["livekit.api_secret"]["value"] == "********"
    assert s["rooms.name_column"]["source"] == "default"
    assert s["ca_file"]["value"] is None
    assert API_SECRET not in r.stdout and "roomctl:roomctl@" not in r.stdout


@TWILIO
def test_config_show_hides_twilio_secret_and_auth_token(run):
    r = run("config", "show", "--json", env={"TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN})
    assert r.code == 0, r.stderr
    s = settings_by_key(r.json)
    assert s["provider"]["value"] == "twilio"
    assert s["twilio.api_secret"]["value"] == "********"
    assert s["twilio.auth_token"]["value"] == "********"
    assert s["twilio.auth_token"]["detail"] == "TWILIO_AUTH_TOKEN"
    text = run("config", "show", env={"TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN})
    for out in (r.stdout + r.stderr, text.stdout + text.stderr):
        assert TWILIO_SECRET not in out and TWILIO_AUTH_TOKEN not in out


PROFILES = """
[rooms]
table = "{table}"
[http]
timeout = "20s"

[profiles.staging.rooms]
table = "staging_rooms"
[profiles.staging.http]
timeout = "45s"

[profiles.ci.cleanup]
min_age = "1h"
"""


@LIVEKIT
def test_profile_by_flag_and_by_env(run, db):
    write_config(run.config, PROFILES.format(table=db.table))
    staged = [  # by flag, by environment
        run("--profile", "staging", "config", "show", "--json"),
        run("config", "show", "--json", env={"ROOMCTL_PROFILE": "staging"}),
    ]
    for r, (source, detail) in zip(staged, [("flag", "--profile"), ("env", "ROOMCTL_PROFILE")]):
        assert r.code == 0, r.stderr
        assert r.json["profile"] == "staging"
        s = settings_by_key(r.json)
        assert (s["profile"]["source"], s["profile"]["detail"]) == (source, detail)
        assert s["rooms.table"]["value"] == "staging_rooms"
        assert s["rooms.table"]["detail"] == f"{run.config} [profiles.staging]"
        assert s["request_timeout"]["value"] == "45s"
        assert s["cleanup.min_age"]["source"] == "default"  # ci's, not staging's

    # the flag beats the environment; env and flags beat the profile
    r = run("--profile", "ci", "--table", "t_flag", "config", "show", "--json",
            env={"ROOMCTL_PROFILE": "staging"})
    s = settings_by_key(r.json)
    assert r.json["profile"] == "ci"
    assert s["cleanup.min_age"]["value"] == "1h"
    assert s["rooms.table"]["value"] == "t_flag"
    assert s["request_timeout"]["value"] == "20s"
    assert s["request_timeout"]["detail"] == str(run.config)

    # text output names the profile too
    r = run("--profile", "staging", "config", "show")
    assert "profile:     staging" in r.stdout
    assert f"file {run.config} [profiles.staging]" in r.stdout

    # the profile applies to real commands: its table does not exist
    r = run("--profile", "staging", "audit")
    assert r.code == 3 and "staging_rooms" in r.stderr


@LIVEKIT
def test_unknown_profile_is_a_config_error_listing_the_others(run, db):
    write_config(run.config, PROFILES.format(table=db.table))
    r = run("--profile", "prod", "config", "show")
    assert r.code == 3
    assert r.error_lines() == [
        f'roomctl: error: unknown profile "prod" (flag --profile): {run.config} defines ci, staging']
    r = run("config", "show", "--json", env={"ROOMCTL_PROFILE": "prod"})
    assert r.code == 3 and "ci, staging" in r.json["error"]["message"]


# ---- permission warning ------------------------------------------------------------------

WARNING = "warning: config file {0} is readable by others and holds a secret; chmod 600 {0}"


@LIVEKIT
def test_world_readable_config_with_a_secret_warns_once(run, db):
    write_config(run.config, f'[rooms]\ntable = "{db.table}"\n[livekit]\napi_secret = "{API_SECRET}"\n',
                 mode=0o644)
    for args in (["config", "show"], ["audit"], ["audit", "--json"]):
        r = run(*args)
        assert r.code == 0, r.stderr
        warnings = [l for l in r.stderr.splitlines() if l.startswith("warning:")]
        assert warnings == [WARNING.format(run.config)], r.stderr
        assert API_SECRET not in r.stdout + r.stderr

    os.chmod(run.config, 0o600)
    r = run("audit")
    assert r.code == 0 and "warning:" not in r.stderr


@LIVEKIT
def test_readable_config_without_secret_or_with_password_url(run, db):
    write_config(run.config, f'[rooms]\ntable = "{db.table}"\n', mode=0o644)
    assert "warning:" not in run("config", "show").stderr
    write_config(run.config, '[database]\nurl = "postgresql://u:pw@db/app"\n', mode=0o640)
    r = run("config", "show")
    assert WARNING.format(run.config) in r.stderr.splitlines()


# ---- no escapes in pipes -----------------------------------------------------------------

@LIVEKIT
def test_piped_output_never_has_ansi_escapes(run, db, standin):
    # Everything that could colour: a terminal-like TERM, NO_COLOR unset.
    env = {"NO_COLOR": "", "TERM": "xterm-256color"}
    for i in range(8):
        db.insert(f"pipe-{i}")
    standin.seed_room("orphan-pipe", age_seconds=7200)
    write_config(run.config, f'[rooms]\ntable = "{db.table}"\n[livekit]\napi_secret = "{API_SECRET}"\n',
                 mode=0o644)  # draws a warning line
    runs = [
        run("config", "show", env=env),
        run("check", env=env),
        run("audit", env=env),
        run("rooms", "list", env=env),
        run("-v", "-v", "rooms", "list", env=env),
        run("recreate", "--apply", env=env),
        run("cleanup", env=env),
        run("rooms", "delete", "no-such-room", env=env),   # an error line
        run("no-such-command", env=env),                 # a usage error
    ]
    for r in runs:
        assert ESC not in r.stdout, r.stdout
        assert ESC not in r.stderr, r.stderr
        assert "\r" not in r.stderr  # no progress bar either
    assert any("warning:" in r.stderr for r in runs)
    assert any("roomctl: error:" in r.stderr for r in runs)
    assert runs[4].stderr.count("> POST") >= 1  # -vv traced


# ---- progress bar ------------------------------------------------------------------------

def run_with_pty_stderr(run, roomctl_bin, *args, env=None, timeout=60):
    """Runs roomctl with stderr on a pseudo-terminal (raw mode: no \\n -> \\r\\n rewriting)
    and stdout on a pipe; returns (code, stdout, stderr-as-seen-by-the-terminal)."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    e = run.env({"NO_COLOR": "", "TERM": "xterm-256color", **(env or {})})
    proc = subprocess.Popen([roomctl_bin, *args], env=e, stdout=subprocess.PIPE, stderr=slave,
                            stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = read_terminal(master, proc, timeout)
    out = proc.stdout.read().decode()
    proc.wait(timeout=timeout)
    return proc.returncode, out, seen.decode()


@pytest.fixture
def missing_rooms(db):
    names = [f"bar-{i:02}" for i in range(20)]
    for n in names:
        db.insert(n)
    return names


@LIVEKIT
def test_progress_bar_on_a_terminal(run, roomctl_bin, standin, missing_rooms):
    code, out, err = run_with_pty_stderr(run, roomctl_bin, "recreate", "--apply")
    assert code == 0, err
    assert len(standin.rooms()) == 20
    assert "recreate  20/20 [####################] 100%" in err, err
    # redrawn in place with \r, ended with one newline
    bar = err[err.index("\r"):]
    draws = [d for d in bar.split("\r") if d]
    assert len(draws) >= 2, repr(err)
    assert draws[-1].endswith("\n") and draws[-1].count("\n") == 1, repr(err)
    assert "done in" in draws[-1] and "/s" in draws[-1]
    assert all(d.startswith("recreate ") for d in draws), repr(err)
    assert any("ETA" in d for d in draws[:-1]) or len(draws) == 2
    assert "done create" not in err  # the bar replaces the per-action lines
    assert ESC not in bar  # the bar itself is plain text (a warning before it may be coloured)
    assert "applied" in out or "create" in out  # the result still goes to stdout
    assert "\r" not in out


@LIVEKIT
def test_no_progress_bar_when_piped_or_json_or_quiet(run, roomctl_bin, standin, missing_rooms):
    env = {"NO_COLOR": "", "TERM": "xterm-256color"}
    # stderr piped: no bar and no per-action lines; each action appears once, in the table on
    # stdout (issue 15: before, each was also a "done create" line on stderr)
    r = run("recreate", "--apply", env=env)
    assert r.code == 0, r.stderr
    assert "\r" not in r.stderr and ESC not in r.stderr
    assert not [l for l in r.stderr.splitlines() if l.startswith("done create")], r.stderr
    assert sum(1 for l in r.stdout.splitlines() if l.startswith("done")) == 20, r.stdout

    # a terminal, but --json or -q: no bar
    for flags in (["--json"], ["-q"]):
        standin.control("reset", {})  # the rooms are missing again
        code, out, err = run_with_pty_stderr(run, roomctl_bin, "recreate", "--apply", *flags)
        assert code == 0, err
        assert len(standin.rooms()) == 20
        assert "\r" not in err and "20/20" not in err, repr(err)
        if flags == ["--json"]:
            assert json.loads(out)["applied"] is True
        else:
            assert "done create" not in err  # -q silences the status lines


@LIVEKIT
def test_five_actions_get_no_bar(run, roomctl_bin, db):
    for i in range(5):
        db.insert(f"few-{i}")
    code, out, err = run_with_pty_stderr(run, roomctl_bin, "recreate", "--apply")
    assert code == 0, err
    # No bar, and (issue 15) no per-action lines either: the table on stdout lists the five.
    assert "\r" not in err and err.count("done create") == 0
    assert sum(1 for l in out.splitlines() if l.startswith("done")) == 5, out


@LIVEKIT
def test_error_colour_on_a_terminal_and_its_off_switches(run, roomctl_bin):
    args = ("rooms", "delete", "no-such-room")
    code, out, err = run_with_pty_stderr(run, roomctl_bin, *args)
    assert code == 1
    assert "\x1b[31mroomctl: error:" in err and err.rstrip("\n").endswith("\x1b[0m"), repr(err)
    assert ESC not in out  # stdout is a pipe here
    for off in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
        code, _, err = run_with_pty_stderr(run, roomctl_bin, *args, env=off)
        assert code == 1 and ESC not in err and "roomctl: error:" in err, (off, repr(err))
    code, _, err = run_with_pty_stderr(run, roomctl_bin, "--no-color", *args)
    assert code == 1 and ESC not in err and "roomctl: error:" in err, repr(err)
