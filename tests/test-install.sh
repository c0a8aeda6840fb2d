#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make install / make uninstall into a temporary DESTDIR (build-aux/install.mk): the tree,
# the modes, the validators (desktop-file-validate, appstreamcli, groff, systemd-analyze),
# an edited config and a database surviving reinstall and uninstall, the kiosk-less
# install, and nothing of ours left after uninstall. Never builds. Prints TAP.
set -u
: "${EC_BUILD_DIR:?}"
src=${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }
check () { local desc=$1; shift; if "$@"; then ok "$desc"; else notok "$desc"; fi; }
mode () { stat -c %a "$1" 2>/dev/null; }

# The make we run must not inherit the enclosing `make check`'s flags or jobserver.
mk () {
  (cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL EC_DEPS_CHECKED=1 \
     make --no-print-directory BUILDDIR="$EC_BUILD_DIR" PREFIX=/usr "$@")
}

emu_built=0; [ -x "$EC_BUILD_DIR/pn532-emu" ] && emu_built=1
helper_built=0; [ -x "$EC_BUILD_DIR/eldercard-nfc-helper" ] && helper_built=1
# Until the kiosk is built, a stand-in executable takes its place so that the kiosk half
# of the install (binary, desktop file, metainfo, icon, man page, unit) is still checked.
kiosk=$EC_BUILD_DIR/eldercard-kiosk
kiosk_what="kiosk"
if [ ! -x "$kiosk" ]; then
  kiosk=$tmp/stand-in/eldercard-kiosk; kiosk_what="kiosk (a stand-in: not built yet)"
  mkdir -p "$tmp/stand-in"; printf '#!/bin/sh\nexit 0\n' >"$kiosk"; chmod 755 "$kiosk"
fi

echo "1..40"

# --- 1. install --------------------------------------------------------------------
if mk install DESTDIR="$dest" KIOSK="$kiosk" >"$tmp/install.log" 2>&1; then ok "make install DESTDIR=… PREFIX=/usr"
else notok "make install DESTDIR=… PREFIX=/usr"; sed 's/^/# /' "$tmp/install.log"; fi
if grep -qE '^(cc|gcc|clang|ar|msgfmt) |^  (CC|AR|LINK|MSGFMT|GEN|RES) ' "$tmp/install.log"; then notok "install compiled something"; sed 's/^/# /' "$tmp/install.log"
else ok "install only copies (no compiler, ar or msgfmt run)"; fi

check "eldercard installed 0755 and runs" \
  test "$(mode "$dest/usr/bin/eldercard")" = 755 -a "$("$dest/usr/bin/eldercard" --version)" = "eldercard $(sed -n 's/^VERSION := //p' "$src/Makefile")"
if [ $helper_built = 1 ]; then
  check "NFC helper installed 0755 as libexec/eldercard/eldercard-nfc-helper" \
    test "$(mode "$dest/usr/libexec/eldercard/eldercard-nfc-helper")" = 755
else
  check "NFC helper not built: not installed, and install warns" \
    test ! -e "$dest/usr/libexec/eldercard/eldercard-nfc-helper" -a -n "$(grep 'cannot use a reader' "$tmp/install.log")"
fi
check "the test emulator pn532-emu is not installed with the product" \
  test -z "$(find "$dest" -name 'pn532-emu*')"
check "$kiosk_what installed 0755 with desktop file, metainfo, icon, man page, unit" \
  test "$(mode "$dest/usr/bin/eldercard-kiosk")" = 755 \
    -a -f "$dest/usr/share/applications/org.eldercard.Kiosk.desktop" \
    -a -f "$dest/usr/share/metainfo/org.eldercard.Kiosk.metainfo.xml" \
    -a -f "$dest/usr/share/icons/hicolor/scalable/apps/org.eldercard.Kiosk.svg" \
    -a -f "$dest/usr/share/man/man1/eldercard-kiosk.1" \
    -a -f "$dest/usr/lib/systemd/system/eldercard-kiosk.service"

