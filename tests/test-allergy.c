/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-allergy: the drug table (data/drugs.tsv), its matcher and the nurse's allergy
 * check: for each class a drug that must stop, one that must warn by cross-reactivity
 * and one that must pass; names in Chinese, English, brands, pinyin, with spaces and
 * full-width letters; unknown drugs; unknown and "none known" allergy histories;
 * several allergies; duplicate medications; local-practice notes with sources. */
#define G_LOG_DOMAIN "test-allergy"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ec-allergy-check.h"
#include "ec-demo.h"
#include "ec-drugs.h"
#include "ec-drugs-private.h"

static EcDrugTable *table;

static EcResident *
resident_with (EcAllergyStatus status)
{
  EcResident *r = ec_resident_new ();
  r->allergy_status = status;
  return r;
}

static void
add_allergy (EcResident   *r,
             const char   *substance,
             EcCriticality criticality,
             EcSeverity    severity)
{
  EcAllergy *a = ec_allergy_new ();
  a->substance = g_strdup (substance);
  a->category = EC_ALLERGY_CATEGORY_MEDICATION;
  a->criticality = criticality;
  a->severity = severity;
  a->reaction = g_strdup (severity == EC_SEVERITY_SEVERE ? "过敏性休克" : "皮疹");
  g_ptr_array_add (r->allergies, a);
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
}

static void
add_medication (EcResident *r,
                const char *name,
                const char *dose)
{
  EcMedication *m = ec_medication_new ();
  m->name = g_strdup (name);
  m->dose = g_strdup (dose);
  g_ptr_array_add (r->medications, m);
}

static EcAllergyVerdict *
check (const EcResident *r,
       const char       *drug)
{
  g_autoptr(GError) error = NULL;
  EcAllergyVerdict *v = NULL;

  g_assert_true (ec_allergy_check (table, r, drug, &v, &error));
  g_assert_no_error (error);
  g_assert_nonnull (v);
  return v;
}

static gboolean
has_finding (const EcAllergyVerdict *v,
             EcFindingKind           kind)
{
  for (guint i = 0; i < v->findings->len; i++)
    if (((EcAllergyFinding *) v->findings->pdata[i])->kind == kind)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------------- */
/* The table itself */

static void
test_table_loads (void)
{
  GPtrArray *drugs = ec_drug_table_get_drugs (table);
  guint n_drugs = 0;
  g_autofree char *path = ec_drugs_default_path ();

  g_assert_true (g_str_has_suffix (path, "data/drugs.tsv"));
  g_assert_cmpuint (ec_drug_table_get_n_drugs (table), ==, drugs->len);
  for (guint i = 0; i < drugs->len; i++)
    if (!((EcDrug *) drugs->pdata[i])->is_allergen)
      n_drugs++;
  g_assert_cmpuint (n_drugs, >=, 150);
  /* The classes the issue names are all there. */
  {
    const char *classes[] = {
      "penicillin", "cephalosporin-1", "cephalosporin-2", "cephalosporin-3", "cephalosporin-4",
      "carbapenem", "monobactam", "aminoglycoside", "fluoroquinolone", "macrolide",
      "sulfonamide-antibiotic", "sulfonamide-nonantibiotic", "nsaid", "salicylate", "pyrazolone",
      "opioid", "la-ester", "la-amide", "contrast-iodinated", "insulin", "heparin-ufh",
      "heparin-lmwh", "corticosteroid", "cobalamin", "vaccine",
    };
    for (gsize i = 0; i < G_N_ELEMENTS (classes); i++)
      g_assert_nonnull (ec_drug_table_get_class (table, classes[i]));
  }
  g_assert_true (ec_drug_in_class (ec_drug_table_get_drug (table, "ceftriaxone"), "cephalosporin"));
  g_assert_false (ec_drug_in_class (ec_drug_table_get_drug (table, "ceftriaxone"), "penicillin"));
  g_assert_true (ec_drug_table_get_drug (table, "latex")->is_allergen);
  g_assert_nonnull (ec_drug_table_get_source (table, "aaaai-2022"));
  g_assert_null (ec_drug_table_get_source (table, "no-such-source"));
}

/* Every drug finds itself by its Chinese and English name, passes for a resident with
 * no known allergies, is never "no conflict" when the history is unknown, and stops
 * for an allergy to itself. */
static void
test_table_every_drug (void)
{
  GPtrArray *drugs = ec_drug_table_get_drugs (table);
  g_autoptr(EcResident) none = resident_with (EC_ALLERGY_STATUS_NONE_KNOWN);
  g_autoptr(EcResident) unknown = resident_with (EC_ALLERGY_STATUS_UNKNOWN);

  for (guint i = 0; i < drugs->len; i++)
    {
      const EcDrug *d = drugs->pdata[i];
      const char *names[] = { d->name_zh, d->name_en };
      g_autoptr(EcResident) self = resident_with (EC_ALLERGY_STATUS_RECORDED);
      g_autoptr(EcAllergyVerdict) v1 = NULL, v2 = NULL, v3 = NULL;

      if (d->is_allergen)
        continue;
      for (gsize j = 0; j < G_N_ELEMENTS (names); j++)
        {
          EcDrugMatch m;
          const EcDrug *found = ec_drugs_lookup (table, names[j], &m, NULL);
          if (found != d)
            g_error ("%s: looked up as %s", names[j], found != NULL ? found->id : "nothing");
          g_assert_cmpint (m, ==, EC_DRUG_MATCH_EXACT);
        }
      v1 = check (none, d->name_zh);
      if (v1->verdict != EC_VERDICT_NO_RECORDED_CONFLICT)
        g_error ("%s: %s for a resident with no known allergies", d->id, ec_verdict_to_string (v1->verdict));
      v2 = check (unknown, d->name_en);
      g_assert_cmpint (v2->verdict, ==, EC_VERDICT_CAUTION);
      g_assert_true (has_finding (v2, EC_FINDING_ALLERGY_STATUS_UNKNOWN));
      add_allergy (self, d->name_zh, EC_CRITICALITY_LOW, EC_SEVERITY_MILD);
      v3 = check (self, d->name_en);
      g_assert_cmpint (v3->verdict, ==, EC_VERDICT_STOP);
      g_assert_cmpint (((EcAllergyFinding *) v3->findings->pdata[0])->kind, ==, EC_FINDING_SAME_SUBSTANCE);
    }
}

/* ------------------------------------------------------------------------- */
/* Names */

static void
test_normalise (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "阿莫西林", "阿莫西林" },
    { "ＡＭＯＸＩＣＩＬＬＩＮ", "amoxicillin" },
    { "a mo xi lin", "amoxilin" },
    { "阿莫西林胶囊 0.5g", "阿莫西林" },
    { "阿莫西林胶囊0.25g×24粒", "阿莫西林" },
    { "注射用头孢曲松钠 1g", "头孢曲松" },
    { "盐酸利多卡因注射液 5ml:0.1g", "利多卡因" },
    { "青霉素钠 80万单位", "青霉素" },
    { "维生素B12注射液 0.5mg", "维生素b12" },
    { "insulin glargine 100u/ml", "insulinglargine" },
    { "Ceftriaxone Sodium for Injection", "ceftriaxone" },
    { "23价肺炎球菌多糖疫苗", "23价肺炎球菌多糖疫苗" },
    { "对青霉素过敏", "青霉素" },
    { "amoxi-cillin", "amoxicillin" },
    { "", "" },
  };
  g_autofree char *null_text = ec_drugs_normalise (NULL);
  g_autofree char *bad = ec_drugs_normalise ("\xff\xfe");
  g_autofree char *huge_in = g_strnfill (EC_DRUGS_MAX_QUERY + 1, 'a');
  g_autofree char *huge = ec_drugs_normalise (huge_in);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *k = ec_drugs_normalise (cases[i].in);
      g_assert_cmpstr (k, ==, cases[i].out);
    }
  g_assert_cmpstr (null_text, ==, "");
  g_assert_cmpstr (bad, ==, "");
  g_assert_cmpstr (huge, ==, "");
}

