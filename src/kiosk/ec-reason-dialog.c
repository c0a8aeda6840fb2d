/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-reason-dialog"

#include "ec-reason-dialog.h"

#include "ec-i18n.h"

struct _EcReasonDialog
{
  AdwMessageDialog  parent_instance;

  GtkToggleButton  *chip_damaged;
  GtkToggleButton  *chip_missing;
  GtkToggleButton  *chip_unconscious;
  GtkFlowBox       *chips;
  GtkEntry         *text_entry;
};

G_DEFINE_FINAL_TYPE (EcReasonDialog, ec_reason_dialog, ADW_TYPE_MESSAGE_DIALOG)

static const char *
chosen_chip (EcReasonDialog *self)
{
  /* Stable English words for the audit log, whatever the screen language. */
  if (gtk_toggle_button_get_active (self->chip_missing))
    return "card missing";
  if (gtk_toggle_button_get_active (self->chip_damaged))
    return "card damaged";
  if (gtk_toggle_button_get_active (self->chip_unconscious))
    return "unconscious, no card";
  return NULL;
}

char *
ec_reason_dialog_get_reason (EcReasonDialog *self)
{
  const char *chip;
  g_autofree char *text = NULL;

  g_return_val_if_fail (EC_IS_REASON_DIALOG (self), NULL);

  chip = chosen_chip (self);
  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->text_entry))));
  if (chip != NULL && *text)
    return g_strdup_printf ("%s: %s", chip, text);
  if (chip != NULL)
    return g_strdup (chip);
  if (*text)
    return g_steal_pointer (&text);
  return NULL;
}

static void
update_response (EcReasonDialog *self)
{
  g_autofree char *reason = ec_reason_dialog_get_reason (self);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "open", reason != NULL);
}

static void
on_chip_toggled_cb (EcReasonDialog  *self,
                    GtkToggleButton *chip)
{
  update_response (self);
}

static void
on_text_entry_changed_cb (EcReasonDialog *self,
                          GtkEntry       *entry)
{
  update_response (self);
}

static void
ec_reason_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_REASON_DIALOG);
  G_OBJECT_CLASS (ec_reason_dialog_parent_class)->dispose (object);
}

static void
ec_reason_dialog_class_init (EcReasonDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ec_reason_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-reason-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EcReasonDialog, chip_damaged);
  gtk_widget_class_bind_template_child (widget_class, EcReasonDialog, chip_missing);
  gtk_widget_class_bind_template_child (widget_class, EcReasonDialog, chip_unconscious);
  gtk_widget_class_bind_template_child (widget_class, EcReasonDialog, chips);
  gtk_widget_class_bind_template_child (widget_class, EcReasonDialog, text_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_chip_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_text_entry_changed_cb);
}

static void
ec_reason_dialog_init (EcReasonDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ec_reason_dialog_new (GtkWindow  *parent,
                      const char *resident_name)
{
  EcReasonDialog *self = g_object_new (EC_TYPE_REASON_DIALOG, "transient-for", parent, NULL);

  if (resident_name != NULL)
    {
      g_autofree char *heading = g_strdup_printf (_("Open %s's record without a card?"), resident_name);
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
    }
  return GTK_WIDGET (self);
}

void
ec_reason_dialog_choose (EcReasonDialog *self,
                         guint           chip)
{
  GtkToggleButton *buttons[] = { self->chip_missing, self->chip_damaged, self->chip_unconscious };

  g_return_if_fail (EC_IS_REASON_DIALOG (self));
  g_return_if_fail (chip < G_N_ELEMENTS (buttons));
  gtk_toggle_button_set_active (buttons[chip], TRUE);
}
