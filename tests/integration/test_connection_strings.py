"""Any connection string psql accepts connects, whatever the password holds, and
the password never shows: not in `config show`, `check --json`, errors or -vv traces.

A throwaway login role gets a password with URI delimiters, quotes, backslashes, a space and
non-ASCII letters (ALTER ROLE through PG_ADMIN_URL); roomctl then reaches the test's table with
it in a URI (percent-encoded userinfo, a ?password= parameter) and in keyword=value form.
"""
import urllib.parse
import uuid

import pytest

from conftest import LoginRole

PASSWORDS = [
    "p#ss?w/rd@x%41:y&z=1",
    "it's a \\back\\slash and a space",
    "p\u00e4ssw\u00f6rd-\u2713-\U0001F511",
]


def keyword_value(value):
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class TrickyRole(LoginRole):
    def __init__(self, pg_url, db):
        super().__init__(pg_url, db, prefix="rc_pw_", attributes="BYPASSRLS")

    def spellings(self, password):
        host, port, dbname = self.parsed["host"], self.parsed["port"], self.parsed["dbname"]
        enc = urllib.parse.quote(password, safe="")
        return [
            f"postgresql://{self.name}:{enc}@{host}:{port}/{dbname}",
            f"postgresql://{self.name}@{host}:{port}/{dbname}?sslmode=disable&password={enc}",
            f"host={host} port={port} dbname={dbname} user={self.name} "
            f"password={keyword_value(password)}",
        ]


@pytest.fixture
def tricky_role(pg_url, db):
    r = TrickyRole(pg_url, db)
    yield r
    r.drop()


def leaks(text, password):
    """The password or a recognisable piece of it, in any spelling a string may carry."""
    pieces = {password, urllib.parse.quote(password, safe=""), keyword_value(password)}
    pieces |= {p for p in password.replace("\\", " ").split(" ") if len(p) >= 5}
    return [p for p in pieces if p and p in text]


def test_tricky_passwords_connect_and_never_show(run, db, standin, tricky_role):
    db.insert("in-sync", standin.seed_room("in-sync", age_seconds=60)["sid"], "active")
    for password in PASSWORDS:
        tricky_role.set_password(password)
        for url in tricky_role.spellings(password):
            audit = run("-vv", "audit", "--json", database_url=url)
            assert audit.code == 0, (url, audit.stderr)
            check = run("check", "--json", database_url=url)
            probes = {p["name"]: p for p in check.json["probes"]}
            assert probes["database.connect"]["status"] == "ok", probes["database.connect"]
            assert "********" in probes["database.connect"]["target"]
            shown = run("config", "show", database_url=url)
            assert "********" in shown.stdout
            for r in (audit, check, shown):
                assert not leaks(r.stdout + r.stderr, password), (url, r.stdout + r.stderr)

            # The same string with a wrong password: refused as credentials, without either.
            wrong = url.replace(urllib.parse.quote(password, safe=""),
                                urllib.parse.quote(password + "X", safe=""))
            wrong = wrong.replace(keyword_value(password), keyword_value(password + "X"))
            refused = run("audit", database_url=wrong)
            assert refused.code == 4, (wrong, refused.stderr)
            assert len(refused.error_lines()) == 1, refused.stderr
            assert not leaks(refused.stdout + refused.stderr, password), refused.stderr
            assert "refused the credentials" in refused.stderr


def test_a_malformed_string_is_a_config_error_without_the_password(run, db, standin):
    secret = "Sup3r-" + uuid.uuid4().hex[:6]
    for url in (f"postgresql://u:{secret}%zz@127.0.0.1:1/db",
                f"host=127.0.0.1 password='{secret}",
                f"host=127.0.0.1 password='it''s {secret}' user=u"):
        r = run("audit", database_url=url)
        assert r.code == 3, (url, r.stderr)
        assert "malformed database URL" in r.stderr, r.stderr
        assert secret not in r.stdout + r.stderr, r.stderr
        shown = run("config", "show", "--json", database_url=url)
        assert secret not in shown.stdout + shown.stderr, shown.stdout
