/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CSV import and export: RFC 4180 reading, every error class reported with file,
 * line and column, all-or-nothing imports, --skip-bad, round trips, JSON export. */
#include <string.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>

#include "ec-test-photo.h"
#include "ec-csv.h"
#include "ec-db.h"
#include "ec-demo.h"
#include "ec-error.h"
#include "ec-init.h"

static const EcActor actor = { EC_ROLE_STAFF, "S0001" };

#define HEADER "id,name_zh,name_pinyin,sex,date_of_birth,allergy_status,allergies,medications,contacts\n"
#define GOOD1  ",王秀英,Wang Xiuying,female,1941-03-08,recorded,青霉素|medication|high|呼吸困难|severe|confirmed,氨氯地平|5 mg|口服|早|,李娜|女儿|139-0000-5678|1|yes\n"
#define GOOD2  ",张建国,Zhang Jianguo,male,1938-11-30,none-known,,二甲双胍|0.5 g|口服|早+晚|,\"张伟|儿子|139-0000-1111,010-5550-0001|1|no\"\n"

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

  f->dir = g_dir_make_tmp ("ec-csv-XXXXXX", &error);
  f->path = g_build_filename (f->dir, "csv.db", NULL);
  f->db = ec_db_open (f->path, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->db, ec_db_close);
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static guint64
count (EcDb *db)
{
  guint64 n = 0;
  g_assert_true (ec_db_resident_count (db, &n, NULL));
  return n;
}

static void
test_reader (void)
{
  const char data[] = "\xef\xbb\xbf" "a,\"b,1\",\"say \"\"hi\"\"\"\r\n\n"
                      "\"multi\nline\",,x\n"
                      "last,row,";
  g_autoptr(EcCsvReader) r = ec_csv_reader_new (data, sizeof data - 1, "t.csv");
  g_autoptr(GError) error = NULL;
  GPtrArray *f = NULL;
  guint line = 0;

  g_assert_true (ec_csv_reader_next (r, &f, &line, &error));
  g_assert_cmpuint (line, ==, 1);
  g_assert_cmpuint (f->len, ==, 3);
  g_assert_cmpstr (f->pdata[0], ==, "a");
  g_assert_cmpstr (f->pdata[1], ==, "b,1");
  g_assert_cmpstr (f->pdata[2], ==, "say \"hi\"");
  g_assert_true (ec_csv_reader_next (r, &f, &line, &error));
  g_assert_cmpuint (line, ==, 3);
  g_assert_cmpstr (f->pdata[0], ==, "multi\nline");
  g_assert_cmpstr (f->pdata[1], ==, "");
  g_assert_true (ec_csv_reader_next (r, &f, &line, &error));
  g_assert_cmpuint (line, ==, 5);
  g_assert_cmpuint (f->len, ==, 3);
  g_assert_cmpstr (f->pdata[2], ==, "");
  g_assert_false (ec_csv_reader_next (r, &f, &line, &error));
  g_assert_no_error (error);
}

