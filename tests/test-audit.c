/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The audit log's hash chain: every kind of tampering is detected — a changed,
 * deleted, inserted or reordered entry, and truncation or a rewrite after an
 * exported checkpoint. The tampering is done the way an attacker with the file
 * would: a plain sqlite3 connection that drops the append-only triggers. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "ec-compat.h"
#include "ec-db.h"
#include "ec-demo.h"
#include "ec-error.h"
#include "ec-init.h"

static const EcActor kiosk = { EC_ROLE_RESPONDER, "kiosk-07" };

typedef struct
{
  char *dir;
  char *path;
  char *checkpoint;
} Fixture;

static void
rm_rf (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_assert_no_errno (g_unlink (p));
    }
  g_assert_no_errno (g_rmdir (dir));
}

/* A database with 20 demo residents and about 40 audit entries. */
static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GPtrArray) list = NULL;

  f->dir = g_dir_make_tmp ("ec-audit-XXXXXX", &error);
  f->path = g_build_filename (f->dir, "audit.db", NULL);
  f->checkpoint = g_build_filename (f->dir, "checkpoint.txt", NULL);
  db = ec_db_open (f->path, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (ec_demo_generate (db, 20, 3, &error));
  g_assert_true (ec_db_resident_list (db, 0, 0, &list, &error));
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < list->len; i++)
      {
        g_autoptr(EcResident) r = NULL;
        g_assert_true (ec_db_get_resident (db, ((EcResidentSummary *) list->pdata[i])->id, &kiosk,
                                           EC_DB_PURPOSE_CARD_TAP, NULL, &r, &error));
        g_assert_no_error (error);
      }
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->checkpoint);
}

static void
raw_exec (const char *path, const char *sql)
{
  sqlite3 *raw = NULL;
  char *msg = NULL;

  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  if (sqlite3_exec (raw, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("tampering failed: %s (%s)", msg, sql);
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
}

/* The attacker's first step: lift the append-only guard. */
#define UNGUARD "DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete;"

static void
assert_verify (Fixture *f, const char *checkpoint, gboolean expect_ok, const char *expect_in_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);
  gboolean ok;

  g_assert_no_error (error);
  ok = ec_db_audit_verify (db, checkpoint, NULL, &error);
  if (expect_ok)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_AUDIT_TAMPERED);
      if (expect_in_message != NULL && strstr (error->message, expect_in_message) == NULL)
        g_error ("expected “%s” in “%s”", expect_in_message, error->message);
    }
}

