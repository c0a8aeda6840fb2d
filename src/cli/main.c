/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard: the headless command. One subcommand per run; see `eldercard --help`. */
#define G_LOG_DOMAIN "eldercard"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ec-cli.h"
#include "ec-init.h"
#include "ec-paths.h"

static const EcCliCommand commands[] = {
  /* One line per subcommand, in the order --help lists them. */
  { "version",      NULL,                N_("print the version") },
  { "db",           ec_cmd_db,           N_("create, check or describe the database (db init|check|info)") },
  { "resident",     ec_cmd_resident,     N_("residents: add, edit, show, list, search, remove") },
  { "import",       ec_cmd_import,       N_("add residents from a CSV file (--skip-bad)") },
  { "export",       ec_cmd_export,       N_("export every resident as CSV or JSON (logged)") },
  { "audit",        ec_cmd_audit,        N_("the audit log: list, verify, checkpoint") },
  { "backup",       ec_cmd_backup,       N_("online backup of the database, verified") },
  { "demo",         ec_cmd_demo,         N_("generate a fictional demo community") },
  { "doctor",       ec_cmd_doctor,       N_("check the reader, permissions, keys, database and clock") },
  { "staff",        ec_cmd_staff,        N_("staff accounts: add, set-pin, list, signin-test") },
  { "pepper",       ec_cmd_pepper,       N_("create the device's PIN pepper (pepper init)") },
  { "community",    ec_cmd_community,    N_("community keys: create, rotate-read-key") },
  { "station",      ec_cmd_station,      N_("add an issuing station's signing key (station add)") },
  { "kiosk-bundle", ec_cmd_kiosk_bundle, N_("export the keys a kiosk needs (kiosk-bundle export)") },
  { "card",         ec_cmd_card,         N_("cards: encode, verify, read, watch, issue, replace, revoke, face") },
  { "allergy-check", ec_cmd_allergy_check, N_("check a drug against a resident's allergies and medications") },
  { "sync",         ec_cmd_sync,         N_("keep field kiosks current: update bundles and audit exports") },
};

int
ec_cli_fail (const GError *error)
{
  g_printerr ("eldercard: %s\n", error != NULL ? error->message : "failed");
  return 1;
}

static void
usage (FILE *out)
{
  fputs (_("Usage: eldercard COMMAND [OPTIONS…]\n"
           "\n"
           "NFC emergency identity cards for elderly residents: keys, cards,\n"
           "the resident database and its audit log, headless.\n"
           "\n"
           "Commands:\n"), out);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, _(commands[i].summary));
  fputs (_("\n"
           "Run 'eldercard COMMAND --help' for a command's options.\n"
           "Environment: ELDERCARD_DB (database file), ELDERCARD_KEYS (key directory).\n"
           "See docs/cli.md and eldercard(1).\n"), out);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  {
    g_autofree char *localedir = ec_paths_localedir ();
    bindtextdomain (GETTEXT_PACKAGE, localedir);
  }
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  ec_init ();

  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "version") == 0)
    {
      printf ("eldercard %s\n", EC_VERSION);
      return 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (commands[i].func != NULL && strcmp (argv[1], commands[i].name) == 0)
      return commands[i].func (argc - 1, argv + 1);

  fprintf (stderr, _("eldercard: unknown command '%s'\n\n"), argv[1]);
  usage (stderr);
  return 2;
}
