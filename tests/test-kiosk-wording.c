/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-wording: details of the responder's screens that worked against the user
 * (issue 14): "blood type blood type unknown"; "age -1" for a resident without a date
 * of birth; technical footers (the reader's and the card format's own words, never
 * translated) on the problem screen; a card described as "a white card with the
 * community logo" while the printed face (src/core/ec-card-face.c) has a red band
 * saying 紧急联络卡 and no logo. */
#define G_LOG_DOMAIN "test-kiosk-wording"

#include "ec-kiosk-strings.h"
#include "kiosk-test-harness.h"

static EcKioskHarness T;

static gboolean
settled_cb (gpointer data)
{
  EcKioskScreen s = ec_kiosk_controller_get_screen (T.controller);
  return s == EC_KIOSK_SCREEN_RECORD || s == EC_KIOSK_SCREEN_PROBLEM;
}

static void
test_no_birth_date_unknown_blood (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  EcActor actor = { EC_ROLE_ADMIN, "test" };
  EcResidentId id = ec_kiosk_harness_card (&T, "02-valid-no-known-allergies")->resident;
  g_autoptr(EcResident) r = NULL;
  static const char *langs[] = { "en", "zh" };

  g_assert_no_error (error);
  g_assert_true (ec_db_get_resident (db, id, &actor, EC_DB_PURPOSE_EDIT, NULL, &r, &error));
  g_clear_pointer (&r->date_of_birth, g_free);
  r->blood_type = EC_BLOOD_UNKNOWN;
  g_assert_true (ec_db_resident_update (db, r, &actor, &error));
  g_assert_no_error (error);

  for (gsize l = 0; l < G_N_ELEMENTS (langs); l++)
    {
      g_autofree char *text = NULL;

      ec_kiosk_window_set_language (T.window, langs[l]);
      ec_kiosk_controller_open_manual (T.controller, id, "card missing");
      g_assert_true (ec_test_wait_until (settled_cb, NULL, 10000));
      ec_test_spin (100);
      g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_RECORD);
      text = ec_kiosk_harness_text (&T);
      g_test_message ("%s", text);
      g_assert_null (strstr (text, "-1 year"));
      g_assert_null (strstr (text, "age -1"));
      g_assert_null (strstr (text, "-1 岁"));
      g_assert_null (strstr (text, "-1岁"));
      g_assert_null (strstr (text, "blood type blood type"));
      g_assert_null (strstr (text, "血型 血型"));
      g_assert_null (strstr (text, "血型血型"));
      if (g_str_equal (langs[l], "en"))
        {
          ec_test_assert_contains (text, "age unknown");
          ec_test_assert_contains (text, "blood type unknown");
        }
      ec_kiosk_controller_clear (T.controller);
    }
  ec_kiosk_window_set_language (T.window, "en");
}

/* A damaged card: the problem screen says what to do, not what libnfc or the NDEF
 * parser said; that detail is for staff, under ☰ → Kiosk information. */
static void
test_no_technical_footer (void)
{
  static const char *langs[] = { "en", "zh" };

  for (gsize l = 0; l < G_N_ELEMENTS (langs); l++)
    {
      g_autofree char *path = g_strdup_printf ("%s/cards/10-damaged.tag", T.demo->dir);
      g_autofree char *text = NULL;
      const char *detail;

      ec_kiosk_window_set_language (T.window, langs[l]);
      ec_kiosk_controller_submit_image_file (T.controller, path);
      g_assert_true (ec_test_wait_until (settled_cb, NULL, 10000));
      ec_test_spin (100);
      g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_PROBLEM);
      detail = ec_kiosk_controller_get_result (T.controller)->detail;
      g_assert_nonnull (detail);
      text = ec_kiosk_harness_text (&T);
      g_test_message ("%s: detail \"%s\"; screen: %s", langs[l], detail, text);
      g_assert_null (strstr (text, detail));
      g_assert_null (strstr (text, "NDEF"));
      g_assert_null (strstr (text, "libnfc"));
      ec_kiosk_controller_clear (T.controller);
    }
  ec_kiosk_window_set_language (T.window, "en");
}

/* The card as printed: a red band, no logo. */
static void
test_card_described_as_printed (void)
{
  const char *en, *zh;

  ec_kiosk_i18n_set_language ("en");
  en = ec_kiosk_problem_next_step (EC_KIOSK_PROBLEM_UNSUPPORTED);
  g_assert_null (strstr (en, "logo"));
  ec_test_assert_contains (en, "red band");
  ec_test_assert_contains (en, "紧急联络卡");
  ec_kiosk_i18n_set_language ("zh");
  zh = ec_kiosk_problem_next_step (EC_KIOSK_PROBLEM_UNSUPPORTED);
  g_assert_null (strstr (zh, "标志"));
  ec_test_assert_contains (zh, "红色");
  ec_test_assert_contains (zh, "紧急联络卡");
  ec_kiosk_i18n_set_language ("en");
}

int
main (int    argc,
      char **argv)
{
  int status;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-wording-XXXXXX", 12);
  ec_kiosk_harness_load_config (&T);
  ec_kiosk_harness_open (&T, FALSE);
  ec_test_spin (200);

  g_test_add_func ("/ec/kiosk/wording/no-birth-date-unknown-blood", test_no_birth_date_unknown_blood);
  g_test_add_func ("/ec/kiosk/wording/no-technical-footer", test_no_technical_footer);
  g_test_add_func ("/ec/kiosk/wording/card-described-as-printed", test_card_described_as_printed);
  status = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  return status;
}
