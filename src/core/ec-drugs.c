/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-drugs"

#include "ec-drugs-private.h"
#include "ec-file.h"
#include "ec-paths.h"

#include <string.h>

G_DEFINE_QUARK (ec-drugs-error-quark, ec_drugs_error)

/* ------------------------------------------------------------------------- */
/* Private records: the public view first, so a pointer to one is a pointer to the other. */

typedef struct
{
  EcDrugClass   pub;
  char         *parent_id;
  char        **aliases;
  guint         line;
} ClassPriv;

typedef struct
{
  EcDrug        pub;
  char        **class_ids;
  char        **aliases;
  guint         line;
} DrugPriv;

/* One normalised name of a drug or class. */
typedef struct
{
  char         *key;
  char         *shown;     /* as written in the table */
  gpointer      target;    /* DrugPriv* or ClassPriv* (borrowed) */
  gboolean      ascii;
  glong         n_chars;
} NameKey;

struct _EcDrugTable
{
  GHashTable *classes;       /* id -> ClassPriv* (owned) */
  GHashTable *drugs;         /* id -> DrugPriv* (owned) */
  GPtrArray  *drug_list;     /* DrugPriv*, file order (borrowed) */
  GHashTable *sources;       /* id -> citation (owned) */
  GHashTable *dupgroups;     /* id -> EcDrugDupgroup* (owned) */
  GPtrArray  *contains;      /* EcDrugRule* (owned) */
  GPtrArray  *cross;         /* EcDrugRule* (owned) */
  GPtrArray  *notes;         /* EcDrugNote* (owned) */
  GHashTable *families;      /* class id -> EcDrugFamily* (owned) */
  GPtrArray  *ambiguous;     /* EcDrugAmbiguous* (owned) */
  GHashTable *amb_keys;      /* key -> EcDrugAmbiguous* (borrowed) */
  GHashTable *drug_keys;     /* key -> DrugPriv* (borrowed) */
  GHashTable *class_keys;    /* key -> ClassPriv* (borrowed) */
  GPtrArray  *drug_names;    /* NameKey* (owned) */
  GPtrArray  *class_names;   /* NameKey* (owned) */
  guint       n_records;
  gboolean    have_format;
};

static void
class_priv_free (ClassPriv *c)
{
  g_free (c->pub.id);
  g_free (c->pub.name_zh);
  g_free (c->pub.name_en);
  g_free (c->pub.dupgroup);
  g_free (c->parent_id);
  g_strfreev (c->aliases);
  g_free (c);
}

static void
drug_priv_free (DrugPriv *d)
{
  g_free (d->pub.id);
  g_free (d->pub.name_zh);
  g_free (d->pub.name_en);
  g_ptr_array_unref (d->pub.classes);
  g_strfreev (d->class_ids);
  g_strfreev (d->aliases);
  g_free (d);
}

static void
rule_free (EcDrugRule *r)
{
  g_free (r->a);
  g_free (r->b);
  g_strfreev (r->sources);
  g_free (r->reason_zh);
  g_free (r->reason_en);
  g_free (r);
}

static void
note_free (EcDrugNote *n)
{
  g_free (n->target);
  g_strfreev (n->sources);
  g_free (n->text_zh);
  g_free (n->text_en);
  g_free (n);
}

static void
dupgroup_free (EcDrugDupgroup *g)
{
  g_free (g->id);
  g_strfreev (g->sources);
  g_free (g->reason_zh);
  g_free (g->reason_en);
  g_free (g);
}

static void
family_free (EcDrugFamily *f)
{
  g_free (f->cls);
  g_strfreev (f->sources);
  g_free (f->reason_zh);
  g_free (f->reason_en);
  g_free (f);
}

static void
ambiguous_free (EcDrugAmbiguous *a)
{
  g_strfreev (a->names);
  g_strfreev (a->drug_ids);
  g_strfreev (a->sources);
  g_ptr_array_unref (a->drugs);
  g_free (a->reason_zh);
  g_free (a->reason_en);
  g_free (a);
}

void
_ec_allergy_part_free (EcAllergyPart *part)
{
  if (part == NULL)
    return;
  g_free (part->text);
  g_free (part);
}

static void
name_key_free (NameKey *k)
{
  g_free (k->key);
  g_free (k->shown);
  g_free (k);
}

void
ec_drug_suggestion_free (EcDrugSuggestion *s)
{
  if (s == NULL)
    return;
  g_free (s->matched);
  g_free (s->display_zh);
  g_free (s->display_en);
  g_free (s);
}

static EcDrugTable *
table_new (void)
{
  EcDrugTable *t = g_new0 (EcDrugTable, 1);

  t->classes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) class_priv_free);
  t->drugs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) drug_priv_free);
  t->drug_list = g_ptr_array_new ();
  t->sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->dupgroups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) dupgroup_free);
  t->contains = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  t->cross = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  t->notes = g_ptr_array_new_with_free_func ((GDestroyNotify) note_free);
  t->families = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) family_free);
  t->ambiguous = g_ptr_array_new_with_free_func ((GDestroyNotify) ambiguous_free);
  t->amb_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->drug_keys = g_hash_table_new (g_str_hash, g_str_equal);
  t->class_keys = g_hash_table_new (g_str_hash, g_str_equal);
  t->drug_names = g_ptr_array_new_with_free_func ((GDestroyNotify) name_key_free);
  t->class_names = g_ptr_array_new_with_free_func ((GDestroyNotify) name_key_free);
  return t;
}

void
ec_drug_table_free (EcDrugTable *t)
{
  if (t == NULL)
    return;
  /* Keys and name lists borrow from the records: drop them first. */
  g_hash_table_unref (t->drug_keys);
  g_hash_table_unref (t->class_keys);
  g_hash_table_unref (t->amb_keys);
  g_ptr_array_unref (t->ambiguous);
  g_hash_table_unref (t->families);
  g_ptr_array_unref (t->drug_names);
  g_ptr_array_unref (t->class_names);
  g_ptr_array_unref (t->drug_list);
  g_hash_table_unref (t->drugs);
  g_hash_table_unref (t->classes);
  g_hash_table_unref (t->sources);
  g_hash_table_unref (t->dupgroups);
  g_ptr_array_unref (t->contains);
  g_ptr_array_unref (t->cross);
  g_ptr_array_unref (t->notes);
  g_free (t);
}

/* ------------------------------------------------------------------------- */
/* Normalisation */

static const char *const dose_units[] = {
  /* longest first where one is a prefix of another */
  "万单位", "万iu", "万u", "单位", "毫克", "微克", "毫升", "国际单位",
  "mmol", "mcg", "μg", "ug", "mg", "ml", "iu", "g", "l", "u", "%",
  "支", "瓶", "片", "粒", "袋", "克", "吸", "滴", "喷", "揿",
  NULL
};

/* Bytes of the dose unit at @p, 0 if none. A Latin unit must not run on into a word. */
static gsize
match_dose_unit (const char *p)
{
  for (gsize i = 0; dose_units[i] != NULL; i++)
    {
      gsize n = strlen (dose_units[i]);
      if (strncmp (p, dose_units[i], n) != 0)
        continue;
      if (g_ascii_isalpha (dose_units[i][0]) && g_ascii_isalpha (p[n]))
        continue;
      return n;
    }
  return 0;
}

static const char *const strip_suffixes[] = {
  "过敏史", "过敏反应", "过敏",
  "注射液", "注射剂", "粉针剂", "冻干粉针", "冻干粉", "粉针", "针剂", "注射", "针",
  "缓释胶囊", "肠溶胶囊", "软胶囊", "胶囊剂", "胶囊",
  "缓释片", "控释片", "肠溶片", "分散片", "咀嚼片", "泡腾片", "薄膜衣片", "口崩片", "片剂", "片",
  "颗粒剂", "颗粒", "干混悬剂", "混悬液", "口服溶液", "口服液", "溶液", "滴眼液", "滴剂",
  "吸入粉雾剂", "粉雾剂", "吸入气雾剂", "气雾剂", "吸入剂", "乳膏", "软膏", "凝胶", "贴剂",
  "栓剂", "糖浆", "粉剂",
  /* premixed infusions: "左氧氟沙星氯化钠注射液", "甲硝唑葡萄糖注射液" */
  "氯化钠", "葡萄糖",
  "钠", "钾", "钙",
  "forinjection", "injection", "inj", "tablets", "tablet", "tabs", "capsules", "capsule", "caps",
  "oralsuspension", "suspension", "solution", "syrup", "cream", "ointment", "vials", "vial",
  "allergy", "allergic",
  "hydrochloride", "hcl", "sodium", "potassium", "calcium", "sulfate", "sulphate",
  "succinate", "mesylate", "besylate",
  NULL
};

