/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard card face RESIDENT -o card.pdf --station-phone PHONE [--station-name NAME]
 *
 * Print the face of a resident's card as a one-page PDF at ID-1 size (85.60 × 53.98
 * mm): photo, name in 汉字 and pinyin, "tap on a community kiosk", the station's name
 * and phone, a short reference, nothing medical (ec-card-face.h).
 *
 * RESIDENT is the 16-hex-digit resident id, or a search (name, pinyin, phone, card UID)
 * that finds exactly one resident. Reading the record is audited (purpose
 * "card-face", actor "cli:USER"). Run as `eldercard card face` (an action of
 * cmd-card.c's table; argv[0] = "face"). The PDF is written owner-readable only (0600). */
#define G_LOG_DOMAIN "ec-cli-card-face"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "ec-card-face.h"
#include "ec-cli.h"
#include "ec-db.h"
#include "ec-error.h"
#include "ec-i18n.h"

#define PURPOSE_CARD_FACE "card-face"

/* The resident id for @query: an id as is, else a search with exactly one hit. */
static gboolean
resolve_resident (EcDb         *db,
                  const char   *query,
                  EcResidentId *out,
                  GError      **error)
{
  g_autoptr(GPtrArray) hits = NULL;

  if (ec_resident_id_parse (query, out))
    return TRUE;
  if (!ec_db_search (db, query, 2, &hits, error))
    return FALSE;
  if (hits->len == 0)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND,
                   _("No resident matches “%s”"), query);
      return FALSE;
    }
  if (hits->len > 1)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                   _("More than one resident matches “%s”; give the resident id "
                     "(eldercard resident search shows it)"), query);
      return FALSE;
    }
  *out = ((EcResidentSummary *) hits->pdata[0])->id;
  return TRUE;
}

int
ec_cmd_card_face (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcResident) resident = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *output = NULL;
  g_autofree char *station_name = NULL;
  g_autofree char *station_phone = NULL;
  g_autofree char *actor_id = g_strdup_printf ("cli:%s", g_get_user_name ());
  EcActor actor = { EC_ROLE_ADMIN, actor_id };
  EcResidentId id = 0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the PDF to FILE"), N_("FILE") },
    { "station-name", 0, 0, G_OPTION_ARG_STRING, &station_name,
      N_("The issuing station's name, printed on the card"), N_("NAME") },
    { "station-phone", 0, 0, G_OPTION_ARG_STRING, &station_phone,
      N_("The station's phone number, printed on the card (required)"), N_("PHONE") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file"), N_("FILE") },
    { NULL }
  };

  ctx = g_option_context_new (_("RESIDENT -o FILE.pdf — print the card face (ID-1 size PDF)"));
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (ctx,
    _("RESIDENT is a resident id (16 hex digits) or a search that finds exactly one\n"
      "resident. The card face shows the photo, the name in Chinese characters and\n"
      "pinyin, the station's name and phone, and nothing medical.\n"));
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("eldercard card face: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || output == NULL || station_phone == NULL || *station_phone == '\0')
    {
      g_autofree char *help = g_option_context_get_help (ctx, TRUE, NULL);
      g_printerr ("%s", help);
      if (argc == 2 && output != NULL)
        g_printerr (_("eldercard card face: --station-phone is required: the card tells a "
                      "finder whom to call\n"));
      return 2;
    }

  db = ec_db_open (db_path != NULL ? db_path : ec_cli_default_db (), EC_DB_OPEN_READ_WRITE, &error);
  if (db == NULL
      || !resolve_resident (db, argv[1], &id, &error)
      || !ec_db_get_resident (db, id, &actor, PURPOSE_CARD_FACE, NULL, &resident, &error)
      || !ec_card_face_write_pdf (resident, station_name, station_phone, output, &error))
    return ec_cli_fail (error);
  printf (_("wrote %s (card face of %s)\n"), output, resident->name_zh);
  return 0;
}
