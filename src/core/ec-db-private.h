/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-db-private.h: for the files that implement the database (ec-db*.c, ec-csv.c,
 * ec-demo.c). Not for other areas: use ec-db.h. */
#pragma once

#include <sqlite3.h>

#include "ec-db.h"

G_BEGIN_DECLS

/* A statement from the connection's cache; the cleanup resets it (releasing its read
 * snapshot) and clears its bindings. Never finalize one. */
typedef sqlite3_stmt EcCachedStmt;
void          _ec_cached_stmt_release   (EcCachedStmt *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcCachedStmt, _ec_cached_stmt_release)

sqlite3      *_ec_db_handle             (EcDb         *db);
EcCachedStmt *_ec_db_stmt               (EcDb         *db,
                                         const char   *sql,
                                         GError      **error);
/* Bind in order from index 1. fmt: 's' const char* (NULL -> NULL), 'i' int,
 * 'l' gint64, 'u' guint64 (resident id, stored as its int64 bit pattern),
 * 'b' GBytes* (NULL -> NULL), 'n' NULL. Values are bound SQLITE_STATIC: they must
 * stay alive until the statement has been stepped (every caller steps right after
 * binding, in the same scope). */
gboolean      _ec_db_bind               (EcDb         *db,
                                         sqlite3_stmt *st,
                                         GError      **error,
                                         const char   *fmt,
                                         ...);
/* SQLITE_ROW, SQLITE_DONE, or 0 with @error set. */
int           _ec_db_step               (EcDb         *db,
                                         sqlite3_stmt *st,
                                         const char   *what,
                                         GError      **error);
void          _ec_db_set_error          (EcDb         *db,
                                         int           rc,
                                         const char   *what,
                                         GError      **error);
char         *_ec_db_col_text           (sqlite3_stmt *st,
                                         int           col);

/* One write unit: BEGIN IMMEDIATE at the outside, SAVEPOINT inside. op_end commits
 * (or releases) when @ok, otherwise rolls back, and returns whether all went well. */
gboolean      _ec_db_op_begin           (EcDb         *db,
                                         GError      **error);
gboolean      _ec_db_op_end             (EcDb         *db,
                                         gboolean      ok,
                                         GError      **error);
gboolean      _ec_db_check_writable     (EcDb         *db,
                                         GError      **error);

gint64        _ec_db_now                (void);

/* Validation shared by add, update and the CSV import. */
gboolean      _ec_db_validate_resident  (const EcResident *r,
                                         GError          **error);
gboolean      _ec_db_valid_date         (const char   *s,
                                         gboolean      allow_partial);

/* Insert row and entries (ids written back). No audit, no transaction. Entries'
 * updated_at/by are kept when set (>0 / non-NULL), else @now/@actor_id. */
gboolean      _ec_db_insert_resident    (EcDb         *db,
                                         EcResident   *r,
                                         gint64        now,
                                         const char   *actor_id,
                                         GError      **error);
/* Full record without an audit entry: only for code that audits otherwise (the
 * export writes one entry for the whole export). */
gboolean      _ec_db_load_resident      (EcDb         *db,
                                         EcResidentId  id,
                                         EcResident  **out,
                                         GError      **error);
gboolean      _ec_db_audit_append_locked (EcDb        *db,
                                         const EcActor *actor,
                                         const char   *action,
                                         EcResidentId  resident_id,
                                         const char   *purpose,
                                         const char   *reason,
                                         const char   *detail,
                                         GError      **error);
/* THE audit chain hash, the only implementation (the database's log and the kiosks'
 * audit exports, ec-sync.c, both use it; docs/database.md "The audit chain"):
 *   h_i = BLAKE2b-256 (h_{i-1} || "ECAUDIT1" | seq u64be | at i64be | role u8
 *                      | resident_id u64be (0 = NULL) | 5 × (u32be length + bytes,
 *                      or u32be 0xFFFFFFFF for NULL): actor_id action purpose reason detail)
 * @text holds the five texts as stored, exact bytes and lengths (NUL bytes included). */
typedef struct
{
  const char *data;   /* NULL = SQL NULL */
  gsize       len;
} EcAuditText;

gboolean      _ec_audit_chain_hash      (const guint8       prev[32],
                                         gint64             seq,
                                         gint64             at,
                                         guint              role,
                                         guint64            resident_id,
                                         const EcAuditText  text[5],
                                         guint8             out[32]);
/* The same for an entry in memory (its strings are NUL-free: strlen). */
gboolean      _ec_audit_entry_hash      (const guint8        prev[32],
                                         const EcAuditEntry *e,
                                         guint8              out[32]);
gboolean      _ec_db_check_actor        (const EcActor *actor,
                                         GError      **error);
gboolean      _ec_db_new_resident_id    (EcDb         *db,
                                         EcResidentId *out,
                                         GError      **error);

/* Search keys: lower-case pinyin letters without spaces or tones (ü -> v); digits of
 * a phone number without a leading 86 country code. NULL for NULL. */
char         *_ec_db_pinyin_key         (const char   *pinyin);
char         *_ec_db_phone_key          (const char   *phone);
/* Lower-case hex of a card UID with ':' and spaces removed; NULL unless 8 or 14 hex
 * digits. */
char         *_ec_db_normalize_uid      (const char   *uid);

/* The first schema (user_version 1). tests/data/schema-v1.sql is a copy. */
extern const char _ec_db_schema_v1[];

G_END_DECLS
