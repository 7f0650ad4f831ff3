#!/usr/bin/env bash
# The whole test suite under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer.
# Installs what is missing, builds build-asan/ with -DROOMCTL_SANITIZE=ON (every target: the
# core, libroomctl_io.so, the binary, the unit and database tests), starts a throwaway
# PostgreSQL and runs every ctest test of build-asan (all labels: unit, db, integration,
# conformance, shell, package). Exits non-zero when a test fails or when any instrumented
# process, the roomctl children of the Python and Node tests included, wrote a sanitizer report.
#
# Usage: scripts/sanitize.sh [ctest args...]   e.g. scripts/sanitize.sh -L unit
# Environment: ROOMCTL_SANITIZE_BUILD_DIR  build directory under the checkout (default build-asan)
#              ROOMCTL_SANITIZE_BUILD_ONLY=1  build, then exit (scripts/test.sh builds the tree in
#                                             the background while the release tests run)
#
# How a finding fails the run:
#   - exitcode=99: an instrumented process that gets a report exits 99 at once (halt_on_error,
#     and -fno-sanitize-recover=all makes every UBSan check fatal). No roomctl exit code is 99
#     (README "Exit codes": 0-7 and 130) and every test asserts an exact code, so 99 can never
#     pass for a legitimate outcome. abort_on_error stays off: SIGABRT would read as a crash
#     rather than as "sanitizer report", and the exit code is what the tests judge.
#   - log_path: each ASan/LSan report goes to a file in $REPORTS (one per process) instead of
#     stderr, and this script fails if any exists and prints them all at the end. That catches a
#     report from a child whose exit status a test does not look at (one it interrupts or kills)
#     and keeps the tests' "exactly one error line on stderr" checks about roomctl's own output.
#     GCC's libubsan is a separate runtime that ignores log_path: UBSan reports go to stderr
#     (shown by ctest --output-on-failure in the failing test's output) and exit 99 at once.
#   - The options are exported, so they reach every process ctest starts and every roomctl the
#     Python (conftest.py copies os.environ) and Node (process.env) tests spawn from it.
#   - detect_leaks=1: LeakSanitizer works here (it needs ptrace-like access to the process's own
#     threads, which containers without CAP_SYS_PTRACE may refuse; then this run says so).
# Nothing is excluded: package_deb builds and inspects a .deb of the instrumented binary too
# (dpkg-shlibdeps adds libasan8/libubsan1 to its Depends, which are installed with g++).
set -euo pipefail
ROOMCTL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOMCTL_ROOT
# shellcheck source=lib/deps.sh
source "$ROOMCTL_ROOT/scripts/lib/deps.sh"
# shellcheck source=lib/pg.sh
source "$ROOMCTL_ROOT/scripts/lib/pg.sh"

BUILD_DIR=${ROOMCTL_SANITIZE_BUILD_DIR:-build-asan}
started=$SECONDS

deps_install
echo "==> building $BUILD_DIR with -DROOMCTL_SANITIZE=ON (ASan + UBSan)" >&2
# -O1 with line tables (-g1): what the sanitizers' authors recommend, enough for every report
# to name file and line, and about half the compile time of -O2 -g (CI builds everything
# again here).
# ROOMCTL_CTEST_PER_CASE=OFF: each GoogleTest executable is one ctest test (`unit`, `db`), all
# its cases in one instrumented process instead of one process per case (tests/CMakeLists.txt).
# ROOMCTL_PYTEST_WORKERS=4: the instrumented integration suite waits more than it computes
# (measured with two workers: 897 s of CPU in 1150 s of wall, 0.78 of a core); with four it
# took 570 s instead of 1110 s on the same two cores.
build_roomctl "$BUILD_DIR" -DROOMCTL_SANITIZE=ON -DROOMCTL_BUILD_UNIT_TESTS=ON \
  -DROOMCTL_CTEST_PER_CASE=OFF -DROOMCTL_PYTEST_WORKERS=4 \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"

