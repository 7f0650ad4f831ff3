#!/usr/bin/env bash
# Proves the install layout and the Debian package without touching the machine:
#   1. cmake --install into a temporary prefix: bin/roomctl, the man page, the completions;
#   2. cpack -G DEB into a temporary directory;
#   3. dpkg-deb -I / -c: name, version, maintainer, Depends computed by dpkg-shlibdeps (libpqxx,
#      libcurl, ...), every file at its Debian path;
#   4. dpkg -x into a throwaway root: the extracted binary runs (--version, --help) against the
#      system's libraries, man renders its page without warnings, and bash, zsh and fish each
#      find and load its completion from where the package puts it;
#   5. apt-get install --simulate resolves it on this machine, dpkg --dry-run -i unpacks it, and
#      every Depends is satisfied by an installed package.
# Nothing is installed system-wide.
#
# Usage: scripts/check-deb.sh [BUILD_DIR]   (default build/; the ctest test package_deb)

# `check && ok ... || bad ...` is meant: ok always succeeds.
# shellcheck disable=SC2015,SC2001
set -euo pipefail
ROOMCTL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$ROOMCTL_ROOT/build}" && pwd)
shell_tests=$ROOMCTL_ROOT/tests/shell

tmp=$(mktemp -d "${TMPDIR:-/tmp}/roomctl-check-deb.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() {
  echo "FAIL $*"
  fail=1
}
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "FAIL: $1 is missing (apt-get install $2)" >&2
  exit 1
}
need dpkg-deb dpkg
need dpkg-shlibdeps dpkg-dev
need cpack cmake
need man man-db
need apt-get apt

started=$SECONDS
echo "==> building $build"
cmake --build "$build" --target roomctl roomctl_docs >/dev/null

# Files the package and the install must hold, relative to the prefix.
files=(
  bin/roomctl
  lib/roomctl/libroomctl_io.so
  share/man/man1/roomctl.1.gz
  share/bash-completion/completions/roomctl
  share/zsh/vendor-completions/_roomctl
  share/fish/vendor_completions.d/roomctl.fish
)

echo "==> cmake --install --prefix $tmp/prefix"
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in "${files[@]}"; do
  [[ -s $tmp/prefix/$f ]] && ok "install: $f" || bad "install: $f is missing"
done
[[ -x $tmp/prefix/bin/roomctl ]] || bad "install: bin/roomctl is not executable"

echo "==> cpack -G DEB"
(cd "$build" && cpack -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1) || {
  cat "$tmp/cpack.log"
  echo "FAIL: cpack -G DEB"
  exit 1
}
debs=("$tmp"/pkg/roomctl_*.deb)
[[ -f ${debs[0]} ]] || { cat "$tmp/cpack.log"; echo "FAIL: cpack made no roomctl_*.deb"; exit 1; }
deb=${debs[0]}
ok "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

echo "==> dpkg-deb -I"
dpkg-deb -I "$deb" >"$tmp/info"
sed 's/^/     /' "$tmp/info" | grep -E '^ +(Package|Version|Architecture|Maintainer|Depends|Section|Description):'
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == roomctl ]] && ok "Package: roomctl" || bad "Package is $(field Package)"
version=$(sed -n 's/^project(roomctl VERSION \([0-9.]*\).*/\1/p' "$ROOMCTL_ROOT/CMakeLists.txt")
[[ $(field Version) == "$version" ]] && ok "Version: $version" || bad "Version is $(field Version), not $version"
[[ -n $(field Maintainer) ]] && ok "Maintainer: $(field Maintainer)" || bad "no Maintainer"
[[ $(field Architecture) == "$(dpkg --print-architecture)" ]] && ok "Architecture: $(field Architecture)" ||
  bad "Architecture is $(field Architecture)"
depends=$(field Depends)
for lib in libc6 libstdc++6 libpqxx libcurl libssl libfmt libtomlplusplus; do
  grep -q "\b$lib" <<<"$depends" && ok "Depends names $lib" || bad "Depends lacks $lib: $depends"
done

