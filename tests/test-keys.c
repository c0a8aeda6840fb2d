/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-keys: the community key model on real files (ec-keys.c): station keys encrypted
 * at rest and never in clear, wrong passphrases and altered files refused, secret files
 * 0600 and group-readable ones refused with the fix, certificates checked against the
 * root, kiosk bundles without secrets, read key rotation. */
#define _GNU_SOURCE   /* memmem */
#define G_LOG_DOMAIN "test-keys"

#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ec-test-kdf.h"
#include "ec-card.h"
#include "ec-error.h"
#include "ec-init.h"
#include "ec-keys.h"

#define ROOT_PASS    "root passphrase for tests"
#define STATION_PASS "station passphrase for tests"

typedef struct
{
  char *dir;
  char *keys;
} Fixture;

static EcSecret *
secret (const char *s)
{
  return ec_secret_new_from ((const guint8 *) s, strlen (s));
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (path, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        rm_rf (p);
      else
        g_unlink (p);
    }
  g_rmdir (path);
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcSecret) rp = secret (ROOT_PASS);
  g_autoptr(EcSecret) sp = secret (STATION_PASS);

  ec_test_fast_kdf (TRUE);
  f->dir = g_dir_make_tmp ("ec-test-keys-XXXXXX", &error);
  g_assert_no_error (error);
  f->keys = g_build_filename (f->dir, "keys", NULL);
  g_assert_true (ec_community_create (f->keys, rp, &error));
  g_assert_no_error (error);
  g_assert_true (ec_station_add (f->keys, 7, "幸福里社区服务站", 1700000000, 3650, rp, sp, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->keys);
}

static char *
path_in (Fixture    *f,
         const char *a,
         const char *b)
{
  return g_build_filename (f->keys, a, b, NULL);
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
test_files_and_modes (Fixture      *f,
                      gconstpointer data)
{
  g_autofree char *root_key = path_in (f, "community", "root.key");
  g_autofree char *read_key = path_in (f, "community", "read.key");
  g_autofree char *root_pub = path_in (f, "community", "root.pub");
  g_autofree char *st_key = path_in (f, "stations", "7.key");
  g_autofree char *st_cert = path_in (f, "stations", "7.cert");
  g_autoptr(GError) error = NULL;
  g_autoptr(EcSecret) rp = secret (ROOT_PASS);
  g_autoptr(EcSecret) sp = secret (STATION_PASS);

  g_assert_cmpuint (file_mode (root_key), ==, 0600);
  g_assert_cmpuint (file_mode (read_key), ==, 0600);
  g_assert_cmpuint (file_mode (st_key), ==, 0600);
  g_assert_cmpuint (file_mode (root_pub), ==, 0644);
  g_assert_cmpuint (file_mode (st_cert), ==, 0644);
  /* Never overwritten. */
  g_assert_false (ec_community_create (f->keys, rp, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (ec_station_add (f->keys, 7, "x", 1700000000, 10, rp, sp, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO);
}

/* A key file wrapped at Argon2id's minimum (as a test build makes it, or as someone
 * who rewrote the header to make guessing cheap would) is refused by the product's
 * policy before any passphrase is tried. */
static void
test_weak_key_refused (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcSecret) sp = secret (STATION_PASS);
  g_autoptr(EcStationKey) key = NULL;

  ec_test_fast_kdf (FALSE);
  key = ec_station_key_unlock (f->keys, 7, sp, &error);
  ec_test_fast_kdf (TRUE);
  g_assert_null (key);
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "Argon2id"));
}

/* Two certificates for one station key (a renewal): the one valid at the time asked
 * about, with the latest not-before, wins, in whatever order they were added (the
 * directory's order used to decide: a lapsed "0-old.cert" shadowed the renewal). */
static void
test_cert_same_kid (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcKeyring) loaded = ec_keyring_load (f->keys, &error);

  g_assert_no_error (error);
  for (int order = 0; order < 2; order++)
    {
      const guint8 *root = ec_keyring_root_pk (loaded);
      g_autoptr(EcKeyring) ring = ec_keyring_new (root);
      g_autoptr(EcStationCert) lapsed = NULL, current = NULL, future = NULL;
      const EcStationCert *any = NULL;

      /* The station's own certificate, copied with three validities. */
      {
        g_autoptr(EcSecret) sp = secret (STATION_PASS);
        g_autoptr(EcStationKey) key = ec_station_key_unlock (f->keys, 7, sp, &error);
        g_assert_no_error (error);
        lapsed = ec_station_cert_copy (key->cert);
        current = ec_station_cert_copy (key->cert);
        future = ec_station_cert_copy (key->cert);
      }
      lapsed->valid_from = 1600000000;  lapsed->valid_to = 1700000000;
      current->valid_from = 1700000000; current->valid_to = 1900000000;
      future->valid_from = 1850000000;  future->valid_to = 2000000000;
      if (order == 0)
        {
          ec_keyring_add_cert (ring, lapsed);
          ec_keyring_add_cert (ring, current);
          ec_keyring_add_cert (ring, future);
        }
      else
        {
          ec_keyring_add_cert (ring, future);
          ec_keyring_add_cert (ring, current);
          ec_keyring_add_cert (ring, lapsed);
        }
      any = ec_keyring_find_cert_at (ring, lapsed->kid, 1800000000);
      g_assert_nonnull (any);
      g_assert_cmpint (any->valid_from, ==, 1700000000);      /* valid then */
      any = ec_keyring_find_cert_at (ring, lapsed->kid, 1650000000);
      g_assert_cmpint (any->valid_from, ==, 1600000000);      /* the lapsed one, then */
      any = ec_keyring_find_cert_at (ring, lapsed->kid, 1860000000);
      g_assert_cmpint (any->valid_from, ==, 1850000000);      /* both valid: latest not-before */
      any = ec_keyring_find_cert_at (ring, lapsed->kid, 2100000000);
      g_assert_cmpint (any->valid_to, ==, 2000000000);        /* none valid: ends last */
      g_assert_null (ec_keyring_find_cert_at (ring, lapsed->kid ^ 1, 1800000000));
    }
}

