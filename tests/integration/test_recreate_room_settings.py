"""Issue 14 item 6: recreate makes the room the app made, not another one.

Each setting comes from the row's column, else [recreate] in the config file, else the old
room (Twilio keeps completed rooms and answers for their SID; for LiveKit, whose rooms are gone
once closed, the journal's record of a room cleanup deleted), else the server's default, which
is a guess the run warns about once. The plan shows each setting and where it came from."""

import pytest

HOOK = "https://hook:s3cret-pw@app.example/twilio/room-status"


def add_config(run, text):
    run.config.write_text(run.config.read_text() + text)


def create_requests(standin):
    return standin.requests().get("CreateRoom", 0)


def only_action(result):
    actions = result.json["actions"]
    assert len(actions) == 1, actions
    return actions[0]


@pytest.mark.parametrize("provider", ["twilio"], indirect=True)
def test_a_completed_go_room_comes_back_as_a_go_room_with_its_callback(run, db, standin):
    old = standin.seed_room("class-7", status="completed", type="go", max_participants=2,
                            status_callback=HOOK, status_callback_method="POST",
                            media_region="de1")
    db.insert("class-7", sid=old["sid"])

    plan = run("recreate", "--json")
    assert plan.code == 0, plan.stderr
    planned = only_action(plan)
    assert planned["status"] == "planned"
    assert planned["settings"]["type"] == {"value": "go", "source": "previous_room"}
    assert planned["settings"]["max_participants"]["value"] == "2"
    assert planned["settings"]["media_region"]["value"] == "de1"
    assert planned["guessed_settings"] == []
    # The callback's password is never shown, in JSON or in text.
    assert "s3cret-pw" not in plan.stdout + plan.stderr
    text = run("recreate")
    assert "with type go, max_participants 2," in text.stdout, text.stdout
    assert "(all from old room)" in text.stdout, text.stdout
    assert "s3cret-pw" not in text.stdout + text.stderr
    assert "warning" not in text.stderr, text.stderr  # nothing had to be guessed

    applied = run("recreate", "--apply", "--json")
    assert applied.code == 0, applied.stderr
    room = standin.rooms()["class-7"]
    assert room["type"] == "go"
    assert room["max_participants"] == 2
    assert room["status_callback"] == HOOK
    assert room["media_region"] == "de1"
    assert room["sid"] != old["sid"]
    assert db.rows()[0][1] == room["sid"]


@pytest.mark.parametrize("provider", ["twilio"], indirect=True)
def test_row_column_beats_config_beats_the_old_room(run, db, standin):
    db.execute(f"ALTER TABLE {db.table} ADD COLUMN seats integer")
    old = standin.seed_room("class-8", status="completed", type="go", max_participants=2)
    db.insert("class-8", sid=old["sid"])
    db.insert("class-9")
    db.execute(f"UPDATE {db.table} SET seats = 4 WHERE room_name = 'class-8'")
    add_config(run, 'max_participants_column = "seats"\n'
                    '[recreate]\ntype = "group"\nmedia_region = "ie1"\n'
                    'status_callback = ""\ndeparture_timeout = "5m"\n')

    result = run("recreate", "--apply", "--json")
    assert result.code == 0, result.stderr
    by_room = {a["room"]: a for a in result.json["actions"]}
    settings = by_room["class-8"]["settings"]
    assert settings["max_participants"] == {"value": "4", "source": "row"}
    assert settings["type"] == {"value": "group", "source": "config"}
    assert settings["media_region"] == {"value": "ie1", "source": "config"}
    rooms = standin.rooms()
    assert rooms["class-8"]["type"] == "group" and rooms["class-8"]["max_participants"] == 4
    # class-9 was never created: no old room, its seats are NULL; max_participants is a guess.
    assert by_room["class-9"]["guessed_settings"] == ["max_participants"]
    assert "1 room(s) get the defaults for max_participants" in result.stderr


