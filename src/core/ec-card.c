/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-card.c: the eldercard card format, version 1, summary plaintext versions 1 and 2.
 * cards/FORMAT.md is the specification; every offset below is described there. */
#define G_LOG_DOMAIN "ec-card"

#include "ec-card.h"

#include <stdio.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "ec-crypto.h"
#include "ec-i18n.h"

#define TYPE_LEN        ((gsize) (sizeof EC_CARD_RECORD_TYPE - 1))   /* 11 */
#define SIG_DOMAIN      "ECARD1-SIG"
#define AEAD_DOMAIN     "ECARD1-AEAD"
#define OFF_FMT         0
#define OFF_UID         1
#define OFF_SIG_KID     8
#define OFF_RESIDENT    12
#define OFF_SEQ         20
#define OFF_ISSUED      22
#define OFF_EXPIRES     26
#define OFF_STATION     28
#define OFF_ENC_KID     30
#define OFF_NONCE       34
#define OFF_CT          58
#define R_PAYLOAD       (EC_CARD_HEADER_BYTES + EC_SIGN_BYTES)                /* 94 */
#define F_OVERHEAD      (OFF_CT + EC_AEAD_TAG_BYTES + EC_SIGN_BYTES)          /* 138 */
#define PT_BLOCK        32
#define PT_FIXED        13
#define SUMMARY_V1      1        /* no cut marks, omitted bits 0–3 */
#define SUMMARY_V2      2        /* + item tag bit 7 "shortened", omitted bit 4 "contact" */
#define ITEM_CUT        0x80     /* v2: high bit of an item tag */
#define ITEM_TAG_MASK   0x7F

G_STATIC_ASSERT (SUMMARY_V2 == EC_CARD_SUMMARY_VERSION);

enum
{
  ITEM_END = 0,
  ITEM_NAME = 1,
  ITEM_NAME_LATIN = 2,
  ITEM_ALLERGY = 3,
  ITEM_CONDITION = 4,
  ITEM_MEDICATION = 5,
  ITEM_CONTACT_NAME = 6,
  ITEM_CONTACT_RELATION = 7,
  ITEM_CONTACT_PHONE = 8,
};

G_STATIC_ASSERT (TYPE_LEN == 11);
G_STATIC_ASSERT (OFF_CT == EC_CARD_HEADER_BYTES + 4 + EC_AEAD_NONCE_BYTES);

const guint8 ec_card_uncommitted_page4[4] = { 0x03, 0x00, 0xFE, 0x00 };

static void
put_be16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

static guint16
get_be16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static guint32
get_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* ---- summaries ------------------------------------------------------------------- */

static void
card_allergy_free (gpointer p)
{
  EcCardAllergy *a = p;

  g_free (a->substance);
  g_free (a);
}

EcCardSummary *
ec_card_summary_new (void)
{
  EcCardSummary *s = g_new0 (EcCardSummary, 1);

  s->allergies = g_ptr_array_new_with_free_func (card_allergy_free);
  s->conditions = g_ptr_array_new_with_free_func (g_free);
  s->medications = g_ptr_array_new_with_free_func (g_free);
  return s;
}

void
ec_card_summary_free (EcCardSummary *s)
{
  if (s == NULL)
    return;
  g_free (s->name);
  g_free (s->name_latin);
  g_ptr_array_unref (s->allergies);
  g_ptr_array_unref (s->conditions);
  g_ptr_array_unref (s->medications);
  g_free (s->contact_name);
  g_free (s->contact_relation);
  g_free (s->contact_phone);
  g_free (s);
}

void
ec_card_summary_add_allergy (EcCardSummary *s,
                             const char    *substance,
                             EcCriticality  criticality)
{
  EcCardAllergy *a = g_new0 (EcCardAllergy, 1);

  a->substance = g_strdup (substance);
  a->criticality = criticality;
  g_ptr_array_add (s->allergies, a);
}

void
ec_card_summary_add_condition (EcCardSummary *s,
                               const char    *text)
{
  g_ptr_array_add (s->conditions, g_strdup (text));
}

void
ec_card_summary_add_medication (EcCardSummary *s,
                                const char    *text)
{
  g_ptr_array_add (s->medications, g_strdup (text));
}

EcCardSummary *
ec_card_summary_copy (const EcCardSummary *s)
{
  EcCardSummary *c = ec_card_summary_new ();

  c->name = g_strdup (s->name);
  c->name_latin = g_strdup (s->name_latin);
  c->birth_year = s->birth_year;
  c->sex = s->sex;
  c->blood_type = s->blood_type;
  c->allergy_status = s->allergy_status;
  for (guint i = 0; i < s->allergies->len; i++)
    {
      const EcCardAllergy *a = s->allergies->pdata[i];
      ec_card_summary_add_allergy (c, a->substance, a->criticality);
    }
  for (guint i = 0; i < s->conditions->len; i++)
    ec_card_summary_add_condition (c, s->conditions->pdata[i]);
  for (guint i = 0; i < s->medications->len; i++)
    ec_card_summary_add_medication (c, s->medications->pdata[i]);
  c->contact_name = g_strdup (s->contact_name);
  c->contact_relation = g_strdup (s->contact_relation);
  c->contact_phone = g_strdup (s->contact_phone);
  c->dnr = s->dnr;
  c->wandering = s->wandering;
  c->record_version = s->record_version;
  c->omitted = s->omitted;
  c->allergies_cut = s->allergies_cut;
  c->conditions_cut = s->conditions_cut;
  c->medications_cut = s->medications_cut;
  c->fields_cut = s->fields_cut;
  c->version = s->version;
  return c;
}

static gboolean
str_list_equal (const GPtrArray *a,
                const GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (g_strcmp0 (a->pdata[i], b->pdata[i]) != 0)
      return FALSE;
  return TRUE;
}

gboolean
ec_card_summary_equal (const EcCardSummary *a,
                       const EcCardSummary *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (g_strcmp0 (a->name, b->name) != 0 || g_strcmp0 (a->name_latin, b->name_latin) != 0
      || a->birth_year != b->birth_year || a->sex != b->sex || a->blood_type != b->blood_type
      || a->allergy_status != b->allergy_status || a->allergies->len != b->allergies->len
      || !str_list_equal (a->conditions, b->conditions)
      || !str_list_equal (a->medications, b->medications)
      || g_strcmp0 (a->contact_name, b->contact_name) != 0
      || g_strcmp0 (a->contact_relation, b->contact_relation) != 0
      || g_strcmp0 (a->contact_phone, b->contact_phone) != 0 || a->dnr != b->dnr
      || a->wandering != b->wandering || a->record_version != b->record_version
      || a->omitted != b->omitted || a->allergies_cut != b->allergies_cut
      || a->conditions_cut != b->conditions_cut || a->medications_cut != b->medications_cut
      || a->fields_cut != b->fields_cut)
    return FALSE;
  for (guint i = 0; i < a->allergies->len; i++)
    {
      const EcCardAllergy *x = a->allergies->pdata[i], *y = b->allergies->pdata[i];
      if (g_strcmp0 (x->substance, y->substance) != 0 || x->criticality != y->criticality)
        return FALSE;
    }
  return TRUE;
}

/* A text field as the card stores it: 1..EC_CARD_TEXT_MAX bytes of UTF-8 without
 * control characters. */
