/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-kiosk-controller"

#include "ec-kiosk-controller.h"

#include <gdk/gdk.h>

#include "ec-card.h"
#include "ec-db.h"
#include "ec-error.h"
#include "ec-i18n.h"
#include "ec-photo.h"
#include "ec-reader.h"
#include "ec-sync.h"
#include "ec-tag-image.h"

/* ------------------------------------------------------------------------- */
/* The worker side: what GTask threads may touch. One database connection, opened
 * lazily by the first worker and used under @lock (EcDb is not thread-safe). The
 * kiosk's role is not here: staff may switch it while a worker runs, so each job
 * carries the role it was queued under (the role the person on screen had). */

typedef struct
{
  GMutex   lock;
  char    *db_path;
  char    *keys_dir;
  char    *actor_id;
  EcDb    *db;
  EcKeyring *keyring;
} Backend;

static void
backend_clear (gpointer data)
{
  Backend *b = data;

  g_clear_pointer (&b->db, ec_db_close);
  g_clear_pointer (&b->keyring, ec_keyring_free);
  g_free (b->db_path);
  g_free (b->keys_dir);
  g_free (b->actor_id);
  g_mutex_clear (&b->lock);
}

static Backend *
backend_ref (Backend *b)
{
  return g_atomic_rc_box_acquire (b);
}

