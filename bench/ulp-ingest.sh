#!/usr/bin/env bash
# Stealer-log (ULP) ingest throughput, whole process (issue 16 target: >= 500k lines/s). Writes LINES lines of the
# three layouts mixed (URL:login:password, URL|login|password, login:password:URL; with and without a scheme,
# android:// apps, a username login every 20th line), ingests them into a fresh data dir with --format ulp, and
# prints lines/s with the ingest's own phase times.
# Usage: bench/ulp-ingest.sh [LINES=2000000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lines="${1:-2000000}"
lw="$root/leakwatch"
"$lw" --help >/dev/null
work="$(mktemp -d /tmp/lw-ulp-XXXXXX)"
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$lines" "$work/stealer.txt" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    for i in range(n):
        login = f"user{i}" if i % 20 == 19 else f"person{i}@mail{i % 97}.com"
        site = f"site{i % 5003}.com"
        pw = f"pw{i % 100003}:x"
        k = i % 4
        if k == 0:
            f.write(f"https://www.{site}/login:{login}:{pw}\n")
        elif k == 1:
            f.write(f"{site}/account|{login}|{pw}\n")
        elif k == 2:
            f.write(f"{login}:{pw}:https://{site}/\n")
        else:
            f.write(f"android://aGFzaA==@com.app{i % 311}.android/:{login}:{pw}\n")
PY
"$lw" --data-dir "$work/data" --key-file "$work/key" ingest "$work/stealer.txt" --breach UlpBench --format ulp --json | tail -1 >"$work/out.json"
python3 - "$lines" "$work/out.json" <<'PY'
import json, sys
n = int(sys.argv[1]); s = json.load(open(sys.argv[2]))
print(f"ulp ingest: {n:,} lines in {s['seconds']:.2f} s = {n / s['seconds']:,.0f} lines/s; phases {s['phases']}; ulp {s.get('ulp')}")
PY
