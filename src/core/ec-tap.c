/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-tap"

#include "ec-tap.h"

#include <string.h>

/* The reason ec_db_resident_remove() gives the cards it revokes. */
#define REMOVED_REASON "resident removed"

static const char *const verdict_nicks[] = {
  [EC_TAP_RECORD] = "record",
  [EC_TAP_NOT_GENUINE] = "not-genuine",
  [EC_TAP_REVOKED] = "revoked",
  [EC_TAP_LOST] = "lost",
  [EC_TAP_REPLACED] = "replaced",
  [EC_TAP_EXPIRED] = "expired",
  [EC_TAP_DAMAGED] = "damaged",
  [EC_TAP_UNSUPPORTED] = "unsupported",
  [EC_TAP_NOT_SET_UP] = "not-set-up",
  [EC_TAP_NOT_IN_DATABASE] = "not-in-database",
  [EC_TAP_DATABASE] = "database",
  [EC_TAP_NO_DATABASE] = "no-database",
  [EC_TAP_REMOVED] = "removed",
};

const char *
ec_tap_verdict_to_string (EcTapVerdict verdict)
{
  if ((guint) verdict < G_N_ELEMENTS (verdict_nicks) && verdict_nicks[verdict] != NULL)
    return verdict_nicks[verdict];
  return "invalid";
}

gboolean
ec_tap_verdict_is_refusal (EcTapVerdict verdict)
{
  switch (verdict)
    {
    case EC_TAP_NOT_GENUINE:
    case EC_TAP_REVOKED:
    case EC_TAP_LOST:
    case EC_TAP_REPLACED:
    case EC_TAP_EXPIRED:
    case EC_TAP_DAMAGED:
    case EC_TAP_UNSUPPORTED:
    case EC_TAP_NOT_SET_UP:
      return TRUE;
    case EC_TAP_RECORD:
    case EC_TAP_NOT_IN_DATABASE:
    case EC_TAP_DATABASE:
    case EC_TAP_NO_DATABASE:
    case EC_TAP_REMOVED:
    default:
      return FALSE;
    }
}

void
ec_tap_result_free (EcTapResult *r)
{
  if (r == NULL)
    return;
  g_free (r->reason);
  g_free (r->uid_hex);
  g_clear_pointer (&r->card, ec_card_free);
  g_clear_pointer (&r->resident, ec_resident_free);
  g_free (r->unchecked_reason);
  g_free (r->audit_action);
  g_free (r->audit_detail);
  g_clear_pointer (&r->cut, g_hash_table_unref);
  g_free (r);
}

static EcTapResult *
result_new (EcTapVerdict  verdict,
            const char   *uid_hex)
{
  EcTapResult *r = g_new0 (EcTapResult, 1);

  r->verdict = verdict;
  r->uid_hex = g_strdup (uid_hex);
  return r;
}

/* Why ec_card_verify refused: the kiosk's mapping (a summary that does not decrypt, or
 * bytes out of the format's bounds, is damage, not forgery). */
static EcTapVerdict
verdict_for_card_error (const GError *error)
{
  if (error->domain != EC_CARD_ERROR)
    return EC_TAP_DAMAGED;
  switch ((EcCardError) error->code)
    {
    case EC_CARD_ERROR_NOT_OURS:
      return EC_TAP_UNSUPPORTED;
    case EC_CARD_ERROR_UNKNOWN_KEY:
    case EC_CARD_ERROR_BAD_SIGNATURE:
    case EC_CARD_ERROR_UID_MISMATCH:
    case EC_CARD_ERROR_BAD_SEQUENCE:    /* a genuine issue never writes card_seq 0 */
    case EC_CARD_ERROR_NOT_YET_VALID:   /* issued in the future: pre-dated, or this clock is wrong */
      return EC_TAP_NOT_GENUINE;
    case EC_CARD_ERROR_EXPIRED:
      return EC_TAP_EXPIRED;
    case EC_CARD_ERROR_TRUNCATED:
    case EC_CARD_ERROR_DAMAGED:
    case EC_CARD_ERROR_UNKNOWN_VERSION:
    case EC_CARD_ERROR_NO_READ_KEY:
    case EC_CARD_ERROR_CANNOT_DECRYPT:
    case EC_CARD_ERROR_TOO_LARGE:
    case EC_CARD_ERROR_INVALID:
    case EC_CARD_ERROR_BAD_IMAGE:
    default:
      return EC_TAP_DAMAGED;
    }
}

