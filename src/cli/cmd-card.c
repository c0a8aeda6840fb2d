/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard card: cards, headless.
 *
 *   eldercard card encode --type T --uid HEX --station N --out FILE [summary options]
 *   eldercard card verify IMAGE [--keys DIR] [--now TIME]
 *
 * The actions are a table (card_actions[] below): to add one (read, issue, replace,
 * revoke, watch …) write `static int card_<name> (int argc, char **argv)` with argv[0]
 * = the action's name, and add one line to the table. Exit status: 0 ok, 1 refused or
 * failed, 2 usage error. */
#define G_LOG_DOMAIN "ec-cli-card"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "ec-card.h"
#include "ec-cli.h"
#include "ec-error.h"
#include "ec-file.h"
#include "ec-i18n.h"
#include "ec-issue.h"
#include "ec-keys.h"

typedef int (*CardActionFunc) (int argc, char **argv);

static int card_encode (int argc, char **argv);
static int card_verify (int argc, char **argv);

static const struct
{
  const char     *name;
  CardActionFunc  func;
  const char     *summary;
} card_actions[] = {
  /* One line per action, in the order `eldercard card --help` lists them. */
  { "encode", card_encode, N_("make a tag image file from a resident summary and a UID") },
  { "verify", card_verify, N_("verify a tag image file and print the decoded card") },
  { "face",   ec_cmd_card_face, N_("print a resident's card face as an ID-1 size PDF") },
  { "read",    ec_cmd_card_read,    N_("wait for a tap; print the verified card and the resident's record") },
  { "watch",   ec_cmd_card_watch,   N_("show every card tapped on the reader, until Ctrl-C") },
  { "issue",   ec_cmd_card_issue,   N_("write a new card for a resident (torn-write safe, locked)") },
  { "replace", ec_cmd_card_replace, N_("write a replacement card; the old one becomes invalid") },
  { "revoke",  ec_cmd_card_revoke,  N_("revoke a card, or mark it lost (--lost)") },
  { "import-dump", ec_cmd_card_import_dump, N_("convert an nfc-mfultralight dump (.mfd) to a tag image") },
};

/* "now", unix seconds, or YYYY-MM-DD[THH:MM:SSZ] (UTC). */
static gboolean
parse_time (const char *s,
            gint64     *out)
{
  guint64 v;

  if (s == NULL || g_str_equal (s, "now"))
    {
      *out = (gint64) time (NULL);
      return TRUE;
    }
  if (g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT32, &v, NULL))
    {
      *out = (gint64) v;
      return TRUE;
    }
  if (strlen (s) == 10)
    {
      guint16 days;
      if (!ec_card_date_to_days (s, &days))
        return FALSE;
      *out = (gint64) days * 86400;
      return TRUE;
    }
  {
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (s, utc);
    if (dt == NULL)
      return FALSE;
    *out = g_date_time_to_unix (dt);
    return TRUE;
  }
}

/* ---- encode ----------------------------------------------------------------------- */

typedef struct
{
  char  *keydir, *type, *uid, *out, *pass_file, *summary_file, *read_key_file, *resident,
        *issued, *expires, *nonce;
  gint   station, seq;
  gboolean reference_only;
  char  *name, *name_latin, *sex, *blood, *allergy_status, *contact_name, *contact_relation,
        *contact_phone, *dnr, *wandering;
  gint   birth_year, record_version;
  char **allergies, **conditions, **medications;
} EncodeOptions;

static void
encode_options_clear (EncodeOptions *o)
{
  g_free (o->keydir); g_free (o->type); g_free (o->uid); g_free (o->out);
  g_free (o->pass_file); g_free (o->summary_file); g_free (o->read_key_file);
  g_free (o->resident); g_free (o->issued); g_free (o->expires); g_free (o->nonce);
  g_free (o->name); g_free (o->name_latin); g_free (o->sex); g_free (o->blood);
  g_free (o->allergy_status); g_free (o->contact_name); g_free (o->contact_relation);
  g_free (o->contact_phone); g_free (o->dnr); g_free (o->wandering);
  g_strfreev (o->allergies); g_strfreev (o->conditions); g_strfreev (o->medications);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EncodeOptions, encode_options_clear)