mos_ok=1; nmo=0
for mo in "$EC_BUILD_DIR"/locale/*/LC_MESSAGES/eldercard.mo; do
  [ -e "$mo" ] || continue
  lang=$(basename "$(dirname "$(dirname "$mo")")")
  cmp -s "$mo" "$dest/usr/share/locale/$lang/LC_MESSAGES/eldercard.mo" || mos_ok=0
  nmo=$((nmo + 1))
done
if [ $nmo -eq 0 ]; then ok "translations: none built in $EC_BUILD_DIR/locale, none installed # SKIP po/ is empty"
else check "all $nmo built translations installed under share/locale" test $mos_ok = 1; fi

check "bash completion in share/bash-completion/completions/eldercard, 0644" \
  test "$(mode "$dest/usr/share/bash-completion/completions/eldercard")" = 644
check "config /etc/eldercard/eldercard.conf 0644, the shipped one" \
  test "$(mode "$dest/etc/eldercard/eldercard.conf")" = 644 -a -z "$(cmp "$src/data/eldercard.conf" "$dest/etc/eldercard/eldercard.conf" 2>&1)"
check "config names reader, database, keys, kiosk and data settings" \
  grep -q '^path=/var/lib/eldercard/eldercard.db$' "$dest/etc/eldercard/eldercard.conf"
check "/var/lib/eldercard is 0750" test "$(mode "$dest/var/lib/eldercard")" = 750
check "/etc/eldercard/keys is 0750 (read-only to the kiosk group)" test "$(mode "$dest/etc/eldercard/keys")" = 750
check "udev rules in /usr/lib/udev/rules.d, 0644, as shipped" \
  cmp -s "$src/udev/70-eldercard-nfc.rules" "$dest/usr/lib/udev/rules.d/70-eldercard-nfc.rules"
check "modprobe blacklist in /etc/modprobe.d" \
  test "$(mode "$dest/etc/modprobe.d/eldercard-blacklist-pn533.conf")" = 644
check "readers table and optional serial rules in share/eldercard/udev" \
  test -f "$dest/usr/share/eldercard/udev/readers.tsv" -a -f "$dest/usr/share/eldercard/udev/71-eldercard-pn532-serial.rules"
check "sysusers.d and tmpfiles.d entries installed" \
  test -f "$dest/usr/lib/sysusers.d/eldercard.conf" -a -f "$dest/usr/lib/tmpfiles.d/eldercard.conf"
check "no binary or config is group/world writable" \
  test -z "$(find "$dest" -type f -perm /022)"

if mk install-emulator DESTDIR="$tmp/emu" >"$tmp/emu.log" 2>&1 && [ "$(mode "$tmp/emu/usr/libexec/eldercard/pn532-emu")" = 755 ] \
   && [ "$(find "$tmp/emu" -type f | wc -l)" = 1 ]; then
  ok "make install-emulator installs only libexec/eldercard/pn532-emu"
else
  notok "make install-emulator"; sed 's/^/# /' "$tmp/emu.log"
fi

# --- 2. validators ---------------------------------------------------------------------
desktop=$dest/usr/share/applications/org.eldercard.Kiosk.desktop
metainfo=$dest/usr/share/metainfo/org.eldercard.Kiosk.metainfo.xml
if out=$(desktop-file-validate "$desktop" 2>&1) && [ -z "$out" ]; then ok "desktop-file-validate $(basename "$desktop")"
else notok "desktop-file-validate"; printf '%s\n' "$out" | sed 's/^/# /'; fi
# --pedantic: its one remark, that the id has capitals, is the reverse-DNS application id
# GNOME uses (org.gnome.TextEditor); renaming the application is not worth that remark.
out=$(appstreamcli validate --pedantic --no-net "$metainfo" 2>&1); rc=$?
other=$(grep -E '^[EWIP]: ' <<<"$out" | grep -v ': cid-contains-uppercase-letter ')
if [ $rc -eq 0 ] && [ -z "$other" ]; then ok "appstreamcli validate --pedantic --no-net $(basename "$metainfo")"
else notok "appstreamcli validate --pedantic"; printf '%s\n' "$out" | sed 's/^/# /'; fi
# Translations merged from po/ by msgfmt --desktop / --xml, not written by hand.
check "desktop file and metainfo carry the zh_CN translations from po/zh_CN.po" \
  bash -c "grep -qx 'Name\[zh_CN\]=长者卡读卡终端' '$desktop' && grep -qx 'Keywords\[zh_CN\]=NFC;紧急;长者;老人;卡;居民;' '$desktop' \
    && grep -q '<summary xml:lang=\"zh_CN\">读取长者紧急信息 NFC 卡</summary>' '$metainfo' \
    && grep -q '<p xml:lang=\"zh_CN\">社区服务站为长者居民发放' '$metainfo' \
    && ! grep -q '\[zh_CN\]\|xml:lang' '$src/data/org.eldercard.Kiosk.desktop.in' '$src/data/org.eldercard.Kiosk.metainfo.xml.in'"
man_ok=1
for page in eldercard.1 eldercard-kiosk.1; do
  out=$(groff -t -man -ww -z -Tutf8 "$src/docs/man/$page" 2>&1)
  [ -z "$out" ] || { man_ok=0; printf '%s\n' "$out" | sed "s/^/# $page: /"; }
  groff -t -man -Tutf8 -P -cbou "$src/docs/man/$page" 2>/dev/null | grep -q "^SYNOPSIS" || man_ok=0
done
check "man pages render without groff warnings" test $man_ok = 1

unit=$dest/usr/lib/systemd/system/eldercard-kiosk.service
check "unit starts cage -- /usr/bin/eldercard-kiosk --kiosk with the installed paths" \
  test -n "$(grep -x 'ExecStart=/usr/bin/cage -d -- /usr/bin/eldercard-kiosk --kiosk --config /etc/eldercard/eldercard.conf' "$unit")" \
  -a -z "$(grep '@[A-Z]*@' "$unit")"
# Installed programs find their files from their own location (src/core/ec-paths.h),
# here under DESTDIR: the drug table, the translations and the NFC helper.
printf '{"allergy_status":"recorded","allergies":[{"substance":"鸡蛋","category":"food","criticality":"low"}]}' >"$tmp/egg.json"
out=$(env -u ELDERCARD_DATADIR -u ELDERCARD_LOCALEDIR LC_ALL=C.UTF-8 \
      "$dest/usr/bin/eldercard" allergy-check --lang en --allergies-file "$tmp/egg.json" 流感疫苗 2>&1); rc=$?
if [ $rc -eq 3 ] && grep -q 'CAUTION' <<<"$out"; then ok "installed eldercard reads the installed drug table (share/eldercard)"
else notok "installed eldercard reads the installed drug table (exit $rc)"; printf '%s\n' "$out" | sed 's/^/# /'; fi
if [ $nmo -gt 0 ]; then
  check "installed eldercard speaks Chinese from the installed share/locale" \
    bash -c "env -u ELDERCARD_LOCALEDIR LC_ALL=C.UTF-8 LANGUAGE=zh_CN '$dest/usr/bin/eldercard' --help | grep -q '命令'"
else
  notok "no translations built: cannot check the installed ones"
fi
if [ $helper_built = 1 ]; then
  check "installed eldercard doctor finds the installed NFC helper" \
    bash -c "env -u ELDERCARD_NFC_HELPER LC_ALL=C.UTF-8 '$dest/usr/bin/eldercard' doctor --config /dev/null 2>&1 | grep -qF 'NFC helper $dest/usr/libexec/eldercard/eldercard-nfc-helper'"
else
  notok "the NFC helper is not built: cannot check that the installed one is found"
fi
# No path of the build in anything installed (strings sees the debug information too).
leaks=""
for f in $(find "$dest" -type f); do
  if strings -a "$f" | grep -qF -e "$(cd "$EC_BUILD_DIR" && pwd -P)" -e "$(cd "$src" && pwd -P)/"; then
    leaks="$leaks ${f#$dest}"
  fi
done
if [ -z "$leaks" ]; then ok "no installed file contains the build or source directory's path"
else notok "the build or source path is in:$leaks"; fi
check "unit: Restart=always, TTYPath=/dev/tty1, PAMName=login, ProtectSystem=strict" \
  bash -c "grep -qx Restart=always '$unit' && grep -qx TTYPath=/dev/tty1 '$unit' && grep -qx PAMName=login '$unit' && grep -qx ProtectSystem=strict '$unit' && grep -qx ReadWritePaths=/var/lib/eldercard '$unit'"
if command -v systemd-analyze >/dev/null; then
  # cage is not installed on the build machine; anything else systemd-analyze says is a fault.
  out=$(systemd-analyze verify --man=no "$unit" 2>&1 | grep -v 'Command /usr/bin/cage is not executable')
  if [ -z "$out" ]; then ok "systemd-analyze verify finds nothing but the absent cage"
  else notok "systemd-analyze verify"; printf '%s\n' "$out" | sed 's/^/# /'; fi
  # The lock-down, as systemd scores it (0 = fully confined, 10 = not at all).
  out=$(systemd-analyze security --offline=true "$unit" 2>&1 | tail -n 1 | LC_ALL=C tr -cd '\40-\176')
  if systemd-analyze security --offline=true --threshold=25 "$unit" >/dev/null 2>&1; then
    ok "systemd-analyze security: ${out# }"
  else
    notok "systemd-analyze security above 2.5: $out"
  fi
else
  ok "systemd-analyze verify # SKIP systemd-analyze not installed"
  ok "systemd-analyze security # SKIP systemd-analyze not installed"
fi

# sysusers + tmpfiles, applied to the DESTDIR: user "eldercard" and directory ownership.
if [ "$(id -u)" = 0 ] && command -v systemd-sysusers >/dev/null && command -v systemd-tmpfiles >/dev/null; then
  mkdir -p "$tmp/sys/etc" "$tmp/sys/var/lib" "$tmp/sys/etc/eldercard"
  if systemd-sysusers --root="$tmp/sys" "$dest/usr/lib/sysusers.d/eldercard.conf" >/dev/null 2>&1 \
     && grep -q '^eldercard:x:[0-9]*:[0-9]*:eldercard kiosk:/var/lib/eldercard:/usr/sbin/nologin$' "$tmp/sys/etc/passwd" \
     && systemd-tmpfiles --root="$tmp/sys" --create "$dest/usr/lib/tmpfiles.d/eldercard.conf" >/dev/null 2>&1 \
     && [ "$(stat -c '%a %u' "$tmp/sys/var/lib/eldercard")" = "750 $(awk -F: '$1=="eldercard"{print $3}' "$tmp/sys/etc/passwd")" ] \
     && [ "$(stat -c '%a %u %g' "$tmp/sys/etc/eldercard/keys")" = "750 0 $(awk -F: '$1=="eldercard"{print $3}' "$tmp/sys/etc/group")" ] \
     && ! grep -q '^[dZz] /etc/eldercard/keys .* eldercard eldercard' "$dest/usr/lib/tmpfiles.d/eldercard.conf"; then
    ok "systemd-sysusers creates user eldercard; systemd-tmpfiles gives it a 0750 data dir and a root-owned 0750 key dir (group eldercard)"
  else
    notok "sysusers/tmpfiles on a scratch root"
  fi
else
  ok "sysusers/tmpfiles on a scratch root # SKIP needs root and systemd tools"
fi

# --- 3. uninstall: nothing of ours left ---------------------------------------------------
if mk uninstall DESTDIR="$dest" >"$tmp/uninstall.log" 2>&1; then ok "make uninstall"
else notok "make uninstall"; sed 's/^/# /' "$tmp/uninstall.log"; fi
left=$(find "$dest" -type f; find "$dest" -depth -type d -name '*eldercard*')
if [ -z "$left" ]; then ok "nothing of ours left after uninstall"
else notok "left after uninstall"; printf '%s\n' "$left" | sed 's/^/# /'; fi

# --- 4. an administrator's config and database survive reinstall and uninstall ----------
mk install DESTDIR="$dest" KIOSK="$kiosk" >/dev/null 2>&1
printf '\n[reader]\ndevice=pn532_uart:/dev/ttyUSB0\n' >>"$dest/etc/eldercard/eldercard.conf"
echo "not really a database" >"$dest/var/lib/eldercard/eldercard.db"
mk install DESTDIR="$dest" KIOSK="$kiosk" >"$tmp/reinstall.log" 2>&1
check "reinstall keeps the edited config and ships eldercard.conf.dist beside it" \
  test -n "$(grep 'pn532_uart:/dev/ttyUSB0' "$dest/etc/eldercard/eldercard.conf")" \
    -a -f "$dest/etc/eldercard/eldercard.conf.dist"
check "reinstall says so" grep -q 'keeping your /etc/eldercard/eldercard.conf' "$tmp/reinstall.log"
mk uninstall DESTDIR="$dest" >"$tmp/uninstall2.log" 2>&1
check "uninstall keeps the edited config and the database" \
  test -f "$dest/etc/eldercard/eldercard.conf" -a -f "$dest/var/lib/eldercard/eldercard.db" -a ! -e "$dest/usr/bin/eldercard"
check "uninstall says what it kept" grep -q 'keeping /var/lib/eldercard (not empty)' "$tmp/uninstall2.log"

# --- 5. without a kiosk or emulator built, and without a CLI -------------------------------
rm -rf "$dest"
if mk install DESTDIR="$dest" KIOSK="$tmp/absent-kiosk" EMU="$tmp/absent-emu" EC_INST_NFC_HELPER="$tmp/absent-helper" >"$tmp/nokiosk.log" 2>&1 \
   && [ -x "$dest/usr/bin/eldercard" ] && [ ! -e "$dest/usr/bin/eldercard-kiosk" ] \
   && [ ! -e "$dest/usr/share/applications/org.eldercard.Kiosk.desktop" ] \
   && [ ! -e "$dest/usr/libexec/eldercard" ] && grep -q 'not built, kiosk' "$tmp/nokiosk.log"; then
  ok "install without a built kiosk, emulator or helper installs the rest and says so"
else
  notok "install without a built kiosk"; sed 's/^/# /' "$tmp/nokiosk.log"
fi
rm -rf "$dest"
if mk install DESTDIR="$dest" CLI="$tmp/absent-cli" >"$tmp/nocli.log" 2>&1; then
  notok "install without a built CLI succeeded"
else
  check "install without a built CLI stops and says what to run" grep -q "is not built; run 'make BUILDDIR=" "$tmp/nocli.log"
fi
check "… having installed nothing" test ! -e "$dest"
