/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-allergy-check.h: check the drug a visiting nurse is about to give against the
 * resident's recorded allergies and current medications (decision support).
 *
 * The nurse's judgement and the prescription decide. / 以护士判断和处方为准。
 *
 * Verdicts (worst finding wins; docs/nurse-guide.md):
 *   STOP                  do not give; a recorded allergy makes this drug dangerous
 *   CAUTION               check before giving (cross-reactivity, duplicate medication,
 *                         allergy history unknown, an allergy the table cannot read)
 *   NO_RECORDED_CONFLICT  nothing recorded conflicts; NOT a statement that it is safe
 *   UNKNOWN_DRUG          the drug is not in the table (or the text fits several drugs):
 *                         "not in the table: check manually"; never a silent pass
 *
 * Policy, per recorded allergy (its substance resolved through the drug table: a drug
 * such as 阿莫西林, a class such as 青霉素类/头孢类, or an allergen such as 鸡蛋):
 *   same substance (the drug, or an active ingredient of it)  -> STOP, any criticality
 *   same class (allergy family)   -> STOP if the class is 'strict' (penicillins and
 *                                    cephalosporins: Chinese guideline) or the allergy is
 *                                    serious (criticality high or unable-to-assess, or
 *                                    a severe past reaction); else CAUTION
 *   component (vaccine excipient, combination product) and cross-reactivity rows of
 *   the table -> their strength: stop, caution, or severe-stop (STOP when serious,
 *   else CAUTION); a component related only by class is one step weaker
 *   substance not in the table    -> CAUTION "compare manually"
 * Suspected allergies count as confirmed. Allergy status "unknown" -> CAUTION finding
 * "allergy history unknown" (never NO_RECORDED_CONFLICT); "recorded" with an empty
 * list is treated the same. A current medication of the same drug or the same duplicate
 * group -> CAUTION; a medication the table cannot read -> an information finding.
 * A drug text of which only part is a known name ("复方阿莫西林", "利多卡因肾上腺素") is
 * checked as that drug plus a CAUTION finding naming the unrecognised rest.
 *
 * Reading a recorded allergy (ec-drugs-private.h _ec_drugs_resolve_allergy): whole names
 * and aliases only, never a part of a longer name; an entry listing several substances
 * ("青霉素，磺胺类药物") is checked part by part, each finding naming its part; a part
 * that is not a name -> CAUTION "not recognised — check manually" (and any whole names
 * inside it are still checked); an allergy to a combination product or vaccine counts
 * for its active ingredients and, as the component rows say, for products with the
 * same excipient; other relations of an excipient, and β-lactamase inhibitors, count
 * as possible causes (at most CAUTION). A drug name that fits several products (a table
 * "ambiguous" row, "带状疱疹疫苗", or a fragment such as "阿莫") is checked as each of
 * them: candidate_checks holds each verdict, and the verdict is the worst (at least
 * CAUTION; for a fragment, UNKNOWN_DRUG unless one gives STOP). */
#pragma once

#include <glib.h>

#include "ec-drugs.h"
#include "ec-record.h"

G_BEGIN_DECLS

#define EC_ALLERGY_DISCLAIMER_EN "The nurse's judgement and the prescription decide."
#define EC_ALLERGY_DISCLAIMER_ZH "以护士判断和处方为准。"

typedef enum
{
  EC_VERDICT_NO_RECORDED_CONFLICT = 0,
  EC_VERDICT_CAUTION,
  EC_VERDICT_STOP,
  EC_VERDICT_UNKNOWN_DRUG,
} EcVerdict;

typedef enum
{
  EC_FINDING_SAME_SUBSTANCE = 0,    /* the allergy is to this very drug */
  EC_FINDING_SAME_CLASS,            /* same allergy family (e.g. penicillins) */
  EC_FINDING_CROSS_REACTIVE,        /* a cross-reactive class or drug (table rule) */
  EC_FINDING_COMPONENT,             /* the drug contains the allergen (egg, gelatin, amoxicillin…) */
  EC_FINDING_DUPLICATE_MEDICATION,  /* a current medication of the same drug or group */
  EC_FINDING_ALLERGY_STATUS_UNKNOWN,/* nobody has established the allergy history */
  EC_FINDING_ALLERGY_NOT_IN_TABLE,  /* a recorded allergy the table cannot read */
  EC_FINDING_MEDICATION_NOT_IN_TABLE,/* information: a medication not checked for duplicates */
  EC_FINDING_CHECK_MANUALLY,        /* unknown drug: compare with this allergy yourself */
  EC_FINDING_NAME_PARTLY_RECOGNISED,/* only part of the drug text is a known name (CONTAINED) */
  EC_FINDING_AMBIGUOUS_DRUG,        /* the drug name fits several products: pick one */
} EcFindingKind;

