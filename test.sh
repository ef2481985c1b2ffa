#!/usr/bin/env bash
# Installs what the tests need that this machine lacks, then runs every test.
set -euo pipefail
# CI runs this with standard input closed; every test and server it starts gets /dev/null instead.
exec </dev/null
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# With it set the golden tests rewrite their files and fail; a full run always compares against the committed ones.
unset LEAKWATCH_UPDATE_GOLDEN

# Chromium renders the HTML reports and drives the page in the browser tests; node runs the third-party HIBP
# clients, the independent OPRF client and the web/ client's tests (esbuild rebuilds the bundle to compare).
"$root/scripts/ensure-deps.sh" chromium node npm curl python3
[ -d "$root/tests/conformance/node_modules/playwright-core" ] && [ -d "$root/tests/conformance/node_modules/@noble/curves" ] \
  || (cd "$root/tests/conformance" && npm ci --no-audit --no-fund --silent)
[ -d "$root/web/node_modules/esbuild" ] || (cd "$root/web" && npm ci --no-audit --no-fund --silent)

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
status=0
dotnet build Leakwatch.slnx -c Release --nologo -v quiet -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }
# Whitespace and layout as .editorconfig sets them (fast: no compilation). Style and analyzer rules need no second
# pass: the build above enforces them (EnforceCodeStyleInBuild, Meziantou.Analyzer, warnings as errors).
dotnet format whitespace --folder . --verify-no-changes --exclude artifacts bench/out web/node_modules tests/conformance/node_modules -v quiet \
  || { echo "dotnet format would change files: run 'dotnet format Leakwatch.slnx' and commit the result"; echo "0 passed, 1 failed"; exit 1; }
# A test that hangs is killed (with a dump of where it hung) and counts as failed instead of stalling the run.
dotnet test Leakwatch.slnx -c Release --no-build --nologo -v quiet --blame-hang-timeout 5min \
  --logger "trx" --results-directory "$results" -- RunConfiguration.CollectSourceInformation=false || status=$?

# The real npm clients against a live server (their own pass/fail counts join the totals).
conf_out="$results/conformance.txt"
"$root/tests/conformance/run.sh" 2>&1 | tee "$conf_out" || status=1

# The fuzz smoke (fuzz/Leakwatch.Fuzz, built above): each target's committed corpus and past crashes, then
# in-process mutations, 8 s per target (about 1.5 min in all); a crash or hang fails it. Long runs: fuzz/run.sh.
fuzz_out="$results/fuzz.txt"
dotnet fuzz/Leakwatch.Fuzz/bin/Release/net10.0/Leakwatch.Fuzz.dll smoke fuzz 8 2>&1 | tee "$fuzz_out" || status=1

# One closing line for every runner: totals over all test projects, from the TRX files.
passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); passed=$((passed + ${p:-0}))
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line"); failed=$((failed + ${x:-0}))
  s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$line"); skipped=$((skipped + ${s:-0}))
done
cp=$(sed -n 's/^conformance: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$conf_out")
cf=$(sed -n 's/^conformance: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$conf_out")
cs=$(sed -n 's/^conformance: \([0-9]*\) skipped.*/\1/p' "$conf_out")
passed=$((passed + ${cp:-0})); failed=$((failed + ${cf:-1})); skipped=$((skipped + ${cs:-0}))
fp=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$fuzz_out")
ff=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$fuzz_out")
# No closing line means the smoke died (a stack overflow kills the process): one failure.
passed=$((passed + ${fp:-0})); failed=$((failed + ${ff:-1}))
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then status=1; fi
# Nothing in this suite is optional: a skipped test is a test that did not guard anything this run.
if [ "$skipped" -ne 0 ]; then
  echo "FAIL: $skipped test(s) skipped (xUnit Skip or conformance skip); a skipped test fails the run"
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
