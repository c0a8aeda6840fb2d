/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-sync.c: a kiosk kept current by update bundles (docs/sync.md), as a person
 * sees it: the demo community's station exports, a fresh kiosk database imports, the
 * Waiting screen says how old the data is, and a card revoked at the station after
 * the first bundle is shown as revoked once the next bundle is in. Cards go through
 * the controller's card path (the same verification and lookup a tap runs). */
#define G_LOG_DOMAIN "test-kiosk-sync"

#include <locale.h>
#include <string.h>

#include "ec-db.h"
#include "ec-init.h"
#include "ec-kiosk-application.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-window.h"
#include "ec-sync.h"
#include "kiosk-demo-fixture.h"
#include "kiosk-test-util.h"

#define WAIT_MS 10000

static struct
{
  char              *dir;
  EcDemoFixture     *demo;
  char              *kiosk_db;
  char              *kiosk_keys;
  EcConfig          *config;
  EcKioskController *controller;
  EcKioskWindow     *window;
} T;

static const EcActor station_actor = { EC_ROLE_STAFF, "S0002" };
static const EcActor importer = { EC_ROLE_ADMIN, "kiosk-admin" };

static gboolean
screen_settled (gpointer data)
{
  EcKioskScreen s = ec_kiosk_controller_get_screen (T.controller);
  return s == EC_KIOSK_SCREEN_RECORD || s == EC_KIOSK_SCREEN_PROBLEM;
}

typedef struct
{
  const char *needle;
} TextWait;

static gboolean
waiting_shows (gpointer data)
{
  const TextWait *w = data;
  g_autofree char *text = ec_test_visible_text (GTK_WIDGET (T.window));
  return strstr (text, w->needle) != NULL;
}

static void
assert_waiting_shows (const char *needle)
{
  TextWait w = { needle };

  if (!ec_test_wait_until (waiting_shows, &w, WAIT_MS))
    {
      g_autofree char *text = ec_test_visible_text (GTK_WIDGET (T.window));
      g_error ("expected “%s” on the Waiting screen; it shows:\n%s", needle, text);
    }
}

/* The station exports a responder bundle; the kiosk imports it (as an administrator
 * would with `eldercard sync import`, on its own connection to the kiosk database). */
static void
station_to_kiosk (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcSecret) pass = ec_secret_new_from ((const guint8 *) EC_DEMO_PASSPHRASE, strlen (EC_DEMO_PASSPHRASE));
  g_autofree char *keys = g_build_filename (T.demo->dir, "keys", NULL);
  g_autofree char *rk_path = g_build_filename (keys, "community", "read.key", NULL);
  g_autofree char *bundle = g_build_filename (T.dir, "update.ecbundle", NULL);
  g_autoptr(EcStationKey) station = ec_station_key_unlock (keys, 1, pass, &error);
  g_autoptr(EcReadKey) read_key = ec_read_key_load (rk_path, &error);
  g_autoptr(EcKeyring) ring = ec_keyring_load (T.kiosk_keys, &error);
  g_autoptr(EcDb) station_db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  g_autoptr(EcDb) kiosk_db = ec_db_open (T.kiosk_db, EC_DB_OPEN_READ_WRITE, &error);

  g_assert_no_error (error);
  g_assert_true (ec_sync_export_bundle (station_db, station, read_key, EC_ROLE_RESPONDER, NULL, &station_actor,
                                        bundle, NULL, &error));
  g_assert_true (ec_sync_import_bundle (kiosk_db, ring, bundle, EC_ROLE_RESPONDER, &importer, NULL, &error));
  g_assert_no_error (error);
}

static EcKioskResult *
tap (const char *file)
{
  g_autofree char *name = g_strconcat (file, ".tag", NULL);
  g_autofree char *path = g_build_filename (T.demo->dir, "cards", name, NULL);

  ec_kiosk_controller_clear (T.controller);
  ec_test_spin (20);
  ec_kiosk_controller_card_detected (T.controller);
  ec_kiosk_controller_submit_image_file (T.controller, path);
  g_assert_true (ec_test_wait_until (screen_settled, NULL, WAIT_MS));
  ec_test_spin (30);
  return ec_kiosk_controller_get_result (T.controller);
}

static void
test_before_any_bundle (void)
{
  EcKioskResult *r;

  /* A fresh kiosk says so, and a genuine card finds no record. */
  assert_waiting_shows ("No data update received yet");
  r = tap ("01-valid-allergies");
  g_assert_cmpint (r->screen, ==, EC_KIOSK_SCREEN_PROBLEM);
  g_assert_cmpint (r->problem, !=, EC_KIOSK_PROBLEM_NONE);
}

