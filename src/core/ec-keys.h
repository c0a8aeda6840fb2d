/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-keys.h: the community key model (docs/keys.md).
 *
 *   community root key (Ed25519)   certifies station signing keys; kept offline.
 *   station signing key (Ed25519)  one per station; signs cards. Encrypted at rest
 *                                  (Argon2id13 + secretbox), unlocked by passphrase
 *                                  into sodium_malloc memory.
 *   station certificate            station id, name, key id, public key, validity,
 *                                  signed by the root.
 *   community read key (32 B)      XChaCha20-Poly1305 key for the card summaries;
 *                                  given to authorised kiosks. Named by its enc key id.
 *   EcKeyring                      what a kiosk loads: root public key, station
 *                                  certificates (checked against the root), read keys.
 *
 * Key ids are 32-bit (first 4 bytes of BLAKE2b-256 of the public key, or of the
 * domain-separated read key; ec-crypto.h), so keys rotate without format changes.
 *
 * Directory layout (a key directory, default "keys"; a kiosk bundle has the same
 * layout without the secret files):
 *   community/root.key           root secret, encrypted (EKS1)        0600, keep offline
 *   community/root.pub           root public key (EPK1)
 *   community/read.key           current read key (ERK1)              0600
 *   community/read-<kid>.key     older read keys kept for old cards   0600
 *   stations/<id>.key            station signing key, encrypted (EKS1) 0600
 *   stations/<id>.cert           station certificate (ESC1)
 *
 * Every secret file is created 0600 and refused (EC_KEY_ERROR_PERMISSIONS, with the
 * `chmod 600 FILE` to run) when group or others can read it. Binary file formats are
 * in docs/keys.md. */
#pragma once

#include <glib.h>

#include "ec-crypto.h"

G_BEGIN_DECLS

#define EC_STATION_NAME_MAX 64   /* bytes of UTF-8 */

/* ---- passphrases ------------------------------------------------------------- */

/* The first line of @path (without its newline; "-" = standard input; /dev/fd/N works)
 * as a secret. An empty passphrase is refused. */
EcSecret   *ec_passphrase_from_file  (const char     *path,
                                      GError        **error);
/* Ask on the controlling terminal (/dev/tty) with echo off. With @confirm, ask twice
 * and refuse a mismatch. New passphrases (@confirm) must have ≥ 12 characters. */
EcSecret   *ec_passphrase_from_tty   (const char     *prompt,
                                      gboolean        confirm,
                                      GError        **error);

/* ---- certificates ------------------------------------------------------------- */

typedef struct
{
  guint16  station_id;
  char    *name;                        /* UTF-8, ≤ EC_STATION_NAME_MAX bytes */
  guint32  kid;                         /* key id of @pk */
  guint8   pk[EC_SIGN_PUBLIC_BYTES];
  gint64   valid_from;                  /* unix seconds (u32 in the file) */
  gint64   valid_to;
  guint32  root_kid;                    /* key id of the certifying root */
} EcStationCert;

void            ec_station_cert_free   (EcStationCert *cert);
EcStationCert  *ec_station_cert_copy   (const EcStationCert *cert);
/* Parse a certificate file's bytes and check its signature against @root_pk
 * (EC_KEY_ERROR_NOT_CERTIFIED when it does not verify; EC_KEY_ERROR_FORMAT when the
 * bytes are malformed). Bounds-checked, fuzzed. */
EcStationCert  *ec_station_cert_parse  (const guint8  *data,
                                        gsize          len,
                                        const guint8   root_pk[EC_SIGN_PUBLIC_BYTES],
                                        GError       **error);

/* ---- the community ------------------------------------------------------------ */

/* Create community/root.key (encrypted with @passphrase), root.pub and read.key in
 * @keydir. Refuses (EC_KEY_ERROR_IO) to overwrite an existing community. */
gboolean        ec_community_create    (const char     *keydir,
                                        const EcSecret *passphrase,
                                        GError        **error);
/* Make a new current read key: read.key is renamed read-<oldkid>.key (still used to
 * read old cards) and a new read.key is written. Returns the new enc key id. */
gboolean        ec_community_rotate_read_key (const char *keydir,
                                        guint32        *out_new_kid,
                                        GError        **error);
/* Create a station signing key: unlock the root with @root_passphrase, write
 * stations/<id>.key (encrypted with @station_passphrase) and stations/<id>.cert
 * valid from @valid_from for @valid_days days. Refuses to overwrite. */
