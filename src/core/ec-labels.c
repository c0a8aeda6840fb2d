/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-labels"

#include "ec-labels.h"

#include "ec-i18n.h"

const char *
ec_label_sex (EcSex sex)
{
  switch (sex)
    {
    case EC_SEX_FEMALE:
      return _("female");
    case EC_SEX_MALE:
      return _("male");
    case EC_SEX_OTHER:
      return _("other sex");
    case EC_SEX_UNKNOWN:
    default:
      return _("sex not recorded");
    }
}

const char *
ec_label_blood (EcBloodType blood)
{
  if (blood == EC_BLOOD_UNKNOWN)
    return _("blood type unknown");
  return ec_blood_type_to_string (blood);
}

const char *
ec_label_criticality (EcCriticality criticality)
{
  switch (criticality)
    {
    case EC_CRITICALITY_HIGH:
      return _("HIGH RISK");
    case EC_CRITICALITY_LOW:
      return _("low risk");
    case EC_CRITICALITY_UNABLE_TO_ASSESS:
    default:
      return _("risk not assessed");
    }
}

const char *
ec_label_severity (EcSeverity severity)
{
  switch (severity)
    {
    case EC_SEVERITY_SEVERE:
      return _("severe reaction");
    case EC_SEVERITY_MODERATE:
      return _("moderate reaction");
    case EC_SEVERITY_MILD:
      return _("mild reaction");
    case EC_SEVERITY_UNKNOWN:
    default:
      return NULL;
    }
}

const char *
ec_label_dnr (EcDnrStatus dnr)
{
  switch (dnr)
    {
    case EC_DNR_DNR:
      return _("DO NOT RESUSCITATE (DNR)");
    case EC_DNR_LIMITED:
      return _("Limited treatment: see the advance directive");
    case EC_DNR_FULL_RESUSCITATION:
      return _("Full resuscitation");
    case EC_DNR_UNKNOWN:
    default:
      return _("No advance directive recorded");
    }
}

const char *
ec_label_wandering (EcWanderingRisk wandering)
{
  switch (wandering)
    {
    case EC_WANDERING_AT_RISK:
      return _("At risk of wandering: do not leave alone");
    case EC_WANDERING_NONE:
      return _("No wandering risk (assessed)");
    case EC_WANDERING_UNKNOWN:
    default:
      return _("Wandering risk not assessed");
    }
}


char *
ec_label_schedule (guint slots)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  if (slots & EC_SCHED_MORNING)
    g_ptr_array_add (parts, (gpointer) C_("medication schedule", "morning"));
  if (slots & EC_SCHED_NOON)
    g_ptr_array_add (parts, (gpointer) C_("medication schedule", "noon"));
  if (slots & EC_SCHED_EVENING)
    g_ptr_array_add (parts, (gpointer) C_("medication schedule", "evening"));
  if (slots & EC_SCHED_NIGHT)
    g_ptr_array_add (parts, (gpointer) C_("medication schedule", "bedtime"));
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

char *
ec_label_comm_needs (guint needs)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  if (needs & EC_COMM_HEARING)
    g_ptr_array_add (parts, (gpointer) _("Hard of hearing: face them, speak slowly"));
  if (needs & EC_COMM_SPEECH)
    g_ptr_array_add (parts, (gpointer) _("Speech difficulty"));
  if (needs & EC_COMM_DEMENTIA)
    g_ptr_array_add (parts, (gpointer) _("Dementia: may not remember or understand"));
  if (needs & EC_COMM_VISION)
    g_ptr_array_add (parts, (gpointer) _("Poor eyesight"));
  if (needs & EC_COMM_LANGUAGE)
    g_ptr_array_add (parts, (gpointer) _("Speaks a dialect or another language"));
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("\n", (char **) parts->pdata);
}

char *
ec_label_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_seconds <= 0)
    return g_strdup ("—");
  dt = g_date_time_new_from_unix_local (unix_seconds);
  if (dt == NULL)
    return g_strdup ("—");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M");
}

char *
ec_label_date (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_seconds <= 0)
    return g_strdup ("—");
  dt = g_date_time_new_from_unix_local (unix_seconds);
  if (dt == NULL)
    return g_strdup ("—");
  return g_date_time_format (dt, "%Y-%m-%d");
}

/* "青霉素 — 高风险 — 既往反应：过敏性休克 (严重反应) · 疑似" */
char *
ec_label_allergy (const EcAllergy *a)
{
  GString *line = g_string_new (NULL);
  const char *severity = ec_label_severity (a->severity);

  g_string_append_printf (line, "%s — %s", a->substance != NULL ? a->substance : "?",
                          ec_label_criticality (a->criticality));
  if (a->reaction != NULL && *a->reaction)
    g_string_append_printf (line, _(" — past reaction: %s"), a->reaction);
  if (severity != NULL)
    g_string_append_printf (line, " (%s)", severity);
  if (!a->confirmed)
    g_string_append_printf (line, " · %s", _("suspected"));
  return g_string_free (line, FALSE);
}

static int
allergy_rank (const EcAllergy *a)
{
  switch (a->criticality)
    {
    case EC_CRITICALITY_HIGH:
      return 0;
    case EC_CRITICALITY_UNABLE_TO_ASSESS:
      return 1;
    case EC_CRITICALITY_LOW:
    default:
      return 2;
    }
}

static int
compare_allergies (gconstpointer a,
                   gconstpointer b)
{
  const EcAllergy *x = *(EcAllergy * const *) a;
  const EcAllergy *y = *(EcAllergy * const *) b;

  return allergy_rank (x) - allergy_rank (y);
}

GPtrArray *
ec_label_allergies_sorted (GPtrArray *allergies)
{
  GPtrArray *sorted = g_ptr_array_new ();

  for (guint i = 0; allergies != NULL && i < allergies->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (allergies, i));
  g_ptr_array_sort (sorted, compare_allergies); /* stable: keeps the recorded order per rank */
  return sorted;
}