static void
backend_unref (Backend *b)
{
  g_atomic_rc_box_release_full (b, backend_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Backend, backend_unref)

/* Call with b->lock held. */
static EcDb *
backend_get_db (Backend  *b,
                GError  **error)
{
  if (b->db == NULL)
    b->db = ec_db_open (b->db_path, EC_DB_OPEN_READ_WRITE, error);
  return b->db;
}

/* Call with b->lock held. Loaded on first use and kept; a failed load is retried on
 * the next tap (so installing the bundle needs no restart). */
static EcKeyring *
backend_get_keyring (Backend  *b,
                     GError  **error)
{
  if (b->keyring == NULL)
    b->keyring = ec_keyring_load (b->keys_dir, error);
  return b->keyring;
}

static EcActor
backend_actor (Backend *b,
               EcRole   role)
{
  EcActor actor = { role, b->actor_id };
  return actor;
}

/* Decode the photo here, in the worker, so the main loop only draws it. */
static void
result_decode_photo (EcKioskResult *r)
{
  g_autoptr(GError) error = NULL;

  if (r->resident == NULL || r->resident->photo == NULL)
    return;
  /* A photo that would take the decoder seconds is not shown: the record is. */
  if (ec_photo_probe (g_bytes_get_data (r->resident->photo, NULL),
                      g_bytes_get_size (r->resident->photo), NULL, &error))
    r->photo = gdk_texture_new_from_bytes (r->resident->photo, &error);
  if (r->photo == NULL)
    g_warning ("photo of resident %016" G_GINT64_MODIFIER "x does not decode: %s",
               r->resident->id, error->message);
}

/* ------------------------------------------------------------------------- */

struct _EcKioskController
{
  GObject             parent_instance;

  Backend            *backend;
  EcRole              role;       /* main thread only; jobs get a copy */
  char               *device;
  guint               idle_timeout;

  EcKioskScreen       screen;
  EcKioskResult      *result;
  EcKioskReaderState  reader_state;
  char               *reader_message;

  /* Bumped by every new request and by clear(): a worker's answer for an older
   * generation is dropped. */
  guint               generation;
  gint64              started_us;
  guint               idle_source;
  gint64              idle_deadline;   /* monotonic µs when the screen clears; 0: none */
  GCancellable       *cancellable;
  EcReader           *reader;
};

G_DEFINE_FINAL_TYPE (EcKioskController, ec_kiosk_controller, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SCREEN,
  PROP_RESULT,
  PROP_READER_STATE,
  PROP_READER_MESSAGE,
  PROP_IDLE_TIMEOUT,
  N_PROPS
};

enum {
  SIGNAL_FEEDBACK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
ec_kiosk_controller_dispose (GObject *object)
{
  EcKioskController *self = EC_KIOSK_CONTROLLER (object);

  ec_kiosk_controller_stop (self);
  g_clear_pointer (&self->result, ec_kiosk_result_unref);
  G_OBJECT_CLASS (ec_kiosk_controller_parent_class)->dispose (object);
}

static void
ec_kiosk_controller_finalize (GObject *object)
{
  EcKioskController *self = EC_KIOSK_CONTROLLER (object);

  g_clear_pointer (&self->backend, backend_unref);
  g_free (self->device);
  g_free (self->reader_message);
  G_OBJECT_CLASS (ec_kiosk_controller_parent_class)->finalize (object);
}

static void
ec_kiosk_controller_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  EcKioskController *self = EC_KIOSK_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_SCREEN:
      g_value_set_enum (value, self->screen);
      break;
    case PROP_RESULT:
      g_value_set_boxed (value, self->result);
      break;
    case PROP_READER_STATE:
      g_value_set_enum (value, self->reader_state);
      break;
    case PROP_READER_MESSAGE:
      g_value_set_string (value, self->reader_message);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ec_kiosk_controller_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  EcKioskController *self = EC_KIOSK_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      ec_kiosk_controller_set_idle_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ec_kiosk_controller_class_init (EcKioskControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ec_kiosk_controller_dispose;
  object_class->finalize = ec_kiosk_controller_finalize;
  object_class->get_property = ec_kiosk_controller_get_property;
  object_class->set_property = ec_kiosk_controller_set_property;

  properties[PROP_SCREEN] =
    g_param_spec_enum ("screen", NULL, NULL, EC_TYPE_KIOSK_SCREEN, EC_KIOSK_SCREEN_WAITING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESULT] =
    g_param_spec_boxed ("result", NULL, NULL, EC_TYPE_KIOSK_RESULT,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READER_STATE] =
    g_param_spec_enum ("reader-state", NULL, NULL, EC_TYPE_KIOSK_READER_STATE,
                       EC_KIOSK_READER_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READER_MESSAGE] =
    g_param_spec_string ("reader-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 1, EC_CONFIG_MAX_IDLE_TIMEOUT,
                       EC_CONFIG_DEFAULT_IDLE_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted when a result arrives: TRUE for a trusted record, FALSE for a refusal or a
   * problem. The window turns it into a sound and a flash. */
  signals[SIGNAL_FEEDBACK] =
    g_signal_new ("feedback", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
ec_kiosk_controller_init (EcKioskController *self)
{
  self->idle_timeout = EC_CONFIG_DEFAULT_IDLE_TIMEOUT;
  self->reader_state = EC_KIOSK_READER_NONE;
}

EcKioskController *
ec_kiosk_controller_new (const EcConfig *config)
{
  EcKioskController *self;
  Backend *b;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (EC_TYPE_KIOSK_CONTROLLER, NULL);
  b = g_atomic_rc_box_new0 (Backend);
  g_mutex_init (&b->lock);
  b->db_path = g_strdup (config->db_path);
  b->keys_dir = g_strdup (config->keys_dir);
  b->actor_id = g_strdup (config->kiosk_id);
  self->backend = b;
  self->role = config->role;
  self->device = g_strdup (config->device);
  self->idle_timeout = config->idle_timeout;
  return self;
}

/* ------------------------------------------------------------------------- */
/* Screens and the idle timeout */

static gboolean
idle_timeout_cb (gpointer user_data)
{
  EcKioskController *self = user_data;

  self->idle_source = 0;
  self->idle_deadline = 0;
  g_debug ("idle timeout: clearing the %s screen", ec_kiosk_screen_to_string (self->screen));
  ec_kiosk_controller_clear (self);
  return G_SOURCE_REMOVE;
}

static void
restart_idle_timer (EcKioskController *self)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  self->idle_deadline = 0;
  if (self->screen == EC_KIOSK_SCREEN_WAITING)
    return;
  /* Millisecond timer: g_timeout_add_seconds() may fire up to a second early. */
  self->idle_source = g_timeout_add (self->idle_timeout * 1000, idle_timeout_cb, self);
  self->idle_deadline = g_get_monotonic_time () + (gint64) self->idle_timeout * G_USEC_PER_SEC;
}

static void
set_screen (EcKioskController *self,
            EcKioskScreen      screen,
            EcKioskResult     *result)
{
  gboolean result_changed = self->result != result;

  if (result_changed)
    {
      g_clear_pointer (&self->result, ec_kiosk_result_unref);
      if (result != NULL)
        self->result = ec_kiosk_result_ref (result);
    }
  self->screen = screen;
  restart_idle_timer (self);
  if (result_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
  /* Always notified: a new result on the same screen must re-render. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN]);
}

/* A new request supersedes whatever is in flight. */
static guint
begin_request (EcKioskController *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->started_us = g_get_monotonic_time ();
  return ++self->generation;
}

EcKioskScreen
ec_kiosk_controller_get_screen (EcKioskController *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_CONTROLLER (self), EC_KIOSK_SCREEN_WAITING);
  return self->screen;
}

EcKioskResult *
ec_kiosk_controller_get_result (EcKioskController *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_CONTROLLER (self), NULL);
  return self->result;
}

EcKioskReaderState
ec_kiosk_controller_get_reader_state (EcKioskController *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_CONTROLLER (self), EC_KIOSK_READER_NONE);
  return self->reader_state;
}

const char *
ec_kiosk_controller_get_reader_message (EcKioskController *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_CONTROLLER (self), NULL);
  return self->reader_message;
}

EcRole
ec_kiosk_controller_get_role (EcKioskController *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_CONTROLLER (self), EC_ROLE_RESPONDER);
  return self->role;
}

void
ec_kiosk_controller_set_role (EcKioskController *self,
                              EcRole             role)
{
  g_autofree char *detail = NULL;

  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));
  g_return_if_fail (role == EC_ROLE_RESPONDER || role == EC_ROLE_NURSE || role == EC_ROLE_STAFF);

  if (self->role == role)
    return;
  /* Audited as the role that was in effect; the entry names both. */
  detail = g_strdup_printf ("%s -> %s", ec_role_to_string (self->role), ec_role_to_string (role));
  ec_kiosk_controller_audit (self, "role-change", detail);
  self->role = role;
  /* What one role was shown does not stay on screen for the other; an answer still on
   * its way (queued under the old role) is dropped. */
  ec_kiosk_controller_clear (self);
}

