# SPDX-License-Identifier: GPL-3.0-or-later
# The reader layer's extra targets (included by the Makefile):
#   $(BUILDDIR)/eldercard-nfc-helper   the process that runs libnfc (src/helper/*.c)
#   make bench-reader                 the reader benchmark (docs/benchmarks.md)

EC_READER_HELPER     := $(BUILDDIR)/eldercard-nfc-helper
EC_READER_HELPER_SRC := $(sort $(wildcard src/helper/*.c))
EC_READER_HELPER_OBJ := $(EC_READER_HELPER_SRC:%.c=$(BUILDDIR)/%.o)

all: $(EC_READER_HELPER)
check: $(EC_READER_HELPER)

$(BUILDDIR)/src/helper/%.o: src/helper/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(EC_CC) -Wconversion -Wno-sign-conversion $(CORE_CFLAGS) $(CFLAGS) -c $< -o $@

$(EC_READER_HELPER): $(EC_READER_HELPER_OBJ) $(LIBCORE)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(EC_READER_HELPER_OBJ) $(CORE_LINK_LIBS)

-include $(EC_READER_HELPER_OBJ:.o=.d)

# The reader benchmark (docs/benchmarks.md, "Reader").
EC_READER_BENCH := $(BUILDDIR)/bench-reader

$(EC_READER_BENCH): tests/bench-reader.c tests/ec-test-emu.h tests/ec-test-issue.h $(LIBCORE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(core-program)

.PHONY: bench bench-reader
bench: bench-reader
bench-reader: $(EC_READER_BENCH) $(EMU) $(EC_READER_HELPER)
	@EC_BUILD_DIR=$(abspath $(BUILDDIR)) $(EC_READER_BENCH)
