/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kiosk-result.h: what one tap (or one manual lookup) produced, as the screens
 * render it. Immutable once handed to the main loop; reference counted. */
#pragma once

#include <gdk/gdk.h>

#include "ec-kiosk-types.h"
#include "ec-record.h"
#include "ec-tap.h"

G_BEGIN_DECLS

struct _EcKioskResult
{
  EcKioskScreen   screen;         /* RECORD or PROBLEM */
  EcKioskProblem  problem;        /* NONE for a trusted record */
  EcKioskSource   source;
  EcResident     *resident;       /* the record to show (NULL on refusal) */
  EcTapResult    *tap;            /* card path: the tap service's decision (resident moved
                                   * out to ->resident); NULL for a manual lookup */
  GdkTexture     *photo;          /* decoded off the main loop; NULL = none */
  char           *uid_hex;        /* the card's UID, NULL for manual lookup */
  guint           card_seq;
  gint64          card_record_version;
  gint64          db_record_version;
  gboolean        card_outdated;  /* card record_version < database's */
  guint           birth_year;     /* card summary: the year only (0 = unknown) */
  guint           omitted;        /* card summary: EcCardOmitted bits */
  char           *reason;         /* manual lookup: the reason given */
  gboolean        emergency;      /* manual: opened from an old or expired card (emergency access) */
  char           *detail;         /* technical detail for staff (error message) */
  gint64          started_us;     /* g_get_monotonic_time () at card-detected / request */
  gint64          read_us;        /* … when the card's pages arrived (card path) */
  gint64          worker_us;      /* … when the worker had verified and looked up */
  guint           reader_read_ms; /* the reader's own "seen → last page read" */
};

#define EC_TYPE_KIOSK_RESULT (ec_kiosk_result_get_type ())

GType          ec_kiosk_result_get_type (void) G_GNUC_CONST;
EcKioskResult *ec_kiosk_result_new      (EcKioskScreen        screen,
                                         EcKioskProblem       problem);
EcKioskResult *ec_kiosk_result_ref      (EcKioskResult       *result);
void           ec_kiosk_result_unref    (EcKioskResult       *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcKioskResult, ec_kiosk_result_unref)

G_END_DECLS
