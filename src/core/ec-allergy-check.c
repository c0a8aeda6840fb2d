/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-allergy-check"

#include "ec-allergy-check.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ec-drugs-private.h"

static void
finding_free (EcAllergyFinding *f)
{
  if (f == NULL)
    return;
  ec_allergy_free (f->allergy);
  ec_medication_free (f->medication);
  g_free (f->part);
  g_free (f->matched_zh);
  g_free (f->matched_en);
  g_free (f->reason_zh);
  g_free (f->reason_en);
  g_ptr_array_unref (f->sources);
  g_free (f);
}

static void
note_free (EcAllergyNote *n)
{
  if (n == NULL)
    return;
  g_free (n->text_zh);
  g_free (n->text_en);
  g_ptr_array_unref (n->sources);
  g_free (n);
}

void
ec_allergy_verdict_free (EcAllergyVerdict *v)
{
  if (v == NULL)
    return;
  g_free (v->drug_text);
  g_free (v->drug_id);
  g_free (v->drug_name_zh);
  g_free (v->drug_name_en);
  g_free (v->unrecognised);
  g_ptr_array_unref (v->candidates);
  g_clear_pointer (&v->candidate_checks, g_ptr_array_unref);
  g_ptr_array_unref (v->findings);
  g_ptr_array_unref (v->notes);
  g_free (v);
}

const char *
ec_verdict_to_string (EcVerdict verdict)
{
  switch (verdict)
    {
    case EC_VERDICT_NO_RECORDED_CONFLICT: return "no-recorded-conflict";
    case EC_VERDICT_CAUTION: return "caution";
    case EC_VERDICT_STOP: return "stop";
    case EC_VERDICT_UNKNOWN_DRUG: return "unknown-drug";
    default: return "unknown-drug";
    }
}

const char *
ec_finding_kind_to_string (EcFindingKind kind)
{
  switch (kind)
    {
    case EC_FINDING_SAME_SUBSTANCE: return "same-substance";
    case EC_FINDING_SAME_CLASS: return "same-class";
    case EC_FINDING_CROSS_REACTIVE: return "cross-reactive";
    case EC_FINDING_COMPONENT: return "component";
    case EC_FINDING_DUPLICATE_MEDICATION: return "duplicate-medication";
    case EC_FINDING_ALLERGY_STATUS_UNKNOWN: return "allergy-status-unknown";
    case EC_FINDING_ALLERGY_NOT_IN_TABLE: return "allergy-not-in-table";
    case EC_FINDING_MEDICATION_NOT_IN_TABLE: return "medication-not-in-table";
    case EC_FINDING_CHECK_MANUALLY: return "check-manually";
    case EC_FINDING_NAME_PARTLY_RECOGNISED: return "name-partly-recognised";
    case EC_FINDING_AMBIGUOUS_DRUG: return "ambiguous-drug";
    default: return "check-manually";
    }
}

const char *
ec_verdict_headline (EcVerdict verdict,
                     gboolean  chinese)
{
  switch (verdict)
    {
    case EC_VERDICT_STOP:
      return chinese ? "停止：不要给药，请联系处方医生" : "STOP: do not give; contact the prescriber";
    case EC_VERDICT_CAUTION:
      return chinese ? "注意：给药前先核实" : "CAUTION: check before giving";
    case EC_VERDICT_NO_RECORDED_CONFLICT:
      return chinese ? "无记录的冲突（不等于安全）" : "No recorded conflict (not a guarantee of safety)";
    case EC_VERDICT_UNKNOWN_DRUG:
    default:
      return chinese ? "药物表中没有此药：请人工核对" : "Not in the table: check manually";
    }
}

/* ------------------------------------------------------------------------- */
/* What the recorded reaction says */

static gboolean
reaction_has (const EcAllergy   *a,
              const char *const *words)
{
  g_autofree char *folded = NULL;

  if (a->reaction == NULL || !g_utf8_validate (a->reaction, -1, NULL))
    return FALSE;
  folded = g_utf8_casefold (a->reaction, -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (folded, words[i]) != NULL)
      return TRUE;
  return FALSE;
}

static const char *const anaphylaxis_words[] = {
  "休克", "喉头水肿", "喉水肿", "窒息", "anaphyla", "shock", "laryngeal", NULL
};

/* Respiratory reactions to aspirin or another COX-1 inhibitor (NSAID-exacerbated
 * respiratory disease, AAAAI 2022). */
static const char *const respiratory_words[] = {
  "喘", "呼吸困难", "支气管痉挛", "气促", "气短", "憋气", "鼻息肉", "asthma", "wheez", "bronchospasm",
  "dyspn", "breathless", "short of breath", "shortness of breath", "respiratory", "nasal polyp", NULL
};

static gboolean
is_serious (const EcAllergy *a)
{
  return a->criticality == EC_CRITICALITY_HIGH || a->criticality == EC_CRITICALITY_UNABLE_TO_ASSESS
         || a->severity == EC_SEVERITY_SEVERE;
}

static EcDrugStrength
weaker (EcDrugStrength s)
{
  return s == EC_DRUG_STRENGTH_STOP ? EC_DRUG_STRENGTH_SEVERE_STOP : EC_DRUG_STRENGTH_CAUTION;
}

/* Words that say why a conditional rule gave STOP or CAUTION for this allergy. */
static void
serious_words (const EcAllergy *a,
               GString         *zh,
               GString         *en)
{
  if (a->criticality == EC_CRITICALITY_HIGH)
    {
      g_string_append (zh, "记录为高危过敏：不要给药。");
      g_string_append (en, " Recorded as high criticality: do not give.");
    }
  else if (a->severity == EC_SEVERITY_SEVERE)
    {
      g_string_append (zh, "既往反应记录为严重：不要给药。");
      g_string_append (en, " The past reaction is recorded as severe: do not give.");
    }
  else
    {
      g_string_append (zh, "过敏危险程度未评估，按严重处理：不要给药，除非处方医生已核实。");
      g_string_append (en, " Criticality not assessed, so treated as serious: do not give unless the prescriber "
                           "has checked.");
    }
}

static void
mild_words (GString *zh,
            GString *en)
{
  g_string_append (zh, "未记录为高危或严重过敏：给药前核实，首剂注意观察。");
  g_string_append (en, " Not recorded as high-criticality or severe: check before giving and watch the first dose.");
}

/* The level of a rule of strength @s for allergy @a; the words that say why are
 * appended to @zh/@en (nullable). */
