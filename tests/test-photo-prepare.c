/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-photo-prepare: a photo straight from a phone (4000 × 3000, several MB, EXIF
 * orientation and a GPS position) becomes one the database and every kiosk accept:
 * it passes ec_photo_probe(), is at most 256 KiB, fits 600 × 800 with its aspect
 * kept, is upright and carries no metadata. A small photo that already passes is kept
 * byte for byte; what is not a photo, or is cut off, is refused with a sentence. */
#define G_LOG_DOMAIN "test-photo-prepare"

#include <string.h>
#include <glib/gstdio.h>

#include "ec-db.h"
#include "ec-error.h"
#include "ec-photo.h"
#include "ec-test-phone-photo.h"

static char *tmpdir;

static char *
write_file (const char *name,
            GBytes     *bytes)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), &error));
  g_assert_no_error (error);
  return path;
}

static gboolean
has_bytes (GBytes     *b,
           const char *needle)
{
  gsize len, n = strlen (needle);
  const guint8 *d = g_bytes_get_data (b, &len);

  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (d + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* Prepare @path for the database; assert what every kiosk will check. */
static GBytes *
prepare_ok (const char         *path,
            EcPhotoPrepareInfo *info,
            char              **mime,
            EcPhotoInfo        *probe)
{
  g_autoptr(GError) error = NULL;
  GBytes *out = NULL;

  g_assert_true (ec_photo_prepare_file (path, EC_PHOTO_PREPARE_WIDTH, EC_PHOTO_PREPARE_HEIGHT,
                                        EC_DB_PHOTO_MAX_BYTES, &out, mime, info, &error));
  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_cmpuint (g_bytes_get_size (out), <=, EC_DB_PHOTO_MAX_BYTES);
  g_assert_cmpuint (info->bytes, ==, g_bytes_get_size (out));
  g_assert_true (ec_photo_probe (g_bytes_get_data (out, NULL), g_bytes_get_size (out), probe, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (*mime, ==, ec_photo_mime_type (probe->format));
  g_assert_cmpuint (probe->width, <=, EC_PHOTO_PREPARE_WIDTH);
  g_assert_cmpuint (probe->height, <=, EC_PHOTO_PREPARE_HEIGHT);
  g_assert_cmpuint (probe->width, ==, info->width);
  g_assert_cmpuint (probe->height, ==, info->height);
  return out;
}

static GdkPixbuf *
decode (GBytes *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (b);
  GdkPixbuf *p = gdk_pixbuf_new_from_stream (in, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (p);
  return p;
}

static const guint8 *
pixel (GdkPixbuf *p, int x, int y)
{
  return gdk_pixbuf_read_pixels (p) + (gsize) y * (gsize) gdk_pixbuf_get_rowstride (p)
         + (gsize) x * (gsize) gdk_pixbuf_get_n_channels (p);
}

/* A 4000 × 3000 JPEG at quality 95 (several MB): a baseline JPEG of 600 × 450, the
 * aspect kept, at most 256 KiB, and the label says what happened. */
static void
test_phone_jpeg (void)
{
  g_autoptr(GdkPixbuf) src = ec_test_draw_photo (4000, 3000, FALSE);
  g_autoptr(GBytes) jpeg = ec_test_encode (src, "jpeg", "95");
  g_autofree char *path = write_file ("phone.jpg", jpeg);
  g_autoptr(GBytes) out = NULL;
  g_autofree char *mime = NULL;
  g_autofree char *text = NULL;
  EcPhotoPrepareInfo info;
  EcPhotoInfo probe;
  gint64 t0, t1;

  g_assert_cmpuint (g_bytes_get_size (jpeg), >, 2 * 1024 * 1024);
  t0 = g_get_monotonic_time ();
  out = prepare_ok (path, &info, &mime, &probe);
  t1 = g_get_monotonic_time ();
  g_test_message ("4000 × 3000 JPEG q95: %zu bytes -> %zu bytes (%u × %u, quality %d) in %.0f ms",
                  g_bytes_get_size (jpeg), g_bytes_get_size (out), info.width, info.height,
                  info.quality, (double) (t1 - t0) / 1000.0);
  g_assert_cmpstr (mime, ==, "image/jpeg");
  g_assert_false (info.kept);
  g_assert_cmpint (info.quality, ==, 85);
  g_assert_cmpuint (probe.scans, ==, 1);
  g_assert_false (probe.progressive);
  g_assert_cmpuint (probe.width, ==, 600);
  g_assert_cmpuint (probe.height, ==, 450);
  g_assert_cmpuint (info.src_width, ==, 4000);
  g_assert_cmpuint (info.src_height, ==, 3000);
  g_assert_cmpuint (info.src_bytes, ==, g_bytes_get_size (jpeg));
  text = ec_photo_prepare_describe (&info, mime);
  g_assert_nonnull (strstr (text, "image/jpeg, "));
  g_assert_nonnull (strstr (text, "reduced from 4000 × 3000, "));
  g_assert_nonnull (strstr (text, "MiB)"));
}

/* The same photo as a phone held upright writes it: EXIF orientation 6 and a GPS
 * position. It comes out portrait (the red left half of the sensor on top), and
 * nothing of the EXIF, the position included, is left. */
static void
test_exif_rotated (void)
{
  g_autoptr(GdkPixbuf) src = ec_test_draw_photo (4000, 3000, FALSE);
  g_autoptr(GBytes) plain = ec_test_encode (src, "jpeg", "95");
  g_autoptr(GBytes) jpeg = ec_test_with_exif (plain);
  g_autofree char *path = write_file ("upright.jpg", jpeg);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GdkPixbuf) shown = NULL;
  g_autofree char *mime = NULL;
  EcPhotoPrepareInfo info;
  EcPhotoInfo probe;
  const guint8 *top, *bottom;

  /* gdk-pixbuf itself reads the orientation the test wrote. */
  {
    g_autoptr(GdkPixbuf) check = decode (jpeg);
    g_assert_cmpstr (gdk_pixbuf_get_option (check, "orientation"), ==, "6");
  }
  g_assert_true (has_bytes (jpeg, "Exif"));
  out = prepare_ok (path, &info, &mime, &probe);
  g_assert_cmpuint (probe.width, ==, 600);
  g_assert_cmpuint (probe.height, ==, 800);
  g_assert_false (has_bytes (out, "Exif"));
  g_assert_false (has_bytes (out, "II*"));
  shown = decode (out);
  g_assert_null (gdk_pixbuf_get_option (shown, "orientation"));
  top = pixel (shown, 300, 100);
  bottom = pixel (shown, 300, 700);
  g_assert_cmpuint (top[0], >, 150);      /* red on top */
  g_assert_cmpuint (top[2], <, 90);
  g_assert_cmpuint (bottom[2], >, 150);   /* blue below */
  g_assert_cmpuint (bottom[0], <, 90);
}

/* A 3000 × 2000 PNG with transparency: a 600 × 400 JPEG, transparent parts white. */
static void
test_png_alpha (void)
{
  g_autoptr(GdkPixbuf) src = ec_test_draw_photo (3000, 2000, TRUE);
  g_autoptr(GBytes) png = ec_test_encode (src, "png", NULL);
  g_autofree char *path = write_file ("drawing.png", png);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GdkPixbuf) shown = NULL;
  g_autofree char *mime = NULL;
  EcPhotoPrepareInfo info;
  EcPhotoInfo probe;
  const guint8 *corner, *middle;

  out = prepare_ok (path, &info, &mime, &probe);
  g_test_message ("3000 × 2000 PNG with alpha: %zu bytes -> %zu bytes", g_bytes_get_size (png),
                  g_bytes_get_size (out));
  g_assert_cmpstr (mime, ==, "image/jpeg");
  g_assert_cmpuint (probe.width, ==, 600);
  g_assert_cmpuint (probe.height, ==, 400);
  shown = decode (out);
  corner = pixel (shown, 3, 3);
  middle = pixel (shown, 150, 200);
  for (int c = 0; c < 3; c++)
    g_assert_cmpuint (corner[c], >=, 245);
  g_assert_cmpuint (middle[0], >, 150);
}

/* A small photo that already passes is stored as it is, byte for byte; a small one
 * with EXIF is re-encoded so its position does not go into the database. */
static void
test_small_kept (void)
{
  g_autoptr(GdkPixbuf) src = ec_test_draw_photo (300, 400, FALSE);
  g_autoptr(GBytes) jpeg = ec_test_encode (src, "jpeg", "85");
  g_autoptr(GBytes) tagged = ec_test_with_exif (jpeg);
  g_autofree char *path = write_file ("small.jpg", jpeg);
  g_autofree char *tagged_path = write_file ("small-gps.jpg", tagged);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) out2 = NULL;
  g_autofree char *mime = NULL;
  g_autofree char *mime2 = NULL;
  g_autofree char *text = NULL;
  EcPhotoPrepareInfo info;
  EcPhotoInfo probe;

  out = prepare_ok (path, &info, &mime, &probe);
  g_assert_true (info.kept);
  g_assert_true (g_bytes_equal (out, jpeg));
  text = ec_photo_prepare_describe (&info, mime);
  g_assert_nonnull (strstr (text, "kept as it is"));

  out2 = prepare_ok (tagged_path, &info, &mime2, &probe);
  g_assert_false (info.kept);
  g_assert_false (has_bytes (out2, "Exif"));
  g_assert_cmpuint (probe.width, ==, 400);   /* turned upright */
  g_assert_cmpuint (probe.height, ==, 300);
}

static void
assert_refused (const char *path,
                const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *mime = NULL;
  EcPhotoPrepareInfo info;

  g_assert_false (ec_photo_prepare_file (path, EC_PHOTO_PREPARE_WIDTH, EC_PHOTO_PREPARE_HEIGHT,
                                         EC_DB_PHOTO_MAX_BYTES, &out, &mime, &info, &error));
  g_assert_nonnull (error);
  g_assert_null (out);
  g_assert_null (mime);
  g_test_message ("%s: %s", path, error->message);
  if (strstr (error->message, words) == NULL)
    g_error ("expected “%s” in “%s”", words, error->message);
}

/* What is no photo, or a copy that stopped early, is refused in a sentence. */
static void
test_refused (void)
{
  g_autoptr(GdkPixbuf) src = ec_test_draw_photo (1200, 900, FALSE);
  g_autoptr(GBytes) jpeg = ec_test_encode (src, "jpeg", "95");
  g_autoptr(GBytes) png = ec_test_encode (src, "png", NULL);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (jpeg, 0, g_bytes_get_size (jpeg) / 2);
  g_autoptr(GBytes) cut_png = g_bytes_new_from_bytes (png, 0, g_bytes_get_size (png) * 2 / 3);
  g_autoptr(GBytes) text = g_bytes_new_static ("王秀英 1941-03-08\n", strlen ("王秀英 1941-03-08\n"));
  g_autofree char *cut_path = write_file ("cut.jpg", cut);
  g_autofree char *cut_png_path = write_file ("cut.png", cut_png);
  g_autofree char *text_path = write_file ("notes.txt", text);
  g_autofree char *empty_path = g_build_filename (tmpdir, "empty.jpg", NULL);
  g_autofree char *missing = g_build_filename (tmpdir, "missing.jpg", NULL);

  g_assert_true (g_file_set_contents (empty_path, "", 0, NULL));
  assert_refused (text_path, "neither PNG nor JPEG");
  assert_refused (cut_path, "cut off");
  assert_refused (cut_png_path, "cut off");
  assert_refused (empty_path, "empty");
  assert_refused (missing, "missing.jpg");
}

/* A limit no photo can meet is explained, not ignored. */
static void
test_too_small_limit (void)
{
  g_autoptr(GdkPixbuf) src = ec_test_draw_photo (1200, 900, FALSE);
  g_autoptr(GBytes) jpeg = ec_test_encode (src, "jpeg", "95");
  g_autofree char *path = write_file ("limit.jpg", jpeg);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *mime = NULL;

  g_assert_false (ec_photo_prepare_file (path, 600, 800, 1024, &out, &mime, NULL, &error));
  g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "600 × 450"));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  /* For tests/test-photo-cli.sh: write a phone's photo (4000 × 3000, quality 95,
   * EXIF orientation 6 and a GPS position) to the given file and exit. */
  if (g_getenv ("EC_TEST_WRITE_PHONE_JPEG") != NULL)
    {
      g_autoptr(GdkPixbuf) src = ec_test_draw_photo (4000, 3000, FALSE);
      g_autoptr(GBytes) plain = ec_test_encode (src, "jpeg", "95");
      g_autoptr(GBytes) jpeg = ec_test_with_exif (plain);

      if (!g_file_set_contents (g_getenv ("EC_TEST_WRITE_PHONE_JPEG"), g_bytes_get_data (jpeg, NULL),
                                (gssize) g_bytes_get_size (jpeg), &error))
        g_error ("%s", error->message);
      return 0;
    }

  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("test-photo-prepare-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/ec/photo-prepare/phone-jpeg", test_phone_jpeg);
  g_test_add_func ("/ec/photo-prepare/exif-rotated", test_exif_rotated);
  g_test_add_func ("/ec/photo-prepare/png-alpha", test_png_alpha);
  g_test_add_func ("/ec/photo-prepare/small-kept", test_small_kept);
  g_test_add_func ("/ec/photo-prepare/refused", test_refused);
  g_test_add_func ("/ec/photo-prepare/too-small-limit", test_too_small_limit);
  rc = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);
        g_remove (p);
      }
    g_rmdir (tmpdir);
  }
  g_free (tmpdir);
  return rc;
}
