/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-station"

#include "ec-station-page.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ec-card-face.h"
#include "ec-i18n.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-strings.h"
#include "ec-station-editor.h"

#define PIN_MAX 12

struct _EcStationPage
{
  GtkBox            parent_instance;

  EcStationContext *context;
  GCancellable     *cancellable;      /* the current operation; cancelled on sign-out */
  GCancellable     *search_cancellable; /* the search as typed: a newer one replaces it */
  char              pin[PIN_MAX + 1]; /* wiped after every attempt */
  guint             pin_len;

  /* The resident on screen (identity only) and their cards. */
  EcResidentId      resident_id;
  char             *resident_name;
  char             *active_uid;       /* the resident's active card, or NULL */
  gboolean          issue_replace_lost;
  char             *issued_uid;
  char             *retry_uid;        /* pulled away half-written: Retry wants it back */
  char             *spoiled_note;     /* said until the issuance ends: a card given up */
  enum { AFTER_KEY_NONE, AFTER_KEY_ISSUE } after_key;
  EcStationAudit   *audit;
  GtkWidget        *editor;
  GtkPrintOperation *print_op;        /* while printing */
  EcResident       *print_resident;
  char             *print_export;     /* print into this PDF instead of the dialog (tests) */
  char             *staff_id;         /* who is signed in (the draft is kept for them) */
  guint             idle_tick;        /* the countdown before the idle sign-out */
  guint             lock_tick;        /* the lockout countdown on the sign-in page */
  gint64            lock_until;       /* context time when the locked staff id may try */
  char             *lock_text;        /* the staff id that is locked */

  /* Template children */
  GtkButton        *audit_apply_button;
  GtkButton        *audit_back_button;
  GtkButton        *audit_button;
  GtkLabel         *audit_chain_label;
  GtkButton        *audit_export_button;
  GtkListBox       *audit_list;
  GtkLabel         *audit_message;
  GtkEntry         *audit_resident_entry;
  GtkEntry         *audit_since_entry;
  GtkEntry         *audit_staff_entry;
  GtkEntry         *audit_until_entry;
  GtkButton        *back_button;
  GtkListBox       *cards_list;
  GtkButton        *edit_button;
  GtkButton        *exit_button;
  GtkLabel         *home_message;
  GtkWidget        *idle_bar;
  GtkLabel         *idle_label;
  GtkButton        *issue_button;
  GtkButton        *issue_cancel_button;
  GtkButton        *issue_done_button;
  GtkLabel         *issue_hint;
  GtkLabel         *issue_message;
  GtkLabel         *issue_result;
  GtkSpinner       *issue_spinner;
  GtkLabel         *issue_title;
  GtkButton        *key_cancel_button;
  GtkLabel         *key_message;
  GtkSpinner       *key_spinner;
  GtkGrid          *keypad;
  GtkButton        *new_resident_button;
  GtkButton        *other_card_button;
  AdwPasswordEntryRow *passphrase_row;
  GtkButton        *pdf_button;
  GtkLabel         *pin_label;
  GtkButton        *print_button;
  GtkButton        *replace_damaged_button;
  GtkButton        *replace_lost_button;
  GtkLabel         *resident_info;
  GtkLabel         *resident_message;
  GtkLabel         *resident_name_label;
  GtkListBox       *results;
  GtkButton        *retry_button;
  GtkButton        *revoke_button;
  GtkSearchEntry   *search_entry;
  GtkWidget        *session_bar;
  GtkLabel         *session_label;
  GtkButton        *signin_button;
  GtkLabel         *signin_message;
  GtkSpinner       *signin_spinner;
  GtkButton        *signout_button;
  GtkButton        *stay_button;
  GtkLabel         *stage_lock;
  GtkLabel         *stage_verify;
  GtkLabel         *stage_write;
  GtkEntry         *staff_entry;
  GtkStack         *stack;
  GtkButton        *unlock_button;
};

G_DEFINE_FINAL_TYPE (EcStationPage, ec_station_page, GTK_TYPE_BOX)

enum { EXIT_REQUESTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void refresh_resident (EcStationPage *self);
static void start_issue (EcStationPage *self);

/* ------------------------------------------------------------------------- */
/* Small helpers */

static void
show (EcStationPage *self,
      const char    *screen)
{
  gtk_stack_set_visible_child_name (self->stack, screen);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
renew_cancellable (EcStationPage *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->search_cancellable != NULL)
    g_cancellable_cancel (self->search_cancellable);
}

static void
set_message (GtkLabel   *label,
             const char *text,
             gboolean    problem)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text);
  if (problem)
    gtk_widget_add_css_class (GTK_WIDGET (label), "ec-station-problem");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "ec-station-problem");
}

static const char *
card_status_label (EcCardStatus status)
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

/* A wrong answer from a task cancelled because we moved on is not worth showing. */
static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         || g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_CANCELLED);
}

/* ------------------------------------------------------------------------- */
/* The session bar */

static void
render_session (EcStationPage *self)
{
  const EcStaffSession *s = ec_station_context_get_session (self->context);

  gtk_widget_set_visible (self->session_bar, s != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->audit_button), ec_station_context_is_admin (self->context));
  if (s != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Signed in: %s (%s, %s)"), s->name != NULL ? s->name : s->staff_id,
                                               s->staff_id, ec_kiosk_role_label (s->role));
      gtk_label_set_label (self->session_label, text);
    }
}

/* ------------------------------------------------------------------------- */
/* Sign-in */

static void
render_pin (EcStationPage *self)
{
  g_autoptr(GString) dots = g_string_new (NULL);

  for (guint i = 0; i < MAX (self->pin_len, 6u); i++)
    {
      if (i > 0)
        g_string_append_c (dots, ' ');
      g_string_append (dots, i < self->pin_len ? "●" : "○");
    }
  gtk_label_set_label (self->pin_label, dots->str);
}

static void
clear_pin (EcStationPage *self)
{
  sodium_memzero (self->pin, sizeof self->pin);
  self->pin_len = 0;
  render_pin (self);
}

static void
on_key_clicked_cb (GtkButton *button,
                   gpointer   user_data)
{
  EcStationPage *self = user_data;
  const char *key = g_object_get_data (G_OBJECT (button), "ec-key");

  if (g_str_equal (key, "clear"))
    clear_pin (self);
  else if (g_str_equal (key, "back"))
    {
      if (self->pin_len > 0)
        self->pin[--self->pin_len] = '\0';
      render_pin (self);
    }
  else if (self->pin_len < PIN_MAX)
    {
      self->pin[self->pin_len++] = key[0];
      render_pin (self);
    }
}

void
ec_station_page_press_keys (EcStationPage *self,
                            const char    *digits)
{
  g_return_if_fail (EC_IS_STATION_PAGE (self));

  for (const char *p = digits; *p; p++)
    if (g_ascii_isdigit (*p) && self->pin_len < PIN_MAX)
      self->pin[self->pin_len++] = *p;
  render_pin (self);
}

static void
build_keypad (EcStationPage *self)
{
  static const char *keys[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkWidget *b;

      if (g_str_equal (keys[i], "clear"))
        b = gtk_button_new_with_label (_("Clear"));
      else if (g_str_equal (keys[i], "back"))
        {
          b = gtk_button_new_from_icon_name ("edit-clear-symbolic");
          gtk_widget_set_tooltip_text (b, _("Delete the last digit"));
        }
      else
        b = gtk_button_new_with_label (keys[i]);
      g_object_set_data (G_OBJECT (b), "ec-key", (gpointer) keys[i]);
      gtk_widget_add_css_class (b, "ec-station-key");
      g_signal_connect (b, "clicked", G_CALLBACK (on_key_clicked_cb), self);
      gtk_grid_attach (self->keypad, b, (int) (i % 3), (int) (i / 3), 1, 1);
    }
}

static void
go_home (EcStationPage *self)
{
  render_session (self);
  show (self, "home");
  /* An empty search lists the residents (identity only). */
  g_signal_emit_by_name (self->search_entry, "search-changed");
}

/* ---- the countdown before the idle sign-out ---- */

/* Seconds before the idle sign-out at which the warning shows: a minute, or a fifth
 * of a shorter timeout. */
static gint64
warn_before (EcStationPage *self)
{
  const EcStaffSession *s = ec_station_context_get_session (self->context);
  gint64 timeout = s != NULL ? s->idle_timeout : EC_STAFF_IDLE_TIMEOUT;

  return MIN (60, MAX (timeout / 5, 5));
}

static void
render_idle (EcStationPage *self)
{
  gint64 left = ec_station_context_remaining (self->context);
  gboolean warn = ec_station_context_get_session (self->context) != NULL && left <= warn_before (self);

  if (warn)
    {
      g_autofree char *text = NULL;

      if (g_strcmp0 (ec_station_page_get_screen (self), "edit") == 0)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Nobody has touched the screen for a while: you will be signed out in "
                                             "%d second. What you typed is kept for you and comes back when you "
                                             "sign in again.",
                                             "Nobody has touched the screen for a while: you will be signed out in "
                                             "%d seconds. What you typed is kept for you and comes back when you "
                                             "sign in again.", (gulong) MAX (left, 0)),
                                (int) MAX (left, 0));
      else
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Nobody has touched the screen for a while: you will be signed out in "
                                             "%d second. Touch the screen to stay signed in.",
                                             "Nobody has touched the screen for a while: you will be signed out in "
                                             "%d seconds. Touch the screen to stay signed in.", (gulong) MAX (left, 0)),
                                (int) MAX (left, 0));
      gtk_label_set_label (self->idle_label, text);
    }
  gtk_widget_set_visible (self->idle_bar, warn);
}

static gboolean
idle_tick_cb (gpointer data)
{
  EcStationPage *self = data;

  if (ec_station_context_get_session (self->context) == NULL)
    {
      self->idle_tick = 0;
      gtk_widget_set_visible (self->idle_bar, FALSE);
      return G_SOURCE_REMOVE;
    }
  render_idle (self);
  return G_SOURCE_CONTINUE;
}

