/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-issue.c: the torn-write-safe issuance (see ec-issue.h for the steps). Each tag
 * step is one asynchronous EcReader operation; the callbacks advance the job. */
#define G_LOG_DOMAIN "ec-issue"

#include "ec-issue.h"
#include "ec-i18n.h"

#include <string.h>

#define RESELECT_MS 3000
#define ACCESS_CFGLCK 0x40

typedef struct
{
  EcReader            *reader;
  EcIssueParams        p;
  EcIssueProgressFunc  progress;
  gpointer             progress_data;

  char                 uid_hex[21];
  EcTagType            type;
  const EcTagInfo     *info;
  EcTagImage          *head;        /* the card as found: pages 0-3, lock and config pages */
  EcTagImage          *intended;
  EcCardLayout         layout;
  guint                seq;
  gboolean             resumed;
  gboolean             content_ok;  /* steps 3-6 done: a retry starts at 7 */
  guint                attempts;
  guint                wait_tries;
  guint8               lock_head[8];  /* pages 2-3 as read back in step 8 */
} IssueJob;

static void
issue_job_free (IssueJob *job)
{
  g_clear_object (&job->reader);
  g_clear_pointer (&job->head, ec_tag_image_free);
  g_clear_pointer (&job->intended, ec_tag_image_free);
  g_free (job);
}

void
ec_issue_result_free (EcIssueResult *result)
{
  if (result == NULL)
    return;
  g_free (result->uid_hex);
  g_clear_pointer (&result->image, ec_tag_image_free);
  g_free (result);
}

void
ec_issue_dynamic_lock_bytes (EcTagType type,
                             guint8    out[4])
{
  /* Lock bits (bytes 0-1, little-endian bit field) and block-lock bits (byte 2) all
   * set; byte 3 is RFUI and written as 00. NTAG213: 12 lock bits of 2 pages, 6 BL
   * bits; NTAG215: 8 lock bits of 16 pages, 4 BL bits; NTAG216: 14 + 7. */
  switch (type)
    {
    case EC_TAG_NTAG213: out[0] = 0xff; out[1] = 0x0f; out[2] = 0x3f; break;
    case EC_TAG_NTAG215: out[0] = 0xff; out[1] = 0x00; out[2] = 0x0f; break;
    case EC_TAG_NTAG216:
    default:             out[0] = 0xff; out[1] = 0x3f; out[2] = 0x7f; break;
    }
  out[3] = 0x00;
}

static void
progress (IssueJob     *job,
          EcIssueStage  stage,
          const char   *message)
{
  if (job->progress != NULL)
    job->progress (stage, message, job->progress_data);
}

guint16
ec_issue_default_expiry (gint64 now)
{
  gint64 days = (now > 0 ? now : 0) / 86400 + EC_CARD_DEFAULT_VALID_DAYS;
  return (guint16) MIN (days, (gint64) G_MAXUINT16);
}

static gint64
job_now (IssueJob *job)
{
  return job->p.now != 0 ? job->p.now : g_get_real_time () / G_USEC_PER_SEC;
}

static void step_wait (GTask *task);
static void step_marker (GTask *task);
static void step_verify (GTask *task);
static void step_lock (GTask *task);
static void step_db_commit (GTask *task);

