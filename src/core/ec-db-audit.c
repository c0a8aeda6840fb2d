/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-db-audit.c: the hash-chained, append-only audit log.
 *
 *   h_0 = 32 zero bytes
 *   h_i = BLAKE2b-256 (h_{i-1} || canonical (row_i))
 *   canonical (row) = "ECAUDIT1" | seq u64be | at i64be | role u8 | resident_id u64be
 *                     | str actor_id | str action | str purpose | str reason | str detail
 *   str = u32be byte length + the UTF-8 bytes, or u32be 0xFFFFFFFF for NULL
 *
 * The seq is part of the hash, so moving an entry to another place breaks the chain
 * as surely as changing its text. Deleting the newest entries leaves a valid shorter
 * chain: that is what exported checkpoints catch.
 *
 * Each column holds exactly one SQLite type (schema v4: a STRICT table; resident_id
 * NULL or non-zero, texts without NUL) and verify refuses any row that does not, then
 * hashes the stored bytes with their stored lengths: a value cannot change type (a
 * BLOB actor_id, a text `at`, 0 for NULL) or hide bytes after a NUL and still hash
 * the same. The hash is _ec_audit_chain_hash(), the only implementation. */
#define G_LOG_DOMAIN "ec-db"

#include "ec-db-private.h"

#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "ec-error.h"
#include "ec-file.h"
#include "ec-i18n.h"

#define CHECKPOINT_MAGIC "eldercard-audit-checkpoint 1"

void
ec_audit_entry_free (EcAuditEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->actor_id);
  g_free (e->action);
  g_free (e->purpose);
  g_free (e->reason);
  g_free (e->detail);
  g_free (e);
}

static void
put_u64 (guint8 *p, guint64 v)
{
  for (int i = 7; i >= 0; i--, v >>= 8)
    p[i] = (guint8) (v & 0xff);
}

static gboolean
hash_text (crypto_generichash_state *h,
           const EcAuditText        *t)
{
  guint8 len[4];
  guint32 v = t->data != NULL ? (guint32) t->len : 0xffffffffu;

  if (t->data != NULL && t->len >= 0xffffffffu)
    return FALSE;
  len[0] = (guint8) (v >> 24);
  len[1] = (guint8) (v >> 16);
  len[2] = (guint8) (v >> 8);
  len[3] = (guint8) v;
  if (crypto_generichash_update (h, len, sizeof len) != 0)
    return FALSE;
  if (t->data != NULL && t->len > 0
      && crypto_generichash_update (h, (const guint8 *) t->data, t->len) != 0)
    return FALSE;
  return TRUE;
}

gboolean
_ec_audit_chain_hash (const guint8       prev[32],
                      gint64             seq,
                      gint64             at,
                      guint              role,
                      guint64            resident_id,
                      const EcAuditText  text[5],
                      guint8             out[32])
{
  crypto_generichash_state h;
  guint8 fixed[8 + 8 + 8 + 1 + 8];

  memcpy (fixed, "ECAUDIT1", 8);
  put_u64 (fixed + 8, (guint64) seq);
  put_u64 (fixed + 16, (guint64) at);
  fixed[24] = (guint8) role;
  put_u64 (fixed + 25, resident_id);

  if (crypto_generichash_init (&h, NULL, 0, 32) != 0
      || crypto_generichash_update (&h, prev, 32) != 0
      || crypto_generichash_update (&h, fixed, sizeof fixed) != 0)
    return FALSE;
  for (int i = 0; i < 5; i++)
    if (!hash_text (&h, &text[i]))
      return FALSE;
  return crypto_generichash_final (&h, out, 32) == 0;
}

static EcAuditText
text_of (const char *s)
{
  EcAuditText t = { s, s != NULL ? strlen (s) : 0 };
  return t;
}

gboolean
_ec_audit_entry_hash (const guint8        prev[32],
                      const EcAuditEntry *e,
                      guint8              out[32])
{
  EcAuditText text[5] = {
    text_of (e->actor_id), text_of (e->action), text_of (e->purpose),
    text_of (e->reason), text_of (e->detail),
  };

  return _ec_audit_chain_hash (prev, e->seq, e->at, (guint) e->actor_role, e->resident_id,
                               text, out);
}

static gboolean
hash_fail (GError **error)
{
  g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_SQLITE,
                       _("libsodium could not hash an audit entry"));
  return FALSE;
}

