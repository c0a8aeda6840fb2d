/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-card-face"

#include "ec-card-face.h"

#include <string.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "ec-error.h"
#include "ec-i18n.h"
#include "ec-photo.h"

/* JPEG photos need gdk-pixbuf-2.0 (not GTK; a plain Debian library). It is used when
 * the core is built with it (pkg-config gdk-pixbuf-2.0 in CORE_PKGS); otherwise a
 * JPEG photo is drawn as the neutral silhouette. */
#if defined(__has_include)
# if __has_include(<gdk-pixbuf/gdk-pixbuf.h>)
#  define EC_HAVE_GDK_PIXBUF 1
#  include <gdk-pixbuf/gdk-pixbuf.h>
# endif
#endif

/* LSAN_PAUSE/RESUME around cairo_surface_finish() (Cairo 1.16's CJK font leak). */
#include "ec-lsan.h"

/* Layout, in points. */
#define MARGIN        9.0
#define BAND_TOP_H    33.0
#define BAND_BOTTOM_H 31.0
#define PHOTO_W       54.0
#define PHOTO_H       72.0
#define FONT_FAMILY   "Noto Sans CJK SC, Noto Sans, sans-serif"

gboolean
ec_card_face_supports_jpeg (void)
{
#ifdef EC_HAVE_GDK_PIXBUF
  return TRUE;
#else
  return FALSE;
#endif
}

/* ---- photo decoding ---------------------------------------------------------- */

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} PngCursor;

static cairo_status_t
png_read (void          *closure,
          unsigned char *buf,
          unsigned int   length)
{
  PngCursor *c = closure;

  if (length > c->len - c->pos)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (buf, c->data + c->pos, length);
  c->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

/* @data was probed by ec_photo_probe(): a PNG of at most EC_PHOTO_MAX_SIDE pixels a
 * side, so libpng allocates no more than that. */
static cairo_surface_t *
load_png (const guint8 *data,
          gsize         len,
          GError      **error)
{
  PngCursor cursor = { data, len, 0 };
  cairo_surface_t *surface;

  surface = cairo_image_surface_create_from_png_stream (png_read, &cursor);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The photo cannot be decoded: %s"),
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  return surface;
}

#ifdef EC_HAVE_GDK_PIXBUF
static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  gboolean *too_large = user_data;

  if (width <= 0 || height <= 0
      || width > EC_PHOTO_MAX_SIDE || height > EC_PHOTO_MAX_SIDE)
    {
      /* ec_photo_probe() read the same header; this is the decoder's own view. */
      *too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 1, 1);  /* do not allocate the full size */
    }
}

/* GdkPixbuf (RGB or RGBA, not premultiplied) -> Cairo ARGB32 (premultiplied). */
static cairo_surface_t *
surface_from_pixbuf (GdkPixbuf *pixbuf,
                     GError   **error)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int src_stride = gdk_pixbuf_get_rowstride (pixbuf);
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  const guint8 *src = gdk_pixbuf_read_pixels (pixbuf);
  cairo_surface_t *surface;
  guint8 *dst;
  int dst_stride;

  if (gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 || channels < 3 || (alpha && channels < 4))
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The photo has an unsupported pixel format"));
      return NULL;
    }
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The photo cannot be decoded: %s"),
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  cairo_surface_flush (surface);
  dst = cairo_image_surface_get_data (surface);
  dst_stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    {
      const guint8 *s = src + (gsize) y * (gsize) src_stride;
      guint32 *d = (guint32 *) (gpointer) (dst + (gsize) y * (gsize) dst_stride);

      for (int x = 0; x < width; x++, s += channels)
        {
          guint a = alpha ? s[3] : 255;
          guint r = (s[0] * a + 127) / 255;
          guint g = (s[1] * a + 127) / 255;
          guint b = (s[2] * a + 127) / 255;
          d[x] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static cairo_surface_t *
load_with_pixbuf (const guint8 *data,
                  gsize         len,
                  GError      **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) local = NULL;
  gboolean too_large = FALSE;
  GdkPixbuf *pixbuf;

  /* The JPEG module only: no format sniffing hands the bytes to another loader. */
  loader = gdk_pixbuf_loader_new_with_type ("jpeg", &local);
  if (loader == NULL)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("JPEG photos cannot be decoded here (%s); store the photo as PNG"),
                   local->message);
      return NULL;
    }

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &too_large);
  if (!gdk_pixbuf_loader_write (loader, data, len, &local))
    {
      gdk_pixbuf_loader_close (loader, NULL);
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The photo cannot be decoded: %s"), local->message);
      return NULL;
    }
  if (!gdk_pixbuf_loader_close (loader, &local))
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The photo cannot be decoded: %s"), local->message);
      return NULL;
    }
  if (too_large)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The photo is larger than %d × %d pixels"),
                   EC_PHOTO_MAX_SIDE, EC_PHOTO_MAX_SIDE);
      return NULL;
    }
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);   /* owned by the loader */
  if (pixbuf == NULL)
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The photo cannot be decoded"));
      return NULL;
    }
  return surface_from_pixbuf (pixbuf, error);
}
#endif

