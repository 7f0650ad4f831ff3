"""Bad input gets one clear line, a documented exit code, and loses nothing."""
import json

import pytest

from conftest import unused_port


@pytest.fixture
def state(db, standin):
    """A database and server whose contents must survive every bad run."""
    db.insert("live-missing", None, "pending")
    db.insert("ended", "RM_ended", "ended")
    standin.seed_room("ended", age_seconds=7200)
    standin.seed_room("stray", age_seconds=7200)
    return lambda: (db.rows(), sorted(standin.rooms()))


def assert_one_line_failure(r, code):
    assert r.code == code, (r.code, r.stdout, r.stderr)
    errors = r.error_lines()
    assert len(errors) == 1, r.stderr
    assert "\n" not in errors[0]


@pytest.mark.parametrize("args", [
    ["recreate", "--apply", "--bogus"],
    ["cleanup", "--apply", "--concurrency", "0"],
    ["cleanup", "--apply", "--min-age", "soon"],
    ["rooms", "create", "r" * 300],
    ["nonsense"],
])
def test_usage_errors_exit_2(run, state, args):
    before = state()
    r = run(*args)
    assert_one_line_failure(r, 2)
    assert state() == before


def test_malformed_url_is_a_config_error(run, state):
    before = state()
    r = run("cleanup", "--apply", url="htp//nowhere")
    assert_one_line_failure(r, 3)
    assert "malformed" in r.stderr and "URL" in r.stderr
    assert state() == before


def test_non_toml_config_is_a_config_error(run, state, tmp_path):
    before = state()
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml [\n")
    r = run("cleanup", "--apply", "--config", str(bad))
    assert_one_line_failure(r, 3)
    assert str(bad) in r.stderr
    assert state() == before


def test_mapping_naming_a_missing_table_is_a_config_error(run, state):
    before = state()
    r = run("recreate", "--apply", "--table", "public.no_such_rooms")
    assert_one_line_failure(r, 3)
    assert "no_such_rooms" in r.stderr
    assert state() == before


def test_database_refusing_connections(run, state):
    before = state()
    r = run("recreate", "--apply", database_url=f"postgresql://roomctl:roomctl@127.0.0.1:{unused_port()}/roomctl")
    assert_one_line_failure(r, 1)
    assert "cannot reach the database" in r.stderr
    assert state() == before


def test_database_wrong_password_is_auth(run, state, pg_url):
    before = state()
    bad = pg_url.replace("roomctl:roomctl@", "roomctl:wrong-password@")
    r = run("recreate", "--apply", database_url=bad)
    assert_one_line_failure(r, 4)
    assert "wrong-password" not in r.stdout + r.stderr
    assert state() == before


@pytest.mark.parametrize("content_type,body", [
    ("application/json", '{"rooms": [{"name": "x", "sid": '),
    ("text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
    ("application/json", '{"rooms": "not a list"}'),
])
def test_server_garbage_changes_nothing(run, state, standin, content_type, body):
    before = state()
    standin.fault(method="ListRooms", status=200, content_type=content_type, body=body)
    r = run("cleanup", "--apply")
    assert_one_line_failure(r, 1)
    assert state() == before
    assert standin.requests().get("DeleteRoom", 0) == 0


def test_server_5xx_html_changes_nothing(run, state, standin):
    before = state()
    standin.fault(method="ListRooms", status=502, content_type="text/html",
                  body="<html>Bad Gateway</html>")
    r = run("recreate", "--apply")
    assert_one_line_failure(r, 1)
    assert "HTTP 502" in r.stderr
    assert state() == before


def test_hanging_server_is_bounded(run, state, standin):
    before = state()
    # The server would answer after a minute; roomctl gives up after its attempts of 1 s each
    # and their backoff (about 6 s). The bound is far below the minute, so it proves roomctl
    # did not wait for the answer, and far above 6 s, so a loaded machine (the sanitizer run,
    # four pytest workers on two cores: 10.9 s once) does not fail it.
    standin.fault(method="ListRooms", delay_ms=60000)
    r = run("cleanup", "--apply", "--timeout", "1s")
    assert_one_line_failure(r, 1)
    assert r.elapsed < 30
    assert "no answer from" in r.stderr
    assert state() == before


def test_wrong_secret_outside_check_is_exit_4(run, state, provider):
    before = state()
    r = run("audit", secret="wrong")
    assert_one_line_failure(r, 4)
    assert ("signature rejected" if provider == "livekit" else "(20003)") in r.stderr
    assert "wrong" not in r.stderr.replace("wrong-", "")
    assert state() == before


def test_json_errors_are_one_document(run, state):
    r = run("audit", "--json", secret="wrong")
    assert r.code == 4
    doc = json.loads(r.stdout)
    assert doc["error"]["exit_code"] == 4 and doc["command"] == "audit"


def test_hostile_room_names_round_trip(run, db, standin):
    names = ["quote'name", 'double"name', "semi;colon -- DROP TABLE x", "ünïcødé-会议", "a b\tc"]
    for n in names:
        db.insert(n, None, "pending")
    r = run("recreate", "--apply", "--json")
    assert r.code == 0, r.stderr
    assert set(standin.rooms()) == set(names)
    assert all(sid for _, sid, _ in db.rows())
    assert run("audit").code == 0
