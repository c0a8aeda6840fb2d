/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-db.c: opening the database (settings, schema, migrations), the statement cache,
 * transactions, error translation, backup. Residents, cards, staff and the audit log
 * are in ec-db-resident.c, ec-db-card.c and ec-db-audit.c. */
#define G_LOG_DOMAIN "ec-db"

#include "ec-db-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ec-compat.h"
#include "ec-error.h"
#include "ec-i18n.h"

struct _EcDb
{
  sqlite3       *sqlite;
  char          *path;
  EcDbOpenFlags  flags;
  GHashTable    *stmts;       /* const char *sql (by address) -> sqlite3_stmt */
  guint          depth;       /* nesting of _ec_db_op_begin */
  gboolean       explicit_txn;
};

/* ------------------------------------------------------------------------- */
/* Schema. Version 1 is frozen (a copy lives in tests/data/schema-v1.sql); later
 * versions are migrations applied in order, to new and old databases alike, so a
 * new database and an upgraded one have the same schema. */

const char _ec_db_schema_v1[] =
  "CREATE TABLE residents (\n"
  "  id                 INTEGER PRIMARY KEY,\n"
  "  name_zh            TEXT NOT NULL CHECK (length (name_zh) > 0),\n"
  "  name_pinyin        TEXT,\n"
  "  sex                INTEGER NOT NULL DEFAULT 0 CHECK (sex BETWEEN 0 AND 3),\n"
  "  date_of_birth      TEXT CHECK (date_of_birth IS NULL OR date_of_birth GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),\n"
  "  photo              BLOB CHECK (photo IS NULL OR length (photo) <= 262144),\n"
  "  photo_mime         TEXT,\n"
  "  address            TEXT,\n"
  "  building_unit      TEXT,\n"
  "  phone              TEXT,\n"
  "  blood_type         INTEGER NOT NULL DEFAULT 0 CHECK (blood_type BETWEEN 0 AND 8),\n"
  "  language           TEXT,\n"
  "  dnr                INTEGER NOT NULL DEFAULT 0 CHECK (dnr BETWEEN 0 AND 3),\n"
  "  directive_location TEXT,\n"
  "  wandering          INTEGER NOT NULL DEFAULT 0 CHECK (wandering BETWEEN 0 AND 2),\n"
  "  comm_needs         INTEGER NOT NULL DEFAULT 0 CHECK (comm_needs BETWEEN 0 AND 31),\n"
  "  comm_notes         TEXT,\n"
  "  implants           TEXT,\n"
  "  gp                 TEXT,\n"
  "  social_worker      TEXT,\n"
  "  notes              TEXT,\n"
  "  allergy_status     INTEGER NOT NULL DEFAULT 0 CHECK (allergy_status BETWEEN 0 AND 2),\n"
  "  record_version     INTEGER NOT NULL DEFAULT 1 CHECK (record_version >= 1),\n"
  "  updated_at         INTEGER NOT NULL,\n"
  "  updated_by         TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX residents_name_zh ON residents (name_zh);\n"
  "CREATE INDEX residents_phone ON residents (phone);\n"
  "CREATE TABLE conditions (\n"
  "  id          INTEGER PRIMARY KEY,\n"
  "  resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,\n"
  "  position    INTEGER NOT NULL,\n"
  "  text        TEXT NOT NULL CHECK (length (text) > 0),\n"
  "  icd10       TEXT,\n"
  "  since       TEXT,\n"
  "  updated_at  INTEGER NOT NULL,\n"
  "  updated_by  TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX conditions_resident ON conditions (resident_id, position);\n"
  "CREATE TABLE allergies (\n"
  "  id          INTEGER PRIMARY KEY,\n"
  "  resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,\n"
  "  position    INTEGER NOT NULL,\n"
  "  substance   TEXT NOT NULL CHECK (length (substance) > 0),\n"
  "  category    INTEGER NOT NULL CHECK (category BETWEEN 0 AND 3),\n"
  "  criticality INTEGER NOT NULL CHECK (criticality BETWEEN 0 AND 2),\n"
  "  reaction    TEXT,\n"
  "  severity    INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),\n"
  "  confirmed   INTEGER NOT NULL CHECK (confirmed IN (0, 1)),\n"
  "  updated_at  INTEGER NOT NULL,\n"
  "  updated_by  TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX allergies_resident ON allergies (resident_id, position);\n"
  "CREATE TABLE medications (\n"
  "  id            INTEGER PRIMARY KEY,\n"
  "  resident_id   INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,\n"
  "  position      INTEGER NOT NULL,\n"
  "  name          TEXT NOT NULL CHECK (length (name) > 0),\n"
  "  dose          TEXT,\n"
  "  route         TEXT,\n"
  "  slots         INTEGER NOT NULL DEFAULT 0 CHECK (slots BETWEEN 0 AND 15),\n"
  "  schedule_text TEXT,\n"
  "  updated_at    INTEGER NOT NULL,\n"
  "  updated_by    TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX medications_resident ON medications (resident_id, position);\n"
  "CREATE TABLE contacts (\n"
  "  id           INTEGER PRIMARY KEY,\n"
  "  resident_id  INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,\n"
  "  position     INTEGER NOT NULL,\n"
  "  name         TEXT NOT NULL CHECK (length (name) > 0),\n"
  "  relation     TEXT,\n"
  "  phones       TEXT NOT NULL CHECK (length (phones) > 0),\n"
  "  call_order   INTEGER NOT NULL DEFAULT 0,\n"
  "  lives_nearby INTEGER NOT NULL DEFAULT 0 CHECK (lives_nearby IN (0, 1)),\n"
  "  updated_at   INTEGER NOT NULL,\n"
  "  updated_by   TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX contacts_resident ON contacts (resident_id, position);\n"
  "CREATE TABLE cards (\n"
  "  id                INTEGER PRIMARY KEY,\n"
  "  uid               TEXT NOT NULL UNIQUE,\n"
  "  resident_id       INTEGER NOT NULL,\n"
  "  seq               INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 65535),\n"
  "  status            INTEGER NOT NULL CHECK (status BETWEEN 0 AND 5),\n"
  "  issued_at         INTEGER NOT NULL,\n"
  "  station_id        INTEGER NOT NULL,\n"
  "  staff_id          TEXT NOT NULL,\n"
  "  status_changed_at INTEGER NOT NULL,\n"
  "  status_reason     TEXT,\n"
  "  image             BLOB,\n"
  "  UNIQUE (resident_id, seq)\n"
  ");\n"
  "CREATE TABLE staff (\n"
  "  id         TEXT PRIMARY KEY CHECK (length (id) > 0),\n"
  "  name       TEXT NOT NULL,\n"
  "  role       INTEGER NOT NULL CHECK (role BETWEEN 0 AND 3),\n"
  "  pin_hash   TEXT,\n"
  "  created_at INTEGER NOT NULL\n"
  ");\n"
  "CREATE TABLE audit (\n"
  "  seq         INTEGER PRIMARY KEY,\n"
  "  at          INTEGER NOT NULL,\n"
  "  actor_role  INTEGER NOT NULL,\n"
  "  actor_id    TEXT NOT NULL,\n"
  "  action      TEXT NOT NULL,\n"
  "  resident_id INTEGER,\n"
  "  purpose     TEXT,\n"
  "  reason      TEXT,\n"
  "  detail      TEXT,\n"
  "  hash        BLOB NOT NULL CHECK (length (hash) = 32)\n"
  ");\n"
  "CREATE INDEX audit_resident ON audit (resident_id) WHERE resident_id IS NOT NULL;\n"
  "CREATE INDEX audit_actor ON audit (actor_id);\n"
  "CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit\n"
  "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;\n"
  "CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit\n"
  "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;\n";

