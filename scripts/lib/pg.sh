# shellcheck shell=bash
# A throwaway PostgreSQL cluster for tests and the demo. Source this file, then:
#
#   pg_start DIR   initdb a fresh cluster in DIR (which must be absent, empty, or an earlier
#                  pg_start directory), start it on 127.0.0.1:<free port> plus a unix socket in
#                  DIR, create role roomctl (password roomctl) and database roomctl, and export
#                    ROOMCTL_TEST_DATABASE_URL  postgresql://roomctl:roomctl@127.0.0.1:PORT/roomctl
#                    PG_ADMIN_URL               superuser "postgres" over the unix socket (trust)
#                    PG_PORT, PG_DIR, PG_BIN
#                  and echo the two URLs (KEY=value lines on stdout).
#   pg_stop DIR    stop the cluster (pg_ctl -m fast) and remove DIR.
#
# TCP connections need a password (scram-sha-256), so wrong-password tests are real. The
# cluster is disposable: fsync, synchronous_commit and full_page_writes are off.
# As root, PostgreSQL runs as the "postgres" user (runuser), and DIR is chown'ed to it.
# Functions return non-zero with one line on stderr on failure; they never exit the caller.

_pg_err() { echo "pg.sh: $*" >&2; }

# Highest installed /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl.
_pg_find_bin() {
    local dir best="" bestver=""
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]] || continue
        local ver="${dir#/usr/lib/postgresql/}"
        ver="${ver%/bin}"
        if [[ -z "$best" ]] || [[ "$(printf '%s\n%s\n' "$bestver" "$ver" | sort -V | tail -n1)" == "$ver" ]]; then
            best="$dir"
            bestver="$ver"
        fi
    done
    [[ -n "$best" ]] || return 1
    printf '%s\n' "$best"
}

# Runs a PostgreSQL server command as the right user.
_pg_as_owner() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
_pg_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' && return 0
    fi
    local port
    for ((port = 55432; port < 55532; port++)); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    return 1
}

# Single-quoted PostgreSQL configuration string.
_pg_conf_quote() { printf "'%s'" "${1//\'/\'\'}"; }

pg_start() {
    local dir="${1:?usage: pg_start DIR}"
    local bin
    if ! bin="$(_pg_find_bin)"; then
        _pg_err "PostgreSQL server binaries not found: apt-get install postgresql"
        return 1
    fi
    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        _pg_err "running as root but there is no 'postgres' user to run the server as (apt-get install postgresql creates it)"
        return 1
    fi
    if [[ -e "$dir/.roomctl-pg" ]]; then
        pg_stop "$dir" || return 1
    elif [[ -e "$dir" ]] && [[ -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
        _pg_err "refusing to use $dir: it exists, is not empty and was not made by pg_start"
        return 1
    fi
    mkdir -p "$dir" || { _pg_err "cannot create $dir"; return 1; }
    dir="$(cd "$dir" && pwd)" || return 1
    : >"$dir/.roomctl-pg"
    if [[ $EUID -eq 0 ]]; then
        chown postgres: "$dir" || { _pg_err "cannot chown $dir to postgres"; return 1; }
        if ! runuser -u postgres -- test -w "$dir"; then
            _pg_err "user postgres cannot write $dir (a parent directory is not searchable); use a directory under /tmp"
            return 1
        fi
    fi
    # Unix socket paths are limited to 107 bytes.
    if ((${#dir} + 20 > 107)); then
        _pg_err "directory path too long for a unix socket: $dir"
        return 1
    fi

    if ! _pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C -N \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1; then
        _pg_err "initdb failed; see $dir/initdb.log: $(tail -n1 "$dir/initdb.log")"
        return 1
    fi
    {
        echo "# added by scripts/lib/pg.sh (throwaway cluster)"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = $(_pg_conf_quote "$dir")"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "password_encryption = 'scram-sha-256'"
        echo "max_connections = 50"
        echo "shared_buffers = '32MB'"
        echo "logging_collector = off"
    } >>"$dir/data/postgresql.conf"

    local port=""
    for _ in 1 2 3 4 5; do
        port="$(_pg_free_port)" || { _pg_err "no free TCP port found"; return 1; }
        if _pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port" start >/dev/null 2>&1; then
            break
        fi
        if ! grep -qi "address already in use\|could not bind" "$dir/server.log" 2>/dev/null; then
            _pg_err "PostgreSQL did not start; see $dir/server.log: $(tail -n1 "$dir/server.log" 2>/dev/null)"
            return 1
        fi
        port=""
    done
    [[ -n "$port" ]] || { _pg_err "PostgreSQL did not start: no usable port"; return 1; }
    printf '%s\n' "$port" >"$dir/port"

    local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres)
    if ! "${psql[@]}" -c "CREATE ROLE roomctl LOGIN PASSWORD 'roomctl'" \
        -c "CREATE DATABASE roomctl OWNER roomctl" >"$dir/setup.log" 2>&1; then
        _pg_err "could not create role/database roomctl: $(tail -n1 "$dir/setup.log")"
        return 1
    fi

    export PG_DIR="$dir" PG_BIN="$bin" PG_PORT="$port"
    export ROOMCTL_TEST_DATABASE_URL="postgresql://roomctl:roomctl@127.0.0.1:$port/roomctl"
    # Socket directory as a query parameter (percent-encoding not needed for plain paths).
    export PG_ADMIN_URL="postgresql://postgres@/postgres?host=$dir&port=$port"
    echo "ROOMCTL_TEST_DATABASE_URL=$ROOMCTL_TEST_DATABASE_URL"
    echo "PG_ADMIN_URL=$PG_ADMIN_URL"
}

pg_stop() {
    local dir="${1:?usage: pg_stop DIR}"
    [[ -e "$dir" ]] || return 0
    if [[ ! -e "$dir/.roomctl-pg" ]]; then
        _pg_err "refusing to remove $dir: it was not made by pg_start"
        return 1
    fi
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        local bin
        bin="$(_pg_find_bin)" || bin="${PG_BIN:-}"
        if [[ -n "$bin" ]]; then
            _pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
                _pg_err "pg_ctl stop failed for $dir/data (removing anyway)"
        fi
    fi
    rm -rf -- "$dir"
    if [[ "${PG_DIR:-}" == "$dir" || "${PG_DIR:-}" == "$(realpath -m "$dir" 2>/dev/null)" ]]; then
        unset PG_DIR PG_PORT ROOMCTL_TEST_DATABASE_URL PG_ADMIN_URL
    fi
    return 0
}
