/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-test-harness.h: the kiosk under test, as the kiosk integration tests (and the
 * station's screenshot tool) set it up: a mktemp directory with the demo community
 * (kiosk-demo-fixture.h), the project's PN532 emulator on a private link, the kiosk's
 * configuration, a real controller and window; and the bounded waits and taps every
 * test makes on it. Header-only (static functions), like kiosk-test-util.h.
 *
 *   static EcKioskHarness T;
 *   ec_kiosk_test_init (&argc, &argv, TRUE);
 *   ec_kiosk_harness_create_demo (&T, "test-kiosk-x-XXXXXX", 60);
 *   ec_kiosk_harness_start_emulator (&T, NULL, NULL);
 *   ec_kiosk_harness_load_config (&T);
 *   ec_kiosk_harness_open (&T, TRUE);
 *   … g_test_run () …
 *   ec_kiosk_harness_close (&T, 100);
 *
 * A screenshot tool does the same after ec_kiosk_tool_init() instead of
 * ec_kiosk_test_init(), and opens the window at the pictures' size. */
#pragma once

#include <locale.h>

#include "ec-init.h"
#include "ec-kiosk-application.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-window.h"
#include "kiosk-demo-fixture.h"
#include "kiosk-test-util.h"

typedef struct
{
  char              *dir;          /* the test's mktemp directory; the demo is in dir/demo */
  EcDemoFixture     *demo;
  GPid               emu_pid;      /* 0: no emulator */
  char              *link;
  char              *control;
  EcConfig          *config;
  EcKioskController *controller;
  EcKioskWindow     *window;
} EcKioskHarness;

/* main()'s preamble for a kiosk test under xvfb-run: locale, no libnfc auto-scan,
 * (with @cjk_fonts) Chinese fonts first, GLib test and GTK set up, criticals fatal
 * (GTK's warnings about Xvfb's missing session bus and settings portal are not the
 * kiosk's), the kiosk's UI and English. */
static G_GNUC_UNUSED void
ec_kiosk_test_init (int        *argc,
                    char     ***argv,
                    gboolean    cjk_fonts)
{
  setlocale (LC_ALL, "");
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);
  if (cjk_fonts)
    g_setenv ("PANGO_LANGUAGE", "zh-cn:en", FALSE);
  g_test_init (argc, argv, NULL);
  gtk_init ();
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_log_set_fatal_handler (ec_test_ignore_environment_warnings, NULL);
  ec_kiosk_ui_init ();
  ec_kiosk_i18n_init ("en");
}

/* main()'s preamble for a screenshot tool (no GLib test): locale, (with @cjk_fonts)
 * Chinese fonts first, no libnfc auto-scan, @out_dir made, the core library, GTK,
 * the kiosk's UI in @lang. */
static G_GNUC_UNUSED void
ec_kiosk_tool_init (const char *out_dir,
                    const char *lang,
                    gboolean    cjk_fonts)
{
  setlocale (LC_ALL, "");
  if (cjk_fonts)
    g_setenv ("PANGO_LANGUAGE", "zh-cn:en", FALSE);
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);
  g_mkdir_with_parents (out_dir, 0755);
  ec_init ();
  gtk_init ();
  ec_kiosk_ui_init ();
  ec_kiosk_i18n_init (lang);
}

/* A mktemp directory from @tmpl with the demo community of @n_residents in it. */
static G_GNUC_UNUSED void
ec_kiosk_harness_create_demo (EcKioskHarness *h,
                              const char     *tmpl,
                              guint           n_residents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *demo_dir = NULL;

  h->dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  demo_dir = g_build_filename (h->dir, "demo", NULL);
  h->demo = ec_demo_fixture_create (demo_dir, n_residents, &error);
  g_assert_no_error (error);
  g_assert_nonnull (h->demo);
}

/* Start the emulator on dir/reader, its control socket in @control_dir (NULL: the
 * test's directory; the demo panel's demo.ini expects it in the demo's directory).
 * Extra emulator arguments follow, NULL-terminated. */
static G_GNUC_UNUSED void
ec_kiosk_harness_start_emulator (EcKioskHarness *h,
                                 const char     *control_dir,
                                 ...)
{
  va_list ap;

  h->link = g_build_filename (h->dir, "reader", NULL);
  h->control = g_build_filename (control_dir != NULL ? control_dir : h->dir, "emulator.sock", NULL);
  va_start (ap, control_dir);
  h->emu_pid = ec_test_start_emulator_valist (h->link, h->control, ap);
  va_end (ap);
}

