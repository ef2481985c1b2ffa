#!/usr/bin/env bash
# The private evaluate endpoint's latency, whole process on loopback: `leakwatch serve` over a --private ingest of a
# generated dump, then N sequential POST /api/private/evaluate on one keep-alive connection. Prints the client
# round trip p50/p99 and the server time from the request-duration histogram (/metrics). The unit tests do not
# time this (the machine is shared); this is where the "server time p50 ≤ 5 ms" figure in BENCHMARKS.md comes from.
# Usage: bench/private-evaluate.sh [RECORDS=200000] [REQUESTS=300]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-200000}"
requests="${2:-300}"
"$root/scripts/ensure-deps.sh" curl python3
lw="$root/leakwatch"
work="$(mktemp -d /tmp/lw-private-bench-XXXXXX)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
dirs=(--data-dir "$work/data" --key-file "$work/data.key")

"$lw" generate --records "$records" --seed 9 --out "$work/dump.csv" >/dev/null
"$lw" "${dirs[@]}" ingest "$work/dump.csv" --breach Bench --private >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$lw" "${dirs[@]}" serve --urls "http://127.0.0.1:$port" --metrics-urls "http://127.0.0.1:$metrics_port" \
  --private-rpm 1000000 --private-global-rps 1000000 >"$work/server.log" 2>&1 &
server_pid=$!
up=""
for _ in $(seq 1 300); do
  if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$up" ] || { echo "private-evaluate: the server did not come up" >&2; tail -n 20 "$work/server.log" >&2; exit 1; }

python3 - "$port" "$requests" "$metrics_port" <<'PY'
import base64, http.client, json, re, sys, time
port, n, metrics_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
# The ristretto255 generator's canonical encoding (RFC 9496): a valid blinded element for timing purposes.
element = base64.b64encode(bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")).decode()
conn = http.client.HTTPConnection("127.0.0.1", port)
def post(bucket):
    body = json.dumps({"bucket": bucket, "blindedElement": element})
    t = time.perf_counter()
    conn.request("POST", "/api/private/evaluate", body, {"Content-Type": "application/json"})
    r = conn.getresponse(); data = r.read()
    if r.status != 200: sys.exit(f"evaluate answered {r.status}: {data[:200]!r}")
    return (time.perf_counter() - t) * 1000, len(data)
conn.request("GET", "/api/private/config"); cfg = json.loads(conn.getresponse().read())
buckets = cfg["bucketCount"]
for i in range(20): post(i % buckets)  # warm-up: JIT and page cache
samples = [post((i * 7919) % buckets) for i in range(n)]
ms = sorted(s for s, _ in samples)
sections = " ".join(("email" if s["kind"] == "email" else "+%d" % s["callingCode"]) + ":%d" % s["bucketBits"] for s in cfg["sections"])
print(f"evaluate: {n} requests, buckets={buckets} ({sections}) bucketEntries={cfg['bucketEntries']} response={samples[0][1]} B")
print(f"client round trip: p50 {ms[n // 2]:.2f} ms, p99 {ms[min(n - 1, n * 99 // 100)]:.2f} ms")
scraper = http.client.HTTPConnection("127.0.0.1", metrics_port)
scraper.request("GET", "/metrics"); metrics = scraper.getresponse().read().decode()
series = [(float("inf") if le == "+Inf" else float(le), int(c)) for le, c in
          re.findall(r'leakwatch_http_request_duration_seconds_bucket\{endpoint="/api/private/evaluate"[^}]*le="([^"]+)"\} (\d+)', metrics)]
if series:
    total = series[-1][1]
    under = next((le for le, c in sorted(series) if c >= total / 2), None)
    print(f"server time (histogram, incl. warm-up): {total} requests, p50 ≤ {under * 1000:g} ms")
PY
