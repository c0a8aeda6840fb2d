/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-kiosk-window"

#include "ec-kiosk-window.h"
#include "ec-handover-dialog.h"

#include <sodium.h>
#include <string.h>

#include "ec-i18n.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-lock.h"
#include "ec-kiosk-strings.h"
#include "ec-lookup-page.h"
#include "ec-nurse-page.h"
#include "ec-problem-page.h"
#include "ec-reason-dialog.h"
#include "ec-record-view.h"
#include "ec-sync.h"
#include "ec-waiting-page.h"

struct _EcKioskWindow
{
  AdwApplicationWindow  parent_instance;

  EcKioskController    *controller;
  gboolean              kiosk_mode;
  gboolean              unlocked;
  gboolean              station_available; /* "Station mode" in the staff menu */
  gboolean              station_active;    /* station mode on screen: the top bar says so */
  char                 *exit_pin_hash;
  char                 *station_name;
  char                 *station_phone;
  char                 *db_path;        /* for a nurse context made on the first switch */
  char                 *kiosk_id;
  char                 *last_problem;   /* the last card problem's technical detail (staff) */
  GSimpleAction        *role_action;    /* win.role: "responder" | "nurse" */
  EcKioskScreen         shown_screen;
  guint                 flash_source;
  guint                 bell_source;
  guint                 bells_left;
  guint                 max_age_days;   /* [data] max-age-days: warn on older data */
  gboolean              handover_qr;    /* [handover] qr: the paramedic QR code may be shown */
  guint                 data_age_source;

  /* The screens, rebuilt on a language switch (owned by main_stack). */
  GtkWidget            *waiting_page;
  GtkWidget            *record_view;
  GtkWidget            *problem_page;
  GtkWidget            *lookup_page;
  GtkWidget            *nurse_page;     /* role nurse only: the record screen */
  GtkWidget            *side_panel;
  EcNurseContext       *nurse_context;  /* once in role nurse: drug table, outlives the pages */

  /* Template children */
  GtkButton            *language_button;
  GtkStack             *main_stack;
  GtkImage             *reader_icon;
  GtkLabel             *reader_label;
  GtkWidget            *reader_status;
  GtkLabel             *reading_hint;
  GtkLabel             *reading_label;
  GtkSpinner           *reading_spinner;
  GtkLabel             *role_label;
  GtkBox               *side_slot;
  AdwFlap              *flap;
  GtkRevealer          *countdown_revealer;
  GtkLabel             *countdown_label;
  GtkButton            *countdown_button;
  guint                 countdown_source;
  GtkToggleButton      *demo_button;
  guint                 size_class_source;
  gboolean              narrow;          /* "ec-narrow" on the window: < 700 px wide */
  gboolean              short_screen;    /* "ec-short": < 820 px high */
  GtkMenuButton        *staff_button;
  AdwToastOverlay      *toast_overlay;
  GtkWidget            *topbar;
  GtkWidget            *window_controls;
};

G_DEFINE_FINAL_TYPE (EcKioskWindow, ec_kiosk_window, ADW_TYPE_APPLICATION_WINDOW)

static void render (EcKioskWindow *self);
static void rebuild_pages (EcKioskWindow *self);
static void refresh_data_age (EcKioskWindow *self);

/* ------------------------------------------------------------------------- */
/* Feedback: a flash and bells that differ by count (one: read; three: refused). */

static gboolean
bell_cb (gpointer user_data)
{
  EcKioskWindow *self = user_data;

  gtk_widget_error_bell (GTK_WIDGET (self));
  if (--self->bells_left == 0)
    {
      self->bell_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
flash_off_cb (gpointer user_data)
{
  EcKioskWindow *self = user_data;

  gtk_widget_remove_css_class (GTK_WIDGET (self->main_stack), "ec-flash-ok");
  gtk_widget_remove_css_class (GTK_WIDGET (self->main_stack), "ec-flash-refused");
  self->flash_source = 0;
  return G_SOURCE_REMOVE;
}

static void
on_controller_feedback_cb (EcKioskWindow     *self,
                           gboolean           ok,
                           EcKioskController *controller)
{
  g_clear_handle_id (&self->flash_source, g_source_remove);
  g_clear_handle_id (&self->bell_source, g_source_remove);
  flash_off_cb (self);
  gtk_widget_add_css_class (GTK_WIDGET (self->main_stack), ok ? "ec-flash-ok" : "ec-flash-refused");
  self->flash_source = g_timeout_add (900, flash_off_cb, self);
  self->bells_left = ok ? 1 : 3;
  bell_cb (self);
  if (self->bells_left > 0)
    self->bell_source = g_timeout_add (220, bell_cb, self);
}

/* ------------------------------------------------------------------------- */
/* Rendering */

/* The staff menu, in the current language: rebuilt on every language switch, since a
 * GMenu's labels are translated once, when they are set. */
static void
rebuild_staff_menu (EcKioskWindow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) kiosk = g_menu_new ();
  g_autoptr(GMenu) roles = g_menu_new ();
  g_autoptr(GMenuItem) responder = g_menu_item_new (_("Responder mode"), NULL);
  g_autoptr(GMenuItem) nurse = g_menu_item_new (_("Nurse mode"), NULL);

  if (self->station_available)
    g_menu_append (kiosk, _("Station mode (staff)…"), "station.open");
  g_menu_append (kiosk, _("Kiosk information"), "win.info");
  g_menu_append (kiosk, _("Leave kiosk mode (staff)…"), "win.unlock");
  g_menu_item_set_action_and_target (responder, "win.role", "s", "responder");
  g_menu_item_set_action_and_target (nurse, "win.role", "s", "nurse");
  g_menu_append_item (roles, responder);
  g_menu_append_item (roles, nurse);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (kiosk));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (roles));
  gtk_menu_button_set_menu_model (self->staff_button, G_MENU_MODEL (menu));
}

