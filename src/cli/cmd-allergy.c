/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard allergy-check: the nurse's drug check, headless (docs/nurse-guide.md).
 *
 *   eldercard allergy-check RESIDENT DRUG [--db FILE] [--actor nurse:ID|--staff ID]
 *                           [--json] [--lang zh|en] [--table FILE]
 *   eldercard allergy-check --allergies-file FILE DRUG [--json] [--lang zh|en] [--table FILE]
 *
 * RESIDENT is a resident id (16 hex digits) or anything `resident search` finds exactly
 * one resident by. The record is read with purpose "nurse-check" (audited as a view),
 * and the check and its verdict are appended to the audit log ("allergy-check").
 * --allergies-file takes the allergies and medications from JSON instead (the object
 * `eldercard resident show --json` prints), for scripts; nothing is logged then.
 *
 * Exit status: 0 no recorded conflict, 3 caution, 4 stop, 5 unknown drug ("not in the
 * table: check manually"), 1 error (no such resident, database, table), 2 usage.
 *
 * Decision support: the nurse's judgement and the prescription decide. */
#define G_LOG_DOMAIN "ec-cli-allergy"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cmd-db.h"
#include "ec-allergy-check.h"
#include "ec-cli.h"
#include "ec-db.h"
#include "ec-drugs.h"
#include "ec-error.h"
#include "ec-file.h"
#include "ec-i18n.h"

#define EXIT_NO_CONFLICT  0
#define EXIT_ERROR        1
#define EXIT_USAGE        2
#define EXIT_CAUTION      3
#define EXIT_STOP         4
#define EXIT_UNKNOWN_DRUG 5

static int
exit_status (EcVerdict v)
{
  switch (v)
    {
    case EC_VERDICT_NO_RECORDED_CONFLICT: return EXIT_NO_CONFLICT;
    case EC_VERDICT_CAUTION: return EXIT_CAUTION;
    case EC_VERDICT_STOP: return EXIT_STOP;
    case EC_VERDICT_UNKNOWN_DRUG:
    default: return EXIT_UNKNOWN_DRUG;
    }
}

static gboolean
locale_is_chinese (void)
{
  const char *const *langs = g_get_language_names ();
  return langs[0] != NULL && g_str_has_prefix (langs[0], "zh");
}

static const char *
level_label (EcVerdict v)
{
  switch (v)
    {
    case EC_VERDICT_STOP: return _("STOP");
    case EC_VERDICT_CAUTION: return _("CAUTION");
    case EC_VERDICT_NO_RECORDED_CONFLICT: return _("INFO");
    case EC_VERDICT_UNKNOWN_DRUG:
    default: return _("CHECK");
    }
}

static const char *
kind_label (EcFindingKind k)
{
  switch (k)
    {
    case EC_FINDING_SAME_SUBSTANCE: return _("same substance");
    case EC_FINDING_SAME_CLASS: return _("same class");
    case EC_FINDING_CROSS_REACTIVE: return _("cross-reactive");
    case EC_FINDING_COMPONENT: return _("contains the allergen");
    case EC_FINDING_DUPLICATE_MEDICATION: return _("duplicate of a current medication");
    case EC_FINDING_ALLERGY_STATUS_UNKNOWN: return _("allergy history unknown");
    case EC_FINDING_ALLERGY_NOT_IN_TABLE: return _("allergy not recognised — check manually");
    case EC_FINDING_MEDICATION_NOT_IN_TABLE: return _("medication not in the table");
    case EC_FINDING_CHECK_MANUALLY: return _("check manually");
    case EC_FINDING_NAME_PARTLY_RECOGNISED: return _("name only partly recognised");
    case EC_FINDING_AMBIGUOUS_DRUG: return _("name fits several products");
    default: return "";
    }
}

static const char *
criticality_label (EcCriticality c)
{
  switch (c)
    {
    case EC_CRITICALITY_HIGH: return _("high criticality");
    case EC_CRITICALITY_LOW: return _("low criticality");
    case EC_CRITICALITY_UNABLE_TO_ASSESS:
    default: return _("criticality not assessed");
    }
}

static const char *
severity_label (EcSeverity s)
{
  switch (s)
    {
    case EC_SEVERITY_MILD: return _("mild");
    case EC_SEVERITY_MODERATE: return _("moderate");
    case EC_SEVERITY_SEVERE: return _("severe");
    case EC_SEVERITY_UNKNOWN:
    default: return _("severity unknown");
    }
}

static const char *
status_label (EcAllergyStatus s)
{
  switch (s)
    {
    case EC_ALLERGY_STATUS_NONE_KNOWN: return _("none known");
    case EC_ALLERGY_STATUS_RECORDED: return _("recorded");
    case EC_ALLERGY_STATUS_UNKNOWN:
    default: return _("UNKNOWN");
    }
}

static void
print_sources (GPtrArray *sources)
{
  for (guint i = 0; sources != NULL && i < sources->len; i++)
    printf ("      %s %s\n", _("Source:"), (const char *) sources->pdata[i]);
}

static void
print_verdict (const EcAllergyVerdict *v,
               gboolean                zh)
{
  printf ("%s\n", ec_verdict_headline (v->verdict, zh));
  if (v->drug_id != NULL)
    {
      printf ("%s %s / %s", _("Drug:"), v->drug_name_zh, v->drug_name_en);
      if (v->match == EC_DRUG_MATCH_PARTIAL || v->match == EC_DRUG_MATCH_CONTAINED)
        printf (_("  (read from “%s”: make sure this is the drug)"), v->drug_text);
      printf ("\n");
    }
  else if (v->candidate_checks != NULL && v->candidate_checks->len > 0)
    {
      /* Each product the name fits, with its own verdict; the worst is the headline. */
      printf (_("Drug: “%s” fits several products; the worst result is shown until you pick one:\n"),
              v->drug_text);
      for (guint i = 0; i < v->candidate_checks->len; i++)
        {
          const EcAllergyCandidate *c = v->candidate_checks->pdata[i];
          printf ("  - %s / %s: %s\n", c->name_zh, c->name_en, ec_verdict_headline (c->verdict, zh));
        }
    }
  else
    printf (_("Drug: “%s” is not in the table: check manually.\n"), v->drug_text);
  printf ("%s %s\n", _("Allergy history:"), status_label (v->allergy_status));

  if (v->findings->len > 0)
    printf ("%s\n", _("Findings:"));
  for (guint i = 0; i < v->findings->len; i++)
    {
      const EcAllergyFinding *f = v->findings->pdata[i];

      printf ("  [%s] %s", level_label (f->level), kind_label (f->kind));
      if (f->matched_zh != NULL)
        printf (" — %s", zh ? f->matched_zh : f->matched_en);
      printf ("\n");
      if (f->allergy != NULL)
        {
          printf ("      %s %s (%s", _("Allergy:"), f->allergy->substance != NULL ? f->allergy->substance : "?",
                  criticality_label (f->allergy->criticality));
          if (f->allergy->reaction != NULL)
            printf ("; %s %s", _("past reaction:"), f->allergy->reaction);
          printf ("; %s; %s)\n", severity_label (f->allergy->severity),
                  f->allergy->confirmed ? _("confirmed") : _("suspected"));
        }
      if (f->medication != NULL)
        printf ("      %s %s%s%s\n", _("Current medication:"), f->medication->name,
                f->medication->dose != NULL ? " " : "", f->medication->dose != NULL ? f->medication->dose : "");
      printf ("      %s\n", zh ? f->reason_zh : f->reason_en);
      print_sources (f->sources);
    }
  if (v->notes->len > 0)
    printf ("%s\n", _("Local practice:"));
  for (guint i = 0; i < v->notes->len; i++)
    {
      const EcAllergyNote *n = v->notes->pdata[i];
      printf ("  - %s\n", zh ? n->text_zh : n->text_en);
      print_sources (n->sources);
    }
  printf ("%s\n", zh ? EC_ALLERGY_DISCLAIMER_ZH : EC_ALLERGY_DISCLAIMER_EN);
}

/* The resident by id, or by a search that finds exactly one. */
static gboolean
find_resident_id (EcDb          *db,
                  const char    *query,
                  EcResidentId  *out,
                  GError       **error)
{
  g_autoptr(GPtrArray) hits = NULL;

  if (ec_resident_id_parse (query, out))
    return TRUE;
  if (!ec_db_search (db, query, 20, &hits, error))
    return FALSE;
  if (hits->len != 1)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND,
                   hits->len == 0 ? _("nobody matches “%s”") : _("several residents match “%s”; give an id"),
                   query);
      return FALSE;
    }
  *out = ((EcResidentSummary *) hits->pdata[0])->id;
  return TRUE;
}

