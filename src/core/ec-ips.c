/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-ips.c: the record as a FHIR R4 IPS document bundle, and back (ec-ips.h). */
#define G_LOG_DOMAIN "ec-ips"

#include "ec-ips.h"

#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "ec-error.h"
#include "ec-i18n.h"

#define LOINC   "http://loinc.org"
#define SNOMED  "http://snomed.info/sct"
#define ICD10   "http://hl7.org/fhir/sid/icd-10"
#define ABSENT  "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips"
#define EN_REPR "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"
#define DAR     "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
#define XHTML_OPEN "<div xmlns=\"http://www.w3.org/1999/xhtml\">"

/* Longest string the importer takes for one element (an address, a note). */
#define MAX_TEXT 4096
#define MAX_LIST 64

/* ------------------------------------------------------------------------- */
/* Stable ids */

/* UUID version 5 (RFC 4122, SHA-1) of "<resident id>/<kind>/<index>" in the
 * eldercard namespace 6f1e8f0c-3c1a-4f7e-9b7a-2d5c0e9a4b11. */
static char *
uuid5 (EcResidentId id, const char *kind, guint index)
{
  static const guint8 ns[16] = { 0x6f, 0x1e, 0x8f, 0x0c, 0x3c, 0x1a, 0x4f, 0x7e,
                                 0x9b, 0x7a, 0x2d, 0x5c, 0x0e, 0x9a, 0x4b, 0x11 };
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA1);
  g_autofree char *name = g_strdup_printf ("%016" G_GINT64_MODIFIER "x/%s/%u", id, kind, index);
  guint8 d[20];
  gsize dlen = sizeof d;

  g_checksum_update (sha, ns, sizeof ns);
  g_checksum_update (sha, (const guchar *) name, (gssize) strlen (name));
  g_checksum_get_digest (sha, d, &dlen);
  d[6] = (guint8) ((d[6] & 0x0f) | 0x50);
  d[8] = (guint8) ((d[8] & 0x3f) | 0x80);
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9],
                          d[10], d[11], d[12], d[13], d[14], d[15]);
}

/* ------------------------------------------------------------------------- */
/* Building blocks */

static void
set_str (JsonObject *o, const char *k, const char *v)
{
  if (v != NULL && *v != '\0')
    json_object_set_string_member (o, k, v);
}

static JsonObject *
coding (const char *system, const char *code, const char *display)
{
  JsonObject *c = json_object_new ();
  set_str (c, "system", system);
  set_str (c, "code", code);
  set_str (c, "display", display);
  return c;
}

/* A CodeableConcept: up to two codings (NULL system = none) and a text. */
static JsonObject *
concept (const char *system, const char *code, const char *display,
         const char *system2, const char *code2, const char *display2, const char *text)
{
  JsonObject *cc = json_object_new ();
  JsonArray *codings = json_array_new ();

  if (system != NULL)
    json_array_add_object_element (codings, coding (system, code, display));
  if (system2 != NULL)
    json_array_add_object_element (codings, coding (system2, code2, display2));
  if (json_array_get_length (codings) > 0)
    json_object_set_array_member (cc, "coding", codings);
  else
    json_array_unref (codings);
  set_str (cc, "text", text);
  return cc;
}

static JsonArray *
one (JsonObject *o)
{
  JsonArray *a = json_array_new ();
  json_array_add_object_element (a, o);
  return a;
}

static JsonObject *
ref (const char *uuid)
{
  JsonObject *r = json_object_new ();
  g_autofree char *s = g_strconcat ("urn:uuid:", uuid, NULL);
  json_object_set_string_member (r, "reference", s);
  return r;
}

static JsonObject *
display_ref (const char *display)
{
  JsonObject *r = json_object_new ();
  set_str (r, "display", display);
  return r;
}

static void
add_ext_string (JsonArray *exts, const char *name, const char *value)
{
  JsonObject *e;
  g_autofree char *url = NULL;

  if (value == NULL || *value == '\0')
    return;
  e = json_object_new ();
  url = g_strconcat (EC_IPS_EXT_PREFIX, name, NULL);
  json_object_set_string_member (e, "url", url);
  json_object_set_string_member (e, "valueString", value);
  json_array_add_object_element (exts, e);
}

static void
add_ext_code (JsonArray *exts, const char *name, const char *code)
{
  JsonObject *e = json_object_new ();
  g_autofree char *url = g_strconcat (EC_IPS_EXT_PREFIX, name, NULL);
  json_object_set_string_member (e, "url", url);
  json_object_set_string_member (e, "valueCode", code);
  json_array_add_object_element (exts, e);
}

static void
set_exts (JsonObject *o, JsonArray *exts)
{
  if (json_array_get_length (exts) > 0)
    json_object_set_array_member (o, "extension", exts);
  else
    json_array_unref (exts);
}

static JsonObject *
dar_element (const char *reason)
{
  JsonObject *el = json_object_new ();
  JsonObject *e = json_object_new ();
  json_object_set_string_member (e, "url", DAR);
  json_object_set_string_member (e, "valueCode", reason);
  json_object_set_array_member (el, "extension", one (e));
  return el;
}

/* Unix seconds -> FHIR instant / dateTime in UTC ("2026-12-08T01:11:42Z"). */
static char *
instant (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t > 0 ? t : 0);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("1970-01-01T00:00:00Z");
}

static void
set_recorded (JsonObject *o, const char *date_member, const char *who_member,
              gint64 at, const char *by)
{
  if (at > 0)
    {
      g_autofree char *t = instant (at);
      json_object_set_string_member (o, date_member, t);
    }
  if (by != NULL && *by != '\0')
    json_object_set_object_member (o, who_member, display_ref (by));
}

/* The narrative every IPS section carries: one paragraph per line. */
static JsonObject *
narrative (GPtrArray *lines)
{
  JsonObject *n = json_object_new ();
  GString *div = g_string_new (XHTML_OPEN);

  for (guint i = 0; i < lines->len; i++)
    {
      g_autofree char *esc = g_markup_escape_text (lines->pdata[i], -1);
      g_string_append_printf (div, "<p>%s</p>", esc);
    }
  g_string_append (div, "</div>");
  json_object_set_string_member (n, "status", "generated");
  json_object_set_string_member (n, "div", div->str);
  g_string_free (div, TRUE);
  return n;
}

typedef struct
{
  EcResidentId id;
  JsonArray   *entries;   /* Bundle.entry */
  char        *patient;   /* Patient uuid */
} Build;

/* Add @resource as a bundle entry with a new stable uuid; returns the uuid. */
static char *
add_entry (Build *b, const char *type, const char *kind, guint index, JsonObject *resource)
{
  char *uuid = uuid5 (b->id, kind, index);
  JsonObject *entry = json_object_new ();
  JsonObject *res = json_object_new ();
  g_autofree char *full = g_strconcat ("urn:uuid:", uuid, NULL);
  GList *members = json_object_get_members (resource);

  /* resourceType and id first, as FHIR writes them. */
  json_object_set_string_member (res, "resourceType", type);
  json_object_set_string_member (res, "id", uuid);
  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (res, l->data, json_node_copy (json_object_get_member (resource, l->data)));
  g_list_free (members);
  json_object_unref (resource);
  json_object_set_string_member (entry, "fullUrl", full);
  json_object_set_object_member (entry, "resource", res);
  json_array_add_object_element (b->entries, entry);
  return uuid;
}

static JsonObject *
section (const char *title, const char *loinc, const char *display, GPtrArray *lines,
         GPtrArray *uuids, const char *empty_reason)
{
  JsonObject *s = json_object_new ();

  json_object_set_string_member (s, "title", title);
  if (loinc != NULL)
    json_object_set_object_member (s, "code", concept (LOINC, loinc, display, NULL, NULL, NULL, NULL));
  json_object_set_object_member (s, "text", narrative (lines));
  if (uuids != NULL && uuids->len > 0)
    {
      JsonArray *refs = json_array_new ();
      for (guint i = 0; i < uuids->len; i++)
        json_array_add_object_element (refs, ref (uuids->pdata[i]));
      json_object_set_array_member (s, "entry", refs);
    }
  else if (empty_reason != NULL)
    json_object_set_object_member (s, "emptyReason",
                                   concept ("http://terminology.hl7.org/CodeSystem/list-empty-reason",
                                            empty_reason, NULL, NULL, NULL, NULL, NULL));
  return s;
}

/* ------------------------------------------------------------------------- */
/* Value maps */