static void
test_station_unlock (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcSecret) sp = secret (STATION_PASS);
  g_autoptr(EcSecret) wrong = secret ("station passphrase for test");
  g_autoptr(EcStationKey) key = ec_station_key_unlock (f->keys, 7, sp, &error);
  g_autoptr(EcStationKey) none = NULL;
  g_autofree char *st_key = path_in (f, "stations", "7.key");
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpuint (key->cert->station_id, ==, 7);
  g_assert_cmpstr (key->cert->name, ==, "幸福里社区服务站");
  g_assert_cmpuint (key->cert->kid, ==, ec_crypto_key_id (key->cert->pk));
  g_assert_cmpuint (key->sk->len, ==, EC_SIGN_SECRET_BYTES);

  /* The key file holds neither the seed nor any 8 bytes of it in clear. */
  g_assert_true (g_file_get_contents (st_key, &contents, &len, &error));
  g_assert_cmpuint (len, ==, 112);
  for (gsize i = 0; i + 8 <= EC_SIGN_SEED_BYTES; i++)
    g_assert_null (memmem (contents, len, key->sk->data + i, 8));
  /* Nor the expanded secret key's second half (the public key is public anyway). */

  none = ec_station_key_unlock (f->keys, 7, wrong, &error);
  g_assert_null (none);
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  none = ec_station_key_unlock (f->keys, 8, sp, &error);
  g_assert_null (none);
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_NOT_FOUND);
}