const char *
ec_kiosk_controller_get_device (EcKioskController *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_CONTROLLER (self), NULL);
  return self->device;
}

guint
ec_kiosk_controller_get_idle_timeout (EcKioskController *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_CONTROLLER (self), 0);
  return self->idle_timeout;
}

gint64
ec_kiosk_controller_get_idle_remaining_ms (EcKioskController *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_CONTROLLER (self), -1);

  if (self->idle_source == 0 || self->idle_deadline == 0)
    return -1;
  return MAX (0, (self->idle_deadline - g_get_monotonic_time ()) / 1000);
}

void
ec_kiosk_controller_set_idle_timeout (EcKioskController *self,
                                      guint              seconds)
{
  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));
  g_return_if_fail (seconds >= 1);

  if (self->idle_timeout == seconds)
    return;
  self->idle_timeout = seconds;
  restart_idle_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
}

void
ec_kiosk_controller_clear (EcKioskController *self)
{
  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));

  begin_request (self);
  set_screen (self, EC_KIOSK_SCREEN_WAITING, NULL);
}

void
ec_kiosk_controller_open_lookup (EcKioskController *self)
{
  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));

  begin_request (self);
  set_screen (self, EC_KIOSK_SCREEN_LOOKUP, NULL);
}

void
ec_kiosk_controller_user_activity (EcKioskController *self)
{
  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));

  if (self->idle_source != 0)
    restart_idle_timer (self);
}

static void
set_reader_state (EcKioskController  *self,
                  EcKioskReaderState  state,
                  const char         *message)
{
  gboolean state_changed = self->reader_state != state;
  gboolean message_changed = g_strcmp0 (self->reader_message, message) != 0;

  self->reader_state = state;
  if (message_changed)
    {
      g_free (self->reader_message);
      self->reader_message = g_strdup (message);
    }
  if (message_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READER_MESSAGE]);
  if (state_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READER_STATE]);
}