static gboolean
summary_options_given (const EncodeOptions *o)
{
  return o->name || o->name_latin || o->sex || o->blood || o->allergy_status || o->contact_name
         || o->contact_relation || o->contact_phone || o->dnr || o->wandering || o->birth_year
         || o->record_version || o->allergies || o->conditions || o->medications;
}

static gboolean
bad_enum (const char  *value,
          const char  *option,
          GError     **error)
{
  g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID, _("unknown value '%s' for --%s"),
               value, option);
  return FALSE;
}

#define SET_ENUM(value, option, parse, field) \
  if ((value) != NULL && !parse ((value), &(field))) \
    { bad_enum ((value), (option), error); return NULL; }

/* Build the summary: the JSON file, then the options on top of it. */
static EcCardSummary *
build_summary (const EncodeOptions *o,
               GError             **error)
{
  g_autoptr(EcCardSummary) s = NULL;

  if (o->summary_file != NULL)
    {
      g_autofree char *json = NULL;
      gsize len = 0;
      /* A card summary is at most a few hundred bytes; 64 KiB is plenty. */
      if (!ec_file_read_bounded (o->summary_file, 64 * 1024, 0, &json, &len, error))
        return NULL;
      s = ec_card_summary_from_json (json, len, error);
      if (s == NULL)
        return NULL;
    }
  else
    s = ec_card_summary_new ();

#define SET_STR(field, opt) if (opt != NULL) { g_free (s->field); s->field = g_strdup (opt); }
  SET_STR (name, o->name);
  SET_STR (name_latin, o->name_latin);
  SET_STR (contact_name, o->contact_name);
  SET_STR (contact_relation, o->contact_relation);
  SET_STR (contact_phone, o->contact_phone);
#undef SET_STR
  if (o->birth_year != 0)
    s->birth_year = (guint16) CLAMP (o->birth_year, 0, 9999);
  if (o->record_version != 0)
    s->record_version = (guint32) MAX (o->record_version, 0);
  SET_ENUM (o->sex, "sex", ec_sex_from_string, s->sex);
  SET_ENUM (o->blood, "blood-type", ec_blood_type_from_string, s->blood_type);
  SET_ENUM (o->allergy_status, "allergy-status", ec_allergy_status_from_string, s->allergy_status);
  SET_ENUM (o->dnr, "dnr", ec_dnr_from_string, s->dnr);
  SET_ENUM (o->wandering, "wandering", ec_wandering_from_string, s->wandering);
  for (char **a = o->allergies; a != NULL && *a != NULL; a++)
    {
      /* SUBSTANCE or SUBSTANCE:CRITICALITY (low, high, unable-to-assess) */
      const char *colon = strrchr (*a, ':');
      EcCriticality crit = EC_CRITICALITY_UNABLE_TO_ASSESS;
      g_autofree char *sub = NULL;

      if (colon != NULL && ec_criticality_from_string (colon + 1, &crit))
        sub = g_strndup (*a, (gsize) (colon - *a));
      else
        sub = g_strdup (*a);
      ec_card_summary_add_allergy (s, sub, crit);
      if (s->allergy_status == EC_ALLERGY_STATUS_UNKNOWN)
        s->allergy_status = EC_ALLERGY_STATUS_RECORDED;
    }
  for (char **c = o->conditions; c != NULL && *c != NULL; c++)
    ec_card_summary_add_condition (s, *c);
  for (char **m = o->medications; m != NULL && *m != NULL; m++)
    ec_card_summary_add_medication (s, *m);
  return g_steal_pointer (&s);
}

