/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard resident / import / export: residents, headless.
 *
 *   eldercard resident add --name 王秀英 [--pinyin "Wang Xiuying"] [FIELD OPTIONS…]
 *   eldercard resident edit ID [FIELD OPTIONS…] [--clear-conditions …]
 *   eldercard resident show ID|QUERY [--purpose P] [--reason TEXT] [--json]
 *   eldercard resident list [--offset N] [--limit N]
 *   eldercard resident search QUERY [--limit N]
 *   eldercard resident remove ID --reason TEXT
 *   eldercard import FILE.csv [--skip-bad]
 *   eldercard export --csv|--json [-o FILE]
 *
 * Field options take the values of the CSV columns (docs/csv.md): --condition,
 * --allergy, --medication and --contact can be repeated, one entry each, in the
 * CSV's entry form ("青霉素|medication|high|呼吸困难|severe|confirmed"); in edit they
 * replace that whole list. Every command takes --db FILE and --actor ROLE:ID or
 * --staff ID (who is acting, for the audit log). */
#define G_LOG_DOMAIN "ec-cli-resident"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <gio/gio.h>
#include <gio/gunixoutputstream.h>

#include "cmd-db.h"
#include "ec-cli.h"
#include "ec-csv.h"
#include "ec-error.h"
#include "ec-i18n.h"
#include "ec-photo.h"

/* Everything this file prints can hold residents' text: print it escaped, so a name
 * with ESC, BEL or a bidi override cannot drive the terminal (ec_cli_printf_safe). */
#define printf ec_cli_printf_safe

/* Field options: long name -> CSV column. */
typedef struct
{
  const char *option;
  const char *column;
  gboolean    repeated;
  const char *help;
  const char *arg;
} FieldOpt;

static const FieldOpt field_opts[] = {
  { "id", "id", FALSE, N_("add: use this resident id (16 hex digits; default random)"), "ID" },
  { "name", "name_zh", FALSE, N_("Name in Chinese characters"), "NAME" },
  { "pinyin", "name_pinyin", FALSE, N_("Name in pinyin (\"Wang Xiuying\")"), "PINYIN" },
  { "sex", "sex", FALSE, N_("female, male, other, unknown"), "SEX" },
  { "dob", "date_of_birth", FALSE, N_("Date of birth"), "YYYY-MM-DD" },
  { "address", "address", FALSE, N_("Address"), "TEXT" },
  { "unit", "building_unit", FALSE, N_("Building/unit/flat (3栋2单元501)"), "TEXT" },
  { "phone", "phone", FALSE, N_("The resident's phone"), "PHONE" },
  { "blood", "blood_type", FALSE, N_("A+ … O-, unknown"), "TYPE" },
  { "language", "language", FALSE, N_("Language or dialect (普通话, 上海话…)"), "TEXT" },
  { "dnr", "dnr", FALSE, N_("Resuscitation: full, dnr, limited, unknown"), "STATUS" },
  { "directive", "directive_location", FALSE, N_("Where the advance directive is kept"), "TEXT" },
  { "wandering", "wandering", FALSE, N_("Wandering risk: none, at-risk, unknown"), "RISK" },
  { "comm", "comm_needs", FALSE, N_("Communication needs: hearing+speech+dementia+vision+language"), "LIST" },
  { "comm-notes", "comm_notes", FALSE, N_("How to communicate"), "TEXT" },
  { "implants", "implants", FALSE, N_("Implants and devices"), "TEXT" },
  { "gp", "gp", FALSE, N_("General practitioner or clinic, with phone"), "TEXT" },
  { "social-worker", "social_worker", FALSE, N_("Assigned social worker, with phone"), "TEXT" },
  { "notes", "notes", FALSE, N_("Free notes"), "TEXT" },
  { "allergy-status", "allergy_status", FALSE, N_("unknown, none-known, recorded"), "STATUS" },
  { "condition", "conditions", TRUE, N_("A condition: text|icd10|since (repeatable)"), "ENTRY" },
  { "allergy", "allergies", TRUE, N_("An allergy: substance|category|criticality|reaction|severity|confirmed"), "ENTRY" },
  { "medication", "medications", TRUE, N_("A medication: name|dose|route|早+中+晚+睡前|schedule text"), "ENTRY" },
  { "contact", "contacts", TRUE, N_("A contact: name|relation|phone,phone|call order|yes/no nearby"), "ENTRY" },
};

