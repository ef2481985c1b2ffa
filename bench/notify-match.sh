#!/usr/bin/env bash
# Matching on publish (issue 15 target: matching 1M verified subscriptions against a 10M-record breach adds <= 10%
# to that ingest). Per round, two fresh data dirs ingest the same RECORDS-row dump (generate --lean): one with no
# subscriptions, one with SUBS verified subscriptions seeded first (IN_BREACH of them addresses in the dump, the rest
# in no dump). Prints each ingest's seconds, its merge and match phases and what it queued: matching costs
# (merge with - merge without) + the match phase, since it reads the watchers while the merge runs.
# Usage: bench/notify-match.sh [RECORDS=10000000] [SUBS=1000000] [IN_BREACH=100000]   (ROUNDS=2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-10000000}"; subs="${2:-1000000}"; in_breach="${3:-100000}"; rounds="${ROUNDS:-2}"
lw="$root/leakwatch"
"$lw" --help >/dev/null
dotnet build "$root/bench/Leakwatch.NotifyBench" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
seed=(dotnet "$root/bench/Leakwatch.NotifyBench/bin/Release/net10.0/Leakwatch.NotifyBench.dll" seed)
work="$(mktemp -d /tmp/lw-notify-match-XXXXXX)"
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$lw" generate --lean --records "$records" --seed 11 --out "$work/dump.csv" >/dev/null
printf 'email,phone\nfirst-breach-only@notify-bench.example,\n' >"$work/first.csv"

run() { # $1 = label, $2 = number of subscriptions
  local dir="$work/$1"; rm -rf "$dir"
  "$lw" --data-dir "$dir/data" --key-file "$dir/key" ingest "$work/first.csv" --breach First --json >/dev/null
  [ "$2" -gt 0 ] && "${seed[@]}" "$dir/data" "$dir/key" "$work/dump.csv" "$2" "$in_breach" >&2
  sync
  "$lw" --data-dir "$dir/data" --key-file "$dir/key" ingest "$work/dump.csv" --breach Bench --format csv --json | tail -1 >"$dir/ingest.json"
  python3 - "$1" "$dir/ingest.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[2]))
n = s.get("notifications") or {}
print(f"{sys.argv[1]}: ingest {s['seconds']:.2f} s, merge phase {s['phases'].get('merge', 0):.2f} s, match phase {s['phases'].get('match', 0):.2f} s, in merge {n.get('inMerge')}, watchers {n.get('watchers', 0):,}, queued {n.get('queued', 0):,} (load {n.get('loadSeconds', 0):.2f} s, merge {n.get('mergeSeconds', 0):.2f} s, queue after the publish {n.get('queueSeconds', 0):.2f} s; written during the merge {n.get('aheadSeconds', 0):.2f} s)")
PY
  rm -rf "$dir"
}

for r in $(seq 1 "$rounds"); do
  echo "== round $r/$rounds" >&2
  run none 0
  run subscribed "$subs"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
