/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-crypto.h: the thin layer over libsodium that every other file uses.
 *
 * Each wrapper checks libsodium's return value and reports failure as a GError in
 * EC_KEY_ERROR (EC_KEY_ERROR_CRYPTO, or EC_KEY_ERROR_WRONG_PASSPHRASE for a secretbox
 * that does not open). ec_init() must have been called (it runs sodium_init()).
 *
 * Secrets live in EcSecret buffers: sodium_malloc memory (guard pages, mlock'd where
 * the system allows), wiped and released by ec_secret_free(). Use
 * g_autoptr(EcSecret) so that every error path wipes them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EC_SIGN_PUBLIC_BYTES   32   /* crypto_sign_ed25519_PUBLICKEYBYTES */
#define EC_SIGN_SECRET_BYTES   64   /* crypto_sign_ed25519_SECRETKEYBYTES (seed ‖ pk) */
#define EC_SIGN_SEED_BYTES     32
#define EC_SIGN_BYTES          64
#define EC_AEAD_KEY_BYTES      32   /* XChaCha20-Poly1305 IETF */
#define EC_AEAD_NONCE_BYTES    24
#define EC_AEAD_TAG_BYTES      16
#define EC_SECRETBOX_KEY_BYTES 32   /* XSalsa20-Poly1305 */
#define EC_SECRETBOX_NONCE_BYTES 24
#define EC_SECRETBOX_MAC_BYTES 16
#define EC_PWHASH_SALT_BYTES   16   /* Argon2id13 */
#define EC_KEY_ID_BYTES        4

/* ---- secret buffers ---------------------------------------------------------- */

typedef struct
{
  guint8 *data;   /* sodium_malloc'd, @len bytes */
  gsize   len;
} EcSecret;

/* A zero-filled secret of @len bytes (> 0). Aborts like g_malloc when memory is out. */
EcSecret *ec_secret_new       (gsize           len);
/* A secret holding a copy of @len bytes of @data. */
EcSecret *ec_secret_new_from  (const guint8   *data,
                               gsize           len);
/* Wipe (sodium_free does) and release; NULL is fine. */
void      ec_secret_free      (EcSecret       *secret);
/* Constant-time comparison of two secrets (same length and same bytes). */
gboolean  ec_secret_equal     (const EcSecret *a,
                               const EcSecret *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcSecret, ec_secret_free)

/* ---- randomness and hashing ------------------------------------------------- */

void      ec_crypto_random    (guint8         *buf,
                               gsize           len);
/* Unkeyed (key NULL) or keyed BLAKE2b with an output of @out_len (16..64) bytes. */
gboolean  ec_crypto_blake2b   (guint8         *out,
                               gsize           out_len,
                               const guint8   *key,
                               gsize           key_len,
                               const guint8   *msg,
                               gsize           msg_len,
                               GError        **error);
/* Key id of an Ed25519 public key: the first 4 bytes of BLAKE2b-256(pk), big-endian. */
guint32   ec_crypto_key_id    (const guint8    pk[EC_SIGN_PUBLIC_BYTES]);
/* Key id of a 32-byte symmetric read key: first 4 bytes of
 * BLAKE2b-256("eldercard read key id" ‖ key), big-endian. It names the key without
 * revealing anything about it. */
guint32   ec_crypto_read_key_id (const guint8  key[EC_AEAD_KEY_BYTES]);
/* "1a2b3c4d": key ids as 8 lower-case hex digits (g_free). */
char     *ec_key_id_to_string (guint32         kid);
gboolean  ec_key_id_parse     (const char     *text,
                               guint32        *out);

/* ---- Ed25519 ------------------------------------------------------------------ */

/* A new key pair: @sk (EC_SIGN_SECRET_BYTES) and @pk. Random, or from a 32-byte
 * @seed when it is not NULL (tests, key unwrapping). */
gboolean  ec_crypto_sign_keypair (EcSecret     **out_sk,
                                  guint8         pk[EC_SIGN_PUBLIC_BYTES],
                                  const guint8  *seed,
                                  GError       **error);
gboolean  ec_crypto_sign      (guint8          sig[EC_SIGN_BYTES],
                               const guint8   *msg,
                               gsize           msg_len,
                               const EcSecret *sk,
                               GError        **error);
/* TRUE when @sig is a valid signature of @msg by @pk. No GError: a bad signature is
 * the expected "no", not a failure of the library. */
