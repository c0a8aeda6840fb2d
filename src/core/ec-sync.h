/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-sync.h: keeping field kiosks current (docs/sync.md).
 *
 * Station → kiosk: a signed, encrypted update bundle (*.ecbundle) holding, for one
 * kiosk role, the residents' emergency records and every card state (revocations
 * included) of one station's database. Never staff accounts, PIN hashes, peppers or
 * the audit log.
 *
 *   header (68 B) ‖ XChaCha20-Poly1305 ciphertext ‖ Ed25519 signature (64 B)
 *
 * The station signs with its signing key (certified by the community root); the
 * payload is encrypted under a bundle key derived from the community read key with
 * crypto_kdf (context "ECBUNDLE", subkey 1). A kiosk verifies the signature against a
 * station certificate in its keyring, refuses a bundle whose sequence number is not
 * above the last one it applied from that station (no rollback), decrypts, parses
 * (bounds-checked; tests/fuzz/fuzz-bundle.c) and replaces that station's residents
 * and cards in ONE transaction. Any refusal applies nothing.
 *
 * Kiosk → station: a signed audit export (*.ecaudit) of the kiosk's own hash-chained
 * audit entries with their original hashes, signed by a per-kiosk Ed25519 key. The
 * station checks that the chain continues from the head it imported last (gaps and
 * edits are refused) and keeps the entries in `remote_audit`, keyed by kiosk id and
 * seq; its own audit log records each import with the imported head hash.
 *
 * State lives in tables this file creates (CREATE TABLE IF NOT EXISTS) in the same
 * database: sync_export_seq (station), sync_state, sync_resident_origin,
 * sync_card_origin, sync_audit_export (kiosk), remote_audit, remote_audit_head
 * (station). */
#pragma once

#include <glib.h>

#include "ec-db.h"
#include "ec-keys.h"

G_BEGIN_DECLS

#define EC_SYNC_ERROR (ec_sync_error_quark ())

/* Why a bundle or audit export is refused (or what else went wrong). */
typedef enum
{
  EC_SYNC_ERROR_NOT_A_BUNDLE,     /* wrong magic or an unknown format version */
  EC_SYNC_ERROR_TRUNCATED,        /* shorter than its own header says */
  EC_SYNC_ERROR_DAMAGED,          /* malformed: lengths, trailing bytes, payload structure */
  EC_SYNC_ERROR_WRONG_COMMUNITY,  /* made for another community (root key id) */
  EC_SYNC_ERROR_UNKNOWN_SIGNER,   /* wrongly signed: station key not certified by our root */
  EC_SYNC_ERROR_BAD_SIGNATURE,    /* tampered: the signature does not verify */
  EC_SYNC_ERROR_OLDER,            /* rollback: seq not above the one already applied */
  EC_SYNC_ERROR_CANNOT_DECRYPT,   /* no such read key here, or the payload does not open */
  EC_SYNC_ERROR_WRONG_ROLE,       /* made for another kiosk role */
  EC_SYNC_ERROR_NO_BUNDLE,        /* a directory without any *.ecbundle */
  EC_SYNC_ERROR_AUDIT_GAP,        /* audit export does not continue the imported chain */
  EC_SYNC_ERROR_AUDIT_TAMPERED,   /* an entry's hash does not match its content or chain */
  EC_SYNC_ERROR_KIOSK_KEY,        /* audit export signed by another key than this kiosk's */
  EC_SYNC_ERROR_INVALID,          /* bad argument */
} EcSyncError;

GQuark        ec_sync_error_quark        (void);
/* "tampered", "wrongly-signed", "older", "truncated", … (stable, for logs and tests). */
const char   *ec_sync_error_to_string    (EcSyncError code);

#define EC_SYNC_BUNDLE_MAGIC        "ECB1"
#define EC_SYNC_BUNDLE_VERSION      1
#define EC_SYNC_BUNDLE_HEADER_BYTES 68
#define EC_SYNC_BUNDLE_SUFFIX       ".ecbundle"
/* A kiosk refuses to read a bundle file larger than this. */
#define EC_SYNC_BUNDLE_MAX_BYTES    (512u * 1024 * 1024)
#define EC_SYNC_AUDIT_MAGIC         "ECA1"
#define EC_SYNC_AUDIT_MAX_BYTES     (256u * 1024 * 1024)
#define EC_SYNC_KIOSK_ID_MAX        64

/* ---- bundles ------------------------------------------------------------------ */

