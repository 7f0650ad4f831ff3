#!/usr/bin/env zsh
# Prints the completions zsh offers for a command line, one per line, by driving a real
# interactive zsh (zsh -f -i, no rc files) on a pseudo-terminal through the zsh/zpty module.
#
# Usage: complete_zsh.zsh COMPLETION LINE
#   COMPLETION: a directory holding the completion function file (_roomctl), put first on
#   $fpath for compinit to autoload (as installed); or the script itself, sourced after
#   compinit (as `source <(roomctl completion zsh)` in ~/.zshrc).
#   LINE is typed, then TAB; completion runs as it would for a user (compinit, _main_complete),
#   with compadd wrapped to record every candidate it accepts for the word being completed.
#
# The inner shell writes the candidates and a "done" marker to files; this script waits for
# the marker (draining the terminal so the shell never blocks) and prints the candidates.
# Exit status: 0 done, 1 usage or setup error, 2 timeout.
emulate -L zsh
setopt err_return no_unset

if (( $# != 2 )); then
  print -u2 "usage: $0 COMPLETION LINE"
  exit 1
fi
local completion=${1:A} line=$2
local compdir=$completion sourced=''
if [[ -f $completion ]]; then
  compdir=/nonexistent
  sourced="source ${(q)completion}"
fi
zmodload zsh/zpty || { print -u2 "complete_zsh: zsh/zpty module missing"; exit 1 }

# compinit scans every directory on $fpath (~0.8 s) unless it finds a dump, as a user's
# ~/.zcompdump; ROOMCTL_ZSH_COMPDUMP names one a caller shares between the lines it completes
# with the same $fpath (completion_test.sh does). Without it, no dump is read or written.
local compinit_dump=-D
[[ -n ${ROOMCTL_ZSH_COMPDUMP:-} ]] && compinit_dump="-d ${(q)ROOMCTL_ZSH_COMPDUMP}"

local tmp
tmp=$(mktemp -d "${TMPDIR:-/tmp}/complete-zsh.XXXXXX")
trap 'zpty -d capture 2>/dev/null; rm -rf -- $tmp' EXIT

# The inner shell's setup, sourced by it. ${(q)...} quotes the paths for it.
cat > $tmp/setup.zsh <<SETUP
PS1='' PROMPT='' RPROMPT='' PROMPT_EOL_MARK=''
unsetopt beep
fpath=(${(q)compdir} \$fpath)
autoload -Uz compinit && compinit -u ${compinit_dump}
$sourced
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
zstyle ':completion:*' menu no

# Records the candidates of every compadd that adds matches (calls that only ask, with
# -O/-A/-D, are passed through), then adds them as usual.
compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "\$@"
    return
  fi
  local -a __hits
  builtin compadd -O __hits "\$@"
  (( \$#__hits )) && print -rl -- \$__hits >> ${(q)tmp}/matches
  builtin compadd "\$@"
}

__capture_done() { : >| ${(q)tmp}/done }
__capture_complete() {
  comppostfuncs=(__capture_done)
  _main_complete
}
zle -C capture-complete complete-word __capture_complete
bindkey '^I' capture-complete
: >| ${(q)tmp}/matches
: >| ${(q)tmp}/ready
SETUP

# Waits up to ~30 s (a loaded CI machine) for a file, discarding what the shell prints meanwhile.
wait_for() {
  local junk
  integer i
  for (( i = 0; i < 600; i++ )); do
    [[ -e $1 ]] && return 0
    while zpty -r -t capture junk 2>/dev/null; do :; done
    sleep 0.05
  done
  return 1
}

# TERM must name a real terminal for ZLE; the child gets no rc files.
zpty capture "TERM=xterm COLUMNS=200 LINES=50 zsh -f -i"
zpty -w capture "source ${(q)tmp}/setup.zsh"
wait_for $tmp/ready || { print -u2 "complete_zsh: the inner zsh did not start"; exit 2 }
zpty -n -w capture "$line"$'\t'
wait_for $tmp/done || { print -u2 "complete_zsh: no completion for: $line"; exit 2 }
sort -u $tmp/matches
