/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The FHIR R4 International Patient Summary export and import (ec-ips.h):
 * - every demo resident's bundle validates against the official FHIR R4 JSON schema
 *   (fhir.schema.json 4.0 with Ajv, offline; FAILS when the validator is missing);
 * - it round-trips: imported into a fresh database, the record is the same field by
 *   field; a second export of the same record is byte-identical;
 * - the IPS shapes a hospital's system looks for (section codes, absent/unknown
 *   allergy codes, Timing.repeat.when, ICD-10, DNR);
 * - every export and import is in the audit log;
 * - the importer refuses what it did not write (nesting, size, types, codes). */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <cairo.h>

#include "ec-db.h"
#include "ec-demo.h"
#include "ec-error.h"
#include "ec-init.h"
#include "ec-ips.h"
#include "ec-record.h"

static const EcActor actor = { EC_ROLE_STAFF, "S0002" };

static char *
tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ec-ips-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
rm_rf (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

static cairo_status_t
png_append (void *closure, const unsigned char *data, unsigned int len)
{
  g_byte_array_append (closure, data, len);
  return CAIRO_STATUS_SUCCESS;
}

static GBytes *
png_photo (void)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 30, 40);
  cairo_t *cr = cairo_create (s);
  GByteArray *png = g_byte_array_new ();

  cairo_set_source_rgb (cr, 0.2, 0.4, 0.8);
  cairo_paint (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png_stream (s, png_append, png), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (s);
  return g_byte_array_free_to_bytes (png);
}

/* A fictional resident that uses every field, with the awkward cases: no street
 * address but a unit, a dose a Quantity cannot say, a reaction without words, free
 * schedule text, a dialect, two phones, a DNR with its document's place. */
static EcResident *
full_resident (void)
{
  EcResident *r = ec_resident_new ();
  EcAllergy *a;
  EcCondition *c;
  EcMedication *m;
  EcContact *k;

  r->id = G_GUINT64_CONSTANT (0x0123456789abcdef);
  r->name_zh = g_strdup ("欧阳秀英");
  r->name_pinyin = g_strdup ("Ouyang Xiuying");
  r->sex = EC_SEX_FEMALE;
  r->date_of_birth = g_strdup ("1938-02-28");
  r->photo = png_photo ();
  r->photo_mime = g_strdup ("image/png");
  r->building_unit = g_strdup ("3栋2单元501");
  r->phone = g_strdup ("139-0000-0001");
  r->blood_type = EC_BLOOD_AB_NEG;
  r->language = g_strdup ("温州话");
  r->dnr = EC_DNR_DNR;
  r->directive_location = g_strdup ("卧室床头柜抽屉 <第二层> & 复印件");
  r->wandering = EC_WANDERING_AT_RISK;
  r->comm_needs = EC_COMM_HEARING | EC_COMM_DEMENTIA | EC_COMM_LANGUAGE;
  r->comm_notes = g_strdup ("只会说温州话");
  r->implants = g_strdup ("心脏起搏器（2015年植入）");
  r->gp = g_strdup ("示例社区卫生服务中心 王医生 010-5550-0120");
  r->social_worker = g_strdup ("周敏 139-0000-0101");
  r->notes = g_strdup ("独居，备用钥匙在邻居处");
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;

  a = ec_allergy_new ();
  a->substance = g_strdup ("青霉素");
  a->category = EC_ALLERGY_CATEGORY_MEDICATION;
  a->criticality = EC_CRITICALITY_HIGH;
  a->reaction = g_strdup ("过敏性休克");
  a->severity = EC_SEVERITY_SEVERE;
  a->confirmed = TRUE;
  g_ptr_array_add (r->allergies, a);
  a = ec_allergy_new ();
  a->substance = g_strdup ("乳胶");
  a->confirmed = FALSE;
  a->category = EC_ALLERGY_CATEGORY_ENVIRONMENT;
  a->criticality = EC_CRITICALITY_UNABLE_TO_ASSESS;
  a->severity = EC_SEVERITY_MILD;
  g_ptr_array_add (r->allergies, a);

  c = ec_condition_new ();
  c->text = g_strdup ("阿尔茨海默病");
  c->icd10 = g_strdup ("G30.9");
  c->since = g_strdup ("2019");
  g_ptr_array_add (r->conditions, c);
  c = ec_condition_new ();
  c->text = g_strdup ("跌倒史");
  c->since = g_strdup ("2024-11-03");
  g_ptr_array_add (r->conditions, c);

  m = ec_medication_new ();
  m->name = g_strdup ("多奈哌齐片");
  m->dose = g_strdup ("5 mg");
  m->route = g_strdup ("口服");
  m->slots = EC_SCHED_MORNING | EC_SCHED_NOON | EC_SCHED_EVENING | EC_SCHED_NIGHT;
  g_ptr_array_add (r->medications, m);
  m = ec_medication_new ();
  m->name = g_strdup ("布地奈德福莫特罗吸入剂");
  m->dose = g_strdup ("1 吸 (160/4.5 μg)");
  m->route = g_strdup ("吸入");
  m->schedule_text = g_strdup ("气喘时");
  g_ptr_array_add (r->medications, m);
  m = ec_medication_new ();
  m->name = g_strdup ("阿仑膦酸钠片");
  m->dose = g_strdup ("0.07 g");
  g_ptr_array_add (r->medications, m);

  k = ec_contact_new ();
  k->name = g_strdup ("欧阳明");
  k->relation = g_strdup ("儿子");
  k->phones = g_strsplit ("139-0000-0002,010-5550-0003", ",", -1);
  k->call_order = 1;
  k->lives_nearby = TRUE;
  g_ptr_array_add (r->contacts, k);
  k = ec_contact_new ();
  k->name = g_strdup ("张阿姨");
  k->relation = g_strdup ("保姆");
  k->phones = g_strsplit ("139-0000-0004", ",", -1);
  k->call_order = 2;
  g_ptr_array_add (r->contacts, k);
  return r;
}

