/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-phone.h: a phone number as people write it ("+86 010-5550-0101 ext 23",
 * "139 0000 1234 转 8001", full-width "１３９…") parsed into what a phone dials.
 *
 * The number is the digits (with one leading +) joined across the visual separators
 * space - . ( ); full-width digits, plus and separators are normalised first. An
 * extension follows "ext", "ext.", "x", "转", "分机" or "#" and is kept apart (RFC 3966
 * ";ext="). Anything after that without a digit is a note and ignored; text with more
 * digits (a second number, a date) makes the number ambiguous: not dialable. With "+86"
 * the national trunk 0 is dropped ("+86 010…" dials +8610…). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *number;      /* "+861055500101" or "13900001234": digits, one leading + */
  char *extension;   /* "23", or NULL */
  char *written;     /* the number as written, without the extension and note: "+86 010-5550-0101" */
  char *rest;        /* what follows it as written ("ext 23", "转 8001 (白天)"), or NULL */
} EcPhone;

/* TRUE and @out filled when @text holds one whole, dialable number: at least 3 digits
 * (110, 120), and with a leading + 8 to 15 (E.164). FALSE when it does not. */
gboolean  ec_phone_parse    (const char *text,
                             EcPhone    *out);
void      ec_phone_clear    (EcPhone    *phone);
/* RFC 3966: "tel:+861055500101;ext=23", "tel:13900001234"; NULL when @text is not one
 * whole dialable number (then show it as written and offer no link). */
char     *ec_phone_tel_uri  (const char *text);

G_END_DECLS
