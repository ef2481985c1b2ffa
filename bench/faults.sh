#!/usr/bin/env bash
# Fault injection, whole-process (issue 13, Build 14-15): kill -9 at random points, a disk that fills mid-ingest
# (with and without --private), and Ctrl-C (SIGINT) in every phase. Prints a summary table; BENCHMARKS.md's
# RELIABILITY section holds one run's output.
#
#   sudo bench/faults.sh [SEED]        # seed of the random kill points and delays (default: the time); FAULTS_KILLS=20
#
# Kills land through the binary's own test hooks (src/Leakwatch.Storage/TestKillPoint.cs): LEAKWATCH_TEST_KILL_AT names
# the point, LEAKWATCH_TEST_KILL_DELAY_MS lets the work go on for that long before the SIGKILL, so "random" is a seeded
# draw of (point, delay), repeatable with the same seed. After each kill: fsck is clean, the old or the new generation
# answers whole (sampled accounts of every breach), `private status` and `private resume` agree on what is left and
# resume redoes nothing finished, the next run succeeds (no stale lock) and no leftover file remains. The disk-full
# runs need root (they mount a small tmpfs). A disk that fills in the private phase, after the plain publish, keeps the
# build's finished OPRF chunks for `private resume` (as a kill or Ctrl-C does): that build is checked to be named by
# the error line, `private status` and fsck, and taken up by the same command run again; anything else left fails.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seed="${1:-${FAULTS_SEED:-$(date +%s)}}"
kills="${FAULTS_KILLS:-20}"
"$root/leakwatch" --help >/dev/null || exit 70
L="$root/artifacts/cli/leakwatch"
work="$(mktemp -d /tmp/lw-faults-XXXXXX)"
mnt="$work/full"
cleanup() { mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"; rm -rf "$work"; }
trap cleanup EXIT
export LEAKWATCH_PRIVATE_CHUNK=20000 # several OPRF chunks, so a kill in the OPRF phase leaves checkpoints
unset LEAKWATCH_DATA LEAKWATCH_KEY_FILE LEAKWATCH_TEST_KILL_AT LEAKWATCH_TEST_KILL_DELAY_MS LEAKWATCH_TEST_KILL_SIGNAL
cd "$work" || exit 1
rows=()
row() { rows+=("$(printf '%-4s %-34s %-8s %-7s %s' "$@")"); printf '%-4s %-34s %-8s %-7s %s\n' "$@" >&2; }

echo "faults: seed $seed, work dir $work" >&2
$L generate --records 60000 --seed 11 --out A.csv --truth A.json >/dev/null
$L generate --records 30000 --seed 13 --out C.csv --truth C.json >/dev/null
$L generate --records 100000 --seed 12 --out B.csv --truth B.json >/dev/null
$L generate --records 2000 --seed 14 --out P.csv >/dev/null
python3 - <<'EOF'
import hashlib, json
for name, n, salt in (("pw1.txt", 50000, "a"), ("pw2.txt", 80000, "b")):
    with open(name, "w") as f:
        for i in range(n):
            f.write(f"{hashlib.sha1(f'{salt}{i}'.encode()).hexdigest().upper()}:{i % 7 + 1}\n")
t = {k: json.load(open(f"{k}.json")) for k in "ABC"}
seen = set(t["A"]["emails"]) | set(t["C"]["emails"])
with open("samples.txt", "w") as f:
    for k in "AC":
        f.write(" ".join(t[k]["emails"][:25]) + "\n")
    f.write(" ".join([e for e in t["B"]["emails"] if e not in seen][:25]) + "\n")
EOF
mapfile -t samples < samples.txt
read -r -a sampleA <<<"${samples[0]}"; read -r -a sampleC <<<"${samples[1]}"; read -r -a sampleB <<<"${samples[2]}"

# The base: A and C indexed privately, a password store. Every scenario starts from a copy of it.
mkdir base
B="--data-dir base/d --key-file base/k"
$L $B ingest A.csv --breach A --private --json >/dev/null && $L $B ingest C.csv --breach C --private --json >/dev/null \
  && $L $B ingest-passwords pw1.txt --json >/dev/null || { echo "faults: base setup failed" >&2; exit 1; }

# How many of the sampled accounts list breach $1 (plain, or --private with $2=--private).
answers() {
  local breach="$1" mode="$2"; shift 2
  $L $D check $mode --json "$@" 2>/dev/null | python3 -c "
import json, sys
n = 0
for line in sys.stdin:
    o = json.loads(line)
    n += any((b.get('Name') if isinstance(b, dict) else b) == '$breach' for b in o.get('breaches', []))
print(n)"
}

# all-or-none: prints old|new|torn for a breach that the command adds (or removes).
whole() { local n; n=$(answers "$1" "$2" "${@:3}"); [ "$n" = 0 ] && echo none || { [ "$n" = $(( $# - 2 )) ] && echo all || echo "torn($n/$(( $# - 2 )))"; }; }

leftovers() { # files the next run would sweep, as fsck lists them
  $L $D fsck 2>&1 | grep -c "orphaned file" || true
}

pw_hashes() { python3 -c "import json;print(json.load(open('$1/passwords/manifest.json'))['sha1Hashes'])" 2>/dev/null; }

# One kill scenario: $1 point, $2 delay ms, then the command. Returns 2 when the command finished before the kill.
kill_one() {
  local point="$1" delay="$2"; shift 2
  rm -rf w && mkdir w && cp -a base/d w/d && cp base/k w/k
  D="--data-dir w/d --key-file w/k"
  local pwBefore; pwBefore=$(pw_hashes w/d)
  LEAKWATCH_TEST_KILL_AT="$point" LEAKWATCH_TEST_KILL_DELAY_MS="$delay" $L $D "$@" >w/out 2>w/err
  local rc=$?
  [ "$rc" = 137 ] || { echo "faults: $point+${delay}ms: exit $rc, not killed: $(tail -1 w/err)" >&2; return 2; }
  local bad=()
  $L $D fsck >w/fsck 2>&1 || bad+=("fsck: $(grep -v note w/fsck | head -1)")
  local a c b state
  a=$(whole A "" "${sampleA[@]}"); [ "$a" = all ] || bad+=("A $a")
  case "$1" in
    ingest)
      b=$(whole B "" "${sampleB[@]}"); c=$(whole C "" "${sampleC[@]}")
      [ "$c" = all ] || bad+=("C $c")
      case "$b" in all) state=new ;; none) state=old ;; *) bad+=("B $b"); state=torn ;; esac ;;
    remove)
      c=$(whole C "" "${sampleC[@]}")
      case "$c" in all) state=old ;; none) state=new ;; *) bad+=("C $c"); state=torn ;; esac ;;
    ingest-passwords)
      local pw; pw=$(pw_hashes w/d)
      if [ "$pw" = "$pwBefore" ]; then state=old; elif [ "$pw" -gt "$pwBefore" ] 2>/dev/null; then state=new; else state=torn; bad+=("passwords $pw"); fi ;;
  esac

  # private status and private resume agree; resume redoes nothing finished.
  local status resume rrc privGen
  status=$($L $D private status 2>&1)
  privGen=$(python3 -c "import json;print(json.load(open('w/d/private/manifest.json'))['generation'])" 2>/dev/null)
  $L $D private resume --json >w/resume 2>w/resume.err; rrc=$? # stdout alone: the build's warnings go to stderr
  if grep -q "nothing to resume" <<<"$status"; then
    [ "$rrc" = 5 ] || bad+=("status: nothing to resume; resume exit $rrc")
  elif grep -q "only cleans up" <<<"$status"; then
    [ "$rrc" = 0 ] && grep -q '"alreadyPublished":true' w/resume || bad+=("status: only clean-up; resume exit $rrc, merged again")
    [ "$(python3 -c "import json;print(json.load(open('w/d/private/manifest.json'))['generation'])")" = "$privGen" ] || bad+=("resume published a new generation")
  elif grep -q "private resume" <<<"$status"; then
    [ "$rrc" = 0 ] || bad+=("status: resume; resume exit $rrc: $(tail -1 w/resume.err)")
    # Nothing finished is redone: after a kill in the merge every chunk was evaluated, so none is evaluated again;
    # after a kill in the OPRF phase at least the chunk that reached the point is taken as done.
    if [ "$rrc" = 0 ] && { [ "$point" = oprf ] || [ "$point" = private-merging ]; }; then
      python3 -c "