/* Show a worker's result, unless a newer request or a clear() came in meanwhile. */
static void
deliver (EcKioskController *self,
         guint              generation,
         EcKioskResult     *result)
{
  if (generation != self->generation)
    {
      g_debug ("dropping the answer to superseded request %u", generation);
      return;
    }
  result->started_us = self->started_us;
  set_screen (self, result->screen, result);
  /* An out-of-date card still shows the current record: that is a read, not a refusal
   * (the record says the card is old). */
  g_signal_emit (self, signals[SIGNAL_FEEDBACK], 0,
                 result->screen == EC_KIOSK_SCREEN_RECORD && result->problem == EC_KIOSK_PROBLEM_NONE);
}

/* ------------------------------------------------------------------------- */
/* Search */

static void
search_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EcKioskController *self = source_object;
  const char *query = task_data;
  g_autoptr(Backend) b = backend_ref (self->backend);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&b->lock);
  EcDb *db = backend_get_db (b, &error);

  if (db == NULL || !ec_db_search (db, query, 30, &results, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&results), (GDestroyNotify) g_ptr_array_unref);
}

void
ec_kiosk_controller_search_async (EcKioskController   *self,
                                  const char          *query,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ec_kiosk_controller_search_async);
  g_task_set_task_data (task, g_strstrip (g_strdup (query)), g_free);
  g_task_run_in_thread (task, search_worker);
}

GPtrArray *
ec_kiosk_controller_search_finish (EcKioskController  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------- */
/* How old the data is (update bundles, docs/sync.md) */

static void
data_age_worker (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Backend *b = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&b->lock);
  EcDb *db = backend_get_db (b, &error);
  gint64 *age = g_new (gint64, 1);

  if (db == NULL || !ec_sync_data_age (db, g_get_real_time () / G_USEC_PER_SEC, age, NULL, &error))
    {
      g_free (age);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_pointer (task, age, g_free);
}

void
ec_kiosk_controller_data_age_async (EcKioskController   *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));

  /* The task holds the backend, not the controller: a window may go (and the
   * controller with it) while the answer is on its way. */
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ec_kiosk_controller_data_age_async);
  g_task_set_task_data (task, backend_ref (self->backend), (GDestroyNotify) backend_unref);
  g_task_run_in_thread (task, data_age_worker);
}

gboolean
ec_kiosk_controller_data_age_finish (EcKioskController  *self,
                                     GAsyncResult       *result,
                                     gint64             *age_seconds,
                                     GError            **error)
{
  g_autofree gint64 *age = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  age = g_task_propagate_pointer (G_TASK (result), error);
  if (age == NULL)
    return FALSE;
  *age_seconds = *age;
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Manual lookup (emergency access) */

typedef struct
{
  EcResidentId  id;
  char         *reason;
  guint         generation;
  EcRole        role;
  gboolean      emergency;    /* from an old or expired card: EC_DB_PURPOSE_EMERGENCY_ACCESS */
} ManualData;

static void
manual_data_free (ManualData *d)
{
  g_free (d->reason);
  g_free (d);
}

static void
manual_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EcKioskController *self = source_object;
  ManualData *d = task_data;
  g_autoptr(Backend) b = backend_ref (self->backend);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&b->lock);
  EcActor actor = backend_actor (b, d->role);
  EcResident *resident = NULL;
  EcKioskResult *r;
  EcDb *db = backend_get_db (b, &error);

  if (db != NULL
      && ec_db_get_resident (db, d->id, &actor,
                             d->emergency ? EC_DB_PURPOSE_EMERGENCY_ACCESS : EC_DB_PURPOSE_MANUAL_LOOKUP,
                             d->reason, &resident, &error))
    {
      r = ec_kiosk_result_new (EC_KIOSK_SCREEN_RECORD, EC_KIOSK_PROBLEM_NONE);
      r->source = EC_KIOSK_SOURCE_MANUAL;
      r->emergency = d->emergency;
      r->resident = resident;
      r->db_record_version = resident->record_version;
      r->reason = g_strdup (d->reason);
      result_decode_photo (r);
    }
  else if (g_error_matches (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND))
    {
      r = ec_kiosk_result_new (EC_KIOSK_SCREEN_PROBLEM, EC_KIOSK_PROBLEM_NOT_IN_DATABASE);
      r->source = EC_KIOSK_SOURCE_MANUAL;
      r->detail = g_strdup (error->message);
    }
  else
    {
      r = ec_kiosk_result_new (EC_KIOSK_SCREEN_PROBLEM, EC_KIOSK_PROBLEM_DATABASE);
      r->source = EC_KIOSK_SOURCE_MANUAL;
      r->detail = g_strdup (error->message);
      g_warning ("manual lookup: %s", error->message);
    }
  g_task_return_pointer (task, r, (GDestroyNotify) ec_kiosk_result_unref);
}

