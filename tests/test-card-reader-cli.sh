#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# eldercard card issue / read / watch / replace / revoke / import-dump through the real
# libnfc and the PN532 emulator, as station staff and a responder at a terminal use them:
# a card issued and locked, read back with the resident's record, every refusal a user
# meets (revoked, lost, replaced, not genuine, damaged, expired, unsupported type, no
# reader, a resident missing from the database), and the interop check: libnfc's own
# `nfc-mfultralight r` dumps a card eldercard issued and that dump verifies. Prints TAP.
set -u
: "${EC_BUILD_DIR:?}"
E="$EC_BUILD_DIR/tests/eldercard-test"   # test build: cheap Argon2id (tests/eldercard-test-cli.c)
EMU="$EC_BUILD_DIR/pn532-emu"
tmp=$(mktemp -d)
emu_pid=
cleanup () { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export ELDERCARD_DB="$tmp/ec.db"
export ELDERCARD_KEYS="$tmp/keys"
export LIBNFC_AUTO_SCAN=false
export LIBNFC_LOG_LEVEL=0
export LC_ALL=C.UTF-8
unset LIBNFC_DEFAULT_DEVICE LIBNFC_DEVICE ELDERCARD_DEVICE

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }
expect () {
  local want=$1 pat=$2 desc=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want" ]; then
    notok "$desc (exit $rc, want $want)"; printf '%s\n' "$out" | sed 's/^/# /'
  elif ! grep -qE -- "$pat" <<<"$out"; then
    notok "$desc (output)"; printf '%s\n' "$out" | sed 's/^/# /'
  else
    ok "$desc"
  fi
}
ctl () { "$EMU" ctl "$tmp/ctl" "$@" >/dev/null; }

echo "1..27"

# ---- a station: database, keys, two residents ----
printf 'root passphrase for the test\n' > "$tmp/root.pass"
printf 'station passphrase for the test\n' > "$tmp/station.pass"
"$E" db init >/dev/null 2>&1
"$E" community create --keys "$tmp/keys" --passphrase-file "$tmp/root.pass" >/dev/null 2>&1
"$E" station add --keys "$tmp/keys" --id 3 --name 测试服务站 --root-passphrase-file "$tmp/root.pass" \
     --passphrase-file "$tmp/station.pass" >/dev/null 2>&1
r1=$("$E" resident add --name 王测试 --pinyin "Wang Ceshi" \
       --allergy "青霉素|medication|high|过敏性休克|severe|confirmed" 2>/dev/null | head -n1)
r2=$("$E" resident add --name 李测试 --allergy-status none-known 2>/dev/null | head -n1)
if [ -z "$r1" ] || [ -z "$r2" ] || [ ! -f "$tmp/keys/stations/3.key" ]; then
  for i in $(seq 1 27); do echo "not ok $i - station setup failed"; done; exit 0
fi

"$EMU" --link "$tmp/link" --control "$tmp/ctl" > "$tmp/emu.out" &
emu_pid=$!
for _ in $(seq 1 100); do grep -q '^ready' "$tmp/emu.out" 2>/dev/null && break; sleep 0.05; done
dev="pn532_uart:$tmp/link"
issue () { "$E" card "$1" "$2" --device "$dev" --station 3 --passphrase-file "$tmp/station.pass" --wait 3 "${@:3}"; }

