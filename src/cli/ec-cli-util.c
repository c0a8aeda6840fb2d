/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-cli-util.c: small helpers shared by the eldercard subcommands (declared in ec-cli.h). */
#define G_LOG_DOMAIN "ec-cli"

#include "ec-cli.h"

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
