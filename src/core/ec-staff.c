/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-staff"

#include "ec-staff.h"

#include <string.h>
#include <sodium.h>

#include "ec-error.h"
#include "ec-i18n.h"

gboolean
ec_staff_check_id (const char *id,
                   GError    **error)
{
  gsize len = id != NULL ? strlen (id) : 0;

  if (len == 0 || len > EC_STAFF_ID_MAX)
    goto bad;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '.' && id[i] != '-' && id[i] != '_')
      goto bad;
  return TRUE;

bad:
  g_set_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_INVALID,
               _("A staff id is 1 to %d letters, digits, “.”, “-” or “_” (like S0012)"),
               EC_STAFF_ID_MAX);
  return FALSE;
}

/* "30 s", "2 min": how long to wait, rounded up. */
static char *
format_wait (gint64 seconds)
{
  if (seconds < 120)
    return g_strdup_printf (_("%d s"), (int) seconds);
  return g_strdup_printf (_("%d min"), (int) ((seconds + 59) / 60));
}

/* Translate the database's NOT_FOUND for a staff id into ours. */
static gboolean
get_staff (EcDb        *db,
           const char  *id,
           EcStaff    **out,
           GError     **error)
{
  GError *local = NULL;

  if (ec_db_staff_get (db, id, out, &local))
    return TRUE;
  if (g_error_matches (local, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND))
    {
      g_clear_error (&local);
      g_set_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_FOUND,
                   _("There is no staff member with id %s"), id);
      return FALSE;
    }
  g_propagate_error (error, local);
  return FALSE;
}

static gboolean
has_text (const char *s)
{
  if (s == NULL)
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return TRUE;
  return FALSE;
}

