# SPDX-License-Identifier: GPL-3.0-or-later
# Allergy-check benchmark (included by the Makefile):
#   make bench-allergy   drug table load, one check, one autocomplete query; medians
#                        printed (docs/nurse-guide.md). EC_ALLERGY_BENCH_RUNS=N.
#   make bench           every area's benchmark, this one included

EC_ALLERGY_BENCH      := $(BUILDDIR)/bench-allergy
EC_ALLERGY_BENCH_RUNS ?= 9

.PHONY: bench bench-allergy
bench: bench-allergy

bench-allergy: $(EC_ALLERGY_BENCH)
	env -u ELDERCARD_DATADIR $(EC_ALLERGY_BENCH) --runs $(EC_ALLERGY_BENCH_RUNS)

$(EC_ALLERGY_BENCH): tests/bench-allergy.c $(LIBCORE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(core-program)