gboolean
_ec_db_check_actor (const EcActor *actor,
                    GError       **error)
{
  if (actor == NULL || actor->id == NULL || actor->id[0] == '\0' ||
      !g_utf8_validate (actor->id, -1, NULL) || ec_role_to_string (actor->role) == NULL)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("Every change and every view needs an actor (role and id)"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_head (EcDb    *db,
           gint64  *out_seq,
           guint8   out_hash[32],
           GError **error)
{
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", error);
  int rc;

  if (st == NULL || (rc = _ec_db_step (db, st, _("Cannot read the audit log"), error)) == 0)
    return FALSE;
  *out_seq = 0;
  memset (out_hash, 0, 32);
  if (rc == SQLITE_ROW)
    {
      const void *h = sqlite3_column_blob (st, 1);
      if (h == NULL || sqlite3_column_bytes (st, 1) != 32)
        {
          g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_AUDIT_TAMPERED,
                               _("The newest audit entry has no valid hash"));
          return FALSE;
        }
      *out_seq = sqlite3_column_int64 (st, 0);
      memcpy (out_hash, h, 32);
    }
  return TRUE;
}

/* Inside an open write transaction. */
gboolean
_ec_db_audit_append_locked (EcDb          *db,
                            const EcActor *actor,
                            const char    *action,
                            EcResidentId   resident_id,
                            const char    *purpose,
                            const char    *reason,
                            const char    *detail,
                            GError       **error)
{
  guint8 prev[32], h[32];
  gint64 seq, at = _ec_db_now ();
  g_autoptr(EcCachedStmt) st = NULL;
  g_autoptr(GBytes) hb = NULL;

  if (!read_head (db, &seq, prev, error))
    return FALSE;
  seq++;
  {
    EcAuditEntry e = { .seq = seq, .at = at, .actor_role = actor->role,
                       .resident_id = resident_id, .actor_id = (char *) actor->id,
                       .action = (char *) action, .purpose = (char *) purpose,
                       .reason = (char *) reason, .detail = (char *) detail };
    if (!_ec_audit_entry_hash (prev, &e, h))
      return hash_fail (error);
  }
  hb = g_bytes_new (h, sizeof h);
  st = _ec_db_stmt (db,
                    "INSERT INTO audit (seq, at, actor_role, actor_id, action, resident_id,"
                    " purpose, reason, detail, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", error);
  if (st == NULL)
    return FALSE;
  if (resident_id != 0
      ? !_ec_db_bind (db, st, error, "llissusssb", seq, at, (int) actor->role, actor->id, action,
                      resident_id, purpose, reason, detail, hb)
      : !_ec_db_bind (db, st, error, "llissnsssb", seq, at, (int) actor->role, actor->id, action,
                      purpose, reason, detail, hb))
    return FALSE;
  return _ec_db_step (db, st, _("Cannot write the audit log"), error) != 0;
}

gboolean
ec_db_audit_append (EcDb          *db,
                    const EcActor *actor,
                    const char    *action,
                    EcResidentId   resident_id,
                    const char    *purpose,
                    const char    *reason,
                    const char    *detail,
                    GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);

  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error))
    return FALSE;
  if (action == NULL || action[0] == '\0')
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, _("An audit entry needs an action"));
      return FALSE;
    }
  if (!_ec_db_op_begin (db, error))
    return FALSE;
  ok = _ec_db_audit_append_locked (db, actor, action, resident_id, purpose, reason, detail, error);
  return _ec_db_op_end (db, ok, error);
}

gboolean
ec_db_audit_head (EcDb    *db,
                  gint64  *out_seq,
                  guint8   out_hash[32],
                  GError **error)
{
  gint64 seq;
  guint8 h[32];

  g_return_val_if_fail (db != NULL, FALSE);
  if (!read_head (db, &seq, h, error))
    return FALSE;
  if (out_seq != NULL)
    *out_seq = seq;
  if (out_hash != NULL)
    memcpy (out_hash, h, 32);
  return TRUE;
}

static EcAuditEntry *
entry_from_row (sqlite3_stmt *st)
{
  EcAuditEntry *e = g_new0 (EcAuditEntry, 1);
  const void *h;

  e->seq = sqlite3_column_int64 (st, 0);
  e->at = sqlite3_column_int64 (st, 1);
  e->actor_role = (EcRole) sqlite3_column_int (st, 2);
  e->actor_id = _ec_db_col_text (st, 3);
  e->action = _ec_db_col_text (st, 4);
  e->resident_id = (EcResidentId) sqlite3_column_int64 (st, 5);
  e->purpose = _ec_db_col_text (st, 6);
  e->reason = _ec_db_col_text (st, 7);
  e->detail = _ec_db_col_text (st, 8);
  h = sqlite3_column_blob (st, 9);
  if (h != NULL && sqlite3_column_bytes (st, 9) == 32)
    memcpy (e->hash, h, 32);
  return e;
}

#define AUDIT_COLUMNS "seq, at, actor_role, actor_id, action, resident_id, purpose, reason, detail, hash"

