#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The PN532 emulator driven by libnfc's own tools (nfc-list, nfc-poll, nfc-mfultralight)
# through the real libnfc 1.8.0 pn532_uart driver. Prints TAP.
set -u

: "${EC_BUILD_DIR:?}"
EMU="$EC_BUILD_DIR/pn532-emu"
export LIBNFC_AUTO_SCAN=false
export LIBNFC_LOG_LEVEL=0

T=$(mktemp -d)
PIDS=()
cleanup () {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
trap "exit 1" TERM INT

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
fail () { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check () { # check DESCRIPTION COMMAND...
  local d="$1"; shift
  if "$@"; then ok "$d"; else fail "$d"; fi
}

if ! command -v nfc-list >/dev/null || ! command -v nfc-mfultralight >/dev/null; then
  # libnfc-examples is one of the packages `make check` installs (build-aux/deps.sh).
  echo "Bail out! libnfc-examples (nfc-list, nfc-mfultralight) is not installed: make deps"
  exit 1
fi
echo "1..32"

now_ms () { echo $(( $(date +%s%N) / 1000000 )); }

# start_emu NAME ARGS...: an emulator of its own in $T/NAME; sets E_DIR, E_CTL, E_PID
start_emu () {
  E_DIR="$T/$1"; shift
  mkdir -p "$E_DIR"
  E_CTL="$E_DIR/ctl"
  "$EMU" --link "$E_DIR/link" --control "$E_CTL" "$@" >"$E_DIR/out" 2>"$E_DIR/err" &
  E_PID=$!
  PIDS+=("$E_PID")
  for _ in $(seq 200); do
    grep -q '^ready$' "$E_DIR/out" 2>/dev/null && break
    sleep 0.02
  done
  export LIBNFC_DEFAULT_DEVICE="pn532_uart:$E_DIR/link"
}
ctl () { timeout 15 "$EMU" ctl "$E_CTL" "$@"; }
stop_emu () { kill "$E_PID" 2>/dev/null; wait "$E_PID" 2>/dev/null; }

# Pages of a tag image and of an .mfd dump, "xx xx xx xx" per line.
tag_pages () { awk '/^[0-9a-f][0-9a-f]:/ { print $2 " " $3 " " $4 " " $5 }' "$1"; }
mfd_pages () { od -An -v -tx1 -w4 "$1" | sed 's/^ //'; }
page_of () { sed -n "$(( $2 + 1 ))p" <(tag_pages "$1"); }
# set_page FILE PAGE "xx xx xx xx": patch a binary dump in place
set_page () {
  printf "$(echo "$3" | sed 's/\([0-9a-f][0-9a-f]\) */\\x\1/g')" |
    dd of="$1" bs=4 seek="$2" conv=notrunc status=none
}

UID215=04e1155a216c80

# --- start-up -------------------------------------------------------------------
start_emu basic --tag ntag215
check "prints pty, link, control and ready" \
  awk 'NR == 1 && !/^pty \/dev\/pts\/[0-9]+$/ { bad = 1 } NR == 2 && !/^link .*\/link$/ { bad = 1 }
       NR == 3 && !/^control .*\/ctl$/ { bad = 1 } NR == 4 && !/^ready$/ { bad = 1 }
       END { exit (bad || NR != 4) }' "$E_DIR/out"
check "the link points at the pty" test "$(readlink "$E_DIR/link")" = "$(sed -n 's/^pty //p' "$E_DIR/out")"

# --- nfc-list -------------------------------------------------------------------
out=$(timeout 20 nfc-list 2>&1)
if grep -q "UID (NFCID1): 04  e1  15  5a  21  6c  80" <<<"$out" && grep -q "ATQA (SENS_RES): 00  44" <<<"$out" \
   && grep -q "SAK (SEL_RES): 00" <<<"$out"; then
  ok "nfc-list sees the NTAG215 (ATQA 0044, SAK 00, its UID)"
else
  fail "nfc-list sees the NTAG215 (ATQA 0044, SAK 00, its UID)" "$out"
fi

# --- nfc-mfultralight r ----------------------------------------------------------
out=$(timeout 20 nfc-mfultralight r "$T/dump.mfd" 2>&1)
if grep -q "NTAG215" <<<"$out" && grep -q "Done, 135 of 135 pages read (0 pages failed)" <<<"$out"; then
  ok "nfc-mfultralight r reads all 135 pages"
else
  fail "nfc-mfultralight r reads all 135 pages" "$out"
fi
ctl save "$T/saved.tag" >/dev/null
# nfc-mfultralight fills PWD (page 0x85) with the password it used (none: zeros); the
# tag reads PWD back as zeros too, while save writes the real one (factory FF FF FF FF).
if diff <(mfd_pages "$T/dump.mfd" | sed '134s/.*/PWD/') <(tag_pages "$T/saved.tag" | sed '134s/.*/PWD/') >/dev/null \
   && [ "$(page_of "$T/saved.tag" 133)" = "ff ff ff ff" ] && [ "$(sed -n 134p <(mfd_pages "$T/dump.mfd"))" = "00 00 00 00" ]; then
  ok "the dump equals the emulator's save byte for byte (PWD reads as zeros)"
else
  fail "the dump equals the emulator's save byte for byte (PWD reads as zeros)" \
    "$(diff <(mfd_pages "$T/dump.mfd") <(tag_pages "$T/saved.tag") | head -10)"
fi
stats=$(ctl stats)
check "stats count the 34 READs and one GET_VERSION" \
  grep -qE "^ok chip_cmds=[0-9]+ .* tag_cmds=35 read=34 fast_read=0 .*get_version=1 " <<<"$stats"

# --- nfc-mfultralight w ---------------------------------------------------------
cp "$T/dump.mfd" "$T/new.mfd"
for p in $(seq 4 129); do set_page "$T/new.mfd" "$p" "$(printf '%02x %02x %02x %02x' $p $((p ^ 0x5a)) 0xc3 $(((p * 7) & 255)))"; done
out=$(printf 'n\nn\nn\nn\n' | timeout 20 nfc-mfultralight w "$T/new.mfd" 2>&1)
ctl save "$T/written.tag" >/dev/null
if grep -q "0 pages failed" <<<"$out" \
   && diff <(mfd_pages "$T/new.mfd" | sed -n '5,130p') <(tag_pages "$T/written.tag" | sed -n '5,130p') >/dev/null; then
  ok "nfc-mfultralight w writes the user pages (COMPATIBILITY_WRITE)"
else
  fail "nfc-mfultralight w writes the user pages (COMPATIBILITY_WRITE)" "$out"
fi

# CC is OTP: writing 00 00 00 0F over E1 10 3E 00 gives E1 10 3E 0F, and writing the
# original back does not clear the bit.
cp "$T/dump.mfd" "$T/cc.mfd"
set_page "$T/cc.mfd" 3 "00 00 00 0f"
printf 'y\nn\nn\nn\n' | timeout 20 nfc-mfultralight w "$T/cc.mfd" >/dev/null 2>&1
printf 'y\nn\nn\nn\n' | timeout 20 nfc-mfultralight w "$T/dump.mfd" >/dev/null 2>&1
ctl save "$T/cc.tag" >/dev/null
check "CC is OTP: a write ORs, nothing clears" test "$(page_of "$T/cc.tag" 3)" = "e1 10 3e 0f"

# Static lock bits L4..L7 set first (page 2), so pages 4..7 refuse writes after it.
start_emu lock --tag ntag215
cp "$T/new.mfd" "$T/lock.mfd"
set_page "$T/lock.mfd" 2 "97 48 f0 00"
out=$(printf 'n\ny\nn\nn\n' | timeout 20 nfc-mfultralight w "$T/lock.mfd" 2>&1)
ctl save "$T/lock.tag" >/dev/null
if grep -q "|ss.sffff\.\.\." <<<"$out" && grep -q "4 pages failed" <<<"$out" \
   && [ "$(page_of "$T/lock.tag" 2)" = "97 48 f0 00" ] && [ "$(page_of "$T/lock.tag" 4)" = "03 00 fe 00" ] \
   && [ "$(page_of "$T/lock.tag" 8)" = "$(sed -n 9p <(mfd_pages "$T/new.mfd"))" ]; then
  ok "locked pages refuse writes (NAK), the others are written"
else
  fail "locked pages refuse writes (NAK), the others are written" "$out" "$(page_of "$T/lock.tag" 4)"
fi
# A second write of the lock bytes cannot clear them.
set_page "$T/lock.mfd" 2 "97 48 00 00"
printf 'n\ny\nn\nn\n' | timeout 20 nfc-mfultralight w "$T/lock.mfd" >/dev/null 2>&1
ctl save "$T/lock2.tag" >/dev/null
check "lock bytes are OTP" test "$(page_of "$T/lock2.tag" 2)" = "97 48 f0 00"
stop_emu

# --- images ---------------------------------------------------------------------
start_emu image
ctl place ntag215 >/dev/null
# Raw activation through InCommunicateThru: 7-bit REQA, both cascade levels, HLTA.
if command -v nfc-anticol >/dev/null; then
  out=$(timeout 20 nfc-anticol 2>&1)
  if grep -q "UID: 04e1155a216c80" <<<"$out" && grep -q "ATQA: 0044" <<<"$out" && grep -q "SAK: 00" <<<"$out"; then
    ok "nfc-anticol activates the card bit by bit (REQA, cascade levels 1 and 2)"
  else
    fail "nfc-anticol activates the card bit by bit (REQA, cascade levels 1 and 2)" "$out"
  fi
else
  ok "nfc-anticol activates the card bit by bit # SKIP not installed"
fi

ctl place-image "$T/written.tag" >/dev/null
ctl save "$T/again.tag" >/dev/null
check "place-image then save gives the same image" cmp -s <(tag_pages "$T/written.tag") <(tag_pages "$T/again.tag")
printf 'type: ntag215\nuid: 04e1155a216c80\n00: 04 e1 15 78\n' >"$T/short.tag"
check "place-image refuses an image with missing pages" \
  grep -q "^err .*1 of the 135 pages" <(ctl place-image "$T/short.tag")
check "place with a bad UID is refused" grep -q "^err" <(ctl place ntag213 0411)
ctl save "$T/with space.tag" >/dev/null
check "save and place-image take paths with spaces" \
  grep -q "^ok placed ntag215 uid 04e1155a216c80" <(ctl place-image "$T/with space.tag")
check "status reports the card in the field" \
  grep -q "^ok plugged=1 pty=/dev/pts/[0-9]* stalled=0 pace=0 air=off max-answer=264 tag=ntag215 uid=04e1155a216c80$" <(ctl status)
ctl place ntag213 04a1b2c3d4e5f6 >/dev/null
out=$(timeout 20 nfc-mfultralight r "$T/213.mfd" 2>&1)
check "NTAG213 with a given UID reads as NTAG213 (45 pages)" \
  grep -q "Done, 45 of 45 pages read" <<<"$out"

# --- other cards ----------------------------------------------------------------
ctl place-mfc1k >/dev/null
out=$(timeout 20 nfc-list 2>&1)
if grep -q "ATQA (SENS_RES): 00  04" <<<"$out" && grep -q "SAK (SEL_RES): 08" <<<"$out" \
   && grep -q "UID (NFCID1): c0  1d  ca  7e" <<<"$out"; then
  ok "MIFARE Classic 1K: nfc-list sees ATQA 0004, SAK 08, 4-byte UID"
else
  fail "MIFARE Classic 1K: nfc-list sees ATQA 0004, SAK 08, 4-byte UID" "$out"
fi
out=$(timeout 20 nfc-mfultralight r "$T/mfc.mfd" 2>&1)
check "nfc-mfultralight refuses the MIFARE Classic" grep -q "not a MIFARE Ultralight" <<<"$out"
if command -v nfc-mfclassic >/dev/null; then
  out=$(timeout 20 nfc-mfclassic r a u "$T/mfc1k.mfd" 2>&1)
  if grep -q "Done, 64 of 64 blocks read" <<<"$out" && [ "$(od -An -tx1 -N5 "$T/mfc1k.mfd" | tr -d ' ')" = "c01dca7e69" ]; then
    ok "nfc-mfclassic authenticates with the transport keys and reads 64 blocks"
  else
    fail "nfc-mfclassic authenticates with the transport keys and reads 64 blocks" "$out"
  fi
else
  ok "nfc-mfclassic authenticates with the transport keys and reads 64 blocks # SKIP not installed"
fi
ctl place-iso14443-4 >/dev/null
out=$(timeout 20 nfc-list -v 2>&1)
if grep -q "ATQA (SENS_RES): 03  44" <<<"$out" && grep -q "SAK (SEL_RES): 20" <<<"$out" \
   && grep -q "Compliant with ISO/IEC 14443-4" <<<"$out" && grep -q "ATS: 75  77  81  02  80" <<<"$out"; then
  ok "ISO 14443-4 card: nfc-list sees ATQA 0344, SAK 20 and the ATS"
else
  fail "ISO 14443-4 card: nfc-list sees ATQA 0344, SAK 20 and the ATS" "$out"
fi
ctl remove >/dev/null
out=$(timeout 20 nfc-list 2>&1)
check "an empty field: nfc-list finds nothing" test -z "$(grep UID <<<"$out")"

# --- nfc-poll: a card placed while polling, then removed ---------------------------
(sleep 0.5; ctl place ntag216 >/dev/null; sleep 0.5; ctl remove >/dev/null) &
PIDS+=($!)
t0=$(now_ms)
out=$(timeout 20 nfc-poll 2>&1)
t1=$(now_ms)
if grep -q "UID (NFCID1): 04  e1  16" <<<"$out" && grep -q "Target Released" <<<"$out" && [ $((t1 - t0)) -lt 5000 ]; then
  ok "nfc-poll finds a card placed while it polls and notices its removal ($((t1 - t0)) ms)"
else
  fail "nfc-poll finds a card placed while it polls and notices its removal" "$out"
fi
stop_emu

# --- faults -----------------------------------------------------------------------
start_emu faults --tag ntag215
ctl stall >/dev/null
t0=$(now_ms)
out=$(timeout 20 nfc-list 2>&1)
t1=$(now_ms)
if ! grep -q UID <<<"$out" && grep -q "Unable to open NFC device" <<<"$out" && [ $((t1 - t0)) -lt 5000 ]; then
  ok "stall: nfc-list gives up within 5 s ($((t1 - t0)) ms)"
else
  fail "stall: nfc-list gives up within 5 s" "$out" "$((t1 - t0)) ms"
fi
ctl unstall >/dev/null
check "unstall: the next nfc-list works" grep -q "UID (NFCID1): 04  e1  15" <(timeout 20 nfc-list 2>&1)

ctl drop-frame 2 >/dev/null
out1=$(timeout 20 nfc-list 2>&1)
out2=$(timeout 20 nfc-list 2>&1)
if grep -q "Unable to open" <<<"$out1" && grep -q "UID (NFCID1)" <<<"$out2" && grep -q " dropped=1 " <(ctl stats); then
  ok "drop-frame 2: the first answer is lost, the next session works"
else
  fail "drop-frame 2: the first answer is lost, the next session works" "$out1" "$out2"
fi
ctl corrupt-frame 2 >/dev/null
out1=$(timeout 20 nfc-list 2>&1)
out2=$(timeout 20 nfc-list 2>&1)
if grep -q "Unable to open" <<<"$out1" && grep -q "UID (NFCID1)" <<<"$out2" && grep -q " corrupted=1 " <(ctl stats); then
  ok "corrupt-frame 2: the first answer fails its checksum, the next session works"
else
  fail "corrupt-frame 2: the first answer fails its checksum, the next session works" "$out1" "$out2"
fi

# unplug under a running client: nfc-poll waits in InAutoPoll with no card.
ctl remove >/dev/null
timeout 20 nfc-poll >"$T/poll.out" 2>&1 &
POLL=$!
PIDS+=("$POLL")
sleep 0.5
ctl unplug >/dev/null
t0=$(now_ms)
for _ in $(seq 100); do kill -0 "$POLL" 2>/dev/null || break; sleep 0.05; done
t1=$(now_ms)
if ! kill -0 "$POLL" 2>/dev/null && [ ! -e "$E_DIR/link" ] && [ $((t1 - t0)) -lt 3000 ]; then
  ok "unplug: the link goes and a polling client fails at once ($((t1 - t0)) ms)"
else
  fail "unplug: the link goes and a polling client fails at once" "$(cat "$T/poll.out")"
fi
t0=$(now_ms)
out=$(timeout 20 nfc-list 2>&1)
t1=$(now_ms)
check "unplugged: nfc-list cannot open the reader ($((t1 - t0)) ms)" \
  test "$(grep -c "Unable to open NFC device" <<<"$out")" -ge 1 -a $((t1 - t0)) -lt 2000
ctl replug >/dev/null
ctl place ntag215 >/dev/null
if [ -L "$E_DIR/link" ] && grep -q "UID (NFCID1): 04  e1  15" <(timeout 20 nfc-list 2>&1); then
  ok "replug: the link is back and a fresh nfc-list works"
else
  fail "replug: the link is back and a fresh nfc-list works"
fi

# --- pacing: a realistic UART and air interface -------------------------------------
t0=$(now_ms); timeout 20 nfc-mfultralight r "$T/fast.mfd" >/dev/null 2>&1; t1=$(now_ms)
fast=$((t1 - t0))
ctl pace 115200 >/dev/null
ctl air on >/dev/null
t0=$(now_ms); timeout 20 nfc-mfultralight r "$T/slow.mfd" >/dev/null 2>&1; t1=$(now_ms)
slow=$((t1 - t0))
# 34 READs of 16 bytes plus setup at 115200 baud and 106 kbit/s: ~250 ms more.
if [ $((slow - fast)) -ge 100 ] && [ $((slow - fast)) -le 2500 ] && cmp -s "$T/fast.mfd" "$T/slow.mfd"; then
  ok "pace 115200 + air: nfc-mfultralight r takes $slow ms instead of $fast ms, same bytes"
else
  fail "pace 115200 + air: realistic time" "fast $fast ms, slow $slow ms"
fi

ctl quit >/dev/null
for _ in $(seq 100); do [ -e "$E_CTL" ] || break; sleep 0.05; done
wait "$E_PID"
rc=$?
check "quit ends the emulator (exit 0) and removes link and socket" \
  test ! -e "$E_DIR/link" -a ! -e "$E_CTL" -a "$rc" -eq 0
