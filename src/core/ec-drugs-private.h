/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-drugs-private.h: the rules of the drug table, for ec-allergy-check.c. */
#pragma once

#include "ec-drugs.h"

G_BEGIN_DECLS

typedef enum
{
  EC_DRUG_STRENGTH_CAUTION = 0,
  EC_DRUG_STRENGTH_SEVERE_STOP,  /* caution; stop after a severe or high-criticality allergy */
  EC_DRUG_STRENGTH_STOP,
  EC_DRUG_STRENGTH_ANAPHYLAXIS_STOP,  /* caution; stop after anaphylaxis, a severe reaction or
                                       * high criticality (not when only unassessed) */
  EC_DRUG_STRENGTH_RESPIRATORY_STOP,  /* severe-stop, and stop when the recorded reaction was
                                       * respiratory (asthma, bronchospasm, breathlessness) */
} EcDrugStrength;

/* A contains row (a = drug, b = substance) or a cross row (a = from, b = to, "*" = any
 * drug); a and b are drug/allergen or class ids. */
typedef struct
{
  char           *a;
  char           *b;
  EcDrugStrength  strength;
  char          **sources;      /* NULL-terminated source ids, maybe empty */
  char           *reason_zh;
  char           *reason_en;
  guint           line;
} EcDrugRule;

typedef struct
{
  char   *target;               /* class or drug id */
  char  **sources;
  char   *text_zh;
  char   *text_en;
} EcDrugNote;

typedef struct
{
  char   *id;
  char  **sources;
  char   *reason_zh;
  char   *reason_en;
} EcDrugDupgroup;

/* Why the members of a class are one allergy family (a "family" row). */
typedef struct
{
  char   *cls;
  char  **sources;
  char   *reason_zh;
  char   *reason_en;
} EcDrugFamily;

/* A name that fits several products ("带状疱疹疫苗": live or recombinant). */
typedef struct
{
  char      **names;
  char      **drug_ids;
  GPtrArray  *drugs;            /* EcDrug*, borrowed */
  char      **sources;
  char       *reason_zh;
  char       *reason_en;
  guint       line;
} EcDrugAmbiguous;

/* One part of a recorded allergy entry, resolved (ec-allergy-check.c). */
typedef struct
{
  char              *text;      /* the part as written */
  const EcDrug      *drug;      /* a drug or allergen, or */
  const EcDrugClass *cls;       /* a class */
  gboolean           partial;   /* a whole name found inside a part that is not itself a name */
  gboolean           several;   /* one of the products an ambiguous name fits */
} EcAllergyPart;

void                  _ec_allergy_part_free        (EcAllergyPart *part);

/* Arrays of the rows above, borrowed. */
GPtrArray            *_ec_drug_table_get_contains  (EcDrugTable *table);
GPtrArray            *_ec_drug_table_get_cross     (EcDrugTable *table);
GPtrArray            *_ec_drug_table_get_notes     (EcDrugTable *table);
const EcDrugDupgroup *_ec_drug_table_get_dupgroup  (EcDrugTable *table,
                                                    const char  *id);

/* The family row of class @cls_id, or NULL. */
const EcDrugFamily   *_ec_drug_table_get_family    (EcDrugTable *table,
                                                    const char  *cls_id);
/* The ambiguous row whose name is the normalised @key, or NULL. */
const EcDrugAmbiguous *_ec_drug_table_get_ambiguous (EcDrugTable *table,
                                                     const char  *key);

/* Read one recorded allergy entry: the whole text when it is a name (a drug, allergen,
 * class, or an ambiguous name: then every product it fits); else its parts, split at
 * list separators (、，,;；/ brackets, then 和 及 与 and spaces where those separate
 * whole names). Only whole names and their aliases are read; a part that is not one is
 * returned in @out_unrecognised (char*), and the whole names found inside it are parts
 * marked partial. Never matches the text inside a longer name. Returns EcAllergyPart*
 * (owned), maybe empty. */
GPtrArray            *_ec_drugs_resolve_allergy    (EcDrugTable  *table,
                                                    const char   *text,
                                                    GPtrArray   **out_unrecognised);

/* Resolve free text (an allergy substance or a medication name) to a drug or allergen,
 * else to a class: exact names first, then unique partial matches. At most one of the
 * out values is set; FALSE when nothing fits. */
gboolean              _ec_drugs_resolve            (EcDrugTable        *table,
                                                    const char         *text,
                                                    const EcDrug      **out_drug,
                                                    const EcDrugClass **out_class);

G_END_DECLS