static const char *const strip_prefixes[] = {
  "注射用", "盐酸", "硫酸", "磷酸", "枸橼酸", "酒石酸", "马来酸", "富马酸", "醋酸", "甲磺酸",
  "苯磺酸", "乳酸", "左旋", NULL
};

static gboolean
long_enough (const char *s,
             gsize       len)
{
  /* At least two characters remain: one CJK character is not a name. */
  return g_utf8_strlen (s, (gssize) len) >= 2;
}

static void
strip_affixes (GString *s)
{
  gboolean allergy_word = FALSE;

  for (guint round = 0; round < 16; round++)
    {
      gboolean changed = FALSE;

      for (gsize i = 0; strip_suffixes[i] != NULL && !changed; i++)
        {
          gsize n = strlen (strip_suffixes[i]);
          if (s->len > n && memcmp (s->str + s->len - n, strip_suffixes[i], n) == 0
              && long_enough (s->str, s->len - n))
            {
              if (i < 3 || g_str_has_prefix (strip_suffixes[i], "allerg"))
                allergy_word = TRUE;
              g_string_truncate (s, s->len - n);
              changed = TRUE;
            }
        }
      for (gsize i = 0; strip_prefixes[i] != NULL && !changed; i++)
        {
          gsize n = strlen (strip_prefixes[i]);
          if (s->len > n && memcmp (s->str, strip_prefixes[i], n) == 0
              && long_enough (s->str + n, s->len - n))
            {
              g_string_erase (s, 0, (gssize) n);
              changed = TRUE;
            }
        }
      /* "对青霉素过敏": the 对 only goes with an allergy phrase. */
      if (!changed && allergy_word && g_str_has_prefix (s->str, "对")
          && long_enough (s->str + strlen ("对"), s->len - strlen ("对")))
        {
          g_string_erase (s, 0, (gssize) strlen ("对"));
          changed = TRUE;
        }
      if (!changed)
        break;
    }
}

char *
ec_drugs_normalise (const char *text)
{
  g_autofree char *nfkc = NULL;
  g_autofree char *folded = NULL;
  g_autoptr(GString) out = NULL;
  gboolean after_dose = FALSE;
  gsize len;

  if (text == NULL)
    return g_strdup ("");
  len = strnlen (text, EC_DRUGS_MAX_QUERY + 1);
  if (len > EC_DRUGS_MAX_QUERY || !g_utf8_validate_len (text, len, NULL))
    return g_strdup ("");
  nfkc = g_utf8_normalize (text, (gssize) len, G_NORMALIZE_ALL);
  if (nfkc == NULL)
    return g_strdup ("");
  folded = g_utf8_casefold (nfkc, -1);
  out = g_string_sized_new (strlen (folded));

  for (const char *p = folded; *p != '\0';)
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);

      if (g_ascii_isdigit (*p))
        {
          const char *q = p, *r;
          gsize unit;

          while (g_ascii_isdigit (*q) || *q == '.' || *q == ',')
            q++;
          r = q;
          while (*r == ' ')
            r++;
          unit = match_dose_unit (r);
          if (unit > 0)
            {
              p = r + unit;
              after_dose = TRUE;
              continue;
            }
          if (after_dose)   /* "0.5g×24", "2ml:0.1g" */
            {
              p = q;
              continue;
            }
          g_string_append_len (out, p, q - p);
          p = q;
          continue;
        }
      if (after_dose && (c == 'x' || c == '*' || c == 0xD7 || c == '/' || c == ':' || c == ' '))
        {
          const char *r = next;
          while (*r == ' ')
            r++;
          if (g_ascii_isdigit (*r))
            {
              p = r;
              continue;
            }
          if (c == '/' && match_dose_unit (r) > 0)   /* "100u/ml" */
            {
              p = r + match_dose_unit (r);
              continue;
            }
          if (c == ' ')
            {
              p = next;
              continue;
            }
        }
      after_dose = FALSE;
      if (g_unichar_isalnum (c))
        g_string_append_len (out, p, next - p);
      p = next;
    }
  strip_affixes (out);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
is_ascii (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Parsing */

typedef struct
{
  EcDrugTable *t;
  guint        line;
} Parser;

G_GNUC_PRINTF (3, 4) static gboolean
fail (GError    **error,
      EcDrugsError code,
      const char *format,
      ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, EC_DRUGS_ERROR, (gint) code, msg);
  return FALSE;
}

static gboolean
valid_id (const char *s)
{
  gsize n = 0;

  for (; s[n] != '\0'; n++)
    if (!(g_ascii_islower (s[n]) || g_ascii_isdigit (s[n]) || s[n] == '-'))
      return FALSE;
  return n > 0 && n <= EC_DRUGS_MAX_ID;
}

static gboolean
check_id (const Parser *p,
          const char   *s,
          const char   *what,
          GError      **error)
{
  if (!valid_id (s))
    return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: %s must be lower-case letters, digits and '-' (at most %d)",
                 p->line, what, EC_DRUGS_MAX_ID);
  return TRUE;
}

/* A '-' (empty) or @sep separated list; elements trimmed, non-empty. */
static gboolean
split_list (const Parser *p,
            const char   *field,
            char          sep,
            gboolean      ids,
            char       ***out,
            GError      **error)
{
  char sep_str[2] = { sep, '\0' };
  g_auto(GStrv) parts = NULL;
  guint n;

  *out = NULL;
  if (strcmp (field, "-") == 0)
    {
      *out = g_new0 (char *, 1);
      return TRUE;
    }
  parts = g_strsplit (field, sep_str, EC_DRUGS_MAX_LIST + 2);
  n = g_strv_length (parts);
  if (n > EC_DRUGS_MAX_LIST)
    return fail (error, EC_DRUGS_ERROR_TOO_LARGE, "line %u: more than %d list entries", p->line, EC_DRUGS_MAX_LIST);
  for (guint i = 0; i < n; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] == '\0')
        return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: empty list entry", p->line);
      if (ids && !check_id (p, parts[i], "a listed id", error))
        return FALSE;
    }
  *out = g_steal_pointer (&parts);
  return TRUE;
}

static gboolean
parse_strength (const Parser   *p,
                const char     *s,
                EcDrugStrength *out,
                GError        **error)
{
  if (strcmp (s, "stop") == 0)
    *out = EC_DRUG_STRENGTH_STOP;
  else if (strcmp (s, "caution") == 0)
    *out = EC_DRUG_STRENGTH_CAUTION;
  else if (strcmp (s, "severe-stop") == 0)
    *out = EC_DRUG_STRENGTH_SEVERE_STOP;
  else if (strcmp (s, "anaphylaxis-stop") == 0)
    *out = EC_DRUG_STRENGTH_ANAPHYLAXIS_STOP;
  else if (strcmp (s, "respiratory-stop") == 0)
    *out = EC_DRUG_STRENGTH_RESPIRATORY_STOP;
  else
    return fail (error, EC_DRUGS_ERROR_SYNTAX,
                 "line %u: strength must be stop, caution, severe-stop, anaphylaxis-stop or respiratory-stop", p->line);
  return TRUE;
}

static gboolean
id_taken (EcDrugTable *t,
          const char  *id)
{
  return g_hash_table_contains (t->classes, id) || g_hash_table_contains (t->drugs, id);
}