static const char *
purpose_of (const EcTapContext *ctx)
{
  return ctx->purpose != NULL ? ctx->purpose : EC_DB_PURPOSE_CARD_TAP;
}

static void
audit (const EcTapContext *ctx,
       EcTapResult        *r,
       const char         *action,
       EcResidentId        resident_id,
       const char         *detail)
{
  g_autoptr(GError) error = NULL;

  if (ctx->db == NULL)
    return;
  if (!ec_db_audit_append (ctx->db, &ctx->actor, action, resident_id, purpose_of (ctx), NULL, detail, &error))
    {
      g_warning ("cannot audit a card tap (%s): %s", action, error->message);
      return;
    }
  r->audit_action = g_strdup (action);
  r->audit_detail = g_strdup (detail);
}

/* "uid 04…: revoked: lost on the bus" */
static void
audit_refusal (const EcTapContext *ctx,
               EcTapResult        *r,
               EcResidentId        resident_id)
{
  g_autofree char *detail = g_strdup_printf ("uid %s: %s%s%s", r->uid_hex != NULL ? r->uid_hex : "?",
                                             ec_tap_verdict_to_string (r->verdict),
                                             r->reason_code != NULL ? ": " : "",
                                             r->reason_code != NULL ? r->reason_code : "");
  audit (ctx, r, "card-refused", resident_id, detail);
}

EcTapResult *
ec_tap_refuse (const EcTapContext *ctx,
               const char         *uid_hex,
               EcTapVerdict        verdict,
               const char         *reason)
{
  EcTapResult *r = result_new (verdict, uid_hex);

  g_return_val_if_fail (ec_tap_verdict_is_refusal (verdict), r);
  r->reason_code = verdict == EC_TAP_UNSUPPORTED ? "unsupported-type" : "bad-image";
  r->reason = g_strdup (reason);
  audit_refusal (ctx, r, 0);
  return r;
}

gboolean
ec_tap_result_item_cut (const EcTapResult *result,
                        gconstpointer      item)
{
  return result != NULL && result->cut != NULL && g_hash_table_contains (result->cut, item);
}

guint
ec_tap_result_fields_cut (const EcTapResult *result)
{
  if (result == NULL || result->source != EC_TAP_SOURCE_CARD_SUMMARY || result->card == NULL
      || result->card->summary == NULL)
    return 0;
  return result->card->summary->fields_cut;
}

