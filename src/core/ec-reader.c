/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-reader.c: EcReader, the parent side of the NFC helper (see ec-reader.h and
 * docs/reader.md).
 *
 * One request is in flight at a time. The helper answers each request exactly once;
 * a watchdog per request kills the helper when the answer is late. Long waits are cut
 * into rounds of at most WAIT_ROUND_MS so that single operations, cancellation and
 * stop() never wait long, and so that the watchdog bound stays small. */
#define G_LOG_DOMAIN "ec-reader"

#include "ec-reader.h"
#include "ec-reader-private.h"
#include "ec-i18n.h"
#include "ec-paths.h"

#include <string.h>
#include <unistd.h>

#define WATCH_ROUND_MS     500
#define WAIT_ROUND_MS      1000
#define GONE_ROUND_MS      500
#define OPEN_EXTRA_MS      2500
#define WRITE_PAGE_MS      20
#define DEFAULT_WATCHDOG_MS 2000

typedef enum
{
  REQ_OPEN,
  REQ_WATCH_READ,
  REQ_WATCH_GONE,
  REQ_TASK,
} ReqKind;

/* What a GTask asks for. */
typedef struct
{
  EcNfcOp   op;
  guint8    uid[10];
  guint     uid_len;
  gint64    deadline;      /* monotonic µs, for WAIT/READ_CARD */
  guint     first;
  guint     n;
  GBytes   *data;
} TaskData;

static void
task_data_free (TaskData *td)
{
  g_clear_pointer (&td->data, g_bytes_unref);
  g_free (td);
}

typedef struct
{
  ReqKind  kind;
  GTask   *task;           /* REQ_TASK */
} Request;

struct _EcReader
{
  GObject        parent_instance;

  GMainContext  *context;
  char          *connstring;
  EcReaderState  state;
  char          *state_message;
  char          *device_name;
  gboolean       started;
  gboolean       ever_ready;
  guint          watchdog_ms;

  /* The helper process. */
  GSubprocess   *proc;
  GOutputStream *to_helper;
  GInputStream  *from_helper;
  GCancellable  *helper_cancel;
  GByteArray    *inbuf;
  guint          generation;
  gboolean       device_open;

  Request       *current;
  gboolean       current_detected;
  GQueue         pending;        /* GTask* */
  GSource       *watchdog;
  GSource       *retry;
  guint          backoff_ms;
  gboolean       open_failed;    /* last OPEN failed; wait for the retry timer */

  EcReaderCard  *watch_card;     /* read, waiting for it to leave */
};

G_DEFINE_FINAL_TYPE (EcReader, ec_reader, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CONNSTRING,
  PROP_STATE,
  PROP_STATE_MESSAGE,
  PROP_DEVICE_NAME,
  N_PROPS
};