import json, sys
r = json.loads(open('w/resume').read().splitlines()[-1])
ok = r['chunksResumed'] == r['chunks'] and r['evaluated'] == 0 if '$point' == 'private-merging' else r['chunksResumed'] >= 1
sys.exit(0 if ok else 1)" || bad+=("resume re-evaluated finished chunks: $(python3 -c "import json;r=json.loads(open('w/resume').read().splitlines()[-1]);print(r['chunksResumed'],'of',r['chunks'],'resumed,',r['evaluated'],'evaluated')" 2>&1)")
    fi
  else
    [ "$rrc" = 5 ] || bad+=("no pending build; resume exit $rrc")
  fi
  if [ "$1" = ingest ] && [ "$state" = new ] && [[ " $* " == *" --private "* ]]; then
    b=$(whole B --private "${sampleB[@]}"); [ "$b" = all ] || bad+=("private B $b after resume")
  fi

  # The next run: the same command when it did not take effect, then a write that needs the lock, and no leftovers.
  if [ "$state" = old ]; then
    $L $D "$@" >/dev/null 2>w/err2 || bad+=("rerun: $(tail -1 w/err2)")
  fi
  $L $D ingest P.csv --breach Probe --json >/dev/null 2>w/err3 && $L $D remove Probe >/dev/null 2>>w/err3 || bad+=("next run: $(tail -1 w/err3)")
  local left; left=$(leftovers); [ "$left" = 0 ] || bad+=("$left leftover files")
  [ -e w/d/private/build ] && bad+=("private/build left")
  $L $D fsck >/dev/null 2>&1 || bad+=("final fsck")
  local verdict=ok; [ ${#bad[@]} -eq 0 ] || verdict="FAIL"
  row "$n" "kill -9 $point +${delay}ms" "$state" "$verdict" "$(IFS=';'; echo "${bad[*]:-}")"
  [ ${#bad[@]} -eq 0 ]
}

# FAULTS_POINTS="a b …" draws from these points only (e.g. to repeat the ones a run found failing).
# shellcheck disable=SC2206
points=(${FAULTS_POINTS:-reading spilled merging merged publishing published
        p:reading oprf private-merging private-published
        passwords-read passwords-merged-sha1 passwords-publish passwords-published
        removing removed remove-published})
RANDOM=$seed
n=0; passed=0; attempts=0
while [ "$n" -lt "$kills" ] && [ "$attempts" -lt $(( kills * 3 )) ]; do
  attempts=$(( attempts + 1 ))
  pick=${points[$(( RANDOM % ${#points[@]} ))]}
  delay=0; [ $(( RANDOM % 2 )) = 1 ] && delay=$(( RANDOM % 400 ))
  case "$pick" in
    p:*) point=${pick#p:}; cmd=(ingest B.csv --breach B --private --memory 2) ;;
    oprf|private-*) point=$pick; cmd=(ingest B.csv --breach B --private --memory 2) ;;
    passwords-*) point=$pick; cmd=(ingest-passwords pw2.txt --memory 1) ;;
    remov*) point=$pick; cmd=(remove C) ;;
    *) point=$pick; cmd=(ingest B.csv --breach B --memory 2) ;;
  esac
  n=$(( n + 1 ))
  kill_one "$point" "$delay" "${cmd[@]}"; r=$?
  if [ "$r" = 2 ]; then n=$(( n - 1 )); continue; fi
  [ "$r" = 0 ] && passed=$(( passed + 1 ))
done
killsPassed=$passed; killsRun=$n

# Disk full: a tmpfs just too small for the ingest. $1 = extra MB beyond the base, $2.. = extra ingest options.
disk_full() {
  local extra="$1"; shift
  local label="disk full${*:+ $*} (+${extra} MB)"
  mkdir -p "$mnt"
  local base; base=$(du -sm base/d | cut -f1)
  mount -t tmpfs -o size=$(( base + extra ))m tmpfs "$mnt" || { row "-" "$label" "-" "SKIP" "cannot mount tmpfs (not root?)"; return; }
  cp -a base/d "$mnt/d"; cp base/k w/kf
  D="--data-dir $mnt/d --key-file w/kf"
  local bad=() before beforeIndex; before=$(du -sk "$mnt/d" | cut -f1); beforeIndex=$(du -sk "$mnt/d/index" | cut -f1)
  $L $D ingest B.csv --breach B --memory 2 "$@" >w/out 2>w/err; local rc=$?
  [ "$rc" = 4 ] || bad+=("exit $rc")
  [ "$(wc -l <w/err)" = 1 ] && grep -q "$mnt" w/err || bad+=("error: $(tr '\n' ' ' <w/err | cut -c1-160)")
  local a b state=old kept=0; a=$(whole A "" "${sampleA[@]}"); b=$(whole B "" "${sampleB[@]}")
  if [ "$b" = all ] && [[ " $* " == *" --private "* ]] && [ -e "$mnt/d/private/build/state.json" ]; then
    # The disk filled in the private phase, after the plain publish (the plain index never waits for the OPRF). The
    # build's finished OPRF chunks are kept for `private resume`, as after a kill or Ctrl-C: the error line, `private
    # status` and fsck must say so, the private index must still be the old one, and nothing else may be left.
    kept=$(find "$mnt/d/private/build/out" -name '*.lwo' 2>/dev/null | wc -l); state=new
    [ "$kept" -ge 1 ] || { kept=1; bad+=("no finished chunk kept"); }
    grep -q "private resume" w/err || bad+=("error line does not say private resume")
    $L $D private status 2>&1 | grep -q 'run `leakwatch private resume`' || bad+=("status does not say resume")
    local pa pb; pa=$(whole A --private "${sampleA[@]}"); pb=$(whole B --private "${sampleB[@]}")
    [ "$pa" = all ] && [ "$pb" = none ] || bad+=("private A $pa, B $pb")
  else
    [ "$a" = all ] && [ "$b" = none ] || bad+=("A $a, B $b")
  fi
  local left; left=$(leftovers); [ "$left" = 0 ] || bad+=("$left leftover files")
  [ "$kept" = 0 ] && [ -e "$mnt/d/private/build" ] && bad+=("private/build left")
  # Growth beyond the kept build and the published plain index (the catalogue's few KB aside) is a leftover.
  local after afterIndex; after=$(du -sk --exclude=build "$mnt/d" | cut -f1); afterIndex=$(du -sk "$mnt/d/index" | cut -f1)
  [ "$after" -le $(( before + afterIndex - beforeIndex + 128 )) ] || bad+=("data dir grew ${before}→${after} KB")
  # fsck on a disk with no byte free: read-only, so it still answers.
  dd if=/dev/zero of="$mnt/filler" bs=64k 2>/dev/null
  $L $D fsck >w/fsck 2>&1 || bad+=("fsck on a full disk: $(head -1 w/fsck)")
  [ "$kept" = 0 ] || grep -q "private resume. finishes it" w/fsck || bad+=("fsck does not report the kept build")
  rm -f "$mnt/filler"
  $L $D keys create --name after-full --json >/dev/null 2>w/err2 || bad+=("keys create: $(tail -1 w/err2)")
  mount -o remount,size=$(( base + 200 ))m "$mnt"
  # The same command again: it ingests B afresh, or (build kept) resumes B's private index from the kept chunks.
  $L $D ingest B.csv --breach B --memory 2 "$@" --json >w/out3 2>w/err3 || bad+=("retry with space: $(tail -1 w/err3)")
  b=$(whole B "" "${sampleB[@]}"); [ "$b" = all ] || bad+=("B $b after retry")
  if [[ " $* " == *" --private "* ]]; then
    b=$(whole B --private "${sampleB[@]}"); [ "$b" = all ] || bad+=("private B $b after retry")
  fi
  [ "$kept" = 0 ] || python3 -c "import json,sys;r=json.loads(open('w/out3').read().splitlines()[-1])['private'];sys.exit(0 if r['chunksResumed']==$kept else 1)" \
    || bad+=("the retry did not take the $kept kept chunks as done")
  local verdict=ok; [ ${#bad[@]} -eq 0 ] || verdict=FAIL
  row "-" "$label" "$state" "$verdict" "$(IFS=';'; echo "${bad[*]:-}")"
  umount "$mnt"
  [ ${#bad[@]} -eq 0 ]
}
mkdir -p w
fullPassed=0; fullRun=0
for args in "3" "3 --private" "40 --private"; do
  fullRun=$(( fullRun + 1 )); disk_full $args && fullPassed=$(( fullPassed + 1 ))
done

# Ctrl-C: SIGINT through the real signal handler at each phase's point; exit 130, old index served, no partial file.
sigint_one() {
  local point="$1"; shift
  rm -rf w/d w/k && cp -a base/d w/d && cp base/k w/k
  D="--data-dir w/d --key-file w/k"
  LEAKWATCH_TEST_KILL_AT="$point" LEAKWATCH_TEST_KILL_SIGNAL=INT $L $D "$@" >w/out 2>w/err; local rc=$?
  local bad=() state=old
  [ "$rc" = 130 ] || bad+=("exit $rc: $(tail -1 w/err)")
  local b; b=$(whole B "" "${sampleB[@]}")
  [ "$point" = oprf ] && { [ "$b" = all ] || bad+=("B $b (plain is published before the OPRF phase)"); state=new; }
  [ "$point" != oprf ] && { [ "$b" = none ] || bad+=("B $b"); }
  local left; left=$(leftovers); [ "$left" = 0 ] || bad+=("$left partial files")
  $L $D fsck >/dev/null 2>&1 || bad+=("fsck")
  if [ "$point" = oprf ]; then
    $L $D private resume --json >/dev/null 2>w/err2 || bad+=("resume: $(tail -1 w/err2)")
  else
    [ -e w/d/private/build ] && bad+=("private/build left")
  fi
  local verdict=ok; [ ${#bad[@]} -eq 0 ] || verdict=FAIL
  row "-" "SIGINT $point" "$state" "$verdict" "$(IFS=';'; echo "${bad[*]:-}")"
  [ ${#bad[@]} -eq 0 ]
}
intPassed=0; intRun=0
for p in reading spilled merging publishing; do
  intRun=$(( intRun + 1 )); sigint_one "$p" ingest B.csv --breach B --memory 2 && intPassed=$(( intPassed + 1 ))
done
intRun=$(( intRun + 1 )); sigint_one oprf ingest B.csv --breach B --memory 2 --private && intPassed=$(( intPassed + 1 ))

echo
echo "faults.sh, seed $seed, $(date -u +%Y-%m-%d)"
echo
echo '```'
printf '%-4s %-34s %-8s %-7s %s\n' "#" "fault" "served" "result" "problems"
printf '%s\n' "${rows[@]}"
echo '```'
echo
echo "| scenario | passed |"
echo "|---|---|"
echo "| kill -9 at random points (fsck clean, old or new whole, status = resume, next run OK, no leftovers) | $killsPassed / $killsRun |"
echo "| disk full (exit 4, one line naming the path, old index serving, nothing left, fsck on the full disk, next command OK) | $fullPassed / $fullRun |"
echo "| SIGINT per phase (exit 130, old index served, no partial file) | $intPassed / $intRun |"
[ "$killsPassed" = "$killsRun" ] && [ "$fullPassed" = "$fullRun" ] && [ "$intPassed" = "$intRun" ]
