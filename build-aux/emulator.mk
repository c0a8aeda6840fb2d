# SPDX-License-Identifier: GPL-3.0-or-later
# make emulator-run: a PN532 emulator in the foreground, to try eldercard and libnfc's
# own tools (nfc-list, nfc-mfultralight…) by hand. See docs/emulator.md.
#
#   make emulator-run                                 blank NTAG215
#   make emulator-run EMU_RUN_ARGS="--pace 115200 --air" EMU_RUN_TAG=ntag216

EMU_RUN_TAG  ?= ntag215
EMU_RUN_LINK ?= $(abspath $(BUILDDIR))/pn532-emu.link
EMU_RUN_CTL  ?= $(abspath $(BUILDDIR))/pn532-emu.ctl
EMU_RUN_ARGS ?=

.PHONY: emulator-run
emulator-run: $(EMU)
	@echo "In another shell:"
	@echo "  export LIBNFC_DEFAULT_DEVICE=pn532_uart:$(EMU_RUN_LINK) LIBNFC_AUTO_SCAN=false"
	@echo "  $(abspath $(EMU)) ctl $(EMU_RUN_CTL) place ntag213|remove|save FILE|stats|quit ..."
	$(EMU) --link $(EMU_RUN_LINK) --control $(EMU_RUN_CTL) --tag $(EMU_RUN_TAG) $(EMU_RUN_ARGS)
