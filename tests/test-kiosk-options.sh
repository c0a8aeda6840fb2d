#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The kiosk's file options (--config, --db, --keys, --demo) are filename options, which
# GApplication hands over as bytestrings: reading them as strings silently dropped them.
# A named configuration file that does not exist must stop the kiosk with its name.
set -u
kiosk="$EC_BUILD_DIR/eldercard-kiosk"
n=0; fail=0
ok () { n=$((n+1)); echo "ok $n - $1"; }
bad () { n=$((n+1)); fail=1; echo "not ok $n - $1"; }
echo "1..3"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

out=$(timeout 20 "$kiosk" --config "$tmp/missing.conf" 2>&1); rc=$?
[ "$rc" -eq 2 ] && ok "--config with a missing file exits 2" || bad "--config with a missing file exits 2 (got $rc)"
case "$out" in *"$tmp/missing.conf"*) ok "the message names the file";; *) bad "the message names the file: $out";; esac

printf '[kiosk]\nidle-timeout=abc\n' > "$tmp/bad.conf"
timeout 20 "$kiosk" --config "$tmp/bad.conf" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] && ok "--config with an invalid file exits 2" || bad "--config with an invalid file exits 2 (got $rc)"
exit $fail