static void
test_lookup_spellings (void)
{
  static const char *const amoxicillin[] = {
    "阿莫西林", "amoxicillin", "Amoxil", "a mo xi lin", "ＡＭＯＸＩＣＩＬＬＩＮ", "阿莫西林胶囊 0.5g",
    "阿 莫 西 林", "AMOXICILLIN", "amoxi-cillin", "阿莫仙", "联邦阿莫仙胶囊", "Amoxicillin Capsules 500 mg",
    "amoxycillin",
  };
  static const struct { const char *text; const char *id; EcDrugMatch match; } others[] = {
    { "罗氏芬", "ceftriaxone", EC_DRUG_MATCH_EXACT },
    { "Rocephin 1 g", "ceftriaxone", EC_DRUG_MATCH_EXACT },
    { "罗氏芬头孢曲松", "ceftriaxone", EC_DRUG_MATCH_PARTIAL },
    { "ceftriax", "ceftriaxone", EC_DRUG_MATCH_PARTIAL },
    { "安乃近注射液", "metamizole", EC_DRUG_MATCH_EXACT },
    { "杜冷丁", "pethidine", EC_DRUG_MATCH_EXACT },
    { "低分子肝素钙注射液", "lmwh-unspecified", EC_DRUG_MATCH_EXACT },
    { "克赛", "enoxaparin", EC_DRUG_MATCH_EXACT },
    { "甘精胰岛素注射液 12单位", "insulin-glargine", EC_DRUG_MATCH_EXACT },
    { "penicillin v potassium", "phenoxymethylpenicillin", EC_DRUG_MATCH_EXACT },
    { "阿莫西林克拉维酸钾片", "amoxicillin-clavulanate", EC_DRUG_MATCH_EXACT },
    { "流感疫苗", "influenza-vaccine", EC_DRUG_MATCH_EXACT },
    { "麻腮风", "mmr-vaccine", EC_DRUG_MATCH_EXACT },
    { "破伤风抗毒素", "tetanus-antitoxin", EC_DRUG_MATCH_EXACT },
    { "Voltaren", "diclofenac", EC_DRUG_MATCH_EXACT },
    { "ＩＢＵＰＲＯＦＥＮ", "ibuprofen", EC_DRUG_MATCH_EXACT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (amoxicillin); i++)
    {
      EcDrugMatch m;
      const EcDrug *d = ec_drugs_lookup (table, amoxicillin[i], &m, NULL);
      if (d == NULL || strcmp (d->id, "amoxicillin") != 0)
        g_error ("\"%s\" is not amoxicillin", amoxicillin[i]);
      g_assert_cmpint (m, ==, EC_DRUG_MATCH_EXACT);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (others); i++)
    {
      EcDrugMatch m;
      const EcDrug *d = ec_drugs_lookup (table, others[i].text, &m, NULL);
      if (d == NULL || strcmp (d->id, others[i].id) != 0)
        g_error ("\"%s\" is %s, not %s", others[i].text, d != NULL ? d->id : "nothing", others[i].id);
      g_assert_cmpint (m, ==, others[i].match);
    }
}

static void
test_lookup_ambiguous_and_unknown (void)
{
  g_autoptr(GPtrArray) cands = NULL;
  EcDrugMatch m;

  /* Two drugs start with 阿莫: the matcher does not guess. */
  g_assert_null (ec_drugs_lookup (table, "阿莫", &m, &cands));
  g_assert_cmpint (m, ==, EC_DRUG_MATCH_AMBIGUOUS);
  g_assert_nonnull (cands);
  g_assert_cmpuint (cands->len, ==, 3);
  g_clear_pointer (&cands, g_ptr_array_unref);
  /* A combination the table does not hold is not read as one of its parts. */
  g_assert_null (ec_drugs_lookup (table, "头孢曲松他唑巴坦", &m, &cands));
  g_assert_cmpint (m, ==, EC_DRUG_MATCH_AMBIGUOUS);
  g_clear_pointer (&cands, g_ptr_array_unref);
  g_assert_null (ec_drugs_lookup (table, "莲花清瘟", &m, &cands));
  g_assert_cmpint (m, ==, EC_DRUG_MATCH_NONE);
  g_assert_null (cands);
  /* Allergens are not drugs to give. */
  g_assert_null (ec_drugs_lookup (table, "鸡蛋", &m, NULL));
  g_assert_null (ec_drugs_lookup (table, "", &m, NULL));
  g_assert_cmpint (m, ==, EC_DRUG_MATCH_NONE);
}

static void
test_suggest (void)
{
  g_autoptr(GPtrArray) s = ec_drugs_suggest (table, "amox", 10);
  g_autoptr(GPtrArray) brand = ec_drugs_suggest (table, "阿莫仙", 10);
  g_autoptr(GPtrArray) ceph = ec_drugs_suggest (table, "头孢", 5);
  g_autoptr(GPtrArray) pinyin = ec_drugs_suggest (table, "tou bao", 5);
  g_autoptr(GPtrArray) empty = ec_drugs_suggest (table, "  ", 5);
  g_autoptr(GPtrArray) egg = ec_drugs_suggest (table, "鸡蛋", 5);
  EcDrugSuggestion *first;

  /* Names that start with it first (amoxicillin…), then names that contain it (Diamox). */
  g_assert_cmpuint (s->len, ==, 4);
  g_assert_cmpstr (((EcDrugSuggestion *) s->pdata[3])->drug->id, ==, "acetazolamide");
  first = s->pdata[0];
  g_assert_cmpstr (first->drug->id, ==, "amoxicillin");
  g_assert_cmpstr (first->display_zh, ==, "阿莫西林");
  g_assert_cmpstr (first->display_en, ==, "amoxicillin");
  /* then the combinations, shorter names first */
  g_assert_true (g_str_has_prefix (((EcDrugSuggestion *) s->pdata[1])->drug->id, "amoxicillin-"));
  g_assert_true (g_str_has_prefix (((EcDrugSuggestion *) s->pdata[2])->drug->id, "amoxicillin-"));

  g_assert_cmpuint (brand->len, ==, 1);
  first = brand->pdata[0];
  g_assert_cmpstr (first->matched, ==, "阿莫仙");
  g_assert_cmpstr (first->display_zh, ==, "阿莫仙（阿莫西林）");

  g_assert_cmpuint (ceph->len, ==, 5);
  for (guint i = 0; i < ceph->len; i++)
    g_assert_true (ec_drug_in_class (((EcDrugSuggestion *) ceph->pdata[i])->drug, "cephalosporin"));
  g_assert_cmpuint (pinyin->len, >=, 1);
  g_assert_cmpstr (((EcDrugSuggestion *) pinyin->pdata[0])->drug->id, ==, "ceftriaxone");
  g_assert_cmpuint (empty->len, ==, 0);
  g_assert_cmpuint (egg->len, ==, 0);
}

/* ------------------------------------------------------------------------- */
/* Per class: stop, warn by cross-reactivity (or a weaker relation), pass */

typedef struct
{
  const char   *allergy;
  EcCriticality criticality;
  EcSeverity    severity;
  const char   *drug;
  EcVerdict     verdict;
  int           kind;       /* EcFindingKind of the first finding, -1 = none */
} Case;

#define HI EC_CRITICALITY_HIGH, EC_SEVERITY_SEVERE
#define LO EC_CRITICALITY_LOW, EC_SEVERITY_MILD
#define STOP EC_VERDICT_STOP
#define CAUTION EC_VERDICT_CAUTION
#define PASS EC_VERDICT_NO_RECORDED_CONFLICT
#define SAME EC_FINDING_SAME_SUBSTANCE
#define CLASS EC_FINDING_SAME_CLASS
#define CROSS EC_FINDING_CROSS_REACTIVE
#define PART EC_FINDING_COMPONENT

static const Case class_cases[] = {
  /* penicillins */
  { "青霉素", HI, "阿莫西林", STOP, CLASS },
  { "penicillin", LO, "头孢曲松", CAUTION, CROSS },
  { "青霉素", HI, "头孢曲松", STOP, CROSS },          /* after anaphylaxis: CN guideline */
  { "青霉素", HI, "阿奇霉素", PASS, -1 },
  { "青霉素", LO, "哌拉西林他唑巴坦", STOP, CLASS },   /* strict class: stop even if low */
  { "amoxicillin", LO, "头孢羟氨苄", STOP, CROSS },     /* identical R1 side chain */
  { "氨苄西林", LO, "头孢氨苄", STOP, CROSS },
  { "青霉素", LO, "美罗培南", CAUTION, CROSS },
  /* cephalosporins */
  { "头孢类抗生素", HI, "头孢呋辛", STOP, CLASS },
  { "头孢曲松", LO, "头孢唑林", STOP, CLASS },          /* strict */
  { "头孢类", LO, "美罗培南", CAUTION, CROSS },
  { "头孢类", HI, "左氧氟沙星", PASS, -1 },
  /* carbapenems and the monobactam */
  { "美罗培南", HI, "亚胺培南西司他丁", STOP, CLASS },
  { "meropenem", LO, "阿莫西林", CAUTION, CROSS },
  { "美罗培南", HI, "庆大霉素", PASS, -1 },
  { "头孢他啶", LO, "氨曲南", STOP, CROSS },
  { "氨曲南", HI, "Azactam", STOP, SAME },
  { "青霉素", HI, "氨曲南", PASS, -1 },
  /* aminoglycosides */
  { "链霉素", HI, "庆大霉素", STOP, CLASS },
  { "庆大霉素", LO, "麻腮风疫苗", CAUTION, PART },      /* contains neomycin */
  { "链霉素", HI, "阿奇霉素", PASS, -1 },
  /* fluoroquinolones */
  { "左氧氟沙星", HI, "莫西沙星", STOP, CLASS },
  { "levofloxacin", LO, "环丙沙星", CAUTION, CLASS },
  { "左氧氟沙星", HI, "头孢曲松", PASS, -1 },
  /* macrolides */
  { "红霉素", HI, "阿奇霉素", STOP, CLASS },
  { "红霉素", LO, "希舒美", CAUTION, CLASS },
  { "红霉素", HI, "克林霉素", PASS, -1 },
  /* sulfonamides: antibiotic vs non-antibiotic */
  { "磺胺类药物", HI, "复方新诺明", STOP, CLASS },
  { "磺胺", HI, "呋塞米", CAUTION, CROSS },             /* low cross-reactivity: caution only */
  { "sulfa", HI, "塞来昔布", STOP, CROSS },             /* celecoxib label */
  { "磺胺", HI, "阿莫西林", PASS, -1 },
  { "呋塞米", HI, "复方新诺明", PASS, -1 },
  /* NSAIDs and aspirin */
  { "阿司匹林", HI, "布洛芬", STOP, CLASS },
  { "布洛芬", LO, "阿司匹林", CAUTION, CLASS },
  { "布洛芬", LO, "塞来昔布", CAUTION, CROSS },
  { "阿司匹林", HI, "吗啡", PASS, -1 },
  /* metamizole */
  { "安乃近", HI, "安痛定", STOP, CLASS },
  { "阿司匹林", HI, "安乃近", STOP, CROSS },
  { "阿司匹林", LO, "安乃近", CAUTION, CROSS },
  { "安乃近", HI, "曲马多", PASS, -1 },
  /* opioids */
  { "吗啡", HI, "可待因", STOP, CLASS },
  { "吗啡", HI, "芬太尼", CAUTION, CROSS },
  { "吗啡", HI, "布洛芬", PASS, -1 },
  /* local anaesthetics: ester vs amide */
  { "普鲁卡因", HI, "丁卡因", STOP, CLASS },
  { "普鲁卡因", HI, "普鲁卡因青霉素", STOP, PART },
  { "利多卡因", LO, "布比卡因", CAUTION, CLASS },
  { "普鲁卡因", HI, "盐酸利多卡因注射液", PASS, -1 },
  /* iodinated contrast */
  { "碘造影剂", HI, "碘海醇", STOP, CLASS },
  { "碘", LO, "碘海醇", CAUTION, CROSS },
  { "碘", HI, "欧乃派克", STOP, CROSS },
  { "海鲜", HI, "碘海醇", PASS, -1 },
  /* insulin */
  { "门冬胰岛素", HI, "赖脯胰岛素", STOP, CLASS },
  { "门冬胰岛素", LO, "甘精胰岛素", CAUTION, CLASS },
  { "胰岛素", HI, "二甲双胍", PASS, -1 },
  /* heparins */
  { "肝素", HI, "依诺肝素", STOP, CLASS },
  { "肝素", HI, "磺达肝癸钠", CAUTION, CROSS },
  { "肝素", HI, "利伐沙班", PASS, -1 },
  /* corticosteroids */
  { "地塞米松", HI, "甲泼尼龙", STOP, CLASS },
  { "牛奶", HI, "注射用甲泼尼龙琥珀酸钠 40mg", STOP, PART },
  { "牛奶", LO, "甲强龙", CAUTION, PART },
  { "地塞米松", HI, "维生素B12", PASS, -1 },
  /* vitamin B12 */
  { "甲钴胺", HI, "维生素B12", STOP, CLASS },
  { "钴", LO, "甲钴胺", CAUTION, CROSS },
  { "青霉素", HI, "甲钴胺", PASS, -1 },
  /* vaccines and their components */
  { "明胶", HI, "麻腮风疫苗", STOP, PART },
  { "明胶", LO, "水痘疫苗", CAUTION, PART },
  { "新霉素", HI, "MMR", STOP, PART },
  { "鸡蛋", HI, "流感疫苗", CAUTION, PART },
  { "酵母", HI, "乙肝疫苗", STOP, PART },
  { "马血清", HI, "破伤风抗毒素", STOP, PART },
  { "鸡蛋", HI, "重组带状疱疹疫苗", PASS, -1 },
  { "破伤风抗毒素", HI, "破伤风人免疫球蛋白", PASS, -1 },
  { "疫苗", LO, "流感疫苗", CAUTION, CLASS },
  /* latex: any injection */
  { "乳胶", LO, "头孢曲松", CAUTION, CROSS },
  /* allergy recorded as free text in other forms */
  { "对青霉素过敏", HI, "氨苄西林", STOP, CLASS },
  { "PENICILLIN", LO, "氨苄西林", STOP, CLASS },
  { "青霉素类", LO, "Augmentin", STOP, CLASS },
  { "阿莫西林", LO, "青霉素钠 80万单位", STOP, CLASS },
};

static void
test_class_cases (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (class_cases); i++)
    {
      const Case *c = &class_cases[i];
      g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
      g_autoptr(EcAllergyVerdict) v = NULL;
      const EcAllergyFinding *f;

      add_allergy (r, c->allergy, c->criticality, c->severity);
      v = check (r, c->drug);
      if (v->verdict != c->verdict)
        g_error ("allergy %s + %s: %s, expected %s", c->allergy, c->drug,
                 ec_verdict_to_string (v->verdict), ec_verdict_to_string (c->verdict));
      if (c->kind < 0)
        {
          g_assert_cmpuint (v->findings->len, ==, 0);
          continue;
        }
      g_assert_cmpuint (v->findings->len, >=, 1);
      f = v->findings->pdata[0];
      if ((int) f->kind != c->kind)
        g_error ("allergy %s + %s: finding %s", c->allergy, c->drug, ec_finding_kind_to_string (f->kind));
      /* What the nurse sees: the matched allergy with its criticality and reaction, and why. */
      g_assert_nonnull (f->allergy);
      g_assert_cmpstr (f->allergy->substance, ==, c->allergy);
      g_assert_cmpint (f->allergy->criticality, ==, c->criticality);
      g_assert_nonnull (f->allergy->reaction);
      g_assert_true (f->reason_zh != NULL && f->reason_zh[0] != '\0');
      g_assert_true (f->reason_en != NULL && f->reason_en[0] != '\0');
      g_assert_nonnull (f->matched_zh);
      if (f->kind == EC_FINDING_CROSS_REACTIVE && strcmp (c->allergy, "钴") != 0)
        g_assert_cmpuint (f->sources->len, >=, 1);
    }
}

