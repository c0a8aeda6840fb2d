#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run each libFuzzer harness for the given number of seconds, starting from its
# checked-in seed corpus (tests/fuzz/corpus/<name>/) in a scratch copy; FUZZ_JOBS
# harnesses at a time. A crash, leak or timeout fails the run and prints the input.
set -u
secs="$1"; shift
jobs="${FUZZ_JOBS:-2}"
src="$(cd "$(dirname "$0")" && pwd)"
top=$(mktemp -d)
# The harnesses that load the shipped drug table find it here (src/core/ec-paths.h:
# build-fuzz/ has no build marker, on purpose: nothing there is a program to run).
export ELDERCARD_DATADIR="${ELDERCARD_DATADIR:-$(cd "$src/../.." && pwd)/data}"
trap 'rm -rf "$top"' EXIT

run_one () {
  local bin="$1" name work
  name=$(basename "$bin")
  work="$top/$name"
  mkdir -p "$work/corpus"
  if [ -d "$src/corpus/$name" ]; then cp -r "$src/corpus/$name/." "$work/corpus/"; fi
  if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
       "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/" "$work/corpus" > "$work/log" 2>&1; then
    runs=$(grep -E '^stat::number_of_executed_units' "$work/log" | awk '{print $2}')
    echo "ok   $name: ${secs}s, ${runs:-?} runs, no crash" > "$work/result"
  else
    { echo "FAIL $name"; tail -n 60 "$work/log"; } > "$work/result"
  fi
}

pids=()
for bin in "$@"; do
  run_one "$bin" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 0.5; done
done
wait

rc=0
for bin in "$@"; do
  name=$(basename "$bin")
  cat "$top/$name/result"
  grep -q '^FAIL' "$top/$name/result" && rc=1
done
exit $rc