enum
{
  SIGNAL_CARD_DETECTED,
  SIGNAL_CARD_READ,
  SIGNAL_CARD_FAILED,
  SIGNAL_CARD_REMOVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void pump (EcReader *self);
static void kill_helper (EcReader *self);

/* ------------------------------------------------------------------------- */
/* Messages */

static char *
state_text (EcReaderState  state,
            const char    *device,
            const char    *detail)
{
  const char *base;
  g_autofree char *ready = NULL;

  switch (state)
    {
    case EC_READER_STATE_NO_READER:
      base = _("No NFC reader found: plug it in; check the udev rules (the user must be "
               "in the plugdev group); is the kernel's pn533 module loaded instead of libnfc?");
      break;
    case EC_READER_STATE_BUSY:
      base = _("The NFC reader is busy: the kernel's pn533 module or pcscd holds it. "
               "Blacklist pn533 and pn533_usb, or stop pcscd (see docs/hardware.md).");
      break;
    case EC_READER_STATE_READY:
      ready = g_strdup_printf (_("Reader ready: %s"), device ? device : "NFC");
      base = ready;
      break;
    case EC_READER_STATE_LOST:
    default:
      base = _("The reader was lost (unplugged or not answering); reconnecting…");
      break;
    }
  if (detail != NULL && *detail)
    return g_strdup_printf ("%s (%s)", base, detail);
  return g_strdup (base);
}

/* The translated message for an error the helper reported. */
static GError *
make_error (EcReaderError  code,
            const char    *detail)
{
  const char *base;

  switch (code)
    {
    case EC_READER_ERROR_NO_READER:
      base = _("No NFC reader");
      break;
    case EC_READER_ERROR_BUSY:
      base = _("The NFC reader is held by another program (kernel pn533 module or pcscd)");
      break;
    case EC_READER_ERROR_LOST:
      base = _("The reader was lost (unplugged or not answering)");
      break;
    case EC_READER_ERROR_TIMEOUT:
      base = _("No card was presented");
      break;
    case EC_READER_ERROR_CARD_REMOVED:
      base = _("The card left the reader before it was finished: hold it still and try again");
      break;
    case EC_READER_ERROR_UNSUPPORTED:
      base = _("This is not an eldercard card: eldercard uses NTAG213/215/216 tags");
      break;
    case EC_READER_ERROR_NOT_BLANK:
      base = _("The card is not blank");
      break;
    case EC_READER_ERROR_WRITE_FAILED:
      base = _("The card refused or did not acknowledge a write");
      break;
    case EC_READER_ERROR_SPOILED:
      base = _("The card could not be completed; discard it");
      break;
    case EC_READER_ERROR_CANCELLED:
      base = _("Cancelled");
      break;
    case EC_READER_ERROR_PROTOCOL:
    default:
      base = _("The NFC helper failed");
      code = EC_READER_ERROR_PROTOCOL;
      break;
    }
  if (detail != NULL && *detail)
    return g_error_new (EC_READER_ERROR, code, "%s: %s", base, detail);
  return g_error_new_literal (EC_READER_ERROR, code, base);
}

static GError *
unsupported_error (EcReaderCard *card)
{
  const char *what;

  switch (card->kind)
    {
    case EC_READER_CARD_MIFARE_CLASSIC:
      what = _("a MIFARE Classic card (transit, access or community card)");
      break;
    case EC_READER_CARD_ISO14443_4:
      what = _("a smart card (bank card, ID card, transit card)");
      break;
    case EC_READER_CARD_NTAG213:
    case EC_READER_CARD_NTAG215:
    case EC_READER_CARD_NTAG216:
    case EC_READER_CARD_OTHER:
    default:
      what = _("an unknown kind of tag");
      break;
    }
  return make_error (EC_READER_ERROR_UNSUPPORTED, what);
}

static void
set_state (EcReader      *self,
           EcReaderState  state,
           const char    *detail)
{
  g_autofree char *msg = state_text (state, self->device_name, detail);
  gboolean state_changed = self->state != state;
  gboolean message_changed = g_strcmp0 (msg, self->state_message) != 0;

  self->state = state;
  if (message_changed)
    {
      g_free (self->state_message);
      self->state_message = g_steal_pointer (&msg);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_MESSAGE]);
    }
  if (state_changed)
    {
      g_debug ("state %d: %s", state, self->state_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

/* ------------------------------------------------------------------------- */
/* Finding and spawning the helper */

/* The helper's path in @dir if it is an executable there, else NULL. */
static char *
helper_in (const char *dir)
{
  g_autofree char *candidate = g_build_filename (dir, "eldercard-nfc-helper", NULL);

  if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&candidate);
  return NULL;
}

static char *
find_helper (void)
{
  const char *env = g_getenv ("ELDERCARD_NFC_HELPER");
  g_autofree char *exe = NULL;
  char *found;

  if (env != NULL && *env)
    return g_strdup (env);
  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      if ((found = helper_in (dir)) != NULL)
        return found;
    }
  {
    g_autofree char *libexec = ec_paths_libexecdir ();
    if ((found = helper_in (libexec)) != NULL)
      return found;
  }
  return g_strdup ("eldercard-nfc-helper");     /* $PATH */
}

/* The pending read of the helper's output holds the reader weakly: dropping the last
 * reference to an EcReader disposes it (which kills the helper) even while a read is
 * pending. */
typedef struct
{
  GWeakRef  self;
  guint     generation;
} ReadClosure;

static void on_helper_read (GObject *source, GAsyncResult *result, gpointer user_data);

static void
start_read (EcReader *self)
{
  ReadClosure *rc = g_new0 (ReadClosure, 1);

  g_weak_ref_init (&rc->self, self);
  rc->generation = self->generation;
  g_input_stream_read_bytes_async (self->from_helper, 8192, G_PRIORITY_DEFAULT,
                                   self->helper_cancel, on_helper_read, rc);
}

static gboolean
spawn_helper (EcReader  *self,
              GError   **error)
{
  g_autofree char *path = find_helper ();
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE;

  if (g_getenv ("ELDERCARD_NFC_DEBUG") == NULL)
    flags |= G_SUBPROCESS_FLAGS_STDERR_SILENCE;

  g_main_context_push_thread_default (self->context);
  self->proc = g_subprocess_new (flags, error, path, NULL);
  if (self->proc == NULL)
    {
      g_main_context_pop_thread_default (self->context);
      return FALSE;
    }
  self->generation++;
  self->to_helper = g_object_ref (g_subprocess_get_stdin_pipe (self->proc));
  self->from_helper = g_object_ref (g_subprocess_get_stdout_pipe (self->proc));
  self->helper_cancel = g_cancellable_new ();
  g_byte_array_set_size (self->inbuf, 0);
  self->device_open = FALSE;
  start_read (self);
  g_main_context_pop_thread_default (self->context);
  return TRUE;
}

/* Let go of the helper process and its pipes; what it still sends is stale. */
static void
forget_helper (EcReader *self)
{
  g_clear_object (&self->helper_cancel);
  g_clear_object (&self->to_helper);
  g_clear_object (&self->from_helper);
  g_clear_object (&self->proc);
  self->generation++;
  self->device_open = FALSE;
}