/* ------------------------------------------------------------------------- */
/* Residents */

static void
test_unknown_drug (void)
{
  EcAllergyStatus statuses[] = { EC_ALLERGY_STATUS_UNKNOWN, EC_ALLERGY_STATUS_NONE_KNOWN, EC_ALLERGY_STATUS_RECORDED };

  for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(EcResident) r = resident_with (statuses[i]);
      g_autoptr(EcAllergyVerdict) v = NULL;
      g_autoptr(EcAllergyVerdict) amb = NULL;

      if (statuses[i] == EC_ALLERGY_STATUS_RECORDED)
        add_allergy (r, "青霉素", HI);
      v = check (r, "莲花清瘟胶囊");
      g_assert_cmpint (v->verdict, ==, EC_VERDICT_UNKNOWN_DRUG);
      g_assert_null (v->drug_id);
      if (statuses[i] == EC_ALLERGY_STATUS_RECORDED)
        g_assert_true (has_finding (v, EC_FINDING_CHECK_MANUALLY));
      amb = check (r, "阿莫");
      /* Both candidates are penicillins: the worst of them, STOP, for a penicillin allergy. */
      g_assert_cmpint (amb->verdict, ==, statuses[i] == EC_ALLERGY_STATUS_RECORDED ? EC_VERDICT_STOP
                                                                                 : EC_VERDICT_UNKNOWN_DRUG);
      g_assert_cmpuint (amb->candidates->len, ==, 3);
      g_assert_cmpuint (amb->candidate_checks->len, ==, 3);
    }
  g_assert_cmpstr (ec_verdict_headline (EC_VERDICT_UNKNOWN_DRUG, FALSE), ==, "Not in the table: check manually");
}

static void
test_allergies_unknown (void)
{
  const char *drugs[] = { "阿莫西林", "布洛芬", "流感疫苗", "利多卡因", "甲钴胺", "依诺肝素" };
  g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_UNKNOWN);
  g_autoptr(EcResident) empty = resident_with (EC_ALLERGY_STATUS_RECORDED);

  for (gsize i = 0; i < G_N_ELEMENTS (drugs); i++)
    {
      g_autoptr(EcAllergyVerdict) v = check (r, drugs[i]);
      g_autoptr(EcAllergyVerdict) w = check (empty, drugs[i]);

      g_assert_cmpint (v->verdict, ==, EC_VERDICT_CAUTION);
      g_assert_cmpint (((EcAllergyFinding *) v->findings->pdata[0])->kind, ==, EC_FINDING_ALLERGY_STATUS_UNKNOWN);
      g_assert_nonnull (strstr (((EcAllergyFinding *) v->findings->pdata[0])->reason_zh, "过敏史不详"));
      /* "recorded" with nothing listed is just as unknown. */
      g_assert_cmpint (w->verdict, ==, EC_VERDICT_CAUTION);
      g_assert_true (has_finding (w, EC_FINDING_ALLERGY_STATUS_UNKNOWN));
    }
}

static void
test_none_known (void)
{
  g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_NONE_KNOWN);
  g_autoptr(EcAllergyVerdict) v = check (r, "头孢曲松钠 1g");

  g_assert_cmpint (v->verdict, ==, EC_VERDICT_NO_RECORDED_CONFLICT);
  g_assert_cmpuint (v->findings->len, ==, 0);
  g_assert_cmpstr (v->drug_id, ==, "ceftriaxone");
  g_assert_cmpint (v->allergy_status, ==, EC_ALLERGY_STATUS_NONE_KNOWN);
}

/* A name of which only a part is known is checked as that drug, but never passes
 * silently: the rest may be another ingredient. */
static void
test_partly_recognised (void)
{
  static const struct { const char *text, *id, *rest; } cases[] = {
    { "复方阿莫西林", "amoxicillin", "复方" },
    { "利多卡因氯己定凝胶", "lidocaine", "氯己定" },
  };
  g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_NONE_KNOWN);
  g_autoptr(EcAllergyVerdict) whole = check (r, "罗氏芬头孢曲松");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EcAllergyVerdict) v = check (r, cases[i].text);
      const EcAllergyFinding *f;

      if (v->verdict != EC_VERDICT_CAUTION)
        g_error ("%s: %s %s", cases[i].text, ec_verdict_to_string (v->verdict), v->drug_id);
      g_assert_cmpint (v->match, ==, EC_DRUG_MATCH_CONTAINED);
      g_assert_cmpstr (v->drug_id, ==, cases[i].id);
      g_assert_cmpstr (v->unrecognised, ==, cases[i].rest);
      f = v->findings->pdata[0];
      g_assert_cmpint (f->kind, ==, EC_FINDING_NAME_PARTLY_RECOGNISED);
      g_assert_nonnull (strstr (f->reason_zh, cases[i].rest));
    }
  /* A brand and a generic name of one drug cover the whole text. */
  g_assert_cmpint (whole->match, ==, EC_DRUG_MATCH_PARTIAL);
  g_assert_cmpint (whole->verdict, ==, EC_VERDICT_NO_RECORDED_CONFLICT);
  g_assert_null (whole->unrecognised);
}

static void
test_unreadable_allergy (void)
{
  g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
  g_autoptr(EcAllergyVerdict) v = NULL;
  EcAllergy *blank = ec_allergy_new ();

  add_allergy (r, "某种中药提取物", LO);
  g_ptr_array_add (r->allergies, blank);
  v = check (r, "阿奇霉素");
  /* An allergy the table cannot read is never a silent pass. */
  g_assert_cmpint (v->verdict, ==, EC_VERDICT_CAUTION);
  g_assert_cmpuint (v->findings->len, ==, 2);
  g_assert_true (has_finding (v, EC_FINDING_ALLERGY_NOT_IN_TABLE));
}

static void
test_multiple_allergies (void)
{
  g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
  g_autoptr(EcAllergyVerdict) amox = NULL, aspirin = NULL, azithro = NULL;
  const EcAllergyFinding *f;

  add_allergy (r, "布洛芬", LO);
  add_allergy (r, "青霉素", HI);
  add_allergy (r, "花粉", LO);
  /* The worst verdict wins; every finding is listed, worst first. */
  amox = check (r, "阿莫西林");
  g_assert_cmpint (amox->verdict, ==, EC_VERDICT_STOP);
  g_assert_cmpuint (amox->findings->len, ==, 1);
  aspirin = check (r, "阿司匹林");
  g_assert_cmpint (aspirin->verdict, ==, EC_VERDICT_CAUTION);
  g_assert_cmpuint (aspirin->findings->len, ==, 1);
  azithro = check (r, "阿奇霉素");
  g_assert_cmpint (azithro->verdict, ==, EC_VERDICT_NO_RECORDED_CONFLICT);

  {
    g_autoptr(EcResident) r2 = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcAllergyVerdict) v = NULL;

    add_allergy (r2, "乳胶", LO);
    add_allergy (r2, "阿司匹林", LO);
    add_allergy (r2, "青霉素", HI);
    v = check (r2, "Augmentin");
    g_assert_cmpint (v->verdict, ==, EC_VERDICT_STOP);
    g_assert_cmpuint (v->findings->len, ==, 2);
    f = v->findings->pdata[0];
    g_assert_cmpint (f->level, ==, EC_VERDICT_STOP);
    g_assert_cmpstr (f->allergy->substance, ==, "青霉素");
    f = v->findings->pdata[1];
    g_assert_cmpint (f->level, ==, EC_VERDICT_CAUTION);
    g_assert_cmpstr (f->allergy->substance, ==, "乳胶");
  }
}

