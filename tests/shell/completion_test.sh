#!/usr/bin/env bash
# Loads roomctl's completion in a real shell and checks what it offers, case by case
# (completion_cases.txt): completing commands, nested subcommands, options, global options after
# a subcommand, option values and file names.
#
# The scripts are shims that ask `roomctl __complete`, so the cases run against the command tree
# of the binary the shell finds as roomctl: ROOMCTL_BIN when given, else the one on PATH.
#
# Usage: completion_test.sh bash|zsh|fish SOURCE [ROOMCTL_BIN]
#   SOURCE: the completion script (completions/roomctl.bash, completions/_roomctl,
#   completions/roomctl.fish), or loader:SHARE_DIR to let the shell find the installed file by
#   itself under SHARE_DIR (bash-completion/completions/roomctl, zsh/vendor-completions/_roomctl,
#   fish/vendor_completions.d/roomctl.fish).
# A missing shell fails the test when CI=true, and skips it (exit 77) otherwise.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if (($# != 2 && $# != 3)); then
  echo "usage: $0 bash|zsh|fish SOURCE [ROOMCTL_BIN]" >&2
  exit 2
fi
shell=$1
source_arg=$2
bin_arg=${3:-}

missing() {
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: $1 (CI=true: a missing shell fails; apt-get install bash-completion zsh fish)" >&2
    exit 1
  fi
  echo "SKIP: $1 (apt-get install bash-completion zsh fish)" >&2
  exit 77
}

case $shell in
  bash)
    [[ -r /usr/share/bash-completion/bash_completion ]] || missing "bash-completion is not installed"
    complete_line() { "$here/complete_bash.sh" "$target" "$1"; }
    ;;
  zsh)
    command -v zsh >/dev/null 2>&1 || missing "zsh is not installed"
    complete_line() { zsh -f "$here/complete_zsh.zsh" "$target" "$1"; }
    ;;
  fish)
    command -v fish >/dev/null 2>&1 || missing "fish is not installed"
    complete_line() { "$here/complete_fish.sh" "$target" "$1"; }
    ;;
  *)
    echo "unknown shell $shell" >&2
    exit 2
    ;;
esac

# What each harness takes: bash and fish the script or loader:DIR; zsh the script or a
# directory for $fpath.
if [[ $source_arg == loader:* ]]; then
  share=$(cd "${source_arg#loader:}" && pwd) || exit 1
  case $shell in
    bash | fish) target="loader:$share" ;;
    zsh) target="$share/zsh/vendor-completions" ;;
  esac
else
  script=$(cd "$(dirname "$source_arg")" && pwd)/$(basename "$source_arg")
  [[ -r $script ]] || { echo "FAIL: $script is missing" >&2; exit 1; }
  case $shell in
    bash | fish) target=$script ;;
    zsh) target=$script ;;  # sourced after compinit; loader: autoloads it from $fpath
  esac
fi

work=$(mktemp -d)
bindir=$(mktemp -d)
# zsh's completion dump, shared by every line of this run (one $fpath) as ~/.zcompdump is by a
# user's shells; kept out of $work, whose files the file-name cases complete.
zshdump=$(mktemp -d)
export ROOMCTL_ZSH_COMPDUMP=$zshdump/zcompdump
trap 'rm -rf -- "$work" "$bindir" "$zshdump"' EXIT
if [[ -n $bin_arg ]]; then
  # Named roomctl, as the shims call it, and outside the directory the cases complete in. A
  # copy, not a link: every TAB runs it, and a build relinking the original meanwhile must not
  # make a case fail.
  [[ -x $bin_arg ]] || { echo "FAIL: $bin_arg is not an executable" >&2; exit 1; }
  cp "$bin_arg" "$bindir/roomctl" || exit 1
  export PATH="$bindir:$PATH"
fi
command -v roomctl >/dev/null 2>&1 ||
  { echo "FAIL: no roomctl on PATH for the shims to call (give ROOMCTL_BIN)" >&2; exit 1; }
touch "$work/roomctl.toml" "$work/secret.pem"
mkdir "$work/certs"
cd "$work" || exit 1

failures=0
cases=0
while IFS= read -r entry; do
  [[ -z $entry || $entry == \#* ]] && continue
  line=${entry%%|*}
  expected=${entry#*|}
  cases=$((cases + 1))
  # Candidates as offered: fish prefixes --opt= values with the option, and marks
  # directories with a slash; neither matters here.
  got=$(complete_line "$line" 2>&1 | sed -e 's/^-[^=]*=//' -e 's:/$::')
  bad=()
  for want in $expected; do
    if [[ $want == !* ]]; then
      grep -qxF -- "${want#!}" <<<"$got" && bad+=("offered ${want#!}")
    else
      grep -qxF -- "$want" <<<"$got" || bad+=("missing $want")
    fi
  done
  if ((${#bad[@]})); then
    failures=$((failures + 1))
    printf 'FAIL [%s] "%s<TAB>": %s\n  offered: %s\n' "$shell" "$line" "${bad[*]}" "$(tr '\n' ' ' <<<"$got")"
  else
    printf 'ok   [%s] "%s<TAB>"\n' "$shell" "$line"
  fi
done <"$here/completion_cases.txt"

echo "$shell: $((cases - failures))/$cases cases passed ($source_arg)"
((failures == 0))
