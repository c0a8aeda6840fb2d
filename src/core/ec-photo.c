/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-photo"

#include "ec-photo.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "ec-error.h"
#include "ec-file.h"
#include "ec-i18n.h"

/* Preparing photos needs gdk-pixbuf-2.0 (as ec-card-face.c does); without it only
 * files that already pass are accepted. */
#if defined(__has_include)
# if __has_include(<gdk-pixbuf/gdk-pixbuf.h>)
#  define EC_HAVE_GDK_PIXBUF 1
#  include <gdk-pixbuf/gdk-pixbuf.h>
# endif
#endif

static const guint8 png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
static const guint8 jpeg_magic[3] = { 0xff, 0xd8, 0xff };

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint
read_be16 (const guint8 *p)
{
  return ((guint) p[0] << 8) | p[1];
}

static gboolean
check_size (guint32   width,
            guint32   height,
            GError  **error)
{
  if (width == 0 || height == 0)
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The photo says it has no pixels; it is damaged"));
      return FALSE;
    }
  if (width > EC_PHOTO_MAX_SIDE || height > EC_PHOTO_MAX_SIDE)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The photo is %u × %u pixels; at most %d × %d are accepted"),
                   width, height, EC_PHOTO_MAX_SIDE, EC_PHOTO_MAX_SIDE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
damaged_jpeg (GError **error)
{
  g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                       _("The photo is not a valid JPEG image"));
  return FALSE;
}

/* Signature (8), IHDR length (4) = 13, "IHDR" (4), width (4), height (4). */
static const guint8 png_iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };

static gboolean
probe_png (const guint8 *data,
           gsize         len,
           gboolean      limits,
           EcPhotoInfo  *info,
           GError      **error)
{
  if (len < 24 || read_be32 (data + 8) != 13 || memcmp (data + 12, "IHDR", 4) != 0)
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The photo is not a valid PNG image"));
      return FALSE;
    }
  info->format = EC_PHOTO_PNG;
  info->width = read_be32 (data + 16);
  info->height = read_be32 (data + 20);
  /* The last chunk of a whole file (a decoder draws a cut-off PNG without a word). */
  info->complete = len >= 8 + 25 + sizeof png_iend
                   && memcmp (data + len - sizeof png_iend, png_iend, sizeof png_iend) == 0;
  if (!limits && (info->width == 0 || info->height == 0))
    return check_size (0, 0, error);
  return !limits || check_size (info->width, info->height, error);
}

/* Walk the JPEG's marker segments (ITU T.81 annex B): the one frame header gives
 * the size, each SOS starts a scan whose entropy-coded data runs to the next marker
 * that is neither a stuffed 0xFF00 nor a restart marker. A file that ends early
 * after its first scan is left to the decoder (it draws what arrived). */
