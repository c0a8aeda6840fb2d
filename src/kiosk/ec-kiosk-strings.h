/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kiosk-strings.h: every sentence the kiosk says about a state, translated at the
 * moment it is asked for (so switching the language re-renders correctly). */
#pragma once

#include <glib.h>

#include "ec-kiosk-types.h"
#include "ec-record.h"

G_BEGIN_DECLS

const char *ec_kiosk_reader_state_title (EcKioskReaderState state);
/* How to fix it; NULL when the reader is ready. */
const char *ec_kiosk_reader_state_help  (EcKioskReaderState state);
const char *ec_kiosk_reader_state_icon  (EcKioskReaderState state);

/* A problem screen: a plain sentence, the next step, an icon. */
const char *ec_kiosk_problem_title      (EcKioskProblem     problem);
const char *ec_kiosk_problem_sentence   (EcKioskProblem     problem);
const char *ec_kiosk_problem_next_step  (EcKioskProblem     problem);
const char *ec_kiosk_problem_icon       (EcKioskProblem     problem);

const char *ec_kiosk_sex_label          (EcSex              sex);
const char *ec_kiosk_blood_label        (EcBloodType        blood);
const char *ec_kiosk_criticality_label  (EcCriticality      criticality);
const char *ec_kiosk_severity_label     (EcSeverity         severity);
const char *ec_kiosk_dnr_label          (EcDnrStatus        dnr);
const char *ec_kiosk_wandering_label    (EcWanderingRisk    wandering);
const char *ec_kiosk_role_label         (EcRole             role);
/* "早 · 晚 · 睡前" / "morning · evening · bedtime", or NULL when no slot is set. */
char       *ec_kiosk_schedule_label     (guint              slots);
/* Communication needs, one per line; NULL for none. */
char       *ec_kiosk_comm_needs_label   (guint              needs);
/* "2026-11-29 08:05" in local time; "—" for 0. */
char       *ec_kiosk_format_time        (gint64             unix_seconds);

G_END_DECLS
