/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-station-context.h: service-station mode without widgets (issue 7).
 *
 * Holds the signed-in staff session (ec-staff.h) and does every database, crypto and
 * reader step of station mode in GTask threads, never on the main loop:
 *   - sign-in with the peppered PIN and the lockout of ec-pin.h (audited by the core);
 *     automatic sign-out after :idle-timeout seconds without ec_station_context_touch();
 *   - the station signing key, unlocked once per sign-in and wiped at sign-out;
 *   - residents: search (the responder's lookup), the audited read for editing, add and
 *     update with the staff id as actor;
 *   - cards: history, torn-write-safe issuing (ec-issue.h) through a reader opened in
 *     the worker thread on its own main context, "tap once to confirm", revoke / lost;
 *   - the printed card face (PDF);
 *   - the audit log for administrators: filtered list, chain verification, export.
 *
 * Setup comes from the kiosk's EcConfig: [database] path, [keys] dir (on a station the
 * full key directory: stations/<id>.key, pin-pepper.key), [reader] device and
 * [station] name and phone. The station id is the one stations/<id>.key in the key
 * directory (the lowest when there are several).
 *
 * One database connection serves the short jobs (one at a time, under a mutex); an
 * issuance opens its own. */
#pragma once

#include <gio/gio.h>

#include "ec-config.h"
#include "ec-db.h"
#include "ec-issue.h"
#include "ec-staff.h"

G_BEGIN_DECLS

#define EC_TYPE_STATION_CONTEXT (ec_station_context_get_type ())

G_DECLARE_FINAL_TYPE (EcStationContext, ec_station_context, EC, STATION_CONTEXT, GObject)

#define EC_STATION_ERROR (ec_station_error_quark ())

/* Why issuing refused the card on the reader before writing (messages are sentences
 * for the staff, translated). */
typedef enum
{
  EC_STATION_ERROR_OTHER_CARD,   /* not the card pulled away mid-write (set_issue_card) */
  EC_STATION_ERROR_REGISTERED,   /* a card already issued once (active, lost, revoked …) */
} EcStationError;

GQuark ec_station_error_quark (void);

/* What a "tap once to confirm" read found. */
typedef struct
{
  char         *uid_hex;
  EcResidentId  resident_id;   /* from the verified card */
  char         *name_zh;       /* the resident in the database, or NULL */
  EcCardStatus  status;        /* the card's row in the database */
  guint         seq;
} EcStationConfirm;

void ec_station_confirm_free (EcStationConfirm *confirm);

/* The audit viewer's result. */
typedef struct
{
  GPtrArray *entries;          /* EcAuditEntry matching the filter, newest last */
  gboolean   chain_ok;
  gint64     n_verified;
  char      *chain_message;    /* why the chain check failed, else NULL */
  GHashTable *names;           /* resident id (gint64 *) → "name_zh", every resident */
  GHashTable *pinyin;          /* resident id (gint64 *) → "name pinyin" */
  GHashTable *staff_names;     /* staff id → name */
} EcStationAudit;

void ec_station_audit_free (EcStationAudit *audit);

/* Progress of an issuance, on the main context. */
typedef void (*EcStationProgressFunc) (EcIssueStage  stage,
                                       const char   *message,
                                       gpointer      user_data);

EcStationContext     *ec_station_context_new              (const EcConfig *config);
/* NULL when station mode can work here, else why not (translated; no pepper file, no
 * station key in the key directory …). */
const char           *ec_station_context_get_setup_error  (EcStationContext *self);
guint16               ec_station_context_get_station_id   (EcStationContext *self);
const char           *ec_station_context_get_station_name (EcStationContext *self);

/* Tests: shift the clock used for sign-in, lockout and idle sign-out by @seconds. */
void                  ec_station_context_set_clock_offset (EcStationContext *self,
                                                           gint64            seconds);
gint64                ec_station_context_now              (EcStationContext *self);
void                  ec_station_context_set_idle_timeout (EcStationContext *self,
                                                           guint             seconds);
/* How long issuing waits for a card, and the confirm tap (ms; default 30000). */
void                  ec_station_context_set_card_wait    (EcStationContext *self,
                                                           guint             ms);
/* Lock cards after writing (default TRUE; tests may leave them writable). */
void                  ec_station_context_set_lock_cards   (EcStationContext *self,
                                                           gboolean          lock);

/* The session: NULL when nobody is signed in. Property "signed-in" (boolean) is
 * notified on every change; signal ::signed-out (EcStaffSignOutReason) after a
 * sign-out, also the automatic one. */
const EcStaffSession *ec_station_context_get_session      (EcStationContext *self);
gboolean              ec_station_context_is_admin         (EcStationContext *self);
/* A tap or key press: postpones the idle sign-out. */
void                  ec_station_context_touch            (EcStationContext *self);
/* Seconds until the idle sign-out (0 when signed out). */
gint64                ec_station_context_remaining        (EcStationContext *self);