static gboolean
probe_jpeg (const guint8 *data,
            gsize         len,
            gboolean      limits,
            EcPhotoInfo  *info,
            GError      **error)
{
  gboolean have_frame = FALSE;
  gsize pos = 2;
  guint64 entropy_bytes = 0;

  info->format = EC_PHOTO_JPEG;
  while (pos < len)
    {
      const guint8 *body;
      guint marker, seglen;

      if (data[pos] != 0xff)
        return damaged_jpeg (error);
      while (pos < len && data[pos] == 0xff)   /* fill bytes */
        pos++;
      if (pos >= len)
        break;
      marker = data[pos++];
      if (marker == 0xd9)                      /* EOI */
        {
          info->complete = TRUE;
          break;
        }
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
        continue;                              /* TEM, RSTn: no length */
      if (marker == 0x00 || marker == 0xd8)
        return damaged_jpeg (error);
      if (len - pos < 2)
        break;
      seglen = read_be16 (data + pos);
      if (seglen < 2 || seglen > len - pos)
        break;
      body = data + pos + 2;
      pos += seglen;

      switch (marker)
        {
        case 0xc0: case 0xc1: case 0xc2:       /* baseline, extended, progressive */
          {
            guint components;

            if (have_frame || seglen - 2 < 6)
              return damaged_jpeg (error);
            if (body[0] != 8)
              {
                g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                             _("The photo is a %u-bit JPEG; save it as an ordinary 8-bit JPEG or PNG"),
                             body[0]);
                return FALSE;
              }
            info->height = read_be16 (body + 1);
            info->width = read_be16 (body + 3);
            components = body[5];
            if ((components != 1 && components != 3 && components != 4)
                || seglen - 2 < 6 + 3 * components)
              return damaged_jpeg (error);
            if (limits && !check_size (info->width, info->height, error))
              return FALSE;
            info->progressive = marker == 0xc2;
            have_frame = TRUE;
          }
          break;

        case 0xc3: case 0xc5: case 0xc6: case 0xc7:
        case 0xc9: case 0xca: case 0xcb:
        case 0xcd: case 0xce: case 0xcf:       /* lossless, hierarchical, arithmetic */
          g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                               _("The photo is an unusual kind of JPEG; save it as an "
                                 "ordinary JPEG or PNG"));
          return FALSE;

        case 0xda:                             /* SOS */
          if (!have_frame)
            return damaged_jpeg (error);
          if (++info->scans > EC_PHOTO_MAX_SCANS && limits)
            {
              g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The photo is a JPEG in more than %d passes; save it as an "
                             "ordinary JPEG or PNG"), EC_PHOTO_MAX_SCANS);
              return FALSE;
            }
          {
            gsize start = pos;
            while (pos + 1 < len
                   && !(data[pos] == 0xff && data[pos + 1] != 0x00
                        && !(data[pos + 1] >= 0xd0 && data[pos + 1] <= 0xd7)))
              pos++;
            if (pos + 1 >= len)
              pos = len;
            entropy_bytes += pos - start;
          }
          break;

        default:                               /* tables, APPn, COM, DRI, DNL … */
          break;
        }
    }
  if (!have_frame || info->scans == 0)
    return damaged_jpeg (error);
  if (limits && info->progressive
      && (guint64) info->width * info->height * info->scans > EC_PHOTO_MAX_PROGRESSIVE_WORK)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The photo is a large progressive JPEG (%u × %u pixels in %u passes); "
                     "save it smaller, for example 300 × 400 pixels"),
                   info->width, info->height, info->scans);
      return FALSE;
    }
  /* Every 8 × 8 block of the frame costs at least one bit of Huffman-coded data (its
   * DC difference). A file with fewer bits than the frame has blocks ends before the
   * picture it declares (a 757-byte file claiming 5200 × 19000 pixels): a decoder
   * would fill the rest with grey and call it a photo. */
  {
    guint64 blocks = (guint64) ((info->width + 7) / 8) * ((info->height + 7) / 8);
    if (entropy_bytes * 8 < blocks)
      {
        info->complete = FALSE;
        g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                     _("The photo's data ends long before the %u × %u pixels it declares "
                       "(a damaged or crafted file); choose another photo"),
                     info->width, info->height);
        return FALSE;
      }
  }
  return TRUE;
}

static gboolean
probe (const guint8 *data,
       gsize         len,
       gboolean      limits,
       EcPhotoInfo  *info,
       GError      **error)
{
  EcPhotoInfo local;

  if (info == NULL)
    info = &local;
  memset (info, 0, sizeof *info);

  if (data == NULL || len == 0)
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("There is no photo"));
      return FALSE;
    }
  if (len >= sizeof png_magic && memcmp (data, png_magic, sizeof png_magic) == 0)
    return probe_png (data, len, limits, info, error);
  if (len >= sizeof jpeg_magic && memcmp (data, jpeg_magic, sizeof jpeg_magic) == 0)
    return probe_jpeg (data, len, limits, info, error);
  g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                       _("The photo is neither PNG nor JPEG"));
  return FALSE;
}

gboolean
ec_photo_probe (const guint8 *data,
                gsize         len,
                EcPhotoInfo  *info,
                GError      **error)
{
  return probe (data, len, TRUE, info, error);
}

gboolean
ec_photo_probe_structure (const guint8 *data,
                          gsize         len,
                          EcPhotoInfo  *info,
                          GError      **error)
{
  return probe (data, len, FALSE, info, error);
}

const char *
ec_photo_mime_type (EcPhotoFormat format)
{
  return format == EC_PHOTO_PNG ? "image/png" : "image/jpeg";
}

/* ---- preparing ------------------------------------------------------------------ */

static void
fill_kept (EcPhotoPrepareInfo *info,
           const EcPhotoInfo  *probe,
           gsize               len)
{
  info->src_width = info->width = probe->width;
  info->src_height = info->height = probe->height;
  info->src_bytes = len;
  info->bytes = len;
  info->kept = TRUE;
  info->quality = 0;
}