static void
request_done_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  EcKioskController *self = EC_KIOSK_CONTROLLER (source);
  guint generation = GPOINTER_TO_UINT (user_data);
  g_autoptr(EcKioskResult) result = g_task_propagate_pointer (G_TASK (res), NULL);

  if (result != NULL)
    deliver (self, generation, result);
}

static void
open_manual (EcKioskController *self,
             EcResidentId       id,
             const char        *reason,
             gboolean           emergency)
{
  g_autoptr(GTask) task = NULL;
  ManualData *d;
  guint generation;

  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));
  g_return_if_fail (reason != NULL && *reason != '\0');

  generation = begin_request (self);
  set_screen (self, EC_KIOSK_SCREEN_READING, NULL);

  d = g_new0 (ManualData, 1);
  d->id = id;
  d->reason = g_strdup (reason);
  d->generation = generation;
  d->role = self->role;
  d->emergency = emergency;
  /* The task holds a reference on self until the answer is delivered or dropped. */
  task = g_task_new (self, self->cancellable, request_done_cb, GUINT_TO_POINTER (generation));
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_source_tag (task, ec_kiosk_controller_open_manual);
  g_task_set_task_data (task, d, (GDestroyNotify) manual_data_free);
  g_task_run_in_thread (task, manual_worker);
}

void
ec_kiosk_controller_open_manual (EcKioskController *self,
                                 EcResidentId       id,
                                 const char        *reason)
{
  open_manual (self, id, reason, FALSE);
}

void
ec_kiosk_controller_open_emergency (EcKioskController *self,
                                    EcResidentId       id,
                                    const char        *reason)
{
  open_manual (self, id, reason, TRUE);
}

/* ------------------------------------------------------------------------- */
/* The card path: verify → card status → audited record, all in one worker. */

typedef struct
{
  char   *image_text;   /* the tag image, text format */
  char   *image_path;   /* or a file holding it */
  char   *uid_hex;      /* or a card of a kind eldercard does not use: its UID, */
  char   *unsupported;  /* and what the reader said */
  gint64  read_us;
  guint   reader_read_ms;
  EcRole  role;         /* set when the job is queued */
} CardData;

static void
card_data_free (CardData *d)
{
  g_free (d->image_text);
  g_free (d->image_path);
  g_free (d->uid_hex);
  g_free (d->unsupported);
  g_free (d);
}

/* The tap service's verdict as the kiosk's screen for it (presentation only: what a
 * card means is decided in src/core/ec-tap.c). */
static EcKioskProblem
problem_for_verdict (EcTapVerdict verdict)
{
  switch (verdict)
    {
    case EC_TAP_RECORD:
      return EC_KIOSK_PROBLEM_NONE;
    case EC_TAP_NOT_GENUINE:
      return EC_KIOSK_PROBLEM_NOT_GENUINE;
    case EC_TAP_REVOKED:
      return EC_KIOSK_PROBLEM_REVOKED;
    case EC_TAP_LOST:
      return EC_KIOSK_PROBLEM_LOST;
    case EC_TAP_REPLACED:
      return EC_KIOSK_PROBLEM_REPLACED;
    case EC_TAP_EXPIRED:
      return EC_KIOSK_PROBLEM_EXPIRED;
    case EC_TAP_UNSUPPORTED:
      return EC_KIOSK_PROBLEM_UNSUPPORTED;
    case EC_TAP_NOT_SET_UP:
      return EC_KIOSK_PROBLEM_NOT_SET_UP;
    case EC_TAP_NOT_IN_DATABASE:
      return EC_KIOSK_PROBLEM_NOT_IN_DATABASE;
    case EC_TAP_DATABASE:
    case EC_TAP_NO_DATABASE:
      return EC_KIOSK_PROBLEM_DATABASE;
    case EC_TAP_REMOVED:
      return EC_KIOSK_PROBLEM_REMOVED;
    case EC_TAP_DAMAGED:
    default:
      return EC_KIOSK_PROBLEM_DAMAGED;
    }
}