static void
test_duplicate_medication (void)
{
  static const struct { const char *med; const char *drug; } dups[] = {
    { "阿司匹林肠溶片", "布洛芬" },
    { "塞来昔布胶囊", "双氯芬酸钠注射液" },
    { "华法林钠片", "低分子肝素钙注射液" },
    { "利伐沙班片", "肝素钠" },
    { "甘精胰岛素注射液", "门冬胰岛素" },
    { "头孢呋辛酯片", "头孢呋辛" },
    { "泼尼松片", "地塞米松" },
    { "对乙酰氨基酚片", "泰诺林" },
    { "曲马多缓释片", "吗啡" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (dups); i++)
    {
      g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_NONE_KNOWN);
      g_autoptr(EcAllergyVerdict) v = NULL;
      const EcAllergyFinding *f;

      add_medication (r, dups[i].med, "1 片");
      v = check (r, dups[i].drug);
      if (v->verdict != EC_VERDICT_CAUTION)
        g_error ("%s with %s: %s", dups[i].drug, dups[i].med, ec_verdict_to_string (v->verdict));
      f = v->findings->pdata[0];
      g_assert_cmpint (f->kind, ==, EC_FINDING_DUPLICATE_MEDICATION);
      g_assert_cmpstr (f->medication->name, ==, dups[i].med);
      g_assert_nonnull (strstr (f->reason_zh, dups[i].med));
    }
  {
    /* Different groups are not duplicates; an unreadable medication is information only. */
    g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_NONE_KNOWN);
    g_autoptr(EcAllergyVerdict) v = NULL;

    add_medication (r, "氨氯地平片", "5 mg");
    add_medication (r, "某某颗粒", NULL);
    v = check (r, "布洛芬");
    g_assert_cmpint (v->verdict, ==, EC_VERDICT_NO_RECORDED_CONFLICT);
    g_assert_cmpuint (v->findings->len, ==, 1);
    g_assert_cmpint (((EcAllergyFinding *) v->findings->pdata[0])->kind, ==, EC_FINDING_MEDICATION_NOT_IN_TABLE);
    g_assert_cmpint (((EcAllergyFinding *) v->findings->pdata[0])->level, ==, EC_VERDICT_NO_RECORDED_CONFLICT);
  }
}

static void
test_skin_test_note (void)
{
  const char *penicillins[] = { "青霉素钠 80万单位", "阿莫西林", "Augmentin", "苄星青霉素" };
  g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_NONE_KNOWN);

  for (gsize i = 0; i < G_N_ELEMENTS (penicillins); i++)
    {
      g_autoptr(EcAllergyVerdict) v = check (r, penicillins[i]);
      gboolean found = FALSE;

      g_assert_cmpint (v->verdict, ==, EC_VERDICT_NO_RECORDED_CONFLICT);
      for (guint j = 0; j < v->notes->len; j++)
        {
          const EcAllergyNote *n = v->notes->pdata[j];
          if (strstr (n->text_zh, "皮试") == NULL)
            continue;
          g_assert_nonnull (strstr (n->text_en, "skin test"));
          g_assert_cmpuint (n->sources->len, >=, 1);
          g_assert_nonnull (strstr (n->sources->pdata[0], "抗菌药物临床应用指导原则"));
          found = TRUE;
        }
      g_assert_true (found);
    }
  {
    /* Not for a drug outside the class; the TAT skin test for the horse serum. */
    g_autoptr(EcAllergyVerdict) azi = check (r, "阿奇霉素");
    g_autoptr(EcAllergyVerdict) tat = check (r, "TAT");
    g_assert_cmpuint (azi->notes->len, ==, 0);
    g_assert_cmpuint (tat->notes->len, ==, 1);
    g_assert_nonnull (strstr (((EcAllergyNote *) tat->notes->pdata[0])->text_zh, "过敏试验"));
  }
}

/* Every allergy and medication the demo community records is one the table reads. */
static void
test_demo_community (void)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(EcResident) r = ec_demo_make_resident (1, i);
      g_autoptr(EcAllergyVerdict) v = check (r, "阿莫西林");

      for (guint j = 0; j < v->findings->len; j++)
        {
          const EcAllergyFinding *f = v->findings->pdata[j];
          if (f->kind == EC_FINDING_ALLERGY_NOT_IN_TABLE || f->kind == EC_FINDING_MEDICATION_NOT_IN_TABLE)
            g_error ("demo resident %u: %s", i, f->reason_en);
        }
      if (r->allergy_status == EC_ALLERGY_STATUS_UNKNOWN)
        g_assert_cmpint (v->verdict, !=, EC_VERDICT_NO_RECORDED_CONFLICT);
    }
}

/* ------------------------------------------------------------------------- */
/* JSON in and out */

static void
test_json_output (void)
{
  g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
  g_autoptr(EcAllergyVerdict) v = NULL;
  g_autofree char *json = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o, *f;

  add_allergy (r, "青霉素", HI);
  v = check (r, "阿莫西林胶囊 0.5g");
  json = ec_allergy_verdict_to_json (v, FALSE);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "verdict"), ==, "stop");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "drug"), "id"), ==, "amoxicillin");
  f = json_array_get_object_element (json_object_get_array_member (o, "findings"), 0);
  g_assert_cmpstr (json_object_get_string_member (f, "kind"), ==, "same-class");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (f, "allergy"), "criticality"), ==, "high");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "disclaimer"), "en"), ==,
                   "The nurse's judgement and the prescription decide.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "disclaimer"), "zh"), ==,
                   "以护士判断和处方为准。");
  detail = ec_allergy_verdict_audit_detail (v);
  g_assert_cmpstr (detail, ==, "verdict=stop drug=amoxicillin match=exact findings=1");
}

