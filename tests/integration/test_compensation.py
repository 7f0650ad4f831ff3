"""Two-phase room creation: when the SID of a room roomctl created cannot be recorded, the
room is not left on the server unaccounted for. It is recorded after all (a second write on
a new connection), deleted again when nobody is in it (compensation), or named with its SID
and row in the error and the journal."""

import json

import psycopg2
import pytest


def journal_lines(run):
    path = run.config.parent / "state" / "roomctl" / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


class RowLock:
    """Another session holding row `name` FOR UPDATE, as an app's long transaction would."""

    def __init__(self, pg_url, db, name):
        self.conn = psycopg2.connect(pg_url)
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT 1 FROM {db.table} WHERE room_name = %s FOR UPDATE", (name,))

    def release(self):
        self.conn.rollback()
        self.conn.close()


def recreate_while_the_app_holds_the_row(run, db, pg_url, name):
    """recreate --apply with a 300 ms statement timeout while another session holds row
    `name` FOR UPDATE: the room gets created, recording its SID cannot finish."""
    db.insert(name, None, "pending")
    lock = RowLock(pg_url, db, name)
    try:
        r = run("recreate", "--apply", "--json",
                env={"PGOPTIONS": "-c statement_timeout=300"})
    finally:
        lock.release()
    assert r.code == 1, r.stderr  # its only action failed
    [action] = r.json["actions"]
    assert action["status"] == "failed"
    return action


def test_room_whose_sid_cannot_be_recorded_is_deleted_again(run, db, standin, pg_url):
    action = recreate_while_the_app_holds_the_row(run, db, pg_url, "locked-1")
    assert action["compensated"] is True
    assert "timeout" in action["error"]  # the store's lock_timeout (or statement timeout)
    assert "deleted again" in action["error"]
    assert action["server_sid"] and action["server_sid"] in action["error"]
    assert standin.rooms() == {}  # nothing left behind on the server
    assert db.rows() == [("locked-1", None, "pending")]
    [start, end] = journal_lines(run)
    assert (start["phase"], end["phase"]) == ("start", "end")
    assert end["compensated"] is True and end["server_sid"] == action["server_sid"]

    # Once the app lets go of the row, a second run converges.
    again = run("recreate", "--apply", "--json")
    assert again.code == 0, again.stderr
    assert again.json["actions"][0]["status"] == "done"
    assert list(standin.rooms()) == ["locked-1"]
    assert db.rows()[0][1] == again.json["actions"][0]["new_sid"]


def participants_answer(provider):
    if provider == "livekit":
        body = {"participants": [{"sid": "PA_joined", "identity": "alice", "state": "ACTIVE"}]}
    else:
        body = {"participants": [{"sid": "PA" + "1" * 32, "identity": "alice",
                                  "status": "connected"}],
                "meta": {"next_page_url": None}}
    return dict(status=200, content_type="application/json", body=json.dumps(body))


def test_unrecorded_room_someone_joined_is_kept_and_named(run, db, standin, pg_url, provider):
    standin.fault(method="ListParticipants", **participants_answer(provider))
    action = recreate_while_the_app_holds_the_row(run, db, pg_url, "joined-1")
    assert action["compensated"] is False
    sid = action["server_sid"]
    # The error says which room, which SID and which row, and the journal keeps it.
    assert f"room joined-1 was created with SID {sid}" in action["error"]
    assert 'row "joined-1"' in action["error"] and "participant(s) joined" in action["error"]
    assert list(standin.rooms()) == ["joined-1"]
    end = journal_lines(run)[-1]
    assert end["phase"] == "end" and end["error"] == action["error"]


def test_sid_is_recorded_on_a_new_connection_after_the_backend_is_terminated(run, db, standin):
    db.insert("term-1", None, "pending")
    # While CreateRoom is held, the database terminates roomctl's backend.
    standin.fault(method="CreateRoom", delay_ms=1500, count=1)

    # A name of this test's own (libpq's PGAPPNAME), so that tests running in parallel keep
    # their backends.
    app_name = f"roomctl-{db.schema}"

    def terminate():
        db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   f"WHERE application_name = '{app_name}' AND pid <> pg_backend_pid()")

    killer = standin.when_requested("CreateRoom", terminate)
    r = run("recreate", "--apply", "--json", env={"PGAPPNAME": app_name})
    killer.join()
    assert r.code == 0, r.stderr
    [action] = r.json["actions"]
    assert action["status"] == "done", action
    assert "second try" in action["reason"]
    assert db.rows() == [("term-1", action["new_sid"], "pending")]
    assert [room["sid"] for room in standin.rooms().values()] == [action["new_sid"]]
