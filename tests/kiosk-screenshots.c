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

static EcKioskHarness H;
static const char *out_dir;
static guint n_written;

static gboolean
screen_settled (gpointer data)
{
  EcKioskScreen screen = ec_kiosk_controller_get_screen (H.controller);
  return screen != EC_KIOSK_SCREEN_READING || GPOINTER_TO_INT (data);
}

/* Let layout, the stack transition, the fonts and the feedback flash settle. */
static void
shoot (const char *name)
{
  if (ec_test_shoot (GTK_WIDGET (H.window), "kiosk-screenshots", 1100, out_dir, "%s-%s.png",
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

  ec_kiosk_window_set_language (H.window, lang);
  ec_kiosk_controller_clear (H.controller);
  shoot ("waiting");

  ec_kiosk_controller_card_detected (H.controller);
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

      ec_kiosk_controller_submit_image_file (H.controller, path);
      ec_test_wait_until (screen_settled, NULL, 5000);
      shoot (shot);
    }

  /* The unsupported card is the emulator's MIFARE Classic, through the real reader. */
  g_free (ec_test_emulator_ctl (H.control, "place-mfc1k"));
  ec_kiosk_test_wait_screen (H.controller, EC_KIOSK_SCREEN_PROBLEM, 10000);
  shoot ("card-11-unsupported");
  g_free (ec_test_emulator_ctl (H.control, "remove"));
  ec_kiosk_controller_clear (H.controller);

  /* The reader unplugged. */
  g_free (ec_test_emulator_ctl (H.control, "unplug"));
  ec_kiosk_test_wait_reader_not (H.controller, EC_KIOSK_READER_READY, 15000);
  shoot ("waiting-reader-lost");
  g_free (ec_test_emulator_ctl (H.control, "replug"));
  ec_kiosk_test_wait_reader (H.controller, EC_KIOSK_READER_READY, 15000);

  ec_kiosk_controller_open_lookup (H.controller);
  {
    GtkWidget *page = ec_kiosk_window_get_page (H.window, EC_KIOSK_SCREEN_LOOKUP);
    ec_lookup_page_search (EC_LOOKUP_PAGE (page), "wang");
    ec_test_spin (600);
  }
  shoot ("lookup");

  id = first_resident (db_path);
  if (id != 0)
    {
      ec_kiosk_controller_open_manual (H.controller, id, "card missing");
      ec_test_wait_until (screen_settled, NULL, 5000);
      shoot ("manual-record");
    }
  ec_kiosk_controller_clear (H.controller);
}

/* Every screen at the window sizes kiosks have (issue 14): sizes/LANG-WxH-SCREEN.png. */
static void
shoot_sizes (const char *lang)
{
  static const int sizes[][2] = { { 1280, 800 }, { 1366, 768 }, { 1024, 600 }, { 800, 1280 }, { 400, 800 } };
  static const char *cards[][2] = {
    { "01-valid-allergies", "record" }, { "04-valid-card-out-of-date", "record-out-of-date" },
    { "07-replaced", "problem-replaced" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *dir = g_build_filename (out_dir, "sizes", NULL);

      g_mkdir_with_parents (dir, 0755);
      gtk_window_destroy (GTK_WINDOW (H.window));
      ec_kiosk_i18n_set_language (lang);
      H.window = ec_kiosk_window_new (NULL, H.controller, H.config, FALSE);
      gtk_window_set_default_size (GTK_WINDOW (H.window), sizes[i][0], sizes[i][1]);
      gtk_window_present (GTK_WINDOW (H.window));
      ec_kiosk_controller_clear (H.controller);
      if (ec_test_shoot (GTK_WIDGET (H.window), "kiosk-screenshots", 800, dir, "%s-%dx%d-waiting.png",
                         lang, sizes[i][0], sizes[i][1]))
        n_written++;
      for (gsize c = 0; c < G_N_ELEMENTS (cards); c++)
        {
          g_autofree char *path = g_strdup_printf ("%s/cards/%s.tag", H.demo->dir, cards[c][0]);

          ec_kiosk_controller_submit_image_file (H.controller, path);
          ec_test_wait_until (screen_settled, NULL, 5000);
          if (ec_test_shoot (GTK_WIDGET (H.window), "kiosk-screenshots", 1100, dir, "%s-%dx%d-%s.png",
                             lang, sizes[i][0], sizes[i][1], cards[c][1]))
            n_written++;
          ec_kiosk_controller_clear (H.controller);
        }
      ec_kiosk_controller_open_lookup (H.controller);
      ec_lookup_page_search (EC_LOOKUP_PAGE (ec_kiosk_window_get_page (H.window, EC_KIOSK_SCREEN_LOOKUP)), "wang");
      if (ec_test_shoot (GTK_WIDGET (H.window), "kiosk-screenshots", 900, dir, "%s-%dx%d-search.png",
                         lang, sizes[i][0], sizes[i][1]))
        n_written++;
      ec_kiosk_controller_clear (H.controller);
    }
}

int
main (int    argc,
      char **argv)
{
  if (argc != 2)
    {
      g_printerr ("usage: kiosk-screenshots OUT_DIR\n");
      return 2;
    }
  out_dir = argv[1];
  ec_kiosk_tool_init (out_dir, "zh", TRUE);
  ec_kiosk_harness_create_demo (&H, "kiosk-screenshots-XXXXXX", 60);
  /* The emulated reader, so the pictures show "Reader ready". */
  ec_kiosk_harness_start_emulator (&H, NULL, NULL);
  ec_kiosk_harness_load_config (&H);
  ec_kiosk_harness_open_sized (&H, TRUE, 1280, 800);
  ec_kiosk_test_wait_reader (H.controller, EC_KIOSK_READER_READY, 15000);
  ec_test_spin (500);

  shoot_language ("zh", H.demo->dir, H.config->db_path);
  shoot_language ("en", H.demo->dir, H.config->db_path);

  /* make run: the kiosk with its demo panel, a card just tapped. */
  ec_kiosk_window_set_language (H.window, "zh");
  ec_kiosk_window_set_side_panel (H.window, ec_demo_panel_new (H.demo->dir));
  {
    g_autofree char *path = g_build_filename (H.demo->dir, "cards", "01-valid-allergies.tag", NULL);
    ec_kiosk_controller_submit_image_file (H.controller, path);
    ec_test_wait_until (screen_settled, NULL, 5000);
  }
  shoot ("demo-panel");
  ec_kiosk_window_set_side_panel (H.window, NULL);

  shoot_sizes ("zh");
  shoot_sizes ("en");

  ec_kiosk_harness_close (&H, 200);
  g_print ("%u screenshots written to %s\n", n_written, out_dir);
  return n_written > 0 ? 0 : 1;
}
