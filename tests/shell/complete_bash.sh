#!/usr/bin/env bash
# Prints the completions bash offers for a command line, one per line: loads Debian's
# bash-completion and the completion script, sets COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT as
# readline would for LINE (the cursor at its end), calls the function `complete -p` names for
# the command, and prints COMPREPLY.
#
# Usage: complete_bash.sh SCRIPT LINE
#   SCRIPT: the completion script, or "loader:DIR" to let bash-completion find it on its own
#   (DIR/bash-completion/completions/roomctl, as installed under share/), proving the file
#   name and place.
# Exit status: 0 done, 1 setup error (no bash-completion, no completion registered).
set -uo pipefail

if (($# != 2)); then
  echo "usage: $0 SCRIPT LINE" >&2
  exit 1
fi
script=$1
line=$2
bash_completion=${BASH_COMPLETION_SCRIPT:-/usr/share/bash-completion/bash_completion}
if [[ ! -r $bash_completion ]]; then
  echo "complete_bash: $bash_completion missing (apt-get install bash-completion)" >&2
  exit 1
fi

# bash_completion expects an interactive-like shell; these keep it quiet in a script.
shopt -s extglob progcomp
# shellcheck source=/dev/null
source "$bash_completion"

cmd=${line%% *}  # the command itself
if [[ $script == loader:* ]]; then
  # bash-completion's on-demand loader searches XDG_DATA_DIRS/bash-completion/completions.
  export XDG_DATA_DIRS="${script#loader:}"
  export BASH_COMPLETION_USER_DIR=/nonexistent
  __load_completion "$cmd" || { echo "complete_bash: the loader found no completion for $cmd" >&2; exit 1; }
else
  # shellcheck source=/dev/null
  source "$script"
fi
spec=$(complete -p "$cmd" 2>/dev/null) || { echo "complete_bash: nothing registered for $cmd" >&2; exit 1; }
fn=$(sed -n 's/.*-F \([^ ]*\).*/\1/p' <<<"$spec")
[[ -n $fn ]] || { echo "complete_bash: no -F function in: $spec" >&2; exit 1; }

# COMP_WORDS as readline splits the line: on blanks, and on COMP_WORDBREAKS characters such
# as '=', which become words of their own ("--provider=tw" is --provider, =, tw).
COMP_WORDS=()
current=""
for ((i = 0; i < ${#line}; i++)); do
  c=${line:i:1}
  if [[ $c == ' ' ]]; then
    [[ -n $current ]] && COMP_WORDS+=("$current")
    current=""
  elif [[ $c == '=' ]]; then
    [[ -n $current ]] && COMP_WORDS+=("$current")
    COMP_WORDS+=("=")
    current=""
  else
    current+=$c
  fi
done
if [[ -n $current ]]; then
  COMP_WORDS+=("$current")
elif [[ $line == *' ' ]]; then
  COMP_WORDS+=("")  # the cursor starts a new word
fi
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
COMP_TYPE=9
COMP_KEY=9
COMPREPLY=()

"$fn" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}" | sort -u
exit 0