static void
start_idle_tick (EcStationPage *self)
{
  if (self->idle_tick == 0)
    self->idle_tick = g_timeout_add (500, idle_tick_cb, self);
  render_idle (self);
}

static void
on_stay_button_clicked_cb (EcStationPage *self,
                           GtkButton     *button)
{
  ec_station_context_touch (self->context);
  render_idle (self);
}

/* ---- the form kept at sign-out ---- */

static void
keep_draft (EcStationPage *self)
{
  EcStationDraft *draft;

  if (self->editor == NULL || self->staff_id == NULL
      || g_strcmp0 (ec_station_page_get_screen (self), "edit") != 0)
    return;
  draft = ec_station_editor_take_draft (EC_STATION_EDITOR (self->editor));
  if (draft != NULL)
    ec_station_context_keep_draft (self->context, self->staff_id, draft, (GDestroyNotify) ec_station_draft_free);
}

static void
restore_draft (EcStationPage *self)
{
  EcStationDraft *draft = ec_station_context_take_draft (self->context, self->staff_id);

  if (draft == NULL)
    return;
  self->resident_id = ec_station_draft_get_resident_id (draft);
  ec_station_editor_restore_draft (EC_STATION_EDITOR (self->editor), draft);
  show (self, "edit");
  ec_station_editor_focus_first (EC_STATION_EDITOR (self->editor));
}

/* ---- the lockout countdown ---- */

static gboolean
lock_tick_cb (gpointer data)
{
  EcStationPage *self = data;
  gint64 left = self->lock_until - ec_station_context_now (self->context);
  g_autofree char *text = NULL;

  if (left <= 0)
    {
      self->lock_tick = 0;
      set_message (self->signin_message, _("You can type your PIN again now."), FALSE);
      return G_SOURCE_REMOVE;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Too many wrong PINs: sign-in for %s is locked. Try again in %d second.",
                                       "Too many wrong PINs: sign-in for %s is locked. Try again in %d seconds.",
                                       (gulong) left),
                          self->lock_text != NULL ? self->lock_text : "", (int) left);
  set_message (self->signin_message, text, TRUE);
  return G_SOURCE_CONTINUE;
}

static void
lockout_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 seconds = ec_station_context_lockout_finish (self->context, result, &error);

  if (seconds <= 0 || ec_station_context_get_session (self->context) != NULL)
    return;
  self->lock_until = ec_station_context_now (self->context) + seconds;
  g_clear_handle_id (&self->lock_tick, g_source_remove);
  self->lock_tick = g_timeout_add (500, lock_tick_cb, self);
  lock_tick_cb (self);
}

static void
sign_in_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;

  gtk_spinner_stop (self->signin_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->signin_button), TRUE);
  if (!ec_station_context_sign_in_finish (self->context, result, &error))
    {
      if (!is_cancelled (error))
        set_message (self->signin_message, error->message, TRUE);
      /* Locked (now or by this failure): the remaining seconds count down. */
      if (g_error_matches (error, EC_STAFF_ERROR, EC_STAFF_ERROR_LOCKED_OUT)
          || g_error_matches (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN))
        {
          g_free (self->lock_text);
          self->lock_text = g_strdup (g_object_get_data (G_OBJECT (self), "ec-signin-id"));
          ec_station_context_lockout_async (self->context, g_object_get_data (G_OBJECT (self), "ec-signin-id"),
                                            self->cancellable, lockout_done_cb, g_object_ref (self));
        }
      return;
    }
  g_clear_handle_id (&self->lock_tick, g_source_remove);
  set_message (self->signin_message, NULL, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->staff_entry), "");
  g_free (self->staff_id);
  self->staff_id = g_strdup (ec_station_context_get_session (self->context)->staff_id);
  start_idle_tick (self);
  go_home (self);
  restore_draft (self);
}

static void
on_signin_button_clicked_cb (EcStationPage *self,
                             GtkButton     *button)
{
  const char *id = gtk_editable_get_text (GTK_EDITABLE (self->staff_entry));

  if (*id == '\0')
    {
      set_message (self->signin_message, _("Type your staff id first (for example S0012)."), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->staff_entry));
      return;
    }
  if (self->pin_len < 6)
    {
      set_message (self->signin_message, _("Your PIN has at least 6 digits: type it on the keypad."), TRUE);
      return;
    }
  renew_cancellable (self);
  g_clear_handle_id (&self->lock_tick, g_source_remove);
  g_object_set_data_full (G_OBJECT (self), "ec-signin-id", g_strdup (id), g_free);
  set_message (self->signin_message, _("Checking…"), FALSE);
  gtk_spinner_start (self->signin_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->signin_button), FALSE);
  ec_station_context_sign_in_async (self->context, id, self->pin, self->cancellable, sign_in_done_cb,
                                    g_object_ref (self));
  /* The context copied it into guarded memory. */
  clear_pin (self);
}

static void
on_staff_entry_activate_cb (EcStationPage *self,
                            GtkEntry      *entry)
{
  if (self->pin_len >= 6)
    on_signin_button_clicked_cb (self, self->signin_button);
}

static void
on_exit_button_clicked_cb (EcStationPage *self,
                           GtkButton     *button)
{
  g_signal_emit (self, signals[EXIT_REQUESTED], 0);
}

static void
on_signout_button_clicked_cb (EcStationPage *self,
                              GtkButton     *button)
{
  ec_station_context_sign_out (self->context, EC_STAFF_SIGN_OUT_USER);
}

static void
forget_resident (EcStationPage *self)
{
  self->resident_id = 0;
  g_clear_pointer (&self->resident_name, g_free);
  g_clear_pointer (&self->active_uid, g_free);
  g_clear_pointer (&self->issued_uid, g_free);
  g_clear_pointer (&self->retry_uid, g_free);
  g_clear_pointer (&self->spoiled_note, g_free);
  g_clear_pointer (&self->audit, ec_station_audit_free);
  g_clear_pointer (&self->print_resident, ec_resident_free);
  clear_list (self->results);
  clear_list (self->cards_list);
  clear_list (self->audit_list);
  gtk_label_set_label (self->resident_name_label, "");
  gtk_label_set_label (self->resident_info, "");
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  if (self->editor != NULL)
    ec_station_editor_clear (EC_STATION_EDITOR (self->editor));
}

/* A kiosk whose staff walked away must read cards again: after the idle sign-out,
 * station mode hands the window back to the kiosk, in the responder role when it was
 * started as a station (or in the role it had). */
static gboolean
leave_to_kiosk_cb (gpointer data)
{
  EcStationPage *self = data;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  EcKioskWindow *window;

  if (!EC_IS_KIOSK_WINDOW (root) || g_object_get_data (G_OBJECT (self), "ec-station-active") == NULL
      || ec_station_context_get_session (self->context) != NULL)
    return G_SOURCE_REMOVE;
  window = EC_KIOSK_WINDOW (root);
  if (ec_kiosk_controller_get_role (ec_kiosk_window_get_controller (window)) == EC_ROLE_STAFF)
    ec_kiosk_window_set_role (window, EC_ROLE_RESPONDER);
  ec_station_close (window);
  return G_SOURCE_REMOVE;
}

static void
leave_to_kiosk_later (EcStationPage *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, leave_to_kiosk_cb, g_object_ref (self), g_object_unref);
}

static void
on_signed_out_cb (EcStationPage    *self,
                  int               reason,
                  EcStationContext *context)
{
  /* What was being typed is kept (in memory, for the same person); then everything
   * personal leaves the screen at once. */
  keep_draft (self);
  g_clear_pointer (&self->staff_id, g_free);
  gtk_widget_set_visible (self->idle_bar, FALSE);
  renew_cancellable (self);
  forget_resident (self);
  clear_pin (self);
  render_session (self);
  show (self, "signin");
  if (reason == EC_STAFF_SIGN_OUT_IDLE)
    leave_to_kiosk_later (self);
  if (reason == EC_STAFF_SIGN_OUT_IDLE)
    set_message (self->signin_message, _("You were signed out because nobody used the screen for a while. "
                                         "Sign in again to continue; a form you were filling in comes back."),
                 FALSE);
  else
    set_message (self->signin_message, _("Signed out."), FALSE);
}

/* ------------------------------------------------------------------------- */
/* Residents: search and list */

static GtkWidget *
summary_row (const EcResidentSummary *s)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *info = gtk_label_new (NULL);
  g_autofree char *name_text = g_strdup_printf ("%s  %s", s->name_zh, s->name_pinyin != NULL ? s->name_pinyin : "");
  g_autofree char *info_text = g_strdup_printf ("%s · %s · %s · %s", ec_kiosk_sex_label (s->sex),
                                                s->date_of_birth != NULL ? s->date_of_birth : "—",
                                                s->building_unit != NULL ? s->building_unit : "—",
                                                s->phone != NULL ? s->phone : "—");

  gtk_label_set_label (GTK_LABEL (name), name_text);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_add_css_class (name, "ec-result-name");
  gtk_label_set_label (GTK_LABEL (info), info_text);
  gtk_label_set_xalign (GTK_LABEL (info), 0);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), info);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "ec-resident-id", g_memdup2 (&s->id, sizeof s->id), g_free);
  g_object_set_data_full (G_OBJECT (row), "ec-name", g_strdup (s->name_zh), g_free);
  return row;
}

static void
search_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = ec_station_context_search_finish (self->context, result, &error);

  if (found == NULL)
    {
      if (!is_cancelled (error))
        set_message (self->home_message, error->message, TRUE);
      return;
    }
  clear_list (self->results);
  for (guint i = 0; i < found->len; i++)
    gtk_list_box_append (self->results, summary_row (found->pdata[i]));
  if (found->len == 0)
    set_message (self->home_message, _("Nobody found. Check the spelling, or register the resident with “New resident…”."), FALSE);
  else
    set_message (self->home_message, NULL, FALSE);
}

static void
on_search_entry_search_changed_cb (EcStationPage  *self,
                                   GtkSearchEntry *entry)
{
  if (ec_station_context_get_session (self->context) == NULL)
    return;
  if (self->search_cancellable != NULL)
    g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->search_cancellable = g_cancellable_new ();
  ec_station_context_search_async (self->context, gtk_editable_get_text (GTK_EDITABLE (entry)),
                                   self->search_cancellable, search_done_cb, g_object_ref (self));
}

