/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-card-face.h: the printed face of a resident's card (a PDF page at ID-1 size).
 *
 * The face carries only what identifies the card and what to do with it: the photo,
 * the name in 汉字 and pinyin, the line "紧急联络卡 — 请在社区服务终端上刷卡 /
 * Emergency card — tap on a community kiosk", the issuing station's name and phone,
 * and a short reference (the last 4 hex digits of the pseudonymous resident id).
 * NOTHING medical is printed (no conditions, allergies, medication, blood type,
 * directive), nor the date of birth or the address: a lost card tells a finder only
 * whom to call. Text is drawn with Pango (CJK through fontconfig: Noto Sans CJK SC). */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "ec-photo.h"
#include "ec-record.h"

G_BEGIN_DECLS

/* ISO/IEC 7810 ID-1: 85.60 × 53.98 mm in PDF points (1 pt = 25.4/72 mm). */
#define EC_CARD_FACE_WIDTH_PT   (85.60 * 72.0 / 25.4)   /* 242.65 */
#define EC_CARD_FACE_HEIGHT_PT  (53.98 * 72.0 / 25.4)   /* 153.01 */

/* Photos are refused beyond this many pixels on a side (decompression bombs). */
#define EC_CARD_FACE_PHOTO_MAX_SIDE EC_PHOTO_MAX_SIDE

/* Draw the card face of @resident onto @cr, in a box of EC_CARD_FACE_WIDTH_PT ×
 * EC_CARD_FACE_HEIGHT_PT user units at the origin (the kiosk's print dialog uses this
 * with its own Cairo context). @station_name and @station_phone may be NULL.
 * EC_CARD_ERROR_INVALID if the resident has no Chinese name. */
gboolean         ec_card_face_draw          (cairo_t          *cr,
                                             const EcResident *resident,
                                             const char       *station_name,
                                             const char       *station_phone,
                                             GError          **error);

/* Write the card face as a one-page PDF of exactly ID-1 size to @path (replaced
 * atomically). */
gboolean         ec_card_face_write_pdf     (const EcResident *resident,
                                             const char       *station_name,
                                             const char       *station_phone,
                                             const char       *path,
                                             GError          **error);

/* Decode a resident photo (PNG; JPEG too when the core is built with gdk-pixbuf)
 * into an image surface. Probed first by ec_photo_probe(): refuses empty or damaged
 * data, unknown formats, images larger than EC_PHOTO_MAX_SIDE and JPEGs that would
 * take a decoder seconds, with EC_CARD_ERROR_INVALID. The card face draws a neutral silhouette instead of a
 * photo it cannot decode. */
cairo_surface_t *ec_card_face_load_photo    (GBytes           *photo,
                                             GError          **error);

/* Whether this build decodes JPEG photos (gdk-pixbuf-2.0 in the core's packages). */
gboolean         ec_card_face_supports_jpeg (void);

G_END_DECLS
