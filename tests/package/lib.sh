# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by the package tests (tests/package/test-*.sh, `make check-package` and
# `make check-boot`, build-aux/package.mk): a minimal Debian bookworm root made by
# debootstrap from the mirror this machine's apt already uses, with the packages' run-time
# dependencies, cached under $EC_CI_CACHE keyed by its package list; each test runs on a
# throw-away overlay of it, so the cache is never changed by a test.
#
# Needs root, debootstrap and systemd-nspawn (systemd-container); build-aux/deps.sh
# --install package installs both.

EC_CI_CACHE=${EC_CI_CACHE:-/var/cache/eldercard-ci}
EC_SUITE=bookworm

# The bookworm mirror of this machine's apt: the URI of the entry whose suites include
# "bookworm" in /etc/apt/sources.list and sources.list.d/*.list (one-line format) and
# *.sources (deb822). Prints "URI" for the main archive and "SECURITY-URI" on a second
# line (empty when none). Never a host written here.
ecpkg_mirrors () {
  local main="" sec="" f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    while read -r type rest; do
      [ "$type" = deb ] || continue
      rest=$(echo "$rest" | sed 's/\[[^]]*\]//')
      set -- $rest
      case "$2" in
        "$EC_SUITE") [ -n "$main" ] || main=$1 ;;
        "$EC_SUITE-security"|"$EC_SUITE/updates") [ -n "$sec" ] || sec=$1 ;;
      esac
    done <"$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    # deb822: stanzas separated by blank lines; print "URI SUITE" pairs of deb stanzas.
    while read -r uri suite; do
      case "$suite" in
        "$EC_SUITE") [ -n "$main" ] || main=$uri ;;
        "$EC_SUITE-security") [ -n "$sec" ] || sec=$uri ;;
      esac
    done < <(awk 'BEGIN { RS = ""; FS = "\n" }
      { t = ""; u = ""; s = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) t = $i; else if ($i ~ /^URIs:/) u = $i; else if ($i ~ /^Suites:/) s = $i }
        if (t !~ /(^|[ \t])deb([ \t]|$)/ || u == "") next
        sub(/^URIs:[ \t]*/, "", u); sub(/^Suites:[ \t]*/, "", s)
        split(u, us, /[ \t]+/); n = split(s, ss, /[ \t]+/)
        for (j = 1; j <= n; j++) print us[1], ss[j] }' "$f")
  done
  echo "$main"
  echo "$sec"
}

# The packages a .deb depends on (first alternative of each, versions dropped).
ecpkg_deb_depends () {
  local deb
  for deb in "$@"; do
    dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g'
  done | grep -v -x -e '' -e 'eldercard' -e 'eldercard-kiosk' -e 'eldercard-emulator' | LC_ALL=C sort -u
}

# The package list of the shared root: the packages' own dependencies, plus systemd
# (sysusers, tmpfiles, PID 1 for test-kiosk-boot.sh), dbus and libpam-systemd (logind),
# cage, xwayland (bookworm's cage refuses to start without it; only a Recommends) and
# grim (the kiosk session and its screenshot).
ecpkg_packages () {
  { ecpkg_deb_depends "$@"; printf '%s\n' systemd systemd-sysv dbus libpam-systemd cage xwayland grim; } \
    | LC_ALL=C sort -u
}

# ecpkg_debs DIR: the three .deb files in DIR (eldercard, -kiosk, -emulator), one a line.
ecpkg_debs () {
  local p f
  for p in eldercard eldercard-kiosk eldercard-emulator; do
    f=$(ls "$1"/${p}_*.deb 2>/dev/null | head -n1)
    [ -n "$f" ] || { echo "no ${p}_*.deb in $1: run make deb first" >&2; return 1; }
    echo "$f"
  done
}

