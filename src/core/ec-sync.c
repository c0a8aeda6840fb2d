/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-sync.c: signed update bundles for field kiosks and the kiosks' audit exports
 * (ec-sync.h, docs/sync.md).
 *
 * Bundle (big-endian):
 *    0  4  "ECB1"             4  1  version 1        5  1  role (0 responder, 1 nurse)
 *    6  2  station id         8  4  community kid   12  4  signer kid
 *   16  4  enc kid           20  8  seq             28  8  created_at
 *   36 24  nonce             60  8  ciphertext length (payload + 16)
 *   68  …  ciphertext        end-64  Ed25519 signature
 *   bundle key = crypto_kdf_derive_from_key (32, 1, "ECBUNDLE", read key)
 *   AD  = "ECBUNDLE1-AEAD" ‖ header[0..68)
 *   sig = Ed25519 ("ECBUNDLE1-SIG" ‖ header ‖ ciphertext) by the station key
 *
 * Payload: "ECP1" | u32 n | n × resident | u32 m | m × card; strings are u32 length
 * (0xFFFFFFFF = NULL) + UTF-8. The parser checks every length against what is left.
 *
 * The database tables this file keeps (sync_*, remote_audit*) are part of the
 * database schema (version 3, ec-db.c) and written through the database's own statement cache and transactions
 * (ec-db-private.h), so an import is one BEGIN IMMEDIATE … COMMIT with the
 * connection's synchronous=FULL. */
#define G_LOG_DOMAIN "ec-sync"

#include "ec-sync.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "ec-crypto.h"
#include "ec-db-private.h"
#include "ec-error.h"
#include "ec-file.h"
#include "ec-i18n.h"

#define SIG_DOMAIN    "ECBUNDLE1-SIG"
#define AEAD_DOMAIN   "ECBUNDLE1-AEAD"
#define KDF_CONTEXT   "ECBUNDLE"
#define KDF_SUBKEY    1
#define PAYLOAD_MAGIC "ECP1"
#define AUDIT_SIG_DOMAIN "ECAUDIT-EXPORT1"
#define KIOSK_KEY_MAGIC  "EKK1"
#define STR_NULL      0xffffffffu
#define TEXT_MAX      (64 * 1024)

G_DEFINE_QUARK (ec-sync-error-quark, ec_sync_error)

const char *
ec_sync_error_to_string (EcSyncError code)
{
  switch (code)
    {
    case EC_SYNC_ERROR_NOT_A_BUNDLE:    return "not-a-bundle";
    case EC_SYNC_ERROR_TRUNCATED:       return "truncated";
    case EC_SYNC_ERROR_DAMAGED:         return "damaged";
    case EC_SYNC_ERROR_WRONG_COMMUNITY: return "wrong-community";
    case EC_SYNC_ERROR_UNKNOWN_SIGNER:  return "wrongly-signed";
    case EC_SYNC_ERROR_BAD_SIGNATURE:   return "tampered";
    case EC_SYNC_ERROR_OLDER:           return "older";
    case EC_SYNC_ERROR_CANNOT_DECRYPT:  return "cannot-decrypt";
    case EC_SYNC_ERROR_WRONG_ROLE:      return "wrong-role";
    case EC_SYNC_ERROR_NO_BUNDLE:       return "no-bundle";
    case EC_SYNC_ERROR_AUDIT_GAP:       return "audit-gap";
    case EC_SYNC_ERROR_AUDIT_TAMPERED:  return "audit-tampered";
    case EC_SYNC_ERROR_KIOSK_KEY:       return "kiosk-key";
    case EC_SYNC_ERROR_INVALID:         return "invalid";
    default:                            return "unknown";
    }
}

void
ec_sync_report_clear (EcSyncReport *report)
{
  if (report == NULL)
    return;
  g_free (report->path);
  memset (report, 0, sizeof *report);
}

void
ec_sync_audit_report_clear (EcSyncAuditReport *report)
{
  if (report == NULL)
    return;
  g_free (report->kiosk_id);
  g_free (report->path);
  memset (report, 0, sizeof *report);
}

void
ec_sync_export_options_init (EcSyncExportOptions *options)
{
  memset (options, 0, sizeof *options);
  options->with_photos = TRUE;
  options->photo_max_bytes = EC_DB_PHOTO_MAX_BYTES;
}

/* ------------------------------------------------------------------------- */
/* Writing and reading big-endian fields */

static void
put_u8 (GByteArray *b, guint v)
{
  guint8 x = (guint8) v;
  g_byte_array_append (b, &x, 1);
}

static void
put_u16 (GByteArray *b, guint v)
{
  guint8 x[2] = { (guint8) (v >> 8), (guint8) v };
  g_byte_array_append (b, x, 2);
}

static void
put_u32 (GByteArray *b, guint32 v)
{
  guint8 x[4] = { (guint8) (v >> 24), (guint8) (v >> 16), (guint8) (v >> 8), (guint8) v };
  g_byte_array_append (b, x, 4);
}

static void
put_u64 (GByteArray *b, guint64 v)
{
  put_u32 (b, (guint32) (v >> 32));
  put_u32 (b, (guint32) v);
}

static void
put_str (GByteArray *b, const char *s)
{
  if (s == NULL)
    {
      put_u32 (b, STR_NULL);
      return;
    }
  put_u32 (b, (guint32) strlen (s));
  g_byte_array_append (b, (const guint8 *) s, (guint) strlen (s));
}

static void
put_blob (GByteArray *b, GBytes *blob)
{
  gsize n = 0;
  const guint8 *p;

  if (blob == NULL)
    {
      put_u32 (b, STR_NULL);
      return;
    }
  p = g_bytes_get_data (blob, &n);
  put_u32 (b, (guint32) n);
  if (n > 0)
    g_byte_array_append (b, p, (guint) n);
}

static guint32
get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint64
get_u64 (const guint8 *p)
{
  return ((guint64) get_u32 (p) << 32) | get_u32 (p + 4);
}

/* A bounds-checked cursor. Every read fails (and stays failed) past the end. */
typedef struct
{
  const guint8 *p;
  gsize         len;
  gsize         pos;
  gboolean      bad;
  gboolean      eof;      /* it failed by running out of bytes */
  const char   *what;     /* what was being read when it failed */
} Rd;

static const guint8 *
rd_take (Rd *r, gsize n, const char *what)
{
  const guint8 *p;

  if (r->bad || n > r->len - r->pos)
    {
      if (!r->bad)
        {
          r->what = what;
          r->eof = TRUE;
        }
      r->bad = TRUE;
      return NULL;
    }
  p = r->p + r->pos;
  r->pos += n;
  return p;
}

static guint
rd_u8 (Rd *r, const char *what)
{
  const guint8 *p = rd_take (r, 1, what);
  return p != NULL ? p[0] : 0;
}

static guint
rd_u16 (Rd *r, const char *what)
{
  const guint8 *p = rd_take (r, 2, what);
  return p != NULL ? ((guint) p[0] << 8) | p[1] : 0;
}

static guint32
rd_u32 (Rd *r, const char *what)
{
  const guint8 *p = rd_take (r, 4, what);
  return p != NULL ? get_u32 (p) : 0;
}

static guint64
rd_u64 (Rd *r, const char *what)
{
  const guint8 *p = rd_take (r, 8, what);
  return p != NULL ? get_u64 (p) : 0;
}

/* A string: NULL allowed unless @required; UTF-8 without NUL, at most @max bytes. */
static char *
rd_str (Rd *r, gboolean required, gsize max, const char *what)
{
  guint32 n = rd_u32 (r, what);
  const guint8 *p;

  if (r->bad)
    return NULL;
  if (n == STR_NULL)
    {
      if (required)
        {
          r->bad = TRUE;
          r->what = what;
        }
      return NULL;
    }
  if (n > max || (required && n == 0))
    {
      r->bad = TRUE;
      r->what = what;
      return NULL;
    }
  p = rd_take (r, n, what);
  if (p == NULL)
    return NULL;
  if (!g_utf8_validate_len ((const char *) p, n, NULL))
    {
      r->bad = TRUE;
      r->what = what;
      return NULL;
    }
  return g_strndup ((const char *) p, n);
}

static gboolean
rd_check (Rd *r, gboolean cond, const char *what)
{
  if (!r->bad && !cond)
    {
      r->bad = TRUE;
      r->what = what;
    }
  return !r->bad;
}

/* ------------------------------------------------------------------------- */
/* The payload */

static void
put_resident (GByteArray *b, const EcResident *r)
{
  put_u64 (b, r->id);
  put_str (b, r->name_zh);
  put_str (b, r->name_pinyin);
  put_u8 (b, r->sex);
  put_str (b, r->date_of_birth);
  put_blob (b, r->photo);
  put_str (b, r->photo_mime);
  put_str (b, r->address);
  put_str (b, r->building_unit);
  put_str (b, r->phone);
  put_u8 (b, r->blood_type);
  put_str (b, r->language);
  put_u8 (b, r->dnr);
  put_str (b, r->directive_location);
  put_u8 (b, r->wandering);
  put_u8 (b, r->comm_needs);
  put_str (b, r->comm_notes);
  put_str (b, r->implants);
  put_str (b, r->gp);
  put_str (b, r->social_worker);
  put_str (b, r->notes);
  put_u8 (b, r->allergy_status);
  put_u64 (b, (guint64) r->record_version);
  put_u64 (b, (guint64) r->updated_at);
  put_str (b, r->updated_by);

  put_u16 (b, r->conditions->len);
  for (guint i = 0; i < r->conditions->len; i++)
    {
      const EcCondition *c = g_ptr_array_index (r->conditions, i);
      put_str (b, c->text);
      put_str (b, c->icd10);
      put_str (b, c->since);
      put_u64 (b, (guint64) c->updated_at);
      put_str (b, c->updated_by);
    }
  put_u16 (b, r->allergies->len);
  for (guint i = 0; i < r->allergies->len; i++)
    {
      const EcAllergy *a = g_ptr_array_index (r->allergies, i);
      put_str (b, a->substance);
      put_u8 (b, a->category);
      put_u8 (b, a->criticality);
      put_str (b, a->reaction);
      put_u8 (b, a->severity);
      put_u8 (b, a->confirmed ? 1 : 0);
      put_u64 (b, (guint64) a->updated_at);
      put_str (b, a->updated_by);
    }
  put_u16 (b, r->medications->len);
  for (guint i = 0; i < r->medications->len; i++)
    {
      const EcMedication *m = g_ptr_array_index (r->medications, i);
      put_str (b, m->name);
      put_str (b, m->dose);
      put_str (b, m->route);
      put_u8 (b, m->slots);
      put_str (b, m->schedule_text);
      put_u64 (b, (guint64) m->updated_at);
      put_str (b, m->updated_by);
    }
  put_u16 (b, r->contacts->len);
  for (guint i = 0; i < r->contacts->len; i++)
    {
      const EcContact *c = g_ptr_array_index (r->contacts, i);
      guint n = c->phones != NULL ? g_strv_length (c->phones) : 0;
      put_str (b, c->name);
      put_str (b, c->relation);
      put_u8 (b, n);
      for (guint k = 0; k < n; k++)
        put_str (b, c->phones[k]);
      put_u32 (b, c->call_order);
      put_u8 (b, c->lives_nearby ? 1 : 0);
      put_u64 (b, (guint64) c->updated_at);
      put_str (b, c->updated_by);
    }
}

