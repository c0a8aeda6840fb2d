/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-card.h: the eldercard card format, version 1, summary versions 1 and 2
 * (cards/FORMAT.md).
 *
 * One NFC Forum Type 2 NDEF message with one external-type record "eldercard:c". Its
 * payload is a 30-byte header (format/profile, UID, station key id, resident id, card
 * sequence, issue time, expiry, station id), then on profile F (NTAG215/216) the
 * emergency summary encrypted with XChaCha20-Poly1305 under the community read key
 * (AD binds UID, storage byte and header), then an Ed25519 signature by the station
 * over "ECARD1-SIG" ‖ 07 ‖ UID ‖ storage byte ‖ everything before the signature.
 * Profile R (reference only: header ‖ signature) is used on NTAG213 and whenever no
 * summary is given.
 *
 * Verification (ec_card_verify) checks, in this order, and stops at the first failure
 * with its own EC_CARD_ERROR code: tag memory (UID/BCC/CC) → NDEF TLV and record →
 * format version → station key id → signature → UID binding → expiry → issue time not
 * in the future → card_seq ≠ 0. Only then is the encrypted body parsed. */
#pragma once

#include <glib.h>

#include "ec-error.h"
#include "ec-record.h"
#include "ec-tag-image.h"
#include "ec-keys.h"

G_BEGIN_DECLS

#define EC_CARD_FORMAT_VERSION  1
#define EC_CARD_HEADER_BYTES    30
#define EC_CARD_RECORD_TYPE     "eldercard:c"    /* NDEF external type (TNF 4) */
#define EC_CARD_SUMMARY_VERSION 2                /* the newest summary plaintext version */
/* How far a card's issue time may lie ahead of the verifier's clock (a kiosk or a
 * station whose clock is a little off); later is refused as NOT_YET_VALID. */
#define EC_CARD_CLOCK_SKEW      ((gint64) 86400)

typedef enum
{
  EC_CARD_PROFILE_REFERENCE = 0,   /* R: header + signature (NTAG213, or no summary) */
  EC_CARD_PROFILE_FULL      = 1,   /* F: header + encrypted summary + signature */
} EcCardProfile;

typedef struct
{
  EcCardProfile profile;       /* encode: chosen from @summary (set on output) */
  guint32       sig_kid;       /* encode: from the station key */
  guint32       enc_kid;       /* encode: from the read key; 0 on profile R */
  guint16       station_id;    /* encode: from the station key's certificate */
  EcResidentId  resident_id;   /* caller: the pseudonymous resident id */
  guint16       card_seq;      /* caller: 1 on first issue, +1 per replacement */
  gint64        issued_at;     /* caller: unix seconds, 0 .. 2^32−1 */
  guint16       expires_days;  /* caller: last valid day, days since 1970-01-01 UTC; 0 = none */
} EcCardHeader;

/* ---- the emergency summary ------------------------------------------------------ */

typedef struct
{
  char          *substance;     /* 青霉素 */
  EcCriticality  criticality;
} EcCardAllergy;

/* Bits of EcCardSummary.omitted: what did not fit on the tag (the full record is in
 * the database; the kiosk says "more in the record"). */
typedef enum
{
  EC_CARD_OMITTED_ALLERGIES   = 1 << 0,
  EC_CARD_OMITTED_CONDITIONS  = 1 << 1,
  EC_CARD_OMITTED_MEDICATIONS = 1 << 2,
  EC_CARD_OMITTED_TEXT        = 1 << 3,   /* some text was shortened (set whenever a
                                           * cut mark below is set; a v1 card has no marks) */
  EC_CARD_OMITTED_CONTACT     = 1 << 4,   /* a recorded emergency contact, or part of it
                                           * (name, relation, phone), is not on the card */
} EcCardOmitted;

#define EC_CARD_OMITTED_ALL     0x1F

/* Bits of EcCardSummary.fields_cut: which single text fields were shortened to fit
 * (cut at a character boundary, never inside a number). A phone is never cut. */
typedef enum
{
  EC_CARD_CUT_NAME             = 1 << 0,
  EC_CARD_CUT_NAME_LATIN       = 1 << 1,
  EC_CARD_CUT_CONTACT_NAME     = 1 << 2,
  EC_CARD_CUT_CONTACT_RELATION = 1 << 3,
} EcCardCut;

#define EC_CARD_CUT_ALL         0x0F

