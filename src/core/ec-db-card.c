/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-db-card.c: cards (issuance in two durable steps, status changes) and staff. */
#define G_LOG_DOMAIN "ec-db"

#include "ec-db-private.h"

#include <string.h>

#include "ec-error.h"
#include "ec-i18n.h"

#define CARD_COLUMNS \
  "id, uid, resident_id, seq, status, issued_at, station_id, staff_id, status_changed_at, status_reason"

static EcCardRecord *
card_from_row (sqlite3_stmt *st)
{
  EcCardRecord *c = ec_card_record_new ();

  c->id = sqlite3_column_int64 (st, 0);
  c->uid_hex = _ec_db_col_text (st, 1);
  c->resident_id = (EcResidentId) sqlite3_column_int64 (st, 2);
  c->seq = (guint) sqlite3_column_int (st, 3);
  c->status = (EcCardStatus) sqlite3_column_int (st, 4);
  c->issued_at = sqlite3_column_int64 (st, 5);
  c->station_id = (guint) sqlite3_column_int64 (st, 6);
  c->staff_id = _ec_db_col_text (st, 7);
  c->status_changed_at = sqlite3_column_int64 (st, 8);
  c->status_reason = _ec_db_col_text (st, 9);
  return c;
}

static char *
uid_or_error (const char *uid_hex,
              GError    **error)
{
  char *uid = _ec_db_normalize_uid (uid_hex);

  if (uid == NULL)
    g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                 _("“%s” is not a card UID (14 or 8 hex digits)"), uid_hex != NULL ? uid_hex : "");
  return uid;
}

/* The card row and, if wanted, its image. NOT_FOUND if there is none. */
static gboolean
load_card (EcDb          *db,
           const char    *uid,
           EcCardRecord **out,
           GBytes       **out_image,
           GError       **error)
{
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT " CARD_COLUMNS ", image FROM cards WHERE uid = ?", error);
  int rc;

  if (st == NULL || !_ec_db_bind (db, st, error, "s", uid) ||
      (rc = _ec_db_step (db, st, _("Cannot read the card"), error)) == 0)
    return FALSE;
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND, _("No card with UID %s"), uid);
      return FALSE;
    }
  if (out != NULL)
    *out = card_from_row (st);
  if (out_image != NULL)
    *out_image = sqlite3_column_type (st, 10) == SQLITE_NULL ? NULL
               : g_bytes_new (sqlite3_column_blob (st, 10), (gsize) sqlite3_column_bytes (st, 10));
  return TRUE;
}

gboolean
ec_db_card_lookup (EcDb          *db,
                   const char    *uid_hex,
                   EcCardRecord **out,
                   GError       **error)
{
  g_autofree char *uid = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  if ((uid = uid_or_error (uid_hex, error)) == NULL)
    return FALSE;
  return load_card (db, uid, out, NULL, error);
}

gboolean
ec_db_card_next_seq (EcDb         *db,
                     EcResidentId  resident_id,
                     guint        *out_seq,
                     GError      **error)
{
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT coalesce (max (seq), 0) + 1 FROM cards WHERE resident_id = ?", error);

  g_return_val_if_fail (out_seq != NULL, FALSE);
  if (st == NULL || !_ec_db_bind (db, st, error, "u", resident_id) ||
      _ec_db_step (db, st, _("Cannot read the card sequence"), error) != SQLITE_ROW)
    return FALSE;
  *out_seq = (guint) sqlite3_column_int64 (st, 0);
  return TRUE;
}

gboolean
ec_db_card_highest_active_seq (EcDb         *db,
                               EcResidentId  resident_id,
                               guint        *out_seq,
                               GError      **error)
{
  g_autoptr(EcCachedStmt) st =
    _ec_db_stmt (db, "SELECT coalesce (max (seq), 0) FROM cards WHERE resident_id = ? AND status = ?", error);

  g_return_val_if_fail (out_seq != NULL, FALSE);
  if (st == NULL || !_ec_db_bind (db, st, error, "ui", resident_id, (int) EC_CARD_STATUS_ACTIVE) ||
      _ec_db_step (db, st, _("Cannot read the card sequence"), error) != SQLITE_ROW)
    return FALSE;
  *out_seq = (guint) sqlite3_column_int64 (st, 0);
  return TRUE;
}