static void
put_card (GByteArray *b, const EcCardRecord *c)
{
  put_str (b, c->uid_hex);
  put_u64 (b, c->resident_id);
  put_u16 (b, c->seq);
  put_u8 (b, c->status);
  put_u64 (b, (guint64) c->issued_at);
  put_u16 (b, c->station_id);
  put_str (b, c->staff_id);
  put_u64 (b, (guint64) c->status_changed_at);
  put_str (b, c->status_reason);
}

GBytes *
ec_sync_payload_build (GPtrArray  *residents,
                       GPtrArray  *cards,
                       GError    **error)
{
  GByteArray *b = g_byte_array_new ();

  g_byte_array_append (b, (const guint8 *) PAYLOAD_MAGIC, 4);
  put_u32 (b, residents->len);
  for (guint i = 0; i < residents->len; i++)
    {
      const EcResident *r = g_ptr_array_index (residents, i);
      if (r->conditions->len > G_MAXUINT16 || r->allergies->len > G_MAXUINT16 ||
          r->medications->len > G_MAXUINT16 || r->contacts->len > G_MAXUINT16)
        {
          g_byte_array_unref (b);
          g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_INVALID,
                               _("A resident has too many entries for a bundle"));
          return NULL;
        }
      for (guint k = 0; k < r->contacts->len; k++)
        {
          const EcContact *c = g_ptr_array_index (r->contacts, k);
          if (c->phones != NULL && g_strv_length (c->phones) > 255)
            {
              g_byte_array_unref (b);
              g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_INVALID,
                                   _("A contact has too many phone numbers for a bundle"));
              return NULL;
            }
        }
      put_resident (b, r);
    }
  put_u32 (b, cards->len);
  for (guint i = 0; i < cards->len; i++)
    put_card (b, g_ptr_array_index (cards, i));
  return g_byte_array_free_to_bytes (b);
}

static gboolean
valid_uid_hex (const char *s)
{
  gsize n = s != NULL ? strlen (s) : 0;

  if (n != 8 && n != 14)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return TRUE;
}

static EcResident *
rd_resident (Rd *r)
{
  g_autoptr(EcResident) res = ec_resident_new ();
  guint n;

  res->id = rd_u64 (r, "resident id");
  rd_check (r, res->id != 0, "resident id");
  res->name_zh = rd_str (r, TRUE, TEXT_MAX, "name");
  res->name_pinyin = rd_str (r, FALSE, TEXT_MAX, "pinyin");
  res->sex = (EcSex) rd_u8 (r, "sex");
  res->date_of_birth = rd_str (r, FALSE, 10, "date of birth");
  {
    guint32 len = rd_u32 (r, "photo");
    if (!r->bad && len != STR_NULL)
      {
        const guint8 *p;
        rd_check (r, len <= EC_DB_PHOTO_MAX_BYTES, "photo size");
        p = rd_take (r, len, "photo");
        if (p != NULL)
          res->photo = g_bytes_new (p, len);
      }
  }
  res->photo_mime = rd_str (r, FALSE, 64, "photo type");
  res->address = rd_str (r, FALSE, TEXT_MAX, "address");
  res->building_unit = rd_str (r, FALSE, TEXT_MAX, "building/unit");
  res->phone = rd_str (r, FALSE, TEXT_MAX, "phone");
  res->blood_type = (EcBloodType) rd_u8 (r, "blood type");
  res->language = rd_str (r, FALSE, TEXT_MAX, "language");
  res->dnr = (EcDnrStatus) rd_u8 (r, "resuscitation status");
  res->directive_location = rd_str (r, FALSE, TEXT_MAX, "directive location");
  res->wandering = (EcWanderingRisk) rd_u8 (r, "wandering");
  res->comm_needs = rd_u8 (r, "communication needs");
  res->comm_notes = rd_str (r, FALSE, TEXT_MAX, "communication notes");
  res->implants = rd_str (r, FALSE, TEXT_MAX, "implants");
  res->gp = rd_str (r, FALSE, TEXT_MAX, "GP");
  res->social_worker = rd_str (r, FALSE, TEXT_MAX, "social worker");
  res->notes = rd_str (r, FALSE, TEXT_MAX, "notes");
  res->allergy_status = (EcAllergyStatus) rd_u8 (r, "allergy status");
  res->record_version = (gint64) rd_u64 (r, "record version");
  res->updated_at = (gint64) rd_u64 (r, "updated at");
  res->updated_by = rd_str (r, TRUE, 256, "updated by");
  rd_check (r, res->record_version >= 1 && res->updated_at > 0, "record version");
  rd_check (r, res->sex <= EC_SEX_OTHER && res->blood_type <= EC_BLOOD_O_NEG &&
            res->dnr <= EC_DNR_LIMITED && res->wandering <= EC_WANDERING_AT_RISK &&
            res->comm_needs <= 31 && res->allergy_status <= EC_ALLERGY_STATUS_RECORDED,
            "a coded field");

  n = rd_u16 (r, "conditions");
  for (guint i = 0; i < n && !r->bad; i++)
    {
      EcCondition *c = ec_condition_new ();
      g_ptr_array_add (res->conditions, c);
      c->text = rd_str (r, TRUE, TEXT_MAX, "condition");
      c->icd10 = rd_str (r, FALSE, 64, "ICD-10 code");
      c->since = rd_str (r, FALSE, 10, "condition since");
      c->updated_at = (gint64) rd_u64 (r, "condition updated at");
      c->updated_by = rd_str (r, TRUE, 256, "condition updated by");
      rd_check (r, c->updated_at > 0, "condition updated at");
    }
  n = rd_u16 (r, "allergies");
  for (guint i = 0; i < n && !r->bad; i++)
    {
      EcAllergy *a = ec_allergy_new ();
      guint confirmed;
      g_ptr_array_add (res->allergies, a);
      a->substance = rd_str (r, TRUE, TEXT_MAX, "allergy");
      a->category = (EcAllergyCategory) rd_u8 (r, "allergy category");
      a->criticality = (EcCriticality) rd_u8 (r, "allergy criticality");
      a->reaction = rd_str (r, FALSE, TEXT_MAX, "reaction");
      a->severity = (EcSeverity) rd_u8 (r, "severity");
      confirmed = rd_u8 (r, "confirmed");
      a->confirmed = confirmed == 1;
      a->updated_at = (gint64) rd_u64 (r, "allergy updated at");
      a->updated_by = rd_str (r, TRUE, 256, "allergy updated by");
      rd_check (r, a->category <= EC_ALLERGY_CATEGORY_BIOLOGIC && a->criticality <= EC_CRITICALITY_HIGH &&
                a->severity <= EC_SEVERITY_SEVERE && confirmed <= 1 && a->updated_at > 0,
                "an allergy's coded field");
    }
  n = rd_u16 (r, "medications");
  for (guint i = 0; i < n && !r->bad; i++)
    {
      EcMedication *m = ec_medication_new ();
      g_ptr_array_add (res->medications, m);
      m->name = rd_str (r, TRUE, TEXT_MAX, "medication");
      m->dose = rd_str (r, FALSE, TEXT_MAX, "dose");
      m->route = rd_str (r, FALSE, TEXT_MAX, "route");
      m->slots = rd_u8 (r, "schedule");
      m->schedule_text = rd_str (r, FALSE, TEXT_MAX, "schedule text");
      m->updated_at = (gint64) rd_u64 (r, "medication updated at");
      m->updated_by = rd_str (r, TRUE, 256, "medication updated by");
      rd_check (r, m->slots <= 15 && m->updated_at > 0, "a medication's schedule");
    }
  n = rd_u16 (r, "contacts");
  for (guint i = 0; i < n && !r->bad; i++)
    {
      EcContact *c = ec_contact_new ();
      guint np, nearby;
      g_ptr_array_add (res->contacts, c);
      c->name = rd_str (r, TRUE, TEXT_MAX, "contact");
      c->relation = rd_str (r, FALSE, TEXT_MAX, "relation");
      np = rd_u8 (r, "phone numbers");
      rd_check (r, np >= 1, "phone numbers");
      c->phones = g_new0 (char *, np + 1);
      for (guint k = 0; k < np && !r->bad; k++)
        {
          c->phones[k] = rd_str (r, TRUE, 64, "contact phone");
          rd_check (r, c->phones[k] == NULL || strchr (c->phones[k], '\n') == NULL, "contact phone");
        }
      c->call_order = rd_u32 (r, "call order");
      nearby = rd_u8 (r, "lives nearby");
      c->lives_nearby = nearby == 1;
      c->updated_at = (gint64) rd_u64 (r, "contact updated at");
      c->updated_by = rd_str (r, TRUE, 256, "contact updated by");
      rd_check (r, nearby <= 1 && c->updated_at > 0 && c->call_order <= G_MAXINT32, "a contact's coded field");
    }
  if (r->bad)
    return NULL;
  return g_steal_pointer (&res);
}