static void
test_intact (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);
  gint64 n = 0;

  g_assert_true (ec_db_audit_verify (db, NULL, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 41);   /* demo-generate + 2 × 20 views */
  g_assert_true (ec_db_audit_checkpoint_export (db, f->checkpoint, &error));
  g_assert_true (ec_db_audit_append (db, &kiosk, "break-glass", 0, NULL, "test", NULL, &error));
  /* New entries after the checkpoint are fine. */
  g_assert_true (ec_db_audit_verify (db, f->checkpoint, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 42);
}

static void
test_guard (Fixture *f, gconstpointer data)
{
  sqlite3 *raw = NULL;
  char *msg = NULL;

  /* Without dropping the triggers, nobody edits the log by accident. */
  g_assert_cmpint (sqlite3_open (f->path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "UPDATE audit SET reason = 'x' WHERE seq = 3", NULL, NULL, &msg), ==, SQLITE_CONSTRAINT);
  g_assert_nonnull (strstr (msg, "append-only"));
  sqlite3_free (msg);
  g_assert_cmpint (sqlite3_exec (raw, "DELETE FROM audit WHERE seq = 3", NULL, NULL, &msg), ==, SQLITE_CONSTRAINT);
  sqlite3_free (msg);
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
  assert_verify (f, NULL, TRUE, NULL);
}

static void
test_changed (Fixture *f, gconstpointer data)
{
  raw_exec (f->path, UNGUARD "UPDATE audit SET actor_id = 'someone-else' WHERE seq = 10;");
  assert_verify (f, NULL, FALSE, "entry 10");
}

static void
test_changed_time (Fixture *f, gconstpointer data)
{
  raw_exec (f->path, UNGUARD "UPDATE audit SET at = at - 3600 WHERE seq = 25;");
  assert_verify (f, NULL, FALSE, "entry 25");
}

static void
test_deleted (Fixture *f, gconstpointer data)
{
  raw_exec (f->path, UNGUARD "DELETE FROM audit WHERE seq = 10;");
  assert_verify (f, NULL, FALSE, "10");
}

static void
test_deleted_renumbered (Fixture *f, gconstpointer data)
{
  raw_exec (f->path, UNGUARD "DELETE FROM audit WHERE seq = 10;"
                             "UPDATE audit SET seq = seq - 1 WHERE seq > 10;");
  assert_verify (f, NULL, FALSE, "entry 10");
}

static void
test_inserted (Fixture *f, gconstpointer data)
{
  /* Make room at seq 10 and copy a genuine-looking entry (with a hash) into it. */
  raw_exec (f->path, UNGUARD
            "UPDATE audit SET seq = seq + 1000 WHERE seq >= 10;"
            "UPDATE audit SET seq = seq - 999 WHERE seq >= 1010;"
            "INSERT INTO audit SELECT 10, at, actor_role, actor_id, action, resident_id, purpose,"
            " 'covering up', detail, hash FROM audit WHERE seq = 9;");
  assert_verify (f, NULL, FALSE, "entry 10");
}

static void
test_reordered (Fixture *f, gconstpointer data)
{
  raw_exec (f->path, UNGUARD
            "UPDATE audit SET seq = 100000 WHERE seq = 12;"
            "UPDATE audit SET seq = 12 WHERE seq = 13;"
            "UPDATE audit SET seq = 13 WHERE seq = 100000;");
  assert_verify (f, NULL, FALSE, "entry 12");
}

static void
test_truncated (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(EcDb) db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);
    g_assert_true (ec_db_audit_checkpoint_export (db, f->checkpoint, &error));
    g_assert_no_error (error);
  }
  /* Cutting the newest entries leaves a chain that is valid on its own… */
  raw_exec (f->path, UNGUARD "DELETE FROM audit WHERE seq > 35;");
  assert_verify (f, NULL, TRUE, NULL);
  /* …but not against the checkpoint kept off the device. */
  assert_verify (f, f->checkpoint, FALSE, "truncated");
}

/* The canonical form as docs/database.md and ec-db.h describe it: a rewrite with a
 * correctly recomputed chain passes on its own and is caught by the checkpoint. */
static void
put_str (crypto_generichash_state *h, const unsigned char *s)
{
  guint8 len[4];
  guint32 n = s == NULL ? 0xffffffffu : (guint32) strlen ((const char *) s);

  len[0] = (guint8) (n >> 24); len[1] = (guint8) (n >> 16); len[2] = (guint8) (n >> 8); len[3] = (guint8) n;
  g_assert_cmpint (crypto_generichash_update (h, len, 4), ==, 0);
  if (s != NULL && n > 0)
    g_assert_cmpint (crypto_generichash_update (h, s, n), ==, 0);
}

