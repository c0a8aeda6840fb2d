# SPDX-License-Identifier: GPL-3.0-or-later
# Card format test vectors (cards/vectors/, cards/FORMAT.md).
#
#   make card-vectors   regenerate cards/vectors/ with NEW test-only keys and rewrite every
#                       .expected file from `eldercard card verify`. The checked-in files are
#                       the reference: only regenerate when the format changes on purpose,
#                       and review the diff.
#   make card-vectors-add  write only the summary-version-2 and header-check vectors
#                       with the keys already in cards/vectors/keys (the older vectors
#                       stay byte for byte), then rewrite every .expected file.

CARDFMT_VECTORS := cards/vectors
CARDFMT_GEN     := $(BUILDDIR)/tests/card-vectors-gen

$(CARDFMT_GEN): tests/card-vectors-gen.c $(LIBCORE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(core-program)

.PHONY: card-vectors card-vectors-add
card-vectors-add: $(CARDFMT_GEN) $(CLI)
	chmod 600 $(CARDFMT_VECTORS)/keys/community/*.key $(CARDFMT_VECTORS)/keys/stations/*.key
	$(CARDFMT_GEN) --add $(CARDFMT_VECTORS)
	@for f in $(CARDFMT_VECTORS)/*.tag; do \
	  LC_ALL=C.UTF-8 $(CLI) card verify --keys $(CARDFMT_VECTORS)/keys "$$f" \
	    > "$${f%.tag}.expected" 2>&1; \
	  echo "  $${f%.tag}.expected (exit $$?)"; \
	done

card-vectors: $(CARDFMT_GEN) $(CLI)
	rm -rf $(CARDFMT_VECTORS)/keys
	rm -f $(CARDFMT_VECTORS)/*.tag $(CARDFMT_VECTORS)/*.expected
	@mkdir -p $(CARDFMT_VECTORS)
	$(CARDFMT_GEN) $(CARDFMT_VECTORS)
	@for f in $(CARDFMT_VECTORS)/*.tag; do \
	  LC_ALL=C.UTF-8 $(CLI) card verify --keys $(CARDFMT_VECTORS)/keys "$$f" \
	    > "$${f%.tag}.expected" 2>&1; \
	  echo "  $${f%.tag}.expected (exit $$?)"; \
	done
