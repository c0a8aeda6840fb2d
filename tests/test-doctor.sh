#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# eldercard doctor on this machine (no NFC reader): the "no reader" failure and its fix,
# key directories with good and bad modes, a missing or damaged database, a wrong
# config, an impossible connstring; on a fake /sys + /proc (--sysroot): an ACR122U held
# by the kernel's pn533_usb and by pcscd, a CH340 adapter; with the PN532 emulator when
# it is built: a reader that answers and one that hangs (killed within --timeout).
# Prints TAP.
set -u
: "${EC_BUILD_DIR:?}"
src=${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
cli=$EC_BUILD_DIR/eldercard
emu=$EC_BUILD_DIR/pn532-emu
tmp=$(mktemp -d)
emu_pid=
cleanup () {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  chmod -R u+rwx "$tmp" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# doctor OUTFILE ARGS…: run doctor (bounded), return its exit status.
doctor () {
  local out=$1; shift
  timeout 60 "$cli" doctor --config "$src/data/eldercard.conf" --timeout 5 "$@" >"$out" 2>&1
}
# expect DESC FILE PATTERN…: every (extended regex) pattern is in the file.
expect () {
  local desc=$1 file=$2; shift 2
  for p in "$@"; do
    if ! grep -qE -- "$p" "$file"; then notok "$desc"; echo "# missing: $p"; sed 's/^/# /' "$file"; return; fi
  done
  ok "$desc"
}

# A real kiosk bundle, made the way a station makes one (docs/keys.md): community keys,
# one station, then `kiosk-bundle export`. Fictional passphrases.
printf 'fictional root passphrase for tests 1\n' >"$tmp/root.pass"
printf 'fictional station passphrase for tests 2\n' >"$tmp/station.pass"
"$cli" community create --keys "$tmp/station-keys" --passphrase-file "$tmp/root.pass" >"$tmp/keys.log" 2>&1 &&
"$cli" station add --keys "$tmp/station-keys" --id 1 --name "Demo station" \
  --root-passphrase-file "$tmp/root.pass" --passphrase-file "$tmp/station.pass" >>"$tmp/keys.log" 2>&1 &&
"$cli" kiosk-bundle export --keys "$tmp/station-keys" --out "$tmp/keys" >>"$tmp/keys.log" 2>&1 &&
"$cli" kiosk-bundle export --keys "$tmp/station-keys" --out "$tmp/keys-noread" --no-read-key >>"$tmp/keys.log" 2>&1 \
  || { echo "Bail out! could not make a kiosk bundle"; sed 's/^/# /' "$tmp/keys.log"; exit 1; }

echo "1..36"

# --- 1. no reader on this machine ---------------------------------------------------
LIBNFC_AUTO_SCAN=false doctor "$tmp/noscan.out" --keys "$tmp/keys" --db "$tmp/absent.db"
rc=$?
if [ $rc -eq 1 ]; then ok "no reader: doctor exits 1"; else notok "no reader: exit $rc, expected 1"; fi
expect "no reader, autodetection off: FAIL with the connstring fix" "$tmp/noscan.out" \
  '^FAIL no reader: libnfc sees no NFC device$' \
  '^     fix: autodetection is off: turn it back on for a USB reader, or set \[reader\] device=' \
  '^FAIL no reader configured and libnfc autodetection is off'

env -u LIBNFC_AUTO_SCAN "$cli" doctor --config "$src/data/eldercard.conf" --timeout 10 --keys "$tmp/keys" \
  --db "$tmp/absent.db" >"$tmp/scan.out" 2>&1
if grep -q '^ok   libnfc opened' "$tmp/scan.out"; then
  skip "no reader, autodetection on: plug-in fix" "a real reader is attached to this machine"
else
  expect "no reader, autodetection on: FAIL with the plug-in fix" "$tmp/scan.out" \
    '^FAIL no reader: libnfc sees no NFC device$' '^     fix: plug in a reader \(ACR122U'
fi
expect "each line is ok, warn or FAIL (or an indented detail) and a summary ends it" "$tmp/scan.out" \
  '^[0-9]+ ok, [0-9]+ warnings, [0-9]+ failures$'
if grep -vqE '^(ok  |warn|FAIL|     |$|[0-9]+ ok, )' "$tmp/scan.out"; then
  notok "unexpected line shape"; sed 's/^/# /' "$tmp/scan.out"
else
  ok "output lines are all status lines, details or the summary"
fi

expect "the NFC helper the kiosk runs libnfc in is found" "$tmp/noscan.out" '^ok   NFC helper /'
ELDERCARD_NFC_HELPER=$tmp/no-such-helper LIBNFC_AUTO_SCAN=false doctor "$tmp/nohelper.out" \
  --keys "$tmp/keys" --db "$tmp/absent.db"
expect "a missing NFC helper: FAIL, no card can be read" "$tmp/nohelper.out" \
  '^FAIL eldercard-nfc-helper, the process that runs libnfc for the kiosk, is missing' \
  "looked at: $tmp/no-such-helper"

# --- 2. keys ---------------------------------------------------------------------------
expect "a kiosk bundle loads as the kiosk loads it" "$tmp/noscan.out" \
  "^ok   keys in $tmp/keys: community root, 1 station certificate\(s\), 1 read key\(s\)$"
cp -r "$tmp/keys" "$tmp/badkeys"
chmod 755 "$tmp/badkeys"; chmod 644 "$tmp/badkeys/community/read.key"
LIBNFC_AUTO_SCAN=false doctor "$tmp/badkeys.out" --keys "$tmp/badkeys" --db "$tmp/absent.db"
# Root's key directory may be group-readable (750, read keys 640); anyone else's is 700/600.
if [ "$(id -u)" = 0 ]; then dmode=750 fmode=640; else dmode=700 fmode=600; fi
expect "key directory 0755 and read key 0644: FAIL with chmod fixes" "$tmp/badkeys.out" \
  "^FAIL key directory $tmp/badkeys is mode 0755" "^     fix: chmod $dmode $tmp/badkeys$" \
  "^FAIL key file $tmp/badkeys/community/read.key is mode 0644" "^     fix: chmod $fmode $tmp/badkeys/community/read.key$"
# A kiosk's /etc/eldercard/keys (docs/deploy.md, the packages): root:eldercard, directories
# 0750, read keys 0640, trust anchors 0644. As root here, or as root of a user namespace
# (the files are then root's inside it), the same rules eldercard loads keys with.
cp -r "$tmp/keys" "$tmp/rootkeys"
find "$tmp/rootkeys" -type d -exec chmod 0750 {} +
find "$tmp/rootkeys" -type f -name '*.key' -exec chmod 0640 {} +
find "$tmp/rootkeys" -type f ! -name '*.key' -exec chmod 0644 {} +
cp -r "$tmp/rootkeys" "$tmp/rootkeys-w"
chmod 0664 "$tmp/rootkeys-w/community/root.pub"
asroot=()
[ "$(id -u)" = 0 ] || asroot=(unshare --map-root-user)
if "${asroot[@]}" true 2>/dev/null; then
  LIBNFC_AUTO_SCAN=false "${asroot[@]}" env "cli=$cli" "src=$src" bash -c \
    'timeout 60 "$cli" doctor --config "$src/data/eldercard.conf" --timeout 5 "$@"' doctor \
    --keys "$tmp/rootkeys" --db "$tmp/absent.db" >"$tmp/rootkeys.out" 2>&1
  if grep -qE "^ok   keys in $tmp/rootkeys: community root, 1 station certificate\(s\), 1 read key\(s\)$" "$tmp/rootkeys.out" \
     && ! grep -q "^FAIL key" "$tmp/rootkeys.out"; then
    ok "root's group-readable key directory (0750, read key 0640) is accepted"
  else
    notok "root's group-readable key directory refused"; sed 's/^/# /' "$tmp/rootkeys.out"
  fi
  LIBNFC_AUTO_SCAN=false "${asroot[@]}" env "cli=$cli" "src=$src" bash -c \
    'timeout 60 "$cli" doctor --config "$src/data/eldercard.conf" --timeout 5 "$@"' doctor \
    --keys "$tmp/rootkeys-w" --db "$tmp/absent.db" >"$tmp/rootkeys-w.out" 2>&1
  expect "a group-writable trust anchor: FAIL, chmod go-w" "$tmp/rootkeys-w.out" \
    "^FAIL trust anchor $tmp/rootkeys-w/community/root.pub is mode 0664" \
    "^     fix: chmod go-w $tmp/rootkeys-w/community/root.pub$"
else
  skip "root's group-readable key directory is accepted" "not root and no user namespaces"
  skip "a group-writable trust anchor: FAIL" "not root and no user namespaces"
fi
mkdir -m 700 "$tmp/emptykeys"
LIBNFC_AUTO_SCAN=false doctor "$tmp/empty.out" --keys "$tmp/emptykeys" --db "$tmp/absent.db"
expect "empty key directory: FAIL, copy the kiosk bundle" "$tmp/empty.out" \
  "^FAIL the keys in $tmp/emptykeys do not load: " "kiosk-bundle export"
LIBNFC_AUTO_SCAN=false doctor "$tmp/noread.out" --keys "$tmp/keys-noread" --db "$tmp/absent.db"
expect "bundle without read keys: warn that summaries cannot be shown" "$tmp/noread.out" \
  "^warn keys in $tmp/keys-noread: 1 station certificate\(s\) but no read key"
LIBNFC_AUTO_SCAN=false doctor "$tmp/stationkeys.out" --keys "$tmp/station-keys" --db "$tmp/absent.db"
expect "signing secrets on a kiosk: warn, remove them" "$tmp/stationkeys.out" \
  "^warn $tmp/station-keys/community/root.key is a signing secret" \
  "^warn $tmp/station-keys/stations/1.key is a signing secret"

# --- 3. database, config, connstring ------------------------------------------------------
expect "missing database: FAIL with where to get it" "$tmp/noscan.out" \
  "^FAIL database $tmp/absent.db does not exist" "^     fix: copy the station's database"
head -c 4096 /dev/urandom >"$tmp/garbage.db"
LIBNFC_AUTO_SCAN=false doctor "$tmp/garbage.out" --keys "$tmp/keys" --db "$tmp/garbage.db"
expect "a file that is not a database: FAIL, restore from backup" "$tmp/garbage.out" \
  "^FAIL database $tmp/garbage.db does not open: " "^     fix: restore the database"

# A damaged page in a database that was closed cleanly: opening trusts the file (no
# quick_check on every open, docs/database.md); doctor checks it and says so.
"$cli" demo generate --db "$tmp/damaged.db" --actor staff:S1 -n 300 >/dev/null 2>&1
pg=$(sqlite3 "$tmp/damaged.db" "SELECT pageno FROM dbstat WHERE name = 'residents' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 5")
printf '%1024s' '' | tr ' ' '\245' | dd of="$tmp/damaged.db" bs=4096 seek=$((pg - 1)) conv=notrunc status=none
LIBNFC_AUTO_SCAN=false doctor "$tmp/damaged.out" --keys "$tmp/keys" --db "$tmp/damaged.db"
expect "a damaged page in a cleanly closed database: FAIL, restore from backup" "$tmp/damaged.out" \
  "^FAIL database $tmp/damaged.db is damaged: " "^     fix: restore the database"

printf '[kiosk]\nrole=captain\n' >"$tmp/bad.conf"
LIBNFC_AUTO_SCAN=false timeout 60 "$cli" doctor --config "$tmp/bad.conf" --timeout 5 --keys "$tmp/keys" \
  --db "$tmp/absent.db" >"$tmp/badconf.out" 2>&1
expect "a config value the kiosk would refuse: FAIL" "$tmp/badconf.out" "^FAIL configuration $tmp/bad.conf: .*role"
expect "the shipped config loads as the kiosk loads it" "$tmp/noscan.out" "^ok   configuration $src/data/eldercard.conf$"

doctor "$tmp/pcsc.out" --device pcsc:x --keys "$tmp/keys" --db "$tmp/absent.db"
expect "a connstring for a driver Debian's libnfc lacks: FAIL" "$tmp/pcsc.out" \
  '^FAIL connstring "pcsc:x" \(from --device\): libnfc 1.8.0 as built by Debian has no driver "pcsc"'
doctor "$tmp/bareusb.out" --device acr122_usb: --keys "$tmp/keys" --db "$tmp/absent.db"
expect "a bare acr122_usb: connstring is refused and libnfc is not run with it" "$tmp/bareusb.out" \
  '^FAIL connstring "acr122_usb:" \(from --device\) names no USB bus and device' \
  '^     fix: leave the connstring empty' '^FAIL libnfc not probed'
doctor "$tmp/tty.out" --device pn532_uart:"$tmp/ttyNONE" --keys "$tmp/keys" --db "$tmp/absent.db"
expect "a serial connstring whose port is absent: FAIL, and libnfc cannot open it" "$tmp/tty.out" \
  "^FAIL connstring \"pn532_uart:$tmp/ttyNONE\" \(from --device\): $tmp/ttyNONE does not exist" \
  "^FAIL (libnfc found but could not open the reader|no reader)"

# --- 4. a fake /sys and /proc: ACR122U held by pn533_usb and pcscd, a CH340 adapter ---
root=$tmp/sysroot
dev=$root/sys/bus/usb/devices
mkdir -p "$dev/1-2/1-2:1.0" "$dev/1-3/1-3:1.0/ttyUSB0" "$root/sys/bus/usb/drivers/pn533_usb" \
  "$root/proc/4242" "$root/dev/bus/usb/001" "$root/etc/nfc"
printf '072f\n' >"$dev/1-2/idVendor"; printf '2200\n' >"$dev/1-2/idProduct"
printf '1\n' >"$dev/1-2/busnum"; printf '5\n' >"$dev/1-2/devnum"
ln -s ../../../../bus/usb/drivers/pn533_usb "$dev/1-2/1-2:1.0/driver"
printf '1a86\n' >"$dev/1-3/idVendor"; printf '7523\n' >"$dev/1-3/idProduct"
printf '1\n' >"$dev/1-3/busnum"; printf '6\n' >"$dev/1-3/devnum"
: >"$root/dev/bus/usb/001/005"; : >"$root/dev/ttyUSB0"
printf 'pn533_usb 20480 0 - Live 0x0\npn533 45056 1 pn533_usb, Live 0x0\nnfc 135168 1 pn533, Live 0x0\n' >"$root/proc/modules"
printf 'pcscd\n' >"$root/proc/4242/comm"
mkdir -p "$root/proc/4343"; printf 'eldercard-nfc-h\n' >"$root/proc/4343/comm"
printf '# as docs/hardware.md suggests for a PN532 on a serial adapter\ndevice.name = "PN532 on USB serial"\ndevice.connstring = "pn532_uart:/dev/ttyUSB0"\n' >"$root/etc/nfc/libnfc.conf"
LIBNFC_AUTO_SCAN=false doctor "$tmp/sysroot.out" --sysroot "$root" --keys "$tmp/keys" --db "$tmp/absent.db"
expect "ACR122U found at its /dev/bus/usb node" "$tmp/sysroot.out" \
  "^(ok  |FAIL) reader 072f:2200 \(ACS ACR122\) at /dev/bus/usb/001/005"
expect "kernel pn533_usb holding the reader: FAIL with modprobe -r and the blacklist" "$tmp/sysroot.out" \
  "^FAIL the kernel's pn533_usb driver holds reader 072f:2200" \
  "^FAIL kernel NFC modules loaded: pn533_usb pn533 nfc" "^     fix: sudo modprobe -r pn533_usb pn533 nfc" \
  "^warn no modprobe blacklist for pn533_usb"
expect "no udev rules and no group eldercard: warnings with make install / sysusers" "$tmp/sysroot.out" \
  '^warn udev rules 70-eldercard-nfc.rules are not installed' '^warn group eldercard does not exist' \
  '^     fix: sudo systemd-sysusers'
expect "pcscd running with an ACR122U plugged in: FAIL, mask pcscd" "$tmp/sysroot.out" \
  "^FAIL pcscd is running \(pid 4242\) and an ACR122-family reader is plugged in" \
  "^     fix: sudo systemctl mask --now pcscd.socket pcscd.service"
expect "a running kiosk holds the reader: warn, stop it before checking" "$tmp/sysroot.out" \
  '^warn an eldercard reader process is running \(pid 4343\)' '^     fix: sudo systemctl stop eldercard-kiosk'
expect "CH340 adapter, and the PN532 behind it configured in /etc/nfc/libnfc.conf" "$tmp/sysroot.out" \
  "USB-serial adapter 1a86:7523 \(WCH CH340 USB-serial bridge \(generic\)\) at /dev/ttyUSB0" \
  '^ok   reader connstring "pn532_uart:/dev/ttyUSB0" \(from /etc/nfc \(device.connstring\)\), port accessible$' \
  '^warn libnfc not probed: --sysroot'

# After `make install`: the rules, the group and the blacklist are there.
mkdir -p "$root/usr/local/lib/udev/rules.d" "$root/etc/modprobe.d"
cp "$src/udev/70-eldercard-nfc.rules" "$root/usr/local/lib/udev/rules.d/"
cp "$src/udev/eldercard-blacklist-pn533.conf" "$root/etc/modprobe.d/"
printf 'root:x:0:\neldercard:x:998:\n' >"$root/etc/group"
LIBNFC_AUTO_SCAN=false doctor "$tmp/installed.out" --sysroot "$root" --keys "$tmp/keys" --db "$tmp/absent.db"
if grep -qE '^warn (udev rules|group eldercard|no modprobe blacklist)' "$tmp/installed.out"; then
  notok "installed rules, group and blacklist are recognised"; sed 's/^/# /' "$tmp/installed.out"
else
  expect "installed rules, group and blacklist are recognised" "$tmp/installed.out" \
    '^ok   udev rules 70-eldercard-nfc.rules in /usr/local/lib/udev/rules.d$' '^ok   group eldercard exists$'
fi

# The same ACR122U node, unreadable for the user running doctor: the permission FAIL and
# its fix. As root, run doctor as "nobody" (root passes every access check).
chmod 0600 "$root/dev/bus/usb/001/005"
as_user=()
if [ "$(id -u)" = 0 ]; then
  if command -v setpriv >/dev/null; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  fi
else
  chmod 0000 "$root/dev/bus/usb/001/005"
fi
if [ "$(id -u)" = 0 ] && [ ${#as_user[@]} -eq 0 ]; then
  skip "reader node without access: FAIL with the udev/group fix" "root without setpriv"
else
  chmod 0755 "$tmp" "$root"
  LIBNFC_AUTO_SCAN=false timeout 60 "${as_user[@]}" "$cli" doctor --config "$src/data/eldercard.conf" \
    --timeout 5 --sysroot "$root" --keys "$tmp/keys" --db "$tmp/absent.db" >"$tmp/noaccess.out" 2>&1
  expect "reader node without access: FAIL with the udev/group fix" "$tmp/noaccess.out" \
    '^FAIL reader 072f:2200 \(ACS ACR122\) at /dev/bus/usb/001/005: no read/write access \(Permission denied\)$' \
    '^     fix: install udev/70-eldercard-nfc.rules .*group eldercard'
  chmod 0700 "$tmp"
fi

# --- 5. the known-reader table is udev/readers.tsv's -----------------------------------------
if diff <("$cli" doctor --list-readers | cut -f1,2 | LC_ALL=C sort) \
        <(grep -v '^#' "$src/udev/readers.tsv" | cut -f1,3 | LC_ALL=C sort) >"$tmp/diff" 2>&1; then
  ok "doctor's reader table matches udev/readers.tsv (ids and drivers)"
else
  notok "doctor's reader table differs from udev/readers.tsv"; sed 's/^/# /' "$tmp/diff"
fi

# --- 6. with the PN532 emulator: a reader that answers, then one that hangs --------------
if [ -x "$emu" ]; then
  "$emu" --link "$tmp/pn532" --control "$tmp/ctl" --tag ntag215 >"$tmp/emu.out" 2>&1 &
  emu_pid=$!
  for _ in $(seq 100); do grep -q '^ready' "$tmp/emu.out" && break; sleep 0.05; done
  "$cli" db init --db "$tmp/good.db" >/dev/null 2>&1
  doctor "$tmp/emu-ok.out" --device "pn532_uart:$tmp/pn532" --keys "$tmp/keys" --db "$tmp/good.db"
  rc=$?
  expect "emulated PN532: libnfc opens it and it answers" "$tmp/emu-ok.out" \
    "^ok   libnfc opened .*pn532_uart:$tmp/pn532"
  if [ $rc -eq 0 ] && grep -q "^ok   database $tmp/good.db opens, quick_check ok" "$tmp/emu-ok.out" \
     && grep -qE '^[0-9]+ ok, [0-9]+ warnings, 0 failures$' "$tmp/emu-ok.out"; then
    ok "working reader, keys and database: no failure, exit 0"
  else
    notok "working setup: exit $rc"; sed 's/^/# /' "$tmp/emu-ok.out"
  fi
  "$emu" ctl "$tmp/ctl" stall >/dev/null 2>&1
  start=$(date +%s)
  doctor "$tmp/emu-stall.out" --device "pn532_uart:$tmp/pn532" --keys "$tmp/keys" --db "$tmp/absent.db" --timeout 2
  secs=$(( $(date +%s) - start ))
  if [ "$secs" -le 8 ] && grep -qE '^FAIL (libnfc did not finish within 2 s \(killed\)|libnfc found but could not open)' "$tmp/emu-stall.out"; then
    ok "stalled reader: doctor reports it and finishes in ${secs}s"
  else
    notok "stalled reader: ${secs}s"; sed 's/^/# /' "$tmp/emu-stall.out"
  fi
  kill "$emu_pid" 2>/dev/null; wait "$emu_pid" 2>/dev/null; emu_pid=
  # A reader that answers, but so slowly (1200 baud) that libnfc is still busy when the
  # deadline passes: the probe child is killed and doctor carries on.
  "$emu" --link "$tmp/slow" --control "$tmp/slowctl" --tag ntag215 --pace 1200 >"$tmp/slow.out" 2>&1 &
  emu_pid=$!
  for _ in $(seq 100); do grep -q '^ready' "$tmp/slow.out" && break; sleep 0.05; done
  start=$(date +%s)
  doctor "$tmp/emu-slow.out" --device "pn532_uart:$tmp/slow" --keys "$tmp/keys" --db "$tmp/absent.db" --timeout 1
  secs=$(( $(date +%s) - start ))
  if [ "$secs" -le 6 ] && grep -qE '^FAIL libnfc did not finish within 1 s \(killed\)' "$tmp/emu-slow.out" \
     && grep -qE '^FAIL database ' "$tmp/emu-slow.out"; then
    ok "reader slower than --timeout: probe killed after 1 s, later checks still run (${secs}s)"
  else
    notok "slow reader: ${secs}s"; sed 's/^/# /' "$tmp/emu-slow.out"
  fi
else
  skip "emulated PN532: libnfc opens it and it answers" "pn532-emu not built"
  skip "working reader, keys and database: no failure, exit 0" "pn532-emu not built"
  skip "stalled reader: doctor reports it and finishes" "pn532-emu not built"
  skip "reader slower than --timeout: probe killed" "pn532-emu not built"
fi

# --- 7. every run above was clean under ASan/UBSan/LSan (make check SANITIZE=1) ------------
if grep -lE 'Sanitizer|runtime error:' "$tmp"/*.out >"$tmp/san.list" 2>/dev/null; then
  notok "sanitizer reports in doctor runs"; sed 's/^/# /' "$tmp/san.list"
else
  ok "no sanitizer report in any doctor run"
fi