/* The record's content, field by field (not the bookkeeping: entry row ids,
 * record_version, updated_at/by, which the receiving database sets). */
static void
assert_same_record (const EcResident *a, const EcResident *b)
{
  g_assert_cmpuint (a->id, ==, b->id);
  g_assert_cmpstr (a->name_zh, ==, b->name_zh);
  g_assert_cmpstr (a->name_pinyin, ==, b->name_pinyin);
  g_assert_cmpint (a->sex, ==, b->sex);
  g_assert_cmpstr (a->date_of_birth, ==, b->date_of_birth);
  g_assert_true ((a->photo == NULL) == (b->photo == NULL));
  if (a->photo != NULL)
    {
      g_assert_true (g_bytes_equal (a->photo, b->photo));
      g_assert_cmpstr (a->photo_mime, ==, b->photo_mime);
    }
  g_assert_cmpstr (a->address, ==, b->address);
  g_assert_cmpstr (a->building_unit, ==, b->building_unit);
  g_assert_cmpstr (a->phone, ==, b->phone);
  g_assert_cmpint (a->blood_type, ==, b->blood_type);
  g_assert_cmpstr (a->language, ==, b->language);
  g_assert_cmpint (a->dnr, ==, b->dnr);
  g_assert_cmpstr (a->directive_location, ==, b->directive_location);
  g_assert_cmpint (a->wandering, ==, b->wandering);
  g_assert_cmpuint (a->comm_needs, ==, b->comm_needs);
  g_assert_cmpstr (a->comm_notes, ==, b->comm_notes);
  g_assert_cmpstr (a->implants, ==, b->implants);
  g_assert_cmpstr (a->gp, ==, b->gp);
  g_assert_cmpstr (a->social_worker, ==, b->social_worker);
  g_assert_cmpstr (a->notes, ==, b->notes);
  g_assert_cmpint (a->allergy_status, ==, b->allergy_status);

  g_assert_cmpuint (a->allergies->len, ==, b->allergies->len);
  for (guint i = 0; i < a->allergies->len; i++)
    {
      const EcAllergy *x = a->allergies->pdata[i], *y = b->allergies->pdata[i];
      g_assert_cmpstr (x->substance, ==, y->substance);
      g_assert_cmpint (x->category, ==, y->category);
      g_assert_cmpint (x->criticality, ==, y->criticality);
      g_assert_cmpstr (x->reaction, ==, y->reaction);
      g_assert_cmpint (x->severity, ==, y->severity);
      g_assert_cmpint (x->confirmed, ==, y->confirmed);
    }
  g_assert_cmpuint (a->conditions->len, ==, b->conditions->len);
  for (guint i = 0; i < a->conditions->len; i++)
    {
      const EcCondition *x = a->conditions->pdata[i], *y = b->conditions->pdata[i];
      g_assert_cmpstr (x->text, ==, y->text);
      g_assert_cmpstr (x->icd10, ==, y->icd10);
      g_assert_cmpstr (x->since, ==, y->since);
    }
  g_assert_cmpuint (a->medications->len, ==, b->medications->len);
  for (guint i = 0; i < a->medications->len; i++)
    {
      const EcMedication *x = a->medications->pdata[i], *y = b->medications->pdata[i];
      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->dose, ==, y->dose);
      g_assert_cmpstr (x->route, ==, y->route);
      g_assert_cmpuint (x->slots, ==, y->slots);
      g_assert_cmpstr (x->schedule_text, ==, y->schedule_text);
    }
  g_assert_cmpuint (a->contacts->len, ==, b->contacts->len);
  for (guint i = 0; i < a->contacts->len; i++)
    {
      const EcContact *x = a->contacts->pdata[i], *y = b->contacts->pdata[i];
      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->relation, ==, y->relation);
      g_assert_cmpuint (x->call_order, ==, y->call_order);
      g_assert_cmpint (x->lives_nearby, ==, y->lives_nearby);
      g_assert_cmpuint (g_strv_length (x->phones), ==, g_strv_length (y->phones));
      for (guint k = 0; x->phones[k] != NULL; k++)
        g_assert_cmpstr (x->phones[k], ==, y->phones[k]);
    }
}

