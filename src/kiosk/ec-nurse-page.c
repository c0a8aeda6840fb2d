/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-nurse-page"

#include "ec-nurse-page.h"

#include <adwaita.h>
#include <string.h>

#include "ec-db.h"
#include "ec-drugs.h"
#include "ec-i18n.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-strings.h"
#include "ec-kiosk-widgets.h"
#include "ec-record-view.h"

/* ------------------------------------------------------------------------- */
/* The context: the drug table and a database connection, for GTask threads. */

struct _EcNurseContext
{
  GObject       parent_instance;

  /* The table: loaded once under table_lock (by the start-up thread, or by the first
   * check if that comes first); table_ready is set atomically when it is there, so
   * the main loop can peek without waiting. */
  GMutex        table_lock;
  EcDrugTable  *table;
  gpointer      table_ready;
  GError       *table_error;      /* main loop only */

  /* Immutable after construction. */
  char         *db_path;
  EcRole        role;
  char         *actor_id;

  /* One connection, used by one worker at a time. */
  GMutex        db_lock;
  EcDb         *db;
};

G_DEFINE_FINAL_TYPE (EcNurseContext, ec_nurse_context, G_TYPE_OBJECT)

static void
ec_nurse_context_finalize (GObject *object)
{
  EcNurseContext *self = EC_NURSE_CONTEXT (object);

  g_clear_pointer (&self->db, ec_db_close);
  g_clear_pointer (&self->table, ec_drug_table_free);
  g_clear_error (&self->table_error);
  g_free (self->db_path);
  g_free (self->actor_id);
  g_mutex_clear (&self->table_lock);
  g_mutex_clear (&self->db_lock);
  G_OBJECT_CLASS (ec_nurse_context_parent_class)->finalize (object);
}

static void
ec_nurse_context_class_init (EcNurseContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ec_nurse_context_finalize;
}

static void
ec_nurse_context_init (EcNurseContext *self)
{
  g_mutex_init (&self->table_lock);
  g_mutex_init (&self->db_lock);
}

/* Any thread. Loads the table on first use and keeps it; a failed load is tried
 * again by the next caller (a table installed later needs no restart). */
static EcDrugTable *
context_get_table (EcNurseContext  *self,
                   GError         **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->table_lock);

  if (self->table == NULL)
    {
      self->table = ec_drug_table_load_default (error);
      if (self->table != NULL)
        g_atomic_pointer_set (&self->table_ready, self->table);
    }
  return self->table;
}

