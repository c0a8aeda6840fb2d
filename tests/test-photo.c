/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Resident photos are probed before any decoder sees them: PNG and ordinary JPEG
 * are accepted with their real size; decompression bombs, JPEGs in many passes,
 * unusual JPEG kinds and damaged files are refused with a sentence staff can act
 * on, by the card face, and by the database that every kiosk decodes from. */
#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "ec-card-face.h"
#include "ec-db.h"
#include "ec-demo.h"
#include "ec-error.h"
#include "ec-init.h"
#include "ec-photo.h"
#include "ec-test-photo.h"

/* ---- a small JPEG writer for headers (the decoder fills missing data) --------- */

static void
put_segment (GByteArray   *b,
             guint8        marker,
             const guint8 *body,
             guint         len)
{
  guint8 head[4] = { 0xff, marker, (guint8) ((len + 2) >> 8), (guint8) (len + 2) };
  g_byte_array_append (b, head, 4);
  g_byte_array_append (b, body, len);
}

/* A grey JPEG of @w × @h declaring @scans scans of @sof (0xc0 baseline, 0xc2
 * progressive), each with @scan_bytes bytes of entropy-coded data. */
static gboolean pad_first_scan = TRUE;

static GBytes *
make_jpeg (guint8 sof,
           guint  w,
           guint  h,
           guint  scans,
           guint  precision,
           const guint8 *scan_data,
           guint  scan_bytes)
{
  GByteArray *b = g_byte_array_new ();
  guint8 dqt[65] = { 0 };
  guint8 frame[9] = { (guint8) precision, (guint8) (h >> 8), (guint8) h, (guint8) (w >> 8), (guint8) w,
                      1, 1, 0x11, 0 };
  guint8 dht_dc[18] = { 0x00, 1 }, dht_ac[18] = { 0x10, 1 };
  static const guint8 soi[2] = { 0xff, 0xd8 }, eoi[2] = { 0xff, 0xd9 };

  memset (dqt + 1, 1, 64);
  g_byte_array_append (b, soi, 2);
  put_segment (b, 0xdb, dqt, sizeof dqt);
  put_segment (b, sof, frame, sizeof frame);
  put_segment (b, 0xc4, dht_dc, sizeof dht_dc);
  put_segment (b, 0xc4, dht_ac, sizeof dht_ac);
  for (guint i = 0; i < scans; i++)
    {
      guint8 band = (guint8) (1 + (i - 1) % 63);
      guint8 sos[6] = { 1, 1, 0x00, 0, 0x3f, 0 };
      if (sof == 0xc2)
        {
          sos[3] = i == 0 ? 0 : band;
          sos[4] = i == 0 ? 0 : band;
        }
      put_segment (b, 0xda, sos, sizeof sos);
      g_byte_array_append (b, scan_data, scan_bytes);
      /* As much entropy-coded data as the frame needs at the least (one bit per
       * 8 × 8 block), unless the test wants a file that ends before its frame. */
      if (i == 0 && pad_first_scan)
        {
          gsize need = ((gsize) ((w + 7) / 8) * ((h + 7) / 8) + 7) / 8;
          guint8 *fill = g_malloc0 (need);
          g_byte_array_append (b, fill, (guint) need);
          g_free (fill);
        }
    }
  g_byte_array_append (b, eoi, 2);
  return g_byte_array_free_to_bytes (b);
}

static const guint8 zeros[4] = { 0 };

static gboolean
probe (GBytes      *bytes,
       EcPhotoInfo *info,
       GError     **error)
{
  return ec_photo_probe (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), info, error);
}

static void
assert_refused (GBytes     *bytes,
                const char *says)
{
  g_autoptr(GError) error = NULL;
  cairo_surface_t *s;

  g_assert_false (probe (bytes, NULL, &error));
  g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
  if (strstr (error->message, says) == NULL)
    g_error ("“%s” does not say “%s”", error->message, says);
  g_clear_error (&error);

  /* The card face refuses it the same way (and so draws the silhouette). */
  s = ec_card_face_load_photo (bytes, &error);
  g_assert_null (s);
  g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
}

/* ---- tests ------------------------------------------------------------------ */