static guint
count_audit (EcDb *db, const char *action)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  EcAuditFilter f = { .action = action };

  g_assert_true (ec_db_audit_list (db, &f, &entries, &error));
  g_assert_no_error (error);
  return entries->len;
}

/* Run the FHIR R4 schema validator on @files; the test fails when it is missing. */
static void
validate_with_schema (GPtrArray *files)
{
  const char *build = g_getenv ("EC_BUILD_DIR") != NULL ? g_getenv ("EC_BUILD_DIR") : EC_BUILD_DIR;
  g_autofree char *validator_dir = g_build_filename (build, "fhir-validator", NULL);
  g_autofree char *script = g_build_filename (EC_SOURCE_DIR, "tests", "fhir-validate.js", NULL);
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (node == NULL)
    {
      g_test_message ("Node.js (node) is required for the FHIR R4 schema validation: apt-get install nodejs");
      g_test_fail ();
      return;
    }
  g_ptr_array_add (argv, node);
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, validator_dir);
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (argv, files->pdata[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("FHIR R4 schema validation failed:\n%s%s", err, out);
      g_printerr ("%s%s", err, out);
      g_test_fail ();
      return;
    }
  /* One "ok" line per file. */
  {
    guint n_ok = 0;
    for (const char *p = out; (p = strstr (p, "ok ")) != NULL; p += 3)
      n_ok++;
    g_assert_cmpuint (n_ok, ==, files->len);
  }
}

