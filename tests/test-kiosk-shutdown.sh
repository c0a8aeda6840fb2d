#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The kiosk ends cleanly on SIGTERM (systemctl stop, a shutdown): its database
# connections are closed, so no -wal is left behind and the next start does not take the
# stop for an unclean shutdown (which makes the first open run quick_check: seconds on a
# large database; docs/database.md). Runs under xvfb (tests/run-tests.sh). Prints TAP.
set -u
: "${EC_BUILD_DIR:?}"
kiosk="$EC_BUILD_DIR/eldercard-kiosk"
E="$EC_BUILD_DIR/eldercard"
tmp=$(mktemp -d)
pid=
cleanup () { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' TERM INT
n=0; fail=0
ok () { n=$((n+1)); echo "ok $n - $1"; }
bad () { n=$((n+1)); fail=1; echo "not ok $n - $1"; }
echo "1..3"

export GSK_RENDERER=cairo NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory LC_ALL=C.UTF-8 LIBNFC_AUTO_SCAN=false
"$E" db init --db "$tmp/ec.db" >/dev/null 2>&1
mkdir -m 700 "$tmp/keys"
printf '[database]\npath=%s\n[reader]\ndevice=pn532_uart:%s/no-reader\n[keys]\ndir=%s\n' \
  "$tmp/ec.db" "$tmp" "$tmp/keys" > "$tmp/kiosk.conf"
"$kiosk" --config "$tmp/kiosk.conf" > "$tmp/kiosk.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do [ -e "$tmp/ec.db-wal" ] && break; sleep 0.1; done
if [ -e "$tmp/ec.db-wal" ]; then ok "the kiosk opened the database"
else bad "the kiosk opened the database (no -wal within 30 s)"; sed 's/^/# /' "$tmp/kiosk.log"; fi
sleep 1
kill -TERM "$pid"
rc=124
for _ in $(seq 1 100); do
  if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; rc=$?; break; fi
  sleep 0.1
done
pid_was=$pid; [ "$rc" -ne 124 ] && pid=
[ "$rc" -eq 0 ] && ok "SIGTERM ends the kiosk with exit 0" \
  || { bad "SIGTERM ends the kiosk with exit 0 (got $rc, pid $pid_was)"; sed 's/^/# /' "$tmp/kiosk.log"; }
if [ ! -e "$tmp/ec.db-wal" ] && [ ! -e "$tmp/ec.db-eclock" ]; then
  ok "the database was closed cleanly: no -wal or lock file left"
else
  bad "the database was closed cleanly: no -wal or lock file left"; ls -la "$tmp" | sed 's/^/# /'
fi
exit $fail
