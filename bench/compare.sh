#!/usr/bin/env bash
# Leakwatch against its peers on the same data, in the same run (issue 6):
#   PostgreSQL  COPY into an UNLOGGED table + CREATE INDEX, pgbench lookups
#   SQLite      sqlite3 .import + CREATE INDEX, lookups in one sqlite3 process
#   ripgrep     rg -F -c over the raw dump, one process per lookup
# and optionally a growth series (records/s, RSS, bytes per identifier, lookup percentiles per size) with a
# merge-cost row (a second dump ingested into the index that already holds the first).
# Prints a Markdown table with ratios and targets and appends it to --out.
#
# Usage: bench/compare.sh [--records N (10000000)] [--growth "1000000 10000000 100000000" (none)]
#                         [--merge-records N (10000000)] [--merge-into "SIZES" (the --merge-records size)]
#                         [--out FILE (bench/out/compare.md)]
#                         [--work DIR (parent of the temp dir; $TMPDIR or /tmp)] [--pg-port P (5499)]
# Runs as root on Debian 12 with the .NET SDK: installs postgresql, sqlite3, ripgrep, time, python3 if missing.
# PostgreSQL runs as a private cluster in the temp dir (127.0.0.1 and a private socket dir only), stopped and
# removed at exit with everything else the run created.
set -euo pipefail
# Nothing here reads standard input; the servers started here get /dev/null for it, since one started with it
# closed (as CI runs) can crash: redis-server does.
exec </dev/null
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
records=10000000; growth=""; merge_records=10000000; merge_into=""; out="$root/bench/out/compare.md"
parent="${TMPDIR:-/tmp}"; pgport=5499
die() { echo "compare.sh: $*" >&2; exit 1; }
usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records="${2:?--records needs a number}"; shift 2 ;;
    --growth) growth="${2?--growth needs a list}"; shift 2 ;;
    --merge-records) merge_records="${2:?--merge-records needs a number}"; shift 2 ;;
    --merge-into) merge_into="${2:?--merge-into needs a list of index sizes}"; shift 2 ;;
    --out) out="${2:?--out needs a file}"; shift 2 ;;
    --work) parent="${2:?--work needs a directory}"; shift 2 ;;
    --pg-port) pgport="${2:?--pg-port needs a port}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "compare.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
