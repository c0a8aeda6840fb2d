#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every test program (GLib test binaries and tests/test-*.sh scripts), each under a
# time limit, read their TAP and end with one line "N passed, N failed" (", N skipped"
# when something was skipped). Exit status 0 only when nothing failed.
#
# A GLib test binary is run with --tap; scripts print TAP themselves. Kiosk tests
# (test-kiosk*) run under xvfb-run. Logs: $EC_BUILD_DIR/test-logs/NAME.log.
#
# What counts (tests/test-run-tests.sh checks each rule on small fake tests):
#   ok N ...                 one passed test ("ok N ... # SKIP why": one skipped test)
#   not ok N ...             one failed test ("not ok N ... # TODO": expected, skipped)
#   a test file fails        when it prints "Bail out!", has no plan line ("1..N" first
#                            or last), reports more or fewer results than it planned,
#                            exits non-zero, or times out (TEST_TIMEOUT, 900 s) — one
#                            failure even if every result it printed was "ok"
#   a test file is skipped   when it prints the plan "1..0" (reason after "# SKIP") or
#                            exits 77 without results: counted as skipped, never passed,
#                            and it FAILS the run unless its name is in the allow-list,
#                            tests/skip-allowed (EC_SKIP_ALLOWED=FILE), with a reason.
set -u

: "${EC_BUILD_DIR:?EC_BUILD_DIR must point at the build directory}"
export EC_BUILD_DIR
export EC_SOURCE_DIR="${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
export G_DEBUG=gc-friendly
export MALLOC_CHECK_=2
export GSETTINGS_BACKEND=memory
export NO_AT_BRIDGE=1
export GSK_RENDERER=cairo
# No OpenGL in tests: they render with cairo (above), yet opening an X11 display makes
# GDK probe EGL for its visual. On an AMD Zen CPU, Mesa's swrast_dri.so (22.3) then
# reallocs a 128-byte L3 cache affinity mask (util_cpu_detect -> get_cpu_topology) into
# a global, and GDK's failed EGL probe dlcloses the driver: LeakSanitizer reports a
# "direct leak" whose stack is two frames in an <unknown module> that no suppression can
# match (docs: tests/lsan.supp). gl-disable keeps Mesa out of the test process, so the
# result no longer depends on the machine's CPU and GPU stack.
export GDK_DEBUG="gl-disable${GDK_DEBUG:+,$GDK_DEBUG}"
# The CLI reads /etc/eldercard/eldercard.conf when it exists: not this machine's in tests.
export ELDERCARD_CONFIG="$EC_BUILD_DIR/test-logs/no-such-eldercard.conf"
export LIBNFC_AUTO_SCAN=false
export LIBNFC_LOG_LEVEL=0
export LC_ALL=C.UTF-8
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$EC_SOURCE_DIR/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
TEST_TIMEOUT="${TEST_TIMEOUT:-900}"
SKIP_ALLOWED="${EC_SKIP_ALLOWED:-$EC_SOURCE_DIR/tests/skip-allowed}"

logdir="$EC_BUILD_DIR/test-logs"
mkdir -p "$logdir"