gboolean
ec_db_audit_list (EcDb                *db,
                  const EcAuditFilter *filter,
                  GPtrArray          **out_entries,
                  GError             **error)
{
  static const EcAuditFilter all = { 0 };
  g_autoptr(EcCachedStmt) st = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_audit_entry_free);
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (out_entries != NULL, FALSE);
  if (filter == NULL)
    filter = &all;

  /* One statement for every filter combination: a NULL/0 parameter means "any". */
  st = _ec_db_stmt (db,
                    "SELECT " AUDIT_COLUMNS " FROM audit"
                    " WHERE seq > ?1"
                    " AND (?2 IS NULL OR resident_id = ?2)"
                    " AND (?3 IS NULL OR actor_id = ?3)"
                    " AND (?4 IS NULL OR action = ?4)"
                    " AND (?5 IS NULL OR at >= ?5)"
                    " AND (?6 IS NULL OR at < ?6)"
                    " ORDER BY seq LIMIT ?7", error);
  if (st == NULL ||
      !_ec_db_bind (db, st, error, "l", filter->after_seq))
    return FALSE;
  if ((filter->resident_id != 0 && sqlite3_bind_int64 (st, 2, (sqlite3_int64) filter->resident_id) != SQLITE_OK) ||
      (filter->actor_id != NULL && sqlite3_bind_text (st, 3, filter->actor_id, -1, SQLITE_TRANSIENT) != SQLITE_OK) ||
      (filter->action != NULL && sqlite3_bind_text (st, 4, filter->action, -1, SQLITE_TRANSIENT) != SQLITE_OK) ||
      (filter->since != 0 && sqlite3_bind_int64 (st, 5, filter->since) != SQLITE_OK) ||
      (filter->until != 0 && sqlite3_bind_int64 (st, 6, filter->until) != SQLITE_OK) ||
      sqlite3_bind_int64 (st, 7, filter->limit != 0 ? (sqlite3_int64) filter->limit : -1) != SQLITE_OK)
    {
      _ec_db_set_error (db, SQLITE_ERROR, _("Cannot bind a database parameter"), error);
      return FALSE;
    }
  while ((rc = _ec_db_step (db, st, _("Cannot read the audit log"), error)) == SQLITE_ROW)
    g_ptr_array_add (list, entry_from_row (st));
  if (rc == 0)
    return FALSE;
  *out_entries = g_steal_pointer (&list);
  return TRUE;
}

static gboolean
read_checkpoint (const char *path,
                 gint64     *out_seq,
                 guint8      out_hash[32],
                 GError    **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gsize len = 0;
  gboolean have_seq = FALSE, have_hash = FALSE;
  g_autoptr(GError) local = NULL;

  if (!ec_file_read_bounded (path, 4096, 0, &text, &len, &local))
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND,
                   _("Cannot read the checkpoint: %s"), local->message);
      return FALSE;
    }
  if (memchr (text, '\0', len) != NULL)
    goto bad;
  lines = g_strsplit (text, "\n", -1);
  if (lines[0] == NULL || strcmp (lines[0], CHECKPOINT_MAGIC) != 0)
    goto bad;
  for (char **l = lines + 1; *l != NULL; l++)
    {
      if (g_str_has_prefix (*l, "seq "))
        {
          guint64 v;
          if (!g_ascii_string_to_unsigned (*l + 4, 10, 1, G_MAXINT64, &v, NULL))
            goto bad;
          *out_seq = (gint64) v;
          have_seq = TRUE;
        }
      else if (g_str_has_prefix (*l, "hash "))
        {
          const char *hex = *l + 5;
          size_t bin_len = 0;
          if (strlen (hex) != 64 ||
              sodium_hex2bin (out_hash, 32, hex, 64, NULL, &bin_len, NULL) != 0 || bin_len != 32)
            goto bad;
          have_hash = TRUE;
        }
    }
  if (have_seq && have_hash)
    return TRUE;
bad:
  g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
               _("%s is not an eldercard audit checkpoint"), path);
  return FALSE;
}

