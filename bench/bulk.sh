#!/usr/bin/env bash
# POST /api/v3/bulk throughput, whole process on loopback: `leakwatch serve` over a generated dump, a key with a
# very high rpm, then a small Python client posting bodies of ACCOUNTS emails (JSON arrays, all in the dump, so the
# enumeration detector sees ordinary traffic) on CONNECTIONS keep-alive connections for SECONDS. It first checks
# that one answer is correct, then prints accounts/s. The issue's target: >= 50k accounts/s.
# Usage: bench/bulk.sh [RECORDS=200000] [ACCOUNTS=10000] [CONNECTIONS=4] [SECONDS=15]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-200000}"
accounts="${2:-10000}"
connections="${3:-4}"
seconds="${4:-15}"
"$root/scripts/ensure-deps.sh" curl python3
lw="$root/leakwatch"
work="$(mktemp -d /tmp/lw-bulk-bench-XXXXXX)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
dirs=(--data-dir "$work/data" --key-file "$work/data.key")

"$lw" generate --records "$records" --seed 11 --out "$work/dump.csv" >/dev/null
"$lw" "${dirs[@]}" ingest "$work/dump.csv" --breach Bench --date 2020-01-01 >/dev/null
key=$("$lw" "${dirs[@]}" keys create --name bench --rpm 100000000 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$lw" "${dirs[@]}" serve --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
up=""
for _ in $(seq 1 300); do
  if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$up" ] || { echo "bulk: the server did not come up" >&2; tail -n 20 "$work/server.log" >&2; exit 1; }

python3 - "$port" "$key" "$work/dump.csv" "$accounts" "$connections" "$seconds" <<'PY'
import csv, http.client, json, sys, threading, time
port, key, dump, per, conns, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
with open(dump, newline="", encoding="utf-8", errors="replace") as f:
    emails = sorted({r["email"].strip() for r in csv.DictReader(f) if r.get("email") and "@" in r["email"]})
headers = {"hibp-api-key": key, "User-Agent": "leakwatch-bench", "Content-Type": "application/json"}
chunks = [emails[i:i + per] for i in range(0, max(1, len(emails) - per + 1), per)] or [emails[:per]]
bodies = [(json.dumps(c).encode(), len(c)) for c in chunks]
def post(conn, body):
    conn.request("POST", "/api/v3/bulk", body, headers)
    r = conn.getresponse(); data = r.read()
    if r.status != 200: sys.exit(f"bulk answered {r.status}: {data[:200]!r}")
    return data
# One answer checked first: a known email answers its breach, in order, one line per account.
conn = http.client.HTTPConnection("127.0.0.1", port)
probe = emails[:3] + ["nobody.bench@example.com"]
lines = post(conn, json.dumps(probe).encode()).decode().splitlines()
assert len(lines) == 4, lines
for account, line in zip(probe, lines):
    got = json.loads(line)
    assert got["account"] == account, (account, line)
    want = [] if account.startswith("nobody.") else ["Bench"]
    assert got["breaches"] == want, (account, line)
post(conn, bodies[0][0])  # warm-up
done = [0] * conns
stop = time.perf_counter() + seconds
def worker(i):
    c = http.client.HTTPConnection("127.0.0.1", port)
    j = i
    while time.perf_counter() < stop:
        body, count = bodies[j % len(bodies)]; j += conns
        post(c, body)
        done[i] += count
start = time.perf_counter()
threads = [threading.Thread(target=worker, args=(i,)) for i in range(conns)]
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.perf_counter() - start
total = sum(done)
print(f"bulk: {total} accounts in {elapsed:.1f} s on {conns} connections, {per} per request = {total / elapsed:,.0f} accounts/s")
PY