static gboolean
text_ok (const char *s,
         gsize       len)
{
  const char *p;

  if (len == 0 || len > EC_CARD_TEXT_MAX || !g_utf8_validate_len (s, len, NULL))
    return FALSE;
  for (p = s; p < s + len; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static gsize
item_size (const char *s)
{
  return s != NULL ? 2 + strlen (s) : 0;
}

gsize
ec_card_summary_size (const EcCardSummary *s)
{
  gsize n = PT_FIXED;

  n += item_size (s->name) + item_size (s->name_latin);
  for (guint i = 0; i < s->allergies->len; i++)
    n += 3 + strlen (((EcCardAllergy *) s->allergies->pdata[i])->substance);
  for (guint i = 0; i < s->conditions->len; i++)
    n += item_size (s->conditions->pdata[i]);
  for (guint i = 0; i < s->medications->len; i++)
    n += item_size (s->medications->pdata[i]);
  n += item_size (s->contact_name) + item_size (s->contact_relation) + item_size (s->contact_phone);
  return n;
}

/* Payload bytes available to a record on @type, assuming the long TLV length and
 * long record header (the worst case; small payloads use the short forms). */
static gsize
payload_capacity (EcTagType type)
{
  const EcTagInfo *info = ec_tag_type_info (type);

  return info->ndef_area_bytes - 4 /* 03 FF hh ll */ - 1 /* FE */ - 6 /* C4 tl pl×4 */ - TYPE_LEN;
}

gsize
ec_card_summary_capacity (EcTagType type)
{
  gsize cap = payload_capacity (type);

  if (cap < F_OVERHEAD + PT_BLOCK)
    return 0;
  return (cap - F_OVERHEAD) / PT_BLOCK * PT_BLOCK;
}

static gboolean
enum_ok (int v,
         int max)
{
  return v >= 0 && v <= max;
}

static gboolean
summary_has_marks (const EcCardSummary *s)
{
  return s->allergies_cut != 0 || s->conditions_cut != 0 || s->medications_cut != 0 || s->fields_cut != 0;
}

/* Marks only on items that exist, and any mark also sets the shortened-text bit. */
static gboolean
marks_ok (const EcCardSummary *s)
{
  if (s->version > SUMMARY_V2
      || (s->allergies->len < 16 && (s->allergies_cut >> s->allergies->len) != 0)
      || (s->conditions->len < 16 && (s->conditions_cut >> s->conditions->len) != 0)
      || (s->medications->len < 16 && (s->medications_cut >> s->medications->len) != 0)
      || s->fields_cut > EC_CARD_CUT_ALL
      || ((s->fields_cut & EC_CARD_CUT_NAME) && s->name == NULL)
      || ((s->fields_cut & EC_CARD_CUT_NAME_LATIN) && s->name_latin == NULL)
      || ((s->fields_cut & EC_CARD_CUT_CONTACT_NAME) && s->contact_name == NULL)
      || ((s->fields_cut & EC_CARD_CUT_CONTACT_RELATION) && s->contact_relation == NULL))
    return FALSE;
  if (s->version == SUMMARY_V1 && (summary_has_marks (s) || (s->omitted & EC_CARD_OMITTED_CONTACT)))
    return FALSE;    /* version 1 has neither */
  return !summary_has_marks (s) || (s->omitted & EC_CARD_OMITTED_TEXT) != 0;
}

/* The summary version a new card says @s in (cards/FORMAT.md §4.1): version 1 when
 * version 1 says all of it without doubt — no cut marks, no contact flag, and the
 * contact whole (name, relation and phone), since a version 1 card may have lost its
 * contact silently; version 2 otherwise. So most cards stay readable by kiosks that
 * only know version 1, and a card without a contact says whether one was recorded. */
static guint8
lowest_version (const EcCardSummary *s)
{
  if (!summary_has_marks (s) && !(s->omitted & EC_CARD_OMITTED_CONTACT) && s->contact_name != NULL
      && s->contact_relation != NULL && s->contact_phone != NULL)
    return SUMMARY_V1;
  return SUMMARY_V2;
}

/* The version @s is written in: a summary read from a version 1 card stays version 1
 * (it means what version 1 means); any other the lowest that says it. */
static guint8
summary_version (const EcCardSummary *s)
{
  return s->version == SUMMARY_V1 ? SUMMARY_V1 : lowest_version (s);
}

static gboolean
summary_check (const EcCardSummary *s,
               GError             **error)
{
  const char *bad = NULL;

  if ((s->name != NULL && !text_ok (s->name, strlen (s->name)))
      || (s->name_latin != NULL && !text_ok (s->name_latin, strlen (s->name_latin)))
      || (s->contact_name != NULL && !text_ok (s->contact_name, strlen (s->contact_name)))
      || (s->contact_relation != NULL && !text_ok (s->contact_relation, strlen (s->contact_relation)))
      || (s->contact_phone != NULL && !text_ok (s->contact_phone, strlen (s->contact_phone))))
    bad = "a name, contact or phone";
  else if (s->allergies->len > EC_CARD_LIST_MAX || s->conditions->len > EC_CARD_LIST_MAX
           || s->medications->len > EC_CARD_LIST_MAX)
    bad = "a list longer than 16 items";
  else if (!enum_ok ((int) s->sex, EC_SEX_OTHER) || !enum_ok ((int) s->blood_type, EC_BLOOD_O_NEG)
           || !enum_ok ((int) s->allergy_status, EC_ALLERGY_STATUS_RECORDED)
           || !enum_ok ((int) s->dnr, EC_DNR_LIMITED) || !enum_ok ((int) s->wandering, EC_WANDERING_AT_RISK)
           || s->omitted > EC_CARD_OMITTED_ALL)
    bad = "an enumerated value";
  else if (!marks_ok (s))
    bad = "a shortened mark";
  for (guint i = 0; bad == NULL && i < s->allergies->len; i++)
    {
      const EcCardAllergy *a = s->allergies->pdata[i];
      if (a->substance == NULL || !text_ok (a->substance, strlen (a->substance))
          || !enum_ok ((int) a->criticality, EC_CRITICALITY_HIGH))
        bad = "an allergy";
    }
  for (guint i = 0; bad == NULL && i < s->conditions->len; i++)
    if (s->conditions->pdata[i] == NULL || !text_ok (s->conditions->pdata[i], strlen (s->conditions->pdata[i])))
      bad = "a condition";
  for (guint i = 0; bad == NULL && i < s->medications->len; i++)
    if (s->medications->pdata[i] == NULL || !text_ok (s->medications->pdata[i], strlen (s->medications->pdata[i])))
      bad = "a medication";
  if (bad != NULL)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("summary refused: %s is invalid (texts are 1–%d bytes of UTF-8 without "
                     "control characters)"), bad, EC_CARD_TEXT_MAX);
      return FALSE;
    }
  return TRUE;
}

static void
put_item (GByteArray *b,
          guint8      tag,
          const char *s,
          gboolean    cut)
{
  guint8 h[2];

  if (s == NULL)
    return;
  h[0] = (guint8) (tag | (cut ? ITEM_CUT : 0));
  h[1] = (guint8) strlen (s);
  g_byte_array_append (b, h, 2);
  g_byte_array_append (b, (const guint8 *) s, (guint) strlen (s));
}

/* Serialise a checked summary, padded with zeros to a multiple of PT_BLOCK. */
static GByteArray *
summary_serialise (const EcCardSummary *s)
{
  GByteArray *b = g_byte_array_new ();
  guint8 fixed[PT_FIXED];

  fixed[0] = summary_version (s);
  put_be16 (fixed + 1, s->birth_year);
  fixed[3] = (guint8) s->sex;
  fixed[4] = (guint8) s->blood_type;
  fixed[5] = (guint8) s->allergy_status;
  fixed[6] = (guint8) s->dnr;
  fixed[7] = (guint8) s->wandering;
  put_be32 (fixed + 8, s->record_version);
  fixed[12] = (guint8) s->omitted;
  g_byte_array_append (b, fixed, sizeof fixed);
  put_item (b, ITEM_NAME, s->name, (s->fields_cut & EC_CARD_CUT_NAME) != 0);
  put_item (b, ITEM_NAME_LATIN, s->name_latin, (s->fields_cut & EC_CARD_CUT_NAME_LATIN) != 0);
  for (guint i = 0; i < s->allergies->len; i++)
    {
      const EcCardAllergy *a = s->allergies->pdata[i];
      guint8 h[3] = { (guint8) (ITEM_ALLERGY | (s->allergies_cut & (1u << i) ? ITEM_CUT : 0)),
                      (guint8) (1 + strlen (a->substance)), (guint8) a->criticality };
      g_byte_array_append (b, h, 3);
      g_byte_array_append (b, (const guint8 *) a->substance, (guint) strlen (a->substance));
    }
  for (guint i = 0; i < s->conditions->len; i++)
    put_item (b, ITEM_CONDITION, s->conditions->pdata[i], (s->conditions_cut & (1u << i)) != 0);
  for (guint i = 0; i < s->medications->len; i++)
    put_item (b, ITEM_MEDICATION, s->medications->pdata[i], (s->medications_cut & (1u << i)) != 0);
  put_item (b, ITEM_CONTACT_NAME, s->contact_name, (s->fields_cut & EC_CARD_CUT_CONTACT_NAME) != 0);
  put_item (b, ITEM_CONTACT_RELATION, s->contact_relation,
            (s->fields_cut & EC_CARD_CUT_CONTACT_RELATION) != 0);
  put_item (b, ITEM_CONTACT_PHONE, s->contact_phone, FALSE);
  if (b->len % PT_BLOCK != 0)
    {
      guint pad = PT_BLOCK - b->len % PT_BLOCK;
      guint old = b->len;
      g_byte_array_set_size (b, old + pad);
      memset (b->data + old, 0, pad);
    }
  return b;
}

/* Parse a decrypted plaintext, version 1 or 2; strict, bounds-checked, canonical:
 * whatever parses serialises back to the same bytes. */
