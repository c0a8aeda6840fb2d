# SPDX-License-Identifier: GPL-3.0-or-later
# The kiosk's nurse view: its screenshots.
#
#   make screenshots-nurse   the nurse view (record, suggestions, STOP, CAUTION, no
#                            recorded conflict, not in the table) in zh and en
#                            → docs/screenshots/LANG-nurse-*.png
# `make screenshots` (build-aux/run.mk) makes these too.

NURSE_SHOTS := $(BUILDDIR)/kiosk-nurse-screenshots

$(NURSE_SHOTS): tests/kiosk-nurse-screenshots.c tests/kiosk-nurse-fixture.h tests/kiosk-test-util.h tests/kiosk-test-harness.h tests/kiosk-demo-fixture.h $(LIBKIOSK) $(LIBCORE)
	$(call say,LINK,$@)
	$(Q)$(kiosk-program)

.PHONY: screenshots-nurse
screenshots-nurse: all $(NURSE_SHOTS)
	GSK_RENDERER=cairo NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory LC_ALL=C.UTF-8 \
	  xvfb-run -a -s "-screen 0 1280x900x24" $(NURSE_SHOTS) docs/screenshots

screenshots: screenshots-nurse