static void
finish_error (GTask  *task,
              GError *error)
{
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* A tag step failed: retry, give up with the issuance pending, or spoil the card. */
static void
step_failed (GTask  *task,
             GError *error)
{
  IssueJob *job = g_task_get_task_data (task);

  g_debug ("attempt %u failed: %s", job->attempts, error->message);
  if (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_LOST)
      || g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_NO_READER)
      || g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_BUSY)
      || g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_CANCELLED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      finish_error (task, error);                 /* still pending: run again */
      return;
    }
  if (job->attempts >= job->p.max_attempts)
    {
      g_autoptr(GError) db_error = NULL;

      if (job->p.keep_pending)
        {
          finish_error (task, error);
          return;
        }
      if (!ec_db_card_set_status (job->p.db, job->uid_hex, EC_CARD_STATUS_SPOILED,
                                  error->message, job->p.actor, &db_error))
        g_warning ("could not mark card %s spoiled: %s", job->uid_hex, db_error->message);
      finish_error (task, g_error_new (EC_READER_ERROR, EC_READER_ERROR_SPOILED,
                                       _("The card could not be written after %u attempts "
                                         "and is marked spoiled; discard it (%s)"),
                                       job->attempts, error->message));
      g_error_free (error);
      return;
    }

  if (job->content_ok)
    job->attempts++;                              /* a retry of the locking steps */
  {
    g_autofree char *m = g_strdup_printf (_("Retrying (%s)…"), error->message);
    progress (job, EC_ISSUE_STAGE_RETRYING, m);
  }
  g_error_free (error);
  step_wait (task);
}

/* Finishes a page write or read of the job's reader; when it failed, hands the
 * reader's error to step_failed () and returns FALSE or NULL. */
static gboolean
write_step_finish (GObject      *source,
                   GAsyncResult *result,
                   GTask        *task)
{
  GError *error = NULL;

  if (!ec_reader_write_pages_finish (EC_READER (source), result, &error))
    {
      step_failed (task, error);
      return FALSE;
    }
  return TRUE;
}

static GBytes *
read_step_finish (GObject      *source,
                  GAsyncResult *result,
                  GTask        *task)
{
  GError *error = NULL;
  GBytes *data = ec_reader_read_pages_finish (EC_READER (source), result, &error);

  if (data == NULL)
    step_failed (task, error);
  return data;
}

/* ------------------------------------------------------------------------- */
/* Step 1-2 */

static gboolean
build_and_record (IssueJob  *job,
                  GError   **error)
{
  g_autoptr(EcCardSummary) summary = NULL;
  g_autoptr(EcTagImage) image = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autofree char *text = NULL;
  EcCardHeader header = { 0 };
  gint64 version = 0;
  guint seq = 0;

  progress (job, EC_ISSUE_STAGE_RECORDING, _("Recording the issuance…"));
  if (!ec_db_resident_exists (job->p.db, job->p.resident_id, &version, error))
    return FALSE;
  if (version == 0)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND,
                   _("No resident %016llx in the database"),
                   (unsigned long long) job->p.resident_id);
      return FALSE;
    }
  if (job->p.read_key != NULL && ec_card_summary_capacity (job->type) > 0)
    {
      g_autoptr(EcResident) resident = NULL;
      if (!ec_db_get_resident (job->p.db, job->p.resident_id, job->p.actor, "card-issue",
                               NULL, &resident, error))
        return FALSE;
      summary = ec_card_summary_from_resident (resident, job->type);
    }
  if (!ec_db_card_next_seq (job->p.db, job->p.resident_id, &seq, error))
    return FALSE;
  header.resident_id = job->p.resident_id;
  header.card_seq = (guint16) seq;
  header.issued_at = job_now (job);
  header.expires_days = job->p.expires_days != 0 ? job->p.expires_days
                                                : ec_issue_default_expiry (header.issued_at);
  if (!ec_card_encode (job->type, job->head->uid, &header, summary, job->p.station_key,
                       summary != NULL ? job->p.read_key : NULL, &image, error))
    return FALSE;
  if (!ec_card_layout (image, &job->layout, error))
    return FALSE;
  text = ec_tag_image_to_string (image);
  {
    gsize text_len = strlen (text);
    blob = g_bytes_new_take (g_steal_pointer (&text), text_len);
  }
  if (!ec_db_card_begin_issue (job->p.db, job->p.resident_id, job->uid_hex,
                               job->p.station_key->cert->station_id, job->p.actor, seq,
                               blob, &job->seq, error))
    return FALSE;
  job->intended = g_steal_pointer (&image);
  return TRUE;
}

