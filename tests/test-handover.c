/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The handover sheet (ec-handover.h) through `eldercard handover`, checked with
 * poppler: the demo's longest record prints on ONE A4 page in Chinese and in
 * English, with the allergies before everything medical, every medication and
 * contact on it, the file private (0600), and each print in the audit log. A
 * record far longer than any demo one still gives one page and says what was cut. */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "ec-config.h"
#include "ec-db.h"
#include "ec-demo.h"
#include "ec-error.h"
#include "ec-handover.h"
#include "ec-init.h"
#include "ec-record.h"

static char *
run (const char *const *argv, int *out_status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (out_status != NULL)
    *out_status = status;
  else if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

static const char *
cli (void)
{
  static char *path;
  if (path == NULL)
    path = g_build_filename (g_getenv ("EC_BUILD_DIR") != NULL ? g_getenv ("EC_BUILD_DIR") : EC_BUILD_DIR,
                             "eldercard", NULL);
  return path;
}

static guint
pages (const char *pdf)
{
  const char *argv[] = { "pdfinfo", pdf, NULL };
  g_autofree char *info = run (argv, NULL);
  const char *p = strstr (info, "Pages:");
  double w = 0, h = 0;

  g_assert_nonnull (p);
  g_assert_nonnull (strstr (info, "Page size:"));
  g_assert_cmpint (sscanf (strstr (info, "Page size:"), "Page size: %lf x %lf pts", &w, &h), ==, 2);
  g_assert_cmpfloat (w, ==, 595.276);   /* A4 */
  g_assert_cmpfloat (h, ==, 841.89);
  return (guint) g_ascii_strtoull (p + strlen ("Pages:"), NULL, 10);
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", "-layout", pdf, "-", NULL };
  g_autofree char *t = run (argv, NULL);
  /* pdftotext puts spaces between wrapped or spaced glyphs: compare without them. */
  GString *s = g_string_new (NULL);
  for (const char *p = t; *p; p++)
    if (*p != ' ' && *p != '\n')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

static char *
squeeze (const char *text)
{
  GString *s = g_string_new (NULL);
  for (const char *p = text; p != NULL && *p; p++)
    if (*p != ' ')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

static void
assert_contains (const char *text, const char *what)
{
  g_autofree char *w = squeeze (what);
  if (strstr (text, w) == NULL)
    g_error ("the sheet does not show “%s”", what);
}

/* The demo resident with the most entries (allergies count twice: they come first). */
static EcResident *
longest_demo (EcDb *db)
{
  const EcActor a = { EC_ROLE_STAFF, "S0002" };
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  EcResident *best = NULL;
  guint best_n = 0;

  g_assert_true (ec_db_resident_list (db, 0, 1000, &list, &error));
  for (guint i = 0; i < list->len; i++)
    {
      EcResident *r = NULL;
      guint n;
      g_assert_true (ec_db_get_resident (db, ((EcResidentSummary *) list->pdata[i])->id, &a,
                                         EC_DB_PURPOSE_NURSE_CHECK, NULL, &r, &error));
      n = 2 * r->allergies->len + r->conditions->len + r->medications->len + r->contacts->len +
          (r->implants != NULL) + (r->notes != NULL) + (r->comm_notes != NULL);
      if (n > best_n)
        {
          ec_resident_free (best);
          best = r;
          best_n = n;
        }
      else
        ec_resident_free (r);
    }
  g_assert_nonnull (best);
  return best;
}

static guint
count_audit (const char *db_path, const char *action)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_READ_WRITE, &error);
  g_autoptr(GPtrArray) entries = NULL;
  EcAuditFilter f = { .action = action };

  g_assert_no_error (error);
  g_assert_true (ec_db_audit_list (db, &f, &entries, &error));
  return entries->len;
}

static void
test_longest_demo_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ec-handover-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "demo.db", NULL);
  g_autoptr(EcResident) r = NULL;
  g_autofree char *id = NULL;
  static const struct { const char *lang, *title, *allergies, *contacts; } langs[] = {
    { "zh", "紧急交接单", "过敏", "紧急联系人（按顺序拨打）" },
    { "en", "Emergency handover sheet", "ALLERGIES", "Emergency contacts (call in this order)" },
  };

  {
    g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_CREATE, &error);
    g_assert_no_error (error);
    g_assert_true (ec_demo_generate (db, EC_DEMO_DEFAULT_RESIDENTS, 1, &error));
    r = longest_demo (db);
  }
  id = ec_resident_id_to_string (r->id);
  g_test_message ("longest demo record: %s, %u allergies, %u conditions, %u medications, %u contacts",
                  r->name_zh, r->allergies->len, r->conditions->len, r->medications->len, r->contacts->len);

  for (gsize l = 0; l < G_N_ELEMENTS (langs); l++)
    {
      g_autofree char *name = g_strdup_printf ("handover-%s.pdf", langs[l].lang);
      g_autofree char *pdf = g_build_filename (dir, name, NULL);
      const char *argv[] = { cli (), "handover", id, "--pdf", pdf, "--language", langs[l].lang,
                             "--db", db_path, "--actor", "staff:S0002", "--config", "/dev/null", NULL };
      g_autofree char *out = run (argv, NULL);
      g_autofree char *text = NULL;
      GStatBuf st;
      const char *allergy_at, *cond_at;

      g_assert_cmpint (g_stat (pdf, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      g_assert_cmpuint (pages (pdf), ==, 1);
      text = pdf_text (pdf);
      assert_contains (text, langs[l].title);
      assert_contains (text, langs[l].allergies);
      assert_contains (text, langs[l].contacts);
      assert_contains (text, r->name_zh);
      assert_contains (text, r->name_pinyin);
      assert_contains (text, "S0002");            /* who printed it */
      for (guint i = 0; i < r->allergies->len; i++)
        assert_contains (text, ((EcAllergy *) r->allergies->pdata[i])->substance);
      for (guint i = 0; i < r->conditions->len; i++)
        assert_contains (text, ((EcCondition *) r->conditions->pdata[i])->text);
      for (guint i = 0; i < r->medications->len; i++)
        assert_contains (text, ((EcMedication *) r->medications->pdata[i])->name);
      for (guint i = 0; i < r->contacts->len; i++)
        {
          const EcContact *c = r->contacts->pdata[i];
          assert_contains (text, c->name);
          assert_contains (text, c->phones[0]);
        }
      /* Allergies first: before the first condition and medication. */
      allergy_at = strstr (text, langs[l].allergies);
      if (r->conditions->len > 0)
        {
          g_autofree char *c0 = squeeze (((EcCondition *) r->conditions->pdata[0])->text);
          cond_at = strstr (text, c0);
          g_assert_true (allergy_at < cond_at);
        }
      /* The first contact is listed before the second. */
      if (r->contacts->len > 1)
        {
          g_autofree char *c0 = squeeze (((EcContact *) r->contacts->pdata[0])->phones[0]);
          g_autofree char *c1 = squeeze (((EcContact *) r->contacts->pdata[1])->phones[0]);
          g_assert_true (strstr (text, c0) < strstr (text, c1));
        }
      g_assert_null (strstr (text, "did not fit"));
    }
  g_assert_cmpuint (count_audit (db_path, "handover-print"), ==, 2);
  {
    const char *argv[] = { "rm", "-rf", dir, NULL };
    g_free (run (argv, NULL));
  }
}

static void
test_overlong_record_one_page (void)
{
  g_autoptr(EcResident) r = ec_demo_make_resident (3, 5);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ec-handover-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "long.pdf", NULL);
  g_autofree char *text = NULL;
  EcHandoverOptions opts = { .language = "en", .printed_at = 1764547200 };

  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  for (guint i = 0; i < 40; i++)
    {
      EcAllergy *a = ec_allergy_new ();
      EcMedication *m = ec_medication_new ();
      a->substance = g_strdup_printf ("过敏原%u", i);
      a->reaction = g_strdup ("过敏性休克、喉头水肿、呼吸困难、血压下降");
      a->criticality = i == 39 ? EC_CRITICALITY_HIGH : EC_CRITICALITY_LOW;
      g_ptr_array_add (r->allergies, a);
      m->name = g_strdup_printf ("药品%u", i);
      m->dose = g_strdup ("5 mg");
      m->slots = EC_SCHED_MORNING;
      g_ptr_array_add (r->medications, m);
    }
  pdf = ec_handover_render_pdf (r, NULL, "S0002", &opts, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (pdf, NULL), (gssize) g_bytes_get_size (pdf), &error));
  g_assert_cmpuint (pages (path), ==, 1);
  text = pdf_text (path);
  /* The most critical allergy is drawn first, and the sheet says what was cut. */
  assert_contains (text, "过敏原39");
  g_assert_true (strstr (text, "过敏原39") < strstr (text, "过敏原0"));
  assert_contains (text, "More of the record did not fit on this page");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ec-handover-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "e.db", NULL);
  g_autofree char *pdf = g_build_filename (dir, "x.pdf", NULL);
  int status = 0;

  {
    g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_CREATE, &error);
    g_assert_no_error (error);
  }
  {
    /* Nobody by that id: nothing written, exit 1. */
    const char *argv[] = { cli (), "handover", "00000000000000aa", "--pdf", pdf, "--db", db_path,
                           "--config", "/dev/null", NULL };
    g_free (run (argv, &status));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  }
  {
    const char *argv[] = { cli (), "handover", "00000000000000aa", "--pdf", pdf, "--language", "fr",
                           "--db", db_path, NULL };
    g_free (run (argv, &status));
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 2);
  }
  {
    const char *argv[] = { "rm", "-rf", dir, NULL };
    g_free (run (argv, NULL));
  }
}