static EcVerdict
level_for (EcDrugStrength   s,
           const EcAllergy *a,
           GString         *zh,
           GString         *en)
{
  g_autoptr(GString) z = g_string_new (NULL);
  g_autoptr(GString) e = g_string_new (NULL);
  EcVerdict level;

  switch (s)
    {
    case EC_DRUG_STRENGTH_STOP:
      level = EC_VERDICT_STOP;
      break;
    case EC_DRUG_STRENGTH_SEVERE_STOP:
      level = is_serious (a) ? EC_VERDICT_STOP : EC_VERDICT_CAUTION;
      if (level == EC_VERDICT_STOP)
        serious_words (a, z, e);
      else
        mild_words (z, e);
      break;
    case EC_DRUG_STRENGTH_ANAPHYLAXIS_STOP:
      if (a->criticality == EC_CRITICALITY_HIGH || a->severity == EC_SEVERITY_SEVERE
          || reaction_has (a, anaphylaxis_words))
        {
          level = EC_VERDICT_STOP;
          g_string_append (z, "记录有过敏性休克、严重反应或高危过敏：国内指导原则（2015）为禁用，不要给药。");
          g_string_append (e, " Anaphylaxis, a severe reaction or high criticality is recorded: China's guideline "
                              "(2015) rules it out; do not give.");
        }
      else
        {
          level = EC_VERDICT_CAUTION;
          g_string_append (z, "未记录过敏性休克或严重反应：国内指导原则（2015）为慎用——先问清当时的反应，"
                              "有明确指征时才用，首剂注意观察。");
          g_string_append (e, " No anaphylaxis or severe reaction is recorded: China's guideline (2015) says use "
                              "with caution — ask what the reaction was, give only when clearly indicated, and "
                              "watch the first dose.");
        }
      break;
    case EC_DRUG_STRENGTH_RESPIRATORY_STOP:
      if (reaction_has (a, respiratory_words))
        {
          level = EC_VERDICT_STOP;
          g_string_append_printf (z, "记录的反应（%s）是呼吸道反应：其他抑制COX-1的非甾体抗炎药同样可能诱发，不要给药。",
                                  a->reaction);
          g_string_append_printf (e, " The recorded reaction (%s) was respiratory: any other COX-1-inhibiting NSAID "
                                     "can trigger it too; do not give.", a->reaction);
        }
      else if (is_serious (a))
        {
          level = EC_VERDICT_STOP;
          serious_words (a, z, e);
        }
      else
        {
          level = EC_VERDICT_CAUTION;
          g_string_append (z, "未记录呼吸道反应（哮喘、呼吸困难）或严重过敏：给药前核实，首剂注意观察。");
          g_string_append (e, " No respiratory reaction (asthma, breathlessness) and no severe allergy is "
                              "recorded: check before giving and watch the first dose.");
        }
      break;
    case EC_DRUG_STRENGTH_CAUTION:
    default:
      level = EC_VERDICT_CAUTION;
      break;
    }
  if (zh != NULL)
    g_string_append (zh, z->str);
  if (en != NULL)
    g_string_append (en, e->str);
  return level;
}

/* ------------------------------------------------------------------------- */
/* One recorded allergy against one drug */

/* One thing a recorded allergy is to: a drug, allergen or class; for the parts of a
 * recorded combination product or vaccine, that product. */
typedef struct
{
  const EcDrug      *drug;
  const EcDrugClass *cls;
  const EcDrug      *via;      /* the recorded product this is a part of, or NULL */
  EcVerdict          cap_same; /* the most a finding about this very substance can be */
  EcVerdict          cap_other;/* the most a class or cross-reactivity finding can be */
} Subst;

/* The allergy family of @s: the non-loose classes of a drug and their ancestors; for a
 * class, the class itself (named explicitly, so even a loose one) and its non-loose
 * ancestors. */
static void
family_of (const Subst *s,
           GPtrArray   *out)
{
  if (s->drug != NULL)
    {
      for (guint i = 0; i < s->drug->classes->len; i++)
        for (const EcDrugClass *c = s->drug->classes->pdata[i]; c != NULL; c = c->parent)
          if (!(c->flags & EC_DRUG_CLASS_LOOSE) && !g_ptr_array_find (out, c, NULL))
            g_ptr_array_add (out, (gpointer) c);
    }
  else if (s->cls != NULL)
    {
      g_ptr_array_add (out, (gpointer) s->cls);
      for (const EcDrugClass *c = s->cls->parent; c != NULL; c = c->parent)
        if (!(c->flags & EC_DRUG_CLASS_LOOSE) && !g_ptr_array_find (out, c, NULL))
          g_ptr_array_add (out, (gpointer) c);
    }
}

/* The most specific class shared by the allergy family of @s and drug @d, or NULL. */
static const EcDrugClass *
shared_class (const Subst  *s,
              const EcDrug *d)
{
  g_autoptr(GPtrArray) family = g_ptr_array_new ();

  family_of (s, family);
  for (guint i = 0; i < d->classes->len; i++)
    for (const EcDrugClass *c = d->classes->pdata[i]; c != NULL; c = c->parent)
      if (g_ptr_array_find (family, c, NULL))
        return c;
  return NULL;
}

static gboolean
chain_is_strict (const EcDrugClass *c)
{
  for (; c != NULL; c = c->parent)
    if (c->flags & EC_DRUG_CLASS_STRICT)
      return TRUE;
  return FALSE;
}

/* Whether rule side @id covers the allergy @s: 0 no, 1 yes, 2 only by generalising
 * (the rule names one drug, the allergy names the whole class it belongs to). */
static guint
from_matches (EcDrugTable *t,
              const char  *id,
              const Subst *s)
{
  if (s->drug != NULL)
    return (strcmp (s->drug->id, id) == 0 || ec_drug_in_class (s->drug, id)) ? 1 : 0;
  for (const EcDrugClass *c = s->cls; c != NULL; c = c->parent)
    if (strcmp (c->id, id) == 0)
      return 1;
  {
    const EcDrug *named = ec_drug_table_get_drug (t, id);
    if (named != NULL && ec_drug_in_class (named, s->cls->id))
      return 2;
  }
  return 0;
}

static gboolean
to_matches (const char   *id,
            const EcDrug *d)
{
  return strcmp (id, "*") == 0 || strcmp (id, d->id) == 0 || ec_drug_in_class (d, id);
}

static void
names_of (EcDrugTable  *t,
          const char   *id,
          const char  **zh,
          const char  **en)
{
  const EcDrug *d = ec_drug_table_get_drug (t, id);
  const EcDrugClass *c = ec_drug_table_get_class (t, id);

  *zh = d != NULL ? d->name_zh : c != NULL ? c->name_zh : id;
  *en = d != NULL ? d->name_en : c != NULL ? c->name_en : id;
}

static void
add_citations (GPtrArray          *out,
               EcDrugTable        *t,
               const char *const  *ids)
{
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      const char *c = ec_drug_table_get_source (t, ids[i]);
      if (c != NULL && !g_ptr_array_find_with_equal_func (out, c, g_str_equal, NULL))
        g_ptr_array_add (out, g_strdup (c));
    }
}

static GPtrArray *
citations (EcDrugTable        *t,
           const char *const  *ids)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  add_citations (out, t, ids);
  return out;
}

static EcAllergy *
allergy_copy (const EcAllergy *a)
{
  EcAllergy *c = ec_allergy_new ();

  c->id = a->id;
  c->substance = g_strdup (a->substance);
  c->category = a->category;
  c->criticality = a->criticality;
  c->reaction = g_strdup (a->reaction);
  c->severity = a->severity;
  c->confirmed = a->confirmed;
  c->updated_at = a->updated_at;
  c->updated_by = g_strdup (a->updated_by);
  return c;
}

static EcMedication *
medication_copy (const EcMedication *m)
{
  EcMedication *c = ec_medication_new ();

  c->id = m->id;
  c->name = g_strdup (m->name);
  c->dose = g_strdup (m->dose);
  c->route = g_strdup (m->route);
  c->slots = m->slots;
  c->schedule_text = g_strdup (m->schedule_text);
  c->updated_at = m->updated_at;
  c->updated_by = g_strdup (m->updated_by);
  return c;
}

static EcAllergyFinding *
finding_new (EcFindingKind kind,
             EcVerdict     level)
{
  EcAllergyFinding *f = g_new0 (EcAllergyFinding, 1);

  f->kind = kind;
  f->level = level;
  f->sources = g_ptr_array_new_with_free_func (g_free);
  return f;
}

