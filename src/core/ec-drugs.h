/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-drugs.h: the drug and allergen knowledge table (data/drugs.tsv) behind the nurse's
 * allergy check (ec-allergy-check.h).
 *
 * The table is shipped as reviewable data, with its sources cited in the file and in
 * data/SOURCES.md; its format is described in the file's header. It names drugs (what a
 * nurse gives or a resident takes) and allergens (egg, gelatin, latex…), each with
 * Chinese and English names and aliases (generic names, brand names, pinyin), maps them
 * to classes (penicillins, cephalosporins by generation, NSAIDs…), and holds the rules
 * the check applies: components of combination products and vaccines, cross-reactivity
 * between classes or drugs, duplicate groups, and local-practice notes.
 *
 * Where the table lives at run time (ec_drugs_default_path):
 *   ec_paths_datadir ()/drugs.tsv: $ELDERCARD_DATADIR/drugs.tsv; else the source tree's
 *   data/drugs.tsv when running from a build tree; else PREFIX/share/eldercard/drugs.tsv,
 *   where make install puts data/ (ec-paths.h).
 *
 * The file is outside input: at most EC_DRUGS_MAX_BYTES, valid UTF-8 without NUL,
 * lines of at most EC_DRUGS_MAX_LINE bytes, every id and reference checked; see
 * tests/fuzz/fuzz-drugs.c. Errors are in EC_DRUGS_ERROR, naming the line.
 *
 * A loaded table is never modified: the kiosk can load it once (about 5 ms, `make bench-allergy`) and use it
 * from any thread; every query only reads it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EC_DRUGS_ERROR (ec_drugs_error_quark ())

typedef enum
{
  EC_DRUGS_ERROR_TOO_LARGE,    /* file, line, field count or record count over the limits */
  EC_DRUGS_ERROR_ENCODING,     /* not UTF-8, or a NUL byte */
  EC_DRUGS_ERROR_SYNTAX,       /* wrong field count, bad id, unknown record kind or value */
  EC_DRUGS_ERROR_DUPLICATE,    /* an id defined twice, or one alias naming two drugs */
  EC_DRUGS_ERROR_REFERENCE,    /* a class, drug, source or group that is not defined */
  EC_DRUGS_ERROR_VERSION,      /* no "format eldercard-drugs 1" line, or another version */
} EcDrugsError;

GQuark ec_drugs_error_quark (void);

#define EC_DRUGS_FORMAT_VERSION 1
#define EC_DRUGS_MAX_BYTES      (4 * 1024 * 1024)
#define EC_DRUGS_MAX_LINE       4096
#define EC_DRUGS_MAX_RECORDS    20000
#define EC_DRUGS_MAX_FIELDS     8
#define EC_DRUGS_MAX_LIST       64      /* aliases, classes or sources in one field */
#define EC_DRUGS_MAX_ID         64
#define EC_DRUGS_MAX_DEPTH      8       /* class parent chain */
/* Longer text given to ec_drugs_normalise() and the lookups is refused. */
#define EC_DRUGS_MAX_QUERY      1024

#define EC_DRUGS_DEFAULT_SYSTEM_DIR "/usr/share/eldercard"

typedef struct _EcDrugTable EcDrugTable;

typedef enum
{
  EC_DRUG_CLASS_STRICT = 1 << 0, /* any allergy in this family stops (local guideline) */
  EC_DRUG_CLASS_LOOSE  = 1 << 1, /* an umbrella for lookups, not an allergy family */
  EC_DRUG_CLASS_GROUP  = 1 << 2, /* an allergy recorded to the group as a whole stops every
                                  * member (β-lactams); use with loose */
  EC_DRUG_CLASS_ADJUNCT = 1 << 3,/* a minor part of combinations (β-lactamase inhibitors): an
                                  * allergy to a combination is not assumed to be to it */
} EcDrugClassFlags;

/* Read-only views owned by the table. */
typedef struct _EcDrugClass EcDrugClass;
struct _EcDrugClass
{
  char        *id;        /* "cephalosporin-3" */
  char        *name_zh;   /* 第三代头孢菌素 */
  char        *name_en;   /* third-generation cephalosporins */
  EcDrugClass *parent;    /* NULL at the top */
  char        *dupgroup;  /* NULL = none */
  guint        flags;     /* EcDrugClassFlags */
};

typedef struct
{
  char       *id;          /* "amoxicillin" */
  char       *name_zh;     /* 阿莫西林 */
  char       *name_en;     /* amoxicillin */
  gboolean    is_allergen; /* an allergen or excipient, not something given */
  GPtrArray  *classes;     /* EcDrugClass*, borrowed; may be empty for allergens */
} EcDrug;

typedef enum
{
  EC_DRUG_MATCH_NONE = 0,
  EC_DRUG_MATCH_EXACT,      /* the normalised text is a name or alias */
  EC_DRUG_MATCH_PARTIAL,    /* a name is part of the text, or the text part of one name */
  EC_DRUG_MATCH_AMBIGUOUS,  /* several drugs fit: see the candidates */
  EC_DRUG_MATCH_CONTAINED,  /* a name of one drug is inside the text, and the text has
                             * more that was not recognised ("复方阿莫西林",
                             * "利多卡因肾上腺素"): see ec_drugs_lookup_full() */
} EcDrugMatch;

