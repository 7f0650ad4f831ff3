"""libroomctl_io.so (libcurl, libpqxx) is loaded only by commands that need the network or
the database; without it those fail with one clear line, and the others still work."""

import shutil
import subprocess


def test_without_the_module_offline_commands_work_and_the_rest_say_why(roomctl_bin, tmp_path, run):
    lonely = tmp_path / "bin" / "roomctl"
    lonely.parent.mkdir()
    shutil.copy(roomctl_bin, lonely)  # no libroomctl_io.so beside it, no ../lib/roomctl/
    env = run.env()

    token = subprocess.run([str(lonely), "token", "create", "--identity", "a", "--room", "r",
                            "--join"], env=env, capture_output=True, text=True)
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().count(".") == 2  # a JWT: header.claims.signature

    audit = subprocess.run([str(lonely), "audit"], env=env, capture_output=True, text=True)
    assert audit.returncode == 3, audit.stderr  # a broken installation is a config error
    lines = audit.stderr.strip().splitlines()
    assert len(lines) == 1, audit.stderr
    assert "libroomctl_io.so" in lines[0] and "reinstall roomctl" in lines[0]
    assert str(tmp_path / "bin") in lines[0] and str(tmp_path / "lib" / "roomctl") in lines[0]
    assert audit.stdout == ""
