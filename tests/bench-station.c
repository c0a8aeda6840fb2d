/* SPDX-License-Identifier: GPL-3.0-or-later */
/* make bench-station: how long staff sign-in and card-face printing take here.
 *
 *   pin-hash      ec_pin_hash: pepper + Argon2id INTERACTIVE (2 passes, 64 MiB)
 *   pin-verify    ec_pin_verify of a correct PIN (the same Argon2id cost)
 *   sign-in       ec_staff_sign_in on a real SQLite file: staff row, verify, audit
 *                 entry (synchronous=FULL), the counter reset
 *   card-face     ec_card_face_write_pdf with a 300×400 PNG photo (and its size)
 *
 * Median and maximum of N runs each (--runs N, default 9). Target (card-security.md
 * §7 item 15): a PIN check of 0.1–0.5 s on the kiosk's hardware. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <cairo.h>
#include <sodium.h>

#include "ec-card-face.h"
#include "ec-db.h"
#include "ec-init.h"
#include "ec-pin.h"
#include "ec-staff.h"

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
report (const char *name,
        double     *ms,
        int         n,
        const char *extra)
{
  qsort (ms, (size_t) n, sizeof *ms, cmp_double);
  printf ("%-12s median %8.1f ms   max %8.1f ms   (%d runs)%s\n",
          name, ms[n / 2], ms[n - 1], n, extra != NULL ? extra : "");
}

static cairo_status_t
append (void *closure, const unsigned char *data, unsigned int len)
{
  g_byte_array_append (closure, data, len);
  return CAIRO_STATUS_SUCCESS;
}

int
main (int argc, char **argv)
{
  gint runs = 9;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs per figure", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— staff sign-in and card-face timings");
  g_autoptr(GError) error = NULL;
  g_autoptr(EcPepper) pepper = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *dbpath = NULL;
  g_autofree char *hash = NULL;
  g_autofree double *ms = NULL;
  guint8 key[EC_PEPPER_BYTES];
  EcActor actor = { EC_ROLE_ADMIN, "bench" };
  EcDb *db;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || runs < 1 || runs > 1000)
    {
      fprintf (stderr, "bench-station: %s\n", error != NULL ? error->message : "--runs 1..1000");
      return 2;
    }
  ec_init ();
  ms = g_new0 (double, runs);
  randombytes_buf (key, sizeof key);
  pepper = ec_pepper_new_from_data (key, sizeof key);
  sodium_memzero (key, sizeof key);

  for (int i = 0; i < runs; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_free (hash);
      hash = ec_pin_hash ("480915", pepper, &error);
      g_assert_no_error (error);
      ms[i] = (double) (g_get_monotonic_time () - t0) / 1000.0;
    }
  report ("pin-hash", ms, runs, NULL);

  for (int i = 0; i < runs; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      if (!ec_pin_verify (hash, "480915", pepper, NULL, &error))
        g_error ("%s", error->message);
      ms[i] = (double) (g_get_monotonic_time () - t0) / 1000.0;
    }
  report ("pin-verify", ms, runs, NULL);

  dir = g_dir_make_tmp ("ec-bench-station-XXXXXX", &error);
  g_assert_no_error (error);
  dbpath = g_build_filename (dir, "station.db", NULL);
  db = ec_db_open (dbpath, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  if (!ec_staff_create (db, "S0012", "张社工", EC_ROLE_STAFF, "730294", pepper, &actor, &error))
    g_error ("%s", error->message);
  for (int i = 0; i < runs; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      EcStaffSession *s = ec_staff_sign_in (db, pepper, "S0012", "730294",
                                            g_get_real_time () / G_USEC_PER_SEC, &error);
      if (s == NULL)
        g_error ("%s", error->message);
      ms[i] = (double) (g_get_monotonic_time () - t0) / 1000.0;
      ec_staff_session_free (s);
    }
  report ("sign-in", ms, runs, NULL);
  ec_db_close (db);

  {
    g_autoptr(EcResident) r = ec_resident_new ();
    g_autofree char *pdf = g_build_filename (dir, "card.pdf", NULL);
    GByteArray *png = g_byte_array_new ();
    cairo_surface_t *surf = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 300, 400);
    cairo_t *cr = cairo_create (surf);
    g_autofree char *extra = NULL;
    GStatBuf st;

    cairo_set_source_rgb (cr, 0.4, 0.6, 0.8);
    cairo_paint (cr);
    cairo_destroy (cr);
    cairo_surface_write_to_png_stream (surf, append, png);
    cairo_surface_destroy (surf);
    r->id = G_GUINT64_CONSTANT (0x00a1b2c3d4e5f607);
    r->name_zh = g_strdup ("王秀英");
    r->name_pinyin = g_strdup ("Wang Xiuying");
    r->photo = g_byte_array_free_to_bytes (png);
    for (int i = 0; i < runs; i++)
      {
        gint64 t0 = g_get_monotonic_time ();
        if (!ec_card_face_write_pdf (r, "幸福里社区服务站", "021-5555-0100", pdf, &error))
          g_error ("%s", error->message);
        ms[i] = (double) (g_get_monotonic_time () - t0) / 1000.0;
      }
    g_assert_cmpint (g_stat (pdf, &st), ==, 0);
    extra = g_strdup_printf ("   PDF %lld bytes", (long long) st.st_size);
    report ("card-face", ms, runs, extra);
    g_unlink (pdf);
  }

  {
    g_autofree char *wal = g_strconcat (dbpath, "-wal", NULL);
    g_autofree char *shm = g_strconcat (dbpath, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
    g_unlink (dbpath);
    g_rmdir (dir);
  }
  return 0;
}
