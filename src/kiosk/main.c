/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard-kiosk: creates the application and runs it. */
#define G_LOG_DOMAIN "eldercard-kiosk"

#include <locale.h>

#include "ec-kiosk-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(EcKioskApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* Han characters in their Simplified Chinese forms (Noto CJK SC), also under an
   * English locale. */
  g_setenv ("PANGO_LANGUAGE", "zh-cn:en", FALSE);
  app = ec_kiosk_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