static int
card_encode (int    argc,
             char **argv)
{
  g_auto(EncodeOptions) o = { 0 };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStationKey) station = NULL;
  g_autoptr(EcReadKey) read_key = NULL;
  g_autoptr(EcCardSummary) summary = NULL;
  g_autoptr(EcTagImage) img = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(EcCard) card = NULL;
  EcCardHeader header = { 0 };
  EcTagType type;
  guint8 uid[EC_TAG_UID_BYTES];
  guint8 nonce[EC_AEAD_NONCE_BYTES];
  const char *keys;
  gint64 issued;
  GOptionEntry entries[] = {
    { "type", 't', 0, G_OPTION_ARG_STRING, &o.type, N_("Tag type: ntag213, ntag215 or ntag216"), N_("TYPE") },
    { "uid", 'u', 0, G_OPTION_ARG_STRING, &o.uid, N_("The tag's 7-byte UID, 14 hex digits (04…)"), N_("HEX") },
    { "station", 's', 0, G_OPTION_ARG_INT, &o.station, N_("Issuing station id (its key in KEYDIR/stations/)"), N_("N") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, N_("Tag image file to write"), N_("FILE") },
    { "keys", 'k', 0, G_OPTION_ARG_FILENAME, &o.keydir, N_("Key directory (default $ELDERCARD_KEYS or ./keys)"), N_("DIR") },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &o.pass_file, N_("Read the station key passphrase from FILE ('-' = stdin)"), N_("FILE") },
    { "read-key", 0, 0, G_OPTION_ARG_FILENAME, &o.read_key_file, N_("Read key file (default KEYDIR/community/read.key)"), N_("FILE") },
    { "resident-id", 'r', 0, G_OPTION_ARG_STRING, &o.resident, N_("Resident id, 16 hex digits (default: random)"), N_("HEX") },
    { "seq", 0, 0, G_OPTION_ARG_INT, &o.seq, N_("Card sequence number (default 1)"), N_("N") },
    { "issued", 0, 0, G_OPTION_ARG_STRING, &o.issued, N_("Issue time: now, unix seconds or YYYY-MM-DD (default now)"), N_("TIME") },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &o.expires, N_("Last valid day, YYYY-MM-DD (default: 5 years after issue)"), N_("DATE") },
    { "reference-only", 0, 0, G_OPTION_ARG_NONE, &o.reference_only, N_("No summary on the card (profile R; always so on NTAG213)"), NULL },
    { "summary", 0, 0, G_OPTION_ARG_FILENAME, &o.summary_file, N_("Emergency summary as JSON (see docs/cli.md)"), N_("FILE") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &o.name, N_("Summary: name in Chinese characters"), N_("TEXT") },
    { "name-latin", 0, 0, G_OPTION_ARG_STRING, &o.name_latin, N_("Summary: pinyin or initials"), N_("TEXT") },
    { "birth-year", 0, 0, G_OPTION_ARG_INT, &o.birth_year, N_("Summary: year of birth"), N_("YYYY") },
    { "sex", 0, 0, G_OPTION_ARG_STRING, &o.sex, N_("Summary: female, male, other, unknown"), N_("SEX") },
    { "blood-type", 0, 0, G_OPTION_ARG_STRING, &o.blood, N_("Summary: A+, A-, B+, B-, AB+, AB-, O+, O-, unknown"), N_("TYPE") },
    { "allergy-status", 0, 0, G_OPTION_ARG_STRING, &o.allergy_status, N_("Summary: unknown, none-known, recorded"), N_("STATUS") },
    { "allergy", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.allergies, N_("Summary: an allergy, SUBSTANCE[:low|high|unable-to-assess] (repeatable)"), N_("A") },
    { "condition", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.conditions, N_("Summary: a condition (repeatable)"), N_("TEXT") },
    { "medication", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.medications, N_("Summary: a medication with dose and times (repeatable)"), N_("TEXT") },
    { "contact-name", 0, 0, G_OPTION_ARG_STRING, &o.contact_name, N_("Summary: first emergency contact"), N_("TEXT") },
    { "contact-relation", 0, 0, G_OPTION_ARG_STRING, &o.contact_relation, N_("Summary: their relation (女儿 …)"), N_("TEXT") },
    { "contact-phone", 0, 0, G_OPTION_ARG_STRING, &o.contact_phone, N_("Summary: their phone, e.g. +8613800000000"), N_("PHONE") },
    { "dnr", 0, 0, G_OPTION_ARG_STRING, &o.dnr, N_("Summary: unknown, full, dnr, limited"), N_("STATUS") },
    { "wandering", 0, 0, G_OPTION_ARG_STRING, &o.wandering, N_("Summary: unknown, none, at-risk"), N_("RISK") },
    { "record-version", 0, 0, G_OPTION_ARG_INT, &o.record_version, N_("Summary: the database record version"), N_("N") },
    { "nonce", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &o.nonce, "Fixed 24-byte nonce, 48 hex digits: ONLY to regenerate test vectors", "HEX" },
    { NULL }
  };

  ctx = g_option_context_new (_("- make a tag image"));
  g_option_context_set_summary (ctx,
      _("Encode a card for a tag with the given UID and write its full memory image\n"
        "(the *.tag text format). Signs with the station's key (asks for its passphrase).\n"
        "With summary options or --summary on an NTAG215/216, the emergency summary is\n"
        "encrypted with the community read key (profile F); otherwise the card only\n"
        "refers to the resident (profile R). The image is verified before it is written."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 1 || o.type == NULL || o.uid == NULL || o.out == NULL || o.station < 1 || o.station > 65535)
    return ec_cli_usage_error (ctx, _("--type, --uid, --station and --out are required"));
  if (!ec_tag_type_from_string (o.type, &type))
    return ec_cli_usage_error (ctx, _("--type must be ntag213, ntag215 or ntag216"));
  if (!ec_tag_uid_parse (o.uid, uid) || uid[0] != 0x04)
    return ec_cli_usage_error (ctx, _("--uid must be 14 hex digits starting with 04 (NXP)"));
  if (o.seq < 0 || o.seq > 65535)
    return ec_cli_usage_error (ctx, _("--seq must be 1..65535"));
  header.card_seq = (guint16) (o.seq == 0 ? 1 : o.seq);
  if (!parse_time (o.issued, &issued))
    return ec_cli_usage_error (ctx, _("--issued must be now, unix seconds or YYYY-MM-DD"));
  header.issued_at = issued;
  if (o.expires != NULL && !ec_card_date_to_days (o.expires, &header.expires_days))
    return ec_cli_usage_error (ctx, _("--expires must be a date YYYY-MM-DD"));
  if (o.expires == NULL)   /* every card expires (docs/keys.md "Card expiry") */
    header.expires_days = ec_issue_default_expiry (issued);
  if (o.resident != NULL)
    {
      if (!ec_resident_id_parse (o.resident, &header.resident_id))
        return ec_cli_usage_error (ctx, _("--resident-id must be 16 hex digits"));
    }
  else
    ec_crypto_random ((guint8 *) &header.resident_id, sizeof header.resident_id);
  if (o.nonce != NULL)
    {
      if (strlen (o.nonce) != 2 * EC_AEAD_NONCE_BYTES)
        return ec_cli_usage_error (ctx, _("--nonce must be 48 hex digits"));
      for (int i = 0; i < EC_AEAD_NONCE_BYTES; i++)
        {
          int hi = g_ascii_xdigit_value (o.nonce[2 * i]), lo = g_ascii_xdigit_value (o.nonce[2 * i + 1]);
          if (hi < 0 || lo < 0)
            return ec_cli_usage_error (ctx, _("--nonce must be 48 hex digits"));
          nonce[i] = (guint8) (hi << 4 | lo);
        }
    }
  else
    ec_crypto_random (nonce, sizeof nonce);
  keys = o.keydir != NULL ? o.keydir : ec_cli_default_keydir ();

  if (!o.reference_only && (o.summary_file != NULL || summary_options_given (&o)))
    {
      summary = build_summary (&o, &error);
      if (summary == NULL)
        return ec_cli_fail (error);
      read_key = ec_cli_read_key_load (keys, o.read_key_file, &error);
      if (read_key == NULL)
        return ec_cli_fail (error);
    }

  station = ec_cli_station_key_unlock (keys, (guint16) o.station, o.pass_file, &error);
  if (station == NULL)
    return ec_cli_fail (error);
  if (!ec_card_encode_with_nonce (type, uid, &header, summary, station, read_key, nonce, &img, &error))
    return ec_cli_fail (error);

  /* Verify with the same code the kiosk runs, against this key directory. */
  ring = ec_keyring_load (keys, &error);
  if (ring == NULL)
    return ec_cli_fail (error);
  if (!ec_card_verify (img, ring, header.issued_at, &card, &error))
    {
      g_prefix_error (&error, _("the encoded card does not verify: "));
      return ec_cli_fail (error);
    }
  if (!ec_tag_image_save_file (img, o.out, &error))
    return ec_cli_fail (error);
  {
    g_autofree char *rid = ec_resident_id_to_string (header.resident_id);
    printf (_("Wrote %s: %s card for resident %s, profile %s.\n"), o.out, ec_tag_type_to_string (type),
            rid, summary != NULL ? "F" : "R");
  }
  return 0;
}