static EcCardRecord *
rd_card (Rd *r)
{
  g_autoptr(EcCardRecord) c = ec_card_record_new ();
  guint status;

  c->uid_hex = rd_str (r, TRUE, 14, "card UID");
  rd_check (r, valid_uid_hex (c->uid_hex), "card UID");
  c->resident_id = rd_u64 (r, "card resident");
  c->seq = rd_u16 (r, "card seq");
  status = rd_u8 (r, "card status");
  c->status = (EcCardStatus) status;
  c->issued_at = (gint64) rd_u64 (r, "card issued at");
  c->station_id = rd_u16 (r, "card station");
  c->staff_id = rd_str (r, TRUE, 256, "card staff");
  c->status_changed_at = (gint64) rd_u64 (r, "card status time");
  c->status_reason = rd_str (r, FALSE, TEXT_MAX, "card status reason");
  rd_check (r, c->resident_id != 0 && c->seq >= 1 && status <= EC_CARD_STATUS_PENDING &&
            c->issued_at >= 0 && c->status_changed_at >= 0, "a card's coded field");
  if (r->bad)
    return NULL;
  return g_steal_pointer (&c);
}

gboolean
ec_sync_payload_parse (const guint8  *data,
                       gsize          len,
                       GPtrArray    **out_residents,
                       GPtrArray    **out_cards,
                       GError       **error)
{
  Rd r = { data, len, 0, FALSE, FALSE, NULL };
  g_autoptr(GPtrArray) residents = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_resident_free);
  g_autoptr(GPtrArray) cards = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_card_record_free);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) uids = g_hash_table_new (g_str_hash, g_str_equal);
  const guint8 *magic = rd_take (&r, 4, "payload magic");
  guint32 n;

  rd_check (&r, magic != NULL && memcmp (magic, PAYLOAD_MAGIC, 4) == 0, "payload magic");
  n = rd_u32 (&r, "resident count");
  for (guint32 i = 0; i < n && !r.bad; i++)
    {
      EcResident *res = rd_resident (&r);
      g_autoptr(GError) local = NULL;

      if (res == NULL)
        break;
      g_ptr_array_add (residents, res);
      if (!_ec_db_validate_resident (res, &local))
        {
          g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_DAMAGED,
                       _("The bundle's data is damaged: resident %u: %s"), i + 1, local->message);
          return FALSE;
        }
      rd_check (&r, g_hash_table_add (ids, &res->id), "duplicate resident id");
    }
  n = rd_u32 (&r, "card count");
  for (guint32 i = 0; i < n && !r.bad; i++)
    {
      EcCardRecord *c = rd_card (&r);
      if (c == NULL)
        break;
      g_ptr_array_add (cards, c);
      rd_check (&r, g_hash_table_add (uids, c->uid_hex), "duplicate card UID");
    }
  rd_check (&r, r.pos == r.len, "trailing bytes");
  if (r.bad)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_DAMAGED,
                   _("The bundle's data is damaged (at byte %zu: %s)"), r.pos, r.what);
      return FALSE;
    }
  if (out_residents != NULL)
    *out_residents = g_steal_pointer (&residents);
  if (out_cards != NULL)
    *out_cards = g_steal_pointer (&cards);
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Sealing and opening */

static EcSecret *
bundle_key (const EcReadKey *read_key,
            GError         **error)
{
  g_autoptr(EcSecret) k = ec_secret_new (EC_AEAD_KEY_BYTES);

  G_STATIC_ASSERT (sizeof KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES);
  if (read_key == NULL || read_key->key == NULL || read_key->key->len != crypto_kdf_KEYBYTES ||
      crypto_kdf_derive_from_key (k->data, k->len, KDF_SUBKEY, KDF_CONTEXT, read_key->key->data) != 0)
    {
      g_set_error_literal (error, EC_KEY_ERROR, EC_KEY_ERROR_CRYPTO,
                           _("libsodium could not derive the bundle key"));
      return NULL;
    }
  return g_steal_pointer (&k);
}

static void
header_write (guint8 *h, const EcSyncHeader *hdr, const guint8 nonce[EC_AEAD_NONCE_BYTES], guint64 ct_len)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();

  g_byte_array_append (b, (const guint8 *) EC_SYNC_BUNDLE_MAGIC, 4);
  put_u8 (b, hdr->version);
  put_u8 (b, hdr->role);
  put_u16 (b, hdr->station_id);
  put_u32 (b, hdr->community_kid);
  put_u32 (b, hdr->signer_kid);
  put_u32 (b, hdr->enc_kid);
  put_u64 (b, hdr->seq);
  put_u64 (b, (guint64) hdr->created_at);
  g_byte_array_append (b, nonce, EC_AEAD_NONCE_BYTES);
  put_u64 (b, ct_len);
  g_assert (b->len == EC_SYNC_BUNDLE_HEADER_BYTES);
  memcpy (h, b->data, EC_SYNC_BUNDLE_HEADER_BYTES);
}

GBytes *
ec_sync_bundle_seal (const EcSyncHeader *header,
                     GBytes             *payload,
                     const EcReadKey    *read_key,
                     const EcSecret     *sk,
                     GError            **error)
{
  g_autoptr(EcSecret) key = NULL;
  EcSyncHeader hdr = *header;
  gsize pt_len = 0;
  const guint8 *pt = g_bytes_get_data (payload, &pt_len);
  guint8 nonce[EC_AEAD_NONCE_BYTES];
  guint8 ad[sizeof AEAD_DOMAIN - 1 + EC_SYNC_BUNDLE_HEADER_BYTES];
  gsize ct_len = pt_len + EC_AEAD_TAG_BYTES;
  gsize total = EC_SYNC_BUNDLE_HEADER_BYTES + ct_len + EC_SIGN_BYTES;
  g_autofree guint8 *out = NULL;
  g_autofree guint8 *msg = NULL;

  if ((key = bundle_key (read_key, error)) == NULL)
    return NULL;
  hdr.enc_kid = read_key->kid;
  ec_crypto_random (nonce, sizeof nonce);
  out = g_malloc (total);
  header_write (out, &hdr, nonce, ct_len);
  memcpy (ad, AEAD_DOMAIN, sizeof AEAD_DOMAIN - 1);
  memcpy (ad + sizeof AEAD_DOMAIN - 1, out, EC_SYNC_BUNDLE_HEADER_BYTES);
  if (!ec_crypto_aead_encrypt (out + EC_SYNC_BUNDLE_HEADER_BYTES, pt != NULL ? pt : (const guint8 *) "",
                               pt_len, ad, sizeof ad, nonce, key->data, error))
    return NULL;
  msg = g_malloc (sizeof SIG_DOMAIN - 1 + EC_SYNC_BUNDLE_HEADER_BYTES + ct_len);
  memcpy (msg, SIG_DOMAIN, sizeof SIG_DOMAIN - 1);
  memcpy (msg + sizeof SIG_DOMAIN - 1, out, EC_SYNC_BUNDLE_HEADER_BYTES + ct_len);
  if (!ec_crypto_sign (out + EC_SYNC_BUNDLE_HEADER_BYTES + ct_len, msg,
                       sizeof SIG_DOMAIN - 1 + EC_SYNC_BUNDLE_HEADER_BYTES + ct_len, sk, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&out), total);
}

gboolean
ec_sync_header_parse (const guint8  *data,
                      gsize          len,
                      EcSyncHeader  *out,
                      GError       **error)
{
  guint64 ct_len;

  memset (out, 0, sizeof *out);
  if (len < 5)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, len >= 4 && memcmp (data, EC_SYNC_BUNDLE_MAGIC, 4) == 0
                                                 ? EC_SYNC_ERROR_TRUNCATED : EC_SYNC_ERROR_NOT_A_BUNDLE,
                           _("This is not an eldercard update bundle (too short)"));
      return FALSE;
    }
  if (memcmp (data, EC_SYNC_BUNDLE_MAGIC, 4) != 0)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_NOT_A_BUNDLE,
                           _("This is not an eldercard update bundle"));
      return FALSE;
    }
  if (data[4] != EC_SYNC_BUNDLE_VERSION)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_NOT_A_BUNDLE,
                   _("Update bundle format version %u is not known to this eldercard"), data[4]);
      return FALSE;
    }
  if (len < EC_SYNC_BUNDLE_HEADER_BYTES)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_TRUNCATED,
                   _("The update bundle is truncated: %zu bytes, its header alone is %d"),
                   len, EC_SYNC_BUNDLE_HEADER_BYTES);
      return FALSE;
    }
  out->version = data[4];
  out->role = (EcRole) data[5];
  out->station_id = (guint16) ((data[6] << 8) | data[7]);
  out->community_kid = get_u32 (data + 8);
  out->signer_kid = get_u32 (data + 12);
  out->enc_kid = get_u32 (data + 16);
  out->seq = get_u64 (data + 20);
  out->created_at = (gint64) get_u64 (data + 28);
  ct_len = get_u64 (data + 60);
  if (ct_len < EC_AEAD_TAG_BYTES || ct_len > EC_SYNC_BUNDLE_MAX_BYTES)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_DAMAGED,
                           _("The update bundle is damaged: impossible payload length"));
      return FALSE;
    }
  if (len < EC_SYNC_BUNDLE_HEADER_BYTES + ct_len + EC_SIGN_BYTES)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_TRUNCATED,
                   _("The update bundle is truncated: %zu of %llu bytes (copy it again)"),
                   len, (unsigned long long) (EC_SYNC_BUNDLE_HEADER_BYTES + ct_len + EC_SIGN_BYTES));
      return FALSE;
    }
  if (len > EC_SYNC_BUNDLE_HEADER_BYTES + ct_len + EC_SIGN_BYTES)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_DAMAGED,
                           _("The update bundle is damaged: bytes after its signature"));
      return FALSE;
    }
  if (out->role != EC_ROLE_RESPONDER && out->role != EC_ROLE_NURSE)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_DAMAGED,
                           _("The update bundle is damaged: unknown kiosk role"));
      return FALSE;
    }
  return TRUE;
}

/* Checks in order: format, length, community, signer, signature. On success
 * @out_ct/@out_ct_len point into @data. */
