/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "ec-record.h"

static void
test_age (void)
{
  g_autoptr(EcResident) r = ec_resident_new ();

  g_assert_cmpint (ec_resident_age (r, "2026-11-29"), ==, -1);
  r->date_of_birth = g_strdup ("1940-12-01");
  g_assert_cmpint (ec_resident_age (r, "2026-11-29"), ==, 85);
  g_assert_cmpint (ec_resident_age (r, "2026-12-01"), ==, 86);
}

static void
test_resident_id (void)
{
  EcResidentId id = 0;
  g_autofree char *s = ec_resident_id_to_string (G_GUINT64_CONSTANT (0x00a1b2c3d4e5f607));

  g_assert_cmpstr (s, ==, "00a1b2c3d4e5f607");
  g_assert_true (ec_resident_id_parse (s, &id));
  g_assert_cmpuint (id, ==, G_GUINT64_CONSTANT (0x00a1b2c3d4e5f607));
  g_assert_false (ec_resident_id_parse ("00a1b2c3d4e5f6", &id));
  g_assert_false (ec_resident_id_parse ("00a1b2c3d4e5f6zz", &id));
  g_assert_false (ec_resident_id_parse (NULL, &id));
}

static void
test_enums (void)
{
  EcBloodType b;
  EcAllergyStatus s;

  g_assert_cmpstr (ec_blood_type_to_string (EC_BLOOD_AB_NEG), ==, "AB-");
  g_assert_true (ec_blood_type_from_string ("O+", &b));
  g_assert_cmpint (b, ==, EC_BLOOD_O_POS);
  g_assert_false (ec_blood_type_from_string ("C+", &b));
  g_assert_true (ec_allergy_status_from_string ("none-known", &s));
  g_assert_cmpint (s, ==, EC_ALLERGY_STATUS_NONE_KNOWN);
  g_assert_cmpstr (ec_allergy_status_to_string (EC_ALLERGY_STATUS_UNKNOWN), ==, "unknown");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ec/record/age", test_age);
  g_test_add_func ("/ec/record/resident-id", test_resident_id);
  g_test_add_func ("/ec/record/enums", test_enums);
  return g_test_run ();
}
