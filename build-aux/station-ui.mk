# SPDX-License-Identifier: GPL-3.0-or-later
# The kiosk's service-station mode (issue 7).
#
#   make station-screenshots   its screens in both languages → docs/screenshots/*-station-*.png
#                              (for docs/station-guide.md; fictional demo data)

STATIONUI_SHOTS := $(BUILDDIR)/station-screenshots

$(STATIONUI_SHOTS): tests/station-screenshots.c tests/kiosk-test-util.h tests/kiosk-test-harness.h tests/kiosk-station-test.h tests/kiosk-demo-fixture.h $(LIBKIOSK) $(LIBCORE)
	$(call say,LINK,$@)
	$(Q)$(kiosk-program)

.PHONY: station-screenshots
station-screenshots: all $(STATIONUI_SHOTS)
	for lang in zh en; do \
	  GSK_RENDERER=cairo NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory LC_ALL=C.UTF-8 \
	    xvfb-run -a -s "-screen 0 1280x900x24" $(STATIONUI_SHOTS) docs/screenshots $$lang || exit 1; \
	done