gboolean
ec_staff_create (EcDb           *db,
                 const char     *id,
                 const char     *name,
                 EcRole          role,
                 const char     *pin,
                 const EcPepper *pepper,
                 const EcActor  *actor,
                 GError        **error)
{
  g_autoptr(EcStaff) staff = NULL;
  g_autoptr(EcStaff) existing = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (pepper != NULL, FALSE);

  if (!ec_staff_check_id (id, error))
    return FALSE;
  if (!has_text (name))
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_INVALID,
                           _("A staff member needs a name"));
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > 64)
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_INVALID,
                           _("A staff member's name is at most 64 characters of text"));
      return FALSE;
    }
  if (role != EC_ROLE_STAFF && role != EC_ROLE_ADMIN)
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_INVALID,
                           _("A staff member's role is staff or admin"));
      return FALSE;
    }
  if (ec_db_staff_get (db, id, &existing, &local))
    {
      g_set_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_EXISTS,
                   _("A staff member with id %s already exists"), id);
      return FALSE;
    }
  if (!g_error_matches (local, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  staff = ec_staff_new ();
  staff->id = g_strdup (id);
  staff->name = g_strdup (name);
  staff->role = role;
  staff->pin_hash = ec_pin_hash (pin, pepper, error);   /* checks the policy */
  if (staff->pin_hash == NULL)
    return FALSE;
  return ec_db_staff_add (db, staff, actor, error);
}

gboolean
ec_staff_set_pin (EcDb           *db,
                  const char     *id,
                  const char     *pin,
                  const EcPepper *pepper,
                  const EcActor  *actor,
                  GError        **error)
{
  g_autoptr(EcStaff) staff = NULL;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (pepper != NULL, FALSE);

  if (!ec_staff_check_id (id, error) || !get_staff (db, id, &staff, error))
    return FALSE;
  hash = ec_pin_hash (pin, pepper, error);
  if (hash == NULL)
    return FALSE;
  return ec_db_staff_set_pin_hash (db, id, hash, actor, error);
}

gboolean
ec_staff_have_admin (EcDb     *db,
                     gboolean *out_have,
                     GError  **error)
{
  g_autoptr(GPtrArray) list = NULL;

  g_return_val_if_fail (out_have != NULL, FALSE);
  if (!ec_db_staff_list (db, &list, error))
    return FALSE;
  *out_have = FALSE;
  for (guint i = 0; i < list->len; i++)
    if (((EcStaff *) list->pdata[i])->role == EC_ROLE_ADMIN)
      *out_have = TRUE;
  return TRUE;
}

/* The database keeps the lockout end; the delay itself follows from the count. */
static gint64
staff_wait (const EcStaff *staff,
            gint64         now)
{
  gint64 delay = ec_pin_lockout_delay (staff->pin_failures);

  if (delay == 0 || staff->pin_locked_until == 0)
    return 0;
  return ec_pin_lockout_remaining (staff->pin_failures, staff->pin_locked_until - delay, now);
}

gboolean
ec_staff_lockout_remaining (EcDb       *db,
                            const char *id,
                            gint64      now,
                            gint64     *out_seconds,
                            GError    **error)
{
  g_autoptr(EcStaff) staff = NULL;

  g_return_val_if_fail (out_seconds != NULL, FALSE);
  if (!get_staff (db, id, &staff, error))
    return FALSE;
  *out_seconds = staff_wait (staff, now);
  return TRUE;
}

static gboolean
audit (EcDb       *db,
       EcRole      role,
       const char *id,
       const char *action,
       const char *detail,
       GError    **error)
{
  EcActor actor = { role, id };
  return ec_db_audit_append (db, &actor, action, 0, NULL, NULL, detail, error);
}

/* Step 1 of a sign-in, in one BEGIN IMMEDIATE transaction: read the account, refuse
 * (and audit) when it is locked, otherwise count this attempt as a failure *before*
 * the PIN is checked. Two kiosks or thirty processes trying at once are serialised
 * here, so at most EC_PIN_FREE_ATTEMPTS PINs are ever checked before the wait: the
 * attempt that reaches the limit sets the lock for everyone after it. A correct PIN
 * takes the count back in step 3; a crash in between leaves it counted (fails
 * closed). Returns the account (with the new count in @out_failures and the delay
 * that starts if the PIN is wrong in @out_delay), or NULL with @error set. */
static EcStaff *
count_attempt (EcDb       *db,
               const char *id,
               gint64      now,
               guint      *out_failures,
               gint64     *out_delay,
               GError    **error)
{
  g_autoptr(EcStaff) staff = NULL;
  g_autoptr(GError) local = NULL;
  gint64 wait, delay;
  guint failures;

  if (!ec_db_begin (db, error))
    return NULL;
  if (!get_staff (db, id, &staff, &local))
    {
      if (g_error_matches (local, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_FOUND)
          && !audit (db, EC_ROLE_STAFF, id, "signin-unknown-staff", NULL, error))
        goto fail;
      if (!ec_db_commit (db, error))
        return NULL;
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (staff->pin_hash == NULL)
    {
      if (!audit (db, staff->role, id, "signin-no-pin", NULL, error) || !ec_db_commit (db, error))
        goto fail;
      g_set_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_ALLOWED,
                   _("%s has no PIN yet; an administrator must set one"), id);
      return NULL;
    }
  /* A damaged or weakened stored hash is no PIN check: refuse without counting. */
  if (!ec_pin_check_hash (staff->pin_hash, error))
    goto fail;

  wait = staff_wait (staff, now);
  if (wait > 0)
    {
      g_autofree char *detail = g_strdup_printf ("wait=%" G_GINT64_FORMAT, wait);
      g_autofree char *text = format_wait (wait);

      if (!audit (db, staff->role, id, "signin-locked", detail, error) || !ec_db_commit (db, error))
        goto fail;
      g_set_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_LOCKED_OUT,
                   _("Too many wrong PINs: sign-in for %s is locked. Try again in %s."),
                   id, text);
      return NULL;
    }

  failures = staff->pin_failures < G_MAXINT ? staff->pin_failures + 1 : staff->pin_failures;
  delay = ec_pin_lockout_delay (failures);
  if (!ec_db_staff_set_pin_state (db, id, failures, delay > 0 ? now + delay : 0, error)
      || !ec_db_commit (db, error))
    goto fail;
  *out_failures = failures;
  *out_delay = delay;
  return g_steal_pointer (&staff);

fail:
  ec_db_rollback (db);
  return NULL;
}

