/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-station"

#include "ec-station-context.h"

#include <sodium.h>
#include <string.h>

#include "ec-card-face.h"
#include "ec-card.h"
#include "ec-i18n.h"
#include "ec-keys.h"
#include "ec-reader.h"

#define DEFAULT_CARD_WAIT_MS 30000

struct _EcStationContext
{
  GObject         parent_instance;

  char           *db_path;
  char           *keys_dir;
  char           *device;
  char           *station_name;
  char           *station_phone;
  guint16         station_id;
  char           *setup_error;
  EcPepper       *pepper;

  EcStaffSession *session;
  guint           idle_timeout;
  guint           idle_source;
  gint64          clock_offset;
  guint           card_wait_ms;
  gboolean        lock_cards;

  /* Operations that borrow the session (key unlock, issuing): sign-out waits. */
  guint           busy;
  gboolean        sign_out_pending;
  EcStaffSignOutReason pending_reason;
  GCancellable   *busy_cancellable;

  /* Pull-then-retry: only this card (NULL = any blank); the last half-written one. */
  char           *issue_card;
  char           *pending_uid;
  char           *issue_reason;

  /* A form kept at sign-out for the staff member who typed it. */
  char           *draft_staff;
  gpointer        draft;
  GDestroyNotify  draft_free;

  /* The short jobs' connection, used by one worker at a time. */
  GMutex          db_lock;
  EcDb           *db;
};

G_DEFINE_FINAL_TYPE (EcStationContext, ec_station_context, G_TYPE_OBJECT)
G_DEFINE_QUARK (ec-station-error-quark, ec_station_error)

enum { PROP_0, PROP_SIGNED_IN, N_PROPS };
enum { SIGNED_OUT, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
ec_station_confirm_free (EcStationConfirm *confirm)
{
  if (confirm == NULL)
    return;
  g_free (confirm->uid_hex);
  g_free (confirm->name_zh);
  g_free (confirm);
}

void
ec_station_audit_free (EcStationAudit *audit)
{
  if (audit == NULL)
    return;
  g_clear_pointer (&audit->entries, g_ptr_array_unref);
  g_clear_pointer (&audit->names, g_hash_table_unref);
  g_clear_pointer (&audit->pinyin, g_hash_table_unref);
  g_clear_pointer (&audit->staff_names, g_hash_table_unref);
  g_free (audit->chain_message);
  g_free (audit);
}

/* ------------------------------------------------------------------------- */
/* Set-up */

/* The station whose signing key lies in @keys_dir/stations (the lowest id). */
static guint16
find_station_id (const char *keys_dir)
{
  g_autofree char *dir = g_build_filename (keys_dir, "stations", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint64 best = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      guint64 id;
      char *end = NULL;

      if (!g_str_has_suffix (name, ".key"))
        continue;
      id = g_ascii_strtoull (name, &end, 10);
      if (end == name || !g_str_equal (end, ".key") || id == 0 || id > G_MAXUINT16)
        continue;
      if (best == 0 || id < best)
        best = id;
    }
  return (guint16) best;
}

static void
load_setup (EcStationContext *self)
{
  g_autofree char *pepper_path = g_build_filename (self->keys_dir, EC_PEPPER_FILE_NAME, NULL);
  g_autoptr(GError) error = NULL;

  self->pepper = ec_pepper_load (pepper_path, &error);
  if (self->pepper == NULL)
    {
      /* Said to a social worker at the station, once, in their words; the technical
       * reason goes to the log for whoever sets the computer up. */
      g_message ("station mode: %s", error->message);
      if (g_error_matches (error, EC_KEY_ERROR, EC_KEY_ERROR_NOT_FOUND))
        self->setup_error = g_strdup (_("Staff sign-in has not been set up on this computer yet, so nobody can "
                                        "sign in here. Please ask your station's administrator to set it up "
                                        "(the station guide, section 1, says how). Until then this kiosk still "
                                        "reads cards: press “Back to the kiosk”."));
      else
        self->setup_error = g_strdup (_("Staff sign-in cannot start on this computer: one of its key files is "
                                        "missing or not protected as it must be. Please call your station's "
                                        "administrator. Until then this kiosk still reads cards: press “Back "
                                        "to the kiosk”."));
      return;
    }
  self->station_id = find_station_id (self->keys_dir);
}

EcStationContext *
ec_station_context_new (const EcConfig *config)
{
  EcStationContext *self;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (EC_TYPE_STATION_CONTEXT, NULL);
  self->db_path = g_strdup (config->db_path);
  self->keys_dir = g_strdup (config->keys_dir);
  self->device = g_strdup (config->device);
  self->station_name = g_strdup (config->station_name);
  self->station_phone = g_strdup (config->station_phone);
  if (config->station_idle_timeout > 0)
    self->idle_timeout = config->station_idle_timeout;
  load_setup (self);
  return self;
}

const char *
ec_station_context_get_setup_error (EcStationContext *self)
{
  g_return_val_if_fail (EC_IS_STATION_CONTEXT (self), NULL);
  return self->setup_error;
}

guint16
ec_station_context_get_station_id (EcStationContext *self)
{
  g_return_val_if_fail (EC_IS_STATION_CONTEXT (self), 0);
  return self->station_id;
}

const char *
ec_station_context_get_station_name (EcStationContext *self)
{
  g_return_val_if_fail (EC_IS_STATION_CONTEXT (self), NULL);
  return self->station_name;
}

void
ec_station_context_set_clock_offset (EcStationContext *self,
                                     gint64            seconds)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  self->clock_offset = seconds;
}

gint64
ec_station_context_now (EcStationContext *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

void
ec_station_context_set_idle_timeout (EcStationContext *self,
                                     guint             seconds)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  self->idle_timeout = seconds;
  if (self->session != NULL)
    self->session->idle_timeout = seconds;
}

void
ec_station_context_set_card_wait (EcStationContext *self,
                                  guint             ms)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  self->card_wait_ms = ms > 0 ? ms : DEFAULT_CARD_WAIT_MS;
}

