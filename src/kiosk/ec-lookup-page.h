/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-lookup-page.h: manual search by name, pinyin or phone when no card works.
 * Searches through the controller (worker thread; identity fields only). Emits
 * ::resident-chosen (id, name) when a result is touched, and ::done. */
#pragma once

#include <gtk/gtk.h>

#include "ec-kiosk-controller.h"

G_BEGIN_DECLS

#define EC_TYPE_LOOKUP_PAGE (ec_lookup_page_get_type ())

G_DECLARE_FINAL_TYPE (EcLookupPage, ec_lookup_page, EC, LOOKUP_PAGE, GtkWidget)

GtkWidget *ec_lookup_page_new        (EcKioskController *controller);
/* Empty the query and the results, focus the entry. */
void       ec_lookup_page_reset      (EcLookupPage      *self);
/* Run a search as if @query had been typed (tests, the demo). */
void       ec_lookup_page_search     (EcLookupPage      *self,
                                      const char        *query);
/* Type @text (letters, digits, spaces) on the page's on-screen keyboard. */
void       ec_lookup_page_type       (EcLookupPage      *self,
                                      const char        *text);
/* Number of results shown. */
guint      ec_lookup_page_get_n_results (EcLookupPage   *self);

/* Put the keyboard focus in the search field (once the page is on screen: the
 * first keys typed must land there). */
void       ec_lookup_page_focus         (EcLookupPage *self);

G_END_DECLS
