/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-phone: the phone number parser (ec_phone_parse, ec_phone_tel_uri) on arbitrary
 * bytes — a contact phone comes from the card's summary or the database. A number it
 * accepts is digits with at most one leading +, 3..15 digits, and its URI holds
 * nothing else. */
#define G_LOG_DOMAIN "fuzz-phone"

#include <string.h>
#include <glib.h>

#include "ec-phone.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *uri = NULL;
  EcPhone phone;

  if (ec_phone_parse (text, &phone))
    {
      gsize n = strlen (phone.number);
      gsize digits = strspn (phone.number + (phone.number[0] == '+'), "0123456789");

      g_assert (digits + (phone.number[0] == '+') == n);
      g_assert (digits >= 3 && digits <= 15);
      g_assert (phone.extension == NULL || strspn (phone.extension, "0123456789") == strlen (phone.extension));
      ec_phone_clear (&phone);
    }
  uri = ec_phone_tel_uri (text);
  if (uri != NULL)
    g_assert (g_str_has_prefix (uri, "tel:") && strspn (uri + 4, "+0123456789;ext=") == strlen (uri + 4));
  return 0;
}
