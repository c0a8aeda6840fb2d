# SPDX-License-Identifier: GPL-3.0-or-later
# make install / make uninstall (included by the Makefile). docs/deploy.md walks through it.
#
#   make BUILDDIR=build-release PREFIX=/usr/local
#   sudo make BUILDDIR=build-release PREFIX=/usr/local install
#   sudo make BUILDDIR=build-release PREFIX=/usr/local uninstall
#   sudo make BUILDDIR=build-release PREFIX=/usr/local install-emulator   (demo/test only)
#
# `install` never builds: it copies what is in $(BUILDDIR) and stops with a message when
# the CLI is not built. The kiosk (and everything that belongs to it: desktop file,
# metainfo, icon, man page, systemd unit) is installed only when $(KIOSK) exists, the NFC
# helper (build-aux/reader.mk) when it exists. The PN532 emulator is a demo and test tool,
# never part of the product: only `make install-emulator` installs it.
#
# Where things go (DESTDIR is prepended to all of them):
#   $(PREFIX)/bin/eldercard, eldercard-kiosk               0755
#   $(PREFIX)/libexec/eldercard/eldercard-nfc-helper       0755 (the process that runs libnfc)
#   $(PREFIX)/libexec/eldercard/pn532-emu                  0755, install-emulator only
#   $(PREFIX)/share/locale/LANG/LC_MESSAGES/eldercard.mo   from $(BUILDDIR)/locale
#   $(PREFIX)/share/eldercard/                             data/ (minus the files below),
#                                                          udev/readers.tsv, the optional
#                                                          PN532 serial rules
#   $(PREFIX)/share/applications, metainfo, icons/hicolor/scalable/apps, man/man1
#   $(PREFIX)/share/bash-completion/completions/eldercard
#   $(PREFIX)/share/doc/eldercard/                         README.md and docs/*.md
#   $(PREFIX)/lib/udev/rules.d/70-eldercard-nfc.rules      (udev reads /usr/local/lib too)
#   $(PREFIX)/lib/systemd/system/eldercard-kiosk.service   (so does systemd)
#   $(PREFIX)/lib/sysusers.d, tmpfiles.d/eldercard.conf    the user and directory modes
#   $(SYSCONFDIR)/modprobe.d/eldercard-blacklist-pn533.conf (kmod reads /etc/modprobe.d)
#   $(SYSCONFDIR)/eldercard/eldercard.conf                 0644, never overwritten
#   $(SYSCONFDIR)/eldercard/keys/                          0750 root:eldercard (read-only to the kiosk)
#   $(LOCALSTATEDIR)/lib/eldercard/                        0750
# SYSCONFDIR is /etc and LOCALSTATEDIR /var whatever PREFIX is, as for any system service.
#
# As root without DESTDIR, install also creates the user and group "eldercard"
# (systemd-sysusers), gives the two directories to it (systemd-tmpfiles) and reloads udev
# and systemd. `uninstall` removes our files; it keeps an edited config, a non-empty key
# directory and a non-empty data directory (your database), and it does not delete the user.
#
# The programs carry no path of the build: installed, they find share/eldercard,
# share/locale and libexec/eldercard from their own location (src/core/ec-paths.h), so
# the same build can be installed under any PREFIX or DESTDIR.

DESTDIR ?=
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var