static void
render_topbar (EcKioskWindow *self)
{
  EcKioskReaderState state = ec_kiosk_controller_get_reader_state (self->controller);
  g_autofree char *role = g_strdup (ec_kiosk_role_label (ec_kiosk_controller_get_role (self->controller)));

  gtk_image_set_from_icon_name (self->reader_icon, ec_kiosk_reader_state_icon (state));
  gtk_label_set_label (self->reader_label, ec_kiosk_reader_state_title (state));
  gtk_widget_remove_css_class (self->reader_status, "ec-reader-ready");
  gtk_widget_remove_css_class (self->reader_status, "ec-reader-problem");
  gtk_widget_add_css_class (self->reader_status,
                            state == EC_KIOSK_READER_READY ? "ec-reader-ready" : "ec-reader-problem");
  gtk_label_set_label (self->role_label, self->station_active ? _("Service station (staff)") : role);
  /* The button names the language it switches to, in that language. */
  gtk_button_set_label (self->language_button,
                        g_str_equal (ec_kiosk_i18n_get_language (), "zh") ? "English" : "中文");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->language_button), _("Switch language"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->staff_button), _("Staff menu"));
  /* Words, not an icon a newcomer must guess: "Demo cards". */
  gtk_button_set_label (GTK_BUTTON (self->demo_button), _("Demo cards"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->demo_button), _("Show or hide the demo panel"));
  /* Icon-only buttons: a name a screen reader speaks, in the kiosk's language. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->staff_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Staff menu"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->demo_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Show or hide the demo panel"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reader_status), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  ec_kiosk_reader_state_title (ec_kiosk_controller_get_reader_state (self->controller)),
                                  -1);
  gtk_label_set_label (self->reading_label, _("Reading card…"));
  gtk_label_set_label (self->reading_hint, _("Keep the card on the reader."));
  gtk_window_set_title (GTK_WINDOW (self), _("Eldercard Kiosk"));
}

/* ------------------------------------------------------------------------- */
/* Privacy countdown: a record clears itself after :idle-timeout seconds without a
 * touch. In its last seconds a bar says so and offers to keep it; any touch, key
 * or scroll keeps it too (ec_kiosk_controller_user_activity). */

/* Seconds before the clearing that the bar appears: 20, or half a short timeout. */
static guint
countdown_warn_seconds (EcKioskWindow *self)
{
  return MIN (20, MAX (1, ec_kiosk_controller_get_idle_timeout (self->controller) / 2));
}

/* Show or hide the privacy countdown for the time left; FALSE when there is nothing
 * left to count (no record on screen, or the window is going). */
static gboolean
countdown_update (EcKioskWindow *self)
{
  gint64 remaining;
  gboolean show;

  if (self->countdown_revealer == NULL || self->controller == NULL)   /* the window is going */
    return FALSE;
  remaining = ec_kiosk_controller_get_idle_remaining_ms (self->controller);
  show = remaining >= 0 && remaining <= (gint64) countdown_warn_seconds (self) * 1000;
  if (show)
    {
      guint seconds = (guint) ((remaining + 999) / 1000);
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "For privacy this screen clears in %u second. Touch the screen to keep it.",
                                      "For privacy this screen clears in %u seconds. Touch the screen to keep it.",
                                      seconds), seconds);
      gtk_label_set_label (self->countdown_label, text);
      gtk_button_set_label (self->countdown_button, _("Keep it on screen"));
    }
  gtk_revealer_set_reveal_child (self->countdown_revealer, show);
  return remaining >= 0;
}

static gboolean
countdown_tick_cb (gpointer user_data)
{
  EcKioskWindow *self = user_data;

  if (countdown_update (self))
    return G_SOURCE_CONTINUE;
  self->countdown_source = 0;
  return G_SOURCE_REMOVE;
}

/* Called directly (not from the source): stop the source itself when nothing is left
 * to count, so its id is never forgotten while it still runs. */
static void
countdown_refresh (EcKioskWindow *self)
{
  if (!countdown_update (self))
    g_clear_handle_id (&self->countdown_source, g_source_remove);
}

static void
countdown_start (EcKioskWindow *self)
{
  if (self->controller == NULL || self->countdown_revealer == NULL)
    return;
  if (self->countdown_source == 0)
    self->countdown_source = g_timeout_add (250, countdown_tick_cb, self);
  countdown_refresh (self);
}

static void
on_countdown_button_clicked_cb (EcKioskWindow *self,
                                GtkButton     *button)
{
  if (self->controller != NULL)
    ec_kiosk_controller_user_activity (self->controller);
  countdown_refresh (self);
}

gboolean
ec_kiosk_window_get_countdown_shown (EcKioskWindow *self,
                                     char         **text)
{
  g_return_val_if_fail (EC_IS_KIOSK_WINDOW (self), FALSE);

  if (text != NULL)
    *text = g_strdup (gtk_label_get_label (self->countdown_label));
  return gtk_revealer_get_reveal_child (self->countdown_revealer);
}

GtkWidget *
ec_kiosk_window_get_countdown_button (EcKioskWindow *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_WINDOW (self), NULL);
  return GTK_WIDGET (self->countdown_button);
}

