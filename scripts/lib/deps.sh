# shellcheck shell=bash
# Installs what roomctl needs to build and test, from Debian's archive only.
# Sourced by test.sh and demo.sh; does nothing when everything is already there.

ROOMCTL_APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libcli11-dev libcurl4-openssl-dev nlohmann-json3-dev libpqxx-dev libfmt-dev
  libtomlplusplus-dev libyaml-cpp-dev libssl-dev libgtest-dev libgmock-dev
  libboost-dev  # Boost.Beast (header-only): the /rtc WebSocket probe, in libroomctl_io.so only
  postgresql postgresql-client pgbouncer  # pgbouncer: the connection-pooler tests
  python3 python3-pytest python3-pytest-xdist python3-psycopg2 python3-twilio python3-jwt python3-prometheus-client
  curl ca-certificates openssl
  bash-completion zsh fish man-db dpkg-dev  # completion, man page and .deb tests
  clang-format  # scripts/format.sh --check: CI fails on unformatted code
  clang libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer and the sanitizer runtimes (compiler-rt)
)

deps_install() {
  local missing=()
  local p
  for p in "${ROOMCTL_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js runs the conformance test with the official livekit-server-sdk; Debian's nodejs
  # and npm are enough when the machine has no Node of its own.
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
  fi
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  echo "==> installing: ${missing[*]}" >&2
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures and builds into $1 (default build/); further arguments go to cmake's configure
# step (scripts/sanitize.sh: build_roomctl build-asan -DROOMCTL_SANITIZE=ON).
build_roomctl() {
  local dir=${1:-build}
  shift $(($# > 0 ? 1 : 0))
  local gen=()
  if command -v ninja >/dev/null 2>&1; then gen=(-G Ninja); fi
  cmake -S "$ROOMCTL_ROOT" -B "$ROOMCTL_ROOT/$dir" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$ROOMCTL_ROOT/$dir" --parallel "$(nproc)"
}