/* A finding whose reason is @zh/@en (taken). */
static EcAllergyFinding *
finding_with (EcFindingKind kind,
              EcVerdict     level,
              GString      *zh,
              GString      *en)
{
  EcAllergyFinding *f = finding_new (kind, level);

  f->reason_zh = g_string_free (zh, FALSE);
  f->reason_en = g_string_free (en, FALSE);
  g_strstrip (f->reason_en);
  return f;
}

static void
prefix_reason (EcAllergyFinding *f,
               const char       *zh,
               const char       *en)
{
  char *z = g_strconcat (zh, f->reason_zh != NULL ? f->reason_zh : "", NULL);
  char *e = g_strconcat (en, " ", f->reason_en != NULL ? f->reason_en : "", NULL);

  g_free (f->reason_zh);
  g_free (f->reason_en);
  f->reason_zh = z;
  f->reason_en = e;
}

static void
set_matched (EcAllergyFinding *f,
             const char       *zh,
             const char       *en)
{
  f->matched_zh = g_strdup (zh);
  f->matched_en = g_strdup (en);
}

/* The best (worst-verdict, then most specific) finding for one allergy. */
typedef struct
{
  EcAllergyFinding *finding;
  int               specificity;
} Best;

static void
consider (Best             *best,
          EcAllergyFinding *f,
          int               specificity)
{
  if (best->finding == NULL || f->level > best->finding->level
      || (f->level == best->finding->level && specificity > best->specificity))
    {
      finding_free (best->finding);
      best->finding = f;
      best->specificity = specificity;
    }
  else
    finding_free (f);
}

/* The family row that says why @c's members are one allergy family: its own or its
 * nearest ancestor's. */
static const EcDrugFamily *
family_row (EcDrugTable       *t,
            const EcDrugClass *c)
{
  /* Not through an umbrella (β-lactams): its row speaks of the group, not of a family. */
  for (const EcDrugClass *start = c; c != NULL; c = c->parent)
    {
      const EcDrugFamily *f;

      if (c != start && (c->flags & EC_DRUG_CLASS_LOOSE))
        break;
      if ((f = _ec_drug_table_get_family (t, c->id)) != NULL)
        return f;
    }
  return NULL;
}

static EcAllergyFinding *
same_class_finding (EcDrugTable       *t,
                    const EcAllergy   *a,
                    const EcDrugClass *shared,
                    const EcDrug      *d)
{
  const EcDrugFamily *fam = family_row (t, shared);
  GString *zh = g_string_new (NULL), *en = g_string_new (NULL);
  EcAllergyFinding *f;
  EcVerdict level;

  if (shared->flags & EC_DRUG_CLASS_GROUP)
    {
      g_string_append_printf (zh, "所记录的过敏是对整个%s，本药（%s）属于其中：不要给药。", shared->name_zh, d->name_zh);
      g_string_append_printf (en, "The recorded allergy is to %s as a group, and this drug (%s) is one of them: "
                                  "do not give.", shared->name_en, d->name_en);
      level = EC_VERDICT_STOP;
      if (fam != NULL)
        {
          g_string_append (zh, fam->reason_zh);
          g_string_append_printf (en, " %s", fam->reason_en);
        }
    }
  else
    {
      gboolean strict = chain_is_strict (shared);

      level = (strict || is_serious (a)) ? EC_VERDICT_STOP : EC_VERDICT_CAUTION;
      g_string_append_printf (zh, "所记录的过敏与本药同属%s。", shared->name_zh);
      g_string_append_printf (en, "The recorded allergy and this drug are both %s.", shared->name_en);
      if (fam != NULL)
        {
          g_string_append (zh, fam->reason_zh);
          g_string_append_printf (en, " %s", fam->reason_en);
        }
      else
        {
          g_string_append (zh, "本表没有该类药物之间交叉过敏的临床证据，只是按WHO ATC分类同属一类：按可能交叉处理。");
          g_string_append (en, " The table has no clinical evidence of cross-reactivity within this class; they are "
                               "only classified together (WHO ATC): treat a cross-reaction as possible.");
        }
      if (strict)
        {
          g_string_append (zh, "国内指导原则（2015）：对本类药物有过敏史者禁用，不要给药。");
          g_string_append (en, " Chinese guideline (2015): a history of allergy to this class rules it out; "
                               "do not give.");
        }
      else if (level == EC_VERDICT_STOP)
        serious_words (a, zh, en);
      else
        mild_words (zh, en);
    }
  f = finding_with (EC_FINDING_SAME_CLASS, level, zh, en);
  set_matched (f, shared->name_zh, shared->name_en);
  if (fam != NULL)
    add_citations (f->sources, t, (const char *const *) fam->sources);
  else
    {
      const char *atc[] = { "atc", NULL };
      add_citations (f->sources, t, atc);
    }
  if (chain_is_strict (shared) && !(shared->flags & EC_DRUG_CLASS_GROUP))
    {
      GPtrArray *notes = _ec_drug_table_get_notes (t);
      for (guint i = 0; i < notes->len; i++)
        {
          const EcDrugNote *n = notes->pdata[i];
          for (const EcDrugClass *c = shared; c != NULL; c = c->parent)
            if (strcmp (n->target, c->id) == 0 && (c->flags & EC_DRUG_CLASS_STRICT))
              add_citations (f->sources, t, (const char *const *) n->sources);
        }
    }
  return f;
}

/* Words in front of every finding about a part of a recorded product. */
static void
via_words (EcAllergyFinding *f,
           const Subst      *s)
{
  gboolean same;
  EcVerdict cap;

  if (s->via == NULL || s->drug == NULL)
    return;
  same = f->kind == EC_FINDING_SAME_SUBSTANCE || f->kind == EC_FINDING_COMPONENT;
  cap = same ? s->cap_same : s->cap_other;
  if (f->level <= cap)
    {
      g_autofree char *zh = g_strdup_printf ("所记录过敏的药品（%s）含%s。", s->via->name_zh, s->drug->name_zh);
      g_autofree char *en = g_strdup_printf ("The product of the recorded allergy (%s) contains %s.",
                                             s->via->name_en, s->drug->name_en);
      prefix_reason (f, zh, en);
      return;
    }
  /* Lowered: the row's words would speak for the higher level; say what this is. */
  f->level = cap;
  g_free (f->reason_zh);
  g_free (f->reason_en);
  if (same)
    {
      f->reason_zh = g_strdup_printf ("所记录过敏的药品（%s）含%s，本药也含%s。它只是当时反应的可能原因：给药前核实。",
                                      s->via->name_zh, s->drug->name_zh, s->drug->name_zh);
      f->reason_en = g_strdup_printf ("The product of the recorded allergy (%s) contains %s, and so does this drug. "
                                      "It is only a possible cause of that reaction: check before giving.",
                                      s->via->name_en, s->drug->name_en);
    }
  else
    {
      f->reason_zh = g_strdup_printf ("所记录过敏的药品（%s）含%s，本药与之相关（%s）。它只是当时反应的可能原因："
                                      "给药前核实。", s->via->name_zh, s->drug->name_zh,
                                      f->matched_zh != NULL ? f->matched_zh : s->drug->name_zh);
      f->reason_en = g_strdup_printf ("The product of the recorded allergy (%s) contains %s, and this drug is related "
                                      "to it (%s). It is only a possible cause of that reaction: check before giving.",
                                      s->via->name_en, s->drug->name_en,
                                      f->matched_en != NULL ? f->matched_en : s->drug->name_en);
    }
}