@pytest.mark.parametrize("provider", ["twilio"], indirect=True)
def test_a_row_value_twilio_refuses_skips_that_row_only(run, db, standin):
    db.execute(f"ALTER TABLE {db.table} ADD COLUMN kind text")
    db.insert("bad")
    db.insert("good")
    db.execute(f"UPDATE {db.table} SET kind = CASE room_name WHEN 'bad' THEN 'huge' "
               "ELSE 'peer-to-peer' END")
    add_config(run, 'type_column = "kind"\n')

    result = run("recreate", "--apply", "--json")
    assert result.code == 0, result.stderr
    by_room = {a["room"]: a for a in result.json["actions"]}
    assert by_room["bad"]["status"] == "skipped"
    assert '"huge"' in by_room["bad"]["reason"] and "not created" in by_room["bad"]["reason"]
    assert by_room["good"]["status"] == "done"
    assert set(standin.rooms()) == {"good"}
    assert standin.rooms()["good"]["type"] == "peer-to-peer"


@pytest.mark.parametrize("provider", ["twilio"], indirect=True)
def test_a_config_value_twilio_refuses_is_a_config_error_before_any_request(run, db, standin):
    db.insert("class-1")
    add_config(run, '[recreate]\ntype = "huge"\n')
    result = run("recreate", "--apply")
    assert result.code == 3, result.stderr
    assert len(result.error_lines()) == 1
    assert "[recreate]" in result.stderr and '"huge"' in result.stderr
    assert create_requests(standin) == 0
    assert standin.rooms() == {}


@pytest.mark.parametrize("provider", ["twilio"], indirect=True)
def test_an_old_room_that_cannot_be_read_is_not_guessed(run, db, standin):
    old = standin.seed_room("class-2", status="completed", type="go", max_participants=2)
    db.insert("class-2", sid=old["sid"])
    # The audit's own look at the recorded SID passes; the look for the old room's settings
    # (and its retries) fail.
    standin.fault(method="FetchRoom", status=503, after=1)
    result = run("recreate", "--apply", "--json")
    action = only_action(result)
    assert action["status"] == "skipped", action
    assert "old room's settings could not be read" in action["reason"]
    assert create_requests(standin) == 0


@pytest.mark.parametrize("provider", ["livekit"], indirect=True)
def test_livekit_takes_the_old_room_from_the_journal_of_the_cleanup_that_deleted_it(
        run, db, standin):
    old = standin.seed_room("standup", age_seconds=3600, max_participants=6,
                            metadata='{"team":"core"}', departure_timeout=120)
    db.insert("standup", sid=old["sid"], status="ended")
    cleanup = run("cleanup", "--apply", "--allow-empty-database")
    assert cleanup.code == 0, cleanup.stderr
    assert "standup" not in standin.rooms()
    # The app reopens the session: the same row, live again, still recording the old SID.
    db.execute(f"UPDATE {db.table} SET status = 'active'")

    plan = run("recreate", "--json")
    action = only_action(plan)
    assert action["settings"]["max_participants"] == {"value": "6", "source": "journal"}
    assert action["settings"]["metadata"]["value"] == '{"team":"core"}'
    assert action["settings"]["departure_timeout"]["value"] == "120"
    assert action["guessed_settings"] == []

    applied = run("recreate", "--apply")
    assert applied.code == 0, applied.stderr
    room = standin.rooms()["standup"]
    assert room["max_participants"] == 6
    assert room["metadata"] == '{"team":"core"}'
    assert room["departure_timeout"] == 120
    assert room["sid"] != old["sid"]
    assert db.rows()[0][1] == room["sid"]


@pytest.mark.parametrize("provider", ["livekit"], indirect=True)
def test_livekit_without_any_source_warns_once_and_config_silences_it(run, db, standin):
    for name in ("a", "b", "c"):
        db.insert(name)
    result = run("recreate")
    warnings = [l for l in result.stderr.splitlines() if l.startswith("warning:")]
    assert len(warnings) == 1, result.stderr
    assert "3 room(s)" in warnings[0]
    assert "max_participants, metadata, departure_timeout" in warnings[0]
    add_config(run, '[recreate]\nmax_participants = 0\nmetadata = ""\ndeparture_timeout = "20s"\n')
    quiet = run("recreate")
    assert "warning" not in quiet.stderr, quiet.stderr
