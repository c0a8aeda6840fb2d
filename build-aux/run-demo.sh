#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `make run`: the kiosk on a fictional demo community, reading cards through the real
# libnfc from the project's PN532 emulator, with a demo panel that places the demo
# cards and unplugs the reader. Everything lives in BUILDDIR/demo (recreated each run).
#
#   build-aux/run-demo.sh BUILDDIR          (HEADLESS=1: under xvfb-run)
set -eu

builddir=${1:?usage: run-demo.sh BUILDDIR}
demo="$builddir/demo"
kiosk="$builddir/eldercard-kiosk"
emu="$builddir/pn532-emu"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${HEADLESS:-}" != 1 ]; then
  cat >&2 <<'MSG'
make run: there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set).
  Run it from a desktop session, or over ssh with X forwarding (ssh -X), or
  run `make run HEADLESS=1` to start it under xvfb-run (nothing to look at:
  a smoke test that the demo starts).
MSG
  exit 1
fi

for f in "$kiosk" "$emu" "$builddir/kiosk-demo-setup"; do
  [ -x "$f" ] || { echo "make run: $f is missing (did the build fail?)" >&2; exit 1; }
done

rm -rf "$demo"
"$builddir/kiosk-demo-setup" "$demo"

# The emulator: a PN532 on a pseudo-terminal at 115200 baud, like a real UART reader.
emu_out="$demo/emulator.log"
"$emu" --link "$demo/reader" --control "$demo/emulator.sock" --pace 115200 >"$emu_out" 2>&1 &
emu_pid=$!
cleanup () {
  kill "$emu_pid" 2>/dev/null || true
  wait "$emu_pid" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
for _ in $(seq 100); do
  grep -q '^ready' "$emu_out" 2>/dev/null && break
  kill -0 "$emu_pid" 2>/dev/null || { echo "make run: the emulator did not start:" >&2; cat "$emu_out" >&2; exit 1; }
  sleep 0.05
done

export LIBNFC_AUTO_SCAN=false
# --keys: the demo computer is also the station (the full key directory with the PIN
# pepper), so that ☰ → Station mode works with the demo staff shown on the panel.
cmd=("$kiosk" --config "$demo/kiosk.conf" --keys "$demo/keys" --device "pn532_uart:$demo/reader" --demo "$demo")
# ROLE=nurse (make run ROLE=nurse): the nurse view, with the allergy check.
if [ -n "${ROLE:-}" ]; then cmd+=(--role "$ROLE"); fi
echo
echo "Starting the kiosk on the demo community (fictional residents)."
echo "Use the demo panel on the right to place cards and unplug the reader."
echo "  ${cmd[*]}"
if [ "${HEADLESS:-}" = 1 ]; then
  GSK_RENDERER=cairo xvfb-run -a -s "-screen 0 1280x900x24" "${cmd[@]}"
else
  "${cmd[@]}"
fi