static gboolean
bundle_verify (const EcKeyring  *ring,
               const guint8     *data,
               gsize             len,
               EcSyncHeader     *hdr,
               const guint8    **out_ct,
               gsize            *out_ct_len,
               GError          **error)
{
  const EcStationCert *cert;
  guint32 community = ec_crypto_key_id (ec_keyring_root_pk (ring));
  gsize ct_len, mlen;
  g_autofree guint8 *msg = NULL;
  g_autofree char *ks = NULL, *ours = NULL;

  if (!ec_sync_header_parse (data, len, hdr, error))
    return FALSE;
  ct_len = len - EC_SYNC_BUNDLE_HEADER_BYTES - EC_SIGN_BYTES;
  if (hdr->community_kid != community)
    {
      ks = ec_key_id_to_string (hdr->community_kid);
      ours = ec_key_id_to_string (community);
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_WRONG_COMMUNITY,
                   _("This update bundle is for another community (root key %s; this kiosk trusts %s)"),
                   ks, ours);
      return FALSE;
    }
  cert = ec_keyring_find_cert_at (ring, hdr->signer_kid, hdr->created_at);
  if (cert == NULL || cert->station_id != hdr->station_id
      || hdr->created_at < cert->valid_from || hdr->created_at > cert->valid_to)
    {
      ks = ec_key_id_to_string (hdr->signer_kid);
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_UNKNOWN_SIGNER,
                   cert == NULL
                   ? _("This update bundle is wrongly signed: station key %s is not certified by this community's root (unknown to this kiosk)")
                   : _("This update bundle is wrongly signed: station key %s does not belong to that station or was not valid when the bundle was made"),
                   ks);
      return FALSE;
    }
  mlen = sizeof SIG_DOMAIN - 1 + EC_SYNC_BUNDLE_HEADER_BYTES + ct_len;
  msg = g_malloc (mlen);
  memcpy (msg, SIG_DOMAIN, sizeof SIG_DOMAIN - 1);
  memcpy (msg + sizeof SIG_DOMAIN - 1, data, EC_SYNC_BUNDLE_HEADER_BYTES + ct_len);
  if (!ec_crypto_verify (data + EC_SYNC_BUNDLE_HEADER_BYTES + ct_len, msg, mlen, cert->pk))
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_BAD_SIGNATURE,
                           _("This update bundle has been tampered with or damaged: its signature does not verify"));
      return FALSE;
    }
  *out_ct = data + EC_SYNC_BUNDLE_HEADER_BYTES;
  *out_ct_len = ct_len;
  return TRUE;
}

/* Decrypt into a buffer that is wiped on free (sodium_memzero in the caller). */
static guint8 *
bundle_decrypt (const EcKeyring *ring,
                const guint8    *data,
                const EcSyncHeader *hdr,
                const guint8    *ct,
                gsize            ct_len,
                gsize           *out_len,
                GError         **error)
{
  const EcReadKey *rk = ec_keyring_find_read_key (ring, hdr->enc_kid);
  g_autoptr(EcSecret) key = NULL;
  guint8 ad[sizeof AEAD_DOMAIN - 1 + EC_SYNC_BUNDLE_HEADER_BYTES];
  guint8 *pt;
  gsize pt_len = ct_len - EC_AEAD_TAG_BYTES;

  if (rk == NULL)
    {
      g_autofree char *ks = ec_key_id_to_string (hdr->enc_kid);
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_CANNOT_DECRYPT,
                   _("Cannot decrypt this update bundle: this kiosk does not hold read key %s (install a kiosk key bundle with read keys)"),
                   ks);
      return NULL;
    }
  if ((key = bundle_key (rk, error)) == NULL)
    return NULL;
  memcpy (ad, AEAD_DOMAIN, sizeof AEAD_DOMAIN - 1);
  memcpy (ad + sizeof AEAD_DOMAIN - 1, data, EC_SYNC_BUNDLE_HEADER_BYTES);
  pt = g_malloc (pt_len + 1);
  if (!ec_crypto_aead_decrypt (pt, ct, ct_len, ad, sizeof ad, data + 36, key->data, NULL))
    {
      g_free (pt);
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_CANNOT_DECRYPT,
                           _("Cannot decrypt this update bundle: its payload does not open with the community read key"));
      return NULL;
    }
  *out_len = pt_len;
  return pt;
}

static void
wipe_free (guint8 *p, gsize len)
{
  if (p != NULL)
    sodium_memzero (p, len);
  g_free (p);
}

/* ------------------------------------------------------------------------- */
/* State tables */

/* The seq column of the row for @station_id, by the constant @sql; 0 when there
 * is no such row yet. */
static gboolean
station_seq (EcDb        *db,
             const char  *sql,
             guint16      station_id,
             guint64     *out_seq,
             GError     **error)
{
  g_autoptr(EcCachedStmt) st = NULL;
  int rc;

  *out_seq = 0;
  st = _ec_db_stmt (db, sql, error);
  if (st == NULL || !_ec_db_bind (db, st, error, "i", (int) station_id))
    return FALSE;
  rc = _ec_db_step (db, st, _("Cannot read the synchronisation state"), error);
  if (rc == 0)
    return FALSE;
  if (rc == SQLITE_ROW)
    *out_seq = (guint64) sqlite3_column_int64 (st, 0);
  return TRUE;
}

static gboolean
imported_seq (EcDb     *db,
              guint16   station_id,
              guint64  *out_seq,
              GError  **error)
{
  return station_seq (db, "SELECT seq FROM sync_state WHERE station_id = ?",
                      station_id, out_seq, error);
}

gboolean
ec_sync_last_export_seq (EcDb     *db,
                         guint16   station_id,
                         guint64  *out_seq,
                         GError  **error)
{
  return station_seq (db, "SELECT seq FROM sync_export_seq WHERE station_id = ?",
                      station_id, out_seq, error);
}

/* ------------------------------------------------------------------------- */
/* Files */

static gboolean
write_private_file (const char    *path,
                    const guint8  *data,
                    gsize          len,
                    GError       **error)
{
  return g_file_set_contents_full (path, (const char *) data, (gssize) len,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

static gboolean
read_limited_file (const char  *path,
                   gsize        max,
                   guint8     **out,
                   gsize       *out_len,
                   GError     **error)
{
  g_autoptr(GError) local = NULL;
  char *data = NULL;
  gsize len = 0;

  /* Non-blocking open, regular files only, never more than @max bytes read. */
  if (!ec_file_read_bounded (path, max, 0, &data, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_INVAL))
        g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_DAMAGED,
                     _("%s is not a plausible eldercard file (not a regular file, or larger than %zu bytes)"),
                     path, max);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  *out = (guint8 *) data;
  *out_len = len;
  return TRUE;
}

char *
ec_sync_find_bundle (const char  *dir,
                     GError     **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  const char *name;
  char *best = NULL;
  gint64 best_mtime = 0;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf sb;
      gint64 mtime;

      if (!g_str_has_suffix (name, EC_SYNC_BUNDLE_SUFFIX) || name[0] == '.')
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_stat (path, &sb) != 0 || !S_ISREG (sb.st_mode))
        continue;
      mtime = (gint64) sb.st_mtime;
      if (best == NULL || mtime > best_mtime || (mtime == best_mtime && strcmp (path, best) > 0))
        {
          g_free (best);
          best = g_steal_pointer (&path);
          best_mtime = mtime;
        }
    }
  if (best == NULL)
    g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_NO_BUNDLE,
                 _("%s holds no update bundle (*.ecbundle)"), dir);
  return best;
}

/* ------------------------------------------------------------------------- */
/* Export (station) */

static gboolean
load_all (EcDb       *db,
          GPtrArray **out_residents,
          GPtrArray **out_cards,
          GError    **error)
{
  g_autoptr(GPtrArray) residents = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_resident_free);
  g_autoptr(GPtrArray) cards = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_card_record_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (EcResidentId));
  g_autoptr(EcCachedStmt) st = NULL;
  int rc;

  st = _ec_db_stmt (db, "SELECT id FROM residents ORDER BY id", error);
  if (st == NULL)
    return FALSE;
  while ((rc = _ec_db_step (db, st, _("Cannot list residents"), error)) == SQLITE_ROW)
    {
      EcResidentId id = (EcResidentId) sqlite3_column_int64 (st, 0);
      g_array_append_val (ids, id);
    }
  if (rc == 0)
    return FALSE;
  g_clear_pointer (&st, _ec_cached_stmt_release);
  for (guint i = 0; i < ids->len; i++)
    {
      EcResident *r = NULL;
      if (!_ec_db_load_resident (db, g_array_index (ids, EcResidentId, i), &r, error))
        return FALSE;
      g_ptr_array_add (residents, r);
    }

  st = _ec_db_stmt (db, "SELECT uid, resident_id, seq, status, issued_at, station_id, staff_id,"
                        " status_changed_at, status_reason FROM cards ORDER BY resident_id, seq", error);
  if (st == NULL)
    return FALSE;
  while ((rc = _ec_db_step (db, st, _("Cannot list cards"), error)) == SQLITE_ROW)
    {
      EcCardRecord *c = ec_card_record_new ();
      c->uid_hex = _ec_db_col_text (st, 0);
      c->resident_id = (EcResidentId) sqlite3_column_int64 (st, 1);
      c->seq = (guint) sqlite3_column_int (st, 2);
      c->status = (EcCardStatus) sqlite3_column_int (st, 3);
      c->issued_at = sqlite3_column_int64 (st, 4);
      c->station_id = (guint) sqlite3_column_int (st, 5);
      c->staff_id = _ec_db_col_text (st, 6);
      c->status_changed_at = sqlite3_column_int64 (st, 7);
      c->status_reason = _ec_db_col_text (st, 8);
      g_ptr_array_add (cards, c);
    }
  if (rc == 0)
    return FALSE;
  *out_residents = g_steal_pointer (&residents);
  *out_cards = g_steal_pointer (&cards);
  return TRUE;
}

/* Least data per role (docs/sync.md): responders do not get the staff's free-text
 * notes or the social worker; photos by option and size. */
static void
filter_for_role (EcResident                *r,
                 EcRole                     role,
                 const EcSyncExportOptions *options,
                 EcSyncReport              *report)
{
  if (role == EC_ROLE_RESPONDER)
    {
      g_clear_pointer (&r->notes, g_free);
      g_clear_pointer (&r->social_worker, g_free);
    }
  if (r->photo != NULL)
    {
      gsize n = g_bytes_get_size (r->photo);
      if (!options->with_photos || (options->photo_max_bytes > 0 && n > options->photo_max_bytes))
        {
          g_clear_pointer (&r->photo, g_bytes_unref);
          g_clear_pointer (&r->photo_mime, g_free);
          report->n_photos_omitted++;
        }
      else
        report->n_photos++;
    }
}

