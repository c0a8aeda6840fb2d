/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-key-files: the key directory readers (ec-keys.c: root.pub, station
 * certificates, read keys; ec-pin.c: the PIN pepper) on arbitrary file contents.
 *
 * The first byte picks the file the rest of the input replaces in a valid key
 * directory made once at start-up; the keyring (or the pepper) is then loaded from
 * it through the same bounded, non-blocking reader the programs use. Passphrase-
 * wrapped keys are left out: their Argon2id cost makes a fuzzer crawl. */
#define G_LOG_DOMAIN "fuzz-key-files"

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "ec-init.h"
#include "ec-keys.h"
#include "ec-pin.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static char *keys;

static const char *const targets[] = {
  "community/root.pub", "community/read.key", "stations/1.cert", "stations/2.cert",
  "pin-pepper.key",
};

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(EcSecret) rp = NULL;
  g_autoptr(EcSecret) sp = NULL;

  ec_init ();
  rp = ec_secret_new_from ((const guint8 *) "fuzz root passphrase", 20);
  sp = ec_secret_new_from ((const guint8 *) "fuzz station passphrase", 23);
  dir = g_dir_make_tmp ("fuzz-keys-XXXXXX", &error);
  g_assert (dir != NULL);
  keys = g_build_filename (dir, "keys", NULL);
  /* Made once: two Argon2id wrappings at the product's cost. */
  g_assert (ec_community_create (keys, rp, &error));
  g_assert (ec_station_add (keys, 1, "fuzz", 1700000000, 3650, rp, sp, &error));
  {
    g_autofree char *pepper = g_build_filename (keys, EC_PEPPER_FILE_NAME, NULL);
    g_autoptr(EcPepper) p = ec_pepper_load_or_create (pepper, &error);
    g_assert (p != NULL);
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *saved = NULL;
  gsize saved_len = 0;
  const char *target;

  if (keys == NULL)
    setup ();
  if (size < 1)
    return 0;
  target = targets[data[0] % G_N_ELEMENTS (targets)];
  path = g_build_filename (keys, target, NULL);
  if (!g_file_get_contents (path, &saved, &saved_len, NULL))
    saved = NULL;
  g_assert (g_file_set_contents_full (path, (const char *) data + 1, (gssize) size - 1,
                                      G_FILE_SET_CONTENTS_NONE, 0600, NULL));

  if (g_str_equal (target, "pin-pepper.key"))
    {
      g_autoptr(EcPepper) p = ec_pepper_load (path, &error);
      g_assert ((p != NULL) == (error == NULL));
      if (p != NULL)
        g_assert (size - 1 == EC_PEPPER_BYTES);
    }
  else
    {
      EcKeyring *ring = ec_keyring_load (keys, &error);
      g_assert ((ring != NULL) == (error == NULL));
      if (ring != NULL)
        {
          g_assert (ec_keyring_root_pk (ring) != NULL);
          ec_keyring_free (ring);
        }
    }

  /* Put the original back (or remove what was not there). */
  if (saved != NULL)
    g_assert (g_file_set_contents_full (path, saved, (gssize) saved_len, G_FILE_SET_CONTENTS_NONE,
                                        0600, NULL));
  else
    g_unlink (path);
  return 0;
}
