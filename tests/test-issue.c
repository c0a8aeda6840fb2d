/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issuing cards through the real libnfc and the PN532 emulator (card-security §3.4):
 * each size, locked and unlocked, what the card and the database hold afterwards,
 * refusals (used card, unsupported card, card of another resident), replacing, and
 * resuming an issuance that was interrupted. The tear matrix is test-issue-tear.c. */
#define G_LOG_DOMAIN "test-issue"

#include <string.h>
#include <glib.h>

#include "ec-init.h"
#include "ec-reader.h"
#include "ec-test-emu.h"
#include "ec-test-issue.h"

static void
on_progress (EcIssueStage  stage,
             const char   *message,
             gpointer      user_data)
{
  GPtrArray *lines = user_data;
  g_ptr_array_add (lines, g_strdup_printf ("%d %s", stage, message));
}

/* The emulator's card verifies with the kiosk's verifier and holds @expected's user
 * area exactly. */
static void
assert_card_valid (EcTestEmu     *emu,
                   EcTestStation *st,
                   EcIssueResult *res)
{
  g_autoptr(EcTagImage) saved = ec_test_emu_save (emu);
  g_autoptr(EcCard) card = NULL;
  g_autoptr(GError) error = NULL;
  const EcTagInfo *info = ec_tag_type_info (saved->type);

  g_assert_true (ec_card_verify (saved, st->ring, g_get_real_time () / G_USEC_PER_SEC, &card, &error));
  g_assert_no_error (error);
  /* Issued without a date of its own (ec-test-issue.h): every card expires, 5 years on. */
  g_assert_cmpuint (card->header.expires_days, ==,
                    (guint) (card->header.issued_at / 86400 + EC_CARD_DEFAULT_VALID_DAYS));
  g_assert_cmpmem (saved->pages[4], (info->user_last_page - 3) * 4,
                   res->image->pages[4], (info->user_last_page - 3) * 4);
}

static void
assert_locked (EcTestEmu *emu,
               gboolean   locked)
{
  g_autoptr(EcTagImage) saved = ec_test_emu_save (emu);
  const EcTagInfo *info = ec_tag_type_info (saved->type);
  guint8 dyn[4];

  ec_issue_dynamic_lock_bytes (saved->type, dyn);
  if (locked)
    {
      g_assert_cmphex (saved->pages[2][2], ==, 0xff);
      g_assert_cmphex (saved->pages[2][3], ==, 0xff);
      g_assert_cmphex (saved->pages[3][3], ==, 0x0f);
      g_assert_cmpmem (saved->pages[info->dyn_lock_page], 3, dyn, 3);
      g_assert_cmphex (saved->pages[info->cfg0_page][3], ==, 0xff);
      g_assert_cmphex (saved->pages[info->cfg1_page][0] & 0x40, ==, 0x40);
    }
  else
    {
      g_assert_cmphex (saved->pages[2][2], ==, 0);
      g_assert_cmphex (saved->pages[3][3], ==, 0);
      g_assert_cmphex (saved->pages[info->cfg1_page][0], ==, 0);
    }
}