/* v2: case-insensitive pinyin and digits-only phone search keys (indexed), PIN
 * lock-out state for staff, an index for audit time ranges. */
static const char schema_v2[] =
  "ALTER TABLE residents ADD COLUMN pinyin_key TEXT;\n"
  "ALTER TABLE residents ADD COLUMN phone_key TEXT;\n"
  "UPDATE residents SET pinyin_key = ec_pinyin_key (name_pinyin), phone_key = ec_phone_key (phone);\n"
  "DROP INDEX residents_phone;\n"
  "CREATE INDEX residents_pinyin_key ON residents (pinyin_key);\n"
  "CREATE INDEX residents_phone_key ON residents (phone_key);\n"
  "ALTER TABLE staff ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;\n"
  "ALTER TABLE staff ADD COLUMN pin_locked_until INTEGER NOT NULL DEFAULT 0;\n"
  "CREATE INDEX audit_at ON audit (at);\n";

/* v3: what keeping field kiosks current needs (ec-sync.c): export and import
 * sequence numbers per station, which station each resident and card came from,
 * and the audit entries merged from kiosks. IF NOT EXISTS: eldercard 0.1 created
 * these tables on first use, in databases still marked version 2. */
static const char schema_v3[] =
  "CREATE TABLE IF NOT EXISTS sync_export_seq (\n"
  "  station_id  INTEGER PRIMARY KEY,\n"
  "  seq         INTEGER NOT NULL CHECK (seq >= 1),\n"
  "  exported_at INTEGER NOT NULL);\n"
  "CREATE TABLE IF NOT EXISTS sync_state (\n"
  "  station_id  INTEGER PRIMARY KEY,\n"
  "  seq         INTEGER NOT NULL CHECK (seq >= 1),\n"
  "  created_at  INTEGER NOT NULL,\n"
  "  imported_at INTEGER NOT NULL,\n"
  "  role        INTEGER NOT NULL,\n"
  "  signer_kid  INTEGER NOT NULL,\n"
  "  residents   INTEGER NOT NULL,\n"
  "  cards       INTEGER NOT NULL,\n"
  "  bundle_hash BLOB NOT NULL);\n"
  "CREATE TABLE IF NOT EXISTS sync_resident_origin (\n"
  "  resident_id INTEGER PRIMARY KEY,\n"
  "  station_id  INTEGER NOT NULL);\n"
  "CREATE INDEX IF NOT EXISTS sync_resident_origin_station ON sync_resident_origin (station_id);\n"
  "CREATE TABLE IF NOT EXISTS sync_card_origin (\n"
  "  uid         TEXT PRIMARY KEY,\n"
  "  station_id  INTEGER NOT NULL);\n"
  "CREATE INDEX IF NOT EXISTS sync_card_origin_station ON sync_card_origin (station_id);\n"
  "CREATE TABLE IF NOT EXISTS sync_audit_export (\n"
  "  kiosk_id    TEXT PRIMARY KEY,\n"
  "  last_seq    INTEGER NOT NULL,\n"
  "  exported_at INTEGER NOT NULL);\n"
  "CREATE TABLE IF NOT EXISTS remote_audit (\n"
  "  kiosk_id    TEXT NOT NULL,\n"
  "  seq         INTEGER NOT NULL,\n"
  "  at          INTEGER NOT NULL,\n"
  "  actor_role  INTEGER NOT NULL,\n"
  "  actor_id    TEXT NOT NULL,\n"
  "  action      TEXT NOT NULL,\n"
  "  resident_id INTEGER,\n"
  "  purpose     TEXT,\n"
  "  reason      TEXT,\n"
  "  detail      TEXT,\n"
  "  hash        BLOB NOT NULL CHECK (length (hash) = 32),\n"
  "  imported_at INTEGER NOT NULL,\n"
  "  PRIMARY KEY (kiosk_id, seq)) WITHOUT ROWID;\n"
  "CREATE TABLE IF NOT EXISTS remote_audit_head (\n"
  "  kiosk_id    TEXT PRIMARY KEY,\n"
  "  kiosk_pk    BLOB NOT NULL CHECK (length (kiosk_pk) = 32),\n"
  "  seq         INTEGER NOT NULL,\n"
  "  hash        BLOB NOT NULL CHECK (length (hash) = 32),\n"
  "  imported_at INTEGER NOT NULL);\n"
  "CREATE TRIGGER IF NOT EXISTS remote_audit_append_only_update BEFORE UPDATE ON remote_audit\n"
  "  BEGIN SELECT RAISE (ABORT, 'the imported audit log is append-only'); END;\n"
  "CREATE TRIGGER IF NOT EXISTS remote_audit_append_only_delete BEFORE DELETE ON remote_audit\n"
  "  BEGIN SELECT RAISE (ABORT, 'the imported audit log is append-only'); END;\n";

