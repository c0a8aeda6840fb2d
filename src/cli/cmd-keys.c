/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard community / station / kiosk-bundle: the community's keys (docs/keys.md).
 *
 *   eldercard community create [--keys DIR] [--passphrase-file FILE]
 *   eldercard community rotate-read-key [--keys DIR]
 *   eldercard station add --id N --name NAME [--valid-days N] [--keys DIR]
 *                         [--root-passphrase-file FILE] [--passphrase-file FILE]
 *   eldercard kiosk-bundle export --out DIR [--keys DIR] [--no-read-key]
 *
 * Passphrases come from the terminal with echo off, or for scripts from a file
 * (first line; "-" = standard input; /dev/fd/N reads an inherited descriptor). They
 * are never taken on the command line, where the process list would show them. */
#define G_LOG_DOMAIN "ec-cli-keys"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "ec-cli.h"
#include "ec-error.h"
#include "ec-i18n.h"
#include "ec-keys.h"

/* Shared with cmd-card.c through ec-cli.h is not needed: each command has its own. */
static EcSecret *
get_passphrase (const char *file,
                const char *prompt,
                gboolean    confirm,
                GError    **error)
{
  if (file != NULL)
    return ec_passphrase_from_file (file, error);
  return ec_passphrase_from_tty (prompt, confirm, error);
}

/* ---- community ------------------------------------------------------------------- */

int
ec_cmd_community (int    argc,
                  char **argv)
{
  g_autofree char *keydir = NULL;
  g_autofree char *pass_file = NULL;
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  const char *keys;
  GOptionEntry entries[] = {
    { "keys", 'k', 0, G_OPTION_ARG_FILENAME, &keydir,
      N_("Key directory (default $ELDERCARD_KEYS or ./keys)"), N_("DIR") },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &pass_file,
      N_("create: read the root key passphrase from the first line of FILE ('-' = stdin)"),
      N_("FILE") },
    { NULL }
  };

  ctx = g_option_context_new (_("create | rotate-read-key"));
  g_option_context_set_summary (ctx,
      _("The community's keys.\n"
        "\n"
        "  create            make the community root key (encrypted with a passphrase,\n"
        "                    keep it offline), its public key and the first read key\n"
        "  rotate-read-key   make a new read key for new cards; the old one is kept as\n"
        "                    read-<kid>.key so old cards stay readable (after a lost kiosk)"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 2)
    return ec_cli_usage_error (ctx, _("say what to do: create or rotate-read-key"));
  keys = keydir != NULL ? keydir : ec_cli_default_keydir ();

  if (g_str_equal (argv[1], "create"))
    {
      g_autoptr(EcSecret) pass = get_passphrase (pass_file,
                                                 _("New passphrase for the community root key: "),
                                                 TRUE, &error);
      if (pass == NULL || !ec_community_create (keys, pass, &error))
        return ec_cli_fail (error);
      printf (_("Community created in %s.\n"
                "  community/root.key  root secret key, encrypted: copy it to offline storage\n"
                "                      and remove it from this machine after adding stations\n"
                "  community/root.pub  root public key: every kiosk trusts it\n"
                "  community/read.key  read key for card summaries: authorised kiosks only\n"),
              keys);
      return 0;
    }
  if (g_str_equal (argv[1], "rotate-read-key"))
    {
      guint32 kid = 0;
      g_autofree char *s = NULL;

      if (!ec_community_rotate_read_key (keys, &kid, &error))
        return ec_cli_fail (error);
      s = ec_key_id_to_string (kid);
      printf (_("New read key %s. Export new kiosk bundles; reissue cards to retire the old key.\n"), s);
      return 0;
    }
  return ec_cli_usage_error (ctx, _("unknown action"));
}

/* ---- station ----------------------------------------------------------------------- */

