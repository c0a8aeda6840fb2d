/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-paths.h: where the programs find their data, translations and helper at run time.
 *
 * No path of the build is compiled into a program. A program knows where it runs from
 * by its own location (/proc/self/exe):
 *
 *   - In a build tree: its directory, or the parent of its directory (build/tests/), holds
 *     the file `eldercard-source-dir` that `make` writes (the source tree's absolute path
 *     on one line; `make install` never installs it). Then translations are in
 *     BUILD/locale, the helper is BUILD/eldercard-nfc-helper and data is SOURCE/data.
 *   - Installed: the program is PREFIX/bin/NAME (or PREFIX/libexec/eldercard/NAME), so
 *     PREFIX follows from its location, wherever it was installed (DESTDIR included);
 *     elsewhere, the PREFIX it was built for (EC_PREFIX, the Makefile's PREFIX). Then
 *     data is PREFIX/share/eldercard, translations PREFIX/share/locale and the helper
 *     PREFIX/libexec/eldercard/eldercard-nfc-helper.
 *
 * The environment overrides each: ELDERCARD_DATADIR, ELDERCARD_LOCALEDIR,
 * ELDERCARD_NFC_HELPER (the helper's full path, ec-reader.h). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EC_PATHS_BUILD_MARKER "eldercard-source-dir"

/* The build directory the running program belongs to, or NULL when it is installed. */
const char *ec_paths_build_dir  (void);
/* The source tree of that build (from its marker file), or NULL. */
const char *ec_paths_source_dir (void);
/* The installation prefix of an installed program (see above). */
const char *ec_paths_prefix     (void);

/* Newly allocated: $ELDERCARD_DATADIR, else SOURCE/data, else PREFIX/share/eldercard. */
char       *ec_paths_datadir    (void);
/* Newly allocated: $ELDERCARD_LOCALEDIR, else BUILD/locale, else PREFIX/share/locale. */
char       *ec_paths_localedir  (void);
/* Newly allocated: BUILD, else PREFIX/libexec/eldercard (where eldercard-nfc-helper is). */
char       *ec_paths_libexecdir (void);

G_END_DECLS