merge_into="${merge_into:-$merge_records}"
for n in "$records" "$merge_records" $growth $merge_into; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "record counts must be positive integers, got '$n'"
done
[ -d "$parent" ] || die "--work $parent is not a directory"
log() { echo "== $*" >&2; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

# ---- dependencies -----------------------------------------------------------------------------------------
need=()
pgbin_of() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
{ command -v pg_ctlcluster && command -v psql && [ -x "$(pgbin_of)/pgbench" ]; } >/dev/null 2>&1 || need+=(postgresql)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v rg >/dev/null || need+=(ripgrep)
command -v python3 >/dev/null || need+=(python3)
[ ${#need[@]} -eq 0 ] || { log "installing ${need[*]}"; "$root/scripts/ensure-deps.sh" "${need[@]}"; }
# Debian's postgresql package creates and starts a "main" cluster on install: stop it, it is not ours to benchmark.
if [[ " ${need[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null; then
  pg_lsclusters -h | awk '$4 == "online" {print $1, $2}' | while read -r v c; do pg_ctlcluster "$v" "$c" stop || true; done
fi
# ensure-deps.sh cannot see a missing /usr/bin/time: `command -v time` finds the shell keyword.
if [ ! -x /usr/bin/time ]; then
  [ "$(id -u)" -eq 0 ] || die "need root to apt-get install time"
  log "installing time"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
pgbin="$(pgbin_of)"
[ -x "$pgbin/initdb" ] && [ -x "$pgbin/pgbench" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
for c in sqlite3 rg python3; do command -v "$c" >/dev/null || die "$c is still missing after installing"; done
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "no postgres user (the postgresql package creates it)"
  aspg() { runuser -u postgres -- "$@"; }
else
  aspg() { "$@"; }
fi

# ---- work dir, cleanup --------------------------------------------------------------------------------------
work="$(mktemp -d "$parent/lw-compare-XXXXXX")"
chmod 755 "$work"   # the postgres user reads the COPY file and owns the cluster below
pg_started=0; sampler=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true
  if [ "$pg_started" = 1 ]; then aspg "$pgbin/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
  [ "$rc" -eq 0 ] || echo "compare.sh: failed (exit $rc); temp dir removed, PostgreSQL stopped" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
results="$work/results.txt"; : >"$results"
put() { echo "$1=$2" >>"$results"; }
rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }

lw="$root/leakwatch"
log "building leakwatch and the latency probe (Release)"
"$lw" --help >/dev/null
dotnet build -c Release "$root/bench/Leakwatch.Benchmarks" --nologo -v quiet -clp:ErrorsOnly >"$work/probe-build.log" 2>&1 \
  || { cat "$work/probe-build.log" >&2; die "building bench/Leakwatch.Benchmarks failed"; }
probe() { dotnet run --no-build -c Release --project "$root/bench/Leakwatch.Benchmarks" -- latency "$@" 5; }

put cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
put cores "$(nproc)"
put ram_gb "$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)"
put date "$(date -u +%Y-%m-%d)"
put commit "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')"
put dotnet "$(dotnet --version)"
put records "$records"

# Ingest DUMP into DATA (KEY) as breach NAME under /usr/bin/time; puts PREFIX_{wall_s,rps,rss_kb,...}.
lw_ingest() {
  local prefix="$1" dump="$2" data="$3" key="$4" name="$5" t0 t1
  sync
  t0=$(now)
  /usr/bin/time -v -o "$work/$prefix.time" "$lw" --data-dir "$data" --key-file "$key" ingest "$dump" --breach "$name" --json \
    >"$work/$prefix.json" 2>"$work/$prefix.err" || { cat "$work/$prefix.err" >&2; die "leakwatch ingest of $dump failed"; }
  t1=$(now)
  put "${prefix}_wall_s" "$(elapsed "$t0" "$t1")"
  put "${prefix}_rss_kb" "$(rss_kb "$work/$prefix.time")"
  put "${prefix}_disk_bytes" "$(du -sb "$data" | cut -f1)"
  python3 - "$work/$prefix.json" "$prefix" >>"$results" <<'PY'
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); p = sys.argv[2]
print(f"{p}_rows={s['rows']}\n{p}_rps={s['rowsPerSecond']:.0f}\n{p}_ids={s['distinct']['email'] + s['distinct']['phone']}")
print(f"{p}_entries={s['indexEntries']}\n{p}_index_bytes={s['indexBytes']}\n{p}_seconds={s['seconds']:.3f}")
PY
}
# Latency probe over an accounts file; puts PREFIX_p50_us, PREFIX_p99_us, PREFIX_found.
lw_latency() {
  local prefix="$1" line
  line=$(probe "$2" "$3" "$4" | tail -1)
  echo "   probe: $line" >&2
  for k in p50_us p99_us found lookups; do
    put "${prefix}_$k" "$(sed -n "s/.*\\b$k=\\([0-9.]*\\).*/\\1/p" <<<"$line")"
  done
}

# ---- data ---------------------------------------------------------------------------------------------------
dump="$work/dump-$records.csv"
log "generating $records records (seed 42) → $dump"
"$lw" generate --records "$records" --seed 42 --out "$dump" >/dev/null
put dump_bytes "$(stat -c %s "$dump")"
log "peers' input: normalized (identifier, breach) file (not timed)"
python3 "$root/bench/compare/prep.py" normalize "$dump" "$work/peer.csv" "$work/accounts.txt" "$records" | tr ' ' '\n' >>"$results"
chmod 644 "$work/peer.csv"
put peer_bytes "$(stat -c %s "$work/peer.csv")"

# ---- Leakwatch ----------------------------------------------------------------------------------------------
log "leakwatch: ingest"
lw_ingest lw "$dump" "$work/lw" "$work/lw.key" Bench
log "leakwatch: lookup latency"
lw_latency lw "$work/lw" "$work/lw.key" "$work/accounts.txt"

# ---- PostgreSQL ---------------------------------------------------------------------------------------------
log "postgresql: private cluster on 127.0.0.1:$pgport"
if "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$pgport" 2>/dev/null; then die "port $pgport is taken; pass --pg-port"; fi
mkdir -p "$work/pg" "$work/pgsock"
aspg test -x "$work" || die "the postgres user cannot reach $work; pass --work under a world-searchable directory"
[ "$(id -u)" -ne 0 ] || chown postgres: "$work/pg" "$work/pgsock"
aspg "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust --no-locale -E UTF8 >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; die "initdb failed"; }
ram_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
sb_mb=$(( ram_mb / 4 > 8192 ? 8192 : ram_mb / 4 ))
cores=$(nproc)
pgconf="shared_buffers = ${sb_mb}MB
maintenance_work_mem = 1GB
max_parallel_maintenance_workers = $cores
max_wal_size = 16GB
checkpoint_timeout = 30min
wal_level = minimal
max_wal_senders = 0
synchronous_commit = off
autovacuum = off"
cat >>"$work/pg/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pgport
unix_socket_directories = '$work/pgsock'
$pgconf
EOF
aspg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w -t 60 start >/dev/null \
  || { cat "$work/pg/server.log" >&2; die "PostgreSQL did not start"; }
pg_started=1
put pg_version "$("$pgbin/postgres" --version | awk '{print $3}')"
put pg_conf "$(tr '\n' ';' <<<"$pgconf" | sed 's/;$//; s/;/, /g')"
pgsql() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$work/pgsock" -p "$pgport" -U postgres -d postgres "$@"; }
pgsql -c 'CREATE UNLOGGED TABLE leak (identifier text NOT NULL, breach text NOT NULL)'
python3 "$root/bench/compare/pss.py" "$(head -1 "$work/pg/postmaster.pid")" "$work/pg-pss.txt" &
sampler=$!
log "postgresql: COPY + CREATE INDEX"
sync
t0=$(now)
pgsql -c "COPY leak FROM '$work/peer.csv' WITH (FORMAT csv)"
t1=$(now)
pgsql -c 'CREATE INDEX leak_identifier ON leak (identifier)'
t2=$(now)
kill "$sampler"; wait "$sampler" 2>/dev/null || true; sampler=""
put pg_copy_s "$(elapsed "$t0" "$t1")"
put pg_index_s "$(elapsed "$t1" "$t2")"
put pg_ready_s "$(elapsed "$t0" "$t2")"
put pg_pss_kb "$(cat "$work/pg-pss.txt" 2>/dev/null || echo 0)"
pgsql -At -F ' ' -c "SELECT pg_total_relation_size('leak'), pg_relation_size('leak'), pg_indexes_size('leak')" \
  | { read -r total table index; put pg_disk_bytes "$total"; put pg_table_bytes "$table"; put pg_index_bytes "$index"; }
# Statistics so the planner picks a plain index scan for one key (not timed: it favours the peer).
pgsql -c 'ANALYZE leak'
pgsql -At -c "EXPLAIN SELECT breach FROM leak WHERE identifier = 'x@example.com'" >"$work/pg-plan.txt"
grep -q 'Index Scan using leak_identifier' "$work/pg-plan.txt" || die "PostgreSQL does not use the index: $(cat "$work/pg-plan.txt")"
log "postgresql: lookups (pgbench, 1 client, 10 s)"
# One transaction = 1,000 literal lookups (half present, half absent), prepared once; latency ÷ 1,000.
python3 - "$work/accounts.txt" "$work/lookup.sql" <<'PY'
import sys
acc = [a for a in open(sys.argv[1]).read().split() if "'" not in a][:1000]
open(sys.argv[2], "w").write("".join(f"SELECT breach FROM leak WHERE identifier = '{a}';\n" for a in acc))
PY
per_txn=$(wc -l <"$work/lookup.sql")
"$pgbin/pgbench" -n -M prepared -f "$work/lookup.sql" -c 1 -T 3 -h "$work/pgsock" -p "$pgport" -U postgres postgres >/dev/null 2>&1 || true
"$pgbin/pgbench" -n -M prepared -f "$work/lookup.sql" -c 1 -T 10 -h "$work/pgsock" -p "$pgport" -U postgres postgres \
  >"$work/pgbench.txt" 2>&1 || { cat "$work/pgbench.txt" >&2; die "pgbench failed"; }
lat_ms=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$work/pgbench.txt")
[ -n "$lat_ms" ] || { cat "$work/pgbench.txt" >&2; die "no latency in pgbench output"; }
put pg_lat_us "$(python3 -c "print(f'{float(\"$lat_ms\") * 1000 / $per_txn:.2f}')")"
aspg "$pgbin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null; pg_started=0
rm -rf "$work/pg"

# ---- SQLite -------------------------------------------------------------------------------------------------
log "sqlite: .import + CREATE INDEX"
sqpragmas="PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY; PRAGMA locking_mode=EXCLUSIVE;"
put sq_version "$(sqlite3 --version | awk '{print $1}')"
put sq_conf "$sqpragmas"
db="$work/leak.sqlite"
sqlite3 "$db" "CREATE TABLE leak (identifier TEXT NOT NULL, breach TEXT NOT NULL);"
printf '%s\n.import --csv %s leak\n' "$sqpragmas" "$work/peer.csv" >"$work/sq-import.sql"
printf '%s\nCREATE INDEX leak_identifier ON leak (identifier);\n' "$sqpragmas" >"$work/sq-index.sql"
sync
t0=$(now)
/usr/bin/time -v -o "$work/sq-import.time" sqlite3 -bail "$db" <"$work/sq-import.sql" >/dev/null || die "sqlite3 .import failed"
t1=$(now)
/usr/bin/time -v -o "$work/sq-index.time" sqlite3 -bail "$db" <"$work/sq-index.sql" >/dev/null || die "sqlite3 CREATE INDEX failed"
t2=$(now)
put sq_import_s "$(elapsed "$t0" "$t1")"
put sq_index_s "$(elapsed "$t1" "$t2")"
put sq_ready_s "$(elapsed "$t0" "$t2")"
put sq_rss_kb "$(( $(rss_kb "$work/sq-import.time") > $(rss_kb "$work/sq-index.time") ? $(rss_kb "$work/sq-import.time") : $(rss_kb "$work/sq-index.time") ))"
put sq_disk_bytes "$(stat -c %s "$db")"
sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT breach FROM leak WHERE identifier = 'x';" | grep -q 'USING INDEX leak_identifier' \
  || die "SQLite does not use the index"
log "sqlite: lookups (one sqlite3 process, all accounts × 3, minus an empty run)"
python3 - "$work/accounts.txt" "$db" <<'PY' >>"$results"
import subprocess, sys, time, statistics
acc = [a for a in open(sys.argv[1]).read().split() if "'" not in a]
db = sys.argv[2]
head = "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-1048576;\n"
body = "".join(f"SELECT breach FROM leak WHERE identifier = '{a}';\n" for a in acc) * 3
def run(sql):
    t = time.perf_counter()
    subprocess.run(["sqlite3", db], input=sql, text=True, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
run(head + body)                                            # warm the page cache
full = statistics.median(run(head + body) for _ in range(3))
empty = statistics.median(run(head + "SELECT 1;\n") for _ in range(5))
print(f"sq_lat_us={(full - empty) * 1e6 / (3 * len(acc)):.2f}")
PY
rm -f "$db"

# ---- ripgrep ------------------------------------------------------------------------------------------------
log "ripgrep: rg -F -c per lookup over the raw dump (10 emails, warm)"
put rg_version "$(rg --version | head -1 | awk '{print $2}')"
python3 "$root/bench/compare/prep.py" raw "$dump" 10 >"$work/needles.txt"
[ -s "$work/needles.txt" ] || die "found no emails in the dump to search for"
/usr/bin/time -v -o "$work/rg.time" rg -F -c -- "$(head -1 "$work/needles.txt")" "$dump" >/dev/null || true
put rg_rss_kb "$(rss_kb "$work/rg.time")"
python3 - "$work/needles.txt" "$dump" <<'PY' >>"$results"
import subprocess, sys, time, statistics
needles = open(sys.argv[1]).read().splitlines()
times, hits = [], 0
for n in needles:
    t = time.perf_counter()
    r = subprocess.run(["rg", "-F", "-c", "--", n, sys.argv[2]], capture_output=True, text=True)
    times.append(time.perf_counter() - t)
    hits += r.returncode == 0
print(f"rg_median_us={statistics.median(times) * 1e6:.0f}\nrg_lookups={len(needles)}\nrg_hits={hits}")
PY
put rg_disk_bytes "$(stat -c %s "$dump")"
rm -f "$work/peer.csv"

# ---- growth -------------------------------------------------------------------------------------------------
if [ -n "$growth" ]; then
  put growth "$growth"
  put merge_records "$merge_records"
  rm -rf "$work/lw" "$work/lw.key" "$dump"
  gen_dump() {  # gen_dump N SEED → path; gzip'd when free disk < 3× the plain size (~125 B/record)
    local n="$1" seed="$2" avail path
    avail=$(df -B1 --output=avail "$work" | tail -1)
    path="$work/g-$n-s$seed.csv"
    [ "$avail" -ge $(( n * 125 * 3 )) ] || path="$path.gz"
    log "growth: generating $n records (seed $seed) → $(basename "$path")"
    "$lw" generate --records "$n" --seed "$seed" --out "$path" >/dev/null
    echo "$path"
  }
  put merge_into "$merge_into"
  keep() { [[ " $merge_into " == *" $1 "* ]]; }
  for n in $growth; do
    d=$(gen_dump "$n" 42)
    put "g${n}_gz" "$([[ $d == *.gz ]] && echo 1 || echo 0)"
    log "growth: ingest $n"
    lw_ingest "g$n" "$d" "$work/g-$n" "$work/g-$n.key" Bench
    python3 "$root/bench/compare/prep.py" accounts "$d" "$work/g-acc.txt"
    lw_latency "g$n" "$work/g-$n" "$work/g-$n.key" "$work/g-acc.txt"
    rm -f "$d"
    keep "$n" || rm -rf "$work/g-$n" "$work/g-$n.key"
  done
  # Merge cost: one second dump (seed 43) ingested into each index kept above (built first if the growth
  # series did not include that size). It must cost about the size of the two, not more.
  second=$(gen_dump "$merge_records" 43)
  for b in $merge_into; do
    if [ ! -d "$work/g-$b" ]; then
      d=$(gen_dump "$b" 42)
      log "merge: first ingest $b"
      lw_ingest "g$b" "$d" "$work/g-$b" "$work/g-$b.key" Bench
      rm -f "$d"
    fi
    log "merge: second ingest $merge_records (seed 43) into the $b-record index"
    lw_ingest "merge$b" "$second" "$work/g-$b" "$work/g-$b.key" Bench2
    rm -rf "$work/g-$b" "$work/g-$b.key"
  done
  rm -f "$second"
fi

# ---- report -------------------------------------------------------------------------------------------------
mkdir -p "$(dirname "$out")"
python3 "$root/bench/compare/report.py" "$results" >"$work/report.md"
cat "$work/report.md"
{ echo; cat "$work/report.md"; } >>"$out"
log "appended to $out"
