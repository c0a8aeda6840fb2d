/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-crypto"

#include "ec-crypto.h"

#include <string.h>
#include <sodium.h>

#include "ec-error.h"
#include "ec-i18n.h"

G_STATIC_ASSERT (EC_SIGN_PUBLIC_BYTES == crypto_sign_ed25519_PUBLICKEYBYTES);
G_STATIC_ASSERT (EC_SIGN_SECRET_BYTES == crypto_sign_ed25519_SECRETKEYBYTES);
G_STATIC_ASSERT (EC_SIGN_SEED_BYTES == crypto_sign_ed25519_SEEDBYTES);
G_STATIC_ASSERT (EC_SIGN_BYTES == crypto_sign_ed25519_BYTES);
G_STATIC_ASSERT (EC_AEAD_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
G_STATIC_ASSERT (EC_AEAD_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
G_STATIC_ASSERT (EC_AEAD_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES);
G_STATIC_ASSERT (EC_SECRETBOX_KEY_BYTES == crypto_secretbox_KEYBYTES);
G_STATIC_ASSERT (EC_SECRETBOX_NONCE_BYTES == crypto_secretbox_NONCEBYTES);
G_STATIC_ASSERT (EC_SECRETBOX_MAC_BYTES == crypto_secretbox_MACBYTES);
G_STATIC_ASSERT (EC_PWHASH_SALT_BYTES == crypto_pwhash_argon2id_SALTBYTES);

EcSecret *
ec_secret_new (gsize len)
{
  EcSecret *secret;

  g_return_val_if_fail (len > 0, NULL);

  secret = g_new0 (EcSecret, 1);
  secret->data = sodium_malloc (len);
  if (secret->data == NULL)
    g_error ("sodium_malloc failed for a %" G_GSIZE_FORMAT "-byte secret", len);
  sodium_memzero (secret->data, len);
  secret->len = len;
  return secret;
}

EcSecret *
ec_secret_new_from (const guint8 *data,
                    gsize         len)
{
  EcSecret *secret = ec_secret_new (len);

  memcpy (secret->data, data, len);
  return secret;
}

void
ec_secret_free (EcSecret *secret)
{
  if (secret == NULL)
    return;
  sodium_free (secret->data);   /* zeroes the region before releasing it */
  g_free (secret);
}

gboolean
ec_secret_equal (const EcSecret *a,
                 const EcSecret *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  if (a->len != b->len)
    return FALSE;
  return sodium_memcmp (a->data, b->data, a->len) == 0;
}

void
ec_crypto_random (guint8 *buf,
                  gsize   len)
{
  randombytes_buf (buf, len);
}

static gboolean
crypto_fail (GError    **error,
             const char *what)
{
  g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_CRYPTO,
               _("libsodium failed: %s"), what);
  return FALSE;
}

gboolean
ec_crypto_blake2b (guint8        *out,
                   gsize          out_len,
                   const guint8  *key,
                   gsize          key_len,
                   const guint8  *msg,
                   gsize          msg_len,
                   GError       **error)
{
  if (out_len < crypto_generichash_blake2b_BYTES_MIN || out_len > crypto_generichash_blake2b_BYTES_MAX
      || (key != NULL && (key_len < crypto_generichash_blake2b_KEYBYTES_MIN
                          || key_len > crypto_generichash_blake2b_KEYBYTES_MAX)))
    return crypto_fail (error, "BLAKE2b sizes out of range");
  if (crypto_generichash_blake2b (out, out_len, msg, msg_len, key, key != NULL ? key_len : 0) != 0)
    return crypto_fail (error, "BLAKE2b");
  return TRUE;
}

static guint32
id_from_hash (const guint8 *prefix,
              gsize         prefix_len,
              const guint8 *data,
              gsize         len)
{
  crypto_generichash_blake2b_state st;
  guint8 h[32];

  /* With valid sizes these cannot fail; abort rather than name a key wrongly. */
  if (crypto_generichash_blake2b_init (&st, NULL, 0, sizeof h) != 0
      || (prefix_len > 0 && crypto_generichash_blake2b_update (&st, prefix, prefix_len) != 0)
      || crypto_generichash_blake2b_update (&st, data, len) != 0
      || crypto_generichash_blake2b_final (&st, h, sizeof h) != 0)
    g_error ("BLAKE2b failed computing a key id");
  sodium_memzero (&st, sizeof st);
  return ((guint32) h[0] << 24) | ((guint32) h[1] << 16) | ((guint32) h[2] << 8) | h[3];
}

guint32
ec_crypto_key_id (const guint8 pk[EC_SIGN_PUBLIC_BYTES])
{
  return id_from_hash (NULL, 0, pk, EC_SIGN_PUBLIC_BYTES);
}

guint32
ec_crypto_read_key_id (const guint8 key[EC_AEAD_KEY_BYTES])
{
  static const char prefix[] = "eldercard read key id";

  return id_from_hash ((const guint8 *) prefix, sizeof prefix - 1, key, EC_AEAD_KEY_BYTES);
}

char *
ec_key_id_to_string (guint32 kid)
{
  return g_strdup_printf ("%08x", kid);
}

gboolean
ec_key_id_parse (const char *text,
                 guint32    *out)
{
  guint32 v = 0;

  if (text == NULL || strlen (text) != 8)
    return FALSE;
  for (int i = 0; i < 8; i++)
    {
      int d = g_ascii_xdigit_value (text[i]);
      if (d < 0)
        return FALSE;
      v = (v << 4) | (guint32) d;
    }
  *out = v;
  return TRUE;
}

gboolean
ec_crypto_sign_keypair (EcSecret     **out_sk,
                        guint8         pk[EC_SIGN_PUBLIC_BYTES],
                        const guint8  *seed,
                        GError       **error)
{
  g_autoptr(EcSecret) sk = ec_secret_new (EC_SIGN_SECRET_BYTES);
  int rc;

  if (seed != NULL)
    rc = crypto_sign_ed25519_seed_keypair (pk, sk->data, seed);
  else
    rc = crypto_sign_ed25519_keypair (pk, sk->data);
  if (rc != 0)
    return crypto_fail (error, "Ed25519 key generation");
  *out_sk = g_steal_pointer (&sk);
  return TRUE;
}

gboolean
ec_crypto_sign (guint8          sig[EC_SIGN_BYTES],
                const guint8   *msg,
                gsize           msg_len,
                const EcSecret *sk,
                GError        **error)
{
  unsigned long long siglen = 0;

  g_return_val_if_fail (sk != NULL && sk->len == EC_SIGN_SECRET_BYTES, FALSE);
  if (crypto_sign_ed25519_detached (sig, &siglen, msg, msg_len, sk->data) != 0
      || siglen != EC_SIGN_BYTES)
    return crypto_fail (error, "Ed25519 signing");
  return TRUE;
}

gboolean
ec_crypto_verify (const guint8  sig[EC_SIGN_BYTES],
                  const guint8 *msg,
                  gsize         msg_len,
                  const guint8  pk[EC_SIGN_PUBLIC_BYTES])
{
  return crypto_sign_ed25519_verify_detached (sig, msg, msg_len, pk) == 0;
}

gboolean
ec_crypto_aead_encrypt (guint8        *out,
                        const guint8  *pt,
                        gsize          pt_len,
                        const guint8  *ad,
                        gsize          ad_len,
                        const guint8   nonce[EC_AEAD_NONCE_BYTES],
                        const guint8   key[EC_AEAD_KEY_BYTES],
                        GError       **error)
{
  unsigned long long clen = 0;

  if (crypto_aead_xchacha20poly1305_ietf_encrypt (out, &clen, pt, pt_len, ad, ad_len,
                                                  NULL, nonce, key) != 0
      || clen != pt_len + EC_AEAD_TAG_BYTES)
    return crypto_fail (error, "XChaCha20-Poly1305 encryption");
  return TRUE;
}

gboolean
ec_crypto_aead_decrypt (guint8        *out,
                        const guint8  *ct,
                        gsize          ct_len,
                        const guint8  *ad,
                        gsize          ad_len,
                        const guint8   nonce[EC_AEAD_NONCE_BYTES],
                        const guint8   key[EC_AEAD_KEY_BYTES],
                        GError       **error)
{
  unsigned long long mlen = 0;

  if (ct_len < EC_AEAD_TAG_BYTES)
    return crypto_fail (error, "ciphertext shorter than its tag");
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (out, &mlen, NULL, ct, ct_len, ad, ad_len,
                                                  nonce, key) != 0
      || mlen != ct_len - EC_AEAD_TAG_BYTES)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_CRYPTO,
                   _("the data does not decrypt with this key (wrong key, or altered)"));
      return FALSE;
    }
  return TRUE;
}