static EcCardSummary *
summary_parse (const guint8 *pt,
               gsize         len)
{
  g_autoptr(EcCardSummary) s = ec_card_summary_new ();
  gsize pos = PT_FIXED;
  guint seen = 0;
  guint8 last_tag = 0, version;

  if (len < PT_FIXED || len % PT_BLOCK != 0)
    return NULL;
  version = pt[0];
  if (version != SUMMARY_V1 && version != SUMMARY_V2)
    return NULL;
  s->birth_year = get_be16 (pt + 1);
  s->sex = pt[3];
  s->blood_type = pt[4];
  s->allergy_status = pt[5];
  s->dnr = pt[6];
  s->wandering = pt[7];
  s->record_version = get_be32 (pt + 8);
  s->omitted = pt[12];
  s->version = version;
  while (pos < len)
    {
      guint8 tag = pt[pos], n;
      gboolean cut;
      const char *v;

      if (tag == ITEM_END)
        {
          if (len - pos >= PT_BLOCK)     /* padding is shorter than one block */
            return NULL;
          for (; pos < len; pos++)
            if (pt[pos] != 0)
              return NULL;
          break;
        }
      cut = (tag & ITEM_CUT) != 0;
      tag &= ITEM_TAG_MASK;
      /* Version 1 has no marks; a phone is never shortened. */
      if (cut && (version == SUMMARY_V1 || tag == ITEM_CONTACT_PHONE))
        return NULL;
      if (len - pos < 2 || tag < last_tag)   /* items in canonical order */
        return NULL;
      last_tag = tag;
      n = pt[pos + 1];
      if (len - pos - 2 < n)
        return NULL;
      v = (const char *) pt + pos + 2;
      switch (tag)
        {
        case ITEM_ALLERGY:
          if (n < 2 || s->allergies->len >= EC_CARD_LIST_MAX || !text_ok (v + 1, n - 1u)
              || !enum_ok (pt[pos + 2], EC_CRITICALITY_HIGH))
            return NULL;
          {
            g_autofree char *sub = g_strndup (v + 1, n - 1u);
            if (cut)
              s->allergies_cut |= (guint16) (1u << s->allergies->len);
            ec_card_summary_add_allergy (s, sub, pt[pos + 2]);
          }
          break;
        case ITEM_CONDITION:
        case ITEM_MEDICATION:
          {
            GPtrArray *list = tag == ITEM_CONDITION ? s->conditions : s->medications;
            guint16 *marks = tag == ITEM_CONDITION ? &s->conditions_cut : &s->medications_cut;
            if (list->len >= EC_CARD_LIST_MAX || !text_ok (v, n))
              return NULL;
            if (cut)
              *marks |= (guint16) (1u << list->len);
            g_ptr_array_add (list, g_strndup (v, n));
          }
          break;
        case ITEM_NAME:
        case ITEM_NAME_LATIN:
        case ITEM_CONTACT_NAME:
        case ITEM_CONTACT_RELATION:
        case ITEM_CONTACT_PHONE:
          {
            char **field = tag == ITEM_NAME ? &s->name
                           : tag == ITEM_NAME_LATIN ? &s->name_latin
                           : tag == ITEM_CONTACT_NAME ? &s->contact_name
                           : tag == ITEM_CONTACT_RELATION ? &s->contact_relation
                           : &s->contact_phone;
            guint mark = tag == ITEM_NAME ? EC_CARD_CUT_NAME
                         : tag == ITEM_NAME_LATIN ? EC_CARD_CUT_NAME_LATIN
                         : tag == ITEM_CONTACT_NAME ? EC_CARD_CUT_CONTACT_NAME
                         : tag == ITEM_CONTACT_RELATION ? EC_CARD_CUT_CONTACT_RELATION : 0;
            if ((seen & (1u << tag)) != 0 || !text_ok (v, n))
              return NULL;
            seen |= 1u << tag;
            *field = g_strndup (v, n);
            if (cut)
              s->fields_cut |= mark;
          }
          break;
        default:
          return NULL;
        }
      pos += 2u + n;
    }
  if (!enum_ok ((int) s->sex, EC_SEX_OTHER) || !enum_ok ((int) s->blood_type, EC_BLOOD_O_NEG)
      || !enum_ok ((int) s->allergy_status, EC_ALLERGY_STATUS_RECORDED)
      || !enum_ok ((int) s->dnr, EC_DNR_LIMITED) || !enum_ok ((int) s->wandering, EC_WANDERING_AT_RISK)
      || s->omitted > (version == SUMMARY_V1 ? 0x0Fu : (guint) EC_CARD_OMITTED_ALL)
      /* a mark without the shortened-text bit; a version 2 plaintext that version 1
       * says as well (the writer uses the lowest version: one summary, one encoding) */
      || !marks_ok (s) || (version == SUMMARY_V2 && lowest_version (s) != SUMMARY_V2))
    return NULL;
  return g_steal_pointer (&s);
}

#ifdef EC_FUZZING
gboolean
ec_card_fuzz_summary_parse (const guint8 *pt,
                            gsize         len)
{
  g_autoptr(EcCardSummary) s = summary_parse (pt, len);

  if (s != NULL)
    {
      /* Whatever parses serialises back to the same bytes. */
      g_autoptr(GByteArray) b = summary_serialise (s);
      g_assert (b->len == len && memcmp (b->data, pt, len) == 0);
    }
  return s != NULL;
}
#endif

/* ---- from a resident ---------------------------------------------------------------- */

/* @s with control characters (line breaks of pasted notes, C1 controls) replaced by
 * spaces and stripped; NULL when nothing is left or @s is not UTF-8 (g_free). */
static char *
clean_text (const char *s)
{
  GString *g;

  if (s == NULL || !g_utf8_validate (s, -1, NULL))
    return NULL;
  g = g_string_sized_new (strlen (s));
  for (const char *p = s; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c))
        g_string_append_c (g, ' ');
      else
        g_string_append_unichar (g, c);
    }
  g_strstrip (g->str);
  g_string_set_size (g, strlen (g->str));
  if (g->len == 0)
    {
      g_string_free (g, TRUE);
      return NULL;
    }
  return g_string_free (g, FALSE);
}

/* A digit of any script, or a Chinese numeral: part of a number. */
static gboolean
number_char (gunichar c)
{
  return g_unichar_isdigit (c) || (c != 0 && g_utf8_strchr ("〇零一二两三四五六七八九十百千万", -1, c) != NULL);
}

/* Characters that belong to one token with a number next to them: "0.125mg",
 * "120/80", "5%", "２０". */
static gboolean
token_char (gunichar c)
{
  return number_char (c) || (c < 0x80 && g_ascii_isalnum ((char) c))
         || (c >= 0xFF10 && c <= 0xFF5A && g_unichar_isalnum (c))   /* full-width 0-9 A-Z a-z */
         || (c != 0 && g_utf8_strchr (".,/:%~-．，／：％", -1, c) != NULL);
}

/* @clean cut to at most @max bytes at a character boundary, never inside a token that
 * holds a number ("0.125 mg" never becomes "0.12", "20mg" never "20m"), without
 * trailing spaces. NULL when no such prefix is left (g_free). */
static char *
cut_text (const char *clean,
          gsize       max)
{
  const char *end = clean, *p;
  gboolean digit = FALSE;

  for (p = clean; *p; p = g_utf8_next_char (p))
    {
      const char *next = g_utf8_next_char (p);
      if ((gsize) (next - clean) > max)
        break;
      end = next;
    }
  if (*end == '\0')
    return g_strdup (clean);
  /* The token the cut falls in: back and forward over token characters. */
  if (end > clean && token_char (g_utf8_get_char (end))
      && token_char (g_utf8_get_char (g_utf8_prev_char (end))))
    {
      const char *start = end, *q;
      while (start > clean && token_char (g_utf8_get_char (g_utf8_prev_char (start))))
        start = g_utf8_prev_char (start);
      for (q = start; *q && token_char (g_utf8_get_char (q)); q = g_utf8_next_char (q))
        digit = digit || number_char (g_utf8_get_char (q));
      if (digit)
        end = start;
    }
  while (end > clean && g_unichar_isspace (g_utf8_get_char (g_utf8_prev_char (end))))
    end = g_utf8_prev_char (end);
  if (end == clean)
    return NULL;
  return g_strndup (clean, (gsize) (end - clean));
}

/* @s cleaned and, when longer than @max bytes, cut (*cut set); NULL when empty or
 * when it cannot be cut (then *cut is set too). */
static char *
fit_text (const char *s,
          gsize       max,
          gboolean   *cut)
{
  g_autofree char *clean = clean_text (s);

  *cut = FALSE;
  if (clean == NULL)
    return NULL;
  if (strlen (clean) <= max)
    return g_steal_pointer (&clean);
  *cut = TRUE;
  return cut_text (clean, max);
}

static gint
allergy_rank (EcCriticality c)
{
  switch (c)
    {
    case EC_CRITICALITY_HIGH:
      return 0;
    case EC_CRITICALITY_UNABLE_TO_ASSESS:
      return 1;
    case EC_CRITICALITY_LOW:
      return 2;
    default:
      return 1;    /* not a known value: carried as unable to assess */
    }
}

static gint
compare_allergies (gconstpointer a,
                   gconstpointer b)
{
  const EcAllergy *x = *(EcAllergy * const *) a, *y = *(EcAllergy * const *) b;

  return allergy_rank (x->criticality) - allergy_rank (y->criticality);
}

/* The medication's text as the card carries it, with what it leaves out:
 * @level 0 = name dose times, 1 = name dose (the times left out), 2 = name (the dose
 * left out as a whole). NULL when that level says nothing new (g_free). */
