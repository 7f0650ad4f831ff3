#!/usr/bin/env python3
"""Runs one GoogleTest executable as a single ctest test (tests/CMakeLists.txt, when
ROOMCTL_CTEST_PER_CASE is OFF) and fails when CI=true and any case was skipped.

GoogleTest itself exits 0 after GTEST_SKIP, and so did ctest's per-case form ("Skipped" is not
a failure to ctest); the suite's rule is that under CI=true a skipped test fails, so this reads
the executable's JSON report and names every skipped case.

Usage: run_gtest.py EXECUTABLE [GTEST ARGS...]
Exit: the executable's own status when it failed; 1 when it passed but skipped a case in CI;
0 otherwise.
"""

import json
import os
import subprocess
import sys
import tempfile


def skipped_cases(report):
    for suite in report.get("testsuites", []):
        for case in suite.get("testsuite", []):
            if case.get("result") == "SKIPPED" or case.get("status") == "NOTRUN":
                yield f"{suite.get('name')}.{case.get('name')}"


def main(argv):
    if len(argv) < 2:
        print("usage: run_gtest.py EXECUTABLE [GTEST ARGS...]", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="roomctl-gtest.") as tmp:
        report_path = os.path.join(tmp, "report.json")
        rc = subprocess.call([argv[1], f"--gtest_output=json:{report_path}", *argv[2:]])
        if rc != 0:
            return rc
        with open(report_path, encoding="utf-8") as f:
            report = json.load(f)
    skipped = sorted(skipped_cases(report))
    # DISABLED_ cases are reported as NOTRUN too; there are none, and one would be a skip.
    if skipped and os.environ.get("CI") == "true":
        print(f"{len(skipped)} test(s) skipped, which fails when CI=true:", file=sys.stderr)
        for name in skipped:
            print(f"  {name}", file=sys.stderr)
        return 1
    if skipped:
        print(f"note: {len(skipped)} test(s) skipped: {', '.join(skipped)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
