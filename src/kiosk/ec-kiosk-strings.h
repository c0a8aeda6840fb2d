/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kiosk-strings.h: every sentence the kiosk says about a state, translated at the
 * moment it is asked for (so switching the language re-renders correctly). */
#pragma once

#include <glib.h>

#include "ec-kiosk-types.h"
#include "ec-labels.h"
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

const char *ec_kiosk_role_label         (EcRole             role);

/* The record's enumerations: one set with the CLI (src/core/ec-labels.h). */
#define ec_kiosk_sex_label         ec_label_sex
#define ec_kiosk_blood_label       ec_label_blood
#define ec_kiosk_criticality_label ec_label_criticality
#define ec_kiosk_severity_label    ec_label_severity
#define ec_kiosk_dnr_label         ec_label_dnr
#define ec_kiosk_wandering_label   ec_label_wandering
#define ec_kiosk_schedule_label    ec_label_schedule
#define ec_kiosk_comm_needs_label  ec_label_comm_needs
#define ec_kiosk_format_time       ec_label_time

G_END_DECLS