/* v4: a type-strict audit table. The chain hash covers each value's bytes and, for
 * text, its length, but not SQLite's type: a BLOB actor_id, a text `at`, a 0 where
 * NULL was, or a NUL inside a text hashed the same as the value they replaced while
 * queries no longer found the entry. The table is rebuilt STRICT, with one type per
 * column, no NUL inside text and no resident_id 0 (NULL means "none"), so the stored
 * values are exactly what the chain hashes; the hashes themselves do not change, so
 * a chain written before stays valid (docs/database.md "The audit chain"). A row
 * that does not fit fails the upgrade: it was altered. */
#define AUDIT_TEXT_CHECK(col) "CHECK (instr (CAST (" col " AS BLOB), x'00') = 0)"
static const char schema_v4[] =
  "DROP TRIGGER IF EXISTS audit_append_only_update;\n"
  "DROP TRIGGER IF EXISTS audit_append_only_delete;\n"
  "CREATE TABLE audit_v4 (\n"
  "  seq         INTEGER PRIMARY KEY CHECK (seq >= 1),\n"
  "  at          INTEGER NOT NULL,\n"
  "  actor_role  INTEGER NOT NULL CHECK (actor_role BETWEEN 0 AND 3),\n"
  "  actor_id    TEXT NOT NULL CHECK (length (actor_id) > 0) " AUDIT_TEXT_CHECK ("actor_id") ",\n"
  "  action      TEXT NOT NULL CHECK (length (action) > 0) " AUDIT_TEXT_CHECK ("action") ",\n"
  "  resident_id INTEGER CHECK (resident_id IS NULL OR resident_id <> 0),\n"
  "  purpose     TEXT " AUDIT_TEXT_CHECK ("purpose") ",\n"
  "  reason      TEXT " AUDIT_TEXT_CHECK ("reason") ",\n"
  "  detail      TEXT " AUDIT_TEXT_CHECK ("detail") ",\n"
  "  hash        BLOB NOT NULL CHECK (length (hash) = 32)\n"
  ") STRICT;\n"
  "INSERT INTO audit_v4 (seq, at, actor_role, actor_id, action, resident_id, purpose, reason, detail, hash)\n"
  "  SELECT seq, at, actor_role, actor_id, action, resident_id, purpose, reason, detail, hash\n"
  "  FROM audit ORDER BY seq;\n"
  "DROP TABLE audit;\n"
  "ALTER TABLE audit_v4 RENAME TO audit;\n"
  "CREATE INDEX audit_resident ON audit (resident_id) WHERE resident_id IS NOT NULL;\n"
  "CREATE INDEX audit_actor ON audit (actor_id);\n"
  "CREATE INDEX audit_at ON audit (at);\n"
  "CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit\n"
  "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;\n"
  "CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit\n"
  "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;\n";