static void
test_after_bundle (void)
{
  EcKioskResult *r;
  g_autofree char *text = NULL;

  station_to_kiosk ();
  /* Back to Waiting: the line is refreshed from the kiosk database. */
  ec_kiosk_controller_clear (T.controller);
  assert_waiting_shows ("Data from less than an hour ago");

  r = tap ("01-valid-allergies");
  g_assert_cmpint (r->screen, ==, EC_KIOSK_SCREEN_RECORD);
  g_assert_cmpint (r->problem, ==, EC_KIOSK_PROBLEM_NONE);
  g_assert_nonnull (r->resident);
  g_assert_cmpstr (r->resident->name_zh, ==, T.demo->cards[0].name);

  /* The card revoked at the station before the export is revoked here too. */
  r = tap ("06-revoked");
  g_assert_cmpint (r->screen, ==, EC_KIOSK_SCREEN_PROBLEM);
  g_assert_cmpint (r->problem, ==, EC_KIOSK_PROBLEM_REVOKED);
  text = ec_test_visible_text (GTK_WIDGET (T.window));
  g_assert_nonnull (strstr (text, "Card revoked"));
}

static void
test_revocation_travels (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  g_autoptr(EcDb) station_db = NULL;
  EcKioskResult *r;
  const char *uid = NULL;

  /* Card 01 is lost and revoked at the station after the kiosk's last bundle. */
  station_db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_true (ec_db_card_list_for_resident (station_db, T.demo->cards[0].resident, &cards, &error));
  for (guint i = 0; i < cards->len; i++)
    if (((EcCardRecord *) g_ptr_array_index (cards, i))->status == EC_CARD_STATUS_ACTIVE)
      uid = ((EcCardRecord *) g_ptr_array_index (cards, i))->uid_hex;
  g_assert_nonnull (uid);
  g_assert_true (ec_db_card_set_status (station_db, uid, EC_CARD_STATUS_REVOKED, "reported stolen",
                                        &station_actor, &error));
  g_assert_no_error (error);
  g_clear_pointer (&station_db, ec_db_close);

  r = tap ("01-valid-allergies");
  g_assert_cmpint (r->screen, ==, EC_KIOSK_SCREEN_RECORD);   /* the kiosk does not know yet */

  station_to_kiosk ();
  r = tap ("01-valid-allergies");
  g_assert_cmpint (r->screen, ==, EC_KIOSK_SCREEN_PROBLEM);
  g_assert_cmpint (r->problem, ==, EC_KIOSK_PROBLEM_REVOKED);
  ec_kiosk_controller_clear (T.controller);
}

static gboolean
ignore_environment_warnings (const char     *domain,
                             GLogLevelFlags  level,
                             const char     *message,
                             gpointer        data)
{
  return !(strstr (message, "session bus") != NULL || strstr (message, "dbus-launch") != NULL
           || strstr (message, "Settings portal") != NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  setlocale (LC_ALL, "");
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_log_set_fatal_handler (ignore_environment_warnings, NULL);
  ec_kiosk_ui_init ();
  ec_kiosk_i18n_init ("en");

  T.dir = g_dir_make_tmp ("test-kiosk-sync-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *demo_dir = g_build_filename (T.dir, "demo", NULL);
    T.demo = ec_demo_fixture_create (demo_dir, 60, &error);
    g_assert_no_error (error);
  }
  T.kiosk_keys = g_build_filename (T.demo->dir, "kiosk-keys", NULL);
  T.kiosk_db = g_build_filename (T.dir, "kiosk.db", NULL);
  {
    g_autoptr(EcDb) db = ec_db_open (T.kiosk_db, EC_DB_OPEN_CREATE, &error);
    g_assert_no_error (error);
  }

  T.config = ec_config_new ();
  g_free (T.config->db_path);
  T.config->db_path = g_strdup (T.kiosk_db);
  g_free (T.config->keys_dir);
  T.config->keys_dir = g_strdup (T.kiosk_keys);
  g_free (T.config->kiosk_id);
  T.config->kiosk_id = g_strdup ("kiosk-07");
  T.config->max_age_days = 7;
  T.controller = ec_kiosk_controller_new (T.config);
  T.window = ec_kiosk_window_new (NULL, T.controller, T.config, FALSE);
  gtk_window_present (GTK_WINDOW (T.window));

  g_test_add_func ("/ec/kiosk-sync/1-before-any-bundle", test_before_any_bundle);
  g_test_add_func ("/ec/kiosk-sync/2-after-bundle", test_after_bundle);
  g_test_add_func ("/ec/kiosk-sync/3-revocation-travels", test_revocation_travels);

  rc = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (T.window));
  ec_kiosk_controller_stop (T.controller);
  ec_test_spin (100);
  g_assert_finalize_object (g_steal_pointer (&T.controller));
  ec_demo_fixture_free (T.demo);
  ec_config_free (T.config);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", T.dir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", T.dir);
  }
  g_free (T.dir);
  g_free (T.kiosk_db);
  g_free (T.kiosk_keys);
  return rc;
}