static void
test_altered_key_file (Fixture      *f,
                       gconstpointer data)
{
  g_autofree char *st_key = path_in (f, "stations", "7.key");
  g_autofree char *orig = NULL;
  g_autoptr(EcSecret) sp = secret (STATION_PASS);
  gsize len = 0;

  g_assert_true (g_file_get_contents (st_key, &orig, &len, NULL));
  /* Every byte of the header and the box matters: a flipped bit never unlocks. (Bit 0
   * of the Argon2id limits gives at most 16 MiB or an out-of-range, refused value.) */
  for (gsize i = 0; i < len; i++)
    {
      g_autofree char *copy = g_memdup2 (orig, len);
      g_autoptr(GError) error = NULL;
      g_autoptr(EcStationKey) k = NULL;

      copy[i] ^= 0x01;
      g_assert_true (g_file_set_contents_full (st_key, copy, (gssize) len,
                                               G_FILE_SET_CONTENTS_NONE, 0600, NULL));
      k = ec_station_key_unlock (f->keys, 7, sp, &error);
      g_assert_null (k);
      g_assert_true (g_error_matches (error, EC_KEY_ERROR, EC_KEY_ERROR_WRONG_PASSPHRASE)
                     || g_error_matches (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT));
    }
  /* A Argon2id cost above the allowed range is refused before any work is done. */
  {
    g_autofree char *copy = g_memdup2 (orig, len);
    g_autoptr(GError) error = NULL;
    g_autoptr(EcStationKey) k = NULL;
    copy[16] = 0x7f;     /* memlimit ≈ 2^62 */
    g_assert_true (g_file_set_contents_full (st_key, copy, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
    k = ec_station_key_unlock (f->keys, 7, sp, &error);
    g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT);
  }
  g_assert_true (g_file_set_contents_full (st_key, orig, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
}

static void
test_permissions (Fixture      *f,
                  gconstpointer data)
{
  g_autofree char *st_key = path_in (f, "stations", "7.key");
  g_autofree char *read_key = path_in (f, "community", "read.key");
  g_autoptr(EcSecret) sp = secret (STATION_PASS);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStationKey) k = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autofree char *fix = NULL;

  g_assert_cmpint (g_chmod (st_key, 0644), ==, 0);
  k = ec_station_key_unlock (f->keys, 7, sp, &error);
  g_assert_null (k);
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS);
  fix = g_strdup_printf ("chmod 600 %s", st_key);
  g_assert_nonnull (strstr (error->message, fix));
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (st_key, 0640), ==, 0);
  k = ec_station_key_unlock (f->keys, 7, sp, &error);
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS);
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (st_key, 0600), ==, 0);

  g_assert_cmpint (g_chmod (read_key, 0604), ==, 0);
  ring = ec_keyring_load (f->keys, &error);
  g_assert_null (ring);
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS);
  g_clear_error (&error);
  /* A kiosk's /etc/eldercard/keys: read keys root-owned 0640, group eldercard, so the
   * kiosk can read them but not replace them. Accepted only when root owns the file,
   * never group-writable; a signing key stays owner-only whoever owns it. */
  {
    struct stat st;
    g_assert_cmpint (g_stat (read_key, &st), ==, 0);
    g_assert_cmpint (g_chmod (read_key, 0640), ==, 0);
    ring = ec_keyring_load (f->keys, &error);
    if (st.st_uid == 0)
      {
        g_assert_no_error (error);
        g_assert_nonnull (ring);
        g_clear_pointer (&ring, ec_keyring_free);
        g_assert_cmpint (g_chmod (read_key, 0660), ==, 0);
        ring = ec_keyring_load (f->keys, &error);
        g_assert_null (ring);
        g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS);
        g_clear_error (&error);
        /* The same 0640 file owned by an ordinary account: refused. */
        g_assert_cmpint (g_chmod (read_key, 0640), ==, 0);
        g_assert_cmpint (chown (read_key, 65534, 65534), ==, 0);
        ring = ec_keyring_load (f->keys, &error);
        g_assert_null (ring);
        g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS);
        g_clear_error (&error);
        g_assert_cmpint (chown (read_key, 0, 0), ==, 0);
      }
    else
      {
        g_test_message ("not root: the file is the test's own, so 0640 must be refused");
        g_assert_null (ring);
        g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS);
        g_clear_error (&error);
      }
  }
  g_assert_cmpint (g_chmod (read_key, 0600), ==, 0);
  ring = ec_keyring_load (f->keys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ec_keyring_n_certs (ring), ==, 1);
  g_assert_cmpuint (ec_keyring_n_read_keys (ring), ==, 1);
}

