/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The resident database: CRUD, constraints, verbatim text, the audited read, cards,
 * staff, search, settings, migration from schema v1, backup. Real SQLite files. */
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "ec-compat.h"
#include "ec-db.h"
#include "ec-demo.h"
#include "ec-error.h"
#include "ec-init.h"

static const EcActor staff_actor = { EC_ROLE_STAFF, "S0001" };
static const EcActor kiosk_actor = { EC_ROLE_RESPONDER, "kiosk-01" };

typedef struct
{
  char *dir;
  char *path;
  EcDb *db;
} Fixture;

static void
rm_rf (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_assert_no_errno (g_unlink (p));
    }
  g_assert_no_errno (g_rmdir (dir));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ec-db-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.db", NULL);
  f->db = ec_db_open (f->path, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->db);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->db, ec_db_close);
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static gint64
audit_count (EcDb *db)
{
  gint64 seq = -1;
  g_autoptr(GError) error = NULL;

  g_assert_true (ec_db_audit_head (db, &seq, NULL, &error));
  g_assert_no_error (error);
  return seq;
}

static EcResident *
make_resident (const char *name_zh, const char *pinyin)
{
  EcResident *r = ec_resident_new ();
  EcCondition *c = ec_condition_new ();
  EcAllergy *a = ec_allergy_new ();
  EcMedication *m = ec_medication_new ();
  EcContact *k = ec_contact_new ();

  r->name_zh = g_strdup (name_zh);
  r->name_pinyin = g_strdup (pinyin);
  r->sex = EC_SEX_FEMALE;
  r->date_of_birth = g_strdup ("1941-03-08");
  r->building_unit = g_strdup ("3栋2单元501");
  r->phone = g_strdup ("139-0000-1234");
  r->blood_type = EC_BLOOD_A_POS;
  r->dnr = EC_DNR_DNR;
  r->directive_location = g_strdup ("卧室抽屉");
  r->wandering = EC_WANDERING_AT_RISK;
  r->comm_needs = EC_COMM_HEARING | EC_COMM_DEMENTIA;
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  c->text = g_strdup ("高血压");
  c->icd10 = g_strdup ("I10");
  c->since = g_strdup ("2008");
  g_ptr_array_add (r->conditions, c);
  a->substance = g_strdup ("青霉素");
  a->category = EC_ALLERGY_CATEGORY_MEDICATION;
  a->criticality = EC_CRITICALITY_HIGH;
  a->reaction = g_strdup ("呼吸困难");
  a->severity = EC_SEVERITY_SEVERE;
  g_ptr_array_add (r->allergies, a);
  m->name = g_strdup ("氨氯地平");
  m->dose = g_strdup ("5 mg");
  m->route = g_strdup ("口服");
  m->slots = EC_SCHED_MORNING;
  g_ptr_array_add (r->medications, m);
  k->name = g_strdup ("李娜");
  k->relation = g_strdup ("女儿");
  k->phones = g_strsplit ("139-0000-5678,010-5555-0101", ",", -1);
  k->call_order = 1;
  k->lives_nearby = TRUE;
  g_ptr_array_add (r->contacts, k);
  return r;
}

static void
test_open_settings (Fixture *f, gconstpointer data)
{
  g_autoptr(sqlite3_stmt) st = NULL;
  sqlite3 *raw = NULL;
  struct stat sb;

  g_assert_cmpint (ec_db_get_schema_version (f->db), ==, EC_DB_SCHEMA_VERSION);
  /* The file holds medical data: owner only. */
  g_assert_no_errno (g_stat (f->path, &sb));
  g_assert_cmpint (sb.st_mode & 0777, ==, 0600);

  /* From outside: WAL and application_id persist in the file. */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "PRAGMA journal_mode", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, "wal");
  g_clear_pointer (&st, sqlite3_finalize);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "PRAGMA application_id", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (st, 0), ==, EC_DB_APPLICATION_ID);
  g_clear_pointer (&st, sqlite3_finalize);
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
}