static EcKioskResult *
card_problem (EcKioskProblem  problem,
              const char     *uid_hex,
              const char     *detail)
{
  EcKioskResult *r = ec_kiosk_result_new (EC_KIOSK_SCREEN_PROBLEM, problem);

  r->uid_hex = g_strdup (uid_hex);
  r->detail = g_strdup (detail);
  return r;
}

/* The tap service's result as the kiosk's result (takes @tap). */
static EcKioskResult *
result_from_tap (EcTapResult *tap)
{
  EcKioskProblem problem = problem_for_verdict (tap->verdict);
  EcKioskResult *r = card_problem (problem, tap->uid_hex, tap->reason);

  r->tap = tap;
  r->resident = g_steal_pointer (&tap->resident);
  if (tap->card != NULL)
    {
      r->card_seq = tap->card->header.card_seq;
      if (tap->card->summary != NULL)
        {
          r->birth_year = tap->card->summary->birth_year;
          r->omitted = tap->card->summary->omitted;
        }
    }
  r->card_record_version = tap->card_record_version;
  r->db_record_version = tap->db_record_version;
  r->card_outdated = tap->card_older;
  switch (tap->source)
    {
    case EC_TAP_SOURCE_DATABASE:
      r->screen = EC_KIOSK_SCREEN_RECORD;
      r->source = EC_KIOSK_SOURCE_CARD;
      result_decode_photo (r);
      break;
    case EC_TAP_SOURCE_CARD_SUMMARY:
      r->source = EC_KIOSK_SOURCE_CARD_SUMMARY;
      break;
    case EC_TAP_SOURCE_NONE:
    default:
      break;
    }
  return r;
}

static EcTapContext
tap_context (Backend       *b,
             EcRole         role,
             EcDb          *db,
             const GError  *db_error,
             EcKeyring     *ring,
             const GError  *ring_error)
{
  EcTapContext ctx = {
    .ring = ring,
    .ring_error = ring_error,
    .db = db,
    .db_error = db_error,
    .actor = backend_actor (b, role),
    /* A nurse's tap is read for the allergy check (TEAM-NOTES). */
    .purpose = role == EC_ROLE_NURSE ? EC_DB_PURPOSE_NURSE_CHECK : EC_DB_PURPOSE_CARD_TAP,
    .now = g_get_real_time () / G_USEC_PER_SEC,
  };
  return ctx;
}

/* Call with b->lock held. @image NULL: the bytes did not parse (@image_error). */
static EcKioskResult *
process_card (Backend          *b,
              EcRole            role,
              const EcTagImage *image,
              const GError     *image_error)
{
  g_autoptr(GError) db_error = NULL;
  g_autoptr(GError) ring_error = NULL;
  EcDb *db = backend_get_db (b, &db_error);
  EcKeyring *ring = NULL;
  EcTapContext ctx;

  if (db == NULL)
    g_warning ("database %s: %s", b->db_path, db_error->message);
  if (image != NULL)
    ring = backend_get_keyring (b, &ring_error);
  ctx = tap_context (b, role, db, db_error, ring, ring_error);
  if (image == NULL)
    return result_from_tap (ec_tap_refuse (&ctx, NULL, EC_TAP_DAMAGED, image_error->message));
  return result_from_tap (ec_tap_card (&ctx, image));
}

