#!/usr/bin/env bash
# Fails when a committed completion (completions/) differs from what the binary generates,
# i.e. the shims (commands/completion_gen.cpp) changed and completions/ was not regenerated.
# Usage: completions_fresh.sh ROOMCTL_BIN SOURCE_DIR
set -uo pipefail
if (($# != 2)); then
  echo "usage: $0 ROOMCTL_BIN SOURCE_DIR" >&2
  exit 2
fi
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
stale=0
for pair in bash:roomctl.bash zsh:_roomctl fish:roomctl.fish; do
  shell=${pair%%:*}
  file=completions/${pair#*:}
  if ! "$bin" completion "$shell" >"$tmp/$shell"; then
    echo "FAIL: $bin completion $shell failed"
    exit 1
  fi
  if [[ ! -f $src/$file ]]; then
    echo "FAIL: $file is missing"
    stale=1
  elif ! diff -u --label "$file (committed)" --label "roomctl completion $shell" \
    "$src/$file" "$tmp/$shell" >"$tmp/diff"; then
    echo "FAIL: $file is stale; the difference:"
    head -n 40 "$tmp/diff"
    stale=1
  else
    echo "ok   $file matches roomctl completion $shell"
  fi
done
if ((stale)); then
  echo
  echo "Regenerate them with:  scripts/gen-completions.sh"
  exit 1
fi