void                  ec_station_context_sign_in_async    (EcStationContext   *self,
                                                           const char         *staff_id,
                                                           const char         *pin,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean              ec_station_context_sign_in_finish   (EcStationContext   *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);
/* Seconds @staff_id must still wait before the next PIN (0 = may try now): for the
 * lockout countdown on the sign-in page. No session needed. */
void                  ec_station_context_lockout_async    (EcStationContext   *self,
                                                           const char         *staff_id,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gint64                ec_station_context_lockout_finish   (EcStationContext   *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);
/* Sign out now (audited; the station key is wiped). While an issuance runs it is
 * cancelled first and the sign-out follows when it has stopped. */
void                  ec_station_context_sign_out         (EcStationContext    *self,
                                                           EcStaffSignOutReason reason);

/* A form being filled in when the session ended, kept in memory for the same member of
 * staff only (what was typed is never lost to the idle sign-out): @draft is taken
 * (freed with @free_func), replacing any kept one. take_draft returns it (then it is
 * no longer kept) when @staff_id is the one who typed it, else NULL. */
void                  ec_station_context_keep_draft       (EcStationContext   *self,
                                                           const char         *staff_id,
                                                           gpointer            draft,
                                                           GDestroyNotify      free_func);
gpointer              ec_station_context_take_draft       (EcStationContext   *self,
                                                           const char         *staff_id);

/* The station key: NULL until unlocked in this session. */
gboolean              ec_station_context_has_station_key  (EcStationContext   *self);
void                  ec_station_context_unlock_key_async (EcStationContext   *self,
                                                           const char         *passphrase,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean              ec_station_context_unlock_key_finish (EcStationContext  *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

/* Residents. search → GPtrArray of EcResidentSummary (ec_db_search: name, pinyin,
 * phone, card UID, resident id). get → the full record, audited with purpose @purpose
 * ("edit", "card-face"). save → adds (id 0) or updates @resident (taken), returns the
 * id. cards → GPtrArray of EcCardRecord by seq. */
void                  ec_station_context_search_async     (EcStationContext   *self,
                                                           const char         *query,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
GPtrArray            *ec_station_context_search_finish    (EcStationContext   *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);
void                  ec_station_context_get_resident_async (EcStationContext *self,
                                                           EcResidentId        id,
                                                           const char         *purpose,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
EcResident           *ec_station_context_get_resident_finish (EcStationContext *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);
void                  ec_station_context_save_resident_async (EcStationContext *self,
                                                           EcResident         *resident,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
EcResidentId          ec_station_context_save_resident_finish (EcStationContext *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);
void                  ec_station_context_cards_async      (EcStationContext   *self,
                                                           EcResidentId        id,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
GPtrArray            *ec_station_context_cards_finish     (EcStationContext   *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

/* Cards. issue: write a new card for @resident_id on the card placed on the reader
 * (ec_issue_card_sync in a worker thread); @lost_uid (nullable) is the resident's
 * current card, marked lost first (a replacement for a damaged card passes NULL: the
 * commit marks the old one replaced). Needs the station key. */
void                  ec_station_context_issue_async      (EcStationContext    *self,
                                                           EcResidentId         resident_id,
                                                           const char          *lost_uid,
                                                           EcStationProgressFunc progress,
                                                           gpointer             progress_data,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
EcIssueResult        *ec_station_context_issue_finish     (EcStationContext    *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
/* Pull-then-retry: the next issuances accept only the card @uid_hex (the one pulled
 * away half-written), refusing another with EC_STATION_ERROR_OTHER_CARD; NULL = any
 * blank card. */
void                  ec_station_context_set_issue_card   (EcStationContext    *self,
                                                           const char          *uid_hex);
/* Why the resident's card is being replaced (the staff's choice, stored untranslated):
 * the lost card's status reason, and for a damaged card an audit entry
 * "card-replace-reason" after the new card is committed. NULL = none given. */
void                  ec_station_context_set_issue_reason (EcStationContext    *self,
                                                           const char          *reason);
/* After a failed issuance: the resident's card left half-written ("being issued",
 * resumable by issuing again with it), else NULL. */
const char           *ec_station_context_get_pending_uid  (EcStationContext    *self);
/* Wait for a card, read it, verify it as a kiosk does, look it up. */
void                  ec_station_context_confirm_async    (EcStationContext    *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
EcStationConfirm     *ec_station_context_confirm_finish   (EcStationContext    *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
/* REVOKED or LOST, with a reason, audited with the staff id. */
void                  ec_station_context_set_card_status_async (EcStationContext *self,
                                                           const char          *uid_hex,
                                                           EcCardStatus         status,
                                                           const char          *reason,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean              ec_station_context_set_card_status_finish (EcStationContext *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
/* The card face of @id as a PDF at @path. */
void                  ec_station_context_write_pdf_async  (EcStationContext    *self,
                                                           EcResidentId         id,
                                                           const char          *path,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean              ec_station_context_write_pdf_finish (EcStationContext    *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* Administrators only (EC_STAFF_ERROR_NOT_ALLOWED otherwise). @resident_id 0, @actor_id
 * NULL, @since/@until 0 = any. */
void                  ec_station_context_audit_async      (EcStationContext    *self,
                                                           EcResidentId         resident_id,
                                                           const char          *actor_id,
                                                           gint64               since,
                                                           gint64               until,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
EcStationAudit       *ec_station_context_audit_finish     (EcStationContext    *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
/* Write @audit's entries as CSV to @path and a checkpoint of the log head to
 * @path + ".checkpoint"; audited ("audit-export"). */
void                  ec_station_context_audit_export_async (EcStationContext  *self,
                                                           EcStationAudit      *audit,
                                                           const char          *path,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean              ec_station_context_audit_export_finish (EcStationContext *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcStationConfirm, ec_station_confirm_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcStationAudit, ec_station_audit_free)

G_END_DECLS