static void
table_load_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;

  if (context_get_table (source_object, &error) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
table_load_done_cb (GObject      *source,
                    GAsyncResult *res,
                    gpointer      user_data)
{
  EcNurseContext *self = EC_NURSE_CONTEXT (source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      g_warning ("the drug table cannot be loaded: %s", error->message);
      g_clear_error (&self->table_error);
      self->table_error = g_steal_pointer (&error);
    }
}

EcNurseContext *
ec_nurse_context_new (const EcConfig *config)
{
  EcNurseContext *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (EC_TYPE_NURSE_CONTEXT, NULL);
  self->db_path = g_strdup (config->db_path);
  self->role = config->role;
  self->actor_id = g_strdup (config->kiosk_id);

  task = g_task_new (self, NULL, table_load_done_cb, NULL);
  g_task_set_source_tag (task, ec_nurse_context_new);
  g_task_run_in_thread (task, table_load_worker);
  return self;
}

EcDrugTable *
ec_nurse_context_peek_table (EcNurseContext *self)
{
  g_return_val_if_fail (EC_IS_NURSE_CONTEXT (self), NULL);
  return g_atomic_pointer_get (&self->table_ready);
}

const GError *
ec_nurse_context_get_table_error (EcNurseContext *self)
{
  g_return_val_if_fail (EC_IS_NURSE_CONTEXT (self), NULL);
  return self->table_error;
}

/* Call with db_lock held. */
static EcDb *
context_get_db (EcNurseContext  *self,
                GError         **error)
{
  if (self->db == NULL)
    self->db = ec_db_open (self->db_path, EC_DB_OPEN_READ_WRITE, error);
  return self->db;
}

static gboolean
context_audit (EcNurseContext  *self,
               const char      *action,
               EcResidentId     resident_id,
               const char      *detail,
               GError         **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  EcActor actor = { self->role, self->actor_id };
  EcDb *db = context_get_db (self, error);

  return db != NULL
         && ec_db_audit_append (db, &actor, action, resident_id, EC_DB_PURPOSE_NURSE_CHECK, NULL,
                                detail, error);
}

typedef struct
{
  EcKioskResult *result;
  char          *drug_text;
} CheckData;

static void
check_data_free (CheckData *d)
{
  g_clear_pointer (&d->result, ec_kiosk_result_unref);
  g_free (d->drug_text);
  g_free (d);
}

static void
check_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  EcNurseContext *self = source_object;
  CheckData *d = task_data;
  g_autoptr(EcAllergyVerdict) verdict = NULL;
  g_autoptr(GError) audit_error = NULL;
  g_autofree char *detail = NULL;
  GError *error = NULL;
  EcDrugTable *table = context_get_table (self, &error);

  if (table == NULL
      || !ec_allergy_check (table, d->result->resident, d->drug_text, &verdict, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* The verdict is shown even if the audit log cannot take it: a nurse must see a
   * STOP. The failure is logged for the station. */
  detail = ec_allergy_verdict_audit_detail (verdict);
  if (!context_audit (self, "allergy-check", d->result->resident->id, detail, &audit_error))
    g_warning ("cannot audit an allergy check: %s", audit_error->message);
  g_task_return_pointer (task, g_steal_pointer (&verdict), (GDestroyNotify) ec_allergy_verdict_free);
}

void
ec_nurse_context_check_async (EcNurseContext      *self,
                              EcKioskResult       *result,
                              const char          *drug_text,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *d;

  g_return_if_fail (EC_IS_NURSE_CONTEXT (self));
  g_return_if_fail (result != NULL && result->resident != NULL);
  g_return_if_fail (drug_text != NULL);

  d = g_new0 (CheckData, 1);
  d->result = ec_kiosk_result_ref (result);
  d->drug_text = g_strdup (drug_text);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ec_nurse_context_check_async);
  g_task_set_task_data (task, d, (GDestroyNotify) check_data_free);
  g_task_run_in_thread (task, check_worker);
}

EcAllergyVerdict *
ec_nurse_context_check_finish (EcNurseContext  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  EcResidentId  resident_id;
  char         *action;
  char         *detail;
} RecordData;

static void
record_data_free (RecordData *d)
{
  g_free (d->action);
  g_free (d->detail);
  g_free (d);
}

static void
record_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RecordData *d = task_data;
  GError *error = NULL;

  if (!context_audit (source_object, d->action, d->resident_id, d->detail, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* A value for the audit detail: quoted, without quotes, backslashes or control
 * characters inside (typed text must not forge another key=value). */
static void
append_quoted (GString    *out,
               const char *key,
               const char *value)
{
  g_string_append_printf (out, "%s%s=\"", out->len > 0 ? " " : "", key);
  for (const char *p = value != NULL ? value : ""; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == '"' || c == '\\' || g_unichar_iscntrl (c))
        g_string_append_c (out, '\'');
      else
        g_string_append_unichar (out, c);
    }
  g_string_append_c (out, '"');
}

void
ec_nurse_context_record_async (EcNurseContext         *self,
                               EcResidentId            resident_id,
                               gboolean                given,
                               const EcAllergyVerdict *verdict,
                               const char             *dose,
                               const char             *nurse_id,
                               gint64                  at,
                               GCancellable           *cancellable,
                               GAsyncReadyCallback     callback,
                               gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *iso = NULL;
  GString *detail = g_string_new (NULL);
  RecordData *d;

  g_return_if_fail (EC_IS_NURSE_CONTEXT (self));
  g_return_if_fail (verdict != NULL);

  when = g_date_time_new_from_unix_local (at);
  iso = when != NULL ? g_date_time_format_iso8601 (when) : g_strdup_printf ("%" G_GINT64_FORMAT, at);
  g_string_append_printf (detail, "drug=%s", verdict->drug_id != NULL ? verdict->drug_id : "-");
  append_quoted (detail, "drug_text", verdict->drug_text);
  append_quoted (detail, "dose", dose);
  g_string_append_printf (detail, " at=%s", iso);
  append_quoted (detail, "nurse", nurse_id);
  g_string_append_printf (detail, " verdict=%s", ec_verdict_to_string (verdict->verdict));

  d = g_new0 (RecordData, 1);
  d->resident_id = resident_id;
  d->action = g_strdup (given ? "injection-given" : "injection-withheld");
  d->detail = g_string_free (detail, FALSE);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ec_nurse_context_record_async);
  g_task_set_task_data (task, d, (GDestroyNotify) record_data_free);
  g_task_run_in_thread (task, record_worker);
}

gboolean
ec_nurse_context_record_finish (EcNurseContext  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------- */
/* The page */

struct _EcNursePage
{
  GtkWidget          parent_instance;

  EcNurseContext    *context;
  EcKioskResult     *result;
  EcAllergyVerdict  *verdict;
  EcNursePageState   state;
  GCancellable      *cancellable;
  /* Bumped by every clear and every new check: older answers are dropped. */
  guint              generation;
  guint              n_suggestions;
  gboolean           recording;
  gboolean           recorded;
  gboolean           suppress_suggestions;
  GtkWidget         *confirm_dialog;   /* "given" after a STOP, while asked */

  /* Template children */
  GtkBox            *allergy_banner;
  GtkButton         *back_button;
  GtkButton         *check_button;
  GtkLabel          *disclaimer_label;
  GtkButton         *done_button;
  GtkEntry          *dose_entry;
  GtkEntry          *drug_entry;
  GtkLabel          *drug_status_label;
  GtkLabel          *drug_title;
  GtkLabel          *facts_label;
  GtkBox            *findings_box;
  GtkButton         *given_button;
  GtkButton         *lookup_button;
  GtkBox            *medications_box;
  GtkLabel          *medications_title;
  GtkLabel          *name_label;
  GtkBox            *notes_box;
  GtkBox            *notice_box;
  GtkEntry          *nurse_entry;
  GtkBox            *outcome_box;
  GtkLabel          *outcome_label;
  GtkPicture        *photo;
  GtkScrolledWindow *record_scrolled;
  GtkListBox        *suggestions_list;
  GtkLabel          *time_label;
  GtkButton         *verdict_done_button;
  GtkBox            *verdict_box;
  GtkLabel          *verdict_drug_label;
  GtkImage          *verdict_icon;
  GtkScrolledWindow *verdict_scrolled;
  GtkLabel          *verdict_title;
  GtkStack          *view_stack;
  GtkButton         *withheld_button;
};

G_DEFINE_FINAL_TYPE (EcNursePage, ec_nurse_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_DONE,
  SIGNAL_LOOKUP_REQUESTED,
  SIGNAL_RECORDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
chinese (void)
{
  return g_str_equal (ec_kiosk_i18n_get_language (), "zh");
}

static void
render_allergies (EcNursePage      *self,
                  const EcResident *r)
{
  EcAllergyStatus shown = r->allergy_status;

  /* "Recorded" with nothing listed is as good as unknown (the check says so too). */
  if (r->allergy_status != EC_ALLERGY_STATUS_NONE_KNOWN
      && (r->allergies == NULL || r->allergies->len == 0))
    shown = EC_ALLERGY_STATUS_UNKNOWN;
  ec_record_view_fill_allergy_banner (self->allergy_banner, shown, r->allergies);
}

static char *
describe_medication (const EcMedication *m)
{
  GString *line = g_string_new (m->name != NULL ? m->name : "?");
  g_autofree char *sched = ec_kiosk_schedule_label (m->slots);

  if (m->dose != NULL)
    g_string_append_printf (line, " %s", m->dose);
  if (m->route != NULL)
    g_string_append_printf (line, ", %s", m->route);
  if (sched != NULL)
    g_string_append_printf (line, " — %s", sched);
  if (m->schedule_text != NULL && *m->schedule_text)
    g_string_append_printf (line, " (%s)", m->schedule_text);
  return g_string_free (line, FALSE);
}

static void
render_record (EcNursePage *self)
{
  EcKioskResult *result = self->result;
  const EcResident *r = result->resident;
  g_autoptr(GString) name = g_string_new (r->name_zh != NULL ? r->name_zh : "?");
  g_autoptr(GString) facts = g_string_new (NULL);
  int age = ec_resident_age (r, NULL);

  if (result->source == EC_KIOSK_SOURCE_MANUAL)
    {
      g_autofree char *body = g_strdup_printf (_("Opened by manual search. Reason recorded: %s"),
                                               result->reason != NULL ? result->reason : "");
      gtk_box_append (self->notice_box,
                      ec_kiosk_make_notice ("ec-notice-source", "system-search-symbolic",
                                            _("No card: confirm who this is from the photo"), body));
    }
  if (result->card_outdated)
    gtk_box_append (self->notice_box,
                    ec_kiosk_make_notice ("ec-notice-warning", "document-open-recent-symbolic", _("Card out of date"),
                                          _("The record below is the newer one, from this kiosk's database.")));
  gtk_widget_set_visible (GTK_WIDGET (self->notice_box),
                          gtk_widget_get_first_child (GTK_WIDGET (self->notice_box)) != NULL);

  gtk_picture_set_paintable (self->photo, result->photo != NULL ? GDK_PAINTABLE (result->photo) : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->photo), result->photo != NULL);
  if (r->name_pinyin != NULL && *r->name_pinyin)
    g_string_append_printf (name, "  %s", r->name_pinyin);
  gtk_label_set_label (self->name_label, name->str);
  if (age >= 0)
    g_string_append_printf (facts, g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", (gulong) age), age);
  else
    g_string_append (facts, _("age unknown"));
  g_string_append_printf (facts, " · %s", ec_kiosk_sex_label (r->sex));
  gtk_label_set_label (self->facts_label, facts->str);

  render_allergies (self, r);

  if (r->medications == NULL || r->medications->len == 0)
    gtk_box_append (self->medications_box, ec_kiosk_make_label (_("None recorded"), "ec-item"));
  for (guint i = 0; r->medications != NULL && i < r->medications->len; i++)
    {
      g_autofree char *line = describe_medication (g_ptr_array_index (r->medications, i));
      g_autofree char *item = g_strconcat ("• ", line, NULL);
      gtk_box_append (self->medications_box, ec_kiosk_make_label (item, "ec-item"));
    }
}

/* ------------------------------------------------------------------------- */
/* The drug field */

static void
clear_suggestions (EcNursePage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->suggestions_list))) != NULL)
    gtk_list_box_remove (self->suggestions_list, child);
  self->n_suggestions = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->suggestions_list), FALSE);
}