static void
kill_helper (EcReader *self)
{
  if (self->proc == NULL)
    return;
  g_cancellable_cancel (self->helper_cancel);
  g_subprocess_force_exit (self->proc);
  forget_helper (self);
}

/* Wait until @proc has exited and been reaped (GLib's worker thread does that), at
 * most @ms milliseconds. */
static gboolean
wait_exited (GSubprocess *proc,
             guint        ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_subprocess_get_identifier (proc) != NULL)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (1000);
    }
  return TRUE;
}

/* Stop the helper and make sure the device is free when this returns (another EcReader,
 * or another program, may open it right after ec_reader_stop()): an idle helper is asked
 * to close the device (its stdin closes) and given 300 ms; a busy or slow one is killed,
 * which closes its descriptors. Bounded: a process stuck in the kernel is given up on
 * after another 500 ms. */
static void
close_helper (EcReader *self)
{
  GSubprocess *proc;

  if (self->proc == NULL)
    return;
  proc = g_object_ref (self->proc);
  if (self->current == NULL)
    {
      g_cancellable_cancel (self->helper_cancel);
      g_output_stream_close (self->to_helper, NULL, NULL);
      forget_helper (self);
      if (!wait_exited (proc, 300))
        g_subprocess_force_exit (proc);
    }
  else
    kill_helper (self);
  if (!wait_exited (proc, 500))
    g_warning ("the NFC helper %s did not exit", g_subprocess_get_identifier (proc));
  g_object_unref (proc);
}

/* ------------------------------------------------------------------------- */
/* Requests */

static void
stop_watchdog (EcReader *self)
{
  if (self->watchdog != NULL)
    {
      g_source_destroy (self->watchdog);
      g_clear_pointer (&self->watchdog, g_source_unref);
    }
}

static void handle_lost (EcReader *self, const char *detail);

static gboolean
on_watchdog (gpointer user_data)
{
  EcReader *self = user_data;
  g_autofree char *detail = g_strdup_printf ("no answer from the reader within the time limit");

  g_clear_pointer (&self->watchdog, g_source_unref);
  g_debug ("watchdog fired");
  handle_lost (self, detail);
  return G_SOURCE_REMOVE;
}

static gboolean
send_request (EcReader   *self,
              Request    *req,
              GByteArray *body,
              guint       bound_ms)
{
  guint8 hdr[4] = { (guint8) (body->len >> 24), (guint8) (body->len >> 16),
                    (guint8) (body->len >> 8), (guint8) body->len };
  g_autoptr(GError) error = NULL;

  g_assert (self->current == NULL);
  self->current = req;
  self->current_detected = FALSE;

  if (!g_output_stream_write_all (self->to_helper, hdr, 4, NULL, NULL, &error)
      || !g_output_stream_write_all (self->to_helper, body->data, body->len, NULL, NULL, &error)
      || !g_output_stream_flush (self->to_helper, NULL, &error))
    {
      handle_lost (self, error->message);
      return FALSE;
    }
  stop_watchdog (self);
  self->watchdog = g_timeout_source_new (bound_ms);
  g_source_set_callback (self->watchdog, on_watchdog, self, NULL);
  g_source_attach (self->watchdog, self->context);
  return TRUE;
}