static gboolean
parse_class (Parser  *p,
             char   **f,
             GError **error)
{
  g_autoptr(GError) local = NULL;
  g_auto(GStrv) flags = NULL;
  ClassPriv *c;

  if (!check_id (p, f[1], "a class id", error))
    return FALSE;
  if (id_taken (p->t, f[1]))
    return fail (error, EC_DRUGS_ERROR_DUPLICATE, "line %u: id '%s' is defined twice", p->line, f[1]);
  if (strcmp (f[2], "-") != 0 && !check_id (p, f[2], "a parent class id", error))
    return FALSE;
  if (strcmp (f[3], "-") != 0 && !check_id (p, f[3], "a duplicate group id", error))
    return FALSE;
  if (!split_list (p, f[4], ',', FALSE, &flags, error))
    return FALSE;
  c = g_new0 (ClassPriv, 1);
  c->pub.id = g_strdup (f[1]);
  c->parent_id = strcmp (f[2], "-") != 0 ? g_strdup (f[2]) : NULL;
  c->pub.dupgroup = strcmp (f[3], "-") != 0 ? g_strdup (f[3]) : NULL;
  c->pub.name_zh = g_strdup (f[5]);
  c->pub.name_en = g_strdup (f[6]);
  c->line = p->line;
  g_hash_table_insert (p->t->classes, c->pub.id, c);
  for (guint i = 0; flags[i] != NULL; i++)
    {
      if (strcmp (flags[i], "strict") == 0)
        c->pub.flags |= EC_DRUG_CLASS_STRICT;
      else if (strcmp (flags[i], "loose") == 0)
        c->pub.flags |= EC_DRUG_CLASS_LOOSE;
      else if (strcmp (flags[i], "group") == 0)
        c->pub.flags |= EC_DRUG_CLASS_GROUP;
      else if (strcmp (flags[i], "adjunct") == 0)
        c->pub.flags |= EC_DRUG_CLASS_ADJUNCT;
      else
        return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: unknown class flag '%s'", p->line, flags[i]);
    }
  return split_list (p, f[7], '|', FALSE, &c->aliases, error);
}

static gboolean
parse_drug (Parser   *p,
            char    **f,
            gboolean  allergen,
            GError  **error)
{
  DrugPriv *d;

  if (!check_id (p, f[1], "a drug id", error))
    return FALSE;
  if (id_taken (p->t, f[1]))
    return fail (error, EC_DRUGS_ERROR_DUPLICATE, "line %u: id '%s' is defined twice", p->line, f[1]);
  d = g_new0 (DrugPriv, 1);
  d->pub.id = g_strdup (f[1]);
  d->pub.name_zh = g_strdup (f[3]);
  d->pub.name_en = g_strdup (f[4]);
  d->pub.is_allergen = allergen;
  d->pub.classes = g_ptr_array_new ();
  d->line = p->line;
  g_hash_table_insert (p->t->drugs, d->pub.id, d);
  g_ptr_array_add (p->t->drug_list, d);
  if (!split_list (p, f[2], ',', TRUE, &d->class_ids, error)
      || !split_list (p, f[5], '|', FALSE, &d->aliases, error))
    return FALSE;
  if (!allergen && d->class_ids[0] == NULL)
    return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: a drug needs at least one class", p->line);
  return TRUE;
}

static gboolean
parse_rule (Parser   *p,
            char    **f,
            GPtrArray *into,
            gboolean  both,
            gboolean  any_target,
            GError  **error)
{
  EcDrugStrength strength = EC_DRUG_STRENGTH_STOP;
  g_auto(GStrv) sources = NULL;

  if (!check_id (p, f[1], "the first id", error))
    return FALSE;
  if (!(any_target && strcmp (f[2], "*") == 0) && !check_id (p, f[2], "the second id", error))
    return FALSE;
  if (!parse_strength (p, f[3], &strength, error) || !split_list (p, f[4], ',', TRUE, &sources, error))
    return FALSE;
  for (guint dir = 0; dir < (both ? 2u : 1u); dir++)
    {
      EcDrugRule *r = g_new0 (EcDrugRule, 1);
      r->a = g_strdup (f[dir == 0 ? 1 : 2]);
      r->b = g_strdup (f[dir == 0 ? 2 : 1]);
      r->strength = strength;
      r->sources = g_strdupv (sources);
      r->reason_zh = g_strdup (f[5]);
      r->reason_en = g_strdup (f[6]);
      r->line = p->line;
      g_ptr_array_add (into, r);
    }
  return TRUE;
}

static gboolean
parse_record (Parser  *p,
              char   **f,
              guint    nf,
              GError **error)
{
  static const struct { const char *kind; guint nf; } shapes[] = {
    { "format", 3 }, { "source", 3 }, { "class", 8 }, { "drug", 6 }, { "allergen", 6 },
    { "contains", 7 }, { "cross", 7 }, { "cross-both", 7 }, { "note", 5 }, { "dupgroup", 5 },
    { "family", 5 }, { "ambiguous", 6 },
  };
  const char *kind = f[0];
  gboolean known = FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (shapes); i++)
    if (strcmp (kind, shapes[i].kind) == 0)
      {
        known = TRUE;
        if (nf != shapes[i].nf)
          return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: a %s record has %u fields, not %u",
                       p->line, kind, shapes[i].nf, nf);
      }
  if (!known)
    return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: unknown record kind", p->line);
  for (guint i = 0; i < nf; i++)
    if (f[i][0] == '\0')
      return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: field %u is empty (write '-')", p->line, i + 1);

  if (strcmp (kind, "format") == 0)
    {
      if (p->t->have_format)
        return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: a second format line", p->line);
      if (strcmp (f[1], "eldercard-drugs") != 0 || strcmp (f[2], "1") != 0)
        return fail (error, EC_DRUGS_ERROR_VERSION, "line %u: not format eldercard-drugs 1", p->line);
      p->t->have_format = TRUE;
      return TRUE;
    }
  if (!p->t->have_format)
    return fail (error, EC_DRUGS_ERROR_VERSION, "line %u: the first record must be \"format eldercard-drugs 1\"", p->line);

  if (strcmp (kind, "source") == 0)
    {
      if (!check_id (p, f[1], "a source id", error))
        return FALSE;
      if (g_hash_table_contains (p->t->sources, f[1]))
        return fail (error, EC_DRUGS_ERROR_DUPLICATE, "line %u: source '%s' is defined twice", p->line, f[1]);
      g_hash_table_insert (p->t->sources, g_strdup (f[1]), g_strdup (f[2]));
      return TRUE;
    }
  if (strcmp (kind, "class") == 0)
    return parse_class (p, f, error);
  if (strcmp (kind, "drug") == 0)
    return parse_drug (p, f, FALSE, error);
  if (strcmp (kind, "allergen") == 0)
    return parse_drug (p, f, TRUE, error);
  if (strcmp (kind, "contains") == 0)
    return parse_rule (p, f, p->t->contains, FALSE, FALSE, error);
  if (strcmp (kind, "cross") == 0)
    return parse_rule (p, f, p->t->cross, FALSE, TRUE, error);
  if (strcmp (kind, "cross-both") == 0)
    {
      if (strcmp (f[1], f[2]) == 0)
        return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: a rule from '%s' to itself", p->line, f[1]);
      return parse_rule (p, f, p->t->cross, TRUE, FALSE, error);
    }
  if (strcmp (kind, "family") == 0)
    {
      EcDrugFamily *fam;
      g_auto(GStrv) sources = NULL;

      if (!check_id (p, f[1], "a family class", error) || !split_list (p, f[2], ',', TRUE, &sources, error))
        return FALSE;
      if (sources[0] == NULL)
        return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: a family row needs a source", p->line);
      if (g_hash_table_contains (p->t->families, f[1]))
        return fail (error, EC_DRUGS_ERROR_DUPLICATE, "line %u: family '%s' is defined twice", p->line, f[1]);
      fam = g_new0 (EcDrugFamily, 1);
      fam->cls = g_strdup (f[1]);
      fam->sources = g_steal_pointer (&sources);
      fam->reason_zh = g_strdup (f[3]);
      fam->reason_en = g_strdup (f[4]);
      g_hash_table_insert (p->t->families, fam->cls, fam);
      return TRUE;
    }
  if (strcmp (kind, "ambiguous") == 0)
    {
      EcDrugAmbiguous *amb = g_new0 (EcDrugAmbiguous, 1);

      amb->drugs = g_ptr_array_new ();
      amb->reason_zh = g_strdup (f[4]);
      amb->reason_en = g_strdup (f[5]);
      amb->line = p->line;
      g_ptr_array_add (p->t->ambiguous, amb);
      if (!split_list (p, f[1], '|', FALSE, &amb->names, error)
          || !split_list (p, f[2], ',', TRUE, &amb->drug_ids, error))
        return FALSE;
      if (amb->names[0] == NULL || amb->drug_ids[0] == NULL || amb->drug_ids[1] == NULL)
        return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: an ambiguous row needs a name and two drugs", p->line);
      return split_list (p, f[3], ',', TRUE, &amb->sources, error);
    }
  if (strcmp (kind, "note") == 0)
    {
      EcDrugNote *n;
      g_auto(GStrv) sources = NULL;

      if (!check_id (p, f[1], "a note target", error) || !split_list (p, f[2], ',', TRUE, &sources, error))
        return FALSE;
      n = g_new0 (EcDrugNote, 1);
      n->target = g_strdup (f[1]);
      n->sources = g_steal_pointer (&sources);
      n->text_zh = g_strdup (f[3]);
      n->text_en = g_strdup (f[4]);
      g_ptr_array_add (p->t->notes, n);
      return TRUE;
    }
  /* dupgroup */
  {
    EcDrugDupgroup *g;
    g_auto(GStrv) sources = NULL;

    if (!check_id (p, f[1], "a duplicate group id", error) || !split_list (p, f[2], ',', TRUE, &sources, error))
      return FALSE;
    if (g_hash_table_contains (p->t->dupgroups, f[1]))
      return fail (error, EC_DRUGS_ERROR_DUPLICATE, "line %u: duplicate group '%s' is defined twice", p->line, f[1]);
    g = g_new0 (EcDrugDupgroup, 1);
    g->id = g_strdup (f[1]);
    g->sources = g_steal_pointer (&sources);
    g->reason_zh = g_strdup (f[3]);
    g->reason_en = g_strdup (f[4]);
    g_hash_table_insert (p->t->dupgroups, g->id, g);
    return TRUE;
  }
}