static const char *const migrations[] = {
  NULL,               /* 0: empty */
  _ec_db_schema_v1,   /* 0 -> 1 */
  schema_v2,          /* 1 -> 2 */
  schema_v3,          /* 2 -> 3 */
  schema_v4,          /* 3 -> 4 */
};
G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == EC_DB_SCHEMA_VERSION + 1);

/* ------------------------------------------------------------------------- */
/* Errors */

void
_ec_db_set_error (EcDb       *db,
                  int         rc,
                  const char *what,
                  GError    **error)
{
  EcDbError code;
  const char *msg;

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = EC_DB_ERROR_CORRUPT;
      break;
    case SQLITE_CONSTRAINT:
      code = EC_DB_ERROR_CONSTRAINT;
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      code = EC_DB_ERROR_PERMISSION;
      break;
    default:
      code = EC_DB_ERROR_SQLITE;
      break;
    }
  msg = (db != NULL && db->sqlite != NULL) ? sqlite3_errmsg (db->sqlite) : sqlite3_errstr (rc);
  g_set_error (error, EC_DB_ERROR, code, "%s: %s", what, msg);
}

/* ------------------------------------------------------------------------- */
/* Statements */

void
_ec_cached_stmt_release (EcCachedStmt *st)
{
  if (st == NULL)
    return;
  /* The step's error, if any, was reported where it happened. */
  (void) sqlite3_reset (st);
  (void) sqlite3_clear_bindings (st);
}

sqlite3 *
_ec_db_handle (EcDb *db)
{
  return db->sqlite;
}