static void
render (EcKioskWindow *self)
{
  EcKioskScreen screen = ec_kiosk_controller_get_screen (self->controller);
  EcKioskResult *result = ec_kiosk_controller_get_result (self->controller);
  GtkWidget *page = self->waiting_page;

  ec_waiting_page_set_reader_state (EC_WAITING_PAGE (self->waiting_page),
                                    ec_kiosk_controller_get_reader_state (self->controller),
                                    ec_kiosk_controller_get_reader_message (self->controller));
  switch (screen)
    {
    case EC_KIOSK_SCREEN_READING:
      page = gtk_widget_get_parent (GTK_WIDGET (self->reading_spinner));
      break;
    case EC_KIOSK_SCREEN_RECORD:
      if (result != NULL && result->resident != NULL && self->nurse_page != NULL)
        {
          ec_nurse_page_set_result (EC_NURSE_PAGE (self->nurse_page), result);
          page = self->nurse_page;
        }
      else if (result != NULL && result->resident != NULL)
        {
          ec_record_view_set_result (EC_RECORD_VIEW (self->record_view), result);
          page = self->record_view;
        }
      break;
    case EC_KIOSK_SCREEN_PROBLEM:
      if (result != NULL && result->resident != NULL)
        {
          /* Not in the database, but the card's own summary is there: show it, marked. */
          ec_record_view_set_result (EC_RECORD_VIEW (self->record_view), result);
          page = self->record_view;
        }
      else if (result != NULL)
        {
          g_free (self->last_problem);
          self->last_problem = g_strdup (result->detail);
          ec_problem_page_set_result (EC_PROBLEM_PAGE (self->problem_page), result);
          page = self->problem_page;
        }
      break;
    case EC_KIOSK_SCREEN_LOOKUP:
      if (self->shown_screen != EC_KIOSK_SCREEN_LOOKUP)
        ec_lookup_page_reset (EC_LOOKUP_PAGE (self->lookup_page));
      page = self->lookup_page;
      break;
    case EC_KIOSK_SCREEN_WAITING:
    default:
      /* Back to Waiting: the data may have been updated meanwhile. */
      if (self->shown_screen != EC_KIOSK_SCREEN_WAITING)
        refresh_data_age (self);
      break;
    }
  if (screen == EC_KIOSK_SCREEN_READING)
    gtk_spinner_start (self->reading_spinner);
  else
    gtk_spinner_stop (self->reading_spinner);
  /* Personal data leaves the screen at once, never in a fade; results fade in. */
  gtk_stack_set_transition_type (self->main_stack,
                                 (screen == EC_KIOSK_SCREEN_RECORD || screen == EC_KIOSK_SCREEN_PROBLEM)
                                 ? GTK_STACK_TRANSITION_TYPE_CROSSFADE : GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_set_visible_child (self->main_stack, page);
  /* The search field takes the keyboard now that its page is shown (grabbing the
   * focus before, on a hidden page, did nothing: the first keys were lost). */
  if (page == self->lookup_page && self->shown_screen != EC_KIOSK_SCREEN_LOOKUP)
    ec_lookup_page_focus (EC_LOOKUP_PAGE (self->lookup_page));
  if (page != self->record_view)
    ec_record_view_clear (EC_RECORD_VIEW (self->record_view));
  if (self->nurse_page != NULL && page != self->nurse_page)
    ec_nurse_page_clear (EC_NURSE_PAGE (self->nurse_page));
  self->shown_screen = screen;
  if (self->controller != NULL)
    countdown_start (self);
}

static void
on_controller_screen_cb (EcKioskWindow     *self,
                         GParamSpec        *pspec,
                         EcKioskController *controller)
{
  render (self);
}

static void
on_controller_reader_cb (EcKioskWindow     *self,
                         GParamSpec        *pspec,
                         EcKioskController *controller)
{
  render_topbar (self);
  ec_waiting_page_set_reader_state (EC_WAITING_PAGE (self->waiting_page),
                                    ec_kiosk_controller_get_reader_state (controller),
                                    ec_kiosk_controller_get_reader_message (controller));
}

/* ------------------------------------------------------------------------- */
/* Manual lookup: a reason, then the audited open. */

typedef struct
{
  EcKioskWindow *self;
  EcResidentId   id;
} ReasonData;

static void
on_reason_dialog_response_cb (AdwMessageDialog *dialog,
                              const char       *response,
                              gpointer          user_data)
{
  ReasonData *d = user_data;
  g_autofree char *reason = ec_reason_dialog_get_reason (EC_REASON_DIALOG (dialog));

  if (g_str_equal (response, "open") && reason != NULL)
    ec_kiosk_controller_open_manual (d->self->controller, d->id, reason);
}

static void
on_lookup_resident_chosen_cb (EcKioskWindow *self,
                              guint64        id,
                              const char    *name,
                              EcLookupPage  *page)
{
  GtkWidget *dialog = ec_reason_dialog_new (GTK_WINDOW (self), name);
  ReasonData *d = g_new0 (ReasonData, 1);

  d->self = self;
  d->id = id;
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_reason_dialog_response_cb), d,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* An old or expired card whose owner is known: a reason, then the current record,
 * audited as emergency access. */
static void
on_emergency_reason_response_cb (AdwMessageDialog *dialog,
                                 const char       *response,
                                 gpointer          user_data)
{
  ReasonData *d = user_data;
  g_autofree char *reason = ec_reason_dialog_get_reason (EC_REASON_DIALOG (dialog));

  if (g_str_equal (response, "open") && reason != NULL)
    ec_kiosk_controller_open_emergency (d->self->controller, d->id, reason);
}

static void
on_problem_emergency_requested_cb (EcKioskWindow *self,
                                   guint64        id,
                                   EcProblemPage *page)
{
  GtkWidget *dialog = ec_reason_dialog_new_emergency (GTK_WINDOW (self));
  ReasonData *d = g_new0 (ReasonData, 1);

  d->self = self;
  d->id = id;
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_emergency_reason_response_cb), d,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_page_done_cb (EcKioskWindow *self,
                 GtkWidget     *page)
{
  ec_kiosk_controller_clear (self->controller);
}

static void
on_page_lookup_requested_cb (EcKioskWindow *self,
                             GtkWidget     *page)
{
  ec_kiosk_controller_open_lookup (self->controller);
}

/* The record goes with the resident: the handover window (ec-handover-dialog.h) for
 * the shown resident, acting as this kiosk in its current role. */
static void
on_record_handover_requested_cb (EcKioskWindow *self,
                                 guint64        resident_id,
                                 GtkWidget     *page)
{
  g_autoptr(EcConfig) config = ec_config_new ();
  EcActor actor = { ec_kiosk_controller_get_role (self->controller), self->kiosk_id };
  GtkWindow *dialog;

  config->handover_qr = self->handover_qr;
  g_free (config->station_name);
  config->station_name = g_strdup (self->station_name);
  g_free (config->station_phone);
  config->station_phone = g_strdup (self->station_phone);
  dialog = ec_handover_dialog_new (GTK_WINDOW (self), self->db_path, (EcResidentId) resident_id, &actor, config);
  if (dialog == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("The handover sheet cannot be made: the record cannot be read.")));
      return;
    }
  gtk_window_present (dialog);
}

