"""Rate limits as a first-class limit (issue 17 item 3): one limiter shared by every worker,
--rate / [http] rate / ROOMCTL_RATE, Twilio's 20 writes/s default, LiveKit unlimited unless
set, and AIMD slowing with Retry-After when the server answers 429. The stand-ins' quota
fault (quota_per_second) refuses beyond N requests per second with 429 and Retry-After.
Speed against the quota is measured in bench/ (bench.py rate), not here."""

QUOTA = 20  # per second, as Twilio's account write quota


def recreate_against_quota(run, db, standin, rooms, *args, env=None):
    standin.control("config", {"quota_per_second": QUOTA})
    for i in range(rooms):
        db.insert(f"quota-{i:03}", None, "pending")
    return run("recreate", "--apply", "--concurrency", "16", "--json", *args, env=env,
               timeout=60)


def test_recreate_against_a_quota_finishes_without_a_refused_action(run, db, standin, provider):
    r = recreate_against_quota(run, db, standin, 60)
    assert r.code == 0, r.stderr
    doc = r.json
    assert doc["summary"]["done"] == 60 and doc["summary"].get("failed", 0) == 0, doc["summary"]
    assert len(standin.rooms()) == 60
    rate = doc["rate"]
    refused_by_server = standin.control("quota")["refused"]
    assert rate["refused"] == refused_by_server  # every 429 the server sent was seen
    if provider == "twilio":
        # The default of 20 writes/s stays within the account's quota: nothing is refused.
        assert rate["counts"] == "writes" and rate["limit_per_second"] == 20
        assert rate["refused"] == 0 and rate["slowdowns"] == 0, rate
        assert "slowed by HTTP 429" not in r.stderr
    else:
        # Unlimited until the server says otherwise: the first 429s cut the rate, and the run
        # says how often it was slowed.
        assert rate["counts"] == "requests" and rate["limit_per_second"] is None
        assert rate["refused"] > 0 and rate["slowdowns"] >= 1, rate
        assert 0 < rate["effective_per_second"] < 60, rate
        lines = [l for l in r.stderr.splitlines() if l.startswith("slowed by HTTP 429")]
        assert len(lines) == 1, r.stderr
        assert f"{rate['refused']} of {rate['requests']} requests refused" in lines[0]


def test_a_configured_rate_at_the_quota_is_never_refused(run, db, standin, provider):
    r = recreate_against_quota(run, db, standin, 40, "--rate", "20/s")
    assert r.code == 0, r.stderr
    assert r.json["rate"]["limit_per_second"] == 20
    assert r.json["rate"]["refused"] == 0, r.json["rate"]
    assert standin.control("quota")["refused"] == 0
    # 40 creates at 20/s take about 2 s whatever the concurrency (the first slot is at once).
    assert r.elapsed >= 1.9


def test_the_config_file_sets_the_rate(run, db, standin):
    with open(run.config, "a") as f:
        f.write('[http]\nrate = "600/m"\n')
    for i in range(12):
        db.insert(f"filed-{i:02}", None, "pending")
    r = run("recreate", "--apply", "--concurrency", "8", "--json")
    assert r.code == 0, r.stderr
    assert r.json["rate"]["limit_per_second"] == 10
    assert r.elapsed >= 1.1  # 12 at 10/s: the 12th slot is 1.1 s after the first
    shown = run("config", "show")
    assert any(l.split()[:2] == ["rate", "600/m"] for l in shown.stdout.splitlines()), shown.stdout


def test_a_malformed_rate_is_refused_in_one_line(run, db, standin):
    db.insert("never", None, "pending")
    r = run("recreate", "--apply", "--rate", "fast")
    assert r.code == 2, r.stderr
    errors = r.error_lines()
    assert len(errors) == 1 and '--rate "fast" is not a rate: write it as 20/s' in errors[0]
    r = run("recreate", "--apply", env={"ROOMCTL_RATE": "20/h"})
    assert r.code == 3, r.stderr
    assert "env ROOMCTL_RATE" in r.stderr and "is not a rate" in r.stderr
    assert standin.rooms() == {}