static void
on_results_row_activated_cb (EcStationPage *self,
                             GtkListBoxRow *row,
                             GtkListBox    *list)
{
  const EcResidentId *id = g_object_get_data (G_OBJECT (row), "ec-resident-id");

  g_free (self->resident_name);
  self->resident_name = g_strdup (g_object_get_data (G_OBJECT (row), "ec-name"));
  ec_station_page_open_resident (self, *id);
}

/* ------------------------------------------------------------------------- */
/* Reasons: a short list and the staff's own words. Stored untranslated (the list's
 * English text), shown translated; free text is kept as typed. */

static const char *const revoke_reasons[] = {
  N_("The resident reported the card lost or stolen"),
  N_("The resident has moved away"),
  N_("The resident has died"),
  N_("The details on the card are wrong"),
  N_("The card was given to the wrong person"),
  N_("Other (say why below)"),
  NULL
};

static const char *const replace_lost_reasons[] = {
  N_("The resident reported the card lost"),
  N_("The card was stolen"),
  N_("Other (say why below)"),
  NULL
};

static const char *const replace_damaged_reasons[] = {
  N_("The card is damaged or does not read"),
  N_("The record changed: the card needs the new details"),
  N_("The card has expired"),
  N_("Other (say why below)"),
  NULL
};

/* Reasons written by earlier versions and the demo, translated when shown. */
static const char *const known_reasons[] G_GNUC_UNUSED = {
  N_("reported lost; replaced"),
  N_("revoked at the station"),
  N_("pulled away during writing; another card used instead"),
  N_("demo: card revoked"),
};

#define REASON_SEPARATOR " — "

/* A stored reason in the UI language: "list item — own words" keeps the words. */
static char *
reason_text (const char *stored)
{
  const char *sep;

  if (stored == NULL || *stored == '\0')
    return g_strdup ("—");
  sep = strstr (stored, REASON_SEPARATOR);
  if (sep != NULL)
    {
      g_autofree char *head = g_strndup (stored, (gsize) (sep - stored));
      return g_strconcat (_(head), sep, NULL);
    }
  return g_strdup (_(stored));
}

typedef void (*ReasonFunc) (EcStationPage *self,
                            const char    *reason);

typedef struct
{
  EcStationPage     *self;
  ReasonFunc         func;
  const char *const *reasons;
  GtkDropDown       *choice;
  GtkEditable       *words;
  char              *response;
} ReasonAsk;

static void
reason_ask_free (gpointer data)
{
  ReasonAsk *a = data;

  g_object_unref (a->self);
  g_free (a->response);
  g_free (a);
}

static char *
reason_of (ReasonAsk *a)
{
  guint n = gtk_drop_down_get_selected (a->choice);
  g_autofree char *words = g_strstrip (g_strdup (gtk_editable_get_text (a->words)));
  guint last;

  if (n == 0 || n == GTK_INVALID_LIST_POSITION)
    return NULL;   /* the first item is "Choose a reason" */
  for (last = 0; a->reasons[last] != NULL; last++)
    ;
  if (n == last)   /* "Other": the words are the reason */
    return *words != '\0' ? g_steal_pointer (&words) : NULL;
  if (*words != '\0')
    return g_strconcat (a->reasons[n - 1], REASON_SEPARATOR, words, NULL);
  return g_strdup (a->reasons[n - 1]);
}

static void
reason_changed_cb (ReasonAsk *a)
{
  g_autofree char *reason = reason_of (a);
  GtkWidget *dialog = gtk_widget_get_ancestor (GTK_WIDGET (a->choice), ADW_TYPE_MESSAGE_DIALOG);

  if (dialog != NULL)
    adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), a->response, reason != NULL);
}

static void
on_reason_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       ReasonAsk        *a)
{
  g_autofree char *reason = NULL;

  if (!g_str_equal (response, a->response))
    return;
  reason = reason_of (a);
  if (reason != NULL)
    a->func (a->self, reason);
}

/* Ask why, with @reasons (a short list; the last item is "Other") and free text; on
 * @response_label @func gets the reason. The action is enabled once there is one. */
static void
ask_reason (EcStationPage     *self,
            const char        *heading,
            const char        *body,
            const char        *response_label,
            gboolean           destructive,
            const char *const *reasons,
            ReasonFunc         func)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  GtkWidget *choice, *words, *label;
  ReasonAsk *a = g_new0 (ReasonAsk, 1);

  gtk_string_list_append (list, _("Choose a reason…"));
  for (guint i = 0; reasons[i] != NULL; i++)
    gtk_string_list_append (list, _(reasons[i]));
  label = gtk_label_new (_("Why? This is kept in the card history and the audit log."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  choice = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (list)), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (choice), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason"), -1);
  words = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (words), _("In your own words (optional; needed for “Other”)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (words), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason in your own words"), -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), choice);
  gtk_box_append (GTK_BOX (box), words);
  gtk_widget_add_css_class (box, "ec-station-reason");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  a->self = g_object_ref (self);
  a->func = func;
  a->reasons = reasons;
  a->choice = GTK_DROP_DOWN (choice);
  a->words = GTK_EDITABLE (words);
  a->response = g_strdup (destructive ? "revoke" : "replace");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    a->response, response_label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), a->response,
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), a->response, FALSE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_swapped (choice, "notify::selected", G_CALLBACK (reason_changed_cb), a);
  g_signal_connect_swapped (words, "changed", G_CALLBACK (reason_changed_cb), a);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_reason_response_cb), a,
                         (GClosureNotify) (void (*) (void)) reason_ask_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ------------------------------------------------------------------------- */
/* A resident's page: identity and card history */

static GtkWidget *
card_row (const EcCardRecord *c)
{
  GtkWidget *label = gtk_label_new (NULL);
  g_autofree char *issued = ec_kiosk_format_time (c->issued_at);
  g_autofree char *changed = ec_kiosk_format_time (c->status_changed_at);
  g_autoptr(GString) text = g_string_new (NULL);

  /* Card 2 · 04a1b2c3d4e5f6 · active
   * issued 2026-11-29 09:00 by S0001 · station 1 */
  g_string_append_printf (text, _("Card %u · %s · %s"), c->seq, c->uid_hex, card_status_label (c->status));
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("issued %s by %s · station %u"), issued,
                          c->staff_id != NULL ? c->staff_id : "—", c->station_id);
  if (c->status != EC_CARD_STATUS_ACTIVE && c->status_changed_at != 0)
    {
      g_autofree char *why = reason_text (c->status_reason);
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("%s on %s: %s"), card_status_label (c->status), changed, why);
    }
  gtk_label_set_label (GTK_LABEL (label), text->str);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  if (c->status == EC_CARD_STATUS_ACTIVE)
    gtk_widget_add_css_class (label, "ec-station-card-active");
  return label;
}

static void
cards_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cards = ec_station_context_cards_finish (self->context, result, &error);
  gboolean have_active = FALSE;

  if (cards == NULL)
    {
      if (!is_cancelled (error))
        set_message (self->resident_message, error->message, TRUE);
      return;
    }
  clear_list (self->cards_list);
  g_clear_pointer (&self->active_uid, g_free);
  /* Newest first. */
  for (guint i = cards->len; i > 0; i--)
    {
      const EcCardRecord *c = cards->pdata[i - 1];
      gtk_list_box_append (self->cards_list, card_row (c));
      if (c->status == EC_CARD_STATUS_ACTIVE && self->active_uid == NULL)
        self->active_uid = g_strdup (c->uid_hex);
    }
  have_active = self->active_uid != NULL;
  if (cards->len == 0)
    {
      GtkWidget *none = gtk_label_new (_("No card issued yet."));
      gtk_widget_set_margin_top (none, 8);
      gtk_widget_set_margin_bottom (none, 8);
      gtk_list_box_append (self->cards_list, none);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->issue_button), !have_active);
  gtk_widget_set_visible (GTK_WIDGET (self->replace_lost_button), have_active);
  gtk_widget_set_visible (GTK_WIDGET (self->replace_damaged_button), have_active);
  gtk_widget_set_visible (GTK_WIDGET (self->revoke_button), have_active);
}

static void
resident_search_done_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = ec_station_context_search_finish (self->context, result, &error);
  const EcResidentSummary *s;
  g_autofree char *rid = NULL, *name = NULL, *info = NULL;

  if (found == NULL || found->len != 1)
    {
      if (found != NULL || !is_cancelled (error))
        set_message (self->resident_message, error != NULL ? error->message : _("This resident is no longer in the database."), TRUE);
      return;
    }
  s = found->pdata[0];
  rid = ec_resident_id_to_string (s->id);
  g_free (self->resident_name);
  self->resident_name = g_strdup (s->name_zh);
  name = g_strdup_printf ("%s  %s", s->name_zh, s->name_pinyin != NULL ? s->name_pinyin : "");
  info = g_strdup_printf (_("%s · born %s · %s · phone %s · resident number %s"), ec_kiosk_sex_label (s->sex),
                          s->date_of_birth != NULL ? s->date_of_birth : "—",
                          s->building_unit != NULL ? s->building_unit : "—", s->phone != NULL ? s->phone : "—", rid);
  gtk_label_set_label (self->resident_name_label, name);
  gtk_label_set_label (self->resident_info, info);
  ec_station_context_cards_async (self->context, self->resident_id, self->cancellable, cards_done_cb,
                                  g_object_ref (self));
}

static void
refresh_resident (EcStationPage *self)
{
  g_autofree char *rid = ec_resident_id_to_string (self->resident_id);

  renew_cancellable (self);
  ec_station_context_search_async (self->context, rid, self->cancellable, resident_search_done_cb,
                                   g_object_ref (self));
}

void
ec_station_page_open_resident (EcStationPage *self,
                               EcResidentId   id)
{
  g_return_if_fail (EC_IS_STATION_PAGE (self));

  self->resident_id = id;
  clear_list (self->cards_list);
  gtk_label_set_label (self->resident_name_label, self->resident_name != NULL ? self->resident_name : "");
  gtk_label_set_label (self->resident_info, "");
  set_message (self->resident_message, NULL, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->issue_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->replace_lost_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->replace_damaged_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->revoke_button), FALSE);
  show (self, "resident");
  refresh_resident (self);
}

