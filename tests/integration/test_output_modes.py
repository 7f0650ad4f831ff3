"""Output that respects the reader (issue 15, part 1): -q prints nothing when there is nothing
to do or report, each action appears once (the table on stdout, no per-action lines on
stderr; --json: the document only), -o text|json|tsv|wide and --no-headers, and tables that a
person at a colour terminal sees aligned (driven through a real pseudo-terminal)."""
import json
import os
import pty
import re
import subprocess

import pytest

from conftest import read_terminal

LIVEKIT = pytest.mark.parametrize("provider", ["livekit"])
ESC = "\x1b"
SGR = re.compile(r"\x1b\[[0-9;]*m")


def in_sync(run, db, names=("sync-1", "sync-2")):
    """A database and server in sync: live rows whose rooms exist with their SIDs recorded."""
    for n in names:
        db.insert(n)
    r = run("recreate", "--apply")
    assert r.code == 0, r.stderr
    assert run("audit").code == 0


# ---- -q ------------------------------------------------------------------------------------

QUIET_RUNS = [("audit",), ("recreate",), ("recreate", "--apply"), ("cleanup",),
              ("cleanup", "--apply"), ("--quiet", "cleanup", "--apply")]


def test_quiet_prints_nothing_at_all_on_a_clean_state(run, db, standin):
    in_sync(run, db)
    # Without -q the cron mail would say so (the test can fail).
    assert "nothing to clean up" in run("cleanup", "--apply").stdout
    for args in QUIET_RUNS:
        r = run("-q", *args)
        assert (r.code, r.stdout, r.stderr) == (0, "", ""), args
    # A global flag works after the subcommand too, as crontab lines write it.
    r = run("cleanup", "--apply", "-q")
    assert (r.code, r.stdout, r.stderr) == (0, "", "")


def test_quiet_still_prints_failures_and_refusals(run, db, standin):
    db.insert("gone-1")  # missing on the server: drift that audit reports
    r = run("-q", "audit")
    assert r.code == 5 and "missing" in r.stdout and "gone-1" in r.stdout, r.stdout

    # No live row at all but an old orphan: cleanup --apply refuses, loudly even under -q.
    db.execute(f"UPDATE {db.table} SET status = 'ended'" +
               (", is_active = false" if standin.provider == "twilio" else ""))
    standin.seed_room("stray-1", age_seconds=7200)
    r = run("-q", "cleanup", "--apply")
    assert r.code == 8, (r.stdout, r.stderr)
    assert "refused as unsafe" in r.stdout and "roomctl: error: refused as unsafe" in r.stderr
    assert "stray-1" in standin.rooms()


def test_quiet_check_prints_only_failed_probes(run):
    r = run("-q", "check")
    assert r.code == 0, r.stdout + r.stderr
    assert r.stdout == ""
    bad = run("-q", "check", secret="wrong-secret-0123456789-0123456789")
    assert bad.code != 0
    assert "FAILED" in bad.stdout and "ok    " not in bad.stdout, bad.stdout


# ---- each action once --------------------------------------------------------------------

def test_off_a_terminal_each_action_appears_once_in_the_table(run, db, standin):
    names = [f"once-{i}" for i in range(3)]
    for n in names:
        db.insert(n)
    r = run("recreate", "--apply")
    assert r.code == 0, r.stderr
    merged = r.stdout + r.stderr  # what a cron log holds with 2>&1
    for n in names:
        assert merged.count(n) == 1, merged
        assert re.search(rf"^done\s+create_room\s+{n}\s", r.stdout, re.M), r.stdout
    assert "done create_room" not in r.stderr
    assert r.stdout.rstrip("\n").endswith("3 done, 0 failed, 0 skipped"), r.stdout


def test_json_prints_only_the_document(run, db, standin):
    for n in ("doc-1", "doc-2"):
        db.insert(n)
    r = run("recreate", "--apply", "--json")
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)  # exactly one document, nothing around it
    assert sorted(a["room"] for a in doc["actions"]) == ["doc-1", "doc-2"]
    assert "doc-1" not in r.stderr and "doc-2" not in r.stderr, r.stderr


# ---- -o and --no-headers -----------------------------------------------------------------

def test_output_json_is_the_json_flag_and_two_formats_conflict(run, db, standin):
    db.insert("fmt-1")
    a, b = run("audit", "--json"), run("audit", "-o", "json")
    assert a.code == b.code == 5
    assert json.loads(a.stdout)["findings"] == json.loads(b.stdout)["findings"]
    bad = run("audit", "--json", "-o", "tsv")
    assert bad.code == 2, bad.stderr
    assert len(bad.error_lines()) == 1 and "conflicts with -o tsv" in bad.stderr
    assert run("-o", "yaml", "audit").code == 2


def test_tsv_is_tab_separated_with_escaped_values_and_an_optional_header(run, db, standin):
    standin.seed_room("tsv-a", age_seconds=60)
    standin.seed_room("tsv-b", age_seconds=60)
    r = run("rooms", "list", "-o", "tsv")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "name\tsid\tparticipants\tage\tempty timeout"
    rows = [l.split("\t") for l in lines[1:]]
    assert sorted(row[0] for row in rows) == ["tsv-a", "tsv-b"]
    assert all(len(row) == 5 for row in rows), rows
    no_head = run("rooms", "list", "-o", "tsv", "--no-headers")
    # The same rows without the header; the age column may have moved on a second meanwhile.
    def without_age(table):
        return [row[:3] + row[4:] for row in table]
    assert without_age([l.split("\t") for l in no_head.stdout.splitlines()]) == without_age(rows)

    # A value with a tab, a newline and a backslash stays one field of one row.
    db.insert("tab\there\nnext\\x")
    a = run("audit", "-o", "tsv", "--no-headers")
    assert a.code == 5, a.stderr
    [line] = [l for l in a.stdout.splitlines() if l.startswith("missing\t")]
    assert line.split("\t")[1] == "tab\\there\\nnext\\\\x", line
    assert "live database room" not in a.stdout  # the table alone, no summary prose

    plan = run("recreate", "-o", "tsv")
    assert plan.code == 0, plan.stderr
    assert plan.stdout.splitlines()[0] == "status\taction\troom\tdetail"
    assert "Nothing was changed" not in plan.stdout


