#!/usr/bin/env bash
# Installs dependencies, checks formatting (scripts/format.sh --check), builds with warnings as
# errors, starts a throwaway PostgreSQL, and runs the tests that drive the release binary with
# ctest; then every test (the unit and database tests too) under AddressSanitizer +
# UndefinedBehaviorSanitizer (scripts/sanitize.sh) and a bounded smoke run of every libFuzzer
# target (scripts/fuzz.sh).
# Usage: scripts/test.sh                   everything (what CI runs)
#        scripts/test.sh [ctest args...]   only the normal build's ctest, e.g. -L unit
set -euo pipefail
ROOMCTL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOMCTL_ROOT
# shellcheck source=lib/deps.sh
source "$ROOMCTL_ROOT/scripts/lib/deps.sh"
# shellcheck source=lib/pg.sh
source "$ROOMCTL_ROOT/scripts/lib/pg.sh"

deps_install
# Formatting first: it takes seconds, and a CI run should not build only to fail on it.
bash "$ROOMCTL_ROOT/scripts/format.sh" --check
# Warnings are errors here (CI and anyone running the suite); a plain cmake build keeps them
# warnings, so a newer compiler's new warning does not stop someone building a release.
# The full run builds the unit and database tests (GoogleTest) only once, in the sanitizer
# build that runs them under ASan and UBSan; here it builds the release binary, and ctest runs
# what drives it (integration, conformance, shell, package). With ctest arguments (e.g. -L unit)
# this build has them all.
unit_tests=ON
if (($# == 0)); then unit_tests=OFF; fi
build_roomctl build -DROOMCTL_WERROR=ON -DROOMCTL_BUILD_UNIT_TESTS=$unit_tests

echo "==> installing the conformance test's npm packages (livekit-server-sdk)" >&2
npm ci --prefix "$ROOMCTL_ROOT/tests/conformance/livekit" --no-audit --no-fund --loglevel=error

PGDIR=$(mktemp -d /tmp/roomctl-test-pg.XXXXXX)
BOUNCERDIR=$(mktemp -d /tmp/roomctl-test-pgbouncer.XXXXXX)
# The full run builds the sanitizer tree (scripts/sanitize.sh) in the background, niced, while
# the release tests run: they spend much of their time waiting on processes, sockets, timeouts
# and PostgreSQL, and the build uses the cores they leave idle. Its output goes to a log, shown
# when it fails.
asan_build_pid=""
asan_build_log=""
cleanup() {
  # Its own process group (setsid), so that the compilers go too.
  if [[ -n $asan_build_pid ]]; then kill -- "-$asan_build_pid" 2>/dev/null || true; fi
  pgbouncer_stop "$BOUNCERDIR" >/dev/null 2>&1 || true
  pg_stop "$PGDIR" >/dev/null 2>&1 || true
  if [[ -n $asan_build_log ]]; then rm -f -- "$asan_build_log"; fi
}
trap cleanup EXIT
if (($# == 0)); then
  asan_build_log=$(mktemp /tmp/roomctl-asan-build.XXXXXX)
  echo "==> building the sanitizer tree in the background (nice 10), log $asan_build_log" >&2
  ROOMCTL_SANITIZE_BUILD_ONLY=1 setsid nice -n 10 bash "$ROOMCTL_ROOT/scripts/sanitize.sh" \
    >"$asan_build_log" 2>&1 &
  asan_build_pid=$!
fi
pg_start "$PGDIR" >/dev/null
# PgBouncer in front of it, transaction and session mode (ROOMCTL_TEST_POOLER_URL,
# ROOMCTL_TEST_SESSION_POOLER_URL), for the connection-pooler tests.
pgbouncer_start "$BOUNCERDIR" >/dev/null

# Tests that need PostgreSQL or the stand-in fail, not skip, when CI=true.
# Two tests at a time (ctest -j2; the integration test runs its own two pytest workers): most
# of the suite waits on processes, sockets and PostgreSQL rather than on a core.
(cd "$ROOMCTL_ROOT/build" && ctest --output-on-failure --parallel 2 --timeout 1200 "$@")
if (($# > 0)); then exit 0; fi

echo "==> waiting for the sanitizer tree's build" >&2
if ! wait "$asan_build_pid"; then
  asan_build_pid=""
  echo "==> the sanitizer tree's build failed; its last lines:" >&2
  tail -n 60 "$asan_build_log" >&2
  exit 1
fi
asan_build_pid=""
tail -n 1 "$asan_build_log" >&2
echo "==> the whole suite again under ASan + UBSan (scripts/sanitize.sh)" >&2
bash "$ROOMCTL_ROOT/scripts/sanitize.sh"
echo "==> fuzz smoke: each libFuzzer target for ${ROOMCTL_FUZZ_SECONDS:-30}s (scripts/fuzz.sh)" >&2
bash "$ROOMCTL_ROOT/scripts/fuzz.sh"
