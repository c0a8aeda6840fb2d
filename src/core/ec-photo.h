/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-photo.h: what a resident photo is, before anything decodes it.
 *
 * A photo comes from a file staff chose, a CSV import or an update bundle; the
 * kiosk decodes it on the responder's screen and the card face prints it. Before
 * any image library sees the bytes, ec_photo_probe() reads the format and the
 * dimensions from the headers (bounds-checked, linear in the length) and refuses
 * what would cost a decoder seconds or hundreds of megabytes: images larger than
 * EC_PHOTO_MAX_SIDE on a side, JPEGs with more than EC_PHOTO_MAX_SCANS scans, and
 * progressive JPEGs whose pixels × scans exceed EC_PHOTO_MAX_PROGRESSIVE_WORK
 * (GdkPixbufLoader redraws the whole image after every scan of a progressive JPEG:
 * a 600-byte file declaring 4096 × 4096 pixels in 64 scans took 7 s to decode).
 * Only PNG and baseline, extended or progressive Huffman JPEG are accepted: what
 * cameras, phones and image editors write. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A photo larger than this on either side is refused (decompression bombs). */
#define EC_PHOTO_MAX_SIDE  4096

/* A JPEG with more scans than this is refused. libjpeg's default progressive
 * script writes 10 scans for a colour photo, 6 for a grey one. */
#define EC_PHOTO_MAX_SCANS 16

/* Pixels × scans a progressive JPEG may ask of a decoder: a 2000 × 2000 photo in
 * 16 scans, or 4096 × 4096 in 4. */
#define EC_PHOTO_MAX_PROGRESSIVE_WORK (64u * 1000u * 1000u)

typedef enum
{
  EC_PHOTO_PNG = 1,
  EC_PHOTO_JPEG,
} EcPhotoFormat;

typedef struct
{
  EcPhotoFormat format;
  guint32       width;
  guint32       height;
  guint         scans;         /* JPEG: scans seen (1 for baseline); PNG: 0 */
  gboolean      progressive;   /* JPEG SOF2 */
} EcPhotoInfo;

/* Read the format and dimensions of @data. On refusal, FALSE with
 * EC_CARD_ERROR_INVALID and a sentence staff can act on. @info may be NULL. */
gboolean    ec_photo_probe     (const guint8 *data,
                                gsize         len,
                                EcPhotoInfo  *info,
                                GError      **error);

/* "image/png" or "image/jpeg". */
const char *ec_photo_mime_type (EcPhotoFormat format);

G_END_DECLS
