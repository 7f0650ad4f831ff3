#!/usr/bin/env bash
# The repair loop on a realistically broken state, from a fresh clone:
# installs, builds, starts a throwaway PostgreSQL and a LiveKit-protocol server, loads the
# schema of a LiveKit app (livekit_rooms joined to sessions) with missing rooms, an orphan
# and a SID drift, then runs check -> audit -> recreate -> cleanup -> audit. Stops everything
# it started.
#
# Uses livekit-server --dev when it is on PATH; otherwise the protocol stand-in in tests/.
set -euo pipefail
ROOMCTL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOMCTL_ROOT
# shellcheck source=lib/deps.sh
source "$ROOMCTL_ROOT/scripts/lib/deps.sh"
# shellcheck source=lib/pg.sh
source "$ROOMCTL_ROOT/scripts/lib/pg.sh"

bold=""; reset=""
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then bold=$'\e[1m'; reset=$'\e[0m'; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
show() { printf '%s$ %s%s\n' "$bold" "$*" "$reset"; "$@" || echo "(exit code $?)"; }

step "Installing dependencies and building roomctl"
deps_install
build_roomctl build >/dev/null
ROOMCTL="$ROOMCTL_ROOT/build/commands/roomctl"
roomctl() { "$ROOMCTL" "$@"; }

WORK=$(mktemp -d /tmp/roomctl-demo.XXXXXX)
PGDIR=$(mktemp -d /tmp/roomctl-demo-pg.XXXXXX)  # its own dir: the postgres user must reach it
SERVER_PID=""
stop_all() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  pg_stop "$PGDIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop_all EXIT

step "Starting a throwaway PostgreSQL"
pg_start "$PGDIR" >/dev/null
export ROOMCTL_DATABASE_URL="$ROOMCTL_TEST_DATABASE_URL"
echo "database: postgresql://roomctl:********@127.0.0.1 (throwaway)"

export LIVEKIT_API_KEY=devkey LIVEKIT_API_SECRET=secret
export XDG_STATE_HOME="$WORK/state"  # the journal of applied actions goes here
if command -v livekit-server >/dev/null 2>&1; then
  step "Starting livekit-server --dev"
  livekit-server --dev --bind 127.0.0.1 >"$WORK/livekit.log" 2>&1 &
  SERVER_PID=$!
  export LIVEKIT_URL=http://127.0.0.1:7880
  STANDIN=""
else
  step "Starting the LiveKit-protocol stand-in (livekit-server is not installed)"
  python3 "$ROOMCTL_ROOT/tests/standin/livekit_standin.py" --port 0 \
    --port-file "$WORK/port" --keys devkey:secret >/dev/null &
  SERVER_PID=$!
  for _ in $(seq 100); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
  export LIVEKIT_URL="http://127.0.0.1:$(cat "$WORK/port")"
  STANDIN=$LIVEKIT_URL
fi
for _ in $(seq 100); do curl -fsS "$LIVEKIT_URL/" >/dev/null 2>&1 && break; sleep 0.1; done
echo "server: $LIVEKIT_URL (key devkey)"

step "Loading the app's schema with a realistically broken state"
psql -q "$ROOMCTL_DATABASE_URL" -v ON_ERROR_STOP=1 -f "$ROOMCTL_ROOT/scripts/demo/schema.sql"

# Server-side rooms: one in sync, one whose row lost its SID, one whose row says ended,
# one created by a run that crashed before its INSERT, and one created a minute ago.
seed_server_room() {  # name age_seconds
  if [[ -n "$STANDIN" ]]; then
    curl -fsS -X POST "$STANDIN/_standin/rooms" -H 'Content-Type: application/json' \
      -d "{\"name\":\"$1\",\"creation_time\":$(($(date +%s) - $2)),\"empty_timeout\":86400}" >/dev/null
  else
    roomctl rooms create "$1" --empty-timeout 1h -q >/dev/null
  fi
}
seed_server_room session-7c9e6679-7425-40de-944b-e07fc1f90ae7 900
seed_server_room session-16fd2706-8baf-433b-82eb-8c7fada847da 900
seed_server_room session-a8098c1a-f86e-11da-bd1a-00112444be1e 7200
seed_server_room session-e5f0a1b2-0000-4c1d-9d5e-3b1f2c4d5e6f 5400
seed_server_room session-0f8fad5b-d9cb-469f-a165-70867728950e 60
# The in-sync row records its room's real SID.
SID=$(roomctl rooms list session-7c9e6679-7425-40de-944b-e07fc1f90ae7 --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["rooms"][0]["sid"])')
psql -q "$ROOMCTL_DATABASE_URL" -c \
  "UPDATE livekit_rooms SET room_sid = '$SID' WHERE room_name = 'session-7c9e6679-7425-40de-944b-e07fc1f90ae7'"