static void
replace_page (EcKioskWindow  *self,
              GtkWidget     **slot,
              GtkWidget      *page,
              const char     *name)
{
  if (*slot != NULL)
    gtk_stack_remove (self->main_stack, *slot);
  *slot = page;
  gtk_stack_add_named (self->main_stack, page, name);
}

static void
rebuild_pages (EcKioskWindow *self)
{
  GtkWidget *waiting = ec_waiting_page_new ();
  GtkWidget *record = ec_record_view_new ();
  GtkWidget *problem = ec_problem_page_new ();
  GtkWidget *lookup = ec_lookup_page_new (self->controller);

  g_signal_connect_object (waiting, "lookup-requested", G_CALLBACK (on_page_lookup_requested_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (record, "lookup-requested", G_CALLBACK (on_page_lookup_requested_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (record, "done", G_CALLBACK (on_page_done_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (record, "handover-requested", G_CALLBACK (on_record_handover_requested_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (problem, "lookup-requested", G_CALLBACK (on_page_lookup_requested_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (problem, "done", G_CALLBACK (on_page_done_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (problem, "emergency-requested", G_CALLBACK (on_problem_emergency_requested_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (lookup, "done", G_CALLBACK (on_page_done_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (lookup, "resident-chosen", G_CALLBACK (on_lookup_resident_chosen_cb), self, G_CONNECT_SWAPPED);
  ec_record_view_set_station (EC_RECORD_VIEW (record), self->station_name, self->station_phone);

  /* Show the new waiting page before the old pages go, so the stack never shows a
   * half-built screen. */
  gtk_stack_set_visible_child_name (self->main_stack, "reading");
  replace_page (self, &self->waiting_page, waiting, "waiting");
  replace_page (self, &self->record_view, record, "record");
  replace_page (self, &self->problem_page, problem, "problem");
  replace_page (self, &self->lookup_page, lookup, "lookup");
  if (self->nurse_context != NULL && ec_kiosk_controller_get_role (self->controller) == EC_ROLE_NURSE)
    {
      GtkWidget *nurse = ec_nurse_page_new (self->nurse_context);
      g_signal_connect_object (nurse, "lookup-requested", G_CALLBACK (on_page_lookup_requested_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (nurse, "done", G_CALLBACK (on_page_done_cb), self, G_CONNECT_SWAPPED);
      replace_page (self, &self->nurse_page, nurse, "nurse");
    }
  else if (self->nurse_page != NULL)
    {
      /* Switched back to responder: the record view shows the next tap. */
      gtk_stack_remove (self->main_stack, self->nurse_page);
      self->nurse_page = NULL;
    }
  self->shown_screen = EC_KIOSK_SCREEN_WAITING;
  rebuild_staff_menu (self);
  render_topbar (self);
  render (self);
  refresh_data_age (self);
}

/* ------------------------------------------------------------------------- */
/* How old the data is: "Data from 3 days ago" on the Waiting screen (docs/sync.md). */

static void
data_age_ready_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr(EcKioskWindow) self = g_weak_ref_get (ref);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean stale = FALSE;
  gint64 age = -1;

  g_weak_ref_clear (ref);
  g_free (ref);
  if (!ec_kiosk_controller_data_age_finish (NULL, result, &age, &error))
    {
      g_debug ("data age: %s", error->message);
      return;
    }
  if (self == NULL || self->waiting_page == NULL)
    return;
  text = ec_sync_describe_age (age, self->max_age_days, &stale);
  ec_waiting_page_set_data_age (EC_WAITING_PAGE (self->waiting_page), text, stale);
}

static void
refresh_data_age (EcKioskWindow *self)
{
  GWeakRef *ref;

  if (self->controller == NULL)
    return;
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  ec_kiosk_controller_data_age_async (self->controller, NULL, data_age_ready_cb, ref);
}

static gboolean
data_age_timeout_cb (gpointer user_data)
{
  refresh_data_age (user_data);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------- */
/* Kiosk mode: no way out without staff. */

static gboolean
ec_kiosk_window_close_request (GtkWindow *window)
{
  EcKioskWindow *self = EC_KIOSK_WINDOW (window);

  if (self->kiosk_mode && !self->unlocked)
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("This kiosk stays open. Staff can leave kiosk mode from the menu.")));
      return TRUE;
    }
  return GTK_WINDOW_CLASS (ec_kiosk_window_parent_class)->close_request (window);
}

typedef struct
{
  char *hash;
  char *pin;
} UnlockData;

static void
unlock_data_free (UnlockData *d)
{
  g_free (d->hash);
  if (d->pin != NULL)
    sodium_memzero (d->pin, strlen (d->pin));
  g_free (d->pin);
  g_free (d);
}

static void
unlock_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  UnlockData *d = task_data;

  if (d->hash == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                             _("No exit PIN is configured for this kiosk ([kiosk] exit-pin)."));
  else if (crypto_pwhash_str_verify (d->hash, d->pin, strlen (d->pin)) != 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s", _("Wrong PIN."));
  else
    g_task_return_boolean (task, TRUE);
}

/* Check @pin against the exit PIN off the main loop (leaving kiosk mode, switching
 * the role in kiosk mode). */
static void
check_pin_async (EcKioskWindow       *self,
                 const char          *pin,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  UnlockData *d;

  d = g_new0 (UnlockData, 1);
  d->hash = g_strdup (self->exit_pin_hash);
  d->pin = g_strdup (pin);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, d, (GDestroyNotify) unlock_data_free);
  g_task_run_in_thread (task, unlock_worker);
}

void
ec_kiosk_window_unlock_async (EcKioskWindow       *self,
                              const char          *pin,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (EC_IS_KIOSK_WINDOW (self));
  g_return_if_fail (pin != NULL);

  check_pin_async (self, pin, ec_kiosk_window_unlock_async, cancellable, callback, user_data);
}

gboolean
ec_kiosk_window_unlock_finish (EcKioskWindow  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    {
      ec_kiosk_controller_audit (self->controller, "kiosk-unlock-failure", NULL);
      return FALSE;
    }
  ec_kiosk_controller_audit (self->controller, "kiosk-unlock", "kiosk mode left with the exit PIN");
  self->unlocked = TRUE;
  gtk_window_unfullscreen (GTK_WINDOW (self));
  gtk_window_set_decorated (GTK_WINDOW (self), TRUE);
  gtk_widget_set_visible (self->window_controls, TRUE);
  return TRUE;
}

gboolean
ec_kiosk_window_get_locked (EcKioskWindow *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_WINDOW (self), FALSE);
  return self->kiosk_mode && !self->unlocked;
}

static void
unlock_done_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  EcKioskWindow *self = EC_KIOSK_WINDOW (source);
  g_autoptr(GError) error = NULL;

  if (ec_kiosk_window_unlock_finish (self, res, &error))
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 adw_toast_new (_("Kiosk mode left: the window can now be closed.")));
  else
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
    }
}

static void apply_role (EcKioskWindow *self,
                        EcRole         role);

static void
role_pin_done_cb (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  EcKioskWindow *self = EC_KIOSK_WINDOW (source);
  EcRole role = (EcRole) GPOINTER_TO_INT (user_data);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);

  if (self->controller == NULL)   /* the window went meanwhile */
    return;
  if (!ok)
    {
      ec_kiosk_controller_audit (self->controller, "role-change-refused", ec_role_to_string (role));
      gtk_widget_error_bell (GTK_WIDGET (self));
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  apply_role (self, role);
}

/* The staff PIN dialog. Its response "unlock" leaves kiosk mode; "switch" switches to
 * the role stored on the dialog ("ec-role"). */
static void
on_pin_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    EcKioskWindow    *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_str_equal (response, "unlock"))
    ec_kiosk_window_unlock_async (self, gtk_editable_get_text (entry), NULL, unlock_done_cb, NULL);
  else if (g_str_equal (response, "switch"))
    check_pin_async (self, gtk_editable_get_text (entry), role_pin_done_cb, NULL, role_pin_done_cb,
                     g_object_get_data (G_OBJECT (dialog), "ec-role"));
  gtk_editable_set_text (entry, "");
  /* GTK 4.8: a GtkPasswordEntry that still has the focus when its dialog is finalized
   * is called back after it is gone (notify::has-focus on its GtkText). */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
}

static void
present_pin_dialog (EcKioskWindow *self,
                    const char    *heading,
                    const char    *response,
                    const char    *response_label,
                    int            role)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("Staff only: enter the exit PIN.")));
  entry = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), response, response_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, response, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, response);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "ec-role", GINT_TO_POINTER (role));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_pin_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
unlock_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  present_pin_dialog (EC_KIOSK_WINDOW (widget), _("Leave kiosk mode"), "unlock", _("_Unlock"), -1);
}

/* ------------------------------------------------------------------------- */
/* Responder or nurse mode (win.role): a kiosk carried by a nurse switches without a
 * restart. Station staff (role staff) do not switch. */

static EcNurseContext *
make_nurse_context (EcKioskWindow *self)
{
  g_autoptr(EcConfig) config = ec_config_new ();

  g_free (config->db_path);
  config->db_path = g_strdup (self->db_path);
  g_free (config->kiosk_id);
  config->kiosk_id = g_strdup (self->kiosk_id);
  config->role = EC_ROLE_NURSE;   /* the nurse's checks are audited as a nurse's */
  return ec_nurse_context_new (config);
}

static void
apply_role (EcKioskWindow *self,
            EcRole         role)
{
  if (role == ec_kiosk_controller_get_role (self->controller))
    return;
  if (role == EC_ROLE_NURSE && self->nurse_context == NULL)
    self->nurse_context = make_nurse_context (self);
  /* Back to Waiting first: no record read in one role stays on screen in the other. */
  ec_kiosk_controller_set_role (self->controller, role);
  g_simple_action_set_state (self->role_action, g_variant_new_string (ec_role_to_string (role)));
  rebuild_pages (self);
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (role == EC_ROLE_NURSE ? _("Nurse mode: allergies and medications come first.")
                                                                    : _("Responder mode.")));
}

static void
role_action_activate_cb (GSimpleAction *action,
                         GVariant      *parameter,
                         EcKioskWindow *self)
{
  const char *name = g_variant_get_string (parameter, NULL);
  EcRole role;

  if (!ec_role_from_string (name, &role) || (role != EC_ROLE_RESPONDER && role != EC_ROLE_NURSE))
    {
      g_warning ("win.role: \"%s\" is not responder or nurse", name);
      return;
    }
  if (role == ec_kiosk_controller_get_role (self->controller))
    return;
  /* Locked in kiosk mode: the same staff PIN as leaving kiosk mode. */
  if (ec_kiosk_window_get_locked (self))
    present_pin_dialog (self, role == EC_ROLE_NURSE ? _("Switch to nurse mode") : _("Switch to responder mode"),
                        "switch", _("_Switch"), (int) role);
  else
    apply_role (self, role);
}

static void
info_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EcKioskWindow *self = EC_KIOSK_WINDOW (widget);
  const char *device = ec_kiosk_controller_get_device (self->controller);
  g_autofree char *body =
    g_strdup_printf ("%s %s\n%s %s\n%s %s\n%s %s\n%s %u s",
                     _("Version:"), EC_VERSION,
                     _("Role:"), ec_kiosk_role_label (ec_kiosk_controller_get_role (self->controller)),
                     _("Reader:"), device != NULL ? device : _("libnfc default"),
                     _("Reader state:"),
                     ec_kiosk_reader_state_title (ec_kiosk_controller_get_reader_state (self->controller)),
                     _("Screen clears after:"), ec_kiosk_controller_get_idle_timeout (self->controller));
  g_autofree char *full = self->last_problem != NULL
                          ? g_strdup_printf ("%s\n%s %s", body, _("Last card problem (technical, for staff):"),
                                             self->last_problem)
                          : g_strdup (body);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Kiosk information"), full);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ------------------------------------------------------------------------- */

static void
on_language_button_clicked_cb (EcKioskWindow *self,
                               GtkButton     *button)
{
  ec_kiosk_window_set_language (self, g_str_equal (ec_kiosk_i18n_get_language (), "zh") ? "en" : "zh");
}

static gboolean
on_input_event_cb (GtkEventControllerLegacy *controller,
                   GdkEvent                 *event,
                   EcKioskWindow            *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  /* Touches, clicks, keys and scrolling count as activity; pointer motion does not
   * (a mouse nudged by the vehicle must not keep a record on screen). */
  if (type == GDK_BUTTON_PRESS || type == GDK_KEY_PRESS || type == GDK_SCROLL
      || type == GDK_TOUCH_BEGIN || type == GDK_TOUCH_UPDATE)
    ec_kiosk_controller_user_activity (self->controller);
  return GDK_EVENT_PROPAGATE;
}

static void
ec_kiosk_window_dispose (GObject *object)
{
  EcKioskWindow *self = EC_KIOSK_WINDOW (object);

  g_clear_handle_id (&self->flash_source, g_source_remove);
  g_clear_handle_id (&self->bell_source, g_source_remove);
  g_clear_handle_id (&self->data_age_source, g_source_remove);
  g_clear_handle_id (&self->size_class_source, g_source_remove);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_KIOSK_WINDOW);
  self->waiting_page = self->record_view = self->problem_page = self->lookup_page = NULL;
  self->nurse_page = NULL;
  g_clear_object (&self->nurse_context);
  g_clear_object (&self->role_action);
  self->side_panel = NULL;
  g_clear_object (&self->controller);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  G_OBJECT_CLASS (ec_kiosk_window_parent_class)->dispose (object);
}

