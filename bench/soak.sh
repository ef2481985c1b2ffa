#!/usr/bin/env bash
# Soak: SOAK_SECONDS (default 600) of mixed traffic on 256 connections against one `leakwatch serve`, while every
# SOAK_CYCLE seconds (default 60) a new breach is ingested (--private, so both indexes publish a generation), the
# one before it is removed (so the data stays the same size and any RSS growth is the server's, not the data's),
# and a new password file is published (SHA-1 and NTLM in turn; its hashes are the store's own with new counts, so
# the store keeps its size too).
# Traffic, one wrk per kind (bench/soak.lua), each answer checked against the status its request must get:
#   accounts  96 connections: each wrk thread alternates an account the index holds (200, listing the base
#             breach) and one it never holds (404), so every connection sees a mix, as a real client does; the
#             counts must add up (soak.lua)
#   ranges    64: half SHA-1 /range/, half NTLM /range/?mode=ntlm (200)
#   private   64: POST /api/private/evaluate, bodies blinded at run time by the protocol's C# client (200)
#   page      32: GET / (200)
# Records: requests and statuses per kind (any other status is an error; 429 is also listed apart), wrk socket
# errors and timeouts, each cycle's commands, server RSS every 10 s, and at the end the deleted files the server
# still maps (/proc/PID/maps) or holds open (/proc/PID/fd). Exits 1 on any error, RSS growth over 10% from the first
# generation after start to the end, or a deleted file still mapped or open.
# Usage: bench/soak.sh            SOAK_SECONDS=60 for a trial; SOAK_RECORDS (default 200000) sizes the base breach;
#                                 SOAK_SERVE_ARGS adds serve options (e.g. a limit added later that must be lifted);
#                                 SOAK_COUNTERS=path/to/dotnet-counters adds the GC's figures (see below)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${SOAK_SECONDS:-600}"
cycle="${SOAK_CYCLE:-60}"
records="${SOAK_RECORDS:-200000}"
"$root/scripts/ensure-deps.sh" wrk curl python3
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
lw="$root/leakwatch"
work="$(mktemp -d /tmp/lw-soak-XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
dirs=(--data-dir "$work/data" --key-file "$work/data.key")
log() { echo "== $(date -u +%H:%M:%S) $*" >&2; }

log "setup: base breach of $records records (--private), password stores, accounts and private query bodies"
"$lw" generate --records "$records" --seed 5 --out "$work/dump.csv" >/dev/null
"$lw" "${dirs[@]}" ingest "$work/dump.csv" --breach SoakBase --private >/dev/null
# 4,096 prefixes × 100 SHA-1 and × 50 NTLM hashes: HIBP-shaped range bodies, small enough to build in seconds.
python3 - "$work" <<'PY'
import random, sys
work = sys.argv[1]
random.seed(3)
for name, width, per in (("sha1", 35, 100), ("ntlm", 27, 50)):
    with open(f"{work}/{name}.txt", "w") as f:
        for p in range(4096):
            prefix = f"{p * 256:05X}"
            for _ in range(per):
                f.write(f"{prefix}{random.getrandbits(width * 4):0{width}X}:{random.randint(1, 5000)}\n")
