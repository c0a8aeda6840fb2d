/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-nurse-screenshots: render the kiosk's nurse view, in Chinese and English, to
 * PNG files (`make screenshots-nurse`, part of `make screenshots` → docs/screenshots/,
 * named LANG-nurse-*.png). The real window in role nurse, controller, database, drug
 * table and card verifier, on a fresh fictional demo community in a scratch directory;
 * cards are submitted as tag image files, the emulated reader only makes the top bar
 * say "Reader ready".
 *
 *   kiosk-nurse-screenshots OUT_DIR */
#define G_LOG_DOMAIN "kiosk-nurse-screenshots"

#include "ec-db.h"
#include "ec-init.h"
#include "ec-nurse-page.h"
#include "kiosk-nurse-fixture.h"
#include "kiosk-test-harness.h"

static EcKioskController *controller;
static EcKioskWindow *window;
static const char *out_dir;
static const char *demo_dir;
static guint n_written;

/* Let layout, the stack transition, the fonts and the feedback flash settle. */
static void
shoot (const char *name)
{
  if (ec_test_shoot (GTK_WIDGET (window), "kiosk-nurse-screenshots", 1100, out_dir, "%s-nurse-%s.png",
                     ec_kiosk_i18n_get_language (), name))
    n_written++;
}

static EcNursePage *
nurse_page (void)
{
  return EC_NURSE_PAGE (ec_kiosk_window_get_page (window, EC_KIOSK_SCREEN_RECORD));
}

static gboolean
verdict_shown (gpointer data)
{
  return ec_nurse_page_get_state (nurse_page ()) == EC_NURSE_PAGE_VERDICT;
}

static void
tap (const char *card)
{
  g_autofree char *file = g_strconcat (card, ".tag", NULL);
  g_autofree char *path = g_build_filename (demo_dir, "cards", file, NULL);

  ec_kiosk_controller_clear (controller);
  ec_kiosk_controller_submit_image_file (controller, path);
  ec_kiosk_test_wait_screen (controller, EC_KIOSK_SCREEN_RECORD, 5000);
  ec_test_spin (100);
}

static void
type_drug (const char *drug)
{
  gtk_editable_set_text (GTK_EDITABLE (ec_test_find_named (GTK_WIDGET (nurse_page ()), "nurse-drug-entry")), drug);
  ec_test_spin (50);
}

static void
check (const char *drug)
{
  type_drug (drug);
  g_signal_emit_by_name (ec_test_find_named (GTK_WIDGET (nurse_page ()), "nurse-check-button"), "clicked");
  ec_test_wait_until (verdict_shown, NULL, 5000);
}

static void
shoot_language (const char *lang)
{
  ec_kiosk_window_set_language (window, lang);

  tap ("01-valid-allergies");
  shoot ("record");
  type_drug ("阿莫");
  shoot ("suggestions");
  check ("阿莫西林");
  shoot ("stop");
  gtk_editable_set_text (GTK_EDITABLE (ec_test_find_named (GTK_WIDGET (nurse_page ()), "nurse-dose-entry")), "0.5 g");
  gtk_editable_set_text (GTK_EDITABLE (ec_test_find_named (GTK_WIDGET (nurse_page ()), "nurse-id-entry")), "N007");

  tap ("03-valid-allergies-unknown");
  check ("阿莫西林");
  shoot ("caution");

  tap ("02-valid-no-known-allergies");
  check ("维生素B12");
  shoot ("no-recorded-conflict");

  tap ("02-valid-no-known-allergies");
  check ("鱼腥草注射液");
  shoot ("unknown-drug");

  ec_kiosk_controller_clear (controller);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(EcDemoFixture) demo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL, *dir = NULL, *link = NULL, *control = NULL;
  GPid emu_pid;

  setlocale (LC_ALL, "");
  g_setenv ("PANGO_LANGUAGE", "zh-cn:en", FALSE);
  if (argc != 2)
    {
      g_printerr ("usage: kiosk-nurse-screenshots OUT_DIR\n");
      return 2;
    }
  out_dir = argv[1];
  g_mkdir_with_parents (out_dir, 0755);
  ec_init ();
  tmp = g_dir_make_tmp ("kiosk-nurse-screenshots-XXXXXX", &error);
  if (tmp == NULL)
    {
      g_printerr ("kiosk-nurse-screenshots: %s\n", error->message);
      return 1;
    }
  dir = g_build_filename (tmp, "demo", NULL);
  demo_dir = dir;
  demo = ec_demo_fixture_create (dir, 60, &error);
  if (demo == NULL || !ec_nurse_fixture_give_penicillin_allergy (demo, &error)
      || !ec_config_load_file (config, demo->conf_path, &error))
    {
      g_printerr ("kiosk-nurse-screenshots: %s\n", error->message);
      return 1;
    }

  gtk_init ();
  ec_kiosk_ui_init ();
  ec_kiosk_i18n_init ("zh");

  link = g_build_filename (tmp, "reader", NULL);
  control = g_build_filename (tmp, "emulator.sock", NULL);
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);
  emu_pid = ec_test_start_emulator (link, control, NULL);
  g_free (config->device);
  config->device = g_strdup_printf ("pn532_uart:%s", link);
  config->role = EC_ROLE_NURSE;

  controller = ec_kiosk_controller_new (config);
  window = ec_kiosk_window_new (NULL, controller, config, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  ec_kiosk_controller_start (controller);
  ec_kiosk_test_wait_reader (controller, EC_KIOSK_READER_READY, 15000);
  ec_test_spin (500);

  shoot_language ("zh");
  shoot_language ("en");

  gtk_window_destroy (GTK_WINDOW (window));
  ec_kiosk_controller_stop (controller);
  g_clear_object (&controller);
  ec_test_stop_emulator (emu_pid);
  if (!ec_test_remove_tree (tmp))
    g_printerr ("kiosk-nurse-screenshots: could not remove %s\n", tmp);
  g_print ("%u nurse screenshots written to %s\n", n_written, out_dir);
  return n_written > 0 ? 0 : 1;
}