static void
test_qr_text (void)
{
  g_autoptr(EcResident) r = ec_demo_make_resident (3, 5);
  g_autofree char *text = NULL;
  g_autofree char *year = NULL;
  EcAllergy *a = ec_allergy_new ();
  EcContact *c;

  g_ptr_array_set_size (r->allergies, 0);
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  a->substance = g_strdup ("青霉素");
  a->criticality = EC_CRITICALITY_HIGH;
  g_ptr_array_add (r->allergies, a);
  r->dnr = EC_DNR_DNR;
  c = r->contacts->pdata[0];
  text = ec_handover_qr_text (r);
  year = g_strndup (r->date_of_birth, 4);
  g_assert_nonnull (strstr (text, r->name_zh));
  g_assert_nonnull (strstr (text, r->name_pinyin));
  g_assert_nonnull (strstr (text, year));
  g_assert_null (strstr (text, r->date_of_birth));      /* the year only */
  g_assert_nonnull (strstr (text, "青霉素 (高危 HIGH)"));
  g_assert_nonnull (strstr (text, "DNR"));
  g_assert_nonnull (strstr (text, c->phones[0]));
  /* Nothing beyond the minimum: no address, no conditions, no second contact. */
  g_assert_null (strstr (text, r->address));
  for (guint i = 0; i < r->conditions->len; i++)
    g_assert_null (strstr (text, ((EcCondition *) r->conditions->pdata[i])->text));
  if (r->contacts->len > 1)
    g_assert_null (strstr (text, ((EcContact *) r->contacts->pdata[1])->phones[0]));

  /* Many allergies: the most critical first, within the size a QR code holds. */
  for (guint i = 0; i < 60; i++)
    {
      a = ec_allergy_new ();
      a->substance = g_strdup_printf ("过敏原%u", i);
      g_ptr_array_add (r->allergies, a);
    }
  g_free (text);
  text = ec_handover_qr_text (r);
  g_assert_cmpuint (strlen (text), <=, EC_HANDOVER_QR_MAX_BYTES);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_nonnull (strstr (text, "青霉素 (高危 HIGH)"));
  g_assert_nonnull (strstr (text, "…"));
  g_free (text);
  r->allergy_status = EC_ALLERGY_STATUS_NONE_KNOWN;
  text = ec_handover_qr_text (r);
  g_assert_nonnull (strstr (text, "none known"));
}

