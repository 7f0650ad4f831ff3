#!/usr/bin/env bash
# Prints the completions fish offers for a command line, one per line (without fish's
# descriptions): `complete -C LINE` in a real fish started with --no-config.
#
# Usage: complete_fish.sh SCRIPT LINE
#   SCRIPT: the completion script (sourced), or "loader:DIR" to let fish autoload it by name
#   from DIR/fish/vendor_completions.d/roomctl.fish, as installed under share/.
set -euo pipefail
if (($# != 2)); then
  echo "usage: $0 SCRIPT LINE" >&2
  exit 1
fi
# shellcheck disable=SC2016
fish --no-config --private -c '
  if string match -q "loader:*" -- $argv[1]
      set -p fish_complete_path (string replace "loader:" "" -- $argv[1])/fish/vendor_completions.d
      # fish autoloads completions only for commands that exist.
      set -l cmd (string split -f1 " " -- $argv[2])
      command -q $cmd; or function $cmd; end
  else
      source $argv[1]; or exit 1
  end
  complete -C $argv[2]
' "$1" "$2" | cut -f1 | sort -u