static void
on_back_button_clicked_cb (EcStationPage *self,
                           GtkButton     *button)
{
  self->resident_id = 0;
  clear_list (self->cards_list);
  go_home (self);
}

/* ------------------------------------------------------------------------- */
/* The station key */

static void
unlock_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;

  gtk_spinner_stop (self->key_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->unlock_button), TRUE);
  if (!ec_station_context_unlock_key_finish (self->context, result, &error))
    {
      if (g_error_matches (error, EC_KEY_ERROR, EC_KEY_ERROR_WRONG_PASSPHRASE))
        set_message (self->key_message, _("That is not the station key's passphrase. Try again, or ask the station administrator."), TRUE);
      else if (!is_cancelled (error))
        set_message (self->key_message, error->message, TRUE);
      return;
    }
  set_message (self->key_message, NULL, FALSE);
  if (self->after_key == AFTER_KEY_ISSUE)
    start_issue (self);
  self->after_key = AFTER_KEY_NONE;
}

static void
on_unlock_button_clicked_cb (EcStationPage *self,
                             GtkWidget     *widget)
{
  const char *pass = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));

  if (*pass == '\0')
    {
      set_message (self->key_message, _("Type the passphrase first."), TRUE);
      return;
    }
  renew_cancellable (self);
  set_message (self->key_message, _("Unlocking… (this takes a second)"), FALSE);
  gtk_spinner_start (self->key_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->unlock_button), FALSE);
  ec_station_context_unlock_key_async (self->context, pass, self->cancellable, unlock_done_cb, g_object_ref (self));
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
}

static void
on_key_cancel_button_clicked_cb (EcStationPage *self,
                                 GtkButton     *button)
{
  self->after_key = AFTER_KEY_NONE;
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  show (self, "resident");
}

/* ------------------------------------------------------------------------- */
/* Issuing */

static void
set_stage (GtkLabel   *label,
           const char *mark,
           const char *text)
{
  g_autofree char *s = g_strdup_printf ("%s  %s", mark, text);
  gtk_label_set_label (label, s);
}

static void
reset_stages (EcStationPage *self)
{
  set_stage (self->stage_write, "○", _("Writing"));
  set_stage (self->stage_verify, "○", _("Verifying"));
  set_stage (self->stage_lock, "○", _("Locking"));
}

static void
issue_progress_cb (EcIssueStage  stage,
                   const char   *message,
                   gpointer      user_data)
{
  EcStationPage *self = user_data;

  switch (stage)
    {
    case EC_ISSUE_STAGE_WRITING:
      set_stage (self->stage_write, "▶", _("Writing"));
      break;
    case EC_ISSUE_STAGE_VERIFYING:
      set_stage (self->stage_write, "✔", _("Writing"));
      set_stage (self->stage_verify, "▶", _("Verifying"));
      break;
    case EC_ISSUE_STAGE_LOCKING:
      set_stage (self->stage_write, "✔", _("Writing"));
      set_stage (self->stage_verify, "✔", _("Verifying"));
      set_stage (self->stage_lock, "▶", _("Locking"));
      break;
    case EC_ISSUE_STAGE_COMMITTING:
    case EC_ISSUE_STAGE_DONE:
      set_stage (self->stage_write, "✔", _("Writing"));
      set_stage (self->stage_verify, "✔", _("Verifying"));
      set_stage (self->stage_lock, "✔", _("Locking"));
      break;
    case EC_ISSUE_STAGE_RETRYING:
      reset_stages (self);
      break;
    case EC_ISSUE_STAGE_WAITING:
    case EC_ISSUE_STAGE_CHECKING:
    case EC_ISSUE_STAGE_RECORDING:
    default:
      break;
    }
  set_message (self->issue_message, message, FALSE);
}

static void
issue_buttons (EcStationPage *self,
               gboolean       running,
               gboolean       can_retry)
{
  gtk_widget_set_visible (GTK_WIDGET (self->issue_cancel_button), running);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), !running && can_retry);
  gtk_widget_set_visible (GTK_WIDGET (self->other_card_button), !running && can_retry && self->retry_uid != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->issue_done_button), !running);
  /* After a failure the next step is Retry; Done is the way out. */
  if (can_retry)
    gtk_widget_remove_css_class (GTK_WIDGET (self->issue_done_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->issue_done_button), "suggested-action");
  if (running)
    gtk_spinner_start (self->issue_spinner);
  else
    gtk_spinner_stop (self->issue_spinner);
}

/* A plain sentence and the next step for each way issuing can fail. */
static char *
issue_failure_text (const GError *error,
                    gboolean     *out_can_retry)
{
  *out_can_retry = TRUE;
  if (error->domain == EC_READER_ERROR)
    switch ((EcReaderError) error->code)
      {
      case EC_READER_ERROR_NOT_BLANK:
        return g_strdup (_("This card is not blank: it already holds data or is locked. "
                           "Take it away and place a new blank card, then press Retry."));
      case EC_READER_ERROR_UNSUPPORTED:
        return g_strdup (_("This is the wrong type of card (not an NTAG213, NTAG215 or NTAG216). "
                           "Use the blank cards supplied for eldercard, then press Retry."));
      case EC_READER_ERROR_CARD_REMOVED:
        return g_strdup (_("The card was taken away before writing finished. Nothing is lost: put the "
                           "same card back on the reader and press Retry — issuing continues safely."));
      case EC_READER_ERROR_TIMEOUT:
        return g_strdup (_("No card came to the reader. If a card was pulled away during writing, put "
                           "the same card back; otherwise place a blank card. Then press Retry."));
      case EC_READER_ERROR_SPOILED:
        return g_strdup (_("This card could not be completed and was marked unusable. Put it aside and "
                           "press Retry with a new blank card."));
      case EC_READER_ERROR_NO_READER:
      case EC_READER_ERROR_BUSY:
      case EC_READER_ERROR_LOST:
        return g_strdup_printf (_("The card reader is not available: %s Check its cable, then press Retry."),
                                error->message);
      case EC_READER_ERROR_CANCELLED:
        return g_strdup (_("Cancelled. Nothing was issued; a card pulled away half-written can be "
                           "completed with Retry."));
      case EC_READER_ERROR_WRITE_FAILED:
      case EC_READER_ERROR_PROTOCOL:
      default:
        return g_strdup_printf (_("Writing failed: %s Place the card flat on the reader and press Retry."),
                                error->message);
      }
  if (error->domain == EC_STATION_ERROR)
    return g_strdup (error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("Cancelled. Nothing was issued; a card pulled away half-written can be "
                       "completed with Retry."));
  if (error->domain == EC_STAFF_ERROR)
    *out_can_retry = FALSE;
  return g_strdup (error->message);
}

static void
confirm_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStationConfirm) c = ec_station_context_confirm_finish (self->context, result, &error);
  g_autofree char *text = NULL;
  gboolean ok = FALSE;

  gtk_spinner_stop (self->issue_spinner);
  if (c == NULL)
    {
      if (is_cancelled (error))
        return;
      if (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_TIMEOUT))
        text = g_strdup (_("No tap seen. The card is issued; tap it on any kiosk to check it."));
      else
        text = g_strdup_printf (_("The tapped card does not read correctly: %s"), error->message);
    }
  else if (c->resident_id != self->resident_id || g_strcmp0 (c->uid_hex, self->issued_uid) != 0)
    text = g_strdup_printf (_("That is a different card (%s). Tap the new card."), c->uid_hex);
  else if (c->status != EC_CARD_STATUS_ACTIVE)
    text = g_strdup_printf (_("The card reads back but the database says it is %s."), card_status_label (c->status));
  else
    {
      text = g_strdup_printf (_("Confirmed: the new card reads back as %s (card %u)."),
                              c->name_zh != NULL ? c->name_zh : "?", c->seq);
      ok = TRUE;
    }
  set_message (self->issue_result, text, !ok);
  if (ok)
    gtk_label_set_label (self->issue_hint, _("Done. Give the card to the resident."));
}

static void
issue_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcIssueResult) res = ec_station_context_issue_finish (self->context, result, &error);
  g_autofree char *text = NULL;
  gboolean can_retry = FALSE;

  if (res == NULL)
    {
      if (ec_station_context_get_session (self->context) == NULL)
        return;   /* signed out meanwhile: the sign-in screen is showing */
      /* A card left half-written: Retry wants that same card back. */
      g_free (self->retry_uid);
      self->retry_uid = g_strdup (ec_station_context_get_pending_uid (self->context));
      if (self->retry_uid != NULL
          && (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_CARD_REMOVED)
              || g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_TIMEOUT)))
        {
          text = g_strdup_printf (_("The card was taken away before writing finished. Nothing is lost: put the "
                                    "same card back on the reader (card %s) and press Retry — issuing "
                                    "continues safely where it stopped."), self->retry_uid);
          can_retry = TRUE;
        }
      else
        text = issue_failure_text (error, &can_retry);
      issue_buttons (self, FALSE, can_retry);
      set_message (self->issue_message, NULL, FALSE);
      set_message (self->issue_result, text, TRUE);
      return;
    }
  /* A retry must not mark anything lost again. */
  self->issue_replace_lost = FALSE;
  ec_station_context_set_issue_reason (self->context, NULL);
  g_clear_pointer (&self->retry_uid, g_free);
  g_free (self->issued_uid);
  self->issued_uid = g_strdup (res->uid_hex);
  text = g_strdup_printf (_("Card %s written, checked and %s."), res->uid_hex,
                          res->locked ? _("locked") : _("left unlocked"));
  if (self->spoiled_note != NULL)
    {
      g_autofree char *both = g_strdup_printf ("%s\n%s", text, self->spoiled_note);
      g_free (text);
      text = g_steal_pointer (&both);
      g_clear_pointer (&self->spoiled_note, g_free);
    }
  set_message (self->issue_message, text, FALSE);
  gtk_label_set_label (self->issue_hint, _("Now take the card off the reader and tap it once more to confirm it."));
  set_message (self->issue_result, NULL, FALSE);
  issue_buttons (self, FALSE, FALSE);
  gtk_spinner_start (self->issue_spinner);
  ec_station_context_confirm_async (self->context, self->cancellable, confirm_done_cb, g_object_ref (self));
}

