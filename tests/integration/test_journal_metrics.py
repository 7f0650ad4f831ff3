"""The journal never lies and the metrics alert: a journal write that fails stops the run
(exit 1, the rest not started); a torn last line never merges with the next run's first; an
existing directory keeps its mode; only a run that did its work refreshes the success
timestamp; the provider label is known even when a run fails before connecting."""
import json
import os
import resource
import signal
import stat
import subprocess
import time

import pytest

from conftest import SOURCE_DIR


def live_session(db, standin, name="live-1"):
    """A live row with its room: cleanup may then delete rooms no row names."""
    room = standin.seed_room(name, age_seconds=600)
    db.insert(name, room["sid"], "active")


def strays(standin, n):
    names = [f"stray-{i}" for i in range(n)]
    for name in names:
        standin.seed_room(name, age_seconds=7200)
    return names


def journal_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- the journal ---------------------------------------------------------------------------

def test_a_journal_on_a_full_disk_stops_the_run_before_anything_is_done(run, db, standin):
    live_session(db, standin)
    names = strays(standin, 3)
    r = run("cleanup", "--apply", "--journal", "/dev/full", "--json")
    assert r.code == 1, r.stderr
    [line] = r.error_lines()
    assert "cannot write journal /dev/full: No space left on device" in line, line
    assert "(3 action(s) not started)" in line, line
    actions = r.json["actions"]
    assert [a["status"] for a in actions] == ["skipped"] * 3
    assert all(a["reason"] == "not started: the journal could not be written" for a in actions)
    assert set(names) <= set(standin.rooms())
    assert standin.requests().get("DeleteRoom", 0) == 0


def run_with_file_size_limit(run, roomctl_bin, limit, *args):
    """roomctl with RLIMIT_FSIZE: a write past `limit` bytes fails (EFBIG), as on a full
    disk, without taking the test's own files down."""
    def limit_writes():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return subprocess.run([roomctl_bin, *args], env=run.env(), capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL, preexec_fn=limit_writes)


def test_a_journal_that_fills_up_mid_run_stops_it_and_the_next_run_ends_the_torn_line(
        run, db, standin, tmp_path, roomctl_bin):
    live_session(db, standin)
    # How many bytes one delete journals (start and end), from a run of its own.
    probe = tmp_path / "probe.jsonl"
    strays(standin, 1)
    assert run("cleanup", "--apply", "--journal", str(probe)).code == 0
    one_delete = probe.stat().st_size
    assert len(probe.read_text().splitlines()) == 2

    names = strays(standin, 3)
    journal = tmp_path / "journal.jsonl"
    # Room for the first delete's two lines and a part of the next start line.
    proc = run_with_file_size_limit(run, roomctl_bin, one_delete + 60, "cleanup", "--apply",
                                    "--concurrency", "1", "--journal", str(journal), "--json")
    assert proc.returncode == 1, proc.stderr
    errors = [l for l in proc.stderr.splitlines() if l.startswith("roomctl: error:")]
    assert len(errors) == 1 and "File too large" in errors[0], proc.stderr
    assert "(2 action(s) not started)" in errors[0], errors[0]
    actions = {a["room"]: a for a in json.loads(proc.stdout)["actions"]}
    done = [n for n in names if actions[n]["status"] == "done"]
    assert len(done) == 1, actions
    not_started = [n for n in names if actions[n]["status"] == "skipped"]
    assert len(not_started) == 2 and all(
        actions[n]["reason"] == "not started: the journal could not be written"
        for n in not_started)
    rooms = standin.rooms()
    assert done[0] not in rooms and all(n in rooms for n in not_started)
    text = journal.read_text()
    assert not text.endswith("\n")  # the third line was torn by the full "disk"

    # The next run ends the torn line before writing its own: every new line parses.
    assert run("cleanup", "--apply", "--concurrency", "1", "--journal", str(journal)).code == 0
    lines = journal.read_text().split("\n")
    assert lines[-1] == ""
    parsed = [json.loads(l) for l in lines[3:-1]]  # after the two whole lines and the torn one
    assert [(p["room"], p["phase"]) for p in parsed] == [
        (not_started[0], "start"), (not_started[0], "end"),
        (not_started[1], "start"), (not_started[1], "end")]
    with pytest.raises(ValueError):
        json.loads(lines[2])  # the torn line stays alone, unmerged


def test_a_torn_last_line_never_merges_with_the_next_runs_first(run, db, standin, tmp_path):
    live_session(db, standin)
    strays(standin, 1)
    journal = tmp_path / "journal.jsonl"
    journal.write_text('{"phase":"start","room":"x"}\n{"phase":"end","ro')  # crash mid-write
    assert run("cleanup", "--apply", "--journal", str(journal)).code == 0
    lines = journal.read_text().splitlines()
    assert lines[:2] == ['{"phase":"start","room":"x"}', '{"phase":"end","ro']
    assert [json.loads(l)["phase"] for l in lines[2:]] == ["start", "end"]


