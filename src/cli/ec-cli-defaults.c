/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-cli-defaults.c: the database and key directory a subcommand uses when no option
 * names them: the environment, then the configuration file the kiosk and doctor read,
 * then the current directory (ec-cli.h). */
#define G_LOG_DOMAIN "ec-cli"

#include "ec-cli.h"

#include <stdlib.h>

#include "ec-config.h"
#include "ec-i18n.h"

/* The configuration, read once; NULL when there is no file. */
static const EcConfig *
cli_config (void)
{
  static gsize loaded;
  static EcConfig *config;

  if (g_once_init_enter (&loaded))
    {
      const char *env = g_getenv ("ELDERCARD_CONFIG");
      const char *path = (env != NULL && *env) ? env : EC_CONFIG_DEFAULT_PATH;
      g_autoptr(EcConfig) c = ec_config_new ();
      g_autoptr(GError) error = NULL;

      if (ec_config_load_file (c, path, &error))
        config = g_steal_pointer (&c);
      else if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          /* Falling back to the current directory would quietly use another database. */
          g_printerr (_("eldercard: cannot use the configuration file %s: %s\n"
                        "(name the database and keys with --db and --keys, or set ELDERCARD_CONFIG)\n"),
                      path, error->message);
          exit (1);
        }
      g_once_init_leave (&loaded, 1);
    }
  return config;
}

const char *
ec_cli_default_db (void)
{
  const char *e = g_getenv ("ELDERCARD_DB");

  if (e != NULL && *e)
    return e;
  if (cli_config () != NULL && cli_config ()->db_path != NULL)
    return cli_config ()->db_path;
  return "eldercard.db";
}

const char *
ec_cli_default_keydir (void)
{
  const char *e = g_getenv ("ELDERCARD_KEYS");

  if (e != NULL && *e)
    return e;
  if (cli_config () != NULL && cli_config ()->keys_dir != NULL)
    return cli_config ()->keys_dir;
  return "keys";
}
