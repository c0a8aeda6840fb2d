/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-station-page.h: the kiosk's service-station mode (issue 7): staff sign-in on a
 * PIN pad, residents (search, register, edit), cards (issue with progress and a
 * confirming tap, replace, revoke, history), the printed card face, and the audit
 * viewer for administrators. All work goes through EcStationContext (GTask threads).
 *
 * ec_station_install() puts the page into a kiosk window's screen stack and adds
 * "Station mode (staff)…" to its staff menu; while station mode is open the kiosk's
 * own card watching is stopped (the station uses the reader), and leaving it signs
 * out and restarts the kiosk. */
#pragma once

#include <adwaita.h>

#include "ec-config.h"
#include "ec-kiosk-window.h"
#include "ec-station-context.h"

G_BEGIN_DECLS

#define EC_TYPE_STATION_PAGE (ec_station_page_get_type ())

G_DECLARE_FINAL_TYPE (EcStationPage, ec_station_page, EC, STATION_PAGE, GtkBox)

GtkWidget        *ec_station_page_new             (EcStationContext *context);
EcStationContext *ec_station_page_get_context     (EcStationPage    *self);
/* "signin", "home", "resident", "key", "issue", "audit", "edit". */
const char       *ec_station_page_get_screen      (EcStationPage    *self);
/* Typing on the keypad (digits only; others ignored). */
void              ec_station_page_press_keys      (EcStationPage    *self,
                                                   const char       *digits);
/* Open the audit viewer: refused, with a message, unless an administrator is signed in. */
gboolean          ec_station_page_open_audit      (EcStationPage    *self);
/* Open a resident's page (what a click on a search result does). */
void              ec_station_page_open_resident   (EcStationPage    *self,
                                                   EcResidentId      id);
/* Write the open resident's card face to @path (what the file chooser does). */
void              ec_station_page_save_card_face  (EcStationPage    *self,
                                                   const char       *path);
/* Run the print operation of "Print the card face…" into the PDF @path instead of the
 * print dialog (what a print to file does; tests). */
void              ec_station_page_print_to_file   (EcStationPage    *self,
                                                   const char       *path);
/* Export what the audit viewer shows to @path (what the file chooser does). */
void              ec_station_page_export_audit    (EcStationPage    *self,
                                                   const char       *path);

/* Add station mode to @window (see above); opens it at once when @open. Returns the
 * page (owned by the window). */
EcStationPage    *ec_station_install              (EcKioskWindow    *window,
                                                   const EcConfig   *config,
                                                   gboolean          open);
/* Show / leave station mode in @window. */
void              ec_station_open                 (EcKioskWindow    *window);
void              ec_station_close                (EcKioskWindow    *window);

G_END_DECLS
