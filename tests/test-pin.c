/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Staff PINs: policy, peppered Argon2id hashing, the pepper file and its memory, and
 * the lockout schedule. */
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "ec-test-kdf.h"
#include "ec-crypto.h"
#include "ec-error.h"
#include "ec-init.h"
#include "ec-pin.h"

static const guint8 pepper_a[EC_PEPPER_BYTES] = {
  0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
};

static void
fast_kdf (gboolean on)
{
  if (on)
    ec_test_fast_kdf (TRUE);
  else
    ec_test_fast_kdf (FALSE);
}

static void
test_policy (void)
{
  const char *good[] = { "482915", "70394812", "305917", "914263508271", NULL };
  const char *weak[] = {
    "", "12345", "4829", "48291a", " 482915", "482915 ", "４８２９１５", "1234567890123",
    "000000", "999999999", "123456", "654321", "890123", "3456789", "987654321",
    "121212", "123123", "520520", "100100100", "112233", "123321", "147258", "5201314",
    "159753", NULL
  };

  for (guint i = 0; good[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      if (!ec_pin_check_policy (good[i], &error))
        g_error ("PIN %s refused: %s", good[i], error->message);
    }
  for (guint i = 0; weak[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      if (ec_pin_check_policy (weak[i], &error))
        g_error ("weak PIN “%s” accepted", weak[i]);
      g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN);
    }
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (ec_pin_check_policy (NULL, &error));
    g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN);
  }
  /* The messages say why. */
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (ec_pin_check_policy ("48291", &error));
    g_assert_nonnull (strstr (error->message, "6"));
  }
}