static void
test_certificates (Fixture      *f,
                   gconstpointer data)
{
  g_autofree char *cert_path = path_in (f, "stations", "7.cert");
  g_autofree char *orig = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcKeyring) ring = ec_keyring_load (f->keys, &error);
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (cert_path, &orig, &len, NULL));
  /* Every flipped bit of the certificate: malformed or not certified, never accepted. */
  for (gsize i = 0; i < len * 8; i++)
    {
      g_autofree guint8 *copy = g_memdup2 (orig, len);
      g_autoptr(GError) e = NULL;
      g_autoptr(EcStationCert) c = NULL;

      copy[i / 8] ^= (guint8) (1 << (i % 8));
      c = ec_station_cert_parse (copy, len, ec_keyring_root_pk (ring), &e);
      g_assert_null (c);
      g_assert_true (g_error_matches (e, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT)
                     || g_error_matches (e, EC_KEY_ERROR, EC_KEY_ERROR_NOT_CERTIFIED));
    }
  /* Every truncation. */
  for (gsize n = 0; n < len; n++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(EcStationCert) c = ec_station_cert_parse ((const guint8 *) orig, n,
                                                          ec_keyring_root_pk (ring), &e);
      g_assert_null (c);
    }
  /* A certificate from another community makes the whole bundle refuse to load. */
  {
    g_autofree char *other = g_build_filename (f->dir, "other", NULL);
    g_autofree char *other_cert = g_build_filename (other, "stations", "9.cert", NULL);
    g_autofree char *dest = path_in (f, "stations", "9.cert");
    g_autofree char *bytes = NULL;
    g_autoptr(EcSecret) rp = secret (ROOT_PASS);
    g_autoptr(EcSecret) sp = secret (STATION_PASS);
    g_autoptr(EcKeyring) r2 = NULL;
    gsize dlen = 0;

    g_assert_true (ec_community_create (other, rp, &error));
    g_assert_true (ec_station_add (other, 9, "别的社区", 1700000000, 10, rp, sp, &error));
    g_assert_true (g_file_get_contents (other_cert, &bytes, &dlen, NULL));
    g_assert_true (g_file_set_contents (dest, bytes, (gssize) dlen, NULL));
    r2 = ec_keyring_load (f->keys, &error);
    g_assert_null (r2);
    g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_NOT_CERTIFIED);
    g_unlink (dest);
  }
}

static void
test_bundle (Fixture      *f,
             gconstpointer data)
{
  g_autofree char *out = g_build_filename (f->dir, "bundle", NULL);
  g_autofree char *out2 = g_build_filename (f->dir, "bundle-noread", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(EcKeyring) ring2 = NULL;
  g_autofree char *p = NULL;

  g_assert_true (ec_kiosk_bundle_export (f->keys, out, TRUE, &error));
  g_assert_no_error (error);
  p = g_build_filename (out, "community", "root.key", NULL);
  g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
  g_free (p);
  p = g_build_filename (out, "stations", "7.key", NULL);
  g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
  g_free (p);
  p = g_build_filename (out, "community", "read.key", NULL);
  g_assert_cmpuint (file_mode (p), ==, 0600);
  ring = ec_keyring_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ec_keyring_n_certs (ring), ==, 1);
  g_assert_nonnull (ec_keyring_current_read_key (ring));

  g_assert_true (ec_kiosk_bundle_export (f->keys, out2, FALSE, &error));
  ring2 = ec_keyring_load (out2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ec_keyring_n_read_keys (ring2), ==, 0);
  g_assert_null (ec_keyring_current_read_key (ring2));
}

