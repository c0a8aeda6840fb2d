#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Where eldercard finds its database and key directory when no option names them: the
# configuration file ($ELDERCARD_CONFIG, default /etc/eldercard/eldercard.conf) when it
# exists, overridden by ELDERCARD_DB / ELDERCARD_KEYS, overridden by --db / --keys; the
# current directory only without a file; a broken file stops it. Prints TAP.
set -u
: "${EC_BUILD_DIR:?}"
E="$EC_BUILD_DIR/eldercard"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset ELDERCARD_DB ELDERCARD_KEYS
export LC_ALL=C.UTF-8

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }
check () { local desc=$1; shift; if "$@"; then ok "$desc"; else notok "$desc"; fi; }

echo "1..8"
mkdir -p "$tmp/cwd" "$tmp/etc"
mkdir -m 700 "$tmp/etc/keys"
printf '[database]\npath=%s/etc/conf.db\n[keys]\ndir=%s/etc/keys\n' "$tmp" "$tmp" >"$tmp/etc/eldercard.conf"
cd "$tmp/cwd" || exit 1

export ELDERCARD_CONFIG="$tmp/etc/eldercard.conf"
"$E" db init >"$tmp/out" 2>&1
check "with a configuration file, db init uses its [database] path" \
  test -f "$tmp/etc/conf.db" -a ! -e "$tmp/cwd/eldercard.db"
"$E" pepper init >"$tmp/out" 2>&1
check "… and pepper init its [keys] dir" test -f "$tmp/etc/keys/pin-pepper.key"
ELDERCARD_DB="$tmp/env.db" "$E" db init >"$tmp/out" 2>&1
check "ELDERCARD_DB overrides the file" test -f "$tmp/env.db"
ELDERCARD_DB="$tmp/env.db" "$E" db init --db "$tmp/opt.db" >"$tmp/out" 2>&1
check "--db overrides ELDERCARD_DB" test -f "$tmp/opt.db"
out=$(ELDERCARD_KEYS="$tmp/nokeys" "$E" pepper init 2>&1)
check "ELDERCARD_KEYS overrides the file's [keys] dir" \
  bash -c "[ ! -e '$tmp/etc/keys/pin-pepper.key.new' ] && grep -qF '$tmp/nokeys' <<<\"\$1\"" _ "$out"

export ELDERCARD_CONFIG="$tmp/etc/absent.conf"
"$E" db init >"$tmp/out" 2>&1
check "without a file, the current directory's eldercard.db" test -f "$tmp/cwd/eldercard.db"

printf '[kiosk]\nidle-timeout=soon\n' >"$tmp/etc/bad.conf"
export ELDERCARD_CONFIG="$tmp/etc/bad.conf"
out=$("$E" db info 2>&1); rc=$?
check "a file that cannot be read stops it (exit 1) and names the file" \
  bash -c "[ $rc -eq 1 ] && grep -qF 'configuration file $tmp/etc/bad.conf' <<<\"\$1\"" _ "$out"
out=$("$E" db info --db "$tmp/opt.db" 2>&1); rc=$?
check "… unless the options name what it needs" test "$rc" -eq 0