EcResident *
ec_tap_resident_from_summary (const EcCard *card,
                              GHashTable   *cut)
{
  const EcCardSummary *s = card->summary;
  EcResident *r;

  g_return_val_if_fail (s != NULL, NULL);
  r = ec_resident_new ();
  r->id = card->header.resident_id;
  r->name_zh = g_strdup (s->name);
  r->name_pinyin = g_strdup (s->name_latin);
  r->sex = s->sex;
  r->blood_type = s->blood_type;
  r->allergy_status = s->allergy_status;
  r->dnr = s->dnr;
  r->wandering = s->wandering;
  r->record_version = s->record_version;
  for (guint i = 0; s->allergies != NULL && i < s->allergies->len; i++)
    {
      const EcCardAllergy *ca = g_ptr_array_index (s->allergies, i);
      EcAllergy *a = ec_allergy_new ();
      a->substance = g_strdup (ca->substance);
      a->criticality = ca->criticality;
      a->confirmed = TRUE;   /* the card does not say; do not print "suspected" */
      g_ptr_array_add (r->allergies, a);
      if (cut != NULL && i < 16 && (s->allergies_cut & (1u << i)))
        g_hash_table_add (cut, a);
    }
  for (guint i = 0; s->conditions != NULL && i < s->conditions->len; i++)
    {
      EcCondition *c = ec_condition_new ();
      c->text = g_strdup (g_ptr_array_index (s->conditions, i));
      g_ptr_array_add (r->conditions, c);
      if (cut != NULL && i < 16 && (s->conditions_cut & (1u << i)))
        g_hash_table_add (cut, c);
    }
  for (guint i = 0; s->medications != NULL && i < s->medications->len; i++)
    {
      EcMedication *m = ec_medication_new ();
      m->name = g_strdup (g_ptr_array_index (s->medications, i));
      g_ptr_array_add (r->medications, m);
      if (cut != NULL && i < 16 && (s->medications_cut & (1u << i)))
        g_hash_table_add (cut, m);
    }
  if (s->contact_phone != NULL || s->contact_name != NULL)
    {
      EcContact *c = ec_contact_new ();
      c->name = g_strdup (s->contact_name);
      c->relation = g_strdup (s->contact_relation);
      c->phones = g_new0 (char *, 2);
      c->phones[0] = g_strdup (s->contact_phone);   /* NULL: the number is not on the card */
      c->call_order = 1;
      g_ptr_array_add (r->contacts, c);
    }
  return r;
}

/* A genuine card shown from its own summary (when it has one), audited as such. */
static void
show_summary (const EcTapContext *ctx,
              EcTapResult        *r)
{
  if (r->card->summary != NULL)
    {
      r->source = EC_TAP_SOURCE_CARD_SUMMARY;
      r->cut = g_hash_table_new (NULL, NULL);
      r->resident = ec_tap_resident_from_summary (r->card, r->cut);
    }
  {
    g_autofree char *detail = g_strdup_printf ("uid %s: %s%s%s%s", r->uid_hex,
                                               ec_tap_verdict_to_string (r->verdict),
                                               r->card->summary == NULL ? ", no readable summary" : "",
                                               (r->unchecked & EC_TAP_UNCHECKED_STATUS) ? "; card status not checked: " : "",
                                               (r->unchecked & EC_TAP_UNCHECKED_STATUS) && r->unchecked_reason != NULL
                                               ? r->unchecked_reason : "");
    audit (ctx, r, "view-card-summary", r->card->header.resident_id, detail);
  }
}

static void
status_unchecked (EcTapResult  *r,
                  const GError *error)
{
  r->unchecked |= EC_TAP_UNCHECKED_STATUS;
  if (r->unchecked_reason == NULL)
    r->unchecked_reason = g_strdup (error != NULL ? error->message : "no database");
}

/* The card was refused as expired, which ec_card_verify checks only after the
 * signature and the UID: find a moment inside its validity (between "not yet valid"
 * and "expired", by halving) and read its verified header there. */
static EcCardHeader *
expired_card_header (const EcTapContext *ctx,
                     const EcTagImage   *image,
                     EcCardHeader       *out)
{
  gint64 late = ctx->now, early = ctx->now, step = 86400;
  gboolean have_early = FALSE;

  for (int i = 0; i < 64; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EcCard) card = NULL;
      gint64 t;

      if (!have_early)
        {
          t = ctx->now - step;
          step *= 2;
          if (t < 0)
            t = 0;
        }
      else if (late - early <= 1)
        return NULL;
      else
        t = early + (late - early) / 2;
      if (ec_card_verify (image, ctx->ring, t, &card, &error))
        {
          *out = card->header;
          return out;
        }
      if (g_error_matches (error, EC_CARD_ERROR, EC_CARD_ERROR_EXPIRED))
        late = t;
      else if (g_error_matches (error, EC_CARD_ERROR, EC_CARD_ERROR_NOT_YET_VALID))
        {
          early = t;
          have_early = TRUE;
        }
      else
        return NULL;
      if (!have_early && t == 0)
        return NULL;
    }
  return NULL;
}