typedef struct
{
  char            *name;              /* 王秀英 (UTF-8) or NULL */
  char            *name_latin;        /* pinyin or initials, or NULL */
  guint16          birth_year;        /* 0 = unknown */
  EcSex            sex;
  EcBloodType      blood_type;
  EcAllergyStatus  allergy_status;
  GPtrArray       *allergies;         /* EcCardAllergy, most critical first */
  GPtrArray       *conditions;        /* char *: 高血压 */
  GPtrArray       *medications;       /* char *: 二甲双胍 0.5 g 早晚 */
  char            *contact_name;      /* first emergency contact, or NULL */
  char            *contact_relation;  /* 女儿 */
  char            *contact_phone;     /* +8613800000000 */
  EcDnrStatus      dnr;
  EcWanderingRisk  wandering;
  guint32          record_version;    /* DB record version when the card was made */
  guint            omitted;           /* EcCardOmitted bits */
  /* Per-item "shortened" marks (summary version 2): bit i = item i of that list was
   * shortened to fit. A medication is shortened only by leaving out its times or its
   * dose as a whole (cards/FORMAT.md §4.2), never inside a number. */
  guint16          allergies_cut;
  guint16          conditions_cut;
  guint16          medications_cut;
  guint            fields_cut;        /* EcCardCut bits */
  /* The summary version it was read from (1: no marks and no contact flag, so a
   * missing contact may have been left out; 2), 0 when not read from a card. Not
   * compared by ec_card_summary_equal, not in JSON. */
  guint8           version;
} EcCardSummary;

/* Limits per text field, in bytes of UTF-8 (a longer string is refused by encode). */
#define EC_CARD_TEXT_MAX        64
#define EC_CARD_LIST_MAX        16   /* items per list */

EcCardSummary *ec_card_summary_new      (void);
void           ec_card_summary_free     (EcCardSummary       *summary);
EcCardSummary *ec_card_summary_copy     (const EcCardSummary *summary);
gboolean       ec_card_summary_equal    (const EcCardSummary *a,
                                         const EcCardSummary *b);
/* Append an allergy / condition / medication (copies the strings). */
void           ec_card_summary_add_allergy    (EcCardSummary *summary,
                                               const char    *substance,
                                               EcCriticality  criticality);
void           ec_card_summary_add_condition  (EcCardSummary *summary,
                                               const char    *text);
void           ec_card_summary_add_medication (EcCardSummary *summary,
                                               const char    *text);

/* Plaintext bytes the summary takes before padding, and the largest padded plaintext
 * a tag type holds on profile F (0 for NTAG213: no summary). */
gsize          ec_card_summary_size     (const EcCardSummary *summary);
gsize          ec_card_summary_capacity (EcTagType            type);

/* The summary of @resident that fits @type, filled by priority (cards/FORMAT.md §4.3):
 * identity, blood type, allergy status, DNR, wandering and record version always;
 * then high-criticality and unable-to-assess allergies; then the first emergency
 * contact (one whole phone; name and relation may be shortened); then low-criticality
 * allergies, conditions, medications — each while it fits. Long texts are shortened
 * at a character boundary (never inside a number; a phone never) and marked in the
 * *_cut fields; whatever was left out is flagged in ->omitted. Returns NULL for a
 * type without summary capacity (NTAG213). */
EcCardSummary *ec_card_summary_from_resident (const EcResident *resident,
                                              EcTagType         type);

/* JSON (used by `eldercard card encode --summary FILE` and the test vectors):
 * {"name", "name_latin", "birth_year", "sex", "blood_type", "allergy_status",
 *  "allergies": [{"substance", "criticality"}], "conditions": [], "medications": [],
 *  "contact": {"name", "relation", "phone"}, "dnr", "wandering", "record_version",
 *  "omitted"}, enum values as in ec-record.h's *_to_string. Unknown members are
 * refused. Cut marks: "name_shortened" and "name_latin_shortened" (true), an allergy's
 * "shortened": true, a condition or medication given as {"text", "shortened": true}
 * instead of a string, the contact's "name_shortened" / "relation_shortened". Any
 * mark also sets the shortened-text bit of "omitted". */
EcCardSummary *ec_card_summary_from_json (const char         *json,
                                          gsize               len,
                                          GError            **error);
char          *ec_card_summary_to_json   (const EcCardSummary *summary);

/* ---- encode --------------------------------------------------------------------- */

/* Build the complete tag image for a factory-blank @type tag with @uid: CC in page 3
 * (factory value, access 00: locking is the issuer's job), NDEF TLV from page 4,
 * terminator, all other pages as ec_tag_image_new_blank(). The profile is F when
 * @summary is given (needs @read_key and a 215/216), R otherwise. The header's
 * sig_kid, station_id, enc_kid and profile are taken from the keys; resident_id,
 * card_seq, issued_at and expires_days from @header. A summary that does not fit:
 * EC_CARD_ERROR_TOO_LARGE; bad input: EC_CARD_ERROR_INVALID. The nonce is random. */