#define N_FIELD_OPTS G_N_ELEMENTS (field_opts)

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

/* ------------------------------------------------------------------------- */
/* Field options -> a resident, through the CSV row parser */

typedef struct
{
  char  *single[N_FIELD_OPTS];
  char **multi[N_FIELD_OPTS];
  char  *photo;
  gboolean clear[4];   /* conditions, allergies, medications, contacts */
} FieldValues;

static void
field_values_clear (FieldValues *v)
{
  for (gsize i = 0; i < N_FIELD_OPTS; i++)
    {
      g_free (v->single[i]);
      g_strfreev (v->multi[i]);
    }
  g_free (v->photo);
}

static GOptionGroup *
field_group (FieldValues *v)
{
  GOptionGroup *g = g_option_group_new ("fields", _("Resident fields (docs/csv.md)"),
                                        _("Show the resident field options"), NULL, NULL);
  GOptionEntry *entries = g_new0 (GOptionEntry, N_FIELD_OPTS + 6);
  static const char *clear_names[] = { "clear-conditions", "clear-allergies", "clear-medications", "clear-contacts" };

  for (gsize i = 0; i < N_FIELD_OPTS; i++)
    {
      entries[i].long_name = field_opts[i].option;
      entries[i].arg = field_opts[i].repeated ? G_OPTION_ARG_STRING_ARRAY : G_OPTION_ARG_STRING;
      entries[i].arg_data = field_opts[i].repeated ? (gpointer) &v->multi[i] : (gpointer) &v->single[i];
      entries[i].description = field_opts[i].help;
      entries[i].arg_description = field_opts[i].arg;
    }
  entries[N_FIELD_OPTS].long_name = "photo";
  entries[N_FIELD_OPTS].arg = G_OPTION_ARG_FILENAME;
  entries[N_FIELD_OPTS].arg_data = &v->photo;
  entries[N_FIELD_OPTS].description = N_("Photo: any JPEG or PNG (or other picture) from a phone or camera; reduced to 600 × 800, without location data");
  entries[N_FIELD_OPTS].arg_description = "FILE";
  for (int k = 0; k < 4; k++)
    {
      entries[N_FIELD_OPTS + 1 + k].long_name = clear_names[k];
      entries[N_FIELD_OPTS + 1 + k].arg = G_OPTION_ARG_NONE;
      entries[N_FIELD_OPTS + 1 + k].arg_data = &v->clear[k];
      entries[N_FIELD_OPTS + 1 + k].description = N_("edit: empty this list");
    }
  g_option_group_add_entries (g, entries);
  g_option_group_set_translation_domain (g, GETTEXT_PACKAGE);
  g_free (entries);   /* the group copied them */
  return g;
}