gboolean
ec_sync_export_bundle (EcDb                      *db,
                       const EcStationKey        *station,
                       const EcReadKey           *read_key,
                       EcRole                     role,
                       const EcSyncExportOptions *options,
                       const EcActor             *actor,
                       const char                *path,
                       EcSyncReport              *report,
                       GError                   **error)
{
  EcSyncExportOptions defaults;
  EcSyncReport local_report = { 0 };
  EcSyncReport *rep = report != NULL ? report : &local_report;
  g_autoptr(GPtrArray) residents = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autofree char *detail = NULL;
  EcSyncHeader hdr = { 0 };
  guint64 last = 0;
  gboolean ok;

  g_return_val_if_fail (db != NULL && station != NULL && path != NULL, FALSE);

  if (options == NULL)
    {
      ec_sync_export_options_init (&defaults);
      options = &defaults;
    }
  ec_sync_report_clear (rep);
  if (role != EC_ROLE_RESPONDER && role != EC_ROLE_NURSE)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_INVALID,
                           _("Update bundles are made for a responder or a nurse kiosk"));
      return FALSE;
    }
  if (read_key == NULL)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_INVALID,
                           _("An update bundle needs the community read key (community/read.key)"));
      return FALSE;
    }
  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error))
    return FALSE;

  if (!_ec_db_op_begin (db, error))
    return FALSE;
  ok = ec_sync_last_export_seq (db, station->cert->station_id, &last, error);
  if (ok)
    {
      g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "INSERT INTO sync_export_seq (station_id, seq, exported_at)"
                                                    " VALUES (?,?,?) ON CONFLICT (station_id) DO UPDATE"
                                                    " SET seq = excluded.seq, exported_at = excluded.exported_at",
                                                error);
      hdr.version = EC_SYNC_BUNDLE_VERSION;
      hdr.role = role;
      hdr.station_id = station->cert->station_id;
      hdr.community_kid = station->cert->root_kid;
      hdr.signer_kid = station->cert->kid;
      hdr.enc_kid = read_key->kid;
      hdr.seq = last + 1;
      hdr.created_at = options->now > 0 ? options->now : _ec_db_now ();
      ok = st != NULL && _ec_db_bind (db, st, error, "ill", (int) hdr.station_id, (gint64) hdr.seq, hdr.created_at)
           && _ec_db_step (db, st, _("Cannot save the bundle sequence number"), error) != 0;
    }
  if (ok)
    ok = load_all (db, &residents, &cards, error);
  if (ok)
    {
      for (guint i = 0; i < residents->len; i++)
        filter_for_role (g_ptr_array_index (residents, i), role, options, rep);
      payload = ec_sync_payload_build (residents, cards, error);
      ok = payload != NULL;
    }
  if (ok)
    {
      detail = g_strdup_printf ("station=%u seq=%llu role=%s residents=%u cards=%u photos=%u file=%s",
                                hdr.station_id, (unsigned long long) hdr.seq, ec_role_to_string (role),
                                residents->len, cards->len, rep->n_photos, path);
      ok = _ec_db_audit_append_locked (db, actor, "sync-export", 0, EC_DB_PURPOSE_EXPORT, NULL, detail, error);
    }
  /* Committed before any data leaves: a failed write below only skips a number. */
  if (!_ec_db_op_end (db, ok, error))
    return FALSE;

  bundle = ec_sync_bundle_seal (&hdr, payload, read_key, station->sk, error);
  if (bundle == NULL)
    return FALSE;
  if (!write_private_file (path, g_bytes_get_data (bundle, NULL), g_bytes_get_size (bundle), error))
    return FALSE;
  rep->header = hdr;
  rep->n_residents = residents->len;
  rep->n_cards = cards->len;
  rep->file_bytes = g_bytes_get_size (bundle);
  rep->path = g_strdup (path);
  ec_sync_report_clear (&local_report);
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Import (kiosk) */

static gboolean
apply_bundle (EcDb               *db,
              const EcSyncHeader *hdr,
              const guint8        bundle_hash[32],
              GPtrArray          *residents,
              GPtrArray          *cards,
              const EcActor      *actor,
              EcSyncReport       *rep,
              GError            **error)
{
  g_autoptr(GHashTable) old = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GBytes) hb = g_bytes_new (bundle_hash, 32);
  g_autofree char *detail = NULL;
  g_autofree char *hash_hex = NULL;
  gint64 now = _ec_db_now ();
  guint64 have = 0;
  int rc;

  if (!imported_seq (db, hdr->station_id, &have, error))
    return FALSE;
  /* Again under the write lock: another import may have won the race. */
  if (hdr->seq <= have)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_OLDER,
                   _("This update bundle is not newer than the data on this kiosk (bundle %llu; bundle %llu from station %u is already applied): refused, no rollback"),
                   (unsigned long long) hdr->seq, (unsigned long long) have, hdr->station_id);
      return FALSE;
    }

  /* What this station's previous bundle brought. */
  {
    g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT resident_id FROM sync_resident_origin WHERE station_id = ?", error);
    if (st == NULL || !_ec_db_bind (db, st, error, "i", (int) hdr->station_id))
      return FALSE;
    while ((rc = _ec_db_step (db, st, _("Cannot read the synchronisation state"), error)) == SQLITE_ROW)
      {
        gint64 *id = g_new (gint64, 1);
        *id = sqlite3_column_int64 (st, 0);
        g_hash_table_add (old, id);
      }
    if (rc == 0)
      return FALSE;
  }
  {
    static const char *const cleanup[] = {
      "DELETE FROM residents WHERE id IN (SELECT resident_id FROM sync_resident_origin WHERE station_id = ?)",
      "DELETE FROM cards WHERE uid IN (SELECT uid FROM sync_card_origin WHERE station_id = ?)",
      "DELETE FROM sync_resident_origin WHERE station_id = ?",
      "DELETE FROM sync_card_origin WHERE station_id = ?",
    };
    for (gsize i = 0; i < G_N_ELEMENTS (cleanup); i++)
      {
        g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, cleanup[i], error);
        if (st == NULL || !_ec_db_bind (db, st, error, "i", (int) hdr->station_id)
            || _ec_db_step (db, st, _("Cannot replace the kiosk's data"), error) == 0)
          return FALSE;
      }
  }

  for (guint i = 0; i < residents->len; i++)
    {
      EcResident *r = g_ptr_array_index (residents, i);
      gint64 id = (gint64) r->id;
      g_autoptr(EcCachedStmt) del = _ec_db_stmt (db, "DELETE FROM residents WHERE id = ?", error);
      g_autoptr(EcCachedStmt) org = NULL;

      if (del == NULL || !_ec_db_bind (db, del, error, "u", r->id)
          || _ec_db_step (db, del, _("Cannot replace the kiosk's data"), error) == 0)
        return FALSE;
      if (g_hash_table_remove (old, &id) || sqlite3_changes (_ec_db_handle (db)) > 0)
        rep->n_replaced++;
      g_clear_pointer (&del, _ec_cached_stmt_release);
      if (!_ec_db_insert_resident (db, r, now, actor->id, error))
        return FALSE;
      org = _ec_db_stmt (db, "INSERT OR REPLACE INTO sync_resident_origin (resident_id, station_id) VALUES (?,?)", error);
      if (org == NULL || !_ec_db_bind (db, org, error, "ui", r->id, (int) hdr->station_id)
          || _ec_db_step (db, org, _("Cannot save the synchronisation state"), error) == 0)
        return FALSE;
      if (r->photo != NULL)
        rep->n_photos++;
    }
  rep->n_removed = g_hash_table_size (old);

  for (guint i = 0; i < cards->len; i++)
    {
      EcCardRecord *c = g_ptr_array_index (cards, i);
      g_autoptr(EcCachedStmt) del = _ec_db_stmt (db, "DELETE FROM cards WHERE uid = ? OR (resident_id = ? AND seq = ?)", error);
      g_autoptr(EcCachedStmt) ins = NULL, org = NULL;

      if (del == NULL || !_ec_db_bind (db, del, error, "sui", c->uid_hex, c->resident_id, (int) c->seq)
          || _ec_db_step (db, del, _("Cannot replace the kiosk's data"), error) == 0)
        return FALSE;
      g_clear_pointer (&del, _ec_cached_stmt_release);
      ins = _ec_db_stmt (db, "INSERT INTO cards (uid, resident_id, seq, status, issued_at, station_id, staff_id,"
                             " status_changed_at, status_reason) VALUES (?,?,?,?,?,?,?,?,?)", error);
      if (ins == NULL
          || !_ec_db_bind (db, ins, error, "suiilisls", c->uid_hex, c->resident_id, (int) c->seq, (int) c->status,
                           c->issued_at, (int) c->station_id, c->staff_id, c->status_changed_at, c->status_reason)
          || _ec_db_step (db, ins, _("Cannot save a card"), error) == 0)
        return FALSE;
      g_clear_pointer (&ins, _ec_cached_stmt_release);
      org = _ec_db_stmt (db, "INSERT OR REPLACE INTO sync_card_origin (uid, station_id) VALUES (?,?)", error);
      if (org == NULL || !_ec_db_bind (db, org, error, "si", c->uid_hex, (int) hdr->station_id)
          || _ec_db_step (db, org, _("Cannot save the synchronisation state"), error) == 0)
        return FALSE;
    }

  {
    g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "INSERT OR REPLACE INTO sync_state (station_id, seq, created_at,"
                                                  " imported_at, role, signer_kid, residents, cards, bundle_hash)"
                                                  " VALUES (?,?,?,?,?,?,?,?,?)", error);
    if (st == NULL
        || !_ec_db_bind (db, st, error, "illliliib", (int) hdr->station_id, (gint64) hdr->seq, hdr->created_at,
                         now, (int) hdr->role, (gint64) hdr->signer_kid, (int) residents->len, (int) cards->len, hb)
        || _ec_db_step (db, st, _("Cannot save the synchronisation state"), error) == 0)
      return FALSE;
  }

  hash_hex = g_malloc (65);
  sodium_bin2hex (hash_hex, 65, bundle_hash, 32);
  detail = g_strdup_printf ("station=%u seq=%llu created_at=%lld role=%s residents=%u cards=%u removed=%u bundle=%s",
                            hdr->station_id, (unsigned long long) hdr->seq, (long long) hdr->created_at,
                            ec_role_to_string (hdr->role), residents->len, cards->len, rep->n_removed, hash_hex);
  return _ec_db_audit_append_locked (db, actor, "sync-import", 0, "sync", NULL, detail, error);
}

