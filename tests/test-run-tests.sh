#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/run-tests.sh on small fake tests: what it counts as passed, failed and skipped,
# the TAP plan check, the skip allow-list, the time limit and the closing line. Prints TAP.
set -u
src=${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
runner=$src/tests/run-tests.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }

# fake NAME BODY: a fake test. NAME.sh is run with bash; any other NAME is executable
# and run with --tap like a GLib test binary.
fake () {
  printf '#!/usr/bin/env bash\n%s\n' "$2" >"$tmp/t/$1"
  chmod +x "$tmp/t/$1"
}
# run ALLOWLIST TESTS…: run the runner in a scratch build directory; sets out and rc.
run () {
  local allow=$1; shift
  rm -rf "$tmp/build"; mkdir -p "$tmp/build"
  out=$(EC_BUILD_DIR="$tmp/build" EC_SOURCE_DIR="$src" EC_SKIP_ALLOWED="$allow" \
        TEST_TIMEOUT="${TIMEOUT:-60}" "$runner" "${@/#/$tmp/t/}" 2>&1)
  rc=$?
}
# expect DESC RC LAST [PATTERN]: the run exited RC, its last line is LAST and its output
# matches the extended regular expression PATTERN.
expect () {
  local desc=$1 want=$2 last=$3 pat=${4:-}
  if [ "$rc" -ne "$want" ]; then notok "$desc (exit $rc, want $want)"
  elif [ "$(printf '%s\n' "$out" | tail -n1)" != "$last" ]; then notok "$desc (last line)"
  elif [ -n "$pat" ] && ! grep -qE -- "$pat" <<<"$out"; then notok "$desc (output)"
  else ok "$desc"; return; fi
  printf '%s\n' "$out" | sed 's/^/# /'
}

mkdir -p "$tmp/t"
: >"$tmp/empty-allow"
echo "1..16"

fake pass.sh 'echo 1..3; echo "ok 1 - a"; echo "ok 2 - b"; echo "ok 3 - c"'
fake trailing.sh 'echo "ok 1 - a"; echo "ok 2 - b"; echo 1..2'
fake glib 'echo "# random seed"; echo 1..2; echo "ok 1 /a"; echo "ok 2 /b # SKIP no pdfinfo"'
run "$tmp/empty-allow" pass.sh trailing.sh glib
expect "passing files: every ok counted, a skipped subtest counted as skipped" 0 \
  "6 passed, 0 failed, 1 skipped" 'glib: ok 2 /b # SKIP no pdfinfo'

run "$tmp/empty-allow" pass.sh trailing.sh
expect "all passed: the closing line has no skipped count" 0 "5 passed, 0 failed"

fake fail.sh 'echo 1..2; echo "ok 1 - a"; echo "not ok 2 - b"'
run "$tmp/empty-allow" pass.sh fail.sh
expect "a failed result fails the run and is named" 1 "4 passed, 1 failed" '^failed: fail\.sh$'

fake skipfile.sh 'echo "1..0 # SKIP the database could not be created"; exit 0'
run "$tmp/empty-allow" pass.sh skipfile.sh
expect "plan 1..0 with SKIP: skipped, never passed, and it fails the run when not allowed" 1 \
  "3 passed, 1 failed" 'skipfile\.sh: skipped \(the database could not be created\) and not in'

printf '# comment\n\nskipfile.sh  # needs a reader\nexit77  # needs a display\n' >"$tmp/allow"
run "$tmp/allow" pass.sh skipfile.sh
expect "an allowed skip is counted as skipped and passes the run" 0 \
  "3 passed, 0 failed, 1 skipped" '^SKIP +skipfile\.sh +skipped: the database could not be created'

fake exit77 'echo "# no display"; exit 77'
run "$tmp/empty-allow" exit77
expect "exit 77 without results is a skip (not allowed here: fails)" 1 "0 passed, 1 failed" 'exit77: skipped \(exit 77\)'
run "$tmp/allow" exit77
expect "exit 77, allowed: skipped" 0 "0 passed, 0 failed, 1 skipped"

printf 'skipfile.sh\n' >"$tmp/noreason"
run "$tmp/noreason" pass.sh skipfile.sh
expect "an allow-list entry without a reason is refused" 1 "3 passed, 2 failed" 'has no reason'

fake short.sh 'echo 1..5; echo "ok 1 - a"; echo "ok 2 - b"'
run "$tmp/empty-allow" short.sh
expect "planned 5, reported 2: a failure although every result was ok" 1 "2 passed, 1 failed" 'planned 5, reported 2'

fake more.sh 'echo 1..1; echo "ok 1 - a"; echo "ok 2 - b"'
run "$tmp/empty-allow" more.sh
expect "more results than planned: a failure" 1 "2 passed, 1 failed" 'planned 1, reported 2'

fake noplan.sh 'echo "ok 1 - a"; echo "ok 2 - b"; exit 1'
run "$tmp/empty-allow" noplan.sh
expect "died before its trailing plan: a failure" 1 "2 passed, 1 failed" 'no TAP plan'

fake exitcode.sh 'echo 1..1; echo "ok 1 - a"; exit 3'
run "$tmp/empty-allow" exitcode.sh
expect "all ok but a non-zero exit: a failure" 1 "1 passed, 1 failed" 'exitcode\.sh: exit 3'

fake bail 'echo 1..3; echo "ok 1 /a"; echo "Bail out! ERROR:x.c:12: assertion failed"; kill -ABRT $$'
run "$tmp/empty-allow" bail
expect "Bail out! and a crash: a failure" 1 "1 passed, 1 failed" 'bailed out'

fake todo.sh 'echo 1..2; echo "ok 1 - a"; echo "not ok 2 - b # TODO not yet"'
run "$tmp/empty-allow" todo.sh
expect "not ok with a TODO directive is not a failure; it is counted as skipped" 0 "1 passed, 0 failed, 1 skipped"

fake hang.sh 'echo 1..1; sleep 30; echo "ok 1 - late"'
TIMEOUT=1 run "$tmp/empty-allow" hang.sh
expect "a test over TEST_TIMEOUT fails" 1 "0 passed, 1 failed" 'timed out after 1s'

# The project's own allow-list parses, and every entry in it gives a reason.
if out=$(grep -vE '^[[:space:]]*(#|$)' "$src/tests/skip-allowed" | grep -v '#[[:space:]]*[^[:space:]]'); [ -z "$out" ]; then
  ok "tests/skip-allowed: every entry has a reason"
else
  notok "tests/skip-allowed: entries without a reason"; printf '%s\n' "$out" | sed 's/^/# /'
fi