static void
csv_quote (GString *s, const char *v)
{
  g_string_append_c (s, '"');
  for (const char *p = v; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

static gboolean
given (const FieldValues *v, gsize i)
{
  return field_opts[i].repeated ? v->multi[i] != NULL : v->single[i] != NULL;
}

/* Parse the given options as a one-row CSV. @fallback_name fills name_zh when
 * --name was not given (edit). */
static EcResident *
resident_from_options (const FieldValues *v,
                       const char        *fallback_name,
                       char             **photo_note,
                       GError           **error)
{
  g_autoptr(GString) header = g_string_new (NULL);
  g_autoptr(GString) row = g_string_new (NULL);
  g_autoptr(GPtrArray) residents = NULL;
  g_autoptr(GError) local = NULL;

  for (gsize i = 0; i < N_FIELD_OPTS; i++)
    {
      g_autofree char *value = NULL;
      if (!given (v, i))
        {
          if (strcmp (field_opts[i].column, "name_zh") != 0 || fallback_name == NULL)
            continue;
          value = g_strdup (fallback_name);
        }
      else
        value = field_opts[i].repeated ? g_strjoinv (";", v->multi[i]) : g_strdup (v->single[i]);
      g_string_append_printf (header, "%s%s", header->len ? "," : "", field_opts[i].column);
      if (row->len)
        g_string_append_c (row, ',');
      csv_quote (row, value);
    }
  if (v->photo != NULL)
    {
      /* As the kiosk does: a phone's photo is reduced to 600 × 800, turned upright
       * and stripped of its EXIF (GPS position); one that already fits is kept. */
      g_autoptr(GBytes) photo = NULL;
      g_autofree char *mime = NULL;
      g_autofree char *b64 = NULL;
      g_autofree char *what = NULL;
      EcPhotoPrepareInfo info;

      if (!ec_photo_prepare_file (v->photo, EC_PHOTO_PREPARE_WIDTH, EC_PHOTO_PREPARE_HEIGHT,
                                  EC_DB_PHOTO_MAX_BYTES, &photo, &mime, &info, &local))
        {
          g_autofree char *name = g_filename_display_name (v->photo);
          g_set_error (error, local->domain, local->code, _("--photo %s: %s"), name, local->message);
          return NULL;
        }
      b64 = g_base64_encode (g_bytes_get_data (photo, NULL), g_bytes_get_size (photo));
      g_string_append_printf (header, "%sphoto_mime,photo_base64", header->len ? "," : "");
      g_string_append_printf (row, "%s%s,%s", row->len ? "," : "", mime, b64);
      what = ec_photo_prepare_describe (&info, mime);
      if (photo_note != NULL)
        *photo_note = g_strdup_printf (_("Photo: %s"), what);
    }
  if (header->len == 0)
    {
      g_set_error_literal (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_MISSING, _("No resident fields given"));
      return NULL;
    }
  g_string_append_c (header, '\n');
  g_string_append (header, row->str);
  g_string_append_c (header, '\n');
  if (!ec_csv_parse_residents (header->str, header->len, "options", FALSE, &residents, NULL, NULL, &local))
    {
      /* "options:2:5: date_of_birth: …" -> "date_of_birth: …" */
      const char *msg = local->message;
      for (int colons = 0; colons < 3 && strchr (msg, ':') != NULL && g_str_has_prefix (local->message, "options:"); colons++)
        msg = strchr (msg, ':') + 1;
      while (*msg == ' ')
        msg++;
      g_set_error (error, local->domain, local->code, _("Invalid option value: %s"), msg);
      return NULL;
    }
  return g_steal_pointer (&g_ptr_array_index (residents, 0));
}

#define MOVE_STR(field) G_STMT_START { g_free (dst->field); dst->field = g_steal_pointer (&src->field); } G_STMT_END
#define MOVE_LIST(field) G_STMT_START { g_ptr_array_unref (dst->field); dst->field = src->field; \
    src->field = g_ptr_array_new (); } G_STMT_END

/* Copy the columns the user gave from @src into @dst. */
static void
apply_options (EcResident *dst, EcResident *src, const FieldValues *v)
{
  for (gsize i = 0; i < N_FIELD_OPTS; i++)
    {
      const char *c = field_opts[i].column;
      if (!given (v, i))
        continue;
      if (strcmp (c, "name_zh") == 0) MOVE_STR (name_zh);
      else if (strcmp (c, "name_pinyin") == 0) MOVE_STR (name_pinyin);
      else if (strcmp (c, "sex") == 0) dst->sex = src->sex;
      else if (strcmp (c, "date_of_birth") == 0) MOVE_STR (date_of_birth);
      else if (strcmp (c, "address") == 0) MOVE_STR (address);
      else if (strcmp (c, "building_unit") == 0) MOVE_STR (building_unit);
      else if (strcmp (c, "phone") == 0) MOVE_STR (phone);
      else if (strcmp (c, "blood_type") == 0) dst->blood_type = src->blood_type;
      else if (strcmp (c, "language") == 0) MOVE_STR (language);
      else if (strcmp (c, "dnr") == 0) dst->dnr = src->dnr;
      else if (strcmp (c, "directive_location") == 0) MOVE_STR (directive_location);
      else if (strcmp (c, "wandering") == 0) dst->wandering = src->wandering;
      else if (strcmp (c, "comm_needs") == 0) dst->comm_needs = src->comm_needs;
      else if (strcmp (c, "comm_notes") == 0) MOVE_STR (comm_notes);
      else if (strcmp (c, "implants") == 0) MOVE_STR (implants);
      else if (strcmp (c, "gp") == 0) MOVE_STR (gp);
      else if (strcmp (c, "social_worker") == 0) MOVE_STR (social_worker);
      else if (strcmp (c, "notes") == 0) MOVE_STR (notes);
      else if (strcmp (c, "allergy_status") == 0)
        {
          dst->allergy_status = src->allergy_status;
          /* "none known" / "unknown" now: the old list no longer holds. */
          if (src->allergy_status != EC_ALLERGY_STATUS_RECORDED)
            g_ptr_array_set_size (dst->allergies, 0);
        }
      else if (strcmp (c, "conditions") == 0) MOVE_LIST (conditions);
      else if (strcmp (c, "allergies") == 0)
        {
          MOVE_LIST (allergies);
          dst->allergy_status = src->allergy_status;
        }
      else if (strcmp (c, "medications") == 0) MOVE_LIST (medications);
      else if (strcmp (c, "contacts") == 0) MOVE_LIST (contacts);
    }
  if (v->photo != NULL)
    {
      g_clear_pointer (&dst->photo, g_bytes_unref);
      dst->photo = g_steal_pointer (&src->photo);
      MOVE_STR (photo_mime);
    }
  if (v->clear[0])
    g_ptr_array_set_size (dst->conditions, 0);
  if (v->clear[1])
    {
      g_ptr_array_set_size (dst->allergies, 0);
      if (dst->allergy_status == EC_ALLERGY_STATUS_RECORDED)
        dst->allergy_status = EC_ALLERGY_STATUS_UNKNOWN;
    }
  if (v->clear[2])
    g_ptr_array_set_size (dst->medications, 0);
  if (v->clear[3])
    g_ptr_array_set_size (dst->contacts, 0);
}

/* ------------------------------------------------------------------------- */
/* Printing */

static const guint summary_widths[] = { 17, 10, 18, 7, 10, 14, 0 };

static void
print_summary_header (void)
{
  const char *cells[] = { _("id"), _("name"), _("pinyin"), _("sex"), _("born"), _("unit"), _("phone") };

  ec_cli_print_row (cells, summary_widths, G_N_ELEMENTS (cells));
}

static void
print_summary (const EcResidentSummary *s)
{
  g_autofree char *id = ec_resident_id_to_string (s->id);
  const char *cells[] = { id, s->name_zh, s->name_pinyin, ec_sex_to_string (s->sex),
                          s->date_of_birth, s->building_unit, s->phone };

  G_STATIC_ASSERT (G_N_ELEMENTS (cells) == G_N_ELEMENTS (summary_widths));
  ec_cli_print_row (cells, summary_widths, G_N_ELEMENTS (cells));
}

static const char *
or_dash (const char *s)
{
  return s != NULL ? s : "-";
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : g_strdup ("-");
}

static void
print_resident (EcDb *db, const EcResident *r)
{
  g_autofree char *id = ec_resident_id_to_string (r->id);
  g_autofree char *when = format_time (r->updated_at);
  g_autoptr(GPtrArray) cards = NULL;
  GString *comm = g_string_new (NULL);
  static const struct { guint bit; const char *name; } comm_names[] = {
    { EC_COMM_HEARING, "hearing" }, { EC_COMM_SPEECH, "speech" }, { EC_COMM_DEMENTIA, "dementia" },
    { EC_COMM_VISION, "vision" }, { EC_COMM_LANGUAGE, "language" },
  };

  printf ("%s (%s)   %s %s\n", r->name_zh, or_dash (r->name_pinyin), _("id"), id);
  printf (_("Sex: %s   Born: %s (age %d)   Blood type: %s   Language: %s\n"),
          ec_sex_to_string (r->sex), or_dash (r->date_of_birth), ec_resident_age (r, NULL),
          ec_blood_type_to_string (r->blood_type), or_dash (r->language));
  printf (_("Address: %s   Unit: %s   Phone: %s\n"), or_dash (r->address), or_dash (r->building_unit), or_dash (r->phone));
  printf (_("Resuscitation: %s   Directive kept: %s\n"), ec_dnr_to_string (r->dnr), or_dash (r->directive_location));
  for (gsize i = 0; i < G_N_ELEMENTS (comm_names); i++)
    if (r->comm_needs & comm_names[i].bit)
      g_string_append_printf (comm, "%s%s", comm->len ? "+" : "", comm_names[i].name);
  printf (_("Wandering risk: %s   Communication: %s %s\n"), ec_wandering_to_string (r->wandering),
          comm->len ? comm->str : "-", r->comm_notes != NULL ? r->comm_notes : "");
  g_string_free (comm, TRUE);
  printf (_("Implants: %s\nGP: %s\nSocial worker: %s\n"), or_dash (r->implants), or_dash (r->gp), or_dash (r->social_worker));
  if (r->photo != NULL)
    printf (_("Photo: %s, %zu bytes\n"), or_dash (r->photo_mime), g_bytes_get_size (r->photo));

  switch (r->allergy_status)
    {
    case EC_ALLERGY_STATUS_UNKNOWN:
      printf (_("Allergies: UNKNOWN (never established)\n"));
      break;
    case EC_ALLERGY_STATUS_NONE_KNOWN:
      printf (_("Allergies: none known\n"));
      break;
    case EC_ALLERGY_STATUS_RECORDED:
    default:
      printf (_("Allergies:\n"));
      for (guint i = 0; i < r->allergies->len; i++)
        {
          EcAllergy *a = r->allergies->pdata[i];
          printf ("  %s %s [%s, %s %s] %s (%s, %s)\n",
                  a->criticality == EC_CRITICALITY_HIGH ? "!!" : " -", a->substance,
                  ec_allergy_category_to_string (a->category), _("criticality"),
                  ec_criticality_to_string (a->criticality), or_dash (a->reaction),
                  ec_severity_to_string (a->severity), a->confirmed ? _("confirmed") : _("suspected"));
        }
      break;
    }
  printf (_("Conditions:%s\n"), r->conditions->len ? "" : " -");
  for (guint i = 0; i < r->conditions->len; i++)
    {
      EcCondition *c = r->conditions->pdata[i];
      printf ("  - %s", c->text);
      if (c->icd10 != NULL)
        printf (" (%s)", c->icd10);
      if (c->since != NULL)
        printf (_(" since %s"), c->since);
      printf ("\n");
    }
  printf (_("Medications:%s\n"), r->medications->len ? "" : " -");
  for (guint i = 0; i < r->medications->len; i++)
    {
      EcMedication *m = r->medications->pdata[i];
      printf ("  - %s %s %s", m->name, or_dash (m->dose), or_dash (m->route));
      if (m->slots & EC_SCHED_MORNING) printf (" 早");
      if (m->slots & EC_SCHED_NOON) printf (" 中");
      if (m->slots & EC_SCHED_EVENING) printf (" 晚");
      if (m->slots & EC_SCHED_NIGHT) printf (" 睡前");
      if (m->schedule_text != NULL)
        printf (" %s", m->schedule_text);
      printf ("\n");
    }
  printf (_("Contacts:%s\n"), r->contacts->len ? "" : " -");
  for (guint i = 0; i < r->contacts->len; i++)
    {
      EcContact *k = r->contacts->pdata[i];
      g_autofree char *phones = g_strjoinv (", ", k->phones);
      printf ("  %u. %s (%s) %s%s\n", k->call_order, k->name, or_dash (k->relation), phones,
              k->lives_nearby ? _("  lives nearby") : "");
    }
  if (ec_db_card_list_for_resident (db, r->id, &cards, NULL) && cards->len > 0)
    {
      printf (_("Cards:\n"));
      for (guint i = 0; i < cards->len; i++)
        {
          EcCardRecord *c = cards->pdata[i];
          g_autofree char *issued = format_time (c->issued_at);
          printf ("  seq %u  %s  %-8s %s %s\n", c->seq, c->uid_hex, ec_card_status_to_string (c->status),
                  issued, c->status_reason != NULL ? c->status_reason : "");
        }
    }
  if (r->notes != NULL)
    printf (_("Notes: %s\n"), r->notes);
  printf (_("Record version %lld, updated %s by %s\n"), (long long) r->record_version, when, or_dash (r->updated_by));
}

/* ------------------------------------------------------------------------- */

static gboolean
parse_id_arg (const char *s, EcResidentId *out)
{
  if (ec_resident_id_parse (s, out))
    return TRUE;
  g_printerr (_("eldercard: “%s” is not a resident id (16 hex digits; find it with 'eldercard resident search')\n"), s);
  return FALSE;
}

static int
resident_add_edit (EcDb *db, const EcActor *actor, gboolean edit, const char *id_arg, FieldValues *v)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcResident) parsed = NULL;
  g_autoptr(EcResident) current = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *photo_note = NULL;
  EcResidentId id = 0;

  if (edit)
    {
      if (!parse_id_arg (id_arg, &id))
        return 2;
      if (!ec_db_get_resident (db, id, actor, EC_DB_PURPOSE_EDIT, NULL, &current, &error))
        return ec_cli_fail (error);
    }
  parsed = resident_from_options (v, edit ? current->name_zh : NULL, &photo_note, &error);
  if (parsed == NULL)
    return ec_cli_fail (error);
  if (edit)
    {
      apply_options (current, parsed, v);
      if (!ec_db_resident_update (db, current, actor, &error))
        return ec_cli_fail (error);
      ids = ec_resident_id_to_string (current->id);
      printf (_("%s %s updated (record version %lld)\n"), ids, current->name_zh, (long long) current->record_version);
      if (photo_note != NULL)
        printf ("%s\n", photo_note);
      return 0;
    }
  if (!ec_db_resident_add (db, parsed, actor, &error))
    return ec_cli_fail (error);
  ids = ec_resident_id_to_string (parsed->id);
  /* The id alone on stdout's first line, for scripts. */
  printf ("%s\n", ids);
  g_printerr (_("added %s (%s)\n"), parsed->name_zh, ids);
  if (photo_note != NULL)
    g_printerr ("%s\n", photo_note);
  return 0;
}

