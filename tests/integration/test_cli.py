"""The command tree: help, version, exit codes."""
import re

import pytest


@pytest.mark.parametrize("provider", ["livekit"])
def test_version(run):
    r = run("--version")
    assert r.code == 0 and re.match(r"roomctl \d+\.\d+\.\d+", r.stdout)


@pytest.mark.parametrize("provider", ["livekit"])
def test_help_everywhere_has_examples(run):
    for cmd in (["check"], ["token", "create"], ["rooms", "list"], ["rooms", "create"],
                ["rooms", "delete"], ["audit"], ["recreate"], ["cleanup"]):
        r = run(*cmd, "--help")
        assert r.code == 0, cmd
        assert "Examples:" in r.stdout, cmd


def test_rooms_create_list_delete(run, standin):
    r = run("rooms", "create", "adhoc", "--empty-timeout", "10m", "--json")
    assert r.code == 0, r.stderr
    room = r.json["room"]
    assert room["name"] == "adhoc" and room["sid"].startswith("RM")
    assert room["empty_timeout_seconds"] == 600
    assert "turn_password" not in r.stdout
    listed = run("rooms", "list", "--json").json["rooms"]
    assert [x["name"] for x in listed] == ["adhoc"]
    assert run("rooms", "delete", "adhoc").code == 0
    assert "adhoc" not in standin.rooms()
    missing = run("rooms", "delete", "adhoc")
    assert missing.code == 1 and "does not exist" in missing.stderr
    assert run("rooms", "delete", "adhoc", "--ignore-not-found").code == 0