static void
test_open_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ec-db-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.db", NULL);
  g_autofree char *garbage = g_build_filename (dir, "garbage.db", NULL);
  g_autofree char *other = g_build_filename (dir, "other.db", NULL);
  g_autofree char *page = g_malloc0 (8192);
  sqlite3 *raw = NULL;
  EcDb *db;

  db = ec_db_open (missing, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_null (db);
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  memset (page, 'x', 8192);
  g_assert_true (g_file_set_contents (garbage, page, 8192, NULL));
  db = ec_db_open (garbage, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_null (db);
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Some other application's SQLite file. */
  g_assert_cmpint (sqlite3_open (other, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "CREATE TABLE t (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
  db = ec_db_open (other, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_null (db);
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);

  /* A database from a newer eldercard. */
  db = ec_db_open (missing, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  ec_db_close (db);
  g_assert_cmpint (sqlite3_open (missing, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
  db = ec_db_open (missing, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_null (db);
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_SCHEMA_TOO_NEW);
  g_clear_error (&error);
  rm_rf (dir);
}

static void
test_crud (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcResident) r = make_resident ("王秀英", "Wang Xiuying");
  g_autoptr(EcResident) back = NULL;
  g_autoptr(EcResident) back2 = NULL;
  EcResidentId id;
  gint64 cond_stamp;
  EcMedication *m;
  guint64 n = 0;

  g_assert_true (ec_db_resident_add (f->db, r, &staff_actor, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r->id, !=, 0);
  g_assert_cmpint (r->record_version, ==, 1);
  id = r->id;

  g_assert_true (ec_db_get_resident (f->db, id, &kiosk_actor, EC_DB_PURPOSE_CARD_TAP, NULL, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (back->name_zh, ==, "王秀英");
  g_assert_cmpstr (back->name_pinyin, ==, "Wang Xiuying");
  g_assert_cmpstr (back->date_of_birth, ==, "1941-03-08");
  g_assert_cmpint (back->dnr, ==, EC_DNR_DNR);
  g_assert_cmpint (back->wandering, ==, EC_WANDERING_AT_RISK);
  g_assert_cmpuint (back->comm_needs, ==, EC_COMM_HEARING | EC_COMM_DEMENTIA);
  g_assert_cmpstr (back->updated_by, ==, "S0001");
  g_assert_cmpuint (back->conditions->len, ==, 1);
  g_assert_cmpstr (((EcCondition *) back->conditions->pdata[0])->icd10, ==, "I10");
  g_assert_cmpuint (back->allergies->len, ==, 1);
  g_assert_cmpint (((EcAllergy *) back->allergies->pdata[0])->criticality, ==, EC_CRITICALITY_HIGH);
  g_assert_true (((EcAllergy *) back->allergies->pdata[0])->confirmed);
  g_assert_cmpuint (back->contacts->len, ==, 1);
  g_assert_cmpstr (((EcContact *) back->contacts->pdata[0])->phones[1], ==, "010-5555-0101");
  g_assert_null (((EcContact *) back->contacts->pdata[0])->phones[2]);
  cond_stamp = ((EcCondition *) back->conditions->pdata[0])->updated_at;
  g_assert_cmpint (cond_stamp, >, 0);

  /* Update by another staff member: version bumps; the unchanged condition keeps
   * its stamp and author, the changed medication gets the new ones. */
  m = back->medications->pdata[0];
  g_free (m->dose);
  m->dose = g_strdup ("10 mg");
  {
    const EcActor other = { EC_ROLE_STAFF, "S0002" };
    g_assert_true (ec_db_resident_update (f->db, back, &other, &error));
  }
  g_assert_no_error (error);
  g_assert_cmpint (back->record_version, ==, 2);
  g_assert_true (ec_db_get_resident (f->db, id, &staff_actor, EC_DB_PURPOSE_EDIT, NULL, &back2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (back2->record_version, ==, 2);
  g_assert_cmpstr (back2->updated_by, ==, "S0002");
  g_assert_cmpstr (((EcCondition *) back2->conditions->pdata[0])->updated_by, ==, "S0001");
  g_assert_cmpint (((EcCondition *) back2->conditions->pdata[0])->updated_at, ==, cond_stamp);
  g_assert_cmpstr (((EcMedication *) back2->medications->pdata[0])->dose, ==, "10 mg");
  g_assert_cmpstr (((EcMedication *) back2->medications->pdata[0])->updated_by, ==, "S0002");

  g_assert_true (ec_db_resident_count (f->db, &n, &error));
  g_assert_cmpuint (n, ==, 1);

  /* Remove: gone, entries gone, the removal audited. */
  g_assert_true (ec_db_resident_remove (f->db, id, &staff_actor, "moved away", &error));
  g_assert_no_error (error);
  g_clear_pointer (&back2, ec_resident_free);
  g_assert_false (ec_db_get_resident (f->db, id, &kiosk_actor, EC_DB_PURPOSE_CARD_TAP, NULL, &back2, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (ec_db_resident_count (f->db, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (ec_db_resident_remove (f->db, id, &staff_actor, NULL, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
}

static void
test_constraints (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcResident) r = make_resident ("张伟", "Zhang Wei");
  g_autoptr(EcResident) dup = make_resident ("张伟", "Zhang Wei");
  g_autoptr(EcResident) bad = make_resident ("", NULL);
  const EcActor nobody = { EC_ROLE_STAFF, "" };
  gint64 before;

  g_assert_true (ec_db_resident_add (f->db, r, &staff_actor, &error));
  g_assert_no_error (error);
  before = audit_count (f->db);

  dup->id = r->id;   /* same id twice */
  g_assert_false (ec_db_resident_add (f->db, dup, &staff_actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);

  g_assert_false (ec_db_resident_add (f->db, bad, &staff_actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);

  g_free (bad->name_zh);
  bad->name_zh = g_strdup ("赵敏");
  g_free (bad->date_of_birth);
  bad->date_of_birth = g_strdup ("1941-02-30");
  g_assert_false (ec_db_resident_add (f->db, bad, &staff_actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);

  /* "recorded" allergy status with no allergy, or allergies with "none known". */
  g_free (bad->date_of_birth);
  bad->date_of_birth = NULL;
  bad->allergy_status = EC_ALLERGY_STATUS_NONE_KNOWN;
  g_assert_false (ec_db_resident_add (f->db, bad, &staff_actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);

  /* A contact needs a phone. */
  bad->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  g_clear_pointer (&((EcContact *) bad->contacts->pdata[0])->phones, g_strfreev);
  g_assert_false (ec_db_resident_add (f->db, bad, &staff_actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);

  /* Photo size limit. */
  ((EcContact *) bad->contacts->pdata[0])->phones = g_strsplit ("13900000000", ",", -1);
  bad->photo = g_bytes_new_take (g_malloc0 (EC_DB_PHOTO_MAX_BYTES + 1), EC_DB_PHOTO_MAX_BYTES + 1);
  bad->photo_mime = g_strdup ("image/jpeg");
  g_assert_false (ec_db_resident_add (f->db, bad, &staff_actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);

  /* No actor, no change. */
  g_clear_pointer (&bad->photo, g_bytes_unref);
  g_assert_false (ec_db_resident_add (f->db, bad, &nobody, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ec_db_resident_add (f->db, bad, NULL, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);

  /* Nothing refused was logged as a change. */
  g_assert_cmpint (audit_count (f->db), ==, before);

  /* Updating a resident who does not exist. */
  dup->id = 0x1234;
  g_assert_false (ec_db_resident_update (f->db, dup, &staff_actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
}

static void
test_verbatim (Fixture *f, gconstpointer data)
{
  static const char *const nasty[] = {
    "'; DROP TABLE residents; --",
    "100% _wildcard_ \\ backslash",
    "\"double\" 'single' `back`",
    "𠀀𪚥 龘 — emoji 👵🏻 and zero-width\u200bjoiner",
    "Robert'); DELETE FROM audit WHERE ('1'='1",
    "行一　行二（全角空格）",   /* line breaks and tabs: only in multi-line fields (test-csv) */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (nasty); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EcResident) r = make_resident (nasty[i], nasty[i]);
      g_autoptr(EcResident) back = NULL;
      g_autoptr(GPtrArray) hits = NULL;

      g_free (r->notes);
      r->notes = g_strdup (nasty[i]);
      g_free (((EcCondition *) r->conditions->pdata[0])->text);
      ((EcCondition *) r->conditions->pdata[0])->text = g_strdup (nasty[i]);
      g_free (((EcAllergy *) r->allergies->pdata[0])->substance);
      ((EcAllergy *) r->allergies->pdata[0])->substance = g_strdup (nasty[i]);
      g_assert_true (ec_db_resident_add (f->db, r, &staff_actor, &error));
      g_assert_no_error (error);
      g_assert_true (ec_db_get_resident (f->db, r->id, &staff_actor, EC_DB_PURPOSE_EDIT, NULL, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (back->name_zh, ==, nasty[i]);
      g_assert_cmpstr (back->name_pinyin, ==, nasty[i]);
      g_assert_cmpstr (back->notes, ==, nasty[i]);
      g_assert_cmpstr (((EcCondition *) back->conditions->pdata[0])->text, ==, nasty[i]);
      g_assert_cmpstr (((EcAllergy *) back->allergies->pdata[0])->substance, ==, nasty[i]);

      /* Searching for the metacharacters finds exactly that name, and the tables
       * are all still there. */
      g_assert_true (ec_db_search (f->db, nasty[i], 10, &hits, &error));
      g_assert_no_error (error);
      if (strchr (nasty[i], '\n') == NULL)
        {
          g_assert_cmpuint (hits->len, >=, 1);
          g_assert_cmpstr (((EcResidentSummary *) hits->pdata[0])->name_zh, ==, nasty[i]);
        }
    }
  {
    g_autoptr(GError) error = NULL;
    guint64 n = 0;
    g_assert_true (ec_db_resident_count (f->db, &n, &error));
    g_assert_cmpuint (n, ==, G_N_ELEMENTS (nasty));
    g_assert_true (ec_db_audit_verify (f->db, NULL, NULL, &error));
    g_assert_no_error (error);
  }
}

static void
test_audited_read (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcResident) r = make_resident ("刘芳", "Liu Fang");
  g_autoptr(GPtrArray) entries = NULL;
  EcAuditFilter filter = { 0 };
  const char *purposes[] = { EC_DB_PURPOSE_CARD_TAP, EC_DB_PURPOSE_NURSE_CHECK, EC_DB_PURPOSE_EDIT };
  gint64 n;
  EcAuditEntry *e;

  g_assert_true (ec_db_resident_add (f->db, r, &staff_actor, &error));
  for (gsize i = 0; i < G_N_ELEMENTS (purposes); i++)
    {
      g_autoptr(EcResident) back = NULL;
      n = audit_count (f->db);
      g_assert_true (ec_db_get_resident (f->db, r->id, &kiosk_actor, purposes[i], NULL, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpint (audit_count (f->db), ==, n + 1);
    }

  /* Manual lookup: refused without a reason (and nothing shown), logged with one. */
  {
    g_autoptr(EcResident) back = NULL;
    n = audit_count (f->db);
    g_assert_false (ec_db_get_resident (f->db, r->id, &kiosk_actor, EC_DB_PURPOSE_MANUAL_LOOKUP, NULL, &back, &error));
    g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
    g_assert_null (back);
    g_clear_error (&error);
    g_assert_true (ec_db_get_resident (f->db, r->id, &kiosk_actor, EC_DB_PURPOSE_MANUAL_LOOKUP,
                                       "card unreadable, resident unconscious", &back, &error));
    g_assert_cmpint (audit_count (f->db), ==, n + 1);
  }

  /* A lookup of an unknown id is logged too. */
  {
    g_autoptr(EcResident) back = NULL;
    n = audit_count (f->db);
    g_assert_false (ec_db_get_resident (f->db, 0x42, &kiosk_actor, EC_DB_PURPOSE_CARD_TAP, NULL, &back, &error));
    g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_cmpint (audit_count (f->db), ==, n + 1);
  }

  filter.resident_id = r->id;
  filter.action = "view";
  g_assert_true (ec_db_audit_list (f->db, &filter, &entries, &error));
  g_assert_cmpuint (entries->len, ==, 4);
  e = entries->pdata[3];
  g_assert_cmpstr (e->actor_id, ==, "kiosk-01");
  g_assert_cmpint (e->actor_role, ==, EC_ROLE_RESPONDER);
  g_assert_cmpstr (e->purpose, ==, EC_DB_PURPOSE_MANUAL_LOOKUP);
  g_assert_cmpstr (e->reason, ==, "card unreadable, resident unconscious");
  g_assert_cmpint (e->at, >, 1700000000);

  /* A read-only connection shows no medical data: it could not log the view. */
  {
    g_autoptr(EcDb) ro = ec_db_open (f->path, EC_DB_OPEN_READ_ONLY, &error);
    g_autoptr(EcResident) back = NULL;
    g_autoptr(GPtrArray) hits = NULL;
    g_assert_no_error (error);
    g_assert_false (ec_db_get_resident (ro, r->id, &kiosk_actor, EC_DB_PURPOSE_CARD_TAP, NULL, &back, &error));
    g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_PERMISSION);
    g_clear_error (&error);
    /* …but the identity search works. */
    g_assert_true (ec_db_search (ro, "liu", 5, &hits, &error));
    g_assert_cmpuint (hits->len, ==, 1);
  }
}

static void
test_search (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const char *names[][3] = {
    { "王秀英", "Wang Xiuying", "13900001111" },
    { "王秀兰", "Wáng Xiùlán", "+86 139 0000 2222" },
    { "王伟", "Wang Wei", "139-0000-3333" },
    { "吕建国", "Lü Jianguo", "13900004444" },
  };
  struct { const char *q; guint n; const char *first; } cases[] = {
    { "wang", 3, NULL }, { "WANG XIU", 2, NULL }, { "wangxiul", 1, "王秀兰" },
    { "王秀", 2, NULL }, { "王", 3, NULL }, { "吕", 1, "吕建国" }, { "lv", 1, "吕建国" },
    { "139 0000 2222", 1, "王秀兰" }, { "+8613900002222", 1, "王秀兰" }, { "1390000", 4, NULL },
    { "zhang", 0, NULL }, { "%", 0, NULL }, { "_", 0, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(EcResident) r = make_resident (names[i][0], names[i][1]);
      g_free (r->phone);
      r->phone = g_strdup (names[i][2]);
      g_assert_true (ec_db_resident_add (f->db, r, &staff_actor, &error));
      g_assert_no_error (error);
      if (i == 0)
        {
          guint seq = 0;
          g_autoptr(GBytes) img = g_bytes_new_static ("image", 5);
          g_autoptr(GPtrArray) hits = NULL;
          g_autofree char *ids = ec_resident_id_to_string (r->id);
          g_assert_true (ec_db_card_begin_issue (f->db, r->id, "04A1B2C3D4E5F6", 7, &staff_actor, 0, img, &seq, &error));
          g_assert_no_error (error);
          g_assert_true (ec_db_search (f->db, "04:a1:b2:c3:d4:e5:f6", 5, &hits, &error));
          g_assert_cmpuint (hits->len, ==, 1);
          g_assert_cmpstr (((EcResidentSummary *) hits->pdata[0])->name_zh, ==, "王秀英");
          g_clear_pointer (&hits, g_ptr_array_unref);
          g_assert_true (ec_db_search (f->db, ids, 5, &hits, &error));
          g_assert_cmpuint (hits->len, ==, 1);
          g_assert_cmpuint (((EcResidentSummary *) hits->pdata[0])->id, ==, r->id);
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) hits = NULL;
      g_assert_true (ec_db_search (f->db, cases[i].q, 10, &hits, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (hits->len, ==, cases[i].n);
      if (cases[i].first != NULL)
        g_assert_cmpstr (((EcResidentSummary *) hits->pdata[0])->name_zh, ==, cases[i].first);
    }
  {
    g_autoptr(GPtrArray) hits = NULL;
    g_assert_true (ec_db_search (f->db, "wang", 2, &hits, &error));
    g_assert_cmpuint (hits->len, ==, 2);
    g_clear_pointer (&hits, g_ptr_array_unref);
    g_assert_false (ec_db_search (f->db, "   ", 2, &hits, &error));
    g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  }
}

static void
test_cards (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcResident) r = make_resident ("陈静", "Chen Jing");
  g_autoptr(GBytes) img1 = g_bytes_new_static ("card-image-1", 12);
  g_autoptr(GBytes) img2 = g_bytes_new_static ("card-image-2", 12);
  g_autoptr(GBytes) pending_img = NULL;
  g_autoptr(EcCardRecord) card = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  guint seq = 0, top = 0;
  gint64 n;

  g_assert_true (ec_db_resident_add (f->db, r, &staff_actor, &error));
  g_assert_true (ec_db_card_next_seq (f->db, r->id, &seq, &error));
  g_assert_cmpuint (seq, ==, 1);

  n = audit_count (f->db);
  g_assert_true (ec_db_card_begin_issue (f->db, r->id, "04a1b2c3d4e5f6", 12, &staff_actor, seq, img1, &seq, &error));
  g_assert_no_error (error);
  g_assert_cmpint (audit_count (f->db), ==, n + 1);
  /* A retry of the same begin is idempotent and gives back the same bytes. */
  g_assert_true (ec_db_card_begin_issue (f->db, r->id, "04A1B2C3D4E5F6", 12, &staff_actor, 1, img1, &seq, &error));
  g_assert_cmpuint (seq, ==, 1);
  g_assert_true (ec_db_card_get_pending (f->db, "04a1b2c3d4e5f6", &card, &pending_img, &error));
  g_assert_true (g_bytes_equal (pending_img, img1));
  g_assert_cmpint (card->status, ==, EC_CARD_STATUS_PENDING);
  g_clear_pointer (&card, ec_card_record_free);
  /* Another image for the same UID is a second use of the card. */
  g_assert_false (ec_db_card_begin_issue (f->db, r->id, "04a1b2c3d4e5f6", 12, &staff_actor, 1, img2, NULL, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);

  g_assert_true (ec_db_card_highest_active_seq (f->db, r->id, &top, &error));
  g_assert_cmpuint (top, ==, 0);
  g_assert_true (ec_db_card_commit_issue (f->db, "04a1b2c3d4e5f6", &staff_actor, &error));
  g_assert_no_error (error);
  g_assert_true (ec_db_card_lookup (f->db, "04A1B2C3D4E5F6", &card, &error));
  g_assert_cmpint (card->status, ==, EC_CARD_STATUS_ACTIVE);
  g_assert_cmpuint (card->resident_id, ==, r->id);
  g_assert_cmpuint (card->station_id, ==, 12);
  g_assert_cmpstr (card->staff_id, ==, "S0001");
  g_clear_pointer (&card, ec_card_record_free);
  /* Committed: the retry image is gone. */
  g_assert_false (ec_db_card_get_pending (f->db, "04a1b2c3d4e5f6", NULL, NULL, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A replacement: the first card becomes "replaced". */
  g_assert_true (ec_db_card_begin_issue (f->db, r->id, "04ffeeddccbbaa", 12, &staff_actor, 0, img2, &seq, &error));
  g_assert_cmpuint (seq, ==, 2);
  g_assert_true (ec_db_card_commit_issue (f->db, "04ffeeddccbbaa", &staff_actor, &error));
  g_assert_true (ec_db_card_lookup (f->db, "04a1b2c3d4e5f6", &card, &error));
  g_assert_cmpint (card->status, ==, EC_CARD_STATUS_REPLACED);
  g_clear_pointer (&card, ec_card_record_free);
  g_assert_true (ec_db_card_highest_active_seq (f->db, r->id, &top, &error));
  g_assert_cmpuint (top, ==, 2);

  /* Spoiled only from pending; lost from active; revoked. */
  g_assert_false (ec_db_card_set_status (f->db, "04ffeeddccbbaa", EC_CARD_STATUS_SPOILED, "x", &staff_actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (ec_db_card_set_status (f->db, "04ffeeddccbbaa", EC_CARD_STATUS_LOST, "lost at market", &staff_actor, &error));
  g_assert_true (ec_db_card_lookup (f->db, "04ffeeddccbbaa", &card, &error));
  g_assert_cmpint (card->status, ==, EC_CARD_STATUS_LOST);
  g_assert_cmpstr (card->status_reason, ==, "lost at market");
  g_clear_pointer (&card, ec_card_record_free);
  g_assert_false (ec_db_card_set_status (f->db, "04ffeeddccbbaa", EC_CARD_STATUS_ACTIVE, NULL, &staff_actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (ec_db_card_begin_issue (f->db, r->id, "04010203040506", 12, &staff_actor, 0, img2, &seq, &error));
  g_assert_true (ec_db_card_set_status (f->db, "04010203040506", EC_CARD_STATUS_SPOILED, "torn", &staff_actor, &error));
  g_assert_no_error (error);

  g_assert_true (ec_db_card_list_for_resident (f->db, r->id, &cards, &error));
  g_assert_cmpuint (cards->len, ==, 3);
  g_assert_cmpuint (((EcCardRecord *) cards->pdata[2])->seq, ==, 3);
  g_assert_cmpint (((EcCardRecord *) cards->pdata[2])->status, ==, EC_CARD_STATUS_SPOILED);
  g_clear_pointer (&cards, g_ptr_array_unref);
  g_assert_true (ec_db_card_list_by_status (f->db, EC_CARD_STATUS_LOST, &cards, &error));
  g_assert_cmpuint (cards->len, ==, 1);
  g_clear_pointer (&cards, g_ptr_array_unref);

  g_assert_false (ec_db_card_lookup (f->db, "not-a-uid", &card, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ec_db_card_lookup (f->db, "04999999999999", &card, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ec_db_card_begin_issue (f->db, 0x77, "04999999999999", 1, &staff_actor, 0, img1, NULL, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Removing the resident revokes what is still active; the card rows stay. */
  g_assert_true (ec_db_card_begin_issue (f->db, r->id, "04aaaaaaaaaaaa", 12, &staff_actor, 0, img1, &seq, &error));
  g_assert_true (ec_db_card_commit_issue (f->db, "04aaaaaaaaaaaa", &staff_actor, &error));
  g_assert_true (ec_db_resident_remove (f->db, r->id, &staff_actor, NULL, &error));
  g_assert_true (ec_db_card_lookup (f->db, "04aaaaaaaaaaaa", &card, &error));
  g_assert_cmpint (card->status, ==, EC_CARD_STATUS_REVOKED);
  g_assert_true (ec_db_audit_verify (f->db, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_staff (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStaff) s = ec_staff_new ();
  g_autoptr(EcStaff) back = NULL;
  g_autoptr(GPtrArray) list = NULL;

  s->id = g_strdup ("N0007");
  s->name = g_strdup ("周护士");
  s->role = EC_ROLE_NURSE;
  g_assert_true (ec_db_staff_add (f->db, s, &staff_actor, &error));
  g_assert_no_error (error);
  g_assert_false (ec_db_staff_add (f->db, s, &staff_actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (ec_db_staff_set_pin_hash (f->db, "N0007", "$argon2id$v=19$fake", &staff_actor, &error));
  g_assert_true (ec_db_staff_set_pin_state (f->db, "N0007", 3, 1900000000, &error));
  g_assert_true (ec_db_staff_get (f->db, "N0007", &back, &error));
  g_assert_cmpstr (back->name, ==, "周护士");
  g_assert_cmpint (back->role, ==, EC_ROLE_NURSE);
  g_assert_cmpstr (back->pin_hash, ==, "$argon2id$v=19$fake");
  g_assert_cmpuint (back->pin_failures, ==, 3);
  g_assert_cmpint (back->pin_locked_until, ==, 1900000000);
  g_assert_true (ec_db_staff_list (f->db, &list, &error));
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_false (ec_db_staff_set_pin_state (f->db, "nobody", 0, 0, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
}

static void
test_transaction (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  guint64 n = 0;

  g_assert_true (ec_db_begin (f->db, &error));
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(EcResident) r = make_resident ("孙丽", "Sun Li");
      g_assert_true (ec_db_resident_add (f->db, r, &staff_actor, &error));
    }
  ec_db_rollback (f->db);
  g_assert_true (ec_db_resident_count (f->db, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (audit_count (f->db), ==, 0);

  g_assert_true (ec_db_begin (f->db, &error));
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(EcResident) r = make_resident ("孙丽", "Sun Li");
      g_assert_true (ec_db_resident_add (f->db, r, &staff_actor, &error));
    }
  g_assert_true (ec_db_commit (f->db, &error));
  g_assert_true (ec_db_resident_count (f->db, &n, &error));
  g_assert_cmpuint (n, ==, 3);
  g_assert_true (ec_db_audit_verify (f->db, NULL, NULL, &error));
}

/* A database written by the first schema opens, upgrades and works. */
static void
test_migration_v1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ec-db-XXXXXX", NULL);
  g_autofree char *old = g_build_filename (dir, "v1.db", NULL);
  g_autofree char *fresh = g_build_filename (dir, "fresh.db", NULL);
  g_autofree char *fixture = g_build_filename (EC_SOURCE_DIR, "tests", "data", "schema-v1.sql", NULL);
  g_autofree char *data_sql = g_build_filename (EC_SOURCE_DIR, "tests", "data", "data-v1.sql", NULL);
  g_autofree char *schema = NULL, *rows = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(EcResident) r = NULL;
  g_autoptr(EcStaff) s = NULL;
  sqlite3 *raw = NULL;
  EcDb *db;
  const char *schema_q = "SELECT type || ' ' || name || ': ' || coalesce (sql, '') FROM sqlite_schema ORDER BY type, name";

  g_assert_true (g_file_get_contents (fixture, &schema, NULL, &error));
  g_assert_true (g_file_get_contents (data_sql, &rows, NULL, &error));
  g_assert_cmpint (sqlite3_open (old, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, schema, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, rows, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);

  db = ec_db_open (old, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ec_db_get_schema_version (db), ==, EC_DB_SCHEMA_VERSION);
  /* The v2 search keys were filled in for the old rows. */
  g_assert_true (ec_db_search (db, "zhaoguil", 5, &hits, &error));
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((EcResidentSummary *) hits->pdata[0])->name_zh, ==, "赵桂兰");
  g_assert_true (ec_db_get_resident (db, ((EcResidentSummary *) hits->pdata[0])->id, &staff_actor,
                                     EC_DB_PURPOSE_EDIT, NULL, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r->allergies->len, ==, 1);
  g_assert_cmpstr (((EcAllergy *) r->allergies->pdata[0])->substance, ==, "磺胺类");
  g_assert_true (ec_db_staff_get (db, "S0001", &s, &error));
  g_assert_cmpuint (s->pin_failures, ==, 0);
  /* The old audit chain still verifies, and new entries extend it. */
  g_assert_true (ec_db_audit_verify (db, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ec_db_audit_append (db, &staff_actor, "view", 0, NULL, "after the upgrade", NULL, &error));
  g_assert_true (ec_db_audit_verify (db, NULL, NULL, &error));
  g_assert_no_error (error);
  ec_db_close (db);
  /* …in the type-strict audit table of schema v4. */
  {
    g_autoptr(sqlite3_stmt) st = NULL;
    g_assert_cmpint (sqlite3_open (old, &raw), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT sql FROM sqlite_schema WHERE name = 'audit'", -1, &st, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
    g_assert_nonnull (strstr ((const char *) sqlite3_column_text (st, 0), ") STRICT"));
    g_clear_pointer (&st, sqlite3_finalize);
    g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
  }

  /* An upgraded database has exactly the schema of a new one. */
  db = ec_db_open (fresh, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  ec_db_close (db);
  {
    GString *a = g_string_new (NULL), *b = g_string_new (NULL);
    const char *files[] = { old, fresh };
    GString *outs[] = { a, b };
    for (int i = 0; i < 2; i++)
      {
        g_autoptr(sqlite3_stmt) st = NULL;
        g_assert_cmpint (sqlite3_open (files[i], &raw), ==, SQLITE_OK);
        g_assert_cmpint (sqlite3_prepare_v2 (raw, schema_q, -1, &st, NULL), ==, SQLITE_OK);
        while (sqlite3_step (st) == SQLITE_ROW)
          g_string_append_printf (outs[i], "%s\n", sqlite3_column_text (st, 0));
        g_clear_pointer (&st, sqlite3_finalize);
        g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
      }
    g_assert_cmpstr (a->str, ==, b->str);
    g_string_free (a, TRUE);
    g_string_free (b, TRUE);
  }
  rm_rf (dir);
}

/* eldercard 0.1 created the synchronisation tables on first use in databases still
 * marked version 2; such a database upgrades to version 3 keeping what they hold. */
static void
test_migration_v2_with_sync_tables (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ec-db-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kiosk.db", NULL);
  g_autoptr(sqlite3_stmt) st = NULL;
  sqlite3 *raw = NULL;
  EcDb *db;

  db = ec_db_open (path, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  ec_db_close (db);
  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "INSERT INTO sync_state VALUES (7, 42, 1, 2, 1, 9, 100, 80, x'00');"
                                      "PRAGMA user_version = 2", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);

  db = ec_db_open (path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ec_db_get_schema_version (db), ==, EC_DB_SCHEMA_VERSION);
  ec_db_close (db);
  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT seq FROM sync_state WHERE station_id = 7", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (st, 0), ==, 42);
  g_clear_pointer (&st, sqlite3_finalize);
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
  rm_rf (dir);
}

static void
test_backup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (f->dir, "backup.db", NULL);
  g_autoptr(EcDb) copy = NULL;
  guint8 h1[32], h2[32];
  gint64 s1, s2;
  guint64 n = 0;
  struct stat sb;

  g_assert_true (ec_demo_generate (f->db, 50, 7, &error));
  g_assert_no_error (error);
  g_assert_true (ec_db_backup (f->db, dest, &error));
  g_assert_no_error (error);
  g_assert_no_errno (g_stat (dest, &sb));
  g_assert_cmpint (sb.st_mode & 0777, ==, 0600);
  /* Restore drill: the copy verifies and has the same residents and audit head. */
  copy = ec_db_open (dest, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (ec_db_integrity_check (copy, &error));
  g_assert_true (ec_db_resident_count (copy, &n, &error));
  g_assert_cmpuint (n, ==, 50);
  g_assert_true (ec_db_audit_head (f->db, &s1, h1, &error));
  g_assert_true (ec_db_audit_head (copy, &s2, h2, &error));
  g_assert_cmpint (s1, ==, s2);
  g_assert_cmpmem (h1, 32, h2, 32);
  g_assert_true (ec_db_audit_verify (copy, NULL, NULL, &error));
  g_assert_false (ec_db_backup (f->db, f->path, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
}

static void
test_demo (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  guint64 n = 0;
  guint high_drug = 0, none_known = 0, unknown = 0, with_meds = 0;

  g_assert_true (ec_demo_generate (f->db, 300, 42, &error));
  g_assert_no_error (error);
  g_assert_true (ec_db_resident_count (f->db, &n, &error));
  g_assert_cmpuint (n, ==, 300);
  g_assert_true (ec_db_resident_list (f->db, 0, 0, &list, &error));
  g_assert_cmpuint (list->len, ==, 300);
  for (guint i = 0; i < list->len; i++)
    {
      EcResidentSummary *s = list->pdata[i];
      g_autoptr(EcResident) r = NULL;
      g_autoptr(GPtrArray) cards = NULL;
      int age;

      g_assert_true (ec_db_get_resident (f->db, s->id, &staff_actor, EC_DB_PURPOSE_EDIT, NULL, &r, &error));
      g_assert_no_error (error);
      age = ec_resident_age (r, NULL);
      g_assert_cmpint (age, >=, 60);
      g_assert_cmpint (age, <=, 100);
      g_assert_nonnull (r->name_pinyin);
      g_assert_true (g_utf8_strlen (r->name_zh, -1) >= 2);
      g_assert_cmpuint (r->contacts->len, >=, 1);
      g_assert_cmpuint (r->contacts->len, <=, 3);
      g_assert_true (g_str_has_prefix (((EcContact *) r->contacts->pdata[0])->phones[0], "139-0000-"));
      if (r->allergy_status == EC_ALLERGY_STATUS_NONE_KNOWN)
        none_known++;
      if (r->allergy_status == EC_ALLERGY_STATUS_UNKNOWN)
        unknown++;
      for (guint j = 0; j < r->allergies->len; j++)
        {
          EcAllergy *a = r->allergies->pdata[j];
          if (a->category == EC_ALLERGY_CATEGORY_MEDICATION && a->criticality == EC_CRITICALITY_HIGH)
            high_drug++;
        }
      if (r->medications->len > 0)
        with_meds++;
      g_assert_true (ec_db_card_list_for_resident (f->db, s->id, &cards, &error));
      g_assert_cmpuint (cards->len, >=, 1);
    }
  g_assert_cmpuint (high_drug, >, 0);
  g_assert_cmpuint (none_known, >, 0);
  g_assert_cmpuint (unknown, >, 0);
  g_assert_cmpuint (with_meds, >, 150);

  /* Deterministic: the same seed makes the same community. */
  {
    g_autoptr(EcResident) a = ec_demo_make_resident (42, 17);
    g_autoptr(EcResident) b = ec_demo_make_resident (42, 17);
    g_autoptr(EcResident) c = ec_demo_make_resident (43, 17);
    g_assert_cmpuint (a->id, ==, b->id);
    g_assert_cmpstr (a->name_zh, ==, b->name_zh);
    g_assert_cmpstr (a->date_of_birth, ==, b->date_of_birth);
    g_assert_cmpuint (a->id, !=, c->id);
  }
  g_assert_true (ec_db_integrity_check (f->db, &error));
}

/* The bulk path (rollback journal, indexes rebuilt after the load) leaves a normal
 * WAL database with every index. */
static void
test_demo_bulk (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(sqlite3_stmt) st = NULL;
  sqlite3 *raw = NULL;
  guint64 n = 0;

  g_assert_true (ec_demo_generate (f->db, 20000, 11, &error));
  g_assert_no_error (error);
  g_assert_true (ec_db_resident_count (f->db, &n, &error));
  g_assert_cmpuint (n, ==, 20000);
  g_assert_true (ec_db_integrity_check (f->db, &error));
  g_assert_true (ec_db_search (f->db, "王", 5, &hits, &error));
  g_assert_cmpuint (hits->len, ==, 5);
  g_assert_true (ec_db_audit_verify (f->db, NULL, NULL, &error));

  g_assert_cmpint (sqlite3_open_v2 (f->path, &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "PRAGMA journal_mode", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, "wal");
  g_clear_pointer (&st, sqlite3_finalize);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                                       " AND name IN ('residents_name_zh', 'residents_pinyin_key',"
                                       " 'residents_phone_key', 'conditions_resident', 'allergies_resident',"
                                       " 'medications_resident', 'contacts_resident')", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (st, 0), ==, 7);
  g_clear_pointer (&st, sqlite3_finalize);
  g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
}

int
main (int argc, char **argv)
{
  ec_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/ec/db/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("open-settings", test_open_settings);
  g_test_add_func ("/ec/db/open-errors", test_open_errors);
  ADD ("crud", test_crud);
  ADD ("constraints", test_constraints);
  ADD ("verbatim", test_verbatim);
  ADD ("audited-read", test_audited_read);
  ADD ("search", test_search);
  ADD ("cards", test_cards);
  ADD ("staff", test_staff);
  ADD ("transaction", test_transaction);
  g_test_add_func ("/ec/db/migration-v1", test_migration_v1);
  g_test_add_func ("/ec/db/migration-v2-sync-tables", test_migration_v2_with_sync_tables);
  ADD ("backup", test_backup);
  ADD ("demo", test_demo);
  ADD ("demo-bulk", test_demo_bulk);
#undef ADD
  return g_test_run ();
}
