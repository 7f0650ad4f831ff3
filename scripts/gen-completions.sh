#!/usr/bin/env bash
# Regenerates the committed shell completions (completions/roomctl.bash, completions/_roomctl,
# completions/roomctl.fish) with `roomctl completion SHELL`. They are shims that ask
# `roomctl __complete`, so a new command or option needs nothing here; run it after changing the
# shims (commands/completion_gen.cpp): the test completions_fresh fails until you do.
#
# Usage: scripts/gen-completions.sh [ROOMCTL_BIN]
#   Without ROOMCTL_BIN (or $ROOMCTL_BIN), builds build/ first and uses build/commands/roomctl.
set -euo pipefail
ROOMCTL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

bin=${1:-${ROOMCTL_BIN:-}}
if [[ -z $bin ]]; then
  if [[ ! -f $ROOMCTL_ROOT/build/CMakeCache.txt ]]; then
    gen=()
    if command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); fi
    cmake -S "$ROOMCTL_ROOT" -B "$ROOMCTL_ROOT/build" "${gen[@]}" >/dev/null
  fi
  cmake --build "$ROOMCTL_ROOT/build" --target roomctl >&2
  bin=$ROOMCTL_ROOT/build/commands/roomctl
fi

mkdir -p "$ROOMCTL_ROOT/completions"
for pair in bash:roomctl.bash zsh:_roomctl fish:roomctl.fish; do
  shell=${pair%%:*}
  file=$ROOMCTL_ROOT/completions/${pair#*:}
  "$bin" completion "$shell" >"$file.tmp"
  mv "$file.tmp" "$file"
  echo "wrote ${file#"$ROOMCTL_ROOT"/}" >&2
done
