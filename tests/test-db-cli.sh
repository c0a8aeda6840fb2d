#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# eldercard db / demo / resident / import / export / audit / backup: build, fill, query
# and audit a database end to end from the shell, as docs/database.md walks through it.
set -u
: "${EC_BUILD_DIR:?}"
EC="$EC_BUILD_DIR/eldercard"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export ELDERCARD_DB="$work/station.db" LANGUAGE=C

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
nok () { n=$((n + 1)); echo "not ok $n - $1"; }
check () { if eval "$2"; then ok "$1"; else nok "$1"; fi; }
sql () { sqlite3 "$ELDERCARD_DB" "$1"; }

echo "1..39"

out=$("$EC" resident list 2>&1); rc=$?
check "no database yet: refused, saying how to create one" '[ $rc -eq 1 ] && [[ "$out" == *"db init"* ]]'
out=$("$EC" db init 2>&1); rc=$?
check "db init creates it" '[ $rc -eq 0 ] && [ -f station.db ] && [[ "$out" == *created* ]]'
check "… mode 0600, WAL, schema version 4" '[ "$(stat -c %a station.db)" = 600 ] && [ "$(sql "PRAGMA journal_mode")" = wal ] && [ "$(sql "PRAGMA user_version")" = 4 ]'

out=$("$EC" demo generate --residents 120 --seed 9 2>&1); rc=$?
check "demo generate adds a fictional community" '[ $rc -eq 0 ] && [ "$(sql "SELECT count(*) FROM residents")" = 120 ]'
check "… with staff and one active card each" '[ "$(sql "SELECT count(*) FROM staff")" = 5 ] && [ "$(sql "SELECT count(DISTINCT resident_id) FROM cards WHERE status = 0")" = 120 ]'

# Acting as a staff member means signing in as one (docs/cli.md): PINs for two of the
# demo staff, from files only their owner can read.
"$EC" pepper init >/dev/null 2>&1
printf '730294\n' > s2.pin; printf '604817\n' > s3.pin; printf '999111\n' > wrong.pin
chmod 600 s2.pin s3.pin wrong.pin
"$EC" staff set-pin S0002 --pin-file s2.pin >/dev/null 2>&1 && "$EC" staff set-pin S0003 --pin-file s3.pin >/dev/null 2>&1
before=$(sql "SELECT count(*) FROM residents")
out=$(setsid -w "$EC" resident add --staff S0002 --name 赵敏 --dob 1941-02-03 </dev/null 2>&1); rc=$?
check "--staff without a PIN (no terminal, no --pin-file) is refused" '[ $rc -eq 1 ] && [[ "$out" == *--pin-file* ]] && [ "$(sql "SELECT count(*) FROM residents")" = "$before" ]'
out=$("$EC" resident add --staff S0002 --pin-file wrong.pin --name 赵敏 --dob 1941-02-03 2>&1); rc=$?
check "--staff with a wrong PIN is refused and counted" '[ $rc -eq 1 ] && [[ "$out" == *"Wrong PIN"* ]] && [ "$(sql "SELECT count(*) FROM audit WHERE action = '"'"'pin-failure'"'"' AND actor_id = '"'"'S0002'"'"'")" = 1 ]'
chmod 644 s2.pin
out=$("$EC" resident add --staff S0002 --pin-file s2.pin --name 赵敏 --dob 1941-02-03 2>&1); rc=$?
check "a PIN file others can read is refused" '[ $rc -eq 1 ] && [[ "$out" == *"chmod 600"* ]]'
chmod 600 s2.pin
id=$("$EC" resident add --staff S0002 --pin-file s2.pin --name 王秀英 --pinyin "Wang Xiuying" --sex female \
      --dob 1941-03-08 --unit 3栋2单元501 --phone 139-0000-1234 --blood A+ --dnr dnr \
      --directive 卧室抽屉 --condition "高血压|I10|2008" \
      --allergy "青霉素|medication|high|呼吸困难|severe|confirmed" \
      --medication "氨氯地平|5 mg|口服|早|" --contact "李娜|女儿|139-0000-5678,010-5550-0101|1|yes" 2>/dev/null); rc=$?
check "resident add prints the new id" '[ $rc -eq 0 ] && [[ "$id" =~ ^[0-9a-f]{16}$ ]]'
check "… and logs it as staff S0002, after a sign-in" '[ "$(sql "SELECT count(*) FROM audit WHERE action = '"'"'resident-add'"'"' AND actor_id = '"'"'S0002'"'"'")" = 1 ] && [ "$(sql "SELECT count(*) FROM audit WHERE action = '"'"'staff-signin'"'"' AND actor_id = '"'"'S0002'"'"'")" = 1 ]'