const EcKdfPolicy *
ec_kdf_policy_product (void)
{
  static const EcKdfPolicy policy = {
    .key_ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
    .key_mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE,
    .pin_ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
    .pin_mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE,
    .min_ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
    .min_mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE,
  };
  return &policy;
}

void
ec_crypto_pwhash_default_limits (guint64 *opslimit,
                                 guint64 *memlimit)
{
  const EcKdfPolicy *policy = ec_kdf_policy ();

  *opslimit = policy->key_ops;
  *memlimit = policy->key_mem;
}

gboolean
ec_crypto_pwhash_limits_ok (guint64 opslimit,
                            guint64 memlimit)
{
  const EcKdfPolicy *policy = ec_kdf_policy ();

  /* From the policy's minimum up to SENSITIVE (4 passes, 1 GiB), a little above. */
  return opslimit >= policy->min_ops && opslimit >= crypto_pwhash_argon2id_OPSLIMIT_MIN
         && opslimit <= 16
         && memlimit >= policy->min_mem && memlimit >= crypto_pwhash_argon2id_MEMLIMIT_MIN
         && memlimit <= (guint64) crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
}

/* One decimal field "NAME=digits" at *@p, followed by @end; advances @p. */
static gboolean
parse_cost_field (const char **p,
                  const char  *name,
                  char         end,
                  guint64     *out)
{
  gsize n = strlen (name);
  guint64 v = 0;
  const char *q;

  if (strncmp (*p, name, n) != 0)
    return FALSE;
  q = *p + n;
  if (!g_ascii_isdigit (*q))
    return FALSE;
  for (; g_ascii_isdigit (*q); q++)
    {
      if (v > G_MAXUINT32)
        return FALSE;
      v = v * 10 + (guint64) (*q - '0');
    }
  if (*q != end)
    return FALSE;
  *out = v;
  *p = q + 1;
  return TRUE;
}