static void
test_png (void)
{
  g_autoptr(GBytes) png = g_bytes_new_static (ec_test_png_1x1, sizeof ec_test_png_1x1);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *wide = g_memdup2 (ec_test_png_1x1, sizeof ec_test_png_1x1);
  g_autoptr(GBytes) bomb = NULL;
  EcPhotoInfo info;

  g_assert_true (probe (png, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.format, ==, EC_PHOTO_PNG);
  g_assert_cmpuint (info.width, ==, 1);
  g_assert_cmpuint (info.height, ==, 1);
  g_assert_cmpstr (ec_photo_mime_type (info.format), ==, "image/png");

  /* 5000 pixels wide: refused, and the message gives both sizes. */
  wide[18] = 0x13; wide[19] = 0x88;
  bomb = g_bytes_new (wide, sizeof ec_test_png_1x1);
  assert_refused (bomb, "5000 × 1");
}

static void
test_real_jpeg (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 300, 400);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *buf = NULL;
  gsize len = 0;
  EcPhotoInfo info;
  cairo_surface_t *s;

  /* What a photo editor writes: JFIF, quantisation and Huffman tables, one scan. */
  gdk_pixbuf_fill (pixbuf, 0x3366ccff);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buf, &len, "jpeg", &error, "quality", "85", NULL));
  g_assert_no_error (error);
  bytes = g_bytes_new (buf, len);
  g_assert_true (probe (bytes, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.format, ==, EC_PHOTO_JPEG);
  g_assert_cmpuint (info.width, ==, 300);
  g_assert_cmpuint (info.height, ==, 400);
  g_assert_cmpuint (info.scans, ==, 1);
  g_assert_false (info.progressive);

  s = ec_card_face_load_photo (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 300);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 400);
  cairo_surface_destroy (s);

  /* Every truncation is either refused or (after the first scan began) handed to
   * the decoder, never read past its end. */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GError) e = NULL;
      EcPhotoInfo part;
      if (!ec_photo_probe ((const guint8 *) buf, cut, &part, &e))
        g_assert_error (e, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
      else
        g_assert_cmpuint (part.scans, >=, 1);
    }
}

static void
test_jpeg_scans (void)
{
  /* Stuffed 0xFF00, a restart marker and fill bytes inside a scan are data, not
   * a new segment: the scans are still counted right. */
  static const guint8 tricky[] = { 0x12, 0xff, 0x00, 0x34, 0xff, 0xd3, 0x56 };
  g_autoptr(GBytes) progressive = make_jpeg (0xc2, 640, 480, 10, 8, tricky, sizeof tricky);
  g_autoptr(GBytes) baseline = make_jpeg (0xc0, 4096, 4096, 1, 8, zeros, sizeof zeros);
  g_autoptr(GError) error = NULL;
  EcPhotoInfo info;

  g_assert_true (probe (progressive, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.scans, ==, 10);
  g_assert_true (info.progressive);
  g_assert_cmpuint (info.width, ==, 640);
  g_assert_cmpuint (info.height, ==, 480);

  /* The largest side accepted. */
  g_assert_true (probe (baseline, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.width, ==, 4096);
}

/* A few hundred bytes whose frame header claims 5200 × 19000 pixels: structurally a
 * whole JPEG (SOI … EOI), but its data ends long before the frame it declares. It
 * used to be accepted and "reduced", storing the decoder's grey filler. */
static void
test_jpeg_short_data (void)
{
  g_autoptr(GBytes) crafted = NULL;
  g_autoptr(GError) error = NULL;
  EcPhotoInfo info;

  pad_first_scan = FALSE;
  crafted = make_jpeg (0xc0, 5200, 19000, 1, 8, zeros, sizeof zeros);
  pad_first_scan = TRUE;
  g_assert_cmpuint (g_bytes_get_size (crafted), <, 1024);
  g_assert_false (ec_photo_probe_structure (g_bytes_get_data (crafted, NULL), g_bytes_get_size (crafted),
                                            &info, &error));
  g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "5200 × 19000"));
  g_clear_error (&error);
  /* The same frame with enough data is a (large) photo as far as the structure goes. */
  g_clear_pointer (&crafted, g_bytes_unref);
  crafted = make_jpeg (0xc0, 5200, 19000, 1, 8, zeros, sizeof zeros);
  g_assert_true (ec_photo_probe_structure (g_bytes_get_data (crafted, NULL), g_bytes_get_size (crafted),
                                           &info, &error));
  g_assert_no_error (error);
}

