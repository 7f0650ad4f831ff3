#!/usr/bin/env bash
# Rebuilds roomctl and the micro benchmarks, starts a throwaway PostgreSQL and the LiveKit
# stand-in, runs the workloads of bench/README.md against their peers and floors, and prints the
# table of measured ratios against the targets, then the Google Benchmark micro results.
#   bench/run.sh                       # everything (about 15 minutes on 2 cores)
#   bench/run.sh recreate tokens       # some workloads: recreate recreate_floor audit floor
#                                      # history tokens startup rate
# Sizes: BENCH_RECREATE_ROOMS (2000), BENCH_AUDIT_ROOMS (100000), BENCH_TOKENS (100000),
# BENCH_SEED_BUDGET_S (150, the most time spent seeding audit's server rooms),
# BENCH_FLOOR_SIZES (10000,30000,100000), BENCH_FLOOR_ROUNDS (3),
# BENCH_RATE_ROOMS (2000: `rate` then takes ~5.5 min, three runs at a 20/s quota; 100 for a
# quick look, ~20 s). BENCH_ROOMCTL_BEFORE / BENCH_ROOMCTL_COMPARE: a second roomctl measured
# beside (recreate_floor, history / floor).
set -euo pipefail

ROOMCTL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOMCTL_ROOT
BENCH="$ROOMCTL_ROOT/bench"
BUILD="${BENCH_BUILD_DIR:-$BENCH/build}"   # BENCH_BUILD_DIR: reuse another build tree
# shellcheck source=../scripts/lib/deps.sh
source "$ROOMCTL_ROOT/scripts/lib/deps.sh"
# shellcheck source=../scripts/lib/pg.sh
source "$ROOMCTL_ROOT/scripts/lib/pg.sh"

deps_install
bench_missing=()
for p in libbenchmark-dev time util-linux; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || bench_missing+=("$p")
done
if ((${#bench_missing[@]})); then
    echo "==> installing: ${bench_missing[*]}" >&2
    sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${bench_missing[@]}" >/dev/null
fi

echo "==> building (RelWithDebInfo, as shipped) into bench/build" >&2
gen=(); command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
cmake -S "$ROOMCTL_ROOT" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DROOMCTL_BUILD_TESTS=OFF -DROOMCTL_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" --parallel "$(nproc)" --target roomctl roomctl_micro_bench >&2
echo "==> npm ci --prefix bench/node" >&2
npm ci --prefix "$BENCH/node" --no-audit --no-fund --loglevel=error >&2

WORK="$(mktemp -d /tmp/roomctl-bench.XXXXXX)"
PGDIR="$(mktemp -d /tmp/roomctl-bpg.XXXXXX)"
STANDIN_PID=""
cleanup() {
    if [[ -n "$STANDIN_PID" ]]; then kill "$STANDIN_PID" 2>/dev/null || true; wait "$STANDIN_PID" 2>/dev/null || true; fi
    pg_stop "$PGDIR" || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT

pg_start "$PGDIR" >/dev/null
# --cache-list-rooms: an unfiltered ListRooms answers the encoding cached until a room changes,
# so the audit measures the clients, not the stand-in encoding 55 MB of JSON (bench only).
/usr/bin/python3 "$ROOMCTL_ROOT/tests/standin/livekit_standin.py" --port 0 --cache-list-rooms \
    --port-file "$WORK/standin.port" --keys "devkey:bench-secret-0123456789abcdef0123456789" \
    >"$WORK/standin.log" 2>&1 &
STANDIN_PID=$!
for _ in $(seq 100); do [[ -s "$WORK/standin.port" ]] && break; sleep 0.1; done
[[ -s "$WORK/standin.port" ]] || { echo "stand-in did not start: $(cat "$WORK/standin.log")" >&2; exit 1; }

export ROOMCTL_BIN="$BUILD/commands/roomctl"
export MICRO_BENCH_BIN="$BUILD/bench/roomctl_micro_bench"
export BENCH_WORK="$WORK"
export LIVEKIT_URL="http://127.0.0.1:$(cat "$WORK/standin.port")"
export LIVEKIT_API_KEY=devkey
export LIVEKIT_API_SECRET=bench-secret-0123456789abcdef0123456789
export ROOMCTL_DATABASE_URL="$ROOMCTL_TEST_DATABASE_URL"
unset ROOMCTL_CONFIG ROOMCTL_PROFILE DATABASE_URL
export XDG_CONFIG_HOME="$WORK/xdg"   # no user config file leaks into the runs

echo "==> machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), node $(node --version)" >&2
/usr/bin/python3 "$BENCH/bench.py" "$@" | tee "$BUILD/last-table.md"

echo
echo "Micro benchmarks (bench/micro_bench.cpp):"
echo '```'
"$MICRO_BENCH_BIN" --benchmark_min_time=0.2 2>/dev/null | tee "$BUILD/last-micro.txt"
echo '```'