/* Every error class, each with the file name, the line and the column. */
static void
test_errors (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *csv;
    EcImportError code;
    const char *where;   /* "file:line:column" prefix expected in the message */
  } cases[] = {
    { HEADER GOOD1 ",李\xff\xfe,Li,female,1941-03-08,unknown,,,\n", EC_IMPORT_ERROR_ENCODING, "in.csv:3:2:" },
    { HEADER GOOD1 GOOD2 ",赵敏,Zhao Min,female\n", EC_IMPORT_ERROR_COLUMNS, "in.csv:4:" },
    { HEADER GOOD1 ",赵敏,Zhao Min,female,1941-02-30,unknown,,,\n", EC_IMPORT_ERROR_DATE, "in.csv:3:5:" },
    { HEADER ",赵敏,Zhao Min,femme,1941-02-03,unknown,,,\n", EC_IMPORT_ERROR_ENUM, "in.csv:2:4:" },
    { HEADER ",赵敏,Zhao Min,female,1941-02-03,recorded,青霉素|medication|deadly,,\n", EC_IMPORT_ERROR_ENUM, "in.csv:2:7:" },
    { HEADER ",赵敏,Zhao Min,female,1941-02-03,unknown,,,赵强|儿子|139-0000-0001|1|sometimes\n", EC_IMPORT_ERROR_ENUM, "in.csv:2:9:" },
    { HEADER ",,Nobody,female,1941-02-03,unknown,,,\n", EC_IMPORT_ERROR_MISSING, "in.csv:2:2:" },
    { HEADER ",\"赵敏,Zhao Min,female,1941-02-03,unknown,,,\n", EC_IMPORT_ERROR_SYNTAX, "in.csv:2:2:" },
    { HEADER ",赵\"敏,Zhao Min,female,1941-02-03,unknown,,,\n", EC_IMPORT_ERROR_SYNTAX, "in.csv:2:2:" },
    { "id,name_zh,shoe_size\n,赵敏,42\n", EC_IMPORT_ERROR_COLUMNS, "in.csv:1:3:" },
    { "", EC_IMPORT_ERROR_MISSING, "in.csv:1:" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      EcCsvImportReport report = { 0 };

      g_test_message ("case %zu", i);
      g_assert_false (ec_csv_import_data (f->db, cases[i].csv, strlen (cases[i].csv), "in.csv",
                                          FALSE, &actor, &report, &error));
      g_assert_error (error, EC_IMPORT_ERROR, (gint) cases[i].code);
      if (!g_str_has_prefix (error->message, cases[i].where))
        g_error ("case %zu: expected “%s…”, got “%s”", i, cases[i].where, error->message);
      /* Nothing of a file with a bad row goes in. */
      g_assert_cmpuint (count (f->db), ==, 0);
      ec_csv_import_report_clear (&report);
    }

  /* Oversize: one field over the limit. */
  {
    g_autoptr(GError) error = NULL;
    GString *csv = g_string_new (HEADER GOOD1 ",赵敏,");
    g_autofree char *s = NULL;
    for (int i = 0; i < EC_CSV_FIELD_MAX + 1; i++)
      g_string_append_c (csv, 'a');
    g_string_append (csv, ",female,1941-02-03,unknown,,,\n");
    s = g_string_free (csv, FALSE);
    g_assert_false (ec_csv_import_data (f->db, s, strlen (s), "in.csv", FALSE, &actor, NULL, &error));
    g_assert_error (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_OVERSIZE);
    g_assert_true (g_str_has_prefix (error->message, "in.csv:3:3:"));
    g_assert_cmpuint (count (f->db), ==, 0);
  }
}

