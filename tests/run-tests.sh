#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every test program (GLib test binaries and tests/test-*.sh scripts), each under a
# time limit, count the TAP results and end with one line "N passed, N failed".
#
# A GLib test binary is run with --tap. Scripts print TAP themselves. A program that
# dies, times out or exits non-zero without reporting a failure counts as one failure.
# Kiosk tests (test-kiosk*) run under xvfb-run.
set -u

: "${EC_BUILD_DIR:?EC_BUILD_DIR must point at the build directory}"
export EC_BUILD_DIR
export EC_SOURCE_DIR="${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
export G_DEBUG=gc-friendly
export MALLOC_CHECK_=2
export GSETTINGS_BACKEND=memory
export NO_AT_BRIDGE=1
export GSK_RENDERER=cairo
# The tests draw with cairo, so GL is never used; without this GDK still probes EGL/GLX
# at start-up, which dlopens Mesa's driver (present on any machine where xvfb pulled in
# libgl1-mesa-dri). The driver leaks 128 bytes and is unloaded before exit, so
# LeakSanitizer reports it from an "<unknown module>" that no suppression can name, and
# every kiosk test failed under SANITIZE=1 on a freshly installed machine.
export GDK_DEBUG="${GDK_DEBUG:+$GDK_DEBUG,}gl-disable"
export LIBNFC_AUTO_SCAN=false
export LIBNFC_LOG_LEVEL=0
export LC_ALL=C.UTF-8
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$EC_SOURCE_DIR/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
TEST_TIMEOUT="${TEST_TIMEOUT:-900}"

logdir="$EC_BUILD_DIR/test-logs"
mkdir -p "$logdir"

passed=0
failed=0
skipped=0
failures=()

for t in "$@"; do
  name=$(basename "$t")
  log="$logdir/$name.log"
  case "$t" in
    *.sh) cmd=(bash "$t") ;;
    *) cmd=("$t" --tap) ;;
  esac
  case "$name" in
    test-kiosk*) cmd=(xvfb-run -a -s "-screen 0 1400x1300x24" "${cmd[@]}") ;;
  esac
  start=$(date +%s)
  timeout --kill-after=10 "$TEST_TIMEOUT" "${cmd[@]}" >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  p=$(grep -cE '^ok [0-9]+' "$log" | head -n1)
  s=$(grep -cE '^ok [0-9]+.*# ?[Ss][Kk][Ii][Pp]' "$log" | head -n1)
  f=$(grep -cE '^not ok [0-9]+' "$log" | head -n1)
  p=$(( p - s ))
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ "$f" -eq 0 ]; then
    f=1
  fi
  if [ "$rc" -eq 77 ] && [ "$p" -eq 0 ]; then
    s=$(( s + 1 ))
  fi
  passed=$(( passed + p )); failed=$(( failed + f )); skipped=$(( skipped + s ))
  status=PASS
  if [ "$f" -ne 0 ]; then
    status=FAIL; failures+=("$name")
  fi
  printf '%-4s %-36s %4d passed %3d failed %3d skipped  (%ds, exit %d)\n' "$status" "$name" "$p" "$f" "$s" "$secs" "$rc"
  if [ "$f" -ne 0 ]; then
    echo "---- $log (last 40 lines) ----"
    tail -n 40 "$log"
    echo "----"
  fi
done

if [ "${#failures[@]}" -gt 0 ]; then
  echo "failed: ${failures[*]}"
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