static void
fail_task (GTask  *task,
           GError *error)
{
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
fail_pending (EcReader     *self,
              const GError *error)
{
  GTask *task;

  while ((task = g_queue_pop_head (&self->pending)) != NULL)
    fail_task (task, g_error_copy (error));
}

static void
schedule_retry (EcReader *self);

/* The reader stopped answering, the helper died, or it reported a reader error.
 * State first, then the callbacks and signals (which may call back into us). */
static void
handle_lost (EcReader   *self,
             const char *detail)
{
  Request *req = self->current;
  g_autoptr(GError) error = make_error (EC_READER_ERROR_LOST, detail);
  g_autoptr(EcReaderCard) card = g_steal_pointer (&self->watch_card);
  GQueue tasks = G_QUEUE_INIT;
  gboolean detected = self->current_detected;
  GTask *task;

  g_object_ref (self);
  self->current = NULL;
  stop_watchdog (self);
  kill_helper (self);
  if (req != NULL && req->kind == REQ_TASK)
    g_queue_push_tail (&tasks, req->task);
  while ((task = g_queue_pop_head (&self->pending)) != NULL)
    g_queue_push_tail (&tasks, task);
  if (self->started)
    schedule_retry (self);
  set_state (self, EC_READER_STATE_LOST, detail);

  if (req != NULL && req->kind == REQ_WATCH_READ && detected)
    g_signal_emit (self, signals[SIGNAL_CARD_FAILED], 0, NULL, error);
  g_free (req);
  if (card != NULL)
    g_signal_emit (self, signals[SIGNAL_CARD_REMOVED], 0, card);
  while ((task = g_queue_pop_head (&tasks)) != NULL)
    fail_task (task, g_error_copy (error));
  g_object_unref (self);
}

static gboolean
on_retry (gpointer user_data)
{
  EcReader *self = user_data;

  g_clear_pointer (&self->retry, g_source_unref);
  self->open_failed = FALSE;
  pump (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (EcReader *self)
{
  guint delay;

  if (self->retry != NULL)
    return;
  self->backoff_ms = self->backoff_ms == 0 ? 500 : MIN (self->backoff_ms * 2, 5000);
  delay = self->backoff_ms;
  self->open_failed = TRUE;
  self->retry = g_timeout_source_new (delay);
  g_source_set_callback (self->retry, on_retry, self, NULL);
  g_source_attach (self->retry, self->context);
}

/* The next thing to ask the helper, if any. */
static void
pump (EcReader *self)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  Request *req;
  GTask *task;

  if (self->current != NULL)
    return;
  if (!self->started && g_queue_is_empty (&self->pending))
    return;
  if (self->open_failed && self->retry != NULL && g_queue_is_empty (&self->pending))
    return;                                         /* backing off */

  if (self->proc == NULL)
    {
      g_autoptr(GError) error = NULL;
      if (!spawn_helper (self, &error))
        {
          g_autoptr(GError) e = make_error (EC_READER_ERROR_NO_READER, error->message);
          set_state (self, EC_READER_STATE_NO_READER, error->message);
          fail_pending (self, e);
          if (self->started)
            schedule_retry (self);
          return;
        }
    }

  if (!self->device_open)
    {
      req = g_new0 (Request, 1);
      req->kind = REQ_OPEN;
      ec_nfc_put_u8 (body, EC_NFC_OP_OPEN);
      ec_nfc_put_str (body, self->connstring ? self->connstring : "");
      send_request (self, req, body, self->watchdog_ms + OPEN_EXTRA_MS);
      return;
    }

  while ((task = g_queue_pop_head (&self->pending)) != NULL)
    {
      TaskData *td = g_task_get_task_data (task);
      GCancellable *cancellable = g_task_get_cancellable (task);
      guint bound = self->watchdog_ms;

      if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
        {
          fail_task (task, make_error (EC_READER_ERROR_CANCELLED, NULL));
          continue;
        }
      ec_nfc_put_u8 (body, (guint8) td->op);
      switch (td->op)
        {
        case EC_NFC_OP_WAIT:
        case EC_NFC_OP_READ_CARD:
          {
            gint64 left = (td->deadline - g_get_monotonic_time ()) / 1000;
            guint round = (guint) CLAMP (left, 0, WAIT_ROUND_MS);
            ec_nfc_put_u32 (body, round);
            ec_nfc_put_uid (body, td->uid, td->uid_len);
            bound += round;
          }
          break;
        case EC_NFC_OP_READ_PAGES:
          ec_nfc_put_uid (body, td->uid, td->uid_len);
          ec_nfc_put_u16 (body, (guint16) td->first);
          ec_nfc_put_u16 (body, (guint16) td->n);
          break;
        case EC_NFC_OP_WRITE_PAGES:
          {
            gsize len;
            const guint8 *d = g_bytes_get_data (td->data, &len);
            ec_nfc_put_uid (body, td->uid, td->uid_len);
            ec_nfc_put_u16 (body, (guint16) td->first);
            ec_nfc_put_u16 (body, (guint16) (len / 4));
            g_byte_array_append (body, d, (guint) len);
            bound += (guint) (len / 4) * WRITE_PAGE_MS;
          }
          break;
        case EC_NFC_OP_OPEN:
        case EC_NFC_OP_WAIT_GONE:
        case EC_NFC_OP_CLOSE:
        default:
          g_assert_not_reached ();
        }
      req = g_new0 (Request, 1);
      req->kind = REQ_TASK;
      req->task = task;
      send_request (self, req, body, bound);
      return;
    }

  if (!self->started)
    return;

  req = g_new0 (Request, 1);
  if (self->watch_card != NULL)
    {
      req->kind = REQ_WATCH_GONE;
      ec_nfc_put_u8 (body, EC_NFC_OP_WAIT_GONE);
      ec_nfc_put_u32 (body, GONE_ROUND_MS);
      ec_nfc_put_uid (body, self->watch_card->uid, self->watch_card->uid_len);
      send_request (self, req, body, self->watchdog_ms + GONE_ROUND_MS);
    }
  else
    {
      req->kind = REQ_WATCH_READ;
      ec_nfc_put_u8 (body, EC_NFC_OP_READ_CARD);
      ec_nfc_put_u32 (body, WATCH_ROUND_MS);
      ec_nfc_put_uid (body, NULL, 0);
      send_request (self, req, body, self->watchdog_ms + WATCH_ROUND_MS);
    }
}

/* ------------------------------------------------------------------------- */
/* Answers */

static void
finish_open (EcReader    *self,
             EcNfcCursor *c,
             guint8       kind,
             GError      *error,
             const char  *detail)
{
  if (kind == EC_NFC_ANSWER_OK)
    {
      g_autofree char *name = ec_nfc_get_str (c);
      g_free (self->device_name);
      self->device_name = g_steal_pointer (&name);
      self->device_open = TRUE;
      self->ever_ready = TRUE;
      self->backoff_ms = 0;
      self->open_failed = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE_NAME]);
      set_state (self, EC_READER_STATE_READY, NULL);
      return;
    }

  /* The device did not open: report, fail the waiting operations, retry later. */
  {
    EcReaderState state;

    if (error->code == EC_READER_ERROR_BUSY)
      state = EC_READER_STATE_BUSY;
    else if (self->state == EC_READER_STATE_LOST || error->code == EC_READER_ERROR_LOST)
      state = EC_READER_STATE_LOST;                 /* it was there: keep saying "lost" */
    else
      state = EC_READER_STATE_NO_READER;
    set_state (self, state, detail);
    fail_pending (self, error);
    if (error->code == EC_READER_ERROR_LOST)
      kill_helper (self);
    if (self->started)
      schedule_retry (self);
    else
      self->open_failed = FALSE;
  }
}