static gboolean
check_sources (EcDrugTable *t,
               char       **sources,
               guint        line,
               GError     **error)
{
  for (guint i = 0; sources[i] != NULL; i++)
    if (!g_hash_table_contains (t->sources, sources[i]))
      return fail (error, EC_DRUGS_ERROR_REFERENCE, "line %u: source '%s' is not defined", line, sources[i]);
  return TRUE;
}

/* Add the normalised forms of @names to @keys/@list, refusing a key that already names
 * another target. */
static gboolean
add_names (GHashTable  *keys,
           GPtrArray   *list,
           gpointer     target,
           const char  *const *names,
           guint        line,
           GError     **error)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *key = ec_drugs_normalise (names[i]);
      gpointer other;
      NameKey *k;

      if (key[0] == '\0')
        return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: the name '%s' is empty once normalised", line, names[i]);
      other = g_hash_table_lookup (keys, key);
      if (other != NULL && other != target)
        return fail (error, EC_DRUGS_ERROR_DUPLICATE, "line %u: the name '%s' also names another entry",
                     line, names[i]);
      if (other == target)
        continue;
      k = g_new0 (NameKey, 1);
      k->key = g_steal_pointer (&key);
      k->shown = g_strdup (names[i]);
      k->target = target;
      k->ascii = is_ascii (k->key);
      k->n_chars = g_utf8_strlen (k->key, -1);
      g_ptr_array_add (list, k);
      g_hash_table_insert (keys, k->key, target);
    }
  return TRUE;
}

static GPtrArray *
hash_values (GHashTable *h)
{
  GPtrArray *a = g_ptr_array_sized_new (g_hash_table_size (h));
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, h);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_ptr_array_add (a, value);
  return a;
}

static int
compare_class_line (gconstpointer a,
                    gconstpointer b)
{
  const ClassPriv *x = *(ClassPriv * const *) a, *y = *(ClassPriv * const *) b;
  return (x->line > y->line) - (x->line < y->line);
}

static gboolean
link_table (EcDrugTable *t,
            GError     **error)
{
  g_autoptr(GPtrArray) classes = hash_values (t->classes);
  GHashTableIter it;
  gpointer value;

  /* File order, so errors and keys are deterministic. */
  g_ptr_array_sort (classes, compare_class_line);
  for (guint i = 0; i < classes->len; i++)
    {
      ClassPriv *c = classes->pdata[i];
      const char *names[] = { c->pub.name_zh, c->pub.name_en, NULL };

      if (c->parent_id != NULL)
        {
          c->pub.parent = g_hash_table_lookup (t->classes, c->parent_id);
          if (c->pub.parent == NULL)
            return fail (error, EC_DRUGS_ERROR_REFERENCE, "line %u: parent class '%s' is not defined",
                         c->line, c->parent_id);
        }
      if (c->pub.dupgroup != NULL && !g_hash_table_contains (t->dupgroups, c->pub.dupgroup))
        return fail (error, EC_DRUGS_ERROR_REFERENCE, "line %u: duplicate group '%s' is not defined",
                     c->line, c->pub.dupgroup);
      if (!add_names (t->class_keys, t->class_names, c, names, c->line, error)
          || !add_names (t->class_keys, t->class_names, c, (const char *const *) c->aliases, c->line, error))
        return FALSE;
    }
  for (guint i = 0; i < classes->len; i++)
    {
      const EcDrugClass *c = classes->pdata[i];
      guint depth = 0;

      for (; c != NULL; c = c->parent)
        if (++depth > EC_DRUGS_MAX_DEPTH)
          return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: class parents too deep or circular",
                       ((ClassPriv *) classes->pdata[i])->line);
    }
  for (guint i = 0; i < t->drug_list->len; i++)
    {
      DrugPriv *d = t->drug_list->pdata[i];
      const char *names[] = { d->pub.name_zh, d->pub.name_en, NULL };

      for (guint j = 0; d->class_ids[j] != NULL; j++)
        {
          EcDrugClass *c = g_hash_table_lookup (t->classes, d->class_ids[j]);
          if (c == NULL)
            return fail (error, EC_DRUGS_ERROR_REFERENCE, "line %u: class '%s' is not defined", d->line, d->class_ids[j]);
          g_ptr_array_add (d->pub.classes, c);
        }
      if (!add_names (t->drug_keys, t->drug_names, d, names, d->line, error)
          || !add_names (t->drug_keys, t->drug_names, d, (const char *const *) d->aliases, d->line, error))
        return FALSE;
    }
  for (guint i = 0; i < t->contains->len; i++)
    {
      EcDrugRule *r = t->contains->pdata[i];
      DrugPriv *d = g_hash_table_lookup (t->drugs, r->a);

      if (d == NULL || d->pub.is_allergen)
        return fail (error, EC_DRUGS_ERROR_REFERENCE, "line %u: drug '%s' is not defined", r->line, r->a);
      if (!g_hash_table_contains (t->drugs, r->b))
        return fail (error, EC_DRUGS_ERROR_REFERENCE, "line %u: substance '%s' is not defined", r->line, r->b);
      if (!check_sources (t, r->sources, r->line, error))
        return FALSE;
    }
  for (guint i = 0; i < t->cross->len; i++)
    {
      EcDrugRule *r = t->cross->pdata[i];

      if (!id_taken (t, r->a))
        return fail (error, EC_DRUGS_ERROR_REFERENCE, "line %u: '%s' is not defined", r->line, r->a);
      if (strcmp (r->b, "*") != 0 && !id_taken (t, r->b))
        return fail (error, EC_DRUGS_ERROR_REFERENCE, "line %u: '%s' is not defined", r->line, r->b);
      if (!check_sources (t, r->sources, r->line, error))
        return FALSE;
    }
  for (guint i = 0; i < t->notes->len; i++)
    {
      EcDrugNote *n = t->notes->pdata[i];

      if (!id_taken (t, n->target))
        return fail (error, EC_DRUGS_ERROR_REFERENCE, "note: '%s' is not defined", n->target);
      if (!check_sources (t, n->sources, 0, error))
        return FALSE;
    }
  g_hash_table_iter_init (&it, t->dupgroups);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (!check_sources (t, ((EcDrugDupgroup *) value)->sources, 0, error))
      return FALSE;
  g_hash_table_iter_init (&it, t->families);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      const EcDrugFamily *fam = value;
      if (!g_hash_table_contains (t->classes, fam->cls))
        return fail (error, EC_DRUGS_ERROR_REFERENCE, "family: class '%s' is not defined", fam->cls);
      if (!check_sources (t, fam->sources, 0, error))
        return FALSE;
    }
  for (guint i = 0; i < t->ambiguous->len; i++)
    {
      EcDrugAmbiguous *amb = t->ambiguous->pdata[i];

      if (!check_sources (t, amb->sources, amb->line, error))
        return FALSE;
      for (guint j = 0; amb->drug_ids[j] != NULL; j++)
        {
          DrugPriv *d = g_hash_table_lookup (t->drugs, amb->drug_ids[j]);
          if (d == NULL || d->pub.is_allergen)
            return fail (error, EC_DRUGS_ERROR_REFERENCE, "line %u: drug '%s' is not defined", amb->line, amb->drug_ids[j]);
          if (!g_ptr_array_find (amb->drugs, d, NULL))
            g_ptr_array_add (amb->drugs, d);
        }
      for (guint j = 0; amb->names[j] != NULL; j++)
        {
          g_autofree char *key = ec_drugs_normalise (amb->names[j]);

          if (key[0] == '\0')
            return fail (error, EC_DRUGS_ERROR_SYNTAX, "line %u: the name '%s' is empty once normalised",
                         amb->line, amb->names[j]);
          if (g_hash_table_contains (t->drug_keys, key) || g_hash_table_contains (t->class_keys, key)
              || g_hash_table_contains (t->amb_keys, key))
            return fail (error, EC_DRUGS_ERROR_DUPLICATE, "line %u: the name '%s' also names another entry",
                         amb->line, amb->names[j]);
          g_hash_table_insert (t->amb_keys, g_steal_pointer (&key), amb);
        }
    }
  return TRUE;
}

