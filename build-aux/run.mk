# SPDX-License-Identifier: GPL-3.0-or-later
# The kiosk's demo, screenshots and benchmark.
#
#   make run               the kiosk on a fictional demo community, with the PN532
#                          emulator behind the real libnfc and a demo panel
#   make run HEADLESS=1    the same under xvfb-run (nothing to see; for a smoke test)
#   make run ROLE=nurse    the same as a nurse (allergy check before an injection)
#   make screenshots       every screen in both languages → docs/screenshots/
#   make bench-kiosk       cold start, tap-to-record, idle CPU, RSS → docs/benchmarks.md

KIOSK_DEMO_SETUP := $(BUILDDIR)/kiosk-demo-setup
KIOSK_SHOTS      := $(BUILDDIR)/kiosk-screenshots
KIOSK_BENCH      := $(BUILDDIR)/kiosk-bench

$(KIOSK_DEMO_SETUP): tests/kiosk-demo-setup.c tests/kiosk-demo-fixture.h $(LIBCORE)
	$(call say,LINK,$@)
	$(Q)$(core-program)

$(KIOSK_SHOTS): tests/kiosk-screenshots.c tests/kiosk-test-util.h tests/kiosk-test-harness.h tests/kiosk-demo-fixture.h $(LIBKIOSK) $(LIBCORE)
	$(call say,LINK,$@)
	$(Q)$(kiosk-program)

$(KIOSK_BENCH): tests/kiosk-bench.c tests/kiosk-test-util.h tests/kiosk-test-harness.h tests/kiosk-demo-fixture.h $(LIBKIOSK) $(LIBCORE)
	$(call say,LINK,$@)
	$(Q)$(kiosk-program)

.PHONY: run
run: all $(KIOSK_DEMO_SETUP)
	@HEADLESS=$(HEADLESS) ROLE=$(ROLE) ./build-aux/run-demo.sh $(abspath $(BUILDDIR))

.PHONY: screenshots
screenshots: all $(KIOSK_SHOTS)
	GSK_RENDERER=cairo NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory LC_ALL=C.UTF-8 \
	  xvfb-run -a -s "-screen 0 1400x1300x24" $(KIOSK_SHOTS) docs/screenshots

.PHONY: bench bench-kiosk
bench: bench-kiosk
bench-kiosk: all $(KIOSK_BENCH)
	GSK_RENDERER=cairo NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory LC_ALL=C.UTF-8 LIBNFC_AUTO_SCAN=false \
	  xvfb-run -a -s "-screen 0 1280x900x24" $(KIOSK_BENCH) $(abspath $(BUILDDIR))
