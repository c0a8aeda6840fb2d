/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-record.h: the resident's emergency record, as the database holds it and the
 * kiosk shows it. Modelled on the German NFD/DPE, HL7 IPS and the Chinese community
 * cards (docs/data-model.md). Plain structs owned by their free functions.
 *
 * Strings are UTF-8 and owned (g_free); NULL means "not recorded". Times are Unix
 * seconds UTC (0 = not recorded); dates are "YYYY-MM-DD" strings. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The pseudonymous resident id carried on the card: 64 random bits, shown as 16
 * lower-case hex digits. Never a national ID or insurance number. */
typedef guint64 EcResidentId;

typedef enum
{
  EC_SEX_UNKNOWN = 0,
  EC_SEX_FEMALE,
  EC_SEX_MALE,
  EC_SEX_OTHER,
} EcSex;

typedef enum
{
  EC_BLOOD_UNKNOWN = 0,
  EC_BLOOD_A_POS, EC_BLOOD_A_NEG,
  EC_BLOOD_B_POS, EC_BLOOD_B_NEG,
  EC_BLOOD_AB_POS, EC_BLOOD_AB_NEG,
  EC_BLOOD_O_POS, EC_BLOOD_O_NEG,
} EcBloodType;

/* Whether allergies were asked about: "none known" and "unknown" are different
 * recorded states, never a blank. */
typedef enum
{
  EC_ALLERGY_STATUS_UNKNOWN = 0,   /* 过敏史不详: nobody has established it */
  EC_ALLERGY_STATUS_NONE_KNOWN,    /* 无已知过敏: asked, none known */
  EC_ALLERGY_STATUS_RECORDED,      /* see the allergy list */
} EcAllergyStatus;

typedef enum
{
  EC_ALLERGY_CATEGORY_MEDICATION = 0,
  EC_ALLERGY_CATEGORY_FOOD,
  EC_ALLERGY_CATEGORY_ENVIRONMENT,
  EC_ALLERGY_CATEGORY_BIOLOGIC,
} EcAllergyCategory;

/* FHIR allergy-intolerance-criticality: potential harm of a future exposure. */
typedef enum
{
  EC_CRITICALITY_UNABLE_TO_ASSESS = 0,
  EC_CRITICALITY_LOW,
  EC_CRITICALITY_HIGH,
} EcCriticality;

/* FHIR reaction-event-severity: how bad the past reaction was. */
typedef enum
{
  EC_SEVERITY_UNKNOWN = 0,
  EC_SEVERITY_MILD,
  EC_SEVERITY_MODERATE,
  EC_SEVERITY_SEVERE,
} EcSeverity;

typedef enum
{
  EC_DNR_UNKNOWN = 0,        /* not recorded */
  EC_DNR_FULL_RESUSCITATION, /* wants everything done */
  EC_DNR_DNR,                /* do not resuscitate (document exists) */
  EC_DNR_LIMITED,            /* limited treatment, see the directive */
} EcDnrStatus;

typedef enum
{
  EC_WANDERING_UNKNOWN = 0,
  EC_WANDERING_NONE,
  EC_WANDERING_AT_RISK,
} EcWanderingRisk;

/* Communication needs: a bit set. */
typedef enum
{
  EC_COMM_NONE      = 0,
  EC_COMM_HEARING   = 1 << 0,
  EC_COMM_SPEECH    = 1 << 1,
  EC_COMM_DEMENTIA  = 1 << 2,
  EC_COMM_VISION    = 1 << 3,
  EC_COMM_LANGUAGE  = 1 << 4, /* speaks only a dialect or another language */
} EcCommNeeds;

/* Medication schedule: the Chinese 早/中/晚/睡前 slots (as the German NFD's
 * morning/noon/evening/night), or free text in schedule_text. */
typedef enum
{
  EC_SCHED_MORNING = 1 << 0, /* 早 */
  EC_SCHED_NOON    = 1 << 1, /* 中 */
  EC_SCHED_EVENING = 1 << 2, /* 晚 */
  EC_SCHED_NIGHT   = 1 << 3, /* 睡前 */
} EcScheduleSlots;

typedef enum
{
  EC_CARD_STATUS_ACTIVE = 0,
  EC_CARD_STATUS_REPLACED,
  EC_CARD_STATUS_REVOKED,
  EC_CARD_STATUS_LOST,
  EC_CARD_STATUS_SPOILED,
  EC_CARD_STATUS_PENDING,    /* issuance started, not yet committed */
} EcCardStatus;

typedef enum
{
  EC_ROLE_RESPONDER = 0,
  EC_ROLE_NURSE,
  EC_ROLE_STAFF,
  EC_ROLE_ADMIN,
} EcRole;

typedef struct
{
  gint64  id;             /* row id, 0 when new */
  char   *text;           /* 高血压 */
  char   *icd10;          /* I10, optional */
  char   *since;          /* YYYY or YYYY-MM-DD, optional */
  gint64  updated_at;
  char   *updated_by;
} EcCondition;

typedef struct
{
  gint64            id;
  char             *substance;   /* 青霉素 / penicillin */
  EcAllergyCategory category;
  EcCriticality     criticality;
  char             *reaction;    /* 皮疹、呼吸困难 */
  EcSeverity        severity;
  gboolean          confirmed;   /* FALSE = suspected */
  gint64            updated_at;
  char             *updated_by;
} EcAllergy;