void
ec_station_context_set_lock_cards (EcStationContext *self,
                                   gboolean          lock)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  self->lock_cards = lock;
}

/* ------------------------------------------------------------------------- */
/* The session */

const EcStaffSession *
ec_station_context_get_session (EcStationContext *self)
{
  g_return_val_if_fail (EC_IS_STATION_CONTEXT (self), NULL);
  return self->session;
}

gboolean
ec_station_context_is_admin (EcStationContext *self)
{
  g_return_val_if_fail (EC_IS_STATION_CONTEXT (self), FALSE);
  return ec_staff_session_check (self->session, EC_ROLE_ADMIN, ec_station_context_now (self), NULL);
}

void
ec_station_context_touch (EcStationContext *self)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  if (self->session != NULL)
    ec_staff_session_touch (self->session, ec_station_context_now (self));
}

gint64
ec_station_context_remaining (EcStationContext *self)
{
  g_return_val_if_fail (EC_IS_STATION_CONTEXT (self), 0);
  return self->session != NULL ? ec_staff_session_remaining (self->session, ec_station_context_now (self)) : 0;
}

static gboolean
idle_check_cb (gpointer user_data)
{
  EcStationContext *self = user_data;

  if (self->session == NULL)
    {
      self->idle_source = 0;
      return G_SOURCE_REMOVE;
    }
  /* An issuance in progress is activity: the card is on the reader. */
  if (self->busy > 0)
    ec_station_context_touch (self);
  else if (ec_staff_session_expired (self->session, ec_station_context_now (self)))
    {
      self->idle_source = 0;
      ec_station_context_sign_out (self, EC_STAFF_SIGN_OUT_IDLE);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- the short jobs: one connection, one worker at a time ---- */

typedef gpointer (*JobFunc) (EcStationContext *self,
                             EcDb             *db,
                             gpointer          data,
                             GError          **error);

typedef struct
{
  JobFunc        func;
  gpointer       data;
  GDestroyNotify data_free;
  GDestroyNotify result_free;
  EcRole         actor_role;
  char          *actor_id;
} Job;

static void
job_free (Job *job)
{
  if (job->data_free != NULL && job->data != NULL)
    job->data_free (job->data);
  g_free (job->actor_id);
  g_free (job);
}

static void
job_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  EcStationContext *self = source_object;
  Job *job = task_data;
  GError *error = NULL;
  gpointer result;

  g_mutex_lock (&self->db_lock);
  if (self->db == NULL)
    self->db = ec_db_open (self->db_path, EC_DB_OPEN_READ_WRITE, &error);
  result = self->db != NULL ? job->func (self, self->db, job, &error) : NULL;
  g_mutex_unlock (&self->db_lock);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, job->result_free);
}

/* The actor of the current session, checked for @role at now. */
static gboolean
check_session (EcStationContext *self,
               EcRole            role,
               GError          **error)
{
  return ec_staff_session_check (self->session, role, ec_station_context_now (self), error);
}

static void
run_job (EcStationContext   *self,
         gpointer            source_tag,
         EcRole              role,
         JobFunc             func,
         gpointer            data,
         GDestroyNotify      data_free,
         GDestroyNotify      result_free,
         GCancellable       *cancellable,
         GAsyncReadyCallback callback,
         gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  Job *job;

  g_task_set_source_tag (task, source_tag);
  if (!check_session (self, role, &error))
    {
      if (data_free != NULL && data != NULL)
        data_free (data);
      g_task_return_error (task, error);
      return;
    }
  ec_station_context_touch (self);
  job = g_new0 (Job, 1);
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;
  job->actor_role = self->session->role;
  job->actor_id = g_strdup (self->session->staff_id);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_worker);
}

static EcActor
job_actor (Job *job)
{
  EcActor actor = { job->actor_role, job->actor_id };
  return actor;
}

/* ---- sign-in ---- */

static void
sign_in_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EcStationContext *self = g_task_get_source_object (task);
  GError *error = NULL;
  EcStaffSession *session = ec_staff_sign_in_finish (result, &error);

  if (session == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->session != NULL)
    ec_staff_session_free (self->session);   /* cannot happen: the page signs out first */
  self->session = session;
  if (self->idle_timeout > 0)
    self->session->idle_timeout = self->idle_timeout;
  if (self->idle_source == 0)
    self->idle_source = g_timeout_add_seconds (1, idle_check_cb, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
  g_task_return_boolean (task, TRUE);
}

void
ec_station_context_sign_in_async (EcStationContext   *self,
                                  const char         *staff_id,
                                  const char         *pin,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  g_return_if_fail (staff_id != NULL && pin != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ec_station_context_sign_in_async);
  if (self->pepper == NULL)
    {
      g_task_return_new_error (task, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_ALLOWED, "%s", self->setup_error);
      return;
    }
  if (self->session != NULL)
    {
      g_task_return_new_error (task, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_ALLOWED, "%s",
                               _("Someone is signed in already: sign out first."));
      return;
    }
  /* The pepper lives as long as self, which the task keeps alive. */
  ec_staff_sign_in_async (self->db_path, self->pepper, staff_id, pin, ec_station_context_now (self),
                          cancellable, sign_in_done_cb, g_steal_pointer (&task));
}

gboolean
ec_station_context_sign_in_finish (EcStationContext  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- sign-out ---- */

typedef struct
{
  EcStaffSession      *session;
  EcStaffSignOutReason reason;
} SignOutData;

static void
sign_out_data_free (SignOutData *d)
{
  g_clear_pointer (&d->session, ec_staff_session_free);
  g_free (d);
}

static gpointer
sign_out_job (EcStationContext *self,
              EcDb             *db,
              gpointer          data,
              GError          **error)
{
  SignOutData *d = ((Job *) data)->data;
  g_autoptr(GError) local = NULL;

  /* Frees (and wipes) the session even when the audit write fails. */
  if (!ec_staff_sign_out (db, g_steal_pointer (&d->session), d->reason, &local))
    g_warning ("sign-out not audited: %s", local->message);
  return GINT_TO_POINTER (1);
}

static void
sign_out_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_pointer (G_TASK (result), &error) == NULL && error != NULL)
    g_warning ("sign-out: %s", error->message);
}