static void
test_rewritten (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *raw = NULL;
  g_autoptr(sqlite3_stmt) sel = NULL;
  g_autoptr(sqlite3_stmt) upd = NULL;
  guint8 prev[32] = { 0 };

  {
    g_autoptr(EcDb) db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);
    g_assert_true (ec_db_audit_checkpoint_export (db, f->checkpoint, &error));
  }
  raw_exec (f->path, UNGUARD "UPDATE audit SET actor_id = 'framed' WHERE seq = 5;");

  g_assert_cmpint (sqlite3_open (f->path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT seq, at, actor_role, resident_id, actor_id, action,"
                                       " purpose, reason, detail FROM audit ORDER BY seq", -1, &sel, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "UPDATE audit SET hash = ? WHERE seq = ?", -1, &upd, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  while (sqlite3_step (sel) == SQLITE_ROW)
    {
      crypto_generichash_state h;
      guint8 fixed[33], out[32];
      guint64 v[3] = { (guint64) sqlite3_column_int64 (sel, 0), (guint64) sqlite3_column_int64 (sel, 1),
                       (guint64) sqlite3_column_int64 (sel, 3) };

      memcpy (fixed, "ECAUDIT1", 8);
      for (int i = 0; i < 8; i++)
        {
          fixed[8 + i] = (guint8) (v[0] >> (56 - 8 * i));
          fixed[16 + i] = (guint8) (v[1] >> (56 - 8 * i));
          fixed[25 + i] = (guint8) (v[2] >> (56 - 8 * i));
        }
      fixed[24] = (guint8) sqlite3_column_int (sel, 2);
      g_assert_cmpint (crypto_generichash_init (&h, NULL, 0, 32), ==, 0);
      g_assert_cmpint (crypto_generichash_update (&h, prev, 32), ==, 0);
      g_assert_cmpint (crypto_generichash_update (&h, fixed, sizeof fixed), ==, 0);
      for (int c = 4; c <= 8; c++)
        put_str (&h, sqlite3_column_text (sel, c));
      g_assert_cmpint (crypto_generichash_final (&h, out, 32), ==, 0);
      memcpy (prev, out, 32);
      g_assert_cmpint (sqlite3_bind_blob (upd, 1, out, 32, SQLITE_TRANSIENT), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_bind_int64 (upd, 2, sqlite3_column_int64 (sel, 0)), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (upd), ==, SQLITE_DONE);
      g_assert_cmpint (sqlite3_reset (upd), ==, SQLITE_OK);
    }
  g_assert_cmpint (sqlite3_exec (raw, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_pointer (&sel, sqlite3_finalize);
  g_clear_pointer (&upd, sqlite3_finalize);
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);

  /* A bare chain cannot tell (that is why checkpoints leave the device)… */
  assert_verify (f, NULL, TRUE, NULL);
  /* …the checkpoint can. */
  assert_verify (f, f->checkpoint, FALSE, "rewritten");
}

/* Changing a value's SQLite type without changing what SQLite's conversions return:
 * before schema v4 each of these left `audit verify` (even with a checkpoint) saying
 * "intact" while queries no longer found the entry. The attacker first rebuilds the
 * table without STRICT and its CHECKs (the file is theirs). */
#define UNSTRICT UNGUARD \
  "CREATE TABLE loose (seq INTEGER PRIMARY KEY, at, actor_role, actor_id, action, resident_id," \
  " purpose, reason, detail, hash); INSERT INTO loose SELECT * FROM audit;" \
  "DROP TABLE audit; ALTER TABLE loose RENAME TO audit;"

typedef struct
{
  const char *name;
  const char *sql;   /* %d: the entry to alter */
} TypeTamper;

static const TypeTamper type_tampers[] = {
  { "actor_id-blob", "UPDATE audit SET actor_id = CAST (actor_id AS BLOB) WHERE seq = %d;" },
  { "resident_id-blob", "UPDATE audit SET resident_id = CAST (CAST (resident_id AS TEXT) AS BLOB) WHERE seq = %d;" },
  { "nul-in-detail", "UPDATE audit SET detail = CAST (CAST (coalesce (detail, '') AS BLOB) || x'00' || CAST ('covered' AS BLOB) AS TEXT) WHERE seq = %d;" },
  { "at-text", "UPDATE audit SET at = CAST (at AS TEXT) WHERE seq = %d;" },
  { "null-to-zero", "UPDATE audit SET resident_id = 0 WHERE seq = %d;" },
};

/* The entry altered: one with a resident (for resident_id) or the first (no resident,
 * for NULL → 0). */
static int
tamper_target (Fixture *f, const TypeTamper *t)
{
  return strcmp (t->name, "null-to-zero") == 0 ? 1 : 10;
}

static void
test_type_tamper (Fixture *f, gconstpointer data)
{
  const TypeTamper *t = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *check = NULL;
  int seq = tamper_target (f, t);

  /* The tampered row really changed type (the attack works on the table). */
  {
    g_autoptr(EcDb) db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);
    g_assert_true (ec_db_audit_checkpoint_export (db, f->checkpoint, &error));
    g_assert_no_error (error);
  }
  sql = g_strdup_printf (t->sql, seq);
  check = g_strconcat (UNSTRICT, sql, NULL);
  raw_exec (f->path, check);
  /* Before the checkpoint's entry: caught with and without the checkpoint. */
  {
    g_autofree char *where = g_strdup_printf ("entry %d", seq);
    assert_verify (f, NULL, FALSE, where);
    assert_verify (f, f->checkpoint, FALSE, where);
  }
}

/* The same after a checkpoint: entries appended after it, then one of them altered. */
static void
test_type_tamper_after_checkpoint (Fixture *f, gconstpointer data)
{
  const TypeTamper *t = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *check = NULL;
  g_autofree char *where = NULL;
  gint64 head = 0;

  {
    g_autoptr(EcDb) db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);
    g_assert_true (ec_db_audit_checkpoint_export (db, f->checkpoint, &error));
    g_assert_true (ec_db_audit_append (db, &kiosk, "break-glass", 0, NULL, "after", NULL, &error));
    g_assert_true (ec_db_audit_append (db, &kiosk, "view", 0x1234, EC_DB_PURPOSE_CARD_TAP, NULL,
                                       "x", &error));
    g_assert_true (ec_db_audit_head (db, &head, NULL, &error));
    g_assert_no_error (error);
  }
  /* NULL → 0 on the break-glass entry (no resident), the others on the last one. */
  sql = g_strdup_printf (t->sql, strcmp (t->name, "null-to-zero") == 0 ? (int) head - 1 : (int) head);
  check = g_strconcat (UNSTRICT, sql, NULL);
  raw_exec (f->path, check);
  where = g_strdup_printf ("entry %d", strcmp (t->name, "null-to-zero") == 0 ? (int) head - 1 : (int) head);
  assert_verify (f, NULL, FALSE, where);
  assert_verify (f, f->checkpoint, FALSE, where);
}