typedef struct
{
  guint8   version;          /* EC_SYNC_BUNDLE_VERSION */
  EcRole   role;             /* EC_ROLE_RESPONDER or EC_ROLE_NURSE */
  guint16  station_id;
  guint32  community_kid;    /* key id of the community root public key */
  guint32  signer_kid;       /* key id of the station signing key */
  guint32  enc_kid;          /* key id of the read key the bundle key comes from */
  guint64  seq;              /* per station, 1, 2, 3 … (gaps allowed) */
  gint64   created_at;       /* unix seconds, the station's clock */
} EcSyncHeader;

typedef struct
{
  gboolean with_photos;      /* include photos (default TRUE) */
  gsize    photo_max_bytes;  /* photos larger than this are left out (0 = no limit) */
  gint64   now;              /* created_at; 0 = the clock */
} EcSyncExportOptions;

typedef struct
{
  EcSyncHeader header;
  guint        n_residents;
  guint        n_cards;
  guint        n_photos;
  guint        n_photos_omitted;   /* export: over the size limit or not wanted */
  guint        n_replaced;         /* import: residents that existed before */
  guint        n_removed;          /* import: residents of this station no longer in it */
  gsize        file_bytes;
  char        *path;               /* the file written or applied */
} EcSyncReport;

void          ec_sync_report_clear       (EcSyncReport *report);

void          ec_sync_export_options_init (EcSyncExportOptions *options);

/* Station: export @db's residents (role-filtered, docs/sync.md) and cards as a bundle
 * signed by @station and encrypted under @read_key (the community's current read key)
 * into @path (written atomically, mode 0600). Allocates the next sequence number for
 * the station (persisted in @db, same transaction as the audit entry "sync-export"). */
gboolean      ec_sync_export_bundle      (EcDb                      *db,
                                          const EcStationKey        *station,
                                          const EcReadKey           *read_key,
                                          EcRole                     role,
                                          const EcSyncExportOptions *options,
                                          const EcActor             *actor,
                                          const char                *path,
                                          EcSyncReport              *report,
                                          GError                   **error);

/* Kiosk: verify, decrypt and apply the bundle at @path — a file, or a directory
 * whose newest *.ecbundle (by modification time, then name) is used. @expected_role
 * (-1 = any) refuses a bundle made for another role. On any refusal nothing changes
 * (the refusal itself is logged in the audit as "sync-refused" when the database is
 * writable). */
gboolean      ec_sync_import_bundle      (EcDb                      *db,
                                          const EcKeyring           *ring,
                                          const char                *path,
                                          int                        expected_role,
                                          const EcActor             *actor,
                                          EcSyncReport              *report,
                                          GError                   **error);
/* The same from bytes (tests, the fuzzer). */
gboolean      ec_sync_import_bundle_data (EcDb                      *db,
                                          const EcKeyring           *ring,
                                          const guint8              *data,
                                          gsize                      len,
                                          int                        expected_role,
                                          const EcActor             *actor,
                                          EcSyncReport              *report,
                                          GError                   **error);

/* The newest *.ecbundle in @dir (g_free), or NULL with EC_SYNC_ERROR_NO_BUNDLE. */
char         *ec_sync_find_bundle        (const char                *dir,
                                          GError                   **error);

/* Low-level, for tests and tools: parse the header of @data (bounds-checked; no
 * signature check). */
gboolean      ec_sync_header_parse       (const guint8              *data,
                                          gsize                      len,
                                          EcSyncHeader              *out,
                                          GError                   **error);
/* Seal @payload (a serialized payload, see ec_sync_payload_build) under @header with
 * @read_key and sign with @sk. header->enc_kid is taken from @read_key. */
GBytes       *ec_sync_bundle_seal        (const EcSyncHeader        *header,
                                          GBytes                    *payload,
                                          const EcReadKey           *read_key,
                                          const EcSecret            *sk,
                                          GError                   **error);
/* Serialize residents (EcResident) and cards (EcCardRecord) as a payload. */
GBytes       *ec_sync_payload_build      (GPtrArray                 *residents,
                                          GPtrArray                 *cards,
                                          GError                   **error);
/* Parse a payload (bounds-checked, every string UTF-8, every code in range). */
gboolean      ec_sync_payload_parse      (const guint8              *data,
                                          gsize                      len,
                                          GPtrArray                **out_residents,
                                          GPtrArray                **out_cards,
                                          GError                   **error);

/* ---- how old is the kiosk's data -------------------------------------------------- */

/* Created time of the OLDEST data among the stations this kiosk has bundles from, and
 * its age at @now (seconds, ≥ 0). No bundle imported yet: TRUE, @created_at 0 and
 * @age_seconds -1. */