int
ec_cmd_allergy_check (int argc, char **argv)
{
  g_autofree char *db_path = NULL, *actor_opt = NULL, *staff_opt = NULL;
  g_autofree char *table_path = NULL, *allergies_file = NULL, *lang = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file (default $ELDERCARD_DB or eldercard.db)"), "FILE" },
    { "actor", 0, 0, G_OPTION_ARG_STRING, &actor_opt, N_("Who is checking, for the audit log (default nurse:cli:USER)"), "ROLE:ID" },
    { "staff", 0, 0, G_OPTION_ARG_STRING, &staff_opt, N_("Checking staff id (role from the staff table)"), "ID" },
    EC_CLI_PIN_FILE_ENTRY,
    { "allergies-file", 0, 0, G_OPTION_ARG_FILENAME, &allergies_file,
      N_("Take allergies and medications from this JSON file instead of the database"), "FILE" },
    { "table", 0, 0, G_OPTION_ARG_FILENAME, &table_path,
      N_("Drug table (default $ELDERCARD_DATADIR/drugs.tsv, the source tree's, or /usr/share/eldercard)"), "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the verdict as JSON"), NULL },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang, N_("zh or en (default: from the locale)"), "LANG" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new (_("RESIDENT DRUG | --allergies-file FILE DRUG — check a drug against allergies"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDrugTable) table = NULL;
  g_autoptr(EcResident) resident = NULL;
  g_autoptr(EcAllergyVerdict) verdict = NULL;
  g_autoptr(EcDb) db = NULL;
  const char *drug_text;
  gboolean zh;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (ctx,
    _("Exit status: 0 no recorded conflict, 3 caution, 4 stop, 5 drug not in the table,\n"
      "1 error, 2 usage. Decision support: the nurse's judgement and the prescription decide.\n"
      "See docs/nurse-guide.md."));
  if (!ec_cli_db_parse (ctx, &argc, &argv))
    return EXIT_USAGE;
  if ((allergies_file != NULL && argc != 2) || (allergies_file == NULL && argc != 3))
    {
      ec_cli_usage_error (ctx, NULL);
      return EXIT_USAGE;
    }
  if (lang != NULL && strcmp (lang, "zh") != 0 && strcmp (lang, "en") != 0)
    {
      g_printerr (_("eldercard: --lang must be zh or en\n"));
      return EXIT_USAGE;
    }
  zh = lang != NULL ? strcmp (lang, "zh") == 0 : locale_is_chinese ();
  drug_text = argv[argc - 1];

  table = table_path != NULL ? ec_drug_table_new_from_file (table_path, &error)
                             : ec_drug_table_load_default (&error);
  if (table == NULL)
    return ec_cli_fail (error);

  if (allergies_file != NULL)
    {
      g_autofree char *data = NULL;
      gsize len = 0;

      if (!ec_file_read_bounded (allergies_file, 1024 * 1024, 0, &data, &len, &error)
          || (resident = ec_allergy_input_from_json (data, len, &error)) == NULL)
        return ec_cli_fail (error);
      if (!ec_allergy_check (table, resident, drug_text, &verdict, &error))
        return ec_cli_fail (error);
    }
  else
    {
      g_autofree char *actor_storage = NULL;
      g_autofree char *detail = NULL;
      EcActor actor;
      EcResidentId id;

      if ((db = ec_cli_db_open (db_path, FALSE)) == NULL)
        return EXIT_ERROR;
      if (actor_opt == NULL && staff_opt == NULL)
        {
          actor_storage = g_strdup_printf ("cli:%s", g_get_user_name ());
          actor.role = EC_ROLE_NURSE;
          actor.id = actor_storage;
        }
      else if (!ec_cli_db_actor (db, actor_opt, staff_opt, &actor, &actor_storage, &error))
        return ec_cli_fail (error);
      if (!find_resident_id (db, argv[1], &id, &error)
          || !ec_db_get_resident (db, id, &actor, EC_DB_PURPOSE_NURSE_CHECK, NULL, &resident, &error))
        return ec_cli_fail (error);
      if (!ec_allergy_check (table, resident, drug_text, &verdict, &error))
        return ec_cli_fail (error);
      /* The check and its outcome are part of the record of who saw what. */
      detail = ec_allergy_verdict_audit_detail (verdict);
      if (!ec_db_audit_append (db, &actor, "allergy-check", id, EC_DB_PURPOSE_NURSE_CHECK, NULL, detail, &error))
        {
          g_prefix_error (&error, _("The check could not be logged: "));
          return ec_cli_fail (error);
        }
    }

  if (json)
    {
      g_autofree char *text = ec_allergy_verdict_to_json (verdict, TRUE);
      printf ("%s\n", text);
    }
  else
    print_verdict (verdict, zh);
  return exit_status (verdict->verdict);
}
