# SPDX-License-Identifier: GPL-3.0-or-later
# The database benchmark (included by the Makefile):
#   make bench-db      1,000,000 generated residents: import, lookups, search
#                      (figures printed; what they mean: docs/benchmarks.md)
#   make bench         every area's benchmark, this one included
# EC_DB_BENCH_RESIDENTS=N to change the size; EC_DB_BENCH_DIR=DIR to put the
# database files somewhere else (default: a fresh directory under $TMPDIR).

EC_DB_BENCH           := $(BUILDDIR)/bench-db
EC_DB_BENCH_RESIDENTS ?= 1000000
EC_DB_BENCH_DIR       ?=

.PHONY: bench bench-db
bench: bench-db

bench-db: $(EC_DB_BENCH)
	$(EC_DB_BENCH) --residents $(EC_DB_BENCH_RESIDENTS) $(if $(EC_DB_BENCH_DIR),--dir $(EC_DB_BENCH_DIR))

$(EC_DB_BENCH): tests/bench-db.c $(LIBCORE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(core-program)
