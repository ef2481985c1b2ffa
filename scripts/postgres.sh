#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for the tests, bench/ and deploy/cluster.sh (never for production:
# trust authentication, no fsync).
#   scripts/postgres.sh start DIR PORT   prints the state URL: postgresql://leakwatch@127.0.0.1:PORT/leakwatch
#   scripts/postgres.sh stop DIR         fast shutdown (no error when it is not running)
#   scripts/postgres.sh restart DIR      stop, then start again on the same port with the same data
# Installs Debian's postgresql when no server binaries are found. As root, the server runs as the postgres user.
set -euo pipefail
# Nothing here reads standard input; the servers started here get /dev/null for it, since one started with it
# closed (as CI runs) can crash: redis-server does.
exec </dev/null
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() { echo "usage: scripts/postgres.sh start DIR PORT | stop DIR | restart DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1; dir=$2

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    if [ "$(id -u)" -ne 0 ]; then echo "postgres.sh: PostgreSQL is not installed and installing needs root" >&2; exit 1; fi
    # Debian's package would start a default cluster on 5432 where systemd runs; nothing here uses that one.
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$d"
}

# Runs a server binary as the postgres user when we are root (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local port=$1 bin
  bin=$(bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  echo "$port" >"$dir/port"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    mkdir -p "$dir/data" "$dir/sock"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir/data" "$dir/sock"
    if ! as_pg test -w "$dir/data"; then
      echo "postgres.sh: $dir is not writable by the postgres user (every parent must be searchable); use a dir under /tmp" >&2
      exit 1
    fi
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || { echo "postgres.sh: initdb failed, see $dir/initdb.log" >&2; exit 1; }
  fi
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 30 \
    -o "-h 127.0.0.1 -p $port -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { echo "postgres.sh: the server did not start on 127.0.0.1:$port, see $dir/data/server.log" >&2; exit 1; }
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='leakwatch'" | grep -q 1; then
    "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE ROLE leakwatch LOGIN" \
      -c "CREATE DATABASE leakwatch OWNER leakwatch" >/dev/null
  fi
  echo "postgresql://leakwatch@127.0.0.1:$port/leakwatch"
}

stop() {
  local bin
  [ -f "$dir/data/PG_VERSION" ] || return 0
  bin=$(bindir)
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

case "$cmd" in
  start) [ $# -eq 3 ] || usage; start "$3" ;;
  stop) stop ;;
  restart) [ -f "$dir/port" ] || { echo "postgres.sh: no server was started in $dir" >&2; exit 1; }
    stop; start "$(cat "$dir/port")" ;;
  *) usage ;;
esac