static void
start_issue (EcStationPage *self)
{
  g_autofree char *title = NULL;

  if (!ec_station_context_has_station_key (self->context))
    {
      self->after_key = AFTER_KEY_ISSUE;
      set_message (self->key_message, NULL, FALSE);
      show (self, "key");
      gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
      return;
    }
  renew_cancellable (self);
  title = g_strdup_printf (self->active_uid != NULL ? _("Replacement card for %s") : _("New card for %s"),
                           self->resident_name != NULL ? self->resident_name : "");
  gtk_label_set_label (self->issue_title, title);
  ec_station_context_set_issue_card (self->context, self->retry_uid);
  if (self->retry_uid != NULL)
    {
      g_autofree char *hint = g_strdup_printf (_("Put the same card back on the reader (card %s) and keep it there: "
                                                 "writing continues where it stopped."), self->retry_uid);
      gtk_label_set_label (self->issue_hint, hint);
    }
  else
    gtk_label_set_label (self->issue_hint, _("Place a new blank card on the reader and keep it there until the screen says it is done."));
  reset_stages (self);
  set_message (self->issue_message, _("Waiting for the card…"), FALSE);
  set_message (self->issue_result, NULL, FALSE);
  issue_buttons (self, TRUE, FALSE);
  show (self, "issue");
  ec_station_context_issue_async (self->context, self->resident_id,
                                  self->issue_replace_lost ? self->active_uid : NULL,
                                  issue_progress_cb, self, self->cancellable, issue_done_cb, g_object_ref (self));
}

static void
on_issue_button_clicked_cb (EcStationPage *self,
                            GtkButton     *button)
{
  self->issue_replace_lost = FALSE;
  g_clear_pointer (&self->spoiled_note, g_free);
  g_clear_pointer (&self->retry_uid, g_free);
  ec_station_context_set_issue_reason (self->context, NULL);
  start_issue (self);
}

static void
replace_lost_with_reason (EcStationPage *self,
                          const char    *reason)
{
  self->issue_replace_lost = TRUE;
  g_clear_pointer (&self->spoiled_note, g_free);
  g_clear_pointer (&self->retry_uid, g_free);
  ec_station_context_set_issue_reason (self->context, reason);
  start_issue (self);
}

static void
replace_damaged_with_reason (EcStationPage *self,
                             const char    *reason)
{
  self->issue_replace_lost = FALSE;
  g_clear_pointer (&self->spoiled_note, g_free);
  g_clear_pointer (&self->retry_uid, g_free);
  ec_station_context_set_issue_reason (self->context, reason);
  start_issue (self);
}

static void
on_replace_lost_button_clicked_cb (EcStationPage *self,
                                   GtkButton     *button)
{
  g_autofree char *body = g_strdup_printf (_("The card %s of %s is marked lost at once, so that every kiosk "
                                             "refuses it; then a new card is written."),
                                           self->active_uid != NULL ? self->active_uid : "",
                                           self->resident_name != NULL ? self->resident_name : "");

  ask_reason (self, _("Replace a lost card?"), body, _("_Replace"), FALSE, replace_lost_reasons,
              replace_lost_with_reason);
}

static void
on_replace_damaged_button_clicked_cb (EcStationPage *self,
                                      GtkButton     *button)
{
  g_autofree char *body = g_strdup_printf (_("A new card is written for %s; the card %s is refused by every kiosk "
                                             "once the new one is done."),
                                           self->resident_name != NULL ? self->resident_name : "",
                                           self->active_uid != NULL ? self->active_uid : "");

  ask_reason (self, _("Replace the card?"), body, _("_Replace"), FALSE, replace_damaged_reasons,
              replace_damaged_with_reason);
}

static void
on_retry_button_clicked_cb (EcStationPage *self,
                            GtkButton     *button)
{
  start_issue (self);
}

/* The staff chose to give up the card pulled away half-written: it is marked spoiled
 * (it can never be used), and issuing starts again on a new blank card. */
static void
spoil_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *spoiled = g_steal_pointer (&self->retry_uid);
  g_autofree char *text = NULL;

  if (!ec_station_context_set_card_status_finish (self->context, result, &error))
    {
      if (!is_cancelled (error))
        {
          self->retry_uid = g_steal_pointer (&spoiled);
          issue_buttons (self, FALSE, TRUE);
          set_message (self->issue_result, error->message, TRUE);
        }
      return;
    }
  start_issue (self);
  text = g_strdup_printf (_("Card %s is now marked spoiled (not usable): put it aside. Place a new blank card "
                            "on the reader."), spoiled);
  set_message (self->issue_result, text, FALSE);
  g_free (self->spoiled_note);
  self->spoiled_note = g_strdup_printf (_("Card %s was marked spoiled (not usable): put it aside."), spoiled);
}

static void
on_other_card_button_clicked_cb (EcStationPage *self,
                                 GtkButton     *button)
{
  if (self->retry_uid == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->other_card_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
  ec_station_context_set_card_status_async (self->context, self->retry_uid, EC_CARD_STATUS_SPOILED,
                                            "pulled away during writing; another card used instead",
                                            self->cancellable, spoil_done_cb, g_object_ref (self));
}

static void
on_issue_cancel_button_clicked_cb (EcStationPage *self,
                                   GtkButton     *button)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
on_issue_done_button_clicked_cb (EcStationPage *self,
                                 GtkButton     *button)
{
  renew_cancellable (self);
  ec_station_page_open_resident (self, self->resident_id);
}

/* ---- revoke ---- */

static void
status_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ec_station_context_set_card_status_finish (self->context, result, &error))
    {
      if (!is_cancelled (error))
        set_message (self->resident_message, error->message, TRUE);
      return;
    }
  refresh_resident (self);
  set_message (self->resident_message, _("The card is revoked: every kiosk refuses it from its next update."), FALSE);
}

static void
revoke_with_reason (EcStationPage *self,
                    const char    *reason)
{
  if (self->active_uid == NULL)
    return;
  ec_station_context_set_card_status_async (self->context, self->active_uid, EC_CARD_STATUS_REVOKED, reason,
                                            self->cancellable, status_done_cb, g_object_ref (self));
}

static void
on_revoke_button_clicked_cb (EcStationPage *self,
                             GtkButton     *button)
{
  g_autofree char *body = g_strdup_printf (_("Card %s of %s will be refused on every kiosk. This cannot be undone; "
                                             "the resident needs a new card to be recognised."),
                                           self->active_uid, self->resident_name != NULL ? self->resident_name : "");

  ask_reason (self, _("Revoke this card?"), body, _("_Revoke"), TRUE, revoke_reasons, revoke_with_reason);
}

/* ------------------------------------------------------------------------- */
/* The card face: PDF and printing */

/* A native "save" dialog over the window: @save gets the chosen path. */
typedef void (*SavePathFunc) (EcStationPage *self,
                              const char    *path);

typedef struct
{
  SavePathFunc save;
} SaveChooser;

static void
on_save_chooser_response_cb (GtkNativeDialog *chooser,
                             int              response,
                             gpointer         user_data)
{
  EcStationPage *self = user_data;
  SaveChooser *sc = g_object_get_data (G_OBJECT (chooser), "ec-save-chooser");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      if (path != NULL)
        sc->save (self, path);
    }
  g_object_unref (chooser);
}

static void
choose_save_path (EcStationPage *self,
                  const char    *title,
                  const char    *current_name,
                  SavePathFunc   save)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  SaveChooser *sc = g_new0 (SaveChooser, 1);

  sc->save = save;
  g_object_set_data_full (G_OBJECT (chooser), "ec-save-chooser", sc, g_free);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), current_name);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_save_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
pdf_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ec_station_context_write_pdf_finish (self->context, result, &error))
    set_message (self->resident_message, error->message, TRUE);
  else
    set_message (self->resident_message, _("Card face saved. Print it at actual size (no scaling) on a card printer."), FALSE);
}

void
ec_station_page_save_card_face (EcStationPage *self,
                                const char    *path)
{
  g_return_if_fail (EC_IS_STATION_PAGE (self));
  g_return_if_fail (path != NULL);

  set_message (self->resident_message, _("Saving the card face…"), FALSE);
  ec_station_context_write_pdf_async (self->context, self->resident_id, path, self->cancellable, pdf_done_cb,
                                      g_object_ref (self));
}

static void
on_pdf_button_clicked_cb (EcStationPage *self,
                          GtkButton     *button)
{
  g_autofree char *name = g_strdup_printf ("%s.pdf", self->resident_name != NULL ? self->resident_name : "card");

  choose_save_path (self, _("Save the card face"), name, ec_station_page_save_card_face);
}

static void
print_draw_page_cb (GtkPrintOperation *op,
                    GtkPrintContext   *context,
                    int                page_nr,
                    gpointer           user_data)
{
  EcStationPage *self = user_data;
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  g_autoptr(GError) error = NULL;

  /* The page is ID-1 at 72 dpi user units; the context may use another scale. */
  cairo_scale (cr, gtk_print_context_get_dpi_x (context) / 72.0, gtk_print_context_get_dpi_y (context) / 72.0);
  if (self->print_resident != NULL
      && !ec_card_face_draw (cr, self->print_resident, ec_station_context_get_station_name (self->context),
                             g_object_get_data (G_OBJECT (self), "ec-station-phone"), &error))
    g_warning ("card face: %s", error->message);
}

/* A card face printed to a file is as private as every other export: owner only. */
static void
restrict_print_output (GtkPrintOperation *op,
                       const char        *export)
{
  GtkPrintSettings *settings = gtk_print_operation_get_print_settings (op);
  const char *uri = settings != NULL ? gtk_print_settings_get (settings, GTK_PRINT_SETTINGS_OUTPUT_URI) : NULL;
  g_autofree char *path = export != NULL ? g_strdup (export)
                                          : uri != NULL ? g_filename_from_uri (uri, NULL, NULL) : NULL;

  if (path != NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_chmod (path, 0600) != 0)
    g_warning ("cannot make %s private: %s", path, g_strerror (errno));
}

