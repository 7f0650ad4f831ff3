"""Know where you act: ages on the server's clock, skew messages that name the
right provider and the real cause, DATABASE_URL overriding a named config, the new settings
in `config show`, and the 0600 warning for a database password in a config file."""
import os
import re
import subprocess

UNSAFE = 8


def run_skewed(run, binary, skew, *args, env=None):
    """Runs roomctl with its own clock moved by `skew` (faketime: the stand-in keeps the real
    one). Returns the CompletedProcess."""
    e = run.env(env)
    # faketime preloads libfaketime; under AddressSanitizer (scripts/sanitize.sh) the ASan
    # runtime then is not first in the library list, which is harmless for this preload.
    e["ASAN_OPTIONS"] = ":".join(filter(None, [e.get("ASAN_OPTIONS", ""),
                                               "verify_asan_link_order=0"]))
    return subprocess.run(["faketime", "-f", skew, binary, *args], env=e,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def probe(doc, name):
    return next(p for p in doc["probes"] if p["name"] == name)


# ---- the server's clock ---------------------------------------------------------------------

def test_check_clock_message_names_the_provider(run, standin, provider):
    standin.control("config", {"date_offset_seconds": 300})
    r = run("check", "--json")
    clock = probe(r.json, "server.clock")
    assert clock["status"] == "failed"
    assert "300 s ahead of this machine" in clock["message"] or \
        "299 s ahead of this machine" in clock["message"], clock
    if provider == "livekit":
        assert "LiveKit allows 60 s" in clock["message"]
    else:
        assert "LiveKit" not in clock["message"], clock
        assert "Twilio checks access tokens" in clock["message"], clock
        assert "expire 300 s early" in clock["message"] or "expire 299 s early" in clock["message"]
        assert "Basic auth" in clock["message"]
        # Twilio's REST calls are unaffected by the skew.
        assert probe(r.json, "server.auth")["status"] == "ok"


def test_livekit_refusal_for_skew_names_the_clock(run, standin, provider, roomctl_bin):
    if provider != "livekit":
        return  # Twilio's REST API takes Basic auth: no clock in it
    r = run_skewed(run, roomctl_bin, "+15m", "rooms", "list")
    assert r.returncode == 4, r.stderr
    assert re.search(r"this machine's clock is (899|900|901) s ahead of the server", r.stderr), \
        r.stderr
    assert "could not parse" not in r.stderr


def test_min_age_is_measured_on_the_servers_clock(run, db, standin, provider, roomctl_bin):
    """A room the server created a minute ago is young, however far ahead this machine's clock
    is. (Needs repair.cpp to plan with local now + MediaServer::clock_offset.)"""
    db.insert("session-live", None, "active")
    standin.seed_room("session-live", age_seconds=3600)
    db.insert("session-young", None, "ended")
    db.insert("session-old", None, "ended")
    if provider == "twilio":
        # Roomctl's clock 15 minutes ahead: the young room looks 16 minutes old locally.
        standin.seed_room("session-young", age_seconds=60)
        standin.seed_room("session-old", age_seconds=1800)
        r = run_skewed(run, roomctl_bin, "+15m", "cleanup", "--apply", "--min-age", "10m")
    else:
        # LiveKit refuses tokens beyond 60 s of skew, so the server runs 50 s behind instead:
        # the young room is 20 s old on its clock and 70 s old on this machine's.
        standin.control("config", {"date_offset_seconds": -50})
        standin.seed_room("session-young", age_seconds=70)
        standin.seed_room("session-old", age_seconds=1800)
        r = run("cleanup", "--apply", "--min-age", "60s")
        r.returncode = r.code
    rooms = standin.rooms()
    assert "session-young" in rooms, r.stderr
    assert "session-old" not in rooms, r.stderr  # cleanup did run
    assert "session-live" in rooms
    assert r.returncode == 0, r.stderr


def test_livekit_cleanup_with_a_far_skewed_clock_deletes_nothing(run, db, standin, provider,
                                                                 roomctl_bin):
    if provider != "livekit":
        return
    db.insert("session-live", None, "active")
    standin.seed_room("session-live", age_seconds=3600)
    db.insert("session-young", None, "ended")
    standin.seed_room("session-young", age_seconds=60)
    r = run_skewed(run, roomctl_bin, "+15m", "cleanup", "--apply", "--min-age", "10m")
    assert r.returncode == 4, r.stderr
    assert "this machine's clock is" in r.stderr and "ahead of the server" in r.stderr
    assert {"session-live", "session-young"} <= set(standin.rooms())


# ---- DATABASE_URL overriding a named config -------------------------------------------------

def conflict_env(run, pg_url, tmp_path):
    cfg = tmp_path / "prod.toml"
    table = run.config.read_text()
    cfg.write_text(table + '[profiles.prod.database]\n'
                   'url = "postgresql://roomctl@prod-db.invalid/app"\n')
    cfg.chmod(0o600)
    return {"ROOMCTL_DATABASE_URL": "", "DATABASE_URL": pg_url, "ROOMCTL_CONFIG": str(cfg),
            "ROOMCTL_PROFILE": "prod"}, cfg


def test_database_url_over_a_named_profile_warns(run, db, standin, pg_url, tmp_path):
    env, cfg = conflict_env(run, pg_url, tmp_path)
    expected = (f"warning: DATABASE_URL from the environment overrides [database] url of {cfg} "
                "[profiles.prod]; unset DATABASE_URL or pass --database-url to choose")
    for args in (["audit"], ["config", "show"]):
        r = run(*args, env=env)
        assert r.code == 0, r.stderr
        assert expected in r.stderr.splitlines(), r.stderr
    # --database-url is an explicit choice: no warning.
    r = run("audit", "--database-url", pg_url, env=env)
    assert r.code == 0 and "overrides" not in r.stderr, r.stderr


def test_database_url_over_a_named_profile_refuses_apply(run, db, standin, pg_url, tmp_path):
    """(Needs the --apply gate to refuse on Settings::database_url_conflict.)"""
    env, _ = conflict_env(run, pg_url, tmp_path)
    db.insert("session-old", None, "ended")
    standin.seed_room("session-old", age_seconds=3600)
    r = run("cleanup", "--apply", env=env)
    assert r.code == UNSAFE, r.stderr
    assert "DATABASE_URL from the environment overrides" in r.stderr
    assert "session-old" in standin.rooms()


# ---- settings ---------------------------------------------------------------------------------

def test_config_show_names_the_new_settings(run, standin, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[rooms]\nended_statuses = ["DONE", "CANCELLED"]\n'
                   '[database]\nlock_timeout = "2s"\nstatement_timeout = "1m"\n')
    cfg.chmod(0o600)
    doc = run("config", "show", "--json", env={"ROOMCTL_CONFIG": str(cfg)}).json
    by_key = {s["key"]: s for s in doc["settings"]}
    assert by_key["rooms.ended_statuses"]["value"] == "DONE, CANCELLED"
    assert by_key["rooms.ended_statuses"]["source"] == "file"
    assert by_key["database.lock_timeout"]["value"] == "2s"
    assert by_key["database.statement_timeout"]["value"] == "1m"


def test_bad_settings_are_config_errors_naming_the_key(run, standin, tmp_path):
    cfg = tmp_path / "c.toml"
    for body, key in (('[database]\nlock_timeout = "0s"\n', "database.lock_timeout"),
                      ('[database]\nstatement_timeout = "forever"\n', "database.statement_timeout"),
                      ('[rooms]\nended_statuses = "ended"\n', "rooms.ended_statuses"),
                      ('[rooms]\nlive_statuses = ["active"]\nended_statuses = ["Active"]\n',
                       "rooms.ended_statuses")):
        cfg.write_text(body)
        r = run("config", "show", env={"ROOMCTL_CONFIG": str(cfg)})
        assert r.code == 3, (body, r.stderr)
        [line] = r.error_lines()
        assert key in line and str(cfg) in line, line


def test_a_database_password_in_a_readable_config_warns(run, standin, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[database]\nurl = "postgresql://app:pa#ss?w@db.invalid/app"\n')
    cfg.chmod(0o644)
    r = run("config", "show", env={"ROOMCTL_CONFIG": str(cfg), "ROOMCTL_DATABASE_URL": ""})
    assert r.code == 0, r.stderr
    assert f"warning: config file {cfg} is readable by others and holds a secret; chmod 600 {cfg}" \
        in r.stderr.splitlines(), r.stderr
    assert "pa#ss" not in r.stdout + r.stderr