static void
set_drug_status (EcNursePage *self,
                 const char  *text,
                 gboolean     is_error)
{
  gtk_label_set_label (self->drug_status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->drug_status_label), text != NULL && *text);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->drug_status_label), "ec-error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->drug_status_label), "ec-error");
}

static GtkWidget *
make_suggestion_row (const EcDrugSuggestion *s,
                     gboolean                zh)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  const char *main_text = zh ? s->display_zh : s->display_en;
  const char *other = zh ? s->display_en : s->display_zh;
  GtkWidget *label;

  label = gtk_label_new (main_text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "ec-suggestion-name");
  gtk_box_append (GTK_BOX (box), label);
  label = gtk_label_new (other);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "ec-suggestion-other");
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  /* What goes into the field when the row is touched: the drug's own name. */
  g_object_set_data_full (G_OBJECT (row), "ec-drug-name",
                          g_strdup (zh ? s->drug->name_zh : s->drug->name_en), g_free);
  return row;
}

static void
update_suggestions (EcNursePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->drug_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  EcDrugTable *table = ec_nurse_context_peek_table (self->context);
  const GError *table_error = ec_nurse_context_get_table_error (self->context);
  g_autoptr(GPtrArray) suggestions = NULL;
  gboolean zh = chinese ();

  clear_suggestions (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button),
                            *stripped != '\0' && self->state == EC_NURSE_PAGE_RECORD);
  if (table == NULL && table_error != NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("The drug table cannot be read (%s): compare the allergies "
                                                "above with the drug yourself."), table_error->message);
      set_drug_status (self, msg, TRUE);
      return;
    }
  if (table == NULL)
    {
      set_drug_status (self, *stripped ? _("The drug table is still loading…") : NULL, FALSE);
      return;
    }
  set_drug_status (self, NULL, FALSE);
  if (*stripped == '\0' || self->suppress_suggestions)
    return;
  suggestions = ec_drugs_suggest (table, stripped, 6);
  for (guint i = 0; i < suggestions->len; i++)
    {
      const EcDrugSuggestion *s = g_ptr_array_index (suggestions, i);
      /* The field already says exactly this drug: nothing to suggest. */
      if (suggestions->len == 1 && (g_str_equal (stripped, s->drug->name_zh)
                                    || g_ascii_strcasecmp (stripped, s->drug->name_en) == 0))
        break;
      gtk_list_box_append (self->suggestions_list, make_suggestion_row (s, zh));
      self->n_suggestions++;
    }
  /* Nothing starts with or contains what was typed: a misspelling? ("amoxcilin") */
  if (suggestions->len == 0)
    {
      g_autoptr(GPtrArray) near = ec_drugs_did_you_mean (table, stripped, 4);

      for (guint i = 0; i < near->len; i++)
        {
          gtk_list_box_append (self->suggestions_list, make_suggestion_row (g_ptr_array_index (near, i), zh));
          self->n_suggestions++;
        }
      if (near->len > 0)
        set_drug_status (self, _("Not in the drug table as typed. Did you mean:"), FALSE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->suggestions_list), self->n_suggestions > 0);
}