/* Step 3 after a wrong PIN: the attempt is already counted; audit it (and the lockout
 * it started) and say how long to wait. */
static void
record_failure (EcDb       *db,
                const char *id,
                EcRole      role,
                guint       failures,
                gint64      delay,
                GError    **error)
{
  g_autofree char *detail = NULL;

  if (!ec_db_begin (db, error))
    return;
  detail = g_strdup_printf ("failures=%u", failures);
  if (!audit (db, role, id, "pin-failure", detail, error))
    goto fail;
  if (delay > 0)
    {
      g_free (detail);
      detail = g_strdup_printf ("failures=%u wait=%" G_GINT64_FORMAT, failures, delay);
      if (!audit (db, role, id, "staff-lockout", detail, error))
        goto fail;
    }
  if (!ec_db_commit (db, error))
    return;

  if (delay > 0)
    {
      g_autofree char *wait = format_wait (delay);
      g_set_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN,
                   _("Wrong PIN. After %u wrong PINs in a row, sign-in for %s is locked "
                     "for %s."), failures, id, wait);
    }
  else
    g_set_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN,
                 _("Wrong PIN (%u of %d tries before a waiting time)"),
                 failures, EC_PIN_FREE_ATTEMPTS);
  return;

fail:
  ec_db_rollback (db);
}