static void
on_print_done_cb (GtkPrintOperation      *op,
                  GtkPrintOperationResult result,
                  gpointer                user_data)
{
  restrict_print_output (op, NULL);
}

static void
print_resident_done_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkPrintOperation) op = NULL;
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) paper = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  EcResident *r = ec_station_context_get_resident_finish (self->context, result, &error);

  if (r == NULL)
    {
      if (!is_cancelled (error))
        set_message (self->resident_message, error->message, TRUE);
      return;
    }
  g_clear_pointer (&self->print_resident, ec_resident_free);
  self->print_resident = r;
  paper = gtk_paper_size_new_custom ("eldercard-id1", "ID-1 (85.60 × 53.98 mm)", 85.60, 53.98, GTK_UNIT_MM);
  gtk_page_setup_set_paper_size_and_default_margins (setup, paper);
  gtk_page_setup_set_top_margin (setup, 0, GTK_UNIT_MM);
  gtk_page_setup_set_bottom_margin (setup, 0, GTK_UNIT_MM);
  gtk_page_setup_set_left_margin (setup, 0, GTK_UNIT_MM);
  gtk_page_setup_set_right_margin (setup, 0, GTK_UNIT_MM);
  op = gtk_print_operation_new ();
  gtk_print_operation_set_default_page_setup (op, setup);
  gtk_print_operation_set_n_pages (op, 1);
  gtk_print_operation_set_unit (op, GTK_UNIT_POINTS);
  gtk_print_operation_set_use_full_page (op, TRUE);
  g_signal_connect (op, "draw-page", G_CALLBACK (print_draw_page_cb), self);
  g_signal_connect (op, "done", G_CALLBACK (on_print_done_cb), NULL);
  if (self->print_export != NULL)
    gtk_print_operation_set_export_filename (op, self->print_export);
  if (gtk_print_operation_run (op, self->print_export != NULL ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                                              : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, &error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    set_message (self->resident_message, error->message, TRUE);
  else if (self->print_export != NULL)
    set_message (self->resident_message, _("Card face sent to the printer."), FALSE);
  restrict_print_output (op, self->print_export);
  g_clear_pointer (&self->print_export, g_free);
  /* The record is not kept once printing is over. */
  g_clear_pointer (&self->print_resident, ec_resident_free);
}

void
ec_station_page_print_to_file (EcStationPage *self,
                               const char    *path)
{
  g_return_if_fail (EC_IS_STATION_PAGE (self));

  g_free (self->print_export);
  self->print_export = g_strdup (path);
  ec_station_context_get_resident_async (self->context, self->resident_id, "card-face", self->cancellable,
                                         print_resident_done_cb, g_object_ref (self));
}

static void
on_print_button_clicked_cb (EcStationPage *self,
                            GtkButton     *button)
{
  ec_station_context_get_resident_async (self->context, self->resident_id, "card-face", self->cancellable,
                                         print_resident_done_cb, g_object_ref (self));
}

/* ------------------------------------------------------------------------- */
/* Register and edit */

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  EcResidentId id = ec_station_context_save_resident_finish (self->context, result, &error);

  if (id == 0)
    {
      if (!is_cancelled (error))
        ec_station_editor_show_error (EC_STATION_EDITOR (self->editor), error->message);
      return;
    }
  ec_station_editor_clear (EC_STATION_EDITOR (self->editor));
  g_clear_pointer (&self->resident_name, g_free);
  ec_station_page_open_resident (self, id);
  set_message (self->resident_message, _("Saved."), FALSE);
}

static void
on_editor_save_cb (EcStationPage    *self,
                   EcStationEditor  *editor)
{
  EcResident *r = ec_station_editor_take_resident (editor);

  if (r == NULL)
    return;   /* the editor shows what to fix */
  ec_station_context_save_resident_async (self->context, r, self->cancellable, save_done_cb, g_object_ref (self));
}

static void
leave_editor (EcStationPage *self)
{
  ec_station_editor_clear (EC_STATION_EDITOR (self->editor));
  if (self->resident_id != 0 && self->resident_name != NULL)
    show (self, "resident");
  else if (self->resident_id != 0)
    ec_station_page_open_resident (self, self->resident_id);   /* a draft brought back */
  else
    go_home (self);
}

static void
on_discard_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        gpointer          user_data)
{
  EcStationPage *self = user_data;

  if (g_str_equal (response, "discard") && g_strcmp0 (ec_station_page_get_screen (self), "edit") == 0)
    leave_editor (self);
}