open(f"{work}/prefixes.txt", "w").write("\n".join(f"{p * 256:05X}" for p in range(4096)))
PY
"$lw" "${dirs[@]}" ingest-passwords "$work/sha1.txt" --mode sha1 >/dev/null
"$lw" "${dirs[@]}" ingest-passwords "$work/ntlm.txt" --mode ntlm >/dev/null
key=$("$lw" "${dirs[@]}" keys create --name soak --rpm 100000000 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# Every limit lifted: the soak measures errors and memory, not the limiter (a 429 would still be counted apart).
# shellcheck disable=SC2086
"$lw" "${dirs[@]}" serve --urls "$base" --range-rpm 0 --private-rpm 100000000 --private-global-rps 100000000 --anonymous-rpm 100000000 \
  ${SOAK_SERVE_ARGS:-} >"$work/serve.log" 2>&1 &
server=$!
pids+=("$server")
up=""
for _ in $(seq 1 300); do
  if curl -fs "$base/healthz" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.2
done
[ -n "$up" ] || { echo "soak: the server did not come up" >&2; tail -n 20 "$work/serve.log" >&2; exit 1; }

# Hits: accounts of the base breach the index holds (the dump has deliberately invalid values, which answer 400).
# Misses: valid addresses no generated dump holds. Private bodies: both, blinded by the protocol's own client.
python3 - "$work" "$key" "$lw" <<'PY'
import csv, json, random, re, subprocess, sys, urllib.parse
work, key, lw = sys.argv[1], sys.argv[2], sys.argv[3]
random.seed(9)
acc = []
with open(f"{work}/dump.csv", newline="") as f:
    for i, row in enumerate(csv.DictReader(f)):
        if i % 53: continue
        acc += [v for v in (row["email"], row["phone"]) if v]
        if len(acc) >= 3000: break
out = subprocess.run([lw, "--data-dir", f"{work}/data", "--key-file", f"{work}/data.key", "check", "--json", *acc],
                     capture_output=True, text=True).stdout
found = [j["account"] for l in out.splitlines() if l.strip() and (j := json.loads(l))["breaches"]]
# The generator writes scraped-looking runs of consecutive numbers; looked up in a row they would (rightly) trip the
# server's sequential-phone rule (neighbours up to 1,000 apart). Keep phones at least 100,000 apart, as a normal
# client's lookups are.
hits, kept = [], []
for a in sorted(found, key=lambda a: int(re.sub(r"\D", "", a) or 0) if "@" not in a else 0):
    if "@" not in a:
        digits = int(re.sub(r"\D", "", a))
        if kept and digits - kept[-1] < 100_000: continue
        kept.append(digits)
    hits.append(a)
misses = [f"soak-absent-{i}@example.com" for i in range(1000)]
random.shuffle(hits)
open(f"{work}/private-accounts.txt", "w").write("\n".join(hits[:500] + misses[:500]) + "\n")
q = lambda items: "{" + ",".join('"' + urllib.parse.quote(a, safe="") + '"' for a in items) + "}"
with open(f"{work}/data.lua", "w") as f:
    f.write(f"hits = {q(hits)}\nmisses = {q(misses)}\nkey = \"{key}\"\n")
    f.write("prefixes = {" + ",".join(f'"{p}"' for p in open(f"{work}/prefixes.txt").read().split()) + "}\n")
print(f"{len(hits)} hits ({len(kept)} phones), {len(misses)} misses", file=sys.stderr)
PY
curl -fs "$base/api/private/config" -o "$work/private-config.json"
dotnet build "$root/bench/Leakwatch.Benchmarks/Leakwatch.Benchmarks.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
dotnet "$root/bench/Leakwatch.Benchmarks/bin/Release/net10.0/Leakwatch.Benchmarks.dll" private-queries \
  "$work/private-config.json" "$work/private-accounts.txt" "$work/bodies.txt" >&2
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
bodies = open(f"{work}/bodies.txt").read().split("\n")
with open(f"{work}/data.lua", "a") as f:
    f.write("bodies = {" + ",".join(json.dumps(b) for b in bodies if b) + "}\n")
PY
# Every kind answers as expected before the clock starts.
for path in "/" "/range/00000" "/range/00000?mode=ntlm"; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$base$path")" = 200 ] || { echo "soak: $path does not answer 200" >&2; exit 1; }
done