EcCachedStmt *
_ec_db_stmt (EcDb       *db,
             const char *sql,
             GError    **error)
{
  sqlite3_stmt *st = g_hash_table_lookup (db->stmts, sql);
  int rc;

  if (st != NULL)
    return st;
  rc = sqlite3_prepare_v3 (db->sqlite, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
  if (rc != SQLITE_OK)
    {
      _ec_db_set_error (db, rc, _("Cannot prepare a database statement"), error);
      g_debug ("prepare failed: %s", sql);
      return NULL;
    }
  g_hash_table_insert (db->stmts, (gpointer) sql, st);
  return st;
}

gboolean
_ec_db_bind (EcDb         *db,
             sqlite3_stmt *st,
             GError      **error,
             const char   *fmt,
             ...)
{
  va_list ap;
  int idx = 1;
  int rc = SQLITE_OK;

  va_start (ap, fmt);
  for (const char *f = fmt; *f != '\0' && rc == SQLITE_OK; f++, idx++)
    {
      switch (*f)
        {
        case 's':
          {
            const char *s = va_arg (ap, const char *);
            rc = s == NULL ? sqlite3_bind_null (st, idx)
                           : sqlite3_bind_text (st, idx, s, -1, SQLITE_STATIC);
            break;
          }
        case 'i':
          rc = sqlite3_bind_int (st, idx, va_arg (ap, int));
          break;
        case 'l':
          rc = sqlite3_bind_int64 (st, idx, va_arg (ap, gint64));
          break;
        case 'u':
          rc = sqlite3_bind_int64 (st, idx, (sqlite3_int64) va_arg (ap, guint64));
          break;
        case 'b':
          {
            GBytes *b = va_arg (ap, GBytes *);
            gsize len = 0;
            const void *data = b != NULL ? g_bytes_get_data (b, &len) : NULL;
            if (b == NULL)
              rc = sqlite3_bind_null (st, idx);
            else
              rc = sqlite3_bind_blob64 (st, idx, data != NULL ? data : "", (sqlite3_uint64) len,
                                        SQLITE_STATIC);
            break;
          }
        case 'n':
          rc = sqlite3_bind_null (st, idx);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  va_end (ap);
  if (rc != SQLITE_OK)
    {
      _ec_db_set_error (db, rc, _("Cannot bind a database parameter"), error);
      return FALSE;
    }
  return TRUE;
}

int
_ec_db_step (EcDb         *db,
             sqlite3_stmt *st,
             const char   *what,
             GError      **error)
{
  int rc = sqlite3_step (st);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;
  _ec_db_set_error (db, rc, what, error);
  (void) sqlite3_reset (st);
  return 0;
}

char *
_ec_db_col_text (sqlite3_stmt *st,
                 int           col)
{
  return g_strdup ((const char *) sqlite3_column_text (st, col));
}

/* Run a constant script (schema, pragmas) statement by statement. */
static gboolean
exec_script (EcDb       *db,
             const char *sql,
             GError    **error)
{
  const char *tail = sql;

  while (tail != NULL && *tail != '\0')
    {
      g_autoptr(sqlite3_stmt) st = NULL;
      const char *next = NULL;
      int rc = sqlite3_prepare_v2 (db->sqlite, tail, -1, &st, &next);

      if (rc != SQLITE_OK)
        {
          _ec_db_set_error (db, rc, _("Cannot prepare a database statement"), error);
          return FALSE;
        }
      tail = next;
      if (st == NULL)    /* whitespace or a comment */
        continue;
      do
        rc = sqlite3_step (st);
      while (rc == SQLITE_ROW);
      if (rc != SQLITE_DONE)
        {
          _ec_db_set_error (db, rc, _("Database statement failed"), error);
          return FALSE;
        }
    }
  return TRUE;
}

/* A one-row pragma or query returning a text or integer. */
static gboolean
query_text (EcDb       *db,
            const char *sql,
            char      **out,
            GError    **error)
{
  g_autoptr(sqlite3_stmt) st = NULL;
  int rc = sqlite3_prepare_v2 (db->sqlite, sql, -1, &st, NULL);

  if (rc != SQLITE_OK)
    {
      _ec_db_set_error (db, rc, _("Cannot prepare a database statement"), error);
      return FALSE;
    }
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    *out = _ec_db_col_text (st, 0);
  else if (rc == SQLITE_DONE)
    *out = NULL;
  else
    {
      _ec_db_set_error (db, rc, sql, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
query_int (EcDb       *db,
           const char *sql,
           gint64     *out,
           GError    **error)
{
  g_autofree char *s = NULL;

  if (!query_text (db, sql, &s, error))
    return FALSE;
  *out = s != NULL ? g_ascii_strtoll (s, NULL, 10) : 0;
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Transactions */

gboolean
_ec_db_op_begin (EcDb    *db,
                 GError **error)
{
  const char *sql = (db->depth == 0 && !db->explicit_txn) ? "BEGIN IMMEDIATE" : "SAVEPOINT ec_op";
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, sql, error);

  if (st == NULL || _ec_db_step (db, st, _("Cannot start a database transaction"), error) == 0)
    return FALSE;
  db->depth++;
  return TRUE;
}

static void
rollback_quietly (EcDb       *db,
                  const char *sql)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(EcCachedStmt) st = NULL;

  /* SQLite may already have rolled the whole transaction back (I/O error, full
   * disk): then there is nothing left to undo. */
  if (sqlite3_get_autocommit (db->sqlite))
    return;
  st = _ec_db_stmt (db, sql, &local);
  if (st == NULL || _ec_db_step (db, st, "rollback", &local) == 0)
    g_warning ("rollback failed: %s", local->message);
}

gboolean
_ec_db_op_end (EcDb     *db,
               gboolean  ok,
               GError  **error)
{
  gboolean outermost;

  g_return_val_if_fail (db->depth > 0, FALSE);
  db->depth--;
  outermost = db->depth == 0 && !db->explicit_txn;

  if (ok)
    {
      g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, outermost ? "COMMIT" : "RELEASE ec_op", error);
      if (st != NULL && _ec_db_step (db, st, _("Cannot commit to the database"), error) != 0)
        return TRUE;
    }
  if (outermost)
    rollback_quietly (db, "ROLLBACK");
  else
    {
      rollback_quietly (db, "ROLLBACK TO ec_op");
      if (!sqlite3_get_autocommit (db->sqlite))
        {
          g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "RELEASE ec_op", NULL);
          if (st != NULL)
            (void) sqlite3_step (st);
        }
    }
  return FALSE;
}

gboolean
ec_db_begin (EcDb    *db,
             GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);

  if (db->explicit_txn || db->depth > 0)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("A database transaction is already open"));
      return FALSE;
    }
  if (!_ec_db_check_writable (db, error) || !_ec_db_op_begin (db, error))
    return FALSE;
  db->depth = 0;
  db->explicit_txn = TRUE;
  return TRUE;
}

gboolean
ec_db_commit (EcDb    *db,
              GError **error)
{
  g_autoptr(EcCachedStmt) st = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (db->explicit_txn, FALSE);

  db->explicit_txn = FALSE;
  if (sqlite3_get_autocommit (db->sqlite))
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_SQLITE,
                           _("The database transaction was rolled back after an error"));
      return FALSE;
    }
  st = _ec_db_stmt (db, "COMMIT", error);
  if (st == NULL || _ec_db_step (db, st, _("Cannot commit to the database"), error) == 0)
    {
      rollback_quietly (db, "ROLLBACK");
      return FALSE;
    }
  return TRUE;
}

void
ec_db_rollback (EcDb *db)
{
  g_return_if_fail (db != NULL);
  db->explicit_txn = FALSE;
  db->depth = 0;
  rollback_quietly (db, "ROLLBACK");
}