psql "$ROOMCTL_DATABASE_URL" -c \
  "SELECT room_name, coalesce(room_sid, '(null)') AS room_sid, status FROM livekit_rooms ORDER BY id"

MIN_AGE=10m
[[ -z "$STANDIN" ]] && MIN_AGE=0s  # a real server's rooms are all brand new

step "1. Is everything reachable? (check)"
show roomctl check
step "2. What has drifted? (audit: exit 5 means findings)"
show roomctl audit
step "3. Why can't the mentee of the career chat join? (explain: the row, the room, the fix)"
show roomctl explain --session 9b2d3c4e-1f5a-4b6c-8d7e-0a1b2c3d4e5f
step "4. What would recreate do? (plan only; nothing changes)"
show roomctl recreate
step "5. Recreate the missing rooms and record SIDs"
show roomctl recreate --apply --empty-timeout 1h
step "6. Delete orphaned rooms older than $MIN_AGE"
show roomctl cleanup --apply --min-age "$MIN_AGE"
step "7. Audit again"
show roomctl audit
psql "$ROOMCTL_DATABASE_URL" -c \
  "SELECT room_name, room_sid, status FROM livekit_rooms ORDER BY id"
step "The journal: every applied action, written before the next one started"
python3 - "$XDG_STATE_HOME/roomctl/journal.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["phase"] == "end":
        print(f'{e["time"]}  {e["command"]:8} {e["kind"]:11} {e["status"]:7} {e["room"]}')
PY

cat <<'NOTE'

The one orphan left was created a minute ago: cleanup never deletes rooms younger than
--min-age (default 10m), because the app may be about to record it. A later scheduled run
deletes it once it is old enough.
NOTE
step "The same loop against Twilio Programmable Video (--provider twilio)"
TWILIO_PORT_FILE="$WORK/twilio-port"
python3 "$ROOMCTL_ROOT/tests/standin/twilio_standin.py" --port 0 --port-file "$TWILIO_PORT_FILE" \
  --account-sid AC0123456789abcdef0123456789abcdef \
  --api-key SKfedcba9876543210fedcba9876543210:demo-key-secret >/dev/null &
TWILIO_PID=$!
for _ in $(seq 100); do [[ -s "$TWILIO_PORT_FILE" ]] && break; sleep 0.1; done
TWILIO="http://127.0.0.1:$(cat "$TWILIO_PORT_FILE")"
echo "Twilio Video stand-in: $TWILIO (the real API is https://video.twilio.com)"
export ROOMCTL_PROVIDER=twilio TWILIO_VIDEO_BASE_URL=$TWILIO \
  TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef \
  TWILIO_API_KEY=SKfedcba9876543210fedcba9876543210 TWILIO_API_SECRET=demo-key-secret
psql -q "$ROOMCTL_DATABASE_URL" -v ON_ERROR_STOP=1 -f "$ROOMCTL_ROOT/scripts/demo/twilio_schema.sql"
seed_twilio_room() {  # name age_seconds
  curl -fsS -X POST "$TWILIO/_standin/rooms" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$1\",\"creation_time\":$(($(date +%s) - $2)),\"empty_timeout\":3600}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["sid"])'
}
seed_twilio_room breakout-eef33a52-2 600 >/dev/null
SID3=$(seed_twilio_room breakout-eef33a52-3 600)
seed_twilio_room breakout-eef33a52-4 1800 >/dev/null
psql -q "$ROOMCTL_DATABASE_URL" -c \
  "UPDATE breakout_rooms SET twilio_room_sid = '$SID3' WHERE room_name = 'breakout-eef33a52-3'"
show roomctl check
show roomctl audit
show roomctl recreate --apply --empty-timeout 60m
show roomctl cleanup --apply
show roomctl audit
psql "$ROOMCTL_DATABASE_URL" -c \
  "SELECT room_name, twilio_room_sid, is_active FROM breakout_rooms ORDER BY room_name"
kill "$TWILIO_PID" 2>/dev/null; wait "$TWILIO_PID" 2>/dev/null || true

step "Done. Everything the demo started is being stopped."
