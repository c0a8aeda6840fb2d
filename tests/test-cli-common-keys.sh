#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The common option --keys DIR works with `eldercard pepper init` and `eldercard staff`
# as docs/cli.md and the station guide say (issue 18: "Unknown option --keys").
set -u
: "${EC_BUILD_DIR:?}"
EC="$EC_BUILD_DIR/eldercard"
export ELDERCARD_TEST_FAST_KDF=1      # test-only Argon2id cost (see ec-pin.h)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
unset ELDERCARD_KEYS
export ELDERCARD_DB="$work/station.db"

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
nok () { n=$((n + 1)); echo "not ok $n - $1"; }
check () { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

echo "1..5"

mkdir -m 700 station-keys
out=$("$EC" pepper init --keys "$work/station-keys" 2>&1); rc=$?
check "pepper init --keys DIR is accepted" '[ $rc -eq 0 ] && [[ "$out" != *"Unknown option"* ]]'
check "the pepper is made in DIR, owner only" '[ "$(stat -c %a station-keys/pin-pepper.key)" = 600 ] && [ ! -e keys ]'
out=$("$EC" pepper init --keys="$work/other" 2>&1); rc=$?
check "pepper init --keys=DIR too" '[ $rc -eq 0 ] && [ -f other/pin-pepper.key ]'
"$EC" db init >/dev/null 2>&1
printf '582946\n582946\n' > pin.txt
out=$("$EC" staff add A001 --name 李主任 --role admin --pin-file pin.txt --keys "$work/station-keys" 2>&1); rc=$?
check "staff add … --keys DIR uses the pepper in DIR" '[ $rc -eq 0 ] && [ ! -e keys ]'
out=$("$EC" staff signin-test A001 --pin-file pin.txt -k "$work/station-keys" 2>&1); rc=$?
check "staff signin-test -k DIR signs in with it" '[ $rc -eq 0 ]'
