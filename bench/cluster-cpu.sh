#!/usr/bin/env bash
# CPU per breachedaccount request: one `serve` on embedded state (SQLite in the data dir, in-process counters)
# against one on cluster state (PostgreSQL via --state, Redis via --redis), same data dir, same key, same accounts,
# in the same run. ROUNDS (default 3) interleaved rounds of DURATION each at CONNS connections; for each run the
# server process's CPU time (utime + stime from /proc) is divided by the requests it answered. Redis's and
# PostgreSQL's own CPU is reported beside it. Every answer must be 200 or 404 (counted by the wrk script): a run
# with any other status has no ratio.
# Usage: bench/cluster-cpu.sh [RECORDS=200000] [DURATION=15s]   (ROUNDS=3, CONNS=16)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-200000}"
duration="${2:-15s}"
rounds="${ROUNDS:-3}"
conns="${CONNS:-16}"
"$root/scripts/ensure-deps.sh" wrk curl python3
lw="$root/leakwatch"
work="$(mktemp -d /tmp/lw-cluster-cpu-XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  "$root/scripts/redis.sh" stop "$work/redis" || true
  "$root/scripts/postgres.sh" stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
dirs=(--data-dir "$work/data" --key-file "$work/data.key")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

echo "== setup: $records records, SQLite state, then the same state migrated to PostgreSQL" >&2
"$lw" generate --records "$records" --seed 5 --out "$work/dump.csv" >/dev/null
"$lw" "${dirs[@]}" ingest "$work/dump.csv" --breach Bench >/dev/null
key=$("$lw" "${dirs[@]}" keys create --name bench --rpm 100000000 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
state=$("$root/scripts/postgres.sh" start "$work/pg" "$(free_port)")
redis=$("$root/scripts/redis.sh" start "$work/redis" "$(free_port)")
"$lw" "${dirs[@]}" state migrate --to "$state" >/dev/null

eport=$(free_port); cport=$(free_port)
"$lw" "${dirs[@]}" serve --urls "http://127.0.0.1:$eport" >"$work/embedded.log" 2>&1 &
epid=$!; pids+=($epid)
"$lw" "${dirs[@]}" --state "$state" serve --redis "$redis" --urls "http://127.0.0.1:$cport" >"$work/cluster.log" 2>&1 &
cpid=$!; pids+=($cpid)
for p in $eport $cport; do
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
done

# Accounts from the dump that the index holds, and as many absent ones: half hits, as in bench/http.sh.
python3 - "$work" "$key" "$lw" <<'PY'
import sys, csv, random, urllib.parse, subprocess, json
work, key, lw = sys.argv[1], sys.argv[2], sys.argv[3]
random.seed(9)
acc = []
with open(f"{work}/dump.csv", newline="") as f:
    for i, row in enumerate(csv.DictReader(f)):
        if i % 37: continue
        if row["email"]: acc.append(row["email"])
        if len(acc) >= 3000: break
out = subprocess.run([lw, "--data-dir", f"{work}/data", "--key-file", f"{work}/data.key", "check", "--json", *acc],
                     capture_output=True, text=True).stdout
found = {j["account"] for l in out.splitlines() if l.strip() and (j := json.loads(l))["breaches"]}
acc = [a for a in acc if a in found]
acc += [f"nobody{i}@example.com" for i in range(len(acc))]
random.shuffle(acc)
with open(f"{work}/accounts.lua", "w") as f:
    f.write("accounts = {" + ",".join('"' + urllib.parse.quote(a, safe="") + '"' for a in acc) + "}\n")
    f.write(f'key = "{key}"\n')
PY
cat >"$work/account.lua" <<'LUA'
dofile(os.getenv("ACCOUNTS"))
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init() statuses = {} end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v3/breachedaccount/" .. accounts[(i % #accounts) + 1],
    { ["hibp-api-key"] = key, ["User-Agent"] = "wrk" })
end
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
done = function()
  local total = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + n end
  end
  for s, n in pairs(total) do io.write(string.format("status %d %d\n", s, n)) end
end
LUA
export ACCOUNTS="$work/accounts.lua"

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # clock ticks
pgpids() { pgrep -d ' ' -f "postgres.*$work/pg" || true; }
cpu_many() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(cpu "$p"))); done; echo "$t"; }
tick=$(getconf CLK_TCK)
echo "round,server,requests,server_ticks,redis_ticks,postgres_ticks,bad_statuses" >"$work/runs.csv"
rpid=$(cat "$work/redis/redis.pid")
for r in $(seq 1 "$rounds"); do
  for which in embedded cluster; do
    if [ "$which" = embedded ]; then port=$eport; pid=$epid; else port=$cport; pid=$cpid; fi
    echo "== round $r/$rounds: $which ($conns connections, $duration)" >&2
    # shellcheck disable=SC2046
    s0=$(cpu "$pid"); r0=$(cpu "$rpid"); p0=$(cpu_many $(pgpids))
    wrk -t2 -c"$conns" -d"$duration" -s "$work/account.lua" "http://127.0.0.1:$port" >"$work/$which-$r.txt" 2>&1
    # shellcheck disable=SC2046
    s1=$(cpu "$pid"); r1=$(cpu "$rpid"); p1=$(cpu_many $(pgpids))
    n=$(awk '$1 == "status" { t += $3 } END { print t + 0 }' "$work/$which-$r.txt")
    bad=$(awk '$1 == "status" && $2 != 200 && $2 != 404 { t += $3 } END { print t + 0 }' "$work/$which-$r.txt")
    echo "$r,$which,$n,$((s1 - s0)),$((r1 - r0)),$((p1 - p0)),$bad" >>"$work/runs.csv"
  done
done

python3 - "$work/runs.csv" "$tick" <<'PY'
import csv, sys, statistics
rows = list(csv.DictReader(open(sys.argv[1]))); tick = int(sys.argv[2])
bad = [r for r in rows if int(r["bad_statuses"]) or not int(r["requests"])]
if bad:
    sys.exit("cluster-cpu.sh: runs with statuses other than 200/404 or no answers: " + ", ".join(f"{r['server']} round {r['round']}" for r in bad))
def per_req(r, col): return int(r[col]) / tick / int(r["requests"]) * 1e6
print("| round | embedded µs CPU/request | cluster µs CPU/request (server) | ratio | + Redis | + PostgreSQL | answers embedded | answers cluster |")
print("|---|---|---|---|---|---|---|---|")
ratios = []
for rnd in sorted({r["round"] for r in rows}):
    e = next(r for r in rows if r["round"] == rnd and r["server"] == "embedded")
    c = next(r for r in rows if r["round"] == rnd and r["server"] == "cluster")
    ratio = per_req(c, "server_ticks") / per_req(e, "server_ticks"); ratios.append(ratio)
    print(f"| {rnd} | {per_req(e, 'server_ticks'):.1f} | {per_req(c, 'server_ticks'):.1f} | {ratio:.2f}× | {per_req(c, 'redis_ticks'):.1f} | {per_req(c, 'postgres_ticks'):.1f} | {int(e['requests']):,} | {int(c['requests']):,} |")
print(f"\nmedian ratio (server process CPU per request, cluster / embedded): {statistics.median(ratios):.2f}×")
PY
