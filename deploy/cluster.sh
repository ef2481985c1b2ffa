#!/usr/bin/env bash
# A local Leakwatch cluster on loopback: PostgreSQL (shared state) and Redis (shared counters) from Debian, N
# stateless `leakwatch serve` replicas over one shared data dir, and nginx load-balancing them and serving the
# static export. The tests and people use this same script.
#
#   deploy/cluster.sh up N             start everything; prints LB=, STATE=, REDIS=, DATA=, KEY= (and REPLICAS=,
#                                      EXPORT=), one per line
#   deploy/cluster.sh down [--purge]   stop everything (--purge also deletes the cluster's directory)
#   deploy/cluster.sh status           what runs, and each replica's /healthz
#   deploy/cluster.sh replica I start|stop|kill|restart   one replica (a rolling restart is stop, start, next)
#
# Administer it with the CLI and the printed values: leakwatch --state $STATE --data-dir $DATA --key-file $KEY ...
# Environment: LEAKWATCH_CLUSTER_DIR (default /tmp/leakwatch-cluster; PostgreSQL's user must reach it),
# LEAKWATCH_DLL (run `dotnet $LEAKWATCH_DLL` instead of ./leakwatch, as the tests do with their build),
# LEAKWATCH_SERVE_ARGS (extra `serve` options for every replica).
set -euo pipefail
# Nothing here reads standard input; the servers started here get /dev/null for it, since one started with it
# closed (as CI runs) can crash: redis-server does.
exec </dev/null
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${LEAKWATCH_CLUSTER_DIR:-/tmp/leakwatch-cluster}"
env_file="$dir/cluster.env"

usage() { echo "usage: deploy/cluster.sh up N | down [--purge] | status | replica I start|stop|kill|restart" >&2; exit 2; }
die() { echo "cluster.sh: $*" >&2; exit 1; }