gboolean
ec_crypto_pwhash_str_cost_ok (const char *hash)
{
  const char *p = hash;
  guint64 version, m_kib, t, par;

  if (hash == NULL || !g_str_has_prefix (hash, "$argon2id$"))
    return FALSE;
  p += strlen ("$argon2id$");
  if (!parse_cost_field (&p, "v=", '$', &version)
      || !parse_cost_field (&p, "m=", ',', &m_kib)
      || !parse_cost_field (&p, "t=", ',', &t)
      || !parse_cost_field (&p, "p=", '$', &par))
    return FALSE;
  return version == 19 && par >= 1 && ec_crypto_pwhash_limits_ok (t, m_kib * 1024);
}

gboolean
ec_crypto_pwhash (EcSecret      **out_key,
                  const EcSecret *passphrase,
                  const guint8    salt[EC_PWHASH_SALT_BYTES],
                  guint64         opslimit,
                  guint64         memlimit,
                  GError        **error)
{
  g_autoptr(EcSecret) key = ec_secret_new (EC_SECRETBOX_KEY_BYTES);

  if (!ec_crypto_pwhash_limits_ok (opslimit, memlimit))
    return crypto_fail (error, "Argon2id limits out of range");
  if (crypto_pwhash (key->data, key->len, (const char *) passphrase->data, passphrase->len,
                     salt, opslimit, (size_t) memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_CRYPTO,
                   _("Argon2id failed (out of memory? it needs %llu MiB)"),
                   (unsigned long long) (memlimit >> 20));
      return FALSE;
    }
  *out_key = g_steal_pointer (&key);
  return TRUE;
}

gboolean
ec_crypto_secretbox_seal (guint8         *out,
                          const guint8   *pt,
                          gsize           pt_len,
                          const guint8    nonce[EC_SECRETBOX_NONCE_BYTES],
                          const EcSecret *key,
                          GError        **error)
{
  g_return_val_if_fail (key->len == EC_SECRETBOX_KEY_BYTES, FALSE);
  if (crypto_secretbox_easy (out, pt, pt_len, nonce, key->data) != 0)
    return crypto_fail (error, "secretbox");
  return TRUE;
}

gboolean
ec_crypto_secretbox_open (EcSecret      **out_pt,
                          const guint8   *ct,
                          gsize           ct_len,
                          const guint8    nonce[EC_SECRETBOX_NONCE_BYTES],
                          const EcSecret *key,
                          GError        **error)
{
  g_autoptr(EcSecret) pt = NULL;

  g_return_val_if_fail (key->len == EC_SECRETBOX_KEY_BYTES, FALSE);
  if (ct_len <= EC_SECRETBOX_MAC_BYTES)
    return crypto_fail (error, "secretbox too short");
  pt = ec_secret_new (ct_len - EC_SECRETBOX_MAC_BYTES);
  if (crypto_secretbox_open_easy (pt->data, ct, ct_len, nonce, key->data) != 0)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_WRONG_PASSPHRASE,
                   _("wrong passphrase (or the key file was altered)"));
      return FALSE;
    }
  *out_pt = g_steal_pointer (&pt);
  return TRUE;
}
