/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kiosk-window.h: the kiosk's one window. A top bar (reader state, role, language,
 * staff menu) over a stack of screens that renders the controller's :screen and
 * :result; an optional side panel (the demo panel). In kiosk mode it is full screen
 * without decorations and refuses to close until a staff PIN unlocks it.
 *
 * Actions: win.info, win.unlock (kiosk mode), win.role — stateful, "responder" or
 * "nurse": switches the controller's role, clears the screen and rebuilds the pages
 * (the nurse view on the first switch to nurse); locked in kiosk mode it asks for the
 * exit PIN first. Disabled for role staff. */
#pragma once

#include <adwaita.h>

#include "ec-config.h"
#include "ec-kiosk-controller.h"

G_BEGIN_DECLS

#define EC_TYPE_KIOSK_WINDOW (ec_kiosk_window_get_type ())

G_DECLARE_FINAL_TYPE (EcKioskWindow, ec_kiosk_window, EC, KIOSK_WINDOW, AdwApplicationWindow)

/* @app may be NULL (tests). @config gives the station, the exit PIN hash and the
 * full-screen choice; @kiosk_mode locks the window. */
EcKioskWindow     *ec_kiosk_window_new            (GtkApplication     *app,
                                                   EcKioskController  *controller,
                                                   const EcConfig     *config,
                                                   gboolean            kiosk_mode);
EcKioskController *ec_kiosk_window_get_controller (EcKioskWindow      *self);
/* The page widget for @screen (what a test walks for labels). */
GtkWidget         *ec_kiosk_window_get_page       (EcKioskWindow      *self,
                                                   EcKioskScreen       screen);
/* The widget the stack shows now. */
GtkWidget         *ec_kiosk_window_get_visible_page (EcKioskWindow    *self);
/* The top bar (reader state, role, language button). */
GtkWidget         *ec_kiosk_window_get_topbar     (EcKioskWindow      *self);
/* Whether the window is under 700 px wide (its "ec-narrow" size class is set). */
gboolean           ec_kiosk_window_get_narrow     (EcKioskWindow      *self);
/* Whether the privacy countdown bar is shown (and its text, g_free). */
gboolean           ec_kiosk_window_get_countdown_shown (EcKioskWindow *self,
                                                        char         **text);
/* Its "Keep it on screen" button. */
GtkWidget         *ec_kiosk_window_get_countdown_button (EcKioskWindow *self);
/* Switch to "zh" or "en" and re-render every screen. */
void               ec_kiosk_window_set_language   (EcKioskWindow      *self,
                                                   const char         *language);
/* Offer "Station mode (staff)…" (the action station.open) in the staff menu. */
void               ec_kiosk_window_set_station_available (EcKioskWindow *self,
                                                          gboolean       available);
/* Station mode is on screen (the top bar names it instead of the role) or not. */
void               ec_kiosk_window_set_station_active (EcKioskWindow *self,
                                                       gboolean       active);
/* Switch to @role (responder or nurse) at once, without the exit PIN: station mode
 * hands a kiosk whose staff were signed out for inactivity back to responders. Enables
 * win.role. */
void               ec_kiosk_window_set_role       (EcKioskWindow      *self,
                                                   EcRole              role);
/* A widget beside the screens (the demo panel); NULL removes it. */
void               ec_kiosk_window_set_side_panel (EcKioskWindow      *self,
                                                   GtkWidget          *panel);
gboolean           ec_kiosk_window_get_locked     (EcKioskWindow      *self);
/* Check @pin against [kiosk] exit-pin (off the main loop); on success the window
 * leaves full screen and may be closed. */
void               ec_kiosk_window_unlock_async   (EcKioskWindow      *self,
                                                   const char         *pin,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
gboolean           ec_kiosk_window_unlock_finish  (EcKioskWindow      *self,
                                                   GAsyncResult       *result,
                                                   GError            **error);

G_END_DECLS