static void
on_drug_entry_changed_cb (EcNursePage *self,
                          GtkEntry    *entry)
{
  update_suggestions (self);
}

static void
on_suggestions_list_row_activated_cb (EcNursePage   *self,
                                      GtkListBoxRow *row,
                                      GtkListBox    *list)
{
  const char *name = g_object_get_data (G_OBJECT (row), "ec-drug-name");

  if (name == NULL)
    return;
  self->suppress_suggestions = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->drug_entry), name);
  gtk_editable_set_position (GTK_EDITABLE (self->drug_entry), -1);
  self->suppress_suggestions = FALSE;
  clear_suggestions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->check_button));
}

/* ------------------------------------------------------------------------- */
/* The verdict */

static const char *
verdict_title (EcVerdict v)
{
  switch (v)
    {
    case EC_VERDICT_STOP:
      return _("STOP — do not inject");
    case EC_VERDICT_CAUTION:
      return _("CAUTION — check before injecting");
    case EC_VERDICT_UNKNOWN_DRUG:
      return _("Not in the table: check manually");
    case EC_VERDICT_NO_RECORDED_CONFLICT:
    default:
      return _("No recorded conflict");
    }
}

static const char *
verdict_class (EcVerdict v)
{
  switch (v)
    {
    case EC_VERDICT_STOP:
      return "ec-verdict-stop";
    case EC_VERDICT_CAUTION:
      return "ec-verdict-caution";
    case EC_VERDICT_UNKNOWN_DRUG:
      return "ec-verdict-unknown";
    case EC_VERDICT_NO_RECORDED_CONFLICT:
    default:
      return "ec-verdict-clear";
    }
}

static const char *
verdict_icon (EcVerdict v)
{
  switch (v)
    {
    case EC_VERDICT_STOP:
      return "dialog-error-symbolic";
    case EC_VERDICT_CAUTION:
      return "dialog-warning-symbolic";
    case EC_VERDICT_UNKNOWN_DRUG:
      return "dialog-question-symbolic";
    case EC_VERDICT_NO_RECORDED_CONFLICT:
    default:
      return "dialog-information-symbolic";
    }
}

/* The word in front of each finding (never colour alone). */
static const char *
finding_level_label (EcVerdict level)
{
  switch (level)
    {
    case EC_VERDICT_STOP:
      return _("Stop");
    case EC_VERDICT_CAUTION:
      return _("Caution");
    case EC_VERDICT_UNKNOWN_DRUG:
      return _("Check manually");
    case EC_VERDICT_NO_RECORDED_CONFLICT:
    default:
      return _("Information");
    }
}

static GtkWidget *
make_sources (GPtrArray *sources)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (sources == NULL || sources->len == 0)
    return NULL;
  for (guint i = 0; i < sources->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "\n" : "", (const char *) g_ptr_array_index (sources, i));
  {
    g_autofree char *line = g_strdup_printf (_("Source: %s"), text->str);
    return ec_kiosk_make_label (line, "ec-finding-source");
  }
}