static void
log_refusal (EcDb          *db,
             const EcActor *actor,
             const GError  *why)
{
  g_autoptr(GError) local = NULL;

  if (db == NULL || why == NULL || why->domain != EC_SYNC_ERROR || actor == NULL)
    return;
  if (!ec_db_audit_append (db, actor, "sync-refused", 0, "sync",
                           ec_sync_error_to_string ((EcSyncError) why->code), why->message, &local))
    g_debug ("could not log the refused bundle: %s", local->message);
}

static gboolean
import_data (EcDb            *db,
             const EcKeyring *ring,
             const guint8    *data,
             gsize            len,
             int              expected_role,
             const EcActor   *actor,
             EcSyncReport    *rep,
             GError         **error)
{
  EcSyncHeader hdr;
  const guint8 *ct = NULL;
  gsize ct_len = 0, pt_len = 0;
  guint8 *pt = NULL;
  guint64 have = 0;
  guint8 bundle_hash[32];
  g_autoptr(GPtrArray) residents = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  gboolean ok;

  if (!bundle_verify (ring, data, len, &hdr, &ct, &ct_len, error))
    return FALSE;
  rep->header = hdr;
  rep->file_bytes = len;
  if (expected_role >= 0 && (EcRole) expected_role != hdr.role)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_WRONG_ROLE,
                   _("This update bundle was made for a %s kiosk; this kiosk is a %s kiosk"),
                   ec_role_to_string (hdr.role), ec_role_to_string ((EcRole) expected_role));
      return FALSE;
    }
  if (!imported_seq (db, hdr.station_id, &have, error))
    return FALSE;
  if (hdr.seq <= have)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_OLDER,
                   _("This update bundle is not newer than the data on this kiosk (bundle %llu; bundle %llu from station %u is already applied): refused, no rollback"),
                   (unsigned long long) hdr.seq, (unsigned long long) have, hdr.station_id);
      return FALSE;
    }
  pt = bundle_decrypt (ring, data, &hdr, ct, ct_len, &pt_len, error);
  if (pt == NULL)
    return FALSE;
  ok = ec_sync_payload_parse (pt, pt_len, &residents, &cards, error);
  wipe_free (pt, pt_len);
  if (!ok)
    return FALSE;
  if (!ec_crypto_blake2b (bundle_hash, 32, NULL, 0, data, len, error))
    return FALSE;

  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error) || !_ec_db_op_begin (db, error))
    return FALSE;
  ok = apply_bundle (db, &hdr, bundle_hash, residents, cards, actor, rep, error);
  if (!_ec_db_op_end (db, ok, error))
    {
      rep->n_replaced = rep->n_removed = rep->n_photos = 0;
      return FALSE;
    }
  rep->n_residents = residents->len;
  rep->n_cards = cards->len;
  return TRUE;
}

gboolean
ec_sync_import_bundle_data (EcDb            *db,
                            const EcKeyring *ring,
                            const guint8    *data,
                            gsize            len,
                            int              expected_role,
                            const EcActor   *actor,
                            EcSyncReport    *report,
                            GError         **error)
{
  EcSyncReport local_report = { 0 };
  EcSyncReport *rep = report != NULL ? report : &local_report;
  GError *local = NULL;
  gboolean ok;

  g_return_val_if_fail (db != NULL && ring != NULL, FALSE);

  ec_sync_report_clear (rep);
  ok = import_data (db, ring, data, len, expected_role, actor, rep, &local);
  if (!ok)
    {
      log_refusal (db, actor, local);
      g_propagate_error (error, local);
    }
  ec_sync_report_clear (&local_report);
  return ok;
}

gboolean
ec_sync_import_bundle (EcDb            *db,
                       const EcKeyring *ring,
                       const char      *path,
                       int              expected_role,
                       const EcActor   *actor,
                       EcSyncReport    *report,
                       GError         **error)
{
  g_autofree char *file = NULL;
  guint8 *data = NULL;
  gsize len = 0;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      file = ec_sync_find_bundle (path, error);
      if (file == NULL)
        return FALSE;
    }
  else
    file = g_strdup (path);
  if (!read_limited_file (file, EC_SYNC_BUNDLE_MAX_BYTES, &data, &len, error))
    return FALSE;
  ok = ec_sync_import_bundle_data (db, ring, data, len, expected_role, actor, report, error);
  g_free (data);
  if (error != NULL && *error != NULL && (*error)->domain == EC_SYNC_ERROR)
    g_prefix_error (error, "%s: ", file);
  if (report != NULL)
    {
      g_free (report->path);
      report->path = g_steal_pointer (&file);
    }
  return ok;
}

/* ------------------------------------------------------------------------- */
/* How old the data is */

gboolean
ec_sync_list_state (EcDb       *db,
                    GPtrArray **out_states,
                    GError    **error)
{
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(EcCachedStmt) st = NULL;
  int rc;

  st = _ec_db_stmt (db, "SELECT station_id, seq, created_at, imported_at, role, signer_kid, residents, cards"
                        " FROM sync_state ORDER BY station_id", error);
  if (st == NULL)
    return FALSE;
  while ((rc = _ec_db_step (db, st, _("Cannot read the synchronisation state"), error)) == SQLITE_ROW)
    {
      EcSyncState *s = g_new0 (EcSyncState, 1);
      s->station_id = (guint16) sqlite3_column_int (st, 0);
      s->seq = (guint64) sqlite3_column_int64 (st, 1);
      s->created_at = sqlite3_column_int64 (st, 2);
      s->imported_at = sqlite3_column_int64 (st, 3);
      s->role = (EcRole) sqlite3_column_int (st, 4);
      s->signer_kid = (guint32) sqlite3_column_int64 (st, 5);
      s->n_residents = (guint) sqlite3_column_int (st, 6);
      s->n_cards = (guint) sqlite3_column_int (st, 7);
      g_ptr_array_add (states, s);
    }
  if (rc == 0)
    return FALSE;
  *out_states = g_steal_pointer (&states);
  return TRUE;
}

gboolean
ec_sync_data_age (EcDb     *db,
                  gint64    now,
                  gint64   *age_seconds,
                  gint64   *created_at,
                  GError  **error)
{
  g_autoptr(GPtrArray) states = NULL;
  gint64 oldest = 0;

  g_return_val_if_fail (db != NULL, FALSE);

  if (!ec_sync_list_state (db, &states, error))
    return FALSE;
  for (guint i = 0; i < states->len; i++)
    {
      const EcSyncState *s = g_ptr_array_index (states, i);
      if (oldest == 0 || s->created_at < oldest)
        oldest = s->created_at;
    }
  if (created_at != NULL)
    *created_at = oldest;
  if (age_seconds != NULL)
    *age_seconds = oldest == 0 ? -1 : MAX (0, now - oldest);
  return TRUE;
}

char *
ec_sync_describe_age (gint64    age_seconds,
                      guint     max_age_days,
                      gboolean *out_stale)
{
  gboolean stale;

  if (age_seconds < 0)
    {
      if (out_stale != NULL)
        *out_stale = TRUE;
      return g_strdup (_("No data update received yet"));
    }
  stale = max_age_days > 0 && age_seconds > (gint64) max_age_days * 86400;
  if (out_stale != NULL)
    *out_stale = stale;
  if (age_seconds < 3600)
    return g_strdup (_("Data from less than an hour ago"));
  if (age_seconds < 86400)
    {
      gulong h = (gulong) (age_seconds / 3600);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Data from %lu hour ago", "Data from %lu hours ago", h), h);
    }
  {
    gulong d = (gulong) (age_seconds / 86400);
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Data from %lu day ago", "Data from %lu days ago", d), d);
  }
}

/* ------------------------------------------------------------------------- */
/* Kiosk audit export */

gboolean
ec_sync_kiosk_key_load (const char  *key_path,
                        gboolean     create,
                        EcSecret   **out_sk,
                        guint8       pk[32],
                        GError     **error)
{
  GStatBuf sb;
  g_autoptr(EcSecret) sk = NULL;

  if (g_stat (key_path, &sb) == 0)
    {
      guint8 *data = NULL;
      gsize len = 0;
      gboolean ok;

      if ((sb.st_mode & 0077) != 0)
        {
          g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS,
                       _("%s holds a secret key but group or others may read it (mode %04o); refusing to use it. Fix with: chmod 600 %s"),
                       key_path, (unsigned) (sb.st_mode & 07777), key_path);
          return FALSE;
        }
      if (!read_limited_file (key_path, 64, &data, &len, error))
        return FALSE;
      ok = len == 4 + EC_SIGN_SEED_BYTES && memcmp (data, KIOSK_KEY_MAGIC, 4) == 0
           && ec_crypto_sign_keypair (&sk, pk, data + 4, NULL);
      sodium_memzero (data, len);
      g_free (data);
      if (!ok)
        {
          g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT, _("%s is not a kiosk audit key"), key_path);
          return FALSE;
        }
    }
  else if (errno == ENOENT && create)
    {
      guint8 buf[4 + EC_SIGN_SEED_BYTES];
      int fd;
      gboolean ok;

      memcpy (buf, KIOSK_KEY_MAGIC, 4);
      ec_crypto_random (buf + 4, EC_SIGN_SEED_BYTES);
      if (!ec_crypto_sign_keypair (&sk, pk, buf + 4, error))
        {
          sodium_memzero (buf, sizeof buf);
          return FALSE;
        }
      fd = g_open (key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      ok = fd >= 0 && write (fd, buf, sizeof buf) == (ssize_t) sizeof buf && fsync (fd) == 0;
      sodium_memzero (buf, sizeof buf);
      if (!ok)
        {
          int e = errno;
          if (fd >= 0)
            {
              close (fd);
              g_unlink (key_path);
            }
          g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO, _("Cannot create %s: %s"), key_path, g_strerror (e));
          return FALSE;
        }
      if (close (fd) != 0)
        {
          int e = errno;
          g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO, _("Cannot create %s: %s"), key_path, g_strerror (e));
          return FALSE;
        }
    }
  else
    {
      int e = errno;
      g_set_error (error, EC_KEY_ERROR, e == ENOENT ? EC_KEY_ERROR_NOT_FOUND : EC_KEY_ERROR_IO,
                   _("Cannot read %s: %s"), key_path, g_strerror (e));
      return FALSE;
    }
  *out_sk = g_steal_pointer (&sk);
  return TRUE;
}