static void
test_hash_verify (void)
{
  g_autoptr(EcPepper) pepper = ec_pepper_new_from_data (pepper_a, sizeof pepper_a);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *hash2 = NULL;
  gboolean rehash = TRUE;
  gint64 t0, t1;

  /* The real cost: Argon2id, 64 MiB, 2 passes. */
  fast_kdf (FALSE);
  t0 = g_get_monotonic_time ();
  hash = ec_pin_hash ("482915", pepper, &error);
  t1 = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hash, "$argon2id$v=19$m=65536,t=2,p=1$"));
  g_test_message ("Argon2id INTERACTIVE PIN hash: %.0f ms", (t1 - t0) / 1000.0);

  g_assert_true (ec_pin_verify (hash, "482915", pepper, &rehash, &error));
  g_assert_no_error (error);
  g_assert_false (rehash);

  g_assert_false (ec_pin_verify (hash, "482916", pepper, &rehash, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN);
  g_clear_error (&error);

  /* Same PIN twice: different salts, different strings. */
  fast_kdf (TRUE);
  hash2 = ec_pin_hash ("482915", pepper, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hash, !=, hash2);
  g_assert_true (g_str_has_prefix (hash2, "$argon2id$v=19$m=8,t=1,p=1$"));

  /* A hash made at the test-only cost is refused by the product's policy, even with
   * the right PIN: a weakened stored hash is not a PIN check. */
  g_assert_true (ec_pin_verify (hash2, "482915", pepper, &rehash, &error));
  g_assert_false (rehash);
  fast_kdf (FALSE);
  g_assert_false (ec_pin_verify (hash2, "482915", pepper, &rehash, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_CRYPTO);
  g_clear_error (&error);
  /* Just below INTERACTIVE in either dimension is refused too. */
  g_assert_false (ec_crypto_pwhash_str_cost_ok ("$argon2id$v=19$m=65535,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA"));
  g_assert_false (ec_crypto_pwhash_str_cost_ok ("$argon2id$v=19$m=65536,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA"));
  g_assert_false (ec_crypto_pwhash_str_cost_ok ("$argon2id$v=19$m=65536,t=2$c2FsdHNhbHRzYWx0$aGFzaA"));
  g_assert_false (ec_crypto_pwhash_str_cost_ok ("$argon2id$v=19$m=99999999999999999999,t=2,p=1$c2FsdA$aGFzaA"));
  g_assert_true (ec_crypto_pwhash_str_cost_ok (hash));

  /* A weak PIN is never hashed. */
  g_assert_null (ec_pin_hash ("123456", pepper, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN);
  g_clear_error (&error);

  /* A damaged or foreign hash string is an error, not a match. */
  fast_kdf (TRUE);
  g_assert_false (ec_pin_verify ("$argon2i$v=19$m=8,t=1,p=1$AAAA$AAAA", "482915", pepper, NULL, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_CRYPTO);
  g_clear_error (&error);
  g_assert_false (ec_pin_verify ("", "482915", pepper, NULL, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_CRYPTO);
  g_clear_error (&error);
  {
    g_autofree char *cut = g_strndup (hash2, strlen (hash2) - 4);
    g_assert_false (ec_pin_verify (cut, "482915", pepper, NULL, &error));
    g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN);
    g_clear_error (&error);
  }
}

/* The pepper matters: the same PIN and the same stored hash, another device secret,
 * and the PIN no longer verifies (so a stolen database alone is not enough). */
static void
test_pepper_matters (void)
{
  guint8 other[EC_PEPPER_BYTES];
  g_autoptr(EcPepper) a = ec_pepper_new_from_data (pepper_a, sizeof pepper_a);
  g_autoptr(EcPepper) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;

  memcpy (other, pepper_a, sizeof other);
  other[31] ^= 0x01;                    /* one bit */
  b = ec_pepper_new_from_data (other, sizeof other);

  fast_kdf (TRUE);
  hash = ec_pin_hash ("305917", a, &error);
  g_assert_no_error (error);
  g_assert_true (ec_pin_verify (hash, "305917", a, NULL, &error));
  g_assert_false (ec_pin_verify (hash, "305917", b, NULL, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN);
  g_clear_error (&error);

  /* Nor is a plain (unpeppered) Argon2id hash of the PIN accepted. */
  {
    char plain[crypto_pwhash_STRBYTES];
    g_assert_cmpint (crypto_pwhash_argon2id_str (plain, "305917", 6, crypto_pwhash_argon2id_OPSLIMIT_MIN,
                                                 crypto_pwhash_argon2id_MEMLIMIT_MIN), ==, 0);
    g_assert_false (ec_pin_verify (plain, "305917", a, NULL, &error));
    g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN);
    g_clear_error (&error);
  }
}

static char *
tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ec-pin-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
test_pepper_file (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "keys", "pin-pepper.key", NULL);
  g_autofree char *link = g_build_filename (dir, "link.key", NULL);
  g_autoptr(EcPepper) p1 = NULL;
  g_autoptr(EcPepper) p2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  GStatBuf st;

  /* Missing and not asked to create: NOT_FOUND, naming the fix. */
  g_assert_null (ec_pepper_load (path, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "pepper init"));
  g_clear_error (&error);

  /* Created: 32 random bytes, mode 0600, the directory made too. */
  p1 = ec_pepper_load_or_create (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, ==, EC_PEPPER_BYTES);
  g_assert_cmpmem (contents, len, ec_pepper_get_key (p1), EC_PEPPER_BYTES);

  /* Loaded again: the same secret, never re-created. */
  p2 = ec_pepper_load_or_create (path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (ec_pepper_get_key (p1), EC_PEPPER_BYTES, ec_pepper_get_key (p2), EC_PEPPER_BYTES);
  g_clear_pointer (&p2, ec_pepper_free);

  /* 0644 and 0640 are refused with a message that says how to fix it. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_null (ec_pepper_load_or_create (path, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS);
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_null (ec_pepper_load (path, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS);
  g_clear_error (&error);
  /* …and the refused file was left alone (not replaced by a new pepper). */
  {
    g_autofree char *again = NULL;
    g_assert_true (g_file_get_contents (path, &again, &len, NULL));
    g_assert_cmpmem (again, len, contents, EC_PEPPER_BYTES);
  }
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);

  /* A symlink is not followed. */
  g_assert_cmpint (symlink (path, link), ==, 0);
  g_assert_null (ec_pepper_load (link, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Wrong size: FORMAT. */
  g_assert_true (g_file_set_contents_full (path, "short", 5, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  g_assert_null (ec_pepper_load (path, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT);
  g_clear_error (&error);

  g_unlink (link);
  g_unlink (path);
  {
    g_autofree char *keys = g_path_get_dirname (path);
    g_rmdir (keys);
  }
  g_rmdir (dir);
}

/* The pepper lives in sodium_malloc memory: it ends right before a guard page, and
 * the region is read-only while held. */
static void
test_pepper_memory (void)
{
  g_autoptr(EcPepper) pepper = ec_pepper_new_from_data (pepper_a, sizeof pepper_a);
  const guint8 *key = ec_pepper_get_key (pepper);
  long page = sysconf (_SC_PAGESIZE);

  g_assert_cmpmem (key, EC_PEPPER_BYTES, pepper_a, EC_PEPPER_BYTES);
  g_assert_cmpuint (((guintptr) key + EC_PEPPER_BYTES) % (guintptr) page, ==, 0);

  if (g_test_subprocess ())
    {
      volatile const guint8 *p = key;
      if (g_strcmp0 (g_getenv ("EC_PEPPER_PROBE"), "write") == 0)
        ((volatile guint8 *) p)[0] = 0;        /* read-only: must fault */
      else
        (void) p[EC_PEPPER_BYTES];             /* guard page: must fault */
      return;
    }
  g_setenv ("EC_PEPPER_PROBE", "read", TRUE);
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_failed ();
  g_setenv ("EC_PEPPER_PROBE", "write", TRUE);
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_failed ();
  g_unsetenv ("EC_PEPPER_PROBE");
}

static void
test_lockout_schedule (void)
{
  const gint64 expected[] = { 0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900 };

  for (guint f = 0; f < G_N_ELEMENTS (expected); f++)
    g_assert_cmpint (ec_pin_lockout_delay (f), ==, expected[f]);
  g_assert_cmpint (ec_pin_lockout_delay (1000), ==, EC_PIN_MAX_DELAY);
  g_assert_cmpint (ec_pin_lockout_delay (G_MAXUINT), ==, EC_PIN_MAX_DELAY);

  /* Four wrong PINs: no wait. The fifth: 30 s from the last failure. */
  g_assert_cmpint (ec_pin_lockout_remaining (4, 1000, 1000), ==, 0);
  g_assert_cmpint (ec_pin_lockout_remaining (5, 1000, 1000), ==, 30);
  g_assert_cmpint (ec_pin_lockout_remaining (5, 1000, 1010), ==, 20);
  g_assert_cmpint (ec_pin_lockout_remaining (5, 1000, 1030), ==, 0);
  g_assert_cmpint (ec_pin_lockout_remaining (5, 1000, 99999), ==, 0);
  /* It grows: the 6th waits a minute, the 7th two. */
  g_assert_cmpint (ec_pin_lockout_remaining (6, 2000, 2000), ==, 60);
  g_assert_cmpint (ec_pin_lockout_remaining (7, 2000, 2001), ==, 119);
  g_assert_cmpint (ec_pin_lockout_remaining (20, 2000, 2000), ==, 900);
  /* A clock set back never makes the wait longer than the delay. */
  g_assert_cmpint (ec_pin_lockout_remaining (5, 5000, 100), ==, 30);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ec_init ();
  g_test_add_func ("/ec/pin/policy", test_policy);
  g_test_add_func ("/ec/pin/hash-verify", test_hash_verify);
  g_test_add_func ("/ec/pin/pepper-matters", test_pepper_matters);
  g_test_add_func ("/ec/pin/pepper-file", test_pepper_file);
  g_test_add_func ("/ec/pin/pepper-memory", test_pepper_memory);
  g_test_add_func ("/ec/pin/lockout-schedule", test_lockout_schedule);
  return g_test_run ();
}
