/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-waiting-page.h: 请刷卡 / Tap a card, the reader's state and how to fix it, and
 * the way into manual lookup. Emits ::lookup-requested. */
#pragma once

#include <gtk/gtk.h>

#include "ec-kiosk-types.h"

G_BEGIN_DECLS

#define EC_TYPE_WAITING_PAGE (ec_waiting_page_get_type ())

G_DECLARE_FINAL_TYPE (EcWaitingPage, ec_waiting_page, EC, WAITING_PAGE, GtkWidget)

GtkWidget *ec_waiting_page_new              (void);
void       ec_waiting_page_set_reader_state (EcWaitingPage      *self,
                                             EcKioskReaderState  state,
                                             const char         *message);
/* "Data from 3 days ago" (ec_sync_describe_age); @stale shows it as a warning. NULL
 * hides the line. */
void       ec_waiting_page_set_data_age     (EcWaitingPage      *self,
                                             const char         *text,
                                             gboolean            stale);

G_END_DECLS