GBytes *
ec_sync_audit_seal (const char     *kiosk_id,
                    const EcSecret *sk,
                    const guint8    pk[32],
                    GPtrArray      *entries,
                    gint64          first_seq,
                    const guint8    prev_hash[32],
                    gint64          created_at,
                    GError        **error)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  gsize idlen = kiosk_id != NULL ? strlen (kiosk_id) : 0;
  guint8 sig[EC_SIGN_BYTES];
  g_autofree guint8 *msg = NULL;

  if (idlen == 0 || idlen > EC_SYNC_KIOSK_ID_MAX || !g_utf8_validate (kiosk_id, -1, NULL) || first_seq < 1)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_INVALID,
                           _("A kiosk id (1 to 64 bytes of UTF-8) is needed for an audit export"));
      return NULL;
    }
  g_byte_array_append (b, (const guint8 *) EC_SYNC_AUDIT_MAGIC, 4);
  put_u8 (b, 1);
  put_u8 (b, 0);
  put_u16 (b, (guint) idlen);
  g_byte_array_append (b, (const guint8 *) kiosk_id, (guint) idlen);
  g_byte_array_append (b, pk, 32);
  put_u64 (b, (guint64) created_at);
  put_u64 (b, (guint64) first_seq);
  put_u64 (b, (guint64) (first_seq + entries->len - 1));
  g_byte_array_append (b, prev_hash, 32);
  put_u32 (b, entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      const EcAuditEntry *e = g_ptr_array_index (entries, i);
      put_u64 (b, (guint64) e->seq);
      put_u64 (b, (guint64) e->at);
      put_u8 (b, e->actor_role);
      put_u64 (b, e->resident_id);
      put_str (b, e->actor_id);
      put_str (b, e->action);
      put_str (b, e->purpose);
      put_str (b, e->reason);
      put_str (b, e->detail);
      g_byte_array_append (b, e->hash, 32);
    }
  msg = g_malloc (sizeof AUDIT_SIG_DOMAIN - 1 + b->len);
  memcpy (msg, AUDIT_SIG_DOMAIN, sizeof AUDIT_SIG_DOMAIN - 1);
  memcpy (msg + sizeof AUDIT_SIG_DOMAIN - 1, b->data, b->len);
  if (!ec_crypto_sign (sig, msg, sizeof AUDIT_SIG_DOMAIN - 1 + b->len, sk, error))
    return NULL;
  g_byte_array_append (b, sig, sizeof sig);
  return g_byte_array_free_to_bytes (g_steal_pointer (&b));
}

gboolean
ec_sync_audit_parse (const guint8       *data,
                     gsize               len,
                     EcSyncAuditReport  *report,
                     GPtrArray         **out_entries,
                     GError            **error)
{
  Rd r = { data, len, 0, FALSE, FALSE, NULL };
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_audit_entry_free);
  g_autofree char *kiosk_id = NULL;
  const guint8 *magic, *idp, *pk, *prev, *sig;
  guint version, idlen;
  guint64 first, last;
  gint64 created_at;
  guint32 n;
  guint8 h[32];
  g_autofree guint8 *msg = NULL;
  gsize body;

  magic = rd_take (&r, 4, "magic");
  if (magic == NULL || memcmp (magic, EC_SYNC_AUDIT_MAGIC, 4) != 0)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_NOT_A_BUNDLE,
                           _("This is not an eldercard kiosk audit export"));
      return FALSE;
    }
  version = rd_u8 (&r, "version");
  if (!r.bad && version != 1)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_NOT_A_BUNDLE,
                   _("Audit export format version %u is not known to this eldercard"), version);
      return FALSE;
    }
  (void) rd_u8 (&r, "reserved");
  idlen = rd_u16 (&r, "kiosk id length");
  rd_check (&r, idlen >= 1 && idlen <= EC_SYNC_KIOSK_ID_MAX, "kiosk id length");
  idp = rd_take (&r, idlen, "kiosk id");
  rd_check (&r, idp != NULL && g_utf8_validate_len ((const char *) idp, idlen, NULL), "kiosk id");
  pk = rd_take (&r, 32, "kiosk key");
  created_at = (gint64) rd_u64 (&r, "created at");
  first = rd_u64 (&r, "first seq");
  last = rd_u64 (&r, "last seq");
  prev = rd_take (&r, 32, "previous hash");
  n = rd_u32 (&r, "entry count");
  rd_check (&r, first >= 1 && first <= G_MAXINT64 / 2 && last <= G_MAXINT64 / 2 && last + 1 >= first
            && last + 1 - first == n, "entry count");
  if (r.bad)
    {
      g_set_error (error, EC_SYNC_ERROR, r.eof ? EC_SYNC_ERROR_TRUNCATED : EC_SYNC_ERROR_DAMAGED,
                   r.eof ? _("The audit export is truncated (at byte %zu: %s)")
                         : _("The audit export is damaged (at byte %zu: %s)"), r.pos, r.what);
      return FALSE;
    }
  /* The signature first: it covers everything before it. */
  if (len - r.pos < EC_SIGN_BYTES)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_TRUNCATED, _("The audit export is truncated"));
      return FALSE;
    }
  body = len - EC_SIGN_BYTES;
  sig = data + body;
  msg = g_malloc (sizeof AUDIT_SIG_DOMAIN - 1 + body);
  memcpy (msg, AUDIT_SIG_DOMAIN, sizeof AUDIT_SIG_DOMAIN - 1);
  memcpy (msg + sizeof AUDIT_SIG_DOMAIN - 1, data, body);
  if (!ec_crypto_verify (sig, msg, sizeof AUDIT_SIG_DOMAIN - 1 + body, pk))
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_BAD_SIGNATURE,
                           _("The audit export has been tampered with, damaged or truncated: its signature does not verify"));
      return FALSE;
    }
  r.len = body;
  memcpy (h, prev, 32);
  for (guint32 i = 0; i < n && !r.bad; i++)
    {
      EcAuditEntry *e = g_new0 (EcAuditEntry, 1);
      const guint8 *eh;
      guint8 want[32];
      guint role;

      g_ptr_array_add (entries, e);
      e->seq = (gint64) rd_u64 (&r, "entry seq");
      e->at = (gint64) rd_u64 (&r, "entry time");
      role = rd_u8 (&r, "entry role");
      e->actor_role = (EcRole) role;
      e->resident_id = rd_u64 (&r, "entry resident");
      e->actor_id = rd_str (&r, TRUE, TEXT_MAX, "entry actor");
      e->action = rd_str (&r, TRUE, TEXT_MAX, "entry action");
      e->purpose = rd_str (&r, FALSE, TEXT_MAX, "entry purpose");
      e->reason = rd_str (&r, FALSE, TEXT_MAX, "entry reason");
      e->detail = rd_str (&r, FALSE, TEXT_MAX, "entry detail");
      eh = rd_take (&r, 32, "entry hash");
      if (r.bad)
        break;
      memcpy (e->hash, eh, 32);
      if (e->seq != (gint64) (first + i) || role > EC_ROLE_ADMIN)
        {
          g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_AUDIT_TAMPERED,
                       _("Audit entry %u of the export is out of sequence"), i + 1);
          return FALSE;
        }
      if (!_ec_audit_entry_hash (h, e, want))
        {
          g_set_error_literal (error, EC_KEY_ERROR, EC_KEY_ERROR_CRYPTO, _("libsodium could not hash an audit entry"));
          return FALSE;
        }
      if (sodium_memcmp (want, e->hash, 32) != 0)
        {
          g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_AUDIT_TAMPERED,
                       _("Audit entry %lld in the export was changed after it was logged (its hash does not match)"),
                       (long long) e->seq);
          return FALSE;
        }
      memcpy (h, e->hash, 32);
    }
  rd_check (&r, r.pos == r.len, "trailing bytes");
  if (r.bad)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_DAMAGED,
                   _("The audit export is damaged (at byte %zu: %s)"), r.pos, r.what);
      return FALSE;
    }
  kiosk_id = g_strndup ((const char *) idp, idlen);
  if (report != NULL)
    {
      ec_sync_audit_report_clear (report);
      report->kiosk_id = g_steal_pointer (&kiosk_id);
      memcpy (report->kiosk_pk, pk, 32);
      report->first_seq = (gint64) first;
      report->last_seq = (gint64) last;
      memcpy (report->prev_hash, prev, 32);
      memcpy (report->head_hash, h, 32);
      report->created_at = created_at;
      report->n_entries = n;
    }
  if (out_entries != NULL)
    *out_entries = g_steal_pointer (&entries);
  return TRUE;
}

