/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-screenshots: render every kiosk screen, in Chinese and English, to PNG files
 * (`make screenshots` → docs/screenshots/). Uses the real window, controller, database
 * and card verifier on the demo community made by build-aux/make-demo.sh; cards are
 * submitted as tag image files (the reader is not needed for pictures).
 *
 *   kiosk-screenshots DEMO_DIR OUT_DIR */
#define G_LOG_DOMAIN "kiosk-screenshots"

#include <locale.h>

#include "ec-db.h"
#include "ec-kiosk-application.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-window.h"
#include "ec-lookup-page.h"
#include "kiosk-test-util.h"

static EcKioskController *controller;
static EcKioskWindow *window;
static const char *out_dir;
static guint n_written;

static gboolean
screen_settled (gpointer data)
{
  EcKioskScreen screen = ec_kiosk_controller_get_screen (controller);
  return screen != EC_KIOSK_SCREEN_READING || GPOINTER_TO_INT (data);
}

static void
shoot (const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s-%s.png", ec_kiosk_i18n_get_language (), name);
  g_autofree char *path = g_build_filename (out_dir, file, NULL);
  g_autoptr(GError) error = NULL;

  /* Let layout, the stack transition and the fonts settle. */
  ec_test_spin (400);
  if (!ec_test_save_png (GTK_WIDGET (window), path, &error))
    g_printerr ("kiosk-screenshots: %s\n", error->message);
  else
    {
      g_print ("  %s\n", path);
      n_written++;
    }
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
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
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
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;

  setlocale (LC_ALL, "");
  g_setenv ("PANGO_LANGUAGE", "zh-cn:en", FALSE);
  if (argc != 3)
    {
      g_printerr ("usage: kiosk-screenshots DEMO_DIR OUT_DIR\n");
      return 2;
    }
  out_dir = argv[2];
  g_mkdir_with_parents (out_dir, 0755);
  conf = g_build_filename (argv[1], "kiosk.conf", NULL);
  if (!ec_config_load_file (config, conf, &error))
    {
      g_printerr ("kiosk-screenshots: %s\n", error->message);
      return 1;
    }

  gtk_init ();
  ec_kiosk_ui_init ();
  ec_kiosk_i18n_init ("zh");

  controller = ec_kiosk_controller_new (config);
  window = ec_kiosk_window_new (NULL, controller, config, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  ec_test_spin (500);

  shoot_language ("zh", argv[1], config->db_path);
  shoot_language ("en", argv[1], config->db_path);

  gtk_window_destroy (GTK_WINDOW (window));
  ec_kiosk_controller_stop (controller);
  g_clear_object (&controller);
  g_print ("%u screenshots written to %s\n", n_written, out_dir);
  return n_written > 0 ? 0 : 1;
}
