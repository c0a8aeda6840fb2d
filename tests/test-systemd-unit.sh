#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The kiosk's systemd unit (data/systemd/eldercard-kiosk.service.in), as make install
# writes it for PREFIX=/usr: systemd-analyze verify, systemd-analyze security (its score is
# printed; above 2.5 fails), and no writable or bound path nested inside a directory the
# unit makes inaccessible (ProtectHome=yes hides /home, /root and /run/user, where cage
# needs its Wayland socket; systemd.exec(5)). The units themselves cannot be booted here
# (no systemd as PID 1): docs/deploy.md. Prints TAP.
set -u
src=${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }

unit=$tmp/eldercard-kiosk.service
sed -e 's|@BINDIR@|/usr/bin|g' -e 's|@SYSCONFDIR@|/etc|g' -e 's|@LOCALSTATEDIR@|/var|g' \
    -e 's|@DATADIR@|/usr/share/eldercard|g' -e 's|@LOCALEDIR@|/usr/share/locale|g' \
    -e 's|@LIBEXECDIR@|/usr/libexec/eldercard|g' \
    "$src/data/systemd/eldercard-kiosk.service.in" >"$unit"

# nested UNIT: "PATH (Option=) inside HIDDEN (why)" for each path the unit wants usable
# that lies inside one it makes inaccessible; nothing when there is none.
nested () {
  awk -F= '
    function add_hidden(p, why) { hidden[p] = why }
    function words(v, arr,   k, m, w) { m = split(v, w, /[ \t]+/); k = 0
      for (i = 1; i <= m; i++) if (w[i] != "") { sub(/^[-+]+/, "", w[i]); sub(/:.*/, "", w[i]); arr[++k] = w[i] }
      return k }
    /^[ \t]*#/ { next }
    $1 == "ProtectHome" && ($2 == "yes" || $2 == "true" || $2 == "1" || $2 == "on") {
      add_hidden("/home", "ProtectHome=yes"); add_hidden("/root", "ProtectHome=yes"); add_hidden("/run/user", "ProtectHome=yes") }
    $1 == "InaccessiblePaths" { k = words(substr($0, index($0, "=") + 1), a); for (j = 1; j <= k; j++) add_hidden(a[j], "InaccessiblePaths=") }
    $1 ~ /^(ReadWritePaths|ReadOnlyPaths|BindPaths|BindReadOnlyPaths|ExecPaths)$/ {
      k = words(substr($0, index($0, "=") + 1), a); for (j = 1; j <= k; j++) { np++; want[np] = a[j]; opt[np] = $1 } }
    END { for (i = 1; i <= np; i++) for (h in hidden)
            if (want[i] == h || index(want[i], h "/") == 1)
              printf "%s (%s=) inside %s (%s)\n", want[i], opt[i], h, hidden[h] }
  ' "$1"
}

echo "1..6"

# --- the nesting rule, and that it would have caught the unit issue 12 found ----------------
out=$(nested "$unit")
if [ -z "$out" ]; then ok "no ReadWritePaths/BindPaths inside a path the unit makes inaccessible"
else notok "paths that cannot work"; printf '%s\n' "$out" | sed 's/^/# /'; fi
printf '[Service]\nProtectHome=yes\nReadWritePaths=-/run/user\n' >"$tmp/old.service"
if nested "$tmp/old.service" | grep -q '^/run/user (ReadWritePaths=) inside /run/user (ProtectHome=yes)$'; then
  ok "the check finds ProtectHome=yes with ReadWritePaths=-/run/user (the old unit)"
else notok "the check misses ProtectHome=yes with ReadWritePaths=-/run/user"; fi
if grep -qx 'ProtectHome=tmpfs' "$unit" && grep -qx 'BindPaths=/run/user' "$unit"; then
  ok "cage's runtime directory: ProtectHome=tmpfs with BindPaths=/run/user"
else notok "the unit does not make /run/user usable"; fi

# --- systemd-analyze ---------------------------------------------------------------------------
if ! command -v systemd-analyze >/dev/null; then
  echo "Bail out! systemd-analyze is missing (package systemd; make deps installs it)"; exit 1
fi
# cage is not installed on the build machine; anything else systemd-analyze says is a fault.
out=$(systemd-analyze verify --man=no "$unit" 2>&1 | grep -v 'Command /usr/bin/cage is not executable')
if [ -z "$out" ]; then ok "systemd-analyze verify: nothing but the absent cage"
else notok "systemd-analyze verify"; printf '%s\n' "$out" | sed 's/^/# /'; fi
score=$(systemd-analyze security --offline=true "$unit" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -n "$score" ]; then ok "systemd-analyze security --offline: exposure $score (0 confined … 10 unconfined)"
else notok "systemd-analyze security printed no score"; fi
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }'; then ok "exposure $score is at most 2.5"
else notok "exposure ${score:-?} is above 2.5"; systemd-analyze security --offline=true "$unit" 2>&1 | grep '✗' | sed 's/^/# /'; fi