/* A pending issuance of this card: take its image (the same bytes are rewritten). */
static gboolean
take_pending (IssueJob      *job,
              EcCardRecord  *record,
              GError       **error)
{
  g_autoptr(EcCardRecord) pending = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(EcTagImage) image = NULL;
  gsize len;
  const char *text;

  if (record->resident_id != job->p.resident_id)
    {
      g_set_error (error, EC_READER_ERROR, EC_READER_ERROR_NOT_BLANK,
                   _("This card is being issued to another resident (%016llx); "
                     "finish or spoil that issuance first"),
                   (unsigned long long) record->resident_id);
      return FALSE;
    }
  if (!ec_db_card_get_pending (job->p.db, job->uid_hex, &pending, &blob, error))
    return FALSE;
  text = g_bytes_get_data (blob, &len);
  image = ec_tag_image_parse (text, len, error);
  if (image == NULL)
    return FALSE;
  if (image->type != job->type || memcmp (image->uid, job->head->uid, EC_TAG_UID_BYTES) != 0)
    {
      g_set_error (error, EC_READER_ERROR, EC_READER_ERROR_NOT_BLANK,
                   _("The pending issuance of this card is for another tag type or UID"));
      return FALSE;
    }
  if (!ec_card_layout (image, &job->layout, error))
    return FALSE;
  job->seq = pending->seq;
  job->intended = g_steal_pointer (&image);
  job->resumed = TRUE;
  return TRUE;
}

static void
on_card (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  IssueJob *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcReaderCard) card = ec_reader_wait_card_finish (EC_READER (source), result, &error);
  g_autoptr(EcCardRecord) record = NULL;
  g_autoptr(GError) lookup_error = NULL;
  g_autoptr(GError) blank_error = NULL;
  EcTagImage *head;

  if (card == NULL)
    {
      if (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_CARD_REMOVED)
          && job->wait_tries < job->p.max_attempts)
        {
          step_wait (task);                         /* pulled during identification */
          return;
        }
      if (job->intended != NULL && g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_TIMEOUT))
        {
          finish_error (task, g_error_new (EC_READER_ERROR, EC_READER_ERROR_CARD_REMOVED,
                                           _("The card was taken away during issuing; put it "
                                             "back and run the issuance again: it resumes")));
          return;
        }
      finish_error (task, g_steal_pointer (&error));
      return;
    }

  head = ec_reader_card_to_tag_image (card);
  if (head == NULL)
    {
      finish_error (task, g_error_new (EC_READER_ERROR, EC_READER_ERROR_UNSUPPORTED,
                                       _("This card cannot be issued: eldercard uses NTAG213/215/216 "
                                         "tags (this is a %s card)"),
                                       ec_reader_card_kind_to_string (ec_reader_card_get_kind (card))));
      return;
    }

  if (job->intended != NULL)
    {
      /* A retry: the same card must be back. */
      gboolean same = memcmp (head->uid, job->intended->uid, EC_TAG_UID_BYTES) == 0;
      ec_tag_image_free (head);
      if (!same)
        {
          finish_error (task, g_error_new (EC_READER_ERROR, EC_READER_ERROR_CARD_REMOVED,
                                           _("Another card is on the reader")));
          return;
        }
      if (job->content_ok)
        step_lock (task);
      else
        step_marker (task);
      return;
    }

  job->head = head;
  job->type = head->type;
  job->info = ec_tag_type_info (head->type);
  g_strlcpy (job->uid_hex, ec_reader_card_get_uid_hex (card), sizeof job->uid_hex);
  {
    g_autofree char *m = g_strdup_printf (_("Card %s (%s) found; checking it…"),
                                          job->uid_hex, job->info->name);
    progress (job, EC_ISSUE_STAGE_CHECKING, m);
  }

  if (ec_db_card_lookup (job->p.db, job->uid_hex, &record, &lookup_error))
    {
      if (record->status != EC_CARD_STATUS_PENDING)
        {
          finish_error (task, g_error_new (EC_READER_ERROR, EC_READER_ERROR_NOT_BLANK,
                                           _("This card is already registered (status: %s); "
                                             "use a new blank card"),
                                           ec_card_status_to_string (record->status)));
          return;
        }
      if (!take_pending (job, record, &error))
        {
          finish_error (task, g_steal_pointer (&error));
          return;
        }
      if (!ec_tag_image_check_blank (head, &blank_error))
        {
          /* Locking had started: the content was verified. Check and finish it. */
          progress (job, EC_ISSUE_STAGE_VERIFYING, _("Resuming: the card is partly locked"));
          job->attempts = 1;
          step_verify (task);
          return;
        }
      progress (job, EC_ISSUE_STAGE_WRITING, _("Resuming a pending issuance of this card"));
      step_marker (task);
      return;
    }
  if (!g_error_matches (lookup_error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND))
    {
      finish_error (task, g_steal_pointer (&lookup_error));
      return;
    }
  if (!ec_tag_image_check_blank (head, &blank_error))
    {
      finish_error (task, g_error_new (EC_READER_ERROR, EC_READER_ERROR_NOT_BLANK,
                                       _("The card is not blank (%s): it was used or "
                                         "tampered with; use a new blank card"),
                                       blank_error->message));
      return;
    }
  if (!build_and_record (job, &error))
    {
      finish_error (task, g_steal_pointer (&error));
      return;
    }
  step_marker (task);
}

