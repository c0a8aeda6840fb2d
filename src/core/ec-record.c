/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-record"

#include "ec-record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

EcCondition *
ec_condition_new (void)
{
  return g_new0 (EcCondition, 1);
}

void
ec_condition_free (EcCondition *c)
{
  if (c == NULL)
    return;
  g_free (c->text);
  g_free (c->icd10);
  g_free (c->since);
  g_free (c->updated_by);
  g_free (c);
}

EcAllergy *
ec_allergy_new (void)
{
  EcAllergy *a = g_new0 (EcAllergy, 1);
  a->confirmed = TRUE;
  return a;
}

void
ec_allergy_free (EcAllergy *a)
{
  if (a == NULL)
    return;
  g_free (a->substance);
  g_free (a->reaction);
  g_free (a->updated_by);
  g_free (a);
}

EcMedication *
ec_medication_new (void)
{
  return g_new0 (EcMedication, 1);
}

void
ec_medication_free (EcMedication *m)
{
  if (m == NULL)
    return;
  g_free (m->name);
  g_free (m->dose);
  g_free (m->route);
  g_free (m->schedule_text);
  g_free (m->updated_by);
  g_free (m);
}

EcContact *
ec_contact_new (void)
{
  return g_new0 (EcContact, 1);
}

void
ec_contact_free (EcContact *c)
{
  if (c == NULL)
    return;
  g_free (c->name);
  g_free (c->relation);
  g_strfreev (c->phones);
  g_free (c->updated_by);
  g_free (c);
}

EcResident *
ec_resident_new (void)
{
  EcResident *r = g_new0 (EcResident, 1);

  r->conditions = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_condition_free);
  r->allergies = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_allergy_free);
  r->medications = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_medication_free);
  r->contacts = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_contact_free);
  return r;
}

void
ec_resident_free (EcResident *r)
{
  if (r == NULL)
    return;
  g_free (r->name_zh);
  g_free (r->name_pinyin);
  g_free (r->date_of_birth);
  g_clear_pointer (&r->photo, g_bytes_unref);
  g_free (r->photo_mime);
  g_free (r->address);
  g_free (r->building_unit);
  g_free (r->phone);
  g_free (r->language);
  g_free (r->directive_location);
  g_free (r->comm_notes);
  g_free (r->implants);
  g_free (r->gp);
  g_free (r->social_worker);
  g_free (r->notes);
  g_free (r->updated_by);
  g_ptr_array_unref (r->conditions);
  g_ptr_array_unref (r->allergies);
  g_ptr_array_unref (r->medications);
  g_ptr_array_unref (r->contacts);
  g_free (r);
}

EcCardRecord *
ec_card_record_new (void)
{
  return g_new0 (EcCardRecord, 1);
}

void
ec_card_record_free (EcCardRecord *c)
{
  if (c == NULL)
    return;
  g_free (c->uid_hex);
  g_free (c->staff_id);
  g_free (c->status_reason);
  g_free (c);
}

int
ec_resident_age (const EcResident *resident,
                 const char       *today)
{
  int by, bm, bd, ty, tm, td, age;
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (resident != NULL, -1);

  if (resident->date_of_birth == NULL ||
      sscanf (resident->date_of_birth, "%d-%d-%d", &by, &bm, &bd) != 3)
    return -1;

  if (today != NULL)
    {
      if (sscanf (today, "%d-%d-%d", &ty, &tm, &td) != 3)
        return -1;
    }
  else
    {
      now = g_date_time_new_now_local ();
      g_date_time_get_ymd (now, &ty, &tm, &td);
    }

  age = ty - by;
  if (tm < bm || (tm == bm && td < bd))
    age--;
  return age < 0 ? -1 : age;
}

char *
ec_resident_id_to_string (EcResidentId id)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", (guint64) id);
}

gboolean
ec_resident_id_parse (const char   *text,
                      EcResidentId *out_id)
{
  guint64 v = 0;

  g_return_val_if_fail (out_id != NULL, FALSE);

  if (text == NULL || strlen (text) != 16)
    return FALSE;
  for (const char *p = text; *p; p++)
    {
      int d = g_ascii_xdigit_value (*p);
      if (d < 0)
        return FALSE;
      v = (v << 4) | (guint64) d;
    }
  *out_id = v;
  return TRUE;
}

/* Enum <-> string tables. */
typedef struct
{
  int         value;
  const char *name;
} EnumName;

static const char *
enum_to_string (const EnumName *table, gsize n, int value)
{
  for (gsize i = 0; i < n; i++)
    if (table[i].value == value)
      return table[i].name;
  return NULL;
}

