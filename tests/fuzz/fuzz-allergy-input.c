/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-allergy-input: the JSON allergies/medications input of `eldercard allergy-check
 * --allergies-file` (ec_allergy_input_from_json) on arbitrary bytes, then the check
 * against the shipped drug table. */
#define G_LOG_DOMAIN "fuzz-allergy-input"

#include <glib.h>

#include "ec-allergy-check.h"
#include "ec-drugs.h"
#include "ec-drugs-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static EcDrugTable *table;
  g_autoptr(EcResident) r = NULL;
  g_autoptr(GError) error = NULL;

  if (table == NULL)
    table = ec_drug_table_load_default (NULL);
  g_assert (table != NULL);

  r = ec_allergy_input_from_json ((const char *) data, size, &error);
  if (r == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  g_assert (r->allergies->len <= EC_ALLERGY_INPUT_MAX_ENTRIES);
  g_assert (r->medications->len <= EC_ALLERGY_INPUT_MAX_ENTRIES);
  {
    const char *drugs[] = { "阿莫西林", "流感疫苗", "布洛芬", "unknown-thing", "带状疱疹疫苗", "头孢曲松", "阿莫" };
    for (gsize i = 0; i < G_N_ELEMENTS (drugs); i++)
      {
        g_autoptr(EcAllergyVerdict) v = NULL;
        g_autofree char *json = NULL;

        g_assert (ec_allergy_check (table, r, drugs[i], &v, NULL));
        json = ec_allergy_verdict_to_json (v, TRUE);
        g_assert (json != NULL);
        /* "Allergies unknown" is never reported as no conflict, nor is an allergy the
         * table does not (fully) recognise. */
        if (r->allergy_status == EC_ALLERGY_STATUS_UNKNOWN)
          g_assert (v->verdict != EC_VERDICT_NO_RECORDED_CONFLICT);
        for (guint j = 0; j < r->allergies->len; j++)
          {
            const EcAllergy *a = r->allergies->pdata[j];
            g_autoptr(GPtrArray) unrec = NULL;
            g_autoptr(GPtrArray) parts = _ec_drugs_resolve_allergy (table, a->substance, &unrec);
            if (unrec->len > 0 || parts->len == 0)
              g_assert (v->verdict != EC_VERDICT_NO_RECORDED_CONFLICT);
          }
      }
  }
  return 0;
}