static void
step_wait (GTask *task)
{
  IssueJob *job = g_task_get_task_data (task);

  job->wait_tries++;
  if (job->intended == NULL)
    progress (job, EC_ISSUE_STAGE_WAITING, _("Place a blank card on the reader…"));
  ec_reader_wait_card_async (job->reader, job->intended != NULL ? job->uid_hex : NULL,
                             job->intended != NULL ? RESELECT_MS : job->p.wait_ms,
                             g_task_get_cancellable (task), on_card, task);
}

/* ------------------------------------------------------------------------- */
/* Steps 3-5 */

static GBytes *
intended_pages (IssueJob *job,
                guint     first,
                guint     last)
{
  return g_bytes_new (job->intended->pages[first], (gsize) (last - first + 1) * 4);
}

static void
on_commit (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;

  if (!write_step_finish (source, result, task))
    return;
  step_verify (task);
}

static void
on_readback (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  IssueJob *job = g_task_get_task_data (task);
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) page4 = NULL;
  const guint8 *d;
  gsize len;

  data = read_step_finish (source, result, task);
  if (data == NULL)
    return;
  d = g_bytes_get_data (data, &len);
  if (memcmp (d, ec_card_uncommitted_page4, 4) != 0
      || memcmp (d + 4, job->intended->pages[job->layout.first_page + 1], len - 4) != 0)
    {
      step_failed (task, g_error_new (EC_READER_ERROR, EC_READER_ERROR_WRITE_FAILED,
                                      _("What was read back differs from what was written")));
      return;
    }
  page4 = g_bytes_new (job->layout.commit_page, 4);
  ec_reader_write_pages_async (job->reader, job->uid_hex, job->layout.first_page, page4,
                               g_task_get_cancellable (task), on_commit, task);
}

static void
on_body (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  IssueJob *job = g_task_get_task_data (task);

  if (!write_step_finish (source, result, task))
    return;
  ec_reader_read_pages_async (job->reader, job->uid_hex, job->layout.first_page,
                              job->layout.last_page - job->layout.first_page + 1,
                              g_task_get_cancellable (task), on_readback, task);
}