# ecpkg_root PACKAGE…: print the path of a cached bookworm root (debootstrap minbase, then
# apt-get install --no-install-recommends PACKAGE…), building it when the cache has none
# for this package list, mirror and architecture. Progress goes to stderr.
ecpkg_root () {
  local arch mirror security key dir tmp t0
  arch=$(dpkg --print-architecture)
  { read -r mirror; read -r security; } < <(ecpkg_mirrors)
  if [ -z "$mirror" ]; then
    echo "no $EC_SUITE entry in /etc/apt/sources.list*: cannot tell which mirror to use" >&2
    return 1
  fi
  key=$(printf '%s\n' "$EC_SUITE" "$arch" "$mirror" "$security" "$@" | sha256sum | cut -c1-16)
  dir=$EC_CI_CACHE/$EC_SUITE-$arch-$key
  if [ -f "$dir/done" ]; then
    echo "$dir/root"
    return 0
  fi
  t0=$(date +%s)
  echo "# building the $EC_SUITE root $dir from $mirror (once; later runs reuse it)" >&2
  mkdir -p "$EC_CI_CACHE"
  tmp=$(mktemp -d "$EC_CI_CACHE/.build-XXXXXX")
  if ! debootstrap --variant=minbase --arch="$arch" "$EC_SUITE" "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1; then
    echo "debootstrap failed:" >&2; tail -n 20 "$tmp/debootstrap.log" >&2; rm -rf "$tmp"; return 1
  fi
  {
    echo "Types: deb"; echo "URIs: $mirror"; echo "Suites: $EC_SUITE $EC_SUITE-updates"
    echo "Components: main"; echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    if [ -n "$security" ]; then
      echo; echo "Types: deb"; echo "URIs: $security"; echo "Suites: $EC_SUITE-security"
      echo "Components: main"; echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    fi
  } >"$tmp/root/etc/apt/sources.list.d/debian.sources"
  : >"$tmp/root/etc/apt/sources.list"
  # This machine's apt settings that matter for reaching the mirror (a proxy, a snapshot
  # mirror's Valid-Until), as `apt-config dump` prints them.
  apt-config dump Acquire::http::Proxy Acquire::https::Proxy Acquire::Check-Valid-Until \
    Acquire::Check-Date >"$tmp/root/etc/apt/apt.conf.d/90eldercard-ci-host" 2>/dev/null || true
  cp -L /etc/resolv.conf "$tmp/root/etc/resolv.conf" 2>/dev/null || true
  if ! chroot "$tmp/root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
         sh -c 'apt-get update -q && apt-get install -y -q --no-install-recommends "$@" && apt-get clean' \
         sh "$@" >"$tmp/apt.log" 2>&1; then
    echo "apt-get install in the new root failed:" >&2; tail -n 20 "$tmp/apt.log" >&2; rm -rf "$tmp"; return 1
  fi
  printf '%s\n' "$@" >"$tmp/packages"
  echo "$(( $(date +%s) - t0 ))" >"$tmp/build-seconds"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  touch "$dir/done"
  # Older roots (another package list) are not used again: keep the disk bounded.
  find "$EC_CI_CACHE" -mindepth 1 -maxdepth 1 -name "$EC_SUITE-$arch-*" ! -path "$dir" -exec rm -rf {} +
  echo "# built in $(cat "$dir/build-seconds")s" >&2
  echo "$dir/root"
}

# ecpkg_overlay LOWER WORKDIR: mount a writable overlay of LOWER at WORKDIR/root.
ecpkg_overlay () {
  mkdir -p "$2/upper" "$2/work" "$2/root"
  mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/root"
}

# ecpkg_run ROOT [NSPAWN-OPTION…] -- COMMAND…: run a command in the root (no boot),
# without the host's D-Bus (none here), its output on ours.
ecpkg_run () {
  local root=$1; shift
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  systemd-nspawn --quiet --register=no --keep-unit --console=pipe -D "$root" "${opts[@]}" \
    --setenv=LC_ALL=C.UTF-8 --setenv=DEBIAN_FRONTEND=noninteractive -- "$@" \
    2> >(grep -v --line-buffered '^Attempted to remove disk file system under "/run/systemd/nspawn/propagate/' >&2)
}
# (systemd 252's nspawn prints that line when, with --keep-unit and without a machine
# registration, it cleans up its propagation directory: harmless, and not our output.)