EcDrugTable *
ec_drug_table_new_from_data (const char *data,
                             gsize       len,
                             GError    **error)
{
  g_autoptr(EcDrugTable) t = table_new ();
  Parser p = { t, 0 };
  gsize pos = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len > EC_DRUGS_MAX_BYTES)
    {
      fail (error, EC_DRUGS_ERROR_TOO_LARGE, "the drug table is larger than %d bytes", EC_DRUGS_MAX_BYTES);
      return NULL;
    }
  if (len > 0 && !g_utf8_validate_len (data, len, NULL))
    {
      fail (error, EC_DRUGS_ERROR_ENCODING, "the drug table is not UTF-8 text");
      return NULL;
    }
  while (pos < len)
    {
      const char *start = data + pos;
      const char *nl = memchr (start, '\n', len - pos);
      gsize line_len = nl != NULL ? (gsize) (nl - start) : len - pos;
      g_autofree char *line = NULL;
      g_auto(GStrv) fields = NULL;
      guint nf = 1;

      pos += line_len + (nl != NULL ? 1 : 0);
      p.line++;
      if (line_len > 0 && start[line_len - 1] == '\r')
        line_len--;
      if (line_len > EC_DRUGS_MAX_LINE)
        {
          fail (error, EC_DRUGS_ERROR_TOO_LARGE, "line %u: longer than %d bytes", p.line, EC_DRUGS_MAX_LINE);
          return NULL;
        }
      if (line_len == 0 || start[0] == '#')
        continue;
      {
        gsize k = 0;
        while (k < line_len && (start[k] == ' ' || start[k] == '\t'))
          k++;
        if (k == line_len)   /* whitespace only */
          continue;
      }
      line = g_strndup (start, line_len);
      for (gsize i = 0; i < line_len; i++)
        if (line[i] == '\t' && ++nf > EC_DRUGS_MAX_FIELDS)
          {
            fail (error, EC_DRUGS_ERROR_TOO_LARGE, "line %u: more than %d fields", p.line, EC_DRUGS_MAX_FIELDS);
            return NULL;
          }
      if (++t->n_records > EC_DRUGS_MAX_RECORDS)
        {
          fail (error, EC_DRUGS_ERROR_TOO_LARGE, "more than %d records", EC_DRUGS_MAX_RECORDS);
          return NULL;
        }
      fields = g_strsplit (line, "\t", EC_DRUGS_MAX_FIELDS + 1);
      if (!parse_record (&p, fields, nf, error))
        return NULL;
    }
  if (!t->have_format)
    {
      fail (error, EC_DRUGS_ERROR_VERSION, "no \"format eldercard-drugs 1\" line");
      return NULL;
    }
  if (!link_table (t, error))
    return NULL;
  return g_steal_pointer (&t);
}

EcDrugTable *
ec_drug_table_new_from_file (const char *path,
                             GError    **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  EcDrugTable *t;

  g_return_val_if_fail (path != NULL, NULL);

  if (!ec_file_read_bounded (path, EC_DRUGS_MAX_BYTES, 0, &data, &len, error))
    return NULL;
  t = ec_drug_table_new_from_data (data, len, &local);
  if (t == NULL)
    {
      g_set_error (error, local->domain, local->code, "%s: %s", path, local->message);
      return NULL;
    }
  return t;
}

char *
ec_drugs_default_path (void)
{
  g_autofree char *datadir = ec_paths_datadir ();

  return g_build_filename (datadir, "drugs.tsv", NULL);
}

EcDrugTable *
ec_drug_table_load_default (GError **error)
{
  g_autofree char *path = ec_drugs_default_path ();
  return ec_drug_table_new_from_file (path, error);
}

/* ------------------------------------------------------------------------- */
/* Queries */

guint
ec_drug_table_get_n_drugs (EcDrugTable *t)
{
  g_return_val_if_fail (t != NULL, 0);
  return t->drug_list->len;
}

GPtrArray *
ec_drug_table_get_drugs (EcDrugTable *t)
{
  g_return_val_if_fail (t != NULL, NULL);
  return t->drug_list;
}

const EcDrug *
ec_drug_table_get_drug (EcDrugTable *t,
                        const char  *id)
{
  g_return_val_if_fail (t != NULL && id != NULL, NULL);
  return g_hash_table_lookup (t->drugs, id);
}

const EcDrugClass *
ec_drug_table_get_class (EcDrugTable *t,
                         const char  *id)
{
  g_return_val_if_fail (t != NULL && id != NULL, NULL);
  return g_hash_table_lookup (t->classes, id);
}

const char *
ec_drug_table_get_source (EcDrugTable *t,
                          const char  *id)
{
  g_return_val_if_fail (t != NULL && id != NULL, NULL);
  return g_hash_table_lookup (t->sources, id);
}

gboolean
ec_drug_in_class (const EcDrug *drug,
                  const char   *class_id)
{
  g_return_val_if_fail (drug != NULL && class_id != NULL, FALSE);
  for (guint i = 0; i < drug->classes->len; i++)
    for (const EcDrugClass *c = drug->classes->pdata[i]; c != NULL; c = c->parent)
      if (strcmp (c->id, class_id) == 0)
        return TRUE;
  return FALSE;
}

GPtrArray *
_ec_drug_table_get_contains (EcDrugTable *t)
{
  return t->contains;
}

GPtrArray *
_ec_drug_table_get_cross (EcDrugTable *t)
{
  return t->cross;
}

GPtrArray *
_ec_drug_table_get_notes (EcDrugTable *t)
{
  return t->notes;
}

const EcDrugDupgroup *
_ec_drug_table_get_dupgroup (EcDrugTable *t,
                             const char  *id)
{
  return g_hash_table_lookup (t->dupgroups, id);
}

const EcDrugFamily *
_ec_drug_table_get_family (EcDrugTable *t,
                           const char  *cls_id)
{
  return g_hash_table_lookup (t->families, cls_id);
}

const EcDrugAmbiguous *
_ec_drug_table_get_ambiguous (EcDrugTable *t,
                              const char  *key)
{
  return g_hash_table_lookup (t->amb_keys, key);
}

/* A name long enough to be searched for inside the nurse's text. */
static gboolean
key_long_enough_inside (const NameKey *k)
{
  return k->ascii ? k->n_chars >= 4 : k->n_chars >= 2;
}

/* The nurse's text long enough to be searched for inside names. */
static gboolean
text_long_enough (const char *key)
{
  return is_ascii (key) ? strlen (key) >= 3 : g_utf8_strlen (key, -1) >= 2;
}

#define MAX_CANDIDATES 20

/* Partial matching over @names: mode 'B' = a name inside @key, 'A' = @key inside a
 * name. Returns the unique target (or, in mode B, the target of a longest name that
 * contains every other matched name), else NULL with the distinct targets in @cands. */