static void
on_marker (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  IssueJob *job = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;

  if (!write_step_finish (source, result, task))
    return;
  if (job->layout.last_page <= job->layout.first_page)
    {
      GError *e = g_error_new (EC_READER_ERROR, EC_READER_ERROR_PROTOCOL, "empty card layout");
      finish_error (task, e);
      return;
    }
  body = intended_pages (job, job->layout.first_page + 1, job->layout.last_page);
  ec_reader_write_pages_async (job->reader, job->uid_hex, job->layout.first_page + 1, body,
                               g_task_get_cancellable (task), on_body, task);
}

static void
step_marker (GTask *task)
{
  IssueJob *job = g_task_get_task_data (task);
  g_autoptr(GBytes) marker = g_bytes_new_static (ec_card_uncommitted_page4, 4);
  g_autofree char *m = g_strdup_printf (_("Writing %u pages…"),
                                        job->layout.last_page - job->layout.first_page + 1);

  job->attempts++;
  progress (job, EC_ISSUE_STAGE_WRITING, m);
  ec_reader_write_pages_async (job->reader, job->uid_hex, job->layout.first_page, marker,
                               g_task_get_cancellable (task), on_marker, task);
}

/* ------------------------------------------------------------------------- */
/* Step 6 */

static void
on_verify_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  IssueJob *job = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(EcTagImage) image = NULL;
  g_autoptr(EcCard) card = NULL;
  gsize len;
  const guint8 *d;
  gsize ndef_from = (gsize) job->layout.first_page * 4;
  gsize ndef_len = (gsize) (job->layout.last_page - job->layout.first_page + 1) * 4;

  data = read_step_finish (source, result, task);
  if (data == NULL)
    return;
  d = g_bytes_get_data (data, &len);
  image = ec_tag_image_copy (job->intended);
  memcpy (image->pages, d, len);
  if (!ec_card_verify (image, job->p.ring, job_now (job), &card, &error))
    {
      GError *e = g_error_new (EC_READER_ERROR, EC_READER_ERROR_WRITE_FAILED,
                               _("The written card does not verify: %s"), error->message);
      g_error_free (error);
      step_failed (task, e);
      return;
    }
  if (memcmp (d + ndef_from, (const guint8 *) job->intended->pages + ndef_from, ndef_len) != 0)
    {
      step_failed (task, g_error_new (EC_READER_ERROR, EC_READER_ERROR_WRITE_FAILED,
                                      _("The card verifies but differs from the recorded image")));
      return;
    }
  job->content_ok = TRUE;
  if (job->p.no_lock)
    step_db_commit (task);
  else
    step_lock (task);
}

static void
step_verify (GTask *task)
{
  IssueJob *job = g_task_get_task_data (task);

  progress (job, EC_ISSUE_STAGE_VERIFYING, _("Verifying the card with the kiosk's verifier…"));
  ec_reader_read_pages_async (job->reader, job->uid_hex, 0, job->info->user_last_page + 1,
                              g_task_get_cancellable (task), on_verify_read, task);
}

/* ------------------------------------------------------------------------- */
/* Steps 7-8 */

typedef struct
{
  guint  page;
  guint8 data[4];
} LockWrite;

static void lock_next (GTask *task, guint index);

typedef struct
{
  GTask *task;
  guint  index;
} LockStep;

static void
lock_values (IssueJob  *job,
             LockWrite  out[4])
{
  const EcTagInfo *info = job->info;
  const guint8 *cfg1 = job->head->pages[info->cfg1_page];

  out[0].page = EC_TAG_CC_PAGE;
  out[0].data[0] = 0xe1;
  out[0].data[1] = 0x10;
  out[0].data[2] = info->cc_size;
  out[0].data[3] = 0x0f;
  out[1].page = 2;
  out[1].data[0] = 0x00;
  out[1].data[1] = 0x00;
  out[1].data[2] = 0xff;
  out[1].data[3] = 0xff;
  out[2].page = info->dyn_lock_page;
  ec_issue_dynamic_lock_bytes (job->type, out[2].data);
  out[3].page = info->cfg1_page;
  out[3].data[0] = (guint8) (cfg1[0] | ACCESS_CFGLCK);
  out[3].data[1] = cfg1[1];
  out[3].data[2] = cfg1[2];
  out[3].data[3] = cfg1[3];
}