/* Whose expired card this is: its verified header's resident, when this database
 * has that resident and no row says the card was revoked or lost. */
static EcResidentId
expired_card_owner (const EcTapContext *ctx,
                    const EcTagImage   *image,
                    const char         *uid_hex)
{
  g_autoptr(EcCardRecord) row = NULL;
  EcCardHeader header;
  gint64 version = 0;

  if (expired_card_header (ctx, image, &header) == NULL)
    return 0;
  if (uid_hex != NULL && ec_db_card_lookup (ctx->db, uid_hex, &row, NULL)
      && row->status != EC_CARD_STATUS_ACTIVE && row->status != EC_CARD_STATUS_REPLACED)
    return 0;
  if (!ec_db_resident_exists (ctx->db, header.resident_id, &version, NULL) || version == 0)
    return 0;
  return header.resident_id;
}

EcTapResult *
ec_tap_card (const EcTapContext *ctx,
             const EcTagImage   *image)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcCardRecord) row = NULL;
  g_autofree char *uid_hex = NULL;
  EcTapResult *r;
  EcResidentId rid;
  guint highest = 0;

  g_return_val_if_fail (ctx != NULL && image != NULL, NULL);
  uid_hex = ec_tag_image_uid_hex (image);
  r = result_new (EC_TAP_RECORD, uid_hex);

  /* 1. Can this device check cards at all? */
  if (ctx->ring == NULL)
    {
      r->verdict = EC_TAP_NOT_SET_UP;
      r->reason_code = "no-keys";
      r->reason = g_strdup (ctx->ring_error != NULL ? ctx->ring_error->message : "no keyring");
      audit_refusal (ctx, r, 0);
      return r;
    }

  /* 2. Is the card genuine, for this tag, unexpired? */
  if (!ec_card_verify (image, ctx->ring, ctx->now, &r->card, &error))
    {
      r->verdict = verdict_for_card_error (error);
      r->reason_code = error->domain == EC_CARD_ERROR ? ec_card_error_to_string ((EcCardError) error->code)
                                                       : "bad-image";
      r->reason = g_strdup (error->message);
      /* An expired card: whose it is is known (not a lost or revoked card: those may
       * be in the wrong hands). */
      if (r->verdict == EC_TAP_EXPIRED && ctx->db != NULL)
        r->owner = expired_card_owner (ctx, image, uid_hex);
      audit_refusal (ctx, r, 0);
      return r;
    }
  rid = r->card->header.resident_id;
  if (r->card->summary != NULL)
    r->card_record_version = r->card->summary->record_version;
  else if (r->card->summary_error != NULL)
    r->unchecked |= EC_TAP_UNCHECKED_SUMMARY;

  /* 3. Without a database nobody can say whether it was revoked: say so. */
  if (ctx->skip_db || ctx->db == NULL)
    {
      r->verdict = ctx->skip_db ? EC_TAP_NO_DATABASE : EC_TAP_DATABASE;
      r->reason_code = ctx->skip_db ? "not-consulted" : "database-unavailable";
      r->reason = g_strdup (ctx->db_error != NULL ? ctx->db_error->message : NULL);
      if (ctx->skip_db)
        r->unchecked |= EC_TAP_UNCHECKED_DATABASE;
      status_unchecked (r, ctx->db_error);
      show_summary (ctx, r);
      return r;
    }

  /* 4. Is it still the resident's current card? */
  if (ec_db_card_lookup (ctx->db, uid_hex, &row, &error))
    {
      switch (row->status)
        {
        case EC_CARD_STATUS_REVOKED:
          {
            gint64 version = 1;
            /* Revoked because the record was removed: the card is genuine, the person
             * is real, only the station no longer holds the record. */
            if (g_strcmp0 (row->status_reason, REMOVED_REASON) == 0
                && ec_db_resident_exists (ctx->db, rid, &version, NULL) && version == 0)
              {
                r->verdict = EC_TAP_REMOVED;
                r->reason_code = "removed";
                r->reason = g_strdup_printf ("card %s, seq %u: the resident's record was removed", uid_hex, row->seq);
                show_summary (ctx, r);
                return r;
              }
            r->verdict = EC_TAP_REVOKED;
          }
          break;
        case EC_CARD_STATUS_SPOILED:
        case EC_CARD_STATUS_PENDING:
          r->verdict = EC_TAP_REVOKED;
          break;
        case EC_CARD_STATUS_LOST:
          r->verdict = EC_TAP_LOST;
          break;
        case EC_CARD_STATUS_REPLACED:
          r->verdict = EC_TAP_REPLACED;
          break;
        case EC_CARD_STATUS_ACTIVE:
        default:
          break;
        }
      if (r->verdict != EC_TAP_RECORD)
        {
          if (r->verdict == EC_TAP_REPLACED)
            r->owner = rid;
          r->reason_code = ec_card_status_to_string (row->status);
          r->reason = g_strdup_printf ("card %s, seq %u: %s%s%s", uid_hex, row->seq,
                                       ec_card_status_to_string (row->status),
                                       row->status_reason != NULL ? ", " : "",
                                       row->status_reason != NULL ? row->status_reason : "");
          audit_refusal (ctx, r, rid);
          return r;
        }
    }
  else if (!g_error_matches (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND))
    status_unchecked (r, error);
  g_clear_error (&error);

  /* 5. A lower sequence number than the resident's newest active card: replaced, even
   *    if this database never heard of this particular card. */
  if (!ec_db_card_highest_active_seq (ctx->db, rid, &highest, &error))
    {
      status_unchecked (r, error);
      g_clear_error (&error);
    }
  else if (highest > r->card->header.card_seq)
    {
      r->verdict = EC_TAP_REPLACED;
      r->owner = rid;
      r->reason_code = "older-seq";
      r->reason = g_strdup_printf ("card seq %u, current seq %u", r->card->header.card_seq, highest);
      audit_refusal (ctx, r, rid);
      return r;
    }

  /* 6. Is the resident here? (Not audited; the one entry of this tap follows.) */
  {
    gint64 version = 0;
    if (!ec_db_resident_exists (ctx->db, rid, &version, &error) || version == 0)
      {
        r->verdict = error != NULL ? EC_TAP_DATABASE : EC_TAP_NOT_IN_DATABASE;
        r->reason_code = error != NULL ? "database-error" : "not-found";
        r->reason = error != NULL ? g_strdup (error->message) : NULL;
        if (error != NULL)
          status_unchecked (r, error);
        show_summary (ctx, r);
        return r;
      }
  }

  /* 7. The audited record. */
  {
    g_autofree char *note = (r->unchecked & EC_TAP_UNCHECKED_STATUS)
                            ? g_strdup_printf ("card status not checked: %s", r->unchecked_reason) : NULL;
    if (!ec_db_get_resident (ctx->db, rid, &ctx->actor, purpose_of (ctx), note, &r->resident, &error))
      {
        r->verdict = EC_TAP_DATABASE;
        r->reason_code = "database-error";
        r->reason = g_strdup (error->message);
        show_summary (ctx, r);
        return r;
      }
    r->verdict = EC_TAP_RECORD;
    r->source = EC_TAP_SOURCE_DATABASE;
    r->db_record_version = r->resident->record_version;
    if (r->card->summary != NULL)
      {
        r->card_older = r->card_record_version < r->db_record_version;
        r->card_newer = r->card_record_version > r->db_record_version;
      }
    r->audit_action = g_strdup ("view");
    r->audit_detail = g_steal_pointer (&note);
    return r;
  }
}
