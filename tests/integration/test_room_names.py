"""Room names across the database and the server (an app that stores `{token}` but creates
`session-{token}`)."""


def test_prefix_mismatch_is_reported_with_the_template_and_nothing_is_touched(run, db, standin):
    db.insert("P46odHdPO0wJ", None, "active")
    standin.seed_room("session-P46odHdPO0wJ", age_seconds=3600)
    r = run("audit", "--json")
    assert r.code == 5, r.stderr
    assert r.json["summary"]["name_mismatch"] == 1
    assert r.json["summary"]["missing"] == 0 and r.json["summary"]["orphaned"] == 0
    f = r.json["findings"][0]
    assert f["kind"] == "name_mismatch"
    assert f["room"] == "session-P46odHdPO0wJ" and f["expected_room"] == "P46odHdPO0wJ"
    assert f["suggested_template"] == "session-{name}"
    human = run("audit")
    assert 'room_name_template = "session-{name}"' in human.stdout

    # Neither a duplicate room nor a delete: the fix is the mapping. While the naming is known
    # to be wrong, --apply is refused (exit 8) ...
    for command in (["recreate"], ["cleanup", "--min-age", "0s"]):
        refused = run(*command, "--apply", "--json")
        assert refused.code == 8, refused.stderr
        assert "room_name_template" in refused.stderr
    # ... and --allow-name-mismatch acts on the rest, still leaving the pair alone.
    rec = run("recreate", "--apply", "--json", "--allow-name-mismatch")
    cle = run("cleanup", "--apply", "--min-age", "0s", "--json", "--allow-name-mismatch")
    assert rec.code == 0 and cle.code == 0, rec.stderr + cle.stderr
    assert [a["status"] for a in rec.json["actions"] + cle.json["actions"]] == ["skipped", "skipped"]
    assert "room_name_template" in rec.json["actions"][0]["reason"]
    assert set(standin.rooms()) == {"session-P46odHdPO0wJ"}
    assert standin.requests().get("CreateRoom", 0) == 0
    assert standin.requests().get("DeleteRoom", 0) == 0


def test_the_template_maps_rows_to_rooms_in_every_command(run, db, standin):
    room = standin.seed_room("session-P46odHdPO0wJ", age_seconds=3600)
    db.insert("P46odHdPO0wJ", None, "active")
    db.insert("Qx81aZ0pLm2N", None, "pending")       # its room was never created
    db.insert("Zz00old00000", "RMold", "ended")
    standin.seed_room("session-Zz00old00000", age_seconds=7200)  # the ended row's room
    standin.seed_room("unrelated-room", age_seconds=7200)         # outside the template
    tpl = ["--room-name-template", "session-{name}"]

    audit = run("audit", "--json", *tpl)
    kinds = {(f["kind"], f["room"]) for f in audit.json["findings"]}
    assert kinds == {("sid_drift", "session-P46odHdPO0wJ"), ("missing", "session-Qx81aZ0pLm2N"),
                     ("orphaned", "session-Zz00old00000"), ("orphaned", "unrelated-room")}

    assert run("recreate", "--apply", *tpl).code == 0
    rooms = standin.rooms()
    assert "session-Qx81aZ0pLm2N" in rooms and "Qx81aZ0pLm2N" not in rooms
    sids = {name: sid for name, sid, _ in db.rows()}
    assert sids["P46odHdPO0wJ"] == room["sid"]
    assert sids["Qx81aZ0pLm2N"] == rooms["session-Qx81aZ0pLm2N"]["sid"]

    assert run("cleanup", "--apply", *tpl).code == 0
    assert "session-Zz00old00000" not in standin.rooms()
    assert run("audit", *tpl).code == 0


def test_template_from_the_config_file(run, db, standin):
    run.config.write_text(run.config.read_text() + 'room_name_template = "session-{name}"\n')
    db.insert("abcd1234", None, "pending")
    assert run("recreate", "--apply").code == 0
    assert "session-abcd1234" in standin.rooms()


def test_a_template_without_name_is_a_config_error(run, db, standin):
    r = run("audit", "--room-name-template", "session-")
    assert r.code == 3 and "{name}" in r.stderr