/* Every finding of allergy subject @s against drug @d into @best. */
static void
check_subject (EcDrugTable     *t,
               const EcAllergy *a,
               const Subst     *s,
               const EcDrug    *d,
               Best            *best)
{
  GPtrArray *rules;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();   /* d's active ingredients */
  const EcDrugClass *shared;

  /* Same substance. */
  if (s->drug != NULL && s->drug == d)
    {
      GString *zh = g_string_new (NULL), *en = g_string_new (NULL);
      EcAllergyFinding *f;

      if (s->via == NULL)
        {
          g_string_append_printf (zh, "记录的过敏药物就是本药（%s）。", d->name_zh);
          g_string_append_printf (en, "The recorded allergy is to this very drug (%s).", d->name_en);
        }
      f = finding_with (EC_FINDING_SAME_SUBSTANCE, EC_VERDICT_STOP, zh, en);
      set_matched (f, d->name_zh, d->name_en);
      via_words (f, s);
      consider (best, f, 100);
    }

  /* Components: active ingredients of combinations, vaccine excipients. */
  rules = _ec_drug_table_get_contains (t);
  for (guint i = 0; i < rules->len; i++)
    {
      const EcDrugRule *r = rules->pdata[i];
      const EcDrug *part;
      const EcDrugClass *pc = NULL;
      EcAllergyFinding *f;
      GString *zh, *en;

      if (strcmp (r->a, d->id) != 0 || (part = ec_drug_table_get_drug (t, r->b)) == NULL)
        continue;
      if (!part->is_allergen)
        g_ptr_array_add (parts, (gpointer) part);
      if (s->drug == part)
        {
          zh = g_string_new (r->reason_zh);
          en = g_string_new (r->reason_en);
          f = finding_with (EC_FINDING_COMPONENT, level_for (r->strength, a, zh, en), zh, en);
          set_matched (f, part->name_zh, part->name_en);
          add_citations (f->sources, t, (const char *const *) r->sources);
          via_words (f, s);
          consider (best, f, 90);
        }
      else if ((pc = shared_class (s, part)) != NULL)
        {
          zh = g_string_new (NULL);
          en = g_string_new (NULL);
          g_string_append_printf (zh, "%s %s与所记录的过敏同属%s。", r->reason_zh, part->name_zh, pc->name_zh);
          g_string_append_printf (en, "%s %s is in the same class as the recorded allergy (%s).",
                                  r->reason_en, part->name_en, pc->name_en);
          f = finding_with (EC_FINDING_COMPONENT, level_for (weaker (r->strength), a, zh, en), zh, en);
          set_matched (f, part->name_zh, part->name_en);
          {
            const EcDrugFamily *fam = family_row (t, pc);
            if (fam != NULL)
              add_citations (f->sources, t, (const char *const *) fam->sources);
          }
          add_citations (f->sources, t, (const char *const *) r->sources);
          via_words (f, s);
          consider (best, f, 50);
        }
    }

  /* Same class. */
  shared = shared_class (s, d);
  if (shared != NULL && !(s->drug != NULL && s->drug == d))
    {
      EcAllergyFinding *f = same_class_finding (t, a, shared, d);
      via_words (f, s);
      consider (best, f, 80);
    }

  /* Cross-reactivity rows, for the drug and for each active ingredient of it (a rule
   * about amoxicillin holds for every product that contains amoxicillin). */
  rules = _ec_drug_table_get_cross (t);
  for (guint k = 0; k <= parts->len; k++)
    {
      const EcDrug *x = k == 0 ? d : parts->pdata[k - 1];

      for (guint i = 0; i < rules->len; i++)
        {
          const EcDrugRule *r = rules->pdata[i];
          guint how = from_matches (t, r->a, s);
          EcAllergyFinding *f;
          const char *zh_name, *en_name;
          GString *zh, *en;
          int spec = 60;

          if (how == 0 || (k > 0 && strcmp (r->b, "*") == 0) || !to_matches (r->b, x))
            continue;
          zh = g_string_new (NULL);
          en = g_string_new (NULL);
          if (x != d)
            {
              g_string_append_printf (zh, "本品含%s。", x->name_zh);
              g_string_append_printf (en, "This product contains %s. ", x->name_en);
            }
          g_string_append (zh, r->reason_zh);
          g_string_append (en, r->reason_en);
          f = finding_with (EC_FINDING_CROSS_REACTIVE, level_for (how == 2 ? weaker (r->strength) : r->strength,
                                                                  a, zh, en), zh, en);
          names_of (t, r->a, &zh_name, &en_name);
          set_matched (f, zh_name, en_name);
          add_citations (f->sources, t, (const char *const *) r->sources);
          if (ec_drug_table_get_drug (t, r->a) != NULL)
            spec += 5;
          if (ec_drug_table_get_drug (t, r->b) != NULL)
            spec += 5;
          via_words (f, s);
          consider (best, f, spec);
        }
    }
}

static void
add_finding (GPtrArray        *out,
             EcAllergyFinding *f,
             const EcAllergy  *a,
             const char       *part)
{
  f->allergy = allergy_copy (a);
  f->part = g_strdup (part);
  g_ptr_array_add (out, f);
}