static void
ec_kiosk_window_finalize (GObject *object)
{
  EcKioskWindow *self = EC_KIOSK_WINDOW (object);

  g_free (self->exit_pin_hash);
  g_free (self->station_name);
  g_free (self->station_phone);
  g_free (self->db_path);
  g_free (self->kiosk_id);
  g_free (self->last_problem);
  G_OBJECT_CLASS (ec_kiosk_window_parent_class)->finalize (object);
}

/* Window size classes: CSS has no media queries in GTK, so the window marks itself
 * "ec-narrow" (under 700 px wide: phones, portrait 400 px) and "ec-short" (under
 * 820 px high: 1280 × 800 and 1366 × 768 laptops, 1024 × 600 tablets) and ui/style.css makes the large type and the
 * photo smaller there. Set from an idle, never during the allocation itself. */
#define EC_NARROW_WIDTH 700
#define EC_SHORT_HEIGHT 820

static gboolean
apply_size_classes_cb (gpointer user_data)
{
  EcKioskWindow *self = user_data;

  self->size_class_source = 0;
  if (self->narrow)
    gtk_widget_add_css_class (GTK_WIDGET (self), "ec-narrow");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "ec-narrow");
  if (self->short_screen)
    gtk_widget_add_css_class (GTK_WIDGET (self), "ec-short");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "ec-short");
  /* A narrow top bar keeps the reader's icon and drops the words (the waiting
   * screen says them in full) and the role (the staff menu shows it). */
  gtk_widget_set_visible (GTK_WIDGET (self->reader_label), !self->narrow);
  gtk_widget_set_visible (GTK_WIDGET (self->role_label), !self->narrow);
  /* Only the close button when narrow (a maximised phone-sized window). */
  gtk_window_controls_set_decoration_layout (GTK_WINDOW_CONTROLS (self->window_controls),
                                             self->narrow ? ":close" : NULL);
  return G_SOURCE_REMOVE;
}

