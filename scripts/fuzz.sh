#!/usr/bin/env bash
# Builds roomctl's libFuzzer targets (fuzz/, clang with ASan + UBSan) into build-fuzz/ and runs
# each one, one after the other, on a copy of its committed corpus (fuzz/corpus/<target>/) for
# a bounded time. Exits 1 when any target crashed, got a sanitizer report, a timeout or ran out
# of memory, with one line per failure naming the target and the file that reproduces it.
# See fuzz/README.md.
#
# Usage: scripts/fuzz.sh [target...]          (default: every target)
# Environment:
#   ROOMCTL_FUZZ_SECONDS        seconds per target (default 30)
#   ROOMCTL_FUZZ_BUILD_DIR      build directory under the checkout (default build-fuzz)
#   ROOMCTL_FUZZ_ARTIFACTS      where crash files and logs go (default <build dir>/fuzz-artifacts)
#   ROOMCTL_FUZZ_UPDATE_CORPUS  1: merge what the run found into fuzz/corpus/ (for developers;
#                               CI leaves the checkout untouched)
set -euo pipefail
ROOMCTL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOMCTL_ROOT
# shellcheck source=lib/deps.sh
source "$ROOMCTL_ROOT/scripts/lib/deps.sh"

TARGETS=(fuzz_token_inspect fuzz_config fuzz_livekit_response fuzz_twilio_response
  fuzz_signal_response)
if (($# > 0)); then TARGETS=("$@"); fi
SECONDS_PER_TARGET=${ROOMCTL_FUZZ_SECONDS:-30}
BUILD_DIR="$ROOMCTL_ROOT/${ROOMCTL_FUZZ_BUILD_DIR:-build-fuzz}"
ARTIFACTS=${ROOMCTL_FUZZ_ARTIFACTS:-$BUILD_DIR/fuzz-artifacts}

if [[ ! $SECONDS_PER_TARGET =~ ^[1-9][0-9]*$ ]]; then
  # libFuzzer reads -max_total_time=0 as "no limit".
  echo "ROOMCTL_FUZZ_SECONDS must be a positive whole number of seconds, not '$SECONDS_PER_TARGET'" >&2
  exit 2
fi

deps_install

echo "==> building the fuzz targets in $BUILD_DIR (clang, libFuzzer, ASan, UBSan)" >&2
gen=()
if command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); fi
CC=clang CXX=clang++ cmake -S "$ROOMCTL_ROOT" -B "$BUILD_DIR" "${gen[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DROOMCTL_FUZZ=ON -DROOMCTL_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" --target roomctl_fuzzers --parallel "$(nproc)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/roomctl-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ARTIFACTS"

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1}

failures=()
for t in "${TARGETS[@]}"; do
  bin="$BUILD_DIR/fuzz/$t"
  seeds="$ROOMCTL_ROOT/fuzz/corpus/$t"
  if [[ ! -x $bin || ! -d $seeds ]]; then
    echo "FUZZ FAIL $t: unknown target (no $bin or no $seeds)" >&2
    exit 2
  fi
  corpus="$WORK/corpus/$t"
  mkdir -p "$corpus" "$WORK/tmp/$t"
  cp -R "$seeds/." "$corpus/"  # a copy: the run adds files, the checkout stays clean
  before=$(find "$corpus" -type f | wc -l)
  log="$ARTIFACTS/$t.log"
  rm -f "$ARTIFACTS/$t"-crash-* "$ARTIFACTS/$t"-leak-* "$ARTIFACTS/$t"-timeout-* \
    "$ARTIFACTS/$t"-oom-* "$ARTIFACTS/$t"-slow-unit-*
  echo "==> $t: ${SECONDS_PER_TARGET}s on $before seed files" >&2
  rc=0
  TMPDIR="$WORK/tmp/$t" "$bin" \
    -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$t-" "$corpus" >"$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    what=$(grep -m 1 -E '^SUMMARY: |ERROR: libFuzzer: |runtime error: |terminate called' "$log" || true)
    echo "---- last lines of $log" >&2
    tail -n 40 "$log" >&2
    line="FUZZ FAIL $t (exit $rc): ${what:-see $log}; reproduce: $bin ${crash:-<no crash file>}"
    echo "$line" >&2
    failures+=("$line")
    continue
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  after=$(find "$corpus" -type f | wc -l)
  echo "FUZZ OK $t: ${runs:-?} runs in ${SECONDS_PER_TARGET}s (${per_second:-?}/s), corpus $before -> $after files"
  if [[ ${ROOMCTL_FUZZ_UPDATE_CORPUS:-} == 1 ]]; then
    TMPDIR="$WORK/tmp/$t" "$bin" -merge=1 -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      "$seeds" "$corpus" >>"$log" 2>&1
    echo "    merged into fuzz/corpus/$t: $(find "$seeds" -type f | wc -l) files" >&2
  fi
done

if ((${#failures[@]} > 0)); then
  printf '%s\n' "${failures[@]}" >&2
  exit 1
fi
