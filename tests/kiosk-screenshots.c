/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-screenshots: render every kiosk screen, in Chinese and English, to PNG files
 * (`make screenshots` → docs/screenshots/). Uses the real window, controller, database
 * and card verifier on a fresh demo community (tests/kiosk-demo-fixture.h) in a scratch
 * directory; cards are submitted as tag image files (pictures need no reader).
 *
 *   kiosk-screenshots OUT_DIR */
#define G_LOG_DOMAIN "kiosk-screenshots"

#include "ec-db.h"
#include "ec-demo-panel.h"
#include "ec-init.h"
#include "ec-lookup-page.h"
#include "kiosk-test-harness.h"

static EcKioskController *controller;
static char *control;
static EcKioskWindow *window;
static const char *out_dir;
static guint n_written;

static gboolean
screen_settled (gpointer data)
{
  EcKioskScreen screen = ec_kiosk_controller_get_screen (controller);
  return screen != EC_KIOSK_SCREEN_READING || GPOINTER_TO_INT (data);
}

/* Let layout, the stack transition, the fonts and the feedback flash settle. */
static void
shoot (const char *name)
{
  if (ec_test_shoot (GTK_WIDGET (window), "kiosk-screenshots", 1100, out_dir, "%s-%s.png",
                     ec_kiosk_i18n_get_language (), name))
    n_written++;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static EcResidentId
first_resident (const char *db_path)
{
  g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_READ_ONLY, NULL);
  g_autoptr(GPtrArray) list = NULL;

  if (db == NULL || !ec_db_resident_list (db, 0, 1, &list, NULL) || list->len == 0)
    return 0;
  return ((EcResidentSummary *) g_ptr_array_index (list, 0))->id;
}

static void
shoot_language (const char *lang,
                const char *demo_dir,
                const char *db_path)
{
  g_autofree char *cards_dir = g_build_filename (demo_dir, "cards", NULL);
  g_autoptr(GDir) dir = g_dir_open (cards_dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  EcResidentId id;

  ec_kiosk_window_set_language (window, lang);
  ec_kiosk_controller_clear (controller);
  shoot ("waiting");

  ec_kiosk_controller_card_detected (controller);
  shoot ("reading");

  /* Every demo card, in name order: record and problem screens. */
  for (const char *n; dir != NULL && (n = g_dir_read_name (dir)) != NULL;)
    if (g_str_has_suffix (n, ".tag"))
      g_ptr_array_add (names, g_strdup (n));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *n = *(const char **) &g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (cards_dir, n, NULL);
      g_autofree char *stem = g_strndup (n, strlen (n) - 4);
      g_autofree char *shot = g_strconcat ("card-", stem, NULL);

      ec_kiosk_controller_submit_image_file (controller, path);
      ec_test_wait_until (screen_settled, NULL, 5000);
      shoot (shot);
    }

  /* The unsupported card is the emulator's MIFARE Classic, through the real reader. */
  g_free (ec_test_emulator_ctl (control, "place-mfc1k"));
  ec_kiosk_test_wait_screen (controller, EC_KIOSK_SCREEN_PROBLEM, 10000);
  shoot ("card-11-unsupported");
  g_free (ec_test_emulator_ctl (control, "remove"));
  ec_kiosk_controller_clear (controller);

  /* The reader unplugged. */
  g_free (ec_test_emulator_ctl (control, "unplug"));
  ec_kiosk_test_wait_reader_not (controller, EC_KIOSK_READER_READY, 15000);
  shoot ("waiting-reader-lost");
  g_free (ec_test_emulator_ctl (control, "replug"));
  ec_kiosk_test_wait_reader (controller, EC_KIOSK_READER_READY, 15000);

  ec_kiosk_controller_open_lookup (controller);
  {
    GtkWidget *page = ec_kiosk_window_get_page (window, EC_KIOSK_SCREEN_LOOKUP);
    ec_lookup_page_search (EC_LOOKUP_PAGE (page), "wang");
    ec_test_spin (600);
  }
  shoot ("lookup");

  id = first_resident (db_path);
  if (id != 0)
    {
      ec_kiosk_controller_open_manual (controller, id, "card missing");
      ec_test_wait_until (screen_settled, NULL, 5000);
      shoot ("manual-record");
    }
  ec_kiosk_controller_clear (controller);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(EcDemoFixture) demo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL, *demo_dir = NULL, *link = NULL;
  GPid emu_pid;

  setlocale (LC_ALL, "");
  g_setenv ("PANGO_LANGUAGE", "zh-cn:en", FALSE);
  if (argc != 2)
    {
      g_printerr ("usage: kiosk-screenshots OUT_DIR\n");
      return 2;
    }
  out_dir = argv[1];
  g_mkdir_with_parents (out_dir, 0755);
  ec_init ();
  tmp = g_dir_make_tmp ("kiosk-screenshots-XXXXXX", &error);
  if (tmp == NULL)
    {
      g_printerr ("kiosk-screenshots: %s\n", error->message);
      return 1;
    }
  demo_dir = g_build_filename (tmp, "demo", NULL);
  demo = ec_demo_fixture_create (demo_dir, 60, &error);
  if (demo == NULL || !ec_config_load_file (config, demo->conf_path, &error))
    {
      g_printerr ("kiosk-screenshots: %s\n", error->message);
      return 1;
    }

  gtk_init ();
  ec_kiosk_ui_init ();
  ec_kiosk_i18n_init ("zh");

  /* The emulated reader, so the pictures show "Reader ready". */
  link = g_build_filename (tmp, "reader", NULL);
  control = g_build_filename (tmp, "emulator.sock", NULL);
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);
  emu_pid = ec_test_start_emulator (link, control, NULL);
  g_free (config->device);
  config->device = g_strdup_printf ("pn532_uart:%s", link);

  controller = ec_kiosk_controller_new (config);
  window = ec_kiosk_window_new (NULL, controller, config, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  ec_kiosk_controller_start (controller);
  ec_kiosk_test_wait_reader (controller, EC_KIOSK_READER_READY, 15000);
  ec_test_spin (500);

  shoot_language ("zh", demo_dir, config->db_path);
  shoot_language ("en", demo_dir, config->db_path);

  /* make run: the kiosk with its demo panel, a card just tapped. */
  ec_kiosk_window_set_language (window, "zh");
  ec_kiosk_window_set_side_panel (window, ec_demo_panel_new (demo_dir));
  {
    g_autofree char *path = g_build_filename (demo_dir, "cards", "01-valid-allergies.tag", NULL);
    ec_kiosk_controller_submit_image_file (controller, path);
    ec_test_wait_until (screen_settled, NULL, 5000);
  }
  shoot ("demo-panel");
  ec_kiosk_window_set_side_panel (window, NULL);

  gtk_window_destroy (GTK_WINDOW (window));
  ec_kiosk_controller_stop (controller);
  g_clear_object (&controller);
  g_free (control);
  ec_test_stop_emulator (emu_pid);
  if (!ec_test_remove_tree (tmp))
    g_printerr ("kiosk-screenshots: could not remove %s\n", tmp);
  g_print ("%u screenshots written to %s\n", n_written, out_dir);
  return n_written > 0 ? 0 : 1;
}