static void
do_sign_out (EcStationContext    *self,
             EcStaffSignOutReason reason)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, sign_out_done_cb, NULL);
  SignOutData *d = g_new0 (SignOutData, 1);
  Job *job = g_new0 (Job, 1);

  /* The key is wiped now, on this thread; the audit entry is written by the worker. */
  ec_staff_session_forget_station_key (self->session);
  d->session = g_steal_pointer (&self->session);
  d->reason = reason;
  job->func = sign_out_job;
  job->data = d;
  job->data_free = (GDestroyNotify) sign_out_data_free;
  job->actor_role = d->session->role;
  job->actor_id = g_strdup (d->session->staff_id);
  g_task_set_source_tag (task, do_sign_out);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_worker);

  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
  g_signal_emit (self, signals[SIGNED_OUT], 0, reason);
}

void
ec_station_context_sign_out (EcStationContext    *self,
                             EcStaffSignOutReason reason)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));

  if (self->session == NULL)
    return;
  if (self->busy > 0)
    {
      self->sign_out_pending = TRUE;
      self->pending_reason = reason;
      if (self->busy_cancellable != NULL)
        g_cancellable_cancel (self->busy_cancellable);
      return;
    }
  do_sign_out (self, reason);
}

static void
busy_begin (EcStationContext *self,
            GCancellable     *cancellable)
{
  if (self->busy++ == 0)
    g_set_object (&self->busy_cancellable, cancellable);
}

static void
busy_end (EcStationContext *self)
{
  g_assert (self->busy > 0);
  if (--self->busy > 0)
    return;
  g_clear_object (&self->busy_cancellable);
  if (self->sign_out_pending)
    {
      self->sign_out_pending = FALSE;
      if (self->session != NULL)
        do_sign_out (self, self->pending_reason);
    }
}

/* ---- the lockout countdown ---- */

typedef struct
{
  char  *staff_id;
  gint64 now;
} LockoutData;

static void
lockout_data_free (LockoutData *d)
{
  g_free (d->staff_id);
  g_free (d);
}

static void
lockout_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  EcStationContext *self = source_object;
  LockoutData *d = task_data;
  GError *error = NULL;
  gint64 seconds = 0;
  gboolean ok;

  g_mutex_lock (&self->db_lock);
  if (self->db == NULL)
    self->db = ec_db_open (self->db_path, EC_DB_OPEN_READ_WRITE, &error);
  ok = self->db != NULL && ec_staff_lockout_remaining (self->db, d->staff_id, d->now, &seconds, &error);
  g_mutex_unlock (&self->db_lock);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, seconds);
}

void
ec_station_context_lockout_async (EcStationContext   *self,
                                  const char         *staff_id,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  LockoutData *d;

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  g_return_if_fail (staff_id != NULL);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ec_station_context_lockout_async);
  d = g_new0 (LockoutData, 1);
  d->staff_id = g_strdup (staff_id);
  d->now = ec_station_context_now (self);
  g_task_set_task_data (task, d, (GDestroyNotify) lockout_data_free);
  g_task_run_in_thread (task, lockout_worker);
}

gint64
ec_station_context_lockout_finish (EcStationContext  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

/* ---- drafts ---- */

static void
clear_draft (EcStationContext *self)
{
  if (self->draft != NULL && self->draft_free != NULL)
    self->draft_free (self->draft);
  self->draft = NULL;
  self->draft_free = NULL;
  g_clear_pointer (&self->draft_staff, g_free);
}

void
ec_station_context_keep_draft (EcStationContext *self,
                               const char       *staff_id,
                               gpointer          draft,
                               GDestroyNotify    free_func)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  g_return_if_fail (staff_id != NULL);

  clear_draft (self);
  self->draft = draft;
  self->draft_free = free_func;
  self->draft_staff = g_strdup (staff_id);
}

gpointer
ec_station_context_take_draft (EcStationContext *self,
                               const char       *staff_id)
{
  gpointer draft;

  g_return_val_if_fail (EC_IS_STATION_CONTEXT (self), NULL);
  if (self->draft == NULL || g_strcmp0 (staff_id, self->draft_staff) != 0)
    return NULL;
  draft = g_steal_pointer (&self->draft);
  self->draft_free = NULL;
  g_clear_pointer (&self->draft_staff, g_free);
  return draft;
}

/* ---- the station key ---- */

gboolean
ec_station_context_has_station_key (EcStationContext *self)
{
  g_return_val_if_fail (EC_IS_STATION_CONTEXT (self), FALSE);
  return self->session != NULL && ec_staff_session_station_key (self->session) != NULL;
}

typedef struct
{
  EcStaffSession *session;   /* borrowed: sign-out waits for us (busy) */
  EcSecret       *passphrase;
  char           *keys_dir;
  guint16         station_id;
  gint64          now;
} UnlockData;

static void
unlock_data_free (UnlockData *d)
{
  g_clear_pointer (&d->passphrase, ec_secret_free);
  g_free (d->keys_dir);
  g_free (d);
}

static gpointer
unlock_job (EcStationContext *self,
            EcDb             *db,
            gpointer          data,
            GError          **error)
{
  UnlockData *d = ((Job *) data)->data;

  if (ec_staff_session_unlock_station_key (db, d->session, d->keys_dir, d->station_id, d->passphrase,
                                           d->now, error) == NULL)
    return NULL;
  return GINT_TO_POINTER (1);
}

static void
unlock_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EcStationContext *self = EC_STATION_CONTEXT (source);
  GError *error = NULL;

  if (g_task_propagate_pointer (G_TASK (result), &error) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  busy_end (self);
}