/* The findings of one recorded allergy (it may list several substances) against @d. */
static void
check_one_allergy (EcDrugTable     *t,
                   const EcAllergy *a,
                   const EcDrug    *d,
                   GPtrArray       *out)
{
  const char *substance = a->substance != NULL ? a->substance : "";
  g_autoptr(GPtrArray) unrec = NULL;
  g_autoptr(GPtrArray) parts = _ec_drugs_resolve_allergy (t, substance, &unrec);
  gboolean several = parts->len + unrec->len > 1;

  if (parts->len == 0 && unrec->len == 0)
    {
      EcAllergyFinding *f = finding_new (EC_FINDING_ALLERGY_NOT_IN_TABLE, EC_VERDICT_CAUTION);

      f->reason_zh = g_strdup ("过敏记录未写明过敏物质：请人工核对。");
      f->reason_en = g_strdup ("An allergy is recorded without its substance: check it yourself.");
      add_finding (out, f, a, NULL);
      return;
    }
  for (guint i = 0; i < parts->len; i++)
    {
      const EcAllergyPart *p = parts->pdata[i];
      Subst s = { p->drug, p->cls, NULL, EC_VERDICT_STOP, EC_VERDICT_STOP };
      Best best = { NULL, 0 }, possible = { NULL, 0 };
      GPtrArray *rules = _ec_drug_table_get_contains (t);

      check_subject (t, a, &s, d, &best);
      /* A recorded product: its active ingredients count as allergies too; its
       * excipients (gelatin in a vaccine) count for products that contain the same one,
       * as that product's row says, and as possible causes (CAUTION) otherwise; its
       * adjuncts (β-lactamase inhibitors) only as possible causes. */
      for (guint j = 0; p->drug != NULL && j < rules->len; j++)
        {
          const EcDrugRule *r = rules->pdata[j];
          const EcDrug *c;
          gboolean adjunct = FALSE;

          if (strcmp (r->a, p->drug->id) != 0 || (c = ec_drug_table_get_drug (t, r->b)) == NULL)
            continue;
          for (guint k = 0; k < c->classes->len; k++)
            for (const EcDrugClass *cc = c->classes->pdata[k]; cc != NULL; cc = cc->parent)
              if (cc->flags & EC_DRUG_CLASS_ADJUNCT)
                adjunct = TRUE;
          s = (Subst) { c, NULL, p->drug, EC_VERDICT_STOP, EC_VERDICT_STOP };
          if (adjunct)
            s.cap_same = s.cap_other = EC_VERDICT_CAUTION;
          else if (r->strength != EC_DRUG_STRENGTH_STOP)
            s.cap_other = EC_VERDICT_CAUTION;
          check_subject (t, a, &s, d, s.cap_other < EC_VERDICT_STOP ? &possible : &best);
        }
      if (best.finding != NULL && possible.finding != NULL && best.finding->level >= possible.finding->level
          && g_strcmp0 (best.finding->matched_zh, possible.finding->matched_zh) == 0)
        g_clear_pointer (&possible.finding, finding_free);
      for (guint k = 0; k < 2; k++)
        {
          EcAllergyFinding *f = k == 0 ? best.finding : possible.finding;
          g_autofree char *zh = NULL, *en = NULL;
          const char *name_zh = p->drug != NULL ? p->drug->name_zh : p->cls->name_zh;
          const char *name_en = p->drug != NULL ? p->drug->name_en : p->cls->name_en;

          if (f == NULL)
            continue;
          if (p->partial)
            {
              zh = g_strdup_printf ("过敏记录“%s”未能完全识别，只从“%s”中读出%s：", substance, p->text, name_zh);
              en = g_strdup_printf ("The recorded allergy \"%s\" is not fully recognised; only %s was read from "
                                    "\"%s\":", substance, name_en, p->text);
            }
          else if (p->several)
            {
              zh = g_strdup_printf ("过敏记录“%s”可指几种产品，按其中的%s核对：", p->text, name_zh);
              en = g_strdup_printf ("The recorded allergy \"%s\" can mean several products; checked as %s:",
                                    p->text, name_en);
            }
          else if (several)
            {
              zh = g_strdup_printf ("过敏记录“%s”中的“%s”：", substance, p->text);
              en = g_strdup_printf ("The part \"%s\" of the recorded allergy \"%s\":", p->text, substance);
            }
          if (zh != NULL)
            prefix_reason (f, zh, en);
          add_finding (out, f, a, p->text);
        }
    }
  for (guint i = 0; i < unrec->len; i++)
    {
      const char *u = unrec->pdata[i];
      EcAllergyFinding *f = finding_new (EC_FINDING_ALLERGY_NOT_IN_TABLE, EC_VERDICT_CAUTION);

      if (strcmp (u, substance) == 0 || !several)
        {
          f->reason_zh = g_strdup_printf ("过敏记录“%s”未能识别——请人工与本药核对。", substance);
          f->reason_en = g_strdup_printf ("The recorded allergy \"%s\" is not recognised — check it against this "
                                          "drug manually.", substance);
        }
      else
        {
          f->reason_zh = g_strdup_printf ("过敏记录“%s”中的“%s”未能识别——请人工与本药核对。", substance, u);
          f->reason_en = g_strdup_printf ("The part \"%s\" of the recorded allergy \"%s\" is not recognised — check "
                                          "it against this drug manually.", u, substance);
        }
      add_finding (out, f, a, u);
    }
}

static void
dupgroups_of (const EcDrug *d,
              GPtrArray    *out)
{
  for (guint i = 0; i < d->classes->len; i++)
    for (const EcDrugClass *c = d->classes->pdata[i]; c != NULL; c = c->parent)
      if (c->dupgroup != NULL && !g_ptr_array_find_with_equal_func (out, c->dupgroup, g_str_equal, NULL))
        g_ptr_array_add (out, c->dupgroup);
}

static EcAllergyFinding *
check_one_medication (EcDrugTable        *t,
                      const EcMedication *m,
                      const EcDrug       *d)
{
  const EcDrug *md = NULL;
  const EcDrugClass *mc = NULL;
  g_autoptr(GPtrArray) mine = g_ptr_array_new ();
  g_autoptr(GPtrArray) theirs = g_ptr_array_new ();
  EcAllergyFinding *f = NULL;

  if (m->name == NULL || m->name[0] == '\0')
    return NULL;
  if (!_ec_drugs_resolve (t, m->name, &md, &mc) || (md != NULL && md->is_allergen))
    {
      f = finding_new (EC_FINDING_MEDICATION_NOT_IN_TABLE, EC_VERDICT_NO_RECORDED_CONFLICT);
      f->reason_zh = g_strdup_printf ("当前用药“%s”不在药物表中，未核对是否重复用药。", m->name);
      f->reason_en = g_strdup_printf ("Current medication \"%s\" is not in the drug table: not checked for duplicates.",
                                      m->name);
      f->medication = medication_copy (m);
      return f;
    }
  if (md == d)
    {
      f = finding_new (EC_FINDING_DUPLICATE_MEDICATION, EC_VERDICT_CAUTION);
      f->matched_zh = g_strdup (d->name_zh);
      f->matched_en = g_strdup (d->name_en);
      f->reason_zh = g_strdup_printf ("当前用药中已有同一药物（%s）：请与处方医生核对是否重复。", m->name);
      f->reason_en = g_strdup_printf ("The resident already takes this drug (%s): check with the prescriber "
                                      "whether this duplicates it.", m->name);
      f->medication = medication_copy (m);
      return f;
    }
  dupgroups_of (d, mine);
  if (md != NULL)
    dupgroups_of (md, theirs);
  else
    for (const EcDrugClass *c = mc; c != NULL; c = c->parent)
      if (c->dupgroup != NULL)
        g_ptr_array_add (theirs, c->dupgroup);
  for (guint i = 0; i < mine->len; i++)
    if (g_ptr_array_find_with_equal_func (theirs, mine->pdata[i], g_str_equal, NULL))
      {
        const EcDrugDupgroup *g = _ec_drug_table_get_dupgroup (t, mine->pdata[i]);

        f = finding_new (EC_FINDING_DUPLICATE_MEDICATION, EC_VERDICT_CAUTION);
        f->matched_zh = g_strdup (md != NULL ? md->name_zh : mc->name_zh);
        f->matched_en = g_strdup (md != NULL ? md->name_en : mc->name_en);
        f->reason_zh = g_strdup_printf ("%s（%s）", g->reason_zh, m->name);
        f->reason_en = g_strdup_printf ("%s (%s)", g->reason_en, m->name);
        g_ptr_array_unref (f->sources);
        f->sources = citations (t, (const char *const *) g->sources);
        f->medication = medication_copy (m);
        return f;
      }
  return NULL;
}

static void
add_notes_for (EcDrugTable      *t,
               const EcDrug     *d,
               EcAllergyVerdict *v,
               GPtrArray        *seen)
{
  GPtrArray *notes = _ec_drug_table_get_notes (t);

  for (guint i = 0; i < notes->len; i++)
    {
      const EcDrugNote *n = notes->pdata[i];
      EcAllergyNote *out;

      if (g_ptr_array_find (seen, n, NULL) || !(strcmp (n->target, d->id) == 0 || ec_drug_in_class (d, n->target)))
        continue;
      g_ptr_array_add (seen, (gpointer) n);
      out = g_new0 (EcAllergyNote, 1);
      out->text_zh = g_strdup (n->text_zh);
      out->text_en = g_strdup (n->text_en);
      out->sources = citations (t, (const char *const *) n->sources);
      g_ptr_array_add (v->notes, out);
    }
}

static int
compare_findings (gconstpointer a,
                  gconstpointer b)
{
  const EcAllergyFinding *x = *(EcAllergyFinding * const *) a, *y = *(EcAllergyFinding * const *) b;

  if (x->level != y->level)
    return x->level > y->level ? -1 : 1;
  return 0;
}