EcStaffSession *
ec_staff_sign_in (EcDb           *db,
                  const EcPepper *pepper,
                  const char     *id,
                  const char     *pin,
                  gint64          now,
                  GError        **error)
{
  g_autoptr(EcStaff) staff = NULL;
  g_autoptr(EcStaffSession) session = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *new_hash = NULL;
  gboolean rehash = FALSE;
  guint failures = 0;
  gint64 delay = 0;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (pepper != NULL, NULL);

  if (!ec_staff_check_id (id, error))
    {
      /* Not even a well-formed id: record the attempt without echoing it. */
      g_autoptr(GError) audit_error = NULL;
      if (!audit (db, EC_ROLE_STAFF, "(invalid-id)", "signin-unknown-staff", NULL, &audit_error))
        g_warning ("cannot audit a sign-in attempt: %s", audit_error->message);
      return NULL;
    }

  /* 1: count the attempt (or refuse it) before anything is verified. */
  staff = count_attempt (db, id, now, &failures, &delay, error);
  if (staff == NULL)
    return NULL;

  /* 2: Argon2id, outside any transaction (it takes 0.1–0.5 s). */
  if (pin == NULL || !ec_pin_verify (staff->pin_hash, pin, pepper, &rehash, &local))
    {
      if (local != NULL && !g_error_matches (local, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      record_failure (db, id, staff->role, failures, delay, error);
      return NULL;
    }

  /* 3: correct PIN: reset the count, upgrade an old hash, audit, in one transaction. */
  if (rehash)
    {
      new_hash = ec_pin_hash (pin, pepper, &local);
      if (new_hash == NULL)   /* keep the old hash; sign-in still succeeds */
        g_warning ("cannot re-hash the PIN of %s: %s", id, local->message);
    }
  if (!ec_db_begin (db, error))
    return NULL;
  {
    EcActor self = { staff->role, id };
    gboolean ok = TRUE;

    if (new_hash != NULL)
      ok = ec_db_staff_set_pin_hash (db, id, new_hash, &self, error);
    else
      ok = ec_db_staff_set_pin_state (db, id, 0, 0, error);
    ok = ok && audit (db, staff->role, id, "staff-signin", new_hash != NULL ? "rehashed" : NULL, error);
    if (!ok)
      {
        ec_db_rollback (db);
        return NULL;
      }
    if (!ec_db_commit (db, error))
      return NULL;
  }

  session = g_new0 (EcStaffSession, 1);
  session->staff_id = g_strdup (id);
  session->name = g_strdup (staff->name);
  session->role = staff->role;
  session->signed_in_at = now;
  session->last_activity = now;
  session->idle_timeout = EC_STAFF_IDLE_TIMEOUT;
  return g_steal_pointer (&session);
}

typedef struct
{
  char           *db_path;
  const EcPepper *pepper;
  char           *id;
  char           *pin;      /* sodium_malloc */
  gint64          now;
} SignInJob;

static void
sign_in_job_free (SignInJob *job)
{
  g_free (job->db_path);
  g_free (job->id);
  if (job->pin != NULL)
    sodium_free (job->pin);   /* zeroes it */
  g_free (job);
}

static void
sign_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SignInJob *job = task_data;
  g_autoptr(EcDb) db = NULL;
  GError *error = NULL;
  EcStaffSession *session;

  db = ec_db_open (job->db_path, EC_DB_OPEN_READ_WRITE, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  session = ec_staff_sign_in (db, job->pepper, job->id, job->pin, job->now, &error);
  if (session == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, session, (GDestroyNotify) ec_staff_session_free);
}

void
ec_staff_sign_in_async (const char          *db_path,
                        const EcPepper      *pepper,
                        const char          *id,
                        const char          *pin,
                        gint64               now,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SignInJob *job = g_new0 (SignInJob, 1);
  gsize len = pin != NULL ? strlen (pin) : 0;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (pepper != NULL);

  g_task_set_source_tag (task, ec_staff_sign_in_async);
  job->db_path = g_strdup (db_path);
  job->pepper = pepper;
  job->id = g_strdup (id);
  job->now = now;
  if (pin != NULL)
    {
      job->pin = sodium_malloc (len + 1);
      if (job->pin == NULL)
        g_error ("sodium_malloc failed for a PIN");
      memcpy (job->pin, pin, len + 1);
    }
  g_task_set_task_data (task, job, (GDestroyNotify) sign_in_job_free);
  g_task_run_in_thread (task, sign_in_thread);
}

EcStaffSession *
ec_staff_sign_in_finish (GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, ec_staff_sign_in_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ec_staff_session_touch (EcStaffSession *session,
                        gint64          now)
{
  g_return_if_fail (session != NULL);
  if (now > session->last_activity)
    session->last_activity = now;
}

gint64
ec_staff_session_remaining (const EcStaffSession *session,
                            gint64                now)
{
  gint64 idle;

  g_return_val_if_fail (session != NULL, 0);
  idle = now > session->last_activity ? now - session->last_activity : 0;
  return idle >= session->idle_timeout ? 0 : session->idle_timeout - idle;
}

gboolean
ec_staff_session_expired (const EcStaffSession *session,
                          gint64                now)
{
  return ec_staff_session_remaining (session, now) == 0;
}

gboolean
ec_staff_session_check (const EcStaffSession *session,
                        EcRole                role,
                        gint64                now,
                        GError              **error)
{
  if (session == NULL || ec_staff_session_expired (session, now))
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_SIGNED_IN,
                           _("Please sign in again (signed out after inactivity)"));
      return FALSE;
    }
  if (session->role < role)
    {
      g_set_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_ALLOWED,
                   _("Only an administrator can do this; %s is signed in as %s"),
                   session->staff_id, ec_role_to_string (session->role));
      return FALSE;
    }
  return TRUE;
}

EcActor
ec_staff_session_actor (const EcStaffSession *session)
{
  EcActor actor = { EC_ROLE_STAFF, NULL };

  g_return_val_if_fail (session != NULL, actor);
  actor.role = session->role;
  actor.id = session->staff_id;
  return actor;
}