static void
test_json_input (void)
{
  const char *good =
    "{\"name_zh\":\"测试\",\"allergy_status\":\"recorded\","
    "\"allergies\":[{\"substance\":\"青霉素\",\"category\":\"medication\",\"criticality\":\"high\","
    "\"reaction\":\"过敏性休克\",\"severity\":\"severe\",\"confirmed\":false}],"
    "\"medications\":[{\"name\":\"阿司匹林肠溶片\",\"dose\":\"100 mg\"}]}";
  const char *bad[] = {
    "", "[]", "{\"allergies\":{}}", "{\"allergies\":[{\"category\":\"food\"}]}",
    "{\"allergies\":[{\"substance\":\"x\",\"criticality\":\"extreme\"}]}",
    "{\"allergy_status\":\"maybe\"}", "{\"allergies\":[{\"substance\":\"x\",\"confirmed\":\"yes\"}]}",
    "{\"medications\":[{\"dose\":\"1\"}]}", "{\"allergies\":[1]}", "\xff",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(EcResident) r = ec_allergy_input_from_json (good, strlen (good), &error);
  g_autoptr(EcResident) bare = NULL;
  g_autofree char *deep = NULL;
  g_autoptr(EcAllergyVerdict) v = NULL;
  GString *s = g_string_new ("{\"allergies\":");

  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpint (r->allergy_status, ==, EC_ALLERGY_STATUS_RECORDED);
  g_assert_cmpuint (r->allergies->len, ==, 1);
  g_assert_false (((EcAllergy *) r->allergies->pdata[0])->confirmed);
  g_assert_cmpuint (r->medications->len, ==, 1);
  v = check (r, "阿莫西林");
  g_assert_cmpint (v->verdict, ==, EC_VERDICT_STOP);

  bare = ec_allergy_input_from_json ("{}", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bare->allergy_status, ==, EC_ALLERGY_STATUS_UNKNOWN);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(EcResident) x = ec_allergy_input_from_json (bad[i], strlen (bad[i]), &e);
      if (x != NULL)
        g_error ("accepted %s", bad[i]);
      g_assert_nonnull (e);
    }
  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  deep = g_string_free (s, FALSE);
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(EcResident) x = ec_allergy_input_from_json (deep, strlen (deep), &e);
    g_assert_null (x);
    g_assert_error (e, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

static void
test_bad_arguments (void)
{
  g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_NONE_KNOWN);
  const char *texts[] = { NULL, "", "   ", "\xff\xfe" };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      EcAllergyVerdict *v = NULL;
      g_assert_false (ec_allergy_check (table, r, texts[i], &v, &error));
      g_assert_null (v);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

/* ------------------------------------------------------------------------- */
/* The loader refuses broken tables, naming the problem. */

#define HDR "format\teldercard-drugs\t1\nsource\ts\tA source\n"
#define CLS "class\tc\t-\t-\t-\t类\tclass\t-\n"

static void
test_loader_errors (void)
{
  static const struct { const char *text; EcDrugsError code; } cases[] = {
    { "", EC_DRUGS_ERROR_VERSION },
    { "# only a comment\n", EC_DRUGS_ERROR_VERSION },
    { "format\teldercard-drugs\t2\n", EC_DRUGS_ERROR_VERSION },
    { "source\ts\tx\n" HDR, EC_DRUGS_ERROR_VERSION },
    { HDR "frobnicate\tx\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR "class\tc\t-\t-\t-\t类\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR "class\tC\t-\t-\t-\t类\tclass\t-\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR CLS "class\tc\t-\t-\t-\t类\tclass\t-\n", EC_DRUGS_ERROR_DUPLICATE },
    { HDR CLS "drug\tc\tc\t药\tdrug\t-\n", EC_DRUGS_ERROR_DUPLICATE },
    { HDR CLS "drug\td\tnope\t药\tdrug\t-\n", EC_DRUGS_ERROR_REFERENCE },
    { HDR CLS "drug\td\t-\t药\tdrug\t-\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR CLS "drug\td\tc\t药物\tdrug\t-\ndrug\te\tc\t药品\tother\t药物\n", EC_DRUGS_ERROR_DUPLICATE },
    { HDR CLS "drug\td\tc\t药\tdrug\t...\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR CLS "drug\td\tc\t药\tdrug\t\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR "class\ta\tb\t-\t-\t甲\ta\t-\nclass\tb\ta\t-\t-\t乙\tb\t-\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR "class\ta\tz\t-\t-\t甲\ta\t-\n", EC_DRUGS_ERROR_REFERENCE },
    { HDR "class\ta\t-\tgrp\t-\t甲\ta\t-\n", EC_DRUGS_ERROR_REFERENCE },
    { HDR "class\ta\t-\t-\tweird\t甲\ta\t-\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR CLS "cross\tc\tx\tcaution\ts\t理由\treason\n", EC_DRUGS_ERROR_REFERENCE },
    { HDR CLS "cross\tc\t*\tsometimes\ts\t理由\treason\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR CLS "cross\tc\t*\tcaution\tnosource\t理由\treason\n", EC_DRUGS_ERROR_REFERENCE },
    { HDR CLS "cross-both\tc\t*\tcaution\ts\t理由\treason\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR CLS "cross-both\tc\tc\tcaution\ts\t理由\treason\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR CLS "allergen\te\t-\t蛋\tegg\t-\ncontains\te\te\tstop\t-\t理由\treason\n", EC_DRUGS_ERROR_REFERENCE },
    { HDR CLS "note\tnothing\ts\t注\tnote\n", EC_DRUGS_ERROR_REFERENCE },
    { HDR "source\ts\tagain\n", EC_DRUGS_ERROR_DUPLICATE },
    { HDR "format\teldercard-drugs\t1\n", EC_DRUGS_ERROR_SYNTAX },
    { HDR "a\tb\tc\td\te\tf\tg\th\ti\n", EC_DRUGS_ERROR_TOO_LARGE },
    { "format\teldercard-drugs\t1\n\xc3\x28\n", EC_DRUGS_ERROR_ENCODING },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EcDrugTable) t = ec_drug_table_new_from_data (cases[i].text, strlen (cases[i].text), &error);
      if (t != NULL)
        g_error ("case %" G_GSIZE_FORMAT " accepted", i);
      g_assert_error (error, EC_DRUGS_ERROR, (gint) cases[i].code);
    }
  {
    /* A NUL byte, an overlong line, an oversize file. */
    const char nul[] = "format\teldercard-drugs\t1\n\0\n";
    g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
    g_autofree char *line = g_strnfill (EC_DRUGS_MAX_LINE + 1, '#');
    g_autofree char *big = g_malloc0 (EC_DRUGS_MAX_BYTES + 1);
    g_autoptr(EcDrugTable) t1 = ec_drug_table_new_from_data (nul, sizeof nul - 1, &e1);
    g_autoptr(EcDrugTable) t2 = ec_drug_table_new_from_data (line, strlen (line), &e2);
    g_autoptr(EcDrugTable) t3 = ec_drug_table_new_from_data (big, EC_DRUGS_MAX_BYTES + 1, &e3);

    g_assert_error (e1, EC_DRUGS_ERROR, EC_DRUGS_ERROR_ENCODING);
    g_assert_error (e2, EC_DRUGS_ERROR, EC_DRUGS_ERROR_TOO_LARGE);
    g_assert_error (e3, EC_DRUGS_ERROR, EC_DRUGS_ERROR_TOO_LARGE);
  }
  {
    /* A minimal table works, CRLF line ends included; a missing file is a file error. */
    const char *ok = "format\teldercard-drugs\t1\r\n" CLS "drug\td\tc\t药\tdrug\tyao\r\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(EcDrugTable) t = ec_drug_table_new_from_data (ok, strlen (ok), &error);
    g_autoptr(EcDrugTable) missing = ec_drug_table_new_from_file ("/nonexistent/drugs.tsv", &error);

    g_assert_nonnull (t);
    g_assert_cmpuint (ec_drug_table_get_n_drugs (t), ==, 1);
    g_assert_nonnull (ec_drugs_lookup (t, "YAO", NULL, NULL));
    g_assert_null (missing);
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  }
}

static void
test_data_dir (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ec-allergy-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "drugs.tsv", NULL);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDrugTable) t = NULL;
  const char *tiny = "format\teldercard-drugs\t1\n" CLS "drug\td\tc\t药\tdrug\t-\n";

  g_assert_true (g_file_set_contents (path, tiny, -1, &error));
  g_setenv ("ELDERCARD_DATADIR", dir, TRUE);
  found = ec_drugs_default_path ();
  g_assert_cmpstr (found, ==, path);
  t = ec_drug_table_load_default (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (ec_drug_table_get_n_drugs (t), ==, 1);
  g_unsetenv ("ELDERCARD_DATADIR");
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ------------------------------------------------------------------------- */
/* Issue 19: never "no recorded conflict" where the evidence says stop */

static void
add_allergy_reaction (EcResident   *r,
                      const char   *substance,
                      EcCriticality criticality,
                      EcSeverity    severity,
                      const char   *reaction)
{
  EcAllergy *a;

  add_allergy (r, substance, criticality, severity);
  a = r->allergies->pdata[r->allergies->len - 1];
  g_free (a->reaction);
  a->reaction = g_strdup (reaction);
}

/* The words of every finding match its level: a CAUTION never says "do not give", a
 * STOP never says "check before giving". */
static void
assert_words_match (const EcAllergyVerdict *v)
{
  for (guint i = 0; i < v->findings->len; i++)
    {
      const EcAllergyFinding *f = v->findings->pdata[i];

      if (f->level == EC_VERDICT_CAUTION
          && (strstr (f->reason_zh, "不要给药") != NULL || strstr (f->reason_en, "do not give") != NULL))
        g_error ("%s: a CAUTION that says stop: %s", v->drug_text, f->reason_en);
      if (f->level == EC_VERDICT_STOP
          && (strstr (f->reason_zh, "给药前核实") != NULL || strstr (f->reason_en, "check before giving") != NULL
              || strstr (f->reason_zh, "慎用——") != NULL))
        g_error ("%s: a STOP that says caution: %s", v->drug_text, f->reason_en);
    }
}

static const EcAllergyFinding *
first_with_part (const EcAllergyVerdict *v,
                 const char             *part)
{
  for (guint i = 0; i < v->findings->len; i++)
    {
      const EcAllergyFinding *f = v->findings->pdata[i];
      if (g_strcmp0 (f->part, part) == 0)
        return f;
    }
  return NULL;
}

/* 1. "β-lactams" in every spelling is the group of all four subclasses, never the
 * monobactams or the β-lactamase inhibitors it is a substring of. */
static void
test_beta_lactam_group (void)
{
  static const char *const spellings[] = {
    "β-内酰胺类", "β内酰胺类", "内酰胺类", "β-内酰胺", "β-内酰胺类抗生素", "β-内酰胺类药物", "β-内酰胺类过敏",
    "对β-内酰胺类过敏", "b-内酰胺类", "beta-lactam", "Beta-Lactams", "beta lactam", "β-lactam", "β-lactams",
    "ＢＥＴＡ－ＬＡＣＴＡＭ", "b-lactam", "beta-lactam antibiotics",
  };
  /* One or more per subclass: penicillins, cephalosporins of each generation, carbapenems,
   * the monobactam, and combinations. */
  static const char *const drugs[] = {
    "阿莫西林", "青霉素G", "苄星青霉素", "哌拉西林他唑巴坦", "阿莫西林克拉维酸钾", "头孢唑林", "头孢呋辛", "头孢曲松",
    "头孢哌酮舒巴坦", "头孢吡肟", "头孢洛林", "美罗培南", "亚胺培南西司他丁", "厄他培南", "氨曲南",
  };
  EcCriticality crits[] = { EC_CRITICALITY_LOW, EC_CRITICALITY_HIGH, EC_CRITICALITY_UNABLE_TO_ASSESS };

  for (gsize i = 0; i < G_N_ELEMENTS (spellings); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (drugs); j++)
      for (gsize k = 0; k < G_N_ELEMENTS (crits); k++)
        {
          g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
          g_autoptr(EcAllergyVerdict) v = NULL;
          const EcAllergyFinding *f;

          add_allergy (r, spellings[i], crits[k], EC_SEVERITY_MILD);
          v = check (r, drugs[j]);
          if (v->verdict != EC_VERDICT_STOP)
            g_error ("allergy %s + %s: %s", spellings[i], drugs[j], ec_verdict_to_string (v->verdict));
          f = v->findings->pdata[0];
          g_assert_cmpint (f->kind, ==, EC_FINDING_SAME_CLASS);
          g_assert_cmpstr (f->matched_en, ==, "beta-lactams");
          g_assert_nonnull (strstr (f->reason_zh, "整个β-内酰胺类"));
          g_assert_nonnull (strstr (f->reason_en, "as a group"));
          g_assert_cmpuint (f->sources->len, >=, 1);
          assert_words_match (v);
        }
  /* The longer names keep their own meaning. */
  {
    g_autoptr(EcResident) mono = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcResident) inhib = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcAllergyVerdict) a = NULL, b = NULL, c = NULL;

    add_allergy (mono, "单环β-内酰胺类", HI);
    add_allergy (inhib, "β-内酰胺酶抑制剂", LO);
    a = check (mono, "氨曲南");
    b = check (mono, "阿莫西林");
    c = check (inhib, "舒巴坦");
    g_assert_cmpint (a->verdict, ==, EC_VERDICT_STOP);
    g_assert_cmpint (b->verdict, ==, EC_VERDICT_NO_RECORDED_CONFLICT);
    g_assert_cmpint (c->verdict, ==, EC_VERDICT_CAUTION);
    g_assert_cmpint (((EcAllergyFinding *) c->findings->pdata[0])->kind, ==, EC_FINDING_SAME_CLASS);
  }
}

/* 1. An allergy text that is not a whole name is never read as the name it is part of. */
static void
test_allergy_not_recognised (void)
{
  static const struct { const char *allergy; const char *drug; } cases[] = {
    { "内酰胺", "阿莫西林" },            /* part of β-内酰胺类 / β-内酰胺酶抑制剂 */
    { "单环", "氨曲南" },
    { "头孢曲", "头孢曲松" },
    { "amoxi", "阿莫西林" },
    { "ceftriax", "头孢唑林" },
    { "青霉", "阿莫西林" },
    { "磺胺甲", "复方新诺明" },
    { "某种中药提取物", "阿奇霉素" },
    { "lactam", "美罗培南" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
      g_autoptr(EcAllergyVerdict) v = NULL;
      gboolean said = FALSE;

      add_allergy (r, cases[i].allergy, EC_CRITICALITY_HIGH, EC_SEVERITY_SEVERE);
      v = check (r, cases[i].drug);
      if (v->verdict == EC_VERDICT_NO_RECORDED_CONFLICT)
        g_error ("allergy %s + %s: no recorded conflict", cases[i].allergy, cases[i].drug);
      for (guint j = 0; j < v->findings->len; j++)
        {
          const EcAllergyFinding *f = v->findings->pdata[j];
          if (f->kind == EC_FINDING_ALLERGY_NOT_IN_TABLE)
            {
              g_assert_cmpint (f->level, ==, EC_VERDICT_CAUTION);
              g_assert_nonnull (strstr (f->reason_zh, "未能识别——请人工"));
              g_assert_nonnull (strstr (f->reason_en, "not recognised — check"));
              said = TRUE;
            }
          /* Never read as the longer names it is only a part of. */
          g_assert_cmpstr (f->matched_en, !=, "monobactams");
          g_assert_cmpstr (f->matched_en, !=, "beta-lactamase inhibitors");
          g_assert_cmpstr (f->matched_en, !=, "ceftriaxone");
        }
      g_assert_true (said);
    }
  {
    /* Whole names inside an entry that is not itself a name are still checked. */
    g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcAllergyVerdict) v = NULL;

    add_allergy (r, "青霉素过敏性休克", HI);
    v = check (r, "阿莫西林");
    g_assert_cmpint (v->verdict, ==, EC_VERDICT_STOP);
    g_assert_true (has_finding (v, EC_FINDING_ALLERGY_NOT_IN_TABLE));
    g_assert_nonnull (strstr (((EcAllergyFinding *) v->findings->pdata[0])->reason_zh, "未能完全识别"));
  }
}

/* 2. Lists in one entry: every part is read, the finding names its part. */
static void
test_allergy_lists (void)
{
  static const char *const seps[] = { "、", "，", ",", ";", "；", "和", "及", "/", " ", "、 ", " 和 ", "与" };
  static const struct { const char *second; const char *drug; } pairs[] = {
    { "磺胺类药物", "复方新诺明" },
    { "碘造影剂", "碘海醇" },
    { "头孢类", "头孢曲松" },
    { "阿司匹林", "布洛芬" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (seps); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (pairs); j++)
      {
        g_autofree char *entry = g_strdup_printf ("青霉素%s%s", seps[i], pairs[j].second);
        g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
        g_autoptr(EcAllergyVerdict) v = NULL, w = NULL;
        const EcAllergyFinding *f;

        add_allergy (r, entry, HI);
        v = check (r, pairs[j].drug);
        if (v->verdict != EC_VERDICT_STOP)
          g_error ("allergy \"%s\" + %s: %s", entry, pairs[j].drug, ec_verdict_to_string (v->verdict));
        f = first_with_part (v, pairs[j].second);
        g_assert_nonnull (f);
        g_assert_cmpint (f->level, ==, EC_VERDICT_STOP);
        g_assert_nonnull (strstr (f->reason_zh, pairs[j].second));
        g_assert_nonnull (strstr (f->reason_en, pairs[j].second));
        g_assert_false (has_finding (v, EC_FINDING_ALLERGY_NOT_IN_TABLE));
        w = check (r, "阿莫西林");
        g_assert_cmpint (w->verdict, ==, EC_VERDICT_STOP);
        g_assert_nonnull (first_with_part (w, "青霉素"));
        assert_words_match (v);
      }
  {
    /* English lists; a brand with 和 inside is one name; a list with an unknown part. */
    g_autoptr(EcResident) en = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcResident) brand = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcResident) mixed = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcAllergyVerdict) a = NULL, b = NULL, c = NULL, d = NULL;

    add_allergy (en, "penicillin and sulfa", HI);
    add_allergy (brand, "诺和灵", LO);
    add_allergy (mixed, "青霉素、某种中药", LO);
    a = check (en, "Bactrim");
    g_assert_cmpint (a->verdict, ==, EC_VERDICT_STOP);
    g_assert_nonnull (first_with_part (a, "sulfa"));
    b = check (brand, "门冬胰岛素");
    g_assert_cmpint (b->verdict, ==, EC_VERDICT_CAUTION);
    g_assert_false (has_finding (b, EC_FINDING_ALLERGY_NOT_IN_TABLE));
    c = check (mixed, "阿奇霉素");
    g_assert_cmpint (c->verdict, ==, EC_VERDICT_CAUTION);
    g_assert_nonnull (strstr (first_with_part (c, "某种中药")->reason_zh, "某种中药"));
    d = check (mixed, "阿莫西林");
    g_assert_cmpint (d->verdict, ==, EC_VERDICT_STOP);
  }
}

/* 3. A side-chain rule holds for every product containing the substance, both sides. */
static void
test_side_chains_and_combinations (void)
{
  static const char *const amox[] = { "阿莫西林", "阿莫西林克拉维酸钾", "阿莫西林舒巴坦", NULL };
  static const char *const amox_ceph[] = { "头孢羟氨苄", "头孢丙烯", "头孢氨苄", "头孢拉定", "头孢克洛", NULL };
  static const char *const amp[] = { "氨苄西林", "氨苄西林舒巴坦", NULL };
  static const char *const amp_ceph[] = { "头孢氨苄", "头孢克洛", "头孢拉定", NULL };
  static const char *const caz[] = { "头孢他啶", "头孢他啶阿维巴坦", NULL };
  static const char *const caz_mono[] = { "氨曲南", NULL };
  static const struct { const char *const *pen; const char *const *ceph; } rows[] = {
    { amox, amox_ceph }, { amp, amp_ceph }, { caz, caz_mono },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    for (const char *const *p = rows[i].pen; *p != NULL; p++)
      for (const char *const *c = rows[i].ceph; *c != NULL; c++)
        for (guint dir = 0; dir < 2; dir++)
          {
            const char *allergy = dir == 0 ? *p : *c, *drug = dir == 0 ? *c : *p;
            g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
            g_autoptr(EcAllergyVerdict) v = NULL;

            add_allergy (r, allergy, LO);
            v = check (r, drug);
            if (v->verdict != EC_VERDICT_STOP)
              g_error ("allergy %s (low) + %s: %s", allergy, drug, ec_verdict_to_string (v->verdict));
            g_assert_cmpint (((EcAllergyFinding *) v->findings->pdata[0])->kind, ==, EC_FINDING_CROSS_REACTIVE);
            g_assert_nonnull (strstr (((EcAllergyFinding *) v->findings->pdata[0])->reason_en, "side chain"));
            assert_words_match (v);
          }
  {
    /* Two combinations sharing only their β-lactamase inhibitor: said, as a caution. */
    g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcAllergyVerdict) v = NULL;
    gboolean said = FALSE;

    add_allergy (r, "头孢哌酮舒巴坦", LO);
    v = check (r, "氨苄西林舒巴坦");
    g_assert_cmpint (v->verdict, ==, EC_VERDICT_CAUTION);
    for (guint i = 0; i < v->findings->len; i++)
      if (g_strcmp0 (((EcAllergyFinding *) v->findings->pdata[i])->matched_zh, "舒巴坦") == 0)
        said = TRUE;
    g_assert_true (said);
    assert_words_match (v);
  }
}

/* 4. An ambiguous product name: each candidate, the worst verdict, never a pass. */
static void
test_ambiguous_products (void)
{
  static const struct { const char *name; const char *allergy; EcVerdict want; const char *worst_id; } cases[] = {
    { "带状疱疹疫苗", "明胶", EC_VERDICT_STOP, "zoster-vaccine-live" },
    { "带状疱疹疫苗", "新霉素", EC_VERDICT_STOP, "zoster-vaccine-live" },
    { "zoster vaccine", "gelatin", EC_VERDICT_STOP, "zoster-vaccine-live" },
    { "带状疱疹疫苗", NULL, EC_VERDICT_CAUTION, NULL },
    { "肺炎疫苗", NULL, EC_VERDICT_CAUTION, NULL },
    { "pneumococcal vaccine", "鸡蛋", EC_VERDICT_CAUTION, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_NONE_KNOWN);
      g_autoptr(EcAllergyVerdict) v = NULL;

      if (cases[i].allergy != NULL)
        add_allergy (r, cases[i].allergy, HI);
      v = check (r, cases[i].name);
      if (v->verdict != cases[i].want)
        g_error ("%s (allergy %s): %s", cases[i].name, cases[i].allergy, ec_verdict_to_string (v->verdict));
      g_assert_cmpint (v->match, ==, EC_DRUG_MATCH_AMBIGUOUS);
      g_assert_null (v->drug_id);
      g_assert_nonnull (v->candidate_checks);
      g_assert_cmpuint (v->candidate_checks->len, ==, 2);
      g_assert_cmpuint (v->candidates->len, ==, 2);
      g_assert_true (has_finding (v, EC_FINDING_AMBIGUOUS_DRUG));
      for (guint j = 0; j < v->candidate_checks->len; j++)
        {
          const EcAllergyCandidate *c = v->candidate_checks->pdata[j];
          g_assert_cmpint (c->verdict, <=, v->verdict);
          if (cases[i].worst_id != NULL && strcmp (c->id, cases[i].worst_id) == 0)
            g_assert_cmpint (c->verdict, ==, EC_VERDICT_STOP);
        }
      assert_words_match (v);
    }
  {
    /* The recombinant vaccine, once picked, has no gelatin. A severe reaction to a
     * vaccine stops another with the same excipient (a component row: severe-stop), a
     * mild one is a caution; a class relation of an excipient is only a caution. */
    g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcResident) z = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcResident) zl = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcResident) m = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcAllergyVerdict) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;

    add_allergy (r, "明胶", HI);
    add_allergy (z, "带状疱疹疫苗", HI);
    add_allergy (zl, "带状疱疹疫苗", LO);
    add_allergy (m, "麻腮风疫苗", HI);
    a = check (r, "重组带状疱疹疫苗");
    g_assert_cmpint (a->verdict, ==, EC_VERDICT_NO_RECORDED_CONFLICT);
    b = check (z, "水痘疫苗");
    g_assert_cmpint (b->verdict, ==, EC_VERDICT_STOP);
    c = check (zl, "水痘疫苗");
    g_assert_cmpint (c->verdict, ==, EC_VERDICT_CAUTION);
    d = check (m, "水痘疫苗");
    g_assert_cmpint (d->verdict, ==, EC_VERDICT_STOP);
    e = check (m, "庆大霉素");
    g_assert_cmpint (e->verdict, ==, EC_VERDICT_CAUTION);
    assert_words_match (b);
    assert_words_match (c);
    assert_words_match (e);
  }
}