static char *
medication_text (const EcMedication *m,
                 int                 level)
{
  g_autofree char *name = clean_text (m->name);
  g_autofree char *dose = clean_text (m->dose);
  g_autofree char *sched = clean_text (m->schedule_text);
  GString *s;

  if (sched == NULL && m->slots != 0)
    {
      GString *g = g_string_new (NULL);
      if (m->slots & EC_SCHED_MORNING)
        g_string_append (g, "早");
      if (m->slots & EC_SCHED_NOON)
        g_string_append (g, "中");
      if (m->slots & EC_SCHED_EVENING)
        g_string_append (g, "晚");
      if (m->slots & EC_SCHED_NIGHT)
        g_string_append (g, "睡前");
      sched = g_string_free (g, g->len == 0);
    }
  if ((level >= 1 && sched == NULL) || (level >= 2 && (dose == NULL || name == NULL)))
    return NULL;   /* nothing left out at this level: the same text as the level before */
  s = g_string_new (name);
  if (level < 2 && dose != NULL)
    g_string_append_printf (s, s->len > 0 ? " %s" : "%s", dose);
  if (level < 1 && sched != NULL)
    g_string_append_printf (s, s->len > 0 ? " %s" : "%s", sched);
  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

typedef struct
{
  EcCardSummary *s;
  gsize          cap;
} Filler;

static gboolean
fits (const Filler *f,
      gsize         extra)
{
  return ec_card_summary_size (f->s) + extra <= f->cap;
}

static void
fill_allergy (Filler          *f,
              const EcAllergy *a)
{
  EcCardSummary *s = f->s;
  gboolean cut;
  g_autofree char *sub = fit_text (a->substance, EC_CARD_TEXT_MAX - 1, &cut);

  if (sub == NULL && !cut)
    return;    /* nothing recorded */
  if (sub != NULL && s->allergies->len < EC_CARD_LIST_MAX && fits (f, 3 + strlen (sub)))
    {
      if (cut)
        s->allergies_cut |= (guint16) (1u << s->allergies->len);
      ec_card_summary_add_allergy (s, sub, enum_ok ((int) a->criticality, EC_CRITICALITY_HIGH)
                                           ? a->criticality : EC_CRITICALITY_UNABLE_TO_ASSESS);
    }
  else
    s->omitted |= EC_CARD_OMITTED_ALLERGIES;
}

/* A contact's name or relation: whole, or cut to the room left (marked). */
static char *
fill_contact_text (Filler     *f,
                   const char *text,
                   guint       mark)
{
  g_autofree char *clean = clean_text (text);
  gsize room;
  char *t;

  if (clean == NULL)
    return NULL;
  room = ec_card_summary_size (f->s) + 2 < f->cap ? f->cap - ec_card_summary_size (f->s) - 2 : 0;
  room = MIN (room, EC_CARD_TEXT_MAX);
  if (strlen (clean) <= room)
    return g_steal_pointer (&clean);
  t = room > 0 ? cut_text (clean, room) : NULL;
  if (t != NULL)
    f->s->fields_cut |= mark;
  else
    f->s->omitted |= EC_CARD_OMITTED_CONTACT;
  return t;
}

static void
fill_contact (Filler          *f,
              const EcContact *c)
{
  EcCardSummary *s = f->s;
  gboolean first = TRUE;

  /* One phone, never cut: the first that goes on whole. */
  for (guint i = 0; c->phones != NULL && c->phones[i] != NULL; i++)
    {
      g_autofree char *phone = clean_text (c->phones[i]);
      if (phone == NULL)
        continue;
      if (strlen (phone) <= EC_CARD_TEXT_MAX && fits (f, 2 + strlen (phone)))
        {
          s->contact_phone = g_steal_pointer (&phone);
          break;
        }
      first = FALSE;     /* the number listed first is not on the card */
    }
  if (s->contact_phone == NULL || !first)
    {
      g_autofree char *any = NULL;
      for (guint i = 0; any == NULL && c->phones != NULL && c->phones[i] != NULL; i++)
        any = clean_text (c->phones[i]);
      if (any != NULL)
        s->omitted |= EC_CARD_OMITTED_CONTACT;
    }
  s->contact_name = fill_contact_text (f, c->name, EC_CARD_CUT_CONTACT_NAME);
  s->contact_relation = fill_contact_text (f, c->relation, EC_CARD_CUT_CONTACT_RELATION);
}

static void
fill_text_item (Filler     *f,
                GPtrArray  *list,
                guint16    *marks,
                const char *text,
                guint       omitted_bit)
{
  gboolean cut;
  g_autofree char *t = fit_text (text, EC_CARD_TEXT_MAX, &cut);

  if (t == NULL && !cut)
    return;
  if (t != NULL && list->len < EC_CARD_LIST_MAX && fits (f, 2 + strlen (t)))
    {
      if (cut)
        *marks |= (guint16) (1u << list->len);
      g_ptr_array_add (list, g_steal_pointer (&t));
    }
  else
    f->s->omitted |= omitted_bit;
}

/* A medication: whole; else without its times, or without its dose (marked shortened:
 * the number is never cut); a name longer than a field cut like any text; else left
 * out. */
static void
fill_medication (Filler             *f,
                 const EcMedication *m)
{
  EcCardSummary *s = f->s;
  gboolean any = FALSE;

  for (int level = 0; level <= 2; level++)
    {
      g_autofree char *t = medication_text (m, level);
      if (t == NULL)
        continue;
      any = TRUE;
      if (strlen (t) <= EC_CARD_TEXT_MAX && s->medications->len < EC_CARD_LIST_MAX
          && fits (f, 2 + strlen (t)))
        {
          if (level > 0)
            s->medications_cut |= (guint16) (1u << s->medications->len);
          g_ptr_array_add (s->medications, g_steal_pointer (&t));
          return;
        }
    }
  if (!any)
    return;
  {
    g_autofree char *name = clean_text (m->name);
    if (name != NULL && strlen (name) > EC_CARD_TEXT_MAX)
      {
        /* Even the name alone is longer than a field. */
        fill_text_item (f, s->medications, &s->medications_cut, name, EC_CARD_OMITTED_MEDICATIONS);
        return;
      }
  }
  s->omitted |= EC_CARD_OMITTED_MEDICATIONS;
}

EcCardSummary *
ec_card_summary_from_resident (const EcResident *r,
                               EcTagType         type)
{
  g_autoptr(EcCardSummary) s = NULL;
  g_autoptr(GPtrArray) allergies = NULL;
  gsize cap = ec_card_summary_capacity (type);
  gboolean cut = FALSE;
  Filler f;

  g_return_val_if_fail (r != NULL, NULL);
  if (cap == 0)
    return NULL;
  s = ec_card_summary_new ();
  f.s = s;
  f.cap = cap;

  /* 1. Identity and the flags a responder acts on, always. */
  s->name = fit_text (r->name_zh, EC_CARD_TEXT_MAX, &cut);
  if (cut)
    s->fields_cut |= s->name != NULL ? EC_CARD_CUT_NAME : 0;
  if (cut && s->name == NULL)
    s->omitted |= EC_CARD_OMITTED_TEXT;
  s->name_latin = fit_text (r->name_pinyin, EC_CARD_TEXT_MAX, &cut);
  if (cut)
    s->fields_cut |= s->name_latin != NULL ? EC_CARD_CUT_NAME_LATIN : 0;
  if (cut && s->name_latin == NULL)
    s->omitted |= EC_CARD_OMITTED_TEXT;
  if (r->date_of_birth != NULL && strlen (r->date_of_birth) >= 4)
    {
      guint64 y = 0;
      g_autofree char *ys = g_strndup (r->date_of_birth, 4);
      if (g_ascii_string_to_unsigned (ys, 10, 1800, 9999, &y, NULL))
        s->birth_year = (guint16) y;
    }
  s->sex = enum_ok ((int) r->sex, EC_SEX_OTHER) ? r->sex : EC_SEX_UNKNOWN;
  s->blood_type = enum_ok ((int) r->blood_type, EC_BLOOD_O_NEG) ? r->blood_type : EC_BLOOD_UNKNOWN;
  s->allergy_status = enum_ok ((int) r->allergy_status, EC_ALLERGY_STATUS_RECORDED)
                      ? r->allergy_status : EC_ALLERGY_STATUS_UNKNOWN;
  s->dnr = enum_ok ((int) r->dnr, EC_DNR_LIMITED) ? r->dnr : EC_DNR_UNKNOWN;
  s->wandering = enum_ok ((int) r->wandering, EC_WANDERING_AT_RISK) ? r->wandering : EC_WANDERING_UNKNOWN;
  s->record_version = r->record_version < 0 ? 0
                      : r->record_version > G_MAXUINT32 ? G_MAXUINT32 : (guint32) r->record_version;

  /* Allergies, the most critical first (stable: the record's order within a rank). */
  allergies = g_ptr_array_new ();
  if (r->allergies != NULL)
    {
      for (guint i = 0; i < r->allergies->len; i++)
        g_ptr_array_add (allergies, r->allergies->pdata[i]);
      g_ptr_array_sort (allergies, compare_allergies);   /* stable: merge sort */
    }

  /* 2. High-criticality and unable-to-assess allergies: what must not be given. */
  for (guint i = 0; i < allergies->len; i++)
    if (allergy_rank (((EcAllergy *) allergies->pdata[i])->criticality) < 2)
      fill_allergy (&f, allergies->pdata[i]);

  /* 3. The first emergency contact (call order 1, else the first listed): whom to
   *    call matters more than a low-criticality allergy. */
  if (r->contacts != NULL && r->contacts->len > 0)
    {
      const EcContact *c = r->contacts->pdata[0];

      for (guint i = 1; i < r->contacts->len; i++)
        {
          const EcContact *o = r->contacts->pdata[i];
          if (o->call_order != 0 && (c->call_order == 0 || o->call_order < c->call_order))
            c = o;
        }
      fill_contact (&f, c);
    }

  /* 4. Low-criticality allergies, 5. conditions, 6. medications. */
  for (guint i = 0; i < allergies->len; i++)
    if (allergy_rank (((EcAllergy *) allergies->pdata[i])->criticality) >= 2)
      fill_allergy (&f, allergies->pdata[i]);
  for (guint i = 0; r->conditions != NULL && i < r->conditions->len; i++)
    fill_text_item (&f, s->conditions, &s->conditions_cut,
                    ((EcCondition *) r->conditions->pdata[i])->text, EC_CARD_OMITTED_CONDITIONS);
  for (guint i = 0; r->medications != NULL && i < r->medications->len; i++)
    fill_medication (&f, r->medications->pdata[i]);

  if (summary_has_marks (s))
    s->omitted |= EC_CARD_OMITTED_TEXT;
  return g_steal_pointer (&s);
}

/* ---- JSON ---------------------------------------------------------------------------- */

static gboolean
json_fail (GError    **error,
           const char *what)
{
  g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID, _("summary JSON: %s"), what);
  return FALSE;
}

static gboolean
json_get_string (JsonObject  *o,
                 const char  *member,
                 char       **out,
                 GError     **error)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      g_autofree char *m = g_strdup_printf (_("'%s' must be a string"), member);
      return json_fail (error, m);
    }
  g_free (*out);
  *out = g_strdup (json_node_get_string (n));
  return TRUE;
}

static gboolean
json_get_enum (JsonObject  *o,
               const char  *member,
               gboolean   (*parse) (const char *, int *),
               int         *out,
               GError     **error)
{
  g_autofree char *v = NULL;

  if (!json_get_string (o, member, &v, error))
    return FALSE;
  if (v != NULL && !parse (v, out))
    {
      g_autofree char *m = g_strdup_printf (_("unknown value '%s' for '%s'"), v, member);
      return json_fail (error, m);
    }
  return TRUE;
}

