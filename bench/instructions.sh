#!/usr/bin/env bash
# Instructions per ingested row, independent of a noisy machine: runs `leakwatch ingest` under valgrind's
# callgrind (all threads counted, serialized) on a small and a larger dump and divides the difference in
# instructions by the difference in rows, so start-up, JIT and fixed costs cancel out.
# Usage: bench/instructions.sh [LEAKWATCH_BINARY] [SMALL=100000] [LARGE=1000000] [extra ingest args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/artifacts/cli/leakwatch}"; small="${2:-100000}"; large="${3:-1000000}"; shift $(( $# < 3 ? $# : 3 ))
work="${BENCH_WORK:-$root/bench/out}"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
[ "$bin" = "$root/artifacts/cli/leakwatch" ] && "$root/leakwatch" --help >/dev/null
declare -A ir
for n in "$small" "$large"; do
  dump="$work/dump-$n.csv"
  [ -f "$dump" ] || "$root/leakwatch" generate --records "$n" --seed 42 --out "$dump" --format csv >/dev/null
  tag="$(basename "$(dirname "$bin")")-$n-$$"
  rm -rf "$work/vg-$tag" "$work/vg-$tag.key"
  # W^X double-mapping of JIT code confuses valgrind; it is a hardening feature, not a cost we measure.
  # Tiered compilation is off: under valgrind (~50x slower) tier-up is delayed so long that tier-0 code would
  # dominate; with it off every method is compiled fully optimized on first call (no PGO), as in steady state.
  DOTNET_EnableWriteXorExecute=0 DOTNET_TieredCompilation=0 DOTNET_ReadyToRun=0 valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$tag.out" \
    "$bin" --data-dir "$work/vg-$tag" --key-file "$work/vg-$tag.key" ingest "$dump" --breach Vg --json "$@" \
    >"$work/vg-$tag.json" 2>"$work/vg-$tag.log"
  ir[$n]=$(sed -n 's/.*Collected : //p' "$work/vg-$tag.log")
  echo "rows=$n instructions=${ir[$n]}"
  rm -rf "$work/vg-$tag" "$work/vg-$tag.key"
done
python3 -c "import sys; s,l,a,b=map(int,sys.argv[1:]); print(f'instructions_per_row={(b-a)/(l-s):.0f} (({b:,} - {a:,}) / ({l:,} - {s:,}) rows)')" "$small" "$large" "${ir[$small]}" "${ir[$large]}"
