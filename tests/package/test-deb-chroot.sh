#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The built Debian packages on a fresh Debian bookworm (`make check-package`): install
# eldercard, eldercard-kiosk and eldercard-emulator with apt into a minimal debootstrap
# root (tests/package/lib.sh: cached, each run on a throw-away overlay), run `eldercard
# version` and `eldercard doctor` there, check the user, group, owners and modes the
# packages create, a kiosk bundle installed as docs/deploy.md says, then remove and purge
# and check that nothing is left but what Debian keeps on purpose: the system user and
# group eldercard (docs/deploy.md, "Removing eldercard"). Prints TAP. Needs root.
#
#   EC_DEB_DIR   where the .deb files are (default: build-deb, what `make deb` makes)
#   EC_CI_CACHE  the root cache (default /var/cache/eldercard-ci)
set -u
src=${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$src/tests/package/lib.sh"
debdir=$(cd "${EC_DEB_DIR:-$src/build-deb}" 2>/dev/null && pwd) || debdir=${EC_DEB_DIR:-$src/build-deb}

if [ "$(id -u)" != 0 ]; then
  echo "Bail out! needs root (debootstrap, mount, systemd-nspawn); CI runs it as root"; exit 1
fi
for tool in debootstrap systemd-nspawn dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "Bail out! $tool not found: build-aux/deps.sh --install package"; exit 1; }
done
mapfile -t debs < <(ecpkg_debs "$debdir") && [ ${#debs[@]} = 3 ] || { echo "Bail out! run make deb first"; exit 1; }
version=$(dpkg-deb -f "${debs[0]}" Version)

work=$(mktemp -d /var/tmp/eldercard-deb-test.XXXXXX)
cleanup () {
  mountpoint -q "$work/root" && umount "$work/root"
  rm -rf "$work"
}
trap cleanup EXIT

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }
check () { local desc=$1; shift; if "$@"; then ok "$desc"; else notok "$desc"; fi; }
# inroot CMD…: run in the container, the .debs at /debs.
inroot () { ecpkg_run "$work/root" --bind-ro="$debdir:/debs" -- "$@"; }
show () { sed 's/^/# /' "$@"; }

echo "1..21"

# --- the root --------------------------------------------------------------------------
t0=$(date +%s)
mapfile -t pkgs < <(ecpkg_packages "${debs[@]}")
lower=$(ecpkg_root "${pkgs[@]}") || { echo "Bail out! could not make the $EC_SUITE root"; exit 1; }
echo "# root $lower ready in $(( $(date +%s) - t0 ))s (${#pkgs[@]} packages asked for)"
ecpkg_overlay "$lower" "$work" || { echo "Bail out! cannot mount an overlay on $lower"; exit 1; }
# What is there before: compared with what is left after the purge.
snapshot () {
  (cd "$work/root" && find . -xdev \( -path ./debs -o -path ./proc -o -path ./sys -o -path ./dev -o -path ./run \
     -o -path ./tmp -o -path ./var/tmp -o -path ./var/log -o -path ./var/cache/apt -o -path ./var/cache/debconf \
     -o -path ./var/cache/ldconfig -o -path ./var/lib/apt -o -path ./var/lib/dpkg -o -path ./var/lib/systemd \
     -o -path ./var/lib/dbus \) -prune -o -print | LC_ALL=C sort)
}
snapshot >"$work/before.list"

# --- install -----------------------------------------------------------------------------
if inroot apt-get install -y -q --no-install-recommends /debs/"$(basename "${debs[0]}")" \
     /debs/"$(basename "${debs[1]}")" /debs/"$(basename "${debs[2]}")" >"$work/install.log" 2>&1; then
  ok "apt-get installs the three packages, dependencies resolved ($(( $(date +%s) - t0 ))s so far)"
else
  notok "apt-get install failed"; show "$work/install.log"
fi
if grep -qE '^(Get:[0-9]+ [a-z]+://|Need to get [1-9])' "$work/install.log"; then
  notok "install downloaded packages: the cached root lacks a dependency"; grep -E '^(Get|Need)' "$work/install.log" | show
else
  ok "nothing downloaded: the root has every dependency"
fi

inroot eldercard version >"$work/version.out" 2>&1
if grep -qF "$version" "$work/version.out"; then ok "eldercard version says $version"; else notok "eldercard version"; show "$work/version.out"; fi

inroot getent passwd eldercard >"$work/passwd" 2>&1
IFS=: read -r _ _ uid gid _ home shell <"$work/passwd"
if [ -n "${uid:-}" ] && [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/eldercard ] && [ "$shell" = /usr/sbin/nologin ]; then
  ok "system user eldercard (uid $uid < 1000, home /var/lib/eldercard, shell nologin)"
else
  notok "user eldercard"; show "$work/passwd"
fi
inroot getent shadow eldercard >"$work/shadow" 2>&1
if cut -d: -f2 "$work/shadow" | grep -qE '^(!|\*)'; then ok "eldercard has no password (locked)"; else notok "eldercard's password field"; show "$work/shadow"; fi
inroot getent group eldercard >"$work/group" 2>&1
check "group eldercard exists" grep -q '^eldercard:' "$work/group"

# owner:group mode of a path inside, as its own passwd/group files name them
mode () { inroot stat -c '%U:%G %a' "$1" 2>&1; }
expect_mode () {
  local got; got=$(mode "$1")
  if [ "$got" = "$2" ]; then ok "$1 is $2"; else notok "$1 is $got, expected $2"; fi
}
expect_mode /etc/eldercard "root:root 755"
expect_mode /etc/eldercard/eldercard.conf "root:root 644"
expect_mode /etc/eldercard/keys "root:eldercard 750"
expect_mode /var/lib/eldercard "eldercard:eldercard 750"
check "pn532-emu installed by eldercard-emulator" inroot test -x /usr/libexec/eldercard/pn532-emu

# --- a kiosk bundle, as docs/deploy.md section 7 installs it -------------------------------
inroot sh -ec '
  cd /root
  printf "fictional root passphrase 1\n" >root.pass; printf "fictional station passphrase 2\n" >st.pass
  eldercard community create --keys station --passphrase-file root.pass
  eldercard station add --keys station --id 1 --name "Demo station" --root-passphrase-file root.pass --passphrase-file st.pass
  eldercard kiosk-bundle export --keys station --out bundle
  cp -r bundle/. /etc/eldercard/keys/
  chown -R root:eldercard /etc/eldercard/keys
  find /etc/eldercard/keys -type d -exec chmod 0750 {} +
  find /etc/eldercard/keys -type f -exec chmod 0640 {} +
  rm -rf station bundle root.pass st.pass
  systemd-tmpfiles --create eldercard.conf' >"$work/bundle.log" 2>&1
if [ $? = 0 ]; then ok "kiosk bundle made and copied into /etc/eldercard/keys"; else notok "kiosk bundle"; show "$work/bundle.log"; fi
expect_mode /etc/eldercard/keys/community/root.pub "root:eldercard 640"
if inroot runuser -u eldercard -- sh -c 'cat /etc/eldercard/keys/community/read.key >/dev/null && ! ( : >>/etc/eldercard/keys/community/root.pub ) 2>/dev/null && ! touch /etc/eldercard/keys/new 2>/dev/null'; then
  ok "the kiosk user reads the read key and cannot change a trust anchor or add a file"
else
  notok "the kiosk user's access to /etc/eldercard/keys"
fi

# --- doctor, as the kiosk user and as root (no reader here: it exits 1) -------------------
inroot runuser -u eldercard -- eldercard doctor --timeout 5 >"$work/doctor.out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q '^ok   configuration /etc/eldercard/eldercard.conf$' "$work/doctor.out" \
   && grep -q '^ok   keys in /etc/eldercard/keys: community root, 1 station certificate(s), 1 read key(s)$' "$work/doctor.out" \
   && grep -q '^ok   group eldercard exists$' "$work/doctor.out" \
   && grep -q '^ok   udev rules 70-eldercard-nfc.rules in /usr/lib/udev/rules.d$' "$work/doctor.out" \
   && grep -q '^ok   NFC helper /usr/libexec/eldercard/eldercard-nfc-helper$' "$work/doctor.out" \
   && ! grep -qE '^(FAIL|warn) key' "$work/doctor.out"; then
  ok "doctor as eldercard: config, keys (root-owned, group-readable), group, udev rules, helper ok; exit 1 for no reader"
else
  notok "doctor as eldercard (exit $rc)"
fi
show "$work/doctor.out"
inroot eldercard doctor --timeout 5 >"$work/doctor-root.out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q '^ok   keys in /etc/eldercard/keys' "$work/doctor-root.out"; then
  ok "doctor as root: the same keys load; exit 1 for no reader"
else
  notok "doctor as root (exit $rc)"; show "$work/doctor-root.out"
fi

# --- remove, then purge --------------------------------------------------------------------
inroot apt-get remove -y -q eldercard eldercard-kiosk eldercard-emulator >"$work/remove.log" 2>&1 || show "$work/remove.log"
if ! inroot test -e /usr/bin/eldercard && inroot test -f /etc/eldercard/eldercard.conf; then
  ok "remove: programs gone, configuration kept"
else
  notok "remove"
fi
# A database (here an empty stand-in) in the data directory: purge keeps it and says so.
inroot runuser -u eldercard -- touch /var/lib/eldercard/eldercard.db
# apt-get purge refuses a name it does not know: only those removal left configured (rc).
mapfile -t rc < <(inroot dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'eldercard*' 2>/dev/null | awk '$1 == "rc" { print $2 }')
[ ${#rc[@]} = 0 ] || inroot apt-get purge -y -q "${rc[@]}" >"$work/purge.log" 2>&1 || show "$work/purge.log"
inroot dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'eldercard*' >"$work/status" 2>/dev/null
if grep -vE '^un ' "$work/status" | grep -q .; then notok "packages still known to dpkg"; show "$work/status"; else ok "purge: dpkg knows no eldercard package"; fi
if inroot test -f /var/lib/eldercard/eldercard.db && grep -q 'keeping /var/lib/eldercard' "$work/purge.log"; then
  ok "purge keeps a database in /var/lib/eldercard and says so"
else
  notok "purge and the database"; show "$work/purge.log"
fi
# The administrator destroys it deliberately (docs/deploy.md step 14).
inroot rm -r /var/lib/eldercard
snapshot >"$work/after.list"
# /etc/passwd and friends: systemd-sysusers leaves its backups (passwd-, group-, shadow-,
# gshadow-) next to them; they are the files before its change, not ours.
diff "$work/before.list" "$work/after.list" | grep -vE '^[<>] \./etc/(passwd|group|shadow|gshadow)-$' \
  | grep -E '^[<>]' >"$work/left" || true
if [ -s "$work/left" ]; then notok "purge left files behind (> new, < gone)"; show "$work/left"; else ok "purge: no file or directory left"; fi
inroot getent passwd eldercard >"$work/passwd2" 2>&1
if grep -q ':/usr/sbin/nologin$' "$work/passwd2"; then
  ok "the system user eldercard stays after purge, without a shell (Debian keeps system users)"
else
  notok "user eldercard after purge"; show "$work/passwd2"
fi
echo "# total $(( $(date +%s) - t0 ))s"
