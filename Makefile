# SPDX-License-Identifier: GPL-3.0-or-later
#
# eldercard: NFC identity cards that keep elderly residents safe.
#
#   make              build the core library, the CLI, the PN532 emulator and the kiosk
#   make run          start the kiosk on the demo community (emulated reader)
#   make check        build and run every test; ends with "N passed, N failed"
#   make check SANITIZE=1   the same under ASan + UBSan (separate build directory)
#   make deps         install the Debian packages eldercard builds, tests and runs with
#   make fuzz         run every libFuzzer harness for FUZZ_SECONDS (default 60)
#   make bench        benchmarks; figures are printed and described in docs/benchmarks.md
#   make install      see build-aux/install.mk and docs/deploy.md
#   make check-reproducible   two builds in different directories install identical files
#   make check-package  install the built packages (make deb) in a bookworm container (root)
#   make check-boot     boot that container's systemd and the kiosk unit in it (root)
#
# Only `make run`, `make check` and `make deps` install missing Debian packages (as root,
# build-aux/deps.sh; otherwise the exact apt-get command is printed and make stops).
# Every other goal only checks that what it needs to build is there, and says what is
# missing: a plain `make`, `make install` and a Debian package build never call apt-get
# (EC_NO_DEPS_INSTALL=1 makes `make check` only check, as debian/rules does).
# CPPFLAGS, CFLAGS and LDFLAGS from the environment (dpkg-buildflags) are honoured.

NULL :=
SHELL := /bin/bash

EC_GOALS := $(or $(MAKECMDGOALS),all)
ifeq ($(EC_DEPS_CHECKED),)
ifneq ($(filter run check deps,$(EC_GOALS)),)
ifeq ($(EC_NO_DEPS_INSTALL),1)
EC_DEPS_MODE := --check all
else
EC_DEPS_MODE := --install all
endif
else ifneq ($(filter-out clean distclean format-check install uninstall install-emulator uninstall-emulator check-reproducible deb check-package check-boot,$(EC_GOALS)),)
EC_DEPS_MODE := --check build
endif
ifneq ($(EC_DEPS_MODE),)
DEPS_STATUS := $(shell ./build-aux/deps.sh $(EC_DEPS_MODE) >&2 && echo ok)
ifneq ($(DEPS_STATUS),ok)
$(error missing Debian packages, see the message above)
endif
export EC_DEPS_CHECKED := 1
endif
endif

.DEFAULT_GOAL := all
.PHONY: deps
deps:
	@echo "deps: every Debian package eldercard needs is installed"

ifeq ($(SANITIZE),1)
BUILDDIR ?= build-sanitize
else
BUILDDIR ?= build
endif

VERSION := 0.1.0
# Where `make install` puts things (build-aux/install.mk). Installed programs find their
# files relative to their own location (src/core/ec-paths.h); PREFIX is only the default
# for a program that is not in PREFIX/bin.
PREFIX ?= /usr/local
CC ?= cc
PKG_CONFIG ?= pkg-config
CORE_PKGS  := glib-2.0 gio-2.0 gio-unix-2.0 json-glib-1.0 libsodium sqlite3 libnfc cairo pangocairo gdk-pixbuf-2.0
KIOSK_PKGS := $(CORE_PKGS) gtk4 libadwaita-1 libqrencode

CORE_CFLAGS  := $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) 2>/dev/null)
CORE_LIBS    := $(shell $(PKG_CONFIG) --libs $(CORE_PKGS) 2>/dev/null) -lm
KIOSK_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(KIOSK_PKGS) 2>/dev/null)
KIOSK_LIBS   := $(shell $(PKG_CONFIG) --libs $(KIOSK_PKGS) 2>/dev/null) -lm

# Fence the API to Debian bookworm: GLib 2.74, GTK 4.8, libadwaita 1.2.
FENCE := \
	-DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 \
	-DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74 \
	-DGDK_VERSION_MIN_REQUIRED=GDK_VERSION_4_8 \
	-DGDK_VERSION_MAX_ALLOWED=GDK_VERSION_4_8 \
	-DADW_VERSION_MIN_REQUIRED=ADW_VERSION_1_2 \
	-DADW_VERSION_MAX_ALLOWED=ADW_VERSION_1_2 \
	$(NULL)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wmissing-declarations -Wwrite-strings -Wswitch-enum -Wno-unused-parameter \
	-Werror=implicit-function-declaration -Werror=format-security \
	-Werror=return-type -Werror=int-conversion -Werror=incompatible-pointer-types