static void
finish_watch_read (EcReader    *self,
                   EcNfcCursor *c,
                   guint8       kind,
                   GError      *error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(EcReaderCard) card = NULL;

  if (kind == EC_NFC_ANSWER_ERROR)
    {
      if (error->code == EC_READER_ERROR_TIMEOUT)
        return;
      if (self->current_detected)
        g_signal_emit (self, signals[SIGNAL_CARD_FAILED], 0, NULL, error);
      return;
    }
  card = ec_reader_card_decode (c, &local);
  if (card == NULL)
    {
      handle_lost (self, local->message);
      return;
    }
  if (!self->current_detected)
    g_signal_emit (self, signals[SIGNAL_CARD_DETECTED], 0, card);
  if (card->kind <= EC_READER_CARD_NTAG216)
    g_signal_emit (self, signals[SIGNAL_CARD_READ], 0, card);
  else
    {
      g_autoptr(GError) e = unsupported_error (card);
      g_signal_emit (self, signals[SIGNAL_CARD_FAILED], 0, card, e);
    }
  g_clear_pointer (&self->watch_card, ec_reader_card_unref);
  self->watch_card = g_steal_pointer (&card);
}

static void
finish_watch_gone (EcReader    *self,
                   EcNfcCursor *c,
                   guint8       kind,
                   GError      *error)
{
  guint8 gone = 0;

  if (kind == EC_NFC_ANSWER_ERROR || !ec_nfc_get_u8 (c, &gone) || gone)
    {
      g_autoptr(EcReaderCard) card = g_steal_pointer (&self->watch_card);
      if (card != NULL)
        g_signal_emit (self, signals[SIGNAL_CARD_REMOVED], 0, card);
    }
}

static void
finish_task (EcReader    *self,
             GTask       *task,
             EcNfcCursor *c,
             guint8       kind,
             GError      *error)
{
  TaskData *td = g_task_get_task_data (task);
  g_autoptr(GError) local = NULL;

  if (kind == EC_NFC_ANSWER_ERROR)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      if (error->code == EC_READER_ERROR_TIMEOUT
          && (td->op == EC_NFC_OP_WAIT || td->op == EC_NFC_OP_READ_CARD)
          && g_get_monotonic_time () < td->deadline
          && (cancellable == NULL || !g_cancellable_is_cancelled (cancellable)))
        {
          g_queue_push_head (&self->pending, task);   /* another round */
          return;
        }
      fail_task (task, g_error_copy (error));
      return;
    }

  switch (td->op)
    {
    case EC_NFC_OP_WAIT:
    case EC_NFC_OP_READ_CARD:
      {
        EcReaderCard *card = ec_reader_card_decode (c, &local);
        if (card == NULL)
          fail_task (task, g_steal_pointer (&local));
        else if (td->op == EC_NFC_OP_READ_CARD && card->kind > EC_READER_CARD_NTAG216)
          {
            fail_task (task, unsupported_error (card));
            ec_reader_card_unref (card);
          }
        else
          {
            g_task_return_pointer (task, card, (GDestroyNotify) ec_reader_card_unref);
            g_object_unref (task);
          }
      }
      break;
    case EC_NFC_OP_READ_PAGES:
      {
        guint16 n;
        const guint8 *data;
        if (!ec_nfc_get_u16 (c, &n) || n != td->n || !ec_nfc_get_bytes (c, (gsize) n * 4, &data))
          fail_task (task, make_error (EC_READER_ERROR_PROTOCOL, "bad READ_PAGES answer"));
        else
          {
            g_task_return_pointer (task, g_bytes_new (data, (gsize) n * 4),
                                   (GDestroyNotify) g_bytes_unref);
            g_object_unref (task);
          }
      }
      break;
    case EC_NFC_OP_WRITE_PAGES:
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      break;
    case EC_NFC_OP_OPEN:
    case EC_NFC_OP_WAIT_GONE:
    case EC_NFC_OP_CLOSE:
    default:
      fail_task (task, make_error (EC_READER_ERROR_PROTOCOL, "unexpected answer"));
      break;
    }
}