void
ec_station_context_unlock_key_async (EcStationContext   *self,
                                     const char         *passphrase,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  UnlockData *d;

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  g_return_if_fail (passphrase != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ec_station_context_unlock_key_async);
  if (self->station_id == 0)
    {
      g_task_return_new_error (task, EC_KEY_ERROR, EC_KEY_ERROR_NOT_FOUND,
                               _("This computer holds no station signing key (%s/stations/N.key): "
                                 "cards cannot be issued here."), self->keys_dir);
      return;
    }
  if (self->session == NULL)
    {
      g_task_return_new_error (task, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_SIGNED_IN, "%s",
                               _("Signed out: sign in again."));
      return;
    }
  d = g_new0 (UnlockData, 1);
  d->session = self->session;
  d->passphrase = ec_secret_new_from ((const guint8 *) passphrase, strlen (passphrase));
  d->keys_dir = g_strdup (self->keys_dir);
  d->station_id = self->station_id;
  d->now = ec_station_context_now (self);
  busy_begin (self, cancellable);
  run_job (self, ec_station_context_unlock_key_async, EC_ROLE_STAFF, unlock_job, d,
           (GDestroyNotify) unlock_data_free, NULL, cancellable, unlock_done_cb, g_steal_pointer (&task));
}

gboolean
ec_station_context_unlock_key_finish (EcStationContext  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------- */
/* Residents */

static gpointer
search_job (EcStationContext *self,
            EcDb             *db,
            gpointer          data,
            GError          **error)
{
  const char *query = ((Job *) data)->data;
  GPtrArray *results = NULL;

  if (query == NULL || *query == '\0')
    return ec_db_resident_list (db, 0, 50, &results, error) ? results : NULL;
  return ec_db_search (db, query, 50, &results, error) ? results : NULL;
}

void
ec_station_context_search_async (EcStationContext   *self,
                                 const char         *query,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  run_job (self, ec_station_context_search_async, EC_ROLE_STAFF, search_job,
           g_strstrip (g_strdup (query != NULL ? query : "")), g_free,
           (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
ec_station_context_search_finish (EcStationContext  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  EcResidentId id;
  char        *purpose;
  char        *path;
  char        *station_name;
  char        *station_phone;
} ResidentData;

static void
resident_data_free (ResidentData *d)
{
  g_free (d->purpose);
  g_free (d->path);
  g_free (d->station_name);
  g_free (d->station_phone);
  g_free (d);
}

static gpointer
get_resident_job (EcStationContext *self,
                  EcDb             *db,
                  gpointer          data,
                  GError          **error)
{
  Job *job = data;
  ResidentData *d = job->data;
  EcActor actor = job_actor (job);
  EcResident *r = NULL;

  return ec_db_get_resident (db, d->id, &actor, d->purpose, NULL, &r, error) ? r : NULL;
}

void
ec_station_context_get_resident_async (EcStationContext   *self,
                                       EcResidentId        id,
                                       const char         *purpose,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  ResidentData *d = g_new0 (ResidentData, 1);

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  d->id = id;
  d->purpose = g_strdup (purpose != NULL ? purpose : EC_DB_PURPOSE_EDIT);
  run_job (self, ec_station_context_get_resident_async, EC_ROLE_STAFF, get_resident_job, d,
           (GDestroyNotify) resident_data_free, (GDestroyNotify) ec_resident_free,
           cancellable, callback, user_data);
}

EcResident *
ec_station_context_get_resident_finish (EcStationContext  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
save_resident_job (EcStationContext *self,
                   EcDb             *db,
                   gpointer          data,
                   GError          **error)
{
  Job *job = data;
  EcResident *r = job->data;
  EcActor actor = job_actor (job);
  gboolean ok = r->id == 0 ? ec_db_resident_add (db, r, &actor, error)
                           : ec_db_resident_update (db, r, &actor, error);
  EcResidentId *out;

  if (!ok)
    return NULL;
  out = g_new (EcResidentId, 1);
  *out = r->id;
  return out;
}

void
ec_station_context_save_resident_async (EcStationContext   *self,
                                        EcResident         *resident,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  g_return_if_fail (resident != NULL);
  run_job (self, ec_station_context_save_resident_async, EC_ROLE_STAFF, save_resident_job, resident,
           (GDestroyNotify) ec_resident_free, g_free, cancellable, callback, user_data);
}

EcResidentId
ec_station_context_save_resident_finish (EcStationContext  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_autofree EcResidentId *id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  id = g_task_propagate_pointer (G_TASK (result), error);
  return id != NULL ? *id : 0;
}

static gpointer
cards_job (EcStationContext *self,
           EcDb             *db,
           gpointer          data,
           GError          **error)
{
  ResidentData *d = ((Job *) data)->data;
  GPtrArray *cards = NULL;

  return ec_db_card_list_for_resident (db, d->id, &cards, error) ? cards : NULL;
}

void
ec_station_context_cards_async (EcStationContext   *self,
                                EcResidentId        id,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  ResidentData *d = g_new0 (ResidentData, 1);

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  d->id = id;
  run_job (self, ec_station_context_cards_async, EC_ROLE_STAFF, cards_job, d,
           (GDestroyNotify) resident_data_free, (GDestroyNotify) g_ptr_array_unref,
           cancellable, callback, user_data);
}

GPtrArray *
ec_station_context_cards_finish (EcStationContext  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------- */
/* Cards */

typedef struct
{
  char                 *db_path;
  char                 *keys_dir;
  char                 *device;
  EcResidentId          resident_id;
  char                 *lost_uid;
  char                 *expect_uid;    /* only this card (pull-then-retry), or NULL */
  char                 *reason;        /* why the card is replaced, or NULL */
  char                 *pending_uid;   /* out: the resident's half-written card */
  EcRole                actor_role;
  char                 *actor_id;
  const EcStationKey   *station_key;   /* owned by the session; sign-out waits (busy) */
  guint                 wait_ms;
  gboolean              lock;
  gint64                now;
  GMainContext         *main_context;
  EcStationProgressFunc progress;
  gpointer              progress_data;
  EcStationContext     *self;          /* for progress marshalling (a ref) */
} IssueData;

static void
issue_data_free (IssueData *d)
{
  g_free (d->db_path);
  g_free (d->keys_dir);
  g_free (d->device);
  g_free (d->lost_uid);
  g_free (d->expect_uid);
  g_free (d->reason);
  g_free (d->pending_uid);
  g_free (d->actor_id);
  g_main_context_unref (d->main_context);
  g_clear_object (&d->self);
  g_free (d);
}

typedef struct
{
  IssueData    *d;   /* alive: the task waits for its invocations (see below) */
  EcIssueStage  stage;
  char         *message;
} ProgressCall;

static gboolean
progress_invoke_cb (gpointer user_data)
{
  ProgressCall *c = user_data;

  if (c->d->progress != NULL)
    c->d->progress (c->stage, c->message, c->d->progress_data);
  return G_SOURCE_REMOVE;
}

static void
progress_call_free (gpointer user_data)
{
  ProgressCall *c = user_data;

  g_free (c->message);
  g_object_unref (c->d->self);
  g_free (c);
}

static void
issue_progress_cb (EcIssueStage  stage,
                   const char   *message,
                   gpointer      user_data)
{
  IssueData *d = user_data;
  ProgressCall *c = g_new0 (ProgressCall, 1);

  c->d = d;
  c->stage = stage;
  c->message = g_strdup (message);
  g_object_ref (d->self);
  /* Dispatched on the main context before the task's own completion (which is queued
   * after it on the same context), so @d is still alive when it runs. */
  g_main_context_invoke_full (d->main_context, G_PRIORITY_HIGH, progress_invoke_cb, c, progress_call_free);
}

/* A reader another process (the kiosk's watcher, our previous operation) has not
 * released yet answers NO_READER or BUSY for a moment. */
static gboolean
reader_not_free_yet (const GError *error)
{
  return g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_NO_READER)
         || g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_BUSY);
}

/* A card's status in the staff's words (the page's own labels). */
static const char *
status_words (EcCardStatus status)
{
  switch (status)
    {
    case EC_CARD_STATUS_ACTIVE:   return _("active");
    case EC_CARD_STATUS_REPLACED: return _("replaced");
    case EC_CARD_STATUS_REVOKED:  return _("revoked");
    case EC_CARD_STATUS_LOST:     return _("lost");
    case EC_CARD_STATUS_SPOILED:  return _("spoiled (not usable)");
    case EC_CARD_STATUS_PENDING:  return _("being issued (unfinished)");
    default:                      return "?";
    }
}

/* Before anything is written: which card is on the reader? Not the one pulled away
 * (when that one is expected), or a card issued before: refused with the reason in
 * the staff's words. TRUE when issuing may go on. */
static gboolean
check_card_on_reader (IssueData *d,
                      EcDb      *db,
                      EcReader  *reader,
                      GCancellable *cancellable,
                      GError   **error)
{
  g_autoptr(EcReaderCard) card = NULL;
  g_autoptr(EcCardRecord) record = NULL;
  g_autoptr(GError) lookup_error = NULL;
  const char *uid;

  card = ec_reader_wait_card_sync (reader, NULL, d->wait_ms, cancellable, error);
  for (guint tries = 0; card == NULL && reader_not_free_yet (*error) && tries < 15; tries++)
    {
      g_clear_error (error);
      g_usleep (200 * 1000);
      card = ec_reader_wait_card_sync (reader, NULL, d->wait_ms, cancellable, error);
    }
  if (card == NULL)
    return FALSE;
  uid = ec_reader_card_get_uid_hex (card);
  if (uid == NULL)
    return TRUE;   /* not an NTAG: issuing says so */
  if (d->expect_uid != NULL && g_ascii_strcasecmp (uid, d->expect_uid) != 0)
    {
      g_set_error (error, EC_STATION_ERROR, EC_STATION_ERROR_OTHER_CARD,
                   _("This is a different card (%s), not the one that was pulled away (%s). Put that card "
                     "back and press Retry, or press “Use another card instead”."),
                   uid, d->expect_uid);
      return FALSE;
    }
  if (ec_db_card_lookup (db, uid, &record, &lookup_error) && record->status != EC_CARD_STATUS_PENDING)
    {
      g_set_error (error, EC_STATION_ERROR, EC_STATION_ERROR_REGISTERED,
                   _("This card is already registered (%s): card %s was issued before and is never written "
                     "again. Put it aside, place a new blank card and press Retry."),
                   status_words (record->status), uid);
      return FALSE;
    }
  return TRUE;
}

/* The resident's card left half-written, if any. */
static char *
find_pending (EcDb        *db,
              EcResidentId resident_id)
{
  g_autoptr(GPtrArray) cards = NULL;

  if (!ec_db_card_list_for_resident (db, resident_id, &cards, NULL))
    return NULL;
  for (guint i = cards->len; i > 0; i--)
    {
      EcCardRecord *c = g_ptr_array_index (cards, i - 1);
      if (c->status == EC_CARD_STATUS_PENDING)
        return g_strdup (c->uid_hex);
    }
  return NULL;
}

static void
issue_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  IssueData *d = task_data;
  g_autoptr(GMainContext) ctx = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(EcReader) reader = NULL;
  EcIssueResult *res = NULL;
  EcActor actor = { d->actor_role, d->actor_id };
  EcIssueParams p = { 0 };

  g_main_context_push_thread_default (ctx);
  db = ec_db_open (d->db_path, EC_DB_OPEN_READ_WRITE, &error);
  if (db != NULL)
    ring = ec_keyring_load (d->keys_dir, &error);
  if (ring != NULL && d->lost_uid != NULL)
    {
      g_autoptr(EcCardRecord) card = NULL;
      /* Lost now, before anything is written: whoever carries it must be refused. */
      if (ec_db_card_lookup (db, d->lost_uid, &card, &error) && card->status == EC_CARD_STATUS_ACTIVE)
        ec_db_card_set_status (db, d->lost_uid, EC_CARD_STATUS_LOST,
                               d->reason != NULL ? d->reason : "reported lost; replaced", &actor, &error);
    }
  if (error == NULL)
    {
      reader = ec_reader_new (d->device);
      p.db = db;
      p.actor = &actor;
      p.resident_id = d->resident_id;
      p.station_key = d->station_key;
      p.read_key = ec_keyring_current_read_key (ring);
      p.ring = ring;
      p.no_lock = !d->lock;
      p.wait_ms = d->wait_ms;
      p.now = d->now;
      if (check_card_on_reader (d, db, reader, cancellable, &error))
        res = ec_issue_card_sync (reader, &p, issue_progress_cb, d, cancellable, &error);
      /* The kiosk's own reader (or our previous one) may still be letting go of the
       * device: nothing was written then, so trying again is safe. */
      for (guint tries = 0; res == NULL && reader_not_free_yet (error) && tries < 15; tries++)
        {
          g_clear_error (&error);
          g_usleep (200 * 1000);
          res = ec_issue_card_sync (reader, &p, issue_progress_cb, d, cancellable, &error);
        }
      ec_reader_stop (reader);
      g_clear_object (&reader);
      if (res == NULL)
        d->pending_uid = find_pending (db, d->resident_id);
      else if (d->reason != NULL && d->lost_uid == NULL && res->seq > 1 && !res->resumed)
        {
          /* A damaged card replaced: the commit marked the old one; say why. */
          g_autofree char *detail = g_strdup_printf ("new=%s", res->uid_hex);
          g_autoptr(GError) audit_error = NULL;
          if (!ec_db_audit_append (db, &actor, "card-replace-reason", d->resident_id, NULL, d->reason, detail,
                                   &audit_error))
            g_warning ("audit: %s", audit_error->message);
        }
    }
  g_clear_pointer (&ring, ec_keyring_free);
  g_clear_pointer (&db, ec_db_close);
  g_main_context_pop_thread_default (ctx);
  if (res != NULL)
    g_task_return_pointer (task, res, (GDestroyNotify) ec_issue_result_free);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
issue_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  EcStationContext *self = EC_STATION_CONTEXT (source);
  IssueData *d = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  EcIssueResult *res = g_task_propagate_pointer (G_TASK (result), &error);

  g_free (self->pending_uid);
  self->pending_uid = res == NULL ? g_strdup (d->pending_uid) : NULL;

  if (res != NULL)
    g_task_return_pointer (outer, res, (GDestroyNotify) ec_issue_result_free);
  else
    g_task_return_error (outer, error);
  busy_end (self);
}

void
ec_station_context_issue_async (EcStationContext     *self,
                                EcResidentId          resident_id,
                                const char           *lost_uid,
                                EcStationProgressFunc progress,
                                gpointer              progress_data,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GCancellable) own = NULL;
  GError *error = NULL;
  IssueData *d;

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, ec_station_context_issue_async);
  if (!check_session (self, EC_ROLE_STAFF, &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  if (ec_staff_session_station_key (self->session) == NULL)
    {
      g_task_return_new_error (outer, EC_KEY_ERROR, EC_KEY_ERROR_NOT_FOUND, "%s",
                               _("Unlock the station key first."));
      return;
    }
  ec_station_context_touch (self);
  if (cancellable == NULL)
    cancellable = own = g_cancellable_new ();

  d = g_new0 (IssueData, 1);
  d->db_path = g_strdup (self->db_path);
  d->keys_dir = g_strdup (self->keys_dir);
  d->device = g_strdup (self->device);
  d->resident_id = resident_id;
  d->lost_uid = g_strdup (lost_uid);
  d->expect_uid = g_strdup (self->issue_card);
  d->reason = g_strdup (self->issue_reason);
  d->actor_role = self->session->role;
  d->actor_id = g_strdup (self->session->staff_id);
  d->station_key = ec_staff_session_station_key (self->session);
  d->wait_ms = self->card_wait_ms;
  d->lock = self->lock_cards;
  d->now = ec_station_context_now (self);
  d->main_context = g_main_context_ref_thread_default ();
  d->progress = progress;
  d->progress_data = progress_data;
  d->self = g_object_ref (self);

  busy_begin (self, cancellable);
  task = g_task_new (self, cancellable, issue_done_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (task, issue_worker);
  g_task_set_task_data (task, d, (GDestroyNotify) issue_data_free);
  g_task_run_in_thread (task, issue_worker);
}

void
ec_station_context_set_issue_card (EcStationContext *self,
                                   const char       *uid_hex)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  g_free (self->issue_card);
  self->issue_card = g_strdup (uid_hex);
}

void
ec_station_context_set_issue_reason (EcStationContext *self,
                                     const char       *reason)
{
  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  g_free (self->issue_reason);
  self->issue_reason = reason != NULL && *reason ? g_strdup (reason) : NULL;
}

const char *
ec_station_context_get_pending_uid (EcStationContext *self)
{
  g_return_val_if_fail (EC_IS_STATION_CONTEXT (self), NULL);
  return self->pending_uid;
}

EcIssueResult *
ec_station_context_issue_finish (EcStationContext  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char   *db_path;
  char   *keys_dir;
  char   *device;
  guint   wait_ms;
  gint64  now;
} ConfirmData;

static void
confirm_data_free (ConfirmData *d)
{
  g_free (d->db_path);
  g_free (d->keys_dir);
  g_free (d->device);
  g_free (d);
}

static void
confirm_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ConfirmData *d = task_data;
  g_autoptr(GMainContext) ctx = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EcReaderCard) rc = NULL;
  g_autoptr(EcTagImage) image = NULL;
  g_autoptr(EcCard) card = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcStationConfirm) c = NULL;
  g_autoptr(EcReader) reader = NULL;

  g_main_context_push_thread_default (ctx);
  reader = ec_reader_new (d->device);
  rc = ec_reader_read_card_sync (reader, NULL, d->wait_ms, cancellable, &error);
  for (guint tries = 0; rc == NULL && reader_not_free_yet (error) && tries < 15; tries++)
    {
      g_clear_error (&error);
      g_usleep (200 * 1000);
      rc = ec_reader_read_card_sync (reader, NULL, d->wait_ms, cancellable, &error);
    }
  ec_reader_stop (reader);
  g_clear_object (&reader);
  g_main_context_pop_thread_default (ctx);
  if (rc == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  image = ec_reader_card_to_tag_image (rc);
  if ((ring = ec_keyring_load (d->keys_dir, &error)) == NULL
      || !ec_card_verify (image, ring, d->now, &card, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  c = g_new0 (EcStationConfirm, 1);
  c->uid_hex = g_strdup (ec_reader_card_get_uid_hex (rc));
  c->resident_id = card->header.resident_id;
  c->seq = card->header.card_seq;
  c->status = EC_CARD_STATUS_REVOKED;
  if ((db = ec_db_open (d->db_path, EC_DB_OPEN_READ_ONLY, &error)) != NULL)
    {
      g_autoptr(EcCardRecord) rec = NULL;
      g_autoptr(GPtrArray) found = NULL;
      g_autofree char *rid = ec_resident_id_to_string (c->resident_id);

      if (ec_db_card_lookup (db, c->uid_hex, &rec, NULL))
        c->status = rec->status;
      if (ec_db_search (db, rid, 1, &found, &error) && found->len == 1)
        c->name_zh = g_strdup (((EcResidentSummary *) found->pdata[0])->name_zh);
    }
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&c), (GDestroyNotify) ec_station_confirm_free);
}

void
ec_station_context_confirm_async (EcStationContext   *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  ConfirmData *d;

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ec_station_context_confirm_async);
  if (!check_session (self, EC_ROLE_STAFF, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  d = g_new0 (ConfirmData, 1);
  d->db_path = g_strdup (self->db_path);
  d->keys_dir = g_strdup (self->keys_dir);
  d->device = g_strdup (self->device);
  d->wait_ms = self->card_wait_ms;
  d->now = ec_station_context_now (self);
  g_task_set_task_data (task, d, (GDestroyNotify) confirm_data_free);
  g_task_run_in_thread (task, confirm_worker);
}

EcStationConfirm *
ec_station_context_confirm_finish (EcStationContext  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char         *uid_hex;
  EcCardStatus  status;
  char         *reason;
} StatusData;

static void
status_data_free (StatusData *d)
{
  g_free (d->uid_hex);
  g_free (d->reason);
  g_free (d);
}

static gpointer
status_job (EcStationContext *self,
            EcDb             *db,
            gpointer          data,
            GError          **error)
{
  Job *job = data;
  StatusData *d = job->data;
  EcActor actor = job_actor (job);

  return ec_db_card_set_status (db, d->uid_hex, d->status, d->reason, &actor, error) ? GINT_TO_POINTER (1) : NULL;
}

void
ec_station_context_set_card_status_async (EcStationContext   *self,
                                          const char         *uid_hex,
                                          EcCardStatus        status,
                                          const char         *reason,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  StatusData *d = g_new0 (StatusData, 1);

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  d->uid_hex = g_strdup (uid_hex);
  d->status = status;
  d->reason = g_strdup (reason != NULL && *reason ? reason : ec_card_status_to_string (status));
  run_job (self, ec_station_context_set_card_status_async, EC_ROLE_STAFF, status_job, d,
           (GDestroyNotify) status_data_free, NULL, cancellable, callback, user_data);
}

gboolean
ec_station_context_set_card_status_finish (EcStationContext  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

static gpointer
pdf_job (EcStationContext *self,
         EcDb             *db,
         gpointer          data,
         GError          **error)
{
  Job *job = data;
  ResidentData *d = job->data;
  EcActor actor = job_actor (job);
  g_autoptr(EcResident) r = NULL;

  if (!ec_db_get_resident (db, d->id, &actor, "card-face", NULL, &r, error)
      || !ec_card_face_write_pdf (r, d->station_name, d->station_phone, d->path, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

void
ec_station_context_write_pdf_async (EcStationContext   *self,
                                    EcResidentId        id,
                                    const char         *path,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  ResidentData *d = g_new0 (ResidentData, 1);

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  d->id = id;
  d->path = g_strdup (path);
  d->station_name = g_strdup (self->station_name);
  d->station_phone = g_strdup (self->station_phone);
  run_job (self, ec_station_context_write_pdf_async, EC_ROLE_STAFF, pdf_job, d,
           (GDestroyNotify) resident_data_free, NULL, cancellable, callback, user_data);
}

gboolean
ec_station_context_write_pdf_finish (EcStationContext  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

/* ------------------------------------------------------------------------- */
/* Audit log (administrators) */

typedef struct
{
  EcResidentId    resident_id;
  char           *actor_id;
  gint64          since;
  gint64          until;
  EcStationAudit *audit;   /* export only; borrowed */
  char           *path;
} AuditData;

static void
audit_data_free (AuditData *d)
{
  g_free (d->actor_id);
  g_free (d->path);
  g_free (d);
}

static gpointer
audit_job (EcStationContext *self,
           EcDb             *db,
           gpointer          data,
           GError          **error)
{
  AuditData *d = ((Job *) data)->data;
  EcAuditFilter filter = { 0 };
  g_autoptr(EcStationAudit) audit = g_new0 (EcStationAudit, 1);
  g_autoptr(GError) chain_error = NULL;

  filter.resident_id = d->resident_id;
  filter.actor_id = d->actor_id;
  filter.since = d->since;
  filter.until = d->until;
  if (!ec_db_audit_list (db, &filter, &audit->entries, error))
    return NULL;
  /* Names for the sentences (identity only, not audited: ec_db_resident_list). */
  {
    g_autoptr(GPtrArray) residents = NULL;
    g_autoptr(GPtrArray) staff = NULL;

    audit->names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
    audit->pinyin = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
    audit->staff_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    if (!ec_db_resident_list (db, 0, G_MAXINT, &residents, error)
        || !ec_db_staff_list (db, &staff, error))
      return NULL;
    for (guint i = 0; i < residents->len; i++)
      {
        const EcResidentSummary *r = residents->pdata[i];
        g_hash_table_insert (audit->names, g_memdup2 (&r->id, sizeof (gint64)), g_strdup (r->name_zh));
        g_hash_table_insert (audit->pinyin, g_memdup2 (&r->id, sizeof (gint64)), g_strdup (r->name_pinyin));
      }
    for (guint i = 0; i < staff->len; i++)
      {
        const EcStaff *st = staff->pdata[i];
        g_hash_table_insert (audit->staff_names, g_strdup (st->id), g_strdup (st->name));
      }
  }
  audit->chain_ok = ec_db_audit_verify (db, NULL, &audit->n_verified, &chain_error);
  if (!audit->chain_ok)
    audit->chain_message = g_strdup (chain_error->message);
  return g_steal_pointer (&audit);
}

void
ec_station_context_audit_async (EcStationContext   *self,
                                EcResidentId        resident_id,
                                const char         *actor_id,
                                gint64              since,
                                gint64              until,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  AuditData *d = g_new0 (AuditData, 1);

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  d->resident_id = resident_id;
  d->actor_id = actor_id != NULL && *actor_id ? g_strdup (actor_id) : NULL;
  d->since = since;
  d->until = until;
  run_job (self, ec_station_context_audit_async, EC_ROLE_ADMIN, audit_job, d,
           (GDestroyNotify) audit_data_free, (GDestroyNotify) ec_station_audit_free,
           cancellable, callback, user_data);
}

EcStationAudit *
ec_station_context_audit_finish (EcStationContext  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
csv_field (GString    *out,
           const char *s)
{
  if (s == NULL)
    return;
  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static gpointer
audit_export_job (EcStationContext *self,
                  EcDb             *db,
                  gpointer          data,
                  GError          **error)
{
  Job *job = data;
  AuditData *d = job->data;
  EcActor actor = job_actor (job);
  g_autoptr(GString) out = g_string_new ("seq,at,actor_role,actor_id,action,resident_id,purpose,reason,detail,hash\n");
  g_autofree char *checkpoint = g_strconcat (d->path, ".checkpoint", NULL);
  g_autofree char *detail = NULL;

  for (guint i = 0; i < d->audit->entries->len; i++)
    {
      const EcAuditEntry *e = d->audit->entries->pdata[i];
      g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (e->at);
      g_autofree char *at = t != NULL ? g_date_time_format_iso8601 (t) : g_strdup ("");
      g_autofree char *rid = e->resident_id != 0 ? ec_resident_id_to_string (e->resident_id) : g_strdup ("");
      char hex[65];

      sodium_bin2hex (hex, sizeof hex, e->hash, sizeof e->hash);
      g_string_append_printf (out, "%" G_GINT64_FORMAT ",%s,%s,", e->seq, at, ec_role_to_string (e->actor_role));
      csv_field (out, e->actor_id);
      g_string_append_c (out, ',');
      csv_field (out, e->action);
      g_string_append_printf (out, ",%s,", rid);
      csv_field (out, e->purpose);
      g_string_append_c (out, ',');
      csv_field (out, e->reason);
      g_string_append_c (out, ',');
      csv_field (out, e->detail);
      g_string_append_printf (out, ",%s\n", hex);
    }
  if (!g_file_set_contents_full (d->path, out->str, (gssize) out->len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error)
      || !ec_db_audit_checkpoint_export (db, checkpoint, error))
    return NULL;
  detail = g_strdup_printf ("entries=%u", d->audit->entries->len);
  if (!ec_db_audit_append (db, &actor, "audit-export", 0, EC_DB_PURPOSE_EXPORT, NULL, detail, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

void
ec_station_context_audit_export_async (EcStationContext   *self,
                                       EcStationAudit     *audit,
                                       const char         *path,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  AuditData *d = g_new0 (AuditData, 1);

  g_return_if_fail (EC_IS_STATION_CONTEXT (self));
  g_return_if_fail (audit != NULL && path != NULL);
  /* The caller keeps @audit until the callback (the viewer holds it). */
  d->audit = audit;
  d->path = g_strdup (path);
  run_job (self, ec_station_context_audit_export_async, EC_ROLE_ADMIN, audit_export_job, d,
           (GDestroyNotify) audit_data_free, NULL, cancellable, callback, user_data);
}

gboolean
ec_station_context_audit_export_finish (EcStationContext  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

/* ------------------------------------------------------------------------- */

static void
ec_station_context_dispose (GObject *object)
{
  EcStationContext *self = EC_STATION_CONTEXT (object);

  g_clear_handle_id (&self->idle_source, g_source_remove);
  G_OBJECT_CLASS (ec_station_context_parent_class)->dispose (object);
}

static void
ec_station_context_finalize (GObject *object)
{
  EcStationContext *self = EC_STATION_CONTEXT (object);

  /* Every task holds a reference: no worker runs now. A session still open is wiped
   * without an audit entry (the application is going away). */
  g_clear_pointer (&self->session, ec_staff_session_free);
  clear_draft (self);
  g_free (self->issue_card);
  g_free (self->pending_uid);
  g_free (self->issue_reason);
  g_clear_pointer (&self->db, ec_db_close);
  g_mutex_clear (&self->db_lock);
  g_clear_pointer (&self->pepper, ec_pepper_free);
  g_clear_object (&self->busy_cancellable);
  g_free (self->db_path);
  g_free (self->keys_dir);
  g_free (self->device);
  g_free (self->station_name);
  g_free (self->station_phone);
  g_free (self->setup_error);
  G_OBJECT_CLASS (ec_station_context_parent_class)->finalize (object);
}

static void
ec_station_context_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EcStationContext *self = EC_STATION_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->session != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ec_station_context_class_init (EcStationContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ec_station_context_dispose;
  object_class->finalize = ec_station_context_finalize;
  object_class->get_property = ec_station_context_get_property;

  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNED_OUT] = g_signal_new ("signed-out", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
ec_station_context_init (EcStationContext *self)
{
  g_mutex_init (&self->db_lock);
  self->card_wait_ms = DEFAULT_CARD_WAIT_MS;
  self->lock_cards = TRUE;
}