gboolean
_ec_db_check_writable (EcDb    *db,
                       GError **error)
{
  if (db->flags & EC_DB_OPEN_READ_ONLY)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_PERMISSION,
                   _("The database %s is open read-only"), db->path);
      return FALSE;
    }
  return TRUE;
}

gint64
_ec_db_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ------------------------------------------------------------------------- */
/* Search keys (also SQL functions, for the v2 migration). */

char *
_ec_db_pinyin_key (const char *pinyin)
{
  static const struct { const char *from; char to; } tones[] = {
    { "ā", 'a' }, { "á", 'a' }, { "ǎ", 'a' }, { "à", 'a' },
    { "ē", 'e' }, { "é", 'e' }, { "ě", 'e' }, { "è", 'e' },
    { "ī", 'i' }, { "í", 'i' }, { "ǐ", 'i' }, { "ì", 'i' },
    { "ō", 'o' }, { "ó", 'o' }, { "ǒ", 'o' }, { "ò", 'o' },
    { "ū", 'u' }, { "ú", 'u' }, { "ǔ", 'u' }, { "ù", 'u' },
    { "ǖ", 'v' }, { "ǘ", 'v' }, { "ǚ", 'v' }, { "ǜ", 'v' }, { "ü", 'v' },
    { "Ü", 'v' }, { "Ā", 'a' }, { "Á", 'a' }, { "É", 'e' }, { "Ō", 'o' },
  };
  GString *key;

  if (pinyin == NULL)
    return NULL;
  key = g_string_sized_new (strlen (pinyin));
  for (const char *p = pinyin; *p != '\0';)
    {
      if (g_ascii_isalpha (*p))
        {
          g_string_append_c (key, g_ascii_tolower (*p));
          p++;
          continue;
        }
      if ((guchar) *p >= 0x80)
        {
          gboolean found = FALSE;
          for (gsize i = 0; i < G_N_ELEMENTS (tones); i++)
            {
              gsize n = strlen (tones[i].from);
              if (strncmp (p, tones[i].from, n) == 0)
                {
                  g_string_append_c (key, tones[i].to);
                  p += n;
                  found = TRUE;
                  break;
                }
            }
          if (found)
            continue;
        }
      p++;  /* spaces, apostrophes, hyphens, anything else */
    }
  return g_string_free (key, FALSE);
}