#ifdef EC_HAVE_GDK_PIXBUF
static gboolean
contains (const guint8 *data,
          gsize         len,
          const char   *needle,
          gsize         nlen)
{
  if (len < nlen)
    return FALSE;
  for (gsize i = 0; i + nlen <= len; i++)
    if (data[i] == (guint8) needle[0] && memcmp (data + i, needle, nlen) == 0)
      return TRUE;
  return FALSE;
}

/* EXIF (JPEG APP1 "Exif\0\0", PNG eXIf) or XMP: where phones put the GPS position.
 * A plain search: a false alarm only means the photo is re-encoded. */
static gboolean
has_metadata (const guint8 *data,
              gsize         len)
{
  return contains (data, len, "Exif\0\0", 6)
      || contains (data, len, "eXIf", 4)
      || contains (data, len, "http://ns.adobe.com/xap/", 24);
}

/* Formats people's photos come in. Others gdk-pixbuf might have a module for (SVG,
 * icons, XPM…) are not photos, and their loaders are not worth the risk. */
static gboolean
photo_format (const char *name)
{
  static const char *const ok[] = { "jpeg", "png", "tiff", "bmp", "gif", "webp", "heif", "avif" };

  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    if (g_strcmp0 (name, ok[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
fit (guint  w,
     guint  h,
     guint  max_w,
     guint  max_h,
     guint *out_w,
     guint *out_h)
{
  if (w <= max_w && h <= max_h)
    {
      *out_w = w;
      *out_h = h;
      return;
    }
  if ((guint64) w * max_h > (guint64) h * max_w)   /* wider than the box */
    {
      *out_w = max_w;
      *out_h = (guint) MAX (1, ((guint64) h * max_w + w / 2) / w);
    }
  else
    {
      *out_h = max_h;
      *out_w = (guint) MAX (1, ((guint64) w * max_h + h / 2) / h);
    }
}

/* RGB(A), 8 bits -> RGB on white. A new pixbuf. */
static GdkPixbuf *
flatten (GdkPixbuf *src)
{
  int w = gdk_pixbuf_get_width (src);
  int h = gdk_pixbuf_get_height (src);
  int channels = gdk_pixbuf_get_n_channels (src);
  int src_stride = gdk_pixbuf_get_rowstride (src);
  const guint8 *s0 = gdk_pixbuf_read_pixels (src);
  GdkPixbuf *dst = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  int dst_stride;
  guint8 *d0;

  if (dst == NULL)
    return NULL;
  dst_stride = gdk_pixbuf_get_rowstride (dst);
  d0 = gdk_pixbuf_get_pixels (dst);
  for (int y = 0; y < h; y++)
    {
      const guint8 *s = s0 + (gsize) y * (gsize) src_stride;
      guint8 *d = d0 + (gsize) y * (gsize) dst_stride;

      for (int x = 0; x < w; x++, s += channels, d += 3)
        {
          guint a = gdk_pixbuf_get_has_alpha (src) ? s[3] : 255;

          for (int c = 0; c < 3; c++)
            d[c] = (guint8) ((s[c] * a + 255 * (255 - a) + 127) / 255);
        }
    }
  return dst;
}

typedef struct
{
  guint    box;
  gboolean too_large;
} SizeCheck;

/* The decoder's own view of the size (the file may have changed since
 * gdk_pixbuf_get_file_info() read it): refuse absurd sizes before anything is
 * allocated, and decode scaled into the box (libjpeg's fast DCT scaling). */
static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  SizeCheck *check = user_data;
  guint w, h;

  if (width <= 0 || height <= 0
      || width > EC_PHOTO_PREPARE_MAX_SIDE || height > EC_PHOTO_PREPARE_MAX_SIDE
      || (guint64) width * (guint64) height > EC_PHOTO_PREPARE_MAX_PIXELS)
    {
      check->too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 1, 1);
      return;
    }
  fit ((guint) width, (guint) height, check->box, check->box, &w, &h);
  if (w != (guint) width || h != (guint) height)
    gdk_pixbuf_loader_set_size (loader, (int) w, (int) h);
}

static gboolean
prepare_with_pixbuf (const char          *path,
                     GBytes              *bytes,
                     guint                max_w,
                     guint                max_h,
                     gsize                max_bytes,
                     GBytes             **out,
                     EcPhotoPrepareInfo  *info,
                     GError             **error)
{
  static const int qualities[] = { 85, 75, 65, 55, 45, 35 };
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  g_autoptr(GdkPixbuf) fitted = NULL;
  g_autoptr(GdkPixbuf) flat = NULL;
  g_autoptr(GError) local = NULL;
  GdkPixbufFormat *format;
  g_autofree char *format_name = NULL;
  GdkPixbuf *loaded;
  SizeCheck check = { 0, FALSE };
  int fw = 0, fh = 0;
  guint tw, th;
  gboolean written;

  format = gdk_pixbuf_get_file_info (path, &fw, &fh);
  if (format != NULL)
    format_name = gdk_pixbuf_format_get_name (format);
  if (format == NULL || !photo_format (format_name))
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The file is neither PNG nor JPEG nor another picture this "
                             "computer can open; choose a photo"));
      return FALSE;
    }
  if (fw <= 0 || fh <= 0)
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The photo says it has no pixels; it is damaged"));
      return FALSE;
    }
  info->src_width = (guint) fw;
  info->src_height = (guint) fh;
  if (fw > EC_PHOTO_PREPARE_MAX_SIDE || fh > EC_PHOTO_PREPARE_MAX_SIDE
      || (guint64) fw * (guint64) fh > EC_PHOTO_PREPARE_MAX_PIXELS)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The picture is %d × %d pixels, far more than any camera takes; "
                     "choose an ordinary photo"), fw, fh);
      return FALSE;
    }

  /* Decode the bytes that were checked, with the loader of the format that was
   * allowed, into a square box as large as the longer side of the target: the EXIF
   * orientation (known only after decoding) may turn a landscape file into a
   * portrait photo. Never scaled up. */
  loader = gdk_pixbuf_loader_new_with_type (format_name, &local);
  if (loader == NULL)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The photo cannot be read: %s"), local->message);
      return FALSE;
    }
  check.box = MAX (max_w, max_h);
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &check);
  written = gdk_pixbuf_loader_write_bytes (loader, bytes, &local);
  if (!gdk_pixbuf_loader_close (loader, written ? &local : NULL) || !written)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The photo cannot be read: %s"), local->message);
      return FALSE;
    }
  if (check.too_large)
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The picture has far more pixels than any camera takes; "
                             "choose an ordinary photo"));
      return FALSE;
    }
  loaded = gdk_pixbuf_loader_get_pixbuf (loader);   /* owned by the loader */
  if (loaded == NULL)
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The photo cannot be read; it may be damaged"));
      return FALSE;
    }
  if (gdk_pixbuf_get_colorspace (loaded) != GDK_COLORSPACE_RGB
      || gdk_pixbuf_get_bits_per_sample (loaded) != 8
      || gdk_pixbuf_get_n_channels (loaded) < (gdk_pixbuf_get_has_alpha (loaded) ? 4 : 3))
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The photo has an unsupported pixel format"));
      return FALSE;
    }
  upright = gdk_pixbuf_apply_embedded_orientation (loaded);
  if (upright == NULL)
    upright = g_object_ref (loaded);
  fit ((guint) gdk_pixbuf_get_width (upright), (guint) gdk_pixbuf_get_height (upright),
       max_w, max_h, &tw, &th);
  if (tw != (guint) gdk_pixbuf_get_width (upright) || th != (guint) gdk_pixbuf_get_height (upright))
    fitted = gdk_pixbuf_scale_simple (upright, (int) tw, (int) th, GDK_INTERP_HYPER);
  else
    fitted = g_object_ref (upright);
  flat = fitted != NULL ? flatten (fitted) : NULL;
  if (flat == NULL)
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("There is not enough memory to prepare the photo"));
      return FALSE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (qualities); i++)
    {
      g_autofree char *buf = NULL;
      g_autofree char *q = g_strdup_printf ("%d", qualities[i]);
      gsize len = 0;
      EcPhotoInfo probe;

      if (!gdk_pixbuf_save_to_buffer (flat, &buf, &len, "jpeg", &local, "quality", q, NULL))
        {
          g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                       _("The photo cannot be saved as JPEG: %s"), local->message);
          return FALSE;
        }
      if (len > max_bytes)
        continue;
      /* What every kiosk checks before decoding: the encoder's output must pass. */
      if (!ec_photo_probe ((const guint8 *) buf, len, &probe, error))
        return FALSE;
      info->width = probe.width;
      info->height = probe.height;
      info->bytes = len;
      info->kept = FALSE;
      info->quality = qualities[i];
      *out = g_bytes_new_take (g_steal_pointer (&buf), len);
      return TRUE;
    }
  g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
               _("Even reduced to %u × %u pixels the photo is larger than %zu KiB; "
                 "choose a simpler photo"), tw, th, max_bytes / 1024);
  return FALSE;
}
#endif

