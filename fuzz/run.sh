#!/usr/bin/env bash
# Fuzzes with AFL++ (Debian's afl++) and SharpFuzz: publishes fuzz/Leakwatch.Fuzz, instruments the Leakwatch
# assemblies with the sharpfuzz tool (.config/dotnet-tools.json), then runs afl-fuzz on each target for SECONDS from
# its committed seed corpus (fuzz/corpus/TARGET) with the format dictionary (fuzz/leakwatch.dict).
# Usage: fuzz/run.sh TARGET|all|T1,T2,... SECONDS [EXECUTIONS]
#   SECONDS per target; with EXECUTIONS, each target stops at that many executions or SECONDS, whichever comes first.
#   Targets: dotnet artifacts/fuzz/bin/Leakwatch.Fuzz.dll list
# Prints one line per target: executions, crashes, hangs; exits 1 if any target crashed or hung. Findings stay in
# artifacts/fuzz/TARGET/default/{crashes,hangs}; replay one with
#   dotnet artifacts/fuzz/bin/Leakwatch.Fuzz.dll replay TARGET FILE
# FUZZ_OUT=DIR puts the build and the findings elsewhere (two runs side by side need two).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -eq 2 ] || [ $# -eq 3 ] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
targets="$1"; seconds="$2"; execs=()
[ $# -eq 3 ] && execs=(-E "$3")
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
"$root/scripts/ensure-deps.sh" afl-fuzz
cd "$root"
dotnet tool restore >/dev/null

out="${FUZZ_OUT:-$root/artifacts/fuzz}"
bin="$out/bin"
stamp="$bin/.instrumented"
# Published and instrumented again only when a source changed (a publish takes minutes on a busy box).
if [ ! -f "$stamp" ] || [ -n "$(find src fuzz/Leakwatch.Fuzz Directory.Build.props Directory.Packages.props -newer "$stamp" \
     -type f -not -path '*/bin/*' -not -path '*/obj/*' -print -quit)" ]; then
  rm -rf "$bin"
  dotnet publish fuzz/Leakwatch.Fuzz/Leakwatch.Fuzz.csproj -c Release -o "$bin" --nologo -v quiet -clp:ErrorsOnly
  # Only our own code is instrumented: coverage of the BCL or libphonenumber would steer AFL towards their branches.
  for dll in "$bin"/Leakwatch.*.dll; do
    [ "$(basename "$dll")" = Leakwatch.Fuzz.dll ] && continue
    dotnet sharpfuzz "$dll" >/dev/null
  done
  touch "$stamp"
fi

if [ "$targets" = all ]; then targets=$(dotnet "$bin/Leakwatch.Fuzz.dll" list | awk '{print $1}' | paste -sd,); fi
# dotnet is not an AFL-instrumented binary (SharpFuzz speaks the forkserver protocol itself); the box may have no
# core_pattern we can set, and other work runs beside us, so no CPU pinning.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
status=0
for target in ${targets//,/ }; do
  [ -d "fuzz/corpus/$target" ] || { echo "fuzz/run.sh: no corpus for target '$target'" >&2; exit 2; }
  rm -rf "$out/$target"
  # -t: a .NET start-up and a first JIT of the readers take a while; a true hang is far longer than 5 s.
  afl-fuzz -i "fuzz/corpus/$target" -o "$out/$target" -x fuzz/leakwatch.dict -t 5000 -m none -V "$seconds" "${execs[@]}" \
    -- dotnet "$bin/Leakwatch.Fuzz.dll" afl "$target" >"$out/$target.log" 2>&1 || { echo "fuzz $target: afl-fuzz failed, see $out/$target.log" >&2; tail -20 "$out/$target.log" >&2; status=1; continue; }
  stats="$out/$target/default/fuzzer_stats"
  val() { sed -n "s/^$1 *: *//p" "$stats"; }
  crashes=$(val saved_crashes); hangs=$(val saved_hangs)
  echo "fuzz $target: $(val execs_done) executions in $(val run_time) s ($(val execs_per_sec)/s), corpus $(val corpus_count), crashes ${crashes:-?}, hangs ${hangs:-?}"
  if [ "${crashes:-1}" != 0 ] || [ "${hangs:-1}" != 0 ]; then status=1; fi
done
exit "$status"