static void
test_skip_bad (Fixture *f, gconstpointer data)
{
  const char *csv = HEADER GOOD1 ",赵敏,Zhao Min,female,1941-02-30,unknown,,,\n" GOOD2
                    ",钱多,Qian Duo,robot,1941-02-03,unknown,,,\n";
  g_autoptr(GError) error = NULL;
  EcCsvImportReport report = { 0 };

  g_assert_true (ec_csv_import_data (f->db, csv, strlen (csv), "in.csv", TRUE, &actor, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_rows, ==, 4);
  g_assert_cmpuint (report.n_imported, ==, 2);
  g_assert_cmpuint (report.skipped->len, ==, 2);
  g_assert_true (g_str_has_prefix (report.skipped->pdata[0], "in.csv:3:5:"));
  g_assert_true (g_str_has_prefix (report.skipped->pdata[1], "in.csv:5:4:"));
  g_assert_cmpuint (count (f->db), ==, 2);
  ec_csv_import_report_clear (&report);

  /* A duplicate id is refused by the database: skipped with --skip-bad, otherwise
   * the whole import is rolled back. */
  {
    g_autoptr(GPtrArray) hits = NULL;
    g_autofree char *id = NULL, *dup = NULL;
    g_assert_true (ec_db_search (f->db, "wang xiuying", 1, &hits, &error));
    id = ec_resident_id_to_string (((EcResidentSummary *) hits->pdata[0])->id);
    dup = g_strdup_printf (HEADER "%s,王秀英,Wang Xiuying,female,1941-03-08,unknown,,,\n" GOOD2, id);
    g_assert_false (ec_csv_import_data (f->db, dup, strlen (dup), "dup.csv", FALSE, &actor, NULL, &error));
    g_assert_error (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_SYNTAX);
    g_clear_error (&error);
    g_assert_cmpuint (count (f->db), ==, 2);
    g_assert_true (ec_csv_import_data (f->db, dup, strlen (dup), "dup.csv", TRUE, &actor, &report, &error));
    g_assert_cmpuint (report.n_imported, ==, 1);
    g_assert_cmpuint (report.skipped->len, ==, 1);
    g_assert_cmpuint (count (f->db), ==, 3);
    ec_csv_import_report_clear (&report);
  }
}

static void
test_fields (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(EcResident) r = NULL;
  const char *csv = HEADER GOOD2;
  EcContact *k;
  EcMedication *m;

  g_assert_true (ec_csv_import_data (f->db, csv, strlen (csv), "in.csv", FALSE, &actor, NULL, &error));
  g_assert_true (ec_db_search (f->db, "张建国", 1, &hits, &error));
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_true (ec_db_get_resident (f->db, ((EcResidentSummary *) hits->pdata[0])->id, &actor,
                                     EC_DB_PURPOSE_EDIT, NULL, &r, &error));
  g_assert_cmpint (r->allergy_status, ==, EC_ALLERGY_STATUS_NONE_KNOWN);
  g_assert_cmpuint (r->allergies->len, ==, 0);
  m = r->medications->pdata[0];
  g_assert_cmpuint (m->slots, ==, EC_SCHED_MORNING | EC_SCHED_EVENING);
  g_assert_null (m->schedule_text);
  k = r->contacts->pdata[0];
  g_assert_cmpstr (k->phones[0], ==, "139-0000-1111");
  g_assert_cmpstr (k->phones[1], ==, "010-5550-0001");
  g_assert_false (k->lives_nearby);
}

/* Export → import reproduces every field, including Chinese text, SQL
 * metacharacters, separators and quotes. */
static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(EcResident) odd = ec_demo_make_resident (9, 9);
  g_autofree char *other_path = g_build_filename (f->dir, "other.db", NULL);
  g_autoptr(EcDb) other = NULL;
  g_autoptr(GOutputStream) mem2 = g_memory_output_stream_new_resizable ();
  EcCsvImportReport report = { 0 };
  const char *text;
  gsize len;

  g_assert_true (ec_demo_generate (f->db, 40, 5, &error));
  /* One resident full of characters that mean something to CSV, to the entry
   * separators, or to SQL. */
  g_free (odd->name_zh);
  odd->name_zh = g_strdup ("'; DROP TABLE residents; --");
  g_free (odd->notes);
  odd->notes = g_strdup ("引号\"、逗号,分号;竖线|反斜杠\\ 100% _x_\n第二行");
  g_free (((EcContact *) odd->contacts->pdata[0])->name);
  ((EcContact *) odd->contacts->pdata[0])->name = g_strdup ("A|B;C\\D,E");
  if (odd->conditions->len == 0)
    {
      EcCondition *c = ec_condition_new ();
      c->text = g_strdup ("x");
      g_ptr_array_add (odd->conditions, c);
    }
  g_free (((EcCondition *) odd->conditions->pdata[0])->text);
  ((EcCondition *) odd->conditions->pdata[0])->text = g_strdup ("高血压; \"Grad 2\" | 见病历");
  odd->photo = g_bytes_new_static (ec_test_png_1x1, sizeof ec_test_png_1x1);
  odd->photo_mime = g_strdup ("image/png");
  g_assert_true (ec_db_resident_add (f->db, odd, &actor, &error));
  g_assert_no_error (error);

  g_assert_true (ec_csv_export (f->db, mem, &actor, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (mem, NULL, &error));
  text = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (mem));
  len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (mem));

  other = ec_db_open (other_path, EC_DB_OPEN_CREATE, &error);
  g_assert_true (ec_csv_import_data (other, text, len, "export.csv", FALSE, &actor, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_imported, ==, 41);
  ec_csv_import_report_clear (&report);

  /* Every resident, compared field by field through a second export (the stamps of
   * an import are the importer's, so compare everything but those columns). */
  g_assert_true (ec_csv_export (other, mem2, &actor, &error));
  g_assert_true (g_output_stream_close (mem2, NULL, &error));
  {
    g_autoptr(GPtrArray) a = NULL, b = NULL;
    g_assert_true (ec_csv_parse_residents (text, len, "a", FALSE, &a, NULL, NULL, &error));
    g_assert_true (ec_csv_parse_residents (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (mem2)),
                                           g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (mem2)),
                                           "b", FALSE, &b, NULL, NULL, &error));
    g_assert_cmpuint (a->len, ==, 41);
    g_assert_cmpuint (b->len, ==, 41);
    for (guint i = 0; i < a->len; i++)
      {
        EcResident *x = a->pdata[i], *y = b->pdata[i];
        g_autofree char *fx = NULL, *fy = NULL;
        x->record_version = y->record_version = 0;
        x->updated_at = y->updated_at = 0;
        g_clear_pointer (&x->updated_by, g_free);
        g_clear_pointer (&y->updated_by, g_free);
        fx = ec_csv_format_resident (x);
        fy = ec_csv_format_resident (y);
        g_assert_cmpstr (fx, ==, fy);
      }
  }
  {
    g_autoptr(EcResident) back = NULL;
    g_assert_true (ec_db_get_resident (other, odd->id, &actor, EC_DB_PURPOSE_EDIT, NULL, &back, &error));
    g_assert_cmpstr (back->name_zh, ==, "'; DROP TABLE residents; --");
    g_assert_cmpstr (back->notes, ==, odd->notes);
    g_assert_cmpstr (((EcContact *) back->contacts->pdata[0])->name, ==, "A|B;C\\D,E");
    g_assert_cmpstr (((EcCondition *) back->conditions->pdata[0])->text, ==, "高血压; \"Grad 2\" | 见病历");
    g_assert_true (g_bytes_equal (back->photo, odd->photo));
  }
}

