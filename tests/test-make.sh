#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The Makefile as a packager uses it: which goals may install Debian packages (only run,
# check and deps), what a plain make says when packages are missing, CPPFLAGS/CFLAGS/
# LDFLAGS from the caller reach every compile and link, and make clean/distclean remove
# the build directories and nothing tracked (build-aux/). Dry runs (make -n) and a copy
# of the Makefile: builds nothing. Prints TAP.
set -u
src=${EC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; }
show () { sed 's/^/# /' "$1" | tail -n 15; }

# A make that does not inherit the enclosing make's state, in a scratch build directory.
mk () {
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u EC_DEPS_CHECKED -u CPPFLAGS -u CFLAGS -u LDFLAGS \
    make --no-print-directory -C "$src" BUILDDIR="$tmp/build" "$@"
}

# Fake dpkg-query (every package missing) and apt-get (records that it ran) on PATH.
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nexit 1\n' >"$tmp/bin/dpkg-query"
printf '#!/bin/sh\necho "apt-get $*" >>"%s/apt-get.log"\nexit 0\n' "$tmp" >"$tmp/bin/apt-get"
chmod +x "$tmp/bin/dpkg-query" "$tmp/bin/apt-get"
missing () { PATH="$tmp/bin:$PATH" mk "$@"; }

echo "1..10"

# --- which goals touch apt-get --------------------------------------------------------
rm -f "$tmp/apt-get.log"
if missing -n all >"$tmp/all.log" 2>&1; then notok "plain make with packages missing fails"; show "$tmp/all.log"
elif [ -e "$tmp/apt-get.log" ]; then notok "plain make ran apt-get"; show "$tmp/all.log"
elif grep -q 'missing Debian packages: .*libgtk-4-dev' "$tmp/all.log" && grep -q 'apt-get install' "$tmp/all.log"; then
  ok "plain make with packages missing names them and the apt-get command, and never runs it"
else notok "plain make: the message"; show "$tmp/all.log"; fi

rm -f "$tmp/apt-get.log"
missing -n install DESTDIR="$tmp/dest" >"$tmp/install.log" 2>&1
if [ ! -e "$tmp/apt-get.log" ] && ! grep -q 'missing Debian packages' "$tmp/install.log"; then
  ok "make install never checks nor installs packages"
else notok "make install touched packages"; show "$tmp/install.log"; fi

rm -f "$tmp/apt-get.log"
missing -n check EC_NO_DEPS_INSTALL=1 >"$tmp/nodeps.log" 2>&1
if [ ! -e "$tmp/apt-get.log" ] && grep -q 'missing Debian packages' "$tmp/nodeps.log"; then
  ok "make check EC_NO_DEPS_INSTALL=1 (a package build) only checks"
else notok "make check EC_NO_DEPS_INSTALL=1"; show "$tmp/nodeps.log"; fi

if [ "$(id -u)" = 0 ]; then
  rm -f "$tmp/apt-get.log"
  missing -n deps >"$tmp/deps.log" 2>&1
  if grep -q 'install -y -q --no-install-recommends .*xvfb' "$tmp/apt-get.log" 2>/dev/null; then
    ok "make deps as root installs what is missing (apt-get install … xvfb …)"
  else notok "make deps as root"; show "$tmp/deps.log"; fi
else
  # Not root: make deps prints the command instead.
  missing -n deps >"$tmp/deps.log" 2>&1
  if grep -q 'run as root' "$tmp/deps.log" && [ ! -e "$tmp/apt-get.log" ]; then
    ok "make deps as a user prints the command to run as root"
  else notok "make deps as a user"; show "$tmp/deps.log"; fi
fi

# --- the caller's flags -------------------------------------------------------------
mk -n all CPPFLAGS=-DEC_CALLER_CPPFLAGS=1 CFLAGS="-O2 -g -DEC_CALLER_CFLAGS=1" \
   LDFLAGS=-Wl,-z,now V=1 >"$tmp/flags.log" 2>&1
compiles=$(grep -E '^(cc|gcc|clang|\S*-gcc) .* -c ' "$tmp/flags.log")
links=$(grep -E '^(cc|gcc|clang|\S*-gcc) .* -o \S+/(eldercard|eldercard-kiosk|eldercard-nfc-helper|pn532-emu) ' "$tmp/flags.log")
if [ -n "$compiles" ] && ! grep -v -e '-DEC_CALLER_CPPFLAGS=1' <<<"$compiles" | grep -q . \
   && ! grep -v -e '-DEC_CALLER_CFLAGS=1' <<<"$compiles" | grep -q .; then
  ok "CPPFLAGS and CFLAGS reach every compile ($(wc -l <<<"$compiles") commands)"
else notok "CPPFLAGS/CFLAGS missing from a compile"; show "$tmp/flags.log"; fi
if [ "$(wc -l <<<"$links")" -ge 3 ] && ! grep -v -e '-Wl,-z,now' <<<"$links" | grep -q .; then
  ok "LDFLAGS reaches every program's link"
else notok "LDFLAGS missing from a link"; printf '%s\n' "$links" | sed 's/^/# /'; fi
if ! grep -E '^(cc|gcc|clang) ' "$tmp/flags.log" | grep -v '/tests/\|bench-\|kiosk-demo-setup\|screenshots\|card-vectors-gen' \
     | grep -q -e '-DEC_SOURCE_DIR' -e '-DEC_BUILD_DIR'; then
  ok "no program that make install installs is compiled with the source or build path"
else notok "a product file is compiled with EC_SOURCE_DIR/EC_BUILD_DIR"; fi

# --- make clean / distclean on a copy -------------------------------------------------
tree=$tmp/tree
mkdir -p "$tree"
cp -a "$src/Makefile" "$src/build-aux" "$tree/"
mkdir -p "$tree"/{build,build-sanitize,build-fuzz,build-deb,build-release}/x "$tree/src/core"
before=$(cd "$tree" && find build-aux -type f | sort | xargs md5sum)
clean_run () {
  (cd "$tree" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL PATH="$tmp/bin:$PATH" make --no-print-directory "$1") >"$tmp/clean.log" 2>&1
}
if clean_run clean && [ "$(cd "$tree" && find build-aux -type f | sort | xargs md5sum)" = "$before" ]; then
  ok "make clean keeps build-aux/ (and needs no package)"
else notok "make clean"; show "$tmp/clean.log"; fi
left=$(cd "$tree" && ls -d build build-sanitize build-fuzz build-deb build-release 2>/dev/null)
if [ -z "$left" ]; then ok "make clean removes build, build-sanitize, build-fuzz, build-deb, build-release"
else notok "make clean left: $left"; fi
mkdir -p "$tree/build/x"
if clean_run distclean && [ ! -e "$tree/build" ] && [ -x "$tree/build-aux/deps.sh" ] \
   && [ "$(cd "$tree" && find build-aux -type f | sort | xargs md5sum)" = "$before" ]; then
  ok "make distclean removes the build and keeps build-aux/"
else notok "make distclean"; show "$tmp/clean.log"; fi
