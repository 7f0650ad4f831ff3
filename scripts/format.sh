#!/usr/bin/env bash
# clang-format over every tracked C++ source (.clang-format at the root).
# Usage: scripts/format.sh           rewrite the files in place
#        scripts/format.sh --check   change nothing; exit 1 naming each file that differs
#                                    (what scripts/test.sh runs, before it builds)
set -euo pipefail
ROOMCTL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOMCTL_ROOT"
mode=${1:-}
if [[ -n $mode && $mode != --check ]]; then
  echo "usage: scripts/format.sh [--check]" >&2
  exit 2
fi
if ! command -v clang-format >/dev/null 2>&1; then
  echo "scripts/format.sh: clang-format is not installed (apt-get install clang-format)" >&2
  exit 1
fi
mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp')
if [[ $mode == --check ]]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if ((${#bad[@]} > 0)); then
    printf 'not clang-formatted: %s\n' "${bad[@]}" >&2
    echo "scripts/format.sh: ${#bad[@]} file(s) differ from .clang-format; run scripts/format.sh" >&2
    exit 1
  fi
  echo "scripts/format.sh: ${#files[@]} files formatted" >&2
  exit 0
fi
clang-format -i "${files[@]}"