/* What of @key the names of @target in @hits do not cover ("" = all covered). */
static char *
uncovered (const char *key,
           GPtrArray  *hits,
           gpointer    target)
{
  gsize len = strlen (key);
  g_autofree guint8 *mask = g_malloc0 (len + 1);
  GString *rest = g_string_new (NULL);

  for (guint i = 0; i < hits->len; i++)
    {
      const NameKey *k = hits->pdata[i];
      gsize klen = strlen (k->key);

      if (k->target != target)
        continue;
      for (const char *p = strstr (key, k->key); p != NULL; p = strstr (p + 1, k->key))
        memset (mask + (p - key), 1, klen);
    }
  for (gsize i = 0; i < len; i++)
    if (!mask[i])
      {
        if (i > 0 && mask[i - 1] && rest->len > 0)
          g_string_append_c (rest, ' ');
        g_string_append_c (rest, key[i]);
      }
  return g_string_free (rest, FALSE);
}

static gpointer
partial_match (GPtrArray   *names,
               const char  *key,
               char         mode,
               gboolean     include_allergens,
               gboolean     drugs,
               GPtrArray   *cands,
               char       **out_rest)
{
  g_autoptr(GPtrArray) hits = g_ptr_array_new ();
  const NameKey *longest = NULL;
  gpointer found = NULL;

  if (mode == 'A' && !text_long_enough (key))
    return NULL;
  for (guint i = 0; i < names->len; i++)
    {
      const NameKey *k = names->pdata[i];

      if (drugs && !include_allergens && ((DrugPriv *) k->target)->pub.is_allergen)
        continue;
      if (mode == 'B' ? (key_long_enough_inside (k) && strstr (key, k->key) != NULL)
                      : (strstr (k->key, key) != NULL))
        {
          g_ptr_array_add (hits, (gpointer) k);
          if (longest == NULL || strlen (k->key) > strlen (longest->key))
            longest = k;
          if (!g_ptr_array_find (cands, k->target, NULL) && cands->len < MAX_CANDIDATES)
            g_ptr_array_add (cands, k->target);
        }
    }
  if (cands->len == 1)
    found = cands->pdata[0];
  else if (mode == 'B' && longest != NULL)
    {
      for (guint i = 0; i < hits->len; i++)
        if (strstr (longest->key, ((NameKey *) hits->pdata[i])->key) == NULL)
          return NULL;
      found = longest->target;
    }
  if (found != NULL && mode == 'B' && out_rest != NULL)
    *out_rest = uncovered (key, hits, found);
  return found;
}

static const EcDrug *
lookup_key (EcDrugTable  *t,
            const char   *key,
            gboolean      include_allergens,
            EcDrugMatch  *out_match,
            GPtrArray   **out_candidates,
            char        **out_rest)
{
  g_autoptr(GPtrArray) cands = g_ptr_array_new ();
  DrugPriv *d;

  *out_match = EC_DRUG_MATCH_NONE;
  if (key[0] == '\0')
    return NULL;
  d = g_hash_table_lookup (t->drug_keys, key);
  if (d != NULL && (include_allergens || !d->pub.is_allergen))
    {
      *out_match = EC_DRUG_MATCH_EXACT;
      return &d->pub;
    }
  {
    const EcDrugAmbiguous *amb = g_hash_table_lookup (t->amb_keys, key);
    if (amb != NULL)
      {
        *out_match = EC_DRUG_MATCH_AMBIGUOUS;
        if (out_candidates != NULL)
          {
            *out_candidates = g_ptr_array_new ();
            for (guint i = 0; i < amb->drugs->len; i++)
              g_ptr_array_add (*out_candidates, amb->drugs->pdata[i]);
          }
        return NULL;
      }
  }
  for (guint round = 0; round < 2; round++)
    {
      g_ptr_array_set_size (cands, 0);
      g_autofree char *rest = NULL;

      d = partial_match (t->drug_names, key, round == 0 ? 'B' : 'A', include_allergens, TRUE, cands, &rest);
      if (d != NULL)
        {
          *out_match = (rest != NULL && rest[0] != '\0') ? EC_DRUG_MATCH_CONTAINED : EC_DRUG_MATCH_PARTIAL;
          if (out_rest != NULL && *out_match == EC_DRUG_MATCH_CONTAINED)
            *out_rest = g_steal_pointer (&rest);
          return &d->pub;
        }
      if (cands->len > 1)
        {
          *out_match = EC_DRUG_MATCH_AMBIGUOUS;
          if (out_candidates != NULL)
            *out_candidates = g_steal_pointer (&cands);
          return NULL;
        }
    }
  return NULL;
}

/* The drug named exactly by normalised @key (not an allergen), or NULL. */
static const EcDrug *
exact_drug (EcDrugTable *t,
            const char  *key)
{
  DrugPriv *d = key[0] != '\0' ? g_hash_table_lookup (t->drug_keys, key) : NULL;
  return d != NULL && !d->pub.is_allergen ? &d->pub : NULL;
}

static const char *const open_brackets[] = { "(", "（", "[", "【", "<", "〈", NULL };
static const char *const close_brackets[] = { ")", "）", "]", "】", ">", "〉", NULL };

/* "甘精胰岛素注射液(来得时)", "来得时（甘精胰岛素注射液）", "青霉素钠(80万单位)": a name and,
 * in brackets, a brand of the same drug or a strength. The drug, or NULL when the text
 * has no brackets or is not of that shape (then the ordinary lookup reads it). */
/* The earliest of @marks in @text at or after @from: its position and length. */
static const char *
first_mark (const char        *from,
            const char *const *marks,
            gsize             *out_len)
{
  const char *best = NULL;

  for (guint i = 0; marks[i] != NULL; i++)
    {
      const char *m = strstr (from, marks[i]);
      if (m != NULL && (best == NULL || m < best))
        {
          best = m;
          *out_len = strlen (marks[i]);
        }
    }
  return best;
}

static const EcDrug *
bracketed (EcDrugTable *t,
           const char  *text,
           const char  *whole_key)
{
  const char *open, *close;
  gsize open_len = 0, close_len = 0;
  g_autofree char *outside = NULL, *inside = NULL, *ko = NULL, *ki = NULL;
  const EcDrug *a, *b;

  if (text == NULL || strnlen (text, EC_DRUGS_MAX_QUERY + 1) > EC_DRUGS_MAX_QUERY
      || exact_drug (t, whole_key) != NULL)
    return NULL;
  open = first_mark (text, open_brackets, &open_len);
  if (open == NULL)
    return NULL;
  close = first_mark (open + open_len, close_brackets, &close_len);
  if (close == NULL)
    return NULL;
  inside = g_strndup (open + open_len, (gsize) (close - (open + open_len)));
  outside = g_strdup_printf ("%.*s %s", (int) (open - text), text, close + close_len);
  ko = ec_drugs_normalise (outside);
  ki = ec_drugs_normalise (inside);
  a = exact_drug (t, ko);
  b = exact_drug (t, ki);
  if (a != NULL && (b == a || ki[0] == '\0'))
    return a;
  if (b != NULL && ko[0] == '\0')
    return b;
  return NULL;
}

const EcDrug *
ec_drugs_lookup_full (EcDrugTable  *t,
                      const char   *text,
                      EcDrugMatch  *out_match,
                      GPtrArray   **out_candidates,
                      char        **out_unrecognised)
{
  g_autofree char *key = NULL;
  EcDrugMatch match = EC_DRUG_MATCH_NONE;
  const EcDrug *d;

  g_return_val_if_fail (t != NULL, NULL);
  if (out_candidates != NULL)
    *out_candidates = NULL;
  if (out_unrecognised != NULL)
    *out_unrecognised = NULL;
  key = ec_drugs_normalise (text);
  d = bracketed (t, text, key);
  if (d != NULL)
    match = EC_DRUG_MATCH_EXACT;
  else
    d = lookup_key (t, key, FALSE, &match, out_candidates, out_unrecognised);
  if (out_match != NULL)
    *out_match = match;
  return d;
}

const EcDrug *
ec_drugs_lookup (EcDrugTable  *t,
                 const char   *text,
                 EcDrugMatch  *out_match,
                 GPtrArray   **out_candidates)
{
  return ec_drugs_lookup_full (t, text, out_match, out_candidates, NULL);
}