/* One complete frame from the helper. */
static void
handle_frame (EcReader     *self,
              const guint8 *body,
              gsize         len)
{
  EcNfcCursor c;
  guint8 kind;
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;
  Request *req;

  ec_nfc_cursor_init (&c, body, len);
  if (!ec_nfc_get_u8 (&c, &kind) || kind > EC_NFC_ANSWER_ERROR || self->current == NULL)
    {
      handle_lost (self, "unexpected message from the NFC helper");
      return;
    }

  if (kind == EC_NFC_ANSWER_DETECTED)
    {
      if (self->current->kind == REQ_WATCH_READ && !self->current_detected)
        {
          g_autoptr(EcReaderCard) card = ec_reader_card_decode (&c, NULL);
          if (card != NULL)
            {
              self->current_detected = TRUE;
              g_signal_emit (self, signals[SIGNAL_CARD_DETECTED], 0, card);
            }
        }
      return;
    }

  if (kind == EC_NFC_ANSWER_ERROR)
    {
      guint8 code;

      if (!ec_nfc_get_u8 (&c, &code) || code > EC_READER_ERROR_PROTOCOL
          || (msg = ec_nfc_get_str (&c)) == NULL)
        {
          handle_lost (self, "malformed error from the NFC helper");
          return;
        }
      if (code == EC_READER_ERROR_LOST && self->current->kind != REQ_OPEN)
        {
          handle_lost (self, msg);
          return;
        }
      error = make_error ((EcReaderError) code, msg);
    }

  req = self->current;
  self->current = NULL;
  stop_watchdog (self);

  switch (req->kind)
    {
    case REQ_OPEN:
      finish_open (self, &c, kind, error, msg);
      break;
    case REQ_WATCH_READ:
      finish_watch_read (self, &c, kind, error);
      break;
    case REQ_WATCH_GONE:
      finish_watch_gone (self, &c, kind, error);
      break;
    case REQ_TASK:
      finish_task (self, req->task, &c, kind, error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_free (req);
}

static void
on_helper_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ReadClosure *rc = user_data;
  g_autoptr(EcReader) self = g_weak_ref_get (&rc->self);
  guint generation = rc->generation;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  g_weak_ref_clear (&rc->self);
  g_free (rc);
  if (self == NULL || generation != self->generation)
    return;                                        /* an old helper */
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      handle_lost (self, bytes == NULL ? error->message : "the NFC helper exited");
      pump (self);
      return;
    }
  g_byte_array_append (self->inbuf, g_bytes_get_data (bytes, NULL), (guint) g_bytes_get_size (bytes));

  for (;;)
    {
      guint32 len;
      const guint8 *p = self->inbuf->data;

      if (self->inbuf->len < 4)
        break;
      len = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
      if (len == 0 || len > EC_NFC_MAX_FRAME)
        {
          handle_lost (self, "bad frame from the NFC helper");
          break;
        }
      if (self->inbuf->len < 4 + len)
        break;
      {
        g_autofree guint8 *body = g_memdup2 (p + 4, len);
        g_byte_array_remove_range (self->inbuf, 0, 4 + len);
        handle_frame (self, body, len);
      }
      if (generation != self->generation)
        break;                                     /* the helper was killed meanwhile */
    }

  if (generation == self->generation)
    start_read (self);
  pump (self);
}

/* ------------------------------------------------------------------------- */
/* GObject */

static void
ec_reader_dispose (GObject *object)
{
  EcReader *self = EC_READER (object);

  self->started = FALSE;
  if (self->retry != NULL)
    {
      g_source_destroy (self->retry);
      g_clear_pointer (&self->retry, g_source_unref);
    }
  stop_watchdog (self);
  if (self->proc != NULL && self->current == NULL && self->device_open)
    close_helper (self);                          /* idle: let it close the device */
  else if (self->proc != NULL)
    {
      g_autoptr(GSubprocess) proc = g_object_ref (self->proc);
      kill_helper (self);
      wait_exited (proc, 500);
    }
  g_clear_pointer (&self->current, g_free);
  g_clear_pointer (&self->watch_card, ec_reader_card_unref);
  G_OBJECT_CLASS (ec_reader_parent_class)->dispose (object);
}

static void
ec_reader_finalize (GObject *object)
{
  EcReader *self = EC_READER (object);

  g_free (self->connstring);
  g_free (self->state_message);
  g_free (self->device_name);
  g_byte_array_unref (self->inbuf);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (ec_reader_parent_class)->finalize (object);
}

