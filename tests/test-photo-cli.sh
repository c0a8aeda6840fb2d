#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# eldercard resident add/edit --photo: a photo straight from a phone (4000 × 3000,
# 4 MiB, EXIF orientation and a GPS position) is stored reduced to at most 600 × 800
# and 256 KiB, without its EXIF; a small photo that already fits is stored byte for
# byte; a file cut off or that is no picture is refused and changes nothing.
set -u
: "${EC_BUILD_DIR:?}" "${EC_SOURCE_DIR:?}"
EC="$EC_BUILD_DIR/eldercard"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export ELDERCARD_DB="$work/station.db" LANGUAGE=C LC_ALL=C.UTF-8

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
nok () { n=$((n + 1)); echo "not ok $n - $1"; }
check () { if eval "$2"; then ok "$1"; else nok "$1"; fi; }
sql () { sqlite3 "$ELDERCARD_DB" "$1"; }
hexfile () { od -An -v -tx1 "$1" | tr -d ' \n' | tr a-f A-F; }

echo "1..9"

EC_TEST_WRITE_PHONE_JPEG="$work/big.jpg" "$EC_BUILD_DIR/tests/test-photo-prepare"
size=$(stat -c %s big.jpg 2>/dev/null || echo 0)
check "a phone's photo to start from: over 2 MiB" '[ "$size" -gt 2097152 ]'

"$EC" db init >/dev/null 2>&1
id=$("$EC" resident add --actor admin:test --name 王秀英 --dob 1941-03-08 2>/dev/null)

out=$("$EC" resident edit "$id" --actor admin:test --photo big.jpg 2>&1); rc=$?
check "resident edit --photo big.jpg is taken, saying how it was reduced" \
  '[ $rc -eq 0 ] && [[ "$out" == *"Photo: image/jpeg, "*"reduced from 4000 × 3000, "*"MiB)"* ]]'
len=$(sql "SELECT length(photo) FROM residents")
check "… the stored photo is a JPEG of at most 256 KiB" \
  '[ "$(sql "SELECT photo_mime FROM residents")" = image/jpeg ] && [ "$len" -gt 0 ] && [ "$len" -le 262144 ]'
check "… without the phone's EXIF (no GPS position)" \
  '[ "$(sql "SELECT instr(photo, CAST('"'"'Exif'"'"' AS BLOB)) FROM residents")" = 0 ]'
# SOF0 (FFC0), length 0011, 8 bits, then height and width: 800 × 600, portrait.
check "… baseline, upright: 600 wide, 800 high" \
  '[[ "$(sql "SELECT hex(photo) FROM residents")" == *FFC000110803200258* ]]'

printf 'not a photo\n' > notes.txt
head -c 100000 big.jpg > cut.jpg
out=$("$EC" resident edit "$id" --actor admin:test --photo cut.jpg 2>&1); rc=$?
check "a copy cut off is refused, saying so" '[ $rc -eq 1 ] && [[ "$out" == *"cut off"* ]]'
out=$("$EC" resident edit "$id" --actor admin:test --photo notes.txt 2>&1); rc=$?
check "a text file is refused, saying it is no picture" '[ $rc -eq 1 ] && [[ "$out" == *"neither PNG nor JPEG"* ]]'
check "… and the stored photo is unchanged" '[ "$(sql "SELECT length(photo) FROM residents")" = "$len" ]'

small="$EC_SOURCE_DIR/tests/fuzz/corpus/fuzz-card-photo/tiny.png"
id2=$("$EC" resident add --actor admin:test --name 李建国 --photo "$small" 2>"$work/err")
check "a small PNG that already fits is stored byte for byte" \
  '[ "$(sql "SELECT hex(photo) FROM residents WHERE name_zh = '"'"'李建国'"'"'")" = "$(hexfile "$small")" ] && grep -q "kept as it is" "$work/err"'
