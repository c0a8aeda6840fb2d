/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-nurse-page.h: the visiting nurse's view of a tapped card (kiosk role "nurse").
 *
 * Allergies (high criticality first; "no known allergies" and "allergies unknown"
 * visibly different) and current medications with their schedule come first, then a
 * drug field with suggestions from the drug table as the nurse types, and "Check".
 * The verdict of ec_allergy_check() then fills the page, in colour AND words: STOP,
 * CAUTION, NO RECORDED CONFLICT (never "safe"), or NOT IN THE TABLE, with every
 * finding (the matched allergy, its criticality and past reaction, the reason),
 * local-practice notes with their source, and always the disclaimer that the nurse's
 * judgement and the prescription decide. The nurse can then record that the
 * injection was given or withheld (drug, dose, time, nurse id).
 *
 * EcNurseContext is what outlives the page (the window rebuilds its pages on a
 * language switch): the drug table, loaded once in a thread when the context is
 * created, and a database connection used only in GTask threads. Every check is
 * appended to the audit log as "allergy-check" (detail from
 * ec_allergy_verdict_audit_detail), every outcome as "injection-given" or
 * "injection-withheld" (detail "drug=… drug_text=… dose=… at=… nurse=… verdict=…"),
 * purpose "nurse-check", actor = the kiosk's role and id. The nurse id is what the
 * nurse typed: it is recorded as said, not verified.
 *
 * Privacy: ec_nurse_page_clear() forgets the resident, the drug, the verdict and the
 * entries; the window calls it when the record leaves the screen (idle timeout, a new
 * tap, Done). Answers of workers that arrive after a clear are dropped. */
#pragma once

#include <gtk/gtk.h>

#include "ec-allergy-check.h"
#include "ec-config.h"
#include "ec-kiosk-result.h"

G_BEGIN_DECLS

#define EC_TYPE_NURSE_CONTEXT (ec_nurse_context_get_type ())

G_DECLARE_FINAL_TYPE (EcNurseContext, ec_nurse_context, EC, NURSE_CONTEXT, GObject)

/* Starts loading the drug table (ec_drug_table_load_default) in a thread at once.
 * @config gives the database, the role and the kiosk id for the audit log. */
EcNurseContext *ec_nurse_context_new          (const EcConfig       *config);
/* The table once loaded (read-only, any thread), else NULL (still loading, or the
 * load failed: see ec_nurse_context_get_table_error). Never blocks. */
EcDrugTable    *ec_nurse_context_peek_table   (EcNurseContext       *self);
/* Why the table could not be loaded, or NULL. */
const GError   *ec_nurse_context_get_table_error (EcNurseContext    *self);

/* Check @drug_text against @result's resident in a thread and audit it
 * ("allergy-check"). The verdict is an EcAllergyVerdict (free it). */
void              ec_nurse_context_check_async  (EcNurseContext       *self,
                                                 EcKioskResult        *result,
                                                 const char           *drug_text,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
EcAllergyVerdict *ec_nurse_context_check_finish (EcNurseContext       *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* Append "injection-given" (@given) or "injection-withheld" to the audit log, in a
 * thread. @verdict is the check it followed (its drug and verdict go in the detail);
 * @at is Unix seconds. */
void            ec_nurse_context_record_async   (EcNurseContext          *self,
                                                 EcResidentId             resident_id,
                                                 gboolean                 given,
                                                 const EcAllergyVerdict  *verdict,
                                                 const char              *dose,
                                                 const char              *nurse_id,
                                                 gint64                   at,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data);
gboolean        ec_nurse_context_record_finish  (EcNurseContext          *self,
                                                 GAsyncResult            *result,
                                                 GError                 **error);

#define EC_TYPE_NURSE_PAGE (ec_nurse_page_get_type ())

G_DECLARE_FINAL_TYPE (EcNursePage, ec_nurse_page, EC, NURSE_PAGE, GtkWidget)

typedef enum
{
  EC_NURSE_PAGE_EMPTY = 0,   /* nothing personal shown */
  EC_NURSE_PAGE_RECORD,      /* allergies, medications, the drug field */
  EC_NURSE_PAGE_CHECKING,    /* a check is running */
  EC_NURSE_PAGE_VERDICT,     /* the verdict fills the page */
} EcNursePageState;

/* Emits ::done (back to waiting) and ::lookup-requested, like the record view, and
 * ::recorded (gboolean given) once an outcome is in the audit log. */
GtkWidget        *ec_nurse_page_new          (EcNurseContext   *context);
/* Show @result's resident (a RECORD result) with an empty drug field. */
void              ec_nurse_page_set_result   (EcNursePage      *self,
                                              EcKioskResult    *result);
/* Forget everything (privacy). */
void              ec_nurse_page_clear        (EcNursePage      *self);
EcNursePageState  ec_nurse_page_get_state    (EcNursePage      *self);
/* The verdict on screen (VERDICT state), else NULL. */
const EcAllergyVerdict *ec_nurse_page_get_verdict (EcNursePage *self);
/* Number of suggestions listed under the drug field. */
guint             ec_nurse_page_get_n_suggestions (EcNursePage *self);

G_END_DECLS