typedef struct
{
  EcFindingKind  kind;
  EcVerdict      level;        /* what this finding alone means; NO_RECORDED_CONFLICT = information */
  EcAllergy     *allergy;      /* copy of the matched allergy, or NULL */
  char          *part;         /* the part of the allergy entry this is about ("磺胺类药物" in
                                * "青霉素，磺胺类药物"), or NULL */
  EcMedication  *medication;   /* copy of the duplicate medication, or NULL */
  char          *matched_zh;   /* what linked them: "青霉素类", "明胶", "阿莫西林"; or NULL */
  char          *matched_en;
  char          *reason_zh;
  char          *reason_en;
  GPtrArray     *sources;      /* char* full citations */
} EcAllergyFinding;

typedef struct
{
  char          *text_zh;
  char          *text_en;
  GPtrArray     *sources;      /* char* full citations */
} EcAllergyNote;

/* One product an ambiguous drug name fits, and its own verdict. */
typedef struct
{
  char          *id;
  char          *name_zh;
  char          *name_en;
  EcVerdict      verdict;
} EcAllergyCandidate;

typedef struct
{
  EcVerdict      verdict;
  char          *drug_text;    /* what the nurse typed */
  char          *drug_id;      /* the table's drug, NULL when UNKNOWN_DRUG */
  char          *drug_name_zh;
  char          *drug_name_en;
  EcDrugMatch    match;        /* EXACT, PARTIAL/CONTAINED ("read as"), AMBIGUOUS or NONE */
  char          *unrecognised; /* CONTAINED: the part of the text not recognised, else NULL */
  GPtrArray     *candidates;   /* char* "阿莫西林 / amoxicillin" when AMBIGUOUS */
  GPtrArray     *candidate_checks; /* EcAllergyCandidate*, one per candidate, when AMBIGUOUS */
  EcAllergyStatus allergy_status;
  GPtrArray     *findings;     /* EcAllergyFinding*, worst first */
  GPtrArray     *notes;        /* EcAllergyNote*: local practice for this drug */
} EcAllergyVerdict;

void         ec_allergy_verdict_free       (EcAllergyVerdict *verdict);

/* Check @drug_text against @resident's allergies and medications. FALSE only for bad
 * arguments (NULL table/resident, drug text empty or not UTF-8: G_IO_ERROR_INVALID_ARGUMENT);
 * an unknown drug is a verdict (UNKNOWN_DRUG), not an error. */
gboolean     ec_allergy_check              (EcDrugTable       *table,
                                            const EcResident  *resident,
                                            const char        *drug_text,
                                            EcAllergyVerdict **out,
                                            GError           **error);

/* Stable names: "no-recorded-conflict", "caution", "stop", "unknown-drug". */
const char  *ec_verdict_to_string          (EcVerdict          verdict);
/* "same-substance", "same-class", "cross-reactive", "component", "duplicate-medication",
 * "allergy-status-unknown", "allergy-not-in-table", "medication-not-in-table",
 * "check-manually", "name-partly-recognised", "ambiguous-drug". */
const char  *ec_finding_kind_to_string     (EcFindingKind      kind);
/* One line for the screen: "停止：不要给药" / "STOP: do not give" etc. */
const char  *ec_verdict_headline           (EcVerdict          verdict,
                                            gboolean           chinese);

/* The verdict as JSON (an object: verdict, drug, match, candidates, allergy_status,
 * findings[], notes[], disclaimer{zh,en}), for the CLI's --json and the audit log. */
char        *ec_allergy_verdict_to_json    (const EcAllergyVerdict *verdict,
                                            gboolean           pretty);
/* A short summary for the audit log detail: "drug=amoxicillin verdict=stop findings=1". */
char        *ec_allergy_verdict_audit_detail (const EcAllergyVerdict *verdict);

/* Allergies and medications from JSON, so the check is scriptable without a database:
 * the object `eldercard resident show --json` prints (other members are ignored):
 *   { "allergy_status": "unknown" | "none-known" | "recorded",
 *     "allergies": [ { "substance": "青霉素", "category": "medication",
 *                      "criticality": "high", "reaction": "过敏性休克",
 *                      "severity": "severe", "confirmed": true }, … ],
 *     "medications": [ { "name": "阿司匹林肠溶片", "dose": "100 mg", "route": "口服" }, … ] }
 * Only "substance" and "name" are required in the entries; a missing allergy_status is
 * "recorded" when allergies are listed, else "unknown". Outside input: at most
 * EC_ALLERGY_INPUT_MAX_BYTES, EC_ALLERGY_INPUT_MAX_ENTRIES per list, strings of at
 * most EC_ALLERGY_INPUT_MAX_STRING bytes. Errors: G_IO_ERROR_INVALID_DATA (or
 * json-glib's JSON_PARSER_ERROR) naming what is wrong. */
#define EC_ALLERGY_INPUT_MAX_BYTES   (256 * 1024)
#define EC_ALLERGY_INPUT_MAX_ENTRIES 200
#define EC_ALLERGY_INPUT_MAX_STRING  1024

EcResident  *ec_allergy_input_from_json    (const char        *data,
                                            gsize              len,
                                            GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcAllergyVerdict, ec_allergy_verdict_free)

G_END_DECLS
