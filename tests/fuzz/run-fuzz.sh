#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run each libFuzzer harness for the given number of seconds, starting from its
# checked-in seed corpus (tests/fuzz/corpus/<name>/) in a scratch copy.
set -u
secs="$1"; shift
src="$(cd "$(dirname "$0")" && pwd)"
rc=0
for bin in "$@"; do
  name=$(basename "$bin")
  work=$(mktemp -d)
  if [ -d "$src/corpus/$name" ]; then cp -r "$src/corpus/$name/." "$work/"; fi
  echo "== $name: ${secs}s"
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
       "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/" "$work" > "$work/log" 2>&1; then
    echo "FAIL $name"; tail -n 60 "$work/log"; rc=1
  else
    grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$work/log" | tail -n 2
    echo "ok   $name"
  fi
  rm -rf "$work"
done
exit $rc
