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
  gboolean      complete;      /* JPEG: reached EOI; PNG: ends with IEND */
} EcPhotoInfo;

/* Read the format and dimensions of @data. On refusal, FALSE with
 * EC_CARD_ERROR_INVALID and a sentence staff can act on. @info may be NULL. */
gboolean    ec_photo_probe     (const guint8 *data,
                                gsize         len,
                                EcPhotoInfo  *info,
                                GError      **error);

/* The same walk without the size and scan limits, for a file that is about to be
 * reduced (a 6000 × 4000 camera JPEG): format, dimensions, scans and whether the file
 * is whole (info->complete; decoders silently draw a file cut off in the middle).
 * Refuses only what is not PNG or JPEG or is damaged. */
gboolean    ec_photo_probe_structure (const guint8 *data,
                                      gsize         len,
                                      EcPhotoInfo  *info,
                                      GError      **error);

/* "image/png" or "image/jpeg". */
const char *ec_photo_mime_type (EcPhotoFormat format);

/* ---- preparing a photo from a phone or a camera ------------------------------- */

/* Files declaring more pixels than this on a side are refused before decoding. */
#define EC_PHOTO_PREPARE_MAX_SIDE   20000
/* … and more pixels than this in all (a non-JPEG decodes at full size first). */
#define EC_PHOTO_PREPARE_MAX_PIXELS (100u * 1000u * 1000u)
/* Files larger than this are not photos anyone took. */
#define EC_PHOTO_PREPARE_MAX_FILE   (64 * 1024 * 1024)
/* The size a kiosk shows and a card prints comfortably (3 : 4, portrait). */
#define EC_PHOTO_PREPARE_WIDTH      600
#define EC_PHOTO_PREPARE_HEIGHT     800

typedef struct
{
  guint    src_width;    /* as stored in the file (before the EXIF orientation) */
  guint    src_height;
  guint64  src_bytes;
  guint    width;        /* the prepared photo */
  guint    height;
  gsize    bytes;
  gboolean kept;         /* the file as it is, byte for byte */
  int      quality;      /* the JPEG quality it was encoded with; 0 when kept */
} EcPhotoPrepareInfo;

/* Turn the image file at @path into a photo the database and every kiosk accept:
 * ec_photo_probe() passes and it is at most @max_bytes. A PNG or JPEG that already
 * passes, is at most @max_bytes and @max_w × @max_h and carries no EXIF or XMP
 * metadata is kept byte for byte. Anything else gdk-pixbuf reads (a phone's
 * 4032 × 3024 JPEG, a PNG with transparency, …) is decoded scaled (libjpeg's fast
 * scaled decode), turned upright by its EXIF orientation, fitted into
 * @max_w × @max_h keeping the aspect ratio, flattened onto white and encoded as a
 * baseline JPEG (quality 85, lower until it fits). The re-encoded JPEG carries no
 * metadata: no GPS position, no camera serial.
 *
 * Blocks for as long as decoding takes (a 12 MP JPEG: about a tenth of a second):
 * call it from a worker thread in a UI. Without gdk-pixbuf in the build, only files
 * that already pass are accepted. On refusal, FALSE with EC_CARD_ERROR_INVALID (or a
 * GFileError when @path cannot be read) and a sentence staff can act on. */
gboolean    ec_photo_prepare_file     (const char          *path,
                                       guint                max_w,
                                       guint                max_h,
                                       gsize                max_bytes,
                                       GBytes             **out,
                                       char               **out_mime,
                                       EcPhotoPrepareInfo  *info,
                                       GError             **error);

/* What happened, for the label under the photo and the CLI: "image/jpeg, 84 KiB
 * (reduced from 4032 × 3024, 3.1 MiB)" or "image/png, 12 KiB (kept as it is)". */
char       *ec_photo_prepare_describe (const EcPhotoPrepareInfo *info,
                                       const char               *mime);

G_END_DECLS
