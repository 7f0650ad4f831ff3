"""Safe in cron: one run at a time, a cap on deletes, keep patterns, a journal that survives
kill -9, and metrics a Prometheus textfile collector can read."""
import json
import os
import signal
import time

import pytest


def seed_orphans(standin, n, prefix="orphan"):
    for i in range(n):
        standin.seed_room(f"{prefix}-{i:03}", age_seconds=7200)


def live_sessions(db, standin, n=1):
    """Live rows with their rooms: a database that shows live sessions is believable, so
    cleanup may delete rooms no row names (an empty table would be refused with exit 8)."""
    names = set()
    for i in range(n):
        name = f"live-{i:03}"
        room = standin.seed_room(name, age_seconds=600)
        db.insert(name, room["sid"], "active")
        names.add(name)
    return names


def test_two_concurrent_cleanups_exactly_one_acts(run, db, standin):
    live = live_sessions(db, standin)
    seed_orphans(standin, 3)
    # The first run holds the lock while its deletes are slowed down.
    standin.fault(method="DeleteRoom", delay_ms=1500)
    first = run.spawn("cleanup", "--apply", "--concurrency", "1", "--json")
    standin.wait_for_request("DeleteRoom")
    second = run("cleanup", "--apply", "--json")
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert second.code == 7, second.stderr
    assert "another roomctl run" in second.stderr and "holds the lock for table" in second.stderr
    assert json.loads(second.stdout)["error"]["exit_code"] == 7
    assert standin.requests().get("DeleteRoom", 0) == 3  # all from the first run
    assert set(standin.rooms()) == live


def test_plans_do_not_need_the_lock(run, db, standin):
    live_sessions(db, standin)
    seed_orphans(standin, 2)
    standin.fault(method="DeleteRoom", delay_ms=1500)
    first = run.spawn("cleanup", "--apply", "--concurrency", "1")
    standin.wait_for_request("DeleteRoom")
    assert run("cleanup").code == 0        # a dry run never waits or fails on the lock
    assert run("audit").code in (0, 5)
    first.communicate(timeout=60)


def test_the_cap_stops_a_mass_delete_with_nothing_deleted(run, db, standin):
    live = live_sessions(db, standin)
    seed_orphans(standin, 6)
    r = run("cleanup", "--apply", "--max-deletes", "5", "--json")
    assert r.code == 8, r.stderr  # refused as unsafe: nothing was changed
    doc = json.loads(r.stdout)
    assert doc["error"]["exit_code"] == 8
    assert doc["summary"]["done"] == 0
    assert "more than --max-deletes 5" in r.stderr
    assert len(standin.rooms()) == 7
    assert standin.requests().get("DeleteRoom", 0) == 0
    # Raising the cap deliberately lets the operator proceed.
    assert run("cleanup", "--apply", "--max-deletes", "6").code == 0
    assert set(standin.rooms()) == live


def test_the_default_cap_is_25(run, db, standin):
    live_sessions(db, standin, 27)  # enough live rooms that 26 orphans are believable
    seed_orphans(standin, 26)
    r = run("cleanup", "--apply")
    assert r.code == 8, r.stderr
    assert "more than --max-deletes 25" in r.stderr
    assert len(standin.rooms()) == 53


def test_keep_patterns_protect_rooms(run, db, standin):
    live = live_sessions(db, standin)
    seed_orphans(standin, 2, prefix="recording")
    seed_orphans(standin, 1, prefix="stray")
    run.config.write_text(run.config.read_text() + '[cleanup]\nkeep = ["lobby-*"]\n')
    standin.seed_room("lobby-main", age_seconds=7200)
    r = run("cleanup", "--apply", "--keep", "recording-*", "--json")
    assert r.code == 0, r.stderr
    assert set(standin.rooms()) == {"recording-000", "recording-001", "lobby-main"} | live
    kept = [a for a in r.json["actions"] if a["status"] == "skipped"]
    assert len(kept) == 3 and all("--keep" in a["reason"] for a in kept)


