#!/usr/bin/env bash
# Whole-process CPU profile of `leakwatch ingest`: EventPipe's sample profiler and the runtime's GC events,
# written by the runtime itself (DOTNET_EnableEventPipe; no global tools), then aggregated by
# bench/Leakwatch.TraceReport into a table of CPU samples by ingest phase and by innermost method.
# Usage: bench/profile.sh [--records N] [--format csv|jsonl] [--markdown] [-- extra ingest args, e.g. --parse single]
# LEAKWATCH=path/to/binary profiles another build (e.g. a copy of artifacts/cli from before a change).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records=10000000; format=csv; report_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records="$2"; shift 2 ;;
    --format) format="$2"; shift 2 ;;
    --markdown) report_args+=(--markdown); shift ;;
    --) shift; break ;;
    *) echo "usage: bench/profile.sh [--records N] [--format csv|jsonl] [--markdown]" >&2; exit 64 ;;
  esac
done
work="${BENCH_WORK:-$root/bench/out}"
mkdir -p "$work"
lw="${LEAKWATCH:-$root/leakwatch}"
"$lw" --help >/dev/null
dotnet build "$root/bench/Leakwatch.TraceReport" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
dump="$work/dump-$records.$format"
if [ ! -f "$dump" ]; then
  echo "generating $records records → $dump" >&2
  "$lw" generate --records "$records" --seed 42 --out "$dump" --format "$format" >/dev/null
fi
data="$work/profile-data-$records"; key="$work/profile-data-$records.key"; trace="$work/ingest-$records.nettrace"
rm -rf "$data" "$key" "$trace" "${trace%.nettrace}.etlx"
sync
# SampleProfiler: every managed thread's stack about once a millisecond. DotNETRuntime 0x14C14FCCBD at level 4
# (dotnet-trace's cpu-sampling set): GC, loader and JIT/R2R method events, so frames resolve to method names.
DOTNET_EnableEventPipe=1 \
DOTNET_EventPipeOutputPath="$trace" \
DOTNET_EventPipeCircularMB=1024 \
DOTNET_EventPipeConfig='Microsoft-DotNETCore-SampleProfiler:0:5,Microsoft-Windows-DotNETRuntime:0x14C14FCCBD:4' \
  "$lw" --data-dir "$data" --key-file "$key" ingest "$dump" --breach Profile "$@" --json >"$work/profile-ingest.json"
python3 - "$work/profile-ingest.json" <<'PY'
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
p = s["phases"]
print(f"ingest (profiled): rows={s['rows']} seconds={s['seconds']:.2f} records_per_s={s['rowsPerSecond']:.0f} "
      f"phases: read {p['read']:.2f} s, sort {p['sort']:.2f} s, merge {p['merge']:.2f} s, publish {p['publish']:.2f} s")
PY
dotnet "$root/bench/Leakwatch.TraceReport/bin/Release/net10.0/Leakwatch.TraceReport.dll" "$trace" "${report_args[@]}"
rm -rf "$data" "$key"