typedef struct
{
  gint64  id;
  char   *name;           /* 二甲双胍 */
  char   *dose;           /* 0.5 g */
  char   *route;          /* 口服 / oral */
  guint   slots;          /* EcScheduleSlots */
  char   *schedule_text;  /* free text when the slots do not say it */
  gint64  updated_at;
  char   *updated_by;
} EcMedication;

typedef struct
{
  gint64    id;
  char     *name;
  char     *relation;     /* 女儿 / daughter */
  char    **phones;       /* NULL-terminated, at least one */
  guint     call_order;   /* 1 = call first */
  gboolean  lives_nearby;
  gint64    updated_at;
  char     *updated_by;
} EcContact;

typedef struct
{
  EcResidentId    id;
  char           *name_zh;          /* 王秀英 */
  char           *name_pinyin;      /* Wang Xiuying */
  EcSex           sex;
  char           *date_of_birth;    /* YYYY-MM-DD */
  GBytes         *photo;            /* JPEG or PNG, size-limited; NULL = none */
  char           *photo_mime;
  char           *address;
  char           *building_unit;    /* 3栋2单元501 */
  char           *phone;
  EcBloodType     blood_type;
  char           *language;         /* 普通话 / 上海话 … */
  EcDnrStatus     dnr;
  char           *directive_location; /* where the advance directive document is kept */
  EcWanderingRisk wandering;
  guint           comm_needs;       /* EcCommNeeds */
  char           *comm_notes;
  char           *implants;         /* pacemaker, stent … */
  char           *gp;               /* general practitioner / clinic and phone */
  char           *social_worker;    /* assigned social worker, name and phone */
  char           *notes;
  EcAllergyStatus allergy_status;
  gint64          record_version;   /* bumped on every change; the card carries it */
  gint64          updated_at;
  char           *updated_by;

  GPtrArray      *conditions;       /* EcCondition */
  GPtrArray      *allergies;        /* EcAllergy */
  GPtrArray      *medications;      /* EcMedication */
  GPtrArray      *contacts;         /* EcContact, in call order */
} EcResident;

typedef struct
{
  gint64        id;
  char         *uid_hex;      /* 14 hex digits for a 7-byte UID */
  EcResidentId  resident_id;
  guint         seq;          /* card sequence number, 1 on first issue */
  EcCardStatus  status;
  gint64        issued_at;
  guint         station_id;
  char         *staff_id;
  gint64        status_changed_at;
  char         *status_reason;
} EcCardRecord;

EcResident   *ec_resident_new          (void);
void          ec_resident_free         (EcResident   *resident);
EcCondition  *ec_condition_new         (void);
void          ec_condition_free        (EcCondition  *condition);
EcAllergy    *ec_allergy_new           (void);
void          ec_allergy_free          (EcAllergy    *allergy);
EcMedication *ec_medication_new        (void);
void          ec_medication_free       (EcMedication *medication);
EcContact    *ec_contact_new           (void);
void          ec_contact_free          (EcContact    *contact);
EcCardRecord *ec_card_record_new       (void);
void          ec_card_record_free      (EcCardRecord *card);

/* Age in whole years on @today ("YYYY-MM-DD"; NULL = now), -1 when unknown. */
int           ec_resident_age          (const EcResident *resident,
                                        const char       *today);

/* Resident id <-> 16 hex digits. */
char         *ec_resident_id_to_string (EcResidentId      id);
gboolean      ec_resident_id_parse     (const char       *text,
                                        EcResidentId     *out_id);

/* Stable ASCII names for the enums, as used in CSV, JSON and the database. */
const char   *ec_sex_to_string             (EcSex             sex);
gboolean      ec_sex_from_string           (const char       *s, EcSex *out);
const char   *ec_blood_type_to_string      (EcBloodType       t);   /* "A+", …, "unknown" */
gboolean      ec_blood_type_from_string    (const char       *s, EcBloodType *out);
const char   *ec_allergy_status_to_string  (EcAllergyStatus   s);   /* unknown, none-known, recorded */
gboolean      ec_allergy_status_from_string(const char       *s, EcAllergyStatus *out);
const char   *ec_allergy_category_to_string(EcAllergyCategory c);   /* medication, food, environment, biologic */
gboolean      ec_allergy_category_from_string(const char     *s, EcAllergyCategory *out);
const char   *ec_criticality_to_string     (EcCriticality     c);   /* low, high, unable-to-assess */
gboolean      ec_criticality_from_string   (const char       *s, EcCriticality *out);
const char   *ec_severity_to_string        (EcSeverity        s);   /* unknown, mild, moderate, severe */
gboolean      ec_severity_from_string      (const char       *s, EcSeverity *out);
const char   *ec_dnr_to_string             (EcDnrStatus       d);   /* unknown, full, dnr, limited */
gboolean      ec_dnr_from_string           (const char       *s, EcDnrStatus *out);
const char   *ec_wandering_to_string       (EcWanderingRisk   w);   /* unknown, none, at-risk */
gboolean      ec_wandering_from_string     (const char       *s, EcWanderingRisk *out);
const char   *ec_card_status_to_string     (EcCardStatus      s);   /* active, replaced, revoked, lost, spoiled, pending */
gboolean      ec_card_status_from_string   (const char       *s, EcCardStatus *out);
const char   *ec_role_to_string            (EcRole            r);   /* responder, nurse, staff, admin */
gboolean      ec_role_from_string          (const char       *s, EcRole *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcResident, ec_resident_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcCondition, ec_condition_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcAllergy, ec_allergy_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcMedication, ec_medication_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcContact, ec_contact_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcCardRecord, ec_card_record_free)

G_END_DECLS
