#!/usr/bin/env bash
# The 1.2-billion-record run (issue 14, item 6), whole process and streamed: no dump ever reaches the disk.
# The generator runs with --lean (phone,email,dob,gender only, ~0.4 us of CPU a row) so that it does not take the
# ingest's CPU: both share the cores, and the default generator alone cost ~2.1 us a row (see BENCHMARKS.md "1.2B").
#   1. `generate --records N --out - | ingest - --breach Big` into a fresh data dir, to lookup-ready;
#   2. `generate --records M --seed 2 --out - | ingest - --breach Big2` merged into it;
#   3. `check` of identifiers known present (the first row of each generated dump, which the deterministic
#      generator writes again on request) and of one known absent.
# Per step: wall time, records/s, peak RSS of the ingest process (VmHWM, from /usr/bin/time), CPU of the generator
# (it shares the cores), peak size of the data dir and of its tmp/ (polled with du every POLL seconds), the index size.
# Usage: bench/big.sh [RECORDS=1200000000] [MERGE_RECORDS=100000000]
# BENCH_WORK=dir (default bench/out/big), LEAKWATCH=binary, INGEST_ARGS="..." extra ingest options, POLL=seconds (5).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records="${1:-1200000000}"
merge_records="${2:-100000000}"
work="${BENCH_WORK:-$root/bench/out/big}"
poll="${POLL:-5}"
command -v /usr/bin/time >/dev/null || "$root/scripts/ensure-deps.sh" time
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
lw="${LEAKWATCH:-$root/leakwatch}"
"$lw" --help >/dev/null   # builds once, outside the timings
data="$work/data"; key="$work/data.key"
rm -rf "$data" "$key"
mkdir -p "$work"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM, $(df -h "$work" | awk 'NR==2{print $4}') free on $(df "$work" | awk 'NR==2{print $1}'); load $(cut -d' ' -f1-3 /proc/loadavg)"

# Prints the largest sizes (bytes) of the data dir and of its tmp/ seen while the file $1 exists.
poll_disk() {
  local flag="$1" out="$2" max_all=0 max_tmp=0 min_free=""
  while [ -f "$flag" ]; do
    local all tmp free
    all=$(du -sb "$data" 2>/dev/null | cut -f1 || echo 0)
    tmp=$(du -sb "$data/tmp" 2>/dev/null | cut -f1 || echo 0)
    free=$(df -B1 --output=avail "$work" | tail -1)
    [ "${all:-0}" -gt "$max_all" ] && max_all=$all
    [ "${tmp:-0}" -gt "$max_tmp" ] && max_tmp=$tmp
    { [ -z "$min_free" ] || [ "$free" -lt "$min_free" ]; } && min_free=$free
    sleep "$poll"
  done
  echo "$max_all $max_tmp $min_free" >"$out"
}

