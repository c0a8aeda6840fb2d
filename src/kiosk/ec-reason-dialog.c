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
  gboolean          emergency;    /* from an old or expired card */
};

G_DEFINE_FINAL_TYPE (EcReasonDialog, ec_reason_dialog, ADW_TYPE_MESSAGE_DIALOG)

static const char *
chosen_chip (EcReasonDialog *self)
{
  /* Stable English words for the audit log, whatever the screen language. */
  if (gtk_toggle_button_get_active (self->chip_missing))
    return self->emergency ? "emergency access, old or expired card: needs treatment now" : "card missing";
  if (gtk_toggle_button_get_active (self->chip_damaged))
    return self->emergency ? "emergency access, old or expired card: confirming identity" : "card damaged";
  if (gtk_toggle_button_get_active (self->chip_unconscious))
    return self->emergency ? "emergency access, old or expired card: unconscious" : "unconscious, no card";
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
  if (*text && self->emergency)
    return g_strdup_printf ("emergency access, old or expired card: %s", text);
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

/* The chosen chip is marked by more than a shade of grey: a tick before its words
 * and (style.css) a dark blue fill with white text and a thick border. */
static void
mark_chips (EcReasonDialog *self)
{
  GtkToggleButton *chips[] = { self->chip_missing, self->chip_damaged, self->chip_unconscious };
  const char *labels[3];

  if (self->emergency)
    {
      labels[0] = _("Needs treatment now");
      labels[1] = _("Confirming who this is");
      labels[2] = _("Unconscious");
    }
  else
    {
      labels[0] = _("Card missing");
      labels[1] = _("Card damaged");
      labels[2] = _("Unconscious, no card");
    }
  for (gsize i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      gboolean on = gtk_toggle_button_get_active (chips[i]);
      g_autofree char *label = on ? g_strconcat ("✓ ", labels[i], NULL) : g_strdup (labels[i]);

      gtk_button_set_label (GTK_BUTTON (chips[i]), label);
      gtk_accessible_update_state (GTK_ACCESSIBLE (chips[i]), GTK_ACCESSIBLE_STATE_PRESSED,
                                   on ? GTK_ACCESSIBLE_TRISTATE_TRUE : GTK_ACCESSIBLE_TRISTATE_FALSE, -1);
    }
}

static void
on_chip_toggled_cb (EcReasonDialog  *self,
                    GtkToggleButton *chip)
{
  mark_chips (self);
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
  mark_chips (self);
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

GtkWidget *
ec_reason_dialog_new_emergency (GtkWindow *parent)
{
  EcReasonDialog *self = g_object_new (EC_TYPE_REASON_DIALOG, "transient-for", parent, NULL);

  self->emergency = TRUE;
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Open the current record of this card's resident?"));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self),
                               _("This card is no longer valid, but the kiosk knows whose it is. Opening the current "
                                 "record is emergency access: it is recorded with your reason and the time. "
                                 "Confirm who this is from the photo."));
  mark_chips (self);
  return GTK_WIDGET (self);
}

gboolean
ec_reason_dialog_chip_is_marked (EcReasonDialog *self,
                                 guint           chip)
{
  GtkToggleButton *buttons[] = { self->chip_missing, self->chip_damaged, self->chip_unconscious };

  g_return_val_if_fail (EC_IS_REASON_DIALOG (self), FALSE);
  g_return_val_if_fail (chip < G_N_ELEMENTS (buttons), FALSE);
  return gtk_toggle_button_get_active (buttons[chip])
         && g_str_has_prefix (gtk_button_get_label (GTK_BUTTON (buttons[chip])), "✓ ");
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
