/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-read-aloud: a responder's hands are busy (issue 14). One button (and F5)
 * speaks the critical facts — name, age, allergies with their criticality, advance
 * directive, first contact and number — in the kiosk's language with espeak-ng, never
 * blocking the screen. Checks the spoken text, that the button returns at once, and
 * that espeak-ng produces audio for it in Chinese and English. */
#define G_LOG_DOMAIN "test-kiosk-read-aloud"

#include "ec-labels.h"
#include "ec-read-aloud.h"
#include "ec-record-view.h"
#include "kiosk-test-harness.h"

static EcKioskHarness T;

static gboolean
record_cb (gpointer data)
{
  return ec_kiosk_controller_get_screen (T.controller) == EC_KIOSK_SCREEN_RECORD;
}

static EcRecordView *
show_record (const char *file)
{
  g_autofree char *path = g_strdup_printf ("%s/cards/%s.tag", T.demo->dir, file);

  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_controller_submit_image_file (T.controller, path);
  g_assert_true (ec_test_wait_until (record_cb, NULL, 10000));
  ec_test_spin (100);
  return EC_RECORD_VIEW (ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_RECORD));
}

/* espeak-ng writes audio for @text: a WAV file with sound in it. */
static void
assert_audio (const char *text,
              const char *language)
{
  g_autofree char *wav = g_build_filename (T.dir, "spoken.wav", NULL);
  g_auto(GStrv) argv = ec_read_aloud_argv (text, language, wav);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_true (g_file_get_contents (wav, &data, &len, &error));
  g_test_message ("%s: %" G_GSIZE_FORMAT " bytes of WAV for \"%s\"", language, len, text);
  g_assert_cmpuint (len, >, 44 + 22050);   /* a header and more than half a second */
  g_assert_true (memcmp (data, "RIFF", 4) == 0);
  g_assert_true (memcmp (data + 8, "WAVE", 4) == 0);
  /* Not silence: some samples away from zero. */
  {
    guint loud = 0;
    for (gsize i = 44; i + 1 < len; i += 2)
      {
        gint16 sample = (gint16) ((guint8) data[i] | ((guint8) data[i + 1] << 8));
        if (ABS (sample) > 1000)
          loud++;
      }
    g_assert_cmpuint (loud, >, 1000);
  }
}

static void
test_english (void)
{
  EcRecordView *view;
  const EcResident *r;
  const char *spoken;
  gint64 start;

  ec_kiosk_window_set_language (T.window, "en");
  view = show_record ("01-valid-allergies");
  r = ec_kiosk_controller_get_result (T.controller)->resident;
  g_assert_null (ec_record_view_get_last_spoken (view));
  g_assert_true (gtk_widget_get_mapped (ec_record_view_get_read_aloud_button (view)));

  start = g_get_monotonic_time ();
  g_signal_emit_by_name (ec_record_view_get_read_aloud_button (view), "clicked");
  /* Never blocking: the speech runs in its own process. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 200 * 1000);
  spoken = ec_record_view_get_last_spoken (view);
  g_assert_nonnull (spoken);
  g_test_message ("spoken: %s", spoken);
  ec_test_assert_contains (spoken, r->name_zh);
  ec_test_assert_contains (spoken, "years");
  ec_test_assert_contains (spoken, "Allergies:");
  for (guint i = 0; i < r->allergies->len; i++)
    {
      const EcAllergy *a = g_ptr_array_index (r->allergies, i);
      g_autofree char *pair = g_strdup_printf ("%s, %s", a->substance, ec_label_criticality (a->criticality));
      ec_test_assert_contains (spoken, pair);
    }
  ec_test_assert_contains (spoken, "Advance directive:");
  ec_test_assert_contains (spoken, ec_label_dnr (r->dnr));
  ec_test_assert_contains (spoken, "First contact:");
  ec_test_assert_contains (spoken, ((EcContact *) g_ptr_array_index (r->contacts, 0))->name);
  ec_test_assert_contains (spoken, "1 3 9");   /* the number digit by digit */
  assert_audio (spoken, "en");
  ec_kiosk_controller_clear (T.controller);
}

/* F5 does what the button does, in Chinese. */
static void
test_chinese_key (void)
{
  EcRecordView *view;
  const char *spoken;

  ec_kiosk_window_set_language (T.window, "zh");
  view = show_record ("02-valid-no-known-allergies");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "record.read-aloud", NULL));
  spoken = ec_record_view_get_last_spoken (view);
  g_assert_nonnull (spoken);
  g_test_message ("spoken: %s", spoken);
  ec_test_assert_contains (spoken, "岁");
  ec_test_assert_contains (spoken, "无已知过敏");
  ec_test_assert_contains (spoken, "预立医疗指示");
  assert_audio (spoken, "zh");
  /* Cleared with the record (privacy). */
  ec_kiosk_controller_clear (T.controller);
  ec_test_spin (100);
  g_assert_null (ec_record_view_get_last_spoken (EC_RECORD_VIEW (ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_RECORD))));
  ec_kiosk_window_set_language (T.window, "en");
}

int
main (int    argc,
      char **argv)
{
  int status;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-read-aloud-XXXXXX", 12);
  ec_kiosk_harness_load_config (&T);
  ec_kiosk_harness_open (&T, FALSE);
  ec_test_spin (200);

  g_test_add_func ("/ec/kiosk/read-aloud/english", test_english);
  g_test_add_func ("/ec/kiosk/read-aloud/chinese-key", test_chinese_key);
  status = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  return status;
}