#define ENUM_PARSER(fname, ctype, from) \
  static gboolean fname (const char *s, int *out) \
  { ctype v; if (!from (s, &v)) return FALSE; *out = (int) v; return TRUE; }
ENUM_PARSER (parse_sex, EcSex, ec_sex_from_string)
ENUM_PARSER (parse_blood, EcBloodType, ec_blood_type_from_string)
ENUM_PARSER (parse_allergy_status, EcAllergyStatus, ec_allergy_status_from_string)
ENUM_PARSER (parse_dnr, EcDnrStatus, ec_dnr_from_string)
ENUM_PARSER (parse_wandering, EcWanderingRisk, ec_wandering_from_string)
ENUM_PARSER (parse_criticality, EcCriticality, ec_criticality_from_string)

static gboolean
json_get_uint (JsonObject *o,
               const char *member,
               guint64     max,
               guint64    *out,
               GError    **error)
{
  JsonNode *n = json_object_get_member (o, member);
  gint64 v;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
      || (v = json_node_get_int (n)) < 0 || (guint64) v > max)
    {
      g_autofree char *m = g_strdup_printf (_("'%s' must be a whole number 0..%llu"),
                                            member, (unsigned long long) max);
      return json_fail (error, m);
    }
  *out = (guint64) v;
  return TRUE;
}

/* An optional boolean member: TRUE sets @bit in *@out. */
static gboolean
json_get_mark (JsonObject *o,
               const char *member,
               guint       bit,
               guint      *out,
               GError    **error)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    {
      g_autofree char *m = g_strdup_printf (_("'%s' must be true or false"), member);
      return json_fail (error, m);
    }
  if (json_node_get_boolean (n))
    *out |= bit;
  return TRUE;
}

static gboolean
json_only_members (JsonObject         *o,
                   const char * const *allowed,
                   GError            **error)
{
  g_autoptr(GList) members = json_object_get_members (o);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        g_autofree char *m = g_strdup_printf (_("unknown member '%s'"), (const char *) l->data);
        return json_fail (error, m);
      }
  return TRUE;
}

/* A list of texts: each a string, or {"text": …, "shortened": true} (bit i of
 * *@marks; items past the 16th are refused later by the length check). */
static gboolean
json_string_list (JsonObject *o,
                  const char *member,
                  GPtrArray  *out,
                  guint16    *marks,
                  GError    **error)
{
  static const char * const item_members[] = { "text", "shortened", NULL };
  JsonNode *n = json_object_get_member (o, member);
  JsonArray *a;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    return json_fail (error, _("a list must be an array of strings"));
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (JSON_NODE_HOLDS_OBJECT (e))
        {
          JsonObject *eo = json_node_get_object (e);
          g_autofree char *text = NULL;
          guint cut = 0;
          if (!json_only_members (eo, item_members, error)
              || !json_get_string (eo, "text", &text, error)
              || !json_get_mark (eo, "shortened", 1, &cut, error))
            return FALSE;
          if (text == NULL)
            return json_fail (error, _("a list item needs a 'text'"));
          if (cut && i < EC_CARD_LIST_MAX)
            *marks |= (guint16) (1u << i);
          g_ptr_array_add (out, g_steal_pointer (&text));
          continue;
        }
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return json_fail (error, _("a list must be an array of strings"));
      g_ptr_array_add (out, g_strdup (json_node_get_string (e)));
    }
  return TRUE;
}

EcCardSummary *
ec_card_summary_from_json (const char *json,
                           gsize       len,
                           GError    **error)
{
  static const char * const top[] = { "name", "name_latin", "birth_year", "sex", "blood_type",
    "allergy_status", "allergies", "conditions", "medications", "contact", "dnr", "wandering",
    "record_version", "omitted", "name_shortened", "name_latin_shortened", NULL };
  static const char * const allergy_members[] = { "substance", "criticality", "shortened", NULL };
  static const char * const contact_members[] = { "name", "relation", "phone", "name_shortened",
    "relation_shortened", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(EcCardSummary) s = ec_card_summary_new ();
  g_autoptr(GError) local = NULL;
  JsonNode *root, *n;
  JsonObject *o;
  guint64 u = 0;
  int e;

  if (len > 64 * 1024)
    {
      json_fail (error, _("file too large"));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, json, (gssize) len, &local))
    {
      json_fail (error, local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      json_fail (error, _("the top level must be an object"));
      return NULL;
    }
  o = json_node_get_object (root);
  if (!json_only_members (o, top, error)
      || !json_get_string (o, "name", &s->name, error)
      || !json_get_string (o, "name_latin", &s->name_latin, error)
      || !json_get_mark (o, "name_shortened", EC_CARD_CUT_NAME, &s->fields_cut, error)
      || !json_get_mark (o, "name_latin_shortened", EC_CARD_CUT_NAME_LATIN, &s->fields_cut, error))
    return NULL;
  if (!json_get_uint (o, "birth_year", 9999, &u, error))
    return NULL;
  s->birth_year = (guint16) u;
  e = 0;
  if (!json_get_enum (o, "sex", parse_sex, &e, error))
    return NULL;
  s->sex = (EcSex) e;
  e = 0;
  if (!json_get_enum (o, "blood_type", parse_blood, &e, error))
    return NULL;
  s->blood_type = (EcBloodType) e;
  e = 0;
  if (!json_get_enum (o, "allergy_status", parse_allergy_status, &e, error))
    return NULL;
  s->allergy_status = (EcAllergyStatus) e;
  e = 0;
  if (!json_get_enum (o, "dnr", parse_dnr, &e, error))
    return NULL;
  s->dnr = (EcDnrStatus) e;
  e = 0;
  if (!json_get_enum (o, "wandering", parse_wandering, &e, error))
    return NULL;
  s->wandering = (EcWanderingRisk) e;
  u = 0;
  if (!json_get_uint (o, "record_version", G_MAXUINT32, &u, error))
    return NULL;
  s->record_version = (guint32) u;
  u = 0;
  if (!json_get_uint (o, "omitted", EC_CARD_OMITTED_ALL, &u, error))
    return NULL;
  s->omitted = (guint) u;
  if (!json_string_list (o, "conditions", s->conditions, &s->conditions_cut, error)
      || !json_string_list (o, "medications", s->medications, &s->medications_cut, error))
    return NULL;
  n = json_object_get_member (o, "allergies");
  if (n != NULL && !JSON_NODE_HOLDS_NULL (n))
    {
      JsonArray *a;
      if (!JSON_NODE_HOLDS_ARRAY (n))
        {
          json_fail (error, _("'allergies' must be an array of objects"));
          return NULL;
        }
      a = json_node_get_array (n);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *el = json_array_get_element (a, i);
          g_autofree char *sub = NULL;
          JsonObject *ao;
          int crit = EC_CRITICALITY_UNABLE_TO_ASSESS;
          guint cut = 0;

          if (!JSON_NODE_HOLDS_OBJECT (el))
            {
              json_fail (error, _("'allergies' must be an array of objects"));
              return NULL;
            }
          ao = json_node_get_object (el);
          if (!json_only_members (ao, allergy_members, error)
              || !json_get_string (ao, "substance", &sub, error)
              || !json_get_enum (ao, "criticality", parse_criticality, &crit, error)
              || !json_get_mark (ao, "shortened", 1, &cut, error))
            return NULL;
          if (sub == NULL)
            {
              json_fail (error, _("an allergy needs a 'substance'"));
              return NULL;
            }
          if (cut && i < EC_CARD_LIST_MAX)
            s->allergies_cut |= (guint16) (1u << i);
          ec_card_summary_add_allergy (s, sub, (EcCriticality) crit);
        }
    }
  n = json_object_get_member (o, "contact");
  if (n != NULL && !JSON_NODE_HOLDS_NULL (n))
    {
      JsonObject *co;
      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          json_fail (error, _("'contact' must be an object"));
          return NULL;
        }
      co = json_node_get_object (n);
      if (!json_only_members (co, contact_members, error)
          || !json_get_string (co, "name", &s->contact_name, error)
          || !json_get_string (co, "relation", &s->contact_relation, error)
          || !json_get_string (co, "phone", &s->contact_phone, error)
          || !json_get_mark (co, "name_shortened", EC_CARD_CUT_CONTACT_NAME, &s->fields_cut, error)
          || !json_get_mark (co, "relation_shortened", EC_CARD_CUT_CONTACT_RELATION, &s->fields_cut,
                             error))
        return NULL;
    }
  /* A mark says some text was shortened. */
  if (summary_has_marks (s))
    s->omitted |= EC_CARD_OMITTED_TEXT;
  if (!summary_check (s, error))
    return NULL;
  return g_steal_pointer (&s);
}

