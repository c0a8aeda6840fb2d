/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer harness: the bytes of a file staff chose as a photo, as
 * ec_photo_prepare_file() walks them before any decoder (ec_photo_probe_structure:
 * the PNG/JPEG walk without the size limits, and whether the file is whole). What
 * the limited probe accepts, the unlimited walk accepts the same way. */
#include <string.h>

#include "ec-photo.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) limited_error = NULL;
  EcPhotoInfo info, limited;
  gboolean ok, limited_ok;

  ok = ec_photo_probe_structure (data, size, &info, &error);
  g_assert (ok == (error == NULL));
  limited_ok = ec_photo_probe (data, size, &limited, &limited_error);
  g_assert (limited_ok == (limited_error == NULL));
  if (limited_ok)
    {
      g_assert (ok);
      g_assert (info.format == limited.format);
      g_assert (info.width == limited.width && info.height == limited.height);
      g_assert (info.scans == limited.scans && info.complete == limited.complete);
    }
  return 0;
}