ifeq ($(WERROR),1)
WARN += -Werror
endif

OPT ?= -O2 -g
ifeq ($(SANITIZE),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
else
OPT += -D_FORTIFY_SOURCE=2
endif

LOCALEDIR := $(BUILDDIR)/locale

# No path of the build goes into a program that is installed: the programs find their
# files at run time (src/core/ec-paths.h), and the debug information names the sources
# relative to the tree. Only tests, benchmarks and tools (never installed) know the
# source and build directories (TEST_DEFS).
EC_DEFS := -DGETTEXT_PACKAGE=\"eldercard\" -DEC_VERSION=\"$(VERSION)\"
TEST_DEFS := -DEC_SOURCE_DIR=\"$(abspath .)\" -DEC_BUILD_DIR=\"$(abspath $(BUILDDIR))\"
PREFIX_MAP := -ffile-prefix-map=$(abspath .)=. -ffile-prefix-map=$(abspath $(BUILDDIR))=build
COMMON_CFLAGS := -std=gnu11 $(OPT) $(WARN) $(FENCE) -fstack-protector-strong -MMD -MP \
	-Isrc/core -I$(BUILDDIR) $(EC_DEFS) $(PREFIX_MAP)
override LDFLAGS += $(LDSAN)
# One compile and one link command for every kind of program (CPPFLAGS, CFLAGS and
# LDFLAGS are the caller's, last, so that they win).
EC_CC = $(CC) $(CPPFLAGS) $(COMMON_CFLAGS)
CORE_LINK_LIBS  = $(LIBCORE) $(CORE_LIBS)
KIOSK_LINK_LIBS = -Wl,--whole-archive $(LIBKIOSK) -Wl,--no-whole-archive $(LIBCORE) $(KIOSK_LIBS)
# $(core-program) / $(kiosk-program): compile and link a test, benchmark or tool from its
# one .c file ($<) into $@, with the core library or with the kiosk library and GTK.
core-program  = $(EC_CC) $(TEST_DEFS) -Itests $(CORE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_LINK_LIBS)
kiosk-program = $(EC_CC) $(TEST_DEFS) -Itests -Isrc/kiosk $(KIOSK_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(KIOSK_LINK_LIBS)

# The build directory's marker (src/core/ec-paths.h): programs run from it find the
# source tree through it. Rewritten only when its content changes; never installed.
BUILD_MARKER := $(BUILDDIR)/eldercard-source-dir
ifneq ($(filter-out clean distclean deps install uninstall install-emulator uninstall-emulator check-reproducible check-package check-boot,$(EC_GOALS)),)
$(shell mkdir -p $(BUILDDIR) && { [ "$$(cat $(BUILD_MARKER) 2>/dev/null)" = "$(abspath .)" ] || echo "$(abspath .)" >$(BUILD_MARKER); })
# PREFIX is compiled into ec-paths.o only: rebuild it when PREFIX changes.
PREFIX_STAMP := $(BUILDDIR)/prefix.stamp
$(shell [ "$$(cat $(PREFIX_STAMP) 2>/dev/null)" = "$(PREFIX)" ] || echo "$(PREFIX)" >$(PREFIX_STAMP))
endif

# ---------------------------------------------------------------------------
# Sources are picked up by wildcard: add a file, it is built.
CORE_SRC   := $(sort $(wildcard src/core/*.c))
CLI_SRC    := $(sort $(wildcard src/cli/*.c))
EMU_SRC    := $(sort $(wildcard src/emulator/*.c))
KIOSK_SRC  := $(sort $(filter-out src/kiosk/main.c,$(wildcard src/kiosk/*.c)))
TEST_C     := $(sort $(wildcard tests/test-*.c))
TEST_SH    := $(sort $(wildcard tests/test-*.sh))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz-*.c))

CORE_OBJ  := $(CORE_SRC:%.c=$(BUILDDIR)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILDDIR)/%.o)
EMU_OBJ   := $(EMU_SRC:%.c=$(BUILDDIR)/%.o)
KIOSK_OBJ := $(KIOSK_SRC:%.c=$(BUILDDIR)/%.o)

LIBCORE   := $(BUILDDIR)/libeldercard.a
LIBKIOSK  := $(BUILDDIR)/libeldercard-kiosk.a
CLI       := $(BUILDDIR)/eldercard
EMU       := $(BUILDDIR)/pn532-emu
KIOSK     := $(BUILDDIR)/eldercard-kiosk
TESTS     := $(TEST_C:tests/%.c=$(BUILDDIR)/tests/%)

# GResource bundle for the kiosk (ui/).
GRESOURCE_XML := ui/eldercard.gresource.xml
GLIB_COMPILE_RESOURCES := $(shell $(PKG_CONFIG) --variable=glib_compile_resources gio-2.0 2>/dev/null)
RESOURCES_C := $(BUILDDIR)/ec-resources.c
RESOURCES_O := $(BUILDDIR)/ec-resources.o
ifneq ($(wildcard $(GRESOURCE_XML)),)
RESOURCE_DEPS := $(shell $(GLIB_COMPILE_RESOURCES) --sourcedir=ui --generate-dependencies $(GRESOURCE_XML) 2>/dev/null)
HAVE_KIOSK := $(wildcard src/kiosk/main.c)
endif

BINARIES := $(LIBCORE) $(CLI) $(if $(EMU_SRC),$(EMU)) $(if $(HAVE_KIOSK),$(KIOSK))

# Quiet by default; `make V=1` shows the full command lines.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2)
endif

.PHONY: all
all: $(BINARIES) translations

$(BUILDDIR)/src/core/%.o: src/core/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(EC_CC) $(OBJ_DEFS) -Wconversion -Wno-sign-conversion $(CORE_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILDDIR)/src/core/ec-paths.o: OBJ_DEFS := -DEC_PREFIX=\"$(PREFIX)\"
$(BUILDDIR)/src/core/ec-paths.o: $(PREFIX_STAMP)

$(BUILDDIR)/src/cli/%.o: src/cli/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(EC_CC) $(CORE_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILDDIR)/src/emulator/%.o: src/emulator/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(EC_CC) $(CORE_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILDDIR)/src/kiosk/%.o: src/kiosk/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(EC_CC) -Isrc/kiosk $(KIOSK_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIBCORE): $(CORE_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(CLI): $(CLI_OBJ) $(LIBCORE)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(CORE_LINK_LIBS)

$(EMU): $(EMU_OBJ) $(LIBCORE)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(EMU_OBJ) $(CORE_LINK_LIBS)

$(RESOURCES_C): $(GRESOURCE_XML) $(RESOURCE_DEPS)
	@mkdir -p $(@D)
	$(call say,GEN,$@)
	$(Q)$(GLIB_COMPILE_RESOURCES) --sourcedir=ui --target=$@ --generate-source $(GRESOURCE_XML)

# Generated data only: nothing to sanitize, and AddressSanitizer would describe its
# globals with the file's absolute path, which -ffile-prefix-map does not reach.
$(RESOURCES_O): $(RESOURCES_C)
	$(call say,CC,$@)
	$(Q)$(EC_CC) -w $(KIOSK_CFLAGS) $(CFLAGS) -fno-sanitize=all -c $(abspath $<) -o $@

$(LIBKIOSK): $(KIOSK_OBJ) $(RESOURCES_O)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(KIOSK): $(BUILDDIR)/src/kiosk/main.o $(LIBKIOSK) $(LIBCORE)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(KIOSK_LINK_LIBS)

# Tests: tests/test-kiosk*.c link the kiosk library and GTK; the others only the core.
KIOSK_TESTS := $(filter $(BUILDDIR)/tests/test-kiosk%,$(TESTS))
CORE_TESTS  := $(filter-out $(KIOSK_TESTS),$(TESTS))

$(KIOSK_TESTS): $(BUILDDIR)/tests/%: tests/%.c $(LIBKIOSK) $(LIBCORE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(kiosk-program)

$(CORE_TESTS): $(BUILDDIR)/tests/%: tests/%.c $(LIBCORE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(core-program)

# The command for shell tests: the product's objects plus tests/eldercard-test-cli.c,
# whose ec_kdf_policy() (cheap Argon2id) the linker takes instead of the library's.
# Never installed; the installed command has no switch for it.
TEST_CLI := $(BUILDDIR)/tests/eldercard-test

$(TEST_CLI): tests/eldercard-test-cli.c tests/ec-test-kdf.h $(CLI_OBJ) $(LIBCORE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(COMMON_CFLAGS) $(CORE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_OBJ) $(LIBCORE) $(CORE_LIBS)

# ---------------------------------------------------------------------------
# Translations (po/): compiled into $(BUILDDIR)/locale for running from the tree.
PO_FILES := $(wildcard po/*.po)
MO_FILES := $(PO_FILES:po/%.po=$(LOCALEDIR)/%/LC_MESSAGES/eldercard.mo)

# The desktop file and the AppStream metainfo: their translations come from po/ (the
# languages in po/LINGUAS), merged by msgfmt --desktop / --xml (gettext ≥ 0.19.7).
DESKTOP  := $(BUILDDIR)/data/org.eldercard.Kiosk.desktop
METAINFO := $(BUILDDIR)/data/org.eldercard.Kiosk.metainfo.xml

.PHONY: translations
translations: $(MO_FILES) $(DESKTOP) $(METAINFO)

$(DESKTOP): data/org.eldercard.Kiosk.desktop.in $(PO_FILES) po/LINGUAS
	@mkdir -p $(@D)
	$(call say,MSGFMT,$@)
	$(Q)msgfmt --desktop --template=$< -d po -o $@

$(METAINFO): data/org.eldercard.Kiosk.metainfo.xml.in $(PO_FILES) po/LINGUAS
	@mkdir -p $(@D)
	$(call say,MSGFMT,$@)
	$(Q)msgfmt --xml --template=$< -d po -o $@

$(LOCALEDIR)/%/LC_MESSAGES/eldercard.mo: po/%.po
	@mkdir -p $(@D)
	$(call say,MSGFMT,$@)
	$(Q)msgfmt --check -o $@ $<

# ---------------------------------------------------------------------------
.PHONY: check
check: all $(TESTS) $(TEST_CLI)
	@EC_BUILD_DIR=$(abspath $(BUILDDIR)) SANITIZE=$(SANITIZE) \
	  ./tests/run-tests.sh $(TESTS) $(TEST_SH)

# Debian packages (debian/): eldercard, eldercard-kiosk, eldercard-emulator, built from a
# copy of the tracked files in build-deb/ (dpkg-buildpackage writes next to the source),
# then checked with lintian. DEB_BUILD_OPTIONS=nocheck skips the test suite.
DEB_DIR := build-deb
.PHONY: deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/eldercard-$(VERSION)
	git ls-files -z | xargs -0 cp -a --parents -t $(DEB_DIR)/eldercard-$(VERSION)
	cd $(DEB_DIR)/eldercard-$(VERSION) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u EC_DEPS_CHECKED \
	  dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning --info $(DEB_DIR)/eldercard_$(VERSION)_*.changes
	@ls -l $(DEB_DIR)/*.deb

# Two builds in different directories install identical files (build-aux/check-reproducible.sh).
.PHONY: check-reproducible
check-reproducible:
	@./build-aux/check-reproducible.sh

# libFuzzer harnesses: one per parser, built with clang. The core is compiled once
# with the sanitizers and coverage instrumentation, then each harness links it.
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 2
FUZZ_CC ?= clang
FUZZ_DIR ?= build-fuzz
FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Isrc/core $(FENCE) $(EC_DEFS) $(TEST_DEFS) \
	-DEC_FUZZING=1 -MMD -MP $(CORE_CFLAGS)
FUZZ_CORE_OBJ := $(CORE_SRC:%.c=$(FUZZ_DIR)/%.o)
FUZZ_LIBCORE := $(FUZZ_DIR)/libeldercard-fuzz.a

$(FUZZ_DIR)/src/core/%.o: src/core/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(FUZZ_LIBCORE): $(FUZZ_CORE_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BINS): $(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_LIBCORE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIBCORE) $(CORE_LIBS)

.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@FUZZ_JOBS=$(FUZZ_JOBS) ./tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# Only build directories: never build-aux/ (tracked) nor anything else of the tree.
CLEAN_DIRS := $(sort build build-sanitize build-fuzz build-deb build-release \
	$(filter-out . .. ./ / build-aux build-aux/ src% tests% data% docs% po% ui% udev% cards% debian%,$(BUILDDIR) $(FUZZ_DIR)))
.PHONY: clean distclean
clean:
	rm -rf $(CLEAN_DIRS)

distclean: clean

-include $(wildcard build-aux/*.mk)
-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(EMU_OBJ:.o=.d) $(KIOSK_OBJ:.o=.d) $(TESTS:=.d)
-include $(FUZZ_CORE_OBJ:.o=.d) $(FUZZ_BINS:=.d)
