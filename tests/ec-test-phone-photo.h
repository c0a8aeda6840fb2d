/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-test-phone-photo.h: pictures like those a phone takes, drawn with gdk-pixbuf, for
 * the photo preparation tests: ec_test_draw_photo() (left half reddish, right half
 * bluish, with a little noise so JPEG sizes look like a camera's), ec_test_encode()
 * and ec_test_with_exif() (an EXIF APP1 segment with orientation 6 and a fictional
 * GPS position spliced in after SOI). Header-only (static functions). */
#pragma once

#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

/* A photograph-like picture: the left half reddish, the right half bluish, a vertical
 * gradient, and a little noise (so JPEG sizes look like a camera's). */
static G_GNUC_UNUSED GdkPixbuf *
ec_test_draw_photo (int      width,
      int      height,
      gboolean alpha)
{
  GdkPixbuf *p = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  guint8 *px = gdk_pixbuf_get_pixels (p);
  int stride = gdk_pixbuf_get_rowstride (p);
  int channels = gdk_pixbuf_get_n_channels (p);
  guint32 seed = 12345;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *q = px + (gsize) y * (gsize) stride + (gsize) x * (gsize) channels;
        int noise;

        seed = seed * 1103515245u + 12345u;
        noise = (int) ((seed >> 16) & 15);
        q[0] = (guint8) ((x < width / 2 ? 200 : 30) + noise);
        q[1] = (guint8) (y * 200 / height + noise);
        q[2] = (guint8) ((x < width / 2 ? 30 : 200) + noise);
        if (alpha)   /* a transparent frame 100 px wide around an opaque middle */
          q[3] = (x < 100 || y < 100 || x >= width - 100 || y >= height - 100) ? 0 : 255;
      }
  return p;
}

static G_GNUC_UNUSED GBytes *
ec_test_encode (GdkPixbuf  *p,
        const char *type,
        const char *quality)
{
  g_autoptr(GError) error = NULL;
  char *buf = NULL;
  gsize len = 0;
  gboolean ok;

  if (quality != NULL)
    ok = gdk_pixbuf_save_to_buffer (p, &buf, &len, type, &error, "quality", quality, NULL);
  else
    ok = gdk_pixbuf_save_to_buffer (p, &buf, &len, type, &error, NULL);
  g_assert_no_error (error);
  g_assert_true (ok);
  return g_bytes_new_take (buf, len);
}

static void
ec_test_put_le16 (GByteArray *a, guint v)
{
  guint8 b[2] = { (guint8) (v & 0xff), (guint8) (v >> 8) };
  g_byte_array_append (a, b, 2);
}

static void
ec_test_put_le32 (GByteArray *a, guint32 v)
{
  guint8 b[4] = { (guint8) v, (guint8) (v >> 8), (guint8) (v >> 16), (guint8) (v >> 24) };
  g_byte_array_append (a, b, 4);
}

static void
ec_test_ifd_entry (GByteArray *a, guint tag, guint type, guint32 count, guint32 value)
{
  ec_test_put_le16 (a, tag);
  ec_test_put_le16 (a, type);
  ec_test_put_le32 (a, count);
  ec_test_put_le32 (a, value);
}

/* An EXIF APP1 segment as a phone writes it: Orientation = 6 (the camera was held
 * upright: rotate 90° clockwise to show) and a GPS position (31° 14′ N, 121° 28′ E,
 * fictional), spliced in after SOI. */
static G_GNUC_UNUSED GBytes *
ec_test_with_exif (GBytes *jpeg)
{
  g_autoptr(GByteArray) tiff = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();
  const guint8 *data;
  gsize len;
  guint8 seg[4];

  /* TIFF header; IFD0 at 8: 2 entries (2 + 2 × 12 + 4 = 30) -> GPS IFD at 38:
   * 4 entries (2 + 4 × 12 + 4 = 54) -> rationals at 92. */
  g_byte_array_append (tiff, (const guint8 *) "II*\0", 4);
  ec_test_put_le32 (tiff, 8);
  ec_test_put_le16 (tiff, 2);
  ec_test_ifd_entry (tiff, 0x0112, 3, 1, 6);           /* Orientation: SHORT 6 */
  ec_test_ifd_entry (tiff, 0x8825, 4, 1, 38);          /* GPSInfo IFD pointer */
  ec_test_put_le32 (tiff, 0);
  ec_test_put_le16 (tiff, 4);
  ec_test_ifd_entry (tiff, 0x0001, 2, 2, 'N');         /* GPSLatitudeRef "N" */
  ec_test_ifd_entry (tiff, 0x0002, 5, 3, 92);          /* GPSLatitude: 3 RATIONAL */
  ec_test_ifd_entry (tiff, 0x0003, 2, 2, 'E');         /* GPSLongitudeRef "E" */
  ec_test_ifd_entry (tiff, 0x0004, 5, 3, 116);         /* GPSLongitude: 3 RATIONAL */
  ec_test_put_le32 (tiff, 0);
  g_assert_cmpuint (tiff->len, ==, 92);
  ec_test_put_le32 (tiff, 31); ec_test_put_le32 (tiff, 1);
  ec_test_put_le32 (tiff, 14); ec_test_put_le32 (tiff, 1);
  ec_test_put_le32 (tiff, 0); ec_test_put_le32 (tiff, 1);
  ec_test_put_le32 (tiff, 121); ec_test_put_le32 (tiff, 1);
  ec_test_put_le32 (tiff, 28); ec_test_put_le32 (tiff, 1);
  ec_test_put_le32 (tiff, 0); ec_test_put_le32 (tiff, 1);

  data = g_bytes_get_data (jpeg, &len);
  g_assert_cmpuint (len, >, 2);
  g_assert_cmpuint (data[0], ==, 0xff);
  g_assert_cmpuint (data[1], ==, 0xd8);
  g_byte_array_append (out, data, 2);
  seg[0] = 0xff;
  seg[1] = 0xe1;
  seg[2] = (guint8) ((2 + 6 + tiff->len) >> 8);
  seg[3] = (guint8) ((2 + 6 + tiff->len) & 0xff);
  g_byte_array_append (out, seg, 4);
  g_byte_array_append (out, (const guint8 *) "Exif\0\0", 6);
  g_byte_array_append (out, tiff->data, tiff->len);
  g_byte_array_append (out, data + 2, (guint) (len - 2));
  return g_byte_array_free_to_bytes (out);
}
