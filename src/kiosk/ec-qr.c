/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-qr"

#include "ec-qr.h"

#include "ec-phone.h"

#include <string.h>
#include <qrencode.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QRcode, QRcode_free)

#define QUIET_ZONE 4

GdkTexture *
ec_qr_texture_new (const char *text,
                   guint       module_px)
{
  g_autoptr(QRcode) qr = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels;
  gsize side, stride;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (module_px >= 1 && module_px <= 32, NULL);

  qr = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == NULL)
    {
      g_warning ("cannot encode a QR code for %s", text);
      return NULL;
    }
  side = ((gsize) qr->width + 2 * QUIET_ZONE) * module_px;
  stride = side * 3;
  pixels = g_malloc (stride * side);
  memset (pixels, 0xff, stride * side);
  for (int y = 0; y < qr->width; y++)
    for (int x = 0; x < qr->width; x++)
      {
        if (!(qr->data[y * qr->width + x] & 1))
          continue;
        for (guint dy = 0; dy < module_px; dy++)
          {
            gsize row = ((gsize) (y + QUIET_ZONE) * module_px + dy) * stride;
            memset (pixels + row + ((gsize) (x + QUIET_ZONE) * module_px) * 3, 0, (gsize) module_px * 3);
          }
      }
  bytes = g_bytes_new_take (pixels, stride * side);
  return gdk_memory_texture_new ((int) side, (int) side, GDK_MEMORY_R8G8B8, bytes, stride);
}

char *
ec_qr_tel_uri (const char *phone)
{
  g_return_val_if_fail (phone != NULL, NULL);
  return ec_phone_tel_uri (phone);
}
