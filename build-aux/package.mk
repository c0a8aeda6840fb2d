# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of the built Debian packages (included by the Makefile), as root, after `make deb`:
#
#   make check-package   tests/package/test-deb-chroot.sh: apt installs the three packages
#                        into a minimal bookworm root (debootstrap, cached under
#                        /var/cache/eldercard-ci keyed by its package list), runs
#                        eldercard version and doctor there, checks the user, group,
#                        owners and modes, removes and purges, checks nothing is left
#   make check-boot      tests/package/test-kiosk-boot.sh: boots that root's systemd as
#                        PID 1 (systemd-nspawn --boot) with cage and the kiosk unit
#
# Both end with the runner's "N passed, N failed" (tests/run-tests.sh). The first run
# builds the root (minutes, from the mirror in /etc/apt/sources.list*); later runs reuse
# it. EC_DEB_DIR (default build-deb) is where the .deb files are; EC_CI_CACHE the cache.
# CI (.ci/run) runs check-package after make deb; see docs/deploy.md for check-boot.

EC_DEB_DIR ?= $(abspath build-deb)
EC_PACKAGE_LOGS ?= $(abspath build-deb/package-test)

.PHONY: check-package check-boot
check-package:
	@./build-aux/deps.sh --install package
	@EC_BUILD_DIR=$(EC_PACKAGE_LOGS) EC_DEB_DIR=$(EC_DEB_DIR) TEST_TIMEOUT=1200 \
	  ./tests/run-tests.sh tests/package/test-deb-chroot.sh

check-boot:
	@./build-aux/deps.sh --install package
	@EC_BUILD_DIR=$(EC_PACKAGE_LOGS) EC_DEB_DIR=$(EC_DEB_DIR) TEST_TIMEOUT=1200 \
	  ./tests/run-tests.sh tests/package/test-kiosk-boot.sh
