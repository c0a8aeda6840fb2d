/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-drugs: the drug table parser (ec-drugs.c) on arbitrary bytes, then the matcher
 * and the allergy check on whatever table was accepted; and the same bytes as the
 * nurse's drug text against a small fixed table. */
#define G_LOG_DOMAIN "fuzz-drugs"

#include <glib.h>
#include <string.h>

#include "ec-allergy-check.h"
#include "ec-drugs.h"
#include "ec-drugs-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const char fixed_table[] =
  "format\teldercard-drugs\t1\n"
  "source\ts\tA source\n"
  "dupgroup\tg\ts\t重复\tduplicate\n"
  "class\tbl\t-\t-\tloose,group\tβ-内酰胺类\tbeta-lactams\tbeta-lactam\n"
  "class\tp\tbl\tg\tstrict\t青霉素类\tpenicillins\t青霉素类\n"
  "class\tc\tbl\tg\t-\t头孢类\tcephalosporins\t头孢类\n"
  "class\ti\t-\t-\tadjunct\t酶抑制剂\tinhibitors\t-\n"
  "class\tn\t-\t-\t-\t非甾体\tnsaids\t-\n"
  "drug\tamoxicillin\tp\t阿莫西林\tamoxicillin\tamoxil|a mo xi lin\n"
  "drug\tsulbactam\ti\t舒巴坦\tsulbactam\t-\n"
  "drug\tamox-sul\tp\t阿莫西林舒巴坦\tamoxicillin-sulbactam\t-\n"
  "drug\tceftriaxone\tc\t头孢曲松\tceftriaxone\t罗氏芬\n"
  "drug\tcef-sul\tc\t头孢曲松舒巴坦\tceftriaxone-sulbactam\t-\n"
  "drug\taspirin\tn\t阿司匹林\taspirin\t-\n"
  "drug\tibuprofen\tn\t布洛芬\tibuprofen\t-\n"
  "allergen\tegg\t-\t鸡蛋\tegg\t-\n"
  "contains\tceftriaxone\tegg\tsevere-stop\ts\t含\tcontains\n"
  "contains\tamox-sul\tamoxicillin\tstop\t-\t含\tcontains\n"
  "contains\tamox-sul\tsulbactam\tstop\t-\t含\tcontains\n"
  "contains\tcef-sul\tceftriaxone\tstop\t-\t含\tcontains\n"
  "contains\tcef-sul\tsulbactam\tstop\t-\t含\tcontains\n"
  "cross-both\tp\tc\tanaphylaxis-stop\ts\t交叉\tcross\n"
  "cross\taspirin\tn\trespiratory-stop\ts\t哮喘\tasthma\n"
  "cross\tegg\t*\tcaution\t-\t蛋\tegg\n"
  "family\tp\ts\t同族\tone family\n"
  "ambiguous\t阿莫西林类|amox\tamoxicillin,amox-sul\ts\t两种\ttwo products\n"
  "note\tp\ts\t皮试\tskin test\n";

static void
exercise (EcDrugTable *t,
          const char  *text)
{
  g_autoptr(EcResident) r = ec_resident_new ();
  g_autoptr(EcAllergyVerdict) v = NULL;
  g_autoptr(GPtrArray) s = NULL;
  g_autoptr(GPtrArray) cands = NULL;
  EcAllergy *a = ec_allergy_new ();
  EcMedication *m = ec_medication_new ();
  EcDrugMatch match;

  a->substance = g_strdup (text);
  a->criticality = EC_CRITICALITY_HIGH;
  a->reaction = g_strdup (text);
  g_ptr_array_add (r->allergies, a);
  m->name = g_strdup (text);
  g_ptr_array_add (r->medications, m);
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;

  (void) ec_drugs_lookup (t, text, &match, &cands);
  s = ec_drugs_suggest (t, text, 5);
  g_assert (s->len <= 5);
  if (ec_allergy_check (t, r, text, &v, NULL))
    {
      g_autofree char *json = ec_allergy_verdict_to_json (v, FALSE);
      g_autofree char *detail = ec_allergy_verdict_audit_detail (v);
      g_assert (json != NULL && detail != NULL);
      /* An unknown or ambiguous drug is never a pass; an allergy to exactly this drug
       * stops; an allergy that is not (fully) recognised is never a pass. */
      if (v->drug_id == NULL)
        g_assert (v->verdict != EC_VERDICT_NO_RECORDED_CONFLICT);
      if (v->match == EC_DRUG_MATCH_EXACT)
        g_assert (v->verdict == EC_VERDICT_STOP);
      for (guint i = 0; v->candidate_checks != NULL && i < v->candidate_checks->len; i++)
        if (((EcAllergyCandidate *) v->candidate_checks->pdata[i])->verdict == EC_VERDICT_STOP)
          g_assert (v->verdict == EC_VERDICT_STOP);
      {
        g_autoptr(GPtrArray) unrec = NULL;
        g_autoptr(GPtrArray) parts = _ec_drugs_resolve_allergy (t, text, &unrec);
        if (unrec->len > 0 || parts->len == 0)
          g_assert (v->verdict != EC_VERDICT_NO_RECORDED_CONFLICT);
      }
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static EcDrugTable *fixed;
  g_autoptr(EcDrugTable) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (fixed == NULL)
    fixed = ec_drug_table_new_from_data (fixed_table, strlen (fixed_table), NULL);
  g_assert (fixed != NULL);

  t = ec_drug_table_new_from_data ((const char *) data, size, &error);
  if (t != NULL)
    {
      GPtrArray *drugs = ec_drug_table_get_drugs (t);
      g_assert (error == NULL);
      for (guint i = 0; i < drugs->len && i < 8; i++)
        exercise (t, ((EcDrug *) drugs->pdata[i])->name_zh);
      exercise (t, "阿莫西林胶囊 0.5g");
    }
  else
    g_assert (error != NULL && error->domain == EC_DRUGS_ERROR);

  /* The bytes as typed text (bounded like a text field). */
  text = g_strndup ((const char *) data, MIN (size, 256));
  exercise (fixed, text);
  {
    g_autofree char *k = ec_drugs_normalise (text);
    g_assert (k != NULL && g_utf8_validate (k, -1, NULL));
  }
  return 0;
}