static void
ec_kiosk_window_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  EcKioskWindow *self = EC_KIOSK_WINDOW (widget);
  int default_width = 0, default_height = 0;
  gboolean narrow, short_screen;

  /* The size asked for (the default size follows the user's resizing), not only the
   * size allocated: a window whose wide layout needs more than the screen has is
   * still narrow, so it gets the layout that fits. */
  gtk_window_get_default_size (GTK_WINDOW (widget), &default_width, &default_height);
  narrow = width < EC_NARROW_WIDTH || (default_width > 0 && default_width < EC_NARROW_WIDTH);
  short_screen = height < EC_SHORT_HEIGHT || (default_height > 0 && default_height < EC_SHORT_HEIGHT);

  GTK_WIDGET_CLASS (ec_kiosk_window_parent_class)->size_allocate (widget, width, height, baseline);
  if ((narrow != self->narrow || short_screen != self->short_screen) && self->size_class_source == 0)
    {
      self->narrow = narrow;
      self->short_screen = short_screen;
      self->size_class_source = g_idle_add (apply_size_classes_cb, self);
    }
  else if (self->size_class_source != 0)
    {
      self->narrow = narrow;
      self->short_screen = short_screen;
    }
}

/* The default size follows the size asked for (set by the program, or the user's
 * resizing): classes set from it apply before the window is first laid out. */