# Publishing: one cycle every $cycle s until the traffic stops. Each command's exit status and duration is logged;
# a failed publish is an error of the soak.
publisher() {
  local n=1 start next
  start=$(date +%s)
  while [ ! -f "$work/stop" ]; do
    next=$((start + n * cycle))
    while [ "$(date +%s)" -lt "$next" ] && [ ! -f "$work/stop" ]; do sleep 1; done
    [ -f "$work/stop" ] && break
    local t0=$SECONDS mode
    "$lw" generate --records 5000 --seed $((100 + n)) --out "$work/cycle.csv" >/dev/null
    run_step "$n" ingest "$lw" "${dirs[@]}" ingest "$work/cycle.csv" --breach "Soak$n" --private
    [ "$n" -gt 1 ] && run_step "$n" remove "$lw" "${dirs[@]}" remove "Soak$((n - 1))"
    mode=sha1; [ $((n % 2)) -eq 0 ] && mode=ntlm
    # A new file of the store's own hashes with new counts: a new generation of the same size.
    python3 -c "
import random, sys
random.seed($n)
lines = open('$work/$mode.txt').read().split()
sys.stdout.write(''.join(l.split(':')[0] + ':' + str(random.randint(1, 9)) + '\n' for l in random.sample(lines, 20000)))
" >"$work/cycle-$mode.txt"
    run_step "$n" "passwords-$mode" "$lw" "${dirs[@]}" ingest-passwords "$work/cycle-$mode.txt" --mode "$mode"
    echo "cycle $n done $((SECONDS - t0)) s" >>"$work/cycles.log"
    n=$((n + 1))
  done
}
run_step() {
  local n="$1" what="$2" t0=$SECONDS rc=0
  shift 2
  "$@" >"$work/step.out" 2>&1 || rc=$?
  echo "cycle $n $what rc=$rc $((SECONDS - t0)) s" >>"$work/cycles.log"
  [ "$rc" -eq 0 ] || { echo "cycle $n $what failed:" >>"$work/cycles.log"; tail -n 5 "$work/step.out" >>"$work/cycles.log"; }
}
# RSS every 10 s, with the count of deleted files mapped and open at that moment (a retired generation stays
# mapped for the serve grace period, so a transient count is expected; the final check is the one that matters).
sampler() {
  local t0 now
  t0=$(date +%s)
  while [ ! -f "$work/stop-sampler" ]; do
    now=$(($(date +%s) - t0))
    read -r rss anon file < <(awk '/^VmRSS:/ {r=$2} /^RssAnon:/ {a=$2} /^RssFile:/ {f=$2} END {print r, a, f}' "/proc/$server/status")
    maps=$(grep '(deleted)' "/proc/$server/maps" | grep -vc '/memfd:' || true)
    fds=$(find "/proc/$server/fd" -maxdepth 1 -type l -printf '%l\n' 2>/dev/null | grep '(deleted)' | grep -vc '/memfd:' || true)
    echo "$now $rss $maps $fds $anon $file" >>"$work/rss.tsv"
    sleep 10
  done
}

# GC figures (optional): SOAK_COUNTERS=path of dotnet-counters (`dotnet tool install dotnet-counters --tool-path DIR`)
# records the runtime's System.Runtime counters every 10 s, to tell the GC heap's growth from mapped files'.
if [ -n "${SOAK_COUNTERS:-}" ]; then
  "$SOAK_COUNTERS" collect -p "$server" --refresh-interval 10 --format csv -o "$work/counters.csv" --counters System.Runtime \
    --duration "$(printf '00:00:%02d:%02d' $(( (seconds + 30) / 60 )) $(( (seconds + 30) % 60 )))" >/dev/null 2>&1 &
  counters_pid=$!; pids+=("$counters_pid")
