#!/usr/bin/env bash
# Cold `leakwatch check` processes: a new process per check, page cache warm, on a 1M-record index.
# Runs batches of 11 of each case until SECONDS (default 240) pass and prints the median over batches and the
# batch with the quietest `--help` (this VM's neighbours come and go). With BASELINE=/path/to/other/leakwatch
# (e.g. a build of an older commit), both binaries run interleaved in every batch, so they share the noise.
# Usage: bench/cold-check.sh [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-240}"
lw="$root/leakwatch"
work="$(mktemp -d /tmp/lw-cold-XXXXXX)"
trap 'rm -rf "$work"' EXIT
"$lw" generate --records 1000000 --seed 7 --out "$work/d.csv" >/dev/null
"$lw" --data-dir "$work/data" --key-file "$work/key" ingest "$work/d.csv" --breach Cold >/dev/null
python3 - "$root/artifacts/cli/leakwatch" "${BASELINE:-}" "$work" "$seconds" <<'PY'
import csv, json, statistics, subprocess, sys, time
exe, baseline, work, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
with open(f"{work}/d.csv", newline="") as f:
    rows = csv.DictReader(f)
    phone = next(r["phone"] for r in rows if r["phone"].startswith("+"))
    email = next(r["email"] for r in rows if r["email"])
found = subprocess.run([exe, "--data-dir", f"{work}/data", "--key-file", f"{work}/key", "check", "--json", phone, email],
                       capture_output=True, text=True).stdout.splitlines()
assert all(json.loads(l)["breaches"] for l in found), "the sample accounts must be found"
d = ["--data-dir", f"{work}/data", "--key-file", f"{work}/key", "check"]
cases = {"--help": ["--help"], "phone found --json": d + ["--json", phone], "phone absent --json": d + ["--json", "+447911123456"],
         "email found --json": d + ["--json", email], "phone found (human)": d + [phone]}
exes = [("leakwatch", exe)] + ([("baseline", baseline)] if baseline else [])
def run(args):
    t = time.perf_counter(); subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); return (time.perf_counter() - t) * 1000
batches, end = [], time.time() + seconds
while time.time() < end:
    batches.append({(c, n): statistics.median(run([e] + a) for _ in range(11)) for c, a in cases.items() for n, e in exes})
quiet = min(batches, key=lambda b: sum(b[("--help", n)] for n, _ in exes))
print(f"{len(batches)} batches of 11 runs per case; ms, median over batches (quietest batch)")
print("| case | " + " | ".join(n for n, _ in exes) + " |")
print("|---|" + "---|" * len(exes))
for c in cases:
    print(f"| {c} | " + " | ".join(f"{statistics.median(b[(c, n)] for b in batches):.0f} ({quiet[(c, n)]:.0f})" for n, _ in exes) + " |")
PY
