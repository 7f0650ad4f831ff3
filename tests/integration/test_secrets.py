"""No secret, Authorization value or turn_password in any output or journal, at -vv."""
import base64

import pytest

from conftest import API_SECRET, TWILIO_ACCOUNT, TWILIO_KEY, TWILIO_SECRET


def forbidden(provider, pg_url):
    words = ["turn_password", "Bearer eyJ"]
    if provider == "livekit":
        words.append(API_SECRET)
    else:
        words.append(TWILIO_SECRET)
        words.append(base64.b64encode(f"{TWILIO_KEY}:{TWILIO_SECRET}".encode()).decode())
    password = pg_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    words.append(f":{password}@")  # the database password inside a URL
    return words


def test_no_secret_appears_at_vv(run, db, standin, provider, pg_url, tmp_path):
    db.insert("needs-room", None, "pending")
    db.insert("drifted", None, "active")
    standin.seed_room("drifted", age_seconds=60)
    standin.seed_room("stray", age_seconds=7200)
    journal = tmp_path / "journal.jsonl"
    commands = [
        ["check"], ["check", "--json"], ["audit"], ["audit", "--json"],
        ["recreate"], ["recreate", "--apply", "--journal", str(journal)],
        ["cleanup", "--apply", "--journal", str(journal), "--json"],
        ["rooms", "list"], ["rooms", "list", "--json"], ["rooms", "create", "vv-room", "--json"],
        ["rooms", "participants", "vv-room"], ["rooms", "delete", "vv-room"],
        ["config", "show"], ["config", "show", "--json"],
        ["token", "create", "--identity", "u", "--room", "r"] +
        (["--join"] if provider == "livekit" else []),
        ["audit", "--database-url", pg_url],       # a password given on the command line
        ["audit"],                                  # and a refused one
    ]
    outputs = []
    for args in commands:
        r = run("-vv", *args)
        outputs.append((args, r.stdout + r.stderr))
    refused = run("-vv", "audit", secret="not-the-real-secret-but-still-secret")
    outputs.append((["refused"], refused.stdout + refused.stderr))
    outputs.append((["journal"], journal.read_text()))
    assert journal.read_text(), "the journal must have been written"
    for args, text in outputs:
        for word in forbidden(provider, pg_url) + ["not-the-real-secret-but-still-secret"]:
            assert word not in text, f"{word!r} leaked by {args}"
    # -vv did trace: the test would prove nothing if tracing were silent.
    assert any("> POST" in t or "> GET" in t for _, t in outputs)
