#!/usr/bin/env bash
# A throwaway Redis server on loopback, for the tests, bench/ and deploy/cluster.sh (no persistence).
#   scripts/redis.sh start DIR PORT   prints HOST:PORT (127.0.0.1:PORT); exit 3 when another server holds PORT
#   scripts/redis.sh stop DIR         no error when it is not running
#   scripts/redis.sh restart DIR      stop, then start again on the same port
# Installs Debian's redis-server when it is missing.
set -euo pipefail
# Nothing here reads standard input; the servers started here get /dev/null for it, since one started with it
# closed (as CI runs) can crash: redis-server does.
exec </dev/null
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() { echo "usage: scripts/redis.sh start DIR PORT | stop DIR | restart DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1; dir=$2

start() {
  local port=$1 i
  command -v redis-server >/dev/null || "$root/scripts/ensure-deps.sh" redis-server
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  echo "$port" >"$dir/port"
  # A restart appends to the same log: only what this start writes counts below.
  local seen
  seen=0
  [ -f "$dir/redis.log" ] && seen=$(wc -l <"$dir/redis.log")
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null
  # Ours, not any server on the port: the port was free when the caller chose it, but another test's Redis may have
  # taken it since (ours then fails to bind and exits), so the answering server's process_id must be our pid.
  local ours theirs
  for i in $(seq 1 100); do
    if awk -v seen="$seen" 'NR > seen && /Address already in use/ { found = 1 } END { exit !found }' "$dir/redis.log" 2>/dev/null; then
      echo "redis.sh: 127.0.0.1:$port is taken by another process; ours did not start, see $dir/redis.log" >&2
      exit 3
    fi
    if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null || true)" = PONG ]; then
      ours=$(cat "$dir/redis.pid" 2>/dev/null || true)
      theirs=$(redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null | sed -n 's/^process_id:\([0-9]*\).*/\1/p')
      if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
        echo "127.0.0.1:$port"
        return 0
      fi
    fi
    sleep 0.1
  done
  echo "redis.sh: the server did not answer on 127.0.0.1:$port, see $dir/redis.log" >&2
  exit 1
}

stop() {
  local pid i
  [ -f "$dir/redis.pid" ] || return 0
  pid=$(cat "$dir/redis.pid")
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$dir/redis.pid"; return 0; }
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/redis.pid"
}

case "$cmd" in
  start) [ $# -eq 3 ] || usage; start "$3" ;;
  stop) stop ;;
  restart) [ -f "$dir/port" ] || { echo "redis.sh: no server was started in $dir" >&2; exit 1; }
    stop; start "$(cat "$dir/port")" ;;
  *) usage ;;
esac
