"""The journal keeps the settings of each room cleanup deletes (issue 14 item 6), so a room
recreated later can be made like it; a status callback's user:password@ is kept only hidden."""
import json


def test_a_deleted_room_is_journaled_with_its_settings(run, db, standin, tmp_path):
    journal = tmp_path / "journal.jsonl"
    db.insert("session-live", None, "active")  # a live row: the table is the right one
    standin.seed_room("session-live")
    if standin.provider == "twilio":
        standin.seed_room("stray-go", age_seconds=7200, type="go", max_participants=2,
                          status_callback="https://u:p@app.example/cb",
                          status_callback_method="GET", media_region="de1")
        expected = {"type": "go", "max_participants": 2,
                    "status_callback": "https://********@app.example/cb",
                    "status_callback_method": "GET", "media_region": "de1", "metadata": ""}
    else:
        standin.seed_room("stray-go", age_seconds=7200, max_participants=2,
                          metadata='{"session":7}')
        expected = {"type": "", "max_participants": 2, "status_callback": "",
                    "status_callback_method": "", "media_region": "",
                    "metadata": '{"session":7}'}
    r = run("cleanup", "--apply", "--journal", str(journal))
    assert r.code == 0, r.stderr + r.stdout
    text = journal.read_text()
    assert "u:p" not in text
    end = [json.loads(line) for line in text.splitlines()][-1]
    assert (end["kind"], end["phase"], end["status"]) == ("delete_room", "end", "done")
    room = end["server_room"]
    assert room["name"] == "stray-go" and room["sid"]
    assert {k: room[k] for k in expected} == expected