/* The demo's kiosk.conf, reading from the emulator (when one runs). */
static G_GNUC_UNUSED void
ec_kiosk_harness_load_config (EcKioskHarness *h)
{
  g_autoptr(GError) error = NULL;

  h->config = ec_config_new ();
  g_assert_true (ec_config_load_file (h->config, h->demo->conf_path, &error));
  g_assert_no_error (error);
  if (h->link != NULL)
    {
      g_free (h->config->device);
      h->config->device = g_strdup_printf ("pn532_uart:%s", h->link);
    }
}

/* The controller and its window (not in kiosk mode; @width × @height when they are
 * > 0), presented; with @start the controller starts its reader. */
static G_GNUC_UNUSED void
ec_kiosk_harness_open_sized (EcKioskHarness *h,
                             gboolean        start,
                             int             width,
                             int             height)
{
  h->controller = ec_kiosk_controller_new (h->config);
  h->window = ec_kiosk_window_new (NULL, h->controller, h->config, FALSE);
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (h->window), width, height);
  gtk_window_present (GTK_WINDOW (h->window));
  if (start)
    ec_kiosk_controller_start (h->controller);
}

static G_GNUC_UNUSED void
ec_kiosk_harness_open (EcKioskHarness *h,
                       gboolean        start)
{
  ec_kiosk_harness_open_sized (h, start, 0, 0);
}

/* Close the window, stop the controller, let its workers finish for @settle_ms and
 * check nothing keeps it alive; stop the emulator, remove the directory. */
static G_GNUC_UNUSED void
ec_kiosk_harness_close (EcKioskHarness *h,
                        guint           settle_ms)
{
  gtk_window_destroy (GTK_WINDOW (h->window));
  ec_kiosk_controller_stop (h->controller);
  ec_test_spin (settle_ms);
  g_assert_finalize_object (g_steal_pointer (&h->controller));
  ec_test_stop_emulator (h->emu_pid);
  h->emu_pid = 0;
  g_clear_pointer (&h->demo, ec_demo_fixture_free);
  g_clear_pointer (&h->config, ec_config_free);
  if (h->dir != NULL && !ec_test_remove_tree (h->dir))
    g_warning ("could not remove %s", h->dir);
  g_clear_pointer (&h->dir, g_free);
  g_clear_pointer (&h->link, g_free);
  g_clear_pointer (&h->control, g_free);
}

/* The demo card cards/@file.tag (the test fails if there is none). */
static G_GNUC_UNUSED const EcDemoCard *
ec_kiosk_harness_card (EcKioskHarness *h,
                       const char     *file)
{
  for (guint i = 0; i < h->demo->n_cards; i++)
    if (g_str_equal (h->demo->cards[i].file, file))
      return &h->demo->cards[i];
  g_assert_not_reached ();
}

/* Send @command to the emulator (the test fails on "err"); in a test, logs it with
 * the answer, which it returns (g_free). */
static G_GNUC_UNUSED char *
ec_kiosk_harness_emu_answer (EcKioskHarness *h,
                             const char     *command)
{
  char *answer = ec_test_emulator_ctl (h->control, command);

  if (g_test_initialized ())
    g_test_message ("emulator: %s → %s", command, answer);
  return answer;
}

static G_GNUC_UNUSED void
ec_kiosk_harness_emu (EcKioskHarness *h,
                      const char     *command)
{
  g_free (ec_kiosk_harness_emu_answer (h, command));
}

/* Every visible label's text in the window (g_free). */
static G_GNUC_UNUSED char *
ec_kiosk_harness_text (EcKioskHarness *h)
{
  return ec_test_visible_text (GTK_WIDGET (h->window));
}

/* -- Bounded waits on a controller ---------------------------------------- */

typedef enum
{
  EC_KIOSK_TEST_SCREEN_IS,
  EC_KIOSK_TEST_READER_IS,
  EC_KIOSK_TEST_READER_IS_NOT,
} EcKioskTestWaitKind;

typedef struct
{
  EcKioskController   *controller;
  EcKioskTestWaitKind  kind;
  int                  value;
} EcKioskTestWait;

static G_GNUC_UNUSED gboolean
ec_kiosk_test_settled_cb (gpointer data)
{
  EcKioskScreen s = ec_kiosk_controller_get_screen (data);
  return s == EC_KIOSK_SCREEN_RECORD || s == EC_KIOSK_SCREEN_PROBLEM;
}

static G_GNUC_UNUSED gboolean
ec_kiosk_test_wait_cb (gpointer data)
{
  const EcKioskTestWait *w = data;

  switch (w->kind)
    {
    case EC_KIOSK_TEST_SCREEN_IS:
      return ec_kiosk_controller_get_screen (w->controller) == (EcKioskScreen) w->value;
    case EC_KIOSK_TEST_READER_IS:
      return ec_kiosk_controller_get_reader_state (w->controller) == (EcKioskReaderState) w->value;
    case EC_KIOSK_TEST_READER_IS_NOT:
      return ec_kiosk_controller_get_reader_state (w->controller) != (EcKioskReaderState) w->value;
    }
  g_assert_not_reached ();
}

