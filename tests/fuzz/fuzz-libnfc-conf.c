/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-libnfc-conf: the libnfc.conf / devices.d reader (ec-libnfc-conf.c) on arbitrary
 * bytes, as a main file and as a device file. */
#define G_LOG_DOMAIN "fuzz-libnfc-conf"

#include <string.h>
#include <glib.h>

#include "ec-libnfc-conf.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check (const EcLibnfcConf *conf)
{
  g_assert (conf->n_devices <= EC_LIBNFC_MAX_USER_DEVICES);
  g_assert (conf->log_level >= -1 && conf->log_level <= 3);
  for (guint i = 0; i < EC_LIBNFC_MAX_USER_DEVICES; i++)
    {
      const EcLibnfcDevice *d = &conf->devices[i];
      if (i >= conf->n_devices)
        g_assert (d->name == NULL && d->connstring == NULL && !d->optional);
      if (d->connstring != NULL)
        {
          g_assert (*d->connstring != '\0');
          g_assert (strlen (d->connstring) <= EC_LIBNFC_CONNSTRING_MAX);
          g_assert (strchr (d->connstring, '\n') == NULL);
        }
      if (d->name != NULL)
        g_assert (strlen (d->name) <= 255 && strchr (d->name, '\n') == NULL);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  EcLibnfcConf conf;

  ec_libnfc_conf_init (&conf);
  ec_libnfc_conf_parse (&conf, (const char *) data, size, FALSE);
  check (&conf);
  ec_libnfc_conf_parse (&conf, (const char *) data, size, TRUE);
  check (&conf);
  ec_libnfc_conf_clear (&conf);
  g_assert (conf.n_devices == 0 && conf.allow_autoscan && !conf.allow_intrusive_scan);
  return 0;
}
