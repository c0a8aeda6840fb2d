/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-cli-util.c: small helpers shared by the eldercard subcommands (declared in ec-cli.h). */
#define G_LOG_DOMAIN "ec-cli"

#include "ec-cli.h"

#include <stdio.h>

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

/* Terminal columns @text takes: East Asian wide and fullwidth characters take two. */
static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

void
ec_cli_print_row (const char  *const *cells,
                  const guint         *widths,
                  guint                n_cells)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; i < n_cells; i++)
    {
      const char *cell = cells[i] != NULL && g_utf8_validate (cells[i], -1, NULL) ? cells[i] : "-";
      g_string_append (line, cell);
      if (i + 1 < n_cells)
        {
          gsize w = display_width (cell);
          for (; w < widths[i]; w++)
            g_string_append_c (line, ' ');
          g_string_append_c (line, ' ');
        }
    }
  puts (line->str);
  g_string_free (line, TRUE);
}