static void
card_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EcKioskController *self = source_object;
  CardData *d = task_data;
  g_autoptr(Backend) b = backend_ref (self->backend);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcTagImage) image = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  EcKioskResult *r;

  if (d->unsupported != NULL)
    {
      g_autoptr(GError) db_error = NULL;
      EcTapContext ctx;

      locker = g_mutex_locker_new (&b->lock);
      ctx = tap_context (b, d->role, backend_get_db (b, &db_error), db_error, NULL, NULL);
      r = result_from_tap (ec_tap_refuse (&ctx, d->uid_hex, EC_TAP_UNSUPPORTED, d->unsupported));
    }
  else
    {
      if (d->image_path != NULL)
        image = ec_tag_image_load_file (d->image_path, &error);
      else
        image = ec_tag_image_parse (d->image_text, strlen (d->image_text), &error);
      locker = g_mutex_locker_new (&b->lock);
      r = process_card (b, d->role, image, error);
    }
  r->read_us = d->read_us;
  r->reader_read_ms = d->reader_read_ms;
  r->worker_us = g_get_monotonic_time ();
  g_task_return_pointer (task, r, (GDestroyNotify) ec_kiosk_result_unref);
}

static void
submit_card (EcKioskController *self,
             CardData          *d)
{
  g_autoptr(GTask) task = NULL;
  guint generation;

  /* card-detected already started the request; a file submitted directly starts one. */
  if (self->screen != EC_KIOSK_SCREEN_READING)
    ec_kiosk_controller_card_detected (self);
  generation = self->generation;
  d->role = self->role;
  task = g_task_new (self, self->cancellable, request_done_cb, GUINT_TO_POINTER (generation));
  g_task_set_source_tag (task, submit_card);
  g_task_set_task_data (task, d, (GDestroyNotify) card_data_free);
  g_task_run_in_thread (task, card_worker);
}

void
ec_kiosk_controller_card_detected (EcKioskController *self)
{
  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));

  /* A new tap clears whatever was on screen at once (privacy), then shows Reading. */
  begin_request (self);
  set_screen (self, EC_KIOSK_SCREEN_READING, NULL);
}

void
ec_kiosk_controller_submit_image_file (EcKioskController *self,
                                       const char        *image_path)
{
  CardData *d;

  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));
  g_return_if_fail (image_path != NULL);

  d = g_new0 (CardData, 1);
  d->image_path = g_strdup (image_path);
  submit_card (self, d);
}

/* ------------------------------------------------------------------------- */
/* Audit entries for the kiosk's own events */

typedef struct
{
  char   *action;
  char   *detail;
  EcRole  role;
} AuditData;

static void
audit_data_free (AuditData *d)
{
  g_free (d->action);
  g_free (d->detail);
  g_free (d);
}

static void
audit_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  EcKioskController *self = source_object;
  AuditData *what = task_data;
  g_autoptr(Backend) b = backend_ref (self->backend);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&b->lock);
  EcActor actor = backend_actor (b, what->role);
  EcDb *db = backend_get_db (b, &error);

  if (db == NULL || !ec_db_audit_append (db, &actor, what->action, 0, NULL, NULL, what->detail, &error))
    g_warning ("cannot audit %s: %s", what->action, error->message);
  g_task_return_boolean (task, TRUE);
}

void
ec_kiosk_controller_audit (EcKioskController *self,
                           const char        *action,
                           const char        *detail)
{
  g_autoptr(GTask) task = NULL;
  AuditData *what;

  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));
  g_return_if_fail (action != NULL);

  what = g_new0 (AuditData, 1);
  what->action = g_strdup (action);
  what->detail = g_strdup (detail);
  what->role = self->role;
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_source_tag (task, ec_kiosk_controller_audit);
  g_task_set_task_data (task, what, (GDestroyNotify) audit_data_free);
  g_task_run_in_thread (task, audit_worker);
}

/* ------------------------------------------------------------------------- */
/* The reader */

static EcKioskReaderState
map_reader_state (EcReaderState state)
{
  switch (state)
    {
    case EC_READER_STATE_READY:
      return EC_KIOSK_READER_READY;
    case EC_READER_STATE_BUSY:
      return EC_KIOSK_READER_BUSY;
    case EC_READER_STATE_LOST:
      return EC_KIOSK_READER_LOST;
    case EC_READER_STATE_NO_READER:
    default:
      return EC_KIOSK_READER_NONE;
    }
}

