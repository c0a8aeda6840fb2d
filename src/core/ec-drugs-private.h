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

/* Arrays of the rows above, borrowed. */
GPtrArray            *_ec_drug_table_get_contains  (EcDrugTable *table);
GPtrArray            *_ec_drug_table_get_cross     (EcDrugTable *table);
GPtrArray            *_ec_drug_table_get_notes     (EcDrugTable *table);
const EcDrugDupgroup *_ec_drug_table_get_dupgroup  (EcDrugTable *table,
                                                    const char  *id);

/* Resolve free text (an allergy substance or a medication name) to a drug or allergen,
 * else to a class: exact names first, then unique partial matches. At most one of the
 * out values is set; FALSE when nothing fits. */
gboolean              _ec_drugs_resolve            (EcDrugTable        *table,
                                                    const char         *text,
                                                    const EcDrug      **out_drug,
                                                    const EcDrugClass **out_class);

G_END_DECLS
