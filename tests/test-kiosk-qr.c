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
    /* An extension is a parameter (RFC 3966), never more digits of the number. */
    { "+86 010-5550-0101 ext 23", "tel:+861055500101;ext=23" },
    { "+86 010-5550-0101 ext. 23", "tel:+861055500101;ext=23" },
    { "010-5550-0101 转 8001", "tel:01055500101;ext=8001" },
    { "010 5550 0101转8001", "tel:01055500101;ext=8001" },
    { "010-5550-0101 分机 12", "tel:01055500101;ext=12" },
    { "010-5550-0101 x 7", "tel:01055500101;ext=7" },
    /* +86 and the trunk 0: the 0 is not dialled from abroad. */
    { "+86 (0)10 5550 0101", "tel:+861055500101" },
    /* Full-width digits, plus and separators as a Chinese IME types them. */
    { "１３９－００００－１２３４", "tel:13900001234" },
    { "＋８６　１３９ ００００ １２３４", "tel:+8613900001234" },
    /* A note after the number is not part of it. */
    { "13900001234（晚上）", "tel:13900001234" },
    { "120", "tel:120" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri = ec_qr_tel_uri (cases[i].phone);
      g_assert_cmpstr (uri, ==, cases[i].uri);
    }
  g_assert_null (ec_qr_tel_uri ("no number"));
  g_assert_null (ec_qr_tel_uri (""));
  /* Not one whole number: no QR code rather than a wrong one. */
  g_assert_null (ec_qr_tel_uri ("+86 13"));                       /* cut */
  g_assert_null (ec_qr_tel_uri ("13"));
  g_assert_null (ec_qr_tel_uri ("13900001234 / 13800001234"));    /* two numbers */
  g_assert_null (ec_qr_tel_uri ("139 0000 1234 (2025年起)"));      /* digits in the note */
  g_assert_null (ec_qr_tel_uri ("1390000123412345678"));          /* longer than E.164 */
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
