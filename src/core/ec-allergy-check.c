/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-allergy-check"

#include "ec-allergy-check.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ec-drugs-private.h"

/* A recorded allergy's substance, resolved through the table. */
typedef struct
{
  const EcDrug      *drug;   /* a drug or allergen */
  const EcDrugClass *cls;    /* or a class */
} Subst;

static void
finding_free (EcAllergyFinding *f)
{
  if (f == NULL)
    return;
  ec_allergy_free (f->allergy);
  ec_medication_free (f->medication);
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

static EcVerdict
apply_strength (EcDrugStrength   s,
                const EcAllergy *a)
{
  switch (s)
    {
    case EC_DRUG_STRENGTH_STOP:
      return EC_VERDICT_STOP;
    case EC_DRUG_STRENGTH_SEVERE_STOP:
      return is_serious (a) ? EC_VERDICT_STOP : EC_VERDICT_CAUTION;
    case EC_DRUG_STRENGTH_CAUTION:
    default:
      return EC_VERDICT_CAUTION;
    }
}

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

static GPtrArray *
citations (EcDrugTable        *t,
           const char *const  *ids)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      const char *c = ec_drug_table_get_source (t, ids[i]);
      if (c != NULL && !g_ptr_array_find_with_equal_func (out, c, g_str_equal, NULL))
        g_ptr_array_add (out, g_strdup (c));
    }
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

