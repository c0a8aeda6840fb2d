/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-crypto: known answers through our libsodium wrappers (ec-crypto.c).
 * RFC 8032 §7.1 Ed25519 TEST 1–3 and the draft-irtf-cfrg-xchacha §A.3.1
 * AEAD_XChaCha20_Poly1305 vector, plus the negative cases a card relies on. */
#define G_LOG_DOMAIN "test-crypto"

#include <string.h>
#include <glib.h>

#include "ec-test-kdf.h"
#include "ec-crypto.h"
#include "ec-error.h"
#include "ec-init.h"

static GBytes *
unhex (const char *hex)
{
  gsize n = strlen (hex) / 2;
  guint8 *b = g_malloc (n + 1);

  g_assert_cmpuint (strlen (hex) % 2, ==, 0);
  for (gsize i = 0; i < n; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]), lo = g_ascii_xdigit_value (hex[2 * i + 1]);
      g_assert (hi >= 0 && lo >= 0);
      b[i] = (guint8) (hi << 4 | lo);
    }
  return g_bytes_new_take (b, n);
}

static const struct
{
  const char *seed, *pk, *msg, *sig;
} rfc8032[] = {
  /* TEST 1 */
  { "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "",
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
  /* TEST 2 */
  { "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    "72",
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
  /* TEST 3 */
  { "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    "af82",
    "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

static void
test_ed25519_rfc8032 (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rfc8032); i++)
    {
      g_autoptr(GBytes) seed = unhex (rfc8032[i].seed);
      g_autoptr(GBytes) pk = unhex (rfc8032[i].pk);
      g_autoptr(GBytes) msg = unhex (rfc8032[i].msg);
      g_autoptr(GBytes) sig = unhex (rfc8032[i].sig);
      g_autoptr(EcSecret) sk = NULL;
      g_autoptr(GError) error = NULL;
      guint8 got_pk[EC_SIGN_PUBLIC_BYTES], got_sig[EC_SIGN_BYTES], bad[EC_SIGN_BYTES];
      gsize mlen = g_bytes_get_size (msg);
      g_autofree guint8 *longer = g_malloc0 (mlen + 1);

      g_assert_true (ec_crypto_sign_keypair (&sk, got_pk, g_bytes_get_data (seed, NULL), &error));
      g_assert_no_error (error);
      g_assert_cmpmem (got_pk, sizeof got_pk, g_bytes_get_data (pk, NULL), g_bytes_get_size (pk));
      g_assert_true (ec_crypto_sign (got_sig, g_bytes_get_data (msg, NULL), mlen, sk, &error));
      g_assert_cmpmem (got_sig, sizeof got_sig, g_bytes_get_data (sig, NULL), g_bytes_get_size (sig));
      g_assert_true (ec_crypto_verify (got_sig, g_bytes_get_data (msg, NULL), mlen, got_pk));

      /* Any flipped signature bit, and a longer message, are refused. */
      for (int bit = 0; bit < EC_SIGN_BYTES * 8; bit++)
        {
          memcpy (bad, got_sig, sizeof bad);
          bad[bit / 8] ^= (guint8) (1 << (bit % 8));
          g_assert_false (ec_crypto_verify (bad, g_bytes_get_data (msg, NULL), mlen, got_pk));
        }
      if (mlen > 0)
        memcpy (longer, g_bytes_get_data (msg, NULL), mlen);
      g_assert_false (ec_crypto_verify (got_sig, longer, mlen + 1, got_pk));
    }
}

static void
test_xchacha_draft (void)
{
  static const char pt_text[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
                                "only one tip for the future, sunscreen would be it.";
  g_autoptr(GBytes) key = unhex ("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  g_autoptr(GBytes) nonce = unhex ("404142434445464748494a4b4c4d4e4f5051525354555657");
  g_autoptr(GBytes) ad = unhex ("50515253c0c1c2c3c4c5c6c7");
  g_autoptr(GBytes) ct = unhex ("bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
                                "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
                                "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
                                "21f9664c97637da9768812f615c68b13b52e");
  g_autoptr(GBytes) tag = unhex ("c0875924c1c7987947deafd8780acf49");
  g_autoptr(GError) error = NULL;
  gsize mlen = sizeof pt_text - 1;
  g_autofree guint8 *out = g_malloc (mlen + EC_AEAD_TAG_BYTES);
  g_autofree guint8 *back = g_malloc (mlen);

  g_assert_cmpuint (mlen, ==, 114);
  g_assert_true (ec_crypto_aead_encrypt (out, (const guint8 *) pt_text, mlen,
                                         g_bytes_get_data (ad, NULL), g_bytes_get_size (ad),
                                         g_bytes_get_data (nonce, NULL), g_bytes_get_data (key, NULL),
                                         &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out, mlen, g_bytes_get_data (ct, NULL), g_bytes_get_size (ct));
  g_assert_cmpmem (out + mlen, EC_AEAD_TAG_BYTES, g_bytes_get_data (tag, NULL), g_bytes_get_size (tag));

  g_assert_true (ec_crypto_aead_decrypt (back, out, mlen + EC_AEAD_TAG_BYTES,
                                         g_bytes_get_data (ad, NULL), g_bytes_get_size (ad),
                                         g_bytes_get_data (nonce, NULL), g_bytes_get_data (key, NULL),
                                         &error));
  g_assert_cmpmem (back, mlen, pt_text, mlen);

  /* Every flipped ciphertext byte and a different AD are refused with a GError. */
  for (gsize i = 0; i < mlen + EC_AEAD_TAG_BYTES; i++)
    {
      g_autoptr(GError) e2 = NULL;
      out[i] ^= 0x01;
      g_assert_false (ec_crypto_aead_decrypt (back, out, mlen + EC_AEAD_TAG_BYTES,
                                              g_bytes_get_data (ad, NULL), g_bytes_get_size (ad),
                                              g_bytes_get_data (nonce, NULL),
                                              g_bytes_get_data (key, NULL), &e2));
      g_assert_error (e2, EC_KEY_ERROR, EC_KEY_ERROR_CRYPTO);
      out[i] ^= 0x01;
    }
  {
    g_autoptr(GError) e3 = NULL;
    g_assert_false (ec_crypto_aead_decrypt (back, out, mlen + EC_AEAD_TAG_BYTES,
                                            g_bytes_get_data (ad, NULL), g_bytes_get_size (ad) - 1,
                                            g_bytes_get_data (nonce, NULL),
                                            g_bytes_get_data (key, NULL), &e3));
    g_assert_error (e3, EC_KEY_ERROR, EC_KEY_ERROR_CRYPTO);
  }
  {
    g_autoptr(GError) e4 = NULL;
    g_assert_false (ec_crypto_aead_decrypt (back, out, EC_AEAD_TAG_BYTES - 1, NULL, 0,
                                            g_bytes_get_data (nonce, NULL),
                                            g_bytes_get_data (key, NULL), &e4));
    g_assert_error (e4, EC_KEY_ERROR, EC_KEY_ERROR_CRYPTO);
  }
}

static void
test_key_ids (void)
{
  g_autoptr(GBytes) pk = unhex (rfc8032[0].pk);
  guint8 h[32];
  g_autoptr(GError) error = NULL;
  guint32 kid = ec_crypto_key_id (g_bytes_get_data (pk, NULL)), parsed = 0;
  g_autofree char *s = ec_key_id_to_string (kid);

  /* kid = first 4 bytes of BLAKE2b-256(pk), big-endian. */
  g_assert_true (ec_crypto_blake2b (h, 32, NULL, 0, g_bytes_get_data (pk, NULL), 32, &error));
  g_assert_cmpuint (kid, ==, (guint32) h[0] << 24 | (guint32) h[1] << 16 | (guint32) h[2] << 8 | h[3]);
  g_assert_cmpuint (strlen (s), ==, 8);
  g_assert_true (ec_key_id_parse (s, &parsed));
  g_assert_cmpuint (parsed, ==, kid);
  g_assert_false (ec_key_id_parse ("1234567", &parsed));
  g_assert_false (ec_key_id_parse ("1234567g", &parsed));
  /* A read key's id is domain-separated from a public key's id over the same bytes. */
  g_assert_cmpuint (ec_crypto_read_key_id (g_bytes_get_data (pk, NULL)), !=, kid);
  /* BLAKE2b sizes out of range are an error, not a crash. */
  g_assert_false (ec_crypto_blake2b (h, 8, NULL, 0, h, 1, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_CRYPTO);
}

static void
test_secretbox_passphrase (void)
{
  g_autoptr(EcSecret) pass = ec_secret_new_from ((const guint8 *) "correct horse battery", 21);
  g_autoptr(EcSecret) wrong = ec_secret_new_from ((const guint8 *) "correct horse battery!", 22);
  g_autoptr(EcSecret) k1 = NULL, k2 = NULL, k3 = NULL, opened = NULL;
  g_autoptr(GError) error = NULL;
  guint8 salt[EC_PWHASH_SALT_BYTES] = { 1, 2, 3 }, nonce[EC_SECRETBOX_NONCE_BYTES] = { 9 };
  guint8 seed[32], box[32 + EC_SECRETBOX_MAC_BYTES];
  guint64 ops, mem;

  ec_test_fast_kdf (TRUE);
  ec_crypto_pwhash_default_limits (&ops, &mem);
  g_assert_cmpuint (mem, ==, 8192);
  ec_test_fast_kdf (FALSE);
  ec_crypto_pwhash_default_limits (&ops, &mem);
  g_assert_cmpuint (ops, ==, 3);                  /* MODERATE by default */
  g_assert_cmpuint (mem, ==, 256u * 1024 * 1024);
  g_assert_false (ec_crypto_pwhash_limits_ok (3, (guint64) 1 << 40));
  /* The product refuses anything below INTERACTIVE (2 passes, 64 MiB) when reading. */
  g_assert_true (ec_crypto_pwhash_limits_ok (2, 64u * 1024 * 1024));
  g_assert_false (ec_crypto_pwhash_limits_ok (1, 64u * 1024 * 1024));
  g_assert_false (ec_crypto_pwhash_limits_ok (2, 64u * 1024 * 1024 - 1024));
  g_assert_false (ec_crypto_pwhash (&k1, pass, salt, 1, 8192, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  ec_test_fast_kdf (TRUE);

  g_assert_true (ec_crypto_pwhash (&k1, pass, salt, 1, 8192, &error));
  g_assert_true (ec_crypto_pwhash (&k2, pass, salt, 1, 8192, &error));
  g_assert_true (ec_crypto_pwhash (&k3, wrong, salt, 1, 8192, &error));
  g_assert_true (ec_secret_equal (k1, k2));
  g_assert_false (ec_secret_equal (k1, k3));

  ec_crypto_random (seed, sizeof seed);
  g_assert_true (ec_crypto_secretbox_seal (box, seed, sizeof seed, nonce, k1, &error));
  g_assert_true (ec_crypto_secretbox_open (&opened, box, sizeof box, nonce, k2, &error));
  g_assert_cmpmem (opened->data, opened->len, seed, sizeof seed);
  g_assert_false (ec_crypto_secretbox_open (&opened, box, sizeof box, nonce, k3, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_WRONG_PASSPHRASE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ec_init ();
  g_test_add_func ("/ec/crypto/ed25519-rfc8032", test_ed25519_rfc8032);
  g_test_add_func ("/ec/crypto/xchacha20poly1305-draft", test_xchacha_draft);
  g_test_add_func ("/ec/crypto/key-ids", test_key_ids);
  g_test_add_func ("/ec/crypto/secretbox-passphrase", test_secretbox_passphrase);
  return g_test_run ();
}
