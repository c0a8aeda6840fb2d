/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard export --ips / import --ips / handover: the record leaves with the resident.
 *
 *   eldercard export --ips RESIDENT [-o FILE]          FHIR R4 IPS document bundle (logged)
 *   eldercard import --ips FILE                        the bundle back into a database
 *   eldercard handover RESIDENT --pdf FILE [--language zh|en]   one-page sheet (logged)
 *
 * RESIDENT is a resident id (16 hex digits) or a name, pinyin, phone or card UID that
 * names exactly one resident. Every command takes --db FILE and --actor ROLE:ID or
 * --staff ID (who is acting, for the audit log). docs/handover.md. */
#define G_LOG_DOMAIN "ec-cli-export"

#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <gio/gio.h>

#include "cmd-db.h"
#include "ec-cli.h"
#include "ec-config.h"
#include "ec-error.h"
#include "ec-handover.h"
#include "ec-i18n.h"
#include "ec-ips.h"

static char *db_path, *actor_opt, *staff_opt;

static void
free_common (void)
{
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&actor_opt, g_free);
  g_clear_pointer (&staff_opt, g_free);
}

static void
add_common (GOptionContext *ctx)
{
  static GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file (default $ELDERCARD_DB or eldercard.db)"), "FILE" },
    { "actor", 0, 0, G_OPTION_ARG_STRING, &actor_opt, N_("Who is acting, for the audit log"), "ROLE:ID" },
    { "staff", 0, 0, G_OPTION_ARG_STRING, &staff_opt, N_("Act as this staff member, signing in with their PIN"), "ID" },
    EC_CLI_PIN_FILE_ENTRY,
    { NULL }
  };
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
}

