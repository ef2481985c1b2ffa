#!/usr/bin/env bash
# Whole-process ingest benchmark: generate an N-record dump (email + phone per row), ingest it, and print
# records/s, peak RSS, index bytes per entry, warm lookup latency percentiles and cold `check` time.
# Usage: bench/ingest.sh [RECORDS=10000000] [FORMAT=csv]
# INGEST_ONLY=1 stops after the ingest figures (for repeated runs: median of three); LEAKWATCH=binary, INGEST_ARGS="..." extra ingest options.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-10000000}"
format="${2:-csv}"
work="${BENCH_WORK:-$root/bench/out}"
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || "$root/scripts/ensure-deps.sh" time
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

lw="${LEAKWATCH:-$root/leakwatch}"   # LEAKWATCH=path/to/binary compares builds in one session
"$lw" --help >/dev/null
dump="$work/dump-$records.$format"
if [ ! -f "$dump" ]; then
  echo "generating $records records → $dump" >&2
  "$lw" generate --records "$records" --seed 42 --out "$dump" --format "$format" >/dev/null
fi
data="$work/data-$records"; key="$work/data-$records.key"
rm -rf "$data" "$key"
cols=()
[ "$format" = colon ] && cols=(--columns phone,uid,first_name,last_name,gender,city,country,relationship,employer,email,dob)

sync
/usr/bin/time -v -o "$work/time.txt" "$lw" --data-dir "$data" --key-file "$key" ingest "$dump" --breach Bench "${cols[@]}" ${INGEST_ARGS:-} --json >"$work/ingest.json"
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.1f", s}' "$work/time.txt")
python3 - "$work/ingest.json" "$rss_kb" "$wall" "$data" "$cpu" <<'PY'
import json, sys, os, glob
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
rss_gb = int(sys.argv[2]) / 1024 / 1024
idx = glob.glob(os.path.join(sys.argv[4], "index", "*.lwx"))[0]
size = os.path.getsize(idx)
ids = s["distinct"]["email"] + s["distinct"]["phone"]
print(f"rows={s['rows']} seconds={s['seconds']:.2f} records_per_s={s['rowsPerSecond']:.0f} wall={sys.argv[3]} cpu_s={sys.argv[5]} peak_rss_gb={rss_gb:.2f}")
p = s["phases"]
print(f"phases: read {p['read']:.2f} s, sort {p['sort']:.2f} s, merge {p['merge']:.2f} s, publish {p['publish']:.2f} s")
print(f"index_bytes={size} identifiers={ids} entries={s['indexEntries']} bytes_per_identifier={size/ids:.2f}")
PY
[ "${INGEST_ONLY:-0}" = 1 ] && exit 0

# Accounts to look up: half present (taken from the dump), half absent.
python3 - "$dump" "$work/accounts.txt" <<'PY'
import sys, random, gzip
random.seed(1)
present = []
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    next(f)
    for i, line in enumerate(f):
        if i % 997 == 0:
            parts = line.rstrip("\n").split(",")
            if parts and parts[0].strip():
                present.append(parts[0].strip().strip('"'))
        if len(present) >= 5000: break
absent = [f"+4479{random.randint(10000000, 99999999)}" for _ in range(5000)]
open(sys.argv[2], "w").write("\n".join(present + absent) + "\n")
PY
dotnet run -c Release --project "$root/bench/Leakwatch.Benchmarks" -- latency "$data" "$key" "$work/accounts.txt" 5

# Cold process: the whole `leakwatch check` command, page cache warm, new process each time; an account
# found in the dump (first present account of the lookup file) and one that is absent.
python3 - "$lw" "$data" "$key" "$work/accounts.txt" <<'PY'
import subprocess, sys, time
lw, data, key, accounts = sys.argv[1:5]
exe = lw.replace("/leakwatch", "/artifacts/cli/leakwatch")
hit = open(accounts).readline().strip()
for label, account in (("found", hit), ("absent", "+447911123456")):
    times = []
    for i in range(21):
        t = time.perf_counter()
        subprocess.run([exe, "--data-dir", data, "--key-file", key, "check", "--json", account], stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
    times = sorted(times[1:])
    print(f"cold_check_ms_{label} p50={times[len(times)//2]:.0f} max={times[-1]:.0f}")
PY