gboolean
ec_db_card_begin_issue (EcDb          *db,
                        EcResidentId   resident_id,
                        const char    *uid_hex,
                        guint          station_id,
                        const EcActor *actor,
                        guint          seq,
                        GBytes        *image,
                        guint         *out_seq,
                        GError       **error)
{
  g_autofree char *uid = NULL, *detail = NULL;
  g_autoptr(EcCardRecord) existing = NULL;
  g_autoptr(GBytes) existing_image = NULL;
  g_autoptr(GError) local = NULL;
  gint64 version = 0, now = _ec_db_now ();
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);

  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error) ||
      (uid = uid_or_error (uid_hex, error)) == NULL)
    return FALSE;
  if (image == NULL || g_bytes_get_size (image) == 0 || seq > 65535)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("An issuance needs the card image and a sequence number up to 65535"));
      return FALSE;
    }
  if (!_ec_db_op_begin (db, error))
    return FALSE;

  ok = ec_db_resident_exists (db, resident_id, &version, error);
  if (ok && version == 0)
    {
      g_autofree char *ids = ec_resident_id_to_string (resident_id);
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND, _("No resident with id %s"), ids);
      ok = FALSE;
    }
  if (ok && load_card (db, uid, &existing, &existing_image, &local))
    {
      /* A retry of the same issuance is fine; anything else is a second use of a UID. */
      if (existing->status == EC_CARD_STATUS_PENDING && existing->resident_id == resident_id &&
          (seq == 0 || seq == existing->seq) && existing_image != NULL &&
          g_bytes_equal (existing_image, image))
        {
          if (out_seq != NULL)
            *out_seq = existing->seq;
          return _ec_db_op_end (db, TRUE, error);
        }
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_CONSTRAINT,
                   _("Card %s is already in the database (status %s)"), uid,
                   ec_card_status_to_string (existing->status));
      ok = FALSE;
    }
  else if (ok && !g_error_matches (local, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      ok = FALSE;
    }
  if (ok && seq == 0)
    ok = ec_db_card_next_seq (db, resident_id, &seq, error);
  if (ok)
    {
      g_autoptr(EcCachedStmt) st =
        _ec_db_stmt (db, "INSERT INTO cards (uid, resident_id, seq, status, issued_at, station_id,"
                         " staff_id, status_changed_at, status_reason, image)"
                         " VALUES (?,?,?,?,?,?,?,?,NULL,?)", error);
      ok = st != NULL &&
           _ec_db_bind (db, st, error, "suiillslb", uid, resident_id, (int) seq,
                        (int) EC_CARD_STATUS_PENDING, now, (gint64) station_id, actor->id, now, image) &&
           _ec_db_step (db, st, _("Cannot record the card issuance"), error) != 0;
      if (!ok && error != NULL && *error != NULL && (*error)->code == EC_DB_ERROR_CONSTRAINT)
        g_prefix_error (error, _("Card sequence %u is already used for this resident: "), seq);
    }
  if (ok)
    {
      detail = g_strdup_printf ("uid=%s seq=%u station=%u", uid, seq, station_id);
      ok = _ec_db_audit_append_locked (db, actor, "card-begin-issue", resident_id, NULL, NULL,
                                       detail, error);
    }
  if (!_ec_db_op_end (db, ok, error))
    return FALSE;
  if (out_seq != NULL)
    *out_seq = seq;
  return TRUE;
}

gboolean
ec_db_card_get_pending (EcDb          *db,
                        const char    *uid_hex,
                        EcCardRecord **out_card,
                        GBytes       **out_image,
                        GError       **error)
{
  g_autofree char *uid = NULL;
  g_autoptr(EcCardRecord) card = NULL;
  g_autoptr(GBytes) image = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  if ((uid = uid_or_error (uid_hex, error)) == NULL ||
      !load_card (db, uid, &card, &image, error))
    return FALSE;
  if (card->status != EC_CARD_STATUS_PENDING || image == NULL)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND,
                   _("Card %s has no pending issuance (status %s)"), uid,
                   ec_card_status_to_string (card->status));
      return FALSE;
    }
  if (out_card != NULL)
    *out_card = g_steal_pointer (&card);
  if (out_image != NULL)
    *out_image = g_steal_pointer (&image);
  return TRUE;
}

