#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Lint the shipped udev rules and modprobe file (udev/check.sh), and prove the linter
# catches the mistakes that would leave a kiosk without its reader: an assignment where
# a match was meant, an unquoted value, an upper-case or unknown id, a duplicate, an
# unsorted list, a missing reader, a missing LABEL, a file sorting after 73-seat-late.
# Prints TAP.
set -u
src=${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
check="$src/udev/check.sh"
readers="$src/udev/readers.tsv"
rules="$src/udev/70-eldercard-nfc.rules"
serial="$src/udev/71-eldercard-pn532-serial.rules"
modprobe="$src/udev/eldercard-blacklist-pn533.conf"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }
# expect_pass DESC CMD…
expect_pass () {
  local desc=$1; shift
  if out=$("$@" 2>&1); then ok "$desc"; else notok "$desc"; printf '%s\n' "$out" | sed 's/^/# /'; fi
}
# expect_fail DESC PATTERN CMD…: the command fails and says PATTERN.
expect_fail () {
  local desc=$1 pat=$2; shift 2
  if out=$("$@" 2>&1); then
    notok "$desc (accepted)"
  elif grep -qE -- "$pat" <<<"$out"; then
    ok "$desc"
  else
    notok "$desc (wrong message)"; printf '%s\n' "$out" | sed 's/^/# /'
  fi
}
# mutate NAME SED-SCRIPT [FILE]: a broken copy of the rules file under its own name.
mutate () {
  mkdir -p "$tmp/$1"
  sed "$2" "${3:-$rules}" >"$tmp/$1/$(basename "${3:-$rules}")"
  echo "$tmp/$1/$(basename "${3:-$rules}")"
}

echo "1..24"

expect_pass "shipped rules, serial rules and readers.tsv lint clean" \
  "$check" "$readers" "$rules" "$serial"
expect_pass "shipped modprobe blacklist lints clean" "$check" --modprobe "$modprobe"

# Every libnfc 1.8.0 USB id is there, with uaccess, the group and 0660.
usb_lines=$(grep -c '^SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="[0-9a-f]\{4\}", ATTR{idProduct}=="[0-9a-f]\{4\}", TAG+="uaccess", GROUP:="eldercard", MODE:="0660"$' "$rules")
if [ "$usb_lines" -eq 10 ]; then ok "10 USB reader lines with uaccess, group eldercard, 0660"; else notok "USB reader lines: $usb_lines, expected 10"; fi
missing=""
for id in 072f:2200 072f:90cc 072f:2214 04cc:0531 04cc:2533 04e6:5591 04e6:5594 054c:0193 1fd3:0608 054c:02e1; do
  grep -q "ATTR{idVendor}==\"${id%:*}\", ATTR{idProduct}==\"${id#*:}\"" "$rules" || missing="$missing $id"
done
if [ -z "$missing" ]; then ok "ACR122U, Touchatag, ACR1222, PN531, PN533, SCL3711/3712, LoGO, RC-S360 all granted"; else notok "missing:$missing"; fi
if grep -q 'GROUP' "$serial"; then notok "serial rules change the group of generic USB-serial adapters"; else ok "serial rules leave generic adapters in their group"; fi
# uaccess for a generic USB-serial chip only with the kiosk adapter's serial number.
bad_serial=$(grep 'TAG+="uaccess"' "$serial" | grep -vc 'ATTRS{serial}=="[^"]\+"')
if [ "$bad_serial" -eq 0 ]; then ok "serial rules grant uaccess only to one adapter (ATTRS{serial})"; else notok "$bad_serial serial rule lines grant uaccess to every adapter of a chip"; fi
expect_fail "uaccess for every adapter of a generic chip (no ATTRS{serial})" 'one adapter' \
  "$check" "$readers" "$(mutate anyserial 's/ATTRS{serial}=="[^"]*", //' "$serial")"

expect_fail "ATTR{idVendor}= (assignment) instead of ==" 'cannot parse|not in double quotes|is not in|idVendor and idProduct|uaccess' \
  "$check" "$readers" "$(mutate assign '0,/ATTR{idVendor}=="04cc"/s//ATTR{idVendor}="04cc"/')"
expect_fail "ATTRS{...} used as an assignment" 'takes == or !=' \
  "$check" "$readers" "$(mutate attrs 's/ATTRS{idVendor}=="1a86"/ATTRS{idVendor}="1a86"/' "$serial")"
expect_fail "unquoted value" 'not in double quotes' \
  "$check" "$readers" "$(mutate unquoted '0,/MODE:="0660"/s//MODE:=0660/')"
expect_fail "unknown key" 'unknown key FOO' \
  "$check" "$readers" "$(mutate unknownkey '/idProduct}=="2200"/s/TAG+="uaccess"/TAG+="uaccess", FOO="1"/')"
expect_fail "upper-case hex id" 'not 4 lowercase hex' \
  "$check" "$readers" "$(mutate upper 's/"072f"/"072F"/')"
expect_fail "id not in readers.tsv" 'not in .*readers.tsv' \
  "$check" "$readers" "$(mutate unknownid 's/ATTR{idProduct}=="90cc"/ATTR{idProduct}=="90cd"/')"
expect_fail "duplicate device" 'listed twice' \
  "$check" "$readers" "$(mutate dup '/idProduct}=="2533"/p')"
expect_fail "unsorted devices" 'out of order' \
  "$check" "$readers" "$(mutate unsorted '/idProduct}=="0531"/{h;d};/idProduct}=="2533"/G')"
expect_fail "a libnfc reader missing from the rules" 'missing' \
  "$check" "$readers" "$(mutate missing '/idProduct}=="2214"/d')"
expect_fail "USB rule without uaccess" 'does not get TAG' \
  "$check" "$readers" "$(mutate nouaccess '0,/ TAG+="uaccess",/s///')"
expect_fail "wrong group" 'expected "eldercard"' \
  "$check" "$readers" "$(mutate group '0,/GROUP:="eldercard"/s//GROUP:="plugdev"/')"
expect_fail "world-writable mode with the group" 'MODE="0660"' \
  "$check" "$readers" "$(mutate mode '0,/MODE:="0660"/s//MODE:="0666"/')"
expect_fail "GOTO without LABEL" 'has no LABEL' \
  "$check" "$readers" "$(mutate label '/^LABEL=/d')"
expect_fail "USB rule without ENV{DEVTYPE}" 'usb_device' \
  "$check" "$readers" "$(mutate devtype '0,/ ENV{DEVTYPE}=="usb_device",/s///')"

mkdir -p "$tmp/late"
cp "$rules" "$tmp/late/99-eldercard-nfc.rules"
sed 's/\t70-eldercard-nfc.rules\t/\t99-eldercard-nfc.rules\t/' "$readers" >"$tmp/late/readers.tsv"
expect_fail "uaccess in a file sorting after 73-seat-late.rules" 'before 73-seat-late' \
  "$check" "$tmp/late/readers.tsv" "$tmp/late/99-eldercard-nfc.rules"

printf 'blacklist nfc\nblacklist pn533\n' >"$tmp/bl.conf"
expect_fail "blacklist without pn533_usb" 'pn533_usb is not blacklisted' "$check" --modprobe "$tmp/bl.conf"
printf 'blacklist nfc\nblacklist pn533\nblacklist pn533_usb\ninstall pn533 /bin/true extra\n' >"$tmp/bl2.conf"
expect_fail "modprobe line that is not a blacklist" 'expected "blacklist MODULE"' "$check" --modprobe "$tmp/bl2.conf"