def test_text_no_headers_leaves_out_the_header_row(run, db, standin):
    standin.seed_room("nh-a", age_seconds=60)
    r = run("rooms", "list", "--no-headers")
    assert r.code == 0, r.stderr
    assert r.stdout.split()[0] == "nh-a" and "NAME" not in r.stdout, r.stdout


# ---- a real terminal ---------------------------------------------------------------------

def run_in_terminal(run, roomctl_bin, *args, env=None, timeout=60):
    """Runs roomctl with stdout and stderr on one pseudo-terminal, colour allowed, as a person
    at a shell runs it; returns (code, everything the terminal received, \\r\\n as \\n)."""
    master, slave = pty.openpty()
    e = run.env({"NO_COLOR": "", "TERM": "xterm-256color", **(env or {})})
    proc = subprocess.Popen([roomctl_bin, *args], env=e, stdout=slave, stderr=slave,
                            stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = read_terminal(master, proc, timeout)
    proc.wait(timeout=timeout)
    return proc.returncode, seen.decode().replace("\r\n", "\n")


def column_starts(line, words):
    return [line.index(w) for w in words]


@LIVEKIT
def test_a_colour_terminal_shows_the_table_aligned(run, roomctl_bin, db, standin):
    db.insert("live-1")  # a live row: the orphans below are judged, not refused
    standin.seed_room("live-1", age_seconds=7200)
    standin.seed_room("old-orphan-with-a-long-name", age_seconds=7200)
    standin.seed_room("young", age_seconds=5)  # skipped: younger than --min-age
    code, screen = run_in_terminal(run, roomctl_bin, "cleanup")
    assert code == 0, screen
    assert "\x1b[33mskipped\x1b[0m" in screen, repr(screen)  # colour is on
    # Every colour is reset on its own line, before the newline.
    for line in screen.split("\n"):
        assert len(re.findall(r"\x1b\[3\dm", line)) == line.count("\x1b[0m"), repr(line)
        assert not line.startswith("\x1b[0m"), repr(screen)
    seen = [SGR.sub("", l) for l in screen.split("\n")]
    header = next(l for l in seen if l.startswith("STATUS"))
    cols = column_starts(header, ["ACTION", "ROOM", "DETAIL"])
    rows = [l for l in seen if l.startswith(("skipped", "planned"))]
    assert len(rows) == 2, seen
    for row in rows:
        fields = re.split(r"\s{2,}", row)
        assert column_starts(row, fields[1:4]) == cols, (header, row)


@LIVEKIT
def test_a_terminal_shows_the_rows_needing_attention_and_the_summary_last(
        run, roomctl_bin, db, standin):
    for n in ("tty-1", "tty-2", "tty-3"):
        db.insert(n)
    db.insert("x" * 300)  # longer than LiveKit's 256 bytes: skipped
    code, screen = run_in_terminal(run, roomctl_bin, "recreate", "--apply")
    assert code == 0, screen
    plain = SGR.sub("", screen)
    assert not re.search(r"^done\s", plain, re.M), plain
    assert re.search(r"^skipped\s+create_room\s+x{300}", plain, re.M), plain
    assert "(3 done not listed; --show-all lists them)" in plain
    assert plain.rstrip("\n").endswith("3 done, 0 failed, 1 skipped"), plain
    assert "done create_room" not in plain  # no per-action status lines either

    for flags in (["--show-all"], ["-o", "wide"]):
        standin.control("reset", {})
        db.execute(f"UPDATE {db.table} SET room_sid = NULL")
        code, screen = run_in_terminal(run, roomctl_bin, "recreate", "--apply", *flags)
        assert code == 0, screen
        plain = SGR.sub("", screen)
        assert len(re.findall(r"^done\s+create_room\s+tty-\d", plain, re.M)) == 3, plain
        assert "not listed" not in plain


def test_participants_tsv_has_one_row_per_participant(run, standin):
    standin.seed_room("with-people", participants=["alice", "bob"])
    r = run("rooms", "participants", "with-people", "-o", "tsv")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    header = lines[0].split("\t")
    assert header[:2] == ["identity", "sid"], lines[0]
    rows = [l.split("\t") for l in lines[1:]]
    assert sorted(row[0] for row in rows) == ["alice", "bob"]
    assert all(len(row) == len(header) for row in rows), rows
    bare = run("rooms", "participants", "with-people", "-o", "tsv", "--no-headers")
    assert bare.stdout.splitlines() == lines[1:]


@LIVEKIT
def test_config_show_tsv_is_the_settings_table_alone(run):
    r = run("config", "show", "-o", "tsv")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "setting\tvalue\tsource"
    rows = {l.split("\t")[0]: l.split("\t") for l in lines[1:]}
    assert all(len(row) == 3 for row in rows.values()), lines
    assert rows["livekit.url"][2].startswith("env LIVEKIT_URL")
    assert "config file:" not in r.stdout
    assert "secret-for-integration-tests" not in r.stdout  # still redacted