static void
on_lock_check (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  IssueJob *job = g_task_get_task_data (task);
  g_autoptr(GBytes) data = NULL;
  const guint8 *d;
  const guint8 *p2 = job->lock_head, *p3 = job->lock_head + 4;
  guint8 dyn[4];

  data = read_step_finish (source, result, task);
  if (data == NULL)
    return;
  d = g_bytes_get_data (data, NULL);              /* dyn lock, CFG0, CFG1 */
  ec_issue_dynamic_lock_bytes (job->type, dyn);
  g_debug ("lock read-back: %02x%02x%02x%02x %02x%02x%02x%02x | %02x%02x%02x%02x %02x%02x%02x%02x %02x%02x%02x%02x",
           p2[0], p2[1], p2[2], p2[3], p3[0], p3[1], p3[2], p3[3], d[0], d[1], d[2], d[3],
           d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11]);
  if (p2[2] != 0xff || p2[3] != 0xff || p3[3] != 0x0f
      || memcmp (d, dyn, 3) != 0
      || d[4 + 3] != 0xff                         /* AUTH0: no password */
      || (d[8] & ACCESS_CFGLCK) == 0)             /* with AUTH0 = FF, PROT protects nothing */
    {
      step_failed (task, g_error_new (EC_READER_ERROR, EC_READER_ERROR_WRITE_FAILED,
                                      _("The card's lock bits did not read back as written")));
      return;
    }
  step_db_commit (task);
}

static void
on_lock_check_head (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  IssueJob *job = g_task_get_task_data (task);
  g_autoptr(GBytes) data = NULL;

  data = read_step_finish (source, result, task);
  if (data == NULL)
    return;
  memcpy (job->lock_head, g_bytes_get_data (data, NULL), 8);
  ec_reader_read_pages_async (job->reader, job->uid_hex, job->info->dyn_lock_page, 3,
                              g_task_get_cancellable (task), on_lock_check, task);
}

/* A lock write was refused or not acknowledged: does the page already hold the
 * intended bits (a resumed or retried issuance: OTP pages refuse writes once locked)?
 * Then go on; otherwise retry. */
static void
on_lock_page_check (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  LockStep *ls = user_data;
  GTask *task = ls->task;
  guint index = ls->index;
  IssueJob *job = g_task_get_task_data (task);
  g_autoptr(GBytes) data = NULL;
  const guint8 *d;
  LockWrite w[4];
  gboolean done;

  g_free (ls);
  data = read_step_finish (source, result, task);
  if (data == NULL)
    return;
  d = g_bytes_get_data (data, NULL);
  lock_values (job, w);
  switch (index)
    {
    case 0: done = d[3] == w[0].data[3]; break;                         /* CC */
    case 1: done = d[2] == 0xff && d[3] == 0xff; break;                 /* static lock */
    case 2: done = memcmp (d, w[2].data, 3) == 0; break;                /* dynamic lock */
    case 3:
    default: done = (d[0] & ACCESS_CFGLCK) != 0; break;                 /* CFGLCK */
    }
  if (!done)
    {
      step_failed (task, g_error_new (EC_READER_ERROR, EC_READER_ERROR_WRITE_FAILED,
                                      _("The card refused to lock page %u"), w[index].page));
      return;
    }
  lock_next (task, index + 1);
}

static void
on_lock_write (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  LockStep *ls = user_data;
  GTask *task = ls->task;
  guint index = ls->index;
  IssueJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!ec_reader_write_pages_finish (EC_READER (source), result, &error))
    {
      if (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_WRITE_FAILED))
        {
          LockWrite w[4];
          lock_values (job, w);
          g_error_free (error);
          ec_reader_read_pages_async (job->reader, job->uid_hex, w[index].page, 1,
                                      g_task_get_cancellable (task), on_lock_page_check, ls);
          return;
        }
      g_free (ls);
      step_failed (task, error);
      return;
    }
  g_free (ls);
  lock_next (task, index + 1);
}

