/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-staff.h: staff accounts, sign-in with lockout, and the signed-in session of
 * station mode (docs/station-guide.md).
 *
 * Accounts live in the database's staff table (ec-db.h); PINs are checked with
 * ec-pin.h (peppered Argon2id). Sign-in applies the lockout schedule of ec-pin.h and
 * keeps its state (consecutive failures, locked-until) in the staff row, updated in
 * the same transaction as the audit entry that records it, so two kiosks on one
 * database count failures together.
 *
 * Audit actions written here (actor = the staff id as typed, role from the account):
 *   staff-signin           PIN correct; session opened (detail "rehashed" when the
 *                          stored hash was upgraded to the current cost)
 *   pin-failure            wrong PIN (detail "failures=N")
 *   staff-lockout          that failure started a lockout (detail "failures=N wait=S")
 *   signin-locked          attempt refused, still locked out (detail "wait=S")
 *   signin-unknown-staff   no such staff id
 *   signin-no-pin          the account has no PIN set
 *   staff-signout          signed out (detail "signout" or "idle-timeout")
 *   station-key-unlock     the station signing key was unlocked for this session
 *   station-key-unlock-failed  wrong station key passphrase
 * plus ec-db.h's own "staff-add" and "staff-pin".
 *
 * A sign-in counts the attempt *before* it checks the PIN, in one BEGIN IMMEDIATE
 * transaction that also refuses a locked account, and takes the count back when the
 * PIN is right: attempts started at once on any number of connections are serialised
 * there, so no more than EC_PIN_FREE_ATTEMPTS PINs are checked before the wait.
 *
 * ec_staff_sign_in() runs Argon2id (64 MiB, ~0.1–0.5 s): call it off the UI thread. */
#pragma once

#include <gio/gio.h>

#include "ec-db.h"
#include "ec-keys.h"
#include "ec-pin.h"
#include "ec-record.h"

G_BEGIN_DECLS

/* Signed-in sessions end after this long without activity (HIPAA 164.312(a)(2)(iii)
 * automatic logoff). A kiosk may set a session's idle_timeout from its config. */
#define EC_STAFF_IDLE_TIMEOUT      300   /* seconds: 5 minutes */
#define EC_STAFF_ID_MAX            32

typedef enum
{
  EC_STAFF_SIGN_OUT_USER = 0,   /* the staff member signed out */
  EC_STAFF_SIGN_OUT_IDLE,       /* automatic sign-out after inactivity */
} EcStaffSignOutReason;

typedef struct
{
  char    *staff_id;
  char    *name;
  EcRole   role;           /* EC_ROLE_STAFF or EC_ROLE_ADMIN */
  gint64   signed_in_at;   /* Unix seconds */
  gint64   last_activity;  /* Unix seconds; ec_staff_session_touch() */
  gint64   idle_timeout;   /* seconds; EC_STAFF_IDLE_TIMEOUT unless changed */
  /*< private >*/
  gpointer       station_key;
  GDestroyNotify station_key_wipe;
} EcStaffSession;

/* A staff id: 1..EC_STAFF_ID_MAX ASCII letters, digits, '.', '-' or '_' ("S0012"). */
gboolean        ec_staff_check_id          (const char           *id,
                                            GError              **error);

/* Create a staff account with role EC_ROLE_STAFF or EC_ROLE_ADMIN and a PIN that
 * passes ec_pin_check_policy(). EXISTS if the id is taken; WEAK_PIN, INVALID. The
 * database audits it ("staff-add" by @actor). */
gboolean        ec_staff_create            (EcDb                 *db,
                                            const char           *id,
                                            const char           *name,
                                            EcRole                role,
                                            const char           *pin,
                                            const EcPepper       *pepper,
                                            const EcActor        *actor,
                                            GError              **error);
/* Set a new PIN (policy-checked); resets the failure count; audited ("staff-pin"). */
gboolean        ec_staff_set_pin           (EcDb                 *db,
                                            const char           *id,
                                            const char           *pin,
                                            const EcPepper       *pepper,
                                            const EcActor        *actor,
                                            GError              **error);
/* Whether any administrator account exists (the first one is created from the CLI). */
gboolean        ec_staff_have_admin        (EcDb                 *db,
                                            gboolean             *out_have,
                                            GError              **error);

/* Seconds @id must still wait before trying a PIN at @now (0 = may try). */
gboolean        ec_staff_lockout_remaining (EcDb                 *db,
                                            const char           *id,
                                            gint64                now,
                                            gint64               *out_seconds,
                                            GError              **error);