static void
test_demo_validates_and_round_trips (void)
{
  g_autofree char *dir = tmpdir ();
  g_autofree char *src_path = g_build_filename (dir, "src.db", NULL);
  g_autofree char *dst_path = g_build_filename (dir, "fresh.db", NULL);
  g_autoptr(EcDb) src = NULL;
  g_autoptr(EcDb) dst = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n_none = 0, n_unknown = 0, n_recorded = 0;

  src = ec_db_open (src_path, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (ec_demo_generate (src, EC_DEMO_DEFAULT_RESIDENTS, 7, &error));
  g_assert_no_error (error);
  dst = ec_db_open (dst_path, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_true (ec_db_resident_list (src, 0, 1000, &list, &error));
  g_assert_cmpuint (list->len, ==, EC_DEMO_DEFAULT_RESIDENTS);

  for (guint i = 0; i < list->len; i++)
    {
      EcResidentId id = ((EcResidentSummary *) list->pdata[i])->id;
      g_autoptr(EcResident) orig = NULL;
      g_autoptr(EcResident) back = NULL;
      g_autofree char *json = NULL;
      g_autofree char *again = NULL;
      g_autofree char *hex = ec_resident_id_to_string (id);
      g_autofree char *name = g_strdup_printf ("%s.json", hex);
      char *file = g_build_filename (dir, name, NULL);
      gsize len = 0, len2 = 0;
      EcResidentId imported = 0;

      g_assert_true (ec_ips_export (src, id, &actor, &json, &len, &error));
      g_assert_no_error (error);
      g_assert_true (ec_ips_export (src, id, &actor, &again, &len2, &error));
      g_assert_cmpmem (json, len, again, len2);   /* same record, same bytes */
      g_assert_true (g_file_set_contents (file, json, (gssize) len, &error));
      g_ptr_array_add (files, file);

      g_assert_true (ec_ips_import (dst, json, len, &actor, &imported, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (imported, ==, id);
      g_assert_true (ec_db_get_resident (src, id, &actor, EC_DB_PURPOSE_EXPORT, NULL, &orig, &error));
      g_assert_true (ec_db_get_resident (dst, id, &actor, EC_DB_PURPOSE_EXPORT, NULL, &back, &error));
      g_assert_no_error (error);
      assert_same_record (orig, back);
      n_none += orig->allergy_status == EC_ALLERGY_STATUS_NONE_KNOWN;
      n_unknown += orig->allergy_status == EC_ALLERGY_STATUS_UNKNOWN;
      n_recorded += orig->allergy_status == EC_ALLERGY_STATUS_RECORDED;
    }
  /* The community has all three allergy states, so each IPS form was exercised. */
  g_assert_cmpuint (n_none, >, 0);
  g_assert_cmpuint (n_unknown, >, 0);
  g_assert_cmpuint (n_recorded, >, 0);
  g_assert_cmpuint (count_audit (src, "export-ips"), ==, 2 * EC_DEMO_DEFAULT_RESIDENTS);
  g_assert_cmpuint (count_audit (dst, "import-ips"), ==, EC_DEMO_DEFAULT_RESIDENTS);
  g_assert_true (ec_db_audit_verify (src, NULL, NULL, &error));
  g_assert_no_error (error);

  /* Importing the same summary again is refused, not a duplicate. */
  {
    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true (g_file_get_contents (files->pdata[0], &data, &len, NULL));
    g_assert_false (ec_ips_import (dst, data, len, &actor, NULL, &error));
    g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_CONSTRAINT);
    g_clear_error (&error);
  }

  validate_with_schema (files);
  rm_rf (dir);
}

static JsonObject *
find_resource (JsonObject *bundle, const char *type, guint nth)
{
  JsonArray *entries = json_object_get_array_member (bundle, "entry");
  guint seen = 0;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *res = json_object_get_object_member (json_array_get_object_element (entries, i), "resource");
      if (g_strcmp0 (json_object_get_string_member (res, "resourceType"), type) == 0 && seen++ == nth)
        return res;
    }
  return NULL;
}

static JsonObject *
parse_json (const char *json, JsonParser **parser)
{
  g_autoptr(GError) error = NULL;

  *parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (*parser, json, -1, &error));
  return json_node_get_object (json_parser_get_root (*parser));
}

static void
test_full_record (void)
{
  g_autoptr(EcResident) r = full_resident ();
  g_autoptr(EcResident) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = tmpdir ();
  g_autofree char *json = NULL;
  JsonObject *bundle, *comp, *res, *o;
  JsonArray *sections;
  gsize len = 0;
  g_autoptr(GString) codes = g_string_new (NULL);

  r->updated_at = 1764547200;   /* 2025-12-01 00:00 UTC */
  json = ec_ips_build_json (r, &len, &error);
  g_assert_no_error (error);
  back = ec_ips_parse (json, len, &error);
  g_assert_no_error (error);
  assert_same_record (r, back);

  bundle = parse_json (json, &parser);
  g_assert_cmpstr (json_object_get_string_member (bundle, "type"), ==, "document");
  g_assert_cmpstr (json_object_get_string_member (bundle, "timestamp"), ==, "2025-12-01T00:00:00Z");
  comp = find_resource (bundle, "Composition", 0);
  g_assert_nonnull (comp);
  sections = json_object_get_array_member (comp, "section");
  for (guint i = 0; i < json_array_get_length (sections); i++)
    {
      JsonObject *s = json_array_get_object_element (sections, i);
      if (json_object_has_member (s, "code"))
        g_string_append_printf (codes, "%s ", json_object_get_string_member (
          json_array_get_object_element (json_object_get_array_member (json_object_get_object_member (s, "code"),
                                                                       "coding"), 0), "code"));
    }
  /* IPS section order: allergies first. */
  g_assert_cmpstr (codes->str, ==, "48765-2 11450-4 10160-0 42348-3 30954-2 ");

  /* Patient: 汉字 and pinyin names with their ISO 21090 representation. */
  res = find_resource (bundle, "Patient", 0);
  g_assert_nonnull (strstr (json, "\"valueCode\" : \"IDE\""));
  g_assert_nonnull (strstr (json, "\"valueCode\" : \"ABC\""));
  g_assert_cmpstr (json_object_get_string_member (res, "gender"), ==, "female");
  g_assert_cmpstr (json_object_get_string_member (res, "birthDate"), ==, "1938-02-28");
  o = json_array_get_object_element (json_object_get_array_member (res, "name"), 1);
  g_assert_cmpstr (json_object_get_string_member (o, "family"), ==, "Ouyang");

  /* Allergy: criticality, category, reaction severity, verification. */
  res = find_resource (bundle, "AllergyIntolerance", 0);
  g_assert_cmpstr (json_object_get_string_member (res, "criticality"), ==, "high");
  g_assert_nonnull (strstr (json, "\"code\" : \"confirmed\""));
  g_assert_nonnull (strstr (json, "\"code\" : \"unconfirmed\""));
  g_assert_nonnull (strstr (json, "\"severity\" : \"severe\""));
  /* Condition with ICD-10; medication with MORN/NOON/EVE/HS; DNR as Consent. */
  g_assert_nonnull (strstr (json, "\"system\" : \"http://hl7.org/fhir/sid/icd-10\""));
  g_assert_nonnull (strstr (json, "\"code\" : \"G30.9\""));
  g_assert_nonnull (strstr (json, "\"MORN\",\n"));
  g_assert_nonnull (strstr (json, "\"HS\"\n"));
  res = find_resource (bundle, "Consent", 0);
  g_assert_nonnull (res);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (res, "provision"), "type"),
                   ==, "deny");
  g_assert_nonnull (strstr (json, "\"code\" : \"304253006\""));
  /* Contacts as RelatedPerson, emergency contact role. */
  g_assert_nonnull (find_resource (bundle, "RelatedPerson", 1));
  g_assert_null (find_resource (bundle, "RelatedPerson", 2));
  /* The narrative escapes markup. */
  g_assert_nonnull (strstr (json, "&lt;第二层&gt; &amp; 复印件"));

  {
    char *file = g_build_filename (dir, "full.json", NULL);
    g_assert_true (g_file_set_contents (file, json, (gssize) len, &error));
    g_ptr_array_add (files, file);
    validate_with_schema (files);
  }
  rm_rf (dir);
}

