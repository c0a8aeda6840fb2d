/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-station-editor.h: register or edit a resident (station mode). The form is split
 * into what goes on the card (encrypted, shown by every eldercard kiosk) and what stays
 * in the station database only; validation explains each problem in a sentence next to
 * the form. The editor holds no database: the page saves what
 * ec_station_editor_take_resident() returns. Signals ::save and ::cancel. */
#pragma once

#include <adwaita.h>

#include "ec-record.h"

G_BEGIN_DECLS

#define EC_TYPE_STATION_EDITOR (ec_station_editor_get_type ())

G_DECLARE_FINAL_TYPE (EcStationEditor, ec_station_editor, EC, STATION_EDITOR, GtkBox)

GtkWidget  *ec_station_editor_new           (void);
/* Fill the form from @resident (taken; NULL = a new resident). */
void        ec_station_editor_set_resident  (EcStationEditor  *self,
                                             EcResident       *resident);
/* The resident as the form says, or NULL when something must be fixed first (the
 * problems are shown). */
EcResident *ec_station_editor_take_resident (EcStationEditor  *self);
void        ec_station_editor_show_error    (EcStationEditor  *self,
                                             const char       *message);
/* Whether the form differs from what it was opened with (what Cancel asks about). */
gboolean    ec_station_editor_has_changes   (EcStationEditor  *self);

/* What was typed, not validated, to be put back later (the idle sign-out keeps it for
 * the same member of staff). NULL when the form has no changes. */
typedef struct _EcStationDraft EcStationDraft;
EcStationDraft *ec_station_editor_take_draft (EcStationEditor *self);
/* Fill the form from @draft (taken), with a note that it was kept; it counts as
 * changed. */
void        ec_station_editor_restore_draft (EcStationEditor  *self,
                                             EcStationDraft   *draft);
/* The resident a draft edits (0 = a new resident). */
EcResidentId ec_station_draft_get_resident_id (const EcStationDraft *draft);
void        ec_station_draft_free           (EcStationDraft   *draft);

/* Put the form at its top with the keyboard in its first field (what opening it does). */
void        ec_station_editor_focus_first   (EcStationEditor  *self);
/* The vertical scroll position of the form (tests). */
double      ec_station_editor_get_scroll    (EcStationEditor  *self);

/* Forget everything personal. */
void        ec_station_editor_clear         (EcStationEditor  *self);
/* Use the photo at @path, prepared for the card by ec_photo_prepare_file() (reduced
 * to 600 × 800, upright, without metadata; kept as it is when it already fits):
 * blocking; FALSE with the reason shown. */
gboolean    ec_station_editor_set_photo_file (EcStationEditor *self,
                                             const char       *path);
/* The same in a worker thread (what the file chooser does): the photo label says
 * "Preparing the photo…" and Save waits until it is done; then the photo or the
 * reason is shown. Choosing another photo, removing it or clearing the form forgets
 * the one being prepared. */
void        ec_station_editor_set_photo_file_async (EcStationEditor *self,
                                                    const char      *path);
/* Whether a photo is being prepared. */
gboolean    ec_station_editor_get_photo_busy (EcStationEditor *self);

/* The lists of per-entry editors in the form. */
typedef enum
{
  EC_STATION_LIST_ALLERGIES = 0,
  EC_STATION_LIST_CONDITIONS,
  EC_STATION_LIST_MEDICATIONS,
  EC_STATION_LIST_CONTACTS,
} EcStationList;

/* Add an empty entry at the end of @list, opened (what its Add button does); returns
 * its index. */
guint       ec_station_editor_add_entry     (EcStationEditor  *self,
                                             EcStationList     list);
guint       ec_station_editor_get_n_entries (EcStationEditor  *self,
                                             EcStationList     list);
/* A control of entry @index of @list, for tests and the screenshot tool: "row" (the
 * entry's AdwExpanderRow); entry rows "text" (substance, condition, medication or
 * contact name), "reaction", "icd10", "since", "dose", "route", "schedule",
 * "relation", "phones"; combo rows "category", "criticality", "severity",
 * "verification" (0 confirmed, 1 suspected); check buttons "morning", "noon",
 * "evening", "night"; the switch "nearby"; buttons "up", "remove". NULL when that
 * entry has no such control. */
GtkWidget  *ec_station_editor_get_entry_widget (EcStationEditor *self,
                                                EcStationList    list,
                                                guint            index,
                                                const char      *field);

/* Check @r as the form does: one translated sentence per problem appended to
 * @problems (char *). TRUE when there is none. @today is "YYYY-MM-DD" (NULL = now). */
gboolean    ec_station_validate_resident    (const EcResident *r,
                                             const char       *today,
                                             GPtrArray        *problems);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcStationDraft, ec_station_draft_free)

G_END_DECLS
