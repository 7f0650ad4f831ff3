"""The journal with many workers (issue 17 item 5): the executor group-commits the journal's
fsyncs across its workers (util::GroupCommit). Whatever the interleaving, every action of a
concurrent run has one whole "start" line and, after it, one whole "end" line with its outcome,
and the SIDs the end lines name are the ones recorded."""
import json


def test_a_concurrent_recreate_journals_one_start_and_one_end_per_action(run, db, standin,
                                                                          tmp_path):
    names = [f"gc-{i:02d}" for i in range(40)]
    for name in names:
        db.insert(name, None, "pending")
    journal = tmp_path / "journal.jsonl"
    r = run("recreate", "--apply", "--concurrency", "8", "--journal", str(journal), "--json")
    assert r.code == 0, r.stderr
    assert all(a["status"] == "done" for a in r.json["actions"]), r.json["actions"]

    text = journal.read_text()
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]  # every line whole
    assert len(lines) == 2 * len(names)
    phases = {}
    for i, line in enumerate(lines):
        phases.setdefault(line["room"], []).append((line["phase"], i))
    assert sorted(phases) == names
    for room, seen in phases.items():
        assert [p for p, _ in seen] == ["start", "end"], (room, seen)
    recorded = {name: sid for name, sid, _ in db.rows()}
    ends = {line["room"]: line for line in lines if line["phase"] == "end"}
    for name in names:
        assert ends[name]["status"] == "done", ends[name]
        assert recorded[name] and recorded[name] in json.dumps(ends[name]), (name, ends[name])