static GtkWidget *
make_finding (const EcAllergyFinding *f,
              gboolean                zh)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  g_autofree char *what = NULL;
  g_autofree char *title = NULL;
  const char *reason = zh ? f->reason_zh : f->reason_en;
  const char *matched = zh ? f->matched_zh : f->matched_en;
  GtkWidget *sources;

  if (f->allergy != NULL)
    {
      g_autofree char *a = ec_record_view_describe_allergy (f->allergy);
      what = g_strdup_printf (_("allergy %s"), a);
    }
  else if (f->medication != NULL)
    {
      g_autofree char *m = describe_medication (f->medication);
      what = g_strdup_printf (_("current medication %s"), m);
    }
  else if (matched != NULL)
    what = g_strdup (matched);
  /* "Stop: allergy 青霉素 — HIGH RISK — …", the level word first. */
  title = what != NULL ? g_strdup_printf (_("%s: %s"), finding_level_label (f->level), what)
                       : g_strdup (finding_level_label (f->level));
  gtk_box_append (GTK_BOX (box), ec_kiosk_make_label (title, "ec-finding-title"));
  if (matched != NULL && (f->allergy != NULL || f->medication != NULL))
    {
      g_autofree char *via = g_strdup_printf (_("Linked by: %s"), matched);
      gtk_box_append (GTK_BOX (box), ec_kiosk_make_label (via, "ec-finding-reason"));
    }
  if (reason != NULL && *reason)
    gtk_box_append (GTK_BOX (box), ec_kiosk_make_label (reason, "ec-finding-reason"));
  if ((sources = make_sources (f->sources)) != NULL)
    gtk_box_append (GTK_BOX (box), sources);
  gtk_widget_add_css_class (box, "ec-finding");
  return box;
}

static void
update_outcome_buttons (EcNursePage *self)
{
  g_autofree char *nurse = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->nurse_entry))));
  g_autofree char *dose = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->dose_entry))));
  gboolean can = self->state == EC_NURSE_PAGE_VERDICT && !self->recording && !self->recorded && *nurse != '\0';

  /* Who, always; how much, when it was given. "Injection withheld", the safe action,
   * is never greyed out after a verdict: pressed without a nurse ID it asks for one. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->given_button), can && *dose != '\0');
  gtk_widget_set_sensitive (GTK_WIDGET (self->withheld_button),
                            self->state == EC_NURSE_PAGE_VERDICT && !self->recording && !self->recorded);
}

static void
on_nurse_entry_changed_cb (EcNursePage *self,
                           GtkEntry    *entry)
{
  if (entry == self->nurse_entry && *gtk_editable_get_text (GTK_EDITABLE (entry)) != '\0')
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  update_outcome_buttons (self);
}

static void
render_verdict (EcNursePage *self)
{
  const EcAllergyVerdict *v = self->verdict;
  gboolean zh = chinese ();
  g_autoptr(GString) drug = g_string_new (NULL);
  g_autofree char *now = ec_kiosk_format_time (g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *time_text = NULL;
  static const char *classes[] = { "ec-verdict-stop", "ec-verdict-caution", "ec-verdict-unknown", "ec-verdict-clear" };

  for (gsize i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->verdict_box), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->verdict_box), verdict_class (v->verdict));
  gtk_image_set_from_icon_name (self->verdict_icon, verdict_icon (v->verdict));
  gtk_label_set_label (self->verdict_title, verdict_title (v->verdict));

  /* What was checked, for whom. */
  if (v->drug_id != NULL)
    {
      g_string_append_printf (drug, _("Drug checked: %s (%s)"), zh ? v->drug_name_zh : v->drug_name_en,
                              zh ? v->drug_name_en : v->drug_name_zh);
      if (v->match != EC_DRUG_MATCH_EXACT)
        {
          g_string_append_c (drug, '\n');
          g_string_append_printf (drug, _("Read from “%s”: make sure this is the drug."), v->drug_text);
        }
    }
  else
    {
      g_string_append_printf (drug, _("You entered: “%s”"), v->drug_text);
      if (v->candidate_checks != NULL && v->candidate_checks->len > 0)
        {
          /* Each product the name fits with its own result; the headline is the worst. */
          g_autoptr(GString) list = g_string_new (NULL);
          for (guint i = 0; i < v->candidate_checks->len; i++)
            {
              const EcAllergyCandidate *c = g_ptr_array_index (v->candidate_checks, i);
              g_string_append_printf (list, "\n• %s (%s): %s", zh ? c->name_zh : c->name_en,
                                      zh ? c->name_en : c->name_zh,
                                      c->verdict == EC_VERDICT_NO_RECORDED_CONFLICT ? _("No recorded conflict")
                                                                                    : finding_level_label (c->verdict));
            }
          g_string_append_c (drug, '\n');
          g_string_append (drug, _("It fits several products. The worst result is shown until you pick one: "
                                   "enter the product's full name."));
          g_string_append (drug, list->str);
        }
      else
        {
          g_string_append_c (drug, '\n');
          g_string_append (drug, _("Compare it with the allergies and medications yourself."));
        }
    }
  if (self->result != NULL && self->result->resident->name_zh != NULL)
    {
      g_string_append_c (drug, '\n');
      g_string_append_printf (drug, _("Resident: %s"), self->result->resident->name_zh);
    }
  gtk_label_set_label (self->verdict_drug_label, drug->str);

  ec_kiosk_box_remove_all (self->findings_box);
  for (guint i = 0; v->findings != NULL && i < v->findings->len; i++)
    gtk_box_append (self->findings_box, make_finding (g_ptr_array_index (v->findings, i), zh));
  if (v->verdict == EC_VERDICT_UNKNOWN_DRUG && self->result != NULL)
    {
      /* "Check manually" needs what to check against on the same screen: recorded
       * allergies are findings already (and "unknown" is one); "none known" and the
       * medications are not. */
      const EcResident *r = self->result->resident;
      g_autoptr(GString) meds = g_string_new (_("Current medications"));

      if (r->allergy_status == EC_ALLERGY_STATUS_NONE_KNOWN)
        gtk_box_append (self->findings_box, ec_kiosk_make_label (_("No known allergies"), "ec-finding-title"));
      for (guint i = 0; r->medications != NULL && i < r->medications->len; i++)
        {
          g_autofree char *m = describe_medication (g_ptr_array_index (r->medications, i));
          g_string_append_printf (meds, "\n• %s", m);
        }
      if (r->medications == NULL || r->medications->len == 0)
        g_string_append_printf (meds, "\n%s", _("None recorded"));
      gtk_box_append (self->findings_box, ec_kiosk_make_label (meds->str, "ec-finding-reason"));
    }
  if (v->verdict == EC_VERDICT_NO_RECORDED_CONFLICT)
    gtk_box_append (self->findings_box,
                    ec_kiosk_make_label (_("Nothing recorded for this resident conflicts with this drug. "
                                  "This does not mean the drug is safe."), "ec-finding-reason"));
  gtk_widget_set_visible (GTK_WIDGET (self->findings_box),
                          gtk_widget_get_first_child (GTK_WIDGET (self->findings_box)) != NULL);

  ec_kiosk_box_remove_all (self->notes_box);
  for (guint i = 0; v->notes != NULL && i < v->notes->len; i++)
    {
      const EcAllergyNote *n = g_ptr_array_index (v->notes, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      g_autofree char *text = g_strdup_printf (_("Local practice: %s"), zh ? n->text_zh : n->text_en);
      GtkWidget *sources = make_sources (n->sources);

      gtk_box_append (GTK_BOX (box), ec_kiosk_make_label (text, "ec-finding-reason"));
      if (sources != NULL)
        gtk_box_append (GTK_BOX (box), sources);
      gtk_widget_add_css_class (box, "ec-verdict-note");
      gtk_box_append (self->notes_box, box);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->notes_box),
                          gtk_widget_get_first_child (GTK_WIDGET (self->notes_box)) != NULL);

  gtk_label_set_label (self->disclaimer_label, zh ? EC_ALLERGY_DISCLAIMER_ZH : EC_ALLERGY_DISCLAIMER_EN);

  /* The outcome: the dose is per injection, the nurse id stays for this resident. */
  gtk_editable_set_text (GTK_EDITABLE (self->dose_entry), "");
  gtk_entry_set_placeholder_text (self->nurse_entry, _("Your nurse ID"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->nurse_entry), "error");
  time_text = g_strdup_printf (_("Time: now (%s)"), now);
  gtk_label_set_label (self->time_label, time_text);
  gtk_label_set_label (self->outcome_label, "");
  self->recording = FALSE;
  self->recorded = FALSE;
  /* After STOP the safe action is the prominent one, and first: "Injection withheld"
   * stands out; "Injection given" is plain (and asks again). */
  {
    GtkWidget *given = GTK_WIDGET (self->given_button), *withheld = GTK_WIDGET (self->withheld_button);
    GtkWidget *box = gtk_widget_get_parent (given);
    gboolean stop = v->verdict == EC_VERDICT_STOP;

    gtk_widget_remove_css_class (given, "destructive-action");
    if (stop)
      {
        gtk_widget_add_css_class (withheld, "suggested-action");
        gtk_widget_add_css_class (withheld, "ec-safe-action");
        gtk_widget_add_css_class (given, "ec-unsafe-action");
        gtk_box_reorder_child_after (GTK_BOX (box), withheld, gtk_widget_get_prev_sibling (given));
      }
    else
      {
        gtk_widget_remove_css_class (withheld, "suggested-action");
        gtk_widget_remove_css_class (withheld, "ec-safe-action");
        gtk_widget_remove_css_class (given, "ec-unsafe-action");
        gtk_box_reorder_child_after (GTK_BOX (box), withheld, given);
      }
  }
  update_outcome_buttons (self);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->verdict_scrolled), 0);
}