/* One autocomplete entry (ec_drugs_suggest). */
typedef struct
{
  const EcDrug *drug;      /* borrowed from the table */
  char         *matched;   /* the name or alias that matched, as written in the table */
  char         *display_zh;/* "阿莫西林" or "阿莫仙（阿莫西林）" when a brand matched */
  char         *display_en;/* "amoxicillin" or "Amoxil (amoxicillin)" */
} EcDrugSuggestion;

void          ec_drug_suggestion_free      (EcDrugSuggestion *suggestion);

/* ec_paths_datadir ()/drugs.tsv (see above). */
char         *ec_drugs_default_path        (void);

EcDrugTable  *ec_drug_table_new_from_data  (const char        *data,
                                            gsize              len,
                                            GError           **error);
EcDrugTable  *ec_drug_table_new_from_file  (const char        *path,
                                            GError           **error);
/* ec_drug_table_new_from_file (ec_drugs_default_path ()). */
EcDrugTable  *ec_drug_table_load_default   (GError           **error);
void          ec_drug_table_free           (EcDrugTable       *table);

guint         ec_drug_table_get_n_drugs    (EcDrugTable       *table);   /* drugs and allergens */
/* Every drug and allergen (EcDrug*, borrowed, in file order). */
GPtrArray    *ec_drug_table_get_drugs      (EcDrugTable       *table);
const EcDrug *ec_drug_table_get_drug       (EcDrugTable       *table,
                                            const char        *id);
const EcDrugClass *ec_drug_table_get_class (EcDrugTable       *table,
                                            const char        *id);
/* The full citation of source @id, NULL if unknown. */
const char   *ec_drug_table_get_source     (EcDrugTable       *table,
                                            const char        *id);
/* Whether @drug belongs to class @class_id or one of its sub-classes. */
gboolean      ec_drug_in_class             (const EcDrug      *drug,
                                            const char        *class_id);

/* The key names are compared by: NFKC (full-width to half-width), case folding, dose
 * text removed ("0.5g", "500 mg", "80万单位", "2ml"), everything but letters and digits
 * removed (spaces, hyphens, punctuation), then dosage-form and salt words stripped from
 * the ends (注射液, 注射用, 片, 胶囊, 针, 钠, 盐酸…, injection, tablets, sodium…) and
 * 过敏/allergy. "ＡＭＯＸＩＣＩＬＬＩＮ", "a mo xi lin" (as pinyin), "阿莫西林胶囊 0.5g"
 * and "注射用头孢曲松钠" all reduce to a table key. Returns "" for NULL, text that is
 * not UTF-8, or longer than EC_DRUGS_MAX_QUERY bytes. */
char         *ec_drugs_normalise           (const char        *text);

/* The drug the nurse means by @text (drugs only, not allergens): an exact name or alias
 * (also a name with a same-drug brand or a strength in brackets, "甘精胰岛素注射液(来得时)");
 * a name of a table "ambiguous" row ("带状疱疹疫苗") is AMBIGUOUS with its products as
 * candidates; else a unique partial match (a table name inside the text, e.g. "罗氏芬头孢曲松", or
 * the text inside names of exactly one drug, e.g. "ceftriax"; CONTAINED when the text
 * holds more than the drug's names). Returns NULL when nothing
 * or several drugs fit; @out_match says which; @out_candidates (nullable) gets the
 * fitting drugs (borrowed EcDrug*, at most 20) when AMBIGUOUS. */
const EcDrug *ec_drugs_lookup              (EcDrugTable       *table,
                                            const char        *text,
                                            EcDrugMatch       *out_match,
                                            GPtrArray        **out_candidates);

/* ec_drugs_lookup(), and for EC_DRUG_MATCH_CONTAINED the normalised text that was not
 * recognised (@out_unrecognised, nullable; NULL otherwise; g_free it). */
const EcDrug *ec_drugs_lookup_full         (EcDrugTable       *table,
                                            const char        *text,
                                            EcDrugMatch       *out_match,
                                            GPtrArray        **out_candidates,
                                            char             **out_unrecognised);

/* Autocomplete for the nurse's drug field: drugs whose names or aliases equal, start
 * with, or contain the normalised @prefix, in that order, then shorter names first;
 * one entry per drug, at most @limit (0 = 20). Returns EcDrugSuggestion* (owned array,
 * free with g_ptr_array_unref). */
GPtrArray    *ec_drugs_suggest             (EcDrugTable       *table,
                                            const char        *prefix,
                                            guint              limit);

/* "Did you mean": drugs whose names or aliases are a few typing slips away from the
 * normalised @text ("amoxcilin" → amoxicillin; insertions, deletions, substitutions,
 * swapped neighbours: at most one in four Latin letters, one in three Chinese
 * characters), nearest first, at most @limit (0 = 5). Exact names are not repeated
 * (ec_drugs_lookup finds them). Returns EcDrugSuggestion* (free with g_ptr_array_unref). */
GPtrArray    *ec_drugs_did_you_mean        (EcDrugTable       *table,
                                            const char        *text,
                                            guint              limit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcDrugTable, ec_drug_table_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcDrugSuggestion, ec_drug_suggestion_free)

G_END_DECLS
