/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-init"

#include "ec-init.h"

#include <locale.h>
#include <libintl.h>
#include <sodium.h>

void
ec_init (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      if (sodium_init () < 0)
        g_error ("libsodium could not be initialised");
      g_once_init_leave (&initialised, 1);
    }
}
