/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-countdown: a record clears itself for privacy after the idle timeout
 * (issue 14: it used to vanish mid-call with no warning). In the last seconds a bar
 * counts down; its button, or any touch, keeps the record; without one the screen
 * still clears (the privacy default stays). */
#define G_LOG_DOMAIN "test-kiosk-countdown"

#include "kiosk-test-harness.h"

static EcKioskHarness T;

static gboolean
countdown_shown_cb (gpointer data)
{
  return ec_kiosk_window_get_countdown_shown (T.window, NULL);
}

static gboolean
screen_is_cb (gpointer data)
{
  return ec_kiosk_controller_get_screen (T.controller) == (EcKioskScreen) GPOINTER_TO_INT (data);
}

static void
show_record (void)
{
  g_autofree char *path = g_strdup_printf ("%s/cards/01-valid-allergies.tag", T.demo->dir);

  ec_kiosk_controller_submit_image_file (T.controller, path);
  g_assert_true (ec_test_wait_until (screen_is_cb, GINT_TO_POINTER (EC_KIOSK_SCREEN_RECORD), 10000));
}

static void
test_countdown_keep_and_clear (void)
{
  g_autofree char *text = NULL;
  gint64 start;

  ec_kiosk_controller_set_idle_timeout (T.controller, 4);   /* the bar shows for the last 2 s */
  show_record ();
  ec_test_spin (300);
  /* Not at once: a fresh record carries no warning. */
  g_assert_false (ec_kiosk_window_get_countdown_shown (T.window, NULL));

  start = g_get_monotonic_time ();
  g_assert_true (ec_test_wait_until (countdown_shown_cb, NULL, 4000));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1000 * 1000);
  g_assert_true (ec_kiosk_window_get_countdown_shown (T.window, &text));
  g_test_message ("countdown: %s", text);
  g_assert_nonnull (strstr (text, "clears in"));
  g_assert_true (strpbrk (text, "12") != NULL);
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_RECORD);

  /* "Keep it on screen": the bar goes, the record stays past the old deadline. */
  g_signal_emit_by_name (ec_kiosk_window_get_countdown_button (T.window), "clicked");
  ec_test_spin (300);
  g_assert_false (ec_kiosk_window_get_countdown_shown (T.window, NULL));
  g_assert_cmpint (ec_kiosk_controller_get_idle_remaining_ms (T.controller), >, 3000);
  ec_test_spin (2200);
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_RECORD);

  /* Nobody touches it: the bar comes back, then the record clears. */
  g_assert_true (ec_test_wait_until (countdown_shown_cb, NULL, 3000));
  g_assert_true (ec_test_wait_until (screen_is_cb, GINT_TO_POINTER (EC_KIOSK_SCREEN_WAITING), 4000));
  ec_test_spin (300);
  g_assert_false (ec_kiosk_window_get_countdown_shown (T.window, NULL));
  g_assert_cmpint (ec_kiosk_controller_get_idle_remaining_ms (T.controller), ==, -1);
}

/* In Chinese too. */
static void
test_countdown_chinese (void)
{
  g_autofree char *text = NULL;

  ec_kiosk_window_set_language (T.window, "zh");
  ec_kiosk_controller_set_idle_timeout (T.controller, 2);
  show_record ();
  g_assert_true (ec_test_wait_until (countdown_shown_cb, NULL, 3000));
  g_assert_true (ec_kiosk_window_get_countdown_shown (T.window, &text));
  g_test_message ("countdown: %s", text);
  g_assert_nonnull (strstr (text, "秒"));
  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_window_set_language (T.window, "en");
}

int
main (int    argc,
      char **argv)
{
  int status;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-countdown-XXXXXX", 12);
  ec_kiosk_harness_load_config (&T);
  ec_kiosk_harness_open (&T, FALSE);
  ec_test_spin (200);

  g_test_add_func ("/ec/kiosk/countdown/keep-and-clear", test_countdown_keep_and_clear);
  g_test_add_func ("/ec/kiosk/countdown/chinese", test_countdown_chinese);
  status = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  return status;
}