gboolean
ec_db_card_commit_issue (EcDb          *db,
                         const char    *uid_hex,
                         const EcActor *actor,
                         GError       **error)
{
  g_autofree char *uid = NULL, *detail = NULL, *reason = NULL;
  g_autoptr(EcCardRecord) card = NULL;
  gint64 now = _ec_db_now ();
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);
  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error) ||
      (uid = uid_or_error (uid_hex, error)) == NULL)
    return FALSE;
  if (!_ec_db_op_begin (db, error))
    return FALSE;
  ok = load_card (db, uid, &card, NULL, error);
  if (ok && card->status != EC_CARD_STATUS_PENDING)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                   _("Card %s is %s, not pending: nothing to commit"), uid,
                   ec_card_status_to_string (card->status));
      ok = FALSE;
    }
  if (ok)
    {
      g_autoptr(EcCachedStmt) st =
        _ec_db_stmt (db, "UPDATE cards SET status = ?, status_changed_at = ?, status_reason = ?"
                         " WHERE resident_id = ? AND status = ? AND uid <> ?", error);
      reason = g_strdup_printf ("replaced by card %s (seq %u)", uid, card->seq);
      ok = st != NULL &&
           _ec_db_bind (db, st, error, "ilsuis", (int) EC_CARD_STATUS_REPLACED, now, reason,
                        card->resident_id, (int) EC_CARD_STATUS_ACTIVE, uid) &&
           _ec_db_step (db, st, _("Cannot update the older cards"), error) != 0;
    }
  if (ok)
    {
      /* The image was only kept for retries; it holds the encrypted summary. */
      g_autoptr(EcCachedStmt) st =
        _ec_db_stmt (db, "UPDATE cards SET status = ?, status_changed_at = ?, image = NULL WHERE uid = ?", error);
      ok = st != NULL &&
           _ec_db_bind (db, st, error, "ils", (int) EC_CARD_STATUS_ACTIVE, now, uid) &&
           _ec_db_step (db, st, _("Cannot activate the card"), error) != 0;
    }
  if (ok)
    {
      detail = g_strdup_printf ("uid=%s seq=%u station=%u", uid, card->seq, card->station_id);
      ok = _ec_db_audit_append_locked (db, actor, "card-issue", card->resident_id, NULL, NULL,
                                       detail, error);
    }
  return _ec_db_op_end (db, ok, error);
}

gboolean
ec_db_card_set_status (EcDb          *db,
                       const char    *uid_hex,
                       EcCardStatus   status,
                       const char    *reason,
                       const EcActor *actor,
                       GError       **error)
{
  g_autofree char *uid = NULL, *detail = NULL, *action = NULL;
  g_autoptr(EcCardRecord) card = NULL;
  gboolean ok, allowed = FALSE;

  g_return_val_if_fail (db != NULL, FALSE);
  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error) ||
      (uid = uid_or_error (uid_hex, error)) == NULL)
    return FALSE;
  if (status != EC_CARD_STATUS_LOST && status != EC_CARD_STATUS_REVOKED &&
      status != EC_CARD_STATUS_SPOILED)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("A card can only be marked lost, revoked or spoiled"));
      return FALSE;
    }
  if (reason != NULL && !g_utf8_validate (reason, -1, NULL))
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, _("The reason is not valid UTF-8"));
      return FALSE;
    }
  if (!_ec_db_op_begin (db, error))
    return FALSE;
  ok = load_card (db, uid, &card, NULL, error);
  if (ok)
    {
      switch (status)
        {
        case EC_CARD_STATUS_SPOILED:   /* only an issuance that did not complete */
          allowed = card->status == EC_CARD_STATUS_PENDING;
          break;
        case EC_CARD_STATUS_LOST:
          allowed = card->status == EC_CARD_STATUS_ACTIVE || card->status == EC_CARD_STATUS_REPLACED;
          break;
        case EC_CARD_STATUS_REVOKED:
          allowed = card->status != EC_CARD_STATUS_REVOKED && card->status != EC_CARD_STATUS_SPOILED;
          break;
        case EC_CARD_STATUS_ACTIVE:
        case EC_CARD_STATUS_REPLACED:
        case EC_CARD_STATUS_PENDING:
        default:
          allowed = FALSE;
          break;
        }
      if (!allowed)
        {
          g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, _("Card %s is %s and cannot become %s"),
                       uid, ec_card_status_to_string (card->status), ec_card_status_to_string (status));
          ok = FALSE;
        }
    }
  if (ok)
    {
      g_autoptr(EcCachedStmt) st =
        _ec_db_stmt (db, "UPDATE cards SET status = ?, status_changed_at = ?, status_reason = ?,"
                         " image = NULL WHERE uid = ?", error);
      ok = st != NULL &&
           _ec_db_bind (db, st, error, "ilss", (int) status, _ec_db_now (), reason, uid) &&
           _ec_db_step (db, st, _("Cannot change the card status"), error) != 0;
    }
  if (ok)
    {
      action = g_strdup_printf ("card-%s", ec_card_status_to_string (status));
      detail = g_strdup_printf ("uid=%s seq=%u was=%s", uid, card->seq, ec_card_status_to_string (card->status));
      ok = _ec_db_audit_append_locked (db, actor, action, card->resident_id, NULL, reason, detail, error);
    }
  return _ec_db_op_end (db, ok, error);
}