static void
test_export_audited_json (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) entries = NULL;
  EcAuditFilter filter = { 0 };
  JsonArray *arr;
  JsonObject *o;

  g_assert_true (ec_demo_generate (f->db, 12, 1, &error));
  g_assert_true (ec_json_export (f->db, mem, &actor, &error));
  g_assert_true (g_output_stream_close (mem, NULL, &error));
  g_assert_true (json_parser_load_from_data (parser, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (mem)),
                                             (gssize) g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (mem)),
                                             &error));
  g_assert_no_error (error);
  arr = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (arr), ==, 12);
  o = json_array_get_object_element (arr, 0);
  g_assert_true (json_object_has_member (o, "allergy_status"));
  g_assert_true (json_object_has_member (o, "contacts"));
  g_assert_cmpuint (strlen (json_object_get_string_member (o, "id")), ==, 16);

  filter.action = "export-json";
  g_assert_true (ec_db_audit_list (f->db, &filter, &entries, &error));
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((EcAuditEntry *) entries->pdata[0])->detail, ==, "residents=12");
  g_assert_cmpstr (((EcAuditEntry *) entries->pdata[0])->actor_id, ==, "S0001");
}

/* CSV formula injection (OWASP): cells a spreadsheet would run as a formula are
 * written with a leading apostrophe (shown as text), and import takes exactly that
 * apostrophe off again, so the database gets back what it had. */
