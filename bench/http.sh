#!/usr/bin/env bash
# HTTP benchmarks with wrk on loopback, peers in the same run:
#   1. /range/{prefix}: leakwatch serve (default inline I/O, and --inline-io false) vs nginx serving the very same
#      range bodies as static files; and the gzip form against nginx gzip_static. ROUNDS (default 3) interleaved
#      rounds of DURATION each, so a noisy neighbour hits all three alike; the median ratio is reported.
#   2. /api/v3/breachedaccount: peak throughput, then latency percentiles at half of peak.
#   3. 256 connections for 60 s: errors must be 0.
# Usage: bench/http.sh [RECORDS=1000000] [DURATION=20s]   (RANGE_ONLY=1: stop after the /range/ runs; ROUNDS=3)
set -euo pipefail
# Nothing here reads standard input; the servers started here get /dev/null for it, since one started with it
# closed (as CI runs) can crash: redis-server does.
exec </dev/null
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-1000000}"
duration="${2:-20s}"
had_nginx=0; command -v nginx >/dev/null && had_nginx=1
"$root/scripts/ensure-deps.sh" wrk nginx curl python3
# Debian's nginx package starts its default site on port 80 where an init system runs: stop what we installed.
if [ "$had_nginx" = 0 ] && command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl stop nginx || true
fi
lw="$root/leakwatch"
work="$(mktemp -d /tmp/lw-http-bench-XXXXXX)"
pids=()
# nginx's workers run as an unprivileged user and cannot enter the 0700 work dir, so the static copies live in
# a world-readable dir of their own (before this, nginx answered every request 403 and looked fast).
www="$(mktemp -d /tmp/lw-http-www-XXXXXX)"
chmod 755 "$www"
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work" "$www"; }
trap cleanup EXIT
dirs=(--data-dir "$work/data" --key-file "$work/data.key")

echo "== setup: $records records, a password corpus of 3.7M hashes" >&2
"$lw" generate --records "$records" --seed 5 --out "$work/dump.csv" >/dev/null
"$lw" "${dirs[@]}" ingest "$work/dump.csv" --breach Bench >/dev/null
# 4,096 × 900 = 3.7M random SHA-1 hashes in HIBP's corpus format, dense on a fixed set of prefixes so that
# their range bodies are HIBP-sized (~900 lines).
python3 - "$work/pwned.txt" <<'PY'
import os, sys, random
random.seed(3)
with open(sys.argv[1], "w") as f:
    # 4096 prefixes × 900 suffixes: bodies the size HIBP serves (~800–1000 lines).
    for p in range(4096):
        prefix = f"{p * 256:05X}"
        for _ in range(900):
            f.write(f"{prefix}{random.getrandbits(140):035X}:{random.randint(1, 5000)}\n")
PY
"$lw" "${dirs[@]}" ingest-passwords "$work/pwned.txt" --mode sha1 >/dev/null
key=$("$lw" "${dirs[@]}" keys create --name bench --rpm 100000000 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

port=18080; nport=18081; iport=18082
"$lw" "${dirs[@]}" serve --urls "http://127.0.0.1:$port" --range-rpm 0 >"$work/serve.log" 2>&1 &
pids+=($!)
# The same server with every request on the thread pool (serve --inline-io false), measured beside the default.
"$lw" "${dirs[@]}" serve --urls "http://127.0.0.1:$iport" --range-rpm 0 --inline-io false >"$work/serve-pool.log" 2>&1 &
pids+=($!)
for p in $port $iport; do
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
done

# The same bodies for nginx, fetched from our own server so both serve identical bytes.
mkdir -p "$www/range"
python3 - "$work" "$port" "$iport" "$www" <<'PY'
import sys, urllib.request
work, port, iport, www = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
prefixes = [f"{p * 256:05X}" for p in range(4096)]
for p in prefixes:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/range/{p}").read()
    open(f"{www}/range/{p}", "wb").write(body)
    # nginx's gzip_static twin, at zlib's default level (what .NET's CompressionLevel.Optimal uses).
    import gzip
    open(f"{www}/range/{p}.gz", "wb").write(gzip.compress(body, compresslevel=6, mtime=0))
    # Warm leakwatch's gzip cache as nginx's files are "warm": each form is made once per store generation.
    for q in (port, iport):
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{q}/range/{p}", headers={"Accept-Encoding": "gzip"})).read()
        urllib.request.urlopen(f"http://127.0.0.1:{q}/range/{p}").read()
open(f"{work}/prefixes.lua", "w").write("prefixes = {" + ",".join(f'"{p}"' for p in prefixes) + "}\n")
PY
cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  open_file_cache max=10000 inactive=60s;
  server {
    listen 127.0.0.1:$nport;
    root $www;
    default_type text/plain;
    location /range/ {
      add_header Cache-Control "public, max-age=2678400";
      add_header Access-Control-Allow-Origin "*";
      etag on;
      gzip_static on;
    }
  }
}
NGINX
nginx -c "$work/nginx.conf"
chmod -R a+rX "$www"
# Both must serve the same bytes with 200 before anything is measured.
for p in 00000 7FF00 FFF00; do
  for enc in identity gzip; do
    [ "$(curl -s -o "$work/check-nginx" -w '%{http_code}' -H "Accept-Encoding: $enc" "http://127.0.0.1:$nport/range/$p")" = 200 ] \
      || { echo "http.sh: nginx does not serve /range/$p ($enc): see $work/nginx-error.log" >&2; cat "$work/nginx-error.log" >&2; exit 1; }
    curl -s -o "$work/check-lw" -H "Accept-Encoding: $enc" "http://127.0.0.1:$port/range/$p"
    if [ "$enc" = identity ]; then cmp -s "$work/check-nginx" "$work/check-lw" || { echo "http.sh: nginx and leakwatch bodies differ for /range/$p" >&2; exit 1; }; fi
  done
done

cat >"$work/range.lua" <<'LUA'
dofile(os.getenv("PREFIXES"))
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/range/" .. prefixes[(i % #prefixes) + 1])
end
LUA
export PREFIXES="$work/prefixes.lua"

run_wrk() { local url="$1" conns="$2" dur="$3" script="$4"; shift 4; wrk -t2 -c"$conns" -d"$dur" --latency -s "$script" "$@" "$url" 2>&1; }
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }

