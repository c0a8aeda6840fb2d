/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-handover: the kiosk's handover window (ec-handover-dialog.h). The
 * paramedic QR code appears only when the configuration allows it (default off) and
 * its showing is audited; the sheet saves as one private page; the FHIR summary is
 * for nurses and staff only. */
#define G_LOG_DOMAIN "test-kiosk-handover"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "ec-config.h"
#include "ec-db.h"
#include "ec-demo.h"
#include "ec-error.h"
#include "ec-handover-dialog.h"
#include "ec-init.h"
#include "ec-ips.h"
#include "ec-kiosk-i18n.h"
#include "kiosk-test-util.h"

static char *dir, *db_path;
static EcResidentId first_id;

static guint
count_audit (const char *action)
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
test_qr_only_when_allowed (void)
{
  const EcActor actor = { EC_ROLE_RESPONDER, "kiosk-03" };
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(GError) error = NULL;
  GtkWindow *w;

  g_assert_false (config->handover_qr);   /* the default: off */
  w = ec_handover_dialog_new (NULL, db_path, first_id, &actor, config);
  g_assert_nonnull (w);
  g_assert_false (ec_handover_dialog_has_qr (w));
  g_assert_cmpuint (count_audit ("handover-qr-shown"), ==, 0);
  gtk_window_destroy (w);

  g_assert_true (ec_config_load_data (config, "[handover]\nqr=true\n", strlen ("[handover]\nqr=true\n"), &error));
  g_assert_no_error (error);
  w = ec_handover_dialog_new (NULL, db_path, first_id, &actor, config);
  g_assert_true (ec_handover_dialog_has_qr (w));
  g_assert_cmpuint (count_audit ("handover-qr-shown"), ==, 1);
  gtk_window_destroy (w);
}

static void
test_save (void)
{
  const EcActor responder = { EC_ROLE_RESPONDER, "kiosk-03" };
  const EcActor nurse = { EC_ROLE_NURSE, "N0001" };
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (dir, "sheet.pdf", NULL);
  g_autofree char *ips = g_build_filename (dir, "ips.json", NULL);
  g_autofree char *json = NULL;
  g_autoptr(EcResident) r = NULL;
  gsize len = 0;
  GStatBuf st;
  GtkWindow *w = ec_handover_dialog_new (NULL, db_path, first_id, &responder, config);

  /* A responder prints the sheet, but does not export the FHIR summary. */
  g_assert_true (ec_handover_dialog_save_pdf (w, pdf, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (pdf, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (count_audit ("handover-print"), ==, 1);
  g_assert_false (ec_handover_dialog_save_ips (w, ips, &error));
  g_assert_error (error, EC_DB_ERROR, EC_DB_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_false (g_file_test (ips, G_FILE_TEST_EXISTS));
  gtk_window_destroy (w);

  w = ec_handover_dialog_new (NULL, db_path, first_id, &nurse, config);
  g_assert_true (ec_handover_dialog_save_ips (w, ips, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (ips, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (ips, &json, &len, &error));
  r = ec_ips_parse (json, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->id, ==, first_id);
  g_assert_cmpuint (count_audit ("export-ips"), ==, 1);
  gtk_window_destroy (w);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_log_set_fatal_handler (ec_test_ignore_environment_warnings, NULL);
  ec_init ();
  ec_kiosk_i18n_init ("en");
  dir = g_dir_make_tmp ("ec-kiosk-handover-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (dir, "demo.db", NULL);
  {
    g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_CREATE, &error);
    g_assert_no_error (error);
    g_assert_true (ec_demo_generate (db, 5, 1, &error));
    g_assert_true (ec_db_resident_list (db, 0, 1, &list, &error));
    first_id = ((EcResidentSummary *) list->pdata[0])->id;
  }
  g_test_add_func ("/ec/kiosk/handover/qr-only-when-allowed", test_qr_only_when_allowed);
  g_test_add_func ("/ec/kiosk/handover/save", test_save);
  rc = g_test_run ();
  {
    const char *rm[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (db_path);
  g_free (dir);
  return rc;
}
