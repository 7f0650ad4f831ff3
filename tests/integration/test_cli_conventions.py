"""Conventions people's hands know from git, kubectl, gh and lk (issue 15, part 5, and the token
flags of part 4): "did you mean ...?", `roomctl help CMD`, usage errors that point to the
subcommand's help, global options listed in every subcommand's help, `man` with the other
commands, secrets refused as flags without being echoed, durations that need a unit, and lk's
`token create` flags."""
import base64
import json

import pytest

livekit_only = pytest.mark.parametrize("provider", ["livekit"])


def one_usage_error(r):
    assert r.code == 2, (r.code, r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("roomctl: error: "), r.stderr
    return lines[0]


@livekit_only
def test_mistyped_commands_get_suggestions_and_the_help_of_where_they_were(run):
    line = one_usage_error(run("audti"))
    assert "unknown command 'audti' for 'roomctl'; did you mean 'audit'?" in line
    assert line.endswith("(run 'roomctl --help')")
    line = one_usage_error(run("rooms", "craete", "x"))
    assert "did you mean 'create'?" in line and "(run 'roomctl rooms --help')" in line
    # Nothing close: no guess, still the help to read.
    line = one_usage_error(run("deploy"))
    assert "did you mean" not in line and "unknown command 'deploy'" in line


@livekit_only
def test_mistyped_flags_get_suggestions_from_the_subcommand_and_the_global_options(run):
    line = one_usage_error(run("cleanup", "--min-aeg", "10m"))
    assert "unknown flag '--min-aeg' for 'roomctl cleanup'; did you mean '--min-age'?" in line
    assert line.endswith("(run 'roomctl cleanup --help')")
    line = one_usage_error(run("audit", "--jsno"))  # a global flag, after the subcommand
    assert "did you mean '--json'?" in line
    # --flag=value: the value is not repeated back.
    line = one_usage_error(run("token", "create", "--identiy=hunter2", "--list"))
    assert "'--identiy'" in line and "'--identity'" in line and "hunter2" not in line


@livekit_only
def test_an_error_after_a_subcommand_points_to_its_help(run):
    line = one_usage_error(run("token", "create", "--list", "--ttl"))
    assert line.endswith("(run 'roomctl token create --help')"), line
    line = one_usage_error(run("rooms"))
    assert line.endswith("(run 'roomctl rooms --help')"), line


@livekit_only
def test_help_cmd_prints_that_commands_help(run):
    for words in (["rooms", "create"], ["token", "create"], ["audit"], ["rooms"]):
        r = run("help", *words)
        assert r.code == 0, r.stderr
        assert r.stdout == run(*words, "--help").stdout, words
        assert f"Usage: roomctl {' '.join(words)} " in r.stdout
    r = run("help")
    assert r.code == 0 and r.stdout == run("--help").stdout
    line = one_usage_error(run("help", "rooms", "craete"))
    assert "did you mean 'create'?" in line and "(run 'roomctl rooms --help')" in line


@livekit_only
def test_subcommand_help_lists_the_global_options_that_work_there(run):
    for words in (["audit"], ["rooms", "create"], ["token", "create"], ["cleanup"]):
        out = run(*words, "--help").stdout
        globals_part = out[out.index("Global options (they work here too"):]
        for flag in ("--json", "-q/--quiet", "--url", "--database-url", "--config", "--provider"):
            assert flag in globals_part, (words, flag)
    assert "Global options (they work" not in run("--help").stdout  # the root lists them itself
    # And they do work there.
    r = run("token", "create", "--list", "--json")
    assert r.code == 0 and r.json["command"] == "token create"


@livekit_only
def test_man_is_listed_with_the_other_commands(run):
    out = run("--help").stdout
    listing = out[out.index("Subcommands:"):]
    for cmd in ("check", "audit", "completion", "man", "help"):
        assert f"\n  {cmd} " in listing, cmd
    r = run("man")
    assert r.code == 0 and r.stdout.startswith(".") and ".SH NAME" in r.stdout
    assert run("help", "man").code == 0


SECRET = "s3cr3t-value-from-the-lk-habit"


@pytest.mark.parametrize("args", [
    ["--api-secret", SECRET, "check"],
    ["token", "create", "--list", f"--api-secret={SECRET}"],
    ["--json", "rooms", "list", "--api-secret", SECRET],
])
@livekit_only
def test_api_secret_flag_is_refused_without_echoing_the_value(run, args):
    r = run(*args)
    assert r.code == 2
    assert SECRET not in r.stdout and SECRET not in r.stderr
    line = r.error_lines()
    assert len(line) == 1 and "--api-secret is not accepted" in line[0]
    assert "LIVEKIT_API_SECRET" in line[0] and "--api-secret-file" in line[0]
    if "--json" in args:
        assert r.json["error"]["exit_code"] == 2


@pytest.mark.parametrize("provider", ["twilio"])
def test_twilio_auth_token_flag_is_refused_too(run):
    r = run("rooms", "list", "--auth-token", SECRET)
    line = one_usage_error(r)
    assert SECRET not in r.stdout + r.stderr and "TWILIO_AUTH_TOKEN" in line


@livekit_only
def test_durations_need_a_unit_on_the_command_line(run):
    r = run("cleanup", "--min-age", "10", "--apply")
    line = one_usage_error(r)
    assert '--min-age: invalid duration "10"' in line and "did you mean 10m?" in line
    line = one_usage_error(run("token", "create", "--list", "--ttl", "600"))
    assert "--ttl" in line and "did you mean 600m?" in line
    line = one_usage_error(run("rooms", "create", "x", "--empty-timeout", "300"))
    assert "--empty-timeout" in line and "did you mean 300m?" in line
    # Units, and a bare 0, are fine.
    assert run("token", "create", "--list", "--ttl", "90s").code == 0
    assert run("token", "create", "--list", "--valid-for", "1h30m").code == 0


@livekit_only
def test_the_config_file_keeps_bare_numbers_as_seconds(run):
    config = run.config
    # Defaults are 10m and 15m: these values differ from them.
    config.write_text(config.read_text() + "[cleanup]\nmin_age = 1200\n"
                      "[recreate]\nstarting_within = \"1800\"\n")
    r = run("config", "show", "--json")
    assert r.code == 0, r.stderr
    text = json.dumps(r.json)
    assert "20m" in text and "30m" in text, text


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@livekit_only
def test_token_create_takes_lk_flags(run):
    r = run("token", "create", "--join", "--room", "support-7", "--identity", "caller",
            "--valid-for", "10m", "--metadata", '{"role":"caller"}', "--attribute", "tier=gold",
            "--grant", '{"canSubscribeMetrics":true}', "--agent", "support-bot",
            "--job-metadata", '{"ticket":7}', "--room-config", '{"emptyTimeout":600}')
    assert r.code == 0, r.stderr
    claims = claims_of(r.stdout.strip())
    assert claims["exp"] - claims["nbf"] == 600
    assert claims["metadata"] == '{"role":"caller"}' and claims["attributes"] == {"tier": "gold"}
    assert claims["video"] == {"roomJoin": True, "room": "support-7", "canSubscribeMetrics": True}
    assert claims["roomConfig"] == {"emptyTimeout": 600, "agents": [
        {"agentName": "support-bot", "metadata": '{"ticket":7}'}]}
    line = one_usage_error(run("token", "create", "--list", "--grant", '{"roomName":"x"}'))
    assert '"roomName" is not a LiveKit video grant' in line
    line = one_usage_error(run("token", "create", "--list", "--job-metadata", "x"))
    assert "--agent" in line


@pytest.mark.parametrize("provider", ["twilio"])
def test_twilio_tokens_refuse_livekit_only_flags_in_one_line(run):
    for flag in (["--agent", "bot"], ["--grant", '{"roomJoin":true}'], ["--metadata", "m"],
                 ["--attribute", "a=b"]):
        line = one_usage_error(run("token", "create", "--identity", "alice", *flag))
        assert f"{flag[0]} is LiveKit-only" in line, line
    assert run("token", "create", "--identity", "alice", "--valid-for", "10m").code == 0