/* 5. Label contraindications and special histories. */
static void
test_label_contraindications (void)
{
  static const struct { const char *allergy; EcCriticality c; EcSeverity s; const char *reaction;
                        const char *drug; EcVerdict want; } cases[] = {
    { "磺胺", HI, "皮疹", "帕瑞昔布", STOP },
    { "sulfa", HI, NULL, "Dynastat", STOP },
    { "磺胺类药物", LO, "皮疹", "帕瑞昔布", CAUTION },
    { "肝素诱导的血小板减少症", LO, NULL, "低分子肝素", STOP },
    { "肝素诱导血小板减少症", LO, NULL, "依诺肝素", STOP },
    { "HIT", LO, NULL, "那屈肝素", STOP },
    { "heparin-induced thrombocytopenia", LO, NULL, "肝素钠", STOP },
    { "HIT", LO, NULL, "磺达肝癸钠", CAUTION },
    { "阿司匹林", LO, "哮喘", "酮咯酸", STOP },
    { "阿司匹林", LO, "呼吸困难", "布洛芬", STOP },
    { "aspirin", LO, "asthma attack", "diclofenac", STOP },
    { "阿司匹林", LO, "支气管痉挛", "安乃近", STOP },
    { "布洛芬", LO, "喘憋", "阿司匹林", STOP },
    { "阿司匹林", LO, "哮喘", "塞来昔布", CAUTION },   /* COX-2 selective: supervised first dose */
    { "阿司匹林", LO, "哮喘", "对乙酰氨基酚", CAUTION },
    { "阿司匹林", LO, "皮疹", "酮咯酸", CAUTION },     /* not respiratory, not severe */
    { "钴", HI, NULL, "维生素B12", STOP },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
      g_autoptr(EcAllergyVerdict) v = NULL;

      add_allergy_reaction (r, cases[i].allergy, cases[i].c, cases[i].s, cases[i].reaction);
      v = check (r, cases[i].drug);
      if (v->verdict != cases[i].want)
        g_error ("allergy %s (%s) + %s: %s", cases[i].allergy, cases[i].reaction, cases[i].drug,
                 ec_verdict_to_string (v->verdict));
      g_assert_cmpuint (((EcAllergyFinding *) v->findings->pdata[0])->sources->len, >=, 1);
      assert_words_match (v);
    }
}