typedef struct
{
  EcNursePage *self;   /* a reference */
  guint        generation;
  gboolean     given;
  gint64       at;
  char        *nurse_id;
} CallbackData;

static CallbackData *
callback_data_new (EcNursePage *self)
{
  CallbackData *cd = g_new0 (CallbackData, 1);

  cd->self = g_object_ref (self);
  cd->generation = self->generation;
  return cd;
}

static void
callback_data_free (CallbackData *cd)
{
  g_object_unref (cd->self);
  g_free (cd->nurse_id);
  g_free (cd);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CallbackData, callback_data_free)

static void
set_state (EcNursePage      *self,
           EcNursePageState  state)
{
  self->state = state;
  gtk_stack_set_visible_child_name (self->view_stack, state == EC_NURSE_PAGE_VERDICT ? "verdict" : "record");
  gtk_button_set_label (self->check_button, state == EC_NURSE_PAGE_CHECKING ? _("Checking…") : _("Check"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->drug_entry), state == EC_NURSE_PAGE_RECORD);
  if (state != EC_NURSE_PAGE_RECORD)
    gtk_widget_set_sensitive (GTK_WIDGET (self->check_button), FALSE);
  else
    update_suggestions (self);
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(CallbackData) cd = user_data;
  EcNursePage *self = cd->self;
  g_autoptr(GError) error = NULL;
  EcAllergyVerdict *verdict = ec_nurse_context_check_finish (EC_NURSE_CONTEXT (source), res, &error);

  if (cd->generation != self->generation)
    {
      g_clear_pointer (&verdict, ec_allergy_verdict_free);
      return;
    }
  if (verdict == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("The check could not run (%s): compare the allergies above "
                                                "with the drug yourself."), error->message);
      set_state (self, EC_NURSE_PAGE_RECORD);
      set_drug_status (self, msg, TRUE);
      return;
    }
  g_clear_pointer (&self->verdict, ec_allergy_verdict_free);
  self->verdict = verdict;
  set_state (self, EC_NURSE_PAGE_VERDICT);
  render_verdict (self);
}

