/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-demo-setup: create the fictional demo community for `make run`
 * (tests/kiosk-demo-fixture.h describes what goes where).
 *
 *   kiosk-demo-setup DIR [N_RESIDENTS]     DIR must not exist yet */
#define G_LOG_DOMAIN "kiosk-demo-setup"

#include <locale.h>
#include <stdio.h>

#include "ec-init.h"
/* The installed kiosk reads these keys: make them at the product's Argon2id cost. */
#define EC_DEMO_FIXTURE_REAL_KDF 1
#include "kiosk-demo-fixture.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(EcDemoFixture) f = NULL;
  g_autoptr(GError) error = NULL;
  guint64 n = 200;

  setlocale (LC_ALL, "");
  if (argc < 2 || argc > 3
      || (argc == 3 && !g_ascii_string_to_unsigned (argv[2], 10, 20, 100000, &n, NULL)))
    {
      fprintf (stderr, "usage: kiosk-demo-setup DIR [N_RESIDENTS (20..100000, default 200)]\n");
      return 2;
    }
  if (g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "kiosk-demo-setup: %s exists; remove it first\n", argv[1]);
      return 1;
    }
  ec_init ();
  f = ec_demo_fixture_create (argv[1], (guint) n, &error);
  if (f == NULL)
    {
      fprintf (stderr, "kiosk-demo-setup: %s\n", error->message);
      return 1;
    }
  printf ("demo community in %s: %u fictional residents, %u demo cards\n", f->dir, (guint) n, f->n_cards);
  for (guint i = 0; i < f->n_cards; i++)
    printf ("  cards/%s.tag  %s%s%s\n", f->cards[i].file, f->cards[i].expect,
            f->cards[i].name != NULL ? "  " : "", f->cards[i].name != NULL ? f->cards[i].name : "");
  return 0;
}
