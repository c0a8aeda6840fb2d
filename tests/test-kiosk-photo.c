/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-photo: staff choose a photo straight from a phone in the resident form
 * (a real window, the station editor): the form says "Preparing the photo…" and Save
 * waits while a worker thread reduces it, the main loop keeps running, and then the
 * photo is shown upright at 600 × 800 with a label saying what was done; the resident
 * the form hands to the page has a photo the database accepts, without the phone's
 * EXIF. Choosing another photo meanwhile forgets the first. Runs under xvfb-run. */
#define G_LOG_DOMAIN "test-kiosk-photo"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ec-db.h"
#include "ec-kiosk-application.h"
#include "ec-kiosk-i18n.h"
#include "ec-photo.h"
#include "ec-station-editor.h"
#include "ec-test-phone-photo.h"
#include "ec-test-photo.h"
#include "kiosk-test-util.h"

#define WAIT_MS 10000

static struct
{
  char            *dir;
  GtkWidget       *window;
  EcStationEditor *editor;
  char            *phone_path;   /* 4000 × 3000, quality 95, EXIF orientation 6 + GPS */
  gsize            phone_size;
  char            *small_path;   /* a 1 × 1 PNG: kept as it is */
  char            *text_path;
} T;

static gpointer
editor_child (const char *name)
{
  gpointer w = gtk_widget_get_template_child (GTK_WIDGET (T.editor), EC_TYPE_STATION_EDITOR, name);

  g_assert_nonnull (w);
  return w;
}

static const char *
photo_label (void)
{
  return gtk_label_get_text (editor_child ("photo_label"));
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("expected “%s”; the label shows “%s”", needle, text);
}

static gboolean
photo_ready (gpointer data)
{
  return !ec_station_editor_get_photo_busy (T.editor);
}

static gboolean
count_tick (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

static void
on_save (gpointer data)
{
  (*(guint *) data)++;
}

/* A fictional resident the form accepts as it is. */
static EcResident *
fictional_resident (void)
{
  EcResident *r = ec_resident_new ();
  EcContact *c = ec_contact_new ();

  r->id = G_GUINT64_CONSTANT (0x5eed0000000000a1);   /* an existing record being edited */
  r->name_zh = g_strdup ("钱淑芬");
  r->date_of_birth = g_strdup ("1938-11-02");
  r->allergy_status = EC_ALLERGY_STATUS_NONE_KNOWN;
  c->name = g_strdup ("钱建华");
  c->relation = g_strdup ("儿子");
  c->phones = g_new0 (char *, 2);
  c->phones[0] = g_strdup ("139 0000 5678");
  c->call_order = 1;
  g_ptr_array_add (r->contacts, c);
  return r;
}

static gboolean
has_exif (GBytes *b)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);

  for (gsize i = 0; i + 4 <= len; i++)
    if (memcmp (d + i, "Exif", 4) == 0)
      return TRUE;
  return FALSE;
}

/* The phone's photo through the file chooser's path: prepared in a worker thread
 * while the window keeps running; Save waits; then the label and the photo. */
static void
test_phone_photo (void)
{
  GtkWidget *save = editor_child ("save_button");
  g_autoptr(EcResident) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *src_size = g_format_size_full (T.phone_size, G_FORMAT_SIZE_IEC_UNITS);
  GdkPaintable *shown;
  EcPhotoInfo info;
  guint ticks = 0, tick_source;
  gint64 t0, t1;

  ec_station_editor_set_resident (T.editor, fictional_resident ());
  assert_contains (photo_label (), "No photo");

  tick_source = g_timeout_add (5, count_tick, &ticks);
  t0 = g_get_monotonic_time ();
  ec_station_editor_set_photo_file_async (T.editor, T.phone_path);
  t1 = g_get_monotonic_time ();
  g_test_message ("set_photo_file_async returned in %.1f ms", (double) (t1 - t0) / 1000.0);
  g_assert_true (ec_station_editor_get_photo_busy (T.editor));
  g_assert_cmpstr (photo_label (), ==, "Preparing the photo…");
  g_assert_false (gtk_widget_is_sensitive (save));
  /* Save pressed meanwhile (a keyboard shortcut, a double tap): nothing is saved. */
  {
    guint saves = 0;
    gulong id = g_signal_connect_swapped (T.editor, "save", G_CALLBACK (on_save), &saves);
    g_signal_emit_by_name (save, "clicked");
    g_assert_cmpuint (saves, ==, 0);
    g_signal_handler_disconnect (T.editor, id);
  }

  if (!ec_test_wait_until (photo_ready, NULL, WAIT_MS))
    g_error ("the photo was not ready after %d s; the label shows “%s”", WAIT_MS / 1000, photo_label ());
  t1 = g_get_monotonic_time ();
  g_source_remove (tick_source);
  g_test_message ("prepared in %.0f ms while the main loop ran %u times (5 ms timer)",
                  (double) (t1 - t0) / 1000.0, ticks);
  g_assert_cmpuint (ticks, >=, 1);
  g_assert_true (gtk_widget_is_sensitive (save));

  /* "Photo: image/jpeg, 12.5 KiB (reduced from 4000 × 3000, 4.1 MiB)" */
  g_test_message ("label: %s", photo_label ());
  assert_contains (photo_label (), "Photo: image/jpeg, ");
  expected = g_strdup_printf ("(reduced from 4000 × 3000, %s)", src_size);
  assert_contains (photo_label (), expected);
  assert_contains (photo_label (), "MiB)");
  shown = gtk_image_get_paintable (editor_child ("photo_image"));
  g_assert_nonnull (shown);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (shown), ==, 600);    /* upright */
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (shown), ==, 800);

  r = ec_station_editor_take_resident (T.editor);
  if (r == NULL)
    g_error ("the form refused: %s", gtk_label_get_text (editor_child ("problems_label")));
  g_assert_nonnull (r->photo);
  g_assert_cmpstr (r->photo_mime, ==, "image/jpeg");
  g_assert_cmpuint (g_bytes_get_size (r->photo), <=, EC_DB_PHOTO_MAX_BYTES);
  g_assert_true (ec_photo_probe (g_bytes_get_data (r->photo, NULL), g_bytes_get_size (r->photo), &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.width, ==, 600);
  g_assert_cmpuint (info.height, ==, 800);
  g_assert_cmpuint (info.scans, ==, 1);
  g_assert_false (has_exif (r->photo));
}

