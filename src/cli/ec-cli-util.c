/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-cli-util.c: small helpers shared by the eldercard subcommands (declared in ec-cli.h). */
#define G_LOG_DOMAIN "ec-cli"

#include "ec-cli.h"
#include "ec-i18n.h"
#include "ec-keys.h"

int
ec_cli_usage_error (GOptionContext *ctx,
                    const char     *message)
{
  g_autofree char *help = g_option_context_get_help (ctx, TRUE, NULL);

  if (message != NULL)
    g_printerr ("eldercard: %s\n\n", message);
  g_printerr ("%s", help);
  return 2;
}

EcStationKey *
ec_cli_station_key_unlock (const char  *keydir,
                           guint16      station_id,
                           const char  *pass_file,
                           GError     **error)
{
  g_autoptr(EcSecret) pass = NULL;

  pass = pass_file != NULL ? ec_passphrase_from_file (pass_file, error)
                           : ec_passphrase_from_tty (_("Station key passphrase: "), FALSE, error);
  if (pass == NULL)
    return NULL;
  return ec_station_key_unlock (keydir, station_id, pass, error);
}

EcReadKey *
ec_cli_read_key_load (const char  *keydir,
                      const char  *file,
                      GError     **error)
{
  g_autofree char *path = NULL;

  path = file != NULL ? g_strdup (file) : g_build_filename (keydir, "community", "read.key", NULL);
  return ec_read_key_load (path, error);
}