static void
on_reader_state_cb (EcKioskController *self,
                    GParamSpec        *pspec,
                    EcReader          *reader)
{
  set_reader_state (self, map_reader_state (ec_reader_get_state (reader)),
                    ec_reader_get_state_message (reader));
}

static void
on_card_detected_cb (EcKioskController *self,
                     EcReaderCard      *card,
                     EcReader          *reader)
{
  g_debug ("card %s detected (%s)", ec_reader_card_get_uid_hex (card),
           ec_reader_card_kind_to_string (ec_reader_card_get_kind (card)));
  ec_kiosk_controller_card_detected (self);
}

static void
on_card_read_cb (EcKioskController *self,
                 EcReaderCard      *card,
                 EcReader          *reader)
{
  CardData *d = g_new0 (CardData, 1);

  d->read_us = g_get_monotonic_time ();
  d->reader_read_ms = ec_reader_card_get_read_ms (card);
  d->image_text = ec_reader_card_to_image_text (card);
  if (d->image_text == NULL)
    {
      card_data_free (d);
      return;
    }
  g_debug ("card %s read in %u ms", ec_reader_card_get_uid_hex (card), ec_reader_card_get_read_ms (card));
  submit_card (self, d);
}

static void
on_card_failed_cb (EcKioskController *self,
                   EcReaderCard      *card,
                   GError            *error,
                   EcReader          *reader)
{
  g_autoptr(EcKioskResult) r = NULL;
  EcKioskProblem problem;

  if (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_UNSUPPORTED))
    problem = EC_KIOSK_PROBLEM_UNSUPPORTED;
  else if (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_LOST)
           || g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_NO_READER)
           || g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_CANCELLED))
    {
      /* The reader state says it; do not leave "Reading…" on screen. */
      if (self->screen == EC_KIOSK_SCREEN_READING)
        ec_kiosk_controller_clear (self);
      return;
    }
  else
    problem = EC_KIOSK_PROBLEM_READ_FAILED;

  if (problem == EC_KIOSK_PROBLEM_UNSUPPORTED)
    {
      /* Refused and audited by the tap service, in the worker. */
      CardData *d = g_new0 (CardData, 1);

      d->read_us = g_get_monotonic_time ();
      d->uid_hex = g_strdup (card != NULL ? ec_reader_card_get_uid_hex (card) : NULL);
      d->unsupported = card != NULL
                       ? g_strdup_printf ("%s (%s)", error->message,
                                          ec_reader_card_kind_to_string (ec_reader_card_get_kind (card)))
                       : g_strdup (error->message);
      submit_card (self, d);
      return;
    }
  if (self->screen != EC_KIOSK_SCREEN_READING)
    begin_request (self);
  r = card_problem (problem, card != NULL ? ec_reader_card_get_uid_hex (card) : NULL, error->message);
  deliver (self, self->generation, r);
}

void
ec_kiosk_controller_start (EcKioskController *self)
{
  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));

  if (self->reader == NULL)
    {
      self->reader = ec_reader_new (self->device);
      g_signal_connect_object (self->reader, "notify::state", G_CALLBACK (on_reader_state_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->reader, "notify::state-message", G_CALLBACK (on_reader_state_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->reader, "card-detected", G_CALLBACK (on_card_detected_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->reader, "card-read", G_CALLBACK (on_card_read_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->reader, "card-failed", G_CALLBACK (on_card_failed_cb), self, G_CONNECT_SWAPPED);
    }
  ec_reader_start (self->reader);
  on_reader_state_cb (self, NULL, self->reader);
}

void
ec_kiosk_controller_stop (EcKioskController *self)
{
  g_return_if_fail (EC_IS_KIOSK_CONTROLLER (self));

  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->generation++;
  if (self->reader != NULL)
    {
      ec_reader_stop (self->reader);
      g_signal_handlers_disconnect_by_data (self->reader, self);
      g_clear_object (&self->reader);
    }
}