static void
test_issue_sizes (void)
{
  g_autoptr(EcTestStation) st = ec_test_station_new ();
  static const char *types[] = { "ntag213", "ntag215", "ntag216" };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
      g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
      g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      g_autoptr(EcIssueResult) res = NULL;
      g_autoptr(EcCardRecord) rec = NULL;
      EcIssueParams p = ec_test_station_params (st, i);
      g_autofree char *uid = g_strdup_printf ("04112233445%03u", i);

      g_free (ec_test_emu_ctl (emu, "place %s %s", types[i], uid));
      res = ec_issue_card_sync (reader, &p, on_progress, lines, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (res);
      g_assert_cmpstr (res->uid_hex, ==, uid);
      g_assert_cmpuint (res->seq, ==, 1);
      g_assert_true (res->locked);
      g_assert_cmpuint (res->attempts, ==, 1);
      g_assert_false (res->resumed);
      assert_card_valid (emu, st, res);
      assert_locked (emu, TRUE);
      g_assert_true (ec_db_card_lookup (st->db, uid, &rec, &error));
      g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_ACTIVE);
      g_assert_cmpuint (rec->resident_id, ==, st->residents[i]);
      /* Progress went through every stage in order. */
      g_assert_cmpuint (lines->len, >=, 6);
      g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, lines->len - 1), "8 "));

      /* A locked card refuses any further write. */
      {
        guint8 junk[4] = { 1, 2, 3, 4 };
        g_autoptr(GBytes) b = g_bytes_new (junk, 4);
        g_assert_false (ec_reader_write_pages_sync (reader, uid, 5, b, NULL, &error));
        g_assert_error (error, EC_READER_ERROR, EC_READER_ERROR_WRITE_FAILED);
        g_clear_error (&error);
      }

      /* Issuing again on the same (now used) card is refused. */
      {
        g_autoptr(EcIssueResult) again = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
        g_assert_null (again);
        g_assert_error (error, EC_READER_ERROR, EC_READER_ERROR_NOT_BLANK);
      }
    }
}

static void
test_issue_no_lock_and_replace (void)
{
  g_autoptr(EcTestStation) st = ec_test_station_new ();
  g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcIssueResult) first = NULL;
  g_autoptr(EcIssueResult) second = NULL;
  g_autoptr(EcCardRecord) rec = NULL;
  EcIssueParams p = ec_test_station_params (st, 0);

  p.no_lock = TRUE;
  g_free (ec_test_emu_ctl (emu, "place ntag215 04aa0000000001"));
  first = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (first->locked);
  assert_card_valid (emu, st, first);
  assert_locked (emu, FALSE);

  /* A replacement: seq 2, the first card becomes "replaced". */
  p.no_lock = FALSE;
  g_free (ec_test_emu_ctl (emu, "place ntag216 04aa0000000002"));
  second = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->seq, ==, 2);
  g_assert_true (ec_db_card_lookup (st->db, "04aa0000000001", &rec, &error));
  g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_REPLACED);
  ec_card_record_free (g_steal_pointer (&rec));
  g_assert_true (ec_db_card_lookup (st->db, "04aa0000000002", &rec, &error));
  g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_ACTIVE);
}