static const struct { const char *zh, *bcp47, *display; } language_codes[] = {
  { "普通话", "zh-CN", "Chinese (China)" },
  { "粤语", "yue", "Cantonese" },
  { "上海话", "wuu", "Wu Chinese" },
  { "闽南话", "nan", "Min Nan Chinese" },
  { "客家话", "hak", "Hakka Chinese" },
};

static const struct { const char *zh, *code, *display; } relation_codes[] = {
  { "女儿", "DAU", "natural daughter" }, { "儿子", "SON", "natural son" },
  { "老伴", "SPS", "spouse" }, { "儿媳", "DAUINLAW", "daughter in-law" },
  { "女婿", "SONINLAW", "son in-law" }, { "孙子", "GRNDSON", "grandson" },
  { "孙女", "GRNDDAU", "granddaughter" }, { "侄子", "NEPHEW", "nephew" },
  { "外甥女", "NIECE", "niece" }, { "邻居", "NBOR", "neighbor" },
};

/* SNOMED CT blood group findings, in EcBloodType order from A+. */
static const struct { const char *code, *display; } blood_codes[] = {
  { "278149003", "Blood group A Rh(D) positive" }, { "278152006", "Blood group A Rh(D) negative" },
  { "278150003", "Blood group B Rh(D) positive" }, { "278153001", "Blood group B Rh(D) negative" },
  { "278151004", "Blood group AB Rh(D) positive" }, { "278154007", "Blood group AB Rh(D) negative" },
  { "278147001", "Blood group O Rh(D) positive" }, { "278148006", "Blood group O Rh(D) negative" },
};

static const struct { guint bit; const char *code; } comm_codes[] = {
  { EC_COMM_HEARING, "hearing" }, { EC_COMM_SPEECH, "speech" }, { EC_COMM_DEMENTIA, "dementia" },
  { EC_COMM_VISION, "vision" }, { EC_COMM_LANGUAGE, "language" },
};

static const struct { guint bit; const char *when; const char *zh; } slot_codes[] = {
  { EC_SCHED_MORNING, "MORN", "早" }, { EC_SCHED_NOON, "NOON", "中" },
  { EC_SCHED_EVENING, "EVE", "晚" }, { EC_SCHED_NIGHT, "HS", "睡前" },
};

static const char *
gender_code (EcSex s)
{
  switch (s)
    {
    case EC_SEX_FEMALE: return "female";
    case EC_SEX_MALE: return "male";
    case EC_SEX_OTHER: return "other";
    case EC_SEX_UNKNOWN:
    default: return "unknown";
    }
}

/* A dose "0.5 g" as a Quantity when it says exactly that (number, space, unit). */
static JsonObject *
dose_quantity (const char *dose)
{
  const char *sp;
  g_autofree char *num = NULL;
  g_autofree char *back = NULL;
  const char *unit;
  double v;
  char *end;
  JsonObject *q;
  static const struct { const char *unit, *ucum; } ucum[] = {
    { "mg", "mg" }, { "g", "g" }, { "μg", "ug" }, { "ug", "ug" }, { "ml", "mL" }, { "mL", "mL" },
  };

  if (dose == NULL || (sp = strchr (dose, ' ')) == NULL || sp == dose || sp - dose > 12)
    return NULL;
  num = g_strndup (dose, (gsize) (sp - dose));
  unit = sp + 1;
  if (*unit == '\0' || strchr (unit, ' ') != NULL)
    return NULL;
  for (const char *p = num; *p; p++)
    if (!g_ascii_isdigit (*p) && *p != '.')
      return NULL;
  v = g_ascii_strtod (num, &end);
  if (*end != '\0' || v <= 0)
    return NULL;
  back = g_strdup_printf ("%g", v);
  if (strcmp (back, num) != 0)
    return NULL;
  q = json_object_new ();
  if (strchr (num, '.') == NULL && v < 1e9)
    json_object_set_int_member (q, "value", (gint64) v);
  else
    json_object_set_double_member (q, "value", v);
  json_object_set_string_member (q, "unit", unit);
  for (gsize i = 0; i < G_N_ELEMENTS (ucum); i++)
    if (strcmp (unit, ucum[i].unit) == 0)
      {
        json_object_set_string_member (q, "system", "http://unitsofmeasure.org");
        json_object_set_string_member (q, "code", ucum[i].ucum);
      }
  return q;
}

/* ------------------------------------------------------------------------- */
/* Build */