static void
test_absent_allergies (void)
{
  static const struct { EcAllergyStatus status; const char *code; } cases[] = {
    { EC_ALLERGY_STATUS_NONE_KNOWN, "no-known-allergies" },
    { EC_ALLERGY_STATUS_UNKNOWN, "no-allergy-info" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EcResident) r = ec_resident_new ();
      g_autoptr(EcResident) back = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonParser) parser = NULL;
      g_autofree char *json = NULL;
      g_autofree char *needle = g_strdup_printf ("\"code\" : \"%s\"", cases[i].code);
      JsonObject *bundle, *comp, *allergies;
      gsize len;

      r->id = 42;
      r->name_zh = g_strdup ("李四");
      r->allergy_status = cases[i].status;
      r->updated_at = 1764547200;
      json = ec_ips_build_json (r, &len, &error);
      g_assert_no_error (error);
      g_assert_nonnull (strstr (json, needle));
      /* Never an empty allergy section: it references the absent/unknown entry. */
      bundle = parse_json (json, &parser);
      comp = find_resource (bundle, "Composition", 0);
      allergies = json_array_get_object_element (json_object_get_array_member (comp, "section"), 0);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (allergies, "entry")), ==, 1);
      g_assert_false (json_object_has_member (allergies, "emptyReason"));
      /* No conditions, no medications: the IPS "no information" entries. */
      g_assert_nonnull (strstr (json, "no-problem-info"));
      g_assert_nonnull (strstr (json, "no-medication-info"));
      back = ec_ips_parse (json, len, &error);
      g_assert_no_error (error);
      g_assert_cmpint (back->allergy_status, ==, cases[i].status);
      g_assert_cmpuint (back->allergies->len, ==, 0);
      g_assert_cmpuint (back->conditions->len, ==, 0);
      g_assert_cmpuint (back->medications->len, ==, 0);
    }
}

