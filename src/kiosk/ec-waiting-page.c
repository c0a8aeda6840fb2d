/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-waiting-page"

#include "ec-waiting-page.h"

#include "ec-i18n.h"
#include "ec-kiosk-strings.h"

struct _EcWaitingPage
{
  GtkWidget  parent_instance;

  GtkWidget *box;
  GtkLabel  *data_age_label;
  GtkButton *lookup_button;
  GtkWidget *reader_box;
  GtkLabel  *reader_detail;
  GtkLabel  *reader_help;
  GtkImage  *reader_icon;
  GtkLabel  *reader_label;
  GtkLabel  *subtitle_label;
  GtkImage  *tap_icon;
  GtkLabel  *title_label;
};

G_DEFINE_FINAL_TYPE (EcWaitingPage, ec_waiting_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_LOOKUP_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_lookup_button_clicked_cb (EcWaitingPage *self,
                             GtkButton     *button)
{
  g_signal_emit (self, signals[SIGNAL_LOOKUP_REQUESTED], 0);
}

static void
ec_waiting_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_WAITING_PAGE);
  /* The scrolled window around the page is not a bound template child. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL;)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (ec_waiting_page_parent_class)->dispose (object);
}

static void
ec_waiting_page_class_init (EcWaitingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ec_waiting_page_dispose;

  signals[SIGNAL_LOOKUP_REQUESTED] =
    g_signal_new ("lookup-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-waiting-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, box);
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, data_age_label);
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, lookup_button);
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, reader_box);
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, reader_detail);
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, reader_help);
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, reader_icon);
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, reader_label);
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, tap_icon);
  gtk_widget_class_bind_template_child (widget_class, EcWaitingPage, title_label);
  gtk_widget_class_bind_template_callback (widget_class, on_lookup_button_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ec-waiting-page");
}

static void
ec_waiting_page_init (EcWaitingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* "No card? Search residents" right under the instruction, above the reader's
   * state: on a short screen (1024 × 600) with a long "no reader" help it stays on
   * screen, and it is the way forward when the reader is missing. */
  gtk_box_reorder_child_after (GTK_BOX (self->box), GTK_WIDGET (self->lookup_button),
                               gtk_widget_get_prev_sibling (self->reader_box));
  ec_waiting_page_set_reader_state (self, EC_KIOSK_READER_NONE, NULL);
}

GtkWidget *
ec_waiting_page_new (void)
{
  return g_object_new (EC_TYPE_WAITING_PAGE, NULL);
}

void
ec_waiting_page_set_reader_state (EcWaitingPage      *self,
                                  EcKioskReaderState  state,
                                  const char         *message)
{
  const char *help;

  g_return_if_fail (EC_IS_WAITING_PAGE (self));

  gtk_label_set_label (self->reader_label, ec_kiosk_reader_state_title (state));
  gtk_image_set_from_icon_name (self->reader_icon, ec_kiosk_reader_state_icon (state));
  help = ec_kiosk_reader_state_help (state);
  gtk_label_set_label (self->reader_help, help != NULL ? help : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reader_help), help != NULL);
  /* The reader's own words (technical, for staff), small. */
  gtk_label_set_label (self->reader_detail, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reader_detail), help != NULL && message != NULL && *message);

  gtk_widget_remove_css_class (self->reader_box, "ec-reader-ready");
  gtk_widget_remove_css_class (self->reader_box, "ec-reader-problem");
  gtk_widget_add_css_class (self->reader_box,
                            state == EC_KIOSK_READER_READY ? "ec-reader-ready" : "ec-reader-problem");
  /* No reader: the big instruction would be a lie. */
  gtk_widget_set_opacity (GTK_WIDGET (self->title_label), state == EC_KIOSK_READER_READY ? 1.0 : 0.45);
}

void
ec_waiting_page_set_data_age (EcWaitingPage *self,
                              const char    *text,
                              gboolean       stale)
{
  g_return_if_fail (EC_IS_WAITING_PAGE (self));

  gtk_label_set_label (self->data_age_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->data_age_label), text != NULL && *text);
  /* Old data is a warning (libadwaita's colour), current data a quiet line. */
  if (stale)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->data_age_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->data_age_label), "warning");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->data_age_label), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->data_age_label), "dim-label");
    }
}