/* The allergy and medication findings and the notes for drug @d, into @v. */
static void
check_drug (EcDrugTable       *table,
            const EcResident  *resident,
            const EcDrug      *d,
            GPtrArray         *findings,
            GPtrArray         *notes,
            GPtrArray         *seen)
{
  EcAllergyVerdict tmp = { 0 };
  GPtrArray *rules;

  for (guint i = 0; resident->allergies != NULL && i < resident->allergies->len; i++)
    check_one_allergy (table, resident->allergies->pdata[i], d, findings);
  for (guint i = 0; resident->medications != NULL && i < resident->medications->len; i++)
    {
      EcAllergyFinding *f = check_one_medication (table, resident->medications->pdata[i], d);
      if (f != NULL)
        g_ptr_array_add (findings, f);
    }

  /* Local practice notes for the drug and what it contains. */
  tmp.notes = notes;
  add_notes_for (table, d, &tmp, seen);
  rules = _ec_drug_table_get_contains (table);
  for (guint i = 0; i < rules->len; i++)
    {
      const EcDrugRule *r = rules->pdata[i];
      const EcDrug *part;

      if (strcmp (r->a, d->id) == 0 && (part = ec_drug_table_get_drug (table, r->b)) != NULL)
        add_notes_for (table, part, &tmp, seen);
    }
}

static EcVerdict
worst_of (GPtrArray *findings,
          EcVerdict  floor)
{
  EcVerdict v = floor;

  for (guint i = 0; i < findings->len; i++)
    {
      const EcAllergyFinding *f = findings->pdata[i];
      if (f->level > v)
        v = f->level;
    }
  return v;
}

static void
candidate_free (EcAllergyCandidate *c)
{
  g_free (c->id);
  g_free (c->name_zh);
  g_free (c->name_en);
  g_free (c);
}

static const char *
verdict_word (EcVerdict v,
              gboolean  zh)
{
  switch (v)
    {
    case EC_VERDICT_STOP: return zh ? "停止" : "STOP";
    case EC_VERDICT_CAUTION: return zh ? "注意" : "CAUTION";
    case EC_VERDICT_NO_RECORDED_CONFLICT: return zh ? "无记录的冲突" : "no recorded conflict";
    case EC_VERDICT_UNKNOWN_DRUG:
    default: return zh ? "需人工核对" : "check manually";
    }
}

/* A name that fits several products: check each, the worst verdict wins until the nurse
 * picks one. */
static void
check_candidates (EcDrugTable            *table,
                  const EcResident       *resident,
                  GPtrArray              *cands,
                  const EcDrugAmbiguous  *amb,
                  EcAllergyVerdict       *v)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  EcVerdict worst = EC_VERDICT_NO_RECORDED_CONFLICT;
  g_autoptr(GString) names_zh = g_string_new (NULL);
  g_autoptr(GString) names_en = g_string_new (NULL);

  v->candidate_checks = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  for (guint i = 0; i < cands->len; i++)
    {
      const EcDrug *c = cands->pdata[i];
      g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) finding_free);
      EcAllergyCandidate *cc = g_new0 (EcAllergyCandidate, 1);
      g_autofree char *zh = g_strdup_printf ("【%s】", c->name_zh);
      g_autofree char *en = g_strdup_printf ("[%s]", c->name_en);

      check_drug (table, resident, c, found, v->notes, seen);
      cc->id = g_strdup (c->id);
      cc->name_zh = g_strdup (c->name_zh);
      cc->name_en = g_strdup (c->name_en);
      cc->verdict = worst_of (found, EC_VERDICT_NO_RECORDED_CONFLICT);
      if (cc->verdict > worst)
        worst = cc->verdict;
      g_ptr_array_add (v->candidate_checks, cc);
      g_string_append_printf (names_zh, "%s%s（%s）", i > 0 ? "、" : "", c->name_zh, verdict_word (cc->verdict, TRUE));
      g_string_append_printf (names_en, "%s%s (%s)", i > 0 ? "; " : "", c->name_en, verdict_word (cc->verdict, FALSE));
      for (guint j = 0; j < found->len; j++)
        {
          EcAllergyFinding *f = found->pdata[j];

          /* Information (a medication the table cannot read) once, not per candidate. */
          if (f->level == EC_VERDICT_NO_RECORDED_CONFLICT && i > 0)
            continue;
          prefix_reason (f, zh, en);
          g_ptr_array_add (v->findings, g_steal_pointer (&found->pdata[j]));
        }
    }
  if (amb != NULL)
    {
      EcAllergyFinding *f = finding_new (EC_FINDING_AMBIGUOUS_DRUG, EC_VERDICT_CAUTION);

      f->reason_zh = g_strdup_printf ("“%s”可指几种产品：%s。%s请核对药盒选定产品；选定前按其中最严重的结果显示。",
                                      v->drug_text, names_zh->str, amb->reason_zh);
      f->reason_en = g_strdup_printf ("\"%s\" can mean several products: %s. %s Check the box and pick the product; "
                                      "until then the worst result among them is shown.",
                                      v->drug_text, names_en->str, amb->reason_en);
      add_citations (f->sources, table, (const char *const *) amb->sources);
      g_ptr_array_add (v->findings, f);
      v->verdict = worst > EC_VERDICT_CAUTION ? worst : EC_VERDICT_CAUTION;
    }
  else
    v->verdict = worst == EC_VERDICT_STOP ? EC_VERDICT_STOP : EC_VERDICT_UNKNOWN_DRUG;
}