/* The invariant: an allergy text that resolves to nothing, or only partly, is never
 * "no recorded conflict" for any drug. Texts: every name of the table cut short at
 * either end, and with words appended. */
static void
test_invariant_unrecognised (void)
{
  GPtrArray *drugs = ec_drug_table_get_drugs (table);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  guint n_checked = 0;

  for (guint i = 0; i < drugs->len; i++)
    {
      const EcDrug *d = drugs->pdata[i];
      const char *names[] = { d->name_zh, d->name_en };

      for (gsize j = 0; j < G_N_ELEMENTS (names); j++)
        {
          glong n = g_utf8_strlen (names[j], -1);
          if (n >= 3)
            {
              g_ptr_array_add (texts, g_utf8_substring (names[j], 0, n - 1));
              g_ptr_array_add (texts, g_utf8_substring (names[j], 1, n));
            }
          g_ptr_array_add (texts, g_strconcat (names[j], "样物质", NULL));
        }
      for (guint k = 0; k < d->classes->len; k++)
        {
          const EcDrugClass *c = d->classes->pdata[k];
          glong n = g_utf8_strlen (c->name_zh, -1);
          if (n >= 3)
            g_ptr_array_add (texts, g_utf8_substring (c->name_zh, 1, n));
        }
    }
  g_ptr_array_add (texts, g_strdup ("内酰胺"));
  g_ptr_array_add (texts, g_strdup ("β-内酰"));
  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = texts->pdata[i];
      g_autoptr(GPtrArray) unrec = NULL;
      g_autoptr(GPtrArray) parts = _ec_drugs_resolve_allergy (table, text, &unrec);
      g_autoptr(EcResident) r = NULL;

      if (parts->len > 0 && unrec->len == 0)
        continue;   /* a whole name (or list of names): the class cases cover those */
      r = resident_with (EC_ALLERGY_STATUS_RECORDED);
      add_allergy (r, text, EC_CRITICALITY_LOW, EC_SEVERITY_MILD);
      n_checked++;
      /* Every 50th text against every drug, the others against a rotating thirteenth of
       * them (each drug meets about a hundred texts): bounded time. */
      for (guint j = n_checked % 50 == 0 ? 0 : n_checked % 13; j < drugs->len; j += n_checked % 50 == 0 ? 1 : 13)
        {
          const EcDrug *d = drugs->pdata[j];
          g_autoptr(EcAllergyVerdict) v = NULL;

          if (d->is_allergen)
            continue;
          v = check (r, d->name_zh);
          if (v->verdict == EC_VERDICT_NO_RECORDED_CONFLICT)
            g_error ("allergy \"%s\" (not recognised) + %s: no recorded conflict", text, d->name_zh);
          g_assert_true (has_finding (v, EC_FINDING_ALLERGY_NOT_IN_TABLE));
        }
    }
  g_test_message ("%u unrecognised allergy texts checked", n_checked);
  g_assert_cmpuint (n_checked, >=, 300);
}

/* Overcautious: a penicillin allergy without recorded criticality and cephalosporins
 * (China 2015: 慎用, 禁用 after anaphylactic shock); the words follow the verdict. */
static void
test_penicillin_cephalosporin_rule (void)
{
  static const struct { EcCriticality c; EcSeverity s; const char *reaction; EcVerdict want; const char *word; } cases[] = {
    { EC_CRITICALITY_UNABLE_TO_ASSESS, EC_SEVERITY_UNKNOWN, NULL, CAUTION, "慎用" },
    { EC_CRITICALITY_UNABLE_TO_ASSESS, EC_SEVERITY_UNKNOWN, "皮疹", CAUTION, "慎用" },
    { EC_CRITICALITY_LOW, EC_SEVERITY_MILD, "荨麻疹", CAUTION, "慎用" },
    { EC_CRITICALITY_UNABLE_TO_ASSESS, EC_SEVERITY_UNKNOWN, "过敏性休克", STOP, "禁用" },
    { EC_CRITICALITY_UNABLE_TO_ASSESS, EC_SEVERITY_UNKNOWN, "anaphylaxis", STOP, "禁用" },
    { EC_CRITICALITY_HIGH, EC_SEVERITY_UNKNOWN, NULL, STOP, "禁用" },
    { EC_CRITICALITY_LOW, EC_SEVERITY_SEVERE, "全身皮疹", STOP, "禁用" },
  };
  const char *cephs[] = { "头孢唑林", "头孢曲松", "头孢呋辛", "头孢吡肟" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (cephs); j++)
      {
        g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
        g_autoptr(EcAllergyVerdict) v = NULL;
        const EcAllergyFinding *f;

        add_allergy_reaction (r, "青霉素", cases[i].c, cases[i].s, cases[i].reaction);
        v = check (r, cephs[j]);
        if (v->verdict != cases[i].want)
          g_error ("penicillin (%d, %s) + %s: %s", cases[i].c, cases[i].reaction, cephs[j],
                   ec_verdict_to_string (v->verdict));
        f = v->findings->pdata[0];
        g_assert_cmpint (f->kind, ==, EC_FINDING_CROSS_REACTIVE);
        g_assert_nonnull (strstr (f->reason_zh, cases[i].word));
        g_assert_nonnull (strstr (f->sources->pdata[0], "抗菌药物临床应用指导原则"));
        assert_words_match (v);
      }
  {
    /* Any cephalosporin allergy rules out the others: said to be the local rule. */
    g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
    g_autoptr(EcAllergyVerdict) v = NULL;
    const EcAllergyFinding *f;

    add_allergy (r, "头孢曲松", LO);
    v = check (r, "头孢唑林");
    g_assert_cmpint (v->verdict, ==, EC_VERDICT_STOP);
    f = v->findings->pdata[0];
    g_assert_nonnull (strstr (f->reason_zh, "本地规则"));
    g_assert_nonnull (strstr (f->reason_en, "local rule"));
    g_assert_nonnull (strstr (f->reason_en, "AAAAI 2022"));
  }
}

/* Premixed infusions and brands or strengths in brackets. */
static void
test_premixed_and_brackets (void)
{
  static const struct { const char *text; const char *id; } cases[] = {
    { "左氧氟沙星氯化钠注射液", "levofloxacin" },
    { "乳酸左氧氟沙星氯化钠注射液 0.5g:100ml", "levofloxacin" },
    { "甲硝唑氯化钠注射液", "metronidazole" },
    { "甲硝唑葡萄糖注射液", "metronidazole" },
    { "莫西沙星氯化钠注射液", "moxifloxacin" },
    { "甘精胰岛素注射液(来得时)", "insulin-glargine" },
    { "甘精胰岛素注射液（来得时）300单位/3ml", "insulin-glargine" },
    { "来得时（甘精胰岛素注射液）", "insulin-glargine" },
    { "注射用头孢曲松钠(罗氏芬) 1g", "ceftriaxone" },
    { "青霉素钠(80万单位)", "benzylpenicillin" },
  };
  g_autoptr(EcResident) none = resident_with (EC_ALLERGY_STATUS_NONE_KNOWN);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EcAllergyVerdict) v = check (none, cases[i].text);

      if (g_strcmp0 (v->drug_id, cases[i].id) != 0 || v->verdict != EC_VERDICT_NO_RECORDED_CONFLICT)
        g_error ("\"%s\": %s, %s", cases[i].text, v->drug_id, ec_verdict_to_string (v->verdict));
      g_assert_false (has_finding (v, EC_FINDING_NAME_PARTLY_RECOGNISED));
    }
}

