# SPDX-License-Identifier: GPL-3.0-or-later
# Translations: `make update-po` regenerates po/eldercard.pot from the files in
# po/POTFILES and merges it into every po/*.po (then translate the new msgids).
# The Makefile compiles po/*.po into $(BUILDDIR)/locale.

I18N_XGETTEXT_FLAGS := --from-code=UTF-8 --add-comments --package-name=eldercard \
	--package-version=$(VERSION) --msgid-bugs-address=https://github.com/eldercard \
	--keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
	--keyword=g_dngettext:2,3 --keyword=ngettext:1,2 --sort-by-file

.PHONY: update-po
update-po:
	grep -v '^#' po/POTFILES | grep -v '^$$' > $(BUILDDIR)/POTFILES.list
	xgettext $(I18N_XGETTEXT_FLAGS) -o po/eldercard.pot -f $(BUILDDIR)/POTFILES.list
	for po in po/*.po; do [ -f "$$po" ] && msgmerge --quiet --update --backup=none --no-fuzzy-matching "$$po" po/eldercard.pot; done; true
