/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-reason-dialog.h: the short reason asked before a record is opened without a card
 * (chips "card missing", "card damaged", "unconscious, no card", plus free text). The
 * "open" response is enabled once a chip is chosen or text typed. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define EC_TYPE_REASON_DIALOG (ec_reason_dialog_get_type ())

G_DECLARE_FINAL_TYPE (EcReasonDialog, ec_reason_dialog, EC, REASON_DIALOG, AdwMessageDialog)

GtkWidget *ec_reason_dialog_new        (GtkWindow      *parent,
                                        const char     *resident_name);
/* The same before opening the current record from an old (replaced) or expired card
 * (chips: needs treatment now, confirming who this is, unconscious); the reason
 * starts "emergency access, old or expired card: …". */
GtkWidget *ec_reason_dialog_new_emergency (GtkWindow   *parent);
/* Whether chip @chip is chosen and marked (a tick before its words). */
gboolean   ec_reason_dialog_chip_is_marked (EcReasonDialog *self,
                                            guint           chip);
/* The reason for the audit log: the chosen chip in English (stable across languages)
 * and the free text, "card missing: found in the park"; NULL when nothing is given. */
char      *ec_reason_dialog_get_reason (EcReasonDialog *self);
/* Choose a chip as a touch would: 0 missing, 1 damaged, 2 unconscious. */
void       ec_reason_dialog_choose     (EcReasonDialog *self,
                                        guint           chip);

G_END_DECLS