static void
test_rotate_read_key (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcKeyring) before = ec_keyring_load (f->keys, &error);
  g_autoptr(EcKeyring) after = NULL;
  g_autoptr(EcSecret) sp = secret (STATION_PASS);
  g_autoptr(EcStationKey) key = ec_station_key_unlock (f->keys, 7, sp, &error);
  g_autoptr(EcTagImage) img = NULL;
  g_autoptr(EcCard) card = NULL;
  g_autoptr(EcCardSummary) s = ec_card_summary_new ();
  EcCardHeader h = { 0 };
  static const guint8 uid[7] = { 0x04, 1, 2, 3, 4, 5, 6 };
  guint32 old_kid = ec_keyring_current_read_key (before)->kid, new_kid = 0;

  s->name = g_strdup ("王秀英");
  h.card_seq = 1;
  h.issued_at = 1750000000;
  g_assert_true (ec_card_encode (EC_TAG_NTAG215, uid, &h, s, key,
                                 ec_keyring_current_read_key (before), &img, &error));
  g_assert_true (ec_community_rotate_read_key (f->keys, &new_kid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (new_kid, !=, old_kid);
  after = ec_keyring_load (f->keys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ec_keyring_n_read_keys (after), ==, 2);
  g_assert_cmpuint (ec_keyring_current_read_key (after)->kid, ==, new_kid);
  /* The old card still reads with the old key, kept as read-<kid>.key. */
  g_assert_true (ec_card_verify (img, after, 1760000000, &card, &error));
  g_assert_nonnull (card->summary);
  g_assert_cmpstr (card->summary->name, ==, "王秀英");
}

static void
test_passphrase_file (Fixture      *f,
                      gconstpointer data)
{
  g_autofree char *p = g_build_filename (f->dir, "pass", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcSecret) s = NULL;

  g_assert_true (g_file_set_contents (p, "长城 passphrase\r\nsecond line\n", -1, NULL));
  s = ec_passphrase_from_file (p, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (s->data, s->len, "长城 passphrase", strlen ("长城 passphrase"));
  g_clear_pointer (&s, ec_secret_free);
  g_assert_true (g_file_set_contents (p, "\n", -1, NULL));
  s = ec_passphrase_from_file (p, &error);
  g_assert_null (s);
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT);
}

static void
test_default_cost (void)
{
  /* Without the test switch, new key files use Argon2id MODERATE and say so. */
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ec-test-keys-XXXXXX", &error);
  g_autofree char *keys = g_build_filename (dir, "keys", NULL);
  g_autofree char *root_key = g_build_filename (keys, "community", "root.key", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(EcSecret) rp = secret (ROOT_PASS);
  const guint8 *u;
  gsize len = 0;
  guint64 ops = 0, mem = 0;

  ec_test_fast_kdf (FALSE);
  g_assert_true (ec_community_create (keys, rp, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (root_key, &contents, &len, NULL));
  u = (const guint8 *) contents;
  for (int i = 0; i < 8; i++)
    {
      ops = ops << 8 | u[8 + i];
      mem = mem << 8 | u[16 + i];
    }
  g_assert_cmpuint (ops, ==, 3);
  g_assert_cmpuint (mem, ==, 256u * 1024 * 1024);
  rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ec_init ();
  g_test_add ("/ec/keys/files-and-modes", Fixture, NULL, fixture_setup, test_files_and_modes, fixture_teardown);
  g_test_add ("/ec/keys/weak-kdf-refused", Fixture, NULL, fixture_setup, test_weak_key_refused, fixture_teardown);
  g_test_add ("/ec/keys/station-unlock", Fixture, NULL, fixture_setup, test_station_unlock, fixture_teardown);
  g_test_add ("/ec/keys/altered-key-file", Fixture, NULL, fixture_setup, test_altered_key_file, fixture_teardown);
  g_test_add ("/ec/keys/permissions", Fixture, NULL, fixture_setup, test_permissions, fixture_teardown);
  g_test_add ("/ec/keys/cert-same-kid", Fixture, NULL, fixture_setup, test_cert_same_kid, fixture_teardown);
  g_test_add ("/ec/keys/certificates", Fixture, NULL, fixture_setup, test_certificates, fixture_teardown);
  g_test_add ("/ec/keys/kiosk-bundle", Fixture, NULL, fixture_setup, test_bundle, fixture_teardown);
  g_test_add ("/ec/keys/rotate-read-key", Fixture, NULL, fixture_setup, test_rotate_read_key, fixture_teardown);
  g_test_add ("/ec/keys/passphrase-file", Fixture, NULL, fixture_setup, test_passphrase_file, fixture_teardown);
  g_test_add_func ("/ec/keys/default-cost", test_default_cost);
  return g_test_run ();
}
