/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-handover.h: the one-page handover sheet for the ambulance crew (A4 PDF).
 *
 * When the ambulance arrives, the record goes with the resident: identity and photo,
 * the allergies FIRST (most critical first), the advance directive, conditions,
 * medications with their 早/中/晚/睡前 schedule, the emergency contacts in call order,
 * the card and the age of the data, and who printed the sheet when. Everything is
 * drawn on ONE page: when a long record does not fit at the normal size the whole
 * sheet is drawn smaller (down to EC_HANDOVER_MIN_SCALE), and what still does not fit
 * is cut with a line saying so, never spilled onto a second page.
 *
 * Headings and enumerations are read through gettext (ec-labels.h): the caller
 * chooses the language before drawing (the CLI's --language, the kiosk's switch).
 * Text is drawn with Pango (Noto Sans CJK SC). */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "ec-db.h"
#include "ec-record.h"

G_BEGIN_DECLS

/* ISO 216 A4 portrait, in PDF points. */
#define EC_HANDOVER_WIDTH_PT   595.276
#define EC_HANDOVER_HEIGHT_PT  841.890
#define EC_HANDOVER_MIN_SCALE  0.55

typedef struct
{
  const char *language;        /* "zh" or "en": recorded in the audit entry */
  const char *station_name;    /* nullable: printed in the footer */
  const char *station_phone;   /* nullable */
  gint64      printed_at;      /* Unix seconds; 0 = now */
} EcHandoverOptions;

/* Draw the sheet onto @cr (one page of EC_HANDOVER_WIDTH_PT × EC_HANDOVER_HEIGHT_PT
 * at the origin). @card (nullable) is the resident's newest active card;
 * @printed_by is who prints (an actor id or a staff name). @out_scale (nullable)
 * gets the size the sheet was drawn at (1.0 = normal). */
gboolean    ec_handover_draw       (cairo_t                 *cr,
                                    const EcResident        *resident,
                                    const EcCardRecord      *card,
                                    const char              *printed_by,
                                    const EcHandoverOptions *options,
                                    double                  *out_scale,
                                    GError                 **error);

/* The sheet as a one-page PDF in memory. */
GBytes     *ec_handover_render_pdf (const EcResident        *resident,
                                    const EcCardRecord      *card,
                                    const char              *printed_by,
                                    const EcHandoverOptions *options,
                                    GError                 **error);

/* The audited print: reads the record (purpose "handover"), finds its newest active
 * card, writes the PDF to @path (mode 0600, replaced atomically) and appends a
 * "handover-print" audit entry naming the language. This is the kiosk's entry point
 * too (see docs/handover.md). */
gboolean    ec_handover_write_pdf  (EcDb                    *db,
                                    EcResidentId             id,
                                    const EcActor           *actor,
                                    const EcHandoverOptions *options,
                                    const char              *path,
                                    GError                 **error);

/* The paramedic QR code's text: the minimum a phone's camera shows without any app
 * (plain UTF-8, bilingual, at most EC_HANDOVER_QR_MAX_BYTES): name and pinyin, birth
 * year, the allergies with their criticality (most critical first; "no known
 * allergies" / "allergies unknown" said as such), the resuscitation status and the
 * first contact with one phone. Shown only when the kiosk's configuration allows it
 * ([handover] qr=true, default off: docs/handover.md). */
#define EC_HANDOVER_QR_MAX_BYTES 600
char       *ec_handover_qr_text    (const EcResident        *resident);

G_END_DECLS