EC_INST_NFC_HELPER  ?= $(BUILDDIR)/eldercard-nfc-helper
EC_INST_BINDIR      := $(PREFIX)/bin
EC_INST_LIBEXECDIR  := $(PREFIX)/libexec/eldercard
EC_INST_DATAROOT    := $(PREFIX)/share
EC_INST_DATADIR     := $(EC_INST_DATAROOT)/eldercard
EC_INST_LOCALEDIR   := $(EC_INST_DATAROOT)/locale
EC_INST_MANDIR      := $(EC_INST_DATAROOT)/man/man1
EC_INST_COMPLETIONDIR := $(EC_INST_DATAROOT)/bash-completion/completions
EC_INST_DOCDIR      := $(EC_INST_DATAROOT)/doc/eldercard
EC_INST_APPSDIR     := $(EC_INST_DATAROOT)/applications
EC_INST_METAINFODIR := $(EC_INST_DATAROOT)/metainfo
EC_INST_ICONDIR     := $(EC_INST_DATAROOT)/icons/hicolor/scalable/apps
EC_INST_UDEVDIR     := $(PREFIX)/lib/udev/rules.d
EC_INST_UNITDIR     := $(PREFIX)/lib/systemd/system
EC_INST_SYSUSERSDIR := $(PREFIX)/lib/sysusers.d
EC_INST_TMPFILESDIR := $(PREFIX)/lib/tmpfiles.d
EC_INST_MODPROBEDIR := $(SYSCONFDIR)/modprobe.d
EC_INST_CONFDIR     := $(SYSCONFDIR)/eldercard
EC_INST_KEYDIR      := $(EC_INST_CONFDIR)/keys
EC_INST_STATEDIR    := $(LOCALSTATEDIR)/lib/eldercard

# Files of data/ that have their own place; the rest of data/ goes to share/eldercard.
EC_INST_DATA_OWN := data/eldercard.conf data/org.eldercard.Kiosk.desktop.in \
  data/org.eldercard.Kiosk.metainfo.xml.in data/icons/% data/systemd/% data/sysusers.d/% \
  data/tmpfiles.d/% data/bash-completion/%