static void
test_jpeg_bombs (void)
{
  /* The input the fuzzer timed out on (CI, session 2) was of this kind: a few
   * hundred bytes declaring 4096 × 4096 pixels in dozens of progressive scans,
   * each one a full redraw in GdkPixbufLoader (7 s for 64 scans). */
  g_autoptr(GBytes) many = make_jpeg (0xc2, 4096, 4096, 64, 8, zeros, sizeof zeros);
  g_autoptr(GBytes) seventeen = make_jpeg (0xc2, 64, 64, EC_PHOTO_MAX_SCANS + 1, 8, zeros, sizeof zeros);
  g_autoptr(GBytes) large_progressive = make_jpeg (0xc2, 4096, 4096, 5, 8, zeros, sizeof zeros);
  g_autoptr(GBytes) small_progressive = make_jpeg (0xc2, 2000, 2000, EC_PHOTO_MAX_SCANS, 8, zeros, sizeof zeros);
  g_autoptr(GBytes) wide = make_jpeg (0xc0, 4097, 16, 1, 8, zeros, sizeof zeros);
  g_autoptr(GBytes) no_pixels = make_jpeg (0xc0, 0, 16, 1, 8, zeros, sizeof zeros);
  g_autoptr(GError) error = NULL;

  assert_refused (many, "more than 16 passes");
  assert_refused (seventeen, "more than 16 passes");
  assert_refused (large_progressive, "4096 × 4096 pixels in 5 passes");
  assert_refused (wide, "4097 × 16");
  assert_refused (no_pixels, "no pixels");
  g_assert_true (probe (small_progressive, NULL, &error));
  g_assert_no_error (error);
}

static void
test_jpeg_kinds (void)
{
  g_autoptr(GBytes) lossless = make_jpeg (0xc3, 64, 64, 1, 8, zeros, sizeof zeros);
  g_autoptr(GBytes) arithmetic = make_jpeg (0xc9, 64, 64, 1, 8, zeros, sizeof zeros);
  g_autoptr(GBytes) twelve_bit = make_jpeg (0xc0, 64, 64, 1, 12, zeros, sizeof zeros);
  g_autoptr(GBytes) no_frame = make_jpeg (0xc4, 64, 64, 1, 8, zeros, sizeof zeros);
  g_autoptr(GBytes) no_scan = make_jpeg (0xc0, 64, 64, 0, 8, zeros, sizeof zeros);
  g_autoptr(GBytes) gif = g_bytes_new_static ("GIF89a\x01\x00\x01\x00", 10);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

  assert_refused (lossless, "unusual kind of JPEG");
  assert_refused (arithmetic, "unusual kind of JPEG");
  assert_refused (twelve_bit, "12-bit");
  assert_refused (no_frame, "not a valid JPEG");
  assert_refused (no_scan, "not a valid JPEG");
  assert_refused (gif, "neither PNG nor JPEG");
  assert_refused (empty, "no photo");
}

/* The database refuses what the probe refuses, and a type that lies. */
static void
test_database (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-photo-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "residents.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (path, EC_DB_OPEN_CREATE, &error);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(EcResident) r = NULL;
  g_autoptr(GBytes) bomb = make_jpeg (0xc2, 4096, 4096, 64, 8, zeros, sizeof zeros);
  EcActor actor = { EC_ROLE_STAFF, "S0001" };
  gint64 id;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_assert_no_error (error);
  g_assert_true (ec_demo_generate (db, 3, 7, &error));
  g_assert_no_error (error);
  g_assert_true (ec_db_resident_list (db, 0, 1, &list, &error));
  id = ((EcResidentSummary *) g_ptr_array_index (list, 0))->id;
  g_assert_true (ec_db_get_resident (db, id, &actor, EC_DB_PURPOSE_EDIT, NULL, &r, &error));
  g_assert_no_error (error);

  g_clear_pointer (&r->photo, g_bytes_unref);
  g_clear_pointer (&r->photo_mime, g_free);
  r->photo = g_bytes_ref (bomb);
  r->photo_mime = g_strdup ("image/jpeg");
  g_assert_false (ec_db_resident_update (db, r, &actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "passes"));
  g_clear_error (&error);

  g_bytes_unref (r->photo);
  r->photo = g_bytes_new_static (ec_test_png_1x1, sizeof ec_test_png_1x1);
  g_assert_false (ec_db_resident_update (db, r, &actor, &error));   /* still "image/jpeg" */
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "marked image/jpeg but is a image/png"));
  g_clear_error (&error);

  g_free (r->photo_mime);
  r->photo_mime = g_strdup ("image/png");
  g_assert_true (ec_db_resident_update (db, r, &actor, &error));
  g_assert_no_error (error);

  g_clear_pointer (&db, ec_db_close);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ec_init ();
  g_test_add_func ("/ec/photo/png", test_png);
  g_test_add_func ("/ec/photo/real-jpeg", test_real_jpeg);
  g_test_add_func ("/ec/photo/jpeg-scans", test_jpeg_scans);
  g_test_add_func ("/ec/photo/jpeg-short-data", test_jpeg_short_data);
  g_test_add_func ("/ec/photo/jpeg-bombs", test_jpeg_bombs);
  g_test_add_func ("/ec/photo/jpeg-kinds", test_jpeg_kinds);
  g_test_add_func ("/ec/photo/database", test_database);
  return g_test_run ();
}