fi
log "soak: ${seconds} s, 256 connections, a publish cycle every ${cycle} s"
publisher & pids+=($!); publisher_pid=$!
sampler & pids+=($!); sampler_pid=$!
export SOAK_DATA="$work/data.lua"
run_wrk() { local kind="$1" threads="$2" conns="$3"; SOAK_KIND="$kind" wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout 30s -s "$root/bench/soak.lua" "$base" >"$work/wrk-$kind.txt" 2>&1; }
run_wrk accounts 2 96 & w1=$!
run_wrk ranges 2 64 & w2=$!
run_wrk private 1 64 & w3=$!
run_wrk page 1 32 & w4=$!
wait "$w1" "$w2" "$w3" "$w4"
touch "$work/stop"
wait "$publisher_pid"
# Past the serve grace period for the last retired generation (5 s), with room for a loaded box.
sleep 20
touch "$work/stop-sampler"
wait "$sampler_pid"
[ -z "${counters_pid:-}" ] || wait "$counters_pid" || true
# /memfd:doublemapper is the .NET runtime's own W^X mapping of JIT code (an anonymous memfd), not a data file.
grep '(deleted)' "/proc/$server/maps" | grep -v '/memfd:' >"$work/deleted-maps.txt" || true
find "/proc/$server/fd" -maxdepth 1 -type l -printf '%l\n' 2>/dev/null | grep '(deleted)' | grep -v '/memfd:' >"$work/deleted-fds.txt" || true

python3 - "$work" "$cycle" <<'PY'
import re, statistics, sys
work, cycle = sys.argv[1], int(sys.argv[2])
errors, problems = 0, []
print("| kind | connections | requests | statuses (expected) | 429 | socket errors / timeouts | p50 | p99 |")
print("|---|---|---|---|---|---|---|---|")
conns = {"accounts": 96, "ranges": 64, "private": 64, "page": 32}
for kind in ("accounts", "ranges", "private", "page"):
    text = open(f"{work}/wrk-{kind}.txt").read()
    s = re.search(r"soak-summary kind=\S+ requests=(\d+) connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+) p50_ms=([\d.]+) p99_ms=([\d.]+)", text)
    if not s:
        problems.append(f"{kind}: wrk gave no summary"); errors += 1; continue
    req, *sock, p50, p99 = s.groups()
    sock = list(map(int, sock))
    errors += sum(sock)
    shown, throttled = [], 0
    sent = {int(m.group(1)): tuple(map(int, m.groups()[1:]))
            for m in re.finditer(r"soak-accounts thread=(\d+) hits_sent=(\d+) misses_sent=(\d+) bad_200=(\d+)", text)}
    statuses = list(re.finditer(r"soak-status kind=\S+ thread=(\d+) expect=(\d+) ?(.*)", text))
    for m in statuses:
        expect = int(m.group(2))
        counts = {int(c): int(n) for c, n in (p.split("=") for p in m.group(3).split())}
        for code, n in sorted(counts.items()):
            ok = code in (200, 404) if expect == 0 else code == expect
            shown.append(f"{code}×{n:,}" + ("" if ok else " ✗"))
            if code == 429: throttled += n
            if not ok: errors += n
        if expect == 0:
            # Accounts, hits and misses interleaved: wrk cannot pair an answer with its request, so the counts must
            # add up. A 200 must list the base breach; 200s ≤ hits sent and 404s ≤ misses sent; each falls short by
            # at most what was in flight at the stop (one per connection) plus the answers of another status.
            hits_sent, misses_sent, bad200 = sent.get(int(m.group(1)), (0, 0, 0))
            other = sum(n for c, n in counts.items() if c not in (200, 404))
            inflight = conns[kind] // len(statuses)
            got200, got404 = counts.get(200, 0), counts.get(404, 0)
            unpaired = (bad200 + max(0, got200 - hits_sent) + max(0, got404 - misses_sent)
                        + max(0, hits_sent - got200 - other - inflight) + max(0, misses_sent - got404 - other - inflight))
            shown.append(f"(thread {m.group(1)}: {hits_sent:,} hits and {misses_sent:,} misses sent"
                         + (f", {unpaired:,} answers that do not add up ✗" if unpaired else "") + ")")
            errors += unpaired
    print(f"| {kind} | {conns[kind]} | {int(req):,} | {', '.join(shown)} | {throttled} | {sum(sock[:3])} / {sock[3]} | {float(p50):.1f} ms | {float(p99):.1f} ms |")
