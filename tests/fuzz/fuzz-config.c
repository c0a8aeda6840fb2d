/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-config: the kiosk configuration parser (ec-config.c) on arbitrary bytes. */
#define G_LOG_DOMAIN "fuzz-config"

#include <glib.h>

#include "ec-config.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(GError) error = NULL;

  if (ec_config_load_data (config, (const char *) data, size, &error))
    {
      /* Whatever was accepted must be within the documented bounds. */
      g_assert (config->idle_timeout >= 1 && config->idle_timeout <= EC_CONFIG_MAX_IDLE_TIMEOUT);
      g_assert (config->role != EC_ROLE_ADMIN);
      g_assert (config->db_path != NULL && config->keys_dir != NULL);
      g_assert (config->max_age_days <= 3650);
      if (config->language != NULL)
        g_assert (g_str_equal (config->language, "zh") || g_str_equal (config->language, "en"));
    }
  else
    g_assert (error != NULL);
  return 0;
}