static void
start_check (EcNursePage *self)
{
  g_autofree char *text = NULL;

  if (self->state != EC_NURSE_PAGE_RECORD || self->result == NULL)
    return;
  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->drug_entry))));
  if (*text == '\0')
    return;
  clear_suggestions (self);
  set_state (self, EC_NURSE_PAGE_CHECKING);
  self->generation++;
  ec_nurse_context_check_async (self->context, self->result, text, self->cancellable,
                                check_done_cb, callback_data_new (self));
}

static void
on_check_button_clicked_cb (EcNursePage *self,
                            GtkButton   *button)
{
  start_check (self);
}

static void
on_drug_entry_activate_cb (EcNursePage *self,
                           GtkEntry    *entry)
{
  start_check (self);
}

static void
record_done_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(CallbackData) cd = user_data;
  EcNursePage *self = cd->self;
  g_autoptr(GError) error = NULL;
  gboolean ok = ec_nurse_context_record_finish (EC_NURSE_CONTEXT (source), res, &error);

  if (!ok)
    g_warning ("cannot record an injection outcome: %s", error->message);
  if (cd->generation != self->generation)
    return;
  self->recording = FALSE;
  if (ok)
    {
      g_autofree char *when = ec_kiosk_format_time (cd->at);
      g_autofree char *msg = g_strdup_printf (cd->given
                                              ? _("Recorded in the audit log: injection given, %s, nurse %s.")
                                              : _("Recorded in the audit log: injection withheld, %s, nurse %s."),
                                              when, cd->nurse_id);
      self->recorded = TRUE;
      gtk_label_set_label (self->outcome_label, msg);
      g_signal_emit (self, signals[SIGNAL_RECORDED], 0, cd->given);
    }
  else
    {
      g_autofree char *msg = g_strdup_printf (_("Not recorded (%s). Try again, or write it on paper."),
                                              error->message);
      gtk_label_set_label (self->outcome_label, msg);
    }
  update_outcome_buttons (self);
}

static void
record_outcome (EcNursePage *self,
                gboolean     given)
{
  g_autofree char *dose = NULL;
  CallbackData *cd;

  if (self->state != EC_NURSE_PAGE_VERDICT || self->recording || self->recorded || self->verdict == NULL)
    return;
  dose = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->dose_entry))));
  cd = callback_data_new (self);
  cd->given = given;
  cd->at = g_get_real_time () / G_USEC_PER_SEC;
  cd->nurse_id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->nurse_entry))));
  if (*cd->nurse_id == '\0' || (given && *dose == '\0'))
    {
      callback_data_free (cd);
      return;
    }
  self->recording = TRUE;
  update_outcome_buttons (self);
  gtk_label_set_label (self->outcome_label, _("Recording…"));
  /* Not cancellable: once the nurse pressed it, the outcome is written even if the
   * screen clears meanwhile. */
  ec_nurse_context_record_async (self->context, self->result->resident->id, given, self->verdict,
                                 dose, cd->nurse_id, cd->at, NULL, record_done_cb, cd);
}

static void
on_confirm_given_response_cb (AdwMessageDialog *dialog,
                              const char       *response,
                              gpointer          user_data)
{
  CallbackData *cd = user_data;
  EcNursePage *self = cd->self;

  if (self->confirm_dialog == GTK_WIDGET (dialog))
    self->confirm_dialog = NULL;
  if (cd->generation == self->generation && g_str_equal (response, "given"))
    record_outcome (self, TRUE);
}

static void
on_given_button_clicked_cb (EcNursePage *self,
                            GtkButton   *button)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  if (self->verdict == NULL || self->verdict->verdict != EC_VERDICT_STOP || !GTK_IS_WINDOW (root))
    {
      record_outcome (self, TRUE);
      return;
    }
  /* The nurse's judgement decides, but after a STOP the record of an injection given
   * is asked for twice. */
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (root), _("The check said STOP"),
                                                       _("Record that the injection was given anyway? "
                                                         "Only if the prescriber has confirmed it.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "given", _("Record as given"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "given", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_confirm_given_response_cb),
                         callback_data_new (self), (GClosureNotify) (void (*) (void)) callback_data_free, 0);
  self->confirm_dialog = GTK_WIDGET (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_withheld_button_clicked_cb (EcNursePage *self,
                               GtkButton   *button)
{
  g_autofree char *nurse = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->nurse_entry))));

  if (*nurse == '\0')
    {
      /* Asks for the ID where it is typed: the field, marked, with the keyboard in it. */
      gtk_entry_set_placeholder_text (self->nurse_entry, _("Type your nurse ID first"));
      gtk_widget_add_css_class (GTK_WIDGET (self->nurse_entry), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->nurse_entry));
      return;
    }
  record_outcome (self, FALSE);
}