char *
ec_card_summary_to_json (const EcCardSummary *s)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
#define STR(k, v) if ((v) != NULL) { json_builder_set_member_name (b, k); json_builder_add_string_value (b, v); }
#define MARK(k, v) if (v) { json_builder_set_member_name (b, k); json_builder_add_boolean_value (b, TRUE); }
  STR ("name", s->name);
  MARK ("name_shortened", s->fields_cut & EC_CARD_CUT_NAME);
  STR ("name_latin", s->name_latin);
  MARK ("name_latin_shortened", s->fields_cut & EC_CARD_CUT_NAME_LATIN);
  json_builder_set_member_name (b, "birth_year");
  json_builder_add_int_value (b, s->birth_year);
  STR ("sex", ec_sex_to_string (s->sex));
  STR ("blood_type", ec_blood_type_to_string (s->blood_type));
  STR ("allergy_status", ec_allergy_status_to_string (s->allergy_status));
  json_builder_set_member_name (b, "allergies");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->allergies->len; i++)
    {
      const EcCardAllergy *a = s->allergies->pdata[i];
      json_builder_begin_object (b);
      STR ("substance", a->substance);
      STR ("criticality", ec_criticality_to_string (a->criticality));
      MARK ("shortened", i < EC_CARD_LIST_MAX && (s->allergies_cut & (1u << i)));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  for (int l = 0; l < 2; l++)
    {
      const GPtrArray *list = l == 0 ? s->conditions : s->medications;
      guint16 marks = l == 0 ? s->conditions_cut : s->medications_cut;

      json_builder_set_member_name (b, l == 0 ? "conditions" : "medications");
      json_builder_begin_array (b);
      for (guint i = 0; i < list->len; i++)
        if (i < EC_CARD_LIST_MAX && (marks & (1u << i)))
          {
            json_builder_begin_object (b);
            STR ("text", list->pdata[i]);
            MARK ("shortened", TRUE);
            json_builder_end_object (b);
          }
        else
          json_builder_add_string_value (b, list->pdata[i]);
      json_builder_end_array (b);
    }
  if (s->contact_name != NULL || s->contact_relation != NULL || s->contact_phone != NULL)
    {
      json_builder_set_member_name (b, "contact");
      json_builder_begin_object (b);
      STR ("name", s->contact_name);
      MARK ("name_shortened", s->fields_cut & EC_CARD_CUT_CONTACT_NAME);
      STR ("relation", s->contact_relation);
      MARK ("relation_shortened", s->fields_cut & EC_CARD_CUT_CONTACT_RELATION);
      STR ("phone", s->contact_phone);
      json_builder_end_object (b);
    }
  STR ("dnr", ec_dnr_to_string (s->dnr));
  STR ("wandering", ec_wandering_to_string (s->wandering));
#undef STR
#undef MARK
  json_builder_set_member_name (b, "record_version");
  json_builder_add_int_value (b, s->record_version);
  json_builder_set_member_name (b, "omitted");
  json_builder_add_int_value (b, s->omitted);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

/* ---- encode ------------------------------------------------------------------------- */

static gboolean
invalid (GError    **error,
         const char *what)
{
  g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID, "%s", what);
  return FALSE;
}

gboolean
ec_card_encode (EcTagType            type,
                const guint8        *uid,
                const EcCardHeader  *header,
                const EcCardSummary *summary,
                const EcStationKey  *station_key,
                const EcReadKey     *read_key,
                EcTagImage         **out,
                GError             **error)
{
  guint8 nonce[EC_AEAD_NONCE_BYTES];

  ec_crypto_random (nonce, sizeof nonce);
  return ec_card_encode_with_nonce (type, uid, header, summary, station_key, read_key, nonce,
                                    out, error);
}

gboolean
ec_card_encode_with_nonce (EcTagType            type,
                           const guint8        *uid,
                           const EcCardHeader  *header,
                           const EcCardSummary *summary,
                           const EcStationKey  *station_key,
                           const EcReadKey     *read_key,
                           const guint8        *nonce,
                           EcTagImage         **out,
                           GError             **error)
{
  const EcTagInfo *info = ec_tag_type_info (type);
  g_autoptr(EcTagImage) img = NULL;
  g_autoptr(GByteArray) pt = NULL;
  g_autofree guint8 *payload = NULL;
  g_autofree guint8 *msg = NULL;
  gsize plen, rec_len, tlv_hdr, total, pos, sig_off;
  EcCardProfile profile = summary != NULL ? EC_CARD_PROFILE_FULL : EC_CARD_PROFILE_REFERENCE;
  guint8 *u;

  g_return_val_if_fail (header != NULL && station_key != NULL && out != NULL, FALSE);

  img = ec_tag_image_new_blank (type, uid, error);
  if (img == NULL)
    return FALSE;
  if (header->issued_at < 0 || header->issued_at > G_MAXUINT32)
    return invalid (error, _("the issue time does not fit the card (1970–2106)"));
  if (header->card_seq == 0)
    return invalid (error, _("the card sequence number starts at 1"));
  if (profile == EC_CARD_PROFILE_FULL)
    {
      if (read_key == NULL)
        return invalid (error, _("a card with a summary needs the community read key"));
      if (ec_card_summary_capacity (type) == 0)
        {
          g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_TOO_LARGE,
                       _("an %s holds no emergency summary (reference-only card)"), info->name);
          return FALSE;
        }
      if (!summary_check (summary, error))
        return FALSE;
      pt = summary_serialise (summary);
      if (pt->len > ec_card_summary_capacity (type))
        {
          g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_TOO_LARGE,
                       _("the summary needs %u bytes; an %s holds %zu"),
                       pt->len, info->name, ec_card_summary_capacity (type));
          return FALSE;
        }
      plen = F_OVERHEAD + pt->len;
    }
  else
    plen = R_PAYLOAD;

  /* Payload: header ‖ [enc_kid ‖ nonce ‖ ct] ‖ sig */
  payload = g_malloc0 (plen);
  payload[OFF_FMT] = (guint8) (EC_CARD_FORMAT_VERSION << 4 | profile);
  memcpy (payload + OFF_UID, uid, EC_TAG_UID_BYTES);
  put_be32 (payload + OFF_SIG_KID, station_key->cert->kid);
  put_be32 (payload + OFF_RESIDENT, (guint32) (header->resident_id >> 32));
  put_be32 (payload + OFF_RESIDENT + 4, (guint32) header->resident_id);
  put_be16 (payload + OFF_SEQ, header->card_seq);
  put_be32 (payload + OFF_ISSUED, (guint32) header->issued_at);
  put_be16 (payload + OFF_EXPIRES, header->expires_days);
  put_be16 (payload + OFF_STATION, station_key->cert->station_id);
  sig_off = plen - EC_SIGN_BYTES;
  if (profile == EC_CARD_PROFILE_FULL)
    {
      guint8 ad[sizeof AEAD_DOMAIN - 1 + 1 + OFF_NONCE];

      put_be32 (payload + OFF_ENC_KID, read_key->kid);
      memcpy (payload + OFF_NONCE, nonce, EC_AEAD_NONCE_BYTES);
      memcpy (ad, AEAD_DOMAIN, sizeof AEAD_DOMAIN - 1);
      ad[sizeof AEAD_DOMAIN - 1] = info->storage_byte;
      memcpy (ad + sizeof AEAD_DOMAIN, payload, OFF_NONCE);
      if (!ec_crypto_aead_encrypt (payload + OFF_CT, pt->data, pt->len, ad, sizeof ad,
                                   payload + OFF_NONCE, read_key->key->data, error))
        return FALSE;
    }
  msg = g_malloc (sizeof SIG_DOMAIN - 1 + 1 + sig_off);
  memcpy (msg, SIG_DOMAIN, sizeof SIG_DOMAIN - 1);
  msg[sizeof SIG_DOMAIN - 1] = info->storage_byte;
  memcpy (msg + sizeof SIG_DOMAIN, payload, sig_off);
  if (!ec_crypto_sign (payload + sig_off, msg, sizeof SIG_DOMAIN + sig_off, station_key->sk, error))
    return FALSE;

  /* NDEF record and TLV, canonical short forms whenever they fit. */
  rec_len = 1 + 1 + (plen <= 255 ? 1 : 4) + TYPE_LEN + plen;
  tlv_hdr = rec_len < 255 ? 2 : 4;
  total = tlv_hdr + rec_len + 1;
  if (total > info->ndef_area_bytes)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_TOO_LARGE,
                   _("the card needs %zu bytes; an %s holds %u"), total, info->name,
                   info->ndef_area_bytes);
      return FALSE;
    }
  u = (guint8 *) (void *) img->pages + EC_TAG_FIRST_USER_PAGE * EC_TAG_PAGE_BYTES;
  pos = 0;
  u[pos++] = 0x03;
  if (tlv_hdr == 2)
    u[pos++] = (guint8) rec_len;
  else
    {
      u[pos++] = 0xFF;
      u[pos++] = (guint8) (rec_len >> 8);
      u[pos++] = (guint8) rec_len;
    }
  u[pos++] = plen <= 255 ? 0xD4 : 0xC4;  /* MB | ME | (SR) | TNF 4 external */
  u[pos++] = (guint8) TYPE_LEN;
  if (plen <= 255)
    u[pos++] = (guint8) plen;
  else
    {
      put_be32 (u + pos, (guint32) plen);
      pos += 4;
    }
  memcpy (u + pos, EC_CARD_RECORD_TYPE, TYPE_LEN);
  pos += TYPE_LEN;
  memcpy (u + pos, payload, plen);
  pos += plen;
  u[pos++] = 0xFE;
  g_assert (pos == total);
  *out = g_steal_pointer (&img);
  return TRUE;
}

gboolean
ec_card_layout (const EcTagImage *encoded,
                EcCardLayout     *out,
                GError          **error)
{
  const EcTagInfo *info = ec_tag_type_info (encoded->type);
  const guint8 *u = (const guint8 *) (const void *) encoded->pages + EC_TAG_FIRST_USER_PAGE * EC_TAG_PAGE_BYTES;
  gsize l, hl;

  if (u[0] != 0x03)
    return invalid (error, _("not an encoded card image"));
  if (u[1] == 0xFF)
    {
      l = (gsize) u[2] << 8 | u[3];
      hl = 4;
    }
  else
    {
      l = u[1];
      hl = 2;
    }
  if (l == 0 || hl + l + 1 > info->ndef_area_bytes || u[hl + l] != 0xFE)
    return invalid (error, _("not an encoded card image"));
  out->first_page = EC_TAG_FIRST_USER_PAGE;
  out->last_page = (guint) (EC_TAG_FIRST_USER_PAGE + (hl + l) / EC_TAG_PAGE_BYTES);
  memcpy (out->commit_page, u, 4);
  return TRUE;
}