/* Check @pin for @id at time @now (Unix seconds). On success returns a new session
 * (failures reset; a hash at an old cost is re-hashed). On failure NULL with:
 *   EC_STAFF_ERROR_NOT_FOUND     no such staff id
 *   EC_STAFF_ERROR_NOT_ALLOWED   the account has no PIN set
 *   EC_STAFF_ERROR_LOCKED_OUT    still locked out: the PIN was NOT checked; the
 *                                message says how long to wait
 *   EC_STAFF_ERROR_WRONG_PIN     wrong PIN, counted; from the 5th in a row the
 *                                message also says how long sign-in is locked
 *   EC_DB_ERROR_* / EC_STAFF_ERROR_CRYPTO
 * Every outcome is audited (see above). */
EcStaffSession *ec_staff_sign_in           (EcDb                 *db,
                                            const EcPepper       *pepper,
                                            const char           *id,
                                            const char           *pin,
                                            gint64                now,
                                            GError              **error);

/* The same off the calling thread, for the kiosk: a worker thread opens its own
 * connection to @db_path (EcDb is per thread), copies @pin into sodium_malloc memory
 * (wiped when done) and signs in at @now. @pepper must stay alive until @callback
 * runs. The callback runs once the attempt is over; cancelling only turns its
 * result into G_IO_ERROR_CANCELLED (an attempt already checked still counts). */
void            ec_staff_sign_in_async     (const char           *db_path,
                                            const EcPepper       *pepper,
                                            const char           *id,
                                            const char           *pin,
                                            gint64                now,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
EcStaffSession *ec_staff_sign_in_finish    (GAsyncResult         *result,
                                            GError              **error);

/* Record activity at @now (a tap, a key press): postpones the idle sign-out. */
void            ec_staff_session_touch     (EcStaffSession       *session,
                                            gint64                now);
/* TRUE once @now is idle_timeout seconds or more after the last activity (pure). A
 * clock set back before the last activity does not end the session. */
gboolean        ec_staff_session_expired   (const EcStaffSession *session,
                                            gint64                now);
/* Seconds until the idle sign-out (0 when expired). */
gint64          ec_staff_session_remaining (const EcStaffSession *session,
                                            gint64                now);
/* Whether @session may act at @now with at least @role (EC_ROLE_ADMIN for the audit
 * viewer and staff management): NOT_SIGNED_IN when @session is NULL or expired,
 * NOT_ALLOWED when the role is lower. */
gboolean        ec_staff_session_check     (const EcStaffSession *session,
                                            EcRole                role,
                                            gint64                now,
                                            GError              **error);

/* The actor for ec-db.h calls made in this session (points into @session). */
EcActor         ec_staff_session_actor     (const EcStaffSession *session);

/* The station signing key for issuing, unlocked once per sign-in: the first call
 * unlocks stations/<@station_id>.key in @keydir with @passphrase (Argon2id MODERATE,
 * ~0.5–1 s: call it off the UI thread) and keeps it in the session until sign-out;
 * later calls return the same key and may pass a NULL @passphrase. Requires a live
 * session of role staff or admin at @now (NOT_SIGNED_IN / NOT_ALLOWED). Audited:
 * "station-key-unlock" (detail "station=N kid=XXXXXXXX") or, on a wrong passphrase,
 * "station-key-unlock-failed"; the error is then EC_KEY_ERROR_WRONG_PASSPHRASE.
 * The key is owned by the session: do not free it. */
const EcStationKey *ec_staff_session_unlock_station_key (EcDb   *db,
                                            EcStaffSession       *session,
                                            const char           *keydir,
                                            guint16               station_id,
                                            const EcSecret       *passphrase,
                                            gint64                now,
                                            GError              **error);
/* The unlocked station key, or NULL: ask for the passphrase only when this is NULL. */
const EcStationKey *ec_staff_session_station_key (const EcStaffSession *session);

/* Lower level, for other kinds of key: the session takes @key and calls @wipe (which must wipe and free it, e.g. the key
 * module's free function over sodium_malloc memory) at sign-out or when another key
 * replaces it. Audited as "station-key-unlock" with @key_id (e.g. the kid in hex). */
gboolean        ec_staff_session_take_station_key (EcDb           *db,
                                            EcStaffSession       *session,
                                            gpointer              key,
                                            GDestroyNotify        wipe,
                                            const char           *key_id,
                                            GError              **error);
/* The key given to ec_staff_session_take_station_key(), or NULL. */
gpointer        ec_staff_session_get_station_key  (const EcStaffSession *session);
/* Wipe the station key now but stay signed in. */
void            ec_staff_session_forget_station_key (EcStaffSession *session);

/* Sign out: wipe the station key, audit "staff-signout" with the reason, and free
 * @session (always, even when the audit write fails and FALSE is returned). */
gboolean        ec_staff_sign_out          (EcDb                 *db,
                                            EcStaffSession       *session,
                                            EcStaffSignOutReason  reason,
                                            GError              **error);
/* Free without auditing (the key is wiped too). */
void            ec_staff_session_free      (EcStaffSession       *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcStaffSession, ec_staff_session_free)

G_END_DECLS