gboolean
_ec_drugs_resolve (EcDrugTable        *t,
                   const char         *text,
                   const EcDrug      **out_drug,
                   const EcDrugClass **out_class)
{
  g_autofree char *key = ec_drugs_normalise (text);
  g_autoptr(GPtrArray) cands = g_ptr_array_new ();
  gpointer hit;

  *out_drug = NULL;
  *out_class = NULL;
  if (key[0] == '\0')
    return FALSE;
  hit = g_hash_table_lookup (t->drug_keys, key);
  if (hit != NULL)
    {
      *out_drug = hit;
      return TRUE;
    }
  hit = g_hash_table_lookup (t->class_keys, key);
  if (hit != NULL)
    {
      *out_class = hit;
      return TRUE;
    }
  for (guint round = 0; round < 2; round++)
    {
      char mode = round == 0 ? 'B' : 'A';

      g_ptr_array_set_size (cands, 0);
      hit = partial_match (t->drug_names, key, mode, TRUE, TRUE, cands, NULL);
      if (hit != NULL)
        {
          *out_drug = hit;
          return TRUE;
        }
      if (cands->len > 1)
        return FALSE;   /* ambiguous: do not guess */
      g_ptr_array_set_size (cands, 0);
      hit = partial_match (t->class_names, key, mode, TRUE, FALSE, cands, NULL);
      if (hit != NULL)
        {
          *out_class = hit;
          return TRUE;
        }
      if (cands->len > 1)
        return FALSE;
    }
  return FALSE;
}

typedef struct
{
  const NameKey *name;
  guint          rank;
} Best;

static int
compare_best (gconstpointer a,
              gconstpointer b)
{
  const Best *x = *(Best * const *) a, *y = *(Best * const *) b;
  const DrugPriv *dx = x->name->target, *dy = y->name->target;

  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  if (x->name->n_chars != y->name->n_chars)
    return x->name->n_chars < y->name->n_chars ? -1 : 1;
  return strcmp (dx->pub.id, dy->pub.id);
}

static gboolean
is_primary_name (const DrugPriv *d,
                 const char     *shown)
{
  return strcmp (shown, d->pub.name_zh) == 0 || strcmp (shown, d->pub.name_en) == 0;
}

GPtrArray *
ec_drugs_suggest (EcDrugTable *t,
                  const char  *prefix,
                  guint        limit)
{
  g_autofree char *key = NULL;
  g_autoptr(GHashTable) best = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  GPtrArray *out;

  g_return_val_if_fail (t != NULL, NULL);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_drug_suggestion_free);
  if (limit == 0)
    limit = 20;
  key = ec_drugs_normalise (prefix);
  if (key[0] == '\0')
    return out;

  best = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  for (guint i = 0; i < t->drug_names->len; i++)
    {
      const NameKey *k = t->drug_names->pdata[i];
      const DrugPriv *d = k->target;
      Best *b;
      guint rank;

      if (d->pub.is_allergen)
        continue;
      if (strcmp (k->key, key) == 0)
        rank = 0;
      else if (g_str_has_prefix (k->key, key))
        rank = 1;
      else if (strstr (k->key, key) != NULL)
        rank = 2;
      else
        continue;
      b = g_hash_table_lookup (best, d);
      if (b == NULL)
        {
          b = g_new0 (Best, 1);
          b->name = k;
          b->rank = rank;
          g_hash_table_insert (best, (gpointer) d, b);
        }
      else if (rank < b->rank || (rank == b->rank && is_primary_name (d, k->shown)
                                  && !is_primary_name (d, b->name->shown)))
        {
          b->name = k;
          b->rank = rank;
        }
    }
  sorted = hash_values (best);
  g_ptr_array_sort (sorted, compare_best);
  for (guint i = 0; i < sorted->len && out->len < limit; i++)
    {
      const Best *b = sorted->pdata[i];
      const DrugPriv *d = b->name->target;
      EcDrugSuggestion *s = g_new0 (EcDrugSuggestion, 1);
      gboolean primary = is_primary_name (d, b->name->shown);

      s->drug = &d->pub;
      s->matched = g_strdup (b->name->shown);
      if (primary || is_ascii (b->name->shown))
        s->display_zh = g_strdup (d->pub.name_zh);
      else
        s->display_zh = g_strdup_printf ("%s（%s）", b->name->shown, d->pub.name_zh);
      if (primary || !is_ascii (b->name->shown))
        s->display_en = g_strdup (d->pub.name_en);
      else
        s->display_en = g_strdup_printf ("%s (%s)", b->name->shown, d->pub.name_en);
      g_ptr_array_add (out, s);
    }
  return out;
}

/* Edit distance (insertions, deletions, substitutions and swaps of two neighbours)
 * between two strings of characters, or @cap + 1 when it is above @cap. */
static guint
edit_distance (const gunichar *a,
               glong           na,
               const gunichar *b,
               glong           nb,
               guint           cap)
{
  g_autofree guint *prev2 = g_new0 (guint, nb + 1);
  g_autofree guint *prev = g_new0 (guint, nb + 1);
  g_autofree guint *cur = g_new0 (guint, nb + 1);

  if ((guint) ABS (na - nb) > cap)
    return cap + 1;
  for (glong j = 0; j <= nb; j++)
    prev[j] = (guint) j;
  for (glong i = 1; i <= na; i++)
    {
      guint row_min;

      cur[0] = (guint) i;
      row_min = cur[0];
      for (glong j = 1; j <= nb; j++)
        {
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
          guint v = MIN (MIN (prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);

          if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
            v = MIN (v, prev2[j - 2] + 1);
          cur[j] = v;
          row_min = MIN (row_min, v);
        }
      if (row_min > cap)
        return cap + 1;
      {
        guint *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
      }
    }
  return prev[nb];
}

static EcDrugSuggestion *
suggestion_new (const DrugPriv *d,
                const NameKey  *name)
{
  EcDrugSuggestion *s = g_new0 (EcDrugSuggestion, 1);
  gboolean primary = is_primary_name (d, name->shown);

  s->drug = &d->pub;
  s->matched = g_strdup (name->shown);
  if (primary || is_ascii (name->shown))
    s->display_zh = g_strdup (d->pub.name_zh);
  else
    s->display_zh = g_strdup_printf ("%s（%s）", name->shown, d->pub.name_zh);
  if (primary || !is_ascii (name->shown))
    s->display_en = g_strdup (d->pub.name_en);
  else
    s->display_en = g_strdup_printf ("%s (%s)", name->shown, d->pub.name_en);
  return s;
}

GPtrArray *
ec_drugs_did_you_mean (EcDrugTable *t,
                       const char  *text,
                       guint        limit)
{
  g_autofree char *key = NULL;
  g_autofree gunichar *chars = NULL;
  g_autoptr(GHashTable) best = NULL;
  g_autoptr(GHashTable) exact = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  GPtrArray *out;
  glong n = 0;
  guint cap;

  g_return_val_if_fail (t != NULL, NULL);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_drug_suggestion_free);
  if (limit == 0)
    limit = 5;
  key = ec_drugs_normalise (text);
  chars = g_utf8_to_ucs4_fast (key, -1, &n);
  /* Latin letters: a typo in four; Chinese: one character in three, at least one. */
  cap = is_ascii (key) ? (guint) (n / 4) : (guint) MAX (1, n / 3);
  if (n < (is_ascii (key) ? 4 : 2) || cap == 0)
    return out;

  best = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  exact = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < t->drug_names->len; i++)
    {
      const NameKey *k = t->drug_names->pdata[i];
      const DrugPriv *d = k->target;
      g_autofree gunichar *name = NULL;
      glong nn = 0;
      guint dist;
      Best *b;

      if (d->pub.is_allergen || k->ascii != is_ascii (key))
        continue;
      name = g_utf8_to_ucs4_fast (k->key, -1, &nn);
      dist = edit_distance (chars, n, name, nn, cap);
      if (dist == 0)
        g_hash_table_add (exact, (gpointer) d);
      if (dist > cap || dist == 0)
        continue;
      b = g_hash_table_lookup (best, d);
      if (b == NULL)
        {
          b = g_new0 (Best, 1);
          b->name = k;
          b->rank = dist;
          g_hash_table_insert (best, (gpointer) d, b);
        }
      else if (dist < b->rank)
        {
          b->name = k;
          b->rank = dist;
        }
    }
  /* The text already names a drug exactly: that drug is no "did you mean". */
  {
    GHashTableIter it;
    gpointer d;

    g_hash_table_iter_init (&it, exact);
    while (g_hash_table_iter_next (&it, &d, NULL))
      g_hash_table_remove (best, d);
  }
  sorted = hash_values (best);
  g_ptr_array_sort (sorted, compare_best);
  for (guint i = 0; i < sorted->len && out->len < limit; i++)
    {
      const Best *b = sorted->pdata[i];
      g_ptr_array_add (out, suggestion_new (b->name->target, b->name));
    }
  return out;
}