char *
_ec_db_phone_key (const char *phone)
{
  GString *key;

  if (phone == NULL)
    return NULL;
  key = g_string_new (NULL);
  for (const char *p = phone; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (key, *p);
  /* +86 138… -> 138…; mainland numbers are 11 digits. */
  if (key->len == 13 && g_str_has_prefix (key->str, "86"))
    g_string_erase (key, 0, 2);
  return g_string_free (key, FALSE);
}

char *
_ec_db_normalize_uid (const char *uid)
{
  GString *s;

  if (uid == NULL)
    return NULL;
  s = g_string_new (NULL);
  for (const char *p = uid; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ' || *p == '-')
        continue;
      if (!g_ascii_isxdigit (*p) || s->len >= 14)
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      g_string_append_c (s, g_ascii_tolower (*p));
    }
  if (s->len != 8 && s->len != 14)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

static void
sql_key_func (sqlite3_context *ctx,
              int              argc,
              sqlite3_value  **argv)
{
  char *(*fn) (const char *) = sqlite3_user_data (ctx);
  const char *in = (const char *) sqlite3_value_text (argv[0]);
  char *out;

  if (in == NULL)
    {
      sqlite3_result_null (ctx);
      return;
    }
  out = fn (in);
  sqlite3_result_text (ctx, out, -1, g_free);
}

/* ------------------------------------------------------------------------- */
/* Opening */

static gboolean
apply_settings (EcDb    *db,
                GError **error)
{
  g_autofree char *mode = NULL;
  int rc, on = -1;

  if ((rc = sqlite3_extended_result_codes (db->sqlite, 1)) != SQLITE_OK ||
      (rc = sqlite3_db_config (db->sqlite, SQLITE_DBCONFIG_DEFENSIVE, 1, &on)) != SQLITE_OK ||
      (rc = sqlite3_db_config (db->sqlite, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL)) != SQLITE_OK ||
      (rc = sqlite3_busy_timeout (db->sqlite, 5000)) != SQLITE_OK)
    {
      _ec_db_set_error (db, rc, _("Cannot configure the database connection"), error);
      return FALSE;
    }
  if (on != 1)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_SQLITE,
                           _("SQLite refused defensive mode"));
      return FALSE;
    }
  if (!exec_script (db,
                    "PRAGMA busy_timeout = 5000;"
                    "PRAGMA foreign_keys = ON;"
                    "PRAGMA trusted_schema = OFF;"
                    "PRAGMA secure_delete = ON;"
                    "PRAGMA cell_size_check = ON;"
                    "PRAGMA synchronous = FULL;", error))
    return FALSE;

  if (!(db->flags & EC_DB_OPEN_READ_ONLY))
    {
      if (!query_text (db, "PRAGMA journal_mode = WAL", &mode, error))
        return FALSE;
      if (mode == NULL || g_ascii_strcasecmp (mode, "wal") != 0)
        {
          g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_SQLITE,
                       _("The database %s cannot use write-ahead logging (journal mode %s)"),
                       db->path, mode != NULL ? mode : "?");
          return FALSE;
        }
    }

  if ((rc = sqlite3_create_function_v2 (db->sqlite, "ec_pinyin_key", 1,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                        (void *) _ec_db_pinyin_key, sql_key_func,
                                        NULL, NULL, NULL)) != SQLITE_OK ||
      (rc = sqlite3_create_function_v2 (db->sqlite, "ec_phone_key", 1,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                        (void *) _ec_db_phone_key, sql_key_func,
                                        NULL, NULL, NULL)) != SQLITE_OK)
    {
      _ec_db_set_error (db, rc, _("Cannot register database functions"), error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
quick_check (EcDb       *db,
             const char *pragma,
             GError    **error)
{
  g_autoptr(sqlite3_stmt) st = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  int rc = sqlite3_prepare_v2 (db->sqlite, pragma, -1, &st, NULL);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_CORRUPT,
                   _("%s is not a usable database: %s"), db->path, sqlite3_errmsg (db->sqlite));
      return FALSE;
    }
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (st, 0);
      if (line != NULL && strcmp (line, "ok") != 0 && problems->len < 2000)
        g_string_append_printf (problems, "%s%s", problems->len ? "; " : "", line);
    }
  if (rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
        g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_CORRUPT,
                     _("%s is damaged: %s"), db->path, sqlite3_errmsg (db->sqlite));
      else
        _ec_db_set_error (db, rc, _("Cannot check the database"), error);
      return FALSE;
    }
  if (problems->len > 0)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_CORRUPT,
                   _("%s is damaged: %s"), db->path, problems->str);
      return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (EcDb    *db,
         gint64   from,
         GError **error)
{
  for (gint64 v = from + 1; v <= EC_DB_SCHEMA_VERSION; v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", (int) v);
      gboolean ok;

      if (!_ec_db_op_begin (db, error))
        return FALSE;
      ok = exec_script (db, migrations[v], error);
      if (ok && v == 1)
        {
          g_autofree char *set_app = g_strdup_printf ("PRAGMA application_id = %d", EC_DB_APPLICATION_ID);
          ok = exec_script (db, set_app, error);
        }
      if (ok)
        ok = exec_script (db, set_version, error);
      if (!_ec_db_op_end (db, ok, error))
        {
          g_prefix_error (error, _("Cannot upgrade %s to schema version %d: "),
                          db->path, (int) v);
          return FALSE;
        }
      g_debug ("%s: schema now version %d", db->path, (int) v);
    }
  return TRUE;
}

static void
finalize_stmt (gpointer st)
{
  /* Errors were reported by the step that caused them. */
  (void) sqlite3_finalize (st);
}

EcDb *
ec_db_open (const char     *path,
            EcDbOpenFlags   flags,
            GError        **error)
{
  g_autoptr(EcDb) db = NULL;
  gboolean existed;
  gint64 version = 0, app_id = 0, n_objects = 0;
  int open_flags, rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (!((flags & EC_DB_OPEN_READ_ONLY) && (flags & EC_DB_OPEN_CREATE)), NULL);

  existed = g_file_test (path, G_FILE_TEST_EXISTS);
  if (!existed && !(flags & EC_DB_OPEN_CREATE))
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND,
                   _("The database %s does not exist (create it with 'eldercard db init')"), path);
      return NULL;
    }

  db = g_new0 (EcDb, 1);
  db->path = g_strdup (path);
  db->flags = flags;
  db->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_stmt);

  open_flags = (flags & EC_DB_OPEN_READ_ONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (flags & EC_DB_OPEN_CREATE)
    open_flags |= SQLITE_OPEN_CREATE;
  /* One EcDb is one thread's (ec-db.h): no per-call connection mutex. */
  open_flags |= SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX;

  if (!existed)
    {
      /* Medical data: the file is the owner's alone. SQLite creates the -wal and
       * -shm files with the main file's permissions. */
      int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          int saved = errno;
          g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_PERMISSION,
                       _("Cannot create the database %s: %s"), path, g_strerror (saved));
          return NULL;
        }
      close (fd);
    }

  rc = sqlite3_open_v2 (path, &db->sqlite, open_flags, NULL);
  if (rc != SQLITE_OK)
    {
      _ec_db_set_error (db, rc, path, error);
      if (error != NULL && *error != NULL && (*error)->code == EC_DB_ERROR_SQLITE &&
          (rc & 0xff) == SQLITE_CANTOPEN)
        (*error)->code = EC_DB_ERROR_PERMISSION;
      return NULL;
    }

  if (!apply_settings (db, error))
    {
      /* journal_mode on a file that is not a database fails with NOTADB. */
      if (error != NULL && *error != NULL && (*error)->code == EC_DB_ERROR_CORRUPT)
        g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (!quick_check (db, "PRAGMA quick_check", error))
    return NULL;

  if (!query_int (db, "PRAGMA user_version", &version, error) ||
      !query_int (db, "PRAGMA application_id", &app_id, error) ||
      !query_int (db, "SELECT count(*) FROM sqlite_schema", &n_objects, error))
    return NULL;

  if (n_objects > 0 && app_id != EC_DB_APPLICATION_ID)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                   _("%s is an SQLite database, but not an eldercard database"), path);
      return NULL;
    }
  if (version > EC_DB_SCHEMA_VERSION)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_SCHEMA_TOO_NEW,
                   _("%s has schema version %d; this eldercard knows up to %d. Update eldercard."),
                   path, (int) version, EC_DB_SCHEMA_VERSION);
      return NULL;
    }
  if (version < EC_DB_SCHEMA_VERSION)
    {
      if (flags & EC_DB_OPEN_READ_ONLY)
        {
          g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_PERMISSION,
                       _("%s has schema version %d and must be upgraded; open it writable once"),
                       path, (int) version);
          return NULL;
        }
      if (!migrate (db, version, error))
        return NULL;
    }
  return g_steal_pointer (&db);
}

