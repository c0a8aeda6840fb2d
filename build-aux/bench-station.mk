# SPDX-License-Identifier: GPL-3.0-or-later
# Station-mode benchmark (included by the Makefile):
#   make bench-station   PIN hash/verify (Argon2id INTERACTIVE), staff sign-in on a
#                        real database, card-face PDF; figures printed (see
#                        docs/station-guide.md, "Benchmarks"). EC_STATION_BENCH_RUNS=N.
#   make bench           every area's benchmark, this one included

EC_STATION_BENCH      := $(BUILDDIR)/bench-station
EC_STATION_BENCH_RUNS ?= 9

.PHONY: bench bench-station
bench: bench-station

bench-station: $(EC_STATION_BENCH)
	$(EC_STATION_BENCH) --runs $(EC_STATION_BENCH_RUNS)

$(EC_STATION_BENCH): tests/bench-station.c $(LIBCORE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(core-program)