gboolean        ec_station_add         (const char     *keydir,
                                        guint16         station_id,
                                        const char     *name,
                                        gint64          valid_from,
                                        guint           valid_days,
                                        const EcSecret *root_passphrase,
                                        const EcSecret *station_passphrase,
                                        GError        **error);
/* Copy what a kiosk needs into @outdir (created 0700): community/root.pub, every
 * stations/<id>.cert and, unless @with_read_keys is FALSE, the read keys (0600). Never
 * the root or station secret keys. */
gboolean        ec_kiosk_bundle_export (const char     *keydir,
                                        const char     *outdir,
                                        gboolean        with_read_keys,
                                        GError        **error);

/* ---- a read key --------------------------------------------------------------- */

typedef struct
{
  guint32   kid;
  EcSecret *key;             /* EC_AEAD_KEY_BYTES */
} EcReadKey;

/* A read key file (ERK1), permission-checked. */
EcReadKey      *ec_read_key_load       (const char     *path,
                                        GError        **error);
EcReadKey      *ec_read_key_new_from   (const guint8   *key);   /* 32 bytes; tests */
void            ec_read_key_free       (EcReadKey      *key);

/* ---- an unlocked station signing key -------------------------------------------- */

typedef struct
{
  EcStationCert *cert;       /* station id, name, kid, pk */
  EcSecret      *sk;         /* EC_SIGN_SECRET_BYTES, sodium_malloc */
} EcStationKey;

/* Unlock stations/<id>.key in @keydir with @passphrase and pair it with its
 * certificate (which must verify against community/root.pub and match the key).
 * Wrong passphrase: EC_KEY_ERROR_WRONG_PASSPHRASE. */
EcStationKey   *ec_station_key_unlock  (const char     *keydir,
                                        guint16         station_id,
                                        const EcSecret *passphrase,
                                        GError        **error);
/* The same from explicit paths (@root_pub_path checks the certificate). */
EcStationKey   *ec_station_key_unlock_files (const char     *key_path,
                                        const char     *cert_path,
                                        const char     *root_pub_path,
                                        const EcSecret *passphrase,
                                        GError        **error);
void            ec_station_key_free    (EcStationKey   *key);

/* ---- the keyring a kiosk loads ------------------------------------------------------ */

typedef struct _EcKeyring EcKeyring;

/* Load a key directory or kiosk bundle: community/root.pub (required), every
 * stations/<id>.cert (each must verify against the root: EC_KEY_ERROR_NOT_CERTIFIED
 * otherwise) and community/read*.key when present (permission-checked; a kiosk
 * without read keys still verifies cards, it cannot show the summary). */
EcKeyring      *ec_keyring_load        (const char     *dir,
                                        GError        **error);
/* An empty keyring trusting @root_pk; add to it with the functions below (tests). */
EcKeyring      *ec_keyring_new         (const guint8    root_pk[EC_SIGN_PUBLIC_BYTES]);
/* @cert must already be checked; copied. */
void            ec_keyring_add_cert    (EcKeyring      *ring,
                                        const EcStationCert *cert);
/* Takes ownership of @key. */
void            ec_keyring_add_read_key (EcKeyring     *ring,
                                        EcReadKey      *key);
void            ec_keyring_free        (EcKeyring      *ring);

const guint8   *ec_keyring_root_pk     (const EcKeyring *ring);
/* The certificate for key id @kid. When several certify that key (a renewal), the
 * one valid at @when with the latest not-before wins; when none is valid then, the
 * one that ends last; never the order of files in the directory. _find_cert() is
 * _find_cert_at() at the current time (docs/keys.md "Certificates sharing a key id"). */
const EcStationCert *ec_keyring_find_cert (const EcKeyring *ring,
                                        guint32         kid);
const EcStationCert *ec_keyring_find_cert_at (const EcKeyring *ring,
                                        guint32         kid,
                                        gint64          when);
const EcReadKey *ec_keyring_find_read_key (const EcKeyring *ring,
                                        guint32         enc_kid);
/* The read key new cards are encrypted with (read.key), or NULL. */
const EcReadKey *ec_keyring_current_read_key (const EcKeyring *ring);
guint           ec_keyring_n_certs     (const EcKeyring *ring);
guint           ec_keyring_n_read_keys (const EcKeyring *ring);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcStationCert, ec_station_cert_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcReadKey, ec_read_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcStationKey, ec_station_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcKeyring, ec_keyring_free)

G_END_DECLS