gboolean
ec_allergy_check (EcDrugTable       *table,
                  const EcResident  *resident,
                  const char        *drug_text,
                  EcAllergyVerdict **out,
                  GError           **error)
{
  g_autoptr(EcAllergyVerdict) v = NULL;
  g_autoptr(GPtrArray) cands = NULL;
  g_autofree char *key = NULL;
  const EcDrug *d;
  guint n_allergies;

  g_return_val_if_fail (out != NULL, FALSE);
  *out = NULL;
  if (table == NULL || resident == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no drug table or no resident");
      return FALSE;
    }
  key = ec_drugs_normalise (drug_text);
  if (key[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "the drug name is empty, too long or not UTF-8 text");
      return FALSE;
    }

  v = g_new0 (EcAllergyVerdict, 1);
  v->drug_text = g_strdup (drug_text);
  v->candidates = g_ptr_array_new_with_free_func (g_free);
  v->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) finding_free);
  v->notes = g_ptr_array_new_with_free_func ((GDestroyNotify) note_free);
  v->allergy_status = resident->allergy_status;
  n_allergies = resident->allergies != NULL ? resident->allergies->len : 0;

  d = ec_drugs_lookup_full (table, drug_text, &v->match, &cands, &v->unrecognised);
  if (cands != NULL)
    for (guint i = 0; i < cands->len; i++)
      {
        const EcDrug *c = cands->pdata[i];
        g_ptr_array_add (v->candidates, g_strdup_printf ("%s / %s", c->name_zh, c->name_en));
      }

  /* What is missing from the record is reported whatever the drug. */
  if (resident->allergy_status == EC_ALLERGY_STATUS_UNKNOWN
      || (resident->allergy_status == EC_ALLERGY_STATUS_RECORDED && n_allergies == 0))
    {
      EcAllergyFinding *f = finding_new (EC_FINDING_ALLERGY_STATUS_UNKNOWN, EC_VERDICT_CAUTION);

      if (resident->allergy_status == EC_ALLERGY_STATUS_UNKNOWN)
        {
          f->reason_zh = g_strdup ("过敏史不详：不能排除过敏。给药前请询问本人或家属并核实。");
          f->reason_en = g_strdup ("Allergy history unknown: an allergy cannot be ruled out. "
                                   "Ask the resident or family and verify before giving.");
        }
      else
        {
          f->reason_zh = g_strdup ("过敏状态为“有记录”，但没有列出过敏物质：请核实。");
          f->reason_en = g_strdup ("Allergies are marked as recorded but none is listed: verify.");
        }
      g_ptr_array_add (v->findings, f);
    }

  if (d == NULL)
    {
      const EcDrugAmbiguous *amb = _ec_drug_table_get_ambiguous (table, key);

      if (cands != NULL && cands->len > 0)
        check_candidates (table, resident, cands, amb, v);
      else
        v->verdict = EC_VERDICT_UNKNOWN_DRUG;
      if (amb == NULL)
        for (guint i = 0; i < n_allergies; i++)
          {
            const EcAllergy *a = resident->allergies->pdata[i];
            EcAllergyFinding *f = finding_new (EC_FINDING_CHECK_MANUALLY, EC_VERDICT_CAUTION);

            f->allergy = allergy_copy (a);
            f->reason_zh = g_strdup_printf ("药物不在表中：请人工与过敏“%s”核对。", a->substance != NULL ? a->substance : "?");
            f->reason_en = g_strdup_printf ("The drug is not in the table: compare it with the allergy \"%s\" yourself.",
                                            a->substance != NULL ? a->substance : "?");
            g_ptr_array_add (v->findings, f);
          }
      g_ptr_array_sort (v->findings, compare_findings);
      if (amb != NULL && worst_of (v->findings, EC_VERDICT_CAUTION) > v->verdict)
        v->verdict = worst_of (v->findings, EC_VERDICT_CAUTION);
      *out = g_steal_pointer (&v);
      return TRUE;
    }

  v->drug_id = g_strdup (d->id);
  v->drug_name_zh = g_strdup (d->name_zh);
  v->drug_name_en = g_strdup (d->name_en);
  if (v->match == EC_DRUG_MATCH_CONTAINED)
    {
      EcAllergyFinding *f = finding_new (EC_FINDING_NAME_PARTLY_RECOGNISED, EC_VERDICT_CAUTION);

      f->matched_zh = g_strdup (d->name_zh);
      f->matched_en = g_strdup (d->name_en);
      f->reason_zh = g_strdup_printf ("只识别出“%s”，名称中的“%s”未能识别：可能含其他成分，请人工核对。",
                                      d->name_zh, v->unrecognised);
      f->reason_en = g_strdup_printf ("Only \"%s\" was recognised, not \"%s\": the product may contain "
                                      "something else; check it yourself.", d->name_en, v->unrecognised);
      g_ptr_array_add (v->findings, f);
    }
  {
    g_autoptr(GPtrArray) seen = g_ptr_array_new ();
    check_drug (table, resident, d, v->findings, v->notes, seen);
  }
  g_ptr_array_sort (v->findings, compare_findings);
  v->verdict = worst_of (v->findings, EC_VERDICT_NO_RECORDED_CONFLICT);
  *out = g_steal_pointer (&v);
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Output */

static void
add_pair (JsonBuilder *b,
          const char  *name,
          const char  *zh,
          const char  *en)
{
  json_builder_set_member_name (b, name);
  if (zh == NULL && en == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "zh");
  json_builder_add_string_value (b, zh != NULL ? zh : "");
  json_builder_set_member_name (b, "en");
  json_builder_add_string_value (b, en != NULL ? en : "");
  json_builder_end_object (b);
}

static void
add_string_or_null (JsonBuilder *b,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_strings (JsonBuilder *b,
             const char  *name,
             GPtrArray   *strings)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; strings != NULL && i < strings->len; i++)
    json_builder_add_string_value (b, strings->pdata[i]);
  json_builder_end_array (b);
}

static const char *
match_to_string (EcDrugMatch m)
{
  switch (m)
    {
    case EC_DRUG_MATCH_EXACT: return "exact";
    case EC_DRUG_MATCH_PARTIAL: return "partial";
    case EC_DRUG_MATCH_AMBIGUOUS: return "ambiguous";
    case EC_DRUG_MATCH_CONTAINED: return "contained";
    case EC_DRUG_MATCH_NONE:
    default: return "none";
    }
}

char *
ec_allergy_verdict_to_json (const EcAllergyVerdict *v,
                            gboolean                pretty)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (v != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "verdict");
  json_builder_add_string_value (b, ec_verdict_to_string (v->verdict));
  add_pair (b, "headline", ec_verdict_headline (v->verdict, TRUE), ec_verdict_headline (v->verdict, FALSE));
  json_builder_set_member_name (b, "drug");
  json_builder_begin_object (b);
  add_string_or_null (b, "text", v->drug_text);
  add_string_or_null (b, "id", v->drug_id);
  add_string_or_null (b, "name_zh", v->drug_name_zh);
  add_string_or_null (b, "name_en", v->drug_name_en);
  json_builder_set_member_name (b, "match");
  json_builder_add_string_value (b, match_to_string (v->match));
  add_string_or_null (b, "unrecognised", v->unrecognised);
  json_builder_end_object (b);
  add_strings (b, "candidates", v->candidates);
  json_builder_set_member_name (b, "candidate_checks");
  json_builder_begin_array (b);
  for (guint i = 0; v->candidate_checks != NULL && i < v->candidate_checks->len; i++)
    {
      const EcAllergyCandidate *c = v->candidate_checks->pdata[i];

      json_builder_begin_object (b);
      add_string_or_null (b, "id", c->id);
      add_string_or_null (b, "name_zh", c->name_zh);
      add_string_or_null (b, "name_en", c->name_en);
      json_builder_set_member_name (b, "verdict");
      json_builder_add_string_value (b, ec_verdict_to_string (c->verdict));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "allergy_status");
  json_builder_add_string_value (b, ec_allergy_status_to_string (v->allergy_status));

  json_builder_set_member_name (b, "findings");
  json_builder_begin_array (b);
  for (guint i = 0; i < v->findings->len; i++)
    {
      const EcAllergyFinding *f = v->findings->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, ec_finding_kind_to_string (f->kind));
      json_builder_set_member_name (b, "level");
      json_builder_add_string_value (b, ec_verdict_to_string (f->level));
      json_builder_set_member_name (b, "allergy");
      if (f->allergy != NULL)
        {
          json_builder_begin_object (b);
          add_string_or_null (b, "substance", f->allergy->substance);
          json_builder_set_member_name (b, "category");
          json_builder_add_string_value (b, ec_allergy_category_to_string (f->allergy->category));
          json_builder_set_member_name (b, "criticality");
          json_builder_add_string_value (b, ec_criticality_to_string (f->allergy->criticality));
          add_string_or_null (b, "reaction", f->allergy->reaction);
          json_builder_set_member_name (b, "severity");
          json_builder_add_string_value (b, ec_severity_to_string (f->allergy->severity));
          json_builder_set_member_name (b, "confirmed");
          json_builder_add_boolean_value (b, f->allergy->confirmed);
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
      add_string_or_null (b, "part", f->part);
      json_builder_set_member_name (b, "medication");
      if (f->medication != NULL)
        {
          json_builder_begin_object (b);
          add_string_or_null (b, "name", f->medication->name);
          add_string_or_null (b, "dose", f->medication->dose);
          add_string_or_null (b, "route", f->medication->route);
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
      add_pair (b, "matched", f->matched_zh, f->matched_en);
      add_pair (b, "reason", f->reason_zh, f->reason_en);
      add_strings (b, "sources", f->sources);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "notes");
  json_builder_begin_array (b);
  for (guint i = 0; i < v->notes->len; i++)
    {
      const EcAllergyNote *n = v->notes->pdata[i];

      json_builder_begin_object (b);
      add_pair (b, "text", n->text_zh, n->text_en);
      add_strings (b, "sources", n->sources);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_pair (b, "disclaimer", EC_ALLERGY_DISCLAIMER_ZH, EC_ALLERGY_DISCLAIMER_EN);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, pretty);
  return json_generator_to_data (gen, NULL);
}