# The allow-list: "NAME  # reason" per line (NAME as the runner prints it, e.g.
# test-emulator.sh); blank lines and lines starting with # are comments. An entry
# without a reason is refused, and so the run fails.
declare -A skip_ok=()
allow_errors=0
if [ -f "$SKIP_ALLOWED" ]; then
  lineno=0
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    case "$line" in ''|'#'*) continue ;; esac
    case "$line" in
      *'#'*) entry=${line%%#*}; reason=${line#*#} ;;
      *) entry=$line; reason="" ;;
    esac
    entry=${entry//[[:space:]]/}; reason=${reason//[[:space:]]/}
    [ -n "$entry" ] || continue
    if [ -z "$reason" ]; then
      echo "$SKIP_ALLOWED:$lineno: \"$entry\" has no reason (write: $entry  # why it may skip)"
      allow_errors=$((allow_errors + 1)); continue
    fi
    skip_ok[$entry]=1
  done <"$SKIP_ALLOWED"
fi

# tap LOG: "PLAN PASS SKIP FAIL TODO BAIL PLANS" from a TAP log (PLAN -1 when none).
# Lines are TAP only at the start of a line, as GLib and our scripts print them.
tap () {
  awk '
    BEGIN { plan = -1; plans = 0; p = 0; s = 0; f = 0; t = 0; bail = 0 }
    /^1\.\.[0-9]+([ \t]*(#.*)?)?$/ { plan = substr($0, 4) + 0; plans++; next }
    /^Bail out!/ { bail = 1; next }
    /^not ok([ \t]|$)/ { if ($0 ~ /#[ \t]*[Tt][Oo][Dd][Oo]/) t++; else f++; next }
    /^ok([ \t]|$)/ { if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) s++; else p++; next }
    END { printf "%d %d %d %d %d %d %d\n", plan, p, s, f, t, bail, plans }
  ' "$1"
}

passed=0
failed=0
skipped=0
failures=()
skip_notes=()

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
  read -r plan p s f todo bail plans < <(tap "$log")
  results=$(( p + s + f + todo ))
  why=""
  file_skip=""
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    why="timed out after ${TEST_TIMEOUT}s"
  elif [ "$results" -eq 0 ] && { [ "$plan" -eq 0 ] || [ "$plan" -lt 0 ]; } && { [ "$rc" -eq 77 ] || { [ "$rc" -eq 0 ] && [ "$plan" -eq 0 ]; }; }; then
    file_skip=$(sed -n 's/^1\.\.0[[:space:]]*#[[:space:]]*[Ss][Kk][Ii][Pp][[:space:]]*//p' "$log" | head -n1)
    [ -n "$file_skip" ] || file_skip=$([ "$rc" -eq 77 ] && echo "exit 77" || echo "plan 1..0")
  elif [ "$bail" -ne 0 ]; then
    why="bailed out"
  elif [ "$plans" -gt 1 ]; then
    why="$plans plan lines"
  elif [ "$plan" -lt 0 ]; then
    why="no TAP plan (died before it, or never printed one)"
  elif [ "$plan" -ne "$results" ]; then
    why="planned $plan, reported $results"
  elif [ "$rc" -ne 0 ]; then
    why="exit $rc"
  fi
  [ -n "$why" ] && [ "$rc" -ne 0 ] && [ "$why" != "exit $rc" ] && why="$why, exit $rc"

  if [ -n "$file_skip" ]; then
    if [ -n "${skip_ok[$name]:-}" ]; then
      status=SKIP; skipped=$(( skipped + 1 ))
      skip_notes+=("$name: $file_skip (allowed in $(basename "$SKIP_ALLOWED"))")
    else
      status=FAIL; failed=$(( failed + 1 )); failures+=("$name")
      why="skipped ($file_skip) and not in $SKIP_ALLOWED"
    fi
    printf '%-4s %-36s skipped: %s  (%ds, exit %d)\n' "$status" "$name" "$file_skip" "$secs" "$rc"
  else
    [ -n "$why" ] && [ "$f" -eq 0 ] && f=1
    passed=$(( passed + p )); failed=$(( failed + f )); skipped=$(( skipped + s + todo ))
    status=PASS
    [ "$f" -ne 0 ] && { status=FAIL; failures+=("$name"); }
    printf '%-4s %-36s %4d passed %3d failed %3d skipped  (%ds, exit %d)\n' \
      "$status" "$name" "$p" "$f" "$(( s + todo ))" "$secs" "$rc"
    if [ $(( s + todo )) -gt 0 ]; then
      while IFS= read -r l; do skip_notes+=("$name: $l"); done \
        < <(grep -E '^(ok|not ok)([[:space:]].*)?#[[:space:]]*([Ss][Kk][Ii][Pp]|[Tt][Oo][Dd][Oo])' "$log")
    fi
  fi
  if [ "$status" = FAIL ]; then
    [ -n "$why" ] && echo "     $name: $why"
    echo "---- $log (last 40 lines) ----"
    tail -n 40 "$log"
    echo "----"
    if grep -q 'LeakSanitizer' "$log" && grep -q '(<unknown module>)' "$log"; then
      echo "# the leak was allocated in a module unloaded (dlclose) before exit, so it cannot be"
      echo "# symbolized or suppressed; rerun that test with ASAN_OPTIONS=fast_unwind_on_malloc=0"
      echo "# (the callers still loaded appear) and LD_DEBUG=files (which module was unloaded)"
    fi
  fi
done

if [ "${#skip_notes[@]}" -gt 0 ]; then
  echo "skipped:"
  printf '  %s\n' "${skip_notes[@]}"
fi
if [ "$allow_errors" -gt 0 ]; then
  failed=$(( failed + allow_errors )); failures+=("$(basename "$SKIP_ALLOWED")")
fi
if [ "${#failures[@]}" -gt 0 ]; then
  echo "failed: ${failures[*]}"
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
