/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-photo"

#include "ec-photo.h"

#include <string.h>

#include "ec-error.h"
#include "ec-i18n.h"

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
static gboolean
probe_png (const guint8 *data,
           gsize         len,
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
  return check_size (info->width, info->height, error);
}

/* Walk the JPEG's marker segments (ITU T.81 annex B): the one frame header gives
 * the size, each SOS starts a scan whose entropy-coded data runs to the next marker
 * that is neither a stuffed 0xFF00 nor a restart marker. A file that ends early
 * after its first scan is left to the decoder (it draws what arrived). */
static gboolean
probe_jpeg (const guint8 *data,
            gsize         len,
            EcPhotoInfo  *info,
            GError      **error)
{
  gboolean have_frame = FALSE;
  gsize pos = 2;

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
        break;
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
            if (!check_size (info->width, info->height, error))
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
          if (++info->scans > EC_PHOTO_MAX_SCANS)
            {
              g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The photo is a JPEG in more than %d passes; save it as an "
                             "ordinary JPEG or PNG"), EC_PHOTO_MAX_SCANS);
              return FALSE;
            }
          while (pos + 1 < len
                 && !(data[pos] == 0xff && data[pos + 1] != 0x00
                      && !(data[pos + 1] >= 0xd0 && data[pos + 1] <= 0xd7)))
            pos++;
          if (pos + 1 >= len)
            pos = len;
          break;

        default:                               /* tables, APPn, COM, DRI, DNL … */
          break;
        }
    }
  if (!have_frame || info->scans == 0)
    return damaged_jpeg (error);
  if (info->progressive
      && (guint64) info->width * info->height * info->scans > EC_PHOTO_MAX_PROGRESSIVE_WORK)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("The photo is a large progressive JPEG (%u × %u pixels in %u passes); "
                     "save it smaller, for example 300 × 400 pixels"),
                   info->width, info->height, info->scans);
      return FALSE;
    }
  return TRUE;
}

gboolean
ec_photo_probe (const guint8 *data,
                gsize         len,
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
    return probe_png (data, len, info, error);
  if (len >= sizeof jpeg_magic && memcmp (data, jpeg_magic, sizeof jpeg_magic) == 0)
    return probe_jpeg (data, len, info, error);
  g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                       _("The photo is neither PNG nor JPEG"));
  return FALSE;
}

const char *
ec_photo_mime_type (EcPhotoFormat format)
{
  return format == EC_PHOTO_PNG ? "image/png" : "image/jpeg";
}