rounds="${ROUNDS:-3}"
for r in $(seq 1 "$rounds"); do
  echo "== /range/ round $r/$rounds: nginx, leakwatch, leakwatch --inline-io false (64 connections, $duration each)" >&2
  run_wrk "http://127.0.0.1:$nport" 64 "$duration" "$work/range.lua" >"$work/nginx-$r.txt"
  run_wrk "http://127.0.0.1:$port" 64 "$duration" "$work/range.lua" >"$work/lw-range-$r.txt"
  run_wrk "http://127.0.0.1:$iport" 64 "$duration" "$work/range.lua" >"$work/lw-range-pool-$r.txt"
  echo "== /range/ gzip round $r/$rounds: nginx gzip_static, leakwatch, leakwatch --inline-io false" >&2
  run_wrk "http://127.0.0.1:$nport" 64 "$duration" "$work/range.lua" -H "Accept-Encoding: gzip" >"$work/nginx-gz-$r.txt"
  run_wrk "http://127.0.0.1:$port" 64 "$duration" "$work/range.lua" -H "Accept-Encoding: gzip" >"$work/lw-range-gz-$r.txt"
  run_wrk "http://127.0.0.1:$iport" 64 "$duration" "$work/range.lua" -H "Accept-Encoding: gzip" >"$work/lw-range-gz-pool-$r.txt"
done

range_table() {
  python3 - "$work" "$rounds" <<'PY'
import sys, re, statistics
work, rounds = sys.argv[1], int(sys.argv[2])
def rps(name):
    m = re.search(r"Requests/sec:\s*([\d.]+)", open(f"{work}/{name}").read()); return float(m.group(1)) if m else 0
def p99(name):
    m = re.search(r"^\s*99(?:\.000)?%\s+([\d.]+)(us|ms|s)", open(f"{work}/{name}").read(), re.M)
    return f"{float(m.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000}[m.group(2)]:.2f} ms" if m else "n/a"
bad = []
for r in range(1, rounds + 1):
    for f in ("nginx", "lw-range", "lw-range-pool", "nginx-gz", "lw-range-gz", "lw-range-gz-pool"):
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", open(f"{work}/{f}-{r}.txt").read())
        if m: bad.append(f"{f}-{r}: {m.group(1)} non-2xx")
if bad:
    # A server answering errors is fast and wrong: no ratio from such a run.
    sys.exit("http.sh: invalid /range/ runs (" + "; ".join(bad) + ")")
for label, ref, runs in (("/range/", "nginx", (("leakwatch", "lw-range"), ("leakwatch --inline-io false", "lw-range-pool"))),
                         ("/range/ gzip", "nginx-gz", (("leakwatch", "lw-range-gz"), ("leakwatch --inline-io false", "lw-range-gz-pool")))):
    base = [rps(f"{ref}-{r}.txt") for r in range(1, rounds + 1)]
    print(f"| {label} nginx | {statistics.median(base):,.0f} req/s (rounds: {', '.join(f'{b:,.0f}' for b in base)}) | p99 {p99(f'{ref}-1.txt')} |")
    for name, f in runs:
        mine = [rps(f"{f}-{r}.txt") for r in range(1, rounds + 1)]
        ratios = [m / b if b else 0 for m, b in zip(mine, base)]
        print(f"| {label} {name} | {statistics.median(mine):,.0f} req/s | p99 {p99(f'{f}-1.txt')} | "
              f"median ratio {statistics.median(ratios):.2f}× nginx (rounds: {', '.join(f'{x:.2f}' for x in ratios)}) |")
PY
}
[ "${RANGE_ONLY:-0}" = 1 ] && { range_table; exit 0; }

