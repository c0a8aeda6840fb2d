#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Make sure the Debian packages eldercard builds, tests and runs with are present.
# As root, install the missing ones non-interactively; otherwise print the exact command.
set -eu

PACKAGES="
pkg-config
libglib2.0-dev
libglib2.0-bin
libjson-glib-dev
libsodium-dev
libsqlite3-dev
sqlite3
libnfc-dev
libnfc-bin
libnfc-examples
libgtk-4-dev
libadwaita-1-dev
libqrencode-dev
libcairo2-dev
libgdk-pixbuf-2.0-dev
libxml2-utils
gettext
xvfb
xauth
fonts-noto-cjk
poppler-utils
desktop-file-utils
appstream
groff-base
clang
xdotool
"

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
if [ "$(id -u)" = 0 ]; then
  echo "eldercard: installing missing Debian packages:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 || true
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing >&2
else
  echo "eldercard: missing Debian packages:$missing" >&2
  echo "eldercard: run as root:  sudo $cmd" >&2
  exit 1
fi
