/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-db: the resident database at district size (make bench-db; docs/benchmarks.md).
 *
 *   bench-db [--residents N] [--dir DIR] [--lookups N] [--csv-rows N]
 *
 * Generates N fictional residents (one active card each) into a fresh database in
 * DIR, then measures:
 *   - the bulk import (ec_demo_generate: batched prepared inserts, one transaction)
 *   - a CSV import through the audited per-resident path (--csv-rows of them)
 *   - lookups over 10,000 random residents: card UID -> card row; card UID -> full
 *     record with its audit entry committed (the kiosk's tap path); id -> full record,
 *     audited; id -> full record without the audit write (to show what the fsync costs)
 *   - search by name prefix (Chinese characters and pinyin), 2,000 queries, limit 20
 * and prints p50 / p99 / max for each. */
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "ec-compat.h"
#include "ec-csv.h"
#include "ec-db-private.h"
#include "ec-db.h"
#include "ec-demo.h"
#include "ec-init.h"

static const EcActor kiosk = { EC_ROLE_RESPONDER, "bench-kiosk" };

static int
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static void
report (const char *what, GArray *us)
{
  gint64 *v = (gint64 *) (gpointer) us->data;
  guint n = us->len;

  g_array_sort (us, cmp_i64);
  printf ("  %-46s n=%-6u p50 %8.3f ms   p99 %8.3f ms   max %8.3f ms\n", what, n,
          v[n / 2] / 1000.0, v[(n * 99) / 100] / 1000.0, v[n - 1] / 1000.0);
}

static double
cpu_seconds (void)
{
  struct rusage ru;

  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static gsize
file_size (const char *path)
{
  struct stat sb;
  return g_stat (path, &sb) == 0 ? (gsize) sb.st_size : 0;
}

int
main (int argc, char **argv)
{
  gint n_residents = 1000000, n_lookups = 10000, csv_rows = 100000;
  char *dir_opt = NULL;
  GOptionEntry entries[] = {
    { "residents", 'n', 0, G_OPTION_ARG_INT, &n_residents, "Residents to generate", "N" },
    { "lookups", 0, 0, G_OPTION_ARG_INT, &n_lookups, "Lookups per measurement", "N" },
    { "csv-rows", 0, 0, G_OPTION_ARG_INT, &csv_rows, "Rows for the audited CSV import", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir_opt, "Directory for the database files", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— resident database benchmark");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *path = NULL, *csv_path = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (EcResidentId));
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261129);
  double t, cpu0;

  ec_init ();
  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || n_residents < 1 || n_lookups < 1 || csv_rows < 0)
    {
      g_printerr ("bench-db: %s\n", error != NULL ? error->message : "bad arguments");
      return 2;
    }
  dir = dir_opt != NULL ? g_strdup (dir_opt) : g_dir_make_tmp ("ec-bench-XXXXXX", &error);
  g_assert_no_error (error);
  g_mkdir_with_parents (dir, 0700);
  path = g_build_filename (dir, "bench.db", NULL);
  csv_path = g_build_filename (dir, "bench-import.db", NULL);
  for (int i = 0; i < 2; i++)
    {
      const char *p = i == 0 ? path : csv_path;
      const char *suffixes[] = { "", "-wal", "-shm" };
      for (gsize k = 0; k < G_N_ELEMENTS (suffixes); k++)
        {
          g_autofree char *f = g_strconcat (p, suffixes[k], NULL);
          (void) g_unlink (f);
        }
    }

  printf ("eldercard database benchmark: %d residents, SQLite %s, database in %s\n",
          n_residents, sqlite3_libversion (), dir);

  /* 1. Bulk import. */
  db = ec_db_open (path, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  cpu0 = cpu_seconds ();
  g_timer_start (timer);
  if (!ec_demo_generate (db, (guint) n_residents, 1, &error))
    g_error ("generate: %s", error->message);
  t = g_timer_elapsed (timer, NULL);
  printf ("  %-46s %.1f s (%.0f residents/s; %.1f s CPU), file %.0f MB\n", "bulk import (generate, one transaction)",
          t, n_residents / t, cpu_seconds () - cpu0, file_size (path) / 1e6);

  /* 2. Reopen after a clean close (no check), and quick_check alone at this size: what
   * every open cost before it moved to db check / doctor / an unclean shutdown. */
  g_clear_pointer (&db, ec_db_close);
  g_timer_start (timer);
  db = ec_db_open (path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  printf ("  %-46s %.3f s\n", "open after a clean shutdown", g_timer_elapsed (timer, NULL));
  g_timer_start (timer);
  if (!ec_db_quick_check (db, &error))
    g_error ("quick_check: %s", error->message);
  printf ("  %-46s %.2f s\n", "quick_check (db check, doctor, unclean open)", g_timer_elapsed (timer, NULL));

  /* Sample residents and their active cards. */
  {
    g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT uid, resident_id FROM cards WHERE status = 0"
                                                  " ORDER BY random () LIMIT ?", &error);
    g_assert_nonnull (st);
    g_assert_true (_ec_db_bind (db, st, &error, "l", (gint64) n_lookups));
    while (_ec_db_step (db, st, "sample", &error) == SQLITE_ROW)
      {
        EcResidentId id = (EcResidentId) sqlite3_column_int64 (st, 1);
        g_ptr_array_add (uids, _ec_db_col_text (st, 0));
        g_array_append_val (ids, id);
      }
    g_assert_no_error (error);
  }

  /* 3. Lookups. */
  {
    g_autoptr(GArray) card_only = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GArray) tap = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GArray) by_id = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GArray) raw = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (guint i = 0; i < uids->len; i++)
      {
        g_autoptr(EcCardRecord) card = NULL;
        g_autoptr(EcResident) r = NULL;
        gint64 t0 = g_get_monotonic_time (), d;

        if (!ec_db_card_lookup (db, uids->pdata[i], &card, &error))
          g_error ("card: %s", error->message);
        d = g_get_monotonic_time () - t0;
        g_array_append_val (card_only, d);
        if (!ec_db_get_resident (db, card->resident_id, &kiosk, EC_DB_PURPOSE_CARD_TAP, NULL, &r, &error))
          g_error ("resident: %s", error->message);
        d = g_get_monotonic_time () - t0;
        g_array_append_val (tap, d);
      }
    for (guint i = 0; i < ids->len; i++)
      {
        g_autoptr(EcResident) r = NULL;
        EcResidentId id = g_array_index (ids, EcResidentId, (i * 7919u) % ids->len);
        gint64 t0 = g_get_monotonic_time (), d;
        if (!ec_db_get_resident (db, id, &kiosk, EC_DB_PURPOSE_NURSE_CHECK, NULL, &r, &error))
          g_error ("resident: %s", error->message);
        d = g_get_monotonic_time () - t0;
        g_array_append_val (by_id, d);
      }
    for (guint i = 0; i < ids->len; i++)
      {
        g_autoptr(EcResident) r = NULL;
        EcResidentId id = g_array_index (ids, EcResidentId, (i * 104729u) % ids->len);
        gint64 t0 = g_get_monotonic_time (), d;
        if (!_ec_db_load_resident (db, id, &r, &error))
          g_error ("load: %s", error->message);
        d = g_get_monotonic_time () - t0;
        g_array_append_val (raw, d);
      }
    printf ("lookups over %u random residents:\n", uids->len);
    report ("card UID -> card row", card_only);
    report ("card UID -> full record + audit entry (tap)", tap);
    report ("id -> full record + audit entry", by_id);
    report ("id -> full record, no audit write", raw);
  }

  /* 4. Search by name prefix. */
  {
    g_autoptr(GArray) zh1 = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GArray) zh2 = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GArray) py = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GArray) phone = g_array_new (FALSE, FALSE, sizeof (gint64));
    guint hits = 0;

    for (guint i = 0; i < 2000; i++)
      {
        g_autoptr(EcResident) sample = ec_demo_make_resident (1, (guint) g_rand_int_range (rand, 0, n_residents));
        const char *name = sample->name_zh;
        const char *second = g_utf8_next_char (name);
        g_autofree char *p1 = g_strndup (name, (gsize) (second - name));
        g_autofree char *p2 = g_strndup (name, (gsize) (g_utf8_next_char (second) - name));
        g_autofree char *pyq = g_strndup (sample->name_pinyin, MIN (strlen (sample->name_pinyin), 7));
        const char *queries[] = { p1, p2, pyq, "139-0000-12" };
        GArray *arrs[] = { zh1, zh2, py, phone };

        for (int q = 0; q < 4; q++)
          {
            g_autoptr(GPtrArray) res = NULL;
            gint64 t0 = g_get_monotonic_time (), d;
            if (!ec_db_search (db, queries[q], 20, &res, &error))
              g_error ("search: %s", error->message);
            d = g_get_monotonic_time () - t0;
            g_array_append_val (arrs[q], d);
            hits += res->len;
          }
      }
    printf ("search, limit 20 (%u results in all):\n", hits);
    report ("surname prefix (王)", zh1);
    report ("two-character prefix (王秀)", zh2);
    report ("pinyin prefix, 7 letters (\"Wang Xi\")", py);
    report ("phone prefix (139-0000-12)", phone);
  }

  /* 5. The audited per-resident path: a CSV export of part of the community
   * imported into a fresh database. */
  if (csv_rows > 0)
    {
      g_autoptr(GString) csv = g_string_new (NULL);
      g_autofree char *header = ec_csv_header ();
      g_autoptr(EcDb) db2 = ec_db_open (csv_path, EC_DB_OPEN_CREATE, &error);
      EcCsvImportReport rep = { 0 };
      const EcActor staff = { EC_ROLE_STAFF, "S0001" };

      g_assert_no_error (error);
      g_string_append (csv, header);
      for (gint i = 0; i < csv_rows; i++)
        {
          g_autoptr(EcResident) r = ec_demo_make_resident (2, (guint) i);
          g_autofree char *row = ec_csv_format_resident (r);
          g_string_append (csv, row);
        }
      g_timer_start (timer);
      if (!ec_csv_import_data (db2, csv->str, csv->len, "bench.csv", FALSE, &staff, &rep, &error))
        g_error ("csv import: %s", error->message);
      t = g_timer_elapsed (timer, NULL);
      printf ("  %-46s %.1f s for %u rows (%.0f rows/s; %.1f MB of CSV)\n",
              "CSV import, parsed, validated, audited per row", t, rep.n_imported, rep.n_imported / t, csv->len / 1e6);
      ec_csv_import_report_clear (&rep);
      g_timer_start (timer);
      if (!ec_db_audit_verify (db2, NULL, NULL, &error))
        g_error ("verify: %s", error->message);
      printf ("  %-46s %.2f s\n", "audit verify of that import's chain", g_timer_elapsed (timer, NULL));
    }

  g_clear_pointer (&db, ec_db_close);
  if (dir_opt == NULL)
    {
      const char *files[] = { "bench.db", "bench.db-wal", "bench.db-shm", "bench-import.db",
                              "bench-import.db-wal", "bench-import.db-shm" };
      for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *f = g_build_filename (dir, files[i], NULL);
          (void) g_unlink (f);
        }
      (void) g_rmdir (dir);
    }
  g_free (dir_opt);
  return 0;
}
