"""TLS verification is on by default and nothing turns it off; --cacert adds a private CA."""
import subprocess
import time
from pathlib import Path

import pytest

from conftest import API_KEY, API_SECRET, SOURCE_DIR

pytestmark = pytest.mark.parametrize("provider", ["livekit"])


@pytest.fixture
def https_standin(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    port_file = tmp_path / "port"
    proc = subprocess.Popen(["/usr/bin/python3", str(SOURCE_DIR / "tests/standin/livekit_standin.py"),
                             "--port", "0", "--port-file", str(port_file),
                             "--keys", f"{API_KEY}:{API_SECRET}",
                             "--tls-cert", str(cert), "--tls-key", str(key)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if port_file.exists():
            break
        time.sleep(0.05)
    yield f"https://127.0.0.1:{port_file.read_text().strip()}", cert
    proc.terminate()
    proc.wait(timeout=10)


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
