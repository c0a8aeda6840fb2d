/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-problem-page.h: a card that cannot be trusted or read: a plain sentence, the next
 * step and the way into manual lookup. Emits ::done and ::lookup-requested. */
#pragma once

#include <gtk/gtk.h>

#include "ec-kiosk-result.h"

G_BEGIN_DECLS

#define EC_TYPE_PROBLEM_PAGE (ec_problem_page_get_type ())

G_DECLARE_FINAL_TYPE (EcProblemPage, ec_problem_page, EC, PROBLEM_PAGE, GtkWidget)

GtkWidget *ec_problem_page_new        (void);
void       ec_problem_page_set_result (EcProblemPage *self,
                                       EcKioskResult *result);

/* "Emergency: open this resident's current record" (visible for an old replaced or
 * an expired card whose owner is known; emits ::emergency-requested). */
GtkWidget *ec_problem_page_get_emergency_button (EcProblemPage *self);

G_END_DECLS
