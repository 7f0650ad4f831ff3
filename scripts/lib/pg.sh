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

# A PgBouncer in front of the cluster pg_start made (PG_PORT), for the connection-pooler tests:
#
#   pgbouncer_start DIR  start PgBouncer (Debian's pgbouncer) in DIR (absent, empty, or an earlier
#                        pgbouncer_start directory) on 127.0.0.1:<free port>, auth_type md5 with
#                        a userlist holding role roomctl (password roomctl), and export
#                          ROOMCTL_TEST_POOLER_URL          .../roomctl_tx  pool_mode=transaction
#                          ROOMCTL_TEST_SESSION_POOLER_URL  .../roomctl     pool_mode=session
#                          PGBOUNCER_PORT, PGBOUNCER_DIR
#                        (both databases are the cluster's database roomctl) and echo the URLs.
#   pgbouncer_stop DIR   stop it (SIGTERM, then SIGKILL after 10 s) and remove DIR.
#
# As root, PgBouncer runs as the "postgres" user (it refuses to run as root).

_pgb_find_bin() {
    local b
    for b in "$(command -v pgbouncer 2>/dev/null)" /usr/sbin/pgbouncer; do
        [[ -n "$b" && -x "$b" ]] && { printf '%s\n' "$b"; return 0; }
    done
    return 1
}

# True when something accepts TCP connections on 127.0.0.1:$1.
_pgb_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pgbouncer_start() {
    local dir="${1:?usage: pgbouncer_start DIR}"
    local bin
    if ! bin="$(_pgb_find_bin)"; then
        _pg_err "pgbouncer not found: apt-get install pgbouncer"
        return 1
    fi
    if [[ -z "${PG_PORT:-}" ]]; then
        _pg_err "pgbouncer_start needs a cluster: run pg_start first (PG_PORT is not set)"
        return 1
    fi
    if [[ -e "$dir/.roomctl-pgbouncer" ]]; then
        pgbouncer_stop "$dir" || return 1
    elif [[ -e "$dir" ]] && [[ -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
        _pg_err "refusing to use $dir: it exists, is not empty and was not made by pgbouncer_start"
        return 1
    fi
    mkdir -p "$dir" || { _pg_err "cannot create $dir"; return 1; }
    dir="$(cd "$dir" && pwd)" || return 1
    : >"$dir/.roomctl-pgbouncer"
    printf '"roomctl" "roomctl"\n' >"$dir/userlist.txt"
    chmod 0600 "$dir/userlist.txt"
    if [[ $EUID -eq 0 ]]; then
        chown -R postgres: "$dir" || { _pg_err "cannot chown $dir to postgres"; return 1; }
    fi

    local port="" attempt
    for attempt in 1 2 3 4 5; do
        port="$(_pg_free_port)" || { _pg_err "no free TCP port found"; return 1; }
        {
            echo "; written by scripts/lib/pg.sh (throwaway pooler for tests)"
            echo "[databases]"
            echo "roomctl = host=127.0.0.1 port=$PG_PORT dbname=roomctl pool_mode=session"
            echo "roomctl_tx = host=127.0.0.1 port=$PG_PORT dbname=roomctl pool_mode=transaction"
            echo "[pgbouncer]"
            echo "listen_addr = 127.0.0.1"
            echo "listen_port = $port"
            echo "unix_socket_dir ="
            echo "auth_type = md5"
            echo "auth_file = $dir/userlist.txt"
            echo "pidfile = $dir/pgbouncer.pid"
            echo "logfile = $dir/pgbouncer.log"
            echo "pool_mode = session"
            echo "max_client_conn = 100"
            echo "default_pool_size = 10"
        } >"$dir/pgbouncer.ini"
        [[ $EUID -eq 0 ]] && chown postgres: "$dir/pgbouncer.ini"
        rm -f "$dir/pgbouncer.pid"
        if ! _pg_as_owner "$bin" -d -q "$dir/pgbouncer.ini" >>"$dir/start.log" 2>&1; then
            _pg_err "pgbouncer did not start; see $dir/pgbouncer.log: $(tail -n1 "$dir/pgbouncer.log" 2>/dev/null)"
            return 1
        fi
        local i
        for ((i = 0; i < 50; i++)); do
            if _pgb_listening "$port"; then
                break 2
            fi
            if [[ -f "$dir/pgbouncer.pid" ]] && ! kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; then
                break
            fi
            sleep 0.1
        done
        # Not listening: a port taken meanwhile is retried, anything else is reported.
        if [[ -f "$dir/pgbouncer.pid" ]]; then
            kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
        fi
        if ! grep -qi "address already in use\|bind" "$dir/pgbouncer.log" 2>/dev/null; then
            _pg_err "pgbouncer is not listening on 127.0.0.1:$port; see $dir/pgbouncer.log: $(tail -n1 "$dir/pgbouncer.log" 2>/dev/null)"
            return 1
        fi
        port=""
    done
    [[ -n "$port" ]] || { _pg_err "pgbouncer did not start: no usable port"; return 1; }

    export PGBOUNCER_DIR="$dir" PGBOUNCER_PORT="$port"
    export ROOMCTL_TEST_POOLER_URL="postgresql://roomctl:roomctl@127.0.0.1:$port/roomctl_tx"
    export ROOMCTL_TEST_SESSION_POOLER_URL="postgresql://roomctl:roomctl@127.0.0.1:$port/roomctl"
    echo "ROOMCTL_TEST_POOLER_URL=$ROOMCTL_TEST_POOLER_URL"
    echo "ROOMCTL_TEST_SESSION_POOLER_URL=$ROOMCTL_TEST_SESSION_POOLER_URL"
}

pgbouncer_stop() {
    local dir="${1:?usage: pgbouncer_stop DIR}"
    [[ -e "$dir" ]] || return 0
    if [[ ! -e "$dir/.roomctl-pgbouncer" ]]; then
        _pg_err "refusing to remove $dir: it was not made by pgbouncer_start"
        return 1
    fi
    if [[ -f "$dir/pgbouncer.pid" ]]; then
        local pid i
        pid="$(cat "$dir/pgbouncer.pid")"
        if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for ((i = 0; i < 100; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            if kill -0 "$pid" 2>/dev/null; then
                _pg_err "pgbouncer (pid $pid) did not stop on SIGTERM; killing it"
                kill -9 "$pid" 2>/dev/null || true
            fi
        fi
    fi
    rm -rf -- "$dir"
    if [[ "${PGBOUNCER_DIR:-}" == "$dir" || "${PGBOUNCER_DIR:-}" == "$(realpath -m "$dir" 2>/dev/null)" ]]; then
        unset PGBOUNCER_DIR PGBOUNCER_PORT ROOMCTL_TEST_POOLER_URL ROOMCTL_TEST_SESSION_POOLER_URL
    fi
    return 0
}