static EcAllergyFinding *
check_one_allergy (EcDrugTable     *t,
                   const EcAllergy *a,
                   const EcDrug    *d)
{
  Subst s = { NULL, NULL };
  Best best = { NULL, 0 };
  GPtrArray *rules;
  const EcDrugClass *shared;
  const char *substance = a->substance != NULL ? a->substance : "";

  if (!_ec_drugs_resolve (t, substance, &s.drug, &s.cls))
    {
      EcAllergyFinding *f = finding_new (EC_FINDING_ALLERGY_NOT_IN_TABLE, EC_VERDICT_CAUTION);

      if (substance[0] == '\0')
        {
          f->reason_zh = g_strdup ("过敏记录未写明过敏物质：请人工核对。");
          f->reason_en = g_strdup ("An allergy is recorded without its substance: check it yourself.");
        }
      else
        {
          f->reason_zh = g_strdup_printf ("过敏物质“%s”不在药物表中（或可指多种药物）：请人工与本药核对。", substance);
          f->reason_en = g_strdup_printf ("The recorded allergy \"%s\" is not in the drug table (or fits several drugs): "
                                          "compare it with this drug yourself.", substance);
        }
      f->allergy = allergy_copy (a);
      return f;
    }

  /* Same substance. */
  if (s.drug != NULL && s.drug == d)
    {
      EcAllergyFinding *f = finding_new (EC_FINDING_SAME_SUBSTANCE, EC_VERDICT_STOP);

      f->matched_zh = g_strdup (d->name_zh);
      f->matched_en = g_strdup (d->name_en);
      f->reason_zh = g_strdup_printf ("记录的过敏药物就是本药（%s）。", d->name_zh);
      f->reason_en = g_strdup_printf ("The recorded allergy is to this very drug (%s).", d->name_en);
      consider (&best, f, 100);
    }

  /* Components: active ingredients of combinations, vaccine excipients. */
  rules = _ec_drug_table_get_contains (t);
  for (guint i = 0; i < rules->len; i++)
    {
      const EcDrugRule *r = rules->pdata[i];
      const EcDrug *part;
      const EcDrugClass *pc = NULL;
      EcAllergyFinding *f;

      if (strcmp (r->a, d->id) != 0)
        continue;
      part = ec_drug_table_get_drug (t, r->b);
      if (part == NULL)
        continue;
      if (s.drug == part)
        {
          f = finding_new (EC_FINDING_COMPONENT, apply_strength (r->strength, a));
          f->reason_zh = g_strdup (r->reason_zh);
          f->reason_en = g_strdup (r->reason_en);
          f->matched_zh = g_strdup (part->name_zh);
          f->matched_en = g_strdup (part->name_en);
          g_ptr_array_unref (f->sources);
          f->sources = citations (t, (const char *const *) r->sources);
          consider (&best, f, 90);
        }
      else if ((pc = shared_class (&s, part)) != NULL)
        {
          f = finding_new (EC_FINDING_COMPONENT, apply_strength (weaker (r->strength), a));
          f->reason_zh = g_strdup_printf ("%s %s与所记录的过敏同属%s。", r->reason_zh, part->name_zh, pc->name_zh);
          f->reason_en = g_strdup_printf ("%s %s is in the same class as the recorded allergy (%s).",
                                          r->reason_en, part->name_en, pc->name_en);
          f->matched_zh = g_strdup (part->name_zh);
          f->matched_en = g_strdup (part->name_en);
          g_ptr_array_unref (f->sources);
          f->sources = citations (t, (const char *const *) r->sources);
          consider (&best, f, 50);
        }
    }

  /* Same class. */
  shared = shared_class (&s, d);
  if (shared != NULL && !(s.drug != NULL && s.drug == d))
    {
      gboolean strict = chain_is_strict (shared);
      EcAllergyFinding *f = finding_new (EC_FINDING_SAME_CLASS,
                                         (strict || is_serious (a)) ? EC_VERDICT_STOP : EC_VERDICT_CAUTION);
      const char *atc[] = { "atc", NULL };

      f->matched_zh = g_strdup (shared->name_zh);
      f->matched_en = g_strdup (shared->name_en);
      f->reason_zh = g_strdup_printf ("所记录的过敏与本药同属%s。%s", shared->name_zh,
                                      strict ? "国内指导原则：对本类药物有过敏史者禁用。" : "");
      f->reason_en = g_strdup_printf ("The recorded allergy and this drug are both %s.%s", shared->name_en,
                                      strict ? " Chinese guideline: a history of allergy to this class rules it out." : "");
      g_ptr_array_unref (f->sources);
      f->sources = citations (t, atc);
      if (strict)
        {
          GPtrArray *notes = _ec_drug_table_get_notes (t);
          for (guint i = 0; i < notes->len; i++)
            {
              const EcDrugNote *n = notes->pdata[i];
              for (const EcDrugClass *c = shared; c != NULL; c = c->parent)
                if (strcmp (n->target, c->id) == 0 && (c->flags & EC_DRUG_CLASS_STRICT))
                  {
                    g_autoptr(GPtrArray) more = citations (t, (const char *const *) n->sources);
                    for (guint j = 0; j < more->len; j++)
                      if (!g_ptr_array_find_with_equal_func (f->sources, more->pdata[j], g_str_equal, NULL))
                        g_ptr_array_add (f->sources, g_strdup (more->pdata[j]));
                  }
            }
        }
      consider (&best, f, 80);
    }

  /* Cross-reactivity rows. */
  rules = _ec_drug_table_get_cross (t);
  for (guint i = 0; i < rules->len; i++)
    {
      const EcDrugRule *r = rules->pdata[i];
      guint how = from_matches (t, r->a, &s);
      EcAllergyFinding *f;
      const char *zh, *en;
      EcDrugStrength strength;
      int spec = 60;

      if (how == 0 || !to_matches (r->b, d))
        continue;
      strength = how == 2 ? weaker (r->strength) : r->strength;
      f = finding_new (EC_FINDING_CROSS_REACTIVE, apply_strength (strength, a));
      names_of (t, r->a, &zh, &en);
      f->matched_zh = g_strdup (zh);
      f->matched_en = g_strdup (en);
      f->reason_zh = g_strdup (r->reason_zh);
      f->reason_en = g_strdup (r->reason_en);
      g_ptr_array_unref (f->sources);
      f->sources = citations (t, (const char *const *) r->sources);
      if (ec_drug_table_get_drug (t, r->a) != NULL)
        spec += 5;
      if (ec_drug_table_get_drug (t, r->b) != NULL)
        spec += 5;
      consider (&best, f, spec);
    }

  if (best.finding != NULL)
    best.finding->allergy = allergy_copy (a);
  return best.finding;
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
  GPtrArray *rules;

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
      v->verdict = EC_VERDICT_UNKNOWN_DRUG;
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

  for (guint i = 0; i < n_allergies; i++)
    {
      EcAllergyFinding *f = check_one_allergy (table, resident->allergies->pdata[i], d);
      if (f != NULL)
        g_ptr_array_add (v->findings, f);
    }
  for (guint i = 0; resident->medications != NULL && i < resident->medications->len; i++)
    {
      EcAllergyFinding *f = check_one_medication (table, resident->medications->pdata[i], d);
      if (f != NULL)
        g_ptr_array_add (v->findings, f);
    }

  /* Local practice notes for the drug and what it contains. */
  {
    g_autoptr(GPtrArray) seen = g_ptr_array_new ();

    add_notes_for (table, d, v, seen);
    rules = _ec_drug_table_get_contains (table);
    for (guint i = 0; i < rules->len; i++)
      {
        const EcDrugRule *r = rules->pdata[i];
        const EcDrug *part;

        if (strcmp (r->a, d->id) == 0 && (part = ec_drug_table_get_drug (table, r->b)) != NULL)
          add_notes_for (table, part, v, seen);
      }
  }

  g_ptr_array_sort (v->findings, compare_findings);
  v->verdict = EC_VERDICT_NO_RECORDED_CONFLICT;
  for (guint i = 0; i < v->findings->len; i++)
    {
      const EcAllergyFinding *f = v->findings->pdata[i];
      if (f->level > v->verdict)
        v->verdict = f->level;
    }
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
