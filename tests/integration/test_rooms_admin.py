"""What `lk` and `twilio` users reach for (issue 15 item 4) and "a lookup that finds nothing is
an error" (item 1): rooms get/update, rooms list filters, and the participants commands, end to
end against both stand-ins. Where a provider cannot do something (Twilio: room metadata,
updating or muting participants), roomctl refuses it with one line and exit 2."""
import json

import pytest


def one_error(result):
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("args", [["rooms", "list", "nope-room"],
                                  ["rooms", "participants", "nope-room"],
                                  ["participants", "list", "nope-room"],
                                  ["rooms", "get", "nope-room"]])
def test_a_lookup_that_finds_nothing_is_an_error(run, standin, args):
    standin.seed_room("other-room")
    r = run(*args)
    assert r.code == 1, r.stderr
    assert "room nope-room does not exist" in one_error(r)
    assert r.stdout == ""
    # With --json too: the one document is the error, not an empty answer.
    r = run(*args, "--json")
    assert r.code == 1
    assert "room nope-room does not exist" in r.json["error"]["message"]
    assert "rooms" not in r.json and "participants" not in r.json


def test_rooms_list_with_an_existing_name_still_lists_it(run, standin):
    standin.seed_room("here-room")
    r = run("rooms", "list", "here-room", "--json")
    assert r.code == 0, r.stderr
    assert [x["name"] for x in r.json["rooms"]] == ["here-room"]


def test_rooms_list_filters_glob_empty_and_age(run, standin):
    standin.seed_room("sess-old-empty", age_seconds=7200)
    standin.seed_room("sess-old-busy", age_seconds=7200, participants=["alice"])
    standin.seed_room("sess-young", age_seconds=60)
    standin.seed_room("other-old", age_seconds=7200)

    def names(*args):
        r = run("rooms", "list", *args, "--json")
        assert r.code == 0, r.stderr
        return sorted(x["name"] for x in r.json["rooms"])

    assert names("sess-*") == ["sess-old-busy", "sess-old-empty", "sess-young"]
    assert names("sess-*", "--older-than", "1h") == ["sess-old-busy", "sess-old-empty"]
    assert names("sess-*", "--older-than", "1h", "--empty") == ["sess-old-empty"]
    assert names("--empty", "--older-than", "1h") == ["other-old", "sess-old-empty"]
    assert names("nomatch-*") == []  # a glob filters: no match is an empty list, not an error
    r = run("rooms", "list", "--older-than", "10")
    assert r.code == 2 and "10m" in one_error(r)  # durations need a unit


def test_rooms_get_by_name_and_by_sid(run, standin):
    room = standin.seed_room("get-me", participants=["alice", "bob"])
    for key in ("get-me", room["sid"]):
        r = run("rooms", "get", key, "--json")
        assert r.code == 0, r.stderr
        assert r.json["command"] == "rooms get"
        assert r.json["room"]["name"] == "get-me"
        assert r.json["room"]["sid"] == room["sid"]
        assert r.json["room"]["num_participants"] == 2
        assert sorted(p["identity"] for p in r.json["participants"]) == ["alice", "bob"]
    text = run("rooms", "get", "get-me")
    assert text.code == 0 and room["sid"] in text.stdout and "alice" in text.stdout


def test_rooms_update_metadata(run, standin, provider):
    standin.seed_room("meta-room")
    r = run("rooms", "update", "meta-room", "--metadata", '{"topic":"standup"}', "--json")
    if provider == "twilio":
        assert r.code == 2 and "Twilio rooms have no metadata" in r.json["error"]["message"]
        plain = run("rooms", "update", "meta-room", "--metadata", "x")
        assert plain.code == 2 and "Twilio rooms have no metadata" in one_error(plain)
        return
    assert r.code == 0, r.stderr
    assert r.json["room"]["metadata"] == '{"topic":"standup"}'
    assert standin.rooms()["meta-room"]["metadata"] == '{"topic":"standup"}'
    r = run("rooms", "update", "gone-room", "--metadata", "x")
    assert r.code == 1 and "room gone-room does not exist" in one_error(r)


def seed_livekit_participant(standin):
    standin.seed_room("p-room")
    return standin.control("participants", {
        "room": "p-room", "identity": "alice", "name": "Alice", "metadata": "m0",
        "attributes": {"team": "blue"}, "permission": {"can_update_metadata": True},
        "tracks": [{"sid": "TR_mic000001", "name": "mic", "type": "AUDIO"},
                   {"sid": "TR_cam000001", "name": "cam", "type": "VIDEO"}]})