out=$("$EC" resident add --name 赵敏 --dob 1941-02-30 2>&1); rc=$?
check "an impossible date is refused, naming the field" '[ $rc -eq 1 ] && [[ "$out" == *date_of_birth* ]]'
out=$("$EC" resident add --name 赵敏 --allergy "花生|snack|high" 2>&1); rc=$?
check "an unknown allergy category is refused" '[ $rc -eq 1 ] && [[ "$out" == *category* ]]'

out=$("$EC" resident search wang xiu 2>&1); rc=$?
check "search by pinyin prefix finds her" '[ $rc -eq 0 ] && [[ "$out" == *"$id"* ]]'
out=$("$EC" resident search 王秀英 2>&1)
check "search by Chinese name" '[[ "$out" == *"$id"* ]]'
out=$("$EC" resident search 13900001234 2>&1)
check "search by phone, any spelling" '[[ "$out" == *"$id"* ]]'
uid=$(sql "SELECT uid FROM cards WHERE status = 0 LIMIT 1")
out=$("$EC" resident search "$uid" 2>&1); rc=$?
check "search by card UID" '[ $rc -eq 0 ] && [ "$(echo "$out" | wc -l)" = 2 ]'
before=$(sql "SELECT count(*) FROM audit")
"$EC" resident search wang >/dev/null 2>&1
check "search shows no medical data and is not logged" '[ "$(sql "SELECT count(*) FROM audit")" = "$before" ]'

out=$("$EC" resident show "$id" 2>&1); rc=$?
check "show without a reason is refused" '[ $rc -eq 1 ] && [[ "$out" == *--reason* ]] && [ "$(sql "SELECT count(*) FROM audit")" = "$before" ]'
out=$("$EC" resident show "$id" --staff S0002 --pin-file s2.pin --reason "home visit" 2>&1); rc=$?
check "show with a reason prints the record" '[ $rc -eq 0 ] && [[ "$out" == *青霉素* ]] && [[ "$out" == *"criticality high"* ]] && [[ "$out" == *李娜* ]]'
check "… and the view is logged with its reason" '[ "$(sql "SELECT reason FROM audit WHERE action = '"'"'view'"'"' ORDER BY seq DESC LIMIT 1")" = "home visit" ]'
out=$("$EC" resident show "$id" --actor nurse:N0001 --purpose nurse-check --json 2>&1); rc=$?
check "show --json as a nurse" '[ $rc -eq 0 ] && [[ "$out" == *"\"allergy_status\" : \"recorded\""* ]]'
check "… an unchecked --actor is logged as this machine user's claim, not as N0001" '[ "$(sql "SELECT count(*) FROM audit WHERE actor_id = '"'"'N0001'"'"'")" = 0 ] && [ "$(sql "SELECT count(*) FROM audit WHERE actor_id = '"'"'cli:'"$(id -un)"'/claims:N0001'"'"'")" = 1 ]'

out=$("$EC" resident edit "$id" --staff S0003 --pin-file s3.pin --medication "氨氯地平|10 mg|口服|早|" 2>&1); rc=$?
check "edit bumps the record version" '[ $rc -eq 0 ] && [ "$(sql "SELECT record_version FROM residents WHERE id = (SELECT resident_id FROM audit WHERE action = '"'"'resident-update'"'"')")" = 2 ]'
check "… the unchanged allergy keeps its author" '[ "$(sql "SELECT updated_by FROM allergies WHERE resident_id = (SELECT resident_id FROM audit WHERE action = '"'"'resident-update'"'"')")" = S0002 ]'

"$EC" export --csv -o all.csv 2>/dev/null; rc=$?
check "export --csv writes a private file" '[ $rc -eq 0 ] && [ "$(stat -c %a all.csv)" = 600 ] && [ "$(grep -c . all.csv)" -ge 122 ]'
"$EC" db init --db copy.db >/dev/null 2>&1
out=$("$EC" import all.csv --db copy.db 2>&1); rc=$?
check "the export imports into a fresh database" '[ $rc -eq 0 ] && [[ "$out" == *"imported 121 of 121"* ]]'
"$EC" export --json -o all.json 2>/dev/null
check "export --json is JSON with every resident" '[ "$(grep -c "\"name_zh\"" all.json)" = 121 ]'

