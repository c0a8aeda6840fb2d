/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tear matrix (card-security §3.4, §7 item 8), through the real libnfc and the
 * PN532 emulator: for every tag command k of an issuance (the emulator counts them:
 * GET_VERSION, READs, WRITEs, FAST_READs, including locking and its read-back) × each
 * tear mode (not-applied, lost-answer, half-written) × NTAG213/215/216:
 *
 *   A. one attempt, no retry (max_attempts 1, keep_pending): afterwards the card is
 *      blank, unfinished (does not verify), or valid with EXACTLY the recorded image —
 *      never valid with other content; the database says active only if it is valid;
 *   B. when A did not finish: run the issuance again (it resumes the pending one) — it
 *      succeeds, the card is valid with exactly the recorded image, and locked;
 *   C. the same tear with the normal retries inside one run: succeeds.
 *
 * Prints the number of cases. Under SANITIZE=1, every third k is run (the full matrix
 * runs in the plain build). */
#define G_LOG_DOMAIN "test-issue-tear"

#include <string.h>
#include <glib.h>

#include "ec-init.h"
#include "ec-reader.h"
#include "ec-test-emu.h"
#include "ec-test-issue.h"

static const char *modes[] = { "not-applied", "lost-answer", "half-written" };

typedef struct
{
  guint cases;
  guint a_finished;
  guint a_blank;
  guint a_unfinished;
  guint resumed;
} Counts;

static gboolean
user_area_blank (const EcTagImage *img)
{
  static const guint8 empty[4] = { 0x03, 0x00, 0xfe, 0x00 };
  const EcTagInfo *info = ec_tag_type_info (img->type);

  if (memcmp (img->pages[4], empty, 4) != 0)
    return FALSE;
  for (guint p = 5; p <= info->user_last_page; p++)
    for (guint i = 0; i < 4; i++)
      if (img->pages[p][i] != 0)
        return FALSE;
  return TRUE;
}

/* The pending or active image the database holds for @uid, or NULL. */
static EcTagImage *
recorded_image (EcTestStation *st,
                const char    *uid)
{
  g_autoptr(EcCardRecord) card = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  gsize len;

  if (!ec_db_card_get_pending (st->db, uid, &card, &blob, &error))
    return NULL;
  text = g_bytes_get_data (blob, &len);
  return ec_tag_image_parse (text, len, NULL);
}

/* Valid ⇒ exactly @expected in the user area. Returns TRUE when the card verifies. */
static gboolean
check_never_wrong (EcTestEmu        *emu,
                   EcTestStation    *st,
                   const EcTagImage *expected,
                   const char       *what)
{
  g_autoptr(EcTagImage) saved = ec_test_emu_save (emu);
  g_autoptr(EcCard) card = NULL;
  g_autoptr(GError) error = NULL;
  const EcTagInfo *info = ec_tag_type_info (saved->type);

  if (!ec_card_verify (saved, st->ring, g_get_real_time () / G_USEC_PER_SEC, &card, &error))
    return FALSE;
  if (expected == NULL || memcmp (saved->pages[4], expected->pages[4], (info->user_last_page - 3) * 4) != 0)
    g_error ("%s: the card verifies as valid but its content is not the recorded image", what);
  return TRUE;
}

static void
assert_locked (EcTestEmu *emu)
{
  g_autoptr(EcTagImage) saved = ec_test_emu_save (emu);
  const EcTagInfo *info = ec_tag_type_info (saved->type);

  g_assert_cmphex (saved->pages[2][2], ==, 0xff);
  g_assert_cmphex (saved->pages[3][3], ==, 0x0f);
  g_assert_cmphex (saved->pages[info->cfg1_page][0] & 0x40, ==, 0x40);
  g_assert_cmphex (saved->pages[info->cfg0_page][3], ==, 0xff);
}