/* ---- verify ------------------------------------------------------------------------- */

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}


void
ec_card_free (EcCard *card)
{
  if (card == NULL)
    return;
  g_free (card->station_name);
  ec_card_summary_free (card->summary);
  g_clear_error (&card->summary_error);
  g_free (card);
}

static gboolean
refuse (GError    **error,
        EcCardError code,
        const char *message)
{
  g_set_error_literal (error, EC_CARD_ERROR, code, message);
  return FALSE;
}

gboolean
ec_card_verify (const EcTagImage *image,
                const EcKeyring  *ring,
                gint64            now,
                EcCard          **out,
                GError          **error)
{
  const EcTagInfo *info;
  const guint8 *uid, *u, *r, *p;
  const EcStationCert *cert;
  g_autoptr(EcCard) card = NULL;
  g_autofree guint8 *msg = NULL;
  gsize l, hl, plen, pl_size, sig_off;
  guint8 hdr;
  EcCardHeader h = { 0 };

  g_return_val_if_fail (image != NULL && ring != NULL && out != NULL, FALSE);
  info = ec_tag_type_info (image->type);
  uid = image->uid;

  /* 1. The tag's own memory: UID and check bytes, capability container. */
  if (uid[0] != 0x04 || image->pages[0][0] != uid[0] || image->pages[0][1] != uid[1]
      || image->pages[0][2] != uid[2] || image->pages[0][3] != (0x88 ^ uid[0] ^ uid[1] ^ uid[2])
      || memcmp (image->pages[1], uid + 3, 4) != 0
      || image->pages[2][0] != (uid[3] ^ uid[4] ^ uid[5] ^ uid[6]))
    return refuse (error, EC_CARD_ERROR_DAMAGED,
                   _("damaged: the tag's UID bytes are inconsistent"));
  if (image->pages[3][0] != 0xE1)
    return refuse (error, EC_CARD_ERROR_NOT_OURS,
                   _("not an eldercard card: the tag holds no NDEF data"));
  if (image->pages[3][1] != 0x10 || image->pages[3][2] != info->cc_size
      || (image->pages[3][3] != 0x00 && image->pages[3][3] != 0x0F))
    return refuse (error, EC_CARD_ERROR_DAMAGED,
                   _("damaged: the tag's capability container is not the one for its type"));

  /* 2. NDEF TLV, record, type. */
  u = (const guint8 *) (const void *) image->pages + EC_TAG_FIRST_USER_PAGE * EC_TAG_PAGE_BYTES;
  if (u[0] != 0x03)
    return refuse (error, EC_CARD_ERROR_NOT_OURS,
                   _("not an eldercard card: no NDEF message where it belongs"));
  if (u[1] == 0xFF)
    {
      l = (gsize) u[2] << 8 | u[3];
      hl = 4;
      if (l < 255)
        return refuse (error, EC_CARD_ERROR_DAMAGED, _("damaged: the NDEF length is malformed"));
    }
  else
    {
      l = u[1];
      hl = 2;
    }
  if (l == 0)
    return refuse (error, EC_CARD_ERROR_NOT_OURS,
                   _("not an eldercard card: the NDEF message is empty (blank or unfinished card)"));
  if (hl + l + 1 > info->ndef_area_bytes)
    return refuse (error, EC_CARD_ERROR_TRUNCATED,
                   _("truncated: the NDEF message is longer than the tag's data area"));
  if (u[hl + l] != 0xFE)
    return refuse (error, EC_CARD_ERROR_TRUNCATED,
                   _("truncated: the NDEF message does not end where its length says"));
  r = u + hl;
  if (l < 3)
    return refuse (error, EC_CARD_ERROR_DAMAGED, _("damaged: the NDEF record is malformed"));
  hdr = r[0];
  if ((hdr & 0xE8) != 0xC0)   /* MB and ME set, CF and IL clear */
    return refuse (error, EC_CARD_ERROR_DAMAGED, _("damaged: the NDEF record header is malformed"));
  if ((hdr & 0x07) != 0x04 || r[1] != TYPE_LEN)
    return refuse (error, EC_CARD_ERROR_NOT_OURS,
                   _("not an eldercard card: the NDEF record is of another type"));
  pl_size = (hdr & 0x10) ? 1 : 4;
  if (l < 2 + pl_size + TYPE_LEN)
    return refuse (error, EC_CARD_ERROR_TRUNCATED, _("truncated: the NDEF record is cut short"));
  if (memcmp (r + 2 + pl_size, EC_CARD_RECORD_TYPE, TYPE_LEN) != 0)
    return refuse (error, EC_CARD_ERROR_NOT_OURS,
                   _("not an eldercard card: the NDEF record is of another type"));
  plen = pl_size == 1 ? r[2] : get_be32 (r + 2);
  if (pl_size == 4 && plen <= 255)
    return refuse (error, EC_CARD_ERROR_DAMAGED, _("damaged: the NDEF record length is malformed"));
  if (plen > l - (2 + pl_size + TYPE_LEN))
    return refuse (error, EC_CARD_ERROR_TRUNCATED,
                   _("truncated: the card's data is shorter than its record says"));
  if (plen < l - (2 + pl_size + TYPE_LEN))
    return refuse (error, EC_CARD_ERROR_DAMAGED,
                   _("damaged: extra bytes after the card's record"));
  p = r + 2 + pl_size + TYPE_LEN;

  /* 3. Format version and profile, then the fixed lengths they imply. */
  if (plen < 1 || (p[OFF_FMT] >> 4) != EC_CARD_FORMAT_VERSION || (p[OFF_FMT] & 0x0F) > EC_CARD_PROFILE_FULL)
    return refuse (error, EC_CARD_ERROR_UNKNOWN_VERSION,
                   _("unknown version: this card uses a format this eldercard does not know"));
  h.profile = p[OFF_FMT] & 0x0F;
  if (h.profile == EC_CARD_PROFILE_REFERENCE ? plen != R_PAYLOAD
      : (plen < F_OVERHEAD + PT_BLOCK || (plen - F_OVERHEAD) % PT_BLOCK != 0))
    return refuse (error, EC_CARD_ERROR_DAMAGED,
                   _("damaged: the card's data has the wrong length for its format"));
  h.sig_kid = get_be32 (p + OFF_SIG_KID);
  h.resident_id = (guint64) get_be32 (p + OFF_RESIDENT) << 32 | get_be32 (p + OFF_RESIDENT + 4);
  h.card_seq = get_be16 (p + OFF_SEQ);
  h.issued_at = get_be32 (p + OFF_ISSUED);
  h.expires_days = get_be16 (p + OFF_EXPIRES);
  h.station_id = get_be16 (p + OFF_STATION);
  h.enc_kid = h.profile == EC_CARD_PROFILE_FULL ? get_be32 (p + OFF_ENC_KID) : 0;

  /* 4. The station key, 5. the signature. */
  /* The certificate that covered the card's issue date: a key renewed since keeps its
   * older cards genuine. */
  cert = ec_keyring_find_cert_at (ring, h.sig_kid, h.issued_at);
  if (cert == NULL)
    return refuse (error, EC_CARD_ERROR_UNKNOWN_KEY,
                   _("unknown key: signed by a station key this device does not trust"));
  if (h.issued_at < cert->valid_from || h.issued_at > cert->valid_to || h.station_id != cert->station_id)
    return refuse (error, EC_CARD_ERROR_UNKNOWN_KEY,
                   _("unknown key: the station key was not certified for this card's date or station"));
  sig_off = plen - EC_SIGN_BYTES;
  msg = g_malloc (sizeof SIG_DOMAIN + sig_off);
  memcpy (msg, SIG_DOMAIN, sizeof SIG_DOMAIN - 1);
  msg[sizeof SIG_DOMAIN - 1] = info->storage_byte;
  memcpy (msg + sizeof SIG_DOMAIN, p, sig_off);
  if (!ec_crypto_verify (p + sig_off, msg, sizeof SIG_DOMAIN + sig_off, cert->pk))
    return refuse (error, EC_CARD_ERROR_BAD_SIGNATURE,
                   _("bad signature: the card was forged or altered"));

  /* 6. Bound to this tag, 7. still valid. */
  if (memcmp (p + OFF_UID, uid, EC_TAG_UID_BYTES) != 0)
    return refuse (error, EC_CARD_ERROR_UID_MISMATCH,
                   _("UID mismatch: this card was copied from another tag"));
  if (h.expires_days != 0 && now >= ((gint64) h.expires_days + 1) * 86400)
    return refuse (error, EC_CARD_ERROR_EXPIRED, _("expired: the card is past its expiry date"));
  /* 8. Not from the future: a card dated ahead of this clock by more than the skew
   *    was made with a wrong clock or a misused key; it would also outrank the
   *    resident's real newest card. 9. A genuine issue numbers cards from 1. */
  if (h.issued_at > now + EC_CARD_CLOCK_SKEW)
    {
      g_autofree char *when = format_time (h.issued_at);
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_NOT_YET_VALID,
                   _("not yet valid: the card says it was issued at %s, more than a day after "
                     "this device's clock (check the clock)"), when);
      return FALSE;
    }
  if (h.card_seq == 0)
    return refuse (error, EC_CARD_ERROR_BAD_SEQUENCE,
                   _("bad sequence number: the card's sequence number is 0; genuine cards start at 1"));

  card = g_new0 (EcCard, 1);
  card->type = image->type;
  memcpy (card->uid, uid, EC_TAG_UID_BYTES);
  card->header = h;
  card->station_name = g_strdup (cert->name);

  /* 10. Only now the encrypted body. */
  if (h.profile == EC_CARD_PROFILE_FULL)
    {
      const EcReadKey *rk = ec_keyring_find_read_key (ring, h.enc_kid);
      gsize ct_len = sig_off - OFF_CT;

      if (rk == NULL)
        g_set_error_literal (&card->summary_error, EC_CARD_ERROR, EC_CARD_ERROR_NO_READ_KEY,
                             _("no read key: this device cannot read the card's emergency summary"));
      else
        {
          guint8 ad[sizeof AEAD_DOMAIN + OFF_NONCE];
          g_autoptr(EcSecret) pt = ec_secret_new (ct_len - EC_AEAD_TAG_BYTES);

          memcpy (ad, AEAD_DOMAIN, sizeof AEAD_DOMAIN - 1);
          ad[sizeof AEAD_DOMAIN - 1] = info->storage_byte;
          memcpy (ad + sizeof AEAD_DOMAIN, p, OFF_NONCE);
          if (!ec_crypto_aead_decrypt (pt->data, p + OFF_CT, ct_len, ad, sizeof ad, p + OFF_NONCE,
                                       rk->key->data, NULL))
            g_set_error_literal (&card->summary_error, EC_CARD_ERROR, EC_CARD_ERROR_CANNOT_DECRYPT,
                                 _("cannot decrypt: the emergency summary does not decrypt with this device's read key"));
          else if ((card->summary = summary_parse (pt->data, pt->len)) == NULL)
            g_set_error_literal (&card->summary_error, EC_CARD_ERROR, EC_CARD_ERROR_CANNOT_DECRYPT,
                                 _("cannot decrypt: the emergency summary is malformed"));
        }
    }
  *out = g_steal_pointer (&card);
  return TRUE;
}