static void
on_default_size_cb (EcKioskWindow *self,
                    GParamSpec    *pspec,
                    gpointer       data)
{
  int width = 0, height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  self->narrow = width > 0 && width < EC_NARROW_WIDTH;
  self->short_screen = height > 0 && height < EC_SHORT_HEIGHT;
  g_clear_handle_id (&self->size_class_source, g_source_remove);
  apply_size_classes_cb (self);
}

gboolean
ec_kiosk_window_get_narrow (EcKioskWindow *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_WINDOW (self), FALSE);
  return gtk_widget_has_css_class (GTK_WIDGET (self), "ec-narrow");
}

static void
ec_kiosk_window_class_init (EcKioskWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ec_kiosk_window_dispose;
  object_class->finalize = ec_kiosk_window_finalize;
  window_class->close_request = ec_kiosk_window_close_request;

  widget_class->size_allocate = ec_kiosk_window_size_allocate;
  g_type_ensure (ADW_TYPE_TOAST_OVERLAY);
  g_type_ensure (ADW_TYPE_FLAP);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-kiosk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, language_button);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, reader_icon);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, reader_label);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, reader_status);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, reading_hint);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, reading_label);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, reading_spinner);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, role_label);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, side_slot);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, countdown_revealer);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, countdown_button);
  gtk_widget_class_bind_template_callback (widget_class, on_countdown_button_clicked_cb);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, staff_button);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, topbar);
  gtk_widget_class_bind_template_child (widget_class, EcKioskWindow, window_controls);
  gtk_widget_class_bind_template_callback (widget_class, on_language_button_clicked_cb);

  gtk_widget_class_install_action (widget_class, "win.unlock", NULL, unlock_action);
  gtk_widget_class_install_action (widget_class, "win.info", NULL, info_action);
}

static void
ec_kiosk_window_init (EcKioskWindow *self)
{
  GtkEventController *legacy;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "ec-kiosk");
  g_signal_connect (self, "notify::default-width", G_CALLBACK (on_default_size_cb), NULL);
  g_signal_connect (self, "notify::default-height", G_CALLBACK (on_default_size_cb), NULL);
  g_object_bind_property (self->demo_button, "active", self->flap, "reveal-flap",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  legacy = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect (legacy, "event", G_CALLBACK (on_input_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), legacy);
}

/* Open within the screen: the default size (1200 × 740) shrinks to the first
 * monitor, less room for the desktop's panels, on a smaller screen. */
static void
fit_to_monitor (EcKioskWindow *self)
{
  GdkDisplay *display = gdk_display_get_default ();
  GListModel *monitors = display != NULL ? gdk_display_get_monitors (display) : NULL;
  g_autoptr(GdkMonitor) monitor = monitors != NULL ? g_list_model_get_item (monitors, 0) : NULL;
  GdkRectangle geometry;
  int width, height;

  if (monitor == NULL)
    return;
  gdk_monitor_get_geometry (monitor, &geometry);
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (geometry.width > 0 && width > geometry.width - 16)
    width = MAX (geometry.width - 16, 320);
  if (geometry.height > 0 && height > geometry.height - 48)
    height = MAX (geometry.height - 48, 320);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
}

