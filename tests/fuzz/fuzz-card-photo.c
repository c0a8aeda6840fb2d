/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: resident photo bytes (from the database / an imported file) as
 * the card face decodes them (ec_card_face_load_photo: PNG header bounds, libpng via
 * Cairo, JPEG via gdk-pixbuf when built in). */
#include <cairo.h>

#include "ec-card-face.h"
#include "ec-init.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface;

  ec_init ();
  surface = ec_card_face_load_photo (bytes, &error);
  if (surface != NULL)
    {
      g_assert (error == NULL);
      g_assert (cairo_image_surface_get_width (surface) <= EC_CARD_FACE_PHOTO_MAX_SIDE);
      g_assert (cairo_image_surface_get_height (surface) <= EC_CARD_FACE_PHOTO_MAX_SIDE);
      cairo_surface_destroy (surface);
    }
  else
    g_assert (error != NULL);
  return 0;
}
