/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-allergy: how long the nurse waits. Loading the drug table (once per kiosk
 * start), one allergy check (5 allergies, 3 medications) and one autocomplete query,
 * each the median of --runs rounds. `make bench-allergy`; docs/nurse-guide.md. */
#define G_LOG_DOMAIN "bench-allergy"

#include <stdio.h>
#include <stdlib.h>

#include "ec-allergy-check.h"
#include "ec-drugs.h"

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *v,
        int     n)
{
  qsort (v, (size_t) n, sizeof *v, compare_double);
  return v[n / 2];
}

int
main (int argc, char **argv)
{
  gint runs = 9;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "rounds (median is printed)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— allergy check benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(EcResident) r = ec_resident_new ();
  g_autofree double *load = NULL, *check = NULL, *suggest = NULL;
  const char *allergies[] = { "青霉素", "布洛芬", "乳胶", "鸡蛋", "碘" };
  const char *meds[] = { "阿司匹林肠溶片", "华法林钠片", "甘精胰岛素注射液" };
  const int inner = 1000;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || runs < 1)
    {
      g_printerr ("bench-allergy: %s\n", error != NULL ? error->message : "--runs must be at least 1");
      return 2;
    }
  load = g_new0 (double, runs);
  check = g_new0 (double, runs);
  suggest = g_new0 (double, runs);
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  for (gsize i = 0; i < G_N_ELEMENTS (allergies); i++)
    {
      EcAllergy *a = ec_allergy_new ();
      a->substance = g_strdup (allergies[i]);
      a->criticality = EC_CRITICALITY_HIGH;
      g_ptr_array_add (r->allergies, a);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (meds); i++)
    {
      EcMedication *m = ec_medication_new ();
      m->name = g_strdup (meds[i]);
      g_ptr_array_add (r->medications, m);
    }

  for (int k = 0; k < runs; k++)
    {
      gint64 t0 = g_get_monotonic_time (), t1, t2, t3;
      g_autoptr(EcDrugTable) t = ec_drug_table_load_default (&error);

      if (t == NULL)
        {
          g_printerr ("bench-allergy: %s\n", error->message);
          return 1;
        }
      t1 = g_get_monotonic_time ();
      for (int i = 0; i < inner; i++)
        {
          g_autoptr(EcAllergyVerdict) v = NULL;
          if (!ec_allergy_check (t, r, (i & 1) ? "注射用头孢曲松钠 1g" : "阿莫西林胶囊 0.5g", &v, &error))
            return 1;
        }
      t2 = g_get_monotonic_time ();
      for (int i = 0; i < inner; i++)
        {
          g_autoptr(GPtrArray) s = ec_drugs_suggest (t, (i & 1) ? "头孢" : "amox", 8);
          if (s->len == 0)
            return 1;
        }
      t3 = g_get_monotonic_time ();
      load[k] = (double) (t1 - t0) / 1000.0;
      check[k] = (double) (t2 - t1) / 1000.0 / inner;
      suggest[k] = (double) (t3 - t2) / 1000.0 / inner;
    }
  printf ("allergy: load drug table       %8.3f ms (median of %d)\n", median (load, runs), runs);
  printf ("allergy: one check (5 allergies, 3 medications) %8.4f ms\n", median (check, runs));
  printf ("allergy: one suggestion query  %8.4f ms\n", median (suggest, runs));
  return 0;
}