# step NAME BREACH RECORDS SEED
step() {
  local name="$1" breach="$2" n="$3" seed="$4" flag="$work/.polling"
  touch "$flag"
  poll_disk "$flag" "$work/disk-$name.txt" &
  local poller=$!
  local start end
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -v -o "$work/gen-$name.txt" "$lw" generate --lean --records "$n" --seed "$seed" --out - 2>"$work/gen-$name.err" |
    /usr/bin/time -v -o "$work/ingest-$name.txt" "$lw" --data-dir "$data" --key-file "$key" ingest - --breach "$breach" --format csv \
      ${INGEST_ARGS:-} --json >"$work/ingest-$name.json" 2>"$work/ingest-$name.err"
  local codes=("${PIPESTATUS[@]}")
  set -e
  end=$(date +%s.%N)
  rm -f "$flag"
  wait "$poller"
  if [ "${codes[0]}" != 0 ] || [ "${codes[1]}" != 0 ]; then
    echo "$name: generate exit ${codes[0]}, ingest exit ${codes[1]}" >&2
    cat "$work/gen-$name.err" "$work/ingest-$name.err" >&2
    exit 1
  fi
  python3 - "$name" "$n" "$start" "$end" "$work" "$data" <<'PY'
import json, sys, os, glob
name, n, start, end, work, data = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
def time_v(path):
    t = {}
    for line in open(path):
        k, _, v = line.strip().rpartition(": ")
        t[k] = v
    return t
ing, gen = time_v(f"{work}/ingest-{name}.txt"), time_v(f"{work}/gen-{name}.txt")
cpu = lambda t: float(t["User time (seconds)"]) + float(t["System time (seconds)"])
s = json.loads(open(f"{work}/ingest-{name}.json").read().strip().splitlines()[-1])
max_all, max_tmp, min_free = (int(x) for x in open(f"{work}/disk-{name}.txt").read().split())
idx = max(glob.glob(os.path.join(data, "index", "*.lwx")), key=os.path.getmtime)
wall = end - start
gb = lambda b: b / 1e9
p = s["phases"]
print(f"{name}: {n:,} records in {wall:.1f} s wall = {n / wall:,.0f} records/s (ingest's own figure {s['rowsPerSecond']:,.0f}/s); "
      f"peak RSS {int(ing['Maximum resident set size (kbytes)']) / 1048576:.2f} GiB; "
      f"ingest CPU {cpu(ing):.0f} s, generator CPU {cpu(gen):.0f} s (peak RSS {int(gen['Maximum resident set size (kbytes)']) / 1024:.0f} MiB)")
print(f"{name}: phases read {p['read']:.1f} s, sort {p['sort']:.1f} s, merge {p['merge']:.1f} s, publish {p['publish']:.1f} s; "
      f"distinct emails {s['distinct']['email']:,}, phones {s['distinct']['phone']:,}, index entries {s['indexEntries']:,}")
print(f"{name}: peak data dir {gb(max_all):.2f} GB, peak tmp/ {gb(max_tmp):.2f} GB, least free disk {gb(min_free):.1f} GB; "
      f"index {gb(os.path.getsize(idx)):.2f} GB ({os.path.getsize(idx) / s['indexEntries']:.2f} B/entry)")
PY
}

step ingest Big "$records" 1
step merge Big2 "$merge_records" 2

# Lookup check: the first data row of each dump (phone, email), generated again, must be found in its breach;
# an address the generator never writes (its local parts end in digits, not in "-absent") must not.
# (sed quits after the row, so the generator stops at once on the closed pipe instead of writing all N rows again.)
first_row() { "$lw" generate --lean --records "$1" --seed "$2" --out - 2>/dev/null | sed -n '2{p;q}' || true; }
check() {
  local expect="$1" account="$2" code=0
  "$lw" --data-dir "$data" --key-file "$key" check --json "$account" >"$work/check.json" || code=$?
  local got=absent
  [ "$code" = 1 ] && got=$(python3 -c 'import json,sys; print(",".join(json.loads(open(sys.argv[1]).readline())["breaches"]))' "$work/check.json")
  if [ "$expect" = absent ] && [ "$code" = 0 ]; then
    echo "check: ok (absent): in no breach"
  elif [ "$expect" != absent ] && [[ "$got" == *"$expect"* ]]; then
    echo "check: ok ($expect): found in [$got]"
  else
    echo "check: FAILED: expected $expect, got [$got] (exit $code)" >&2
    cat "$work/check.json" >&2
    exit 1
  fi
}
row=$(first_row "$records" 1)
check Big "$(echo "$row" | cut -d, -f2)"
check Big "$(echo "$row" | cut -d, -f1)"
row=$(first_row "$merge_records" 2)
check Big2 "$(echo "$row" | cut -d, -f2)"
check absent "nobody.at.all-absent@example.com"
echo "index: $(du -sh "$data/index" | cut -f1) in $data (remove it when done: rm -rf $data $key)"