EcKioskWindow *
ec_kiosk_window_new (GtkApplication    *app,
                     EcKioskController *controller,
                     const EcConfig    *config,
                     gboolean           kiosk_mode)
{
  EcKioskWindow *self;

  g_return_val_if_fail (EC_IS_KIOSK_CONTROLLER (controller), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (EC_TYPE_KIOSK_WINDOW, "application", app, NULL);
  self->controller = g_object_ref (controller);
  self->kiosk_mode = kiosk_mode;
  self->exit_pin_hash = g_strdup (config->exit_pin_hash);
  self->station_name = g_strdup (config->station_name);
  self->station_phone = g_strdup (config->station_phone);
  self->db_path = g_strdup (config->db_path);
  self->kiosk_id = g_strdup (config->kiosk_id);
  self->max_age_days = config->max_age_days;
  self->handover_qr = config->handover_qr;
  /* "3 days ago" becomes "4 days ago" on a kiosk left waiting. */
  self->data_age_source = g_timeout_add_seconds (600, data_age_timeout_cb, self);
  if (config->role == EC_ROLE_NURSE)
    self->nurse_context = ec_nurse_context_new (config);

  g_signal_connect_object (controller, "notify::screen", G_CALLBACK (on_controller_screen_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "notify::reader-state", G_CALLBACK (on_controller_reader_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "notify::reader-message", G_CALLBACK (on_controller_reader_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "feedback", G_CALLBACK (on_controller_feedback_cb), self, G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.unlock", kiosk_mode);
  self->role_action = g_simple_action_new_stateful ("role", G_VARIANT_TYPE_STRING,
                                                    g_variant_new_string (ec_role_to_string (config->role)));
  g_simple_action_set_enabled (self->role_action, config->role == EC_ROLE_RESPONDER || config->role == EC_ROLE_NURSE);
  g_signal_connect_object (self->role_action, "activate", G_CALLBACK (role_action_activate_cb), self, 0);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (self->role_action));
  if (kiosk_mode)
    {
      /* No GTK Inspector (Ctrl+Shift+D / Ctrl+Shift+I) in any window of this process,
       * whatever the user's GTK settings (ec-kiosk-lock.h). */
      ec_kiosk_lock_debugging ();
      gtk_window_set_decorated (GTK_WINDOW (self), FALSE);
      gtk_widget_set_visible (self->window_controls, FALSE);
      gtk_window_set_deletable (GTK_WINDOW (self), FALSE);
      gtk_window_fullscreen (GTK_WINDOW (self));
    }
  else if (config->fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (self));

  fit_to_monitor (self);
  rebuild_pages (self);
  return self;
}

EcKioskController *
ec_kiosk_window_get_controller (EcKioskWindow *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_WINDOW (self), NULL);
  return self->controller;
}

GtkWidget *
ec_kiosk_window_get_page (EcKioskWindow *self,
                          EcKioskScreen  screen)
{
  g_return_val_if_fail (EC_IS_KIOSK_WINDOW (self), NULL);

  switch (screen)
    {
    case EC_KIOSK_SCREEN_READING:
      return gtk_widget_get_parent (GTK_WIDGET (self->reading_spinner));
    case EC_KIOSK_SCREEN_RECORD:
      return self->nurse_page != NULL ? self->nurse_page : self->record_view;
    case EC_KIOSK_SCREEN_PROBLEM:
      return self->problem_page;
    case EC_KIOSK_SCREEN_LOOKUP:
      return self->lookup_page;
    case EC_KIOSK_SCREEN_WAITING:
    default:
      return self->waiting_page;
    }
}

GtkWidget *
ec_kiosk_window_get_visible_page (EcKioskWindow *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_WINDOW (self), NULL);
  return gtk_stack_get_visible_child (self->main_stack);
}

GtkWidget *
ec_kiosk_window_get_topbar (EcKioskWindow *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_WINDOW (self), NULL);
  return self->topbar;
}

void
ec_kiosk_window_set_language (EcKioskWindow *self,
                              const char    *language)
{
  g_return_if_fail (EC_IS_KIOSK_WINDOW (self));

  ec_kiosk_i18n_set_language (language);
  rebuild_pages (self);
}

void
ec_kiosk_window_set_station_available (EcKioskWindow *self,
                                       gboolean       available)
{
  g_return_if_fail (EC_IS_KIOSK_WINDOW (self));

  self->station_available = available;
  rebuild_staff_menu (self);
}

void
ec_kiosk_window_set_station_active (EcKioskWindow *self,
                                    gboolean       active)
{
  g_return_if_fail (EC_IS_KIOSK_WINDOW (self));

  self->station_active = active;
  render_topbar (self);
}

void
ec_kiosk_window_set_role (EcKioskWindow *self,
                          EcRole         role)
{
  g_return_if_fail (EC_IS_KIOSK_WINDOW (self));
  g_return_if_fail (role == EC_ROLE_RESPONDER || role == EC_ROLE_NURSE);

  g_simple_action_set_enabled (self->role_action, TRUE);
  apply_role (self, role);
}

void
ec_kiosk_window_set_side_panel (EcKioskWindow *self,
                                GtkWidget     *panel)
{
  g_return_if_fail (EC_IS_KIOSK_WINDOW (self));

  if (self->side_panel != NULL)
    gtk_box_remove (self->side_slot, self->side_panel);
  self->side_panel = panel;
  if (panel != NULL)
    {
      gtk_widget_set_vexpand (panel, TRUE);
      gtk_box_append (self->side_slot, panel);
    }
  /* The panel folds over the kiosk's right edge, shown at first; the top bar's
   * button folds it away and back. It never takes the kiosk's own width. */
  gtk_widget_set_visible (GTK_WIDGET (self->demo_button), panel != NULL);
  gtk_toggle_button_set_active (self->demo_button, panel != NULL);
}