static void
on_editor_cancel_cb (EcStationPage   *self,
                     EcStationEditor *editor)
{
  GtkRoot *root;
  GtkWidget *dialog;

  if (!ec_station_editor_has_changes (editor))
    {
      leave_editor (self);
      return;
    }
  /* Typed work is never thrown away without asking. */
  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Throw away what you typed?"),
                                   _("The form has changes that are not saved. If you leave now, they are lost."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _("_Keep editing"),
                                    "discard", _("_Throw away"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_discard_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_new_resident_button_clicked_cb (EcStationPage *self,
                                   GtkButton     *button)
{
  self->resident_id = 0;
  ec_station_editor_set_resident (EC_STATION_EDITOR (self->editor), NULL);
  show (self, "edit");
  ec_station_editor_focus_first (EC_STATION_EDITOR (self->editor));
}

static void
edit_resident_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  EcResident *r = ec_station_context_get_resident_finish (self->context, result, &error);

  if (r == NULL)
    {
      if (!is_cancelled (error))
        set_message (self->resident_message, error->message, TRUE);
      return;
    }
  ec_station_editor_set_resident (EC_STATION_EDITOR (self->editor), r);
  show (self, "edit");
  ec_station_editor_focus_first (EC_STATION_EDITOR (self->editor));
}

static void
on_edit_button_clicked_cb (EcStationPage *self,
                           GtkButton     *button)
{
  renew_cancellable (self);
  ec_station_context_get_resident_async (self->context, self->resident_id, EC_DB_PURPOSE_EDIT, self->cancellable,
                                         edit_resident_done_cb, g_object_ref (self));
}

/* ------------------------------------------------------------------------- */
/* Audit viewer (administrators) */

static gboolean
parse_day (const char *text,
           gint64     *out)
{
  g_autoptr(GDateTime) t = NULL;
  int y, m, d;
  char tail;

  *out = 0;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (sscanf (text, "%d-%d-%d%c", &y, &m, &d, &tail) != 3)
    return FALSE;
  t = g_date_time_new_local (y, m, d, 0, 0, 0);
  if (t == NULL)
    return FALSE;
  *out = g_date_time_to_unix (t);
  return TRUE;
}

/* One audit entry as a sentence in the UI language: who, did what, to whom, why. */
static char *
audit_sentence (const EcStationAudit *audit,
                const EcAuditEntry   *e)
{
  const char *staff_name = e->actor_id != NULL ? g_hash_table_lookup (audit->staff_names, e->actor_id) : NULL;
  const char *name = e->resident_id != 0 ? g_hash_table_lookup (audit->names, &e->resident_id) : NULL;
  g_autofree char *who = staff_name != NULL ? g_strdup_printf ("%s (%s)", staff_name, e->actor_id)
                                            : g_strdup (e->actor_id != NULL ? e->actor_id : "?");
  g_autofree char *whom = NULL;
  g_autofree char *at = ec_kiosk_format_time (e->at);
  g_autofree char *what = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *a = e->action != NULL ? e->action : "";
  const char *purpose = e->purpose != NULL ? e->purpose : "";

  if (e->resident_id != 0)
    {
      g_autofree char *rid = ec_resident_id_to_string (e->resident_id);
      /* TRANSLATORS: a resident in the audit log: name and resident number */
      whom = name != NULL ? g_strdup_printf (_("%s (resident %s)"), name, rid)
                          : g_strdup_printf (_("resident %s"), rid);
    }
  else
    whom = g_strdup ("—");

  if (g_str_equal (a, "view") && g_str_equal (purpose, "card-face"))
    what = g_strdup_printf (_("%s opened the record of %s to print the card face."), who, whom);
  else if (g_str_equal (a, "view") && g_str_equal (purpose, "edit"))
    what = g_strdup_printf (_("%s opened the record of %s to change it."), who, whom);
  else if (g_str_equal (a, "view") && g_str_equal (purpose, "card-issue"))
    what = g_strdup_printf (_("%s read the record of %s to write it on a card."), who, whom);
  else if (g_str_equal (a, "view"))
    what = g_strdup_printf (_("%s looked at the record of %s (%s)."), who, whom, purpose);
  else if (g_str_equal (a, "resident-add"))
    what = g_strdup_printf (_("%s registered %s."), who, whom);
  else if (g_str_equal (a, "resident-update"))
    what = g_strdup_printf (_("%s saved changes to the record of %s."), who, whom);
  else if (g_str_equal (a, "card-begin-issue"))
    what = g_strdup_printf (_("%s started writing a card for %s."), who, whom);
  else if (g_str_equal (a, "card-issue"))
    what = g_strdup_printf (_("%s issued a card to %s."), who, whom);
  else if (g_str_equal (a, "card-lost"))
    what = g_strdup_printf (_("%s marked the card of %s lost."), who, whom);
  else if (g_str_equal (a, "card-revoked"))
    what = g_strdup_printf (_("%s revoked the card of %s."), who, whom);
  else if (g_str_equal (a, "card-spoiled"))
    what = g_strdup_printf (_("%s marked an unfinished card of %s spoiled."), who, whom);
  else if (g_str_equal (a, "card-replace-reason"))
    what = g_strdup_printf (_("%s replaced the card of %s."), who, whom);
  else if (g_str_equal (a, "staff-signin"))
    what = g_strdup_printf (_("%s signed in."), who);
  else if (g_str_equal (a, "staff-signout") && g_strcmp0 (e->detail, "idle-timeout") == 0)
    what = g_strdup_printf (_("%s was signed out because nobody used the screen."), who);
  else if (g_str_equal (a, "staff-signout"))
    what = g_strdup_printf (_("%s signed out."), who);
  else if (g_str_equal (a, "pin-failure"))
    what = g_strdup_printf (_("A wrong PIN was typed for %s."), who);
  else if (g_str_equal (a, "staff-lockout"))
    what = g_strdup_printf (_("Sign-in for %s was locked after too many wrong PINs."), who);
  else if (g_str_equal (a, "signin-locked"))
    what = g_strdup_printf (_("Someone tried to sign in as %s while it was locked."), who);
  else if (g_str_equal (a, "signin-unknown-staff"))
    what = g_strdup_printf (_("Someone tried to sign in with an unknown staff id (%s)."), who);
  else if (g_str_equal (a, "station-key-unlock"))
    what = g_strdup_printf (_("%s unlocked the station key."), who);
  else if (g_str_equal (a, "station-key-unlock-failed"))
    what = g_strdup_printf (_("%s typed a wrong station key passphrase."), who);
  else if (g_str_equal (a, "staff-add"))
    what = g_strdup_printf (_("%s added a staff account."), who);
  else if (g_str_equal (a, "staff-pin"))
    what = g_strdup_printf (_("%s set a staff PIN."), who);
  else if (g_str_equal (a, "audit-export"))
    what = g_strdup_printf (_("%s exported the audit log."), who);
  else
    /* TRANSLATORS: an audit entry without a sentence of its own: who, the action code, whom */
    what = g_strdup_printf (_("%s: %s (%s)."), who, a, whom);

  g_string_append_printf (text, "#%" G_GINT64_FORMAT "  %s  %s", e->seq, at, what);
  if (e->reason != NULL && *e->reason != '\0')
    {
      g_autofree char *why = reason_text (e->reason);
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Reason: %s."), why);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The resident filter: a resident number, or part of a name (汉字 or pinyin). */
static gboolean
audit_matches_name (const EcStationAudit *audit,
                    const EcAuditEntry   *e,
                    const char           *needle)
{
  const char *name, *pinyin;
  g_autofree char *folded = NULL, *folded_pinyin = NULL;

  if (needle == NULL || *needle == '\0')
    return TRUE;
  if (e->resident_id == 0)
    return FALSE;
  name = g_hash_table_lookup (audit->names, &e->resident_id);
  pinyin = g_hash_table_lookup (audit->pinyin, &e->resident_id);
  if (name != NULL && strstr (name, needle) != NULL)
    return TRUE;
  folded = g_utf8_casefold (needle, -1);
  folded_pinyin = pinyin != NULL ? g_utf8_casefold (pinyin, -1) : NULL;
  return folded_pinyin != NULL && strstr (folded_pinyin, folded) != NULL;
}

static void
audit_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;
  EcStationAudit *audit = ec_station_context_audit_finish (self->context, result, &error);
  g_autofree char *chain = NULL;
  guint shown = 0;

  if (audit == NULL)
    {
      if (!is_cancelled (error))
        set_message (self->audit_message, error->message, TRUE);
      return;
    }
  g_clear_pointer (&self->audit, ec_station_audit_free);
  self->audit = audit;
  if (audit->chain_ok)
    chain = g_strdup_printf (_("✔ Audit chain verified: %lld entries, none changed, removed or inserted."),
                             (long long) audit->n_verified);
  else
    chain = g_strdup_printf (_("✖ The audit chain does NOT verify: %s Tell the station administrator; keep this computer as it is."),
                             audit->chain_message);
  set_message (self->audit_chain_label, chain, !audit->chain_ok);
  clear_list (self->audit_list);
  /* Newest first; at most 500 rows on screen (the export has all). */
  {
    const char *needle = g_object_get_data (G_OBJECT (self->audit_list), "ec-name-filter");
    guint matched = 0;

    for (guint i = audit->entries->len; i > 0; i--)
      {
        const EcAuditEntry *e = audit->entries->pdata[i - 1];
        g_autofree char *text = NULL;
        GtkWidget *label;

        if (!audit_matches_name (audit, e, needle))
          continue;
        matched++;
        if (shown >= 500)
          continue;
        shown++;
        text = audit_sentence (audit, e);
        label = gtk_label_new (text);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_label_set_wrap (GTK_LABEL (label), TRUE);
        gtk_widget_set_margin_start (label, 8);
        gtk_widget_set_margin_top (label, 4);
        gtk_widget_set_margin_bottom (label, 4);
        gtk_list_box_append (self->audit_list, label);
      }
    {
      g_autofree char *n = g_strdup_printf (_("%u entries match."), matched);
      set_message (self->audit_message, n, FALSE);
    }
  }
}

static void
on_audit_apply_button_clicked_cb (EcStationPage *self,
                                  GtkButton     *button)
{
  const char *rtext = gtk_editable_get_text (GTK_EDITABLE (self->audit_resident_entry));
  const char *staff = gtk_editable_get_text (GTK_EDITABLE (self->audit_staff_entry));
  EcResidentId rid = 0;
  gint64 since = 0, until = 0;

  /* A resident number, or part of a name (汉字 or pinyin). */
  if (*rtext != '\0' && !ec_resident_id_parse (rtext, &rid))
    g_object_set_data_full (G_OBJECT (self->audit_list), "ec-name-filter", g_strstrip (g_strdup (rtext)), g_free);
  else
    g_object_set_data (G_OBJECT (self->audit_list), "ec-name-filter", NULL);
  if (!parse_day (gtk_editable_get_text (GTK_EDITABLE (self->audit_since_entry)), &since)
      || !parse_day (gtk_editable_get_text (GTK_EDITABLE (self->audit_until_entry)), &until))
    {
      set_message (self->audit_message, _("Dates are written YYYY-MM-DD, for example 2026-11-29."), TRUE);
      return;
    }
  if (until != 0)
    until += 86400;   /* "to" is inclusive */
  renew_cancellable (self);
  set_message (self->audit_message, _("Reading and verifying the audit log…"), FALSE);
  ec_station_context_audit_async (self->context, rid, staff, since, until, self->cancellable, audit_done_cb,
                                  g_object_ref (self));
}

gboolean
ec_station_page_open_audit (EcStationPage *self)
{
  g_return_val_if_fail (EC_IS_STATION_PAGE (self), FALSE);

  if (!ec_station_context_is_admin (self->context))
    {
      GtkLabel *where = g_str_equal (ec_station_page_get_screen (self), "resident") ? self->resident_message
                                                                                     : self->home_message;
      set_message (where, _("Only station administrators can open the audit log."), TRUE);
      return FALSE;
    }
  set_message (self->audit_chain_label, NULL, FALSE);
  show (self, "audit");
  on_audit_apply_button_clicked_cb (self, self->audit_apply_button);
  return TRUE;
}

static void
on_audit_button_clicked_cb (EcStationPage *self,
                            GtkButton     *button)
{
  ec_station_page_open_audit (self);
}

static void
on_audit_back_button_clicked_cb (EcStationPage *self,
                                 GtkButton     *button)
{
  g_clear_pointer (&self->audit, ec_station_audit_free);
  clear_list (self->audit_list);
  go_home (self);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EcStationPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ec_station_context_audit_export_finish (self->context, result, &error))
    set_message (self->audit_message, error->message, TRUE);
  else
    set_message (self->audit_message, _("Exported, with a checkpoint file beside it. Keep the checkpoint off this computer."), FALSE);
}

void
ec_station_page_export_audit (EcStationPage *self,
                              const char    *path)
{
  g_return_if_fail (EC_IS_STATION_PAGE (self));

  if (self->audit == NULL)
    return;
  ec_station_context_audit_export_async (self->context, self->audit, path, self->cancellable, export_done_cb,
                                         g_object_ref (self));
}

static void
on_audit_export_button_clicked_cb (EcStationPage *self,
                                   GtkButton     *button)
{
  choose_save_path (self, _("Export the audit log"), "audit.csv", ec_station_page_export_audit);
}

/* ------------------------------------------------------------------------- */

static gboolean
on_input_event_cb (GtkEventControllerLegacy *controller,
                   GdkEvent                 *event,
                   EcStationPage            *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (type == GDK_BUTTON_PRESS || type == GDK_KEY_PRESS || type == GDK_SCROLL || type == GDK_TOUCH_BEGIN)
    ec_station_context_touch (self->context);
  return GDK_EVENT_PROPAGATE;
}

const char *
ec_station_page_get_screen (EcStationPage *self)
{
  g_return_val_if_fail (EC_IS_STATION_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

EcStationContext *
ec_station_page_get_context (EcStationPage *self)
{
  g_return_val_if_fail (EC_IS_STATION_PAGE (self), NULL);
  return self->context;
}

static void
ec_station_page_dispose (GObject *object)
{
  EcStationPage *self = EC_STATION_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->search_cancellable != NULL)
    g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (self->context, self);
  g_clear_handle_id (&self->idle_tick, g_source_remove);
  g_clear_handle_id (&self->lock_tick, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_STATION_PAGE);
  self->editor = NULL;
  G_OBJECT_CLASS (ec_station_page_parent_class)->dispose (object);
}

static void
ec_station_page_finalize (GObject *object)
{
  EcStationPage *self = EC_STATION_PAGE (object);

  sodium_memzero (self->pin, sizeof self->pin);
  g_free (self->resident_name);
  g_free (self->active_uid);
  g_free (self->issued_uid);
  g_free (self->retry_uid);
  g_free (self->spoiled_note);
  g_clear_pointer (&self->audit, ec_station_audit_free);
  g_clear_pointer (&self->print_resident, ec_resident_free);
  g_free (self->print_export);
  g_free (self->staff_id);
  g_free (self->lock_text);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (ec_station_page_parent_class)->finalize (object);
}

static void
ec_station_page_class_init (EcStationPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ec_station_page_dispose;
  object_class->finalize = ec_station_page_finalize;

  signals[EXIT_REQUESTED] = g_signal_new ("exit-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (ADW_TYPE_CLAMP);
  g_type_ensure (ADW_TYPE_PASSWORD_ENTRY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-station-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_apply_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_back_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_chain_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_export_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_list);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_message);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_resident_entry);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_since_entry);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_staff_entry);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, audit_until_entry);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, cards_list);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, edit_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, exit_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, home_message);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, idle_bar);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, idle_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, issue_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, issue_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, issue_done_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, issue_hint);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, issue_message);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, issue_result);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, issue_spinner);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, issue_title);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, key_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, key_message);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, key_spinner);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, keypad);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, new_resident_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, other_card_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, pdf_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, pin_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, print_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, replace_damaged_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, replace_lost_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, resident_info);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, resident_message);
  gtk_widget_class_bind_template_child_full (widget_class, "resident_name", FALSE,
                                             G_STRUCT_OFFSET (EcStationPage, resident_name_label));
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, results);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, revoke_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, session_bar);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, session_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, signin_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, signin_message);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, signin_spinner);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, signout_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, stay_button);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, stage_lock);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, stage_verify);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, stage_write);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, staff_entry);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, stack);
  gtk_widget_class_bind_template_child (widget_class, EcStationPage, unlock_button);
  gtk_widget_class_bind_template_callback (widget_class, on_audit_apply_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_audit_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_audit_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_audit_export_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_edit_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_exit_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_issue_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_issue_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_issue_done_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_key_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_new_resident_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_other_card_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_pdf_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_print_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_replace_damaged_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_replace_lost_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_results_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_revoke_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_signin_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_signout_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_staff_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stay_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_unlock_button_clicked_cb);
}