gboolean      ec_sync_data_age           (EcDb                      *db,
                                          gint64                     now,
                                          gint64                    *age_seconds,
                                          gint64                    *created_at,
                                          GError                   **error);
/* "数据更新于 3 天前" / "Data from 3 days ago" (gettext), "No data update received yet"
 * for @age_seconds < 0. @out_stale (nullable) is TRUE when the data is older than
 * @max_age_days (0 = never stale) or there is none. */
char         *ec_sync_describe_age       (gint64                     age_seconds,
                                          guint                      max_age_days,
                                          gboolean                  *out_stale);

/* Per station, what this kiosk applied last. */
typedef struct
{
  guint16  station_id;
  guint64  seq;
  gint64   created_at;
  gint64   imported_at;
  EcRole   role;
  guint32  signer_kid;
  guint    n_residents;
  guint    n_cards;
} EcSyncState;

/* EcSyncState (g_free), by station. Empty when nothing was imported. */
gboolean      ec_sync_list_state         (EcDb                      *db,
                                          GPtrArray                **out_states,
                                          GError                   **error);
/* Station: the last bundle seq exported for @station_id (0 = none). */
gboolean      ec_sync_last_export_seq    (EcDb                      *db,
                                          guint16                    station_id,
                                          guint64                   *out_seq,
                                          GError                   **error);

/* ---- kiosk audit export / station audit import ------------------------------------ */

typedef struct
{
  char    *kiosk_id;
  guint8   kiosk_pk[32];
  gint64   first_seq;        /* 0 when the export holds no entries */
  gint64   last_seq;
  guint8   prev_hash[32];    /* hash of entry first_seq - 1 (zeros for 1) */
  guint8   head_hash[32];    /* hash of entry last_seq */
  gint64   created_at;
  guint    n_entries;
  guint    n_new;            /* import: entries not imported before */
  char    *path;
} EcSyncAuditReport;

void          ec_sync_audit_report_clear (EcSyncAuditReport *report);

/* The kiosk's audit signing key at @key_path (EKK1, 0600): loaded, or created on first
 * use. @out_sk (EC_SIGN_SECRET_BYTES, sodium_malloc) and @pk. */
gboolean      ec_sync_kiosk_key_load     (const char                *key_path,
                                          gboolean                   create,
                                          EcSecret                 **out_sk,
                                          guint8                     pk[32],
                                          GError                   **error);

/* Kiosk: write the audit entries after the last export (or from @from_seq when
 * @from_seq > 0) with their hashes, signed with the key at @key_path, to @path
 * (0600). actor->id is the kiosk id the station files the entries under. The export
 * itself is logged first ("sync-audit-export"), so it travels with the entries.
 * Remembers the last seq exported. */
gboolean      ec_sync_audit_export       (EcDb                      *db,
                                          const EcActor             *actor,
                                          const char                *key_path,
                                          gint64                     from_seq,
                                          const char                *path,
                                          EcSyncAuditReport         *report,
                                          GError                   **error);
/* Station: verify and merge an audit export into remote_audit; one audit entry
 * "sync-audit-import" records the imported head. Entries already imported must be
 * byte-identical (same hash); the first new entry must continue the stored head. */
gboolean      ec_sync_audit_import       (EcDb                      *db,
                                          const char                *path,
                                          const EcActor             *actor,
                                          EcSyncAuditReport         *report,
                                          GError                   **error);
gboolean      ec_sync_audit_import_data  (EcDb                      *db,
                                          const guint8              *data,
                                          gsize                      len,
                                          const EcActor             *actor,
                                          EcSyncAuditReport         *report,
                                          GError                   **error);
/* Build a signed audit export from EcAuditEntry (consecutive seqs, their hashes as
 * stored) continuing from @prev_hash. For tests and tools. */
GBytes       *ec_sync_audit_seal         (const char                *kiosk_id,
                                          const EcSecret            *sk,
                                          const guint8               pk[32],
                                          GPtrArray                 *entries,
                                          gint64                     first_seq,
                                          const guint8               prev_hash[32],
                                          gint64                     created_at,
                                          GError                   **error);
/* Parse and check an audit export on its own (signature, internal chain); entries
 * are EcAuditEntry. For the fuzzer and tools. */
gboolean      ec_sync_audit_parse        (const guint8              *data,
                                          gsize                      len,
                                          EcSyncAuditReport         *report,
                                          GPtrArray                **out_entries,
                                          GError                   **error);

G_END_DECLS