# Accounts: real emails and phones from the dump, mixed with absent ones (a realistic hit rate).
python3 - "$work" "$key" "$lw" <<'PY'
import sys, csv, random, urllib.parse, subprocess, json
work, key, lw = sys.argv[1], sys.argv[2], sys.argv[3]
random.seed(9)
acc = []
with open(f"{work}/dump.csv", newline="") as f:
    for i, row in enumerate(csv.DictReader(f)):
        if i % 97: continue
        if row["email"]: acc.append(row["email"])
        if row["phone"]: acc.append(row["phone"])
        if len(acc) >= 4000: break
# Keep only accounts the index holds (the dump has deliberately invalid values, which answer 400).
out = subprocess.run([lw, "--data-dir", f"{work}/data", "--key-file", f"{work}/data.key", "check", "--json", *acc],
                     capture_output=True, text=True).stdout
found = {j["account"] for l in out.splitlines() if l.strip() and (j := json.loads(l))["breaches"]}
acc = [a for a in acc if a in found]
hits = list(acc)
acc += [f"nobody{i}@example.com" for i in range(1000)]
random.shuffle(acc)
for name, items in (("accounts.lua", acc), ("hits.lua", hits)):
    with open(f"{work}/{name}", "w") as f:
        f.write("accounts = {" + ",".join('"' + urllib.parse.quote(a, safe="") + '"' for a in items) + "}\n")
        f.write(f'key = "{key}"\n')
PY
cat >"$work/account.lua" <<'LUA'
dofile(os.getenv("ACCOUNTS"))
local pause = tonumber(os.getenv("PAUSE_MS") or "0")
function delay() return pause end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v3/breachedaccount/" .. accounts[(i % #accounts) + 1],
    { ["hibp-api-key"] = key, ["User-Agent"] = "wrk" })
end
LUA
export ACCOUNTS="$work/accounts.lua"

echo "== breachedaccount: peak (64 connections), leakwatch and leakwatch --inline-io false" >&2
run_wrk "http://127.0.0.1:$port" 64 "$duration" "$work/account.lua" >"$work/acct-peak.txt"
run_wrk "http://127.0.0.1:$iport" 64 "$duration" "$work/account.lua" >"$work/acct-peak-pool.txt"
peak=$(rps <"$work/acct-peak.txt")
half=$(python3 -c "print(int(float('$peak')/2))")
echo "== breachedaccount: latency at half of peak ($half req/s)" >&2
# wrk paces each connection with the script's delay(): 64 connections × 1000/(pause + service time) ≈ half of peak.
pause=$(python3 -c "print(max(1, round(64 * 1000 / $half)))")
PAUSE_MS=$pause run_wrk "http://127.0.0.1:$port" 64 "$duration" "$work/account.lua" >"$work/acct-half.txt"

echo "== 256 connections for 60 s (accounts that exist: any non-2xx is an error)" >&2
ACCOUNTS="$work/hits.lua" run_wrk "http://127.0.0.1:$port" 256 60s "$work/account.lua" >"$work/soak.txt"

range_table
python3 - "$work" <<'PY'
import sys, re
work = sys.argv[1]
def pct(name, p):
    t = open(f"{work}/{name}").read()
    m = re.search(rf"^\s*{p}(?:\.000)?%\s+([\d.]+)(us|ms|s)", t, re.M)
    if not m: return "n/a"
    v, u = float(m.group(1)), m.group(2)
    return f"{v * {'us': 0.001, 'ms': 1, 's': 1000}[u]:.2f} ms"
def rps(name):
    m = re.search(r"Requests/sec:\s*([\d.]+)", open(f"{work}/{name}").read()); return float(m.group(1)) if m else 0
def errors(name):
    t = open(f"{work}/{name}").read()
    e = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    return (sum(map(int, e.groups())) if e else 0), (int(non2xx.group(1)) if non2xx else 0)
print(f"| breachedaccount peak | {rps('acct-peak.txt'):,.0f} req/s | p99 {pct('acct-peak.txt', 99)} |")
print(f"| breachedaccount peak, --inline-io false | {rps('acct-peak-pool.txt'):,.0f} req/s | p99 {pct('acct-peak-pool.txt', 99)} |")
print(f"| breachedaccount at half load | {rps('acct-half.txt'):,.0f} req/s | p50 {pct('acct-half.txt', 50)} p99 {pct('acct-half.txt', 99)} |")
se, n2 = errors("soak.txt")
print(f"| 256 connections, 60 s | {rps('soak.txt'):,.0f} req/s | socket errors {se}, non-2xx/3xx {n2} |")
PY
