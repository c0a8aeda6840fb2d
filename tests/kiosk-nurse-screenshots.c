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

static EcKioskHarness H;
static const char *out_dir;
static guint n_written;

/* Let layout, the stack transition, the fonts and the feedback flash settle. */
static void
shoot (const char *name)
{
  if (ec_test_shoot (GTK_WIDGET (H.window), "kiosk-nurse-screenshots", 1100, out_dir, "%s-nurse-%s.png",
                     ec_kiosk_i18n_get_language (), name))
    n_written++;
}

static EcNursePage *
nurse_page (void)
{
  return EC_NURSE_PAGE (ec_kiosk_window_get_page (H.window, EC_KIOSK_SCREEN_RECORD));
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
  g_autofree char *path = g_build_filename (H.demo->dir, "cards", file, NULL);

  ec_kiosk_controller_clear (H.controller);
  ec_kiosk_controller_submit_image_file (H.controller, path);
  ec_kiosk_test_wait_screen (H.controller, EC_KIOSK_SCREEN_RECORD, 5000);
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
  ec_kiosk_window_set_language (H.window, lang);

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

  ec_kiosk_controller_clear (H.controller);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;

  if (argc != 2)
    {
      g_printerr ("usage: kiosk-nurse-screenshots OUT_DIR\n");
      return 2;
    }
  out_dir = argv[1];
  ec_kiosk_tool_init (out_dir, "zh", TRUE);
  ec_kiosk_harness_create_demo (&H, "kiosk-nurse-screenshots-XXXXXX", 60);
  if (!ec_nurse_fixture_give_penicillin_allergy (H.demo, &error))
    {
      g_printerr ("kiosk-nurse-screenshots: %s\n", error->message);
      return 1;
    }
  ec_kiosk_harness_start_emulator (&H, NULL, NULL);
  ec_kiosk_harness_load_config (&H);
  H.config->role = EC_ROLE_NURSE;
  ec_kiosk_harness_open_sized (&H, TRUE, 1280, 860);
  ec_kiosk_test_wait_reader (H.controller, EC_KIOSK_READER_READY, 15000);
  ec_test_spin (500);

  shoot_language ("zh");
  shoot_language ("en");

  ec_kiosk_harness_close (&H, 200);
  g_print ("%u nurse screenshots written to %s\n", n_written, out_dir);
  return n_written > 0 ? 0 : 1;
}