/* The STRICT table itself refuses those values from anyone who did not rebuild it. */
static void
test_strict_table (Fixture *f, gconstpointer data)
{
  sqlite3 *raw = NULL;

  g_assert_cmpint (sqlite3_open (f->path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, UNGUARD, NULL, NULL, NULL), ==, SQLITE_OK);
  for (gsize i = 0; i < G_N_ELEMENTS (type_tampers); i++)
    {
      g_autofree char *sql = g_strdup_printf (type_tampers[i].sql, tamper_target (f, &type_tampers[i]));
      if (strcmp (type_tampers[i].name, "at-text") == 0)
        continue;   /* STRICT turns '1700000000' back into the integer: nothing changes */
      g_assert_cmpint (sqlite3_exec (raw, sql, NULL, NULL, NULL), !=, SQLITE_OK);
    }
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
  assert_verify (f, NULL, TRUE, NULL);
}

static void
test_bad_checkpoint (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);

  g_assert_true (g_file_set_contents (f->checkpoint, "eldercard-audit-checkpoint 1\nseq 12\nhash zz\n", -1, NULL));
  g_assert_false (ec_db_audit_verify (db, f->checkpoint, NULL, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ec_db_audit_verify (db, "/nonexistent/checkpoint", NULL, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
}

static void
test_filters (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);
  g_autoptr(GPtrArray) all = NULL, by_actor = NULL, by_res = NULL, after = NULL, future = NULL;
  EcAuditFilter filter = { 0 };

  g_assert_true (ec_db_audit_list (db, NULL, &all, &error));
  g_assert_cmpuint (all->len, ==, 41);
  filter.actor_id = "kiosk-07";
  g_assert_true (ec_db_audit_list (db, &filter, &by_actor, &error));
  g_assert_cmpuint (by_actor->len, ==, 40);
  filter.actor_id = NULL;
  filter.resident_id = ((EcAuditEntry *) all->pdata[5])->resident_id;
  g_assert_true (ec_db_audit_list (db, &filter, &by_res, &error));
  g_assert_cmpuint (by_res->len, ==, 2);
  memset (&filter, 0, sizeof filter);
  filter.after_seq = 30;
  filter.limit = 5;
  g_assert_true (ec_db_audit_list (db, &filter, &after, &error));
  g_assert_cmpuint (after->len, ==, 5);
  g_assert_cmpint (((EcAuditEntry *) after->pdata[0])->seq, ==, 31);
  memset (&filter, 0, sizeof filter);
  filter.since = g_get_real_time () / G_USEC_PER_SEC + 3600;
  g_assert_true (ec_db_audit_list (db, &filter, &future, &error));
  g_assert_cmpuint (future->len, ==, 0);
}

/* Two processes on one database (a kiosk and the station, say) appending at the same
 * time: BEGIN IMMEDIATE serialises them, so the chain never forks. */
static void
test_concurrent_writers (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gint64 before = 0, after = 0;
  pid_t pids[2];

  {
    g_autoptr(EcDb) db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);
    g_assert_true (ec_db_audit_verify (db, NULL, &before, &error));
    g_assert_true (ec_db_resident_list (db, 0, 0, &list, &error));
  }
  for (int c = 0; c < 2; c++)
    {
      pids[c] = fork ();
      g_assert_cmpint (pids[c], >=, 0);
      if (pids[c] == 0)
        {
          const EcActor me = { EC_ROLE_RESPONDER, c == 0 ? "kiosk-a" : "kiosk-b" };
          EcDb *db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, NULL);
          int bad = db == NULL;
          for (guint i = 0; !bad && i < 100; i++)
            {
              EcResident *r = NULL;
              EcResidentId id = ((EcResidentSummary *) list->pdata[i % list->len])->id;
              if (!ec_db_get_resident (db, id, &me, EC_DB_PURPOSE_CARD_TAP, NULL, &r, NULL))
                bad = 1;
              ec_resident_free (r);
              if (i % 10 == 0 && !ec_db_audit_append (db, &me, "break-glass", id, NULL, "drill", NULL, NULL))
                bad = 1;
            }
          ec_db_close (db);
          _exit (bad);
        }
    }
  for (int c = 0; c < 2; c++)
    {
      int status = 0;
      g_assert_cmpint (waitpid (pids[c], &status, 0), ==, pids[c]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  {
    g_autoptr(EcDb) db = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);
    g_assert_true (ec_db_audit_verify (db, NULL, &after, &error));
    g_assert_no_error (error);
    g_assert_cmpint (after, ==, before + 2 * 110);
  }
}