static gboolean
list_cards (EcDb         *db,
            sqlite3_stmt *st,
            GPtrArray   **out,
            GError      **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_card_record_free);
  int rc;

  while ((rc = _ec_db_step (db, st, _("Cannot read cards"), error)) == SQLITE_ROW)
    g_ptr_array_add (list, card_from_row (st));
  if (rc == 0)
    return FALSE;
  *out = g_steal_pointer (&list);
  return TRUE;
}

gboolean
ec_db_card_list_for_resident (EcDb         *db,
                              EcResidentId  resident_id,
                              GPtrArray   **out_cards,
                              GError      **error)
{
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT " CARD_COLUMNS " FROM cards WHERE resident_id = ? ORDER BY seq", error);

  g_return_val_if_fail (out_cards != NULL, FALSE);
  return st != NULL && _ec_db_bind (db, st, error, "u", resident_id) && list_cards (db, st, out_cards, error);
}

gboolean
ec_db_card_list_by_status (EcDb         *db,
                           EcCardStatus  status,
                           GPtrArray   **out_cards,
                           GError      **error)
{
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT " CARD_COLUMNS " FROM cards WHERE status = ? ORDER BY resident_id, seq", error);

  g_return_val_if_fail (out_cards != NULL, FALSE);
  return st != NULL && _ec_db_bind (db, st, error, "i", (int) status) && list_cards (db, st, out_cards, error);
}

/* ------------------------------------------------------------------------- */
/* Staff */

EcStaff *
ec_staff_new (void)
{
  return g_new0 (EcStaff, 1);
}

void
ec_staff_free (EcStaff *s)
{
  if (s == NULL)
    return;
  g_free (s->id);
  g_free (s->name);
  g_free (s->pin_hash);
  g_free (s);
}

#define STAFF_COLUMNS "id, name, role, pin_hash, pin_failures, pin_locked_until, created_at"

static EcStaff *
staff_from_row (sqlite3_stmt *st)
{
  EcStaff *s = ec_staff_new ();

  s->id = _ec_db_col_text (st, 0);
  s->name = _ec_db_col_text (st, 1);
  s->role = (EcRole) sqlite3_column_int (st, 2);
  s->pin_hash = _ec_db_col_text (st, 3);
  s->pin_failures = (guint) sqlite3_column_int (st, 4);
  s->pin_locked_until = sqlite3_column_int64 (st, 5);
  s->created_at = sqlite3_column_int64 (st, 6);
  return s;
}

