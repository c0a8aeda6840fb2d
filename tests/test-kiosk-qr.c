/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-qr: the `tel:` QR codes beside every phone number on the record. */
#define G_LOG_DOMAIN "test-kiosk-qr"

#include <gtk/gtk.h>

#include "ec-qr.h"

static void
test_tel_uri (void)
{
  struct { const char *phone, *uri; } cases[] = {
    { "139-0000-1234", "tel:13900001234" },
    { "+86 139 0000 1234", "tel:+8613900001234" },
    { "021-5555 0100", "tel:02155550100" },
    { "(021) 5555-0100 ext", "tel:02155550100" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri = ec_qr_tel_uri (cases[i].phone);
      g_assert_cmpstr (uri, ==, cases[i].uri);
    }
  g_assert_null (ec_qr_tel_uri ("no number"));
  g_assert_null (ec_qr_tel_uri (""));
}

static void
test_texture (void)
{
  g_autoptr(GdkTexture) qr = ec_qr_texture_new ("tel:13900001234", 3);
  g_autofree guint32 *px = NULL;
  int w, h, modules;

  g_assert_nonnull (qr);
  w = gdk_texture_get_width (qr);
  h = gdk_texture_get_height (qr);
  g_assert_cmpint (w, ==, h);
  /* Version 1 (21 modules) or larger, plus a 4-module quiet zone on each side. */
  g_assert_cmpint (w % 3, ==, 0);
  modules = w / 3 - 8;
  g_assert_cmpint (modules, >=, 21);
  g_assert_cmpint ((modules - 17) % 4, ==, 0);

  px = g_new (guint32, (gsize) w * h);
  gdk_texture_download (qr, (guchar *) px, (gsize) w * 4);
  /* Quiet zone white; the finder pattern's corner black; its white ring at module 1. */
#define AT(x, y) (px[(gsize) (y) * w + (x)] & 0xffffff)
  g_assert_cmphex (AT (0, 0), ==, 0xffffff);
  g_assert_cmphex (AT (4 * 3, 4 * 3), ==, 0x000000);
  g_assert_cmphex (AT (5 * 3 + 1, 5 * 3 + 1), ==, 0xffffff);
  g_assert_cmphex (AT (6 * 3 + 1, 6 * 3 + 1), ==, 0x000000);
  g_assert_cmphex (AT (w - 1, h - 1), ==, 0xffffff);
#undef AT
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ec/kiosk/qr/tel-uri", test_tel_uri);
  g_test_add_func ("/ec/kiosk/qr/texture", test_texture);
  return g_test_run ();
}