static void
test_issue_refusals (void)
{
  g_autoptr(EcTestStation) st = ec_test_station_new ();
  g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcIssueResult) res = NULL;
  EcIssueParams p = ec_test_station_params (st, 1);

  /* Not an NTAG. */
  g_free (ec_test_emu_ctl (emu, "place-mfc1k"));
  res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
  g_assert_null (res);
  g_assert_error (error, EC_READER_ERROR, EC_READER_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* A used NTAG (CC locked by someone's phone app). */
  g_free (ec_test_emu_ctl (emu, "place ntag215 04bb0000000001"));
  {
    guint8 cc[4] = { 0xe1, 0x10, 0x3e, 0x0f };
    g_autoptr(GBytes) b = g_bytes_new (cc, 4);
    g_assert_true (ec_reader_write_pages_sync (reader, NULL, 3, b, NULL, &error));
  }
  res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
  g_assert_null (res);
  g_assert_error (error, EC_READER_ERROR, EC_READER_ERROR_NOT_BLANK);
  g_clear_error (&error);
  {
    g_autoptr(EcCardRecord) rec = NULL;
    g_assert_false (ec_db_card_lookup (st->db, "04bb0000000001", &rec, &error));
    g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* No card at all. */
  g_free (ec_test_emu_ctl (emu, "remove"));
  p.wait_ms = 500;
  res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
  g_assert_null (res);
  g_assert_error (error, EC_READER_ERROR, EC_READER_ERROR_TIMEOUT);
}

/* The card is pulled away mid-write and does not come back: the run ends with the
 * issuance pending; with the card back, the next run resumes it with the same bytes. */
static void
test_issue_pulled_and_resumed (void)
{
  g_autoptr(EcTestStation) st = ec_test_station_new ();
  g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcIssueResult) res = NULL;
  g_autoptr(EcTagImage) pulled = NULL;
  g_autoptr(EcCardRecord) rec = NULL;
  g_autofree char *image_path = g_build_filename (emu->dir, "pulled.tag", NULL);
  EcIssueParams p = ec_test_station_params (st, 2);

  g_free (ec_test_emu_ctl (emu, "place ntag215 04cc0000000001"));
  /* Tag command 6 is a body write: save the card right there and take it away. */
  g_free (ec_test_emu_ctl (emu, "tear 6 half-written"));
  p.max_attempts = 1;
  p.keep_pending = TRUE;
  res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
  g_assert_null (res);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (ec_db_card_lookup (st->db, "04cc0000000001", &rec, &error));
  g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_PENDING);

  /* Not valid on a kiosk in this state. */
  pulled = ec_test_emu_save (emu);
  {
    g_autoptr(EcCard) card = NULL;
    g_assert_false (ec_card_verify (pulled, st->ring, g_get_real_time () / G_USEC_PER_SEC, &card, &error));
    g_clear_error (&error);
  }
  g_assert_true (ec_tag_image_save_file (pulled, image_path, &error));
  g_free (ec_test_emu_ctl (emu, "remove"));
  g_free (ec_test_emu_ctl (emu, "place-image %s", image_path));

  p.max_attempts = 0;
  p.keep_pending = FALSE;
  res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (res->resumed);
  assert_card_valid (emu, st, res);
  assert_locked (emu, TRUE);
}

static void
tear_each_write (EcIssueStage  stage,
                 const char   *message,
                 gpointer      user_data)
{
  if (stage == EC_ISSUE_STAGE_WRITING)
    g_free (ec_test_emu_ctl (user_data, "tear 2 half-written"));
}

/* One tear is absorbed by a retry; a card that tears at every attempt is spoiled
 * after 3 attempts, and the database says so. */
static void
test_issue_retry_and_spoil (void)
{
  g_autoptr(EcTestStation) st = ec_test_station_new ();
  g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcIssueResult) res = NULL;
  g_autoptr(EcCardRecord) rec = NULL;
  EcIssueParams p = ec_test_station_params (st, 3);

  g_free (ec_test_emu_ctl (emu, "place ntag213 04dd0000000001"));
  g_free (ec_test_emu_ctl (emu, "tear 5 not-applied"));
  res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (res->attempts, ==, 2);
  g_assert_true (ec_db_card_lookup (st->db, "04dd0000000001", &rec, &error));
  g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_ACTIVE);
  g_clear_pointer (&rec, ec_card_record_free);
  g_clear_pointer (&res, ec_issue_result_free);

  p = ec_test_station_params (st, 2);
  g_free (ec_test_emu_ctl (emu, "place ntag215 04dd0000000002"));
  res = ec_issue_card_sync (reader, &p, tear_each_write, emu, NULL, &error);
  g_assert_null (res);
  g_assert_error (error, EC_READER_ERROR, EC_READER_ERROR_SPOILED);
  g_assert_true (ec_db_card_lookup (st->db, "04dd0000000002", &rec, &error));
  g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_SPOILED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ec_init ();
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);

  g_test_add_func ("/ec/issue/sizes", test_issue_sizes);
  g_test_add_func ("/ec/issue/no-lock-and-replace", test_issue_no_lock_and_replace);
  g_test_add_func ("/ec/issue/refusals", test_issue_refusals);
  g_test_add_func ("/ec/issue/pulled-and-resumed", test_issue_pulled_and_resumed);
  g_test_add_func ("/ec/issue/retry-and-spoil", test_issue_retry_and_spoil);
  return g_test_run ();
}
