#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# eldercard sync as staff use it (docs/sync.md): export at the station, import on a
# kiosk from a "USB stick" directory, the refusals with exit status 1 and nothing
# changed, status, and the audit log carried back and merged.
set -u
: "${EC_BUILD_DIR:?}" "${EC_SOURCE_DIR:?}"
EC="$EC_BUILD_DIR/tests/eldercard-test"   # test build: cheap Argon2id (tests/eldercard-test-cli.c)
export LC_ALL=C.UTF-8 LANGUAGE=C
unset ELDERCARD_DB ELDERCARD_KEYS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
nok () { n=$((n + 1)); echo "not ok $n - $1"; }
check () { if eval "$2"; then ok "$1"; else nok "$1"; echo "# $out" | head -n 5; fi; }
echo "1..16"

printf 'a test sync passphrase\n' > pass && chmod 600 pass
"$EC" community create --keys keys --passphrase-file pass >/dev/null
"$EC" station add --keys keys --id 12 --name 幸福里社区服务站 --root-passphrase-file pass --passphrase-file pass >/dev/null
"$EC" kiosk-bundle export --keys keys --out kiosk-keys >/dev/null
"$EC" db init --db station.db >/dev/null
"$EC" demo generate --db station.db --residents 30 --seed 4 >/dev/null
"$EC" db init --db kiosk.db >/dev/null
printf '[database]\npath=%s/kiosk.db\n[keys]\ndir=%s/kiosk-keys\n[kiosk]\nrole=responder\nid=kiosk-07\n[data]\nmax-age-days=7\n' \
  "$work" "$work" > kiosk.conf
mkdir usb

out=$("$EC" sync export --db station.db --keys keys --role responder -o usb/b1.ecbundle --passphrase-file pass 2>&1); rc=$?
check "export writes bundle 1 (exit 0)" '[ $rc -eq 0 ] && [[ "$out" == *"bundle 1 of station 12 for responder kiosks: 30 residents"* ]]'
check "the bundle file is 0600" '[ "$(stat -c %a usb/b1.ecbundle)" = 600 ]'
out=$("$EC" sync export --db station.db --keys keys --role firefighter -o x.ecbundle --passphrase-file pass 2>&1); rc=$?
check "an unknown role is a usage error (exit 2)" '[ $rc -eq 2 ]'

out=$("$EC" sync status --config kiosk.conf 2>&1); rc=$?
check "status before any bundle warns" '[ $rc -eq 0 ] && [[ "$out" == *"No data update received yet"* ]] && [[ "$out" == *WARNING* ]]'

out=$("$EC" sync import usb --config kiosk.conf 2>&1); rc=$?
check "import from the stick applies 30 residents (exit 0)" '[ $rc -eq 0 ] && [[ "$out" == *"Applied usb/b1.ecbundle"* ]] && [[ "$out" == *"30 residents"* ]]'
out=$("$EC" resident search --db kiosk.db wang 2>&1)
check "the kiosk finds residents after the import" '[ -n "$out" ]'

out=$("$EC" sync status --config kiosk.conf 2>&1); rc=$?
check "status names station 12 and the data's age" '[ $rc -eq 0 ] && [[ "$out" == *"station 12: bundle 1 (responder)"* ]] && [[ "$out" == *"Data from less than an hour ago"* ]] && [[ "$out" != *WARNING* ]]'

# What the kiosk holds: every resident's identity and the applied bundle.
snapshot () { "$EC" resident list --db kiosk.db 2>&1; "$EC" sync status --db kiosk.db 2>&1 | head -n 1; }
snap1=$(snapshot)

out=$("$EC" sync import usb/b1.ecbundle --config kiosk.conf 2>&1); rc=$?
check "the same bundle again is refused as older (exit 1)" '[ $rc -eq 1 ] && [[ "$out" == *"REFUSED (older)"* ]] && [[ "$out" == *"Nothing was changed"* ]]'

"$EC" sync export --db station.db --keys keys --role responder -o b2.ecbundle --passphrase-file pass >/dev/null
size=$(stat -c %s b2.ecbundle)
head -c $((size / 2)) b2.ecbundle > usb/b2-cut.ecbundle
out=$("$EC" sync import usb/b2-cut.ecbundle --config kiosk.conf 2>&1); rc=$?
check "a truncated bundle is refused (exit 1)" '[ $rc -eq 1 ] && [[ "$out" == *"REFUSED (truncated)"* ]]'
python3 -c "import sys; b=bytearray(open('b2.ecbundle','rb').read()); b[200]^=1; open('usb/b2-bad.ecbundle','wb').write(b)"
out=$("$EC" sync import usb/b2-bad.ecbundle --config kiosk.conf 2>&1); rc=$?
check "a tampered bundle is refused (exit 1)" '[ $rc -eq 1 ] && [[ "$out" == *"REFUSED (tampered)"* ]]'
"$EC" sync export --db station.db --keys keys --role nurse -o nurse.ecbundle --passphrase-file pass >/dev/null
out=$("$EC" sync import nurse.ecbundle --config kiosk.conf 2>&1); rc=$?
check "a nurse bundle on a responder kiosk is refused (exit 1)" '[ $rc -eq 1 ] && [[ "$out" == *"REFUSED (wrong-role)"* ]]'
check "nothing changed on the kiosk after the refusals" '[ "$(snapshot)" = "$snap1" ] && [ $(printf "%s\n" "$snap1" | wc -l) -gt 30 ]'

out=$("$EC" sync import b2.ecbundle --config kiosk.conf 2>&1); rc=$?
check "the newer bundle applies (exit 0)" '[ $rc -eq 0 ] && [[ "$out" == *"bundle 2 of station 12"* ]]'

out=$("$EC" sync audit-export --config kiosk.conf -o usb/kiosk-07.ecaudit 2>&1); rc=$?
check "audit export from the kiosk (exit 0, key made 0600)" '[ $rc -eq 0 ] && [[ "$out" == *"kiosk kiosk-07, audit entries 1.."* ]] && [ "$(stat -c %a kiosk-audit.key)" = 600 ]'
out=$("$EC" sync audit-import --db station.db usb/kiosk-07.ecaudit 2>&1); rc=$?
check "audit import at the station (exit 0)" '[ $rc -eq 0 ] && [[ "$out" == *"kiosk kiosk-07"* ]] && [[ "$out" == *" new, chain head "* ]]'
python3 -c "b=bytearray(open('usb/kiosk-07.ecaudit','rb').read()); b[-90]^=4; open('bad.ecaudit','wb').write(b)"
out=$("$EC" sync audit-import --db station.db bad.ecaudit 2>&1); rc=$?
check "a tampered audit export is refused (exit 1)" '[ $rc -eq 1 ] && [[ "$out" == *"REFUSED (tampered)"* ]]'
