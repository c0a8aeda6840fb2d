/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Crash safety: a child process importing a CSV is killed with SIGKILL at a random
 * moment, 200 times. Every time the database must pass integrity_check, hold either
 * all of that import or none of it, and its audit chain must verify with exactly one
 * "resident-add" entry per resident present. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ec-csv.h"
#include "ec-db.h"
#include "ec-demo.h"
#include "ec-error.h"
#include "ec-init.h"

#define ROWS 25

static const EcActor actor = { EC_ROLE_STAFF, "S0001" };

static char *
make_csv (void)
{
  GString *s = g_string_new (NULL);
  g_autofree char *header = ec_csv_header ();

  g_string_append (s, header);
  for (guint i = 0; i < ROWS; i++)
    {
      g_autoptr(EcResident) r = ec_demo_make_resident (77, i);
      g_autofree char *row = NULL;
      r->id = 0;   /* a fresh random id on every import */
      row = ec_csv_format_resident (r);
      g_string_append (s, row);
    }
  return g_string_free (s, FALSE);
}

static void
child_import (const char *path, const char *csv)
{
  g_autoptr(GError) error = NULL;
  EcDb *db = ec_db_open (path, EC_DB_OPEN_READ_WRITE, &error);

  if (db == NULL || !ec_csv_import_data (db, csv, strlen (csv), "crash.csv", FALSE, &actor, NULL, &error))
    _exit (3);
  ec_db_close (db);
  _exit (0);
}

static void
check_state (const char *path, guint64 *out_residents, gint64 *out_audit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (path, EC_DB_OPEN_READ_WRITE, &error);
  g_autoptr(GPtrArray) adds = NULL;
  EcAuditFilter filter = { 0 };
  guint64 n = 0;
  gint64 audit = 0;

  g_assert_no_error (error);
  g_assert_true (ec_db_integrity_check (db, &error));
  g_assert_no_error (error);
  g_assert_true (ec_db_resident_count (db, &n, &error));
  g_assert_true (ec_db_audit_verify (db, NULL, &audit, &error));
  g_assert_no_error (error);
  filter.action = "resident-add";
  g_assert_true (ec_db_audit_list (db, &filter, &adds, &error));
  /* The audit rows were written in the same transaction as the residents. */
  g_assert_cmpuint (adds->len, ==, n);
  *out_residents = n;
  *out_audit = audit;
}

static gint64
run_once (const char *path, const char *csv, gint64 kill_after_us, gboolean *out_killed)
{
  gint64 start = g_get_monotonic_time ();
  pid_t pid = fork ();
  int status = 0;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    child_import (path, csv);
  if (kill_after_us >= 0)
    {
      if (kill_after_us > 0)
        g_usleep ((gulong) kill_after_us);
      g_assert_no_errno (kill (pid, SIGKILL));
    }
  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  *out_killed = WIFSIGNALED (status);
  if (!*out_killed)
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  return g_get_monotonic_time () - start;
}

static void
test_crash_loop (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ec-crash-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "crash.db", NULL);
  g_autofree char *csv = make_csv ();
  guint iterations = 200, all = 0, none = 0, killed_mid = 0;
  guint64 residents = 0;
  gint64 audit = 0, full_us = 0;
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  gboolean killed;

  {
    g_autoptr(EcDb) db = ec_db_open (path, EC_DB_OPEN_CREATE, &error);
    g_assert_no_error (error);
  }
  /* How long one whole import takes here, to spread the kills over it. */
  for (int i = 0; i < 3; i++)
    {
      gint64 t = run_once (path, csv, -1, &killed);
      g_assert_false (killed);
      full_us = MAX (full_us, t);
    }
  check_state (path, &residents, &audit);
  g_assert_cmpuint (residents, ==, 3 * ROWS);
  g_test_message ("one import of %d residents takes up to %" G_GINT64_FORMAT " µs", ROWS, full_us);

  for (guint i = 0; i < iterations; i++)
    {
      guint64 before = residents, after = 0;
      gint64 audit_before = audit;
      /* Uniform over 0 .. 1.5 × the import time: most kills land inside it. */
      gint64 delay = g_rand_int_range (rand, 0, (gint32) MIN (full_us * 3 / 2 + 1, G_MAXINT32));

      run_once (path, csv, delay, &killed);
      check_state (path, &after, &audit);
      if (after == before)
        {
          none++;
          if (killed)
            killed_mid++;
          g_assert_cmpint (audit, ==, audit_before);
        }
      else
        {
          g_assert_cmpuint (after, ==, before + ROWS);
          g_assert_cmpint (audit, ==, audit_before + ROWS);
          all++;
        }
      residents = after;
    }
  g_test_message ("%u kills: %u left all of the import, %u none of it (%u of them killed before the commit)",
                  iterations, all, none, killed_mid);
  /* Both outcomes happened, so the kills did land inside imports. */
  g_assert_cmpuint (killed_mid, >, 0);
  g_assert_cmpuint (all + none, ==, iterations);

  g_rand_free (rand);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *p = g_strconcat (path, suffixes[i], NULL);
        (void) g_unlink (p);
      }
    g_assert_no_errno (g_rmdir (dir));
  }
}

int
main (int argc, char **argv)
{
  ec_init ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ec/db-crash/sigkill-during-import", test_crash_loop);
  return g_test_run ();
}