gboolean
ec_db_audit_verify (EcDb       *db,
                    const char *checkpoint_path,
                    gint64     *out_n_entries,
                    GError    **error)
{
  g_autoptr(EcCachedStmt) st = NULL;
  guint8 prev[32] = { 0 }, h[32], cp_hash[32];
  gint64 expect = 1, cp_seq = 0;
  gboolean cp_seen = FALSE;
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);

  if (checkpoint_path != NULL && !read_checkpoint (checkpoint_path, &cp_seq, cp_hash, error))
    return FALSE;

  st = _ec_db_stmt (db, "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY seq", error);
  if (st == NULL)
    return FALSE;
  while ((rc = _ec_db_step (db, st, _("Cannot read the audit log"), error)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (st, 0);
      const void *stored = sqlite3_column_blob (st, 9);
      int role = sqlite3_column_int (st, 2);

      if (seq != expect)
        {
          if (seq > expect)
            g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_AUDIT_TAMPERED,
                         _("Audit log tampered with: entries %lld–%lld"
                           " are missing"), (long long) expect, (long long) (seq - 1));
          else
            g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_AUDIT_TAMPERED,
                         _("Audit log tampered with: entry %lld is out of order"), (long long) seq);
          return FALSE;
        }
      {
        /* The values exactly as stored: each column must hold its one type (the
         * STRICT table says so, but an attacker with the file can rebuild it), so
         * the hash below covers what queries see. */
        static const int text_cols[5] = { 3, 4, 6, 7, 8 };
        EcAuditText text[5];
        const char *bad = NULL;

        if (sqlite3_column_type (st, 0) != SQLITE_INTEGER)
          bad = "seq";
        else if (sqlite3_column_type (st, 1) != SQLITE_INTEGER)
          bad = "at";
        else if (sqlite3_column_type (st, 2) != SQLITE_INTEGER)
          bad = "actor_role";
        else if (sqlite3_column_type (st, 5) != SQLITE_NULL
                 && (sqlite3_column_type (st, 5) != SQLITE_INTEGER || sqlite3_column_int64 (st, 5) == 0))
          bad = "resident_id";
        else if (sqlite3_column_type (st, 9) != SQLITE_BLOB)
          bad = "hash";
        for (int i = 0; i < 5 && bad == NULL; i++)
          {
            int c = text_cols[i];
            int type = sqlite3_column_type (st, c);

            if (type == SQLITE_NULL && c != 3 && c != 4)
              {
                text[i].data = NULL;
                text[i].len = 0;
                continue;
              }
            if (type != SQLITE_TEXT)
              {
                bad = sqlite3_column_name (st, c);
                break;
              }
            text[i].data = (const char *) sqlite3_column_text (st, c);
            text[i].len = (gsize) sqlite3_column_bytes (st, c);
            if (text[i].data == NULL || memchr (text[i].data, '\0', text[i].len) != NULL)
              bad = sqlite3_column_name (st, c);
          }
        if (bad != NULL)
          {
            g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_AUDIT_TAMPERED,
                         _("Audit log tampered with: entry %lld holds a value of the wrong type "
                           "in %s"), (long long) seq, bad);
            return FALSE;
          }
        if (!_ec_audit_chain_hash (prev, seq, sqlite3_column_int64 (st, 1), (guint) role,
                                   (guint64) sqlite3_column_int64 (st, 5), text, h))
          return hash_fail (error);
      }
      if (stored == NULL || sqlite3_column_bytes (st, 9) != 32 || sodium_memcmp (stored, h, 32) != 0 ||
          role < 0 || role > EC_ROLE_ADMIN)
        {
          g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_AUDIT_TAMPERED,
                       _("Audit log tampered with: entry %lld"
                         " was changed, inserted or removed (its hash does not follow the chain)"), (long long) seq);
          return FALSE;
        }
      if (seq == cp_seq)
        {
          if (sodium_memcmp (h, cp_hash, 32) != 0)
            {
              g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_AUDIT_TAMPERED,
                           _("Audit log tampered with: entry %lld"
                             " differs from the exported checkpoint (the log was rewritten)"), (long long) seq);
              return FALSE;
            }
          cp_seen = TRUE;
        }
      memcpy (prev, h, 32);
      expect++;
    }
  if (rc == 0)
    return FALSE;
  if (checkpoint_path != NULL && !cp_seen)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_AUDIT_TAMPERED,
                   _("Audit log tampered with: it ends at entry %lld"
                     ", before the checkpoint's entry %lld (truncated)"),
                   (long long) (expect - 1), (long long) cp_seq);
      return FALSE;
    }
  if (out_n_entries != NULL)
    *out_n_entries = expect - 1;
  return TRUE;
}

gboolean
ec_db_audit_checkpoint_export (EcDb       *db,
                               const char *path,
                               GError    **error)
{
  gint64 seq;
  guint8 h[32];
  char hex[65];
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* Only a chain that verifies is worth a checkpoint. */
  if (!ec_db_audit_verify (db, NULL, NULL, error) || !read_head (db, &seq, h, error))
    return FALSE;
  if (seq == 0)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("The audit log is empty: nothing to checkpoint"));
      return FALSE;
    }
  sodium_bin2hex (hex, sizeof hex, h, 32);
  text = g_strdup_printf (CHECKPOINT_MAGIC "\nseq %" G_GINT64_FORMAT "\nhash %s\nat %" G_GINT64_FORMAT "\n",
                          seq, hex, _ec_db_now ());
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local))
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_PERMISSION,
                   _("Cannot write the checkpoint: %s"), local->message);
      return FALSE;
    }
  return TRUE;
}