EC_INST_DATA := $(filter-out $(EC_INST_DATA_OWN),$(shell find data -type f ! -name '.*' 2>/dev/null | LC_ALL=C sort))
EC_INST_DOCS := README.md $(filter-out docs/BRIEF.md docs/TEAM-NOTES.md,$(wildcard docs/*.md))
EC_INST_SED  := sed -e 's|@BINDIR@|$(EC_INST_BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
  -e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g' -e 's|@DATADIR@|$(EC_INST_DATADIR)|g' \
  -e 's|@LOCALEDIR@|$(EC_INST_LOCALEDIR)|g' -e 's|@LIBEXECDIR@|$(EC_INST_LIBEXECDIR)|g'

.PHONY: install uninstall install-emulator uninstall-emulator
# The PN532 emulator, for a demo or a test machine (the eldercard-emulator package).
install-emulator:
	@test -x $(EMU) || { echo "install-emulator: $(EMU) is not built; run 'make BUILDDIR=$(BUILDDIR)' first" >&2; exit 1; }
	install -D -m 0755 $(EMU) $(DESTDIR)$(EC_INST_LIBEXECDIR)/pn532-emu

uninstall-emulator:
	rm -f $(DESTDIR)$(EC_INST_LIBEXECDIR)/pn532-emu
	-rmdir $(DESTDIR)$(EC_INST_LIBEXECDIR) 2>/dev/null

install:
	@test -x $(CLI) || { echo "install: $(CLI) is not built; run 'make BUILDDIR=$(BUILDDIR)' first" >&2; exit 1; }
	install -d -m 0755 $(DESTDIR)$(EC_INST_BINDIR) $(DESTDIR)$(EC_INST_DATADIR)/udev \
	  $(DESTDIR)$(EC_INST_MANDIR) $(DESTDIR)$(EC_INST_DOCDIR) $(DESTDIR)$(EC_INST_UDEVDIR) \
	  $(DESTDIR)$(EC_INST_SYSUSERSDIR) $(DESTDIR)$(EC_INST_TMPFILESDIR) \
	  $(DESTDIR)$(EC_INST_MODPROBEDIR) $(DESTDIR)$(EC_INST_CONFDIR)
	install -m 0755 $(CLI) $(DESTDIR)$(EC_INST_BINDIR)/eldercard
	@if [ -x $(EC_INST_NFC_HELPER) ]; then \
	  echo "install -D -m 0755 $(EC_INST_NFC_HELPER) $(DESTDIR)$(EC_INST_LIBEXECDIR)/eldercard-nfc-helper"; \
	  install -D -m 0755 $(EC_INST_NFC_HELPER) $(DESTDIR)$(EC_INST_LIBEXECDIR)/eldercard-nfc-helper; \
	else echo "install: WARNING: $(EC_INST_NFC_HELPER) not built: the installed programs cannot use a reader" >&2; fi
	@set -e; for mo in $(wildcard $(BUILDDIR)/locale/*/LC_MESSAGES/eldercard.mo); do \
	  lang=$$(basename $$(dirname $$(dirname $$mo))); \
	  echo "install -D -m 0644 $$mo $(DESTDIR)$(EC_INST_LOCALEDIR)/$$lang/LC_MESSAGES/eldercard.mo"; \
	  install -D -m 0644 $$mo $(DESTDIR)$(EC_INST_LOCALEDIR)/$$lang/LC_MESSAGES/eldercard.mo; \
	done
	@set -e; for f in $(EC_INST_DATA); do \
	  install -D -m 0644 $$f $(DESTDIR)$(EC_INST_DATADIR)/$${f#data/}; \
	done
	install -m 0644 udev/readers.tsv udev/71-eldercard-pn532-serial.rules $(DESTDIR)$(EC_INST_DATADIR)/udev/
	install -m 0644 docs/man/eldercard.1 $(DESTDIR)$(EC_INST_MANDIR)/
	install -D -m 0644 data/bash-completion/eldercard $(DESTDIR)$(EC_INST_COMPLETIONDIR)/eldercard
	install -m 0644 $(EC_INST_DOCS) $(DESTDIR)$(EC_INST_DOCDIR)/
	install -m 0644 udev/70-eldercard-nfc.rules $(DESTDIR)$(EC_INST_UDEVDIR)/
	install -m 0644 udev/eldercard-blacklist-pn533.conf $(DESTDIR)$(EC_INST_MODPROBEDIR)/
	$(EC_INST_SED) data/sysusers.d/eldercard.conf >$(DESTDIR)$(EC_INST_SYSUSERSDIR)/eldercard.conf
	$(EC_INST_SED) data/tmpfiles.d/eldercard.conf >$(DESTDIR)$(EC_INST_TMPFILESDIR)/eldercard.conf
	chmod 0644 $(DESTDIR)$(EC_INST_SYSUSERSDIR)/eldercard.conf $(DESTDIR)$(EC_INST_TMPFILESDIR)/eldercard.conf
	@if [ -e $(DESTDIR)$(EC_INST_CONFDIR)/eldercard.conf ] && ! cmp -s data/eldercard.conf $(DESTDIR)$(EC_INST_CONFDIR)/eldercard.conf; then \
	  echo "install: keeping your $(EC_INST_CONFDIR)/eldercard.conf; the shipped one is eldercard.conf.dist"; \
	  install -m 0644 data/eldercard.conf $(DESTDIR)$(EC_INST_CONFDIR)/eldercard.conf.dist; \
	else \
	  echo "install -m 0644 data/eldercard.conf $(DESTDIR)$(EC_INST_CONFDIR)/eldercard.conf"; \
	  install -m 0644 data/eldercard.conf $(DESTDIR)$(EC_INST_CONFDIR)/eldercard.conf; \
	fi
	install -d -m 0750 $(DESTDIR)$(EC_INST_KEYDIR)
	install -d -m 0750 $(DESTDIR)$(EC_INST_STATEDIR)
	chmod 0750 $(DESTDIR)$(EC_INST_KEYDIR)
	chmod 0750 $(DESTDIR)$(EC_INST_STATEDIR)
	@if [ -x $(KIOSK) ]; then set -ex; \
	  install -m 0755 $(KIOSK) $(DESTDIR)$(EC_INST_BINDIR)/eldercard-kiosk; \
	  install -m 0644 docs/man/eldercard-kiosk.1 $(DESTDIR)$(EC_INST_MANDIR)/; \
	  install -D -m 0644 $(DESKTOP) $(DESTDIR)$(EC_INST_APPSDIR)/org.eldercard.Kiosk.desktop; \
	  install -D -m 0644 $(METAINFO) $(DESTDIR)$(EC_INST_METAINFODIR)/org.eldercard.Kiosk.metainfo.xml; \
	  install -D -m 0644 data/icons/org.eldercard.Kiosk.svg $(DESTDIR)$(EC_INST_ICONDIR)/org.eldercard.Kiosk.svg; \
	  install -d -m 0755 $(DESTDIR)$(EC_INST_UNITDIR); \
	  $(EC_INST_SED) data/systemd/eldercard-kiosk.service.in >$(DESTDIR)$(EC_INST_UNITDIR)/eldercard-kiosk.service; \
	  chmod 0644 $(DESTDIR)$(EC_INST_UNITDIR)/eldercard-kiosk.service; \
	else echo "install: $(KIOSK) not built, kiosk, its desktop file, man page and unit not installed"; fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	  echo "install: creating user eldercard, setting up $(EC_INST_STATEDIR) and $(EC_INST_KEYDIR)"; \
	  systemd-sysusers $(EC_INST_SYSUSERSDIR)/eldercard.conf && \
	  systemd-tmpfiles --create $(EC_INST_TMPFILESDIR)/eldercard.conf || exit 1; \
	  if [ -d /run/udev ]; then udevadm control --reload-rules || true; fi; \
	  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi; \
	fi

uninstall:
	rm -f $(DESTDIR)$(EC_INST_BINDIR)/eldercard $(DESTDIR)$(EC_INST_BINDIR)/eldercard-kiosk
	rm -f $(DESTDIR)$(EC_INST_LOCALEDIR)/*/LC_MESSAGES/eldercard.mo
	rm -f $(DESTDIR)$(EC_INST_MANDIR)/eldercard.1 $(DESTDIR)$(EC_INST_MANDIR)/eldercard-kiosk.1
	rm -f $(DESTDIR)$(EC_INST_COMPLETIONDIR)/eldercard
	rm -f $(DESTDIR)$(EC_INST_APPSDIR)/org.eldercard.Kiosk.desktop \
	  $(DESTDIR)$(EC_INST_METAINFODIR)/org.eldercard.Kiosk.metainfo.xml \
	  $(DESTDIR)$(EC_INST_ICONDIR)/org.eldercard.Kiosk.svg
	rm -f $(DESTDIR)$(EC_INST_UDEVDIR)/70-eldercard-nfc.rules \
	  $(DESTDIR)$(EC_INST_UNITDIR)/eldercard-kiosk.service \
	  $(DESTDIR)$(EC_INST_SYSUSERSDIR)/eldercard.conf $(DESTDIR)$(EC_INST_TMPFILESDIR)/eldercard.conf \
	  $(DESTDIR)$(EC_INST_MODPROBEDIR)/eldercard-blacklist-pn533.conf \
	  $(DESTDIR)$(EC_INST_CONFDIR)/eldercard.conf.dist
	rm -rf $(DESTDIR)$(EC_INST_DATADIR) $(DESTDIR)$(EC_INST_DOCDIR) $(DESTDIR)$(EC_INST_LIBEXECDIR)
	@if cmp -s data/eldercard.conf $(DESTDIR)$(EC_INST_CONFDIR)/eldercard.conf; then \
	  echo "rm -f $(DESTDIR)$(EC_INST_CONFDIR)/eldercard.conf"; rm -f $(DESTDIR)$(EC_INST_CONFDIR)/eldercard.conf; \
	elif [ -e $(DESTDIR)$(EC_INST_CONFDIR)/eldercard.conf ]; then \
	  echo "uninstall: keeping $(EC_INST_CONFDIR)/eldercard.conf (edited)"; fi
	@for d in $(EC_INST_KEYDIR) $(EC_INST_CONFDIR) $(EC_INST_STATEDIR); do \
	  if [ -d $(DESTDIR)$$d ]; then rmdir $(DESTDIR)$$d 2>/dev/null && echo "rmdir $(DESTDIR)$$d" || \
	    echo "uninstall: keeping $$d (not empty)"; fi; \
	done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	  if [ -d /run/udev ]; then udevadm control --reload-rules || true; fi; \
	  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi; \
	  echo "uninstall: the user and group 'eldercard' were left in place (userdel eldercard)"; \
	fi