int
ec_cmd_station (int    argc,
                char **argv)
{
  g_autofree char *keydir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *pass_file = NULL;
  g_autofree char *root_pass_file = NULL;
  gint id = 0, valid_days = 3 * 365;
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcSecret) root_pass = NULL;
  g_autoptr(EcSecret) pass = NULL;
  g_autoptr(EcStationKey) key = NULL;
  g_autofree char *kid = NULL;
  const char *keys;
  GOptionEntry entries[] = {
    { "keys", 'k', 0, G_OPTION_ARG_FILENAME, &keydir,
      N_("Key directory (default $ELDERCARD_KEYS or ./keys)"), N_("DIR") },
    { "id", 0, 0, G_OPTION_ARG_INT, &id, N_("Station id, 1..65535"), N_("N") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Station name, e.g. 幸福里社区服务站"), N_("NAME") },
    { "valid-days", 0, 0, G_OPTION_ARG_INT, &valid_days,
      N_("Days the certificate is valid (default 1095)"), N_("N") },
    { "root-passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &root_pass_file,
      N_("Read the community root passphrase from FILE"), N_("FILE") },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &pass_file,
      N_("Read the new station key's passphrase from FILE"), N_("FILE") },
    { NULL }
  };

  ctx = g_option_context_new (_("add"));
  g_option_context_set_summary (ctx,
      _("Add an issuing station: a new Ed25519 signing key, encrypted with the station's\n"
        "passphrase (stations/<id>.key, 0600) and a certificate signed by the community\n"
        "root (stations/<id>.cert). Needs the root key's passphrase."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 2 || !g_str_equal (argv[1], "add"))
    return ec_cli_usage_error (ctx, _("say what to do: add"));
  if (id < 1 || id > 65535 || name == NULL || valid_days < 1 || valid_days > 36500)
    return ec_cli_usage_error (ctx, _("--id 1..65535 and --name are required; --valid-days 1..36500"));
  keys = keydir != NULL ? keydir : ec_cli_default_keydir ();

  root_pass = get_passphrase (root_pass_file, _("Community root key passphrase: "), FALSE, &error);
  if (root_pass == NULL)
    return ec_cli_fail (error);
  pass = get_passphrase (pass_file, _("New passphrase for the station key: "), TRUE, &error);
  if (pass == NULL)
    return ec_cli_fail (error);
  if (!ec_station_add (keys, (guint16) id, name, (gint64) time (NULL), (guint) valid_days,
                       root_pass, pass, &error))
    return ec_cli_fail (error);
  /* Prove the files work together before telling anyone they do. */
  key = ec_station_key_unlock (keys, (guint16) id, pass, &error);
  if (key == NULL)
    return ec_cli_fail (error);
  kid = ec_key_id_to_string (key->cert->kid);
  printf (_("Station %d (%s) added with signing key %s.\n"), id, name, kid);
  return 0;
}

/* ---- kiosk bundle ----------------------------------------------------------------- */

int
ec_cmd_kiosk_bundle (int    argc,
                     char **argv)
{
  g_autofree char *keydir = NULL;
  g_autofree char *out = NULL;
  gboolean no_read_key = FALSE;
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  GOptionEntry entries[] = {
    { "keys", 'k', 0, G_OPTION_ARG_FILENAME, &keydir,
      N_("Key directory (default $ELDERCARD_KEYS or ./keys)"), N_("DIR") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Bundle directory to create"), N_("DIR") },
    { "no-read-key", 0, 0, G_OPTION_ARG_NONE, &no_read_key,
      N_("Leave the read keys out: the kiosk verifies cards but cannot show their summary"), NULL },
    { NULL }
  };

  ctx = g_option_context_new (_("export"));
  g_option_context_set_summary (ctx,
      _("Export what a kiosk needs: community/root.pub, stations/*.cert and (unless\n"
        "--no-read-key) the read keys. Never a secret signing key. Point the kiosk's\n"
        "keys_dir (or ELDERCARD_KEYS) at the directory."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 2 || !g_str_equal (argv[1], "export") || out == NULL)
    return ec_cli_usage_error (ctx, _("usage: eldercard kiosk-bundle export --out DIR"));
  if (!ec_kiosk_bundle_export (keydir != NULL ? keydir : ec_cli_default_keydir (), out,
                               !no_read_key, &error))
    return ec_cli_fail (error);
  ring = ec_keyring_load (out, &error);
  if (ring == NULL)
    return ec_cli_fail (error);
  printf (_("Kiosk bundle in %s: %u station certificate(s), %u read key(s).\n"), out,
          ec_keyring_n_certs (ring), ec_keyring_n_read_keys (ring));
  return 0;
}