gboolean
ec_sync_audit_export (EcDb               *db,
                      const EcActor      *actor,
                      const char         *key_path,
                      gint64              from_seq,
                      const char         *path,
                      EcSyncAuditReport  *report,
                      GError            **error)
{
  g_autoptr(EcSecret) sk = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autofree char *detail = NULL;
  guint8 pk[32], prev[32];
  gint64 from = from_seq, now = _ec_db_now ();
  gboolean ok;

  g_return_val_if_fail (db != NULL && key_path != NULL && path != NULL, FALSE);

  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error))
    return FALSE;
  if (strlen (actor->id) > EC_SYNC_KIOSK_ID_MAX)
    {
      g_set_error_literal (error, EC_SYNC_ERROR, EC_SYNC_ERROR_INVALID,
                           _("A kiosk id (1 to 64 bytes of UTF-8) is needed for an audit export"));
      return FALSE;
    }
  if (!ec_sync_kiosk_key_load (key_path, TRUE, &sk, pk, error))
    return FALSE;

  if (!_ec_db_op_begin (db, error))
    return FALSE;
  ok = TRUE;
  if (from <= 0)
    {
      g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT last_seq FROM sync_audit_export WHERE kiosk_id = ?", error);
      int rc;
      ok = st != NULL && _ec_db_bind (db, st, error, "s", actor->id)
           && (rc = _ec_db_step (db, st, _("Cannot read the synchronisation state"), error)) != 0;
      if (ok)
        from = (rc == SQLITE_ROW ? sqlite3_column_int64 (st, 0) : 0) + 1;
    }
  if (ok)
    {
      detail = g_strdup_printf ("from=%lld file=%s", (long long) from, path);
      ok = _ec_db_audit_append_locked (db, actor, "sync-audit-export", 0, "sync", NULL, detail, error);
    }
  if (ok)
    {
      EcAuditFilter filter = { 0 };
      filter.after_seq = from - 1;
      ok = ec_db_audit_list (db, &filter, &entries, error);
    }
  if (ok)
    {
      memset (prev, 0, sizeof prev);
      if (from > 1)
        {
          g_autoptr(GPtrArray) before = NULL;
          EcAuditFilter filter = { 0 };
          filter.after_seq = from - 2;
          filter.limit = 1;
          ok = ec_db_audit_list (db, &filter, &before, error);
          if (ok && (before->len != 1 || ((EcAuditEntry *) g_ptr_array_index (before, 0))->seq != from - 1))
            {
              g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_INVALID,
                           _("This kiosk's audit log has no entry %lld"), (long long) (from - 1));
              ok = FALSE;
            }
          if (ok)
            memcpy (prev, ((EcAuditEntry *) g_ptr_array_index (before, 0))->hash, 32);
        }
    }
  if (ok)
    {
      g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "INSERT INTO sync_audit_export (kiosk_id, last_seq, exported_at)"
                                                    " VALUES (?,?,?) ON CONFLICT (kiosk_id) DO UPDATE"
                                                    " SET last_seq = excluded.last_seq, exported_at = excluded.exported_at",
                                                error);
      gint64 last = entries->len > 0 ? ((EcAuditEntry *) g_ptr_array_index (entries, entries->len - 1))->seq : from - 1;
      ok = st != NULL && _ec_db_bind (db, st, error, "sll", actor->id, last, now)
           && _ec_db_step (db, st, _("Cannot save the synchronisation state"), error) != 0;
    }
  if (ok)
    {
      file = ec_sync_audit_seal (actor->id, sk, pk, entries, from, prev, now, error);
      ok = file != NULL && write_private_file (path, g_bytes_get_data (file, NULL), g_bytes_get_size (file), error);
    }
  /* The file is written before the commit: if it cannot be, nothing is remembered
   * as exported. */
  if (!_ec_db_op_end (db, ok, error))
    return FALSE;
  if (report != NULL && !ec_sync_audit_parse (g_bytes_get_data (file, NULL), g_bytes_get_size (file), report, NULL, error))
    return FALSE;
  if (report != NULL)
    report->path = g_strdup (path);
  return TRUE;
}

static gboolean
stored_remote_hash (EcDb       *db,
                    const char *kiosk_id,
                    gint64      seq,
                    guint8      out[32],
                    gboolean   *found,
                    GError    **error)
{
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT hash FROM remote_audit WHERE kiosk_id = ? AND seq = ?", error);
  int rc;

  *found = FALSE;
  if (st == NULL || !_ec_db_bind (db, st, error, "sl", kiosk_id, seq))
    return FALSE;
  rc = _ec_db_step (db, st, _("Cannot read the imported audit log"), error);
  if (rc == 0)
    return FALSE;
  if (rc == SQLITE_ROW && sqlite3_column_bytes (st, 0) == 32)
    {
      memcpy (out, sqlite3_column_blob (st, 0), 32);
      *found = TRUE;
    }
  return TRUE;
}

static gboolean
merge_audit (EcDb              *db,
             EcSyncAuditReport *rep,
             GPtrArray         *entries,
             const EcActor     *actor,
             GError           **error)
{
  g_autoptr(EcCachedStmt) st = NULL;
  guint8 head_hash[32] = { 0 }, want[32];
  gint64 head = 0, now = _ec_db_now ();
  gboolean known = FALSE, found;
  g_autofree char *detail = NULL;
  char hex[65];
  int rc;

  st = _ec_db_stmt (db, "SELECT kiosk_pk, seq, hash FROM remote_audit_head WHERE kiosk_id = ?", error);
  if (st == NULL || !_ec_db_bind (db, st, error, "s", rep->kiosk_id))
    return FALSE;
  rc = _ec_db_step (db, st, _("Cannot read the imported audit log"), error);
  if (rc == 0)
    return FALSE;
  if (rc == SQLITE_ROW)
    {
      known = TRUE;
      if (sqlite3_column_bytes (st, 0) != 32 || sodium_memcmp (sqlite3_column_blob (st, 0), rep->kiosk_pk, 32) != 0)
        {
          g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_KIOSK_KEY,
                       _("This audit export claims to come from kiosk “%s” but is signed with another key than that kiosk's earlier exports"),
                       rep->kiosk_id);
          return FALSE;
        }
      head = sqlite3_column_int64 (st, 1);
      if (sqlite3_column_bytes (st, 2) == 32)
        memcpy (head_hash, sqlite3_column_blob (st, 2), 32);
    }
  g_clear_pointer (&st, _ec_cached_stmt_release);

  if (rep->first_seq > head + 1)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_AUDIT_GAP,
                   _("Kiosk “%s”: audit entries %lld to %lld are missing (the station has up to %lld; the export starts at %lld). On the kiosk run: eldercard sync audit-export --from %lld"),
                   rep->kiosk_id, (long long) (head + 1), (long long) (rep->first_seq - 1), (long long) head,
                   (long long) rep->first_seq, (long long) (head + 1));
      return FALSE;
    }
  /* The export's starting point must be in the chain the station holds. */
  if (rep->first_seq - 1 == head)
    memcpy (want, head_hash, 32);
  else if (rep->first_seq == 1)
    memset (want, 0, 32);
  else if (!stored_remote_hash (db, rep->kiosk_id, rep->first_seq - 1, want, &found, error))
    return FALSE;
  else if (!found)
    memset (want, 0xff, 32);
  if (sodium_memcmp (want, rep->prev_hash, 32) != 0)
    {
      g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_AUDIT_TAMPERED,
                   _("Kiosk “%s”: the exported audit chain does not continue the one imported before (entry %lld differs)"),
                   rep->kiosk_id, (long long) (rep->first_seq - 1));
      return FALSE;
    }

  rep->n_new = 0;
  for (guint i = 0; i < entries->len; i++)
    {
      const EcAuditEntry *e = g_ptr_array_index (entries, i);
      g_autoptr(GBytes) hb = NULL;

      if (e->seq <= head)
        {
          if (!stored_remote_hash (db, rep->kiosk_id, e->seq, want, &found, error))
            return FALSE;
          if (!found || sodium_memcmp (want, e->hash, 32) != 0)
            {
              g_set_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_AUDIT_TAMPERED,
                           _("Kiosk “%s”: audit entry %lld differs from the one imported before"),
                           rep->kiosk_id, (long long) e->seq);
              return FALSE;
            }
          continue;
        }
      hb = g_bytes_new (e->hash, 32);
      st = _ec_db_stmt (db, "INSERT INTO remote_audit (kiosk_id, seq, at, actor_role, actor_id, action, resident_id,"
                            " purpose, reason, detail, hash, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", error);
      if (st == NULL
          || !(e->resident_id != 0
               ? _ec_db_bind (db, st, error, "sllissusssbl", rep->kiosk_id, e->seq, e->at, (int) e->actor_role,
                              e->actor_id, e->action, e->resident_id, e->purpose, e->reason, e->detail, hb, now)
               : _ec_db_bind (db, st, error, "sllissnsssbl", rep->kiosk_id, e->seq, e->at, (int) e->actor_role,
                              e->actor_id, e->action, e->purpose, e->reason, e->detail, hb, now))
          || _ec_db_step (db, st, _("Cannot save an imported audit entry"), error) == 0)
        return FALSE;
      g_clear_pointer (&st, _ec_cached_stmt_release);
      rep->n_new++;
    }
  if (rep->n_new == 0)
    return TRUE;

  {
    g_autoptr(GBytes) pkb = g_bytes_new (rep->kiosk_pk, 32);
    g_autoptr(GBytes) hb = g_bytes_new (rep->head_hash, 32);
    st = _ec_db_stmt (db, "INSERT OR REPLACE INTO remote_audit_head (kiosk_id, kiosk_pk, seq, hash, imported_at)"
                          " VALUES (?,?,?,?,?)", error);
    if (st == NULL || !_ec_db_bind (db, st, error, "sblbl", rep->kiosk_id, pkb, rep->last_seq, hb, now)
        || _ec_db_step (db, st, _("Cannot save the imported audit head"), error) == 0)
      return FALSE;
    g_clear_pointer (&st, _ec_cached_stmt_release);
  }
  sodium_bin2hex (hex, sizeof hex, rep->head_hash, 32);
  detail = g_strdup_printf ("kiosk=%s seq=%lld..%lld new=%u head=%s%s", rep->kiosk_id,
                            (long long) rep->first_seq, (long long) rep->last_seq, rep->n_new, hex,
                            known ? "" : " first-import");
  return _ec_db_audit_append_locked (db, actor, "sync-audit-import", 0, "sync", NULL, detail, error);
}

gboolean
ec_sync_audit_import_data (EcDb               *db,
                           const guint8       *data,
                           gsize               len,
                           const EcActor      *actor,
                           EcSyncAuditReport  *report,
                           GError            **error)
{
  EcSyncAuditReport local_report = { 0 };
  EcSyncAuditReport *rep = report != NULL ? report : &local_report;
  g_autoptr(GPtrArray) entries = NULL;
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);

  if (!ec_sync_audit_parse (data, len, rep, &entries, error))
    return FALSE;
  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error) || !_ec_db_op_begin (db, error))
    {
      ec_sync_audit_report_clear (&local_report);
      return FALSE;
    }
  ok = merge_audit (db, rep, entries, actor, error);
  ok = _ec_db_op_end (db, ok, error);
  ec_sync_audit_report_clear (&local_report);
  return ok;
}

gboolean
ec_sync_audit_import (EcDb               *db,
                      const char         *path,
                      const EcActor      *actor,
                      EcSyncAuditReport  *report,
                      GError            **error)
{
  guint8 *data = NULL;
  gsize len = 0;
  gboolean ok;

  if (!read_limited_file (path, EC_SYNC_AUDIT_MAX_BYTES, &data, &len, error))
    return FALSE;
  ok = ec_sync_audit_import_data (db, data, len, actor, report, error);
  g_free (data);
  if (!ok && error != NULL && *error != NULL && (*error)->domain == EC_SYNC_ERROR)
    g_prefix_error (error, "%s: ", path);
  if (ok && report != NULL)
    report->path = g_strdup (path);
  return ok;
}