static void
on_back_button_clicked_cb (EcNursePage *self,
                           GtkButton   *button)
{
  if (self->result == NULL)
    return;
  g_clear_pointer (&self->verdict, ec_allergy_verdict_free);
  self->generation++;
  set_state (self, EC_NURSE_PAGE_RECORD);
  gtk_editable_set_text (GTK_EDITABLE (self->drug_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->drug_entry));
}

static void
on_done_button_clicked_cb (EcNursePage *self,
                           GtkButton   *button)
{
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

static void
on_lookup_button_clicked_cb (EcNursePage *self,
                             GtkButton   *button)
{
  g_signal_emit (self, signals[SIGNAL_LOOKUP_REQUESTED], 0);
}

/* ------------------------------------------------------------------------- */

static void
ec_nurse_page_dispose (GObject *object)
{
  EcNursePage *self = EC_NURSE_PAGE (object);

  /* Answers still on their way (they hold a reference) find the widgets gone. */
  self->generation++;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->confirm_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->confirm_dialog)));
  g_clear_pointer (&self->result, ec_kiosk_result_unref);
  g_clear_pointer (&self->verdict, ec_allergy_verdict_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_NURSE_PAGE);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (ec_nurse_page_parent_class)->dispose (object);
}

static void
ec_nurse_page_class_init (EcNursePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ec_nurse_page_dispose;

  signals[SIGNAL_DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_LOOKUP_REQUESTED] =
    g_signal_new ("lookup-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_RECORDED] =
    g_signal_new ("recorded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (ADW_TYPE_CLAMP);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-nurse-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, allergy_banner);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, back_button);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, check_button);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, disclaimer_label);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, done_button);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, dose_entry);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, drug_entry);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, drug_status_label);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, drug_title);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, facts_label);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, findings_box);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, given_button);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, lookup_button);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, medications_box);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, medications_title);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, name_label);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, notes_box);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, notice_box);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, nurse_entry);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, outcome_box);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, outcome_label);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, photo);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, record_scrolled);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, suggestions_list);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, time_label);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, verdict_done_button);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, verdict_box);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, verdict_drug_label);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, verdict_icon);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, verdict_scrolled);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, verdict_title);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, EcNursePage, withheld_button);
  gtk_widget_class_bind_template_callback (widget_class, on_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_check_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_done_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_drug_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_drug_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_given_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_lookup_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_nurse_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_suggestions_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_withheld_button_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ec-nurse-page");
}

static void
ec_nurse_page_init (EcNursePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_widget_set_visible (GTK_WIDGET (self->suggestions_list), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->drug_status_label), FALSE);
}

GtkWidget *
ec_nurse_page_new (EcNurseContext *context)
{
  EcNursePage *self;

  g_return_val_if_fail (EC_IS_NURSE_CONTEXT (context), NULL);

  self = g_object_new (EC_TYPE_NURSE_PAGE, NULL);
  self->context = g_object_ref (context);
  return GTK_WIDGET (self);
}

void
ec_nurse_page_clear (EcNursePage *self)
{
  g_return_if_fail (EC_IS_NURSE_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  if (self->confirm_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->confirm_dialog)));
  g_clear_pointer (&self->result, ec_kiosk_result_unref);
  g_clear_pointer (&self->verdict, ec_allergy_verdict_free);
  self->recording = self->recorded = FALSE;

  ec_kiosk_box_remove_all (self->notice_box);
  ec_kiosk_box_remove_all (self->allergy_banner);
  ec_kiosk_box_remove_all (self->medications_box);
  ec_kiosk_box_remove_all (self->findings_box);
  ec_kiosk_box_remove_all (self->notes_box);
  clear_suggestions (self);
  gtk_picture_set_paintable (self->photo, NULL);
  gtk_label_set_label (self->name_label, "");
  gtk_label_set_label (self->facts_label, "");
  gtk_label_set_label (self->verdict_title, "");
  gtk_label_set_label (self->verdict_drug_label, "");
  gtk_label_set_label (self->outcome_label, "");
  self->state = EC_NURSE_PAGE_EMPTY;
  self->suppress_suggestions = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->drug_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->dose_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->nurse_entry), "");
  self->suppress_suggestions = FALSE;
  set_drug_status (self, NULL, FALSE);
  set_state (self, EC_NURSE_PAGE_EMPTY);
}

void
ec_nurse_page_set_result (EcNursePage   *self,
                          EcKioskResult *result)
{
  g_return_if_fail (EC_IS_NURSE_PAGE (self));
  g_return_if_fail (result != NULL && result->resident != NULL);

  if (self->result == result)
    return;   /* the same record re-rendered: keep the nurse's work on it */
  ec_nurse_page_clear (self);
  self->result = ec_kiosk_result_ref (result);
  render_record (self);
  set_state (self, EC_NURSE_PAGE_RECORD);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->record_scrolled), 0);
}

EcNursePageState
ec_nurse_page_get_state (EcNursePage *self)
{
  g_return_val_if_fail (EC_IS_NURSE_PAGE (self), EC_NURSE_PAGE_EMPTY);
  return self->state;
}

const EcAllergyVerdict *
ec_nurse_page_get_verdict (EcNursePage *self)
{
  g_return_val_if_fail (EC_IS_NURSE_PAGE (self), NULL);
  return self->state == EC_NURSE_PAGE_VERDICT ? self->verdict : NULL;
}

guint
ec_nurse_page_get_n_suggestions (EcNursePage *self)
{
  g_return_val_if_fail (EC_IS_NURSE_PAGE (self), 0);
  return self->n_suggestions;
}