if [[ ${ROOMCTL_SANITIZE_BUILD_ONLY:-} == 1 ]]; then
  echo "==> sanitize.sh: $BUILD_DIR built in $((SECONDS - started)) s" >&2
  exit 0
fi

echo "==> installing the conformance test's npm packages (livekit-server-sdk)" >&2
npm ci --prefix "$ROOMCTL_ROOT/tests/conformance/livekit" --no-audit --no-fund --loglevel=error

PGDIR=$(mktemp -d /tmp/roomctl-asan-pg.XXXXXX)
BOUNCERDIR=$(mktemp -d /tmp/roomctl-asan-pgbouncer.XXXXXX)
REPORTS=$(mktemp -d /tmp/roomctl-asan-reports.XXXXXX)
chmod 1777 "$REPORTS"  # instrumented processes may run as another user (none do today)
cleanup() {
  pgbouncer_stop "$BOUNCERDIR" >/dev/null 2>&1 || true
  pg_stop "$PGDIR" >/dev/null 2>&1 || true
  rm -rf -- "$REPORTS"
}
trap cleanup EXIT
pg_start "$PGDIR" >/dev/null
pgbouncer_start "$BOUNCERDIR" >/dev/null  # the pooler tests' URLs, in front of this cluster

# Exported after pg_start (which runs only PostgreSQL's own, uninstrumented tools).
common="exitcode=99:halt_on_error=1:abort_on_error=0:log_path=$REPORTS/report"
export ASAN_OPTIONS="$common:detect_leaks=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="$common:print_stacktrace=1"
# One suppression, for a leak in Debian bookworm's libpqxx 6.4, not in roomctl: its private
# connection_base::exec() passes PQexec()'s raw PGresult to make_result(), which first asks the
# connection for its encoding; on a connection whose backend was terminated that throws, and the
# PGresult (216 + 2048 bytes, once per lost connection) is never freed. The db and integration
# tests that terminate backends (pg_terminate_backend) hit it. Plain libpq with PQclear() does
# not leak there, and roomctl never handles a PGresult itself (its own libpq calls only parse
# connection strings, connect and cancel: store/conninfo.cpp, store/pg_connection.cpp), so the
# pattern hides nothing of ours.
printf '%s\n' 'leak:PQmakeEmptyPGresult' >"$REPORTS/lsan.supp"
export LSAN_OPTIONS="exitcode=99:print_suppressions=0:suppressions=$REPORTS/lsan.supp"

# Fails fast, before the suite, when a sanitizer cannot run here (LeakSanitizer under a
# ptrace-restricted container is the usual one): say so instead of failing every test.
probe_out=$("$ROOMCTL_ROOT/$BUILD_DIR/commands/roomctl" --version 2>&1) || {
  rc=$?
  echo "sanitize.sh: the instrumented roomctl --version failed (exit $rc): $probe_out" >&2
  cat "$REPORTS"/report.* >&2 2>/dev/null || true
  exit 1
}

cd "$ROOMCTL_ROOT/$BUILD_DIR"
rc=0
# Instrumented code is 2-3x slower: the per-test timeouts of tests/CMakeLists.txt still apply
# (the integration suite's 1200 s is the one that matters), --timeout only for tests without one.
ctest --output-on-failure --parallel 2 --timeout 1800 "$@" || rc=$?

shopt -s nullglob
reports=("$REPORTS"/report.*)  # not lsan.supp
if ((${#reports[@]} > 0)); then
  echo "==> ${#reports[@]} sanitizer report(s):" >&2
  for f in "${reports[@]}"; do
    echo "---- $f" >&2
    cat "$f" >&2
  done
  rc=1
fi
echo "==> sanitize.sh: $((SECONDS - started)) s, exit $rc, ${#reports[@]} sanitizer report(s)" >&2
exit "$rc"