gboolean   ec_card_encode           (EcTagType              type,
                                     const guint8          *uid,
                                     const EcCardHeader    *header,
                                     const EcCardSummary   *summary,
                                     const EcStationKey    *station_key,
                                     const EcReadKey       *read_key,
                                     EcTagImage           **out,
                                     GError               **error);
/* The same with a fixed 24-byte @nonce: ONLY for reproducible test vectors. */
gboolean   ec_card_encode_with_nonce (EcTagType             type,
                                     const guint8          *uid,
                                     const EcCardHeader    *header,
                                     const EcCardSummary   *summary,
                                     const EcStationKey    *station_key,
                                     const EcReadKey       *read_key,
                                     const guint8          *nonce,
                                     EcTagImage           **out,
                                     GError               **error);

/* The torn-write-safe write plan for an encoded image (card-security §3.4):
 *   1. write page 4 = ec_card_uncommitted_page4 (03 00 FE 00: an empty NDEF);
 *   2. write pages first_page+1 .. last_page from the image, read back, compare;
 *   3. write page 4 = commit_page (the image's page 4: 03 L … or 03 FF hh ll): commit;
 *   4. read back and ec_card_verify().
 * Pages after last_page are not written (a blank tag holds zeros there). */
typedef struct
{
  guint  first_page;       /* always 4 */
  guint  last_page;        /* page holding the terminator TLV (FE) */
  guint8 commit_page[4];   /* page 4 of the encoded image */
} EcCardLayout;

extern const guint8 ec_card_uncommitted_page4[4];

gboolean   ec_card_layout           (const EcTagImage      *encoded,
                                     EcCardLayout          *out,
                                     GError               **error);

/* ---- verify --------------------------------------------------------------------- */

typedef struct
{
  EcTagType       type;
  guint8          uid[EC_TAG_UID_BYTES];
  EcCardHeader    header;
  char           *station_name;     /* from the station certificate */
  EcCardSummary  *summary;          /* NULL: profile R, or could not decrypt */
  GError         *summary_error;    /* set when profile F but no summary:
                                     * EC_CARD_ERROR_NO_READ_KEY / _CANNOT_DECRYPT */
} EcCard;

void       ec_card_free             (EcCard                *card);

/* Verify @image against @ring at unix time @now. TRUE and a card when the card is
 * genuine (signature, UID, expiry), even when the summary cannot be read (see
 * card->summary_error); FALSE with exactly one EC_CARD_ERROR reason otherwise:
 * NOT_OURS, TRUNCATED, DAMAGED, UNKNOWN_VERSION, UNKNOWN_KEY, BAD_SIGNATURE,
 * UID_MISMATCH, EXPIRED, NOT_YET_VALID (issued_at later than @now +
 * EC_CARD_CLOCK_SKEW), BAD_SEQUENCE (card_seq 0). Bytes the format declares unused
 * (cards/FORMAT.md §7: after the terminator, internal/lock/config pages) never change
 * the result. */
gboolean   ec_card_verify           (const EcTagImage      *image,
                                     const EcKeyring       *ring,
                                     gint64                 now,
                                     EcCard               **out,
                                     GError               **error);

/* Stable short names of the refusal reasons: "not-ours", "truncated", "damaged",
 * "unknown-version", "unknown-key", "bad-signature", "uid-mismatch", "expired",
 * "not-yet-valid", "bad-sequence",
 * "no-read-key", "cannot-decrypt", "too-large", "invalid", "bad-image". */
const char *ec_card_error_to_string (EcCardError            code);

/* A verified card as stable, untranslated text, one "key: value" per line (the test
 * vectors' .expected files, `eldercard card verify`). */
char      *ec_card_to_text          (const EcCard          *card);

/* Days since 1970-01-01 for a "YYYY-MM-DD" date, and back. */
gboolean   ec_card_date_to_days     (const char            *date,
                                     guint16               *out_days);
char      *ec_card_days_to_date     (guint16                days);

#ifdef EC_FUZZING
/* The decrypted-summary parser, for tests/fuzz/fuzz-card.c only. */
gboolean   ec_card_fuzz_summary_parse (const guint8 *pt,
                                       gsize         len);
#endif

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcCardSummary, ec_card_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcCard, ec_card_free)

G_END_DECLS