/* Wait (≤ @timeout_ms) until @controller shows a record or a problem. */
static G_GNUC_UNUSED gboolean
ec_kiosk_test_wait_settled (EcKioskController *controller,
                            guint              timeout_ms)
{
  return ec_test_wait_until (ec_kiosk_test_settled_cb, controller, timeout_ms);
}

/* Wait (≤ @timeout_ms) until @controller shows @screen. */
static G_GNUC_UNUSED gboolean
ec_kiosk_test_wait_screen (EcKioskController *controller,
                           EcKioskScreen      screen,
                           guint              timeout_ms)
{
  EcKioskTestWait w = { controller, EC_KIOSK_TEST_SCREEN_IS, (int) screen };
  return ec_test_wait_until (ec_kiosk_test_wait_cb, &w, timeout_ms);
}

/* Wait (≤ @timeout_ms) until @controller's reader is in @state. */
static G_GNUC_UNUSED gboolean
ec_kiosk_test_wait_reader (EcKioskController  *controller,
                           EcKioskReaderState  state,
                           guint               timeout_ms)
{
  EcKioskTestWait w = { controller, EC_KIOSK_TEST_READER_IS, (int) state };
  return ec_test_wait_until (ec_kiosk_test_wait_cb, &w, timeout_ms);
}

/* Wait (≤ @timeout_ms) until @controller's reader is no longer in @state. */
static G_GNUC_UNUSED gboolean
ec_kiosk_test_wait_reader_not (EcKioskController  *controller,
                               EcKioskReaderState  state,
                               guint               timeout_ms)
{
  EcKioskTestWait w = { controller, EC_KIOSK_TEST_READER_IS_NOT, (int) state };
  return ec_test_wait_until (ec_kiosk_test_wait_cb, &w, timeout_ms);
}

/* -- Cards on the emulated reader ----------------------------------------- */

/* Take any card away and put @command (an emulator command: place-image …,
 * place-mfc1k …) on the reader; wait (≤ @timeout_ms; the test fails after) for the
 * record or problem screen, then let the page's labels be set. */
static G_GNUC_UNUSED void
ec_kiosk_harness_tap (EcKioskHarness *h,
                      const char     *command,
                      guint           timeout_ms)
{
  ec_kiosk_harness_emu (h, "remove");
  ec_kiosk_controller_clear (h->controller);
  ec_test_spin (300);   /* the reader notices the empty field */
  ec_kiosk_controller_clear (h->controller);   /* drop an answer that was still on its way */
  ec_kiosk_harness_emu (h, command);
  g_assert_true (ec_kiosk_test_wait_settled (h->controller, timeout_ms));
  ec_test_spin (50);    /* the stack switches, labels are set */
}

/* The emulator command that puts the demo card cards/@file.tag on the reader. */
static G_GNUC_UNUSED char *
ec_kiosk_harness_place_card_command (EcKioskHarness *h,
                                     const char     *file)
{
  return g_strdup_printf ("place-image %s/cards/%s.tag", h->demo->dir, file);
}

/* ec_kiosk_harness_tap() with the demo card cards/@file.tag. */
static G_GNUC_UNUSED void
ec_kiosk_harness_tap_card (EcKioskHarness *h,
                           const char     *file,
                           guint           timeout_ms)
{
  g_autofree char *cmd = ec_kiosk_harness_place_card_command (h, file);

  ec_kiosk_harness_tap (h, cmd, timeout_ms);
}

/* ec_kiosk_harness_tap_card(), and the record screen shows that card's resident. */
static G_GNUC_UNUSED void
ec_kiosk_harness_tap_record (EcKioskHarness *h,
                             const char     *file,
                             guint           timeout_ms)
{
  ec_kiosk_harness_tap_card (h, file, timeout_ms);
  g_assert_cmpint (ec_kiosk_controller_get_screen (h->controller), ==, EC_KIOSK_SCREEN_RECORD);
  g_assert_cmpuint (ec_kiosk_controller_get_result (h->controller)->resident->id, ==,
                    ec_kiosk_harness_card (h, file)->resident);
}

/* The demo database's audit entries for @resident (0 = any) and @action, oldest
 * first, read through the core as the station would. */
static G_GNUC_UNUSED GPtrArray *
ec_kiosk_harness_audit_entries (EcKioskHarness *h,
                                EcResidentId    resident,
                                const char     *action)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (h->demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  EcAuditFilter filter = { .resident_id = resident, .action = action };
  GPtrArray *entries = NULL;

  g_assert_no_error (error);
  g_assert_true (ec_db_audit_list (db, &filter, &entries, &error));
  g_assert_no_error (error);
  return entries;
}