void
ec_staff_session_forget_station_key (EcStaffSession *session)
{
  g_return_if_fail (session != NULL);
  if (session->station_key != NULL && session->station_key_wipe != NULL)
    session->station_key_wipe (session->station_key);
  session->station_key = NULL;
  session->station_key_wipe = NULL;
}

gboolean
ec_staff_session_take_station_key (EcDb           *db,
                                   EcStaffSession *session,
                                   gpointer        key,
                                   GDestroyNotify  wipe,
                                   const char     *key_id,
                                   GError        **error)
{
  EcActor actor;

  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (wipe != NULL, FALSE);

  ec_staff_session_forget_station_key (session);
  actor = ec_staff_session_actor (session);
  if (!ec_db_audit_append (db, &actor, "station-key-unlock", 0, NULL, NULL, key_id, error))
    {
      /* An unlock that cannot be recorded does not happen. */
      wipe (key);
      return FALSE;
    }
  session->station_key = key;
  session->station_key_wipe = wipe;
  return TRUE;
}

const EcStationKey *
ec_staff_session_unlock_station_key (EcDb           *db,
                                     EcStaffSession *session,
                                     const char     *keydir,
                                     guint16         station_id,
                                     const EcSecret *passphrase,
                                     gint64          now,
                                     GError        **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *detail = NULL;
  EcStationKey *key;
  EcActor actor;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (keydir != NULL, NULL);

  if (!ec_staff_session_check (session, EC_ROLE_STAFF, now, error))
    return NULL;
  if (session->station_key != NULL
      && session->station_key_wipe == (GDestroyNotify) ec_station_key_free)
    {
      key = session->station_key;
      if (key->cert != NULL && key->cert->station_id == station_id)
        return key;   /* once per sign-in */
    }
  if (passphrase == NULL)
    {
      g_set_error_literal (error, EC_KEY_ERROR, EC_KEY_ERROR_WRONG_PASSPHRASE,
                           _("Enter the station key's passphrase to issue cards"));
      return NULL;
    }

  actor = ec_staff_session_actor (session);
  key = ec_station_key_unlock (keydir, station_id, passphrase, &local);
  if (key == NULL)
    {
      if (g_error_matches (local, EC_KEY_ERROR, EC_KEY_ERROR_WRONG_PASSPHRASE))
        {
          detail = g_strdup_printf ("station=%u", station_id);
          if (!ec_db_audit_append (db, &actor, "station-key-unlock-failed", 0, NULL, NULL,
                                   detail, error))
            return NULL;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  detail = g_strdup_printf ("station=%u kid=%08x", key->cert->station_id, key->cert->kid);
  if (!ec_staff_session_take_station_key (db, session, key, (GDestroyNotify) ec_station_key_free,
                                          detail, error))
    return NULL;   /* wiped by take_station_key */
  return key;
}

const EcStationKey *
ec_staff_session_station_key (const EcStaffSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  if (session->station_key_wipe != (GDestroyNotify) ec_station_key_free)
    return NULL;
  return session->station_key;
}

gpointer
ec_staff_session_get_station_key (const EcStaffSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->station_key;
}

void
ec_staff_session_free (EcStaffSession *session)
{
  if (session == NULL)
    return;
  ec_staff_session_forget_station_key (session);
  g_free (session->staff_id);
  g_free (session->name);
  g_free (session);
}

gboolean
ec_staff_sign_out (EcDb                 *db,
                   EcStaffSession       *session,
                   EcStaffSignOutReason  reason,
                   GError              **error)
{
  EcActor actor;
  gboolean ok;

  g_return_val_if_fail (session != NULL, FALSE);

  /* The key goes first, whatever happens to the audit write. */
  ec_staff_session_forget_station_key (session);
  actor = ec_staff_session_actor (session);
  ok = ec_db_audit_append (db, &actor, "staff-signout", 0, NULL, NULL,
                           reason == EC_STAFF_SIGN_OUT_IDLE ? "idle-timeout" : "signout",
                           error);
  ec_staff_session_free (session);
  return ok;
}