/* Another photo chosen while the first is being prepared: only the second counts,
 * even when the first finishes later. A file that is no photo is refused in the
 * problems label and the photo stays. */
static void
test_choose_again (void)
{
  g_autoptr(EcResident) r = NULL;
  gsize small_len = 0;
  g_autofree char *small = NULL;

  ec_station_editor_set_resident (T.editor, fictional_resident ());
  ec_station_editor_set_photo_file_async (T.editor, T.phone_path);
  ec_station_editor_set_photo_file_async (T.editor, T.small_path);
  g_assert_cmpstr (photo_label (), ==, "Preparing the photo…");
  g_assert_true (ec_test_wait_until (photo_ready, NULL, WAIT_MS));
  assert_contains (photo_label (), "Photo: image/png, 67 bytes (kept as it is)");
  ec_test_spin (1500);   /* the first worker has long finished: its result is ignored */
  assert_contains (photo_label (), "kept as it is");

  ec_station_editor_set_photo_file_async (T.editor, T.text_path);
  g_assert_true (ec_test_wait_until (photo_ready, NULL, WAIT_MS));
  assert_contains (gtk_label_get_text (editor_child ("problems_label")), "neither PNG nor JPEG");
  assert_contains (photo_label (), "kept as it is");

  r = ec_station_editor_take_resident (T.editor);
  if (r == NULL)
    g_error ("the form refused: %s", gtk_label_get_text (editor_child ("problems_label")));
  g_assert_cmpstr (r->photo_mime, ==, "image/png");
  g_assert_true (g_file_get_contents (T.small_path, &small, &small_len, NULL));
  g_assert_cmpmem (g_bytes_get_data (r->photo, NULL), g_bytes_get_size (r->photo), small, small_len);

  /* Clearing the form (sign-out) while a photo is prepared: nothing comes back. */
  ec_station_editor_set_photo_file_async (T.editor, T.phone_path);
  ec_station_editor_clear (T.editor);
  g_assert_false (ec_station_editor_get_photo_busy (T.editor));
  ec_test_spin (1500);
  assert_contains (photo_label (), "No photo");
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_log_set_fatal_handler (ec_test_ignore_environment_warnings, NULL);
  ec_kiosk_ui_init ();
  ec_kiosk_i18n_init ("en");

  T.dir = g_dir_make_tmp ("test-kiosk-photo-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autoptr(GdkPixbuf) src = ec_test_draw_photo (4000, 3000, FALSE);
    g_autoptr(GBytes) plain = ec_test_encode (src, "jpeg", "95");
    g_autoptr(GBytes) jpeg = ec_test_with_exif (plain);

    T.phone_path = g_build_filename (T.dir, "IMG_2041.jpg", NULL);
    T.phone_size = g_bytes_get_size (jpeg);
    g_assert_true (g_file_set_contents (T.phone_path, g_bytes_get_data (jpeg, NULL), (gssize) T.phone_size, NULL));
  }
  T.small_path = g_build_filename (T.dir, "small.png", NULL);
  g_assert_true (g_file_set_contents (T.small_path, (const char *) ec_test_png_1x1, sizeof ec_test_png_1x1, NULL));
  T.text_path = g_build_filename (T.dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (T.text_path, "not a photo\n", -1, NULL));

  T.window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (T.window), 1024, 800);
  T.editor = EC_STATION_EDITOR (ec_station_editor_new ());
  gtk_window_set_child (GTK_WINDOW (T.window), GTK_WIDGET (T.editor));
  gtk_window_present (GTK_WINDOW (T.window));

  g_test_add_func ("/ec/kiosk/photo/phone-photo", test_phone_photo);
  g_test_add_func ("/ec/kiosk/photo/choose-again", test_choose_again);
  rc = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (T.window));
  ec_test_spin (50);
  g_remove (T.phone_path);
  g_remove (T.small_path);
  g_remove (T.text_path);
  g_rmdir (T.dir);
  g_free (T.phone_path);
  g_free (T.small_path);
  g_free (T.text_path);
  g_free (T.dir);
  return rc;
}
