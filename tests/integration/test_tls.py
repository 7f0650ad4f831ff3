"""TLS verification is on by default and nothing turns it off; --cacert adds a private CA."""
import subprocess

import pytest

from conftest import tls_livekit_standin

pytestmark = pytest.mark.parametrize("provider", ["livekit"])


@pytest.fixture
def https_standin(tmp_path):
    with tls_livekit_standin(tmp_path, "IP:127.0.0.1,DNS:localhost") as (port, cert):
        yield f"https://127.0.0.1:{port}", cert


def test_a_self_signed_server_is_refused_with_a_clear_message(run, https_standin):
    url, _ = https_standin
    r = run("check", "--only", "server", "--json", url=url)
    assert r.code == 5
    reach = next(p for p in r.json["probes"] if p["name"] == "server.reach")
    assert reach["status"] == "failed"
    assert "TLS" in reach["message"] and "--cacert" in reach["message"]
    listing = run("rooms", "list", url=url)
    assert listing.code == 1 and "TLS" in listing.stderr and "--cacert" in listing.stderr


def test_cacert_trusts_the_private_ca(run, https_standin):
    url, cert = https_standin
    r = run("check", "--only", "server", "--cacert", str(cert), url=url)
    assert r.code == 0, r.stdout + r.stderr
    assert "over TLS" in r.stdout
    assert run("rooms", "list", "--cacert", str(cert), url=url).code == 0


def test_no_option_disables_verification(roomctl_bin, provider):
    help_text = subprocess.run([roomctl_bin, "--help"], capture_output=True, text=True).stdout
    for word in ("insecure", "no-verify", "skip-verify", "tls-skip"):
        assert word not in help_text