static void
lock_next (GTask *task,
           guint  index)
{
  IssueJob *job = g_task_get_task_data (task);
  LockWrite w[4];

  if (index >= 4)
    {
      /* Step 8: pages 2-3, then dynamic lock, CFG0, CFG1 (two FAST_READs). */
      ec_reader_read_pages_async (job->reader, job->uid_hex, 2, 2,
                                  g_task_get_cancellable (task), on_lock_check_head, task);
      return;
    }
  lock_values (job, w);
  {
    LockStep *ls = g_new0 (LockStep, 1);
    g_autoptr(GBytes) b = g_bytes_new (w[index].data, 4);
    ls->task = task;
    ls->index = index;
    ec_reader_write_pages_async (job->reader, job->uid_hex, w[index].page, b,
                                 g_task_get_cancellable (task), on_lock_write, ls);
  }
}

static void
step_lock (GTask *task)
{
  IssueJob *job = g_task_get_task_data (task);

  progress (job, EC_ISSUE_STAGE_LOCKING, _("Locking the card (permanent)…"));
  lock_next (task, 0);
}

/* ------------------------------------------------------------------------- */
/* Step 9 */

static void
step_db_commit (GTask *task)
{
  IssueJob *job = g_task_get_task_data (task);
  GError *error = NULL;
  EcIssueResult *res;

  progress (job, EC_ISSUE_STAGE_COMMITTING, _("Recording the card as active…"));
  if (!ec_db_card_commit_issue (job->p.db, job->uid_hex, job->p.actor, &error))
    {
      finish_error (task, error);
      return;
    }
  res = g_new0 (EcIssueResult, 1);
  res->uid_hex = g_strdup (job->uid_hex);
  res->type = job->type;
  res->seq = job->seq;
  res->locked = !job->p.no_lock;
  res->resumed = job->resumed;
  res->attempts = job->attempts;
  res->image = ec_tag_image_copy (job->intended);
  progress (job, EC_ISSUE_STAGE_DONE, _("Card issued"));
  g_task_return_pointer (task, res, (GDestroyNotify) ec_issue_result_free);
  g_object_unref (task);
}

/* ------------------------------------------------------------------------- */

void
ec_issue_card_async (EcReader            *reader,
                     const EcIssueParams *params,
                     EcIssueProgressFunc  progress_func,
                     gpointer             progress_data,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task;
  IssueJob *job;

  g_return_if_fail (EC_IS_READER (reader));
  g_return_if_fail (params != NULL && params->db != NULL && params->actor != NULL);
  g_return_if_fail (params->station_key != NULL && params->ring != NULL);

  task = g_task_new (reader, cancellable, callback, user_data);
  g_task_set_source_tag (task, ec_issue_card_async);
  job = g_new0 (IssueJob, 1);
  job->reader = g_object_ref (reader);
  job->p = *params;
  if (job->p.max_attempts == 0)
    job->p.max_attempts = 3;
  if (job->p.wait_ms == 0)
    job->p.wait_ms = 10000;
  job->progress = progress_func;
  job->progress_data = progress_data;
  g_task_set_task_data (task, job, (GDestroyNotify) issue_job_free);
  step_wait (task);
}

EcIssueResult *
ec_issue_card_finish (EcReader      *reader,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, reader), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sync_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

EcIssueResult *
ec_issue_card_sync (EcReader            *reader,
                    const EcIssueParams *params,
                    EcIssueProgressFunc  progress_func,
                    gpointer             progress_data,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  ec_issue_card_async (reader, params, progress_func, progress_data, cancellable, sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  return ec_issue_card_finish (reader, result, error);
}
