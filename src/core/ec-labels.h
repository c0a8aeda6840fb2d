/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-labels.h: the record's enumerations as a person reads them, translated when asked
 * (so a language switch re-renders correctly). One set for the kiosk and the CLI's
 * emergency view: no English enumeration word ("male", "dnr", "high") reaches a
 * Chinese screen. */
#pragma once

#include <glib.h>

#include "ec-record.h"

G_BEGIN_DECLS

const char *ec_label_sex          (EcSex           sex);
/* "A+" …, or "blood type unknown" (a whole phrase: do not prefix "blood type"). */
const char *ec_label_blood        (EcBloodType     blood);
const char *ec_label_criticality  (EcCriticality   criticality);
/* NULL for an unknown severity. */
const char *ec_label_severity     (EcSeverity      severity);
const char *ec_label_dnr          (EcDnrStatus     dnr);
const char *ec_label_wandering    (EcWanderingRisk wandering);
/* "早 · 晚 · 睡前" / "morning · evening · bedtime", or NULL when no slot is set. */
char       *ec_label_schedule     (guint           slots);
/* Communication needs, one per line; NULL for none. */
char       *ec_label_comm_needs   (guint           needs);
/* "2026-11-29 08:05" in local time; "—" for 0. */
char       *ec_label_time         (gint64          unix_seconds);
/* "2026-11-29" in local time; "—" for 0. */
char       *ec_label_date         (gint64          unix_seconds);

/* One allergy as a line: "青霉素 — 高风险 — 既往反应：过敏性休克 (严重反应) · 疑似". */
char       *ec_label_allergy      (const EcAllergy *allergy);
/* The allergies (not copied: free the array only) most critical first: high, not
 * assessed, low; the recorded order within each. */
GPtrArray  *ec_label_allergies_sorted (GPtrArray  *allergies);

G_END_DECLS
