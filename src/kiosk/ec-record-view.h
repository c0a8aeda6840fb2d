/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-record-view.h: the responder's emergency record. Identity first (photo, 汉字 and
 * pinyin), the allergy banner on top, then directive, conditions, medications with
 * their 早/中/晚/睡前 schedule, wandering and communication, contacts in call order
 * with large numbers and a `tel:` QR code each, social worker and station.
 * Emits ::done and ::lookup-requested. */
#pragma once

#include <gtk/gtk.h>

#include "ec-kiosk-result.h"

G_BEGIN_DECLS

#define EC_TYPE_RECORD_VIEW (ec_record_view_get_type ())

G_DECLARE_FINAL_TYPE (EcRecordView, ec_record_view, EC, RECORD_VIEW, GtkWidget)

GtkWidget *ec_record_view_new         (void);
/* Where the station's name and phone come from (the kiosk configuration). */
void       ec_record_view_set_station (EcRecordView  *self,
                                       const char    *name,
                                       const char    *phone);
/* Render @result (RECORD, or a PROBLEM that carries the card's own summary). */
void       ec_record_view_set_result  (EcRecordView  *self,
                                       EcKioskResult *result);

/* "青霉素 — 高风险 — 既往反应：过敏性休克 (严重) · 疑似": one allergy on one line. */
char      *ec_record_view_describe_allergy    (const EcAllergy *a);
/* Fill an allergy banner box (the caller empties it first) as @shown says: a "no known
 * allergies" or "allergies unknown" notice, or for EC_ALLERGY_STATUS_RECORDED a
 * header and @allergies (EcAllergy, not empty) most critical first. Sets one of the
 * CSS classes ec-allergy-none, ec-allergy-unknown, ec-allergy-recorded on the box. */
void       ec_record_view_fill_allergy_banner (GtkBox          *banner,
                                               EcAllergyStatus  shown,
                                               GPtrArray       *allergies);

/* The same; with @incomplete (a card summary that had to leave allergies out) the
 * header says "on the card, may be incomplete" and a last line points to the record;
 * allergies in @cut (a pointer set, nullable) are marked as shortened on the card. */
void       ec_record_view_fill_allergy_banner_full (GtkBox          *banner,
                                                    EcAllergyStatus  shown,
                                                    GPtrArray       *allergies,
                                                    gboolean         incomplete,
                                                    GHashTable      *cut);

/* What must be on screen without scrolling, at every supported window size
 * (docs/responder-guide.md, "Screen sizes"): the allergy banner, the photo, the name,
 * the advance directive and the first contact's first number (when there is one), in
 * that order. The widgets belong to the view. */
GPtrArray *ec_record_view_get_must_see (EcRecordView *self);
/* The notices above the record ("Card out of date", "No card" …); below the banner. */
GtkWidget *ec_record_view_get_notices  (EcRecordView *self);

/* "Read aloud (F5)": speaks ec_read_aloud_text() of the record shown; the text last
 * spoken (NULL before; cleared with the record). */
GtkWidget  *ec_record_view_get_read_aloud_button (EcRecordView *self);
const char *ec_record_view_get_last_spoken       (EcRecordView *self);

/* Forget the resident: empty every field (privacy, after the record leaves the screen). */
void       ec_record_view_clear       (EcRecordView  *self);

G_END_DECLS
