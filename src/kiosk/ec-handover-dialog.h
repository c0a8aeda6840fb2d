/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-handover-dialog.h: the kiosk's handover window — the record goes with the
 * resident to the ambulance and the hospital (docs/handover.md).
 *
 * Buttons: "Save handover sheet (PDF)" (ec_handover_write_pdf: one page, audited
 * "handover-print") and, for the nurse and staff roles only, "Save patient summary
 * (FHIR)" (ec_ips_export: audited "export-ips"); files are written 0600, e.g. to a
 * USB stick. When the configuration allows it ([handover] qr=true; default off), the
 * paramedic QR code (ec_handover_qr_text) is shown and its showing is audited
 * ("handover-qr-shown").
 *
 * Hook for the kiosk window (not wired here: ec-record-view.c / ec-kiosk-window.c
 * belong to the screens work): a "Handover" button on the record view calls
 *
 *   GtkWindow *w = ec_handover_dialog_new (GTK_WINDOW (root), db_path, resident_id,
 *                                          &actor, config);
 *   gtk_window_present (w);
 *
 * with the kiosk's database path, the shown resident, the acting kiosk/staff and
 * its EcConfig. The window reads the record itself (audited, purpose "handover"). */
#pragma once

#include <gtk/gtk.h>

#include "ec-config.h"
#include "ec-db.h"

G_BEGIN_DECLS

/* NULL (with a warning) if the record cannot be read. */
GtkWindow  *ec_handover_dialog_new         (GtkWindow      *parent,
                                            const char     *db_path,
                                            EcResidentId    id,
                                            const EcActor  *actor,
                                            const EcConfig *config);
/* What the buttons do after the file chooser: write the sheet / the summary to @path. */
gboolean    ec_handover_dialog_save_pdf    (GtkWindow      *dialog,
                                            const char     *path,
                                            GError        **error);
gboolean    ec_handover_dialog_save_ips    (GtkWindow      *dialog,
                                            const char     *path,
                                            GError        **error);
/* Whether the dialog shows the paramedic QR code. */
gboolean    ec_handover_dialog_has_qr      (GtkWindow      *dialog);

G_END_DECLS