/* ------------------------------------------------------------------------- */
/* Recorded allergy entries */

/* Between list entries, always. */
static const char *const strong_separators[] = {
  "、", "，", ",", "；", ";", "/", "／", "|", "。", "\n", "\r", "\t", "+", "＋",
  "(", ")", "（", "）", "[", "]", "【", "】", NULL
};
/* Between names when what they separate are whole names ("青霉素和磺胺", "penicillin sulfa");
 * not inside one ("诺和灵"). */
static const char *const weak_separators[] = { " ", "\u3000", "和", "及", "与", "或", NULL };
/* Words of an allergy entry that name nothing. */
static const char *const allergy_noise[] = {
  "过敏", "过敏史", "过敏反应", "有过敏", "等", "对", "allergy", "allergic", "allergies", "to",
  "and", "or", "&", NULL
};

static gboolean
is_noise (const char *raw)
{
  g_autofree char *k = ec_drugs_normalise (raw);

  if (k[0] == '\0')
    return TRUE;
  for (guint i = 0; allergy_noise[i] != NULL; i++)
    if (strcmp (k, allergy_noise[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Split @text at @seps: the pieces between them, trimmed, empty ones dropped, each with
 * its byte offset in @text. */
typedef struct
{
  gsize start;
  gsize end;
} Span;

static GArray *
split_spans (const char        *text,
             gsize              len,
             const char *const *seps)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (Span));
  gsize start = 0, i = 0;

  while (i <= len)
    {
      gsize n = 0;

      if (i < len)
        for (guint j = 0; seps[j] != NULL; j++)
          {
            gsize l = strlen (seps[j]);
            if (i + l <= len && memcmp (text + i, seps[j], l) == 0)
              {
                n = l;
                break;
              }
          }
      if (i == len || n > 0)
        {
          if (i > start)
            {
              Span sp = { start, i };
              g_array_append_val (spans, sp);
            }
          i += n > 0 ? n : 1;
          start = i;
          continue;
        }
      i += (gsize) (g_utf8_next_char (text + i) - (text + i));
    }
  return spans;
}

static void
add_part (GPtrArray  *parts,
          const char *text,
          gsize       len,
          gpointer    drug,
          gpointer    cls,
          gboolean    partial,
          gboolean    several)
{
  EcAllergyPart *p;

  for (guint i = 0; i < parts->len; i++)
    {
      const EcAllergyPart *q = parts->pdata[i];
      if (q->drug == drug && q->cls == cls && !(q->partial && !partial))
        return;
    }
  p = g_new0 (EcAllergyPart, 1);
  p->text = g_strstrip (g_strndup (text, len));
  p->drug = drug;
  p->cls = cls;
  p->partial = partial;
  p->several = several;
  g_ptr_array_add (parts, p);
}

/* Whether normalised @key names something: add it (or, for an ambiguous name, every
 * product it fits) to @parts. */
static gboolean
add_exact (EcDrugTable *t,
           const char  *key,
           const char  *text,
           gsize        len,
           GPtrArray   *parts)
{
  gpointer hit;
  const EcDrugAmbiguous *amb;

  if (key[0] == '\0')
    return FALSE;
  if ((hit = g_hash_table_lookup (t->drug_keys, key)) != NULL)
    {
      add_part (parts, text, len, hit, NULL, FALSE, FALSE);
      return TRUE;
    }
  if ((hit = g_hash_table_lookup (t->class_keys, key)) != NULL)
    {
      add_part (parts, text, len, NULL, hit, FALSE, FALSE);
      return TRUE;
    }
  if ((amb = g_hash_table_lookup (t->amb_keys, key)) != NULL)
    {
      for (guint i = 0; i < amb->drugs->len; i++)
        add_part (parts, text, len, amb->drugs->pdata[i], NULL, FALSE, TRUE);
      return TRUE;
    }
  return FALSE;
}

/* The whole names inside @raw, a part that is not itself a name: the longest ones
 * (a name inside another found name is dropped), as partial parts. */
static void
add_contained (EcDrugTable *t,
               const char  *raw,
               GPtrArray   *parts)
{
  g_autofree char *key = ec_drugs_normalise (raw);
  g_autoptr(GPtrArray) hits = g_ptr_array_new ();
  GPtrArray *lists[] = { t->drug_names, t->class_names };

  if (key[0] == '\0')
    return;
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        const NameKey *k = lists[l]->pdata[i];
        if (key_long_enough_inside (k) && strstr (key, k->key) != NULL)
          g_ptr_array_add (hits, (gpointer) k);
      }
  for (guint i = 0; i < hits->len; i++)
    {
      const NameKey *k = hits->pdata[i];
      gboolean inside_other = FALSE;

      for (guint j = 0; j < hits->len && !inside_other; j++)
        {
          const NameKey *o = hits->pdata[j];
          inside_other = o != k && strlen (o->key) > strlen (k->key) && strstr (o->key, k->key) != NULL;
        }
      if (inside_other)
        continue;
      if (g_hash_table_lookup (t->drug_keys, k->key) == k->target)
        add_part (parts, raw, strlen (raw), k->target, NULL, TRUE, FALSE);
      else
        add_part (parts, raw, strlen (raw), NULL, k->target, TRUE, FALSE);
    }
}

GPtrArray *
_ec_drugs_resolve_allergy (EcDrugTable  *t,
                           const char   *text,
                           GPtrArray   **out_unrecognised)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func ((GDestroyNotify) _ec_allergy_part_free);
  GPtrArray *unrec = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *key = NULL;
  g_autoptr(GArray) segments = NULL;
  gsize len;

  *out_unrecognised = unrec;
  if (text == NULL)
    return parts;
  len = strnlen (text, EC_DRUGS_MAX_QUERY + 1);
  if (len > EC_DRUGS_MAX_QUERY || !g_utf8_validate_len (text, len, NULL))
    {
      g_ptr_array_add (unrec, g_strdup ("?"));
      return parts;
    }
  key = ec_drugs_normalise (text);
  if (add_exact (t, key, text, len, parts))
    return parts;

  segments = split_spans (text, len, strong_separators);
  for (guint s = 0; s < segments->len; s++)
    {
      const Span *seg = &g_array_index (segments, Span, s);
      const char *st = text + seg->start;
      gsize sl = seg->end - seg->start;
      g_autofree char *seg_text = g_strndup (st, sl);
      g_autofree char *seg_key = ec_drugs_normalise (seg_text);
      g_autoptr(GArray) tokens = NULL;
      guint i = 0;

      if (is_noise (seg_text) || add_exact (t, seg_key, st, sl, parts))
        continue;
      /* Whole names separated by spaces or 和/及/与: the longest run of tokens that is a
       * name, from the left. */
      tokens = split_spans (seg_text, sl, weak_separators);
      while (i < tokens->len)
        {
          const Span *ti = &g_array_index (tokens, Span, i);
          guint j;

          for (j = tokens->len; j > i; j--)
            {
              const Span *tj = &g_array_index (tokens, Span, j - 1);
              g_autofree char *run = g_strndup (seg_text + ti->start, tj->end - ti->start);
              g_autofree char *run_key = ec_drugs_normalise (run);

              if (add_exact (t, run_key, run, strlen (run), parts))
                break;
            }
          if (j > i)
            {
              i = j;
              continue;
            }
          {
            g_autofree char *tok = g_strndup (seg_text + ti->start, ti->end - ti->start);
            if (!is_noise (tok))
              {
                add_contained (t, tok, parts);
                g_ptr_array_add (unrec, g_strstrip (g_steal_pointer (&tok)));
              }
          }
          i++;
        }
    }
  return parts;
}
