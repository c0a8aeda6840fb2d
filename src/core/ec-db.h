/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-db.h: the resident database and its tamper-evident audit log (SQLite).
 *
 * One EcDb is one SQLite connection; it is not thread-safe. A thread that needs the
 * database (the kiosk's worker) opens its own EcDb on the same file: WAL lets readers
 * and one writer work side by side, busy_timeout covers short waits.
 *
 * Every connection runs: journal_mode=WAL, synchronous=FULL, foreign_keys=ON,
 * busy_timeout=5000, trusted_schema=OFF, SQLITE_DBCONFIG_DEFENSIVE, secure_delete=ON,
 * cell_size_check=ON. PRAGMA quick_check runs at open only after an unclean shutdown
 * (the first connection finds a -wal left behind; docs/database.md), and
 * EC_DB_ERROR_CORRUPT refuses the file if it fails; otherwise in `db check`, backup
 * and `doctor`.
 * The schema is versioned with user_version and upgraded on open (see docs/database.md).
 *
 * Medical data is read ONLY through ec_db_get_resident(), which appends an audit entry
 * in the same transaction as the read. Every function that changes data appends an
 * audit entry in the same transaction as the change. ec_db_search() and
 * ec_db_resident_list() return identity fields only (no medical data) and are not
 * audited. A connection opened EC_DB_OPEN_READ_ONLY cannot write the audit log and so
 * cannot read medical data (EC_DB_ERROR_PERMISSION).
 *
 * Errors are in EC_DB_ERROR (ec-error.h): SQLITE (anything else SQLite said, its
 * message included), CORRUPT (quick_check / integrity_check failed, not a database),
 * NOT_FOUND, CONSTRAINT (duplicate id, card UID already issued, foreign key…),
 * INVALID (bad argument: empty name, malformed UID…), SCHEMA_TOO_NEW (written by a
 * newer eldercard), AUDIT_TAMPERED (ec_db_audit_verify), PERMISSION (read-only
 * connection, file not writable). */
#pragma once

#include <gio/gio.h>

#include "ec-record.h"

G_BEGIN_DECLS

/* The schema this build writes; older databases are migrated on open. */
#define EC_DB_SCHEMA_VERSION 4
/* PRAGMA application_id: "ElCd". */
#define EC_DB_APPLICATION_ID 0x456c4364

/* Photos larger than this are refused (EC_DB_ERROR_INVALID). */
#define EC_DB_PHOTO_MAX_BYTES (256 * 1024)

typedef struct _EcDb EcDb;

typedef enum
{
  EC_DB_OPEN_READ_WRITE = 0,       /* the file must exist */
  EC_DB_OPEN_CREATE     = 1 << 0,  /* create it (with the current schema) if missing */
  EC_DB_OPEN_READ_ONLY  = 1 << 1,  /* no writes, hence no audited reads */
} EcDbOpenFlags;

/* Who is acting, for the audit log. @id is a staff id ("S0012") or a kiosk/device id
 * ("kiosk-03"); it must not be NULL or empty. Not owned. */
typedef struct
{
  EcRole      role;
  const char *id;
} EcActor;

/* Purposes for ec_db_get_resident(). Other strings are accepted too. */
#define EC_DB_PURPOSE_CARD_TAP      "card-tap"
#define EC_DB_PURPOSE_MANUAL_LOOKUP "manual-lookup"  /* reason required */
/* The current record opened from an old (replaced) or expired card of the same
 * resident, in an emergency; reason required (the kiosk's problem screen). */
#define EC_DB_PURPOSE_EMERGENCY_ACCESS "emergency-access"
#define EC_DB_PURPOSE_NURSE_CHECK   "nurse-check"
#define EC_DB_PURPOSE_EDIT          "edit"
#define EC_DB_PURPOSE_EXPORT        "export"

/* ------------------------------------------------------------------------- */
/* Opening */

EcDb       *ec_db_open                  (const char     *path,
                                         EcDbOpenFlags   flags,
                                         GError        **error);
void        ec_db_close                 (EcDb           *db);
const char *ec_db_get_path              (EcDb           *db);
int         ec_db_get_schema_version    (EcDb           *db);
/* PRAGMA quick_check: reads every page (seconds on a 1 GB file). */
gboolean    ec_db_quick_check           (EcDb           *db,
                                         GError        **error);
/* Whether ec_db_open() ran quick_check (it found an unclean shutdown). */
gboolean    ec_db_was_checked_at_open   (EcDb           *db);
/* PRAGMA integrity_check (the slow, full one). */
gboolean    ec_db_integrity_check       (EcDb           *db,
                                         GError        **error);
/* Online backup with the sqlite3 backup API (safe against concurrent writers) into
 * @dest_path (replaced if it exists), then integrity_check on the copy. */
gboolean    ec_db_backup                (EcDb           *db,
                                         const char     *dest_path,
                                         GError        **error);

/* Optional explicit transaction around many calls (the CSV import uses it). Every
 * function below also works on its own: each runs in a SAVEPOINT, so inside an
 * explicit transaction it is part of it, outside it is its own transaction. */
gboolean    ec_db_begin                 (EcDb           *db,
                                         GError        **error);
gboolean    ec_db_commit                (EcDb           *db,
                                         GError        **error);
void        ec_db_rollback              (EcDb           *db);

/* ------------------------------------------------------------------------- */
/* Residents */

/* Identity only: what search results and lists show. No medical data. */
typedef struct
{
  EcResidentId  id;
  char         *name_zh;
  char         *name_pinyin;
  EcSex         sex;
  char         *date_of_birth;
  char         *building_unit;
  char         *phone;
} EcResidentSummary;

void        ec_resident_summary_free    (EcResidentSummary *summary);

/* Insert @resident with its conditions, allergies, medications and contacts.
 * If resident->id is 0 a random id is generated (libsodium) and written back.
 * record_version becomes 1, updated_at now, updated_by the actor's id (also on each
 * entry, whose ->id is written back). name_zh must be non-empty. */
gboolean    ec_db_resident_add          (EcDb              *db,
                                         EcResident        *resident,
                                         const EcActor     *actor,
                                         GError           **error);
/* Replace the stored record by @resident (matched by id): bumps record_version
 * (written back), sets updated_at/by. Entries: an entry whose ->id matches a stored
 * entry of this resident and whose content is unchanged keeps its updated_at/by;
 * changed or new entries get now/actor; stored entries not in the lists are
 * deleted. NOT_FOUND if the resident does not exist. */
gboolean    ec_db_resident_update       (EcDb              *db,
                                         EcResident        *resident,
                                         const EcActor     *actor,
                                         GError           **error);
/* Delete the resident and all entries (secure_delete zeroes the pages). Cards keep
 * their rows (with status revoked if they were active/pending), so a tapped old card
 * says "revoked" rather than "unknown". */
gboolean    ec_db_resident_remove       (EcDb              *db,
                                         EcResidentId       id,
                                         const EcActor     *actor,
                                         const char        *reason,
                                         GError           **error);
/* THE audited read of a resident's full record. Appends an audit entry (action
 * "view", or "view-missing" when there is no such resident, then NOT_FOUND) in the
 * same transaction. @purpose is one of EC_DB_PURPOSE_*; @reason is required
 * (non-empty) for EC_DB_PURPOSE_MANUAL_LOOKUP, optional otherwise. */
gboolean    ec_db_get_resident          (EcDb              *db,
                                         EcResidentId       id,
                                         const EcActor     *actor,
                                         const char        *purpose,
                                         const char        *reason,
                                         EcResident       **out,
                                         GError           **error);
/* Not audited: whether the id exists, and its record_version (0 if absent). */
gboolean    ec_db_resident_exists       (EcDb              *db,
                                         EcResidentId       id,
                                         gint64            *out_record_version,
                                         GError           **error);
gboolean    ec_db_resident_count        (EcDb              *db,
                                         guint64           *out_count,
                                         GError           **error);
/* Identity fields of residents ordered by pinyin, then id. Not audited. */
gboolean    ec_db_resident_list         (EcDb              *db,
                                         guint              offset,
                                         guint              limit,
                                         GPtrArray        **out_summaries,
                                         GError           **error);
/* Find residents by: a card UID (14 hex digits, any card status), a resident id (16
 * hex digits), a phone number prefix (digits, optional + - and spaces; the resident's
 * own phone), a pinyin prefix (ASCII letters/spaces, case- and space-insensitive:
 * "wang xi", "WangXi", "wangx"), or a Chinese name prefix ("王秀"). Returns at most
 * @limit EcResidentSummary (0 = 50). Uses indexes only: fast at 10^6 residents. */
gboolean    ec_db_search                (EcDb              *db,
                                         const char        *query,
                                         guint              limit,
                                         GPtrArray        **out_results,
                                         GError           **error);

/* ------------------------------------------------------------------------- */
/* Cards. uid_hex is 14 (7-byte UID) or 8 (4-byte) hex digits, stored lower-case.
 * Issuance follows card-security.md §3.4:
 *   seq = ec_db_card_next_seq ();  image = build (resident, seq, uid);
 *   ec_db_card_begin_issue (…, seq, image)     -> status pending (durable)
 *   write the tag (retries: ec_db_card_get_pending() gives back the same bytes)
 *   ec_db_card_commit_issue ()                 -> active; older active -> replaced
 *   or on failure: ec_db_card_set_status (…, EC_CARD_STATUS_SPOILED, "…")          */

gboolean    ec_db_card_lookup           (EcDb              *db,
                                         const char        *uid_hex,
                                         EcCardRecord     **out,
                                         GError           **error);
/* 1 + the highest seq ever used for this resident (any status). */
gboolean    ec_db_card_next_seq         (EcDb              *db,
                                         EcResidentId       resident_id,
                                         guint             *out_seq,
                                         GError           **error);
/* Highest seq among the resident's ACTIVE cards, 0 if none. A kiosk tapping a card
 * with a lower seq can say "this card was replaced". */
gboolean    ec_db_card_highest_active_seq (EcDb            *db,
                                         EcResidentId       resident_id,
                                         guint             *out_seq,
                                         GError           **error);
/* Record the start of an issuance: row (status pending, @image kept for retries) in
 * its own synchronous=FULL transaction. @seq 0 = next_seq; the seq used is returned
 * in @out_seq (nullable). CONSTRAINT if the UID is already known (any status except
 * a pending row of the same resident and seq with the same image: then it succeeds
 * again, idempotent) or the seq is taken. Audited ("card-begin-issue"). */
gboolean    ec_db_card_begin_issue      (EcDb              *db,
                                         EcResidentId       resident_id,
                                         const char        *uid_hex,
                                         guint              station_id,
                                         const EcActor     *actor,
                                         guint              seq,
                                         GBytes            *image,
                                         guint             *out_seq,
                                         GError           **error);
/* The pending issuance for @uid_hex and its image bytes (NOT_FOUND if none pending). */
gboolean    ec_db_card_get_pending      (EcDb              *db,
                                         const char        *uid_hex,
                                         EcCardRecord     **out_card,
                                         GBytes           **out_image,
                                         GError           **error);
/* pending -> active; the resident's other active cards -> replaced; audit; one
 * transaction. INVALID if the card is not pending. */
gboolean    ec_db_card_commit_issue     (EcDb              *db,
                                         const char        *uid_hex,
                                         const EcActor     *actor,
                                         GError           **error);
/* Set LOST, REVOKED or SPOILED (others: INVALID), with a reason; audited. */
gboolean    ec_db_card_set_status       (EcDb              *db,
                                         const char        *uid_hex,
                                         EcCardStatus       status,
                                         const char        *reason,
                                         const EcActor     *actor,
                                         GError           **error);
/* EcCardRecord of the resident, by seq. */
gboolean    ec_db_card_list_for_resident (EcDb             *db,
                                         EcResidentId       resident_id,
                                         GPtrArray        **out_cards,
                                         GError           **error);
/* Every card with @status (for revocation lists), by resident then seq. */
gboolean    ec_db_card_list_by_status   (EcDb              *db,
                                         EcCardStatus       status,
                                         GPtrArray        **out_cards,
                                         GError           **error);

/* ------------------------------------------------------------------------- */
/* Staff */

typedef struct
{
  char   *id;              /* "S0012" */
  char   *name;
  EcRole  role;
  char   *pin_hash;        /* crypto_pwhash_str output, NULL = no PIN set */
  guint   pin_failures;    /* consecutive failures */
  gint64  pin_locked_until;/* Unix seconds, 0 = not locked */
  gint64  created_at;
} EcStaff;

EcStaff    *ec_staff_new                (void);
void        ec_staff_free               (EcStaff           *staff);

gboolean    ec_db_staff_add             (EcDb              *db,
                                         const EcStaff     *staff,
                                         const EcActor     *actor,
                                         GError           **error);
gboolean    ec_db_staff_get             (EcDb              *db,
                                         const char        *id,
                                         EcStaff          **out,
                                         GError           **error);
gboolean    ec_db_staff_list            (EcDb              *db,
                                         GPtrArray        **out_staff,
                                         GError           **error);
/* Store a new PIN hash (NULL clears it) and reset failures; audited. */
gboolean    ec_db_staff_set_pin_hash    (EcDb              *db,
                                         const char        *id,
                                         const char        *pin_hash,
                                         const EcActor     *actor,
                                         GError           **error);
/* Record the PIN failure counter and lock-out time after a PIN check. Not audited
 * by itself: log the failure with ec_db_audit_append ("pin-failure"). */
gboolean    ec_db_staff_set_pin_state   (EcDb              *db,
                                         const char        *id,
                                         guint              failures,
                                         gint64             locked_until,
                                         GError           **error);

/* ------------------------------------------------------------------------- */
/* Audit log: append-only (triggers refuse UPDATE and DELETE), hash-chained:
 *   h_0 = 32 zero bytes,  h_i = BLAKE2b-256 (h_{i-1} || canonical (row_i))
 * canonical (row) = "ECAUDIT1" | seq u64be | at i64be | role u8 | resident_id u64be
 *                   | str actor_id | str action | str purpose | str reason | str detail
 * str = u32be length + UTF-8 bytes, or u32be 0xFFFFFFFF for NULL. */

typedef struct
{
  gint64        seq;           /* 1, 2, 3 … without gaps */
  gint64        at;            /* Unix seconds */
  EcRole        actor_role;
  char         *actor_id;
  char         *action;        /* "view", "resident-add", "card-commit-issue", … */
  EcResidentId  resident_id;   /* 0 = none */
  char         *purpose;
  char         *reason;
  char         *detail;
  guint8        hash[32];
} EcAuditEntry;

void        ec_audit_entry_free         (EcAuditEntry      *entry);

typedef struct
{
  EcResidentId  resident_id;   /* 0 = any */
  const char   *actor_id;      /* NULL = any */
  const char   *action;        /* NULL = any */
  gint64        since;         /* Unix seconds, inclusive; 0 = any */
  gint64        until;         /* Unix seconds, exclusive; 0 = any */
  gint64        after_seq;     /* only entries with seq > after_seq */
  guint         limit;         /* 0 = no limit */
} EcAuditFilter;

/* Append one entry (for events the other calls do not log themselves: a card that
 * failed verification, a PIN failure, break-glass, a sync). */
gboolean    ec_db_audit_append          (EcDb              *db,
                                         const EcActor     *actor,
                                         const char        *action,
                                         EcResidentId       resident_id,
                                         const char        *purpose,
                                         const char        *reason,
                                         const char        *detail,
                                         GError           **error);
/* Entries matching @filter (NULL = all) in seq order. */
gboolean    ec_db_audit_list            (EcDb              *db,
                                         const EcAuditFilter *filter,
                                         GPtrArray        **out_entries,
                                         GError           **error);
/* Last seq and hash (0 and zeros for an empty log). */
gboolean    ec_db_audit_head            (EcDb              *db,
                                         gint64            *out_seq,
                                         guint8             out_hash[32],
                                         GError           **error);
/* Recompute the chain; AUDIT_TAMPERED naming the first bad seq when an entry was
 * changed, deleted, inserted or reordered. With @checkpoint_path, also checks that
 * the log still holds the checkpoint's seq with the checkpoint's hash (truncation or
 * rewrite after the export). @out_n_entries (nullable) gets the number verified. */
gboolean    ec_db_audit_verify          (EcDb              *db,
                                         const char        *checkpoint_path,
                                         gint64            *out_n_entries,
                                         GError           **error);
/* Write the head as a checkpoint file (text, see docs/database.md) to keep off the
 * device:  "eldercard-audit-checkpoint 1\nseq N\nhash HEX\nat UNIX\n". */
gboolean    ec_db_audit_checkpoint_export (EcDb            *db,
                                         const char        *path,
                                         GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcDb, ec_db_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcResidentSummary, ec_resident_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcStaff, ec_staff_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcAuditEntry, ec_audit_entry_free)

G_END_DECLS