gboolean  ec_crypto_verify    (const guint8    sig[EC_SIGN_BYTES],
                               const guint8   *msg,
                               gsize           msg_len,
                               const guint8    pk[EC_SIGN_PUBLIC_BYTES]);

/* ---- XChaCha20-Poly1305 IETF ------------------------------------------------ */

/* @out receives @pt_len + EC_AEAD_TAG_BYTES bytes. */
gboolean  ec_crypto_aead_encrypt (guint8         *out,
                                  const guint8   *pt,
                                  gsize           pt_len,
                                  const guint8   *ad,
                                  gsize           ad_len,
                                  const guint8    nonce[EC_AEAD_NONCE_BYTES],
                                  const guint8    key[EC_AEAD_KEY_BYTES],
                                  GError        **error);
/* @out receives @ct_len − EC_AEAD_TAG_BYTES bytes (@ct_len ≥ EC_AEAD_TAG_BYTES).
 * Forged or damaged input: FALSE with EC_KEY_ERROR_CRYPTO. */
gboolean  ec_crypto_aead_decrypt (guint8         *out,
                                  const guint8   *ct,
                                  gsize           ct_len,
                                  const guint8   *ad,
                                  gsize           ad_len,
                                  const guint8    nonce[EC_AEAD_NONCE_BYTES],
                                  const guint8    key[EC_AEAD_KEY_BYTES],
                                  GError        **error);

/* ---- passphrase key wrapping (Argon2id13 + secretbox) ----------------------- */

/* The Argon2id costs: what new key wrappings and PIN hashes use, and the least
 * that is accepted when a key file or a stored PIN hash is read. The product's
 * policy (ec-kdf-policy.c) is MODERATE (3 passes, 256 MiB) for key files,
 * INTERACTIVE (2 passes, 64 MiB) for PIN hashes, and refuses anything cheaper than
 * INTERACTIVE. There is no switch for a cheaper cost in the product: test programs
 * link their own ec_kdf_policy() (tests/ec-test-kdf.h), which the linker then takes
 * instead of the library's. */
typedef struct
{
  guint64 key_ops, key_mem;   /* new key-file wrappings */
  guint64 pin_ops, pin_mem;   /* new PIN hashes */
  guint64 min_ops, min_mem;   /* the least accepted when reading either */
} EcKdfPolicy;

const EcKdfPolicy *ec_kdf_policy         (void);
/* The product's policy (what ec_kdf_policy() returns in installed programs). */
const EcKdfPolicy *ec_kdf_policy_product (void);

/* Argon2id cost for new wrappings (ec_kdf_policy()->key_*). */
void      ec_crypto_pwhash_default_limits (guint64 *opslimit,
                                           guint64 *memlimit);
/* Limits accepted when unwrapping: at least the policy's minimum (a weakened file is
 * refused) and at most a little above SENSITIVE (so a crafted file cannot ask for 1 TiB). */
gboolean  ec_crypto_pwhash_limits_ok      (guint64  opslimit,
                                           guint64  memlimit);
/* The cost recorded in a crypto_pwhash_str() string ("$argon2id$v=19$m=65536,t=2,p=1$…"):
 * FALSE when it cannot be parsed or is below the policy's minimum. */
gboolean  ec_crypto_pwhash_str_cost_ok    (const char *hash);
/* Derive a 32-byte key from @passphrase with Argon2id13. */
gboolean  ec_crypto_pwhash    (EcSecret      **out_key,
                               const EcSecret *passphrase,
                               const guint8    salt[EC_PWHASH_SALT_BYTES],
                               guint64         opslimit,
                               guint64         memlimit,
                               GError        **error);
/* secretbox: @out receives @pt_len + EC_SECRETBOX_MAC_BYTES bytes. */
gboolean  ec_crypto_secretbox_seal (guint8         *out,
                                    const guint8   *pt,
                                    gsize           pt_len,
                                    const guint8    nonce[EC_SECRETBOX_NONCE_BYTES],
                                    const EcSecret *key,
                                    GError        **error);
/* Opens into a new EcSecret; a MAC failure is EC_KEY_ERROR_WRONG_PASSPHRASE. */
gboolean  ec_crypto_secretbox_open (EcSecret      **out_pt,
                                    const guint8   *ct,
                                    gsize           ct_len,
                                    const guint8    nonce[EC_SECRETBOX_NONCE_BYTES],
                                    const EcSecret *key,
                                    GError        **error);

G_END_DECLS