def read_journal(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_applied_action_is_journaled(run, db, standin, tmp_path):
    journal = tmp_path / "journal.jsonl"
    db.insert("needs-room", None, "pending")
    standin.seed_room("stray-1", age_seconds=7200, metadata='{"topic":"x"}')
    assert run("recreate", "--apply", "--journal", str(journal)).code == 0
    assert run("cleanup", "--apply", "--journal", str(journal)).code == 0
    lines = read_journal(journal)
    assert [(l["command"], l["kind"], l["phase"]) for l in lines] == [
        ("recreate", "create_room", "start"), ("recreate", "create_room", "end"),
        ("cleanup", "delete_room", "start"), ("cleanup", "delete_room", "end")]
    created = lines[1]
    assert created["status"] == "done" and created["new_sid"] == db.rows()[0][1]
    assert created["provider"] == standin.provider and created["time"].endswith("Z")
    deleted = lines[3]
    assert deleted["room"] == "stray-1" and deleted["status"] == "done"
    assert deleted["server_room"]["sid"] and "empty_timeout_seconds" in deleted["server_room"]
    assert oct(journal.stat().st_mode & 0o777) == "0o600"


def test_default_journal_is_under_xdg_state_home(run, db, standin, tmp_path):
    live_sessions(db, standin)
    standin.seed_room("stray-2", age_seconds=7200)
    state = tmp_path / "state"
    assert run("cleanup", "--apply", env={"XDG_STATE_HOME": str(state)}).code == 0
    assert len(read_journal(state / "roomctl" / "journal.jsonl")) == 2


def test_kill_9_mid_run_leaves_a_journal_that_matches_the_state(run, db, standin, tmp_path):
    journal = tmp_path / "journal.jsonl"
    for i in range(12):
        db.insert(f"k9-{i:02}", None, "pending")
    standin.fault(method="CreateRoom", delay_ms=300)
    proc = run.spawn("recreate", "--apply", "--concurrency", "2", "--journal", str(journal))
    # Three rounds of two creates answered (the seventh is asked), then a little more: mid-run
    # however slowly this build starts.
    standin.wait_for_request("CreateRoom", count=7)
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    standin.control("faults/clear", {})
    time.sleep(0.5)  # let a create that was in flight reach the stand-in

    lines = read_journal(journal)              # every line is whole JSON
    started = {l["room"] for l in lines if l["phase"] == "start"}
    ended = {l["room"]: l for l in lines if l["phase"] == "end"}
    rooms = standin.rooms()
    sids = {name: sid for name, sid, _ in db.rows()}
    assert 0 < len(ended) < 12, "the kill must land mid-run"
    for name, line in ended.items():           # what the journal says is done, is done
        assert line["status"] == "done"
        assert name in rooms and sids[name] == rooms[name]["sid"] == line["new_sid"]
    for name in rooms:                         # nothing happened without a journal line
        assert name in started
    for name, sid in sids.items():
        if sid:
            assert name in started


def test_metrics_file_parses_as_prometheus_text(run, db, standin, tmp_path):
    from prometheus_client.parser import text_string_to_metric_families
    metrics = tmp_path / "roomctl.prom"
    db.insert("m-missing", None, "pending")
    standin.seed_room("m-orphan", age_seconds=7200)
    r = run("recreate", "--apply", "--metrics-file", str(metrics))
    assert r.code == 0, r.stderr
    families = {f.name: f for f in text_string_to_metric_families(metrics.read_text())}
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in families.values() for s in f.samples}
    base = (("command", "recreate"), ("provider", standin.provider))
    assert samples[("roomctl_rooms", tuple(sorted(base + (("kind", "missing"),))))] == 1
    assert samples[("roomctl_rooms", tuple(sorted(base + (("kind", "orphaned"),))))] == 1
    assert samples[("roomctl_actions",
                    tuple(sorted(base + (("kind", "create_room"), ("status", "done")))))] == 1
    assert samples[("roomctl_exit_code", tuple(sorted(base)))] == 0
    assert abs(samples[("roomctl_last_run_timestamp_seconds", tuple(sorted(base)))] - time.time()) < 60
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # temp renamed


def test_metrics_are_written_for_failed_runs_too(run, db, standin, tmp_path):
    metrics = tmp_path / "roomctl.prom"
    r = run("audit", "--metrics-file", str(metrics), secret="wrong")
    assert r.code == 4
    assert "roomctl_exit_code" in metrics.read_text()
    assert 'roomctl_exit_code{provider="' in metrics.read_text()