static void
test_formula_injection (Fixture *f, gconstpointer data)
{
  static const char *const hostile[] = {
    "=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@HYPERLINK(\"http://x\",\"y\")",
    "\t=1+1", "'=already quoted", "''", "'plain apostrophe", "'",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *other_path = g_build_filename (f->dir, "other.db", NULL);
  g_autoptr(EcDb) other = NULL;
  g_autoptr(GPtrArray) back = NULL;
  EcCsvImportReport report = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(EcResident) r = ec_demo_make_resident ((guint) i, 11);
      g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
      g_autofree char *row = NULL;

      g_free (r->notes);
      r->notes = g_strdup (hostile[i]);
      g_free (r->address);
      r->address = g_strdup (hostile[i]);
      row = ec_csv_format_resident (r);
      /* No cell of the row starts like a formula. */
      {
        g_autoptr(EcCsvReader) rd = ec_csv_reader_new (row, strlen (row), "row.csv");
        GPtrArray *cells = NULL;
        guint line = 0;
        while (ec_csv_reader_next (rd, &cells, &line, &error))
          for (guint c = 0; c < cells->len; c++)
            {
              const char *cell = cells->pdata[c];
              if (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@'
                  || cell[0] == '\t' || cell[0] == '\r')
                g_error ("cell %u of “%s” starts like a formula: %s", c, hostile[i], cell);
            }
        g_assert_no_error (error);
      }
      g_assert_true (ec_db_resident_add (f->db, r, &actor, &error));
      g_assert_no_error (error);
    }
  {
    g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
    const char *text;
    gsize len;

    g_assert_true (ec_csv_export (f->db, mem, &actor, &error));
    g_assert_true (g_output_stream_close (mem, NULL, &error));
    text = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (mem));
    len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (mem));
    g_assert_null (g_strstr_len (text, (gssize) len, ",=cmd"));
    g_assert_nonnull (g_strstr_len (text, (gssize) len, ",'=cmd"));
    other = ec_db_open (other_path, EC_DB_OPEN_CREATE, &error);
    g_assert_true (ec_csv_import_data (other, text, len, "export.csv", FALSE, &actor, &report, &error));
    g_assert_no_error (error);
    ec_csv_import_report_clear (&report);
  }
  /* Round trip: every hostile text comes back exactly. */
  g_assert_true (ec_db_resident_list (other, 0, 0, &back, &error));
  g_assert_cmpuint (back->len, ==, G_N_ELEMENTS (hostile));
  for (gsize i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      gboolean found = FALSE;
      for (guint j = 0; j < back->len && !found; j++)
        {
          g_autoptr(EcResident) r = NULL;
          g_assert_true (ec_db_get_resident (other, ((EcResidentSummary *) back->pdata[j])->id, &actor,
                                             EC_DB_PURPOSE_EDIT, NULL, &r, &error));
          found = g_strcmp0 (r->notes, hostile[i]) == 0 && g_strcmp0 (r->address, hostile[i]) == 0;
        }
      if (!found)
        g_error ("“%s” did not come back from export → import", hostile[i]);
    }
}

/* Control characters and bidi overrides are refused on every write path (add,
 * update, CSV import); a line break stays allowed in multi-line fields. */
static void
test_control_characters (Fixture *f, gconstpointer data)
{
  static const char *const bad[] = {
    "王\x1b[31m秀英", "王秀英\x07", "\xe2\x80\xae" "英秀王", "王\xe2\x81\xa6秀英", "王\x7f秀英",
    "王\xc2\x9b秀英", "王\r秀英", "王\n秀英", "王\t秀英",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(EcResident) ok = ec_demo_make_resident (3, 4);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(EcResident) r = ec_demo_make_resident ((guint) i, 4);
      g_autofree char *csv = g_strdup_printf ("name_zh,date_of_birth\n\"%s\",1941-03-08\n", bad[i]);
      EcCsvImportReport report = { 0 };

      g_free (r->name_zh);
      r->name_zh = g_strdup (bad[i]);
      g_assert_false (ec_db_resident_add (f->db, r, &actor, &error));
      g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "control character"));
      g_clear_error (&error);
      g_assert_false (ec_csv_import_data (f->db, csv, strlen (csv), "in.csv", FALSE, &actor, &report, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      ec_csv_import_report_clear (&report);
    }
  /* Update: a good record cannot be changed to a bad one. */
  g_assert_true (ec_db_resident_add (f->db, ok, &actor, &error));
  g_assert_no_error (error);
  g_free (ok->notes);
  ok->notes = g_strdup ("第一行\n第二行\t缩进");
  g_assert_true (ec_db_resident_update (f->db, ok, &actor, &error));
  g_assert_no_error (error);
  g_free (ok->phone);
  ok->phone = g_strdup ("139\x1b]0;pwned\x07");
  g_assert_false (ec_db_resident_update (f->db, ok, &actor, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID);
  g_assert_cmpuint (count (f->db), ==, 1);
}

int
main (int argc, char **argv)
{
  ec_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ec/csv/reader", test_reader);
#define ADD(path, fn) g_test_add ("/ec/csv/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("errors", test_errors);
  ADD ("skip-bad", test_skip_bad);
  ADD ("fields", test_fields);
  ADD ("round-trip", test_round_trip);
  ADD ("formula-injection", test_formula_injection);
  ADD ("control-characters", test_control_characters);
  ADD ("export-audited-json", test_export_audited_json);
#undef ADD
  return g_test_run ();
}