int
main (int argc, char **argv)
{
  ec_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/ec/audit/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("intact", test_intact);
  ADD ("append-only-guard", test_guard);
  ADD ("changed", test_changed);
  ADD ("changed-time", test_changed_time);
  ADD ("deleted", test_deleted);
  ADD ("deleted-renumbered", test_deleted_renumbered);
  ADD ("inserted", test_inserted);
  ADD ("reordered", test_reordered);
  ADD ("truncated-after-checkpoint", test_truncated);
  ADD ("rewritten-after-checkpoint", test_rewritten);
  ADD ("bad-checkpoint", test_bad_checkpoint);
  ADD ("strict-table", test_strict_table);
  for (gsize i = 0; i < G_N_ELEMENTS (type_tampers); i++)
    {
      g_autofree char *p1 = g_strdup_printf ("/ec/audit/type/%s", type_tampers[i].name);
      g_autofree char *p2 = g_strdup_printf ("/ec/audit/type-after-checkpoint/%s", type_tampers[i].name);
      g_test_add (p1, Fixture, &type_tampers[i], fixture_setup, test_type_tamper, fixture_teardown);
      g_test_add (p2, Fixture, &type_tampers[i], fixture_setup, test_type_tamper_after_checkpoint, fixture_teardown);
    }
  ADD ("filters", test_filters);
  ADD ("concurrent-writers", test_concurrent_writers);
#undef ADD
  return g_test_run ();
}