def test_journal_never_changes_the_mode_of_a_directory_it_did_not_create(
        run, db, standin, tmp_path):
    live_session(db, standin)
    strays(standin, 2)
    shared = tmp_path / "log"  # think /var/log
    shared.mkdir()
    os.chmod(shared, 0o755)
    assert run("cleanup", "--apply", "--journal", str(shared / "roomctl.jsonl")).code == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE((shared / "roomctl.jsonl").stat().st_mode) == 0o600

    # Directories it creates itself are private.
    deep = tmp_path / "new" / "roomctl" / "journal.jsonl"
    standin.seed_room("stray-9", age_seconds=7200)
    assert run("cleanup", "--apply", "--journal", str(deep)).code == 0
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new" / "roomctl").stat().st_mode) == 0o700
    assert len(journal_lines(deep)) == 2


# --- metrics -------------------------------------------------------------------------------

def samples(path):
    from prometheus_client.parser import text_string_to_metric_families
    out = {}
    for family in text_string_to_metric_families(path.read_text()):
        for s in family.samples:
            out[s.name] = (s.value, dict(s.labels))
    return out


def test_only_a_run_that_did_its_work_refreshes_the_success_timestamp(run, db, standin,
                                                                       tmp_path):
    metrics = tmp_path / "roomctl.prom"
    live_session(db, standin)
    strays(standin, 1)
    assert run("cleanup", "--apply", "--metrics-file", str(metrics)).code == 0
    first = samples(metrics)
    success = first["roomctl_last_success_timestamp_seconds"][0]
    assert success == first["roomctl_last_run_timestamp_seconds"][0]
    assert abs(success - time.time()) < 60

    time.sleep(1.1)
    failed = run("cleanup", "--apply", "--metrics-file", str(metrics), secret="wrong")
    assert failed.code == 4, failed.stderr
    after = samples(metrics)
    assert after["roomctl_exit_code"][0] == 4
    assert after["roomctl_last_run_timestamp_seconds"][0] > success
    assert after["roomctl_last_success_timestamp_seconds"][0] == success  # carried over
    assert after["roomctl_last_success_timestamp_seconds"][1]["provider"] == standin.provider

    # Refused as unsafe (exit 8) is no success either; audit drift (exit 5) is one.
    strays(standin, 3)
    refused = run("cleanup", "--apply", "--max-deletes", "1", "--metrics-file", str(metrics))
    assert refused.code == 8, refused.stderr
    assert samples(metrics)["roomctl_last_success_timestamp_seconds"][0] == success
    time.sleep(1.1)
    drift = run("audit", "--metrics-file", str(metrics))
    assert drift.code == 5, drift.stderr
    assert samples(metrics)["roomctl_last_success_timestamp_seconds"][0] > success


def test_a_run_that_never_succeeded_exports_zero(run, db, standin, tmp_path):
    metrics = tmp_path / "roomctl.prom"
    r = run("audit", "--metrics-file", str(metrics), secret="wrong")
    assert r.code == 4
    assert samples(metrics)["roomctl_last_success_timestamp_seconds"][0] == 0


def test_the_provider_label_is_known_when_a_run_fails_before_connecting(run, db, standin,
                                                                        tmp_path):
    metrics = tmp_path / "roomctl.prom"
    # The config file names the provider; the run fails on a bad flag before any connection.
    run.config.write_text('provider = "twilio"\n' + run.config.read_text())
    r = run("--timeout", "0s", "audit", "--metrics-file", str(metrics))
    assert r.code == 2, r.stderr
    got = samples(metrics)
    assert got["roomctl_exit_code"][0] == 2
    assert got["roomctl_exit_code"][1] == {"provider": "twilio", "command": "audit"}

    # --provider wins over the file, also when the settings cannot be resolved at all.
    run.config.write_text("this is not TOML [\n")
    r = run("--provider", "livekit", "audit", "--metrics-file", str(metrics))
    assert r.code == 3, r.stderr
    assert samples(metrics)["roomctl_exit_code"][1]["provider"] == "livekit"


def test_the_systemd_unit_counts_only_exit_0_as_success():
    unit = (SOURCE_DIR / "scripts" / "roomctl-cleanup.service").read_text()
    directives = [l.strip() for l in unit.splitlines() if l.strip() and not l.startswith("#")]
    assert not [d for d in directives if d.startswith("SuccessExitStatus")], directives
    assert any(d.startswith("ExecStart=") for d in directives)
    assert "--metrics-file" in unit