gboolean
ec_photo_prepare_file (const char          *path,
                       guint                max_w,
                       guint                max_h,
                       gsize                max_bytes,
                       GBytes             **out,
                       char               **out_mime,
                       EcPhotoPrepareInfo  *info,
                       GError             **error)
{
  g_autoptr(GError) probe_error = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *raw;
  EcPhotoPrepareInfo local_info;
  EcPhotoInfo probe;
  GStatBuf st;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (max_w > 0 && max_h > 0 && max_bytes > 0, FALSE);
  g_return_val_if_fail (out != NULL && *out == NULL, FALSE);
  g_return_val_if_fail (out_mime != NULL && *out_mime == NULL, FALSE);

  if (info == NULL)
    info = &local_info;
  memset (info, 0, sizeof *info);

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_autofree char *name = g_filename_display_name (path);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot open %s: %s"), name, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *name = g_filename_display_name (path);
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("%s is not a file; choose a photo"), name);
      return FALSE;
    }
  if (st.st_size <= 0)
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The file is empty; it is not a photo"));
      return FALSE;
    }
  info->src_bytes = (guint64) st.st_size;
  if (st.st_size > EC_PHOTO_PREPARE_MAX_FILE)
    {
      g_autofree char *size = g_format_size_full (info->src_bytes, G_FORMAT_SIZE_IEC_UNITS);
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The file is %s, more than any photo; choose an ordinary photo"), size);
      return FALSE;
    }

  if (!ec_file_read_bounded (path, EC_PHOTO_PREPARE_MAX_FILE, 0, &data, &len, error))
    return FALSE;
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  raw = g_bytes_get_data (bytes, NULL);

  /* A PNG or JPEG must be whole: decoders draw a file cut off in the middle (a copy
   * that stopped early) as a grey or half photo without a word. */
  if ((len >= 8 && memcmp (raw, png_magic, sizeof png_magic) == 0)
      || (len >= 3 && memcmp (raw, jpeg_magic, sizeof jpeg_magic) == 0))
    {
      if (!ec_photo_probe_structure (raw, len, &probe, error))
        return FALSE;
      if (!probe.complete)
        {
          g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                               _("The photo file is cut off (incomplete); copy it again "
                                 "from the phone or camera"));
          return FALSE;
        }
    }

  /* Kept as it is when it already passes, fits and tells nothing about where it
   * was taken. */
  if (len <= max_bytes
      && ec_photo_probe (raw, len, &probe, &probe_error)
#ifdef EC_HAVE_GDK_PIXBUF
      && probe.width <= max_w && probe.height <= max_h
      && !has_metadata (raw, len)
#endif
      )
    {
      fill_kept (info, &probe, len);
      *out_mime = g_strdup (ec_photo_mime_type (probe.format));
      *out = g_steal_pointer (&bytes);
      return TRUE;
    }