cycles = open(f"{work}/cycles.log").read() if __import__("os").path.exists(f"{work}/cycles.log") else ""
failed = [l for l in cycles.splitlines() if " rc=" in l and " rc=0 " not in l]
errors += len(failed)
done = [int(m) for m in re.findall(r"cycle \d+ done (\d+) s", cycles)]
print(f"\npublish cycles: {len(done)} (each: ingest of a new 5,000-record breach with --private, remove of the previous one, "
      f"ingest-passwords of 20,000 hashes), {len(failed)} failed, {max(done) if done else 0} s the longest")
rows = [tuple(map(int, l.split())) for l in open(f"{work}/rss.tsv") if l.strip()]
after_first = [r for r in rows if r[0] >= cycle + 10] or rows
base = after_first[0][1]
last = statistics.median(r[1] for r in rows[-3:])
growth = last / base - 1
print(f"server RSS (MB) every 10 s: " + " ".join(f"{r[1] // 1024}" for r in rows))
# What the RSS is made of: anonymous memory (the GC heap, native allocations) and file-backed pages (the mapped
# index, private index and password files: they come and go with generations and the page cache).
print(f"  anonymous (MB):   " + " ".join(f"{r[4] // 1024}" for r in rows))
print(f"  file-backed (MB): " + " ".join(f"{r[5] // 1024}" for r in rows))
print(f"RSS after the first publish cycle {base // 1024} MB, at the end {int(last) // 1024} MB (median of the last 3): "
      f"{growth * 100:+.1f}%; min {min(r[1] for r in rows) // 1024} MB, max {max(r[1] for r in rows) // 1024} MB; "
      f"deleted files mapped while running: at most {max(r[2] for r in rows)}, open: at most {max(r[3] for r in rows)}")
if __import__("os").path.exists(f"{work}/counters.csv"):
    # dotnet-counters' CSV: one row per counter per interval; the GC heap (all generations, after the last
    # collection), the memory the GC has committed, and the gen2 collections in each interval.
    import csv, collections
    # The n-th row of a counter is its n-th interval (rows of one interval may carry timestamps a second apart).
    heap, committed, gen2 = collections.defaultdict(float), collections.defaultdict(float), collections.defaultdict(float)
    seen = collections.Counter()
    for r in csv.DictReader(open(f"{work}/counters.csv")):
        name, v = r["Counter Name"], float(r["Mean/Increment"] or 0)
        t = seen[name]; seen[name] += 1
        if name.startswith("dotnet.gc.last_collection.heap.size"): heap[t] += v
        elif name.startswith("dotnet.gc.last_collection.memory.committed_size"): committed[t] = v
        elif name.startswith("dotnet.gc.collections") and "gen2" in name: gen2[t] += v
    ts = sorted(committed)
    print("GC heap after the last collection (MB) every 10 s: " + " ".join(f"{heap[t] / 2**20:.0f}" for t in ts))
    print("GC committed (MB):                                 " + " ".join(f"{committed[t] / 2**20:.0f}" for t in ts))
    print("gen2 collections per 10 s:                         " + " ".join(f"{gen2[t]:.0f}" for t in ts))
maps = [l for l in open(f"{work}/deleted-maps.txt").read().splitlines() if l]
fds = [l for l in open(f"{work}/deleted-fds.txt").read().splitlines() if l]
print(f"at the end: {len(maps)} deleted files still mapped, {len(fds)} still open")
for l in (maps + fds)[:10]: print("  " + l)
blocks = [l for l in open(f"{work}/serve.log", errors="replace").read().splitlines() if "blocked for" in l]
print(f"enumeration detector blocks in the server log: {len(blocks)}")
for l in blocks[:3]: print("  " + l.strip()[:300])
if growth > 0.10: problems.append(f"RSS grew {growth * 100:.1f}% (limit 10%)")
if maps or fds: problems.append("deleted files still mapped or open")
for l in failed: problems.append(l)
print(f"\nsoak: {errors} errors" + ("" if not problems else "; " + "; ".join(problems)))
sys.exit(1 if errors or problems else 0)
PY