printf 'name_zh,date_of_birth,sex\n李四,1940-01-01,male\n张三,1940-13-01,male\n王五,1939-05-05,robot\n' > bad.csv
out=$("$EC" import bad.csv 2>&1); rc=$?
check "a bad row stops the whole import, naming file, line and column" '[ $rc -eq 1 ] && [[ "$out" == *"bad.csv:3:2:"* ]] && [ "$(sql "SELECT count(*) FROM residents WHERE name_zh = '"'"'李四'"'"'")" = 0 ]'
out=$("$EC" import bad.csv --skip-bad 2>&1); rc=$?
check "--skip-bad imports the good rows and lists the bad" '[ $rc -eq 0 ] && [[ "$out" == *"imported 1 of 3"* ]] && [[ "$out" == *"bad.csv:4:3:"* ]]'

out=$("$EC" audit verify 2>&1); rc=$?
check "audit verify: chain intact" '[ $rc -eq 0 ] && [[ "$out" == *"hash chain intact"* ]]'
"$EC" audit checkpoint cp.txt >/dev/null 2>&1
sqlite3 "$ELDERCARD_DB" "DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit);"
out=$("$EC" audit verify --checkpoint cp.txt 2>&1); rc=$?
check "truncation after a checkpoint is caught" '[ $rc -eq 1 ] && [[ "$out" == *truncated* ]]'
sqlite3 "$ELDERCARD_DB" "DROP TRIGGER audit_append_only_update; UPDATE audit SET reason = 'nothing to see' WHERE seq = 3;"
out=$("$EC" audit verify 2>&1); rc=$?
check "a changed entry is caught, by number" '[ $rc -eq 1 ] && [[ "$out" == *"entry 3"* ]]'

# Control characters: refused when written, escaped when a row already holds them
# (written by an older version or another tool straight into the file).
out=$("$EC" resident add --name "$(printf '王\033[2J秀英')" --dob 1941-03-08 2>&1); rc=$?
check "a name with an escape sequence is refused" '[ $rc -eq 1 ] && [[ "$out" == *"control character"* ]]'
printf 'name_zh,date_of_birth\n%s,1941-03-08\n' "$(printf '\342\200\256英秀王')" > bidi.csv
out=$("$EC" import bidi.csv 2>&1); rc=$?
check "CSV import refuses a bidi override in a name" '[ $rc -eq 1 ] && [[ "$out" == *"control character"* ]]'
sql "UPDATE residents SET name_zh = '王' || char(27) || ']0;owned' || char(7) || char(8238) || '秀英' WHERE id = (SELECT id FROM residents WHERE name_zh = '王秀英' LIMIT 1)"
out=$("$EC" resident list 2>&1)
check "resident list escapes what it did not make (ESC, BEL, U+202E)" '! grep -q $'"'"'\033\|\007\|\342\200\256'"'"' <<<"$out" && [[ "$out" == *'"'"'王\x1b]0;owned\x07\u202e秀英'"'"'* ]]'
out=$("$EC" resident show "$id" --actor admin:test --reason "check escaping" 2>&1)
check "resident show escapes it too" '! grep -q $'"'"'\033'"'"' <<<"$out" && [[ "$out" == *'"'"'\x1b]0;owned'"'"'* ]]'

out=$("$EC" backup backup.db --db copy.db 2>&1); rc=$?
check "backup writes a verified copy" '[ $rc -eq 0 ] && [[ "$out" == *"integrity_check ok"* ]] && [ "$(sqlite3 backup.db "SELECT count(*) FROM residents")" = 121 ]'
out=$("$EC" resident remove "$id" --db copy.db --actor staff:S0002 2>&1); rc=$?
check "remove needs a reason" '[ $rc -eq 2 ] && [[ "$out" == *--reason* ]]'
out=$("$EC" resident remove "$id" --db copy.db --actor staff:S0002 --reason "moved away" 2>&1); rc=$?
check "remove deletes the resident with all entries" '[ $rc -eq 0 ] && [ "$(sqlite3 copy.db "SELECT count(*) FROM residents WHERE name_zh = '"'"'王秀英'"'"'")" = 0 ] && [ "$(sqlite3 copy.db "SELECT count(*) FROM conditions WHERE text = '"'"'高血压'"'"' AND resident_id NOT IN (SELECT id FROM residents)")" = 0 ]'