static void
run_size (EcTestStation *st,
          const char    *type,
          guint          size_index,
          Counts        *counts)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start ("--seed", "7", NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  g_autoptr(GError) error = NULL;
  g_autofree char *stats = NULL;
  guint64 n_cmds;
  guint step = g_strcmp0 (g_getenv ("SANITIZE"), "1") == 0 ? 3 : 1;

  /* A clean issuance, to count its tag commands. */
  {
    g_autoptr(EcIssueResult) res = NULL;
    EcIssueParams p = ec_test_station_params (st, size_index);
    g_autofree char *uid = g_strdup_printf ("04%02x000000ffff", size_index);

    g_free (ec_test_emu_ctl (emu, "place %s %s", type, uid));
    g_free (ec_test_emu_ctl (emu, "stats reset"));
    res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    stats = ec_test_emu_ctl (emu, "stats");
    n_cmds = ec_test_emu_stat (stats, "tag_cmds");
    g_test_message ("%s: a clean issuance takes %" G_GUINT64_FORMAT " tag commands (%"
                    G_GUINT64_FORMAT " writes)", type, n_cmds, ec_test_emu_stat (stats, "write"));
  }

  for (guint k = 1; k <= n_cmds; k += step)
    for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
      {
        g_autoptr(EcIssueResult) res = NULL;
        g_autoptr(EcTagImage) expected = NULL;
        g_autoptr(EcCardRecord) rec = NULL;
        g_autofree char *what = g_strdup_printf ("%s tear %u %s", type, k, modes[m]);
        g_autofree char *uid = g_strdup_printf ("04%02x%04x%02x0000", size_index, k, m);
        EcIssueParams p = ec_test_station_params (st, size_index);
        gboolean valid;

        /* A: one attempt. */
        g_free (ec_test_emu_ctl (emu, "place %s %s", type, uid));
        g_free (ec_test_emu_ctl (emu, "tear %u %s", k, modes[m]));
        p.max_attempts = 1;
        p.keep_pending = TRUE;
        p.wait_ms = 1000;
        res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
        g_free (ec_test_emu_ctl (emu, "tear 0 not-applied"));
        expected = res != NULL ? ec_tag_image_copy (res->image) : recorded_image (st, uid);
        valid = check_never_wrong (emu, st, expected, what);
        counts->cases++;
        if (res != NULL)
          {
            g_assert_no_error (error);
            g_assert_true (valid);
            g_assert_true (ec_db_card_lookup (st->db, uid, &rec, &error));
            g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_ACTIVE);
            counts->a_finished++;
            continue;
          }
        g_assert_nonnull (error);
        g_assert_false (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_LOST));
        g_clear_error (&error);
        {
          g_autoptr(EcTagImage) saved = ec_test_emu_save (emu);
          if (user_area_blank (saved))
            counts->a_blank++;
          else
            counts->a_unfinished++;
        }
        if (ec_db_card_lookup (st->db, uid, &rec, NULL))
          g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_PENDING);

        /* B: run it again: it resumes (or starts, if nothing was recorded). */
        p.max_attempts = 0;
        p.keep_pending = FALSE;
        res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
        if (res == NULL)
          g_error ("%s: the issuance did not succeed when run again: %s", what, error->message);
        if (res->resumed)
          counts->resumed++;
        g_assert_true (check_never_wrong (emu, st, res->image, what));
        if (expected != NULL)
          g_assert_cmpmem (res->image->pages[4], 4 * 8, expected->pages[4], 4 * 8);
        assert_locked (emu);
        g_clear_pointer (&rec, ec_card_record_free);
        g_assert_true (ec_db_card_lookup (st->db, uid, &rec, &error));
        g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_ACTIVE);
      }

  /* C: the tear absorbed by the retries inside one run (every third k). */
  for (guint k = 1; k <= n_cmds; k += 3 * step)
    for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
      {
        g_autoptr(EcIssueResult) res = NULL;
        g_autofree char *what = g_strdup_printf ("%s tear %u %s, retried", type, k, modes[m]);
        g_autofree char *uid = g_strdup_printf ("04%02x%04x%02x0001", size_index, k, m);
        EcIssueParams p = ec_test_station_params (st, size_index);

        g_free (ec_test_emu_ctl (emu, "place %s %s", type, uid));
        g_free (ec_test_emu_ctl (emu, "tear %u %s", k, modes[m]));
        res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
        if (res == NULL)
          g_error ("%s: %s", what, error->message);
        g_assert_true (check_never_wrong (emu, st, res->image, what));
        assert_locked (emu);
        counts->cases++;
      }
}

static void
test_tear_matrix (void)
{
  g_autoptr(EcTestStation) st = ec_test_station_new ();
  Counts counts = { 0 };
  gint64 t0 = g_get_monotonic_time ();

  run_size (st, "ntag213", 0, &counts);
  run_size (st, "ntag215", 1, &counts);
  run_size (st, "ntag216", 2, &counts);
  g_test_message ("tear matrix: %u cases in %.1f s; one-attempt runs: %u finished anyway, "
                  "%u left the card blank, %u unfinished (none valid with wrong content); "
                  "%u completed by resuming the pending issuance",
                  counts.cases, (g_get_monotonic_time () - t0) / 1e6, counts.a_finished,
                  counts.a_blank, counts.a_unfinished, counts.resumed);
  printf ("# tear matrix: %u cases run\n", counts.cases);
  g_assert_cmpuint (counts.cases, >, 100);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ec_init ();
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);
  g_test_add_func ("/ec/issue/tear-matrix", test_tear_matrix);
  return g_test_run ();
}