/* ---- verify ----------------------------------------------------------------------- */

static int
card_verify (int    argc,
             char **argv)
{
  g_autofree char *keydir = NULL;
  g_autofree char *now_text = NULL;
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(EcTagImage) img = NULL;
  g_autoptr(EcCard) card = NULL;
  g_autofree char *text = NULL;
  gint64 now;
  GOptionEntry entries[] = {
    { "keys", 'k', 0, G_OPTION_ARG_FILENAME, &keydir,
      N_("Key directory or kiosk bundle (default $ELDERCARD_KEYS or ./keys)"), N_("DIR") },
    { "now", 0, 0, G_OPTION_ARG_STRING, &now_text,
      N_("Check expiry at TIME: unix seconds or YYYY-MM-DD (default now)"), N_("TIME") },
    { NULL }
  };

  ctx = g_option_context_new (_("IMAGE - verify a tag image"));
  g_option_context_set_summary (ctx,
      _("Verify a tag image file exactly as a kiosk does and print the decoded card.\n"
        "A refused card prints 'eldercard: card refused: <reason>' and exits 1.\n"
        "Reasons: not an eldercard card, truncated, damaged, unknown version, unknown key,\n"
        "bad signature, UID mismatch, expired. A genuine card whose summary this device\n"
        "cannot read (no read key, cannot decrypt) is printed with 'summary: unavailable'."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 2)
    return ec_cli_usage_error (ctx, _("give one tag image file"));
  if (!parse_time (now_text, &now))
    return ec_cli_usage_error (ctx, _("--now must be unix seconds or YYYY-MM-DD"));

  ring = ec_keyring_load (keydir != NULL ? keydir : ec_cli_default_keydir (), &error);
  if (ring == NULL)
    return ec_cli_fail (error);
  img = ec_tag_image_load_file (argv[1], &error);
  if (img == NULL)
    return ec_cli_fail (error);
  if (!ec_card_verify (img, ring, now, &card, &error))
    {
      g_printerr ("eldercard: %s: %s\n", _("card refused"), error->message);
      return 1;
    }
  text = ec_card_to_text (card);
  fputs (text, stdout);
  return 0;
}

/* ---- dispatch ---------------------------------------------------------------------- */

static void
card_usage (FILE *out)
{
  fprintf (out, "%s", _("Usage: eldercard card ACTION [OPTIONS…]\n\nActions:\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (card_actions); i++)
    fprintf (out, "  %-10s %s\n", card_actions[i].name, _(card_actions[i].summary));
  fprintf (out, "%s", _("\nRun 'eldercard card ACTION --help' for an action's options.\n"));
}

int
ec_cmd_card (int    argc,
             char **argv)
{
  if (argc < 2)
    {
      card_usage (stderr);
      return 2;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      card_usage (stdout);
      return 0;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (card_actions); i++)
    if (g_str_equal (argv[1], card_actions[i].name))
      return card_actions[i].func (argc - 1, argv + 1);
  g_printerr (_("eldercard: unknown card action '%s'\n\n"), argv[1]);
  card_usage (stderr);
  return 2;
}