cairo_surface_t *
ec_card_face_load_photo (GBytes  *photo,
                         GError **error)
{
  const guint8 *data = NULL;
  gsize len = 0;
  EcPhotoInfo info;

  if (photo != NULL)
    data = g_bytes_get_data (photo, &len);
  if (!ec_photo_probe (data, len, &info, error))
    return NULL;
  if (info.format == EC_PHOTO_PNG)
    return load_png (data, len, error);
#ifdef EC_HAVE_GDK_PIXBUF
  return load_with_pixbuf (data, len, error);
#else
  g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                       _("JPEG photos are not supported by this build (gdk-pixbuf-2.0 "
                         "is missing); store the photo as PNG"));
  return NULL;
#endif
}

/* ---- drawing --------------------------------------------------------------------- */

static void
rounded_rect (cairo_t *cr,
              double   x,
              double   y,
              double   w,
              double   h,
              double   r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
draw_silhouette (cairo_t *cr,
                 double   x,
                 double   y,
                 double   w,
                 double   h)
{
  cairo_save (cr);
  rounded_rect (cr, x, y, w, h, 3);
  cairo_set_source_rgb (cr, 0.90, 0.91, 0.92);
  cairo_fill_preserve (cr);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, 0.66, 0.69, 0.72);
  /* head */
  cairo_arc (cr, x + w / 2, y + h * 0.38, w * 0.21, 0, 2 * G_PI);
  cairo_fill (cr);
  /* shoulders */
  cairo_save (cr);
  cairo_translate (cr, x + w / 2, y + h * 0.98);
  cairo_scale (cr, w * 0.42, h * 0.32);
  cairo_arc (cr, 0, 0, 1, G_PI, 2 * G_PI);
  cairo_restore (cr);
  cairo_fill (cr);
  cairo_restore (cr);
}

static void
draw_photo (cairo_t          *cr,
            const EcResident *resident,
            double            x,
            double            y,
            double            w,
            double            h)
{
  g_autoptr(GError) error = NULL;
  cairo_surface_t *img = NULL;

  if (resident->photo != NULL)
    {
      img = ec_card_face_load_photo (resident->photo, &error);
      if (img == NULL)
        g_debug ("card face without photo: %s", error->message);
    }
  if (img == NULL)
    draw_silhouette (cr, x, y, w, h);
  else
    {
      double iw = cairo_image_surface_get_width (img);
      double ih = cairo_image_surface_get_height (img);
      double scale = MAX (w / iw, h / ih);   /* cover the box, crop the overflow */

      cairo_save (cr);
      rounded_rect (cr, x, y, w, h, 3);
      cairo_clip (cr);
      cairo_translate (cr, x + (w - iw * scale) / 2, y + (h - ih * scale) / 2);
      cairo_scale (cr, scale, scale);
      cairo_set_source_surface (cr, img, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (img);
    }
  cairo_save (cr);
  rounded_rect (cr, x, y, w, h, 3);
  cairo_set_source_rgb (cr, 0.55, 0.58, 0.62);
  cairo_set_line_width (cr, 0.6);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* Draw @text at (@x, @y) within @max_width, at @size points or smaller (down to
 * @min_size; below that it is ellipsised). Returns the height used. */
static double
draw_text (cairo_t     *cr,
           const char  *text,
           PangoWeight  weight,
           double       size,
           double       min_size,
           double       x,
           double       y,
           double       max_width)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  PangoContext *context = pango_layout_get_context (layout);
  cairo_font_options_t *options = cairo_font_options_create ();
  PangoFontDescription *desc = pango_font_description_from_string (FONT_FAMILY);
  PangoRectangle logical;

  /* Unhinted metrics: the layout is the same whatever the output device. */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);
  pango_context_set_language (context, pango_language_from_string ("zh-cn"));
  pango_layout_context_changed (layout);

  pango_font_description_set_weight (desc, weight);
  pango_layout_set_text (layout, text, -1);
  for (;;)
    {
      pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
      pango_layout_set_font_description (layout, desc);
      pango_layout_get_extents (layout, NULL, &logical);
      if ((double) logical.width / PANGO_SCALE <= max_width || size <= min_size)
        break;
      size = MAX (min_size, size * 0.92);
    }
  if ((double) logical.width / PANGO_SCALE > max_width)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_get_extents (layout, NULL, &logical);
    }
  pango_font_description_free (desc);

  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  return (double) logical.height / PANGO_SCALE;
}