char *
ec_allergy_verdict_audit_detail (const EcAllergyVerdict *v)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (v != NULL, NULL);
  if (v->drug_id != NULL)
    return g_strdup_printf ("verdict=%s drug=%s match=%s findings=%u", ec_verdict_to_string (v->verdict),
                            v->drug_id, match_to_string (v->match), v->findings->len);
  /* An unknown drug: keep what was typed, escaped and bounded. */
  text = g_strescape (v->drug_text != NULL ? v->drug_text : "", NULL);
  if (strlen (text) > 120)
    text[120] = '\0';
  return g_strdup_printf ("verdict=%s drug-text=\"%s\" findings=%u", ec_verdict_to_string (v->verdict),
                          text, v->findings->len);
}

/* ------------------------------------------------------------------------- */
/* Input from JSON */

G_GNUC_PRINTF (2, 3) static gboolean
input_fail (GError    **error,
            const char *format,
            ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, msg);
  return FALSE;
}

/* A string member: absent or null -> *out NULL; otherwise a bounded string. */
static gboolean
get_string (JsonObject  *o,
            const char  *name,
            gboolean     required,
            char       **out,
            GError     **error)
{
  JsonNode *n = json_object_get_member (o, name);
  const char *s;

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      if (required)
        return input_fail (error, "\"%s\" is missing", name);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return input_fail (error, "\"%s\" must be a string", name);
  s = json_node_get_string (n);
  if (strlen (s) > EC_ALLERGY_INPUT_MAX_STRING)
    return input_fail (error, "\"%s\" is longer than %d bytes", name, EC_ALLERGY_INPUT_MAX_STRING);
  if (required && s[0] == '\0')
    return input_fail (error, "\"%s\" is empty", name);
  *out = g_strdup (s);
  return TRUE;
}

static JsonArray *
get_array (JsonObject  *o,
           const char  *name,
           GError     **error)
{
  JsonNode *n = json_object_get_member (o, name);
  JsonArray *a;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    {
      input_fail (error, "\"%s\" must be an array", name);
      return NULL;
    }
  a = json_node_get_array (n);
  if (json_array_get_length (a) > EC_ALLERGY_INPUT_MAX_ENTRIES)
    {
      input_fail (error, "\"%s\" has more than %d entries", name, EC_ALLERGY_INPUT_MAX_ENTRIES);
      return NULL;
    }
  return a;
}

static gboolean
parse_allergy (JsonNode   *node,
               EcAllergy **out,
               GError    **error)
{
  g_autoptr(EcAllergy) a = ec_allergy_new ();
  g_autofree char *category = NULL, *criticality = NULL, *severity = NULL;
  JsonObject *o;
  JsonNode *confirmed;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return input_fail (error, "an allergy must be an object");
  o = json_node_get_object (node);
  if (!get_string (o, "substance", TRUE, &a->substance, error)
      || !get_string (o, "category", FALSE, &category, error)
      || !get_string (o, "criticality", FALSE, &criticality, error)
      || !get_string (o, "reaction", FALSE, &a->reaction, error)
      || !get_string (o, "severity", FALSE, &severity, error))
    return FALSE;
  if (category != NULL && !ec_allergy_category_from_string (category, &a->category))
    return input_fail (error, "unknown allergy category \"%s\"", category);
  /* Not stated = not assessed: the check treats it as serious. */
  a->criticality = EC_CRITICALITY_UNABLE_TO_ASSESS;
  if (criticality != NULL && !ec_criticality_from_string (criticality, &a->criticality))
    return input_fail (error, "unknown criticality \"%s\"", criticality);
  if (severity != NULL && !ec_severity_from_string (severity, &a->severity))
    return input_fail (error, "unknown severity \"%s\"", severity);
  confirmed = json_object_get_member (o, "confirmed");
  if (confirmed != NULL && !JSON_NODE_HOLDS_NULL (confirmed))
    {
      if (!JSON_NODE_HOLDS_VALUE (confirmed) || json_node_get_value_type (confirmed) != G_TYPE_BOOLEAN)
        return input_fail (error, "\"confirmed\" must be true or false");
      a->confirmed = json_node_get_boolean (confirmed);
    }
  *out = g_steal_pointer (&a);
  return TRUE;
}

static gboolean
parse_medication (JsonNode      *node,
                  EcMedication **out,
                  GError       **error)
{
  g_autoptr(EcMedication) m = ec_medication_new ();
  JsonObject *o;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return input_fail (error, "a medication must be an object");
  o = json_node_get_object (node);
  if (!get_string (o, "name", TRUE, &m->name, error)
      || !get_string (o, "dose", FALSE, &m->dose, error)
      || !get_string (o, "route", FALSE, &m->route, error))
    return FALSE;
  *out = g_steal_pointer (&m);
  return TRUE;
}

/* json-glib's parser recurses once per nesting level: refuse deep input before it. */
#define MAX_DEPTH 16

static gboolean
nesting_ok (const char *data,
            gsize       len)
{
  gboolean in_string = FALSE, escaped = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

EcResident *
ec_allergy_input_from_json (const char *data,
                            gsize       len,
                            GError    **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(EcResident) r = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GError) local = NULL;
  JsonNode *root;
  JsonObject *o;
  JsonArray *list;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len > EC_ALLERGY_INPUT_MAX_BYTES)
    {
      input_fail (error, "the input is larger than %d bytes", EC_ALLERGY_INPUT_MAX_BYTES);
      return NULL;
    }
  if (!g_utf8_validate_len (data, len, NULL))
    {
      input_fail (error, "the input is not UTF-8 text");
      return NULL;
    }
  if (!nesting_ok (data, len))
    {
      input_fail (error, "the input is nested more than %d levels deep", MAX_DEPTH);
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      input_fail (error, "the input must be a JSON object");
      return NULL;
    }
  o = json_node_get_object (root);
  r = ec_resident_new ();
  if (!get_string (o, "allergy_status", FALSE, &status, error))
    return NULL;

  list = get_array (o, "allergies", &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      EcAllergy *a = NULL;
      if (!parse_allergy (json_array_get_element (list, i), &a, error))
        return NULL;
      g_ptr_array_add (r->allergies, a);
    }
  list = get_array (o, "medications", &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      EcMedication *m = NULL;
      if (!parse_medication (json_array_get_element (list, i), &m, error))
        return NULL;
      g_ptr_array_add (r->medications, m);
    }
  if (status == NULL)
    r->allergy_status = r->allergies->len > 0 ? EC_ALLERGY_STATUS_RECORDED : EC_ALLERGY_STATUS_UNKNOWN;
  else if (!ec_allergy_status_from_string (status, &r->allergy_status))
    {
      input_fail (error, "unknown allergy_status \"%s\"", status);
      return NULL;
    }
  return g_steal_pointer (&r);
}
