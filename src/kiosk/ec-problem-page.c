/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-problem-page"

#include "ec-problem-page.h"

#include "ec-reflow-box.h"

#include <adwaita.h>

#include "ec-i18n.h"
#include "ec-kiosk-strings.h"

struct _EcProblemPage
{
  GtkWidget       parent_instance;

  GtkLabel       *detail_label;
  GtkButton      *done_button;
  GtkButton      *lookup_button;
  GtkWidget      *next_box;
  GtkLabel       *next_label;
  AdwStatusPage  *status_page;
  GtkWidget      *emergency_button;  /* old or expired card of a known resident */
  EcResidentId    emergency_id;
};

G_DEFINE_FINAL_TYPE (EcProblemPage, ec_problem_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_DONE,
  SIGNAL_LOOKUP_REQUESTED,
  SIGNAL_EMERGENCY_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_done_button_clicked_cb (EcProblemPage *self,
                           GtkButton     *button)
{
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

static void
on_lookup_button_clicked_cb (EcProblemPage *self,
                             GtkButton     *button)
{
  g_signal_emit (self, signals[SIGNAL_LOOKUP_REQUESTED], 0);
}

static void
on_emergency_button_clicked_cb (EcProblemPage *self,
                                GtkButton     *button)
{
  if (self->emergency_id != 0)
    g_signal_emit (self, signals[SIGNAL_EMERGENCY_REQUESTED], 0, (guint64) self->emergency_id);
}

static void
ec_problem_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_PROBLEM_PAGE);
  G_OBJECT_CLASS (ec_problem_page_parent_class)->dispose (object);
}

static void
ec_problem_page_class_init (EcProblemPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ec_problem_page_dispose;

  signals[SIGNAL_DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_LOOKUP_REQUESTED] =
    g_signal_new ("lookup-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /* ::emergency-requested (guint64 resident id): open the current record of an old
   * or expired card's resident, after a reason. */
  signals[SIGNAL_EMERGENCY_REQUESTED] =
    g_signal_new ("emergency-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  g_type_ensure (ADW_TYPE_CLAMP);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-problem-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EcProblemPage, detail_label);
  gtk_widget_class_bind_template_child (widget_class, EcProblemPage, done_button);
  gtk_widget_class_bind_template_child (widget_class, EcProblemPage, lookup_button);
  gtk_widget_class_bind_template_child (widget_class, EcProblemPage, next_box);
  gtk_widget_class_bind_template_child (widget_class, EcProblemPage, next_label);
  gtk_widget_class_bind_template_child (widget_class, EcProblemPage, status_page);
  gtk_widget_class_bind_template_callback (widget_class, on_done_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_lookup_button_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ec-problem-page");
}

static void
ec_problem_page_init (EcProblemPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The two buttons side by side, or stacked on a narrow screen. */
  {
    GtkWidget *buttons = ec_reflow_box_replace_box (gtk_widget_get_parent (GTK_WIDGET (self->done_button)),
                                                    16, 600, TRUE);
    GtkWidget *label = gtk_label_new (NULL);

    /* Shown only when the kiosk knows whose card it is. */
    self->emergency_button = gtk_button_new ();
    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
    gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
    gtk_button_set_child (GTK_BUTTON (self->emergency_button), label);
    gtk_widget_add_css_class (self->emergency_button, "ec-big-button");
    gtk_widget_add_css_class (self->emergency_button, "destructive-action");
    gtk_widget_add_css_class (self->emergency_button, "pill");
    gtk_widget_set_visible (self->emergency_button, FALSE);
    g_signal_connect_swapped (self->emergency_button, "clicked", G_CALLBACK (on_emergency_button_clicked_cb), self);
    /* First: for an unconscious resident it is the way forward. */
    gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (buttons)), self->emergency_button, NULL);
  }
}

GtkWidget *
ec_problem_page_new (void)
{
  return g_object_new (EC_TYPE_PROBLEM_PAGE, NULL);
}

GtkWidget *
ec_problem_page_get_emergency_button (EcProblemPage *self)
{
  g_return_val_if_fail (EC_IS_PROBLEM_PAGE (self), NULL);
  return self->emergency_button;
}

void
ec_problem_page_set_result (EcProblemPage *self,
                            EcKioskResult *result)
{
  g_return_if_fail (EC_IS_PROBLEM_PAGE (self));
  g_return_if_fail (result != NULL);

  adw_status_page_set_icon_name (self->status_page, ec_kiosk_problem_icon (result->problem));
  adw_status_page_set_title (self->status_page, ec_kiosk_problem_title (result->problem));
  adw_status_page_set_description (self->status_page, ec_kiosk_problem_sentence (result->problem));
  gtk_label_set_label (self->next_label, ec_kiosk_problem_next_step (result->problem));
  /* The technical detail (libnfc, NDEF, the card's kind) is not for responders and is
   * not translated: it is in the log and, for staff, under ☰ → Kiosk information. */
  gtk_label_set_label (self->detail_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), FALSE);
  gtk_widget_set_name (GTK_WIDGET (self), ec_kiosk_problem_to_string (result->problem));

  /* An old replaced card, or an expired one, of a resident this kiosk knows: the
   * current record may be opened in an emergency, with a reason (audited). */
  self->emergency_id = 0;
  if ((result->problem == EC_KIOSK_PROBLEM_REPLACED || result->problem == EC_KIOSK_PROBLEM_EXPIRED)
      && result->tap != NULL && result->tap->owner != 0)
    self->emergency_id = result->tap->owner;
  gtk_label_set_label (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (self->emergency_button))),
                       _("Emergency: open this resident's current record"));
  gtk_widget_set_visible (self->emergency_button, self->emergency_id != 0);
}
