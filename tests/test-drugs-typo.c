/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-drugs-typo: "did you mean" for a misspelt drug in the nurse's field (issue 14:
 * "amoxcilin" got no suggestion). ec_drugs_did_you_mean() over the real drug table. */
#include "ec-drugs.h"

static EcDrugTable *table;

static gboolean
suggests (const char *text,
          const char *drug_id)
{
  g_autoptr(GPtrArray) s = ec_drugs_did_you_mean (table, text, 5);

  for (guint i = 0; i < s->len; i++)
    {
      const EcDrugSuggestion *x = g_ptr_array_index (s, i);
      g_test_message ("%s → %s (%s)", text, x->drug->id, x->matched);
    }
  return s->len > 0 && g_str_equal (((EcDrugSuggestion *) g_ptr_array_index (s, 0))->drug->id, drug_id);
}

static void
test_latin_typos (void)
{
  g_assert_true (suggests ("amoxcilin", "amoxicillin"));     /* two letters left out */
  g_assert_true (suggests ("Amoxicilin injection", "amoxicillin"));
  g_assert_true (suggests ("amoxicilln", "amoxicillin"));
  g_assert_true (suggests ("ceftriaxnoe", "ceftriaxone"));   /* two letters swapped */
}

static void
test_chinese_typo (void)
{
  g_assert_true (suggests ("阿莫西材", "amoxicillin"));      /* one wrong character */
}

/* Nothing for words far from any drug, nor for very short text; an exact name is
 * found by ec_drugs_lookup, not repeated here. */
static void
test_no_wild_guesses (void)
{
  g_autoptr(GPtrArray) far = ec_drugs_did_you_mean (table, "tomato soup", 5);
  g_autoptr(GPtrArray) shorty = ec_drugs_did_you_mean (table, "amx", 5);
  g_autoptr(GPtrArray) exact = ec_drugs_did_you_mean (table, "amoxicillin", 5);

  g_assert_cmpuint (far->len, ==, 0);
  g_assert_cmpuint (shorty->len, ==, 0);
  for (guint i = 0; i < exact->len; i++)
    g_assert_cmpstr (((EcDrugSuggestion *) g_ptr_array_index (exact, i))->drug->id, !=, "amoxicillin");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("ELDERCARD_DATADIR");
  table = ec_drug_table_load_default (&error);
  g_assert_no_error (error);
  g_test_add_func ("/ec/drugs/typo/latin", test_latin_typos);
  g_test_add_func ("/ec/drugs/typo/chinese", test_chinese_typo);
  g_test_add_func ("/ec/drugs/typo/no-wild-guesses", test_no_wild_guesses);
  rc = g_test_run ();
  ec_drug_table_free (table);
  return rc;
}