# ---- issue and read ----
ctl place ntag215 04a1a2a3a4a5a6
out=$(issue issue "$r1" 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q 'locked permanently' <<<"$out" && ok "card issue writes, verifies and locks a card" \
  || { notok "card issue writes, verifies and locks a card"; echo "$out" | sed 's/^/# /'; }
grep -q 'Writing .* pages' <<<"$out" && grep -q 'Verifying' <<<"$out" && grep -q 'Locking' <<<"$out" \
  && ok "card issue prints progress lines" || notok "card issue prints progress lines"
out=$(issue issue "$r1" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'already has an active card' <<<"$out" && ok "a second issue for the same resident says to use replace" \
  || { notok "a second issue for the same resident says to use replace"; echo "$out" | sed 's/^/# /'; }
expect 0 '!! 青霉素' "card read prints the verified card and the emergency record" \
  "$E" card read --device "$dev" --wait 3
expect 0 'Genuine card' "card read says the card is genuine" "$E" card read --device "$dev" --wait 3
printf '[reader]\ndevice=%s\n' "$dev" > "$tmp/eldercard.conf"
expect 0 'Genuine card' "card read takes the reader from the configuration file's [reader] device=" \
  "$E" card read --config "$tmp/eldercard.conf" --wait 3
"$EMU" ctl "$tmp/ctl" save "$tmp/r1.tag" >/dev/null
expect 0 'Card 04a1a2a3a4a5a6 detected.*|Genuine card' "card watch reports the tapped card and the record (--count 1)" \
  timeout 15 "$E" card watch --device "$dev" --count 1

# ---- interop: nfc-mfultralight reads what eldercard wrote ----
if command -v nfc-mfultralight >/dev/null; then
  LIBNFC_DEFAULT_DEVICE="$dev" timeout 20 nfc-mfultralight r "$tmp/dump.mfd" >/dev/null 2>&1
  expect 0 'Wrote .*ntag215' "card import-dump converts the nfc-mfultralight dump" \
    "$E" card import-dump "$tmp/dump.mfd" "$tmp/dump.tag"
  expect 0 'uid: 04a1a2a3a4a5a6' "the nfc-mfultralight dump of an issued card verifies (card verify)" \
    "$E" card verify "$tmp/dump.tag"
else
  ok "# SKIP nfc-mfultralight not installed (libnfc-examples)"
  ok "# SKIP nfc-mfultralight not installed (libnfc-examples)"
fi

# ---- a resident missing from this database ----
expect 0 'not in this database: showing the card' "a genuine card of a resident this database lacks shows the card's summary" \
  env ELDERCARD_DB="$tmp/other.db" sh -c "'$E' db init >/dev/null 2>&1; '$E' card read --device '$dev' --wait 3"

# ---- what was not checked is said (the tap service, as on the kiosk) ----
expect 0 'No database was consulted' "card read --no-db says the database was not consulted" \
  "$E" card read --device "$dev" --wait 3 --no-db
expect 0 'revocation could not be checked' "card read with a database that cannot be opened shows the card, revocation not checked" \
  "$E" card read --device "$dev" --wait 3 --db "$tmp/no-such-dir/ec.db"
before=$("$E" audit list 2>/dev/null | grep -c 'card-refused')
sed 's/^\(10: ..\) ../\1 5a/' "$tmp/r1.tag" > "$tmp/edited0.tag"
"$EMU" ctl "$tmp/ctl" place-image "$tmp/edited0.tag" >/dev/null
"$E" card read --device "$dev" --wait 3 >/dev/null 2>&1
after=$("$E" audit list 2>/dev/null | grep -c 'card-refused')
[ "$after" -eq $((before + 1)) ] && ok "card read audits a refused card once (card-refused)" \
  || notok "card read audits a refused card once (card-refused) ($before → $after)"
"$EMU" ctl "$tmp/ctl" place-image "$tmp/r1.tag" >/dev/null

# ---- replace: the old card is refused ----
ctl place ntag216 04b1b2b3b4b5b6
expect 0 'seq 2' "card replace writes seq 2" issue replace "$r1"
"$EMU" ctl "$tmp/ctl" save "$tmp/r1b.tag" >/dev/null
ctl place-image "$tmp/r1.tag"
expect 1 'REFUSED: replaced' "the replaced card is refused" "$E" card read --device "$dev" --wait 3

# ---- revoke and lost ----
ctl place ntag213 04c1c2c3c4c5c6
expect 0 'issued' "card issue on an NTAG213 (reference profile)" issue issue "$r2"
expect 0 'revoked' "card revoke by UID" "$E" card revoke 04c1c2c3c4c5c6 --reason "test"
expect 1 'REFUSED: revoked' "a revoked card is refused" "$E" card read --device "$dev" --wait 3
ctl place-image "$tmp/r1b.tag"
expect 0 'marked lost' "card revoke RESIDENT --lost marks the active card lost" "$E" card revoke "$r1" --lost
expect 1 'REFUSED: reported lost' "a lost card is refused" "$E" card read --device "$dev" --wait 3

# ---- not genuine, damaged, expired, unsupported, blank ----
sed 's/^\(10: ..\) ../\1 5a/' "$tmp/r1.tag" > "$tmp/edited.tag"
ctl place-image "$tmp/edited.tag"
expect 1 'REFUSED: (not genuine|damaged)' "an edited card is refused" "$E" card read --device "$dev" --wait 3
ctl place ntag215 04d1d2d3d4d5d6
expect 1 'REFUSED: not an eldercard card' "a blank NTAG is not an eldercard card" "$E" card read --device "$dev" --wait 3
ctl place-mfc1k
expect 1 'REFUSED: unsupported type' "a MIFARE Classic card is an unsupported type" "$E" card read --device "$dev" --wait 3
ctl place-iso14443-4
expect 1 'REFUSED: unsupported type' "a bank-card-like ISO 14443-4 card is an unsupported type" "$E" card read --device "$dev" --wait 3
tomorrow=$(date -u -d tomorrow +%F); later=$(date -u -d '+3 days' +%F)
ctl place ntag215 04e1e2e3e4e5e6
expect 0 'issued' "a card with an expiry date is issued" issue issue "$r2" --expires "$tomorrow"
expect 1 'REFUSED: expired' "an expired card is refused" "$E" card read --device "$dev" --wait 3 --now "$later"

# ---- no reader ----
expect 1 'No NFC reader' "no reader: a clear message with the next step" \
  "$E" card read --device "pn532_uart:$tmp/no-such-reader" --wait 1
