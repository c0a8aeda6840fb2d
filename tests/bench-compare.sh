#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-compare: whole-process figures, each beside its baseline measured in the same run
# (docs/benchmarks.md, "Against baselines"). Run by `make bench-compare` (part of `make bench`).
#
#  1. `eldercard card read` (exec, open the reader, read, verify, audited record read)
#     against libnfc's own `nfc-mfultralight r` (exec, open, read the tag), both cold,
#     against the same emulator paced as a 115200-baud PN532 with air time, in
#     alternating pairs (ABBA order), medians.
#  2. Single-resident CLI commands on a database of EC_BENCH_RESIDENTS (default 100000)
#     generated residents against the floor: the same SELECTs, and for the audited read
#     the same INSERT + COMMIT (synchronous=FULL, WAL), through the sqlite3 shell's
#     prepared statements on the same file, process start included; alternating pairs.
#
# Environment: EC_BUILD_DIR (required), EC_BENCH_RESIDENTS, EC_BENCH_PAIRS (default 9),
# EC_BENCH_DIR (where the files go; default a fresh directory under $TMPDIR), EC_BENCH_DB
# (use this generated database instead of making one; it gets audit entries).
set -u
: "${EC_BUILD_DIR:?}"
E="$EC_BUILD_DIR/eldercard"
EMU="$EC_BUILD_DIR/pn532-emu"
N_RES=${EC_BENCH_RESIDENTS:-100000}
PAIRS=${EC_BENCH_PAIRS:-9}
tmp=$(mktemp -d "${EC_BENCH_DIR:-${TMPDIR:-/tmp}}/ec-bench-XXXXXX")
emu_pid=
cleanup () { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' TERM INT
export LIBNFC_AUTO_SCAN=false LIBNFC_LOG_LEVEL=0 LC_ALL=C.UTF-8
unset LIBNFC_DEFAULT_DEVICE LIBNFC_DEVICE ELDERCARD_DEVICE

now_ns () { date +%s%N; }
# ms of one run of "$@" (output discarded; a failure aborts the benchmark).
run_ms () {
  local t0 t1
  t0=$(now_ns)
  if ! "$@" >/dev/null 2>&1; then echo "bench-compare: failed: $*" >&2; exit 1; fi
  t1=$(now_ns)
  echo $(( (t1 - t0) / 1000 ))
}
median () { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) / 1000 }'; }
minmax () { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f–%.1f", lo / 1000, hi / 1000 }'; }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "Against baselines, same run: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"

# ---- 1. card read vs nfc-mfultralight r ---------------------------------------------
export ELDERCARD_DB="$tmp/station.db" ELDERCARD_KEYS="$tmp/keys"
printf 'root passphrase for the benchmark\n' > "$tmp/root.pass"
printf 'station passphrase for the benchmark\n' > "$tmp/station.pass"
chmod 600 "$tmp"/*.pass
"$E" db init >/dev/null 2>&1
"$E" community create --keys "$tmp/keys" --passphrase-file "$tmp/root.pass" >/dev/null 2>&1
"$E" station add --keys "$tmp/keys" --id 3 --name 测试服务站 --root-passphrase-file "$tmp/root.pass" \
     --passphrase-file "$tmp/station.pass" >/dev/null 2>&1
r1=$("$E" resident add --name 王测试 --pinyin "Wang Ceshi" --actor staff:S1 \
       --allergy "青霉素|medication|high|过敏性休克|severe|confirmed" 2>/dev/null | head -n1)
"$EMU" --link "$tmp/link" --control "$tmp/ctl" > "$tmp/emu.out" &
emu_pid=$!
for _ in $(seq 1 100); do grep -q '^ready' "$tmp/emu.out" 2>/dev/null && break; sleep 0.05; done
dev="pn532_uart:$tmp/link"
"$EMU" ctl "$tmp/ctl" place ntag215 04b0b1b2b3b4b5 >/dev/null
if ! "$E" card issue "$r1" --device "$dev" --station 3 --passphrase-file "$tmp/station.pass" --wait 3 \
     --actor staff:S1 >/dev/null 2>&1; then
  echo "bench-compare: the card could not be issued" >&2; exit 1
fi
"$EMU" ctl "$tmp/ctl" pace 115200 >/dev/null
"$EMU" ctl "$tmp/ctl" air on >/dev/null
if command -v nfc-mfultralight >/dev/null; then
  : > "$tmp/ec.ms"; : > "$tmp/mfu.ms"
  ec_read () { run_ms "$E" card read --device "$dev" --wait 3 --actor staff:S1; }
  mfu_read () { run_ms env LIBNFC_DEFAULT_DEVICE="$dev" timeout 20 nfc-mfultralight r "$tmp/dump.mfd"; }
  for i in $(seq 1 "$PAIRS"); do
    if [ $((i % 2)) -eq 1 ]; then ec_read >> "$tmp/ec.ms"; mfu_read >> "$tmp/mfu.ms"
    else mfu_read >> "$tmp/mfu.ms"; ec_read >> "$tmp/ec.ms"; fi
  done
  a=$(median < "$tmp/ec.ms"); b=$(median < "$tmp/mfu.ms")
  printf '%-58s %8s ms (%s)  baseline %8s ms (%s)  ratio %s (%s× faster)\n' \
    "card read, whole process, NTAG215, paced (median of $PAIRS)" "$a" "$(minmax < "$tmp/ec.ms")" \
    "$b" "$(minmax < "$tmp/mfu.ms")" "$(ratio "$a" "$b")" "$(ratio "$b" "$a")"
  echo "  baseline: nfc-mfultralight r (libnfc-examples), whole process, same emulator, alternating"
else
  echo "card read: nfc-mfultralight not installed (libnfc-examples): no baseline, no figure"
fi
kill "$emu_pid" 2>/dev/null; wait "$emu_pid" 2>/dev/null; emu_pid=

# ---- 2. single-resident CLI commands vs raw SQLite -----------------------------------
if [ -n "${EC_BENCH_DB:-}" ]; then
  db=$EC_BENCH_DB             # an existing generated database (it gets audit entries and a bench_floor table)
  N_RES=$(sqlite3 "$db" "SELECT count(*) FROM residents")
  printf 'database: %s, %d residents, %d MB\n' "$db" "$N_RES" $(( $(stat -c %s "$db") / 1000000 ))
else
  db="$tmp/big.db"
  t0=$(now_ns)
  if ! "$E" demo generate --db "$db" --actor staff:S1 -n "$N_RES" >/dev/null 2>&1; then
    echo "bench-compare: demo generate failed" >&2; exit 1
  fi
  t1=$(now_ns)
  printf 'database: %d residents, %d MB (generated in %.1f s)\n' "$N_RES" $(( $(stat -c %s "$db") / 1000000 )) \
    "$(awk -v n=$((t1 - t0)) 'BEGIN { print n / 1e9 }')"
fi
sqlite3 "$db" "CREATE TABLE IF NOT EXISTS bench_floor (at INTEGER, resident_id INTEGER, note TEXT)" >/dev/null
ids=$(sqlite3 -separator : "$db" "SELECT id, printf('%016x', id) FROM residents ORDER BY random() LIMIT $PAIRS")
name=$(sqlite3 "$db" "SELECT substr(name_zh, 1, 2) FROM residents ORDER BY random() LIMIT 1")
floor_show () {
  run_ms sqlite3 "$db" "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; BEGIN IMMEDIATE;
    SELECT * FROM residents WHERE id = $1; SELECT * FROM conditions WHERE resident_id = $1;
    SELECT * FROM allergies WHERE resident_id = $1; SELECT * FROM medications WHERE resident_id = $1;
    SELECT * FROM contacts WHERE resident_id = $1; SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1;
    INSERT INTO bench_floor VALUES (strftime('%s', 'now'), $1, 'show'); COMMIT;"
}
floor_search () {
  run_ms sqlite3 "$db" "SELECT id, name_zh, name_pinyin, sex, date_of_birth, building_unit FROM residents
    WHERE name_zh >= '$name' AND name_zh < '$name' || char(1114111) ORDER BY name_zh LIMIT 20;"
}
: > "$tmp/show.ms"; : > "$tmp/show-floor.ms"; : > "$tmp/search.ms"; : > "$tmp/search-floor.ms"
i=0
for pair in $ids; do
  i=$((i + 1))
  id=${pair%%:*} hex=${pair#*:}
  if [ $((i % 2)) -eq 1 ]; then
    run_ms "$E" resident show "$hex" --db "$db" --actor staff:S1 --reason benchmark >> "$tmp/show.ms"; floor_show "$id" >> "$tmp/show-floor.ms"
    run_ms "$E" resident search "$name" --db "$db" >> "$tmp/search.ms"; floor_search >> "$tmp/search-floor.ms"
  else
    floor_show "$id" >> "$tmp/show-floor.ms"; run_ms "$E" resident show "$hex" --db "$db" --actor staff:S1 --reason benchmark >> "$tmp/show.ms"
    floor_search >> "$tmp/search-floor.ms"; run_ms "$E" resident search "$name" --db "$db" >> "$tmp/search.ms"
  fi
done
a=$(median < "$tmp/show.ms"); b=$(median < "$tmp/show-floor.ms")
printf '%-58s %8s ms (%s)  baseline %8s ms (%s)  ratio %s\n' \
  "resident show ID (audited read), whole process" "$a" "$(minmax < "$tmp/show.ms")" \
  "$b" "$(minmax < "$tmp/show-floor.ms")" "$(ratio "$a" "$b")"
a=$(median < "$tmp/search.ms"); b=$(median < "$tmp/search-floor.ms")
printf '%-58s %8s ms (%s)  baseline %8s ms (%s)  ratio %s\n' \
  "resident search NAME (20 rows), whole process" "$a" "$(minmax < "$tmp/search.ms")" \
  "$b" "$(minmax < "$tmp/search-floor.ms")" "$(ratio "$a" "$b")"
echo "  baseline: sqlite3 shell, same SELECTs (+ INSERT + COMMIT, synchronous=FULL) on the same file, process start included"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