static void
ec_reader_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EcReader *self = EC_READER (object);

  switch (prop_id)
    {
    case PROP_CONNSTRING:
      g_value_set_string (value, self->connstring);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_STATE_MESSAGE:
      g_value_set_string (value, self->state_message);
      break;
    case PROP_DEVICE_NAME:
      g_value_set_string (value, self->device_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ec_reader_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  EcReader *self = EC_READER (object);

  switch (prop_id)
    {
    case PROP_CONNSTRING:
      g_free (self->connstring);
      self->connstring = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ec_reader_class_init (EcReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ec_reader_dispose;
  object_class->finalize = ec_reader_finalize;
  object_class->get_property = ec_reader_get_property;
  object_class->set_property = ec_reader_set_property;

  properties[PROP_CONNSTRING] =
    g_param_spec_string ("connstring", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, EC_TYPE_READER_STATE, EC_READER_STATE_NO_READER,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE_MESSAGE] =
    g_param_spec_string ("state-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE_NAME] =
    g_param_spec_string ("device-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CARD_DETECTED] =
    g_signal_new ("card-detected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, EC_TYPE_READER_CARD);
  signals[SIGNAL_CARD_READ] =
    g_signal_new ("card-read", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, EC_TYPE_READER_CARD);
  signals[SIGNAL_CARD_FAILED] =
    g_signal_new ("card-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, EC_TYPE_READER_CARD, G_TYPE_ERROR);
  signals[SIGNAL_CARD_REMOVED] =
    g_signal_new ("card-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, EC_TYPE_READER_CARD);
}

static void
ec_reader_init (EcReader *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->inbuf = g_byte_array_new ();
  self->watchdog_ms = DEFAULT_WATCHDOG_MS;
  self->state = EC_READER_STATE_NO_READER;
  self->state_message = g_strdup (_("The reader has not been opened yet"));
  g_queue_init (&self->pending);
}

/* ------------------------------------------------------------------------- */
/* Public API */

EcReader *
ec_reader_new (const char *connstring)
{
  return g_object_new (EC_TYPE_READER,
                       "connstring", (connstring != NULL && *connstring) ? connstring : NULL,
                       NULL);
}

const char *
ec_reader_get_connstring (EcReader *self)
{
  g_return_val_if_fail (EC_IS_READER (self), NULL);
  return self->connstring;
}

void
ec_reader_start (EcReader *self)
{
  g_return_if_fail (EC_IS_READER (self));
  if (self->started)
    return;
  self->started = TRUE;
  pump (self);
}

void
ec_reader_stop (EcReader *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (EC_IS_READER (self));
  self->started = FALSE;
  if (self->retry != NULL)
    {
      g_source_destroy (self->retry);
      g_clear_pointer (&self->retry, g_source_unref);
    }
  self->open_failed = FALSE;
  self->backoff_ms = 0;
  stop_watchdog (self);
  close_helper (self);
  error = make_error (EC_READER_ERROR_CANCELLED, NULL);
  if (self->current != NULL)
    {
      if (self->current->kind == REQ_TASK)
        fail_task (self->current->task, g_error_copy (error));
      g_clear_pointer (&self->current, g_free);
    }
  fail_pending (self, error);
  g_clear_pointer (&self->watch_card, ec_reader_card_unref);
  g_free (self->device_name);
  self->device_name = NULL;
  set_state (self, EC_READER_STATE_NO_READER, NULL);
  g_free (self->state_message);
  self->state_message = g_strdup (_("The reader is stopped"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_MESSAGE]);
}

gboolean
ec_reader_is_started (EcReader *self)
{
  g_return_val_if_fail (EC_IS_READER (self), FALSE);
  return self->started;
}

EcReaderState
ec_reader_get_state (EcReader *self)
{
  g_return_val_if_fail (EC_IS_READER (self), EC_READER_STATE_NO_READER);
  return self->state;
}

const char *
ec_reader_get_state_message (EcReader *self)
{
  g_return_val_if_fail (EC_IS_READER (self), NULL);
  return self->state_message;
}

const char *
ec_reader_get_device_name (EcReader *self)
{
  g_return_val_if_fail (EC_IS_READER (self), NULL);
  return self->device_name;
}

void
ec_reader_set_watchdog_ms (EcReader *self,
                           guint     ms)
{
  g_return_if_fail (EC_IS_READER (self));
  self->watchdog_ms = MAX (ms, 100);
}

static void
queue_task (EcReader            *self,
            TaskData            *td,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, td, (GDestroyNotify) task_data_free);
  g_queue_push_tail (&self->pending, task);
  pump (self);
}

static TaskData *
task_data_new (EcNfcOp     op,
               const char *uid_hex)
{
  TaskData *td = g_new0 (TaskData, 1);

  td->op = op;
  if (uid_hex != NULL && *uid_hex && !ec_reader_uid_from_hex (uid_hex, td->uid, &td->uid_len))
    {
      g_free (td);
      return NULL;
    }
  return td;
}

static void
report_bad_uid (EcReader            *self,
                gpointer             source_tag,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_task_report_new_error (self, callback, user_data, source_tag, EC_READER_ERROR,
                           EC_READER_ERROR_PROTOCOL, "malformed card UID");
}

/* Wait-for-card and read-card take the same arguments: an optional UID to
 * insist on and a timeout from now. */
static void
queue_card_task (EcReader            *self,
                 EcNfcOp              op,
                 gpointer             source_tag,
                 const char          *uid_hex,
                 guint                timeout_ms,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  TaskData *td = task_data_new (op, uid_hex);

  if (td == NULL)
    {
      report_bad_uid (self, source_tag, callback, user_data);
      return;
    }
  td->deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  queue_task (self, td, source_tag, cancellable, callback, user_data);
}

void
ec_reader_wait_card_async (EcReader            *self,
                           const char          *uid_hex,
                           guint                timeout_ms,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (EC_IS_READER (self));
  queue_card_task (self, EC_NFC_OP_WAIT, ec_reader_wait_card_async, uid_hex, timeout_ms,
                   cancellable, callback, user_data);
}

EcReaderCard *
ec_reader_wait_card_finish (EcReader      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ec_reader_read_card_async (EcReader            *self,
                           const char          *uid_hex,
                           guint                timeout_ms,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (EC_IS_READER (self));
  queue_card_task (self, EC_NFC_OP_READ_CARD, ec_reader_read_card_async, uid_hex, timeout_ms,
                   cancellable, callback, user_data);
}

EcReaderCard *
ec_reader_read_card_finish (EcReader      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ec_reader_read_pages_async (EcReader            *self,
                            const char          *uid_hex,
                            guint                first_page,
                            guint                n_pages,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  TaskData *td;

  g_return_if_fail (EC_IS_READER (self));
  td = task_data_new (EC_NFC_OP_READ_PAGES, uid_hex);
  if (td == NULL || n_pages == 0 || n_pages > EC_NFC_MAX_PAGES || first_page + n_pages > 256)
    {
      if (td != NULL)
        task_data_free (td);
      report_bad_uid (self, ec_reader_read_pages_async, callback, user_data);
      return;
    }
  td->first = first_page;
  td->n = n_pages;
  queue_task (self, td, ec_reader_read_pages_async, cancellable, callback, user_data);
}

GBytes *
ec_reader_read_pages_finish (EcReader      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ec_reader_write_pages_async (EcReader            *self,
                             const char          *uid_hex,
                             guint                first_page,
                             GBytes              *data,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  TaskData *td;
  gsize len;

  g_return_if_fail (EC_IS_READER (self));
  g_return_if_fail (data != NULL);
  len = g_bytes_get_size (data);
  td = task_data_new (EC_NFC_OP_WRITE_PAGES, uid_hex);
  if (td == NULL || len == 0 || len % 4 != 0 || first_page + len / 4 > 256)
    {
      if (td != NULL)
        task_data_free (td);
      report_bad_uid (self, ec_reader_write_pages_async, callback, user_data);
      return;
    }
  td->first = first_page;
  td->data = g_bytes_ref (data);
  queue_task (self, td, ec_reader_write_pages_async, cancellable, callback, user_data);
}

gboolean
ec_reader_write_pages_finish (EcReader      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------- */
/* Blocking conveniences */

typedef struct
{
  GAsyncResult *result;
} SyncData;

static void
sync_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SyncData *sd = user_data;
  sd->result = g_object_ref (result);
}

static GAsyncResult *
sync_wait (EcReader *self,
           SyncData *sd)
{
  while (sd->result == NULL)
    g_main_context_iteration (self->context, TRUE);
  return sd->result;
}

EcReaderCard *
ec_reader_wait_card_sync (EcReader      *self,
                          const char    *uid_hex,
                          guint          timeout_ms,
                          GCancellable  *cancellable,
                          GError       **error)
{
  SyncData sd = { NULL };
  g_autoptr(GAsyncResult) res = NULL;

  ec_reader_wait_card_async (self, uid_hex, timeout_ms, cancellable, sync_cb, &sd);
  res = sync_wait (self, &sd);
  return ec_reader_wait_card_finish (self, res, error);
}

EcReaderCard *
ec_reader_read_card_sync (EcReader      *self,
                          const char    *uid_hex,
                          guint          timeout_ms,
                          GCancellable  *cancellable,
                          GError       **error)
{
  SyncData sd = { NULL };
  g_autoptr(GAsyncResult) res = NULL;

  ec_reader_read_card_async (self, uid_hex, timeout_ms, cancellable, sync_cb, &sd);
  res = sync_wait (self, &sd);
  return ec_reader_read_card_finish (self, res, error);
}

GBytes *
ec_reader_read_pages_sync (EcReader      *self,
                           const char    *uid_hex,
                           guint          first_page,
                           guint          n_pages,
                           GCancellable  *cancellable,
                           GError       **error)
{
  SyncData sd = { NULL };
  g_autoptr(GAsyncResult) res = NULL;

  ec_reader_read_pages_async (self, uid_hex, first_page, n_pages, cancellable, sync_cb, &sd);
  res = sync_wait (self, &sd);
  return ec_reader_read_pages_finish (self, res, error);
}

gboolean
ec_reader_write_pages_sync (EcReader      *self,
                            const char    *uid_hex,
                            guint          first_page,
                            GBytes        *data,
                            GCancellable  *cancellable,
                            GError       **error)
{
  SyncData sd = { NULL };
  g_autoptr(GAsyncResult) res = NULL;

  ec_reader_write_pages_async (self, uid_hex, first_page, data, cancellable, sync_cb, &sd);
  res = sync_wait (self, &sd);
  return ec_reader_write_pages_finish (self, res, error);
}
