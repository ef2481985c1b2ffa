#!/usr/bin/env bash
# CPU per account search with counters in-process vs in Redis (serve --redis), same data, same run.
# One leakwatch serve at a time on loopback; wrk drives GET /api/v3/breachedaccount/{one known account} with a key
# of unlimited rpm (one account, so the enumeration detector never blocks). CPU per request is the server process's
# utime+stime (/proc/PID/stat) over the run divided by the requests wrk completed; Redis's own CPU is printed beside.
# Usage: bench/redis-cpu.sh [RECORDS=200000] [DURATION=15s] [CONNECTIONS=16] [ROUNDS=2]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-200000}"; duration="${2:-15s}"; conns="${3:-16}"; rounds="${4:-2}"
"$root/scripts/ensure-deps.sh" wrk curl python3 redis-server
lw="$root/leakwatch"
work="$(mktemp -d /tmp/lw-redis-bench-XXXXXX)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; "$root/scripts/redis.sh" stop "$work/redis" || true; rm -rf "$work"; }
trap cleanup EXIT
dirs=(--data-dir "$work/data" --key-file "$work/data.key")
"$lw" generate --records "$records" --seed 5 --out "$work/dump.csv" >/dev/null
"$lw" "${dirs[@]}" ingest "$work/dump.csv" --breach Bench >/dev/null
key=$("$lw" "${dirs[@]}" keys create --name bench --rpm 100000000 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
account=$(python3 -c 'import csv,sys; r=csv.DictReader(open(sys.argv[1])); print(next(x["email"] for x in r if "@" in (x.get("email") or "")))' "$work/dump.csv")
redis=$("$root/scripts/redis.sh" start "$work/redis" "${REDIS_PORT:-16399}")
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() { # $1 = label, rest = extra serve options
  local label=$1; shift
  "$lw" "${dirs[@]}" serve --urls http://127.0.0.1:18090 "$@" >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fs http://127.0.0.1:18090/healthz >/dev/null 2>&1 && break; sleep 0.1; done
  local url="http://127.0.0.1:18090/api/v3/breachedaccount/$account"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "hibp-api-key: $key" -H 'user-agent: bench' "$url")" = 200 ]
  wrk -t1 -c"$conns" -d3s -H "hibp-api-key: $key" -H 'user-agent: bench' "$url" >/dev/null   # warm-up
  local rpid c0 r0 out n c1 r1
  rpid=$(cat "$work/redis/redis.pid")
  c0=$(cpu "$pid"); r0=$(cpu "$rpid")
  out=$(wrk -t1 -c"$conns" -d"$duration" -H "hibp-api-key: $key" -H 'user-agent: bench' "$url")
  c1=$(cpu "$pid"); r1=$(cpu "$rpid")
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  python3 -c "import sys; l,n,c,r,t,e=sys.argv[1:]; n=int(n); print(f'{l}: {n} requests, {n/float(\"$duration\".rstrip(\"s\")):.0f}/s, server CPU {(float(c)/int(t))/n*1e6:.1f} us/request, redis CPU {(float(r)/int(t))/n*1e6:.1f} us/request, non-2xx {e or 0}')" \
    "$label" "$n" "$((c1 - c0))" "$((r1 - r0))" "$ticks" "${non2xx:-0}"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

for i in $(seq 1 "$rounds"); do
  run "round $i in-process" 
  run "round $i --redis   " --redis "$redis"
done
