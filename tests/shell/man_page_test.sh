#!/usr/bin/env bash
# Checks the man page built from the binary (build/roomctl.1): man renders it without a single
# warning at 80 columns, it has every section, and it documents every command and every long
# option the binary accepts (as `roomctl __complete` offers them while completing).
# Usage: man_page_test.sh PAGE ROOMCTL_BIN
# A missing man fails the test when CI=true, and skips it (exit 77) otherwise.
set -uo pipefail
if (($# != 2)); then
  echo "usage: $0 PAGE ROOMCTL_BIN" >&2
  exit 2
fi
page=$1
bin=$2
if ! command -v man >/dev/null 2>&1; then
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: man is not installed (apt-get install man-db)" >&2
    exit 1
  fi
  echo "SKIP: man is not installed (apt-get install man-db)" >&2
  exit 77
fi
[[ -s $page ]] || { echo "FAIL: $page is missing or empty (is the build done?)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
fail=0

MANWIDTH=80 man --warnings -l "$page" >"$tmp/page.80" 2>"$tmp/warnings"
if [[ -s $tmp/warnings ]]; then
  echo "FAIL: man --warnings reports:"
  cat "$tmp/warnings"
  fail=1
else
  echo "ok   MANWIDTH=80 man --warnings -l renders it without warnings"
fi

# Wide, so that nothing the checks look for is broken across lines.
MANWIDTH=250 man -l "$page" 2>/dev/null | col -b >"$tmp/page"
for section in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS "EXIT STATUS" ENVIRONMENT FILES; do
  grep -qx "$section" "$tmp/page" || { echo "FAIL: no $section section"; fail=1; }
done
for code in 0 1 2 3 4 5 6 7 130; do
  sed -n '/^EXIT STATUS$/,/^ENVIRONMENT$/p' "$tmp/page" | grep -qE "^ +$code( |$)" ||
    { echo "FAIL: EXIT STATUS does not list $code"; fail=1; }
done

# Every command path ("roomctl token create") and every long option of the binary, as
# `roomctl __complete` offers them (completion_walk.hpp): at each command, an empty word gets
# its subcommands (the lines with a description; values have none) and "-" its options.
paths=(roomctl)
options=()
for ((i = 0; i < ${#paths[@]}; i++)); do
  read -ra words <<<"${paths[i]}"
  out=$("$bin" __complete "${words[@]}" "") || { echo "FAIL: $bin __complete ${paths[i]}"; exit 1; }
  while IFS=$'\t' read -r sub _; do
    paths+=("${paths[i]} $sub")
  done < <(grep -P '\t' <<<"$out")
  out=$("$bin" __complete "${words[@]}" -) || { echo "FAIL: $bin __complete ${paths[i]} -"; exit 1; }
  mapfile -t -O "${#options[@]}" options < <(cut -f1 <<<"$out" | grep -- '^--')
done
mapfile -t options < <(printf '%s\n' "${options[@]}" | sort -u)
((${#paths[@]} > 5 && ${#options[@]} > 10)) || { echo "FAIL: could not read the command tree"; exit 1; }
for p in "${paths[@]}"; do
  [[ $p == roomctl ]] && continue
  grep -qx " *$p" "$tmp/page" || { echo "FAIL: command $p is not documented"; fail=1; }
done
for o in "${options[@]}"; do
  grep -q -- "$o\b" "$tmp/page" || { echo "FAIL: option $o is not documented"; fail=1; }
done
echo "checked ${#paths[@]} commands and ${#options[@]} long options against the page"
((fail == 0)) && echo "ok   $page"
exit "$fail"
