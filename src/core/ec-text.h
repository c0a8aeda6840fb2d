/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-text.h: the characters eldercard refuses in stored text, and escaping for a
 * terminal.
 *
 * Unsafe in any stored text: C0 controls (U+0000–U+001F) except, in multi-line
 * fields, line feed and tab; DEL (U+007F); C1 controls (U+0080–U+009F); the bidi
 * embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069 (which make
 * "evil.exe" display as something else). The card format refuses control characters
 * for the same reason; the database applies this rule on every write path
 * (ec-db-resident.c validation: add, update, CSV import, sync). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The first unsafe character of UTF-8 @s (as a code point in @out_char), or NULL.
 * With @multiline, '\n' and '\t' are allowed. */
const char *ec_text_find_unsafe      (const char *s,
                                      gboolean    multiline,
                                      gunichar   *out_char);

/* @s for a terminal: every unsafe character (and, without @keep_newlines, '\n' and
 * '\t' too) written as a visible escape ("\x1b", "\u202e"); invalid UTF-8 bytes as
 * "\xNN". Never NULL for a non-NULL @s. */
char       *ec_text_escape_terminal  (const char *s,
                                      gboolean    keep_newlines);

G_END_DECLS