static void
expect_refused (const char *json, int code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcResident) r = ec_ips_parse (json, strlen (json), &error);

  g_assert_null (r);
  g_assert_error (error, EC_IMPORT_ERROR, code);
}

static void
test_refused (void)
{
  g_autoptr(EcResident) full = full_resident ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = ec_ips_build_json (full, NULL, &error);
  g_autoptr(GString) deep = g_string_new (NULL);
  char *p;

  expect_refused ("", EC_IMPORT_ERROR_SYNTAX);
  expect_refused ("[]", EC_IMPORT_ERROR_SYNTAX);
  expect_refused ("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[]}", EC_IMPORT_ERROR_SYNTAX);
  expect_refused ("{\"resourceType\":\"Bundle\",\"type\":\"document\",\"entry\":{}}", EC_IMPORT_ERROR_SYNTAX);
  expect_refused ("{\"resourceType\":\"Bundle\",\"type\":\"document\",\"entry\":[]}", EC_IMPORT_ERROR_SYNTAX);
  expect_refused ("{\"resourceType\":\"Bundle\",\"type\":\"document\",\"entry\":[{\"resource\":"
                  "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:eldercard:resident-id\","
                  "\"value\":\"xyz\"}]}}]}", EC_IMPORT_ERROR_SYNTAX);
  expect_refused ("{\"a\":\"\xff\"}", EC_IMPORT_ERROR_ENCODING);
  /* json-glib recurses per level: deep nesting is refused before it parses. */
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  expect_refused (deep->str, EC_IMPORT_ERROR_SYNTAX);
  /* A value of the wrong type, a code the exporter never writes. */
  {
    g_autofree char *bad = g_strdup (json);
    p = strstr (bad, "\"criticality\" : \"high\"");
    g_assert_nonnull (p);
    memcpy (p + strlen ("\"criticality\" : \""), "huge", 4);
    expect_refused (bad, EC_IMPORT_ERROR_SYNTAX);
  }
  {
    g_autofree char *bad = g_strdup (json);
    p = strstr (bad, "\"MORN\"");
    memcpy (p, "\"XXXX\"", 6);
    expect_refused (bad, EC_IMPORT_ERROR_SYNTAX);
  }
  {
    g_autofree char *bad = g_strdup (json);
    p = strstr (bad, "\"birthDate\" : \"1938-02-28\"");
    memcpy (p + strlen ("\"birthDate\" : \""), "1938-02-30", 10);
    expect_refused (bad, EC_IMPORT_ERROR_SYNTAX);
  }
  {
    gsize big = EC_IPS_MAX_BYTES + 1;
    g_autofree char *huge = g_malloc (big);
    g_autoptr(EcResident) r = NULL;
    memset (huge, ' ', big);
    r = ec_ips_parse (huge, big, &error);
    g_assert_null (r);
    g_assert_error (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_OVERSIZE);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ec_init ();
  g_test_add_func ("/ec/ips/demo-validates-and-round-trips", test_demo_validates_and_round_trips);
  g_test_add_func ("/ec/ips/full-record", test_full_record);
  g_test_add_func ("/ec/ips/absent-allergies", test_absent_allergies);
  g_test_add_func ("/ec/ips/refused", test_refused);
  return g_test_run ();
}
