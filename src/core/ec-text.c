/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-text"

#include "ec-text.h"

#include <string.h>

static gboolean
unsafe_char (gunichar c,
             gboolean multiline)
{
  if (c == '\n' || c == '\t')
    return !multiline;
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)
         || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

const char *
ec_text_find_unsafe (const char *s,
                     gboolean    multiline,
                     gunichar   *out_char)
{
  if (s == NULL)
    return NULL;
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        return NULL;   /* invalid UTF-8 is the validator's to refuse, not ours */
      if (unsafe_char (c, multiline))
        {
          if (out_char != NULL)
            *out_char = c;
          return p;
        }
    }
  return NULL;
}

char *
ec_text_escape_terminal (const char *s,
                         gboolean    keep_newlines)
{
  GString *out;
  const char *p = s, *end;

  g_return_val_if_fail (s != NULL, NULL);
  out = g_string_sized_new (strlen (s));
  end = s + strlen (s);
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guint) (guchar) *p);
          p++;
          continue;
        }
      if (unsafe_char (c, keep_newlines))
        {
          if (c < 0x100)
            g_string_append_printf (out, "\\x%02x", (guint) c);
          else
            g_string_append_printf (out, "\\u%04x", (guint) c);
        }
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}
