#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `make check-reproducible`: build eldercard twice, in two build directories with
# different paths (and different lengths), install each with PREFIX=/usr into its own
# DESTDIR, and require every installed file to be identical (cmp) and no installed file
# to contain either build path or the source path (strings). Two full builds: about two
# minutes with -j2. Prints TAP; exit 0 only if every check passed.
set -u
src=$(cd "$(dirname "$0")/.." && pwd -P)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
jobs=${EC_REPRO_JOBS:-2}

n=0; fail=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }

echo "1..5"
b1=$tmp/a/build
b2=$tmp/a-much-longer-directory-name/second/build
mkdir -p "$(dirname "$b1")" "$(dirname "$b2")"
for b in "$b1" "$b2"; do
  if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$src" -j"$jobs" \
       BUILDDIR="$b" PREFIX=/usr all >"$b.log" 2>&1 \
     && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$src" \
       BUILDDIR="$b" PREFIX=/usr DESTDIR="$b-dest" install install-emulator >>"$b.log" 2>&1; then
    ok "build and install in $b"
  else
    notok "build and install in $b"; tail -n 20 "$b.log" | sed 's/^/# /'
  fi
done

files1=$(cd "$b1-dest" 2>/dev/null && find . -type f | LC_ALL=C sort)
files2=$(cd "$b2-dest" 2>/dev/null && find . -type f | LC_ALL=C sort)
if [ -n "$files1" ] && [ "$files1" = "$files2" ]; then ok "the same $(wc -l <<<"$files1") files installed"
else notok "different file lists"; diff <(echo "$files1") <(echo "$files2") | sed 's/^/# /'; fi

differ=""
while IFS= read -r f; do
  [ -n "$f" ] || continue
  cmp -s "$b1-dest/$f" "$b2-dest/$f" || differ="$differ $f"
done <<<"$files1"
if [ -z "$files1" ]; then notok "nothing installed to compare"
elif [ -z "$differ" ]; then ok "every installed file is byte-identical (binaries included)"
else notok "files differ:$differ"; fi

leaks=""
while IFS= read -r f; do
  [ -n "$f" ] || continue
  for d in "$b1-dest" "$b2-dest"; do
    if strings -a "$d/$f" | grep -qF -e "$b1" -e "$b2" -e "$src/" -e "$tmp"; then leaks="$leaks ${d#$tmp/}/${f#./}"; fi
  done
done <<<"$files1"
if [ -z "$files1" ]; then notok "nothing installed to search"
elif [ -z "$leaks" ]; then ok "strings finds no build or source path in any installed file"
else notok "a build or source path is in:$leaks"; fi

[ "$fail" -eq 0 ] && echo "reproducible: $(wc -l <<<"$files1") installed files identical across two build paths"
exit "$fail"