void
ec_db_close (EcDb *db)
{
  int rc;

  if (db == NULL)
    return;
  if (db->explicit_txn || db->depth > 0)
    rollback_quietly (db, "ROLLBACK");
  g_hash_table_destroy (db->stmts);
  if (db->sqlite != NULL && (rc = sqlite3_close (db->sqlite)) != SQLITE_OK)
    g_warning ("closing %s: %s", db->path, sqlite3_errstr (rc));
  g_free (db->path);
  g_free (db);
}

const char *
ec_db_get_path (EcDb *db)
{
  g_return_val_if_fail (db != NULL, NULL);
  return db->path;
}

int
ec_db_get_schema_version (EcDb *db)
{
  gint64 v = 0;

  g_return_val_if_fail (db != NULL, -1);
  if (!query_int (db, "PRAGMA user_version", &v, NULL))
    return -1;
  return (int) v;
}

gboolean
ec_db_integrity_check (EcDb    *db,
                       GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  return quick_check (db, "PRAGMA integrity_check", error);
}

/* ------------------------------------------------------------------------- */
/* Backup */

gboolean
ec_db_backup (EcDb       *db,
              const char *dest_path,
              GError    **error)
{
  g_autoptr(EcDb) copy = NULL;
  sqlite3 *dest = NULL;
  sqlite3_backup *bk;
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
  int rc, fd;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (dest_path != NULL, FALSE);

  if (g_strcmp0 (dest_path, db->path) == 0)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                   _("The backup cannot replace the database itself"));
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (dest_path, suffixes[i], NULL);
      if (g_unlink (p) != 0 && errno != ENOENT)
        {
          int saved = errno;
          g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_PERMISSION,
                       _("Cannot replace %s: %s"), p, g_strerror (saved));
          return FALSE;
        }
    }
  fd = g_open (dest_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_PERMISSION,
                   _("Cannot create %s: %s"), dest_path, g_strerror (saved));
      return FALSE;
    }
  close (fd);

  rc = sqlite3_open_v2 (dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_SQLITE, _("Cannot open %s: %s"),
                   dest_path, dest != NULL ? sqlite3_errmsg (dest) : sqlite3_errstr (rc));
      sqlite3_close (dest);
      return FALSE;
    }
  bk = sqlite3_backup_init (dest, "main", db->sqlite, "main");
  if (bk == NULL)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_SQLITE, _("Cannot start the backup: %s"),
                   sqlite3_errmsg (dest));
      sqlite3_close (dest);
      return FALSE;
    }
  /* Copy in steps so a concurrent writer is not locked out for the whole copy. */
  do
    {
      rc = sqlite3_backup_step (bk, 1024);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        sqlite3_sleep (20);
    }
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  (void) sqlite3_backup_finish (bk);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_SQLITE, _("The backup to %s failed: %s"),
                   dest_path, sqlite3_errstr (rc));
      sqlite3_close (dest);
      return FALSE;
    }
  rc = sqlite3_close (dest);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_SQLITE, _("Cannot close %s: %s"),
                   dest_path, sqlite3_errstr (rc));
      return FALSE;
    }

  /* Verify the copy the way it will be used: opened, quick-checked, then the full
   * integrity_check. */
  copy = ec_db_open (dest_path, EC_DB_OPEN_READ_WRITE, error);
  if (copy == NULL || !ec_db_integrity_check (copy, error))
    {
      g_prefix_error (error, _("The backup %s does not verify: "), dest_path);
      return FALSE;
    }
  return TRUE;
}
