#!/usr/bin/env bash
# Static export benchmark (issue 14 item 4): a 100M-hash password store (SHA-1 and NTLM of 100M plaintext lines,
# `ingest-passwords --mode plain`), then `export --out` of all 2 × 16⁵ ranges with .gz siblings, then an incremental
# re-export after a second ingest adds HASHES_ADDED more. Target: full export ≤ 60 s on the 2-core box.
#   bench/export.sh [WORK_DIR]     (env: HASHES=100000000 HASHES_ADDED=10000 KEEP=1 keeps WORK_DIR)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hashes="${HASHES:-100000000}"
added="${HASHES_ADDED:-10000}"
work="${1:-$(mktemp -d /tmp/lw-export-XXXXXX)}"
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
lw=("$root/leakwatch" --data-dir "$work/data" --key-file "$work/data.key")

if [ ! -f "$work/data/passwords/manifest.json" ]; then
  seq 1 "$hashes" > "$work/pw.txt"
  echo "store: ingest-passwords of $hashes plaintext lines (SHA-1 and NTLM)…" >&2
  /usr/bin/time -f "store: %e s wall, peak RSS %M KB" "${lw[@]}" ingest-passwords "$work/pw.txt" --mode plain --memory 2048 >/dev/null
  rm -f "$work/pw.txt"
fi

if [ -e "$work/out" ]; then
  rm -rf "$work/out"
  # ext4 without a journal (this VM) skips, on every file create, each free inode deleted less than 60 s ago (360 s
  # while its inode-table block is dirty, which our own creates make it): an export right after deleting the last
  # one pays several times the kernel time per file (BENCHMARKS.md, "Static export", session 9). Let them age out.
  echo "waiting 370 s for the deleted export's inodes to age out (ext4 recently-deleted check)…" >&2
  sleep 370
fi
sync
echo "full export (load before: $(cut -d' ' -f1-3 /proc/loadavg)):" >&2
/usr/bin/time -f "full export: %e s wall, %U s user, %S s sys, peak RSS %M KB" "${lw[@]}" export --out "$work/out"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "files: $(find "$work/out/range" -type f | wc -l), size: $(du -sh "$work/out" | cut -f1)"

seq $((hashes + 1)) $((hashes + added)) > "$work/pw2.txt"
"${lw[@]}" ingest-passwords "$work/pw2.txt" --mode plain >/dev/null
rm -f "$work/pw2.txt"
sync
echo "incremental export after $added new hashes:" >&2
/usr/bin/time -f "incremental export: %e s wall, %U s user, %S s sys, peak RSS %M KB" "${lw[@]}" export --out "$work/out"
echo "changed paths listed: $(wc -l < "$work/out/changed.txt")"