gboolean
ec_card_face_draw (cairo_t          *cr,
                   const EcResident *resident,
                   const char       *station_name,
                   const char       *station_phone,
                   GError          **error)
{
  const double W = EC_CARD_FACE_WIDTH_PT;
  const double H = EC_CARD_FACE_HEIGHT_PT;
  const double text_x = MARGIN + PHOTO_W + 10.0;
  const double text_w = W - text_x - MARGIN;
  const double photo_y = BAND_TOP_H + 7.0;
  g_autofree char *id_hex = NULL;
  g_autofree char *ref = NULL;
  double y;

  g_return_val_if_fail (cr != NULL, FALSE);
  g_return_val_if_fail (resident != NULL, FALSE);

  if (resident->name_zh == NULL || *resident->name_zh == '\0'
      || !g_utf8_validate (resident->name_zh, -1, NULL)
      || (resident->name_pinyin != NULL && !g_utf8_validate (resident->name_pinyin, -1, NULL))
      || (station_name != NULL && !g_utf8_validate (station_name, -1, NULL))
      || (station_phone != NULL && !g_utf8_validate (station_phone, -1, NULL)))
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The card face needs the resident's name in Chinese characters "
                             "(and valid UTF-8 text)"));
      return FALSE;
    }

  cairo_save (cr);

  /* White card. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, W, H);
  cairo_fill (cr);

  /* Top band: what this card is and what to do with it. */
  cairo_set_source_rgb (cr, 0.70, 0.11, 0.11);
  cairo_rectangle (cr, 0, 0, W, BAND_TOP_H);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  y = 4.5;
  y += draw_text (cr, "紧急联络卡 — 请在社区服务终端上刷卡", PANGO_WEIGHT_BOLD,
                  9.5, 6.0, MARGIN, y, W - 2 * MARGIN);
  draw_text (cr, "Emergency card — tap on a community kiosk", PANGO_WEIGHT_NORMAL,
             7.5, 5.0, MARGIN, y + 0.5, W - 2 * MARGIN);

  /* Photo. */
  draw_photo (cr, resident, MARGIN, photo_y, PHOTO_W, PHOTO_H);

  /* Name, pinyin, reference. */
  cairo_set_source_rgb (cr, 0.08, 0.08, 0.10);
  y = photo_y - 2.0;
  y += draw_text (cr, resident->name_zh, PANGO_WEIGHT_BOLD, 26.0, 12.0, text_x, y, text_w);
  if (resident->name_pinyin != NULL && *resident->name_pinyin != '\0')
    y += draw_text (cr, resident->name_pinyin, PANGO_WEIGHT_NORMAL, 12.0, 7.0,
                    text_x, y, text_w);
  (void) y;

  id_hex = ec_resident_id_to_string (resident->id);
  ref = g_strdup_printf ("编号 Ref. …%s", id_hex + strlen (id_hex) - 4);
  cairo_set_source_rgb (cr, 0.35, 0.37, 0.40);
  draw_text (cr, ref, PANGO_WEIGHT_NORMAL, 7.0, 6.0, text_x, photo_y + PHOTO_H - 9.5, text_w);

  /* Bottom band: whom the card belongs to (the station) and its phone. */
  cairo_set_source_rgb (cr, 0.93, 0.94, 0.95);
  cairo_rectangle (cr, 0, H - BAND_BOTTOM_H, W, BAND_BOTTOM_H);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.08, 0.08, 0.10);
  y = H - BAND_BOTTOM_H + 3.0;
  if (station_name != NULL && *station_name != '\0')
    y += draw_text (cr, station_name, PANGO_WEIGHT_NORMAL, 7.0, 5.5, MARGIN, y,
                    W - 2 * MARGIN);
  if (station_phone != NULL && *station_phone != '\0')
    {
      g_autofree char *tel = g_strdup_printf ("电话 Tel. %s", station_phone);
      draw_text (cr, tel, PANGO_WEIGHT_BOLD, 9.0, 6.0, MARGIN, y, W - 2 * MARGIN);
    }

  cairo_restore (cr);
  if (cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("Cannot draw the card face: %s"), cairo_status_to_string (cairo_status (cr)));
      return FALSE;
    }
  return TRUE;
}

static cairo_status_t
pdf_write (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
ec_card_face_write_pdf (const EcResident *resident,
                        const char       *station_name,
                        const char       *station_phone,
                        const char       *path,
                        GError          **error)
{
  g_autoptr(GByteArray) pdf = g_byte_array_new ();
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean ok;

  g_return_val_if_fail (resident != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  surface = cairo_pdf_surface_create_for_stream (pdf_write, pdf, EC_CARD_FACE_WIDTH_PT,
                                                 EC_CARD_FACE_HEIGHT_PT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                  "紧急联络卡 Emergency card");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "eldercard");
  cr = cairo_create (surface);
  ok = ec_card_face_draw (cr, resident, station_name, station_phone, error);
  cairo_show_page (cr);
  cairo_destroy (cr);
  LSAN_PAUSE ();
  cairo_surface_finish (surface);
  LSAN_RESUME ();
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (!ok)
    return FALSE;
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("Cannot write the card face PDF: %s"), cairo_status_to_string (status));
      return FALSE;
    }
  /* The page shows a person's name and photo: readable by the owner only. */
  if (!g_file_set_contents_full (path, (const char *) pdf->data, (gssize) pdf->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  return TRUE;
}