/* Coverage a home-care nurse in China needs (issue 19): each name resolves exactly, with
 * its class, and the notes that go with it. */
static void
test_coverage (void)
{
  static const struct { const char *name; const char *cls; const char *note; } cases[] = {
    { "蔗糖铁注射液", "iron-parenteral", "30" },
    { "右旋糖酐铁", "iron-parenteral", "试验剂量" },
    { "胸腺法新", "thymic-peptide", NULL },
    { "胸腺五肽", "thymic-peptide", NULL },
    { "鲑降钙素注射液", "calcitonin", "皮试" },
    { "唑来膦酸注射液", "bisphosphonate", NULL },
    { "地舒单抗", "rankl-antibody", NULL },
    { "重组人促红素注射液", "esa", NULL },
    { "利拉鲁肽注射液", "glp1-ra", NULL },
    { "司美格鲁肽", "glp1-ra", NULL },
    { "度拉糖肽", "glp1-ra", NULL },
    { "前列地尔注射液", "prostaglandin", NULL },
    { "维生素B6注射液", "vitamin-b6", NULL },
    { "维生素C注射液", "vitamin-c", NULL },
    { "13价肺炎球菌多糖结合疫苗", "vaccine", "30分钟" },
    { "丹参注射液", "tcm-injection", "单独使用" },
    { "注射用血塞通", "tcm-injection", "单独使用" },
    { "参麦注射液", "tcm-injection", "单独使用" },
    { "痰热清注射液", "tcm-injection", "单独使用" },
    { "醒脑静注射液", "tcm-injection", "单独使用" },
    { "盐酸肾上腺素注射液", "adrenergic", "首选" },
    { "异丙嗪注射液", "antihistamine-h1", NULL },
    { "苯海拉明注射液", "antihistamine-h1", NULL },
    { "注射用头孢他啶阿维巴坦钠", "cephalosporin-3", NULL },
    { "注射用美洛西林钠舒巴坦钠", "penicillin", "皮试" },
    { "阿莫西林舒巴坦", "penicillin", "皮试" },
    { "注射用哌拉西林钠舒巴坦钠", "penicillin", "皮试" },
    { "注射用硫酸链霉素", "aminoglycoside", "链霉素皮试" },
  };
  g_autoptr(EcResident) none = resident_with (EC_ALLERGY_STATUS_NONE_KNOWN);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EcAllergyVerdict) v = check (none, cases[i].name);
      const EcDrug *d;
      gboolean noted = cases[i].note == NULL;

      if (v->drug_id == NULL || v->match != EC_DRUG_MATCH_EXACT)
        g_error ("%s: not found exactly", cases[i].name);
      d = ec_drug_table_get_drug (table, v->drug_id);
      g_assert_true (ec_drug_in_class (d, cases[i].cls));
      g_assert_cmpint (v->verdict, ==, EC_VERDICT_NO_RECORDED_CONFLICT);
      for (guint j = 0; j < v->notes->len; j++)
        {
          const EcAllergyNote *n = v->notes->pdata[j];
          if (cases[i].note != NULL && strstr (n->text_zh, cases[i].note) != NULL && n->sources->len > 0)
            noted = TRUE;
        }
      if (!noted)
        g_error ("%s: no note with \"%s\"", cases[i].name, cases[i].note);
    }
  {
    /* A combination's parts count: an allergy to sulbactam, to ceftazidime, to adrenaline. */
    static const struct { const char *allergy; const char *drug; EcVerdict want; } parts[] = {
      { "舒巴坦", "美洛西林舒巴坦", STOP },
      { "头孢他啶", "头孢他啶阿维巴坦", STOP },
      { "氨曲南", "头孢他啶阿维巴坦", STOP },
      { "利多卡因", "利多卡因肾上腺素注射液", STOP },
      { "中药注射剂", "丹参注射液", CAUTION },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
      {
        g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
        g_autoptr(EcAllergyVerdict) v = NULL;

        add_allergy (r, parts[i].allergy, LO);
        v = check (r, parts[i].drug);
        if (v->verdict != parts[i].want)
          g_error ("%s + %s: %s", parts[i].allergy, parts[i].drug, ec_verdict_to_string (v->verdict));
        assert_words_match (v);
      }
  }
}

/* Every source says what it is cited for (data/SOURCES.md), and a "same class" finding
 * cites clinical evidence for the family, or says the drugs are only classified together. */
static void
test_sources (void)
{
  g_autofree char *path = ec_drugs_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *md_path = g_build_filename (dir, "SOURCES.md", NULL);
  g_autofree char *tsv = NULL, *md = NULL;
  g_auto(GStrv) lines = NULL;
  const char *atc = ec_drug_table_get_source (table, "atc");
  static const struct { const char *allergy, *drug; gboolean clinical; } same[] = {
    { "阿莫西林", "氨苄西林", TRUE }, { "头孢曲松", "头孢唑林", TRUE }, { "磺胺嘧啶", "复方新诺明", TRUE },
    { "布洛芬", "双氯芬酸", TRUE }, { "普鲁卡因", "丁卡因", TRUE }, { "碘海醇", "碘克沙醇", TRUE },
    { "肝素", "依诺肝素", TRUE }, { "吗啡", "可待因", TRUE },
    { "红霉素", "阿奇霉素", FALSE }, { "门冬胰岛素", "赖脯胰岛素", FALSE }, { "左氧氟沙星", "莫西沙星", FALSE },
  };

  g_assert_true (g_file_get_contents (path, &tsv, NULL, NULL));
  g_assert_true (g_file_get_contents (md_path, &md, NULL, NULL));
  lines = g_strsplit (tsv, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "source\t"))
      {
        g_auto(GStrv) f = g_strsplit (lines[i], "\t", 3);
        g_autofree char *quoted = g_strdup_printf ("| `%s` |", f[1]);
        if (strstr (md, quoted) == NULL)
          g_error ("source %s is not in data/SOURCES.md", f[1]);
      }
  g_assert_null (ec_drug_table_get_source (table, "fda-2017-mp"));
  g_assert_nonnull (ec_drug_table_get_source (table, "ema-prac-2017-mp"));
  for (gsize i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autoptr(EcResident) r = resident_with (EC_ALLERGY_STATUS_RECORDED);
      g_autoptr(EcAllergyVerdict) v = NULL;
      const EcAllergyFinding *f;
      gboolean only_atc;

      add_allergy (r, same[i].allergy, LO);
      v = check (r, same[i].drug);
      f = v->findings->pdata[0];
      g_assert_cmpint (f->kind, ==, EC_FINDING_SAME_CLASS);
      g_assert_cmpuint (f->sources->len, >=, 1);
      only_atc = f->sources->len == 1 && strcmp (f->sources->pdata[0], atc) == 0;
      if (only_atc == same[i].clinical)
        g_error ("%s + %s: sources do not fit", same[i].allergy, same[i].drug);
      g_assert_true ((strstr (f->reason_en, "only classified together (WHO ATC)") != NULL) == only_atc);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("ELDERCARD_DATADIR");
  table = ec_drug_table_load_default (&error);
  g_assert_no_error (error);

  g_test_add_func ("/ec/allergy/table/loads", test_table_loads);
  g_test_add_func ("/ec/allergy/table/every-drug", test_table_every_drug);
  g_test_add_func ("/ec/allergy/table/loader-errors", test_loader_errors);
  g_test_add_func ("/ec/allergy/table/data-dir", test_data_dir);
  g_test_add_func ("/ec/allergy/names/normalise", test_normalise);
  g_test_add_func ("/ec/allergy/names/spellings", test_lookup_spellings);
  g_test_add_func ("/ec/allergy/names/ambiguous-and-unknown", test_lookup_ambiguous_and_unknown);
  g_test_add_func ("/ec/allergy/names/suggest", test_suggest);
  g_test_add_func ("/ec/allergy/check/classes", test_class_cases);
  g_test_add_func ("/ec/allergy/check/unknown-drug", test_unknown_drug);
  g_test_add_func ("/ec/allergy/check/allergies-unknown", test_allergies_unknown);
  g_test_add_func ("/ec/allergy/check/none-known", test_none_known);
  g_test_add_func ("/ec/allergy/check/unreadable-allergy", test_unreadable_allergy);
  g_test_add_func ("/ec/allergy/check/partly-recognised", test_partly_recognised);
  g_test_add_func ("/ec/allergy/check/multiple-allergies", test_multiple_allergies);
  g_test_add_func ("/ec/allergy/check/duplicate-medication", test_duplicate_medication);
  g_test_add_func ("/ec/allergy/check/skin-test-note", test_skin_test_note);
  g_test_add_func ("/ec/allergy/check/demo-community", test_demo_community);
  g_test_add_func ("/ec/allergy/check/bad-arguments", test_bad_arguments);
  g_test_add_func ("/ec/allergy/issue19/beta-lactam-group", test_beta_lactam_group);
  g_test_add_func ("/ec/allergy/issue19/not-recognised", test_allergy_not_recognised);
  g_test_add_func ("/ec/allergy/issue19/lists", test_allergy_lists);
  g_test_add_func ("/ec/allergy/issue19/side-chains-and-combinations", test_side_chains_and_combinations);
  g_test_add_func ("/ec/allergy/issue19/ambiguous-products", test_ambiguous_products);
  g_test_add_func ("/ec/allergy/issue19/label-contraindications", test_label_contraindications);
  g_test_add_func ("/ec/allergy/issue19/invariant-unrecognised", test_invariant_unrecognised);
  g_test_add_func ("/ec/allergy/issue19/penicillin-cephalosporin-rule", test_penicillin_cephalosporin_rule);
  g_test_add_func ("/ec/allergy/issue19/premixed-and-brackets", test_premixed_and_brackets);
  g_test_add_func ("/ec/allergy/issue19/coverage", test_coverage);
  g_test_add_func ("/ec/allergy/issue19/sources", test_sources);
  g_test_add_func ("/ec/allergy/json/output", test_json_output);
  g_test_add_func ("/ec/allergy/json/input", test_json_input);
  rc = g_test_run ();
  ec_drug_table_free (table);
  return rc;
}
