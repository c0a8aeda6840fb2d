/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-phone"

#include "ec-phone.h"

#include <string.h>

/* Full-width forms (U+FF01..FF5E) to ASCII, the ideographic space to a space. */
static gunichar
normalise (gunichar c)
{
  if (c >= 0xFF01 && c <= 0xFF5E)
    return c - 0xFF01 + 0x21;
  if (c == 0x3000)
    return ' ';
  return c;
}

static gboolean
is_separator (gunichar c)
{
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == 0x2013 || c == 0x2014;
}

/* The extension markers, after normalisation; matched case-insensitively. */
static const char *const ext_markers[] = { "ext.", "ext", "x", "转", "分机", "#", NULL };

static gsize
match_ext_marker (const char *p)
{
  for (guint i = 0; ext_markers[i] != NULL; i++)
    {
      gsize n = strlen (ext_markers[i]);
      if (g_ascii_strncasecmp (p, ext_markers[i], n) == 0)
        return n;
    }
  return 0;
}

void
ec_phone_clear (EcPhone *phone)
{
  g_clear_pointer (&phone->number, g_free);
  g_clear_pointer (&phone->extension, g_free);
  g_clear_pointer (&phone->written, g_free);
  g_clear_pointer (&phone->rest, g_free);
}

gboolean
ec_phone_parse (const char *text,
                EcPhone    *out)
{
  g_autoptr(GString) norm = g_string_new (NULL);
  g_autoptr(GString) number = g_string_new (NULL);
  g_autoptr(GString) ext = g_string_new (NULL);
  const char *p;
  const char *number_end;
  guint digits = 0;
  gboolean plus = FALSE;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (p = text; *p; p = g_utf8_next_char (p))
    g_string_append_unichar (norm, normalise (g_utf8_get_char (p)));

  p = norm->str;
  while (*p == ' ')
    p++;
  if (*p == '+')
    {
      plus = TRUE;
      g_string_append_c (number, '+');
      p++;
    }
  for (; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_ascii_isdigit (*p))
        {
          g_string_append_c (number, *p);
          digits++;
        }
      else if (c == '(' && digits > 3)
        break;   /* "139 0000 1234 (2025年起)": a note, not an area code */
      else if (!is_separator (c))
        break;
    }
  number_end = p;
  /* An extension: a marker, separators, digits. */
  {
    const char *q = p;
    gsize n;
    while (*q == ' ')
      q++;
    n = match_ext_marker (q);
    if (n > 0)
      {
        q += n;
        while (*q == ' ' || *q == ':' || *q == '.')
          q++;
        while (g_ascii_isdigit (*q))
          g_string_append_c (ext, *q++);
        p = q;
      }
  }
  /* Whatever is left is a note, unless it holds a digit (a second number?). */
  for (; *p; p++)
    if (g_ascii_isdigit (*p))
      return FALSE;

  if (plus && g_str_has_prefix (number->str, "+860"))
    {
      g_string_erase (number, 3, 1);   /* +86 010 → +86 10: the trunk 0 is not dialled */
      digits--;
    }
  if (digits < 3 || digits > 15 || (plus && digits < 8))
    return FALSE;
  out->number = g_string_free (g_steal_pointer (&number), FALSE);
  out->extension = ext->len > 0 ? g_string_free (g_steal_pointer (&ext), FALSE) : NULL;
  {
    /* Normalising maps one character to one: split the text as written there. */
    glong chars = g_utf8_pointer_to_offset (norm->str, number_end);
    const char *split = g_utf8_offset_to_pointer (text, chars);
    g_autofree char *rest = g_strstrip (g_strdup (split));

    out->written = g_strstrip (g_strndup (text, (gsize) (split - text)));
    out->rest = *rest ? g_steal_pointer (&rest) : NULL;
  }
  return TRUE;
}

char *
ec_phone_tel_uri (const char *text)
{
  EcPhone phone;
  char *uri;

  if (!ec_phone_parse (text, &phone))
    return NULL;
  if (phone.extension != NULL)
    uri = g_strdup_printf ("tel:%s;ext=%s", phone.number, phone.extension);
  else
    uri = g_strdup_printf ("tel:%s", phone.number);
  ec_phone_clear (&phone);
  return uri;
}
