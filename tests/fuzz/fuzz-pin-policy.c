/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: a typed or scripted PIN (outside bytes) through the PIN policy.
 * Whatever it accepts must be 6..12 ASCII digits, and never a single repeated digit
 * or a run counting up or down. */
#include <string.h>

#include "ec-init.h"
#include "ec-pin.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *pin = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  gsize len = strlen (pin);

  ec_init ();
  if (ec_pin_check_policy (pin, &error))
    {
      gboolean same = TRUE, up = TRUE, down = TRUE;

      g_assert (error == NULL);
      g_assert (len >= EC_PIN_MIN_DIGITS && len <= EC_PIN_MAX_DIGITS);
      for (gsize i = 0; i < len; i++)
        g_assert (pin[i] >= '0' && pin[i] <= '9');
      for (gsize i = 1; i < len; i++)
        {
          same = same && pin[i] == pin[0];
          up = up && (pin[i - 1] - '0' + 1) % 10 == pin[i] - '0';
          down = down && (pin[i - 1] - '0' + 9) % 10 == pin[i] - '0';
        }
      g_assert (!same && !up && !down);
    }
  else
    g_assert (error != NULL && error->domain == EC_STAFF_ERROR);
  return 0;
}
