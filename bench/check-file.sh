#!/usr/bin/env bash
# `leakwatch check --file` throughput, whole process: generate a dump, ingest it, then time `check --file` on N
# accounts taken from the dump (its emails and phones, one per line, as typed there: about half found, plus the
# dump's own invalid values) and print accounts/s. The issue's target: >= 500k accounts/s for 1M accounts.
# Usage: bench/check-file.sh [N=1000000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-1000000}"
"$root/scripts/ensure-deps.sh" python3
lw="$root/leakwatch"
work="$(mktemp -d /tmp/lw-check-file-XXXXXX)"
trap 'rm -rf "$work"' EXIT
dirs=(--data-dir "$work/data" --key-file "$work/data.key")

"$lw" generate --records "$n" --seed 5 --out "$work/dump.csv" >/dev/null
"$lw" "${dirs[@]}" ingest "$work/dump.csv" --breach Bench --date 2020-01-01 >/dev/null
# N accounts: the dump's emails, then its phones, then accounts in no breach, until there are N.
python3 - "$work/dump.csv" "$work/accounts.txt" "$n" <<'PY'
import csv, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, newline="", encoding="utf-8", errors="replace") as f:
    rows = csv.DictReader(f)
    emails, phones = [], []
    for r in rows:
        if r.get("email"): emails.append(r["email"])
        if r.get("phone"): phones.append(r["phone"])
lines = (emails + phones)[: n // 2 * 2]
i = 0
while len(lines) < n:
    lines.append(f"nobody{i}@example.com"); i += 1
with open(dst, "w", encoding="utf-8") as f:
    f.write("\n".join(lines[:n]) + "\n")
PY
"$lw" "${dirs[@]}" check --file "$work/accounts.txt" >/dev/null 2>&1 || true   # warm the page cache and the image
start=$(date +%s.%N)
rc=0
"$lw" "${dirs[@]}" check --file "$work/accounts.txt" >"$work/out.ndjson" 2>"$work/err.txt" || rc=$?
end=$(date +%s.%N)
[ "$rc" -le 2 ] || { echo "check-file: check --file failed ($rc): $(head -1 "$work/err.txt")" >&2; exit 1; }
lines=$(wc -l <"$work/out.ndjson")
[ "$lines" -eq "$n" ] || { echo "check-file: $lines output lines for $n accounts" >&2; exit 1; }
python3 - "$start" "$end" "$n" "$work/out.ndjson" <<'PY'
import sys
start, end, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
found = sum(1 for line in open(sys.argv[4], encoding="utf-8") if '"breaches":["' in line)
s = end - start
print(f"check --file: {n} accounts in {s:.2f} s (whole process) = {n / s:,.0f} accounts/s; {found} found")
PY