def test_participants_list_shows_tracks_permissions_metadata_attributes(run, standin, provider):
    if provider == "twilio":
        standin.seed_room("p-room", participants=["alice"])
    else:
        seed_livekit_participant(standin)
    r = run("participants", "list", "p-room", "--json")
    assert r.code == 0, r.stderr
    (alice,) = r.json["participants"]
    assert alice["identity"] == "alice"
    assert set(alice) >= {"tracks", "permission", "metadata", "attributes", "kind"}
    if provider == "livekit":
        assert [t["sid"] for t in alice["tracks"]] == ["TR_mic000001", "TR_cam000001"]
        assert alice["tracks"][0]["type"] == "AUDIO" and alice["tracks"][0]["muted"] is False
        assert alice["permission"]["can_update_metadata"] is True
        assert alice["metadata"] == "m0" and alice["attributes"] == {"team": "blue"}
    else:
        assert alice["permission"] is None and alice["tracks"] == []
    # The old spelling answers the same participants.
    old = run("rooms", "participants", "p-room", "--json")
    assert old.code == 0 and old.json["participants"] == r.json["participants"]
    text = run("participants", "list", "p-room")
    assert text.code == 0 and "alice" in text.stdout


def test_participants_get_and_remove(run, standin, provider):
    standin.seed_room("r-room", participants=["alice", "bob"])
    r = run("participants", "get", "r-room", "alice", "--json")
    assert r.code == 0, r.stderr
    assert r.json["participant"]["identity"] == "alice"
    r = run("participants", "get", "r-room", "nobody")
    assert r.code == 1 and "participant nobody is not in room r-room" in one_error(r)

    r = run("participants", "remove", "r-room", "alice", "--json")
    assert r.code == 0, r.stderr
    assert r.json["status"] == "removed"
    left = run("participants", "list", "r-room", "--json")
    assert [p["identity"] for p in left.json["participants"]] == ["bob"]
    again = run("participants", "remove", "r-room", "alice")
    assert again.code == 1 and "participant alice is not in room r-room" in one_error(again)
    gone = run("participants", "remove", "no-room", "alice")
    assert gone.code == 1 and "room no-room does not exist" in one_error(gone)


def test_participants_update(run, standin, provider):
    if provider == "twilio":
        standin.seed_room("p-room", participants=["alice"])
        r = run("participants", "update", "p-room", "alice", "--metadata", "x")
        assert r.code == 2 and "Twilio" in one_error(r)
        return
    seed_livekit_participant(standin)
    r = run("participants", "update", "p-room", "alice", "--metadata", "m1", "--name", "A.",
            "--attribute", "seat=3", "--attribute", "team=", "--can-publish", "false",
            "--can-publish-sources", "microphone", "--json")
    assert r.code == 0, r.stderr
    p = r.json["participant"]
    assert p["metadata"] == "m1" and p["name"] == "A."
    assert p["attributes"] == {"seat": "3"}  # merged; an empty value deleted team
    perm = p["permission"]
    assert perm["can_publish"] is False and perm["can_publish_sources"] == ["MICROPHONE"]
    # Flags not given keep the current permission (it was seeded can_update_metadata=true).
    assert perm["can_update_metadata"] is True and perm["can_subscribe"] is True
    # --attribute takes one value each time: the positionals after it stay positionals.
    before = run("participants", "update", "--attribute", "seat=4", "p-room", "alice", "--json")
    assert before.code == 0, before.stderr
    assert before.json["participant"]["attributes"] == {"seat": "4"}
    nothing = run("participants", "update", "p-room", "alice")
    assert nothing.code == 2 and "nothing to update" in one_error(nothing)
    bad = run("participants", "update", "p-room", "alice", "--attribute", "novalue")
    assert bad.code == 2 and "KEY=VALUE" in one_error(bad)
    missing = run("participants", "update", "p-room", "zed", "--metadata", "x")
    assert missing.code == 1 and "participant zed is not in room p-room" in one_error(missing)


def test_participants_mute(run, standin, provider):
    if provider == "twilio":
        standin.seed_room("p-room", participants=["alice"])
        r = run("participants", "mute", "p-room", "alice", "TR_x")
        assert r.code == 2 and "Twilio" in one_error(r)
        return
    seed_livekit_participant(standin)
    r = run("participants", "mute", "p-room", "alice", "TR_mic000001", "--json")
    assert r.code == 0, r.stderr
    assert r.json["track"]["sid"] == "TR_mic000001" and r.json["track"]["muted"] is True
    got = run("participants", "get", "p-room", "alice", "--json")
    assert [t["muted"] for t in got.json["participant"]["tracks"]] == [True, False]
    # The server refuses a remote unmute unless room.enable_remote_unmute is on.
    r = run("participants", "mute", "p-room", "alice", "TR_mic000001", "--unmute")
    assert r.code == 1 and "enable_remote_unmute" in one_error(r)
    standin.control("config", {"enable_remote_unmute": True})
    r = run("participants", "mute", "p-room", "alice", "TR_mic000001", "--unmute", "--json")
    assert r.code == 0 and r.json["track"]["muted"] is False
    r = run("participants", "mute", "p-room", "alice", "TR_nope")
    assert r.code == 1 and "no track TR_nope" in one_error(r)