static void
lines_add (GPtrArray *lines, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
lines_add (GPtrArray *lines, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_ptr_array_add (lines, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

static JsonObject *
build_patient (Build *b, const EcResident *r, const char *id_hex)
{
  JsonObject *p = json_object_new ();
  JsonArray *exts = json_array_new ();
  JsonArray *names = json_array_new ();
  JsonObject *n, *e, *ident;

  /* Fields the IPS has no element for: eldercard extensions (docs/handover.md). */
  if (r->wandering != EC_WANDERING_UNKNOWN)
    add_ext_code (exts, "wandering-risk", ec_wandering_to_string (r->wandering));
  for (gsize i = 0; i < G_N_ELEMENTS (comm_codes); i++)
    if (r->comm_needs & comm_codes[i].bit)
      add_ext_code (exts, "communication-need", comm_codes[i].code);
  add_ext_string (exts, "communication-notes", r->comm_notes);
  add_ext_string (exts, "implants", r->implants);
  add_ext_string (exts, "social-worker", r->social_worker);
  add_ext_string (exts, "notes", r->notes);
  set_exts (p, exts);

  ident = json_object_new ();
  json_object_set_string_member (ident, "system", EC_IPS_RESIDENT_ID_SYSTEM);
  json_object_set_string_member (ident, "value", id_hex);
  json_object_set_array_member (p, "identifier", one (ident));

  /* The name twice: 汉字 (ideographic) and pinyin (alphabetic), ISO 21090 style. */
  n = json_object_new ();
  e = json_object_new ();
  json_object_set_string_member (e, "url", EN_REPR);
  json_object_set_string_member (e, "valueCode", "IDE");
  json_object_set_array_member (n, "extension", one (e));
  json_object_set_string_member (n, "use", "official");
  json_object_set_string_member (n, "text", r->name_zh);
  json_array_add_object_element (names, n);
  if (r->name_pinyin != NULL && *r->name_pinyin != '\0')
    {
      const char *sp = strchr (r->name_pinyin, ' ');
      n = json_object_new ();
      e = json_object_new ();
      json_object_set_string_member (e, "url", EN_REPR);
      json_object_set_string_member (e, "valueCode", "ABC");
      json_object_set_array_member (n, "extension", one (e));
      json_object_set_string_member (n, "use", "official");
      json_object_set_string_member (n, "text", r->name_pinyin);
      if (sp != NULL && sp != r->name_pinyin && sp[1] != '\0')
        {
          g_autofree char *family = g_strndup (r->name_pinyin, (gsize) (sp - r->name_pinyin));
          JsonArray *given = json_array_new ();
          json_array_add_string_element (given, sp + 1);
          json_object_set_string_member (n, "family", family);
          json_object_set_array_member (n, "given", given);
        }
      json_array_add_object_element (names, n);
    }
  json_object_set_array_member (p, "name", names);

  if (r->phone != NULL && *r->phone != '\0')
    {
      JsonObject *t = json_object_new ();
      json_object_set_string_member (t, "system", "phone");
      json_object_set_string_member (t, "value", r->phone);
      json_object_set_string_member (t, "use", "home");
      json_object_set_array_member (p, "telecom", one (t));
    }
  json_object_set_string_member (p, "gender", gender_code (r->sex));
  set_str (p, "birthDate", r->date_of_birth);
  if ((r->address != NULL && *r->address) || (r->building_unit != NULL && *r->building_unit))
    {
      JsonObject *a = json_object_new ();
      JsonArray *aexts = json_array_new ();
      g_autofree char *text = g_strjoin (" ", r->address != NULL && *r->address ? r->address : "",
                                         r->building_unit != NULL ? r->building_unit : "", NULL);
      add_ext_string (aexts, "building-unit", r->building_unit);
      set_exts (a, aexts);
      json_object_set_string_member (a, "use", "home");
      json_object_set_string_member (a, "text", g_strstrip (text));
      if (r->address != NULL && *r->address)
        {
          JsonArray *line = json_array_new ();
          json_array_add_string_element (line, r->address);
          json_object_set_array_member (a, "line", line);
        }
      json_object_set_string_member (a, "country", "CN");
      json_object_set_array_member (p, "address", one (a));
    }
  if (r->photo != NULL && g_bytes_get_size (r->photo) > 0)
    {
      JsonObject *ph = json_object_new ();
      gsize sz;
      const guchar *data = g_bytes_get_data (r->photo, &sz);
      g_autofree char *b64 = g_base64_encode (data, sz);
      json_object_set_string_member (ph, "contentType", r->photo_mime != NULL ? r->photo_mime : "image/jpeg");
      json_object_set_string_member (ph, "data", b64);
      json_object_set_array_member (p, "photo", one (ph));
    }
  if (r->language != NULL && *r->language)
    {
      JsonObject *c = json_object_new ();
      JsonObject *lang = NULL;
      for (gsize i = 0; i < G_N_ELEMENTS (language_codes) && lang == NULL; i++)
        if (strcmp (r->language, language_codes[i].zh) == 0)
          lang = concept ("urn:ietf:bcp:47", language_codes[i].bcp47, language_codes[i].display,
                          NULL, NULL, NULL, r->language);
      if (lang == NULL)
        lang = concept (NULL, NULL, NULL, NULL, NULL, NULL, r->language);
      json_object_set_object_member (c, "language", lang);
      json_object_set_boolean_member (c, "preferred", TRUE);
      json_object_set_array_member (p, "communication", one (c));
    }
  if (r->gp != NULL && *r->gp)
    json_object_set_array_member (p, "generalPractitioner", one (display_ref (r->gp)));
  return p;
}

static JsonObject *
build_allergy (Build *b, const EcAllergy *a)
{
  static const char *const cat[] = { "medication", "food", "environment", "biologic" };
  JsonObject *o = json_object_new ();
  JsonArray *cats = json_array_new ();

  json_object_set_object_member (o, "clinicalStatus",
                                 concept ("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                          "active", "Active", NULL, NULL, NULL, NULL));
  json_object_set_object_member (o, "verificationStatus",
                                 concept ("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                                          a->confirmed ? "confirmed" : "unconfirmed",
                                          a->confirmed ? "Confirmed" : "Unconfirmed", NULL, NULL, NULL, NULL));
  json_object_set_string_member (o, "type", "allergy");
  json_array_add_string_element (cats, cat[a->category <= EC_ALLERGY_CATEGORY_BIOLOGIC ? a->category : 0]);
  json_object_set_array_member (o, "category", cats);
  json_object_set_string_member (o, "criticality", ec_criticality_to_string (a->criticality));
  json_object_set_object_member (o, "code", concept (NULL, NULL, NULL, NULL, NULL, NULL, a->substance));
  json_object_set_object_member (o, "patient", ref (b->patient));
  set_recorded (o, "recordedDate", "recorder", a->updated_at, a->updated_by);
  if ((a->reaction != NULL && *a->reaction) || a->severity != EC_SEVERITY_UNKNOWN)
    {
      JsonObject *re = json_object_new ();
      JsonObject *m = (a->reaction != NULL && *a->reaction)
                      ? concept (NULL, NULL, NULL, NULL, NULL, NULL, a->reaction) : dar_element ("unknown");
      json_object_set_array_member (re, "manifestation", one (m));
      if (a->severity != EC_SEVERITY_UNKNOWN)
        json_object_set_string_member (re, "severity", ec_severity_to_string (a->severity));
      json_object_set_array_member (o, "reaction", one (re));
    }
  return o;
}

/* The IPS way to say "none known" / "not known" in a section that must not be empty. */
static JsonObject *
build_absent_allergy (Build *b, gboolean none_known)
{
  JsonObject *o = json_object_new ();

  json_object_set_object_member (o, "clinicalStatus",
                                 concept ("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                          "active", "Active", NULL, NULL, NULL, NULL));
  if (none_known)
    {
      json_object_set_object_member (o, "verificationStatus",
                                     concept ("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                                              "confirmed", "Confirmed", NULL, NULL, NULL, NULL));
      json_object_set_object_member (o, "code", concept (ABSENT, "no-known-allergies", "No known allergies",
                                                         SNOMED, "716186003", "No known allergy",
                                                         "无已知过敏 No known allergies"));
    }
  else
    json_object_set_object_member (o, "code", concept (ABSENT, "no-allergy-info", "No information about allergies",
                                                       NULL, NULL, NULL, "过敏史不详 Allergies unknown"));
  json_object_set_object_member (o, "patient", ref (b->patient));
  return o;
}

static JsonObject *
build_condition (Build *b, const EcCondition *c)
{
  JsonObject *o = json_object_new ();

  json_object_set_object_member (o, "clinicalStatus",
                                 concept ("http://terminology.hl7.org/CodeSystem/condition-clinical",
                                          "active", "Active", NULL, NULL, NULL, NULL));
  json_object_set_array_member (o, "category",
                                one (concept ("http://terminology.hl7.org/CodeSystem/condition-category",
                                              "problem-list-item", "Problem List Item", NULL, NULL, NULL, NULL)));
  json_object_set_object_member (o, "code",
                                 c->icd10 != NULL && *c->icd10
                                 ? concept (ICD10, c->icd10, NULL, NULL, NULL, NULL, c->text)
                                 : concept (NULL, NULL, NULL, NULL, NULL, NULL, c->text));
  json_object_set_object_member (o, "subject", ref (b->patient));
  set_str (o, "onsetDateTime", c->since);
  set_recorded (o, "recordedDate", "recorder", c->updated_at, c->updated_by);
  return o;
}

static JsonObject *
build_absent (Build *b, gboolean medication)
{
  JsonObject *o = json_object_new ();

  if (medication)
    {
      json_object_set_string_member (o, "status", "unknown");
      json_object_set_object_member (o, "medicationCodeableConcept",
                                     concept (ABSENT, "no-medication-info", "No information about medications",
                                              NULL, NULL, NULL, "用药不详 Medications not recorded"));
      json_object_set_object_member (o, "subject", ref (b->patient));
      json_object_set_object_member (o, "_effectiveDateTime", dar_element ("unknown"));
    }
  else
    {
      json_object_set_object_member (o, "code",
                                     concept (ABSENT, "no-problem-info", "No information about problems",
                                              NULL, NULL, NULL, "疾病史不详 Problems not recorded"));
      json_object_set_object_member (o, "subject", ref (b->patient));
    }
  return o;
}

static char *
schedule_words (guint slots)
{
  GString *s = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (slot_codes); i++)
    if (slots & slot_codes[i].bit)
      g_string_append_printf (s, "%s%s", s->len ? "、" : "", slot_codes[i].zh);
  return g_string_free (s, FALSE);
}

static JsonObject *
build_medication (Build *b, const EcMedication *m)
{
  JsonObject *o = json_object_new ();
  JsonObject *d = json_object_new ();
  JsonObject *q = dose_quantity (m->dose);
  JsonArray *dexts = json_array_new ();
  g_autofree char *sched = schedule_words (m->slots);
  g_autofree char *text = g_strjoin (" ", m->name, m->dose != NULL ? m->dose : "", m->route != NULL ? m->route : "",
                                     sched, m->schedule_text != NULL ? m->schedule_text : "", NULL);

  json_object_set_string_member (o, "status", "active");
  json_object_set_object_member (o, "medicationCodeableConcept",
                                 concept (NULL, NULL, NULL, NULL, NULL, NULL, m->name));
  json_object_set_object_member (o, "subject", ref (b->patient));
  json_object_set_object_member (o, "_effectiveDateTime", dar_element ("unknown"));
  if (m->updated_at > 0)
    {
      g_autofree char *t = instant (m->updated_at);
      json_object_set_string_member (o, "dateAsserted", t);
    }
  if (m->updated_by != NULL && *m->updated_by)
    json_object_set_object_member (o, "informationSource", display_ref (m->updated_by));

  /* A dose the Quantity cannot say exactly ("1 吸 …") keeps its words. */
  if (q == NULL)
    add_ext_string (dexts, "dose-text", m->dose);
  set_exts (d, dexts);
  g_strstrip (text);
  while (strstr (text, "  ") != NULL)
    memmove (strstr (text, "  "), strstr (text, "  ") + 1, strlen (strstr (text, "  ")));
  json_object_set_string_member (d, "text", text);
  if (m->slots != 0 || (m->schedule_text != NULL && *m->schedule_text))
    {
      JsonObject *timing = json_object_new ();
      if (m->slots != 0)
        {
          JsonObject *rep = json_object_new ();
          JsonArray *when = json_array_new ();
          for (gsize i = 0; i < G_N_ELEMENTS (slot_codes); i++)
            if (m->slots & slot_codes[i].bit)
              json_array_add_string_element (when, slot_codes[i].when);
          json_object_set_array_member (rep, "when", when);
          json_object_set_object_member (timing, "repeat", rep);
        }
      if (m->schedule_text != NULL && *m->schedule_text)
        json_object_set_object_member (timing, "code",
                                       concept (NULL, NULL, NULL, NULL, NULL, NULL, m->schedule_text));
      json_object_set_object_member (d, "timing", timing);
    }
  if (m->route != NULL && *m->route)
    json_object_set_object_member (d, "route", concept (NULL, NULL, NULL, NULL, NULL, NULL, m->route));
  if (q != NULL)
    {
      JsonObject *dr = json_object_new ();
      json_object_set_object_member (dr, "doseQuantity", q);
      json_object_set_array_member (d, "doseAndRate", one (dr));
    }
  json_object_set_array_member (o, "dosage", one (d));
  return o;
}

static JsonObject *
build_contact (Build *b, const EcContact *c)
{
  JsonObject *o = json_object_new ();
  JsonArray *exts = json_array_new ();
  JsonArray *rels = json_array_new ();
  JsonObject *e;
  g_autofree char *url = g_strconcat (EC_IPS_EXT_PREFIX, "call-order", NULL);
  g_autofree char *url2 = g_strconcat (EC_IPS_EXT_PREFIX, "lives-nearby", NULL);
  const char *code = NULL, *display = NULL;

  e = json_object_new ();
  json_object_set_string_member (e, "url", url);
  json_object_set_int_member (e, "valuePositiveInt", c->call_order > 0 ? c->call_order : 1);
  json_array_add_object_element (exts, e);
  e = json_object_new ();
  json_object_set_string_member (e, "url", url2);
  json_object_set_boolean_member (e, "valueBoolean", c->lives_nearby);
  json_array_add_object_element (exts, e);
  json_object_set_array_member (o, "extension", exts);

  json_object_set_boolean_member (o, "active", TRUE);
  json_object_set_object_member (o, "patient", ref (b->patient));
  json_array_add_object_element (rels, concept ("http://terminology.hl7.org/CodeSystem/v2-0131", "C",
                                                "Emergency Contact", NULL, NULL, NULL, NULL));
  if (c->relation != NULL && *c->relation)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (relation_codes); i++)
        if (strcmp (c->relation, relation_codes[i].zh) == 0)
          {
            code = relation_codes[i].code;
            display = relation_codes[i].display;
          }
      json_array_add_object_element (rels, code != NULL
                                     ? concept ("http://terminology.hl7.org/CodeSystem/v3-RoleCode", code, display,
                                                NULL, NULL, NULL, c->relation)
                                     : concept (NULL, NULL, NULL, NULL, NULL, NULL, c->relation));
    }
  json_object_set_array_member (o, "relationship", rels);
  if (c->name != NULL && *c->name)
    {
      JsonObject *n = json_object_new ();
      json_object_set_string_member (n, "text", c->name);
      json_object_set_array_member (o, "name", one (n));
    }
  if (c->phones != NULL && c->phones[0] != NULL)
    {
      JsonArray *tel = json_array_new ();
      for (guint i = 0; c->phones[i] != NULL; i++)
        {
          JsonObject *t = json_object_new ();
          json_object_set_string_member (t, "system", "phone");
          json_object_set_string_member (t, "value", c->phones[i]);
          json_object_set_int_member (t, "rank", i + 1);
          json_array_add_object_element (tel, t);
        }
      json_object_set_array_member (o, "telecom", tel);
    }
  return o;
}

static JsonObject *
build_consent (Build *b, const EcResident *r, const char *when)
{
  JsonObject *o = json_object_new ();
  JsonObject *prov = json_object_new ();
  const char *sct = NULL, *sct_display = NULL;
  const char *label = NULL;

  switch (r->dnr)
    {
    case EC_DNR_FULL_RESUSCITATION:
      sct = "304252001"; sct_display = "For resuscitation"; label = "全力抢救 Full resuscitation";
      break;
    case EC_DNR_DNR:
      sct = "304253006"; sct_display = "Not for resuscitation"; label = "不做心肺复苏 Do not resuscitate (DNR)";
      break;
    case EC_DNR_LIMITED:
      label = "有限治疗，见预立医疗指示 Limited treatment, see the directive";
      break;
    case EC_DNR_UNKNOWN:
    default:
      label = "复苏意愿未记录 Resuscitation wishes not recorded";
      break;
    }
  json_object_set_string_member (o, "status", "active");
  json_object_set_object_member (o, "scope", concept ("http://terminology.hl7.org/CodeSystem/consentscope",
                                                      "adr", "Advanced Care Directive", NULL, NULL, NULL, NULL));
  json_object_set_array_member (o, "category",
                                one (r->dnr == EC_DNR_DNR
                                     ? concept ("http://terminology.hl7.org/CodeSystem/consentcategorycodes",
                                                "dnr", "do not resuscitate", NULL, NULL, NULL, NULL)
                                     : concept ("http://terminology.hl7.org/CodeSystem/consentcategorycodes",
                                                "acd", "advance directive", NULL, NULL, NULL, NULL)));
  json_object_set_object_member (o, "patient", ref (b->patient));
  json_object_set_string_member (o, "dateTime", when);
  if (r->directive_location != NULL && *r->directive_location)
    {
      JsonObject *att = json_object_new ();
      json_object_set_string_member (att, "title", r->directive_location);
      json_object_set_object_member (o, "sourceAttachment", att);
    }
  json_object_set_object_member (o, "policyRule",
                                 concept (NULL, NULL, NULL, NULL, NULL, NULL,
                                          "预立医疗指示，由社区服务站记录 Advance directive as recorded by the community service station"));
  if (r->dnr == EC_DNR_FULL_RESUSCITATION || r->dnr == EC_DNR_DNR)
    json_object_set_string_member (prov, "type", r->dnr == EC_DNR_DNR ? "deny" : "permit");
  {
    g_autofree char *sys = g_strconcat (EC_IPS_EXT_PREFIX, "resuscitation", NULL);
    json_object_set_array_member (prov, "code",
                                  one (concept (sys, ec_dnr_to_string (r->dnr), NULL,
                                                sct != NULL ? SNOMED : NULL, sct, sct_display, label)));
  }
  json_object_set_object_member (o, "provision", prov);
  return o;
}

static JsonObject *
build_blood (Build *b, const EcResident *r)
{
  JsonObject *o = json_object_new ();
  guint k = (guint) r->blood_type - 1;

  json_object_set_string_member (o, "status", "final");
  json_object_set_array_member (o, "category",
                                one (concept ("http://terminology.hl7.org/CodeSystem/observation-category",
                                              "laboratory", "Laboratory", NULL, NULL, NULL, NULL)));
  json_object_set_object_member (o, "code", concept (LOINC, "882-1", "ABO and Rh group [Type] in Blood",
                                                     NULL, NULL, NULL, "血型 Blood group"));
  json_object_set_object_member (o, "subject", ref (b->patient));
  json_object_set_object_member (o, "_effectiveDateTime", dar_element ("unknown"));
  json_object_set_object_member (o, "valueCodeableConcept",
                                 concept (SNOMED, blood_codes[k].code, blood_codes[k].display, NULL, NULL, NULL,
                                          ec_blood_type_to_string (r->blood_type)));
  return o;
}

char *
ec_ips_build_json (const EcResident *r,
                   gsize            *out_len,
                   GError          **error)
{
  Build b = { 0 };
  g_autofree char *id_hex = NULL;
  g_autofree char *when = NULL;
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *bundle, *comp, *ident;
  JsonArray *sections;
  g_autofree char *comp_uuid = NULL;
  g_autofree char *bundle_uuid = NULL;
  g_autofree char *bundle_urn = NULL;
  char *text;

  g_return_val_if_fail (r != NULL, NULL);
  if (r->name_zh == NULL || *r->name_zh == '\0')
    {
      g_set_error_literal (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_MISSING,
                           _("The patient summary needs the resident's name in Chinese characters"));
      return NULL;
    }
  b.id = r->id;
  b.entries = json_array_new ();
  id_hex = ec_resident_id_to_string (r->id);
  when = instant (r->updated_at > 0 ? r->updated_at : g_get_real_time () / G_USEC_PER_SEC);

  /* The Composition comes first; it is filled in after the other resources. */
  comp = json_object_new ();
  comp_uuid = add_entry (&b, "Composition", "composition", 0, json_object_new ());
  b.patient = add_entry (&b, "Patient", "patient", 0, build_patient (&b, r, id_hex));
  {
    JsonObject *p = json_object_get_object_member (json_array_get_object_element (b.entries, 1), "resource");
    JsonObject *meta = json_object_new ();
    g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, r->record_version > 0 ? r->record_version : 1);
    json_object_set_string_member (meta, "versionId", version);
    json_object_set_string_member (meta, "lastUpdated", when);
    json_object_set_object_member (p, "meta", meta);
  }

  json_object_set_string_member (comp, "status", "final");
  json_object_set_object_member (comp, "type", concept (LOINC, "60591-5", "Patient summary Document",
                                                        NULL, NULL, NULL, NULL));
  json_object_set_object_member (comp, "subject", ref (b.patient));
  json_object_set_string_member (comp, "date", when);
  {
    JsonObject *author = display_ref (r->updated_by != NULL && *r->updated_by
                                      ? r->updated_by : "eldercard");
    json_object_set_array_member (comp, "author", one (author));
  }
  json_object_set_string_member (comp, "title", "国际患者摘要 International Patient Summary");
  json_object_set_string_member (comp, "confidentiality", "R");
  sections = json_array_new ();

  /* Allergies: never an empty section. */
  if (r->allergy_status == EC_ALLERGY_STATUS_RECORDED && r->allergies->len > 0)
    for (guint i = 0; i < r->allergies->len; i++)
      {
        const EcAllergy *a = r->allergies->pdata[i];
        g_ptr_array_add (uuids, add_entry (&b, "AllergyIntolerance", "allergy", i, build_allergy (&b, a)));
        lines_add (lines, "%s (%s, %s)%s%s", a->substance, ec_allergy_category_to_string (a->category),
                   ec_criticality_to_string (a->criticality), a->reaction != NULL ? ": " : "",
                   a->reaction != NULL ? a->reaction : "");
      }
  else
    {
      gboolean none = r->allergy_status == EC_ALLERGY_STATUS_NONE_KNOWN;
      g_ptr_array_add (uuids, add_entry (&b, "AllergyIntolerance", "allergy", 0, build_absent_allergy (&b, none)));
      lines_add (lines, "%s", none ? "无已知过敏 No known allergies" : "过敏史不详 Allergies unknown");
    }
  json_array_add_object_element (sections, section ("过敏 Allergies and intolerances", "48765-2",
                                                    "Allergies and adverse reactions Document", lines, uuids, NULL));
  g_ptr_array_set_size (uuids, 0);
  g_ptr_array_set_size (lines, 0);

  /* Problems. */
  for (guint i = 0; i < r->conditions->len; i++)
    {
      const EcCondition *c = r->conditions->pdata[i];
      g_ptr_array_add (uuids, add_entry (&b, "Condition", "condition", i, build_condition (&b, c)));
      lines_add (lines, "%s%s%s", c->text, c->icd10 != NULL ? " ICD-10 " : "", c->icd10 != NULL ? c->icd10 : "");
    }
  if (r->conditions->len == 0)
    {
      g_ptr_array_add (uuids, add_entry (&b, "Condition", "condition", 0, build_absent (&b, FALSE)));
      lines_add (lines, "%s", "疾病史不详 Problems not recorded");
    }
  json_array_add_object_element (sections, section ("疾病 Problems", "11450-4", "Problem list - Reported",
                                                    lines, uuids, NULL));
  g_ptr_array_set_size (uuids, 0);
  g_ptr_array_set_size (lines, 0);

  /* Medications. */
  for (guint i = 0; i < r->medications->len; i++)
    {
      const EcMedication *m = r->medications->pdata[i];
      JsonObject *ms = build_medication (&b, m);
      JsonObject *dosage = json_array_get_object_element (json_object_get_array_member (ms, "dosage"), 0);
      lines_add (lines, "%s", json_object_get_string_member (dosage, "text"));
      g_ptr_array_add (uuids, add_entry (&b, "MedicationStatement", "medication", i, ms));
    }
  if (r->medications->len == 0)
    {
      g_ptr_array_add (uuids, add_entry (&b, "MedicationStatement", "medication", 0, build_absent (&b, TRUE)));
      lines_add (lines, "%s", "用药不详 Medications not recorded");
    }
  json_array_add_object_element (sections, section ("用药 Medication summary", "10160-0",
                                                    "History of Medication use Narrative", lines, uuids, NULL));
  g_ptr_array_set_size (uuids, 0);
  g_ptr_array_set_size (lines, 0);

  /* Advance directive. */
  if (r->dnr != EC_DNR_UNKNOWN || (r->directive_location != NULL && *r->directive_location))
    {
      g_ptr_array_add (uuids, add_entry (&b, "Consent", "consent", 0, build_consent (&b, r, when)));
      lines_add (lines, "%s", ec_dnr_to_string (r->dnr));
      if (r->directive_location != NULL && *r->directive_location)
        lines_add (lines, "%s", r->directive_location);
    }
  else
    lines_add (lines, "%s", "复苏意愿未记录 Resuscitation wishes not recorded");
  json_array_add_object_element (sections, section ("预立医疗指示 Advance directives", "42348-3",
                                                    "Advance healthcare directives", lines, uuids, "unavailable"));
  g_ptr_array_set_size (uuids, 0);
  g_ptr_array_set_size (lines, 0);

  /* Blood group. */
  if (r->blood_type != EC_BLOOD_UNKNOWN && r->blood_type <= EC_BLOOD_O_NEG)
    {
      g_ptr_array_add (uuids, add_entry (&b, "Observation", "blood-group", 0, build_blood (&b, r)));
      lines_add (lines, "%s", ec_blood_type_to_string (r->blood_type));
      json_array_add_object_element (sections, section ("检验结果 Results", "30954-2",
                                                        "Relevant diagnostic tests/laboratory data Narrative",
                                                        lines, uuids, NULL));
      g_ptr_array_set_size (uuids, 0);
      g_ptr_array_set_size (lines, 0);
    }

  /* Emergency contacts, in call order. */
  for (guint i = 0; i < r->contacts->len; i++)
    {
      const EcContact *c = r->contacts->pdata[i];
      g_autofree char *phones = c->phones != NULL ? g_strjoinv (", ", c->phones) : g_strdup ("");
      g_ptr_array_add (uuids, add_entry (&b, "RelatedPerson", "contact", i, build_contact (&b, c)));
      lines_add (lines, "%u. %s %s %s", c->call_order, c->name != NULL ? c->name : "",
                 c->relation != NULL ? c->relation : "", phones);
    }
  if (r->contacts->len > 0)
    json_array_add_object_element (sections, section ("紧急联系人 Emergency contacts", NULL, NULL,
                                                      lines, uuids, NULL));
  json_object_set_array_member (comp, "section", sections);

  /* Fill in the Composition entry. */
  {
    JsonObject *res = json_object_get_object_member (json_array_get_object_element (b.entries, 0), "resource");
    GList *members = json_object_get_members (comp);
    for (GList *l = members; l != NULL; l = l->next)
      json_object_set_member (res, l->data, json_node_copy (json_object_get_member (comp, l->data)));
    g_list_free (members);
    json_object_unref (comp);
  }

  bundle = json_object_new ();
  bundle_uuid = uuid5 (r->id, "bundle", (guint) (r->record_version > 0 ? r->record_version : 1));
  bundle_urn = g_strconcat ("urn:uuid:", bundle_uuid, NULL);
  json_object_set_string_member (bundle, "resourceType", "Bundle");
  json_object_set_string_member (bundle, "id", bundle_uuid);
  ident = json_object_new ();
  json_object_set_string_member (ident, "system", "urn:ietf:rfc:3986");
  json_object_set_string_member (ident, "value", bundle_urn);
  json_object_set_object_member (bundle, "identifier", ident);
  json_object_set_string_member (bundle, "type", "document");
  json_object_set_string_member (bundle, "timestamp", when);
  json_object_set_array_member (bundle, "entry", b.entries);

  root = json_node_init_object (json_node_alloc (), bundle);
  json_object_unref (bundle);
  gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, out_len);
  g_free (b.patient);
  return text;
}

/* ------------------------------------------------------------------------- */
/* Parse: strict, bounded */

typedef struct
{
  GError *error;
} Parse;

static void
fail (Parse *p, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
fail (Parse *p, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  if (p->error != NULL)
    return;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  p->error = g_error_new (EC_IMPORT_ERROR, EC_IMPORT_ERROR_SYNTAX, _("Not an eldercard patient summary: %s"), msg);
}

/* A string member, or NULL when absent; wrong types, invalid or long text fail. */
static const char *
p_str (Parse *p, JsonObject *o, const char *member)
{
  JsonNode *n;
  const char *s;

  if (o == NULL || p->error != NULL || (n = json_object_get_member (o, member)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      fail (p, _("“%s” is not a string"), member);
      return NULL;
    }
  s = json_node_get_string (n);
  if (s == NULL || *s == '\0' || strlen (s) > MAX_TEXT || !g_utf8_validate (s, -1, NULL))
    {
      fail (p, _("“%s” is empty, too long or not UTF-8"), member);
      return NULL;
    }
  return s;
}

static char *
p_dup (Parse *p, JsonObject *o, const char *member)
{
  return g_strdup (p_str (p, o, member));
}

static JsonObject *
p_obj (Parse *p, JsonObject *o, const char *member)
{
  JsonNode *n;

  if (o == NULL || p->error != NULL || (n = json_object_get_member (o, member)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (n))
    {
      fail (p, _("“%s” is not an object"), member);
      return NULL;
    }
  return json_node_get_object (n);
}

static JsonArray *
p_arr (Parse *p, JsonObject *o, const char *member, guint max)
{
  JsonNode *n;
  JsonArray *a;

  if (o == NULL || p->error != NULL || (n = json_object_get_member (o, member)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    {
      fail (p, _("“%s” is not an array"), member);
      return NULL;
    }
  a = json_node_get_array (n);
  if (json_array_get_length (a) > max)
    {
      fail (p, _("“%s” has too many elements"), member);
      return NULL;
    }
  return a;
}

/* Element @i of @a as an object (or fail). */
static JsonObject *
p_elem (Parse *p, JsonArray *a, guint i)
{
  JsonNode *n;

  if (a == NULL || p->error != NULL || i >= json_array_get_length (a))
    return NULL;
  n = json_array_get_element (a, i);
  if (!JSON_NODE_HOLDS_OBJECT (n))
    {
      fail (p, _("an array element is not an object"));
      return NULL;
    }
  return json_node_get_object (n);
}

static const char *
p_elem_str (Parse *p, JsonArray *a, guint i)
{
  JsonNode *n;
  const char *s;

  if (a == NULL || p->error != NULL || i >= json_array_get_length (a))
    return NULL;
  n = json_array_get_element (a, i);
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING ||
      (s = json_node_get_string (n)) == NULL || *s == '\0' || strlen (s) > MAX_TEXT ||
      !g_utf8_validate (s, -1, NULL))
    {
      fail (p, _("an array element is not a string"));
      return NULL;
    }
  return s;
}

/* The code of the first coding of @cc with @system. */
static const char *
p_code (Parse *p, JsonObject *cc, const char *system)
{
  JsonArray *codings = p_arr (p, cc, "coding", MAX_LIST);
  guint n = codings != NULL ? json_array_get_length (codings) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *c = p_elem (p, codings, i);
      if (g_strcmp0 (p_str (p, c, "system"), system) == 0)
        return p_str (p, c, "code");
    }
  return NULL;
}

/* The eldercard extensions of @o named @name: their values (strings, codes). */
static const char *
p_ext (Parse *p, JsonObject *o, const char *name, const char *value_member, guint nth)
{
  JsonArray *exts = p_arr (p, o, "extension", MAX_LIST);
  guint n = exts != NULL ? json_array_get_length (exts) : 0;
  g_autofree char *url = g_strconcat (EC_IPS_EXT_PREFIX, name, NULL);
  guint seen = 0;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *e = p_elem (p, exts, i);
      if (g_strcmp0 (p_str (p, e, "url"), url) == 0 && seen++ == nth)
        return p_str (p, e, value_member);
    }
  return NULL;
}

static JsonNode *
p_ext_node (Parse *p, JsonObject *o, const char *name, const char *value_member)
{
  JsonArray *exts = p_arr (p, o, "extension", MAX_LIST);
  guint n = exts != NULL ? json_array_get_length (exts) : 0;
  g_autofree char *url = g_strconcat (EC_IPS_EXT_PREFIX, name, NULL);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *e = p_elem (p, exts, i);
      if (e != NULL && g_strcmp0 (p_str (p, e, "url"), url) == 0)
        return json_object_get_member (e, value_member);
    }
  return NULL;
}

static gboolean
is_date (const char *s, gboolean year_ok)
{
  gsize n = strlen (s);
  int y, m, d;

  if (n == 4 && year_ok)
    return g_ascii_isdigit (s[0]) && g_ascii_isdigit (s[1]) && g_ascii_isdigit (s[2]) && g_ascii_isdigit (s[3]);
  if (n != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      return FALSE;
  y = atoi (s);
  m = atoi (s + 5);
  d = atoi (s + 8);
  return g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

static void
parse_patient (Parse *p, JsonObject *o, EcResident *r)
{
  JsonArray *a;
  JsonObject *x;
  const char *s;
  gboolean have_id = FALSE;

  a = p_arr (p, o, "identifier", MAX_LIST);
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      x = p_elem (p, a, i);
      if (g_strcmp0 (p_str (p, x, "system"), EC_IPS_RESIDENT_ID_SYSTEM) == 0)
        {
          if (!ec_resident_id_parse (p_str (p, x, "value") ? p_str (p, x, "value") : "", &r->id))
            fail (p, _("the resident id is not 16 hex digits"));
          have_id = TRUE;
        }
    }
  if (!have_id)
    fail (p, _("the Patient has no eldercard resident id"));

  a = p_arr (p, o, "name", 8);
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      JsonArray *exts;
      const char *repr = NULL;
      x = p_elem (p, a, i);
      exts = p_arr (p, x, "extension", MAX_LIST);
      for (guint k = 0; exts != NULL && k < json_array_get_length (exts); k++)
        {
          JsonObject *e = p_elem (p, exts, k);
          if (g_strcmp0 (p_str (p, e, "url"), EN_REPR) == 0)
            repr = p_str (p, e, "valueCode");
        }
      if (g_strcmp0 (repr, "IDE") == 0 && r->name_zh == NULL)
        r->name_zh = p_dup (p, x, "text");
      else if (g_strcmp0 (repr, "ABC") == 0 && r->name_pinyin == NULL)
        r->name_pinyin = p_dup (p, x, "text");
    }
  if (r->name_zh == NULL)
    fail (p, _("the Patient has no name in Chinese characters"));

  a = p_arr (p, o, "telecom", MAX_LIST);
  if (a != NULL && json_array_get_length (a) > 0)
    r->phone = p_dup (p, p_elem (p, a, 0), "value");
  s = p_str (p, o, "gender");
  if (s != NULL && !ec_sex_from_string (s, &r->sex))
    fail (p, _("unknown gender “%s”"), s);
  if ((s = p_str (p, o, "birthDate")) != NULL)
    {
      if (!is_date (s, FALSE))
        fail (p, _("birthDate is not YYYY-MM-DD"));
      r->date_of_birth = g_strdup (s);
    }
  a = p_arr (p, o, "address", 4);
  if (a != NULL && json_array_get_length (a) > 0)
    {
      JsonObject *addr = p_elem (p, a, 0);
      JsonArray *line = p_arr (p, addr, "line", 4);
      r->building_unit = g_strdup (p_ext (p, addr, "building-unit", "valueString", 0));
      if (line != NULL && json_array_get_length (line) > 0)
        r->address = g_strdup (p_elem_str (p, line, 0));
    }
  a = p_arr (p, o, "photo", 1);
  if (a != NULL && json_array_get_length (a) == 1)
    {
      JsonObject *ph = p_elem (p, a, 0);
      const char *mime = p_str (p, ph, "contentType");
      JsonNode *dn = ph != NULL ? json_object_get_member (ph, "data") : NULL;
      const char *b64;
      if (dn == NULL || !JSON_NODE_HOLDS_VALUE (dn) || json_node_get_value_type (dn) != G_TYPE_STRING ||
          (b64 = json_node_get_string (dn)) == NULL || strlen (b64) > (EC_DB_PHOTO_MAX_BYTES / 3 + 1) * 4)
        fail (p, _("the photo is missing or larger than %u bytes"), (guint) EC_DB_PHOTO_MAX_BYTES);
      else if (g_strcmp0 (mime, "image/jpeg") != 0 && g_strcmp0 (mime, "image/png") != 0)
        fail (p, _("the photo is not JPEG or PNG"));
      else
        {
          gsize len = 0;
          guchar *bytes;
          for (const char *c = b64; *c; c++)
            if (!g_ascii_isalnum (*c) && *c != '+' && *c != '/' && *c != '=')
              {
                fail (p, _("the photo is not base64"));
                return;
              }
          bytes = g_base64_decode (b64, &len);
          if (len == 0)
            {
              g_free (bytes);
              fail (p, _("the photo is empty"));
              return;
            }
          r->photo = g_bytes_new_take (bytes, len);
          r->photo_mime = g_strdup (mime);
        }
    }
  a = p_arr (p, o, "communication", 4);
  if (a != NULL && json_array_get_length (a) > 0)
    r->language = p_dup (p, p_obj (p, p_elem (p, a, 0), "language"), "text");
  a = p_arr (p, o, "generalPractitioner", 4);
  if (a != NULL && json_array_get_length (a) > 0)
    r->gp = p_dup (p, p_elem (p, a, 0), "display");

  if ((s = p_ext (p, o, "wandering-risk", "valueCode", 0)) != NULL && !ec_wandering_from_string (s, &r->wandering))
    fail (p, _("unknown wandering risk “%s”"), s);
  for (guint k = 0; k < G_N_ELEMENTS (comm_codes) + 1 && p->error == NULL; k++)
    {
      gboolean known = FALSE;
      if ((s = p_ext (p, o, "communication-need", "valueCode", k)) == NULL)
        break;
      for (gsize i = 0; i < G_N_ELEMENTS (comm_codes); i++)
        if (strcmp (s, comm_codes[i].code) == 0)
          {
            r->comm_needs |= comm_codes[i].bit;
            known = TRUE;
          }
      if (!known)
        fail (p, _("unknown communication need “%s”"), s);
    }
  r->comm_notes = g_strdup (p_ext (p, o, "communication-notes", "valueString", 0));
  r->implants = g_strdup (p_ext (p, o, "implants", "valueString", 0));
  r->social_worker = g_strdup (p_ext (p, o, "social-worker", "valueString", 0));
  r->notes = g_strdup (p_ext (p, o, "notes", "valueString", 0));
}

static void
parse_allergy (Parse *p, JsonObject *o, EcResident *r, gboolean *absent_seen)
{
  JsonObject *code = p_obj (p, o, "code");
  const char *absent = p_code (p, code, ABSENT);
  const char *s;
  JsonArray *a;
  g_autoptr(EcAllergy) al = NULL;

  if (absent != NULL)
    {
      if (strcmp (absent, "no-known-allergies") == 0)
        r->allergy_status = EC_ALLERGY_STATUS_NONE_KNOWN;
      else if (strcmp (absent, "no-allergy-info") == 0)
        r->allergy_status = EC_ALLERGY_STATUS_UNKNOWN;
      else
        fail (p, _("unknown absent-allergy code “%s”"), absent);
      *absent_seen = TRUE;
      return;
    }
  al = ec_allergy_new ();
  al->substance = p_dup (p, code, "text");
  if (al->substance == NULL)
    fail (p, _("an allergy has no substance"));
  a = p_arr (p, o, "category", 1);
  if ((s = p_elem_str (p, a, 0)) != NULL && !ec_allergy_category_from_string (s, &al->category))
    fail (p, _("unknown allergy category “%s”"), s);
  if ((s = p_str (p, o, "criticality")) != NULL && !ec_criticality_from_string (s, &al->criticality))
    fail (p, _("unknown criticality “%s”"), s);
  s = p_code (p, p_obj (p, o, "verificationStatus"),
              "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification");
  al->confirmed = g_strcmp0 (s, "confirmed") == 0;
  if (!al->confirmed && g_strcmp0 (s, "unconfirmed") != 0)
    fail (p, _("an allergy's verification status is neither confirmed nor unconfirmed"));
  a = p_arr (p, o, "reaction", 1);
  if (a != NULL && json_array_get_length (a) == 1)
    {
      JsonObject *re = p_elem (p, a, 0);
      JsonArray *man = p_arr (p, re, "manifestation", 1);
      al->reaction = p_dup (p, p_elem (p, man, 0), "text");
      if ((s = p_str (p, re, "severity")) != NULL &&
          (!ec_severity_from_string (s, &al->severity) || al->severity == EC_SEVERITY_UNKNOWN))
        fail (p, _("unknown severity “%s”"), s);
    }
  if (r->allergies->len >= MAX_LIST)
    fail (p, _("too many allergies"));
  if (p->error == NULL)
    g_ptr_array_add (r->allergies, g_steal_pointer (&al));
}

static void
parse_condition (Parse *p, JsonObject *o, EcResident *r)
{
  JsonObject *code = p_obj (p, o, "code");
  const char *s;
  g_autoptr(EcCondition) c = NULL;

  if (p_code (p, code, ABSENT) != NULL)
    return;
  c = ec_condition_new ();
  c->text = p_dup (p, code, "text");
  c->icd10 = g_strdup (p_code (p, code, ICD10));
  if (c->text == NULL)
    fail (p, _("a condition has no text"));
  if ((s = p_str (p, o, "onsetDateTime")) != NULL)
    {
      if (!is_date (s, TRUE))
        fail (p, _("a condition's onset is not YYYY or YYYY-MM-DD"));
      c->since = g_strdup (s);
    }
  if (r->conditions->len >= MAX_LIST)
    fail (p, _("too many conditions"));
  if (p->error == NULL)
    g_ptr_array_add (r->conditions, g_steal_pointer (&c));
}

static void
parse_medication (Parse *p, JsonObject *o, EcResident *r)
{
  JsonObject *code = p_obj (p, o, "medicationCodeableConcept");
  JsonArray *dosages;
  JsonObject *d, *timing, *q = NULL;
  JsonArray *when, *dr;
  g_autoptr(EcMedication) m = NULL;

  if (p_code (p, code, ABSENT) != NULL)
    return;
  m = ec_medication_new ();
  m->name = p_dup (p, code, "text");
  if (m->name == NULL)
    fail (p, _("a medication has no name"));
  dosages = p_arr (p, o, "dosage", 1);
  d = p_elem (p, dosages, 0);
  m->route = p_dup (p, p_obj (p, d, "route"), "text");
  timing = p_obj (p, d, "timing");
  when = p_arr (p, p_obj (p, timing, "repeat"), "when", 4);
  for (guint i = 0; when != NULL && i < json_array_get_length (when); i++)
    {
      const char *w = p_elem_str (p, when, i);
      gboolean known = FALSE;
      for (gsize k = 0; w != NULL && k < G_N_ELEMENTS (slot_codes); k++)
        if (strcmp (w, slot_codes[k].when) == 0)
          {
            m->slots |= slot_codes[k].bit;
            known = TRUE;
          }
      if (!known)
        fail (p, _("unknown medication time “%s”"), w != NULL ? w : "");
    }
  m->schedule_text = p_dup (p, p_obj (p, timing, "code"), "text");
  dr = p_arr (p, d, "doseAndRate", 1);
  q = p_obj (p, p_elem (p, dr, 0), "doseQuantity");
  if (q != NULL)
    {
      JsonNode *v = json_object_get_member (q, "value");
      const char *unit = p_str (p, q, "unit");
      if (v == NULL || !JSON_NODE_HOLDS_VALUE (v) ||
          (json_node_get_value_type (v) != G_TYPE_DOUBLE && json_node_get_value_type (v) != G_TYPE_INT64) ||
          unit == NULL)
        fail (p, _("a dose is not a number with a unit"));
      else
        {
          double x = json_node_get_double (v);
          char num[G_ASCII_DTOSTR_BUF_SIZE];
          g_snprintf (num, sizeof num, "%g", x);
          m->dose = g_strconcat (num, " ", unit, NULL);
        }
    }
  else
    m->dose = g_strdup (p_ext (p, d, "dose-text", "valueString", 0));
  if (r->medications->len >= MAX_LIST)
    fail (p, _("too many medications"));
  if (p->error == NULL)
    g_ptr_array_add (r->medications, g_steal_pointer (&m));
}

static void
parse_contact (Parse *p, JsonObject *o, EcResident *r)
{
  JsonArray *rels = p_arr (p, o, "relationship", 4);
  JsonArray *names = p_arr (p, o, "name", 2);
  JsonArray *tel = p_arr (p, o, "telecom", 8);
  JsonNode *order = p_ext_node (p, o, "call-order", "valuePositiveInt");
  JsonNode *near = p_ext_node (p, o, "lives-nearby", "valueBoolean");
  g_autoptr(EcContact) c = ec_contact_new ();
  guint n_tel = tel != NULL ? json_array_get_length (tel) : 0;

  for (guint i = 0; rels != NULL && i < json_array_get_length (rels); i++)
    {
      JsonObject *cc = p_elem (p, rels, i);
      if (cc != NULL && json_object_has_member (cc, "text") && c->relation == NULL)
        c->relation = p_dup (p, cc, "text");
    }
  c->name = p_dup (p, p_elem (p, names, 0), "text");
  c->phones = g_new0 (char *, n_tel + 1);
  for (guint i = 0; i < n_tel && p->error == NULL; i++)
    if ((c->phones[i] = p_dup (p, p_elem (p, tel, i), "value")) == NULL)
      fail (p, _("an emergency contact's phone has no number"));
  if (n_tel == 0 || c->name == NULL)
    fail (p, _("an emergency contact has no name or no phone"));
  if (order == NULL || !JSON_NODE_HOLDS_VALUE (order) || json_node_get_value_type (order) != G_TYPE_INT64 ||
      json_node_get_int (order) < 1 || json_node_get_int (order) > 99)
    fail (p, _("an emergency contact has no call order"));
  else
    c->call_order = (guint) json_node_get_int (order);
  if (near != NULL && (!JSON_NODE_HOLDS_VALUE (near) || json_node_get_value_type (near) != G_TYPE_BOOLEAN))
    fail (p, _("“lives-nearby” is not true or false"));
  else if (near != NULL)
    c->lives_nearby = json_node_get_boolean (near);
  if (r->contacts->len >= MAX_LIST)
    fail (p, _("too many contacts"));
  if (p->error == NULL)
    g_ptr_array_add (r->contacts, g_steal_pointer (&c));
}

static void
parse_consent (Parse *p, JsonObject *o, EcResident *r)
{
  JsonArray *codes = p_arr (p, p_obj (p, o, "provision"), "code", 4);
  g_autofree char *sys = g_strconcat (EC_IPS_EXT_PREFIX, "resuscitation", NULL);
  const char *s = p_code (p, p_elem (p, codes, 0), sys);

  if (s == NULL || !ec_dnr_from_string (s, &r->dnr))
    fail (p, _("the advance directive has no resuscitation code"));
  r->directive_location = p_dup (p, p_obj (p, o, "sourceAttachment"), "title");
}

static void
parse_observation (Parse *p, JsonObject *o, EcResident *r)
{
  const char *s;

  if (g_strcmp0 (p_code (p, p_obj (p, o, "code"), LOINC), "882-1") != 0)
    return;
  s = p_str (p, p_obj (p, o, "valueCodeableConcept"), "text");
  if (s == NULL || !ec_blood_type_from_string (s, &r->blood_type))
    fail (p, _("unknown blood group"));
}

static int
cmp_contact (gconstpointer a, gconstpointer b)
{
  const EcContact *x = *(EcContact *const *) a, *y = *(EcContact *const *) b;
  return (x->call_order > y->call_order) - (x->call_order < y->call_order);
}

/* JSON nesting depth, outside strings; json-glib's parser recurses per level. */
static gboolean
depth_ok (const char *data, gsize len)
{
  guint depth = 0;
  gboolean in_str = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];
      if (in_str)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_str = FALSE;
        }
      else if (c == '"')
        in_str = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > EC_IPS_MAX_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

EcResident *
ec_ips_parse (const char  *data,
              gsize        len,
              GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(EcResident) r = NULL;
  Parse p = { 0 };
  JsonNode *root;
  JsonObject *bundle;
  JsonArray *entries;
  guint n_patients = 0;
  gboolean absent_allergy = FALSE;
  GError *local = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  if (len > EC_IPS_MAX_BYTES)
    {
      g_set_error (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_OVERSIZE,
                   _("The patient summary is larger than %u bytes"), (guint) EC_IPS_MAX_BYTES);
      return NULL;
    }
  if (len > G_MAXSSIZE || !g_utf8_validate (data, (gssize) len, NULL) || memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_ENCODING,
                           _("The patient summary is not UTF-8 text"));
      return NULL;
    }
  if (!depth_ok (data, len))
    {
      g_set_error (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_SYNTAX,
                   _("The patient summary nests deeper than %d levels"), EC_IPS_MAX_DEPTH);
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local))
    {
      g_set_error (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_SYNTAX,
                   _("The patient summary is not JSON: %s"), local->message);
      g_error_free (local);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_SYNTAX,
                           _("The patient summary is not a JSON object"));
      return NULL;
    }
  bundle = json_node_get_object (root);
  if (g_strcmp0 (p_str (&p, bundle, "resourceType"), "Bundle") != 0 ||
      g_strcmp0 (p_str (&p, bundle, "type"), "document") != 0)
    fail (&p, _("not a FHIR Bundle of type document"));
  entries = p_arr (&p, bundle, "entry", EC_IPS_MAX_ENTRIES);
  if (entries == NULL)
    fail (&p, _("the bundle has no entries"));

  r = ec_resident_new ();
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  for (guint i = 0; p.error == NULL && i < json_array_get_length (entries); i++)
    {
      JsonObject *res = p_obj (&p, p_elem (&p, entries, i), "resource");
      const char *type = p_str (&p, res, "resourceType");

      if (res == NULL || type == NULL)
        fail (&p, _("an entry has no resource"));
      else if (strcmp (type, "Patient") == 0)
        {
          if (n_patients++ > 0)
            fail (&p, _("more than one Patient"));
          else
            parse_patient (&p, res, r);
        }
      else if (strcmp (type, "AllergyIntolerance") == 0)
        parse_allergy (&p, res, r, &absent_allergy);
      else if (strcmp (type, "Condition") == 0)
        parse_condition (&p, res, r);
      else if (strcmp (type, "MedicationStatement") == 0)
        parse_medication (&p, res, r);
      else if (strcmp (type, "RelatedPerson") == 0)
        parse_contact (&p, res, r);
      else if (strcmp (type, "Consent") == 0)
        parse_consent (&p, res, r);
      else if (strcmp (type, "Observation") == 0)
        parse_observation (&p, res, r);
      /* Composition, Device and others: nothing to take from them. */
    }
  if (p.error == NULL && n_patients == 0)
    fail (&p, _("no Patient"));
  if (p.error == NULL && absent_allergy && r->allergies->len > 0)
    fail (&p, _("allergies are listed and said to be absent"));
  if (p.error == NULL && !absent_allergy && r->allergies->len == 0)
    fail (&p, _("the allergy section is empty"));
  if (p.error != NULL)
    {
      g_propagate_error (error, p.error);
      return NULL;
    }
  g_ptr_array_sort (r->contacts, cmp_contact);
  return g_steal_pointer (&r);
}

/* ------------------------------------------------------------------------- */

gboolean
ec_ips_export (EcDb           *db,
               EcResidentId    id,
               const EcActor  *actor,
               char          **out_json,
               gsize          *out_len,
               GError        **error)
{
  g_autoptr(EcResident) r = NULL;
  g_autofree char *json = NULL;
  g_autofree char *detail = NULL;
  gsize len = 0;

  g_return_val_if_fail (out_json != NULL, FALSE);
  if (!ec_db_get_resident (db, id, actor, EC_DB_PURPOSE_EXPORT, NULL, &r, error))
    return FALSE;
  if ((json = ec_ips_build_json (r, &len, error)) == NULL)
    return FALSE;
  detail = g_strdup_printf ("FHIR R4 IPS bundle, record version %" G_GINT64_FORMAT ", %" G_GSIZE_FORMAT " bytes",
                            r->record_version, len);
  if (!ec_db_audit_append (db, actor, "export-ips", id, EC_DB_PURPOSE_EXPORT, NULL, detail, error))
    return FALSE;
  *out_json = g_steal_pointer (&json);
  if (out_len != NULL)
    *out_len = len;
  return TRUE;
}

gboolean
ec_ips_import (EcDb           *db,
               const char     *data,
               gsize           len,
               const EcActor  *actor,
               EcResidentId   *out_id,
               GError        **error)
{
  g_autoptr(EcResident) r = ec_ips_parse (data, len, error);

  if (r == NULL)
    return FALSE;
  if (!ec_db_begin (db, error))
    return FALSE;
  if (!ec_db_resident_add (db, r, actor, error) ||
      !ec_db_audit_append (db, actor, "import-ips", r->id, NULL, NULL, "FHIR R4 IPS bundle", error) ||
      !ec_db_commit (db, error))
    {
      ec_db_rollback (db);
      return FALSE;
    }
  if (out_id != NULL)
    *out_id = r->id;
  return TRUE;
}
