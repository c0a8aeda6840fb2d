#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian packages eldercard builds, tests and runs with.
#
#   build-aux/deps.sh --check build     what a plain `make` needs: print the missing
#                                       ones and the apt-get command, exit 1; never installs
#   build-aux/deps.sh --check all       the same for everything (build, tests, demo)
#   build-aux/deps.sh --install deb     what `make deb` needs on top (debhelper, lintian)
#   build-aux/deps.sh --install package what `make check-package` and `make check-boot`
#                                       need (debootstrap, systemd-nspawn)
#   build-aux/deps.sh --install all     as root, install the missing ones non-interactively;
#                                       otherwise print the exact command and exit 1
#
# Only `make run`, `make check` and `make deps` use --install (the Makefile).
set -eu

# What compiling needs (debian/control's Build-Depends say the same).
BUILD_PACKAGES="
pkg-config
libglib2.0-dev
libglib2.0-bin
libjson-glib-dev
libsodium-dev
libsqlite3-dev
libnfc-dev
libgtk-4-dev
libadwaita-1-dev
libqrencode-dev
libcairo2-dev
libgdk-pixbuf-2.0-dev
gettext
"
# What the tests, the demo and the fuzzers need on top.
TEST_PACKAGES="
sqlite3
libnfc-bin
libnfc-examples
libxml2-utils
xvfb
xauth
fonts-noto-cjk
poppler-utils
desktop-file-utils
appstream
groff-base
clang
xdotool
systemd
bash-completion
"

# What `make deb` needs on top of the build packages.
DEB_PACKAGES="
debhelper
lintian
"

# What the package tests need (build-aux/package.mk): a bookworm root and a container.
PACKAGE_TEST_PACKAGES="
debootstrap
systemd-container
"

mode=${1:---install}
group=${2:-all}
case "$group" in
  build) PACKAGES=$BUILD_PACKAGES ;;
  all) PACKAGES="$BUILD_PACKAGES $TEST_PACKAGES" ;;
  deb) PACKAGES="$BUILD_PACKAGES $DEB_PACKAGES" ;;
  package) PACKAGES=$PACKAGE_TEST_PACKAGES ;;
  *) echo "usage: $0 --check|--install build|all|deb|package" >&2; exit 2 ;;
esac

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done

[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
case "$mode" in
  --install)
    if [ "$(id -u)" = 0 ]; then
      echo "eldercard: installing missing Debian packages:$missing" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q >&2 || true
      # shellcheck disable=SC2086
      apt-get install -y -q --no-install-recommends $missing >&2
      exit 0
    fi
    echo "eldercard: missing Debian packages:$missing" >&2
    echo "eldercard: run as root:  sudo $cmd  (or: sudo make deps)" >&2
    exit 1 ;;
  --check)
    echo "eldercard: missing Debian packages:$missing" >&2
    echo "eldercard: install them with:  sudo $cmd  (or: sudo make deps)" >&2
    exit 1 ;;
  *) echo "usage: $0 --check|--install build|all" >&2; exit 2 ;;
esac
