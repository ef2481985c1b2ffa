#!/usr/bin/env bash
# Interleaved A/B of two builds on this machine: 10M-record ingest and /range/ throughput, A and B taking turns so
# that a noisy neighbour or thermal drift hits both alike. A is a git revision (built into bench/out/ab-<rev>),
# B is the working tree's ./leakwatch.
# Usage: bench/ab.sh REV [RECORDS=10000000] [ROUNDS=3] [DURATION=15s]   (INGEST_ROUNDS=N: more ingest rounds than /range/ rounds)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rev="${1:?usage: bench/ab.sh REV [RECORDS] [ROUNDS] [DURATION]}"
records="${2:-10000000}"
rounds="${3:-3}"
duration="${4:-15s}"
"$root/scripts/ensure-deps.sh" wrk curl python3
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
out="$root/bench/out"
mkdir -p "$out"

# A: the given revision, published the way ./leakwatch publishes the working tree.
sha=$(git -C "$root" rev-parse --short "$rev")
a_dir="$out/ab-$sha"
if [ ! -x "$a_dir/cli/leakwatch" ]; then
  rm -rf "$a_dir/src"
  git -C "$root" worktree add -f --detach "$a_dir/src" "$sha" >/dev/null
  (cd "$a_dir/src" && dotnet publish src/Leakwatch.Cli/Leakwatch.Cli.csproj -c Release -r linux-x64 --self-contained false \
     -p:PublishReadyToRun=true -o "$a_dir/cli" --nologo -v quiet -clp:ErrorsOnly >/dev/null)
  git -C "$root" worktree remove --force "$a_dir/src"
fi
A="$a_dir/cli/leakwatch"
"$root/leakwatch" --help >/dev/null
B="$root/artifacts/cli/leakwatch"
echo "A = $rev ($sha), B = working tree ($(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo '+changes'))"

work="$(mktemp -d /tmp/lw-ab-XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

dump="$out/dump-$records.csv"
[ -f "$dump" ] || "$B" generate --records "$records" --seed 42 --out "$dump" --format csv >/dev/null

ingest() {  # ingest BIN LABEL ROUND → one line of figures
  local bin="$1" label="$2" r="$3" data="$work/ingest-$2"
  rm -rf "$data" "$data.key"; sync
  /usr/bin/time -v -o "$work/time.txt" "$bin" --data-dir "$data" --key-file "$data.key" ingest "$dump" --breach Bench --json >"$work/ingest.json"
  python3 - "$work/ingest.json" "$work/time.txt" "$label" "$r" <<'PY'
import json, sys, re
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
t = open(sys.argv[2]).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024 / 1024
cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", t))
print(f"ingest {sys.argv[3]} round {sys.argv[4]}: {s['seconds']:.2f} s, {s['rowsPerSecond']:,.0f} rec/s, cpu {cpu:.1f} s, peak RSS {rss:.2f} GB")
PY
}
for r in $(seq 1 "${INGEST_ROUNDS:-$rounds}"); do
  ingest "$A" A "$r" | tee -a "$work/ingest.txt"
  ingest "$B" B "$r" | tee -a "$work/ingest.txt"
done
rm -rf "$work/ingest-A" "$work/ingest-B"

# /range/: both builds serve the same password store (formats are unchanged between them; each gets its copy).
python3 - "$work/pwned.txt" <<'PY'
import sys, random
random.seed(3)
with open(sys.argv[1], "w") as f:
    for p in range(4096):
        prefix = f"{p * 256:05X}"
        for _ in range(900):
            f.write(f"{prefix}{random.getrandbits(140):035X}:{random.randint(1, 5000)}\n")
PY
# A small breach first, so both servers start as they would in production (index, key file, catalogue).
"$B" generate --records 100000 --seed 5 --out "$work/small.csv" >/dev/null
"$B" --data-dir "$work/data" --key-file "$work/data.key" ingest "$work/small.csv" --breach Small >/dev/null
"$B" --data-dir "$work/data" --key-file "$work/data.key" ingest-passwords "$work/pwned.txt" --mode sha1 >/dev/null
cp -a "$work/data" "$work/data-A"; cp "$work/data.key" "$work/data-A.key"
port_a=18091; port_b=18092
"$A" --data-dir "$work/data-A" --key-file "$work/data-A.key" serve --urls "http://127.0.0.1:$port_a" --range-rpm 0 >"$work/serve-A.log" 2>&1 &
pids+=($!)
"$B" --data-dir "$work/data" --key-file "$work/data.key" serve --urls "http://127.0.0.1:$port_b" --range-rpm 0 >"$work/serve-B.log" 2>&1 &
pids+=($!)
for p in $port_a $port_b; do
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
done
# Same bytes, 200, from both, and warm caches (every prefix once per encoding).
python3 - "$work" "$port_a" "$port_b" <<'PY'
import sys, urllib.request
work, pa, pb = sys.argv[1:4]
prefixes = [f"{p * 256:05X}" for p in range(4096)]
for p in prefixes:
    bodies = []
    for port in (pa, pb):
        r = urllib.request.urlopen(f"http://127.0.0.1:{port}/range/{p}")
        assert r.status == 200, (port, p, r.status)
        bodies.append(r.read())
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/range/{p}", headers={"Accept-Encoding": "gzip"})).read()
    if bodies[0] != bodies[1]:
        sys.exit(f"ab.sh: A and B serve different bodies for /range/{p}")
open(f"{work}/prefixes.lua", "w").write("prefixes = {" + ",".join(f'"{p}"' for p in prefixes) + "}\n")
PY
cat >"$work/range.lua" <<'LUA'
dofile(os.getenv("PREFIXES"))
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/range/" .. prefixes[(i % #prefixes) + 1])
end
LUA
export PREFIXES="$work/prefixes.lua"
for r in $(seq 1 "$rounds"); do
  wrk -t2 -c64 -d"$duration" -s "$work/range.lua" "http://127.0.0.1:$port_a" >"$work/range-A-$r.txt" 2>&1
  wrk -t2 -c64 -d"$duration" -s "$work/range.lua" "http://127.0.0.1:$port_b" >"$work/range-B-$r.txt" 2>&1
done
python3 - "$work" "$rounds" <<'PY'
import sys, re, statistics
work, rounds = sys.argv[1], int(sys.argv[2])
ing = open(f"{work}/ingest.txt").read()
for label in ("A", "B"):
    rates = [float(x.replace(",", "")) for x in re.findall(rf"ingest {label} round \d+: [\d.]+ s, ([\d,]+) rec/s", ing)]
    print(f"ingest {label}: median {statistics.median(rates):,.0f} rec/s (rounds: {', '.join(f'{x:,.0f}' for x in rates)})")
def rps(f):
    t = open(f).read()
    if "Non-2xx" in t: sys.exit(f"ab.sh: {f} has non-2xx responses; no figure from it")
    return float(re.search(r"Requests/sec:\s*([\d.]+)", t).group(1))
a = [rps(f"{work}/range-A-{r}.txt") for r in range(1, rounds + 1)]
b = [rps(f"{work}/range-B-{r}.txt") for r in range(1, rounds + 1)]
print(f"/range/ A: median {statistics.median(a):,.0f} req/s (rounds: {', '.join(f'{x:,.0f}' for x in a)})")
print(f"/range/ B: median {statistics.median(b):,.0f} req/s (rounds: {', '.join(f'{x:,.0f}' for x in b)})")
print(f"/range/ B/A median ratio {statistics.median([y / x for x, y in zip(a, b)]):.3f}")
PY