static void
test_qr_switch (void)
{
  g_autoptr(EcConfig) c = ec_config_new ();
  g_autoptr(GError) error = NULL;
  const char *on = "[handover]\nqr=true\n", *off = "[handover]\nqr=0\n", *bad = "[handover]\nqr=maybe\n";

  g_assert_false (c->handover_qr);   /* default off: a privacy decision */
  g_assert_true (ec_config_load_data (c, on, strlen (on), &error));
  g_assert_true (c->handover_qr);
  g_assert_true (ec_config_load_data (c, off, strlen (off), &error));
  g_assert_false (c->handover_qr);
  g_assert_false (ec_config_load_data (c, bad, strlen (bad), &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_false (c->handover_qr);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ec_init ();
  if (g_find_program_in_path ("pdfinfo") == NULL || g_find_program_in_path ("pdftotext") == NULL)
    {
      g_printerr ("poppler-utils (pdfinfo, pdftotext) is required\n");
      return 1;
    }
  g_test_add_func ("/ec/handover/longest-demo-record", test_longest_demo_record);
  g_test_add_func ("/ec/handover/overlong-record-one-page", test_overlong_record_one_page);
  g_test_add_func ("/ec/handover/refused", test_refused);
  g_test_add_func ("/ec/handover/qr-text", test_qr_text);
  g_test_add_func ("/ec/handover/qr-switch", test_qr_switch);
  return g_test_run ();
}