echo "==> dpkg-deb -c"
dpkg-deb -c "$deb" >"$tmp/contents"
for f in "${files[@]}"; do
  line=$(grep -E " \./usr/$f\$" "$tmp/contents" || true)
  if [[ -z $line ]]; then
    bad "package lacks /usr/$f"
    continue
  fi
  mode=${line%% *}
  owner=$(awk '{print $2}' <<<"$line")
  want=-rw-r--r--
  [[ $f == bin/* ]] && want=-rwxr-xr-x
  [[ $mode == "$want" && $owner == root/root ]] && ok "/usr/$f ($mode $owner)" ||
    bad "/usr/$f is $mode $owner, not $want root/root"
done

echo "==> dpkg -x into $tmp/root, and run it from there"
dpkg -x "$deb" "$tmp/root"
bin=$tmp/root/usr/bin/roomctl
if ldd "$bin" | grep -q 'not found'; then
  bad "the extracted binary misses libraries:"
  ldd "$bin" | grep 'not found'
else
  ok "ldd: every library resolves on this machine"
fi
module=$tmp/root/usr/lib/roomctl/libroomctl_io.so
if ldd "$module" | grep -q 'not found'; then
  bad "the network and database module misses libraries:"
  ldd "$module" | grep 'not found'
else
  ok "ldd: every library of libroomctl_io.so resolves on this machine"
fi
# The module is found as ../lib/roomctl/ from the binary: a database probe loads it.
probe=$(ROOMCTL_DATABASE_URL=postgresql://u@127.0.0.1:1/db "$bin" check --only database 2>&1 || true)
if grep -q 'cannot reach the database' <<<"$probe"; then
  ok "roomctl check --only database loads the packaged module"
else
  bad "roomctl check --only database did not reach libpq: $probe"
fi
out=$("$bin" --version) && [[ $out == "roomctl $version" ]] && ok "roomctl --version: $out" ||
  bad "roomctl --version printed '$out'"
"$bin" --help >"$tmp/help" && grep -q 'recreate' "$tmp/help" && ok "roomctl --help lists the commands" ||
  bad "roomctl --help failed"
"$bin" recreate --help >/dev/null && ok "roomctl recreate --help" || bad "roomctl recreate --help failed"
if cmp -s "$tmp/root/usr/share/bash-completion/completions/roomctl" <("$bin" completion bash); then
  ok "the packaged bash completion is what the packaged binary generates"
else
  bad "the packaged bash completion differs from roomctl completion bash"
fi

warnings=$(MANWIDTH=80 man --warnings -l "$tmp/root/usr/share/man/man1/roomctl.1.gz" 2>&1 >/dev/null)
[[ -z $warnings ]] && ok "man renders roomctl.1.gz without warnings" || bad "man warns: $warnings"

echo "==> each shell loads the completion from the package's paths"
for shell in bash zsh fish; do
  set +e
  PATH="$tmp/root/usr/bin:$PATH" bash "$shell_tests/completion_test.sh" "$shell" "loader:$tmp/root/usr/share" >"$tmp/$shell.log" 2>&1
  status=$?
  set -e
  case $status in
    0) ok "$(tail -n 1 "$tmp/$shell.log")" ;;
    77) bad "$shell: $(tail -n 1 "$tmp/$shell.log")" ;;
    *)
      cat "$tmp/$shell.log"
      bad "$shell does not complete from the packaged file"
      ;;
  esac
done

echo "==> resolving it on this machine (nothing is installed)"
# apt resolves Depends against what is installed and installable: a missing library fails here.
if apt-get install --simulate --no-install-recommends "$deb" >"$tmp/apt" 2>&1; then
  ok "apt-get install --simulate: $(grep -m1 '^Inst roomctl' "$tmp/apt" || tail -n 1 "$tmp/apt")"
else
  cat "$tmp/apt"
  bad "apt-get install --simulate does not resolve the package"
fi
# dpkg --dry-run -i stops before configuring, so it proves the archive unpacks, not Depends;
# dpkg-query checks those against the installed packages.
if dpkg --dry-run -i "$deb" >"$tmp/dry" 2>&1; then
  ok "dpkg --dry-run -i unpacks it"
else
  cat "$tmp/dry"
  bad "dpkg --dry-run -i fails"
fi
unmet=()
IFS=',' read -ra deps <<<"$depends"
for dep in "${deps[@]}"; do
  dep=$(xargs <<<"$dep")               # "libpqxx-6.4 (>= 6.4)"
  name=${dep%% *}
  installed=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)
  if [[ -z $installed ]]; then
    unmet+=("$dep (not installed)")
  elif [[ $dep == *"("* ]]; then
    op=$(sed 's/.*(\([<>=]*\) .*/\1/' <<<"$dep")
    want=$(sed 's/.*(.* \(.*\))/\1/' <<<"$dep")
    case $op in '>=') rel=ge ;; '<=') rel=le ;; '>>') rel=gt ;; '<<') rel=lt ;; *) rel=eq ;; esac
    dpkg --compare-versions "$installed" "$rel" "$want" || unmet+=("$dep (installed $installed)")
  fi
done
((${#unmet[@]} == 0)) && ok "every Depends is installed here: ${#deps[@]} packages" ||
  bad "unmet Depends: ${unmet[*]}"

echo "checked in $((SECONDS - started)) s"
exit "$fail"
