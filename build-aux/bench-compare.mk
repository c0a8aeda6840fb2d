# SPDX-License-Identifier: GPL-3.0-or-later
# Whole-process figures beside their baselines, measured in the same run (included by
# the Makefile):
#   make bench-compare   card read vs nfc-mfultralight r; CLI commands vs raw sqlite3
#                        (EC_BENCH_RESIDENTS=N, EC_BENCH_PAIRS=N, EC_BENCH_DIR=DIR)
#   make bench           every area's benchmark, this one included
# What the figures mean: docs/benchmarks.md, "Against baselines".

.PHONY: bench bench-compare
bench: bench-compare
bench-compare: all
	@EC_BUILD_DIR=$(abspath $(BUILDDIR)) ./tests/bench-compare.sh