leakwatch_cmd() {
  if [ -n "${LEAKWATCH_DLL:-}" ]; then
    lw=(dotnet "$LEAKWATCH_DLL")
  else
    "$root/leakwatch" --version >/dev/null   # builds the CLI on first use
    lw=("$root/artifacts/cli/leakwatch")
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits until URL answers 200 (seconds in $2); false when it never does.
wait_healthy() {
  local url=$1 limit=$2 i
  for i in $(seq 1 $((limit * 10))); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null || true)" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}

load_env() {
  [ -f "$env_file" ] || die "no cluster in $dir (run: deploy/cluster.sh up N)"
  # shellcheck disable=SC1090
  . "$env_file"
}

replica_pid() { cat "$dir/replica-$1.pid" 2>/dev/null || true; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# True once PID itself listens on 127.0.0.1:PORT (its own socket in /proc, not just anything answering there: the
# port was free when chosen, but another process on this machine may take it before the replica binds it).
owns_port() {
  python3 - "$1" "$2" <<'PY'
import os, sys
port, pid = int(sys.argv[1]), sys.argv[2]
inodes = set()
with open("/proc/net/tcp") as f:
    next(f)
    for line in f:
        cols = line.split()
        if cols[3] == "0A" and int(cols[1].split(":")[1], 16) == port:
            inodes.add(cols[9])
try:
    fds = os.listdir(f"/proc/{pid}/fd")
except OSError:
    sys.exit(1)
for fd in fds:
    try:
        link = os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        continue
    if link.startswith("socket:[") and link[8:-1] in inodes:
        sys.exit(0)
sys.exit(1)
PY
}

# Starts replica I on the port in replica-I.port; false (with its log's last line on stderr) when it does not come up
# listening there itself and healthy within 60 s.
try_start_replica() {
  local i=$1 port pid n
  port=$(cat "$dir/replica-$i.port")
  alive "$(replica_pid "$i")" && die "replica $i already runs"
  leakwatch_cmd
  # shellcheck disable=SC2086
  nohup "${lw[@]}" serve --data-dir "$DATA" --key-file "$KEY" --state "$STATE" --redis "$REDIS" \
    --urls "http://127.0.0.1:$port" --trusted-proxy 127.0.0.1 ${LEAKWATCH_SERVE_ARGS:-} \
    >>"$dir/replica-$i.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/replica-$i.pid"
  for n in $(seq 1 600); do
    alive "$pid" || break
    if owns_port "$port" "$pid" && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" 2>/dev/null || true)" = 200 ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "cluster.sh: replica $i did not become healthy on 127.0.0.1:$port; its log: $dir/replica-$i.log ($(tail -1 "$dir/replica-$i.log" 2>/dev/null))" >&2
  stop_replica "$i" KILL
  return 1
}

start_replica() { try_start_replica "$1" || exit 1; }

stop_replica() {
  local i=$1 signal=${2:-TERM} pid n
  pid=$(replica_pid "$i")
  alive "$pid" || { rm -f "$dir/replica-$i.pid"; return 0; }
  kill "-$signal" "$pid" 2>/dev/null || true
  for n in $(seq 1 150); do
    alive "$pid" || break
    sleep 0.1
  done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/replica-$i.pid"
}

write_env() {
  cat >"$env_file" <<ENV
N=$1
LB=$LB
STATE=$STATE
REDIS=$REDIS
DATA=$DATA
KEY=$KEY
EXPORT=$EXPORT
REPLICAS=$REPLICAS
ENV
}

up() {
  local n=$1 i port upstreams="" pg_port redis_port lb_port attempt rc
  [[ "$n" =~ ^[1-9][0-9]?$ ]] || die "N must be a number of replicas from 1 to 99, not '$n'"
  if [ -f "$env_file" ]; then die "a cluster is already set up in $dir (deploy/cluster.sh down first)"; fi
  "$root/scripts/ensure-deps.sh" nginx curl python3
  mkdir -p "$dir" "$dir/export" "$dir/nginx/tmp"
  chmod 755 "$dir"
  pg_port=$(free_port); lb_port=$(free_port)
  STATE=$("$root/scripts/postgres.sh" start "$dir/postgres" "$pg_port")
  # As for the replicas below: a port taken between choosing and binding it (redis.sh exits 3) means another one.
  for attempt in 1 2 3; do
    redis_port=$(free_port)
    rc=0; REDIS=$("$root/scripts/redis.sh" start "$dir/redis" "$redis_port") || rc=$?
    [ "$rc" -eq 0 ] && break
    [ "$rc" -eq 3 ] && [ "$attempt" -lt 3 ] || die "Redis did not start (see $dir/redis/redis.log)"
  done
  DATA="$dir/data"
  KEY="$dir/leakwatch.key"
  EXPORT="$dir/export"
  LB="http://127.0.0.1:$lb_port"
  mkdir -p "$DATA"
  # Written now so that `down` stops what is started even if a replica fails; again once the replicas' ports are known.
  REPLICAS=""
  write_env "$n"
  local replicas=()
  for i in $(seq 1 "$n"); do
    # A port taken by someone else between choosing and binding it: the replica fails to bind, so take another.
    for attempt in 1 2 3; do
      port=$(free_port)
      echo "$port" >"$dir/replica-$i.port"
      try_start_replica "$i" && break
      [ "$attempt" -lt 3 ] || die "replica $i did not start on any of 3 ports"
    done
    replicas+=("http://127.0.0.1:$port")
    upstreams+="    server 127.0.0.1:$port max_fails=1 fail_timeout=2s;"$'\n'
  done
  REPLICAS=$(IFS=,; echo "${replicas[*]}")
  write_env "$n"
  sed -e "s#@PREFIX@#$dir/nginx#g" -e "s#@LISTEN@#127.0.0.1:$lb_port#g" -e "s#@EXPORT@#$EXPORT#g" \
    "$root/deploy/nginx/leakwatch.conf.template" | awk -v ups="$upstreams" '{ if ($0 == "@UPSTREAMS@") printf "%s", ups; else print }' \
    >"$dir/nginx/nginx.conf"
  nginx -q -t -c "$dir/nginx/nginx.conf" -p "$dir/nginx/" 2>"$dir/nginx/test.log" || die "nginx rejects $dir/nginx/nginx.conf: $(tail -1 "$dir/nginx/test.log")"
  nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx/"
  wait_healthy "$LB/healthz" 30 || die "nginx on $LB does not reach the replicas; see $dir/nginx/error.log"
  echo "LB=$LB"
  echo "STATE=$STATE"
  echo "REDIS=$REDIS"
  echo "DATA=$DATA"
  echo "KEY=$KEY"
  echo "EXPORT=$EXPORT"
  echo "REPLICAS=$REPLICAS"
}

down() {
  local purge=${1:-} i
  if [ -f "$env_file" ]; then
    load_env
    for i in $(seq 1 "$N"); do stop_replica "$i"; done
    if [ -f "$dir/nginx/nginx.pid" ]; then
      nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx/" -s stop 2>/dev/null || true
    fi
    "$root/scripts/redis.sh" stop "$dir/redis"
    "$root/scripts/postgres.sh" stop "$dir/postgres"
    rm -f "$env_file"
  fi
  if [ "$purge" = --purge ]; then rm -rf "$dir"; fi
}

status() {
  local i port code
  load_env
  cat "$env_file"
  for i in $(seq 1 "$N"); do
    port=$(cat "$dir/replica-$i.port")
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" 2>/dev/null || true)
    echo "replica $i: 127.0.0.1:$port pid $(replica_pid "$i") healthz ${code:-000}"
  done
}

[ $# -ge 1 ] || usage
case "$1" in
  up) [ $# -eq 2 ] || usage; up "$2" ;;
  down) down "${2:-}" ;;
  status) status ;;
  replica)
    [ $# -eq 3 ] || usage
    load_env
    [ -f "$dir/replica-$2.port" ] || die "no replica $2 (the cluster has $N)"
    case "$3" in
      start) start_replica "$2" ;;
      stop) stop_replica "$2" TERM ;;
      kill) stop_replica "$2" KILL ;;
      restart) stop_replica "$2" TERM; start_replica "$2" ;;
      *) usage ;;
    esac ;;
  *) usage ;;
esac