static void
ec_station_page_init (EcStationPage *self)
{
  GtkEventController *legacy;

  gtk_widget_init_template (GTK_WIDGET (self));
  build_keypad (self);
  render_pin (self);
  legacy = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect (legacy, "event", G_CALLBACK (on_input_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), legacy);
}

GtkWidget *
ec_station_page_new (EcStationContext *context)
{
  EcStationPage *self;

  g_return_val_if_fail (EC_IS_STATION_CONTEXT (context), NULL);

  self = g_object_new (EC_TYPE_STATION_PAGE, NULL);
  self->context = g_object_ref (context);
  self->editor = ec_station_editor_new ();
  gtk_stack_add_named (self->stack, self->editor, "edit");
  g_signal_connect_object (self->editor, "save", G_CALLBACK (on_editor_save_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->editor, "cancel", G_CALLBACK (on_editor_cancel_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "signed-out", G_CALLBACK (on_signed_out_cb), self, G_CONNECT_SWAPPED);
  render_session (self);
  set_message (self->signin_message, ec_station_context_get_setup_error (context),
               ec_station_context_get_setup_error (context) != NULL);
  show (self, "signin");
  return GTK_WIDGET (self);
}

/* ------------------------------------------------------------------------- */
/* In a kiosk window */

#define STATION_KEY "ec-station-page"

static GtkStack *
window_stack (EcKioskWindow *window)
{
  GtkWidget *waiting = ec_kiosk_window_get_page (window, EC_KIOSK_SCREEN_WAITING);
  return GTK_STACK (gtk_widget_get_parent (waiting));
}

static GtkWidget *
find_by_class (GtkWidget  *widget,
               const char *css_class)
{
  if (gtk_widget_has_css_class (widget, css_class))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_class (c, css_class);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* While the station holds the reader, the kiosk's own reader badge (its watcher is
 * stopped) would say "No card reader": hide it. */
static void
show_kiosk_reader_badge (EcKioskWindow *window,
                         gboolean       visible)
{
  GtkWidget *badge = find_by_class (ec_kiosk_window_get_topbar (window), "ec-reader-status");

  if (badge != NULL)
    gtk_widget_set_visible (badge, visible);
}

void
ec_station_open (EcKioskWindow *window)
{
  EcStationPage *page = g_object_get_data (G_OBJECT (window), STATION_KEY);

  g_return_if_fail (page != NULL);
  /* The station uses the reader now: the kiosk stops watching for taps. */
  ec_kiosk_controller_clear (ec_kiosk_window_get_controller (window));
  ec_kiosk_controller_stop (ec_kiosk_window_get_controller (window));
  g_object_set_data (G_OBJECT (page), "ec-station-active", GINT_TO_POINTER (1));
  show_kiosk_reader_badge (window, FALSE);
  ec_kiosk_window_set_station_active (window, TRUE);
  gtk_stack_set_visible_child (window_stack (window), GTK_WIDGET (page));
  if (ec_station_context_get_session (page->context) == NULL)
    {
      show (page, "signin");
      gtk_widget_grab_focus (GTK_WIDGET (page->staff_entry));
    }
}

void
ec_station_close (EcKioskWindow *window)
{
  EcStationPage *page = g_object_get_data (G_OBJECT (window), STATION_KEY);

  g_return_if_fail (page != NULL);
  g_object_set_data (G_OBJECT (page), "ec-station-active", NULL);
  show_kiosk_reader_badge (window, TRUE);
  ec_kiosk_window_set_station_active (window, FALSE);
  ec_station_context_sign_out (page->context, EC_STAFF_SIGN_OUT_USER);
  renew_cancellable (page);
  gtk_stack_set_visible_child (window_stack (window), ec_kiosk_window_get_page (window, EC_KIOSK_SCREEN_WAITING));
  ec_kiosk_controller_start (ec_kiosk_window_get_controller (window));
}

static void
station_open_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  ec_station_open (EC_KIOSK_WINDOW (user_data));
}

static void
on_exit_requested_cb (EcStationPage *page,
                      EcKioskWindow *window)
{
  ec_station_close (window);
}

static void on_exit_requested_cb (EcStationPage *page, EcKioskWindow *window);

/* A page in the window's stack for @context, in the current language. */
static EcStationPage *
attach_page (EcKioskWindow    *window,
             EcStationContext *context,
             const char       *station_phone)
{
  GtkWidget *page = ec_station_page_new (context);

  g_object_set_data_full (G_OBJECT (page), "ec-station-phone", g_strdup (station_phone), g_free);
  g_object_set_data_full (G_OBJECT (page), "ec-station-language", g_strdup (ec_kiosk_i18n_get_language ()), g_free);
  gtk_stack_add_named (window_stack (window), page, "station");
  g_object_set_data (G_OBJECT (window), STATION_KEY, page);
  g_signal_connect_object (page, "exit-requested", G_CALLBACK (on_exit_requested_cb), window, 0);
  return EC_STATION_PAGE (page);
}

/* The window rebuilds its own screens on a language switch and shows the waiting
 * screen; station mode stays, rebuilt in the new language (the session stays signed
 * in; what was on screen is left). */
static gboolean
reshow_station_cb (gpointer user_data)
{
  EcKioskWindow *window = user_data;
  EcStationPage *page = g_object_get_data (G_OBJECT (window), STATION_KEY);

  if (page == NULL || g_object_get_data (G_OBJECT (page), "ec-station-active") == NULL)
    return G_SOURCE_REMOVE;
  if (g_strcmp0 (g_object_get_data (G_OBJECT (page), "ec-station-language"), ec_kiosk_i18n_get_language ()) != 0)
    {
      g_autoptr(EcStationContext) context = g_object_ref (page->context);
      g_autofree char *phone = g_strdup (g_object_get_data (G_OBJECT (page), "ec-station-phone"));

      /* A form being filled in comes along into the new language. */
      keep_draft (page);
      gtk_stack_remove (window_stack (window), GTK_WIDGET (page));
      page = attach_page (window, context, phone);
      g_object_set_data (G_OBJECT (page), "ec-station-active", GINT_TO_POINTER (1));
      if (ec_station_context_get_session (context) != NULL)
        {
          page->staff_id = g_strdup (ec_station_context_get_session (context)->staff_id);
          start_idle_tick (page);
          go_home (page);
          restore_draft (page);
        }
    }
  gtk_stack_set_visible_child (window_stack (window), GTK_WIDGET (page));
  return G_SOURCE_REMOVE;
}

static void
on_stack_visible_child_cb (GtkStack      *stack,
                           GParamSpec    *pspec,
                           EcKioskWindow *window)
{
  EcStationPage *page = g_object_get_data (G_OBJECT (window), STATION_KEY);

  if (page != NULL && g_object_get_data (G_OBJECT (page), "ec-station-active") != NULL
      && gtk_stack_get_visible_child (stack) != GTK_WIDGET (page))
    g_idle_add_full (G_PRIORITY_HIGH_IDLE, reshow_station_cb, g_object_ref (window), g_object_unref);
}

static gboolean
keep_kiosk_stopped_cb (gpointer user_data)
{
  EcKioskWindow *window = user_data;
  EcStationPage *page = g_object_get_data (G_OBJECT (window), STATION_KEY);

  if (page != NULL && g_object_get_data (G_OBJECT (page), "ec-station-active") != NULL)
    ec_kiosk_controller_stop (ec_kiosk_window_get_controller (window));
  return G_SOURCE_REMOVE;
}

EcStationPage *
ec_station_install (EcKioskWindow  *window,
                    const EcConfig *config,
                    gboolean        open)
{
  g_autoptr(EcStationContext) context = NULL;
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) action = g_simple_action_new ("open", NULL);
  GtkWidget *page;

  g_return_val_if_fail (EC_IS_KIOSK_WINDOW (window), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  context = ec_station_context_new (config);
  page = GTK_WIDGET (attach_page (window, context, config->station_phone));
  g_signal_connect_object (window_stack (window), "notify::visible-child", G_CALLBACK (on_stack_visible_child_cb),
                           window, 0);

  g_signal_connect_object (action, "activate", G_CALLBACK (station_open_action), window, 0);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
  gtk_widget_insert_action_group (GTK_WIDGET (window), "station", G_ACTION_GROUP (group));
  ec_kiosk_window_set_station_available (window, TRUE);
  if (open)
    {
      ec_station_open (window);
      /* The application starts the kiosk's reader after this: stop it again then. */
      g_idle_add_full (G_PRIORITY_DEFAULT, keep_kiosk_stopped_cb, g_object_ref (window), g_object_unref);
    }
  return EC_STATION_PAGE (page);
}