gboolean
ec_cli_argv_has (int argc, char **argv, const char *option)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        return FALSE;
      if (strcmp (argv[i], option) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A resident id, or a query naming exactly one resident (not audited: identity only). */
static gboolean
resolve_resident (EcDb *db, const char *arg, EcResidentId *out)
{
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;

  if (ec_resident_id_parse (arg, out))
    return TRUE;
  if (!ec_db_search (db, arg, 20, &hits, &error))
    {
      ec_cli_fail (error);
      return FALSE;
    }
  if (hits->len != 1)
    {
      g_printerr (hits->len == 0 ? _("eldercard: nobody matches “%s”\n")
                                 : _("eldercard: several residents match “%s”; give an id\n"), arg);
      return FALSE;
    }
  *out = ((EcResidentSummary *) hits->pdata[0])->id;
  return TRUE;
}

/* Medical data: a private file (0600), written whole or not at all; "-" = stdout. */
static gboolean
write_private (const char *path, const char *data, gsize len, GError **error)
{
  if (path == NULL || strcmp (path, "-") == 0)
    {
      if (fwrite (data, 1, len, stdout) != len || fputc ('\n', stdout) == EOF || fflush (stdout) != 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write to standard output"));
          return FALSE;
        }
      return TRUE;
    }
  return g_file_set_contents_full (path, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

int
ec_cmd_export_ips (int argc, char **argv)
{
  gboolean ips = FALSE;
  char *output = NULL;
  GOptionEntry entries[] = {
    { "ips", 0, 0, G_OPTION_ARG_NONE, &ips, N_("FHIR R4 International Patient Summary of one resident (docs/handover.md)"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE (mode 0600) instead of standard output"), "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("--ips RESIDENT — one resident as a FHIR R4 patient summary (logged)"));
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *actor_storage = NULL;
  g_autofree char *json = NULL;
  EcResidentId id;
  EcActor actor;
  gsize len = 0;
  int rc = 0;

  add_common (ctx);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!ec_cli_db_parse (ctx, &argc, &argv) || argc != 2 || !ips)
    {
      if (argc != 2 || !ips)
        ec_cli_usage_error (ctx, NULL);
      rc = 2;
      goto out;
    }
  if ((db = ec_cli_db_open (db_path, FALSE)) == NULL || !resolve_resident (db, argv[1], &id))
    rc = 1;
  else if (!ec_cli_db_actor (db, actor_opt, staff_opt, &actor, &actor_storage, &error) ||
           !ec_ips_export (db, id, &actor, &json, &len, &error) ||
           !write_private (output, json, len, &error))
    rc = ec_cli_fail (error);
  else if (output != NULL && strcmp (output, "-") != 0)
    g_printerr (_("exported to %s\n"), output);
out:
  g_free (output);
  free_common ();
  return rc;
}

int
ec_cmd_import_ips (int argc, char **argv)
{
  gboolean ips = FALSE;
  GOptionEntry entries[] = {
    { "ips", 0, 0, G_OPTION_ARG_NONE, &ips, N_("A FHIR R4 patient summary written by 'eldercard export --ips'"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("--ips FILE — add the resident of a FHIR R4 patient summary"));
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *actor_storage = NULL;
  g_autofree char *data = NULL;
  g_autofree char *ids = NULL;
  g_autoptr(GMappedFile) map = NULL;
  EcResidentId id = 0;
  EcActor actor;
  int rc = 0;

  add_common (ctx);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!ec_cli_db_parse (ctx, &argc, &argv) || argc != 2 || !ips)
    {
      if (argc != 2 || !ips)
        ec_cli_usage_error (ctx, NULL);
      free_common ();
      return 2;
    }
  map = g_mapped_file_new (argv[1], FALSE, &error);
  if (map == NULL)
    rc = ec_cli_fail (error);
  else if ((db = ec_cli_db_open (db_path, TRUE)) == NULL)
    rc = 1;
  else if (!ec_cli_db_actor (db, actor_opt, staff_opt, &actor, &actor_storage, &error) ||
           !ec_ips_import (db, g_mapped_file_get_contents (map), g_mapped_file_get_length (map),
                           &actor, &id, &error))
    rc = ec_cli_fail (error);
  else
    {
      ids = ec_resident_id_to_string (id);
      printf (_("%s: imported resident %s\n"), argv[1], ids);
    }
  free_common ();
  return rc;
}

/* gettext: switch the language the sheet is drawn in (as the kiosk does). */
extern int _nl_msg_cat_cntr;

static void
set_language (const char *lang)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);

  if (messages == NULL || strcmp (messages, "C") == 0 || strcmp (messages, "POSIX") == 0)
    setlocale (LC_MESSAGES, "C.UTF-8");
  g_setenv ("LANGUAGE", strcmp (lang, "zh") == 0 ? "zh_CN" : "en", TRUE);
  ++_nl_msg_cat_cntr;
}

int
ec_cmd_handover (int argc, char **argv)
{
  char *pdf = NULL, *language = NULL, *config_path = NULL;
  GOptionEntry entries[] = {
    { "pdf", 0, 0, G_OPTION_ARG_FILENAME, &pdf, N_("Write the one-page handover sheet to FILE (mode 0600)"), "FILE" },
    { "language", 0, 0, G_OPTION_ARG_STRING, &language, N_("Language of the sheet: zh (default) or en"), "zh|en" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, N_("Configuration file for the station's name and phone (default /etc/eldercard/eldercard.conf)"), "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autofree char *actor_storage = NULL;
  const char *lang = NULL;
  EcResidentId id;
  EcActor actor;
  int rc = 0;

  /* GLib decides once, at the first translated string, whether to translate at all:
   * choose the sheet's language before anything is translated. */
  for (int i = 1; i < argc; i++)
    {
      const char *v = NULL;
      if (strcmp (argv[i], "--language") == 0 && i + 1 < argc)
        v = argv[i + 1];
      else if (g_str_has_prefix (argv[i], "--language="))
        v = argv[i] + strlen ("--language=");
      if (v != NULL)
        lang = ec_config_parse_language (v);
    }
  set_language (lang != NULL ? lang : "zh");
  ctx = g_option_context_new (_("RESIDENT --pdf FILE — the handover sheet for the ambulance crew (logged)"));
  add_common (ctx);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!ec_cli_db_parse (ctx, &argc, &argv) || argc != 2 || pdf == NULL)
    {
      if (argc != 2 || pdf == NULL)
        ec_cli_usage_error (ctx, NULL);
      rc = 2;
      goto out;
    }
  lang = ec_config_parse_language (language != NULL ? language : "zh");
  if (lang == NULL)
    {
      rc = ec_cli_usage_error (ctx, _("--language is zh or en"));
      goto out;
    }
  if (!ec_config_load_file (config, config_path != NULL ? config_path : EC_CONFIG_DEFAULT_PATH, &error))
    {
      if (config_path != NULL || !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          rc = ec_cli_fail (error);
          goto out;
        }
      g_clear_error (&error);
    }
  if ((db = ec_cli_db_open (db_path, FALSE)) == NULL || !resolve_resident (db, argv[1], &id))
    rc = 1;
  else if (!ec_cli_db_actor (db, actor_opt, staff_opt, &actor, &actor_storage, &error))
    rc = ec_cli_fail (error);
  else
    {
      EcHandoverOptions opts = {
        .language = lang,
        .station_name = config->station_name,
        .station_phone = config->station_phone,
      };
      if (!ec_handover_write_pdf (db, id, &actor, &opts, pdf, &error))
        rc = ec_cli_fail (error);
      else
        g_printerr (_("handover sheet written to %s\n"), pdf);
    }
out:
  g_free (pdf);
  g_free (language);
  g_free (config_path);
  free_common ();
  return rc;
}