const char *
ec_card_error_to_string (EcCardError code)
{
  switch (code)
    {
    case EC_CARD_ERROR_NOT_OURS: return "not-ours";
    case EC_CARD_ERROR_TRUNCATED: return "truncated";
    case EC_CARD_ERROR_DAMAGED: return "damaged";
    case EC_CARD_ERROR_UNKNOWN_VERSION: return "unknown-version";
    case EC_CARD_ERROR_UNKNOWN_KEY: return "unknown-key";
    case EC_CARD_ERROR_BAD_SIGNATURE: return "bad-signature";
    case EC_CARD_ERROR_UID_MISMATCH: return "uid-mismatch";
    case EC_CARD_ERROR_EXPIRED: return "expired";
    case EC_CARD_ERROR_NOT_YET_VALID: return "not-yet-valid";
    case EC_CARD_ERROR_BAD_SEQUENCE: return "bad-sequence";
    case EC_CARD_ERROR_NO_READ_KEY: return "no-read-key";
    case EC_CARD_ERROR_CANNOT_DECRYPT: return "cannot-decrypt";
    case EC_CARD_ERROR_TOO_LARGE: return "too-large";
    case EC_CARD_ERROR_INVALID: return "invalid";
    case EC_CARD_ERROR_BAD_IMAGE: return "bad-image";
    default: return "unknown";
    }
}

/* ---- text ------------------------------------------------------------------------- */

gboolean
ec_card_date_to_days (const char *date,
                      guint16    *out_days)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  int y, m, d;
  gint64 days;
  char tail;

  if (date == NULL || sscanf (date, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen (date) != 10)
    return FALSE;
  dt = g_date_time_new (utc, y, m, d, 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  days = g_date_time_to_unix (dt) / 86400;
  if (days <= 0 || days > G_MAXUINT16)
    return FALSE;
  *out_days = (guint16) days;
  return TRUE;
}

char *
ec_card_days_to_date (guint16 days)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc ((gint64) days * 86400);

  return g_date_time_format (dt, "%Y-%m-%d");
}

static const char *
profile_name (EcCardProfile p)
{
  return p == EC_CARD_PROFILE_FULL ? "F (encrypted emergency summary)" : "R (reference only)";
}

char *
ec_card_to_text (const EcCard *card)
{
  GString *s = g_string_new (NULL);
  const EcCardHeader *h = &card->header;
  g_autofree char *rid = ec_resident_id_to_string (h->resident_id);
  g_autofree char *kid = ec_key_id_to_string (h->sig_kid);
  g_autofree char *issued = format_time (h->issued_at);
  g_autofree char *expires = h->expires_days ? ec_card_days_to_date (h->expires_days) : g_strdup ("none");

  g_string_append (s, "card: genuine\n");
  g_string_append_printf (s, "tag: %s\n", ec_tag_type_to_string (card->type));
  g_string_append (s, "uid: ");
  for (int i = 0; i < EC_TAG_UID_BYTES; i++)
    g_string_append_printf (s, "%02x", card->uid[i]);
  g_string_append_printf (s, "\nformat: %d\nprofile: %s\n", EC_CARD_FORMAT_VERSION, profile_name (h->profile));
  g_string_append_printf (s, "station: %u %s\nstation-key: %s\n", h->station_id,
                          card->station_name != NULL ? card->station_name : "", kid);
  g_string_append_printf (s, "resident: %s\ncard-seq: %u\nissued-at: %s\nexpires: %s\n", rid,
                          h->card_seq, issued, expires);
  if (h->profile == EC_CARD_PROFILE_FULL)
    {
      g_autofree char *ekid = ec_key_id_to_string (h->enc_kid);
      g_string_append_printf (s, "read-key: %s\n", ekid);
    }
  if (card->summary == NULL)
    {
      if (card->summary_error != NULL)
        g_string_append_printf (s, "summary: unavailable (%s)\n",
                                ec_card_error_to_string (card->summary_error->code));
      else
        g_string_append (s, "summary: none on this card\n");
    }
  else
    {
      const EcCardSummary *m = card->summary;
      static const struct { guint bit; const char *name; } omitted[] = {
        { EC_CARD_OMITTED_ALLERGIES, "allergies" }, { EC_CARD_OMITTED_CONDITIONS, "conditions" },
        { EC_CARD_OMITTED_MEDICATIONS, "medications" }, { EC_CARD_OMITTED_CONTACT, "contact" },
        { EC_CARD_OMITTED_TEXT, "shortened-text" },
      };
      const char *cut = " [shortened]";
      gboolean any = FALSE;
#define CUT(marks, i) ((i) < EC_CARD_LIST_MAX && ((marks) & (1u << (i))) ? cut : "")
#define FIELD_CUT(bit) ((m->fields_cut & (bit)) ? cut : "")

      g_string_append (s, "summary:\n");
      g_string_append_printf (s, "  name: %s%s\n", m->name != NULL ? m->name : "-", FIELD_CUT (EC_CARD_CUT_NAME));
      g_string_append_printf (s, "  name-latin: %s%s\n", m->name_latin != NULL ? m->name_latin : "-",
                              FIELD_CUT (EC_CARD_CUT_NAME_LATIN));
      if (m->birth_year != 0)
        g_string_append_printf (s, "  birth-year: %u\n", m->birth_year);
      else
        g_string_append (s, "  birth-year: unknown\n");
      g_string_append_printf (s, "  sex: %s\n  blood-type: %s\n  allergy-status: %s\n",
                              ec_sex_to_string (m->sex), ec_blood_type_to_string (m->blood_type),
                              ec_allergy_status_to_string (m->allergy_status));
      for (guint i = 0; i < m->allergies->len; i++)
        {
          const EcCardAllergy *a = m->allergies->pdata[i];
          g_string_append_printf (s, "  allergy: %s [%s]%s\n", a->substance,
                                  ec_criticality_to_string (a->criticality), CUT (m->allergies_cut, i));
        }
      for (guint i = 0; i < m->conditions->len; i++)
        g_string_append_printf (s, "  condition: %s%s\n", (const char *) m->conditions->pdata[i],
                                CUT (m->conditions_cut, i));
      for (guint i = 0; i < m->medications->len; i++)
        g_string_append_printf (s, "  medication: %s%s\n", (const char *) m->medications->pdata[i],
                                CUT (m->medications_cut, i));
      if (m->contact_name == NULL && m->contact_relation == NULL && m->contact_phone == NULL)
        /* Version 2 flags a contact left out; a version 1 card cannot say. */
        g_string_append (s, (m->omitted & EC_CARD_OMITTED_CONTACT) ? "  contact: recorded, not on this card\n"
                            : m->version == 1 ? "  contact: none on this card\n"
                            : "  contact: none recorded\n");
      else
        {
          const char *missing = (m->omitted & EC_CARD_OMITTED_CONTACT) ? "(not on this card)" : "-";
          g_string_append_printf (s, "  contact: %s%s | %s%s | %s\n",
                                  m->contact_name != NULL ? m->contact_name : missing,
                                  FIELD_CUT (EC_CARD_CUT_CONTACT_NAME),
                                  m->contact_relation != NULL ? m->contact_relation : missing,
                                  FIELD_CUT (EC_CARD_CUT_CONTACT_RELATION),
                                  m->contact_phone != NULL ? m->contact_phone : missing);
        }
#undef CUT
#undef FIELD_CUT
      g_string_append_printf (s, "  dnr: %s\n  wandering: %s\n  record-version: %u\n",
                              ec_dnr_to_string (m->dnr), ec_wandering_to_string (m->wandering),
                              m->record_version);
      g_string_append (s, "  omitted:");
      for (gsize i = 0; i < G_N_ELEMENTS (omitted); i++)
        if (m->omitted & omitted[i].bit)
          {
            g_string_append_printf (s, "%s%s", any ? ", " : " ", omitted[i].name);
            any = TRUE;
          }
      g_string_append (s, any ? "\n" : " none\n");
    }
  return g_string_free (s, FALSE);
}
