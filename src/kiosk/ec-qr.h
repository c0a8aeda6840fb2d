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
/* The RFC 3966 `tel:` URI of a phone number as people write it (ec_phone_tel_uri():
 * "+86 010-5550-0101 ext 23" → "tel:+861055500101;ext=23", full-width digits
 * normalised). NULL when it is not one whole dialable number: then no QR code. */
char       *ec_qr_tel_uri     (const char *phone);

G_END_DECLS