gboolean
ec_db_staff_add (EcDb          *db,
                 const EcStaff *staff,
                 const EcActor *actor,
                 GError       **error)
{
  g_autofree char *detail = NULL;
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (staff != NULL, FALSE);

  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error))
    return FALSE;
  if (staff->id == NULL || staff->id[0] == '\0' || !g_utf8_validate (staff->id, -1, NULL) ||
      staff->name == NULL || staff->name[0] == '\0' || !g_utf8_validate (staff->name, -1, NULL) ||
      ec_role_to_string (staff->role) == NULL)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("A staff member needs an id, a name and a role"));
      return FALSE;
    }
  if (!_ec_db_op_begin (db, error))
    return FALSE;
  {
    g_autoptr(EcCachedStmt) st =
      _ec_db_stmt (db, "INSERT INTO staff (id, name, role, pin_hash, pin_failures, pin_locked_until,"
                       " created_at) VALUES (?,?,?,?,0,0,?)", error);
    ok = st != NULL &&
         _ec_db_bind (db, st, error, "ssisl", staff->id, staff->name, (int) staff->role,
                      staff->pin_hash, staff->created_at > 0 ? staff->created_at : _ec_db_now ()) &&
         _ec_db_step (db, st, _("Cannot add the staff member"), error) != 0;
  }
  if (ok)
    {
      detail = g_strdup_printf ("staff=%s role=%s", staff->id, ec_role_to_string (staff->role));
      ok = _ec_db_audit_append_locked (db, actor, "staff-add", 0, NULL, NULL, detail, error);
    }
  return _ec_db_op_end (db, ok, error);
}

gboolean
ec_db_staff_get (EcDb        *db,
                 const char  *id,
                 EcStaff    **out,
                 GError     **error)
{
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT " STAFF_COLUMNS " FROM staff WHERE id = ?", error);
  int rc;

  g_return_val_if_fail (out != NULL, FALSE);
  if (st == NULL || !_ec_db_bind (db, st, error, "s", id) ||
      (rc = _ec_db_step (db, st, _("Cannot read staff"), error)) == 0)
    return FALSE;
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND, _("No staff member with id %s"),
                   id != NULL ? id : "");
      return FALSE;
    }
  *out = staff_from_row (st);
  return TRUE;
}

gboolean
ec_db_staff_list (EcDb       *db,
                  GPtrArray **out_staff,
                  GError    **error)
{
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT " STAFF_COLUMNS " FROM staff ORDER BY id", error);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_staff_free);
  int rc;

  g_return_val_if_fail (out_staff != NULL, FALSE);
  if (st == NULL)
    return FALSE;
  while ((rc = _ec_db_step (db, st, _("Cannot read staff"), error)) == SQLITE_ROW)
    g_ptr_array_add (list, staff_from_row (st));
  if (rc == 0)
    return FALSE;
  *out_staff = g_steal_pointer (&list);
  return TRUE;
}

static gboolean
staff_update (EcDb       *db,
              const char *sql,
              const char *id,
              const char *fmt_value,
              gconstpointer value_str,
              gint64      v1,
              gint64      v2,
              GError    **error)
{
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, sql, error);
  gboolean ok;

  if (st == NULL)
    return FALSE;
  ok = fmt_value[0] == 's' ? _ec_db_bind (db, st, error, "ss", (const char *) value_str, id)
                           : _ec_db_bind (db, st, error, "lls", v1, v2, id);
  if (!ok || _ec_db_step (db, st, _("Cannot update the staff member"), error) == 0)
    return FALSE;
  if (sqlite3_changes (_ec_db_handle (db)) == 0)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND, _("No staff member with id %s"), id);
      return FALSE;
    }
  return TRUE;
}

gboolean
ec_db_staff_set_pin_hash (EcDb          *db,
                          const char    *id,
                          const char    *pin_hash,
                          const EcActor *actor,
                          GError       **error)
{
  g_autofree char *detail = NULL;
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error))
    return FALSE;
  if (!_ec_db_op_begin (db, error))
    return FALSE;
  ok = staff_update (db, "UPDATE staff SET pin_hash = ?, pin_failures = 0, pin_locked_until = 0 WHERE id = ?",
                     id, "s", pin_hash, 0, 0, error);
  if (ok)
    {
      detail = g_strdup_printf ("staff=%s pin=%s", id, pin_hash != NULL ? "set" : "cleared");
      ok = _ec_db_audit_append_locked (db, actor, "staff-pin", 0, NULL, NULL, detail, error);
    }
  return _ec_db_op_end (db, ok, error);
}

gboolean
ec_db_staff_set_pin_state (EcDb        *db,
                           const char  *id,
                           guint        failures,
                           gint64       locked_until,
                           GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  if (!_ec_db_check_writable (db, error) || !_ec_db_op_begin (db, error))
    return FALSE;
  ok = staff_update (db, "UPDATE staff SET pin_failures = ?, pin_locked_until = ? WHERE id = ?",
                     id, "l", NULL, (gint64) failures, locked_until, error);
  return _ec_db_op_end (db, ok, error);
}
