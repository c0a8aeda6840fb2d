/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-qr.h: QR codes (libqrencode) as textures, for the `tel:` link of each phone
 * number a responder's phone can scan to dial. */
#pragma once

#include <gdk/gdk.h>

G_BEGIN_DECLS

/* A black-on-white QR code of @text with @module_px pixels per module and the
 * standard 4-module quiet zone; NULL (with a warning) if it cannot be encoded. */
GdkTexture *ec_qr_texture_new (const char *text,
                               guint       module_px);
/* "tel:+8613900001234" from a phone number as people write it ("139-0000 1234"):
 * keeps digits and a leading +. NULL when no digit is left. */
char       *ec_qr_tel_uri     (const char *phone);

G_END_DECLS
