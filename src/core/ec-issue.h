/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-issue.h: issuing a card, torn-write safe (card-security.md §3.4, docs/reader.md).
 *
 *  1. wait for the card; require a blank NTAG21x (lock bytes 0, factory CC, dynamic
 *     lock 0, AUTH0 = FF, ACCESS = 0) — or a card of ours still PENDING in the
 *     database for this resident: then its stored image is written again (same bytes)
 *  2. build the image (ec_card_encode) and record it: DB txn 1, status pending
 *  3. WRITE page 4 = 03 00 FE 00 (an empty NDEF: "uncommitted")
 *  4. WRITE pages 5..N, READ them back and compare
 *  5. WRITE page 4 = the real first page: the commit
 *  6. READ the whole NDEF area, run ec_card_verify() (the kiosk's verifier) on it and
 *     compare it with the image byte for byte
 *  7. lock, unless no_lock: CC byte 3 → 0F, static lock bytes FF FF, dynamic lock
 *     bytes, ACCESS.CFGLCK with AUTH0 = FF (permanent: nothing can be rewritten,
 *     nobody can set a password later)
 *  8. READ the lock and configuration pages back and check them
 *  9. DB txn 2: active; the resident's previous active card → replaced; audited
 * A failure in 3–8 (the card was pulled, a write was torn or refused) retries from 3
 * (from 7 when the content was already verified), up to max_attempts times in all;
 * then the card is marked spoiled in the database (EC_READER_ERROR_SPOILED). A card
 * that leaves and does not come back within the wait, or a lost reader, ends the run
 * with the issuance still pending: running it again with the card resumes it.
 *
 * The database and crypto steps run on the calling thread between reader steps (each a
 * few milliseconds); the tag steps are asynchronous through EcReader. */
#pragma once

#include <gio/gio.h>

#include "ec-card.h"
#include "ec-db.h"
#include "ec-keys.h"
#include "ec-reader.h"

G_BEGIN_DECLS

typedef enum
{
  EC_ISSUE_STAGE_WAITING = 0,  /* for the card */
  EC_ISSUE_STAGE_CHECKING,     /* blank? ours and pending? */
  EC_ISSUE_STAGE_RECORDING,    /* DB txn 1 */
  EC_ISSUE_STAGE_WRITING,
  EC_ISSUE_STAGE_VERIFYING,
  EC_ISSUE_STAGE_LOCKING,
  EC_ISSUE_STAGE_COMMITTING,   /* DB txn 2 */
  EC_ISSUE_STAGE_RETRYING,     /* a step failed; starting again from step 3 or 7 */
  EC_ISSUE_STAGE_DONE,
} EcIssueStage;

/* Progress: @message is translated, for people ("Writing 126 pages…"). */
typedef void (*EcIssueProgressFunc) (EcIssueStage  stage,
                                     const char   *message,
                                     gpointer      user_data);

/* Every card expires (docs/keys.md "Card expiry"): without a date of its own it is
 * valid for 5 years from the day it is issued, so a lost card stops being genuine on
 * every kiosk with the read key after that, and a resident's card is renewed (with a
 * fresh summary) at least that often. */
#define EC_CARD_DEFAULT_VALID_DAYS (5 * 365 + 1)

/* The default expiry of a card issued at @now (unix seconds): days since 1970-01-01. */
guint16 ec_issue_default_expiry (gint64 now);

/* Everything is borrowed and must stay valid until the operation completes. */
typedef struct
{
  EcDb               *db;             /* read-write station database */
  const EcActor      *actor;          /* staff member, for the audit log */
  EcResidentId        resident_id;
  const EcStationKey *station_key;    /* unlocked */
  const EcReadKey    *read_key;       /* NULL: reference profile only (no summary) */
  const EcKeyring    *ring;           /* trusts station_key's certificate (step 6) */
  guint16             expires_days;   /* days since 1970-01-01; 0 = the default,
                                       * EC_CARD_DEFAULT_VALID_DAYS after issue */
  gboolean            no_lock;        /* leave the card writable (tests, trials) */
  guint               max_attempts;   /* 0 = 3 */
  gboolean            keep_pending;   /* never mark spoiled (the tear matrix) */
  guint               wait_ms;        /* for the card to appear; 0 = 10000 */
  gint64              now;            /* unix seconds; 0 = the clock */
} EcIssueParams;

typedef struct
{
  char       *uid_hex;
  EcTagType   type;
  guint       seq;
  gboolean    locked;
  gboolean    resumed;      /* a pending issuance of this card was completed */
  guint       attempts;     /* write attempts used (1 = no retry) */
  EcTagImage *image;        /* what the card holds now (user area as intended) */
} EcIssueResult;

void           ec_issue_result_free  (EcIssueResult       *result);

void           ec_issue_card_async   (EcReader            *reader,
                                      const EcIssueParams *params,
                                      EcIssueProgressFunc  progress,
                                      gpointer             progress_data,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
EcIssueResult *ec_issue_card_finish  (EcReader            *reader,
                                      GAsyncResult        *result,
                                      GError             **error);
/* Blocking, iterating the reader's main context (see ec_reader_read_card_sync). */
EcIssueResult *ec_issue_card_sync    (EcReader            *reader,
                                      const EcIssueParams *params,
                                      EcIssueProgressFunc  progress,
                                      gpointer             progress_data,
                                      GCancellable        *cancellable,
                                      GError             **error);

/* The lock values of step 7 for @type: the dynamic lock page's 4 bytes. */
void           ec_issue_dynamic_lock_bytes (EcTagType      type,
                                            guint8         out[4]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcIssueResult, ec_issue_result_free)

G_END_DECLS
