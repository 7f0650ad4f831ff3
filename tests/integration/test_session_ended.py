"""A session that ends while recreate is creating its room: the SID write changes no row, so
roomctl reads the row back, finds no live row wanting the room, and deletes it again
(status "compensated", exit 6): never "skipped" with a room left behind. A room someone
joined meanwhile is kept, and the action fails saying so. The app recording its own SID
meanwhile is still left alone (skipped)."""
import json
import threading
import time


def when_created(standin, action):
    """Runs `action` while roomctl's CreateRoom is held after the room exists on the server."""
    standin.fault(method="CreateRoom", phase="after", delay_ms=1500, count=1)
    errors = []

    def wait():
        deadline = time.time() + 15
        while time.time() < deadline:
            if standin.requests().get("CreateRoom", 0) >= 1:
                time.sleep(0.3)  # the room is created; its answer is still held
                try:
                    action()
                except Exception as e:  # noqa: BLE001 - reported by the caller
                    errors.append(repr(e))
                return
            time.sleep(0.02)
        errors.append("CreateRoom was never requested")

    t = threading.Thread(target=wait, daemon=True)
    t.start()
    return t, errors


def end_session(db, name):
    ended = "status = 'ended'" + (", is_active = false" if db.provider == "twilio" else "")
    db.execute(f"UPDATE {db.table} SET {ended} WHERE room_name = %s", (name,))


def journal_lines(run):
    path = run.config.parent / "state" / "roomctl" / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_session_that_ends_while_its_room_is_created_gets_the_room_deleted_again(
        run, db, standin):
    db.insert("ends-1", None, "pending")
    t, errors = when_created(standin, lambda: end_session(db, "ends-1"))
    r = run("recreate", "--apply", "--json")
    t.join()
    assert not errors, errors
    assert r.code == 6, r.stderr  # the run did not do what it planned
    [action] = r.json["actions"]
    assert action["status"] == "compensated", action
    assert action["compensated"] is True
    assert action["reason"] == ("the session ended while its room was being created; "
                                "the room was deleted again")
    assert action["server_sid"] and not action["new_sid"]
    assert "ends-1" not in standin.rooms()  # nothing left behind
    assert standin.requests().get("DeleteRoom", 0) == 1
    assert db.rows() == [("ends-1", None, "ended")]
    end = journal_lines(run)[-1]
    assert end["phase"] == "end" and end["status"] == "compensated"


def test_a_room_someone_joined_is_kept_although_its_session_ended(run, db, standin):
    db.insert("ends-2", None, "pending")

    def join_and_end():
        standin.control("participants", {"room": "ends-2", "identity": "alice"})
        end_session(db, "ends-2")

    t, errors = when_created(standin, join_and_end)
    r = run("recreate", "--apply", "--json")
    t.join()
    assert not errors, errors
    assert r.code == 1, r.stderr
    [action] = r.json["actions"]
    assert action["status"] == "failed" and action["compensated"] is False
    assert "ended while it was being created" in action["error"]
    assert "1 participant(s) joined it, so it was kept" in action["error"]
    assert f"failed create_room ends-2" in r.stderr
    assert "ends-2" in standin.rooms()
    assert standin.requests().get("DeleteRoom", 0) == 0


def test_the_apps_own_sid_recorded_meanwhile_is_left_alone(run, db, standin):
    db.insert("app-1", None, "pending")
    t, errors = when_created(standin, lambda: db.set_sid("app-1", "RM_recorded_by_the_app"))
    r = run("recreate", "--apply", "--json")
    t.join()
    assert not errors, errors
    assert r.code == 0, r.stderr
    [action] = r.json["actions"]
    assert action["status"] == "skipped", action
    assert "the row changed since it was read" in action["reason"]
    assert db.rows() == [("app-1", "RM_recorded_by_the_app", "pending")]
    assert "app-1" in standin.rooms()
    assert standin.requests().get("DeleteRoom", 0) == 0
