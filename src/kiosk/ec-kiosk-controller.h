/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kiosk-controller.h: the kiosk's brain, without widgets.
 *
 * Turns reader events into screens: card-detected → READING; card-read → verify the
 * card (GTask thread) → look the card and the resident up in the database, audited
 * (same thread) → RECORD or PROBLEM. Manual lookup and search go through the same
 * worker. Nothing here blocks the main loop: libnfc runs in the reader's helper
 * process, crypto and SQLite in GTask threads (one database connection, used by one
 * worker at a time).
 *
 * Privacy: a record or problem on screen goes back to WAITING after :idle-timeout
 * seconds without ec_kiosk_controller_user_activity(), and when a new card is tapped.
 * Results of superseded requests (a second tap while the first is verifying) are
 * dropped, never shown.
 *
 * The window renders :screen and :result; tests drive the controller directly or
 * through the real reader and the emulator. */
#pragma once

#include <gio/gio.h>

#include "ec-config.h"
#include "ec-kiosk-result.h"
#include "ec-kiosk-types.h"

G_BEGIN_DECLS

#define EC_TYPE_KIOSK_CONTROLLER (ec_kiosk_controller_get_type ())

G_DECLARE_FINAL_TYPE (EcKioskController, ec_kiosk_controller, EC, KIOSK_CONTROLLER, GObject)

/* @config is copied from; the reader is not started until ec_kiosk_controller_start(). */
EcKioskController  *ec_kiosk_controller_new                (const EcConfig       *config);
/* Start the reader (the configured device, or libnfc's default). Reader problems are
 * not errors: they show as :reader-state and the reader keeps retrying. */
void                ec_kiosk_controller_start              (EcKioskController    *self);
/* Stop the reader and drop pending work (before the window goes away). */
void                ec_kiosk_controller_stop               (EcKioskController    *self);

EcKioskScreen       ec_kiosk_controller_get_screen         (EcKioskController    *self);
/* The record or problem on screen (RECORD / PROBLEM), else NULL. */
EcKioskResult      *ec_kiosk_controller_get_result         (EcKioskController    *self);
EcKioskReaderState  ec_kiosk_controller_get_reader_state   (EcKioskController    *self);
/* The reader's own explanation (technical; the screens add how to fix it). */
const char         *ec_kiosk_controller_get_reader_message (EcKioskController    *self);
EcRole              ec_kiosk_controller_get_role           (EcKioskController    *self);
/* Switch the role (staff, from the kiosk's menu): audited as "role-change", the screen
 * goes back to WAITING and an answer still on its way is dropped. Requests queued
 * from now on are read and audited with @role. */
void                ec_kiosk_controller_set_role           (EcKioskController    *self,
                                                            EcRole                role);
const char         *ec_kiosk_controller_get_device         (EcKioskController    *self);
guint               ec_kiosk_controller_get_idle_timeout   (EcKioskController    *self);
void                ec_kiosk_controller_set_idle_timeout   (EcKioskController    *self,
                                                            guint                 seconds);

/* Back to WAITING (the "Done" button, the idle timeout). */
void                ec_kiosk_controller_clear              (EcKioskController    *self);
/* Show the manual lookup screen. */
void                ec_kiosk_controller_open_lookup        (EcKioskController    *self);
/* Milliseconds until the screen clears for privacy, or -1 when nothing is timed
 * (the waiting screen). The window shows a countdown near the end. */
gint64              ec_kiosk_controller_get_idle_remaining_ms (EcKioskController *self);
/* A touch, a key or a scroll: restarts the idle timeout. */
void                ec_kiosk_controller_user_activity      (EcKioskController    *self);

/* Search residents by name, pinyin or phone (identity fields only, not audited). The
 * result is a GPtrArray of EcResidentSummary. */
void                ec_kiosk_controller_search_async       (EcKioskController    *self,
                                                            const char           *query,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
GPtrArray          *ec_kiosk_controller_search_finish      (EcKioskController    *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
/* How old the kiosk's data is (ec_sync_data_age, in the worker): @age_seconds -1 when
 * no update bundle was ever applied. The task's source object is NULL (it does not keep
 * the controller alive); @self in _finish is not used. */
void                ec_kiosk_controller_data_age_async     (EcKioskController    *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean            ec_kiosk_controller_data_age_finish    (EcKioskController    *self,
                                                            GAsyncResult         *result,
                                                            gint64               *age_seconds,
                                                            GError              **error);
/* Open a resident's record without a card: emergency access, audited with @reason
 * (required, non-empty). Shows READING, then RECORD or PROBLEM. */
void                ec_kiosk_controller_open_manual        (EcKioskController    *self,
                                                            EcResidentId          id,
                                                            const char           *reason);
/* The same from an old (replaced) or expired card whose owner the tap service knows
 * (EcTapResult.owner): audited with purpose "emergency-access" and @reason. */
void                ec_kiosk_controller_open_emergency     (EcKioskController    *self,
                                                            EcResidentId          id,
                                                            const char           *reason);

/* Append an audit entry as this kiosk (in a worker; failures are logged): staff actions
 * on the kiosk itself, such as leaving kiosk mode. */
void                ec_kiosk_controller_audit              (EcKioskController    *self,
                                                            const char           *action,
                                                            const char           *detail);

/* The card path without a reader: what the reader's card-detected and card-read
 * signals do (tests and the benchmark use these; @image_path is a tag image file). */
void                ec_kiosk_controller_card_detected      (EcKioskController    *self);
void                ec_kiosk_controller_submit_image_file  (EcKioskController    *self,
                                                            const char           *image_path);

G_END_DECLS