#ifdef EC_HAVE_GDK_PIXBUF
  if (!prepare_with_pixbuf (path, bytes, max_w, max_h, max_bytes, out, info, error))
    return FALSE;
  *out_mime = g_strdup ("image/jpeg");
  return TRUE;
#else
  if (probe_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&probe_error));
      return FALSE;
    }
  {
    g_autofree char *size = g_format_size_full (info->src_bytes, G_FORMAT_SIZE_IEC_UNITS);
    g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                 _("The photo is %s; at most %zu KiB fit, and this build cannot reduce "
                   "photos (gdk-pixbuf-2.0 is missing). Make it smaller and choose it again."),
                 size, max_bytes / 1024);
    return FALSE;
  }
#endif
}

char *
ec_photo_prepare_describe (const EcPhotoPrepareInfo *info,
                           const char               *mime)
{
  g_autofree char *size = NULL;
  g_autofree char *src_size = NULL;

  g_return_val_if_fail (info != NULL, NULL);

  size = g_format_size_full (info->bytes, G_FORMAT_SIZE_IEC_UNITS);
  if (info->kept)
    /* TRANSLATORS: "image/png, 12.3 KiB (kept as it is)" */
    return g_strdup_printf (_("%s, %s (kept as it is)"), mime != NULL ? mime : "?", size);
  src_size = g_format_size_full (info->src_bytes, G_FORMAT_SIZE_IEC_UNITS);
  /* TRANSLATORS: "image/jpeg, 84.2 KiB (reduced from 4032 × 3024, 3.1 MiB)" */
  return g_strdup_printf (_("%s, %s (reduced from %u × %u, %s)"), mime != NULL ? mime : "?",
                          size, info->src_width, info->src_height, src_size);
}