int
ec_cmd_resident (int argc, char **argv)
{
  FieldValues v;
  char *purpose = NULL, *reason = NULL;
  gboolean json = FALSE;
  gint offset = 0, limit = 0;
  GOptionEntry entries[] = {
    { "purpose", 0, 0, G_OPTION_ARG_STRING, &purpose, N_("show: why (manual-lookup, nurse-check, edit…; default manual-lookup)"), "P" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("show, remove: the reason, for the audit log"), "TEXT" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("show: print JSON"), NULL },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_("list: skip N residents"), "N" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("list, search: at most N"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new (_("add|edit ID|show ID|list|search QUERY|remove ID — residents"));
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *actor_storage = NULL;
  EcActor actor;
  const char *sub;
  int rc = 0;

  memset (&v, 0, sizeof v);
  add_common (ctx);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (ctx, field_group (&v));
  g_option_context_set_description (ctx, _("Entry forms and values: docs/csv.md. Walk-through: docs/database.md."));
  if (!ec_cli_db_parse (ctx, &argc, &argv) || argc < 2 || limit < 0 || offset < 0)
    {
      if (argc < 2)
        ec_cli_usage_error (ctx, NULL);
      rc = 2;
      goto out;
    }
  sub = argv[1];
  if ((db = ec_cli_db_open (db_path, FALSE)) == NULL)
    {
      rc = 1;
      goto out;
    }
  if (!ec_cli_db_actor (db, actor_opt, staff_opt, &actor, &actor_storage, &error))
    {
      rc = ec_cli_fail (error);
      goto out;
    }

  if (strcmp (sub, "add") == 0 && argc == 2)
    rc = resident_add_edit (db, &actor, FALSE, NULL, &v);
  else if (strcmp (sub, "edit") == 0 && argc == 3)
    rc = resident_add_edit (db, &actor, TRUE, argv[2], &v);
  else if (strcmp (sub, "show") == 0 && argc == 3)
    {
      g_autoptr(EcResident) r = NULL;
      EcResidentId id;
      const char *p = purpose != NULL ? purpose : EC_DB_PURPOSE_MANUAL_LOOKUP;

      if (!ec_resident_id_parse (argv[2], &id))
        {
          /* A name, pinyin, phone or card UID: show it if it names one resident. */
          g_autoptr(GPtrArray) hits = NULL;
          if (!ec_db_search (db, argv[2], 20, &hits, &error))
            {
              rc = ec_cli_fail (error);
              goto out;
            }
          if (hits->len != 1)
            {
              g_printerr (hits->len == 0 ? _("eldercard: nobody matches “%s”\n")
                                         : _("eldercard: several residents match “%s”; give an id:\n"), argv[2]);
              if (hits->len > 0)
                print_summary_header ();
              for (guint i = 0; i < hits->len; i++)
                print_summary (hits->pdata[i]);
              rc = 1;
              goto out;
            }
          id = ((EcResidentSummary *) hits->pdata[0])->id;
        }
      if (!ec_db_get_resident (db, id, &actor, p, reason, &r, &error))
        {
          if (g_error_matches (error, EC_DB_ERROR, EC_DB_ERROR_INVALID) && reason == NULL)
            g_printerr (_("eldercard: viewing a record is logged with a reason: add --reason \"…\"\n"));
          rc = ec_cli_fail (error);
          goto out;
        }
      if (json)
        {
          g_autofree char *text = ec_resident_to_json (r);
          printf ("%s\n", text);
        }
      else
        print_resident (db, r);
    }
  else if (strcmp (sub, "list") == 0 && argc == 2)
    {
      g_autoptr(GPtrArray) list = NULL;
      if (!ec_db_resident_list (db, (guint) offset, (guint) limit, &list, &error))
        rc = ec_cli_fail (error);
      else
        {
          print_summary_header ();
          for (guint i = 0; i < list->len; i++)
            print_summary (list->pdata[i]);
        }
    }
  else if (strcmp (sub, "search") == 0 && argc >= 3)
    {
      g_autoptr(GPtrArray) hits = NULL;
      g_autofree char *query = g_strjoinv (" ", argv + 2);
      if (!ec_db_search (db, query, (guint) (limit > 0 ? limit : 50), &hits, &error))
        rc = ec_cli_fail (error);
      else if (hits->len == 0)
        {
          g_printerr (_("nobody matches “%s”\n"), query);
          rc = 1;
        }
      else
        {
          print_summary_header ();
          for (guint i = 0; i < hits->len; i++)
            print_summary (hits->pdata[i]);
        }
    }
  else if (strcmp (sub, "remove") == 0 && argc == 3)
    {
      EcResidentId id;
      if (!parse_id_arg (argv[2], &id))
        rc = 2;
      else if (reason == NULL || reason[0] == '\0')
        {
          g_printerr (_("eldercard: removing a resident needs --reason \"…\" (it is logged)\n"));
          rc = 2;
        }
      else if (!ec_db_resident_remove (db, id, &actor, reason, &error))
        rc = ec_cli_fail (error);
      else
        printf (_("%s removed with all entries; active cards revoked\n"), argv[2]);
    }
  else
    {
      ec_cli_usage_error (ctx, NULL);
      rc = 2;
    }

out:
  field_values_clear (&v);
  g_free (purpose);
  g_free (reason);
  free_common ();
  return rc;
}

/* ------------------------------------------------------------------------- */

int
ec_cmd_import (int argc, char **argv)
{
  gboolean skip_bad = FALSE;
  GOptionEntry entries[] = {
    { "skip-bad", 0, 0, G_OPTION_ARG_NONE, &skip_bad, N_("Import the good rows and list the bad ones (default: a bad row stops the whole import)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("FILE.csv — add residents from a CSV file (docs/csv.md)"));
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *actor_storage = NULL;
  EcCsvImportReport report = { 0 };
  EcActor actor;
  int rc = 0;

  add_common (ctx);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!ec_cli_db_parse (ctx, &argc, &argv) || argc != 2)
    {
      if (argc != 2)
        ec_cli_usage_error (ctx, NULL);
      free_common ();
      return 2;
    }
  if ((db = ec_cli_db_open (db_path, FALSE)) == NULL)
    rc = 1;
  else if (!ec_cli_db_actor (db, actor_opt, staff_opt, &actor, &actor_storage, &error))
    rc = ec_cli_fail (error);
  else if (!ec_csv_import_file (db, argv[1], skip_bad, &actor, &report, &error))
    {
      rc = ec_cli_fail (error);
      if (!skip_bad && g_error_matches (error, EC_IMPORT_ERROR, error->code))
        g_printerr (_("Nothing was imported. Fix the file, or use --skip-bad to import the good rows.\n"));
    }
  else
    {
      printf (_("%s: imported %u of %u rows\n"), argv[1], report.n_imported, report.n_rows);
      if (report.skipped != NULL && report.skipped->len > 0)
        {
          g_printerr (_("skipped %u bad rows:\n"), report.skipped->len);
          for (guint i = 0; i < report.skipped->len; i++)
            g_printerr ("  %s\n", (const char *) report.skipped->pdata[i]);
        }
    }
  ec_csv_import_report_clear (&report);
  free_common ();
  return rc;
}

int
ec_cmd_export (int argc, char **argv)
{
  gboolean csv = FALSE, json = FALSE;
  char *output = NULL;
  GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_("CSV (docs/csv.md), importable again"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("JSON, one object per resident"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE (mode 0600) instead of standard output"), "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("--csv|--json — export every resident (logged)"));
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *actor_storage = NULL;
  EcActor actor;
  int rc = 0;

  add_common (ctx);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!ec_cli_db_parse (ctx, &argc, &argv) || argc != 1 || csv == json)
    {
      ec_cli_usage_error (ctx, NULL);
      g_free (output);
      free_common ();
      return 2;
    }
  if ((db = ec_cli_db_open (db_path, FALSE)) == NULL)
    {
      rc = 1;
      goto out;
    }
  if (!ec_cli_db_actor (db, actor_opt, staff_opt, &actor, &actor_storage, &error))
    {
      rc = ec_cli_fail (error);
      goto out;
    }
  if (output != NULL)
    {
      /* Medical data: private file, written whole or not at all. */
      file = g_file_new_for_path (output);
      out = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                             NULL, &error));
      if (out == NULL)
        {
          rc = ec_cli_fail (error);
          goto out;
        }
    }
  else
    out = g_unix_output_stream_new (1, FALSE);
  if (!(csv ? ec_csv_export (db, out, &actor, &error) : ec_json_export (db, out, &actor, &error)) ||
      !g_output_stream_close (out, NULL, &error))
    rc = ec_cli_fail (error);
  else if (output != NULL)
    g_printerr (_("exported to %s\n"), output);

out:
  g_free (output);
  free_common ();
  return rc;
}