static gboolean
enum_from_string (const EnumName *table, gsize n, const char *s, int *out)
{
  if (s == NULL)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (g_ascii_strcasecmp (table[i].name, s) == 0)
      {
        *out = table[i].value;
        return TRUE;
      }
  return FALSE;
}

#define DEFINE_ENUM_NAMES(func, Type, ...)                                        \
  static const EnumName func##_names[] = { __VA_ARGS__ };                         \
  const char *func##_to_string (Type v)                                           \
  {                                                                               \
    return enum_to_string (func##_names, G_N_ELEMENTS (func##_names), (int) v);   \
  }                                                                               \
  gboolean func##_from_string (const char *s, Type *out)                          \
  {                                                                               \
    int v;                                                                        \
    if (!enum_from_string (func##_names, G_N_ELEMENTS (func##_names), s, &v))     \
      return FALSE;                                                               \
    *out = (Type) v;                                                              \
    return TRUE;                                                                  \
  }

DEFINE_ENUM_NAMES (ec_sex, EcSex,
                   { EC_SEX_UNKNOWN, "unknown" }, { EC_SEX_FEMALE, "female" },
                   { EC_SEX_MALE, "male" }, { EC_SEX_OTHER, "other" })
DEFINE_ENUM_NAMES (ec_blood_type, EcBloodType,
                   { EC_BLOOD_UNKNOWN, "unknown" },
                   { EC_BLOOD_A_POS, "A+" }, { EC_BLOOD_A_NEG, "A-" },
                   { EC_BLOOD_B_POS, "B+" }, { EC_BLOOD_B_NEG, "B-" },
                   { EC_BLOOD_AB_POS, "AB+" }, { EC_BLOOD_AB_NEG, "AB-" },
                   { EC_BLOOD_O_POS, "O+" }, { EC_BLOOD_O_NEG, "O-" })
DEFINE_ENUM_NAMES (ec_allergy_status, EcAllergyStatus,
                   { EC_ALLERGY_STATUS_UNKNOWN, "unknown" },
                   { EC_ALLERGY_STATUS_NONE_KNOWN, "none-known" },
                   { EC_ALLERGY_STATUS_RECORDED, "recorded" })
DEFINE_ENUM_NAMES (ec_allergy_category, EcAllergyCategory,
                   { EC_ALLERGY_CATEGORY_MEDICATION, "medication" },
                   { EC_ALLERGY_CATEGORY_FOOD, "food" },
                   { EC_ALLERGY_CATEGORY_ENVIRONMENT, "environment" },
                   { EC_ALLERGY_CATEGORY_BIOLOGIC, "biologic" })
DEFINE_ENUM_NAMES (ec_criticality, EcCriticality,
                   { EC_CRITICALITY_UNABLE_TO_ASSESS, "unable-to-assess" },
                   { EC_CRITICALITY_LOW, "low" }, { EC_CRITICALITY_HIGH, "high" })
DEFINE_ENUM_NAMES (ec_severity, EcSeverity,
                   { EC_SEVERITY_UNKNOWN, "unknown" }, { EC_SEVERITY_MILD, "mild" },
                   { EC_SEVERITY_MODERATE, "moderate" }, { EC_SEVERITY_SEVERE, "severe" })
DEFINE_ENUM_NAMES (ec_dnr, EcDnrStatus,
                   { EC_DNR_UNKNOWN, "unknown" }, { EC_DNR_FULL_RESUSCITATION, "full" },
                   { EC_DNR_DNR, "dnr" }, { EC_DNR_LIMITED, "limited" })
DEFINE_ENUM_NAMES (ec_wandering, EcWanderingRisk,
                   { EC_WANDERING_UNKNOWN, "unknown" }, { EC_WANDERING_NONE, "none" },
                   { EC_WANDERING_AT_RISK, "at-risk" })
DEFINE_ENUM_NAMES (ec_card_status, EcCardStatus,
                   { EC_CARD_STATUS_ACTIVE, "active" }, { EC_CARD_STATUS_REPLACED, "replaced" },
                   { EC_CARD_STATUS_REVOKED, "revoked" }, { EC_CARD_STATUS_LOST, "lost" },
                   { EC_CARD_STATUS_SPOILED, "spoiled" }, { EC_CARD_STATUS_PENDING, "pending" })
DEFINE_ENUM_NAMES (ec_role, EcRole,
                   { EC_ROLE_RESPONDER, "responder" }, { EC_ROLE_NURSE, "nurse" },
                   { EC_ROLE_STAFF, "staff" }, { EC_ROLE_ADMIN, "admin" })
